#!/usr/bin/env bats
# The listen-and-print servers: --mode print (tcp-server, unix -l, udp-server)
# and --mode stdio (nc -l: tcp-server, unix -l), against independent peers
# (python3, socat): attribution, escaping, byte-exact -q and stdio,
# half-close both ways, signals.

load helpers/common
load helpers/net
load helpers/unix

PEER="$BATS_TEST_DIRNAME/helpers/peer.py"

teardown() {
	stop_all_bg
}

# stdin_fifo: a FIFO for a server's stdin, open for writing on fd $W (and
# read-write, so opening it never waits). Whatever else holds $W keeps
# that stdin open: commands started meanwhile close it (nofifo).
stdin_fifo() {
	FIFO=$BATS_TEST_TMPDIR/fifo
	mkfifo "$FIFO"
	exec {W}<>"$FIFO"
}

# nofifo CMD...: for start_bg: CMD, and the background shell that waits
# for it, without the FIFO's writer ($W) open.
nofifo() {
	exec {W}>&-
	"$@"
}

@test "tcp-server --mode print: several clients at once, each chunk attributed, control bytes escaped" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode print
	run -0 timeout 20 python3 "$PEER" print-clients "$PORT" 4 "$BATS_TEST_TMPDIR/want"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed .*' 5
	for _ in $(seq 250); do
		[[ $(grep -c '^closed ' "$BATS_TEST_TMPDIR/srv.out") -eq 4 ]] && break
		sleep 0.02
	done
	run -0 python3 "$PEER" print-check "$BATS_TEST_TMPDIR/srv.out" "$BATS_TEST_TMPDIR/want"
	assert_output "ok 4"
	# Nothing a client sent reaches the terminal raw, and no byte went back.
	run -1 grep -c $'\x1b' "$BATS_TEST_TMPDIR/srv.out"	# no line: exit 1, count 0
	assert_output 0
	grep -q '^from 127.0.0.1:[0-9]* (fd [0-9]*), 12 bytes: c0-0 \\x1b\[2J \\xff$' "$BATS_TEST_TMPDIR/srv.out"
	stop_bg srv INT
	assert_equal "$BG_RC" 0
	run -0 tail -n 1 "$BATS_TEST_TMPDIR/srv.out"
	assert_output "summary: 4 clients, 144 bytes in, 0 bytes out"
}

@test "tcp-server --mode print -q: stdout is the bytes only, byte-exact (3 MiB from socat); listening on stderr" {
	need_cmd socat
	head -c 3145728 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_server_err srv "$SOCKX" -q tcp-server -p 0 --mode print
	timeout 30 socat -t 10 -u - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/in"
	for _ in $(seq 500); do
		[[ $(stat -c %s "$BATS_TEST_TMPDIR/srv.out") -ge 3145728 ]] && break
		sleep 0.02
	done
	stop_bg srv TERM
	assert_equal "$BG_RC" 0
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/srv.out"
	run -0 cat "$BATS_TEST_TMPDIR/srv.err"
	assert_output "listening on 127.0.0.1:$PORT"
}

@test "tcp-server --mode print -q: when the reader of stdout leaves (| head), the server says so and ends, exit 1" {
	need_cmd socat
	start_server_err srv bash -c "'$SOCKX' -q tcp-server -p 0 --mode print | head -c 5; exit \${PIPESTATUS[0]}"
	head -c 1000000 /dev/zero | tr '\0' a | timeout 10 socat -u - "TCP:127.0.0.1:$PORT" || true
	wait_exit srv 5
	assert_equal "$BG_RC" 1	# as tcp-client's netcat mode: what clients still send is lost
	grep -q '^sockx: tcp-server: cannot write to stdout: Broken pipe$' "$BATS_TEST_TMPDIR/srv.err"
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_output aaaaa
}

@test "tcp-server --mode print: a client that never reads does not stall the others" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode print
	coproc SILENT { timeout 20 python3 "$PEER" silent-sender "$PORT" 4194304; }
	read -r -t 15 line <&"${SILENT[0]}"
	assert_equal "$line" "sent"
	# While it holds its connection (and reads nothing), another is served.
	printf 'still here\n' | timeout 10 socat -u - "TCP:127.0.0.1:$PORT"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^from 127\.0\.0\.1:[0-9]+ \(fd [0-9]+\), 11 bytes: still here$' 5
	exec {SILENT[1]}>&-
	wait "$SILENT_PID" || true
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed .*: 4194304 bytes in, 0 bytes out' 10
	stop_bg srv TERM
	assert_equal "$BG_RC" 0
	grep -q '^summary: 2 clients, 4194315 bytes in, 0 bytes out$' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server --mode print --json: a received event per read, with peer, fd and data" {
	start_server srv "$SOCKX" --json tcp-server -p 0 --mode print --once
	printf 'j\x01\n' | timeout 10 socat -u - "TCP:127.0.0.1:$PORT"
	wait_exit srv 5
	assert_equal "$BG_RC" 0
	jq -e -s 'map(.event) == ["listening","accepted","received","eof","shutdown","closed","summary"]' "$BATS_TEST_TMPDIR/srv.out"
	jq -e -s '.[2].bytes == 3 and .[2].data == "j\u0001\n" and (.[2].peer | startswith("127.0.0.1:")) and .[2].fd == .[1].fd' "$BATS_TEST_TMPDIR/srv.out"
}

@test "tcp-server --mode stdio: 4 MiB each way at once, byte-exact, socat as the client; --once exits 0" {
	need_cmd socat
	head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/to-client"
	head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/to-server"
	start_server_err srv bash -c "exec '$SOCKX' tcp-server -p 0 --mode stdio --once <'$BATS_TEST_TMPDIR/to-client'"
	timeout 60 socat -t 30 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/to-server" >"$BATS_TEST_TMPDIR/got"
	wait_exit srv 10
	assert_equal "$BG_RC" 0
	cmp "$BATS_TEST_TMPDIR/to-server" "$BATS_TEST_TMPDIR/srv.out"
	cmp "$BATS_TEST_TMPDIR/to-client" "$BATS_TEST_TMPDIR/got"
	run -0 cat "$BATS_TEST_TMPDIR/srv.err"
	assert_line --index 0 "listening on 127.0.0.1:$PORT"
	assert_line --index 1 "summary: 1 clients, 4194304 bytes in, 4194304 bytes out"
}

@test "tcp-server --mode stdio: stdin ends first: the server half-closes and still reads the client" {
	printf 'from server' >"$BATS_TEST_TMPDIR/stdin"
	start_server_err srv bash -c "exec '$SOCKX' tcp-server -p 0 --mode stdio --once <'$BATS_TEST_TMPDIR/stdin'"
	run -0 timeout 20 python3 "$PEER" stdio-peer "$PORT" server-first 'from client'
	assert_output 'from server'
	wait_exit srv 5
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_output 'from client'
}

@test "tcp-server --mode stdio: the client half-closes first: stdin (a pipe) is still delivered" {
	stdin_fifo
	start_server_err srv nofifo bash -c "exec '$SOCKX' tcp-server -p 0 --mode stdio --once <'$FIFO'"
	start_bg cl nofifo timeout 20 python3 "$PEER" stdio-peer "$PORT" client-first 'client done'
	# The client's bytes and its EOF arrive while stdin is still open.
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^client done$' 5
	kill -0 "${BG_PID[srv]}"
	printf 'late answer' >&"$W"
	exec {W}>&-
	wait_exit cl 10
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/cl.out"
	assert_output 'late answer'
	wait_exit srv 5
	assert_equal "$BG_RC" 0
}

@test "tcp-server --mode stdio: clients one after another; SIGINT mid-client prints the summary and exits 0" {
	need_cmd socat
	start_server_err srv "$SOCKX" tcp-server -p 0 --mode stdio </dev/null
	printf 'first\n' | timeout 10 socat -u - "TCP:127.0.0.1:$PORT"
	# The next one is served once the first is done; it stays connected.
	start_bg cl2 bash -c "(printf 'second\n'; sleep 20) | timeout 20 socat -u - 'TCP:127.0.0.1:$PORT'"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^second$' 5
	stop_bg srv INT
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_output $'first\nsecond'
	run -0 cat "$BATS_TEST_TMPDIR/srv.err"
	assert_line --index 0 "listening on 127.0.0.1:$PORT"
	assert_line --index 1 "summary: 2 clients, 13 bytes in, 0 bytes out"
}

@test "tcp-server --mode stdio: --idle-timeout closes a silent client and names itself; --once then exits 1" {
	need_cmd socat
	start_server_err srv "$SOCKX" tcp-server -p 0 --mode stdio --once --idle-timeout 0.3 </dev/null
	start_bg cl bash -c "sleep 10 | timeout 10 socat -u - 'TCP:127.0.0.1:$PORT'"
	wait_exit srv 5
	assert_equal "$BG_RC" 1
	run -0 cat "$BATS_TEST_TMPDIR/srv.err"
	assert_line --index 1 "sockx: tcp-server: no data either way for 0.3 s (--idle-timeout)"
	assert_line --index 2 "summary: 1 clients, 0 bytes in, 0 bytes out"
}

@test "tcp-server --mode stdio: the accepted line is a -v line on stderr; --json keeps it an event on stdout" {
	need_cmd socat
	start_server_err srv "$SOCKX" -v tcp-server -p 0 --mode stdio --once </dev/null
	printf 'one\n' | timeout 10 socat -u - "TCP:127.0.0.1:$PORT"
	wait_exit srv 5
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_output 'one'
	grep -q '^accepted 127\.0\.0\.1:[0-9]*$' "$BATS_TEST_TMPDIR/srv.err"
	grep -q '^summary: 1 clients, 4 bytes in, 0 bytes out$' "$BATS_TEST_TMPDIR/srv.err"
	# without -v: listening and the summary only
	start_server_err q "$SOCKX" tcp-server -p 0 --mode stdio --once </dev/null
	printf 'two\n' | timeout 10 socat -u - "TCP:127.0.0.1:$PORT"
	wait_exit q 5
	run -0 cat "$BATS_TEST_TMPDIR/q.err"
	assert_output "listening on 127.0.0.1:$PORT
summary: 1 clients, 4 bytes in, 0 bytes out"
	need_cmd jq
	start_server j "$SOCKX" --json tcp-server -p 0 --mode stdio --once </dev/null
	printf 'three\n' | timeout 10 socat -u - "TCP:127.0.0.1:$PORT"
	wait_exit j 5
	jq -e -s 'map(.event) | .[0] == "listening" and .[1] == "accepted" and .[-1] == "summary"' "$BATS_TEST_TMPDIR/j.out"
}

@test "tcp-server --mode stdio: usage errors" {
	run -2 --separate-stderr "$SOCKX" tcp-server -p 0 --mode stdio --max-clients 2
	[[ "$stderr" == *"--max-clients does not go with --mode stdio"* ]]
}

@test "unix -l --mode print: several clients at once, each attributed by its bound name" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --mode print "$ADDR"
	run -0 timeout 20 python3 "$PEER" print-clients "$ADDR" 3 "$BATS_TEST_TMPDIR/want"
	for _ in $(seq 250); do
		[[ $(grep -c '^closed ' "$BATS_TEST_TMPDIR/srv.out") -eq 3 ]] && break
		sleep 0.02
	done
	stop_bg srv TERM
	assert_equal "$BG_RC" 0
	run -0 python3 "$PEER" print-check "$BATS_TEST_TMPDIR/srv.out" "$BATS_TEST_TMPDIR/want"
	assert_output "ok 3"
	run -0 tail -n 1 "$BATS_TEST_TMPDIR/srv.out"
	assert_output "summary: 3 clients, 108 bytes in, 0 bytes out"
}

@test "unix -l --mode print -q: byte-exact from socat; --dgram prints each datagram" {
	need_cmd socat
	ADDR=$(fresh_name)
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_server_err srv "$SOCKX" -q unix -l --mode print --once "$ADDR"
	timeout 30 socat -u - "ABSTRACT-CONNECT:${ADDR#@}" <"$BATS_TEST_TMPDIR/in"
	wait_exit srv 5
	assert_equal "$BG_RC" 0
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/srv.out"
	ADDR=$(fresh_name d)
	start_unix dg unix -l --dgram --mode print "$ADDR"
	py 's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("\0" + A[1:] + "-c")
s.sendto(b"dg\x07\n", A); s.sendto(b"two", A)'
	wait_line "$BATS_TEST_TMPDIR/dg.out" "^from $ADDR-c, 3 bytes: two\$" 5
	# A sender that did not bind is unnamed, and says so.
	py 's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"anon", A)'
	wait_line "$BATS_TEST_TMPDIR/dg.out" '^from \(unnamed\), 4 bytes: anon$' 5
	stop_bg dg TERM
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/dg.out"
	assert_line --index 1 "from $ADDR-c, 4 bytes: dg\\x07"
	assert_line --index 4 "summary: 3 datagrams, 11 bytes in, 0 bytes out"
}

@test "unix -l --dgram --json: a cut datagram's received event has kept before truncated (docs/json.md), and a warning" {
	need_cmd jq
	ADDR=$(fresh_name)
	start_unix srv --json unix -l --dgram --recv-size 4 --mode print "$ADDR"
	py 's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("\0" + A[1:] + "-c")
s.sendto(b"abcdefgh", A); s.sendto(b"ab", A)'
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"bytes":2,' 5
	stop_bg srv TERM
	assert_equal "$BG_RC" 0
	grep -q '^{"event":"received","t":[0-9.]*,"from":"'"$ADDR"'-c","bytes":8,"kept":4,"truncated":true,"data":"abcd"}$' "$BATS_TEST_TMPDIR/srv.out"
	grep -q '^{"event":"received","t":[0-9.]*,"from":"'"$ADDR"'-c","bytes":2,"truncated":false,"data":"ab"}$' "$BATS_TEST_TMPDIR/srv.out"
	jq -e -s '.[-1] | .event == "summary" and .datagrams == 2 and .bytes_in == 6' "$BATS_TEST_TMPDIR/srv.out"
	grep -q 'was cut to 4 of its 8 bytes' "$BATS_TEST_TMPDIR/srv.err"
}

@test "unix -l --seqpacket: a message longer than --recv-size is a warning, and under --json a truncated event" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket --recv-size 4 --mode discard "$ADDR"
	py 's = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(A); s.send(b"abcdefgh"); s.close()'
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed ' 5
	stop_bg srv TERM
	grep -q '^sockx: unix: a 8-byte message from (unnamed) (fd [0-9]*) was cut to 4 bytes (MSG_TRUNC): the rest is lost$' "$BATS_TEST_TMPDIR/srv.err"
	need_cmd jq
	start_unix j --json unix -l --seqpacket --recv-size 4 --mode discard "$ADDR"
	py 's = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(A); s.send(b"abcdefgh"); s.close()'
	wait_line "$BATS_TEST_TMPDIR/j.out" '"event":"closed"' 5
	stop_bg j TERM
	jq -e -s 'map(select(.event == "truncated")) | length == 1 and (.[0] | .peer == "(unnamed)" and .bytes == 8 and .kept == 4 and (.fd | type) == "number")' "$BATS_TEST_TMPDIR/j.out"
}

@test "unix -l --mode stdio: nc -lU, half-close both ways with socat and python3" {
	need_cmd socat
	ADDR=$(fresh_name)
	printf 'to the client' >"$BATS_TEST_TMPDIR/stdin"
	start_server_err srv bash -c "exec '$SOCKX' unix -l --mode stdio --once '$ADDR' <'$BATS_TEST_TMPDIR/stdin'"
	run -0 timeout 20 python3 "$PEER" stdio-peer "$ADDR" server-first 'to the server'
	assert_output 'to the client'
	wait_exit srv 5
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_output 'to the server'
	# 2 MiB from socat, whose write side ends first; the answer follows.
	head -c 2097152 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	stdin_fifo
	start_server_err srv2 nofifo bash -c "exec '$SOCKX' unix -l --mode stdio --once '$ADDR' <'$FIFO'"
	start_bg cl nofifo bash -c "exec timeout 30 socat -t 20 - 'ABSTRACT-CONNECT:${ADDR#@}' <'$BATS_TEST_TMPDIR/in'"
	for _ in $(seq 500); do
		[[ $(stat -c %s "$BATS_TEST_TMPDIR/srv2.out") -ge 2097152 ]] && break
		sleep 0.02
	done
	printf 'answer' >&"$W"
	exec {W}>&-
	wait_exit cl 20
	wait_exit srv2 5
	assert_equal "$BG_RC" 0
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/srv2.out"
	run -0 cat "$BATS_TEST_TMPDIR/cl.out"
	assert_output 'answer'
}

@test "unix -l --mode stdio: only with --stream, and not with --creds" {
	run -2 --separate-stderr "$SOCKX" unix -l --seqpacket --mode stdio "$(fresh_name)"
	[[ "$stderr" == *"--mode stdio needs --stream"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l --mode stdio --creds "$(fresh_name)"
	[[ "$stderr" == *"--creds does not go with --mode stdio"* ]]
}

@test "udp-server --mode print: each datagram a line, escaped, no answer; -q byte-exact; --json data" {
	start_server srv "$SOCKX" udp-server -p 0 --mode print
	python3 -c "import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); s.settimeout(0.5)
s.sendto(b'one\x1b]0;t\x07\n', ('127.0.0.1', $PORT)); s.sendto(b'two', ('127.0.0.1', $PORT))
try:
    s.recv(100); sys.exit('answered')
except socket.timeout:
    pass"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^from 127\.0\.0\.1:[0-9]+, 3 bytes: two$' 5
	stop_bg srv INT
	assert_equal "$BG_RC" 0
	run -0 cat "$BATS_TEST_TMPDIR/srv.out"
	assert_line --index 1 --regexp '^from 127\.0\.0\.1:[0-9]+, 10 bytes: one\\x1b\]0;t\\x07$'
	assert_line --index 3 "summary: 2 datagrams, 13 bytes in, 0 bytes out"

	start_server_err q "$SOCKX" -q udp-server -p 0 --mode print
	python3 -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50):
    s.sendto(bytes(range(256)) * 4, ('127.0.0.1', $PORT))"
	for _ in $(seq 250); do
		[[ $(stat -c %s "$BATS_TEST_TMPDIR/q.out") -ge 51200 ]] && break
		sleep 0.02
	done
	stop_bg q TERM
	python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 200)" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/q.out"

	start_server j "$SOCKX" --json udp-server -p 0 --mode print --once
	printf 'x\0y' | timeout 5 socat -u - "UDP:127.0.0.1:$PORT"
	wait_exit j 5
	jq -e -s '.[1].event == "received" and .[1].bytes == 3 and .[1].data == "x\u0000y"' "$BATS_TEST_TMPDIR/j.out"
}
