#!/usr/bin/env python3
"""Lists the programs that the test suite and the benchmarks run.

usage: tools_used.py FILE...   (prints "NAME FILE:LINE" per first use)

A shell scanner, not a parser: it splits each line at the places where a
new command starts (| ; && || $( ` ( { and the keywords that open a body),
skips assignments and the wrappers that run another command (run, timeout,
start_bg NAME, ip netns exec NS, setpriv ..., env, sudo, exec), and takes
the first word left. Words that are functions defined in the scanned
files, shell builtins or keywords are not programs. The arguments of
need_cmd are programs too. Text inside here-documents and inside a
multi-line quoted string (python code passed with -c) is skipped.
tests/deps.bats resolves each name to the Debian package that has it.
"""
import os
import re
import sys

KEYWORDS = set("""if then else elif fi for while until do done case esac in
function select time coproc return local declare typeset export readonly
unset shift set source . eval exec trap wait kill echo printf read cd pwd
test [ [[ ]] true false break continue let exit command builtin type
pushd popd dirs mapfile readarray getopts hash ulimit umask shopt alias
compgen complete disown jobs fg bg enable help logout caller suspend
times """.split())

# Wrappers: how many words (after the name) to skip before the command.
# -1: skip every word that starts with '-' (and VAR=VALUE), then the command.
WRAPPERS = {
    "run": -1, "timeout": -2, "env": -1, "sudo": -1, "nice": -1,
    "nohup": 0, "stdbuf": -1, "setpriv": -1, "exec": -1, "command": -1,
    "start_bg": 1, "start_server": 1, "as_nobody": 0, "chroot": 1,
    "unshare": -1, "nsenter": -1, "taskset": 1, "strace": -3,
    "start": 1,  # bench/run.sh: start NAME CMD...
}
# A command held in an array, as bench/run.sh's "${TO[@]}" (timeout ...).
ARRAY = re.compile(r"^\$\{\w+\[@\]\}$")
STARTERS = re.compile(
    r"\|\||&&|\$\(|[|;`(]|(?<![$\w])[{!]|\bthen\b|\bdo\b|\belse\b")
WORD = re.compile(r"^[A-Za-z0-9_.+-]+$")


def words(segment):
    return re.findall(r"\"[^\"]*\"|'[^']*'|\S+", segment)


def strip_comment(line):
    if line.lstrip().startswith("#"):
        return ""
    return re.sub(r"\s#.*$", "", line)


def skeleton(line):
    """The line with quoted text blanked, but a $(...) inside "..." kept;
    and the quote the line leaves open (a multi-line string), or None."""
    out = []
    q = None  # None, "'" or '"'
    depth = []  # quote state saved at each $( inside "..."
    quoted = ""
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\" and q != "'":
            i += 2
            continue
        if q == "'":
            if c == "'":
                q = None
                out.append("''")
            i += 1
            continue
        if line.startswith("$((", i):
            j = line.find("))", i)
            i = len(line) if j < 0 else j + 2
            out.append("0")
            continue
        if line.startswith("$(", i):
            depth.append(q)
            q = None
            out.append(" $( ")
            i += 2
            continue
        if c == ")" and depth and q is None:
            q = depth.pop()
            out.append(" ) ")
            i += 1
            continue
        if q == '"':
            if c == '"':
                q = None
                # "${CMD[@]}" (a command in an array) stays visible.
                out.append(quoted if ARRAY.match(quoted) else '""')
            else:
                quoted += c
            i += 1
            continue
        if c in "'\"":
            q = c
            quoted = ""
        else:
            out.append(c)
        i += 1
    return "".join(out), q


def command_of(ws, funcs):
    """The program a list of words runs, or None."""
    i = 0
    while i < len(ws):
        w = ws[i]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", w):
            i += 1
            continue
        if ARRAY.match(w):
            i += 1
            continue
        if w in ("ip",) and ws[i + 1:i + 3] == ["netns", "exec"]:
            i += 4
            continue
        if w in WRAPPERS:
            n = WRAPPERS[w]
            i += 1
            if n == -3:  # strace: options with arguments (-o FILE, -e X)
                while i < len(ws) and ws[i].startswith("-"):
                    i += 2 if ws[i] in ("-o", "-e", "-p", "-s", "-E") else 1
                continue
            if n == -2:  # timeout: options, then the duration
                while i < len(ws) and ws[i].startswith("-"):
                    i += 1
                i += 1
                continue
            if n == -1:
                while i < len(ws) and (ws[i].startswith("-")
                                       or re.match(r"^[A-Za-z_]\w*=", ws[i])):
                    i += 1
                continue
            i += n
            continue
        break
    if i >= len(ws):
        return None
    w = ws[i].strip("\"'")
    if not WORD.match(w) or w in KEYWORDS or w in funcs:
        return None
    if re.match(r"^[0-9.+-]", w):
        return None
    return w


def scan(paths):
    funcs = set()
    texts = {}
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            texts[p] = f.read().splitlines()
        for line in texts[p]:
            m = re.match(r"^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)", line)
            if m:
                funcs.add(m.group(1))
    found = {}
    for p in paths:
        heredoc = None
        quote = None
        make_cont = False
        for n, raw in enumerate(texts[p], 1):
            if os.path.basename(p) == "Makefile":
                # A Makefile runs only its recipes' lines (a tab, and not
                # the continuation of a variable or a rule's line).
                if not raw.startswith("\t") or make_cont:
                    make_cont = raw.rstrip().endswith("\\")
                    continue
            if heredoc is not None:
                if raw.strip() == heredoc:
                    heredoc = None
                continue
            if quote is not None:  # inside a multi-line '...' or "..."
                if quote in raw:
                    quote = None
                continue
            line = strip_comment(raw)
            m = re.search(r"(?<!<)<<-?\s*(['\"]?)([A-Za-z_]\w*)\1", line)
            if m:
                heredoc = m.group(2)
            line, quote = skeleton(line)
            if p.endswith(".bats"):
                line = re.sub(r"^\s*@test\s+\"[^\"]*\"\s*{", "", line)
            for m in re.finditer(r"\bneed_cmd\s+([\w.+-]+)", line):
                found.setdefault(m.group(1), f"{p}:{n}")
            for seg in STARTERS.split(line):
                w = command_of(words(seg), funcs)
                if w:
                    found.setdefault(w, f"{p}:{n}")
    return found


if __name__ == "__main__":
    for name, where in sorted(scan(sys.argv[1:]).items()):
        print(name, where)
