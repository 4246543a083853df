#!/usr/bin/env python3
"""timeline_norm.py FILE.md: the runs of docs/timeline.md reduced to what
must not change between two runs on one kernel, one line each, so two
generations of the page can be diffed (tests/timeline-doc.bats).

Kept, per ```text block: the command; the program's own lines; the
timeline's calls in order, each with its result (a bracket's entry and
its return joined); its packets in order, but for bare ACKs, whose
timing varies (delayed ACK, piggybacking). Masked: times, ports, the
clocks' gap. Not compared: how calls and packets interleave (that is
timing; tests/timeline.bats checks the causal order itself)."""
import re
import sys

ROW = re.compile(r"^ *\d+\.\d{3}  (.*)$")
ARROW_OUT = re.compile(r"^\s*│?\s*(\S.*?)\s*──+▶")
ARROW_IN = re.compile(r"◀──+\s+(\S.*?)\s*$")


def mask(s):
    s = re.sub(r"(127\.0\.0\.1|\]|::1)([: ])\d+", r"\1\2PORT", s)
    s = re.sub(r"\d+\.\d+ (ms|us)", r"N \1", s)
    s = re.sub(r"time=\S+", "time=N", s)
    return s.rstrip()


def block(lines):
    out, calls, pkts, entry = [], [], [], None
    for line in lines:
        m = ROW.match(line)
        if not m:
            out.append("line: " + mask(line))
            continue
        body = m.group(1)
        self_col, wire = body[:54], body[54:]
        mo, mi = ARROW_OUT.match(wire), ARROW_IN.search(wire)
        if mo or mi:
            label = (mo or mi).group(1)
            if label != "ACK":
                pkts.append("packet: %s %s" % ("out" if mo else "in", label))
            continue
        text = self_col.replace("─┐", "").replace("─┘", "").replace("│", "").strip()
        if not text:
            continue
        if body[:54].rstrip().endswith("─┐"):
            entry = text
        elif text.startswith("= ") and entry:
            calls.append("call: " + mask(entry + " " + text))
            entry = None
        else:
            calls.append("call: " + mask(text))
    return out + calls + pkts


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    for b in re.findall(r"```text\n(.*?)```", text, re.S):
        lines = b.splitlines()
        if not lines or not lines[0].startswith("$ sockx tcp-client"):
            continue
        print("\n".join(block(lines)))
        print("--")
    return 0


sys.exit(main())
