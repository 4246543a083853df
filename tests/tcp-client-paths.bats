#!/usr/bin/env bats
# tcp-client's fast paths (docs/performance.md): splice for pipes, recv
# with MSG_TRUNC into /dev/null, binary --message-file, the -q ping-pong;
# every byte checked against socat or python3 witnesses.

load helpers/common
load helpers/net

teardown() {
	stop_all_bg
}

# start_socat_echo: socat as an echo server (cat behind it) on a
# kernel-chosen port. Not socat's PIPE: socat writes its own pipe with a
# blocking write, and with a few MiB in flight it waits on itself forever.
start_socat_echo() {
	need_cmd socat
	start_bg socat socat -d -d TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork EXEC:cat
	wait_line "$BATS_TEST_TMPDIR/socat.err" 'listening on'
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/socat.err" | head -n 1)
}

@test "tcp-client-paths: pipe in, pipe out: splice both ways, 8 MiB intact" {
	start_socat_echo
	head -c 8388608 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	# shellcheck disable=SC2002 # a pipe on stdin is the point
	cat "$BATS_TEST_TMPDIR/in" | timeout 60 "$SOCKX" -vv tcp-client 127.0.0.1 "$PORT" \
		2>"$BATS_TEST_TMPDIR/trace" | cat >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	grep -q 'relay: stdin by splice, stdout by splice' "$BATS_TEST_TMPDIR/trace"
	grep -Eq '^splice\([0-9]+, [0-9]+, [0-9]+, SPLICE_F_NONBLOCK\|SPLICE_F_MOVE\) = [0-9]+$' "$BATS_TEST_TMPDIR/trace"
}

@test "tcp-client-paths: a file in, a pipe out: 4 MiB copies, then splice" {
	start_socat_echo
	head -c 5000000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	timeout 60 "$SOCKX" -vv tcp-client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" \
		2>"$BATS_TEST_TMPDIR/trace" | cat >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	grep -q 'relay: stdin by read/send, stdout by splice' "$BATS_TEST_TMPDIR/trace"
}

@test "tcp-client-paths: stdout /dev/null: TCP bytes dropped unread, all counted" {
	start_socat_echo
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr bash -c "timeout 60 '$SOCKX' -vv tcp-client 127.0.0.1 $PORT \
		<'$BATS_TEST_TMPDIR/in' >/dev/null"
	[[ "$stderr" == *"stdout by recv(MSG_TRUNC), discarded"* ]]
	[[ "$stderr" == *"closed: 3000000 bytes sent, 3000000 received"* ]]
}

@test "tcp-client-paths: --message-file sends binary bytes (NULs too) and waits for them" {
	start_server srv "$SOCKX" -q tcp-server -p 0
	printf 'a\0b\0\001\377z' >"$BATS_TEST_TMPDIR/frame"
	run -0 bash -c "'$SOCKX' -q tcp-client 127.0.0.1 $PORT --message-file '$BATS_TEST_TMPDIR/frame' | od -An -tx1"
	assert_output ' 61 00 62 00 01 ff 7a 0a'
	run -0 "$SOCKX" tcp-client 127.0.0.1 "$PORT" --message-file "$BATS_TEST_TMPDIR/frame" -m text
	assert_line "sent 7 bytes from $BATS_TEST_TMPDIR/frame"
	assert_line 'sent 4 bytes: text'
}

@test "tcp-client-paths: --message-file: a missing or empty file is a usage error" {
	run -2 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 9 --message-file /nonexistent/x
	[[ "$stderr" == *"--message-file '/nonexistent/x': No such file or directory"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	run -2 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 9 --message-file "$BATS_TEST_TMPDIR/empty"
	[[ "$stderr" == *"empty"* ]]
}

@test "tcp-client-paths: -q --count 2000 against a python3 echo: every reply, in order" {
	start_bg py python3 -c '
import socket
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept()
while True:
    d = c.recv(65536)
    if not d: break
    c.sendall(d)
c.close()'
	wait_line "$BATS_TEST_TMPDIR/py.out" '^listening on '
	PORT=$(port_of py)
	run -0 bash -c "'$SOCKX' -q tcp-client 127.0.0.1 $PORT -m ping --count 2000 --nodelay | uniq -c"
	assert_output --regexp '^ +2000 ping$'
}

@test "tcp-client-paths: stdout pipe full when both sides have shut: it waits without spinning" {
	# 8 MiB fill the stdout pipe, the rest fits in the socket's receive
	# buffer, so the peer's FIN arrives while stdout is full.
	start_server py python3 "$BATS_TEST_DIRNAME/helpers/peer.py" shut-server 8388608
	run -0 --separate-stderr bash -c "TIMEFORMAT='%U %S'; time { timeout 20 '$SOCKX' tcp-client 127.0.0.1 $PORT </dev/null | (sleep 2; wc -c); }"
	assert_output 8388608
	# CPU seconds (user, sys) over the 2 s wait: a poll loop would burn about 2.
	awk '{ exit !($1 + $2 < 0.5) }' <<<"${stderr##*$'\n'}"
}

@test "tcp-client-paths: --hex in netcat mode: what was shown survives SIGTERM" {
	start_server py python3 "$BATS_TEST_DIRNAME/helpers/peer.py" send-hold 22
	mkfifo "$BATS_TEST_TMPDIR/in"	# stdin that stays open: the relay goes on
	start_bg cl bash -c 'exec 8<>"$0" <"$0"; exec "$SOCKX" -v tcp-client --hex 127.0.0.1 "$1"' \
		"$BATS_TEST_TMPDIR/in" "$PORT"
	wait_line "$BATS_TEST_TMPDIR/cl.err" '^recv\(.*\) = 22$'
	wait_in_poll "${BG_PID[cl]}"
	stop_bg cl TERM
	grep -q '^00000010  77 77 77 77 77 77 ' "$BATS_TEST_TMPDIR/cl.out"
}

@test "tcp-client-paths: stdout's reader leaves early: it says so, exit 1, no hang" {
	start_server srv "$SOCKX" -q tcp-server -p 0 --mode source
	run -0 bash -c "timeout 20 '$SOCKX' tcp-client 127.0.0.1 $PORT </dev/null 2>'$BATS_TEST_TMPDIR/err' \
		| head -c 1000000 | wc -c; echo \${PIPESTATUS[0]}"
	assert_output $'1000000\n1'
	grep -q '^sockx: tcp-client: cannot write to stdout after [0-9]* bytes received, 0 sent: Broken pipe$' \
		"$BATS_TEST_TMPDIR/err"
}

@test "tcp-client-paths: 64 MiB to an echo, stdout | head -c 1: it says so, exit 1" {
	start_server srv "$SOCKX" -q tcp-server -p 0
	# More than a pipe can ever hold: spliced socket pages fill a pipe's
	# slots, so a 1 MiB pipe took all of 5 MB before head had read its
	# byte, and sockx then rightly finished (exit 0).
	head -c 64M /dev/zero >"$BATS_TEST_TMPDIR/in"
	run -0 bash -c "timeout 20 '$SOCKX' tcp-client 127.0.0.1 $PORT <'$BATS_TEST_TMPDIR/in' \
		2>'$BATS_TEST_TMPDIR/err' | head -c 1 >/dev/null; echo \${PIPESTATUS[0]}"
	assert_output 1
	grep -q 'cannot write to stdout after .*: Broken pipe$' "$BATS_TEST_TMPDIR/err"
}
