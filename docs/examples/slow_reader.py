#!/usr/bin/env python3
"""A TCP server that accepts one client, does not read for half a second
(so the client's send() calls fill the buffers and come back short), then
reads everything and prints what its recv() calls returned.

    python3 docs/examples/slow_reader.py [PORT]     (default 0: any port)
"""
import socket
import sys
import time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", port))
server.listen(1)
print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
conn, _ = server.accept()
time.sleep(0.5)
total = calls = 0
while True:
    chunk = conn.recv(1 << 20)
    calls += 1
    if calls == 1:
        print("first recv() returned %d bytes" % len(chunk), flush=True)
    if not chunk:
        break
    total += len(chunk)
conn.close()
print("received %d bytes in %d recv() calls" % (total, calls), flush=True)
