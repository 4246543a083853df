#!/usr/bin/env bats
# unix with no PATH: the one-process demonstration of message boundaries.

load helpers/common
load helpers/net
load helpers/unix

@test "unix demo: stream merges the four quick sends into one read" {
	run -0 --separate-stderr "$SOCKX" unix --stream
	[[ "$output" == *"SOCK_STREAM over AF_UNIX"*"a listener on @"*"(a private abstract name, from autobind)"* ]]
	[[ $(grep -c '^  client send ' <<<"$output") -eq 4 ]]
	[[ "$output" == *'server read 1: 15 bytes "onetwothreefour"'* ]]
	[[ "$output" == *"4 sends, 1 read: SOCK_STREAM is a byte stream"*"not the boundaries"* ]]
	# stream is the default type
	run -0 --separate-stderr "$SOCKX" unix
	[[ "$output" == *"SOCK_STREAM over AF_UNIX"* ]]
}

@test "unix demo: seqpacket keeps every boundary" {
	run -0 --separate-stderr "$SOCKX" unix --seqpacket
	[[ "$output" == *'server read 1:  3 bytes "one"'*'server read 2:  3 bytes "two"'*'server read 3:  5 bytes "three"'*'server read 4:  4 bytes "four"'* ]]
	[[ "$output" == *"4 sends, 4 reads: SOCK_SEQPACKET keeps every boundary"* ]]
}

@test "unix demo: dgram keeps every boundary" {
	run -0 --separate-stderr "$SOCKX" unix --dgram
	[[ $(grep -c '^  server read ' <<<"$output") -eq 4 ]]
	[[ "$output" == *'server read 3:  5 bytes "three"'* ]]
	[[ "$output" == *"4 sends, 4 reads: SOCK_DGRAM keeps every boundary"* ]]
}

@test "unix demo: -m chooses the messages; a small buffer splits a stream and cuts datagrams" {
	run -0 --separate-stderr "$SOCKX" unix --stream -m abcdef -m gh --recv-size 3
	[[ "$output" == *'read 1:  3 bytes "abc"'*'read 2:  3 bytes "def"'*'read 3:  2 bytes "gh"'* ]]
	[[ "$output" == *"2 sends, 3 reads: SOCK_STREAM is a byte stream"* ]]
	run -0 --separate-stderr "$SOCKX" unix --dgram -m abcdef -m gh --recv-size 3
	[[ "$output" == *'read 1:  3 bytes "abc"  (cut short: MSG_TRUNC)'* ]]
	[[ "$output" == *"that message had 6 bytes; the 3 that did not fit"* ]]
	[[ "$output" == *'read 2:  2 bytes "gh"'* ]]
	[[ "$output" == *"1 message was cut short (MSG_TRUNC)"* ]]
}

@test "unix demo: JSON: one event per send and read, and a summary" {
	for t in stream seqpacket dgram; do
		run -0 --separate-stderr "$SOCKX" --json unix "--$t"
		[[ $(jq -r 'select(.event == "demo") .addr' <<<"$output") == @* ]]
		[[ $(jq -c 'select(.event == "sent")' <<<"$output" | wc -l) -eq 4 ]]
		local s
		s=$(jq -r 'select(.event == "summary") | "\(.reads) \(.boundaries_kept)"' <<<"$output")
		if [[ $t == stream ]]; then
			[[ "$s" == "1 false" ]]
		else
			[[ "$s" == "4 true" ]]
		fi
	done
}

@test "unix demo: with --send-fd and --creds the server shows what came along" {
	printf 'first line\nsecond\n' >"$BATS_TEST_TMPDIR/f"
	run -0 --separate-stderr "$SOCKX" unix --seqpacket --send-fd "$BATS_TEST_TMPDIR/f" --creds
	[[ "$output" == *'client send 1:  3 bytes "one" + a descriptor (SCM_RIGHTS)'* ]]
	[[ "$output" == *"received fd "*" (SCM_RIGHTS): $BATS_TEST_TMPDIR/f, regular file, inode "*", 18 bytes; first line: \"first line\""* ]]
	[[ $(grep -c "received credentials (SCM_CREDENTIALS): pid=[0-9]* uid=$(id -u)" <<<"$output") -eq 4 ]]
}

@test "unix demo: -v traces every call, autobind included" {
	run -0 --separate-stderr "$SOCKX" -v unix --dgram
	[[ "$stderr" == *"socket(AF_UNIX, SOCK_DGRAM"* ]]
	[[ "$stderr" =~ bind\([0-9]+,\ \(unnamed\)\)\ =\ 0 ]]	# no name: autobind
	[[ "$stderr" =~ connect\([0-9]+,\ @[0-9a-f]{5}\)\ =\ 0 ]]	# the name the kernel chose
	[[ "$stderr" == *"recvmsg("*"-> msg_flags "* ]]
}
