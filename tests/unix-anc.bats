#!/usr/bin/env bats
# unix: SO_PEERCRED, ancillary data (SCM_RIGHTS, SCM_CREDENTIALS) and
# truncation (MSG_TRUNC) that is never silent.

load helpers/common
load helpers/net
load helpers/unix

teardown() {
	stop_all_bg
}

@test "unix anc: SO_PEERCRED shows the client's real pid (python3 and sockx clients)" {
	ADDR=$BATS_TEST_TMPDIR/s
	start_unix srv unix -l "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(A)
s.sendall(b"x")
s.recv(1)
print(os.getpid())'
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^peer credentials \\(SO_PEERCRED\\): pid=$output uid=$(id -u) gid=$(id -g)\$"
	# A sockx client in the background: its pid is start_bg's $!.
	start_bg cli "$SOCKX" unix "$ADDR" -m x
	local pid=${BG_PID[cli]}
	wait_exit cli
	[[ $BG_RC -eq 0 ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^peer credentials \\(SO_PEERCRED\\): pid=$pid "
}

@test "unix anc: --send-fd passes a descriptor the server identifies and reads a line from (every type)" {
	printf 'the secret line\nmore\n' >"$BATS_TEST_TMPDIR/file"
	for t in stream seqpacket dgram; do
		ADDR=$BATS_TEST_TMPDIR/$t
		start_unix "srv-$t" unix -l "--$t" "$ADDR"
		run -0 --separate-stderr "$SOCKX" unix "--$t" "$ADDR" --send-fd "$BATS_TEST_TMPDIR/file" -m hello -m again
		[[ "$output" == *"sent 5 bytes with SCM_RIGHTS (fd "*"): hello"* ]]
		[[ "$output" == *"reply 5 bytes"*": hello"* ]]
		wait_line "$BATS_TEST_TMPDIR/srv-$t.out" \
			"^received fd [0-9]+ \\(SCM_RIGHTS\\): $BATS_TEST_TMPDIR/file, regular file, inode $(stat -c %i "$BATS_TEST_TMPDIR/file"), 21 bytes; first line: \"the secret line\"\$"
		[[ $(grep -c '^received fd' "$BATS_TEST_TMPDIR/srv-$t.out") -eq 1 ]]
	done
}

@test "unix anc: a descriptor of another kind is named for what it is; discard mode does not read it" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket --mode discard "$ADDR"
	run -1 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" --send-fd /dev/null -m x -w 0.2
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^received fd [0-9]+ \(SCM_RIGHTS\): /dev/null, character device, inode [0-9]+$'
	mkdir "$BATS_TEST_TMPDIR/d"
	run -1 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" --send-fd "$BATS_TEST_TMPDIR/d" -m x -w 0.2
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^received fd [0-9]+ \\(SCM_RIGHTS\\): $BATS_TEST_TMPDIR/d, directory, inode [0-9]+\$"
}

@test "unix anc: descriptors nobody writes to never stall the server (echo mode), and a FIFO is not read" {
	ADDR=$(fresh_name)
	start_unix srv unix -l "$ADDR"
	# 200 pipes' read ends, their write ends kept open and silent, and one
	# pipe holding a line the server must leave where it is.
	start_bg hog py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(A)
pipes = [os.pipe() for _ in range(201)]
os.write(pipes[200][1], b"keep me\n")
socket.send_fds(s, [b"x"], [r for r, w in pipes])
print("sent", flush=True)
s.settimeout(10)
print("echo", s.recv(10), flush=True)
print("left", os.read(pipes[200][0], 100), flush=True)'
	wait_line "$BATS_TEST_TMPDIR/hog.out" '^sent$' 5
	# Another client is answered at once (it waited 40 s: 200 ms per fd).
	run -0 --separate-stderr timeout 10 "$SOCKX" unix "$ADDR" -m hi -w 2
	[[ "$output" == *"reply 2 bytes"*": hi"* ]]
	wait_line "$BATS_TEST_TMPDIR/hog.out" "^left b'keep me\\\\n'\$" 5
	grep -q "^echo b'x'\$" "$BATS_TEST_TMPDIR/hog.out"
	[[ $(grep -cE '^received fd [0-9]+ \(SCM_RIGHTS\): pipe:\[[0-9]+\], FIFO, inode [0-9]+$' "$BATS_TEST_TMPDIR/srv.out") -eq 201 ]]
}

@test "unix anc: a regular file in memory (tmpfs) shows its first line; so does --json, with the inode" {
	[[ -d /dev/shm ]] && [[ $(stat -f -c %T /dev/shm) == tmpfs ]] || skip "no tmpfs at /dev/shm"
	local f
	f=$(mktemp /dev/shm/sockx-test.XXXXXX)
	printf 'in memory\nnot this\n' >"$f"
	ADDR=$(fresh_name)
	start_unix srv --json unix -l "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" --send-fd "$f" -m hi
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"fd_received"'
	jq -se --arg p "$f" --argjson i "$(stat -c %i "$f")" \
		'[.[] | select(.event == "fd_received")] | length == 1 and (.[0] |
		 .path == $p and .type == "regular file" and .inode == $i and .line == "in memory")' \
		"$BATS_TEST_TMPDIR/srv.out"
	rm -f "$f"
}

@test "unix anc: a python3 server receives the descriptor sockx sent, and reads the file through it" {
	printf 'via the fd\n' >"$BATS_TEST_TMPDIR/file"
	ADDR=$BATS_TEST_TMPDIR/py
	start_bg pysrv py '
l = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
l.bind(A); l.listen(1); l.settimeout(10)
print("listening on", A, flush=True)
c, _ = l.accept()
msg, fds, flags, _ = socket.recv_fds(c, 100, 4)
print("msg", msg.decode(), "fds", len(fds), "data", os.read(fds[0], 100).decode().strip(), flush=True)
c.send(msg)'
	wait_line "$BATS_TEST_TMPDIR/pysrv.out" '^listening on'
	run -0 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" --send-fd "$BATS_TEST_TMPDIR/file" -m carrier
	wait_line "$BATS_TEST_TMPDIR/pysrv.out" '^msg carrier fds 1 data via the fd$'
}

@test "unix anc: a descriptor from python3 (send_fds) is identified by the sockx server" {
	printf 'python sent this\n' >"$BATS_TEST_TMPDIR/pyfile"
	ADDR=$(fresh_name)
	start_unix srv unix -l "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(A)
fd = os.open(sys.argv[1], os.O_RDONLY)
socket.send_fds(s, [b"x"], [fd])
s.settimeout(5)
print(s.recv(1))' "$BATS_TEST_TMPDIR/pyfile"
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^received fd [0-9]+ \\(SCM_RIGHTS\\): $BATS_TEST_TMPDIR/pyfile, regular file, inode [0-9]+, 17 bytes; first line: \"python sent this\""
}

@test "unix anc: --creds: the server shows SCM_CREDENTIALS beside SO_PEERCRED" {
	ADDR=$BATS_TEST_TMPDIR/c
	start_unix srv unix -l --creds "$ADDR"
	start_bg cli "$SOCKX" unix "$ADDR" --creds -m hi -w 2
	local pid=${BG_PID[cli]} me="uid=$(id -u) gid=$(id -g)"
	wait_exit cli
	[[ $BG_RC -eq 0 ]]
	grep -q "^sent 2 bytes with SCM_CREDENTIALS (pid=$pid $me): hi" "$BATS_TEST_TMPDIR/cli.out"
	grep -q "^received credentials (SCM_CREDENTIALS): pid=$pid $me; SO_PEERCRED: pid=$pid $me\$" "$BATS_TEST_TMPDIR/srv.out"
	# Without --creds the server asks for none, and shows none.
	ADDR=$(fresh_name plain)
	start_unix plain unix -l "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" --creds -m hi
	run -1 grep -q 'SCM_CREDENTIALS' "$BATS_TEST_TMPDIR/plain.out"
}

@test "unix anc: privileged credentials differ from SO_PEERCRED, and the server shows both" {
	skip_unless_root "claiming another uid in SCM_CREDENTIALS needs CAP_SETUID"
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket --creds "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(A)
s.sendmsg([b"claim"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("iII", os.getpid(), 1234, 5678))])
s.settimeout(5)
s.recv(100)
print(os.getpid())'
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^received credentials \\(SCM_CREDENTIALS\\): pid=$output uid=1234 gid=5678; SO_PEERCRED: pid=$output uid=0 gid=0\$"
}

@test "unix anc: a dgram server with --creds learns each sender's pid" {
	ADDR=$BATS_TEST_TMPDIR/d
	start_unix srv unix -l --dgram --creds "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("")
s.sendto(b"who", A)
s.settimeout(5)
s.recv(10)
print(os.getpid())'
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^received credentials \\(SCM_CREDENTIALS\\): pid=$output uid=$(id -u) gid=$(id -g) \\(a datagram has no SO_PEERCRED"
}

@test "unix anc: an oversized dgram is reported as truncated (server, client, -v)" {
	ADDR=$BATS_TEST_TMPDIR/d
	start_unix srv -v unix -l --dgram --recv-size 100 "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("")
s.sendto(b"z" * 500, A)
s.settimeout(5)
print(len(s.recv(1000)))'
	[[ "$output" == 100 ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^from @[0-9a-f]+: 500 bytes$'
	wait_line "$BATS_TEST_TMPDIR/srv.err" 'was cut to 100 of its 500 bytes \(MSG_TRUNC; --recv-size 100\)'
	grep -q '^recvmsg(.* -> msg_flags MSG_TRUNC.*) = 500$' "$BATS_TEST_TMPDIR/srv.err"
	# The client side: a reply longer than --recv-size fails, never passed off as whole.
	run -1 --separate-stderr "$SOCKX" -v unix --dgram "$ADDR" -m 0123456789 --recv-size 4
	[[ "$stderr" == *"the reply was cut to 4 of its 10 bytes (MSG_TRUNC"* ]]
	[[ "$stderr" == *"msg_flags MSG_TRUNC"* ]]
}

@test "unix anc: a seqpacket message over 256 KiB is reported as cut short, and the connection goes on" {
	skip_unless_root "a 300 kB message needs SO_SNDBUFFORCE"
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.setsockopt(socket.SOL_SOCKET, 32, 4 << 20)    # SO_SNDBUFFORCE
s.connect(A)
s.send(b"y" * 300000)
s.send(b"after")
s.settimeout(5)
print(s.recv(1 << 20))'
	[[ "$output" == "b'after'" ]]
	wait_line "$BATS_TEST_TMPDIR/srv.err" 'a 300000-byte message from .* was cut to 262144 bytes \(MSG_TRUNC\)'
}

@test "unix anc: usage and open errors of --send-fd" {
	run -2 --separate-stderr "$SOCKX" unix "$BATS_TEST_TMPDIR/x" --send-fd /dev/null
	[[ "$stderr" == *"--send-fd needs -m"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l "$BATS_TEST_TMPDIR/x" --send-fd /dev/null
	[[ "$stderr" == *"cannot use --send-fd with -l"* ]]
	ADDR=$(fresh_name)
	start_unix srv unix -l "$ADDR"
	run -1 --separate-stderr "$SOCKX" unix "$ADDR" --send-fd "$BATS_TEST_TMPDIR/missing" -m x
	[[ "$stderr" == *"cannot open '$BATS_TEST_TMPDIR/missing' (--send-fd): No such file or directory"* ]]
}
