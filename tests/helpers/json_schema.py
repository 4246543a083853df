#!/usr/bin/env python3
"""json_schema.py JSON_MD [FILE...]: holds sockx --json output against the
schema that docs/json.md documents.

The schema comes out of the page itself: each "### `name`" section (one
section may name several events) gives its event one or more field lists,
in the order listed: every table whose first column is "field" (its types
from the second column), every row of a "who | fields" table, and the
backticked names of the section's prose, in order. Each FILE is the
stdout of one command (a file per run); its lines must be JSON events that

  - start with "event" then "t", and name a documented event;
  - carry their other fields in the order of one of the event's lists
    (a field may be absent: a subsequence), each of its documented type;
  - write every number in fixed point (no exponent);
  - end with "summary" if there is one (the "verify" verdict comes before it), and
    have nothing after an "error" but the verdict and the "summary".

Prints one line per problem and exits 1 if there was any.
"""
import json
import re
import sys

TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None)}
FIXED = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


def names(cell):
    """The backticked field names of a table cell or prose line."""
    return re.findall(r"`([a-z_][a-z0-9_]*)`", cell)


def cell_types(cell, n):
    """The types of a cell for n fields: "string, integer" pairs them up."""
    words = [w.strip() for w in cell.split(",")]
    if len(words) == n and n > 1:
        return [alt(w) for w in words]
    return [alt(cell)] * n


def alt(text):
    """ "string or null" -> {"string", "null"}; empty -> None (any scalar)."""
    kinds = {k for k in TYPES if re.search(r"\b%s\b" % k, text)}
    return kinds or None


class Prose(list):
    """A field list read from a section's prose, not from a table."""


def parse_doc(path):
    """{event: [[(field, types or None), ...], ...]} and a field -> types map."""
    schema, known = {}, {}
    events, lines = [], []

    def close():
        if not events:
            return
        lists, prose, header, whos = [], [], None, set()
        for line in lines:
            if line.startswith("|"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if set(cells[0]) <= set("-: "):
                    continue
                if header is None:
                    header = cells[0]
                    if header == "field":
                        lists.append([])
                    continue
                if header == "field":
                    fs = names(cells[0])
                    for f, t in zip(fs, cell_types(cells[1] if len(cells) > 1 else "", len(fs))):
                        lists[-1].append((f, t))
                        if t:
                            known.setdefault(f, set()).update(t)
                elif header == "who":
                    whos.add(len(lists))
                    lists.append([(f, None) for f in names(cells[1])])
                continue
            header = None
            if line.startswith("```"):
                break
            prose += [(f, None) for f in names(line)]
        # a "who | fields" table's types: integers, but for the prose's
        # "numbers: `a`, `b`; strings: ...; a boolean: ..."
        text = " ".join(l for l in lines if not l.startswith("|"))
        typed = {}
        for word, kind in (("numbers", "number"), ("strings", "string"), ("a boolean", "boolean")):
            m = re.search(word + r":([^;.]*)", text)
            for f in names(m.group(1)) if m else []:
                typed[f] = {kind}
        lists = [[(f, t or typed.get(f, {"integer"}) if whos else t) for f, t in l] if i in whos else l
                 for i, l in enumerate(lists)]
        lists = [l for l in lists if l]
        if prose:
            lists.append(Prose(prose))
        for ev in events:
            schema.setdefault(ev, []).extend(lists)

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                close()
                events, lines = [], []
                if line.startswith("### "):
                    events = names(line)
                continue
            lines.append(line)
    close()
    return schema, known


def type_ok(value, types):
    if isinstance(value, (dict, list)):
        return False
    if not types:
        return True
    for t in types:
        if t in ("integer",) and isinstance(value, bool):
            continue
        if t == "number" and isinstance(value, bool):
            continue
        if isinstance(value, TYPES[t]):
            return True
    return False


def matches(fields, lst, known, fits=None):
    """True if fields (name, value) are a subsequence of lst, each of a
    type the list allows (fits(value, types): type_ok by default)."""
    fits = fits or type_ok
    i = 0
    for name, value in fields:
        while i < len(lst) and lst[i][0] != name:
            i += 1
        if i == len(lst):
            return False
        types = lst[i][1] or known.get(name)
        if not fits(value, types):
            return False
        i += 1
    return True


def check_file(path, schema, known, problems):
    evs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            where = "%s:%d" % (path, n)
            numbers = []

            def num(s, numbers=numbers):
                numbers.append(s)
                return float(s) if re.search(r"[.eE]", s) else int(s)

            try:
                obj = json.loads(line, object_pairs_hook=list, parse_float=num, parse_int=num)
            except ValueError as e:
                problems.append("%s: not JSON (%s): %s" % (where, e, line.rstrip()))
                continue
            bad = [s for s in numbers if not FIXED.fullmatch(s)]
            if bad:
                problems.append("%s: not fixed point: %s in %s" % (where, bad, line.rstrip()))
            if not isinstance(obj, list) or len(obj) < 2 or obj[0][0] != "event" or obj[1][0] != "t":
                problems.append("%s: \"event\" and \"t\" are not first: %s" % (where, line.rstrip()))
                continue
            ev = obj[0][1]
            # raw-icmp's errors with a "kind" do not end the run
            evs.append(ev if ev != "error" or "kind" not in dict(obj) else "error:kind")
            if ev not in schema:
                problems.append("%s: event %r is not in docs/json.md" % (where, ev))
                continue
            if not type_ok(obj[1][1], {"number"}):
                problems.append("%s: \"t\" is not a number" % where)
            fields = obj[2:]
            if not any(matches(fields, lst, known) for lst in schema[ev]):
                problems.append("%s: %s: fields %s are not in a documented order or type; documented: %s"
                                % (where, ev, [k for k, _ in fields],
                                   " | ".join(",".join(f for f, _ in l) for l in schema[ev])))
    if "summary" in evs:
        rest = evs[evs.index("summary") + 1:]
        if rest:
            problems.append("%s: events after the summary: %s" % (path, rest))
    if "error" in evs:
        rest = evs[evs.index("error") + 1:]
        if [e for e in rest if e not in ("verify", "summary")]:
            problems.append("%s: events after an error: %s" % (path, rest))


def main():
    schema, known = parse_doc(sys.argv[1])
    if "--dump" in sys.argv[2:]:
        for ev, lists in sorted(schema.items()):
            for l in lists:
                print("%s: %s" % (ev, ", ".join("%s:%s" % (f, "/".join(sorted(t or known.get(f) or {"any"})))
                                              for f, t in l)))
        return 0
    problems = []
    for path in sys.argv[2:]:
        check_file(path, schema, known, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
