#!/usr/bin/env python3
"""Independent peers for the tests: python3's socket module, not sockx.

Each subcommand is one small, bounded peer; every socket has a timeout.
"""
import os
import socket
import struct
import sys
import threading
import time

TIMEOUT = 10


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def recv_all(s):
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return buf
        buf += chunk


def echo_client(host, port, *msgs):
    """Sends each message, reads its echo, prints it; exits 1 on a short one."""
    s = socket.create_connection((host, int(port)), timeout=TIMEOUT)
    for m in msgs:
        data = m.encode()
        s.sendall(data)
        reply = recv_exact(s, len(data))
        sys.stdout.write(reply.decode("utf-8", "replace") + "\n")
        if len(reply) != len(data):
            sys.exit(1)
    s.shutdown(socket.SHUT_WR)
    rest = recv_all(s)
    s.close()
    sys.exit(0 if rest == b"" else 1)


def upper_server(host="127.0.0.1"):
    """The tutorial's server: upper-cases what it receives, one client."""
    ls = socket.socket(family_of(host), socket.SOCK_STREAM)
    ls.bind((host, 0))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    print("listening on %s:%d" % (host, ls.getsockname()[1]), flush=True)
    conn, _ = ls.accept()
    conn.settimeout(TIMEOUT)
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data.upper())
    conn.close()
    ls.close()


def many_clients(port, n, rounds="1"):
    """n clients at once, each sends unique messages and checks every echo.
    port: a TCP port on 127.0.0.1, or a UNIX stream path (@name: abstract)."""
    n, rounds = int(n), int(rounds)
    errors = []
    socks = []
    for i in range(n):
        if port.startswith("@") or port.startswith("/"):  # a UNIX stream server
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(TIMEOUT)
            s.connect("\0" + port[1:] if port.startswith("@") else port)
        else:
            s = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
        socks.append(s)

    def run(i, s):
        try:
            for r in range(rounds):
                msg = os.urandom(1 + (i * 7 + r) % 200)
                s.sendall(msg)
                if recv_exact(s, len(msg)) != msg:
                    errors.append("client %d round %d: bad echo" % (i, r))
                    return
            s.close()
        except OSError as e:
            errors.append("client %d: %s" % (i, e))

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(socks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 3)
    for e in errors[:10]:
        print(e)
    print("ok %d" % (n - len(errors)))
    sys.exit(1 if errors else 0)


def reset_client(port):
    """Sends some bytes, then resets the connection (SO_LINGER 0)."""
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
    s.sendall(b"x" * 100000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def nonreader(port, seconds):
    """Writes as fast as the server takes it, never reads, for a while."""
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sent = 0
    end = time.time() + float(seconds)
    chunk = b"y" * 65536
    while time.time() < end:
        try:
            sent += s.send(chunk)
        except socket.timeout:
            pass
    print("sent %d" % sent, flush=True)
    # Hold the connection open until told to stop (stdin closes).
    sys.stdin.read()
    s.close()


def half_close(port, msg):
    """Sends, shuts the write side, reads everything until EOF."""
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
    s.sendall(msg.encode())
    s.shutdown(socket.SHUT_WR)
    sys.stdout.write(recv_all(s).decode())
    s.close()


def record_server(reply=""):
    """One client: says "listening on", answers reply to its first bytes,
    and once the client closes prints repr() of all it received."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    s, _ = ls.accept()
    s.settimeout(TIMEOUT)
    got = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        if not got and reply:
            s.sendall(reply.encode())
        got += chunk
    print("received %r" % got, flush=True)
    s.close()


def hold(port, n):
    """Opens n connections at once and sends a line on each; then, in turn,
    waits for each echo and closes that connection. A server short of file
    descriptors must serve those it has and accept the rest as fds free up."""
    n = int(n)
    socks = [socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT) for _ in range(n)]
    for i, s in enumerate(socks):
        s.sendall(b"m%d\n" % i)
    got = 0
    for i, s in enumerate(socks):
        if recv_exact(s, len(b"m%d\n" % i)) == b"m%d\n" % i:
            got += 1
        s.close()
    print("echoed %d" % got, flush=True)
    sys.exit(0 if got == n else 1)


def listen_one(path=None):
    """A listening socket on 127.0.0.1 port 0 (or the UNIX stream path,
    @name: abstract), its "listening on" line printed; the accepted peer."""
    if path:
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind("\0" + path[1:] if path.startswith("@") else path)
        name = path
    else:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind(("127.0.0.1", 0))
        name = "127.0.0.1:%d" % ls.getsockname()[1]
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    print("listening on %s" % name, flush=True)
    conn, _ = ls.accept()
    conn.settimeout(TIMEOUT)
    ls.close()
    return conn


def after_fin_server(n, path=None):
    """Echoes what it receives until the client's FIN, then sends n bytes
    of "x" and closes: all of them must reach the client."""
    conn = listen_one(path)
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data)
    conn.sendall(b"x" * int(n))
    conn.close()
    print("sent %s after eof" % n, flush=True)


def shut_server(n):
    """Sends n bytes, shuts down its write side, then waits for the
    client to close (bounded by TIMEOUT)."""
    conn = listen_one()
    conn.sendall(b"z" * int(n))
    conn.shutdown(socket.SHUT_WR)
    print("shut after %s" % n, flush=True)
    try:
        recv_all(conn)
    except OSError:
        pass
    conn.close()


def sink_server():
    """Accepts one client and never reads from it; its receive buffer is
    small, so a big message fills it. Holds the connection TIMEOUT s."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    print("accepted", flush=True)
    time.sleep(TIMEOUT)
    conn.close()


def send_hold(n, path=None):
    """Sends n bytes of "w", reads nothing, and holds the connection open
    for TIMEOUT s: it never closes first."""
    conn = listen_one(path)
    conn.sendall(b"w" * int(n))
    print("sent %s" % n, flush=True)
    time.sleep(TIMEOUT)
    conn.close()


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
