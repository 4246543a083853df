#!/usr/bin/env bash
# gen-timeline.sh SOCKX OUTDIR: writes docs/timeline.md to stdout and the
# SVG of each run to OUTDIR/NAME.svg: the introduction, then for each
# case docs/timeline/NAME.md and the timeline of a real run, as printed.
# make timeline-doc runs it as root (the wire column needs a capture);
# tests/timeline-doc.bats runs it again and compares the two modulo times,
# ports and the ACKs whose timing varies (tests/helpers/timeline_norm.py).
# Every server is on 127.0.0.1, port 0, and is stopped here. Last, headless
# Chromium draws OUTDIR/tutorial.svg into OUTDIR/screenshot.png, the
# window cut to the drawing (tests/helpers/browse.sh).
set -euo pipefail

sockx=$(realpath "${1:?usage: gen-timeline.sh SOCKX OUTDIR}")
out=$(realpath "${2:?usage: gen-timeline.sh SOCKX OUTDIR}")
dir=$(dirname "$0")
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

# serve NAME CMD...: starts a server, waits for "listening on ...:PORT"; PORT.
serve() {
	local name=$1 i
	shift
	: >"$tmp/$name.out"
	"$@" >>"$tmp/$name.out" 2>&1 &
	pids+=($!)
	for ((i = 0; i < 100; i++)); do
		if [[ $(cat "$tmp/$name.out") =~ listening\ on\ [^[:space:]]*:([0-9]+) ]]; then
			PORT=${BASH_REMATCH[1]}
			return
		fi
		sleep 0.05
	done
	echo "gen-timeline.sh: $name did not start: $(cat "$tmp/$name.out")" >&2
	exit 1
}

# show NAME COMMAND...: the case's page part, then the command and its output.
show() {
	local name=$1
	shift
	cat "$dir/timeline/$name.md"
	printf '\n```text\n$ %s\n' "$DISPLAY_CMD"
	"$@" --svg "$out/$name.svg" 2>&1 || true
	printf '```\n\n![the same run as an SVG sequence diagram](timeline/%s.svg)\n\n' "$name"
}

cat "$dir/timeline/intro.md"
echo

msg='你好,服务器!'
serve upper "$sockx" tcp-server --mode upper -b 127.0.0.1 -p 0
DISPLAY_CMD="sockx tcp-client 127.0.0.1 $PORT -m '$msg' --timeline"
show tutorial "$sockx" tcp-client 127.0.0.1 "$PORT" -m "$msg" --timeline

# the wrong port: one nothing listens on (a server's, once it has gone)
serve gone "$sockx" tcp-server -b 127.0.0.1 -p 0
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true
DISPLAY_CMD="sockx tcp-client 127.0.0.1 $PORT -m '$msg' --timeline"
show wrong-port "$sockx" tcp-client 127.0.0.1 "$PORT" -m "$msg" --timeline

# the tutorial's server reads one recv(1024) and closes: 2000 bytes sent
serve tutorial python3 "$dir/examples/tutorial_server.py" 0
long=$(printf 'x%.0s' {1..2000})
DISPLAY_CMD="sockx tcp-client 127.0.0.1 $PORT -m \"\$(printf 'x%.0s' {1..2000})\" --timeline"
show unread "$sockx" tcp-client 127.0.0.1 "$PORT" -m "$long" --timeline

# what a browser shows: the tutorial's SVG, a window of the drawing's size
size=$(sed -n 's/^<svg .* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$out/tutorial.svg")
if ! "$dir/../tests/helpers/browse.sh" "$tmp/browser" "file://$out/tutorial.svg" "$size"; then
	echo "gen-timeline.sh: chromium could not draw tutorial.svg (make deps installs chromium)" >&2
	cat "$tmp/browser/log" >&2 2>/dev/null || true
	exit 1
fi
mv "$tmp/browser/shot.png" "$out/screenshot.png"
cat "$dir/timeline/browser.md"
printf '\n![the tutorial run, its SVG in Chromium](timeline/screenshot.png)\n'
