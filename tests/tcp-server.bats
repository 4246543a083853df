#!/usr/bin/env bats
# tcp-server against independent peers (python3, socat) and its own client.

load helpers/common
load helpers/net

PEER="$BATS_TEST_DIRNAME/helpers/peer.py"

teardown() {
	stop_all_bg
}

@test "tcp-server: the tutorial's exchange, a python3 client, --mode upper keeps UTF-8" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode upper
	run -0 python3 "$PEER" echo-client 127.0.0.1 "$PORT" '你好,服务器!' 'hello, Server 42'
	assert_line --index 0 '你好,服务器!'
	assert_line --index 1 'HELLO, SERVER 42'
}

@test "tcp-server: port 0 prints the kernel's port, and the line comes first" {
	start_server srv "$SOCKX" tcp-server -p 0
	[[ "$PORT" -gt 0 && "$PORT" -le 65535 ]]
	run -0 head -n 1 "$BATS_TEST_TMPDIR/srv.out"
	assert_output "listening on 127.0.0.1:$PORT"
}

@test "tcp-server: IPv6 with -6, a python3 client over ::1" {
	start_server srv "$SOCKX" -6 tcp-server -p 0 --mode upper
	grep -q '^listening on \[::1\]:' "$BATS_TEST_TMPDIR/srv.out"
	run -0 python3 "$PEER" echo-client ::1 "$PORT" 'six'
	assert_output 'SIX'
}

@test "tcp-server: -b :: takes IPv4-mapped clients; --v6only refuses them" {
	start_server srv "$SOCKX" tcp-server -b :: -p 0
	run -0 python3 "$PEER" echo-client 127.0.0.1 "$PORT" 'mapped'
	assert_output 'mapped'
	stop_bg srv
	start_server srv6 "$SOCKX" tcp-server -b :: -p 0 --v6only
	run -1 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m x
	[[ "$stderr" == *"Connection refused"* ]]
	run -0 python3 "$PEER" echo-client ::1 "$PORT" 'v6'
}

@test "tcp-server: 8 MiB of random bytes through the echo server, socat as the client" {
	need_cmd socat
	head -c 8388608 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_server srv "$SOCKX" tcp-server -p 0
	timeout 60 socat -t 30 -T 30 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "tcp-server: 200 concurrent clients, every echo checked byte for byte" {
	start_server srv "$SOCKX" -q tcp-server -p 0
	run -0 timeout 60 python3 "$PEER" many-clients "$PORT" 200 5
	assert_output "ok 200"
}

@test "tcp-server: --once serves one client, then exits 0 with a summary" {
	start_server srv "$SOCKX" tcp-server -p 0 --once
	run -0 "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m 'only one'
	wait_exit srv 5
	[[ $BG_RC -eq 0 ]]
	grep -q '^summary: 1 clients, 8 bytes in, 8 bytes out' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server: SIGTERM prints a summary and exits 0; SIGINT and SIGHUP too" {
	local sig
	for sig in TERM INT HUP; do
		start_server "s$sig" "$SOCKX" tcp-server -p 0
		"$SOCKX" -q tcp-client 127.0.0.1 "$PORT" -m abc -m defg >/dev/null
		stop_bg "s$sig" "$sig"
		[[ $BG_RC -eq 0 ]] || fail "SIG$sig: exit $BG_RC"
		grep -q '^summary: 1 clients, 7 bytes in, 7 bytes out$' "$BATS_TEST_TMPDIR/s$sig.out"
	done
}

@test "tcp-server: a client that resets mid-stream is logged, the server serves on" {
	start_server srv "$SOCKX" tcp-server -p 0
	python3 "$PEER" reset-client "$PORT"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^(reset|closed) 127\.0\.0\.1:'
	run -0 python3 "$PEER" echo-client 127.0.0.1 "$PORT" 'still here'
	assert_output 'still here'
	grep -q '^reset 127.0.0.1:.*connection reset by peer' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server: a client that never reads stops being read; memory stays bounded" {
	start_server srv "$SOCKX" tcp-server -p 0
	local pid=${BG_PID[srv]} rss
	# The non-reader writes for 2 s, then holds the connection open.
	coproc NR { python3 "$PEER" nonreader "$PORT" 2; }
	read -r -t 10 line <&"${NR[0]}"
	[[ "$line" == sent* ]]
	local sent=${line#sent }
	# Far more than a socket pair buffers would have been taken, had the
	# server kept reading; instead it took a few MiB and stopped.
	[[ $sent -lt 67108864 ]] || fail "server kept reading: $sent bytes"
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	[[ $rss -lt 65536 ]] || fail "server RSS $rss kB"
	run -0 python3 "$PEER" echo-client 127.0.0.1 "$PORT" 'others are served'
	eval "exec ${NR[1]}>&-"
	wait "$NR_PID" || true
}

@test "tcp-server: a half-closing client gets every echo, then EOF" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode upper
	run -0 python3 "$PEER" half-close "$PORT" 'all of it'
	assert_output 'ALL OF IT'
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed 127\.0\.0\.1:[0-9]+: 9 bytes in, 9 bytes out'
	grep -q '^eof 127.0.0.1:' "$BATS_TEST_TMPDIR/srv.out"
	grep -q '^shutdown 127.0.0.1:' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server: --mode discard reads and answers nothing" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode discard
	head -c 100000 /dev/zero | "$SOCKX" tcp-client 127.0.0.1 "$PORT" >"$BATS_TEST_TMPDIR/got"
	[[ ! -s "$BATS_TEST_TMPDIR/got" ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed .*: 100000 bytes in, 0 bytes out'
}

@test "tcp-server: --mode source sends the RFC 864 pattern" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode source
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" </dev/null | head -c 148 >"$BATS_TEST_TMPDIR/got" || true
	run -0 cat "$BATS_TEST_TMPDIR/got"
	assert_line --index 0 "$(printf '%s\r' ' !"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefg')"
	assert_line --index 1 "$(printf '%s\r' '!"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefgh')"
}

@test "tcp-server: --max-clients 1 makes the second client wait its turn" {
	start_server srv "$SOCKX" tcp-server -p 0 --max-clients 1
	coproc FIRST { python3 "$PEER" nonreader "$PORT" 0.1; }
	read -r -t 10 line <&"${FIRST[0]}"
	run -1 --separate-stderr "$SOCKX" tcp-client -w 0.5 127.0.0.1 "$PORT" -m waiting
	[[ "$stderr" == *"no complete reply"* ]]
	eval "exec ${FIRST[1]}>&-"
	wait "$FIRST_PID" || true
	run -0 "$SOCKX" tcp-client -w 5 127.0.0.1 "$PORT" -m served
}

@test "tcp-server: --idle-timeout closes a silent client" {
	start_server srv "$SOCKX" tcp-server -p 0 --idle-timeout 0.3
	# The client's stdin stays open: only the server's timeout ends this.
	run -0 --separate-stderr timeout 10 "$SOCKX" tcp-client 127.0.0.1 "$PORT" < <(sleep 1)
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^timeout 127\.0\.0\.1:[0-9]+ \(idle\)'
}

@test "tcp-server: an --idle-timeout out of range names the range in plain seconds" {
	run -2 --separate-stderr "$SOCKX" tcp-server -p 0 --idle-timeout 1e300
	[[ "$stderr" == "sockx: tcp-server: invalid --idle-timeout '1e300' (expected seconds, 0-31536000)" ]]
}

@test "tcp-server: an --idle-timeout of 25 days keeps a client (no int overflow)" {
	start_server srv "$SOCKX" tcp-server -p 0 --idle-timeout 2200000
	run -0 python3 "$PEER" echo-client 127.0.0.1 "$PORT" 'still here'
	assert_output 'still here'
	run -1 grep -q '(idle)' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server: an --idle-timeout under half a millisecond is not 'never'" {
	start_server srv "$SOCKX" tcp-server -p 0 --idle-timeout 0.0004
	run -0 --separate-stderr timeout 10 "$SOCKX" tcp-client 127.0.0.1 "$PORT" < <(sleep 3)
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^timeout 127\.0\.0\.1:[0-9]+ \(idle\)'
}

@test "tcp-server: out of file descriptors, it keeps its clients and accepts again later" {
	start_server srv bash -c "ulimit -n 16 && exec '$SOCKX' tcp-server -p 0"
	run -0 timeout 60 python3 "$PEER" hold "$PORT" 24
	assert_line "echoed 24"
	# Warned, but not once per retry (at most every 10 s).
	run -0 grep -c 'accept: Too many open files' "$BATS_TEST_TMPDIR/srv.err"
	[[ $output -ge 1 && $output -le 2 ]]
}

@test "tcp-server: --json events are one valid object per line" {
	start_server srv "$SOCKX" --json tcp-server -p 0 --once
	"$SOCKX" -q tcp-client 127.0.0.1 "$PORT" -m json >/dev/null
	wait_exit srv 5
	jq -e -s 'map(.event) == ["listening","accepted","eof","shutdown","closed","summary"]' "$BATS_TEST_TMPDIR/srv.out"
	jq -e -s '.[0].port > 0 and .[4].bytes_in == 4 and .[5].bytes_out == 4' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server: --json -v: the system calls are call events on stdout, among the server's own; stderr stays empty" {
	need_cmd jq
	start_server srv "$SOCKX" --json -v tcp-server -p 0 --once
	"$SOCKX" -q tcp-client 127.0.0.1 "$PORT" -m json >/dev/null
	wait_exit srv 5
	assert_equal "$BG_RC" 0
	jq -e -s 'map(select(.event != "call" and .event != "note") | .event) ==
		["listening","accepted","eof","shutdown","closed","summary"]' "$BATS_TEST_TMPDIR/srv.out"
	jq -e -s 'any(.[]; .event == "call" and .name == "accept4")' "$BATS_TEST_TMPDIR/srv.out"
	jq -e -s '.[-1].event == "summary"' "$BATS_TEST_TMPDIR/srv.out"
	[[ ! -s "$BATS_TEST_TMPDIR/srv.err" ]]
}

@test "tcp-server: a signal before any client still ends it with the summary (from the loop)" {
	start_server srv "$SOCKX" tcp-server -p 0
	stop_bg srv HUP
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_output "listening on 127.0.0.1:$PORT
summary: 0 clients, 0 bytes in, 0 bytes out"
}

@test "tcp-server: a port in use exits 1 and says so" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -1 --separate-stderr "$SOCKX" tcp-server -p "$PORT"
	[[ "$stderr" == *"bind 127.0.0.1:$PORT: Address already in use"* ]]
}

@test "tcp-server: binds loopback unless told otherwise" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 ss -Htln "sport = :$PORT"
	assert_output --partial "127.0.0.1:$PORT"
}

@test "tcp-server: a privileged port as nobody exits 4 with a hint naming CAP_NET_BIND_SERVICE and the sysctl" {
	local start low
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[[ $start -gt 1 ]] || skip "ip_unprivileged_port_start is $start: every port is unprivileged"
	low=$((start - 1))
	run -4 --separate-stderr as_nobody "$SOCKX" tcp-server -p "$low"
	assert_equal "${stderr_lines[0]}" "sockx: tcp-server: bind 127.0.0.1:$low: Permission denied"
	[[ "${stderr_lines[1]}" == "hint: ports below $start need root or CAP_NET_BIND_SERVICE"* ]]
	[[ "${stderr_lines[1]}" == *"net.ipv4.ip_unprivileged_port_start"* ]]
	# The client's source port (-s) is bound the same way, and named as such.
	run -4 --separate-stderr as_nobody "$SOCKX" tcp-client -s "127.0.0.1:$low" 127.0.0.1 9
	assert_equal "${stderr_lines[0]}" "sockx: tcp-client: bind 127.0.0.1:$low: Permission denied"
	[[ "${stderr_lines[1]}" == *"CAP_NET_BIND_SERVICE"*"ip_unprivileged_port_start"* ]]
}

@test "tcp-server: -l (nc's listen) is accepted and changes nothing" {
	start_server srv "$SOCKX" tcp-server -l -p 0 --once
	run -0 python3 "$PEER" echo-client 127.0.0.1 "$PORT" 'listen'
	assert_output 'listen'
	wait_exit srv 5
	assert_equal "$BG_RC" 0
}

@test "tcp-server: SIGTERM right after the listening line still gives the summary (signals are taken first)" {
	local i
	for i in 1 2 3 4 5; do
		start_server "srv$i" "$SOCKX" tcp-server -p 0
		stop_bg "srv$i"
		[[ $BG_RC -eq 0 ]]
		grep -q '^summary: 0 clients' "$BATS_TEST_TMPDIR/srv$i.out"
	done
}

@test "tcp-server: --backlog 0 is the tutorial's listen(0), and a backlog above somaxconn is capped (ss)" {
	need_cmd ss
	start_server srv "$SOCKX" -v tcp-server -p 0 --backlog 0
	run -0 ss -lntH "sport = :$PORT"
	[[ $(awk '{print $3}' <<<"$output") -eq 0 ]]	# a listener's Send-Q is its backlog
	run -0 "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi
	stop_bg srv
	start_server big "$SOCKX" -v tcp-server -p 0 --backlog 1000000
	run -0 ss -lntH "sport = :$PORT"
	[[ $(awk '{print $3}' <<<"$output") -eq $(cat /proc/sys/net/core/somaxconn) ]]
	grep -q "listen backlog 1000000: the kernel caps it at net.core.somaxconn, $(cat /proc/sys/net/core/somaxconn)" \
		"$BATS_TEST_TMPDIR/big.err"
}
