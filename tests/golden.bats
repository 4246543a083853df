#!/usr/bin/env bats
# Golden output: what sockx prints, text and JSON, client and server, for
# the fixed runs of tests/golden/cases, must stay byte for byte what
# tests/golden/out/NAME.txt recorded (times, kernel-chosen ports, pids and
# names masked: tests/helpers/golden.py). The reference for changes to how
# sockx prints. All cases run at once, in parallel, in setup_file; each
# test compares one case and shows its diff. After a change meant to alter
# the output: GOLDEN_UPDATE=1 tests/helpers/golden.sh (as root), and review
# the diff of tests/golden/out.

load helpers/common

GOLDEN_SH="$BATS_TEST_DIRNAME/helpers/golden.sh"
GOLDEN_OUT="$BATS_TEST_DIRNAME/golden/out"

setup_file() {
	export GOLDEN_RUN="$BATS_FILE_TMPDIR/run"
	mkdir -p "$GOLDEN_RUN"
	"$GOLDEN_SH" --run-all "$GOLDEN_RUN"
}

# golden NAME: this run of case NAME against its recorded output; skips a
# case this machine cannot run (root, another kernel), with the reason.
golden() {
	local name=$1
	if [[ -f $GOLDEN_RUN/$name.skip ]]; then
		skip "$(cat "$GOLDEN_RUN/$name.skip")"
	fi
	[[ -f $GOLDEN_RUN/$name.txt ]] || fail "golden case $name did not run: is it in tests/golden/cases?"
	[[ -f $GOLDEN_OUT/$name.txt ]] ||
		fail "no tests/golden/out/$name.txt: record it with GOLDEN_UPDATE=1 tests/helpers/golden.sh $name"
	run diff -u --label "tests/golden/out/$name.txt" --label "$name (this run)" \
		"$GOLDEN_OUT/$name.txt" "$GOLDEN_RUN/$name.txt"
	if [[ $status -ne 0 ]]; then
		fail "golden case $name: the output differs from tests/golden/out/$name.txt:
$output"
	fi
}

@test "golden: every case has its test here, and its recorded output" {
	local cases tests outs f
	cases=$("$GOLDEN_SH" --list | sort)
	tests=$(sed -n 's/^@test "golden: \([a-z0-9-]*\)" .*/\1/p' "$BATS_TEST_FILENAME" | sort)
	outs=$(for f in "$GOLDEN_OUT"/*.txt; do f=${f##*/}; echo "${f%.txt}"; done | sort)
	[[ $cases == "$tests" ]] || fail "tests/golden/cases and the tests of golden.bats differ:
$(diff <(echo "$cases") <(echo "$tests"))"
	[[ $cases == "$outs" ]] || fail "tests/golden/cases and tests/golden/out differ:
$(diff <(echo "$cases") <(echo "$outs"))"
}

@test "golden: the masks take a value only in its current format" {
	local d=$BATS_TEST_TMPDIR/m
	mkdir -p "$d"
	printf '%s\n' '{"event":"reply","t":0.001251,"bytes":5,"rtt_ms":0.194088,"data":"x"}' \
		'{"event":"reply","t":0.00125,"bytes":5,"rtt_ms":9.8e-05,"data":"x"}' \
		'{"event":"summary","t":1.5e-3,"rtt_min_ms":0.10,"duration":2}' \
		'reply 5 bytes, time=0.029 ms: hello' 'reply 5 bytes, time=0.03 ms: hello' \
		'connected to 127.0.0.1:40000 from 127.0.0.1:50001' >"$d/c.raw"
	printf '%s\0' port 40000 ports '32768 60999' uid 0 gid 0 >"$d/c.ctx"
	run -0 python3 "$BATS_TEST_DIRNAME/helpers/golden.py" mask "$d"
	run -0 cat "$d/c.txt"
	assert_output '{"event":"reply","t":T,"bytes":5,"rtt_ms":T,"data":"x"}
{"event":"reply","t":0.00125,"bytes":5,"rtt_ms":9.8e-05,"data":"x"}
{"event":"summary","t":1.5e-3,"rtt_min_ms":0.10,"duration":T}
reply 5 bytes, time=T ms: hello
reply 5 bytes, time=0.03 ms: hello
connected to 127.0.0.1:PORT from 127.0.0.1:EPH1'
}

@test "golden: help" {
	golden help
}

@test "golden: help-json" {
	golden help-json
}

@test "golden: version" {
	golden version
}

@test "golden: version-json" {
	golden version-json
}

@test "golden: list-commands" {
	golden list-commands
}

@test "golden: list-commands-json" {
	golden list-commands-json
}

@test "golden: no-command" {
	golden no-command
}

@test "golden: no-command-json" {
	golden no-command-json
}

@test "golden: unknown-command" {
	golden unknown-command
}

@test "golden: unknown-command-json" {
	golden unknown-command-json
}

@test "golden: bad-color" {
	golden bad-color
}

@test "golden: completions-bash" {
	golden completions-bash
}

@test "golden: completions-unknown-shell" {
	golden completions-unknown-shell
}

@test "golden: tcp-echo" {
	golden tcp-echo
}

@test "golden: tcp-echo-json" {
	golden tcp-echo-json
}

@test "golden: tcp-upper" {
	golden tcp-upper
}

@test "golden: tcp-upper-json" {
	golden tcp-upper-json
}

@test "golden: tcp-escape" {
	golden tcp-escape
}

@test "golden: tcp-escape-json" {
	golden tcp-escape-json
}

@test "golden: tcp-hex" {
	golden tcp-hex
}

@test "golden: tcp-quiet" {
	golden tcp-quiet
}

@test "golden: tcp-verbose" {
	golden tcp-verbose
}

@test "golden: tcp-discard-timeout" {
	golden tcp-discard-timeout
}

@test "golden: tcp-discard-timeout-json" {
	golden tcp-discard-timeout-json
}

@test "golden: tcp-refused" {
	golden tcp-refused
}

@test "golden: tcp-refused-json" {
	golden tcp-refused-json
}

@test "golden: tcp-refused-verbose" {
	golden tcp-refused-verbose
}

@test "golden: tcp-netcat" {
	golden tcp-netcat
}

@test "golden: tcp-print" {
	golden tcp-print
}

@test "golden: tcp-print-json" {
	golden tcp-print-json
}

@test "golden: tcp-ipv6" {
	golden tcp-ipv6
}

@test "golden: tcp-bad-option" {
	golden tcp-bad-option
}

@test "golden: tcp-bad-timeout" {
	golden tcp-bad-timeout
}

@test "golden: tcp-server-bad-port" {
	golden tcp-server-bad-port
}

@test "golden: udp-echo" {
	golden udp-echo
}

@test "golden: udp-echo-json" {
	golden udp-echo-json
}

@test "golden: udp-size-count" {
	golden udp-size-count
}

@test "golden: udp-size-count-json" {
	golden udp-size-count-json
}

@test "golden: udp-timeout" {
	golden udp-timeout
}

@test "golden: udp-retry-json" {
	golden udp-retry-json
}

@test "golden: udp-refused" {
	golden udp-refused
}

@test "golden: udp-refused-json" {
	golden udp-refused-json
}

@test "golden: udp-stdin-lines" {
	golden udp-stdin-lines
}

@test "golden: udp-print" {
	golden udp-print
}

@test "golden: unix-stream" {
	golden unix-stream
}

@test "golden: unix-stream-json" {
	golden unix-stream-json
}

@test "golden: unix-dgram" {
	golden unix-dgram
}

@test "golden: unix-dgram-json" {
	golden unix-dgram-json
}

@test "golden: unix-seqpacket" {
	golden unix-seqpacket
}

@test "golden: unix-seqpacket-json" {
	golden unix-seqpacket-json
}

@test "golden: unix-path" {
	golden unix-path
}

@test "golden: unix-anc" {
	golden unix-anc
}

@test "golden: unix-anc-json" {
	golden unix-anc-json
}

@test "golden: unix-demo-stream" {
	golden unix-demo-stream
}

@test "golden: unix-demo-seqpacket-json" {
	golden unix-demo-seqpacket-json
}

@test "golden: unix-verify" {
	golden unix-verify
}

@test "golden: unix-verify-json" {
	golden unix-verify-json
}

@test "golden: unix-refused" {
	golden unix-refused
}

@test "golden: unix-two-types" {
	golden unix-two-types
}

@test "golden: raw-icmp" {
	golden raw-icmp
}

@test "golden: raw-icmp-json" {
	golden raw-icmp-json
}

@test "golden: raw-icmp-ipv6" {
	golden raw-icmp-ipv6
}

@test "golden: raw-icmp-no-hdrincl-json" {
	golden raw-icmp-no-hdrincl-json
}

@test "golden: raw-icmp-bad-ttl" {
	golden raw-icmp-bad-ttl
}

@test "golden: capture-read" {
	golden capture-read
}

@test "golden: capture-read-json" {
	golden capture-read-json
}

@test "golden: capture-streams" {
	golden capture-streams
}

@test "golden: capture-hex" {
	golden capture-hex
}

@test "golden: capture-missing-file" {
	golden capture-missing-file
}

@test "golden: capture-live" {
	golden capture-live
}

@test "golden: capture-live-json" {
	golden capture-live-json
}

@test "golden: timeline-replay" {
	golden timeline-replay
}

@test "golden: timeline-replay-json" {
	golden timeline-replay-json
}

@test "golden: timeline-not-json" {
	golden timeline-not-json
}

@test "golden: matrix" {
	golden matrix
}

@test "golden: matrix-json" {
	golden matrix-json
}

@test "golden: tour" {
	golden tour
}

@test "golden: tour-json" {
	golden tour-json
}

@test "golden: tour-unix" {
	golden tour-unix
}

@test "golden: tour-unknown-cell" {
	golden tour-unknown-cell
}
