#!/usr/bin/env bats
# shellcheck disable=SC2154  # bats sets $stderr
# sockx matrix: a live socket() table, checked against python3's socket
# module on the same kernel, as root and as nobody.

load helpers/common
load helpers/net

teardown() { stop_all_bg; }


# Reads matrix --json on stdin; for each cell calls socket() with the
# same numbers and compares: both succeed, or both fail with one errno.
# shellcheck disable=SC2016
PY_COMPARE='
import json, socket, sys
bad = rows = 0
for line in sys.stdin:
    c = json.loads(line)
    if c.get("event") != "cell":
        continue
    rows += 1
    try:
        socket.socket(c["family_num"], c["type_num"], c["protocol_num"]).close()
        got = None
    except OSError as e:
        got = e.errno
    want = None if c["supported"] else c["errno_num"]
    if got != want:
        bad += 1
        print("%s %s %s: sockx says %s, python3 %s" % (c["family"], c["type"], c["protocol"], want, got))
print("%d rows compared" % rows)
sys.exit(1 if bad or rows == 0 else 0)
'

@test "matrix: --json is one valid cell object per line" {
	run -0 --separate-stderr "$SOCKX" matrix --json
	[[ -n "$output" ]]
	# Every line parses alone, and every one is a cell.
	while IFS= read -r line; do
		jq -e '.event == "cell" and (.t | type == "number")' <<<"$line" >/dev/null
	done <<<"$output"
	run -0 jq -s -r '[.[] | "\(.family) \(.type)"] | unique | length' <<<"$output"
	[[ "$output" -eq 15 ]]	# AF_INET, AF_INET6, AF_UNIX x 5 types
}

@test "matrix: every row agrees with python3 socket.socket() (root)" {
	skip_unless_root
	"$SOCKX" matrix --all --json >"$BATS_TEST_TMPDIR/m.json"
	run -0 python3 -c "$PY_COMPARE" <"$BATS_TEST_TMPDIR/m.json"
	[[ "$output" == *"rows compared"* ]]
}

@test "matrix: every row agrees with python3 socket.socket() (nobody, no capabilities)" {
	skip_unless_root "setpriv to nobody"
	need_cmd setpriv
	# The system python: a pyenv shim under /root is not nobody's to run.
	[[ -x /usr/bin/python3 ]] || skip "no /usr/bin/python3"
	as_nobody "$SOCKX" matrix --all --json >"$BATS_TEST_TMPDIR/m.json"
	run -0 as_nobody /usr/bin/python3 -c "$PY_COMPARE" <"$BATS_TEST_TMPDIR/m.json"
	[[ "$output" == *"rows compared"* ]]
}

@test "matrix: unprivileged, it says what root could do, or that it cannot know" {
	skip_unless_root "setpriv to nobody"
	need_cmd setpriv
	as_nobody "$SOCKX" matrix --all --json >"$BATS_TEST_TMPDIR/m.json"
	# Raw IP: the kernel checks the protocol first, so root could.
	run -0 jq -s -r '.[] | select(.family == "AF_INET" and .type == "SOCK_RAW" and .protocol == "IPPROTO_ICMP")
		| "\(.errno) \(.root_could) \(.privilege)"' "$BATS_TEST_TMPDIR/m.json"
	[[ "$output" == "EPERM true CAP_NET_RAW" ]]
	# AF_PACKET checks the capability first: sockx cannot know.
	run -0 jq -s -r '.[] | select(.family == "AF_PACKET" and .type == "SOCK_STREAM") | "\(.errno) \(.root_could)"' \
		"$BATS_TEST_TMPDIR/m.json"
	[[ "$output" == "EPERM null" ]]
	run -0 jq -s -r '.[] | select(.family == "AF_PACKET" and .type == "SOCK_STREAM") | .note' "$BATS_TEST_TMPDIR/m.json"
	[[ "$output" == *"cannot know"* ]]
	# Raw IP with protocol 0 fails for everyone, whatever the privilege.
	run -0 jq -s -r '.[] | select(.family == "AF_INET" and .type == "SOCK_RAW" and .protocol_num == 0) | "\(.errno) \(.root_could)"' \
		"$BATS_TEST_TMPDIR/m.json"
	[[ "$output" == "EPROTONOSUPPORT false" ]]
}

@test "matrix: supported cells show SO_PROTOCOL, buffer sizes and the command" {
	run -0 --separate-stderr "$SOCKX" matrix --json
	run -0 jq -s -r '.[] | select(.family == "AF_INET" and .type == "SOCK_STREAM" and .protocol_num == 0)
		| "\(.supported) \(.so_protocol) \(.sndbuf > 0) \(.rcvbuf > 0) \(.command)"' <<<"$output"
	[[ "$output" == "true IPPROTO_TCP true true tcp-server/tcp-client" ]]
	# The kernel quietly turns an AF_UNIX SOCK_RAW into SOCK_DGRAM.
	run -0 --separate-stderr "$SOCKX" matrix --json
	run -0 jq -s -r '.[] | select(.family == "AF_UNIX" and .type == "SOCK_RAW") | "\(.supported) \(.so_type)"' <<<"$output"
	[[ "$output" == "true SOCK_DGRAM" ]]
}

@test "matrix: errors are explained (SCTP, RDM, ping_group_range with its value)" {
	run -0 --separate-stderr "$SOCKX" matrix
	local range
	range=$(tr -s '\t ' ' ' </proc/sys/net/ipv4/ping_group_range)
	[[ "$output" == *"FAMILY"*"TYPE"*"PROTOCOL"*"RESULT"* ]]
	# Each of the cases the issue names, whatever this kernel says.
	local seq rdm ping
	seq=$(grep -E '^AF_INET +SOCK_SEQPACKET +0 ' <<<"$output")
	rdm=$(grep -E '^AF_INET +SOCK_RDM +0 ' <<<"$output")
	ping=$(grep -E '^AF_INET +SOCK_DGRAM +IPPROTO_ICMP ' <<<"$output")
	if [[ "$seq" == *ESOCKTNOSUPPORT* ]]; then
		[[ "$seq" == *"SCTP"*"sctp module"* ]]
	fi
	[[ "$rdm" == *"SOCK_RDM"*"only in AF_TIPC; RDS is SOCK_SEQPACKET"* ]]
	[[ "$ping" == *"ping_group_range = $range"* ]]
	[[ "$output" == *"net.ipv4.ping_group_range = $range"* ]]
}

@test "matrix: the table is aligned, one row per JSON cell" {
	run -0 --separate-stderr "$SOCKX" --color=never matrix
	local rows cells
	rows=$(grep -cE '^AF_' <<<"$output")
	cells=$("$SOCKX" matrix --json | wc -l)
	[[ "$rows" -eq "$cells" ]]
	# Every column starts at one offset on every row and in the header.
	run -0 python3 -c '
import re, sys
offs = set()
for line in sys.stdin:
    if line.startswith(("AF_", "FAMILY")):
        offs.add(tuple(m.start() for m in re.finditer(r"\S+", line))[:5])
print(offs)
sys.exit(0 if len(offs) == 1 else 1)' <<<"$output"
}

@test "matrix: colour only when asked or on a terminal" {
	run -0 --separate-stderr "$SOCKX" matrix
	[[ "$output" != *$'\033['* ]]
	run -0 --separate-stderr "$SOCKX" --color=always matrix
	[[ "$output" == *$'\033[32m'* ]]
}

@test "matrix: asks the kernel without forking or sleeping (its speed is a benchmark)" {
	# Timing belongs in make bench (goal: under 20 ms); here only the
	# system calls that would make it slow: no fork/clone, no sleep.
	need_cmd strace
	# LeakSanitizer cannot run under ptrace: leaks are checked elsewhere.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run -0 strace -f -qq -e trace=fork,vfork,clone,clone3,nanosleep,clock_nanosleep \
		-o "$BATS_TEST_TMPDIR/trace" "$SOCKX" matrix
	run -0 cat "$BATS_TEST_TMPDIR/trace"
	refute_output --regexp '(fork|clone|sleep)'
}

@test "matrix: the table is what was asked for: -q prints it too; --json -v has a socket call per cell" {
	need_cmd jq
	run -0 --separate-stderr "$SOCKX" -q matrix
	assert_line --partial 'FAMILY       TYPE'
	run -0 --separate-stderr "$SOCKX" --json -v matrix
	[[ -z "$stderr" ]]
	jq -se '[.[] | select(.event == "cell")] | length > 10' <<<"$output"
	jq -se '([.[] | select(.event == "cell")] | length) == ([.[] | select(.event == "call" and .name == "socket")] | length)' <<<"$output"
}

@test "matrix: an unknown option or argument is a usage error" {
	run -2 --separate-stderr "$SOCKX" matrix --bogus
	[[ "$stderr" == *"unknown option"* ]]
	run -2 --separate-stderr "$SOCKX" matrix extra
	[[ "$stderr" == *"unexpected argument"* ]]
}
