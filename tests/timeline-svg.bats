#!/usr/bin/env bats
# --svg FILE: the timeline as an SVG sequence diagram. A real run (tcp-client
# against tcp-server --mode upper) and the unit test's sample (hostile text,
# a peer column, a fold, an AF_UNIX transfer) are parsed by python3's XML
# parsers (tests/helpers/svg_check.py), checked for anything that runs or
# fetches, and rendered to PNG by rsvg-convert; the file is written as
# --pcap is: atomically over a regular file, directly into a FIFO or device.

# shellcheck disable=SC2154 # $output, $stderr: set by bats run
load helpers/common
load helpers/net

MSG='你好,服务器!'	# 17 bytes of UTF-8
CHECK="$BATS_TEST_DIRNAME/helpers/svg_check.py"

setup() {
	# the unit test's sample writer, next to the sockx under test
	local d
	d=$(dirname "$SOCKX")
	SAMPLE=$d/build/tests/unit/test_timeline_svg
	[[ -x $SAMPLE ]] || SAMPLE=$d/tests/unit/test_timeline_svg	# BUILD=build-san
}

teardown() {
	stop_all_bg
}

need_sample() {
	[[ -x $SAMPLE ]] || skip "the unit test is not built (make unit)"
}

# render SVG: rsvg-convert draws it, and the PNG is not blank.
render() {
	need_cmd rsvg-convert
	run -0 --separate-stderr rsvg-convert -f png -o "$1.png" "$1"
	[ -z "$stderr" ]
	run python3 "$CHECK" png "$1.png"
	echo "$output"
	[ "$status" -eq 0 ]
}

# exchange ARGS...: the tutorial's exchange with --svg $SVG and ARGS.
exchange() {
	SVG=$BATS_TEST_TMPDIR/run.svg
	start_server srv "$SOCKX" tcp-server --mode upper -p 0
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$MSG" --svg "$SVG" "$@"
	RUN_OUT=$output
	[ -s "$SVG" ]
}

@test "timeline-svg: a run's calls and packets, in time order, well-formed, self-contained" {
	skip_unless_root "libpcap captures"
	exchange
	[[ $RUN_OUT == *"reply 17 bytes"* ]]
	# what causality orders (the reply may come before recv() is called)
	run python3 "$CHECK" svg "$SVG" '^socket\(' '^connect\(' '^SYN$' '^SYN,ACK$' \
		'^send\(.*17 bytes' '^PSH,ACK 1:18 \(17\)$' '^PSH,ACK 1:18 \(17\)$' \
		'^shutdown\(' '^FIN,ACK$' '^FIN,ACK$' '^close\(.*\) = 0$'
	echo "$output"
	[ "$status" -eq 0 ]
	run python3 "$CHECK" svg "$SVG" '^send\(' '^recv\(' '^recv\('
	[ "$status" -eq 0 ]
	grep -q '>wire: lo</text>' "$SVG"
	render "$SVG"
}

@test "timeline-svg: --svg alone prints no ladder; with --timeline both" {
	skip_unless_root "libpcap captures"
	exchange
	[[ $RUN_OUT == *"reply 17 bytes"* ]]
	[[ $RUN_OUT != *"timeline of"* && $RUN_OUT != *"SYN"* ]]
	stop_all_bg
	exchange --timeline
	[[ $RUN_OUT == *"timeline of tcp-client"* && $RUN_OUT == *"SYN,ACK"* ]]
	run python3 "$CHECK" svg "$SVG" '^connect\(' '^SYN,ACK$' '^close\('
	[ "$status" -eq 0 ]
}

@test "timeline-svg: without CAP_NET_RAW the calls are drawn and the wire says why" {
	skip_unless_root "setpriv to nobody"
	start_server srv "$SOCKX" tcp-server --mode upper -p 0
	nobody_copy
	mkdir -m 777 "$NOBODY_DIR/w"	# nobody writes here (and its temporary file)
	run -0 --separate-stderr as_nobody "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$MSG" --svg w/run.svg
	SVG=$NOBODY_DIR/w/run.svg
	run python3 "$CHECK" svg "$SVG" '^connect\(' '^send\(' '^recv\(' '^close\('
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '>wire: not drawn: ' "$SVG"
	! grep -q '>SYN' "$SVG" || false
}

@test "timeline-svg: a refused connect is drawn too, its RST in red (exit 1)" {
	skip_unless_root "libpcap captures"
	SVG=$BATS_TEST_TMPDIR/refused.svg
	run -1 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$(closed_port)" -m "$MSG" --svg "$SVG"
	[[ $stderr == *"Connection refused"* ]]
	run python3 "$CHECK" svg "$SVG" '^connect\(' '^SYN$' '^RST,ACK$' 'ECONNREFUSED'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'fill="#c00000">RST,ACK</text>' "$SVG"
}

@test "timeline-svg: --svg needs -m (exit 2)" {
	run -2 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 9 --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ $stderr == *"--svg needs -m"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
}

@test "timeline-svg: hostile text stays text: the sample parses, escapes, renders" {
	need_sample
	SVG=$BATS_TEST_TMPDIR/sample.svg
	run -0 "$SAMPLE" "$SVG"
	run python3 "$CHECK" svg "$SVG" '^socket\(' '^connect\(' '^SYN$' '^SYN,ACK$' \
		'^accept\(3\) = 4$' '<script>&amp;\]\]>' '8,190' \
		'^17 bytes, copied by the kernel, no packet$' '^RST$' 'ECONNREFUSED'
	echo "$output"
	[ "$status" -eq 0 ]
	# controls and invalid UTF-8 as \xHH, never raw
	grep -qF '\x01\x1b[31m\x7f\xff\xfe\xc0\xaf' "$SVG"
	! LC_ALL=C grep -qP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$SVG" || false
	iconv -f UTF-8 -t UTF-8 "$SVG" >/dev/null
	render "$SVG"
}

@test "timeline-svg: an existing file is replaced whole, its mode kept, nothing left beside it" {
	need_sample
	local dir=$BATS_TEST_TMPDIR/out before after
	mkdir "$dir"
	echo old >"$dir/run.svg"
	chmod 640 "$dir/run.svg"
	before=$(stat -c %i "$dir/run.svg")
	run -0 "$SAMPLE" "$dir/run.svg"
	after=$(stat -c %i "$dir/run.svg")
	[ "$before" != "$after" ]	# renamed into place, not rewritten in it
	[ "$(stat -c %a "$dir/run.svg")" = 640 ]
	head -c 5 "$dir/run.svg" | grep -q '<?xml'
	[ "$(ls -A "$dir")" = run.svg ]
}

@test "timeline-svg: /dev/full is a write error (exit 1)" {
	need_sample
	run -1 --separate-stderr "$SAMPLE" /dev/full
	[[ $stderr == *"cannot write '/dev/full': No space left on device"* ]]
}

@test "timeline-svg: a directory is refused, nothing written in it (exit 1)" {
	need_sample
	local dir=$BATS_TEST_TMPDIR/d
	mkdir "$dir"
	run -1 --separate-stderr "$SAMPLE" "$dir"
	[[ $stderr == *"cannot write '$dir': it is a directory"* ]]
	[ -z "$(ls -A "$dir")" ]
}

@test "timeline-svg: a FIFO is written through, not replaced; one nobody reads is refused" {
	need_sample
	local fifo=$BATS_TEST_TMPDIR/fifo got=$BATS_TEST_TMPDIR/got.svg
	mkfifo "$fifo"
	run -1 --separate-stderr "$SAMPLE" "$fifo"
	[[ $stderr == *"a FIFO with no reader"* ]]
	# a reader that is there before the writer: open without blocking,
	# then wait (select) for the writer's bytes and read to its close
	start_bg reader python3 -c '
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print("ready", flush=True)
select.select([fd], [], [], 10)
os.set_blocking(fd, True)
with open(sys.argv[2], "wb") as out:
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        out.write(b)
' "$fifo" "$got"
	wait_line "$BATS_TEST_TMPDIR/reader.out" '^ready$'
	run -0 "$SAMPLE" "$fifo"
	wait_exit reader
	[ "$BG_RC" -eq 0 ]
	[ -p "$fifo" ]
	run python3 "$CHECK" svg "$got" '^socket\(' '^close\('
	[ "$status" -eq 0 ]
}
