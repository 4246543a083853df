#!/usr/bin/env python3
"""events_doc.py EVENTS_DIR JSON_MD: holds the event table and docs/json.md
equal, both ways.

The table is src/core/events/*.def: lines EVENT(id, "name", LEVEL,
"template", F(TYPE, field) ...). The page is read as json_schema.py reads
it (each "### `name`" section gives an event one or more field lists).

  - every JSON name of the table (a kind whose level is not EV_WARN or
    EV_HINT, which never reach JSON) has a section on the page;
  - every kind's JSON fields (TEXT fields are human-only), in table order,
    are a subsequence of one of its section's lists, each of a documented
    type (INT integer, NUM number, STR and DATA string, BOOL boolean; an
    _OPT, STR or DATA field may also be null);
  - every event on the page is a JSON name of the table, and every field a
    table of the page lists for it is a field of one of the table's kinds of
    that name (names in prose are not taken as fields here).

Prints one line per problem and exits 1 if there was any; --dump prints the
table as it was read.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from json_schema import Prose, matches, parse_doc  # noqa: E402

TYPES = {"INT": "integer", "NUM": "number", "STR": "string", "DATA": "string",
         "BOOL": "boolean", "TEXT": None}


def read_table(folder):
    """[(id, name, level, [(field, TYPE), ...])] of every .def file."""
    kinds = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".def"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for m in re.finditer(r"^EVENT\(", text, flags=re.M):
            depth, i = 0, m.end() - 1
            while True:
                c = text[i]
                if c == '"':
                    i = text.index('"', i + 1)
                    while text[i - 1] == "\\":
                        i = text.index('"', i + 1)
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            body = text[m.end():i]
            head = re.match(r'\s*(\w+)\s*,\s*"([^"]*)"\s*,\s*([^,]+),', body)
            if not head:
                continue
            fields = [(n.rstrip("_"), t) for t, n in re.findall(r"\bF\((\w+),\s*(\w+)\)", body)]
            kinds.append((head.group(1), head.group(2), head.group(3).strip(), fields, name))
    return kinds


def type_fits(ftype, doc_types):
    if not doc_types:
        return True
    base, opt = ftype.replace("_OPT", "").replace("_NULL", ""), ftype.endswith(("_OPT", "_NULL"))
    want = TYPES[base]
    if want in doc_types:
        return True
    return want == "integer" and "number" in doc_types or \
        (opt or base in ("STR", "DATA")) and "null" in doc_types and len(doc_types) == 1


def main():
    kinds = read_table(sys.argv[1])
    schema, known = parse_doc(sys.argv[2])
    if "--dump" in sys.argv[3:]:
        for k in kinds:
            print("%s (%s, %s): %s" % (k[0], k[1], k[2], ", ".join("%s:%s" % f for f in k[3])))
        return 0
    problems, names, fields_of = [], set(), {}
    for kid, name, level, fields, where in kinds:
        if "EV_WARN" in level or "EV_HINT" in level:
            continue
        names.add(name)
        jf = [f for f in fields if f[1] != "TEXT"]
        fields_of.setdefault(name, set()).update(f for f, _ in jf)
        if name not in schema:
            problems.append("%s: kind %s: event %r has no section in docs/json.md" % (where, kid, name))
            continue
        if not any(matches(jf, lst, known, type_fits) for lst in schema[name]):
            problems.append("%s: kind %s: fields %s are in no documented list of %r (order and types): %s"
                            % (where, kid, ",".join("%s:%s" % f for f in jf), name,
                               " | ".join(",".join(f for f, _ in l) for l in schema[name])))
    for name, lists in sorted(schema.items()):
        if name not in names:
            problems.append("docs/json.md: event %r is documented but no kind of the table emits it" % name)
            continue
        for lst in lists:
            if isinstance(lst, Prose):  # names in prose may be anything
                continue
            for f, _ in lst:
                if f not in fields_of[name]:
                    problems.append("docs/json.md: %r: field %r is documented but no kind of that name has it"
                                    % (name, f))
    for p in sorted(set(problems)):
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
