#!/usr/bin/env bats
# unix: the safety rules of a server's socket file, each one tested.

load helpers/common
load helpers/net
load helpers/unix

teardown() {
	stop_all_bg
}

# mode_of FILE: the permission bits, in octal ("600").
mode_of() {
	stat -c %a "$1"
}

@test "unix safety: a path that exists and is not a socket is never removed (exit 1, byte for byte)" {
	local f=$BATS_TEST_TMPDIR/precious
	head -c 4096 /dev/urandom >"$f"
	cp "$f" "$f.copy"
	touch -d '2001-02-03 04:05:06' "$f"
	local before
	before=$(stat -c '%i %s %Y %a' "$f")
	for t in --stream --dgram --seqpacket; do
		run -1 --separate-stderr "$SOCKX" unix -l "$t" "$f"
		[[ "$stderr" == *"'$f' exists and is a regular file: leaving it alone"* ]]
	done
	cmp "$f" "$f.copy"
	[[ $(stat -c '%i %s %Y %a' "$f") == "$before" ]]
	# A directory, a FIFO and a symlink (even to a stale socket) likewise.
	mkdir "$BATS_TEST_TMPDIR/dir"
	run -1 --separate-stderr "$SOCKX" unix -l "$BATS_TEST_TMPDIR/dir"
	[[ -d "$BATS_TEST_TMPDIR/dir" && "$stderr" == *"is a directory"* ]]
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -1 --separate-stderr "$SOCKX" unix -l "$BATS_TEST_TMPDIR/fifo"
	[[ -p "$BATS_TEST_TMPDIR/fifo" && "$stderr" == *"is a FIFO"* ]]
	ADDR=$BATS_TEST_TMPDIR/stale
	py 's = socket.socket(socket.AF_UNIX); s.bind(A)'
	ln -s "$ADDR" "$BATS_TEST_TMPDIR/link"
	run -1 --separate-stderr "$SOCKX" unix -l "$BATS_TEST_TMPDIR/link"
	[[ -L "$BATS_TEST_TMPDIR/link" && -S "$ADDR" && "$stderr" == *"is a symbolic link"* ]]
}

@test "unix safety: a stale socket file (nobody bound to it) is replaced" {
	ADDR=$BATS_TEST_TMPDIR/stale
	py 's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(A)'	# exits without unlink
	chmod 0755 "$ADDR"
	start_unix srv unix -l --seqpacket "$ADDR"
	grep -q "replaced the stale socket file '$ADDR'" "$BATS_TEST_TMPDIR/srv.err"
	[[ -S "$ADDR" && $(mode_of "$ADDR") == 600 ]]	# a new file: ours
	run -0 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" -m fresh
	[[ "$output" == *": fresh"* ]]
}

@test "unix safety: a live server's path is refused (in use), the live server unharmed" {
	for t in stream seqpacket dgram; do
		ADDR=$BATS_TEST_TMPDIR/live-$t
		start_unix "live-$t" unix -l "--$t" "$ADDR"
		local ino
		ino=$(stat -c %i "$ADDR")
		for u in stream seqpacket dgram; do
			run -1 --separate-stderr "$SOCKX" unix -l "--$u" "$ADDR"
			[[ "$stderr" == *"'$ADDR' is in use: a live "*" socket is bound to it"* ]]
			[[ "$output" != *listening* ]]
		done
		[[ $(stat -c %i "$ADDR") == "$ino" ]]
		run -0 --separate-stderr "$SOCKX" unix "--$t" "$ADDR" -m still-here
		[[ "$output" == *": still-here"* ]]
	done
	# The probe made no connection: each live server accepted its one client only.
	[[ $(grep -c '^accepted' "$BATS_TEST_TMPDIR/live-stream.out") -eq 1 ]]
	[[ $(grep -c '^accepted' "$BATS_TEST_TMPDIR/live-seqpacket.out") -eq 1 ]]
	[[ $(grep -c '^from ' "$BATS_TEST_TMPDIR/live-dgram.out") -eq 1 ]]
}

@test "unix safety: an @name in use is refused too" {
	ADDR=$(fresh_name)
	start_unix live unix -l "$ADDR"
	run -1 --separate-stderr "$SOCKX" unix -l "$ADDR"
	[[ "$stderr" == *"'$ADDR' is in use: another socket is bound to that abstract name"* ]]
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" -m alive
	[[ "$output" == *": alive"* ]]
}

@test "unix safety: socket files are born 0600, whatever the umask" {
	umask 0000	# this test's own process only
	for t in stream dgram seqpacket; do
		ADDR=$BATS_TEST_TMPDIR/m-$t
		start_unix "srv-$t" -v unix -l "--$t" "$ADDR"
		[[ $(mode_of "$ADDR") == 600 ]]
	done
	# The umask is set before bind(), so the file never exists wider.
	local err=$BATS_TEST_TMPDIR/srv-stream.err
	grep -n -m 1 '^umask(0177)' "$err"
	(( $(grep -n -m 1 '^umask(0177)' "$err" | cut -d: -f1) < \
	   $(grep -n -m 1 '^bind(' "$err" | cut -d: -f1) ))
	grep -q "m-stream': socket file, mode 0600" "$err"
}

@test "unix safety: --perm sets the mode from the start, narrower or wider" {
	ADDR=$BATS_TEST_TMPDIR/p660
	start_unix a -v unix -l --perm 0660 "$ADDR"
	[[ $(mode_of "$ADDR") == 660 ]]
	grep -q '^umask(0117)' "$BATS_TEST_TMPDIR/a.err"
	ADDR=$BATS_TEST_TMPDIR/p400
	umask 0000
	start_unix b unix -l --dgram --perm 400 "$ADDR"
	[[ $(mode_of "$ADDR") == 400 ]]
}

@test "unix safety: the server removes its socket file on SIGTERM, SIGINT and SIGHUP (every type)" {
	for t in stream seqpacket dgram; do
		for sig in TERM INT HUP; do
			ADDR=$BATS_TEST_TMPDIR/$t-$sig
			start_unix srv unix -l "--$t" "$ADDR"
			[[ -S "$ADDR" ]]
			stop_bg srv "$sig"
			[[ $BG_RC -eq 0 ]]
			[[ ! -e "$ADDR" ]]
			grep -q '^summary: ' "$BATS_TEST_TMPDIR/srv.out"
		done
	done
}

@test "unix safety: a dgram server's --once exit removes its file too" {
	ADDR=$BATS_TEST_TMPDIR/d1
	start_unix srv unix -l --dgram --once "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix --dgram "$ADDR" -m x
	wait_exit srv
	[[ $BG_RC -eq 0 && ! -e "$ADDR" ]]
}

@test "unix safety: at exit a file that replaced ours is left alone" {
	ADDR=$BATS_TEST_TMPDIR/swap
	start_unix srv unix -l "$ADDR"
	rm "$ADDR"
	echo "someone else's" >"$ADDR"
	stop_bg srv TERM
	[[ $(cat "$ADDR") == "someone else's" ]]
	grep -q "is no longer our socket file: leaving it alone" "$BATS_TEST_TMPDIR/srv.err"
}

@test "unix safety: a path longer than sun_path is a usage error, nothing created" {
	local d=$BATS_TEST_TMPDIR/long
	mkdir "$d"
	local pad=$(( 108 - ${#d} - 1 ))
	local p
	p="$d/$(printf 'x%.0s' $(seq "$pad"))"
	[[ ${#p} -eq 108 ]]
	run -2 --separate-stderr "$SOCKX" unix -l "$p"
	[[ "$stderr" == *"UNIX socket path too long: 108 bytes, at most 107"* ]]
	run -2 --separate-stderr "$SOCKX" unix --dgram "$p" -m x
	[[ -z "$(ls -A "$d")" ]]
	# 107 bytes is allowed, and works.
	p=${p%x}
	start_unix srv unix -l "$p"
	[[ -S "$p" ]]
}

@test "unix safety: an abstract name holds 107 bytes after the @, one more than a path" {
	local name
	name="@$(printf 'y%.0s' $(seq 107))"
	run -2 --separate-stderr "$SOCKX" unix -l "${name}z"
	[[ "$stderr" == *"abstract UNIX socket name too long: 108 bytes after the @, at most 107"* ]]
	start_unix srv unix -l "$name"
	run -0 --separate-stderr "$SOCKX" -q unix -w 5 "$name" -m full
	assert_output 'full'
	# python3 reaches the very same 107-byte name
	run -0 python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(b"\0" + sys.argv[1][1:].encode())' "$name"
}

@test "unix safety: an empty path is a usage error, nothing created" {
	local d=$BATS_TEST_TMPDIR/empty
	mkdir "$d"
	cd "$d"
	run -2 --separate-stderr "$SOCKX" unix -l ""
	[[ "$stderr" == *"empty UNIX socket path"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l @
	run -2 --separate-stderr "$SOCKX" unix "" -m x
	[[ -z "$(ls -A "$d")" ]]
}
