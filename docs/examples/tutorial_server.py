#!/usr/bin/env python3
"""The tutorial's TCP server, as it was written, mistakes included.

Only the port became a parameter (default 9999, 0: the kernel picks one),
and it prints "listening on ADDR:PORT" so a script knows where it is.
It reads ONE recv(1024) per connection, upper-cases it, sends it back with
ONE send() and closes: see docs/tutorial-mistakes.md for what goes wrong.
"""
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9999
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", port))
server.listen(5)
print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
while True:
    conn, addr = server.accept()
    data = conn.recv(1024)          # mistake: not "the message", at most 1024 bytes of it
    conn.send(data.upper())         # mistake: send() may send less; the rest is lost
    conn.close()
