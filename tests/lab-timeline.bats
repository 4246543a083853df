#!/usr/bin/env bats
# sockx lab --timeline and --svg: a lab draws its key moment, both ends'
# calls and, as root, its port's packets, in time order (checked by
# helpers/lab_timeline.py on the JSON rows: kind, side, flags, name,
# errno, t_ms). Without CAP_NET_RAW the calls alone, and the reason.

# shellcheck disable=SC2154 # $output, $status and $stderr: set by bats run
bats_require_minimum_version 1.5.0
load helpers/common

CHECK=$BATS_TEST_DIRNAME/helpers/lab_timeline.py

# timeline NAME CASE: `sockx --json lab NAME --timeline` exits 0 and its rows pass CASE.
timeline() {
	run -0 --separate-stderr timeout 30 "$SOCKX" --json lab "$1" --timeline
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/$1.json"
	run python3 "$CHECK" "$2" <"$BATS_TEST_TMPDIR/$1.json"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lab-timeline: reset-on-close: the RST after the server end's close() entered, the client's ECONNRESET after it" {
	skip_unless_root "libpcap captures"
	timeline reset-on-close reset
	# the server end's calls are the peer's: its accept and close
	jq -se 'map(select(.event == "timeline_row" and (.name == "accept4" or .name == "close")))
		| length >= 2 and all(.side == "peer")' "$BATS_TEST_TMPDIR/reset-on-close.json"
}

@test "lab-timeline: reset-on-close as text: the head, the RST drawn, the verdict after" {
	skip_unless_root "libpcap captures"
	run -0 --separate-stderr timeout 30 "$SOCKX" lab reset-on-close --timeline
	[[ "$output" == *"timeline of lab reset-on-close"* ]]
	[[ "$output" == *"wire: captured on lo"* ]]
	[[ "$output" == *"◀──────────  RST"* ]]
	# the ladder comes before the observations and the verdict
	head=$(grep -n 'timeline of lab' <<<"$output" | cut -d: -f1)
	verdict=$(grep -n 'verdict:' <<<"$output" | cut -d: -f1)
	[ "$head" -lt "$verdict" ]
}

@test "lab-timeline: wrong-port: the SYN and the RST inside connect()'s bracket" {
	skip_unless_root "libpcap captures"
	timeline wrong-port refused
}

@test "lab-timeline: half-close: the client's FIN before the server end's data" {
	skip_unless_root "libpcap captures"
	timeline half-close half
}

@test "lab-timeline: seqpacket-eof: AF_UNIX transfers, no packets" {
	timeline seqpacket-eof unix
}

@test "lab-timeline: as nobody: the calls drawn, no packets, the head says why, the exit as without --timeline" {
	skip_unless_root "setpriv to nobody"
	run --separate-stderr as_nobody "$SOCKX" --json lab reset-on-close
	plain=$status
	run --separate-stderr as_nobody "$SOCKX" --json lab reset-on-close --timeline
	[ "$status" -eq "$plain" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/nobody.json"
	run python3 "$CHECK" nowire <"$BATS_TEST_TMPDIR/nobody.json"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lab-timeline: --svg writes a well-formed SVG of the key moment, without printing the ladder" {
	run -0 --separate-stderr timeout 30 "$SOCKX" lab wrong-port --svg "$BATS_TEST_TMPDIR/w.svg"
	[[ "$output" != *"timeline of lab"* ]]
	run python3 "$BATS_TEST_DIRNAME/helpers/svg_check.py" svg "$BATS_TEST_TMPDIR/w.svg" \
		'socket' 'connect' 'ECONNREFUSED' 'close'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lab-timeline: --svg draws one lab: several, or one without a timeline, are usage errors" {
	run -2 --separate-stderr "$SOCKX" lab --all --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ "$stderr" == *"name one lab"* ]]
	run -2 --separate-stderr "$SOCKX" lab sigpipe --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ "$stderr" == *"draws no timeline"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
}

@test "lab-timeline: a lab without a timeline says so and runs as usual" {
	run -0 --separate-stderr timeout 30 "$SOCKX" lab sigpipe --timeline
	[[ "$output" == *"no timeline: this lab draws none"* ]]
	[[ "$output" == *"verdict:"* ]]
	[[ "$output" != *"timeline of lab"* ]]
}

@test "lab-timeline: --all --timeline: every lab that draws has its head, rows and end, in time order" {
	run -0 --separate-stderr timeout 60 "$SOCKX" --json lab --all --timeline
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/all.json"
	run python3 "$CHECK" all <"$BATS_TEST_TMPDIR/all.json"
	echo "$output"
	[ "$status" -eq 0 ]
	# the summary is still the last event
	tail -n 1 "$BATS_TEST_TMPDIR/all.json" | jq -se '.[0].event == "summary"'
}
