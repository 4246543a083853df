#!/usr/bin/env python3
"""timeline_replay.py SAVED REPLAYED: checks that `sockx timeline --json`
gave back what the live run drew. SAVED is the live run's --json output,
REPLAYED the replay's: their timelines must hold the same head (but its
t0, the clock of the replay) and the same rows, field for field, in the
same order, and the same end. Prints each difference and exits 1.

timeline_replay.py --text SAVED REPLAYED_TEXT: the text ladder of the
replay against the rows of the live run: one line per row after each
head, the row's time (t_ms to 3 decimals, +-0.0005) leading it, and the call's
name, the packet's flags, or "copied by the kernel" where the row has
them.
"""
import json
import sys

SKIP = {"t", "t0"}	# when the event was emitted: the replay's own clock


def timelines(path):
    """The timelines of a --json output: [(head, rows, end)]."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            name = ev.get("event")
            if name == "timeline":
                out.append([ev, [], None])
            elif name == "timeline_row":
                out[-1][1].append(ev)
            elif name == "timeline_end":
                out[-1][2] = ev
    return out


def strip(ev):
    return {k: v for k, v in ev.items() if k not in SKIP} if ev else ev


def same(saved, replayed):
    bad = []
    a, b = timelines(saved), timelines(replayed)
    if len(a) != len(b) or not a:
        return [f"{len(a)} timelines saved, {len(b)} replayed"]
    for n, ((h1, r1, e1), (h2, r2, e2)) in enumerate(zip(a, b), 1):
        if strip(h1) != strip(h2):
            bad.append(f"timeline {n}: head {strip(h1)} != {strip(h2)}")
        if len(r1) != len(r2):
            bad.append(f"timeline {n}: {len(r1)} rows saved, {len(r2)} replayed")
        for i, (x, y) in enumerate(zip(r1, r2)):
            if strip(x) != strip(y):
                bad.append(f"timeline {n} row {i + 1}: {strip(x)} != {strip(y)}")
        if strip(e1) != strip(e2):
            bad.append(f"timeline {n}: end {strip(e1)} != {strip(e2)}")
    return bad


def text(saved, replayed):
    """The ladder's lines against the saved rows, one for one."""
    bad = []
    with open(replayed, encoding="utf-8") as f:
        lines = f.read().splitlines()
    rows = [r for _, rs, _ in timelines(saved) for r in rs]
    drawn = [ln for ln in lines if ln[:12].strip().replace(".", "", 1).isdigit()]
    if len(drawn) != len(rows) or not rows:
        return [f"{len(rows)} rows saved, {len(drawn)} ladder lines"] + lines
    for r, ln in zip(rows, drawn):
        # the saved t_ms has 6 decimals: a time that ends in 500 ns may
        # round either way to 3 decimals, in the live run as in the replay
        t = float(ln.split()[0])
        if abs(t - r["t_ms"]) > 0.0005 + 1e-9:
            bad.append(f"line {ln!r} at {t} ms: the row is at {r['t_ms']} ms")
        want = []
        if r["kind"] in ("call", "enter"):
            want.append(r["name"] + "(")
        elif r["kind"] == "packet" and r.get("flags"):
            want.append(r["flags"])
        if not all(w in ln for w in want):
            bad.append(f"line {ln!r} lacks {want}: {r}")
    return bad


def main():
    if sys.argv[1] == "--text":
        bad = text(sys.argv[2], sys.argv[3])
    else:
        bad = same(sys.argv[1], sys.argv[2])
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
