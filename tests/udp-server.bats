#!/usr/bin/env bats
# udp-server: echo/upper/discard, sizes up to the protocol maximum, batches,
# truncation, replies from the address asked, signals. Witness: python3.

load helpers/common
load helpers/net

NS=

teardown() {
	stop_all_bg
	if [[ -n "$NS" ]]; then
		ip netns del "$NS" 2>/dev/null || true
	fi
}

# echo_check FAMILY PORT SIZE...: a python3 client sends random datagrams of
# each SIZE and checks every reply byte for byte; prints "ok SIZE" each.
echo_check() {
	python3 - "$@" <<'EOF'
import os, socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
host = "::1" if sys.argv[1] == "6" else "127.0.0.1"
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((host, int(sys.argv[2])))
for n in map(int, sys.argv[3:]):
    data = os.urandom(n)
    s.send(data)
    got = s.recv(65536)
    if got != data:
        print("MISMATCH %d: got %d bytes" % (n, len(got)))
        sys.exit(1)
    print("ok %d" % n)
print("port %d" % s.getsockname()[1])
EOF
}

# send_only PORT SIZE...: sends datagrams, reads replies for 0.3 s; prints
# "reply N" for each reply that came.
send_only() {
	python3 - "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
for n in map(int, sys.argv[2:]):
    s.send(b"x" * n)
s.settimeout(0.3)
try:
    while True:
        print("reply %d" % len(s.recv(65536)))
except socket.timeout:
    pass
EOF
}

# One "sockx:" line on stderr: the contract of a usage error.
one_error_line() {
	[[ $(grep -c '^sockx: udp-server: ' <<<"$stderr") -eq 1 ]]
}

@test "udp-server: listening line first, port 0 picks a port" {
	start_server srv "$SOCKX" udp-server -p 0
	[[ "$PORT" -gt 0 ]]
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/srv.out") == "listening on 127.0.0.1:$PORT" ]]
}

@test "udp-server: echoes 1, 1400, 65000 and 65507 bytes over IPv4, byte for byte" {
	start_server srv "$SOCKX" udp-server -p 0
	run -0 echo_check 4 "$PORT" 1 1400 65000 65507
	[[ "$output" == *"ok 1"*"ok 1400"*"ok 65000"*"ok 65507"* ]]
	sport=$(sed -n 's/^port //p' <<<"$output")
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^from 127.0.0.1:$sport: 65507 bytes$"
	grep -qx "from 127.0.0.1:$sport: 1 byte" "$BATS_TEST_TMPDIR/srv.out"
	grep -qx "from 127.0.0.1:$sport: 1400 bytes" "$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: echoes 65000 and 65527 bytes over IPv6, byte for byte" {
	start_server srv "$SOCKX" udp-server -6 -p 0
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/srv.out") == "listening on [::1]:$PORT" ]]
	run -0 echo_check 6 "$PORT" 1 65000 65527
	[[ "$output" == *"ok 65000"*"ok 65527"* ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^from \[::1\]:[0-9]+: 65527 bytes$'
}

@test "udp-server: --mode upper upper-cases ASCII and leaves UTF-8 alone" {
	start_server srv "$SOCKX" udp-server -p 0 --mode upper
	run -0 python3 - "$PORT" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.send("hello, 服务器! ü".encode())
print(s.recv(65536).decode())
EOF
	[[ "$output" == "HELLO, 服务器! ü" ]]
}

@test "udp-server: --mode discard answers nothing and counts what came" {
	start_server srv "$SOCKX" udp-server -p 0 --mode discard
	run -0 send_only "$PORT" 10 20
	[[ "$output" == "" ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" ': 20 bytes$'
	stop_bg srv INT
	[[ "$BG_RC" -eq 0 ]]
	grep -qx 'summary: 2 datagrams, 30 bytes in, 0 bytes out' "$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: SIGINT, SIGTERM and SIGHUP print the summary and exit 0" {
	local sig
	for sig in INT TERM HUP; do
		start_server srv "$SOCKX" udp-server -p 0
		run -0 echo_check 4 "$PORT" 5 7
		stop_bg srv "$sig"
		[[ "$BG_RC" -eq 0 ]]
		grep -qx 'summary: 2 datagrams, 12 bytes in, 12 bytes out' "$BATS_TEST_TMPDIR/srv.out"
	done
}

@test "udp-server: --once serves one datagram and exits 0" {
	start_server srv "$SOCKX" udp-server -p 0 --once
	run -0 echo_check 4 "$PORT" 42
	wait_exit srv 5
	[[ "$BG_RC" -eq 0 ]]
	grep -qx 'summary: 1 datagrams, 42 bytes in, 42 bytes out' "$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: a datagram longer than --buffer is reported truncated, not echoed" {
	start_server srv "$SOCKX" udp-server -p 0 --buffer 100
	run -0 send_only "$PORT" 100 101 3000
	[[ "$output" == "reply 100" ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" ': 3000 bytes, truncated to 100'
	grep -qE ': 101 bytes, truncated to 100 .*not echoed$' "$BATS_TEST_TMPDIR/srv.out"
	grep -qE ': 100 bytes$' "$BATS_TEST_TMPDIR/srv.out"
	stop_bg srv TERM
	grep -qx 'summary: 3 datagrams, 3201 bytes in, 100 bytes out, 2 truncated' "$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: a burst is taken by one recvmmsg and answered by sendmmsg" {
	start_server srv "$SOCKX" -v udp-server -p 0
	kill -STOP "${BG_PID[srv]}"
	run -0 python3 - "$PORT" "${BG_PID[srv]}" <<'EOF'
import os, signal, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("127.0.0.1", int(sys.argv[1])))
sent = [("%03d" % i).encode() * 10 for i in range(40)]
for d in sent:
    s.send(d)
os.kill(int(sys.argv[2]), signal.SIGCONT)
got = [s.recv(65536) for _ in sent]
print("same" if sorted(got) == sorted(sent) else "differ")
EOF
	[[ "$output" == "same" ]]
	# the 40 queued datagrams came in far fewer than 40 calls
	grep -qE '^recvmmsg\([0-9]+, 64 msgs, MSG_WAITFORONE\|MSG_TRUNC\) = ([2-9]|[1-6][0-9])$' "$BATS_TEST_TMPDIR/srv.err"
	grep -qE '^sendmmsg\([0-9]+, ([2-9]|[1-6][0-9]) msgs, 0\) = ([2-9]|[1-6][0-9])$' "$BATS_TEST_TMPDIR/srv.err"
}

@test "udp-server: -q prints no line per datagram but still echoes" {
	start_server srv "$SOCKX" -q udp-server -p 0
	run -0 echo_check 4 "$PORT" 3 4
	stop_bg srv TERM
	[[ "$BG_RC" -eq 0 ]]
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	[[ "$output" == "listening on 127.0.0.1:$PORT" ]]
}

@test "udp-server: --json gives listening, received and summary events" {
	need_cmd jq
	start_bg srv "$SOCKX" --json udp-server -p 0
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"listening"'
	PORT=$(head -n 1 "$BATS_TEST_TMPDIR/srv.out" | jq -r .port)
	run -0 echo_check 4 "$PORT" 9
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"received"'
	stop_bg srv TERM
	jq -se 'map(select(.event == "received")) | length == 1 and
		(.[0] | .bytes == 9 and .truncated == false and (.peer | startswith("127.0.0.1:")))' \
		"$BATS_TEST_TMPDIR/srv.out"
	jq -se 'map(select(.event == "summary")) | length == 1 and
		(.[0] | .datagrams == 1 and .bytes_in == 9 and .bytes_out == 9)' \
		"$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: --json -q: -q thins out lines, not events (received events as without -q)" {
	need_cmd jq
	start_bg srv "$SOCKX" --json -q udp-server -p 0
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"listening"'
	PORT=$(head -n 1 "$BATS_TEST_TMPDIR/srv.out" | jq -r .port)
	run -0 echo_check 4 "$PORT" 5
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"received"'
	stop_bg srv TERM
	jq -se 'map(.event) == ["listening","received","summary"]' "$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: --mode print: the line of a cut datagram says so, and the summary counts it" {
	start_server srv "$SOCKX" udp-server -p 0 --mode print --buffer 4
	send_only "$PORT" 8 >/dev/null
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^from ' 5
	stop_bg srv TERM
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_line --index 1 --regexp '^from 127\.0\.0\.1:[0-9]+, 8 bytes \(cut to 4 by --buffer\): xxxx$'
	assert_line --index 2 'summary: 1 datagrams, 8 bytes in, 0 bytes out, 1 truncated'
}

# A private namespace, so a wildcard bind exposes nothing: lo with
# 127.0.0.0/8, ::1 and fd00::3.
make_ns() {
	skip_unless_root "network namespaces"
	NS=sockx-udp-$$-$BATS_TEST_NUMBER
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip -n "$NS" addr add fd00::3/128 dev lo nodad
}

# reply_source FAMILY BIND DST PORT: sends from BIND to DST:PORT on an
# unconnected socket, prints the source address of the reply.
reply_source() {
	ip netns exec "$NS" python3 - "$@" <<'EOF'
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(3)
s.bind((sys.argv[2], 0))
s.sendto(b"where from?", (sys.argv[3], int(sys.argv[4])))
data, addr = s.recvfrom(65536)
print(addr[0] if data == b"where from?" else "wrong data")
EOF
}

@test "udp-server: bound to 0.0.0.0, replies leave from the address asked (IP_PKTINFO)" {
	make_ns
	start_server srv ip netns exec "$NS" "$SOCKX" udp-server -b 0.0.0.0 -p 0
	run -0 reply_source 4 127.0.0.1 127.0.0.2 "$PORT"
	[[ "$output" == "127.0.0.2" ]]
	run -0 reply_source 4 127.0.0.1 127.0.0.9 "$PORT"
	[[ "$output" == "127.0.0.9" ]]
	grep -qE '^from 127.0.0.1:[0-9]+ to 127.0.0.9: 11 bytes$' "$BATS_TEST_TMPDIR/srv.out"
}

@test "udp-server: bound to ::, replies leave from the address asked (IPV6_PKTINFO, mapped IPv4)" {
	make_ns
	start_server srv ip netns exec "$NS" "$SOCKX" udp-server -b :: -p 0
	run -0 reply_source 6 ::1 fd00::3 "$PORT"
	[[ "$output" == "fd00::3" ]]
	run -0 reply_source 4 127.0.0.1 127.0.0.2 "$PORT"
	[[ "$output" == "127.0.0.2" ]]
}

@test "udp-server: a port in use is an error, exit 1" {
	run -0 python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	start_bg holder python3 -c "import socket, time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $output)); print('bound', flush=True); time.sleep(30)"
	wait_line "$BATS_TEST_TMPDIR/holder.out" '^bound$'
	run -1 --separate-stderr "$SOCKX" udp-server -p "$output"
	[[ "$stderr" == *"bind 127.0.0.1:"*"Address already in use"* ]]
}

@test "udp-server: bad inputs are usage errors (exit 2, one sockx: line)" {
	run -2 --separate-stderr "$SOCKX" udp-server --mode source
	one_error_line
	[[ "$stderr" == *"invalid mode 'source'"* ]]
	run -2 --separate-stderr "$SOCKX" udp-server -p 70000
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-server --buffer 0
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-server --buffer 65537
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-server -p 0 extra
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-server -b 127.0.0.1 --v6only
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-server -6 -b 127.0.0.1
	one_error_line
	run -2 --separate-stderr "$SOCKX" udp-server --bogus
	one_error_line
	[[ -z "$output" ]]
}

@test "udp-server: a privileged port as nobody exits 4 with a hint naming CAP_NET_BIND_SERVICE and the sysctl" {
	local start low
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[[ $start -gt 1 ]] || skip "ip_unprivileged_port_start is $start: every port is unprivileged"
	low=$((start - 1))
	run -4 --separate-stderr as_nobody "$SOCKX" -6 udp-server -p "$low"
	assert_equal "${stderr_lines[0]}" "sockx: udp-server: bind [::1]:$low: Permission denied"
	[[ "${stderr_lines[1]}" == "hint: ports below $start need root or CAP_NET_BIND_SERVICE"* ]]
	[[ "${stderr_lines[1]}" == *"net.ipv4.ip_unprivileged_port_start"* ]]
}

@test "udp-server: -l (nc's listen) is accepted and changes nothing" {
	start_server srv "$SOCKX" udp-server -l -p 0 --once
	run -0 "$SOCKX" -q udp-client 127.0.0.1 "$PORT" -m listen
	assert_output 'listen'
	wait_exit srv 5
	assert_equal "$BG_RC" 0
}
