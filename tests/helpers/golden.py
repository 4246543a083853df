#!/usr/bin/env python3
"""Helpers of tests/helpers/golden.sh (the golden output files).

usage: golden.py mask DIR
       golden.py kernel

mask: replaces, in each case's collected output (DIR/NAME.raw, written
by golden.sh with the case's values in DIR/NAME.ctx; the result is
DIR/NAME.txt), what differs from one run to the next (times,
kernel-chosen ports, pids, names, paths) with a placeholder, and
nothing else. Each rule is named and says why below.
Every rule matches only the value in its current format and place (a
"t" with six decimals, an RTT after "time="): a value printed in another
format or place is left as it is, so the diff shows it. The numbered
placeholders (EPH1, PID2, @AUTO1) are numbered by first appearance in
the whole file, so that the same value seen twice (a client's port in
the client's and in the server's output) stays visibly the same.

The case's values: port (its server's port), name (its abstract name),
tmp (its temporary folder), in (tests/golden/in), data (tests/data), uid
and gid (ours), ports "LOW HIGH" (the kernel's ephemeral port range),
keep RULE,... (default rules this case does not apply) and also
RULE,... (optional rules it applies).

kernel: prints what the kernel-dependent cases (matrix, tour) depend on:
the socket sysctls and which family x type x protocol socket() accepts.
golden.sh records it beside the output files and compares it before it
runs those cases.
"""
import errno
import glob
import os
import re
import socket
import sys

sys.dont_write_bytecode = True  # nothing written into the checkout


class Numbering:
    """Gives each distinct value its own numbered placeholder."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.seen = {}

    def __call__(self, value):
        if value not in self.seen:
            self.seen[value] = "%s%d" % (self.prefix, len(self.seen) + 1)
        return self.seen[value]


def same_width(text, token):
    """token, right-aligned in as many characters as text (padding and
    all), so a table's columns keep their alignment."""
    return token.rjust(len(text))


def rules(ctx):
    """The rules, in the order they apply: (name, default?, function)."""
    eph = Numbering("EPH")
    pids = Numbering("PID")
    auto = Numbering("@AUTO")
    low, high = (int(x) for x in ctx.get("ports", "32768 60999").split())
    port = ctx.get("port", "")
    lit = []  # (name, literal, placeholder): the case's own values
    for key, token in (("tmp", "TMP"), ("in", "IN"), ("data", "DATA")):
        if ctx.get(key):
            lit.append(("%s-dir" % key, ctx[key], token))
    if ctx.get("name"):
        lit.append(("abstract-name", ctx["name"], "@NAME"))
    addr = r"(?:\d{1,3}(?:\.\d{1,3}){3}|\])"  # 127.0.0.1 or [::1]

    def literal(name, value, token):
        return (name, True, lambda s: s.replace(value, token))

    def ephemeral(m):
        p = int(m.group(2))
        return m.group(1) + (eph(p) if low <= p <= high else m.group(2))

    out = [literal(*x) for x in lit]
    out += [
        # server-port: the port the case's server was given by the
        # kernel (-p 0), after an address or as JSON "port".
        ("server-port", True, lambda s: re.sub(
            r"(%s:|\"port\":)%s\b" % (addr, re.escape(port)),
            r"\1PORT", s) if port else s),
        # ephemeral-port: a client's local port (and the peer port a
        # server shows), after an address: only ports in the kernel's
        # ephemeral range, so port 1 or 9999 stay. Off for pcap files.
        ("ephemeral-port", True, lambda s: re.sub(
            r"(%s:)(\d+)\b" % addr, ephemeral, s)),
        # tour-port: tour's own servers' ports (-p 0), the last word of
        # the client command line it shows in JSON.
        ("tour-port", True, lambda s: re.sub(
            r"( (?:127\.0\.0\.1|::1) )(\d+)(?=\")", ephemeral, s)),
        # autobind-name: the kernel's autobind abstract names, five hex
        # digits (unix dgram clients, the unix demonstration).
        ("autobind-name", True, lambda s: re.sub(
            r"@[0-9a-f]{5}(?![0-9A-Za-z_-])",
            lambda m: auto(m.group(0)), s)),
        # pid: process ids (SO_PEERCRED, SCM_CREDENTIALS, tour's names).
        ("pid", True, lambda s: re.sub(
            r"(\bpid=|\"(?:peer_)?pid\":|@sockx-tour-)(\d+)",
            lambda m: m.group(1) + pids(m.group(2)), s)),
        # own-ids: our uid and gid (0 as root, the user's otherwise);
        # any other id is kept.
        ("own-ids", True, lambda s: re.sub(
            r"(\b(?:uid|gid)=|\"(?:peer_)?(?:uid|gid)\":)(\d+)\b",
            lambda m: m.group(1) + (
                ("UID" if "uid" in m.group(1) else "GID")
                if m.group(2) == ctx.get(
                    "uid" if "uid" in m.group(1) else "gid") else m.group(2)),
            s)),
        # inode: the inode of a file passed with SCM_RIGHTS.
        ("inode", True, lambda s: re.sub(
            r"(\binode |\"inode\":)\d+\b", r"\1INODE", s)),
        # json-t: every JSON event's "t", seconds with six decimals.
        ("json-t", True, lambda s: re.sub(
            r"(\"t\":)\d+\.\d{6}(?=[,}])", r"\1T", s)),
        # json-measured: measured times in JSON, fixed point with at most
        # six decimals and no trailing zero (docs/json.md).
        ("json-measured", True, lambda s: re.sub(
            r"(\"(?:rtt_ms|rtt_min_ms|rtt_avg_ms|rtt_max_ms|rtt_mdev_ms"
            r"|duration|time_ms)\":)\d+(?:\.\d{0,5}[1-9])?(?=[,}])",
            r"\1T", s)),
        # text-rtt: a reply's round-trip time, "time=0.029 ms".
        ("text-rtt", True, lambda s: re.sub(
            r"\btime=\d+\.\d{3} ms\b", "time=T ms", s)),
        # text-rtt-summary: "rtt min/avg/max[/mdev] = a/b/c[/d] ms".
        ("text-rtt-summary", True, lambda s: re.sub(
            r"(rtt min/avg/max(?:/mdev)? = )\d+\.\d{3}(?:/\d+\.\d{3}){2,3} ms",
            lambda m: m.group(1) + "/".join(
                ["T"] * (m.group(0)[len(m.group(1)):].count("/") + 1)) + " ms",
            s)),
        # text-duration: how long a server's client was connected, at the
        # end of its "closed" line ("..., 7 bytes out, 0.315 s").
        ("text-duration", True, lambda s: re.sub(
            r"( bytes out), \d+\.\d{3} s$", r"\1, T s", s, flags=re.M)),
        # ping-time: raw-icmp's "packet loss, time 200ms".
        ("ping-time", True, lambda s: re.sub(
            r"(packet loss, time )\d+ms$", r"\1Tms", s, flags=re.M)),
        # tour-time: tour's TIME column (width kept) and its total.
        ("tour-time", True, lambda s: re.sub(
            r"(?<=\S)( +\d+\.\d)( ms  )",
            lambda m: same_width(m.group(1), "T") + m.group(2), s)),
        # tour-icmp-calls: the socket calls of tour's ICMP cells. A raw
        # ICMP socket is given a copy of every ICMP packet of the host,
        # other programs' pings too, and each one it reads and drops is
        # one more call: the count depends on what else runs.
        ("tour-icmp-calls", True, lambda s: re.sub(
            r"^(icmp[46] +AF_INET6? SOCK_RAW)( +\d+)(?= )",
            lambda m: m.group(1) + same_width(m.group(2), "N"),
            re.sub(r"^(\{\"event\":\"cell\",.*\"cell\":\"icmp[46]\".*)$",
                   lambda m: re.sub(r"(\"syscalls(?:_client)?\":)\d+", r"\1N",
                                    m.group(1)), s, flags=re.M),
            flags=re.M)),
        ("tour-total", True, lambda s: re.sub(
            r"(not built in this binary\); )\d+\.\d{2} s$", r"\1T s", s,
            flags=re.M)),
        # kernel-version: matrix's header names the running kernel.
        ("kernel-version", True, lambda s: re.sub(
            r"^(socket\(\) on Linux )\S+,", r"\1KVER,", s, flags=re.M)),
        # Optional rules, for the cases that ask (--also):
        # icmp-id: raw-icmp's random ICMP identifier (no --id).
        ("icmp-id", False, lambda s: re.sub(
            r"(\{\"event\":\"start\",.*\"id\":)\d+(?=,)", r"\1ID", s)),
        # capture-time: a live capture's seconds since its first packet.
        ("capture-time", False, lambda s: re.sub(
            r"(\"time\":)\d+(?:\.\d{0,5}[1-9])?(?=,)", r"\1T",
            re.sub(r"^(\d+ )\d+\.\d{6}( )", r"\1T\2", s, flags=re.M))),
        # capture-stats: a live capture's "received by the filter"
        # (libpcap's ps_recv, text and JSON summary). The kernel also
        # counts packets that came before the filter was attached (any
        # traffic on lo: other tests'), so it depends on what else runs;
        # "dropped" stays.
        ("capture-stats", False, lambda s: re.sub(
            r"^\d+( packets received by the filter, )", r"N\1",
            re.sub(r"(\{\"event\":\"summary\",\"t\":[^,]*,\"received\":)\d+",
                   r"\1N", s), flags=re.M)),
    ]
    return out


def mask(ctx, text):
    keep = set(filter(None, ctx.get("keep", "").split(",")))
    also = set(filter(None, ctx.get("also", "").split(",")))
    table = rules(ctx)
    known = {name for name, _, _ in table}
    unknown = (keep | also) - known
    if unknown:
        sys.exit("golden.py: no masking rule named %s" % ", ".join(sorted(unknown)))
    for name, default, fn in table:
        if (default and name not in keep) or name in also:
            text = fn(text)
    return text


def mask_dir(folder):
    """Masks every NAME.raw of folder into NAME.txt, with NAME.ctx's values
    (KEY NUL VALUE NUL ...); removes the .raw and .ctx files."""
    for raw in sorted(glob.glob(os.path.join(folder, "*.raw"))):
        base = raw[:-len(".raw")]
        with open(base + ".ctx", "rb") as f:
            fields = f.read().decode("utf-8", "surrogateescape").split("\0")[:-1]
        ctx = dict(zip(fields[0::2], fields[1::2]))
        with open(raw, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        with open(base + ".txt.part", "wb") as f:
            f.write(mask(ctx, text).encode("utf-8", "surrogateescape"))
        os.replace(base + ".txt.part", base + ".txt")
        os.remove(raw)
        os.remove(base + ".ctx")


# What matrix asks: the same family x type x protocol triples.
PROBES = [
    ("AF_INET", "SOCK_STREAM", [0, 6, 132, 262]),
    ("AF_INET", "SOCK_DGRAM", [0, 17, 136, 1]),
    ("AF_INET", "SOCK_SEQPACKET", [0, 132]),
    ("AF_INET", "SOCK_RAW", [0, 1, 6, 17, 255]),
    ("AF_INET", "SOCK_RDM", [0]),
    ("AF_INET6", "SOCK_STREAM", [0, 6, 132, 262]),
    ("AF_INET6", "SOCK_DGRAM", [0, 17, 136, 58]),
    ("AF_INET6", "SOCK_SEQPACKET", [0, 132]),
    ("AF_INET6", "SOCK_RAW", [0, 58, 6, 17, 255]),
    ("AF_INET6", "SOCK_RDM", [0]),
    ("AF_UNIX", "SOCK_STREAM", [0]),
    ("AF_UNIX", "SOCK_DGRAM", [0]),
    ("AF_UNIX", "SOCK_SEQPACKET", [0]),
    ("AF_UNIX", "SOCK_RAW", [0]),
    ("AF_UNIX", "SOCK_RDM", [0]),
]
SYSCTLS = [
    "net/core/wmem_default", "net/core/rmem_default",
    "net/ipv4/tcp_wmem", "net/ipv4/tcp_rmem", "net/ipv4/ping_group_range",
    "net/ipv6/conf/lo/disable_ipv6",
]


def kernel():
    for path in SYSCTLS:
        try:
            with open("/proc/sys/" + path) as f:
                value = " ".join(f.read().split())
        except OSError as e:
            value = "(%s)" % errno.errorcode.get(e.errno, e.errno)
        print("%s = %s" % (path.replace("/", "."), value))
    for fam, typ, protos in PROBES:
        for proto in protos:
            try:
                s = socket.socket(getattr(socket, fam), getattr(socket, typ), proto)
                what = "ok, SO_PROTOCOL %d, SO_SNDBUF %d, SO_RCVBUF %d" % (
                    s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL),
                    s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                    s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
                s.close()
            except OSError as e:
                what = errno.errorcode.get(e.errno, str(e.errno))
            print("socket(%s, %s, %d): %s" % (fam, typ, proto, what))


def main():
    if sys.argv[1:] == ["kernel"]:
        kernel()
    elif len(sys.argv) == 3 and sys.argv[1] == "mask":
        mask_dir(sys.argv[2])
    else:
        sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    main()
