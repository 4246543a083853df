#!/usr/bin/env bats
# udp-client: against sockx udp-server, socat and python3 peers that drop,
# delay, duplicate or do not echo; nobody listening; sizes; bad inputs.

load helpers/common
load helpers/net

teardown() {
	stop_all_bg
}

# start_peer NAME MODE [6]: a python3 UDP peer on port 0 (sets PORT).
# MODE: echo, drop-first (ignores the first datagram), late-first (answers
# the first after 1 s), twice (answers each twice), pong (answers "pong"),
# silent (answers nothing).
# It prints "got N HASH" for each datagram of N bytes.
start_peer() {
	cat >"$BATS_TEST_TMPDIR/peer.py" <<'EOF'
import hashlib, socket, sys, threading
mode, v6 = sys.argv[1], len(sys.argv) > 2
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::1" if v6 else "127.0.0.1", 0))
s.settimeout(20)
print("listening on %s:%d" % ("[::1]" if v6 else "127.0.0.1", s.getsockname()[1]), flush=True)
n = 0
while True:
    try:
        data, peer = s.recvfrom(65536)
    except socket.timeout:
        break
    n += 1
    print("got %d %s" % (len(data), hashlib.sha1(data).hexdigest()[:8]), flush=True)
    if mode == "silent" or (mode == "drop-first" and n == 1):
        continue
    if mode == "late-first" and n == 1:
        threading.Timer(1.0, s.sendto, (data, peer)).start()
        continue
    s.sendto(b"pong" if mode == "pong" else data, peer)
    if mode == "twice":
        s.sendto(data, peer)
EOF
	start_server "$1" python3 "$BATS_TEST_TMPDIR/peer.py" "${@:2}"
}

# free_udp_port [6]: a UDP port nothing is bound to (bound, then released).
free_udp_port() {
	python3 - "$@" <<'EOF'
import socket, sys
v6 = len(sys.argv) > 1
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::1" if v6 else "127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# wait_udp PORT: until something is bound to UDP PORT (5 s deadline).
wait_udp() {
	local i
	for ((i = 0; i < 250; i++)); do
		[[ -n $(ss -Hlun "sport = :$1") ]] && return 0
		sleep 0.02
	done
	echo "nothing bound to udp port $1" >&2
	return 1
}

one_error_line() {
	[[ $(grep -c '^sockx: udp-client: ' <<<"$stderr") -eq 1 ]]
}

@test "udp-client: messages against sockx udp-server, --count rounds, summary" {
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m hello -m 'wörld' --count 2
	[[ "${lines[0]}" == "sending to 127.0.0.1:$PORT from 127.0.0.1:"* ]]
	[[ "${lines[1]}" =~ ^reply\ #1:\ 5\ bytes,\ time=[0-9.]+\ ms:\ hello$ ]]
	[[ "${lines[2]}" =~ ^reply\ #2:\ 6\ bytes,\ time=[0-9.]+\ ms:\ wörld$ ]]
	[[ "${lines[4]}" =~ ^reply\ #4: ]]
	[[ "${lines[5]}" =~ ^4\ sent,\ 4\ received,\ 0%\ loss,\ rtt\ min/avg/max\ =\ [0-9.]+/[0-9.]+/[0-9.]+\ ms$ ]]
	[[ -z "$stderr" ]]
}

@test "udp-client: --size 65507 over IPv4 and 65527 over IPv6, the largest datagrams" {
	start_server srv "$SOCKX" udp-server -p 0
	run -0 "$SOCKX" udp-client "127.0.0.1:$PORT" --size 65507 --count 2
	[[ "$output" == *"reply #2: 65507 bytes"*"2 sent, 2 received, 0% loss"* ]]
	start_server srv6 "$SOCKX" udp-server -6 -p 0
	run -0 "$SOCKX" udp-client "[::1]:$PORT" --size 65527
	[[ "$output" == *"reply #1: 65527 bytes"*"1 sent, 1 received, 0% loss"* ]]
	grep -qE '^from \[::1\]:[0-9]+: 65527 bytes$' "$BATS_TEST_TMPDIR/srv6.out"
}

@test "udp-client: --size sends exactly N bytes, each request its own payload" {
	start_peer peer echo
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" --size 1 --count 2
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" --size 0
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" --size 65000
	run -0 sed -n 's/^got //p' "$BATS_TEST_TMPDIR/peer.out"
	[[ "${#lines[@]}" -eq 4 ]]
	[[ "${lines[0]}" == "1 "* && "${lines[1]}" == "1 "* && "${lines[0]}" != "${lines[1]}" ]]
	[[ "${lines[2]}" == "0 "* && "${lines[3]}" == "65000 "* ]]
}

@test "udp-client: an oversized --size is a usage error (exit 2)" {
	run -2 --separate-stderr "$SOCKX" udp-client 127.0.0.1 9 --size 65508
	one_error_line
	[[ "$stderr" == *"--size 65508 is more than a UDP datagram over IPv4 can carry (65507 bytes)"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client ::1 9 --size 65528
	one_error_line
	[[ "$stderr" == *"over IPv6 can carry (65527 bytes)"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client ::ffff:127.0.0.1 9 --size 65508
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client --size 100000
	one_error_line
	[[ -z "$output" ]]
}

@test "udp-client: against a socat UDP echo, IPv4 and IPv6" {
	need_cmd socat
	local p
	p=$(free_udp_port)
	start_bg socat socat -T 3 "UDP4-RECVFROM:$p,bind=127.0.0.1,fork" EXEC:cat
	wait_udp "$p"
	run -0 "$SOCKX" udp-client 127.0.0.1 "$p" -m 'hello, socat' -w 3
	[[ "$output" == *"reply #1: 12 bytes, time="*" ms: hello, socat"* ]]
	run -0 "$SOCKX" udp-client 127.0.0.1 "$p" --size 1400 --count 2 -w 3
	[[ "$output" == *"2 sent, 2 received, 0% loss"* ]]
	p=$(free_udp_port 6)
	start_bg socat6 socat -T 3 "UDP6-RECVFROM:$p,bind=[::1],fork" EXEC:cat
	wait_udp "$p"
	run -0 "$SOCKX" udp-client ::1 "$p" -m v6 -w 3
	[[ "$output" == *"reply #1: 2 bytes"*": v6"* ]]
}

@test "udp-client: --count and --interval pace the rounds" {
	start_server srv "$SOCKX" udp-server -p 0
	local t0 t1
	t0=$(date +%s%N)
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m tick --count 3 --interval 0.25
	t1=$(date +%s%N)
	(((t1 - t0) / 1000000 >= 480))
	(((t1 - t0) / 1000000 < 3000))
	[[ "$output" == *"reply #3: 4 bytes"* ]]
	[[ "${lines[-1]}" =~ ^3\ sent,\ 3\ received,\ 0%\ loss,\ rtt\ min/avg/max\ =\ ([0-9.]+)/([0-9.]+)/([0-9.]+)\ ms$ ]]
	python3 -c "import sys; a, b, c = map(float, sys.argv[1:]); sys.exit(not a <= b <= c)" \
		"${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
}

@test "udp-client: nobody listening: exit 1 at once, IPv4 and IPv6" {
	local p t0 t1 host
	for host in 127.0.0.1 ::1; do
		if [[ $host == ::1 ]]; then p=$(free_udp_port 6); else p=$(free_udp_port); fi
		t0=$(date +%s%N)
		run -1 --separate-stderr "$SOCKX" udp-client -w 5 --retries 3 "$host" "$p" -m anyone
		t1=$(date +%s%N)
		(((t1 - t0) / 1000000 < 2000))
		[[ "$stderr" == "sockx: udp-client: nobody listening on "*":$p (ICMP port unreachable)" ]]
	done
}

@test "udp-client: --retries sends again when the first datagram is dropped" {
	start_peer peer drop-first
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m hello -w 0.3 --retries 2
	[[ "$output" == *"no reply to #1 within 0.3 s: sending it again (retry 1 of 2)"* ]]
	[[ "$output" =~ reply\ #1:\ 5\ bytes,\ time=[0-9.]+\ ms\ \(try\ 2\):\ hello ]]
	[[ "$output" == *"1 sent, 1 received, 0% loss, 1 retransmitted, rtt"* ]]
}

@test "udp-client: without --retries a dropped datagram is a loss, exit 1" {
	start_peer peer drop-first
	run -1 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m a -m b -w 0.3
	[[ "$output" == *"no reply to #1 after 1 try of 0.3 s"* ]]
	[[ "$output" == *"reply #2: 1 byte, time="*": b"* ]]
	[[ "$output" == *"2 sent, 1 received, 50% loss, rtt"* ]]
}

@test "udp-client: a late reply is reported as late, not as the next one's answer" {
	start_peer peer late-first
	run -1 "$SOCKX" udp-client 127.0.0.1 "$PORT" --size 10 --count 4 --interval 0.6 -w 0.3
	[[ "$output" == *"no reply to #1 after 1 try"* ]]
	[[ "$output" =~ late\ reply\ to\ #1:\ 10\ bytes,\ time=[0-9.]+\ ms\ \(not\ counted\) ]]
	[[ "$output" == *"reply #2: 10 bytes"*"reply #3: 10 bytes"*"reply #4: 10 bytes"* ]]
	[[ "$output" == *"4 sent, 3 received, 25% loss, 1 late, rtt"* ]]
}

@test "udp-client: a reply that comes twice is reported as a duplicate" {
	start_peer peer twice
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m same --count 2 --interval 0.3
	[[ "$output" == *"duplicate reply to #1: 4 bytes"* ]]
	[[ "$output" == *"2 sent, 2 received, 0% loss, 1 duplicate, rtt"* ]]
}

@test "udp-client: replies of --mode upper and of a server that does not echo count" {
	start_server srv "$SOCKX" udp-server -p 0 --mode upper
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m 'hi ü'
	[[ "$output" == *"reply #1: 5 bytes, time="*" ms: HI ü"* ]]
	start_peer peer pong
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m ping --count 2
	[[ "$output" == *"reply #2: 4 bytes"*": pong"*"2 sent, 2 received, 0% loss"* ]]
}

@test "udp-client: without -m each line of stdin is a datagram, replies on stdout" {
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" < <(printf 'one\n\nthree, 3\nfour')
	[[ "$output" == $'one\n\nthree, 3\nfour' ]]
	[[ -z "$stderr" ]]
	run -0 grep -oE '[0-9]+ bytes?$' "$BATS_TEST_TMPDIR/srv.out"
	[[ "$output" == $'3 bytes\n0 bytes\n8 bytes\n4 bytes' ]]
}

@test "udp-client: stdin mode with a lost datagram: the rest still go, exit 1" {
	start_peer peer drop-first
	run -1 --separate-stderr "$SOCKX" udp-client -w 0.3 127.0.0.1 "$PORT" < <(printf 'a\nb\n')
	[[ "$output" == "b" ]]
	[[ "$stderr" == $'sockx: udp-client: no reply to #1 after 1 try of 0.3 s\nsockx: udp-client: 1 of 2 requests got no reply' ]]
}

@test "udp-client: --json events: connected, sent, reply with seq and rtt, summary" {
	need_cmd jq
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" --json udp-client 127.0.0.1 "$PORT" -m x -m yz
	jq -se 'map(.event) == ["connected", "sent", "reply", "sent", "reply", "summary"]' <<<"$output"
	jq -se '.[3] | .seq == 2 and .bytes == 2 and .try == 1' <<<"$output"
	jq -se '.[4] | .seq == 2 and .bytes == 2 and .data == "yz" and .rtt_ms >= 0 and .tries == 1' <<<"$output"
	jq -se '.[5] | .sent == 2 and .received == 2 and .loss_pct == 0 and .rtt_min_ms <= .rtt_max_ms' <<<"$output"
}

@test "udp-client: --json -v: the trace is call events on stdout among the exchange's own; stderr stays empty" {
	need_cmd jq
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" --json -v udp-client 127.0.0.1 "$PORT" -m x
	[[ -z "$stderr" ]]
	jq -se '[.[] | select(.event != "call") | .event] == ["connected", "sent", "reply", "summary"]' <<<"$output"
	jq -se '[.[] | select(.event == "call") | .name] | index("send") < index("recv")' <<<"$output"
	# the send comes before its sent event, the recv before its reply
	jq -se 'map(if .event == "call" then .name else .event end) | index("send") < index("sent") and index("recv") < index("reply")' <<<"$output"
}

@test "udp-client: stdin mode: a notice is a warning on stderr, under --json its event alone" {
	need_cmd jq
	start_peer peer drop-first
	run -0 --separate-stderr "$SOCKX" udp-client -w 0.3 --retries 1 127.0.0.1 "$PORT" < <(printf 'a\n')
	[[ "$output" == "a" ]]
	[[ "$stderr" == "sockx: udp-client: no reply to #1 within 0.3 s: sending it again (retry 1 of 1)" ]]
	stop_all_bg
	start_peer peer2 drop-first
	run -0 --separate-stderr "$SOCKX" --json udp-client -w 0.3 --retries 1 127.0.0.1 "$PORT" < <(printf 'a\n')
	[[ -z "$stderr" ]]
	jq -se 'map(.event) == ["connected", "sent", "retry", "sent", "reply", "summary"]' <<<"$output"
	jq -se '.[2] | .seq == 1 and .tries == 1 and .wait_s == 0.3' <<<"$output"
	# -v: the connected and summary lines go to stderr, stdout keeps the replies alone
	stop_all_bg
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" -v udp-client 127.0.0.1 "$PORT" < <(printf 'b\n')
	[[ "$output" == "b" ]]
	[[ "$stderr" == *"sending to 127.0.0.1:$PORT from 127.0.0.1:"* ]]
	[[ "$stderr" == *"1 sent, 1 received, 0% loss, rtt min/avg/max = "* ]]
}

@test "udp-client: --hex shows a reply as a dump under its line; -q --hex dumps the bytes alone" {
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m AB --hex
	[[ "${lines[1]}" =~ ^reply\ #1:\ 2\ bytes,\ time=[0-9.]+\ ms:$ ]]
	[[ "${lines[2]}" == "00000000  41 42"* ]]
	[[ "${lines[3]}" == "1 sent, 1 received, 0% loss, rtt"* ]]
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" --size 3 --hex
	[[ "${lines[1]}" =~ ^reply\ #1:\ 3\ bytes,\ time=[0-9.]+\ ms:$ ]]
	[[ "${lines[2]}" == "00000000  "* ]]
	run -0 --separate-stderr "$SOCKX" -q udp-client 127.0.0.1 "$PORT" -m AB --hex
	[[ "$output" == "00000000  41 42"* && ${#lines[@]} -eq 1 ]]
}

@test "udp-client: bad inputs are usage errors (exit 2, one sockx: line)" {
	run -2 --separate-stderr "$SOCKX" udp-client -m a --size 3
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client --count 2
	one_error_line
	[[ "$stderr" == *"--count and --interval need -m or --size"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client -m a -w 0
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client -m a --retries -1
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client --size 1k
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client -m a --interval soon
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client 127.0.0.1 70000 -m a
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client 127.0.0.1 1 2 -m a
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-client -4 ::1 9 -m a
	one_error_line
	[[ -z "$output" ]]
}

@test "udp-client: control bytes and invalid UTF-8 of a reply are escaped; stdin mode and -q stay byte-exact" {
	start_server srv "$SOCKX" udp-server -p 0
	local msg=$'\e]0;pwned\a\e[2J\xff ok'
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m "$msg"
	[[ "$output" != *$'\e'* && "$output" != *$'\a'* && "$output" != *$'\xff'* ]]
	[[ "${lines[1]}" =~ ^reply\ #1:\ 18\ bytes,\ time=[0-9.]+\ ms:\ \\x1b\]0\;pwned\\x07\\x1b\[2J\\xff\ ok$ ]]
	"$SOCKX" -q udp-client 127.0.0.1 "$PORT" -m "$msg" >"$BATS_TEST_TMPDIR/q.out"
	cmp "$BATS_TEST_TMPDIR/q.out" <(printf '%s\n' "$msg")
	printf '%s\n' "$msg" | "$SOCKX" udp-client 127.0.0.1 "$PORT" >"$BATS_TEST_TMPDIR/lines.out"
	cmp "$BATS_TEST_TMPDIR/lines.out" <(printf '%s\n' "$msg")
}

@test "udp-client: SIGINT and SIGTERM end --count with the summary, exit 0 when every reply came" {
	start_peer peer echo
	local sig
	for sig in INT TERM; do
		start_bg "cl$sig" "$SOCKX" udp-client 127.0.0.1 "$PORT" -m hi --count 1000 --interval 0.2
		wait_line "$BATS_TEST_TMPDIR/cl$sig.out" '^reply #2: ' 5
		stop_bg "cl$sig" "$sig"
		assert_equal "$BG_RC" 0
		grep -qE '^[0-9]+ sent, [0-9]+ received, 0% loss, rtt min/avg/max = ' "$BATS_TEST_TMPDIR/cl$sig.out"
		[[ ! -s "$BATS_TEST_TMPDIR/cl$sig.err" ]]
	done
}

@test "udp-client: SIGINT with replies missing: the summary says so, exit 1; under --json the summary is the last event" {
	start_server srv "$SOCKX" udp-server -p 0 --mode discard
	start_bg cl "$SOCKX" udp-client 127.0.0.1 "$PORT" -m hi --count 1000 -w 0.2
	wait_line "$BATS_TEST_TMPDIR/cl.out" '^no reply to #2 ' 5
	stop_bg cl INT
	assert_equal "$BG_RC" 1
	grep -qE '^[0-9]+ sent, 0 received, 100% loss$' "$BATS_TEST_TMPDIR/cl.out"
	start_bg js "$SOCKX" --json udp-client 127.0.0.1 "$PORT" -m hi --count 1000 -w 0.2
	wait_line "$BATS_TEST_TMPDIR/js.out" '"event":"timeout".*"seq":2' 5
	stop_bg js INT
	assert_equal "$BG_RC" 1
	jq -se 'last | .event == "summary" and .received == 0 and .sent >= 2' "$BATS_TEST_TMPDIR/js.out"
}

@test "udp-client: no reply is a failure said on stderr, also when stdout goes nowhere" {
	start_server srv "$SOCKX" udp-server -p 0 --mode discard
	run -1 --separate-stderr bash -c '"$0" udp-client 127.0.0.1 "$1" -m hi -w 0.2 >/dev/null' "$SOCKX" "$PORT"
	assert_equal "$stderr" "sockx: udp-client: 1 of 1 requests got no reply"
	run -1 --separate-stderr "$SOCKX" -q udp-client 127.0.0.1 "$PORT" -m a -m b -w 0.2
	assert_equal "$stderr" "sockx: udp-client: 2 of 2 requests got no reply"
	assert_output ""
}

@test "udp-client: --send-only sends stdin's lines to a peer that never answers: at once, exit 0, nothing on stderr" {
	start_peer peer silent
	local t0=$EPOCHREALTIME ms i
	run -0 --separate-stderr timeout 5 "$SOCKX" udp-client --send-only 127.0.0.1 "$PORT" < <(printf 'a\nb\nc\n')
	ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	(( ms < 900 ))	# no wait for replies (-w is 1 s by default)
	assert_output ""
	assert_equal "$stderr" ""
	for ((i = 0; i < 250; i++)); do
		[[ $(grep -c '^got 1 ' "$BATS_TEST_TMPDIR/peer.out") -eq 3 ]] && break
		sleep 0.02
	done
	[[ $(grep -c '^got 1 ' "$BATS_TEST_TMPDIR/peer.out") -eq 3 ]]
	# -w 0 stays refused, as by tcp-client and unix, and names --send-only
	run -2 --separate-stderr "$SOCKX" udp-client -w 0 127.0.0.1 "$PORT"
	[[ "$stderr" == *"hint: to send without waiting for replies: --send-only"* ]]
}

@test "udp-client: --stdin raw sends a binary file byte-exact, a datagram per read of up to --size bytes" {
	start_peer peer echo
	head -c 3000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local sha
	sha=$(sha1sum "$BATS_TEST_TMPDIR/in" | cut -c1-8)
	timeout 10 "$SOCKX" udp-client --stdin raw 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	wait_line "$BATS_TEST_TMPDIR/peer.out" "^got 3000 $sha\$" 5
	# --size 1000: three datagrams of 1000 bytes, the last the file's last third
	timeout 10 "$SOCKX" udp-client --stdin raw --size 1000 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out2"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out2"
	wait_line "$BATS_TEST_TMPDIR/peer.out" "^got 1000 $(tail -c 1000 "$BATS_TEST_TMPDIR/in" | sha1sum | cut -c1-8)\$" 5
	[[ $(grep -c '^got 1000 ' "$BATS_TEST_TMPDIR/peer.out") -eq 3 ]]
	# and --send-only with it: the peer gets the bytes, nothing waits
	run -0 --separate-stderr timeout 5 "$SOCKX" udp-client --stdin raw --send-only 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in"
	assert_output ""
	# lines stay lines: --stdin lines is the default, said explicitly
	run -0 --separate-stderr "$SOCKX" udp-client --stdin lines 127.0.0.1 "$PORT" < <(printf 'x\ny')
	assert_output $'x\ny'
}

@test "udp-client: --stdin and --send-only are refused where they mean nothing" {
	run -2 --separate-stderr "$SOCKX" udp-client --stdin raw -m x
	[[ "$stderr" == *"cannot use -m with --stdin"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --send-only -m x
	[[ "$stderr" == *"cannot use -m with --send-only"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --stdin lines --size 10
	[[ "$stderr" == *"--size without --stdin raw sends a generated payload"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --stdin raw --size 0
	[[ "$stderr" == *"--stdin raw needs a --size of at least 1 byte"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --stdin raw --size 70000
	run -2 --separate-stderr "$SOCKX" udp-client --stdin bytes
	[[ "$stderr" == *"invalid --stdin 'bytes' (one of: lines, raw)"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --send-only --retries 2
	[[ -z "$output" ]]
}
