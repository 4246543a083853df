#!/usr/bin/env python3
"""lab_timeline.py CASE < JSONL: checks the timelines of a `sockx --json
lab ... --timeline` run. Every case: each timeline's rows in time order.
CASE:
  reset      reset-on-close: the RST (sent by the server end) after its
             close() entered; the client's recv() that failed with
             ECONNRESET returned after the RST
  refused    wrong-port: the client's SYN and the RST inside connect()'s
             bracket, which failed with ECONNREFUSED
  half       half-close: the client's FIN before the server end's data
  unix       seqpacket-eof: AF_UNIX, transfer rows, no packet
  nowire     no packet rows, the head says why (CAP_NET_RAW), calls drawn
  all        every lab with a lab_note "timeline of" has a head, rows and
             an end; every other lab said it has none
  order      only the common checks
Prints each problem and exits 1 if there is any."""
import json
import sys


def timelines(events):
    """[(lab, head, rows, end)] in the order they came."""
    out, lab, cur = [], None, None
    for ev in events:
        if ev["event"] == "lab_begin":
            lab = ev["name"]
        elif ev["event"] == "timeline":
            cur = (lab, ev, [], None)
        elif ev["event"] == "timeline_row" and cur:
            cur[2].append(ev)
        elif ev["event"] == "timeline_end" and cur:
            out.append((cur[0], cur[1], cur[2], ev))
            cur = None
    return out


def returned(r):
    """When a call returned: a whole call's t_end_ms, a return's t_ms."""
    return r["t_ms"] if r["kind"] == "return" else r.get("t_end_ms")


def first(rows, **want):
    for r in rows:
        if all(want[k](r.get(k)) if callable(want[k]) else r.get(k) == want[k]
               for k in want):
            return r
    return None


def has(flag):
    return lambda f: f is not None and flag in f.split(",")


def check_reset(rows, bad):
    close = first(rows, name="close", side="peer", kind=lambda k: k in ("call", "enter"))
    rst = first(rows, kind="packet", side="peer", flags=has("RST"))
    recv = first(rows, name="recv", side="self", errno="ECONNRESET",
                 kind=lambda k: k in ("call", "return"))
    if not close or not rst or not recv:
        bad.append("reset: close %s, RST %s, failed recv %s" % (close, rst, recv))
        return
    if rst["t_ms"] < close["t_ms"]:
        bad.append("reset: the RST (%.3f) before close() entered (%.3f)"
                   % (rst["t_ms"], close["t_ms"]))
    if returned(recv) < rst["t_ms"]:
        bad.append("reset: recv() returned ECONNRESET (%.3f) before the RST (%.3f)"
                   % (returned(recv), rst["t_ms"]))


def check_refused(rows, bad):
    conn = first(rows, name="connect", side="self", kind="enter", errno="ECONNREFUSED")
    syn = first(rows, kind="packet", side="self", flags=has("SYN"))
    rst = first(rows, kind="packet", side="peer", flags=has("RST"))
    if not conn or not syn or not rst:
        bad.append("refused: connect bracket %s, SYN %s, RST %s" % (conn, syn, rst))
        return
    for p in (syn, rst):
        if not conn["t_ms"] <= p["t_ms"] <= conn["t_end_ms"]:
            bad.append("refused: %s at %.3f outside connect() %.3f-%.3f"
                       % (p["flags"], p["t_ms"], conn["t_ms"], conn["t_end_ms"]))


def check_half(rows, bad):
    fin = first(rows, kind="packet", side="self", flags=has("FIN"))
    data = first(rows, kind="packet", side="peer", len=lambda n: n is not None and n > 0)
    shut = first(rows, name="shutdown", side="self")
    if not fin or not data or not shut:
        bad.append("half: FIN %s, the peer's data %s, shutdown %s" % (fin, data, shut))
    elif not fin["t_ms"] < data["t_ms"]:
        bad.append("half: our FIN (%.3f) not before the peer's data (%.3f)"
                   % (fin["t_ms"], data["t_ms"]))


def check_unix(head, rows, bad):
    xfer = [r for r in rows if r["kind"] == "transfer"]
    if not head["af_unix"] or head["wire"]:
        bad.append("unix: head %s" % head)
    if not xfer or any(r["proto"] != "AF_UNIX" or r["side"] != "self" for r in xfer):
        bad.append("unix: transfers %s" % xfer)
    if not first(rows, name="recvmsg", side="peer"):
        bad.append("unix: no recvmsg of the receiving end (peer)")
    if any(r["kind"] == "packet" for r in rows):
        bad.append("unix: packets drawn")


def check_nowire(head, rows, bad):
    if head["wire"] or "CAP_NET_RAW" not in (head.get("why") or ""):
        bad.append("nowire: head %s" % head)
    if any(r["kind"] == "packet" for r in rows):
        bad.append("nowire: packets drawn")
    if not any(r["kind"] in ("call", "enter") for r in rows):
        bad.append("nowire: no calls drawn")


def check_all(events, tls, bad):
    notes = {e["lab"]: e["text"] for e in events if e["event"] == "lab_note"}
    begun = [e["name"] for e in events if e["event"] == "lab_begin"]
    drawn = {t[0] for t in tls}
    for lab in begun:
        text = notes.get(lab, "")
        if text.startswith("timeline of") and lab not in drawn:
            bad.append("all: %s has a timeline but drew none" % lab)
        if not text.startswith("timeline of") and not text.startswith("no timeline"):
            bad.append("all: %s said nothing of a timeline: %r" % (lab, text))
        if text.startswith("no timeline") and lab in drawn:
            bad.append("all: %s said none but drew one" % lab)
    if len(drawn) < 7:
        bad.append("all: only %d labs drew a timeline: %s" % (len(drawn), sorted(drawn)))


def main():
    case = sys.argv[1]
    events = [json.loads(line) for line in sys.stdin]
    tls = timelines(events)
    bad = []
    if not tls:
        print("no timeline")
        return 1
    for lab, head, rows, end in tls:
        t = [r["t_ms"] for r in rows]
        if t != sorted(t):
            bad.append("%s: rows out of time order: %s" % (lab, t))
        if not rows or end["items"] != len(rows):
            bad.append("%s: %d rows, the end says %s" % (lab, len(rows), end["items"]))
    head, rows = tls[0][1], tls[0][2]
    if case == "reset":
        check_reset(rows, bad)
    elif case == "refused":
        check_refused(rows, bad)
    elif case == "half":
        check_half(rows, bad)
    elif case == "unix":
        check_unix(head, rows, bad)
    elif case == "nowire":
        check_nowire(head, rows, bad)
    elif case == "all":
        check_all(events, tls, bad)
    elif case != "order":
        bad.append("unknown case " + case)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
