#!/usr/bin/env python3
"""Checks that every program the tests and benchmarks run will be there.

usage: deps_check.py "PKG PKG ..." FILE...

PKGs: the Makefile's DEB_PKGS, what `make deps` installs. FILEs: the
scripts to scan (tools_used.py finds the programs they run). A program is
fine when the Debian package that holds it is in DEB_PKGS, is needed by
one of them (Depends/Pre-Depends, followed all the way), or is part of
every Debian system (Essential: yes, or Priority: required, what
debootstrap's minbase installs). Prints one line per problem and exits 1
if there is any; prints the programs and their packages with -v.
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing written into the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tools_used  # noqa: E402

# Debian's own directories: a program under /usr/local or in a user's
# home (a pyenv shim) is not what a fresh machine has.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# Programs that a program we call runs for us: `bats --jobs` runs GNU
# parallel, which the scan cannot see.
INDIRECT = {"parallel": "the Makefile's bats --jobs"}


def installed():
    """{package: (essential_or_required, [dependency names])}"""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f",
         "${Package}\t${db:Status-Abbrev}\t${Essential}\t${Priority}\t"
         "${Depends}, ${Pre-Depends}\n"],
        capture_output=True, text=True, check=True).stdout
    pkgs = {}
    for line in out.splitlines():
        name, status, essential, priority, deps = line.split("\t")
        if not status.startswith("ii"):
            continue
        names = []
        for alt in re.split(r"[,|]", deps):
            m = re.match(r"\s*([a-z0-9][a-z0-9+.-]*)", alt)
            if m:
                names.append(m.group(1))
        base = essential == "yes" or priority == "required"
        pkgs[name] = (base, names)
    return pkgs


def closure(roots, pkgs):
    seen = set()
    todo = [r for r in roots if r in pkgs]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(d for d in pkgs[p][1] if d in pkgs and d not in seen)
    return seen


def candidates(path):
    """path as given, resolved, and with /usr merged or not."""
    tries = []
    for p in (path, os.path.realpath(path)):
        tries += [p, re.sub(r"^/usr/", "/", p), re.sub(r"^/(s?bin)/", r"/usr/\1/", p)]
    return list(dict.fromkeys(tries))


def owners(paths):
    """{path: package} for the paths that a package holds (one dpkg -S)."""
    if not paths:
        return {}
    r = subprocess.run(["dpkg", "-S"] + paths, capture_output=True, text=True)
    found = {}
    for line in r.stdout.splitlines():
        if line.startswith("diversion by"):
            continue
        m = re.match(r"^([^:]+?)(?::[a-z0-9]+)?(?:, [^:]+)*: (.+)$", line)
        if m:
            found.setdefault(m.group(2), m.group(1))
    return found


def main():
    verbose = sys.argv[1] == "-v"
    args = sys.argv[2:] if verbose else sys.argv[1:]
    wanted = args[0].split()
    pkgs = installed()
    problems = []
    for p in wanted:
        if p not in pkgs:
            problems.append(f"DEB_PKGS has {p}, but it is not installed (make deps)")
    allowed = closure(wanted, pkgs)
    allowed |= closure([p for p, (base, _) in pkgs.items() if base], pkgs)
    used = tools_used.scan(args[1:])
    for name, why in INDIRECT.items():
        used.setdefault(name, why)
    env_path = {"PATH": SYSTEM_PATH}
    paths = {}
    for name, where in sorted(used.items()):
        path = subprocess.run(["sh", "-c", 'command -v "$1"', "sh", name],
                              capture_output=True, text=True,
                              env=env_path).stdout.strip()
        if path.startswith("/"):
            paths[name] = path
        elif name in INDIRECT or re.search(r"need_cmd\s+" + re.escape(name),
                                           open_line(where)):
            # Not a program here: prose or a shell function of another
            # file, unless the tests ask for it by name.
            problems.append(f"{name} ({where}) is not installed after "
                            "make deps: add its package to DEB_PKGS")
    held = owners(sorted({c for p in paths.values() for c in candidates(p)}))
    for name, path in sorted(paths.items()):
        where = used[name]
        pkg = next((held[c] for c in candidates(path) if c in held), None)
        if verbose:
            print(f"{name}\t{path}\t{pkg}\t{where}")
        if pkg is None:
            problems.append(f"{name} ({where}): {path} is in no Debian package")
        elif pkg not in allowed:
            problems.append(f"{name} ({where}) comes from {pkg}, which is "
                            "neither in DEB_PKGS nor on every Debian system")
    for p in problems:
        print(p)
    return 1 if problems else 0


def open_line(where):
    """The text of FILE:LINE ('' for a note that is not a place)."""
    m = re.match(r"^(.*):(\d+)$", where)
    if not m or not os.path.exists(m.group(1)):
        return ""
    with open(m.group(1), encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    n = int(m.group(2))
    return lines[n - 1] if n <= len(lines) else ""


if __name__ == "__main__":
    sys.exit(main())
