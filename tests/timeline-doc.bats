#!/usr/bin/env bats
# docs/timeline.md and its SVGs: generated from real runs by `make
# timeline-doc` (docs/gen-timeline.sh); here generated again and compared
# modulo times, ports and bare ACKs (tests/helpers/timeline_norm.py), and
# every SVG that docs/ ships rendered by rsvg-convert, an independent
# renderer.

# shellcheck disable=SC2154 # $output and $lines: set by bats run
load helpers/common

NORM="$BATS_TEST_DIRNAME/helpers/timeline_norm.py"
CHECK="$BATS_TEST_DIRNAME/helpers/svg_check.py"
DOCS="$BATS_TEST_DIRNAME/../docs"

@test "timeline-doc: the page holds the three runs with their SVGs, linked from README and the man page" {
	for name in tutorial wrong-port unread; do
		grep -qF "](timeline/$name.svg)" "$DOCS/timeline.md"
		[ -s "$DOCS/timeline/$name.svg" ]
	done
	grep -qF 'connect(' "$DOCS/timeline.md"
	grep -qF '= -1 ECONNREFUSED ─┘' "$DOCS/timeline.md"
	grep -qF 'RST,ACK' "$DOCS/timeline.md"
	grep -qF '你好,服务器!' "$DOCS/timeline.md"
	grep -qF '](timeline/screenshot.png)' "$DOCS/timeline.md"
	grep -qF '](docs/timeline.md)' "$DOCS/../README.md"
	grep -qF 'docs/timeline.md' "$DOCS/sockx.1"
}

@test "timeline-doc: generated again, the runs match the page modulo times, ports and bare ACKs" {
	skip_unless_root "the wire column needs a capture"
	mkdir "$BATS_TEST_TMPDIR/svg"
	"$DOCS/gen-timeline.sh" "$SOCKX" "$BATS_TEST_TMPDIR/svg" >"$BATS_TEST_TMPDIR/timeline.md"
	python3 "$NORM" "$DOCS/timeline.md" >"$BATS_TEST_TMPDIR/want"
	python3 "$NORM" "$BATS_TEST_TMPDIR/timeline.md" >"$BATS_TEST_TMPDIR/got"
	run diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	echo "$output"
	[ "$status" -eq 0 ]
	# the comparison keeps the calls and the packets: it can fail
	grep -qx 'call: connect(FD, 127.0.0.1:PORT) = -1 ECONNREFUSED' "$BATS_TEST_TMPDIR/got"
	grep -qx 'packet: in RST,ACK' "$BATS_TEST_TMPDIR/got"
	grep -qx 'packet: out PSH,ACK 1:18 (17)' "$BATS_TEST_TMPDIR/got"
	sed 's/1:18 (17)/1:19 (18)/' "$BATS_TEST_TMPDIR/got" >"$BATS_TEST_TMPDIR/bad"
	run diff -q "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/bad"
	[ "$status" -ne 0 ]
	for name in tutorial wrong-port unread; do
		python3 "$CHECK" svg "$BATS_TEST_TMPDIR/svg/$name.svg" 'connect' 'SYN' 'close'
	done
	# Chromium's screenshot, taken again: a PNG, not blank (its pixels
	# vary from one run to the next: not compared)
	python3 "$CHECK" png "$BATS_TEST_TMPDIR/svg/screenshot.png"
}

@test "timeline-doc: the screenshot docs/ ships is a PNG of the drawing, not blank, small" {
	local f=$DOCS/timeline/screenshot.png
	[[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
	python3 "$CHECK" png "$f"
	(($(stat -c %s "$f") < 200000))
	# the window was cut to the drawing: the PNG is the SVG's size
	local w h
	w=$(sed -n 's/^<svg .* width="\([0-9]*\)".*/\1/p' "$DOCS/timeline/tutorial.svg")
	h=$(sed -n 's/^<svg .* height="\([0-9]*\)".*/\1/p' "$DOCS/timeline/tutorial.svg")
	[[ $(python3 -c 'import struct,sys; print("%d %d" % struct.unpack(">II", open(sys.argv[1], "rb").read()[16:24]))' "$f") == "$w $h" ]]
}

@test "timeline-doc: every SVG in docs/ is well-formed and rsvg-convert renders it, not blank" {
	local n=0 f
	while IFS= read -r -d '' f; do
		python3 "$CHECK" svg "$f"
		rsvg-convert -o "$BATS_TEST_TMPDIR/out.png" "$f"
		python3 "$CHECK" png "$BATS_TEST_TMPDIR/out.png"
		n=$((n + 1))
	done < <(find "$DOCS" -name '*.svg' -print0)
	((n >= 3))
}
