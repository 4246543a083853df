#!/usr/bin/env python3
"""Writes the synthetic pcap files of tests/data (regen.sh calls it).

Each file shows one thing a decoder or the TCP reassembler must get right,
built byte by byte here so the cases are exact and the files tiny:
  tcp_reasm   retransmission, overlap, coalescing, out-of-order arrival,
              a hole never filled, a reset, sequence numbers wrapping 2^32
  links_sll   the same TCP segment under Linux cooked v1 (LINKTYPE 113)
  links_sll2  ... cooked v2 (276), both directions
  links_raw   ... raw IP (101), IPv4 and IPv6
  vlan        Ethernet with an 802.1Q tag and a QinQ pair, ARP
  odd         hostile and unusual packets: truncations, impossible lengths,
              bad options, fragments, IPv6 extension headers, ICMP errors
Usage: synth.py OUTDIR
"""
import os
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ident=1, ttl=64, flags=0x4000, tot=None, ihl=5, opts=b""):
    tot = 20 + len(opts) + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, flags, ttl, proto, 0,
                    bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nxt, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nxt, 64, bytes(src), bytes(dst)) + payload


def tcp(sp, dp, seq, ack, flags, data=b"", win=512, opts=b""):
    doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       doff << 4, flags, win, 0, 0) + opts + data


def udp(sp, dp, data, length=None):
    length = 8 + len(data) if length is None else length
    return struct.pack("!HHHH", sp, dp, length, 0) + data


def icmp(typ, code, rest, data=b""):
    m = struct.pack("!BBH", typ, code, 0) + rest + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def eth(payload, etype=0x0800, tags=()):
    h = b"\0" * 12
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype) + payload


def sll(payload, pkttype=0, etype=0x0800):
    return struct.pack("!HHH8sH", pkttype, 772, 6, b"\0" * 8, etype) + payload


def sll2(payload, pkttype=0, etype=0x0800, ifindex=1):
    return struct.pack("!HHIHBB8s", etype, 0, ifindex, 772, pkttype, 6, b"\0" * 8) + payload


def write(path, linktype, frames, snaplen=65535):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for i, fr in enumerate(frames):
            data, orig = (fr, len(fr)) if isinstance(fr, bytes) else fr
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(data), orig))
            f.write(data)


A = [127, 0, 0, 1]
B = [127, 0, 0, 2]
A6 = [0] * 15 + [1]
S, F, R, P, K = 0x02, 0x01, 0x04, 0x08, 0x10
MSS = struct.pack("!BBH", 2, 4, 65495) + b"\x01\x03\x03\x07"  # mss, nop, wscale 7


def c2s(seq, ack, fl, data=b"", sp=40000, dp=9999, src=A, dst=B, **kw):
    return eth(ip4(src, dst, 6, tcp(sp, dp, seq, ack, fl, data, **kw)))


def s2c(seq, ack, fl, data=b"", sp=40000, dp=9999, src=A, dst=B, **kw):
    return eth(ip4(dst, src, 6, tcp(dp, sp, seq, ack, fl, data, **kw)))


def reasm():
    c, s = 1000, 5000
    flow1 = [
        c2s(c, 0, S, opts=MSS), s2c(s, c + 1, S | K, opts=MSS), c2s(c + 1, s + 1, K),
        c2s(c + 1, s + 1, P | K, b"hel"),
        c2s(c + 7, s + 1, P | K, b"wor"),          # ahead of a hole: held
        c2s(c + 4, s + 1, P | K, b"lo "),          # fills it
        c2s(c + 1, s + 1, P | K, b"hello wor"),    # retransmission coalescing all three
        c2s(c + 8, s + 1, P | K, b"orld"),         # overlaps 2 old bytes, 2 new
        s2c(s + 1, c + 12, K),
        s2c(s + 1, c + 12, P | K, b"HELLO WORLD"),  # two writes, one segment
        s2c(s + 1, c + 12, P | K, b"HELLO"),       # an old copy again
        c2s(c + 12, s + 12, F | K), s2c(s + 12, c + 13, F | K), c2s(c + 13, s + 13, K),
    ]
    # A hole never filled (bytes 3-5 lost), no close.
    flow2 = [
        c2s(7, 0, S, sp=40001), s2c(70, 8, S | K, sp=40001), c2s(8, 71, K, sp=40001),
        c2s(8, 71, P | K, b"abc", sp=40001), c2s(14, 71, P | K, b"ghi", sp=40001),
    ]
    # Sequence numbers wrap past 2^32 mid-stream; then a reset.
    w = 0xFFFFFFFA
    flow3 = [
        c2s(w, 0, S, sp=40002), s2c(9, w + 1, S | K, sp=40002), c2s(w + 1, 10, K, sp=40002),
        c2s(w + 1, 10, P | K, b"wrap", sp=40002), c2s(w + 5, 10, P | K, b"around", sp=40002),
        s2c(10, w + 11, R | K, sp=40002),
    ]
    return flow1 + flow2 + flow3


def links(out):
    seg = ip4(A, B, 6, tcp(40000, 9999, 1, 2, P | K, b"hi"))
    back = ip4(B, A, 6, tcp(9999, 40000, 2, 3, P | K, b"HI"))
    seg6 = ip6(A6, A6, 6, tcp(40000, 9999, 1, 2, P | K, b"hi6"))
    write(os.path.join(out, "links_sll.pcap"), 113, [sll(seg, 4), sll(back, 0)])
    write(os.path.join(out, "links_sll2.pcap"), 276,
          [sll2(seg, 4), sll2(back, 0), sll2(seg6, 4, 0x86DD)])
    write(os.path.join(out, "links_raw.pcap"), 101, [seg, back, seg6])
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\0" * 6, bytes(A), b"\0" * 6, bytes(B))
    write(os.path.join(out, "vlan.pcap"), 1, [
        eth(seg, tags=[(0x8100, 100)]),
        eth(back, tags=[(0x88A8, 10), (0x8100, 200)]),
        eth(arp, etype=0x0806),
    ])


def odd():
    good = tcp(40000, 9999, 1, 2, P | K, b"data")
    echo = icmp(8, 0, struct.pack("!HH", 77, 1), b"ping")
    frames = [
        eth(ip4(A, B, 6, good))[:20],                       # cut inside the IP header
        eth(ip4(A, B, 6, good, ihl=4)),                    # IHL below 5
        eth(ip4(A, B, 6, good, tot=10)),                   # total length < header
        eth(ip4(A, B, 6, good, tot=200)),                  # claims more than is here
        eth(ip4(A, B, 6, good[:12])),                      # TCP header cut short
        eth(ip4(A, B, 6, tcp(1, 2, 3, 4, K, opts=b"\x02\x01\x00\x00"))),   # option length 1
        eth(ip4(A, B, 6, tcp(1, 2, 3, 4, K, opts=b"\x08\x0a" + b"\0" * 6))),  # TS overruns
        eth(ip4(A, B, 6, struct.pack("!HHIIBBHHH", 1, 2, 3, 4, 0x30, K, 0, 0, 0))),  # doff 3
        eth(ip4(A, B, 17, udp(5000, 9999, b"x", length=4))),  # UDP length < 8
        eth(ip4(A, B, 17, udp(5000, 9999, b"hello", length=40))),  # UDP claims more
        eth(ip4(A, B, 17, udp(5000, 9999, b"ab" * 10), flags=0x2000)),  # first fragment
        eth(ip4(A, B, 17, b"tail-of-it", flags=0x0003)),   # a later fragment
        eth(ip4(A, B, 1, echo)),
        eth(ip4(B, A, 1, icmp(3, 3, b"\0" * 4, ip4(A, B, 17, udp(5000, 9999, b"")))[:28 + 8])),
        eth(ip4(A, B, 47, b"\0" * 8)),                      # GRE: not decoded further
        eth(ip6(A6, A6, 0, bytes([58, 0]) + b"\0" * 6 + icmp(128, 0, struct.pack("!HH", 5, 9))), 0x86DD),
        eth(ip6(A6, A6, 44, bytes([17, 0, 0, 1]) + b"\0" * 4 + udp(1, 2, b"frag")), 0x86DD),
        eth(ip6(A6, A6, 0, bytes([0, 9]) + b"\0" * 6), 0x86DD),  # hop-by-hop overruns
        eth(ip4(A, B, 6, good))[:14 + 20 + 20 + 2],        # payload cut (snaplen)
        (eth(ip4(A, B, 6, good))[:60], 200),               # captured shorter than it was
        eth(b"\x60" + b"\0" * 10, 0x0800),                 # IPv4 ethertype, version 6
        b"\0" * 10,                                         # not even an Ethernet header
    ]
    return frames


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    write(os.path.join(out, "tcp_reasm.pcap"), 1, reasm())
    links(out)
    write(os.path.join(out, "odd.pcap"), 1, odd())


if __name__ == "__main__":
    main()
