#!/usr/bin/env python3
"""The tutorial's TCP client, as it was written, mistakes included.

The port is a parameter (the tutorial hard-coded one that was not the
server's); otherwise: one send(), one recv(1024), print, close.
"""
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9999
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(("127.0.0.1", port))
client.send("你好,服务器!".encode("utf-8"))   # mistake: the return value is ignored
data = client.recv(1024)                      # mistake: may be part of the reply
print(data.decode("utf-8"))
client.close()
