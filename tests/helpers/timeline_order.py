#!/usr/bin/env python3
"""timeline_order.py CASE < JSONL: checks the causal order of a --timeline
run's rows (tcp-client --json --timeline): CASE "exchange" (connect, one
message and its reply, the close) or "refused" (a connect refused).
Prints each problem and exits 1 if there is any."""
import json
import sys


def main():
    case = sys.argv[1]
    rows, head = [], None
    for line in sys.stdin:
        ev = json.loads(line)
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
    # a call is drawn whole ("call") or as its entry ("enter") and return
    calls = [r for r in rows if r["kind"] in ("call", "enter")]
    pkts = [r for r in rows if r["kind"] == "packet"]
    out = [p for p in pkts if p["side"] == "self"]
    inn = [p for p in pkts if p["side"] == "peer"]
    t = [r["t_ms"] for r in rows]
    if t != sorted(t):
        bad.append("rows not in time order")

    def first(seq, what):
        if not seq:
            bad.append("no " + what)
            return None
        return seq[0]

    conn = first([c for c in calls if c["name"] == "connect"], "connect call")
    syn = first([p for p in out if "SYN" in p["flags"].split(",")], "SYN of ours")
    if conn and syn and syn["t_ms"] < conn["t_ms"]:
        bad.append("our SYN at %s ms, before connect() entered at %s ms"
                   % (syn["t_ms"], conn["t_ms"]))
    if case == "refused":
        rst = first([p for p in inn if "RST" in p["flags"].split(",")], "RST from the peer")
        for p in (syn, rst):
            if conn and p and not conn["t_ms"] <= p["t_ms"] <= conn["t_end_ms"]:
                bad.append("%s at %s ms, outside connect's %s-%s ms"
                           % (p["flags"], p["t_ms"], conn["t_ms"], conn["t_end_ms"]))
        if conn and conn.get("errno") != "ECONNREFUSED":
            bad.append("connect: %s" % conn)
    else:
        send = first([c for c in calls if c["name"] == "send" and c["ret"] > 0], "send")
        data = first([p for p in out if p["len"] > 0], "data segment of ours")
        if send and data and data["t_ms"] < send["t_ms"]:
            bad.append("our data at %s ms, before send() entered at %s ms"
                       % (data["t_ms"], send["t_ms"]))
        reply = first([p for p in inn if p["len"] > 0], "data segment of the peer")
        recv = first([c for c in calls if c["name"] == "recv" and c["ret"] > 0], "recv of the reply")
        if reply and recv and recv["t_end_ms"] < reply["t_ms"]:
            bad.append("recv() returned the reply at %s ms, before its segment at %s ms"
                       % (recv["t_end_ms"], reply["t_ms"]))
        fin = first([p for p in inn if "FIN" in p["flags"].split(",")], "FIN of the peer")
        eof = first([c for c in calls if c["name"] == "recv" and c["ret"] == 0], "recv() = 0")
        if fin and eof and eof["t_end_ms"] < fin["t_ms"]:
            bad.append("recv() returned 0 at %s ms, before the peer's FIN at %s ms"
                       % (eof["t_end_ms"], fin["t_ms"]))
        if data and data["len"] != 17 or reply and reply["len"] != 17:
            bad.append("segments of %s and %s bytes, not 17" % (data, reply))
    for b in bad:
        print(b)
    return 1 if bad else 0


sys.exit(main())
