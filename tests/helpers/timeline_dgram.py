#!/usr/bin/env python3
"""timeline_dgram.py PROTO N [LEN] < JSONL: checks a --timeline --json run
of udp-client (PROTO udp) or raw-icmp (PROTO icmp) that exchanged N
datagrams or echoes, each answered (LEN: udp, the payload of each):
rows in time order; 2N packets in all (drawn or folded, or, under -v,
dropped by the capture's ring: a loaded machine); and for the
rows before any fold, the k-th packet of ours not before the k-th send
entered, the k-th reply not after the k-th read that returned it, and
after our k-th packet. Prints each problem and exits 1 if there is any."""
import json
import re
import sys

SENDS = ("send", "sendto", "sendmsg")
READS = ("recv", "recvfrom", "recvmsg")


def labels_ok(proto, outs, ins, size, bad):
    """UDP: "UDP (LEN)" both ways; ICMP: requests and replies, seq 1, 2 ..."""
    for k, (o, i) in enumerate(zip(outs, ins)):
        if proto == "udp":
            want = "UDP (%d)" % size
            if o["label"] != want or i["label"] != want or o["len"] != size:
                bad.append("datagram %d: %s / %s, not %s" % (k + 1, o["label"], i["label"], want))
        else:
            so, si = o["label"].split(), i["label"].split()
            if so[:2] != ["echo", "request"] or si[:2] != ["echo", "reply"] \
                    or so[-1] != str(k + 1) or si[-1] != str(k + 1) or so[3] != si[3]:
                bad.append("echo %d: %s / %s" % (k + 1, o["label"], i["label"]))


def main():
    proto, n = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    rows, head, dropped = [], None, 0
    for line in sys.stdin:
        ev = json.loads(line)
        # -v: packets libpcap's ring had no room for (a loaded machine)
        m = re.search(r"capture: \d+ packets on .* (\d+) dropped", json.dumps(ev))
        if m:
            dropped += int(m.group(1))
        if ev["event"] == "timeline":
            head = ev
        elif ev["event"] == "timeline_row":
            rows.append(ev)
    bad = []
    if not head or not head["wire"]:
        print("no timeline head with a wire:", head)
        return 1
    if head["clock_gap_us"] > 50:
        bad.append("clock gap %s us" % head["clock_gap_us"])
    if [r["t_ms"] for r in rows] != sorted(r["t_ms"] for r in rows):
        bad.append("rows not in time order")
    folds = [r for r in rows if r["kind"] == "fold"]
    cut = folds[0]["t_ms"] if folds else float("inf")
    pkts = [r for r in rows if r["kind"] == "packet"]
    total = len(pkts) + sum(f["packets"] for f in folds)
    # libpcap's drop count is not exact per flow: with drops, none of
    # ours invented and none missing beyond them
    if total != 2 * n and not (dropped and total < 2 * n <= total + dropped):
        bad.append("%d packets drawn or folded (%d dropped by the capture), not %d"
                   % (total, dropped, 2 * n))
    elif total != 2 * n:
        print("note: the capture dropped %d packets" % dropped)
    # a call is one row ("call") or its entry ("enter") and its return
    calls = [r for r in rows if r["kind"] in ("call", "enter") and r["t_ms"] < cut]
    sends = [c for c in calls if c["name"] in SENDS and c["ret"] > 0]
    reads = [c for c in calls if c["name"] in READS and c["ret"] > 0]
    outs = [p for p in pkts if p["side"] == "self" and p["t_ms"] < cut]
    ins = [p for p in pkts if p["side"] == "peer" and p["t_ms"] < cut]
    if not outs or not ins or not sends or not reads:
        bad.append("before the fold: %d sends, %d packets out, %d in, %d reads"
                   % (len(sends), len(outs), len(ins), len(reads)))
    for k, (s, o) in enumerate(zip(sends, outs)):
        if o["t_ms"] < s["t_ms"]:
            bad.append("packet %d out at %s ms, before its %s() entered at %s ms"
                       % (k + 1, o["t_ms"], s["name"], s["t_ms"]))
    for k, (o, i) in enumerate(zip(outs, ins)):
        if i["t_ms"] < o["t_ms"]:
            bad.append("reply %d at %s ms, before our packet at %s ms" % (k + 1, i["t_ms"], o["t_ms"]))
    if proto == "udp":	# a connected socket reads our replies only, in order
        for k, (i, r) in enumerate(zip(ins, reads)):
            if r["t_end_ms"] < i["t_ms"]:
                bad.append("%s() returned reply %d at %s ms, before it came at %s ms"
                           % (r["name"], k + 1, r["t_end_ms"], i["t_ms"]))
    else:	# a raw socket reads other processes' echo replies too: each of
        # ours needs a read of its own that returned after it came
        ends = sorted(r["t_end_ms"] for r in reads)
        # a reply after the last read drawn had its read folded
        ins = [i for i in ins if ends and i["t_ms"] <= ends[-1]]
        if not ins:
            bad.append("no reply before the last read drawn")
        for k, i in enumerate(ins):
            if sum(1 for e in ends if e >= i["t_ms"]) < len(ins) - k:
                bad.append("reply %d came at %s ms: too few reads returned after it"
                           % (k + 1, i["t_ms"]))
    labels_ok(proto, outs, ins, size, bad)
    for b in bad:
        print(b)
    return 1 if bad else 0


sys.exit(main())
