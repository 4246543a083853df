#!/usr/bin/env python3
"""timeline_fuzz.py SOCKX SAVED COUNT SEED OUTDIR: runs `sockx timeline`
over COUNT corrupted copies of the saved run SAVED (random, but the same
for the same SEED) and fails when one of them makes it crash: an exit
status other than 0, 1 or 2 (a signal is negative here), a sanitizer
report, or a run longer than 10 s. The copies that failed are kept in
OUTDIR to replay by hand.

The corruptions aim at the parser's edges: bytes flipped, cut or
repeated; lines dropped, swapped, duplicated or cut short; a field's
value replaced by one of another type, a huge or tiny number, a long or
control-laden string; timeline heads and ends duplicated or lost.
"""
import json
import os
import random
import subprocess
import sys

ODD_VALUES = [
    None, True, False, 0, -1, 1 << 62, -(1 << 63), (1 << 64), 1e308, -1e308,
    5e-324, 0.5, "", "x" * 10000, "\x1b[31m\x07\x00\u0085\u202e", "SYN,ACK,FIN",
    "SYN,,ACK", ",", [], {}, [1, [2, [3]]], {"a": {"b": 1}},
]


def mutate_value(rng, obj):
    """One field of a JSON object replaced, removed or added."""
    keys = list(obj.keys())
    roll = rng.random()
    if keys and roll < 0.6:
        obj[rng.choice(keys)] = rng.choice(ODD_VALUES)
    elif keys and roll < 0.8:
        del obj[rng.choice(keys)]
    else:
        name = rng.choice(["t_ms", "t_end_ms", "kind", "side", "flags", "seq",
                           "len", "name", "args", "wire", "unix", "command"])
        obj[name] = rng.choice(ODD_VALUES)
    return json.dumps(obj, ensure_ascii=rng.random() < 0.5)


def mutate_line(rng, line):
    """A line's bytes or its JSON corrupted."""
    roll = rng.random()
    if roll < 0.45:
        try:
            obj = json.loads(line)
            if isinstance(obj, dict):
                return mutate_value(rng, obj).encode()
        except ValueError:
            pass
    b = bytearray(line.encode())
    if not b:
        return bytes(b)
    i = rng.randrange(len(b))
    if roll < 0.6:
        b[i] = rng.randrange(256)
    elif roll < 0.75:
        del b[i:i + rng.randrange(1, 20)]
    elif roll < 0.9:
        b[i:i] = b[i:i + rng.randrange(1, 40)] * rng.randrange(1, 4)
    else:
        b = b[:i]
    return bytes(b)


def corrupt(rng, lines):
    """A copy of the run's lines with a few corruptions."""
    out = list(lines)
    for _ in range(rng.randrange(1, 5)):
        if not out:
            break
        i = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.6:
            out[i] = mutate_line(rng, out[i].decode(errors="replace"))
        elif roll < 0.7:
            del out[i]
        elif roll < 0.8:
            out.insert(i, out[rng.randrange(len(out))])
        elif roll < 0.9:
            j = rng.randrange(len(out))
            out[i], out[j] = out[j], out[i]
        else:
            out = out[:i]
    return b"\n".join(out) + (b"\n" if rng.random() < 0.8 else b"")


def run_one(sockx, path, rng):
    """Runs sockx timeline on path with a random choice of options."""
    args = [sockx, "timeline"]
    args += rng.choice([[], ["--json"], ["-n", "2"], ["--color=always"], ["-q"]])
    stdin = None
    if rng.random() < 0.2:
        stdin = open(path, "rb")
        args.append("-")
    else:
        args.append(path)
    env = dict(os.environ)
    # a sanitizer's report must not pass for exit 1
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":exitcode=86"
    env["UBSAN_OPTIONS"] = env.get("UBSAN_OPTIONS", "") + ":exitcode=87"
    try:
        p = subprocess.run(args, stdin=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=env, timeout=10,
                           check=False)
    finally:
        if stdin:
            stdin.close()
    return args, p.returncode, p.stderr.decode(errors="replace")


def main():
    sockx, saved, count, seed, outdir = sys.argv[1:6]
    rng = random.Random(int(seed))
    with open(saved, "rb") as f:
        lines = f.read().rstrip(b"\n").split(b"\n")
    bad, codes = 0, {}
    for n in range(int(count)):
        path = os.path.join(outdir, f"case-{n}.jsonl")
        with open(path, "wb") as f:
            f.write(corrupt(rng, lines))
        try:
            args, rc, err = run_one(sockx, path, rng)
        except subprocess.TimeoutExpired:
            print(f"{path}: more than 10 s")
            bad += 1
            continue
        codes[rc] = codes.get(rc, 0) + 1
        if rc not in (0, 1, 2) or "Sanitizer" in err or "runtime error" in err:
            print(f"{path}: {' '.join(args[1:])}: exit {rc}: {err[:2000]}")
            bad += 1
        else:
            os.unlink(path)
    print(f"{count} corrupted runs, exit statuses {sorted(codes.items())}, {bad} failed")
    # every outcome must have occurred, or the corruptions missed the parser
    if bad or not {0, 2} <= set(codes):
        sys.exit(1)


if __name__ == "__main__":
    main()
