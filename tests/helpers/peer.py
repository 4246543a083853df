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


def connect_to(target, name=None):
    """A connected stream socket: target is a port on 127.0.0.1, or a Unix
    path or @name; name, when given, is bound first (@name: abstract)."""
    if target[0] in "@/":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        if name:
            s.bind("\0" + name[1:] if name[0] == "@" else name)
        s.connect("\0" + target[1:] if target[0] == "@" else target)
        return s
    return socket.create_connection(("127.0.0.1", int(target)), timeout=TIMEOUT)


def print_clients(target, n, expected):
    """n clients connected at once take turns sending three messages each
    (with an ESC and a non-UTF-8 byte in them), then close. Writes, in
    file expected, each client's address and its bytes in hex: what a
    --mode print server must attribute to it."""
    n = int(n)
    unix = target[0] in "@/"
    socks = [connect_to(target, "@sockx-print-%d-%d" % (os.getpid(), i) if unix else None)
             for i in range(n)]
    sent = [b""] * n
    for j in range(3):
        for i, s in enumerate(socks):
            m = b"c%d-%d \x1b[2J \xff\n" % (i, j)
            s.sendall(m)
            sent[i] += m
            time.sleep(0.01)    # turns interleave; a read never spans two clients anyway
    with open(expected, "w") as f:
        for i, s in enumerate(socks):
            name = s.getsockname()
            if unix:
                addr = "@" + name[1:].decode()
            else:
                addr = "%s:%d" % name
            f.write("%s %s\n" % (addr, sent[i].hex()))
    for s in socks:
        s.close()


def unescape(text):
    """The bytes that esc_write() showed as text."""
    out = bytearray()
    i = 0
    raw = text.encode()
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        e = raw[i + 1:i + 2]
        if e == b"x":
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
            continue
        out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"\\": b"\\"}[e]
        i += 2
    return bytes(out)


def print_check(output, expected):
    """Rebuilds each client's bytes from a --mode print server's lines
    ("from ADDR (fd N), K bytes: TEXT") and compares them with expected.
    A line shows K bytes; a final newline is the line's own end."""
    want = {}
    with open(expected) as f:
        for line in f:
            addr, data = line.split()
            want[addr] = bytes.fromhex(data)
    got = {a: b"" for a in want}
    with open(output, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("from "):
                continue
            head, text = line[:-1].split(": ", 1)
            addr = head.split()[1]
            k = int(head.split(", ")[-1].split()[0])
            data = unescape(text)
            if len(data) == k - 1:
                data += b"\n"
            if len(data) != k or addr not in got:
                print("bad line: %r" % line)
                sys.exit(1)
            got[addr] += data
    bad = [a for a in want if got[a] != want[a]]
    for a in bad:
        print("%s: got %r, want %r" % (a, got[a], want[a]))
    print("ok %d" % (len(want) - len(bad)))
    sys.exit(1 if bad else 0)


def stdio_peer(target, order, msg):
    """A client of a --mode stdio server. order "server-first": reads until
    the server's EOF, then sends msg and closes. "client-first": sends msg,
    shuts its write side, then reads until EOF. Prints what it read."""
    s = connect_to(target)
    if order == "client-first":
        s.sendall(msg.encode())
        s.shutdown(socket.SHUT_WR)
        got = recv_all(s)
    else:
        got = recv_all(s)
        s.sendall(msg.encode())
    s.close()
    sys.stdout.write(got.decode("utf-8", "replace"))


def silent_sender(target, nbytes):
    """Sends nbytes, never reads, and holds the connection until stdin closes."""
    s = connect_to(target)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"z" * int(nbytes))
    print("sent", flush=True)
    sys.stdin.read()
    s.close()


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
