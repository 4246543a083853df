#!/usr/bin/env bats
# --pcap FILE: only a regular file (or a new name) is replaced, atomically
# and with its mode kept; a FIFO or a character device is written to,
# never replaced; a directory, a block device or a symbolic link to a
# regular file is refused. Devices are made here with mknod, never /dev's.
# bats file_tags=capture

# shellcheck disable=SC2154 # $stderr and $lines: set by bats run
load helpers/common
load helpers/net

DATA="$BATS_TEST_DIRNAME/data"

teardown() {
	stop_all_bg
}

# packets: how many packets tcpdump reads in pcap file $1.
packets() {
	tcpdump -r "$1" -n 2>/dev/null | wc -l
}

@test "pcap file: a character device (a null device) is written to, not replaced" {
	skip_unless_root "mknod"
	local dev=$BATS_TEST_TMPDIR/null
	mknod -m 0666 "$dev" c 1 3
	run -0 --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$dev"
	[[ -c "$dev" ]]
	[[ $(stat -c %t:%T "$dev") == 1:3 ]]
	[[ $(find "$BATS_TEST_TMPDIR" -name '.null.*' | wc -l) -eq 0 ]]
}

@test "pcap file: a full device says ENOSPC, exit 1, and stays a device" {
	skip_unless_root "mknod"
	local dev=$BATS_TEST_TMPDIR/full
	mknod -m 0666 "$dev" c 1 7
	run -1 --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$dev"
	[[ "$stderr" == *"cannot write '$dev': No space left on device"* ]]
	[[ -c "$dev" ]]
}

@test "pcap file: a FIFO is written to for its reader, and stays a FIFO" {
	need_cmd tcpdump
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	start_bg reader timeout 20 cat "$fifo"
	# the reader may not have opened it yet: a FIFO without one is refused
	local i
	for ((i = 0; i < 100; i++)); do
		run --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$fifo"
		[[ $status -eq 0 ]] && break
		[[ "$stderr" == *"a FIFO with no reader"* ]]
		sleep 0.05
	done
	[[ $status -eq 0 ]]
	wait_exit reader 10
	[[ -p "$fifo" ]]
	[[ $(packets "$BATS_TEST_TMPDIR/reader.out") -eq $(packets "$DATA/tcp4_echo.pcap") ]]
}

@test "pcap file: a FIFO nobody reads is refused at once, not waited for or replaced" {
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	run -1 --separate-stderr timeout 10 "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$fifo"
	[[ "$stderr" == *"cannot write '$fifo': a FIFO with no reader"* ]]
	[[ -p "$fifo" ]]
}

@test "pcap file: a link to stdout or to fd 3 (as /dev/stdout is) into a pipe, which tcpdump reads" {
	need_cmd tcpdump
	# Private links, never /dev/stdout itself: a binary with the bug
	# replaces the link it is given, and this one is ours to lose.
	ln -s /proc/self/fd/1 "$BATS_TEST_TMPDIR/stdout"
	ln -s /proc/self/fd/3 "$BATS_TEST_TMPDIR/fd3"
	run -0 bash -c '"$SOCKX" -q capture --read "$1" --pcap "$2/stdout" | tcpdump -r - -n 2>/dev/null | wc -l' \
		_ "$DATA/tcp4_echo.pcap" "$BATS_TEST_TMPDIR"
	[[ $output -eq $(packets "$DATA/tcp4_echo.pcap") ]]
	[[ -L "$BATS_TEST_TMPDIR/stdout" ]]
	# the packet lines go to stdout, the pcap to fd 3
	run -0 bash -c '"$SOCKX" capture --read "$1" --pcap "$2/fd3" 3>&1 >/dev/null | tcpdump -r - -n 2>/dev/null | wc -l' \
		_ "$DATA/tcp4_echo.pcap" "$BATS_TEST_TMPDIR"
	[[ $output -eq $(packets "$DATA/tcp4_echo.pcap") ]]
	[[ -L "$BATS_TEST_TMPDIR/fd3" ]]
}

@test "pcap file: a directory, a symbolic link and a block device are refused, untouched" {
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/dir"
	echo keep >"$d/target"
	ln -s target "$d/link"
	run -1 --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$d/dir"
	[[ "$stderr" == *"cannot write '$d/dir': it is a directory"* ]]
	[[ -d "$d/dir" ]]
	run -1 --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$d/link"
	[[ "$stderr" == *"cannot write '$d/link': it is a symbolic link"* ]]
	[[ -L "$d/link" && $(cat "$d/target") == keep ]]
	if [[ $(id -u) -eq 0 ]]; then
		mknod "$d/blk" b 7 200
		run -1 --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$d/blk"
		[[ "$stderr" == *"it is a block device"* ]]
		[[ -b "$d/blk" ]]
	fi
	[[ $(find "$d" -name '.*.??????' | wc -l) -eq 0 ]]
}

@test "pcap file: a regular file is replaced whole and keeps its mode" {
	need_cmd tcpdump
	local f=$BATS_TEST_TMPDIR/old.pcap
	echo old >"$f"
	chmod 0604 "$f"
	run -0 --separate-stderr bash -c 'umask 077 && "$SOCKX" capture --read "$1" --pcap "$2"' \
		_ "$DATA/tcp4_echo.pcap" "$f"
	[[ $(stat -c %a "$f") == 604 ]]
	[[ $(packets "$f") -eq $(packets "$DATA/tcp4_echo.pcap") ]]
	# a new file: mode as the umask allows
	run -0 --separate-stderr bash -c 'umask 027 && "$SOCKX" capture --read "$1" --pcap "$2"' \
		_ "$DATA/tcp4_echo.pcap" "$BATS_TEST_TMPDIR/new.pcap"
	[[ $(stat -c %a "$BATS_TEST_TMPDIR/new.pcap") == 640 ]]
}

@test "pcap file: tcp-client, udp-client and raw-icmp --pcap leave a device and a FIFO alone" {
	skip_unless_root "libpcap captures and mknod"
	local dev=$BATS_TEST_TMPDIR/null fifo=$BATS_TEST_TMPDIR/fifo
	mknod -m 0666 "$dev" c 1 3
	mkfifo "$fifo"
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" tcp-client --pcap "$dev" -w 5 -m hi 127.0.0.1 "$PORT"
	[[ -c "$dev" ]]
	run -1 --separate-stderr "$SOCKX" tcp-client --pcap "$fifo" -w 5 -m hi 127.0.0.1 "$PORT"
	[[ -p "$fifo" ]]
	stop_bg srv
	start_server usrv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" udp-client --pcap "$dev" -w 2 -m hi 127.0.0.1 "$PORT"
	[[ -c "$dev" ]]
	stop_bg usrv
	# nobody listens: the run fails, and the FIFO is still a FIFO
	run -1 --separate-stderr "$SOCKX" udp-client --pcap "$fifo" -w 1 -m hi 127.0.0.1 "$PORT"
	[[ -p "$fifo" ]]
	run -0 --separate-stderr "$SOCKX" raw-icmp --pcap "$dev" -c 1 127.0.0.1
	[[ -c "$dev" ]]
	run -1 --separate-stderr "$SOCKX" raw-icmp --pcap "$fifo" -c 1 127.0.0.1
	[[ -p "$fifo" ]]
}
