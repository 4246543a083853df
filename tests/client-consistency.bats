#!/usr/bin/env bats
# The clients agree: -q ends each reply with a newline, and -w 0 (no wait
# for the peer at all) is refused by each, with one message.

load helpers/common
load helpers/net
load helpers/unix

teardown() {
	stop_all_bg
}

@test "client consistency: unix -q puts each reply on its line, as tcp-client -q" {
	local name
	name=$(fresh_name)
	start_unix srv unix -l "$name"
	run -0 --separate-stderr "$SOCKX" -q unix -w 5 -m hi -m there "$name"
	assert_equal "$output" $'hi\nthere'
	start_server tsrv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" -q tcp-client -w 5 -m hi -m there 127.0.0.1 "$PORT"
	assert_equal "$output" $'hi\nthere'
}

@test "client consistency: -w 0 is refused alike by tcp-client, udp-client and unix" {
	local cmd
	for cmd in "tcp-client 127.0.0.1 1" "udp-client 127.0.0.1 1" "unix @sockx-none"; do
		# shellcheck disable=SC2086 # the command's words
		run -2 --separate-stderr "$SOCKX" $cmd -w 0 -m x
		[[ "$stderr" == *"invalid --timeout '0' (expected more than 0 seconds)"* ]]
	done
}

@test "client consistency: a broadcast address is refused for what it is, not as 'not permitted'" {
	# lo's broadcast address: connect() is refused (EACCES without
	# SO_BROADCAST) before any datagram leaves
	run -1 --separate-stderr "$SOCKX" udp-client -w 1 -m x 127.255.255.255 9
	[[ "$stderr" == *"connect 127.255.255.255:9: Permission denied: a broadcast address, and the socket has no SO_BROADCAST"* ]]
	[[ "$stderr" == *"hint: udp-client talks to one peer"* ]]
	if [[ $(id -u) -eq 0 ]]; then
		run -1 --separate-stderr "$SOCKX" raw-icmp -c 1 -W 1 127.255.255.255
		[[ "$stderr" == *"127.255.255.255 is a broadcast address: raw-icmp pings one host, and sets no SO_BROADCAST"* ]]
		[[ "$output" != *"bytes from"* ]]
	fi
}

@test "client consistency: -p PORT works on tcp-client and udp-client, with or without HOST" {
	start_server tsrv "$SOCKX" tcp-server -p 0
	local tp=$PORT
	start_server usrv "$SOCKX" udp-server -p 0
	local up=$PORT
	run -0 --separate-stderr "$SOCKX" -q tcp-client -p "$tp" -m a
	assert_output a
	run -0 --separate-stderr "$SOCKX" -q tcp-client 127.0.0.1 -p "$tp" -m b
	assert_output b
	run -0 --separate-stderr "$SOCKX" -q tcp-client -p "$tp" 127.0.0.1 -m c	# not "localhost": what it resolves to is the machine's
	assert_output c
	run -0 --separate-stderr "$SOCKX" -q udp-client -p "$up" -m d
	assert_output d
	run -0 --separate-stderr "$SOCKX" -q udp-client -p "$up" 127.0.0.1 -m e
	assert_output e
	# -p with an IPv6 address without brackets: the address is the host
	start_server t6 "$SOCKX" -6 tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" -q tcp-client ::1 -p "$PORT" -m f
	assert_output f
	run -0 --separate-stderr "$SOCKX" -q tcp-client '[::1]' -p "$PORT" -m g
	assert_output g
}

@test "client consistency: a PORT given twice is a usage error on every IP client" {
	local cmd
	for cmd in tcp-client udp-client; do
		run -2 --separate-stderr "$SOCKX" "$cmd" -p 1 -p 2 -m x
		[[ "$stderr" == *"PORT given twice (-p 1 and -p 2)"* ]]
		run -2 --separate-stderr "$SOCKX" "$cmd" 127.0.0.1 3 -p 1 -m x
		[[ "$stderr" == *"PORT given twice (-p 1 and '3')"* ]]
		run -2 --separate-stderr "$SOCKX" "$cmd" 127.0.0.1:3 -p 1 -m x
		[[ "$stderr" == *"PORT given twice (-p 1 and '127.0.0.1:3')"* ]]
		run -2 --separate-stderr "$SOCKX" "$cmd" '[::1]:3' -p 1 -m x
		[[ "$stderr" == *"PORT given twice (-p 1 and '[::1]:3')"* ]]
		[[ "$output" == "" ]]
	done
}

@test "client consistency: --hex starts the dump under the reply line, as xxd and hexdump -C readers expect" {
	local dump='00000000  41 42                                             |AB|'
	start_server tsrv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" tcp-client --hex 127.0.0.1 "$PORT" -m AB
	assert_line --index 2 --regexp '^reply 2 bytes, time=[0-9.]+ ms:$'
	assert_line --index 3 "$dump"
	assert_line --index 4 'shutdown: our write side closed'
	start_server usrv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" udp-client --hex 127.0.0.1 "$PORT" -m AB
	assert_line --index 1 --regexp '^reply #1: 2 bytes, time=[0-9.]+ ms:$'
	assert_line --index 2 "$dump"
	local name
	name=$(fresh_name)
	start_unix xsrv unix -l "$name"
	run -0 --separate-stderr "$SOCKX" unix --hex -m AB "$name"
	assert_line --index 2 --regexp '^reply 2 bytes, time=[0-9.]+ ms:$'
	assert_line --index 3 "$dump"
	[[ "${#lines[@]}" -eq 4 ]]	# no blank line after the dump
}

@test "client consistency: a client-only option on a server is a usage error" {
	local name
	name=$(fresh_name)
	# timeout: before the fix the server started and served on
	run -2 --separate-stderr timeout 5 "$SOCKX" unix -l --hex "$name"
	[[ "$stderr" == *"cannot use --hex with -l (a client option"* ]]
	run -2 --separate-stderr timeout 5 "$SOCKX" unix-server --hex "$name"
	[[ "$stderr" == *"cannot use --hex with -l"* ]]
	[[ -z "$output" ]]
}

@test "client consistency: netcat mode waits for a silent peer as nc does; -w S ends it, said on stderr; --help and the docs say so" {
	local peer=$BATS_TEST_DIRNAME/helpers/peer.py name
	# a peer that accepts, sends nothing and holds the connection 10 s
	start_server p1 python3 "$peer" send-hold 0
	run -124 --separate-stderr timeout 1.5 "$SOCKX" tcp-client 127.0.0.1 "$PORT" </dev/null
	start_server p2 python3 "$peer" send-hold 0
	run -1 --separate-stderr timeout 5 "$SOCKX" tcp-client -w 0.5 127.0.0.1 "$PORT" </dev/null
	[[ "$stderr" == *"no data either way for 0.5 s (-w)"* ]]
	name=$(fresh_name)
	start_bg p3 python3 "$peer" send-hold 0 "$name"
	wait_line "$BATS_TEST_TMPDIR/p3.out" '^listening on '
	run -1 --separate-stderr timeout 5 "$SOCKX" unix -w 0.5 "$name" </dev/null
	[[ "$stderr" == *"no data either way for 0.5 s (-w)"* ]]
	run -0 "$SOCKX" tcp-client --help
	assert_output --partial "netcat mode: end after S seconds with no data either way (default: never, as nc)"
	run -0 "$SOCKX" unix --help
	assert_output --partial "without -m: end after S seconds with no data either way (default: never, as nc"
	# no page claims a timeout on every blocking step any more
	run -1 grep -rl "Every blocking step" "$BATS_TEST_DIRNAME/../docs" "$BATS_TEST_DIRNAME/../README.md"
}

@test "client consistency: tcp-client and unix -m end a connection with the same JSON events, and time out alike" {
	local name
	name=$(fresh_name)
	start_unix usrv unix -l "$name"
	run -0 --separate-stderr "$SOCKX" --json unix -m hi "$name"
	local unix_events
	unix_events=$(jq -r .event <<<"$output" | tr '\n' ' ')
	assert_equal "$unix_events" "connected sent reply shutdown eof closed "
	start_server tsrv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" --json tcp-client -m hi 127.0.0.1 "$PORT"
	assert_equal "$(jq -r .event <<<"$output" | tr '\n' ' ')" "$unix_events"
	# the human lines differ: unix says its shutdown under -v only, as docs/cells show
	run -0 --separate-stderr "$SOCKX" -v unix -m hi "$name"
	[[ "$stderr" == *"shutdown: our write side closed"* ]]
	[[ "$output" != *shutdown* ]]
	# silence: a "timeout" event, then the error, in tcp-client's words
	name=$(fresh_name 2)
	start_unix dsrv unix -l --mode discard "$name"
	run -1 --separate-stderr "$SOCKX" --json unix -w 0.3 -m hi "$name"
	assert_equal "$(jq -r .event <<<"$output" | tr '\n' ' ')" "connected sent timeout error "
	[[ "$stderr" == *"no complete reply: 0 of 2 bytes after 0.3 s of silence"* ]]
}
