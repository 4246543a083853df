#!/usr/bin/env bats
# tcp-client against independent servers (python3, socat) and sockx's own.

load helpers/common
load helpers/net

PEER="$BATS_TEST_DIRNAME/helpers/peer.py"

teardown() {
	stop_all_bg
}

@test "tcp-client: the tutorial's message to a python3 upper-case server" {
	start_server py python3 "$PEER" upper-server
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m '你好,服务器!' -m 'abc'
	assert_line --index 0 --regexp "^connected to 127.0.0.1:$PORT from 127.0.0.1:[0-9]+$"
	assert_line --partial 'reply 17 bytes, time='
	assert_line --regexp '^reply 17 bytes, time=[0-9.]+ ms: 你好,服务器!$'
	assert_line --regexp '^reply 3 bytes, time=[0-9.]+ ms: ABC$'
}

@test "tcp-client: address forms: HOST PORT, HOST:PORT, [v6]:PORT" {
	start_server s4 "$SOCKX" tcp-server -p 0
	local p4=$PORT
	start_server s6 "$SOCKX" -6 tcp-server -p 0
	run -0 "$SOCKX" -q tcp-client 127.0.0.1 "$p4" -m a
	assert_output a
	run -0 "$SOCKX" -q tcp-client "127.0.0.1:$p4" -m b
	assert_output b
	run -0 "$SOCKX" -q tcp-client "[::1]:$PORT" -m c
	assert_output c
	run -0 "$SOCKX" -q tcp-client ::1 "$PORT" -m d
	assert_output d
}

@test "tcp-client: a refused connection exits 1 and says why" {
	run -1 --separate-stderr "$SOCKX" tcp-client -w 2 127.0.0.1 "$(closed_port)" -m x
	[[ "$stderr" == "sockx: tcp-client: connect 127.0.0.1:"*": Connection refused" ]]
}

@test "tcp-client: netcat mode moves 8 MiB both ways intact, socat as the echo server" {
	need_cmd socat
	head -c 8388608 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_bg socat socat -d -d TCP-LISTEN:0,bind=127.0.0.1,reuseaddr EXEC:cat
	wait_line "$BATS_TEST_TMPDIR/socat.err" 'listening on'
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/socat.err" | head -n 1)
	timeout 60 "$SOCKX" tcp-client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "tcp-client: netcat mode through sockx's own server, 8 MiB, and a pipe" {
	head -c 8388608 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_server srv "$SOCKX" -q tcp-server -p 0
	timeout 60 "$SOCKX" tcp-client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	run -0 bash -c "printf 'hi' | '$SOCKX' tcp-client -p 0 127.0.0.1 $PORT 2>/dev/null || printf 'hi' | '$SOCKX' tcp-client 127.0.0.1 $PORT"
	assert_output hi
}

@test "tcp-client: at the end of stdin it half-closes and still reads the peer's answer" {
	# The python server answers only after our EOF, then closes.
	start_bg py python3 -c '
import socket
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept(); c.settimeout(10); got = b""
while True:
    d = c.recv(4096)
    if not d: break
    got += d
c.sendall(b"after EOF: %d bytes" % len(got)); c.close()'
	wait_line "$BATS_TEST_TMPDIR/py.out" '^listening on '
	PORT=$(port_of py)
	run -0 --separate-stderr bash -c "printf 'twelve bytes' | '$SOCKX' -v tcp-client 127.0.0.1 $PORT"
	assert_output 'after EOF: 12 bytes'
	[[ "$stderr" =~ shutdown\([0-9]+,\ SHUT_WR\)\ =\ 0 ]]
	[[ "$stderr" == *"eof: the peer shut its write side"* ]]
}

@test "tcp-client: bytes after the replies, in several reads without a newline, stay one line" {
	# The python server echoes, then after our FIN sends "ab", waits, "cd".
	start_bg py python3 -c '
import socket, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept(); c.settimeout(10)
c.sendall(c.recv(16)); c.recv(16)
c.sendall(b"ab"); time.sleep(0.2); c.sendall(b"c\x01d"); c.close()'
	wait_line "$BATS_TEST_TMPDIR/py.out" '^listening on '
	PORT=$(port_of py)
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m x
	assert_line --index 4 'abc\x01d'
	assert_line --index 5 'eof: the peer closed'
}

@test "tcp-client: -v traces each system call" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" -v tcp-client 127.0.0.1 "$PORT" -m hey
	local fd
	fd=$(sed -n 's/^socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, IPPROTO_TCP) = \([0-9]*\)$/\1/p' <<<"$stderr")
	[[ -n "$fd" ]] || fail "no socket() line: $stderr"
	[[ "$stderr" == *"connect($fd, 127.0.0.1:$PORT) = -1 EINPROGRESS (Operation now in progress)"* ]]
	[[ "$stderr" == *"connect($fd, 127.0.0.1:$PORT: completed) = 0"* ]]
	[[ "$stderr" == *"send($fd, 3 bytes, MSG_NOSIGNAL) = 3"* ]]
	[[ "$stderr" == *"close($fd) = 0"* ]]
	run -1 --separate-stderr "$SOCKX" -v tcp-client 127.0.0.1 "$(closed_port)" -m x
	[[ "$stderr" == *"= -1 ECONNREFUSED (Connection refused)"* ]]
	run -0 --separate-stderr "$SOCKX" -vv tcp-client 127.0.0.1 "$PORT" -m hey
	[[ "$stderr" =~ getsockname\([0-9]+\ -\>\ 127\.0\.0\.1:[0-9]+\)\ =\ 0 ]]
}

@test "tcp-client: --count and --interval repeat the messages with an RTT summary" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m one -m two --count 3 --interval 0.05
	[[ $(grep -c '^reply ' <<<"$output") -eq 6 ]]
	assert_line --regexp '^6 sent, 6 replies, rtt min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms$'
}

@test "tcp-client: -w gives up on a server that does not answer, exit 1" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode discard
	local t0=$SECONDS
	run -1 --separate-stderr "$SOCKX" tcp-client -w 0.5 127.0.0.1 "$PORT" -m 'no echo'
	[[ "$stderr" == *"no complete reply: 0 of 7 bytes after 0.5 s of silence"* ]]
	(( SECONDS - t0 < 4 ))
}

@test "tcp-client: -s binds the source address" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 "$SOCKX" tcp-client -s 127.0.0.2 127.0.0.1 "$PORT" -m src
	assert_line --index 0 --regexp "^connected to 127.0.0.1:$PORT from 127.0.0.2:[0-9]+$"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^accepted 127\.0\.0\.2:'
}

@test "tcp-client: a failed -s bind names the source address, not the peer" {
	# 192.0.2.1 (TEST-NET-1) is no address of this host: bind fails, nothing is sent
	run -1 --separate-stderr "$SOCKX" tcp-client -s 192.0.2.1 127.0.0.1 1 -m x
	[[ "$stderr" == *"bind 192.0.2.1:0: Cannot assign requested address"* ]]
	[[ "$stderr" != *"127.0.0.1"* ]]
}

@test "tcp-client: --hex shows the reply as a hex dump" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 "$SOCKX" -q tcp-client --hex 127.0.0.1 "$PORT" -m 'AB'
	assert_output '00000000  41 42                                             |AB|'
}

@test "tcp-client: --json events tell the life of the connection" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode upper
	run -0 "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m '你好'
	echo "$output" | jq -e -s 'map(.event) == ["connected","sent","reply","shutdown","eof","closed"]'
	echo "$output" | jq -e -s '.[2].data == "你好" and .[2].bytes == 6 and .[2].rtt_ms >= 0'
}

@test "tcp-client: --json escapes control bytes and invalid UTF-8" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 bash -c "printf 'a\x01\"\\\\\xff\xc3\x28z' | '$SOCKX' --json tcp-client 127.0.0.1 $PORT"
	echo "$output" | jq -e -s '[.[] | select(.event == "received") | .data] | join("") == "a\u0001\"\\\ufffd\ufffd(z"'
}

@test "tcp-client: control bytes and invalid UTF-8 of a reply are escaped; -q stays byte-exact" {
	start_server srv "$SOCKX" tcp-server -p 0
	local msg=$'\e]0;pwned\a\e[2J\xff\xc2\x9b ok 你好'
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$msg"
	[[ "$output" != *$'\e'* && "$output" != *$'\a'* && "$output" != *$'\xff'* ]]
	assert_line --regexp '^reply 27 bytes, time=[0-9.]+ ms: \\x1b\]0;pwned\\x07\\x1b\[2J\\xff\\xc2\\x9b ok 你好$'
	assert_line 'sent 27 bytes: \x1b]0;pwned\x07\x1b[2J\xff\xc2\x9b ok 你好'
	# A reply that forges a line of its own shows it as one line.
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m $'x\nconnected to 10.0.0.1:1\n'
	assert_line --regexp '^reply 26 bytes, time=[0-9.]+ ms: x\\nconnected to 10.0.0.1:1$'
	refute_line --regexp '^connected to 10'
	"$SOCKX" -q tcp-client 127.0.0.1 "$PORT" -m "$msg" >"$BATS_TEST_TMPDIR/q.out"
	cmp "$BATS_TEST_TMPDIR/q.out" <(printf '%s\n' "$msg")
}

@test "tcp-client: -m: every byte the peer sends after our FIN is read and shown, then closed" {
	# The peer echoes "hi", waits for our FIN, then sends 600000 bytes.
	start_server py python3 "$PEER" after-fin-server 600000
	run -0 --separate-stderr timeout 20 "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi
	[[ $(tr -cd x <<<"$output" | wc -c) -eq 600000 ]]
	assert_line --index 1 'sent 2 bytes: hi'
	assert_line --regexp '^reply 2 bytes, time=[0-9.]+ ms: hi$'
	assert_line 'eof: the peer closed'
	[[ "${lines[-1]}" == closed ]]	# a line of its own, not glued to the data
	start_server py2 python3 "$PEER" after-fin-server 600000
	timeout 20 "$SOCKX" -q tcp-client 127.0.0.1 "$PORT" -m hi >"$BATS_TEST_TMPDIR/q"
	[[ $(wc -c <"$BATS_TEST_TMPDIR/q") -eq 600003 ]]	# "hi\n", then the bytes exactly
}

@test "tcp-client: -m --verify: the bytes after our FIN are all read, the wire agrees" {
	skip_unless_root
	start_server py python3 "$PEER" after-fin-server 600000
	run -0 --separate-stderr timeout 30 "$SOCKX" -q tcp-client --verify 127.0.0.1 "$PORT" -m hi
	[[ $(tr -cd x <<<"$output" | wc -c) -eq 600000 ]]
}

@test "tcp-client: -m: a peer that never closes after our FIN: it says it stopped, exit 1" {
	start_server py python3 "$PEER" send-hold 300000
	run -1 --separate-stderr timeout 20 "$SOCKX" -q tcp-client -w 0.5 127.0.0.1 "$PORT" -m hi
	[[ "$stderr" == *"stopped reading: the peer did not close within 0.5 s of silence"* ]]
}

@test "tcp-client: a 16 MiB --message-file to sockx's own echo server: no deadlock" {
	head -c 16777216 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	start_server srv "$SOCKX" -q tcp-server -p 0
	timeout 60 "$SOCKX" -q tcp-client -w 10 127.0.0.1 "$PORT" --message-file "$BATS_TEST_TMPDIR/big" \
		>"$BATS_TEST_TMPDIR/out"
	head -c 16777216 "$BATS_TEST_TMPDIR/out" | cmp - "$BATS_TEST_TMPDIR/big"
}

@test "tcp-client: a peer that never reads a 16 MiB message: -w 1 ends the send, exit 1" {
	head -c 16777216 /dev/zero >"$BATS_TEST_TMPDIR/big"
	start_server py python3 "$PEER" sink-server
	local t0=$SECONDS
	run -1 --separate-stderr timeout 20 "$SOCKX" tcp-client -w 1 127.0.0.1 "$PORT" \
		--message-file "$BATS_TEST_TMPDIR/big"
	[[ "$stderr" == *"send stalled: "*" of 16777216 bytes sent, then the peer took none for 1.0 s (-w)"* ]]
	(( SECONDS - t0 < 10 ))
}

@test "tcp-client: -m with stdout a closed pipe: it says so on stderr, exit 1" {
	start_server srv "$SOCKX" tcp-server -p 0
	# stdout: a pipe whose reader is gone before sockx starts.
	run -0 python3 -c '
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, timeout=20)
print(p.returncode); sys.stdout.write(p.stderr.decode())' "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi -m there
	assert_line --index 0 1
	assert_line --index 1 'sockx: tcp-client: cannot write to stdout: Broken pipe'
	[[ ${#lines[@]} -eq 2 ]]
}

@test "tcp-client: SIGINT and SIGTERM end -m --count with the summary, exit 0 when every reply came" {
	start_server srv "$SOCKX" tcp-server -p 0
	local sig
	for sig in INT TERM; do
		start_bg "cl$sig" "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi --count 1000 --interval 0.2
		wait_line "$BATS_TEST_TMPDIR/cl$sig.out" '^reply 2 bytes' 5
		stop_bg "cl$sig" "$sig"
		assert_equal "$BG_RC" 0
		grep -qE '^[0-9]+ sent, [0-9]+ replies, rtt min/avg/max = ' "$BATS_TEST_TMPDIR/cl$sig.out"
		[[ ! -s "$BATS_TEST_TMPDIR/cl$sig.err" ]]
	done
}

@test "tcp-client: SIGINT while a reply is missing: the summary, exit 1" {
	# a python3 peer that reads and never answers
	start_bg py python3 -c '
import socket
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept(); c.settimeout(10)
while c.recv(4096): pass'
	wait_line "$BATS_TEST_TMPDIR/py.out" '^listening on '
	PORT=$(port_of py)
	start_bg cl "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi --count 3 -w 20
	wait_line "$BATS_TEST_TMPDIR/cl.out" '^sent 2 bytes' 5
	stop_bg cl INT
	assert_equal "$BG_RC" 1
	grep -qx '1 sent, 0 replies, rtt min/avg/max = 0.000/0.000/0.000 ms' "$BATS_TEST_TMPDIR/cl.out"
	grep -qx 'sockx: tcp-client: stopped by Interrupt: 1 of 1 replies missing' "$BATS_TEST_TMPDIR/cl.err"
}

@test "tcp-client: --json -v puts the system calls among the events on stdout, in order; stderr stays empty" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" --json -v tcp-client 127.0.0.1 "$PORT" -m hey
	[[ -z "$stderr" ]]
	# the connection's own events, as without -v, and a call before each step
	echo "$output" | jq -e -s 'map(select(.event != "call")) | map(.event) ==
		["connected","sent","reply","shutdown","eof","closed"]'
	echo "$output" | jq -e -s '(map(.event == "call" and .name == "send") | index(true)) <
		(map(.event == "sent") | index(true))'
	echo "$output" | jq -e -s 'map(select(.event == "call")) | map(.name) | index("close") != null'
}

@test "tcp-client: netcat mode says its life on stderr under -v (also with -q), with the bytes so far; stdout is the data only" {
	start_server srv "$SOCKX" tcp-server -p 0
	local v
	for v in -v "-q -v"; do
		# shellcheck disable=SC2086 # the options' words
		run -0 --separate-stderr bash -c "printf 'abc' | '$SOCKX' $v tcp-client 127.0.0.1 $PORT"
		assert_output abc
		[[ "$stderr" == *"connected to 127.0.0.1:$PORT from 127.0.0.1:"* ]]
		[[ "$stderr" == *"shutdown: stdin ended, our write side closed: 3 bytes sent, 0 received"* ]]
		[[ "$stderr" == *"closed: 3 bytes sent, 3 received"* ]]
	done
	run -0 --separate-stderr bash -c "printf 'abc' | '$SOCKX' --json tcp-client 127.0.0.1 $PORT"
	# the echo may come before or after our shutdown
	echo "$output" | jq -e -s 'map(.event) | .[0] == "connected" and .[-1] == "closed" and
		sort == ["closed","connected","eof","received","shutdown"]'
	echo "$output" | jq -e -s '.[-1].bytes_sent == 3 and .[-1].bytes_received == 3 and
		(map(select(.event == "received")) | .[0].data == "abc")'
}
