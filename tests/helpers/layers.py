#!/usr/bin/env python3
"""The layering rules of src/, checked on every .c and .h file.

usage: layers.py SRC_DIR     (prints one line per broken rule; exit 1 if any)

Each layer may include its own files and those of the layers it stands on:
  wire/     nothing of sockx but wire/ (no I/O, no printing, no sockx.h)
  core/     core/ and the top-level headers (sockx.h); no wire, capture, cmd
  capture/  capture/, wire/, core/, the top-level headers; no cmd
  cmd/      anything but main.c
  main.c    anything
No file includes a .c file. Which symbols main.c defines for others is
checked on the objects (tests/lint.bats), not here.
"""
import os
import re
import sys

ALLOWED = {
    "wire": {"wire"},
    "core": {"core", "top"},
    "capture": {"capture", "wire", "core", "top"},
    "cmd": {"cmd", "capture", "wire", "core", "top"},
    "top": {"cmd", "capture", "wire", "core", "top"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer(src, path):
    rel = os.path.relpath(path, src)
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else "top"


def check(src):
    problems = []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            mine = layer(src, path)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = os.path.abspath(os.path.join(root, m.group(1)))
                    where = f"{os.path.relpath(path, src)}:{n}"
                    if not target.startswith(src + os.sep):
                        problems.append(f"{where}: includes {m.group(1)}, outside src/")
                        continue
                    theirs = layer(src, target)
                    if target.endswith(".c"):
                        problems.append(f"{where}: includes a .c file ({m.group(1)})")
                    elif theirs not in ALLOWED.get(mine, set()):
                        problems.append(f"{where}: {mine}/ may not include "
                                        f"{theirs if theirs != 'top' else 'the top level'}"
                                        f" ({m.group(1)})")
    return problems


if __name__ == "__main__":
    found = check(os.path.abspath(sys.argv[1]))
    for line in found:
        print(line)
    sys.exit(1 if found else 0)
