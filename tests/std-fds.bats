#!/usr/bin/env bats
# Started with fd 0, 1 or 2 closed, sockx opens /dev/null there first:
# its own output must never go into (or come from) a connection.

load helpers/common
load helpers/net

PEER="$BATS_TEST_DIRNAME/helpers/peer.py"

teardown() {
	stop_all_bg
}

@test "std fds: stdout closed, tcp-client's lines do not reach the peer" {
	start_server rec python3 "$PEER" record-server hello
	# bash -c: run's own redirections would reopen what the test closes
	run -0 bash -c '"$SOCKX" tcp-client -w 5 -m hello 127.0.0.1 "$1" >&-' _ "$PORT"
	wait_exit rec
	run -0 tail -n 1 "$BATS_TEST_TMPDIR/rec.out"
	assert_output "received b'hello'"
}

@test "std fds: stderr closed, -v traces neither reach the peer nor come back as the reply" {
	start_server rec python3 "$PEER" record-server hello
	run -0 bash -c '"$SOCKX" -v tcp-client -w 5 -m hello 127.0.0.1 "$1" 2>&-' _ "$PORT"
	assert_line --regexp '^reply 5 bytes, .*: hello$'
	wait_exit rec
	run -0 tail -n 1 "$BATS_TEST_TMPDIR/rec.out"
	assert_output "received b'hello'"
}

@test "std fds: stderr closed, udp-client -v sends one datagram and counts only its echo" {
	start_server srv "$SOCKX" udp-server -p 0
	run -0 bash -c '"$SOCKX" -v udp-client -w 2 -m hi 127.0.0.1 "$1" 2>&-' _ "$PORT"
	assert_line --regexp '^reply #1: 2 bytes, .*: hi$'
	stop_bg srv
	run -0 grep -c '^from ' "$BATS_TEST_TMPDIR/srv.out"
	assert_output 1
}

@test "std fds: stdin closed, netcat mode sees end of input at once" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 bash -c 'timeout 10 "$SOCKX" tcp-client 127.0.0.1 "$1" <&-' _ "$PORT"
}

# to_full CMD...: CMD with stdout on /dev/full (every write: ENOSPC).
to_full() { "$@" >/dev/full; }

@test "std fds: stdout a full device: the client says so once, exit 1" {
	start_server srv "$SOCKX" tcp-server -p 0
	run -1 --separate-stderr to_full "$SOCKX" tcp-client -m hi 127.0.0.1 "$PORT"
	[[ "$stderr" == "sockx: tcp-client: cannot write to stdout: No space left on device" ]]
	start_server usrv "$SOCKX" udp-server -p 0
	run -1 --separate-stderr to_full "$SOCKX" udp-client -m hi 127.0.0.1 "$PORT"
	[[ "$stderr" == "sockx: udp-client: cannot write to stdout: No space left on device" ]]
}
