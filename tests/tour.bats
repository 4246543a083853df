#!/usr/bin/env bats
# shellcheck disable=SC2154  # bats sets $stderr
# sockx tour: a real exchange per family x type cell, through sockx's own
# servers and clients in child processes; tcpdump as an outside witness.

load helpers/common
load helpers/net

teardown() { stop_all_bg; }

CELLS="tcp4 tcp6 udp4 udp6 unix-stream unix-dgram unix-seqpacket icmp4 icmp6 sctp4"
MSG='你好,服务器!'


# jq over the tour's --json output in $output.
cells() { jq -r -s "$1" <<<"$output"; }

@test "tour: as root every runnable cell passes, and TCP over IPv4 and IPv6 run" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" tour --json
	[[ $(cells '[.[] | select(.event == "cell" and .ran and .verdict != "pass")] | length') -eq 0 ]]
	[[ $(cells '.[] | select(.cell == "tcp4") | .verdict') == pass ]]
	[[ $(cells '.[] | select(.cell == "tcp6") | .verdict') == pass ]]
	[[ $(cells '.[] | select(.event == "summary") | "\(.failed) \(.exit)"') == "0 0" ]]
}

@test "tour: one line per cell while it runs, then a summary" {
	run -0 --separate-stderr "$SOCKX" --color=never tour
	local c
	for c in $CELLS; do
		grep -qE "^$c +AF_[A-Z0-9]+ SOCK_[A-Z]+ " <<<"$output"
	done
	[[ $(grep -cE '^(tcp|udp|unix|icmp|sctp)' <<<"$output") -eq 10 ]]
	[[ "${lines[-1]}" == "summary: "*" passed, 0 failed; "*" could not run ("* ]]
	[[ "$output" == *"CALLS"*"BYTES"*"PACKETS"*"TIME"*"VERDICT"* ]]
}

@test "tour: --json gives a cell event for each cell and a summary" {
	run -0 --separate-stderr "$SOCKX" tour --json
	while IFS= read -r line; do
		jq -e '(.event == "cell" or .event == "summary") and (.t | type == "number")' <<<"$line" >/dev/null
	done <<<"$output"
	[[ $(cells '[.[] | select(.event == "cell")] | length') -eq 10 ]]
	[[ $(cells '[.[] | select(.event == "cell") | .cell] | join(" ")') == "$CELLS" ]]
	[[ $(cells '[.[] | select(.event == "summary")] | length') -eq 1 ]]
	# Every cell has a verdict and a reason; the ones that ran, numbers.
	[[ $(cells '[.[] | select(.event == "cell" and (.reason | length) == 0)] | length') -eq 0 ]]
	[[ $(cells '.[] | select(.cell == "tcp4") | [.syscalls_client > 0, .syscalls_server > 0, .time_ms > 0] | all') == true ]]
}

@test "tour: the tutorial's message goes out and comes back whole (UTF-8 untouched)" {
	run -0 --separate-stderr "$SOCKX" tour --json --only tcp4,tcp6
	local n
	n=$(printf '%s' "$MSG" | wc -c)
	[[ $(cells '[.[] | select(.event == "cell") | "\(.bytes_out)/\(.bytes_in)"] | unique | join(" ")') == "$n/$n" ]]
	[[ $(cells '.[] | select(.cell == "tcp4") | .reason') == *"\"$MSG\""*"UTF-8 intact"* ]]
	[[ $(cells '.[] | select(.cell == "tcp4") | .client') == *"-m '$MSG'"* ]]
}

@test "tour: -m sends that message and checks its upper-cased echo" {
	run -0 --separate-stderr "$SOCKX" --color=never tour --only tcp4 -m 'hello, Wörld'
	[[ "$output" == *'reply "HELLO, WöRLD" is the message upper-cased'* ]]
	run -2 --separate-stderr "$SOCKX" tour -m ''
	[[ "$stderr" == *"-m"* ]]
}

@test "tour: tcpdump on lo sees the message go out and the upper-cased reply come back" {
	skip_unless_root
	need_cmd tcpdump
	local msg="tour-witness-$RANDOM$RANDOM" pcap=$BATS_TEST_TMPDIR/lo.pcap up i n=0
	up=${msg^^}
	# Bounded: small packets only, 256 bytes of each, at most 5000 of them
	# (a bulk transfer elsewhere on lo must not fill the disk).
	start_bg tcpdump tcpdump -i lo -n -U --immediate-mode -Z root -s 256 -c 5000 \
		-w "$pcap" 'tcp and len < 400'
	wait_line "$BATS_TEST_TMPDIR/tcpdump.err" 'listening on' 5
	run -0 --separate-stderr "$SOCKX" tour --only tcp4,tcp6 -m "$msg"
	# Both directions, over IPv4 and over IPv6: 4 payloads (poll, bounded).
	for ((i = 0; i < 100 && n < 4; i++)); do
		n=$(tcpdump -n -r "$pcap" -A 2>/dev/null | grep -cE "$msg|$up" || true)
		((n >= 4)) || sleep 0.05
	done
	stop_bg tcpdump
	tcpdump -n -r "$pcap" -A 2>/dev/null >"$BATS_TEST_TMPDIR/lo.txt"
	[[ $(grep -c "$msg" "$BATS_TEST_TMPDIR/lo.txt") -ge 2 ]]
	[[ $(grep -c "$up" "$BATS_TEST_TMPDIR/lo.txt") -ge 2 ]]
	grep -qE '127\.0\.0\.1\.[0-9]+ > 127\.0\.0\.1\.[0-9]+' "$BATS_TEST_TMPDIR/lo.txt"
	grep -qE '::1\.[0-9]+ > ::1\.[0-9]+' "$BATS_TEST_TMPDIR/lo.txt"
}

@test "tour: unprivileged, raw cells are skipped with a reason and the rest pass" {
	skip_unless_root "setpriv to nobody"
	need_cmd setpriv
	run -0 --separate-stderr as_nobody "$SOCKX" tour --json
	[[ $(cells '.[] | select(.cell == "icmp4") | .verdict') == no-privilege ]]
	[[ $(cells '.[] | select(.cell == "icmp6") | .verdict') == no-privilege ]]
	[[ $(cells '.[] | select(.cell == "icmp4") | .reason') == *CAP_NET_RAW* ]]
	[[ $(cells '[.[] | select(.event == "cell" and .ran and .verdict != "pass")] | length') -eq 0 ]]
	[[ $(cells '.[] | select(.cell == "tcp4") | .verdict') == pass ]]
	[[ $(cells '.[] | select(.cell == "tcp6") | .verdict') == pass ]]
	# And the human form says it too.
	run -0 --separate-stderr as_nobody "$SOCKX" --color=never tour --only icmp4,tcp4
	grep -qE '^icmp4 .* no-privilege +needs CAP_NET_RAW' <<<"$output"
}

@test "tour: leaves no child process, socket or file behind" {
	local d=$BATS_TEST_TMPDIR/cwd marker="left-behind-$RANDOM$RANDOM" port
	mkdir -p "$d"
	cd "$d"
	# The children are forks of this tour, so their command line has the
	# marker too: once the tour is done, nothing may still match it.
	TMPDIR=$d run -0 --separate-stderr "$SOCKX" tour --json -m "$marker"
	[[ "$output" == *"${marker^^}"* ]]
	local json=$output
	run -1 pgrep -f -- "$marker"
	[[ -z "$(ls -A "$d")" ]]
	# This tour's names (its pid is in them): other tours may run meanwhile.
	local prefix
	prefix=$(grep -o '@sockx-tour-[0-9]*-' <<<"$json" | sort -u)
	[[ $(wc -l <<<"$prefix") -eq 1 && -n "$prefix" ]]
	run -1 grep -qF -- "$prefix" /proc/net/unix
	# No server is left listening on the ports the cells used.
	for port in $(jq -r 'select(.event == "cell" and .client != null) | .client | split(" ") | last' <<<"$json"); do
		[[ "$port" =~ ^[0-9]+$ ]] || continue
		run -0 ss -Hltun "sport = :$port"
		[[ -z "$output" ]]
	done
}

@test "tour: --only runs just the named cells (repeatable, comma lists)" {
	run -0 --separate-stderr "$SOCKX" tour --json --only tcp6
	[[ $(cells '[.[] | select(.event == "cell") | .cell] | join(" ")') == tcp6 ]]
	run -0 --separate-stderr "$SOCKX" tour --json --only tcp6,tcp4 --only sctp4
	[[ $(cells '[.[] | select(.event == "cell") | .cell] | join(" ")') == "tcp4 tcp6 sctp4" ]]
	[[ $(cells '.[] | select(.event == "summary") | .cells') -eq 3 ]]
}

@test "tour: an unknown cell name is a usage error (exit 2)" {
	run -2 --separate-stderr "$SOCKX" tour --only tcp5
	[[ "$stderr" == *"unknown cell 'tcp5'"* ]]
	[[ "$stderr" == *"tcp4 tcp6"* ]]
	run -2 --separate-stderr "$SOCKX" tour --only tcp4,
	run -2 --separate-stderr "$SOCKX" tour tcp4
}

@test "tour: a cell that cannot run says why; alone, it sets the exit code" {
	# This kernel has no SCTP (testing-notes); with SCTP, no sctp command.
	run -5 --separate-stderr "$SOCKX" tour --json --only sctp4
	[[ $(cells '.[] | select(.cell == "sctp4") | .verdict') =~ ^(unsupported|not-built)$ ]]
	[[ $(cells '.[] | select(.cell == "sctp4") | .reason') =~ (SCTP|not built) ]]
	[[ $(cells '.[] | select(.event == "summary") | .exit') -eq 5 ]]
}

@test "tour: --no-verify says the wire was not checked; UNIX cells touch no interface" {
	run -0 --separate-stderr "$SOCKX" tour --json --no-verify --only tcp4,unix-stream
	[[ $(cells '.[] | select(.cell == "tcp4") | .wire') == "not verified (--no-verify)" ]]
	local v
	v=$(cells '.[] | select(.cell == "unix-stream") | .verdict')
	if [[ "$v" == pass ]]; then
		[[ $(cells '.[] | select(.cell == "unix-stream") | .wire') == *"no interface"* ]]
	else
		[[ "$v" == not-built ]]
	fi
}

@test "tour: wire verification is used where the client has it, or reported missing" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" tour --json --only tcp4
	local wire
	wire=$(cells '.[] | select(.cell == "tcp4") | .wire')
	if "$SOCKX" tcp-client --help | grep -q -- '--verify'; then
		[[ $(cells '.[] | select(.cell == "tcp4") | .client') == *"--verify"* ]]
		[[ "$wire" != "not verified"* ]]
	else
		[[ "$wire" == "not verified (no capture support)" ]]
	fi
}

@test "tour: finishes in seconds" {
	local s e
	s=${EPOCHREALTIME/./}
	run -0 --separate-stderr "$SOCKX" tour --no-verify
	e=${EPOCHREALTIME/./}
	echo "$(((e - s) / 1000)) ms"
	(((e - s) < 10000000))
}

@test "tour: the human VERDICT column uses the words of --json" {
	run -0 "$SOCKX" --json tour --only tcp4,sctp4,unix-stream --no-verify
	local json=$output c v
	run -0 "$SOCKX" --color=never tour --only tcp4,sctp4,unix-stream --no-verify
	for c in tcp4 sctp4 unix-stream; do
		v=$(jq -r --arg c "$c" 'select(.event == "cell" and .cell == $c) | .verdict' <<<"$json")
		[[ -n "$v" ]]
		assert_line --regexp "^$c .*  $v +[^ ]"
	done
	refute_output --regexp '  skip  '
}

@test "tour: --help gives every exit status tour can return, 4 and 5 among them" {
	run -0 "$SOCKX" tour --help
	local about
	about=$(sed -n '3,/^$/p' <<<"$output" | tr '\n' ' ')
	[[ "$about" == *"Exit 0 "* && "$about" == *" 1 "* && "$about" == *" 3 "* ]]
	[[ "$about" == *" 4 "* && "$about" == *" 5 "* ]]
}
