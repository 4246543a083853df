#!/usr/bin/env bash
# gen-labs.sh SOCKX: writes docs/labs.md to stdout: its introduction, then
# for each lab that `SOCKX lab` lists, docs/labs/NAME.md and the output of
# a real run (`SOCKX lab NAME`, as this user on this kernel). make labs-doc
# runs it as root, so every lab runs; tests/lab.bats checks that the page
# has every lab and every lab's run a verdict.
set -euo pipefail

sockx=${1:?usage: gen-labs.sh SOCKX}
dir=$(dirname "$0")/labs

cat <<'INTRO'
# Labs: the tutorial's claims, tested on your kernel

`sockx lab` runs each claim as an experiment: it states the claim, runs a
bounded exchange on loopback (or in network namespaces it makes and
removes), prints what it observed, with the numbers, and a verdict:
**holds**, **does not hold**, or **depends** (and on what). Run them on
your own machine: the verdicts are this kernel's, not a book's.

```text
$ sockx lab            # the labs, with their claims
$ sockx lab backlog    # one
$ sockx lab --all      # all, with a summary (under a minute)
$ sockx --json lab nagle | jq -c 'select(.event == "observed")'
```

Exit status 0 means the experiment ran, whatever its verdict; 4 that it
needs a privilege (network namespaces, raw sockets: run it as root), 5
that this kernel lacks what it needs, 1 that it failed. The JSON events
are `lab_begin`, `observed` and `lab` ([json.md](json.md#lab)). The
tutorial's mistakes are explained in
[tutorial-mistakes.md](tutorial-mistakes.md); each lab below was run on
the machine that generated this page (`make labs-doc`), output as
printed.

INTRO
"$sockx" --json lab | jq -r 'select(.event == "lab_listed") | .name' |
while read -r name; do
	if [[ -r "$dir/$name.md" ]]; then
		cat "$dir/$name.md"
	else
		printf '## %s\n' "$name"
	fi
	printf '\n```text\n$ sockx lab %s\n' "$name"
	"$sockx" lab "$name" 2>&1 || true
	printf '```\n\n'
done
