#!/usr/bin/env bats
# unix: each type with a sockx client and server, python3 and socat as
# independent clients, netcat and stdin-lines modes, options and errors.
# Safety: unix-safety.bats; ancillary data: unix-anc.bats; demo: unix-demo.bats.

load helpers/common
load helpers/net
load helpers/unix

teardown() {
	stop_all_bg
}

@test "unix: stream: a sockx client and a sockx server (upper)" {
	ADDR=$BATS_TEST_TMPDIR/s
	start_unix srv unix -l --mode upper "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" -m hello -m '你好,服务器!'
	[[ "$output" == *"connected to $ADDR"*"(stream)"* ]]
	[[ "$output" == *"reply 5 bytes"*": HELLO"* ]]
	[[ "$output" == *"reply 17 bytes"*": 你好,服务器!"* ]]
	stop_bg srv
	[[ $BG_RC -eq 0 ]]
	grep -q '^summary: 1 clients, 22 bytes in, 22 bytes out' "$BATS_TEST_TMPDIR/srv.out"
}

@test "unix: seqpacket: a sockx client and a sockx server" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" -m one -m three
	[[ "$output" == *"(seqpacket)"* ]]
	[[ "$output" == *"reply 3 bytes"*": one"*"reply 5 bytes"*": three"* ]]
}

@test "unix: dgram: a sockx client binds an autobind name, says so in -v, and is answered" {
	ADDR=$BATS_TEST_TMPDIR/d
	start_unix srv unix -l --dgram --mode upper "$ADDR"
	run -0 --separate-stderr "$SOCKX" -v unix --dgram "$ADDR" -m ping -m pong
	[[ "$output" == *"reply 4 bytes"*": PING"*"reply 4 bytes"*": PONG"* ]]
	[[ "$stderr" == *"bound to @"*"autobind"* ]]
	local me
	me=$(sed -n 's/^connected to .* from \(@[0-9a-f]*\) (dgram)$/\1/p' <<<"$output")
	[[ -n "$me" ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^from $me: 4 bytes"
}

@test "unix: stream: a python3 client gets every byte back, in order" {
	ADDR=$BATS_TEST_TMPDIR/s
	start_unix srv unix -l "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(A)
data = bytes(range(256)) * 400
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
print("same" if got == data else "differ %d" % len(got))'
	[[ "$output" == same ]]
}

@test "unix: seqpacket: a python3 client's messages of 5, 500, 3 and 9000 bytes keep their boundaries" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(A)
sizes = (5, 500, 3, 9000)
for n in sizes:
    s.send(bytes([65 + len(str(n))]) * n)
s.settimeout(5)
print(" ".join(str(len(s.recv(65536))) for _ in sizes))'
	[[ "$output" == "5 500 3 9000" ]]
}

@test "unix: dgram: a python3 client (autobind) is answered, one datagram per message" {
	ADDR=$BATS_TEST_TMPDIR/d
	start_unix srv unix -l --dgram --mode upper "$ADDR"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("")                    # autobind: an abstract name of our own
s.settimeout(5)
for m in (b"abc", b"x" * 3000, b"end"):
    s.sendto(m, A)
print(" ".join(str(len(s.recv(65536))) for _ in range(3)))'
	[[ "$output" == "3 3000 3" ]]
	grep -q '^from @[0-9a-f]*: 3000 bytes' "$BATS_TEST_TMPDIR/srv.out"
}

@test "unix: stream: socat as a client on a path and on an @name" {
	need_cmd socat
	ADDR=$BATS_TEST_TMPDIR/s
	start_unix srv unix -l --mode upper "$ADDR"
	run -0 socat -t 5 - "UNIX-CONNECT:$ADDR" <<<"hello socat"
	[[ "$output" == "HELLO SOCAT" ]]
	ADDR=$(fresh_name)
	start_unix srv2 unix -l "$ADDR"
	run -0 socat -t 5 - "ABSTRACT-CONNECT:${ADDR#@}" <<<"abstract"
	[[ "$output" == "abstract" ]]
}

@test "unix: dgram: a python3 server sees the sockx client's autobind address and answers it" {
	ADDR=$BATS_TEST_TMPDIR/pyd
	start_bg pysrv python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
print("listening on", sys.argv[1], flush=True)
d, peer = s.recvfrom(100)
print("peer", repr(peer), flush=True)
s.sendto(d[::-1], peer)' "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/pysrv.out" '^listening on '
	run -0 --separate-stderr "$SOCKX" unix --dgram "$ADDR" -m abcdef
	[[ "$output" == *"reply 6 bytes"*": fedcba"* ]]
	wait_line "$BATS_TEST_TMPDIR/pysrv.out" "^peer b'\\\\x00[0-9a-f]{5}'"
}

@test "unix: stream: netcat mode relays stdin and stdout byte for byte" {
	ADDR=$(fresh_name)
	start_unix srv unix -l "$ADDR"
	head -c 1000000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	"$SOCKX" unix "$ADDR" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/back"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/back"
}

@test "unix: seqpacket and dgram without -m: each stdin line is one message" {
	ADDR=$(fresh_name sp)
	start_unix srv unix -l --seqpacket --mode upper "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" < <(printf 'a\nbb\nccc\n')
	[[ "$output" == $'A\nBB\nCCC' ]]
	ADDR=$BATS_TEST_TMPDIR/d
	start_unix dsrv unix -l --dgram "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix --dgram "$ADDR" -w 2 < <(printf 'one\ntwo\n')
	[[ "$output" == $'one\ntwo' ]]
	wait_line "$BATS_TEST_TMPDIR/dsrv.out" '^from @[0-9a-f]*: 4 bytes'
	[[ $(grep -c '^from ' "$BATS_TEST_TMPDIR/dsrv.out") -eq 2 ]]
}

@test "unix: discard mode: nothing comes back, the client times out (exit 1)" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --mode discard "$ADDR"
	run -1 --separate-stderr "$SOCKX" unix "$ADDR" -m dropped -w 0.3
	[[ "$stderr" == *"no complete reply: 0 of 7 bytes after 0.3 s of silence"* ]]	# tcp-client's words
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed .*: 7 bytes in, 0 bytes out'
}

@test "unix: the server is concurrent: a client is served while another holds its connection" {
	ADDR=$BATS_TEST_TMPDIR/s
	start_unix srv unix -l --seqpacket "$ADDR"
	start_bg holder py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(A)
print("connected", flush=True)
s.settimeout(20)
s.recv(10)'
	wait_line "$BATS_TEST_TMPDIR/holder.out" '^connected'
	run -0 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" -m meanwhile -w 2
	[[ "$output" == *": meanwhile"* ]]
	[[ $(grep -c '^accepted' "$BATS_TEST_TMPDIR/srv.out") -eq 2 ]]
}

@test "unix: --once serves one client, exits 0 and removes its file" {
	ADDR=$BATS_TEST_TMPDIR/once
	start_unix srv unix -l --once "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" -m x
	wait_exit srv
	[[ $BG_RC -eq 0 ]]
	[[ ! -e "$ADDR" ]]
}

@test "unix-server and unix-client are aliases of unix -l and unix" {
	ADDR=$(fresh_name)
	start_unix srv unix-server --dgram "$ADDR"
	run -0 --separate-stderr "$SOCKX" unix-client --dgram "$ADDR" -m alias
	[[ "$output" == *"reply 5 bytes"*": alias"* ]]
	run -0 "$SOCKX" --list-commands
	[[ "$output" == *unix-server* && "$output" == *unix-client* ]]
	run -0 "$SOCKX" unix-server --help
	[[ "$output" == "usage: sockx unix-server "* && "$output" == *"sockx unix -l"* ]]
	run -0 "$SOCKX" help unix
	[[ "$output" == *"--verify"*"never touches a network interface"* ]]
}

@test "unix: --verify says plainly that nothing crosses an interface, exit 0" {
	run -0 --separate-stderr "$SOCKX" unix --verify --seqpacket
	[[ "$stderr" == *"--verify: Unix sockets never touch a network interface"* ]]
	[[ "$output" == *"4 sends, 4 reads"* ]]
	run -0 --separate-stderr "$SOCKX" --json unix --verify --dgram
	[[ $(head -n 1 <<<"$output" | jq -r '.event + " " + (.applicable | tostring)') == "verify false" ]]
	ADDR=$(fresh_name)
	start_unix srv --json unix -l --verify "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"verify"'
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/srv.out" | jq -r .event) == listening ]]
}

@test "unix: JSON: listening names the path; accepted clients show SO_PEERCRED" {
	ADDR=$BATS_TEST_TMPDIR/j
	start_unix srv --json unix -l "$ADDR"
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/srv.out" | jq -r .addr) == "$ADDR" ]]
	run -0 --separate-stderr "$SOCKX" --json unix "$ADDR" -m hi
	[[ $(jq -r 'select(.event == "reply") .data' <<<"$output") == hi ]]
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"event":"peercred"'
	[[ $(grep peercred "$BATS_TEST_TMPDIR/srv.out" | jq -r .uid) == "$(id -u)" ]]
}

@test "unix: client errors: no such path, a stale file, another type" {
	run -1 --separate-stderr "$SOCKX" unix "$BATS_TEST_TMPDIR/nothing" -m x
	[[ "$stderr" == *"connect $BATS_TEST_TMPDIR/nothing: No such file or directory"* ]]
	[[ "$stderr" == *"hint: no socket file there"* ]]
	run -1 --separate-stderr "$SOCKX" unix "$(fresh_name none)" -m x
	[[ "$stderr" == *"Connection refused"* ]]
	# A path says EPROTOTYPE for another type; the abstract namespace
	# looks names up with their type, so there it is ECONNREFUSED.
	ADDR=$BATS_TEST_TMPDIR/dg
	start_unix srv unix -l --dgram "$ADDR"
	run -1 --separate-stderr "$SOCKX" unix --stream "$ADDR" -m x
	[[ "$stderr" == *"Protocol wrong type for socket"* && "$stderr" == *"another socket type"* ]]
	ADDR=$(fresh_name dg)
	start_unix srv2 unix -l --dgram "$ADDR"
	run -1 --separate-stderr "$SOCKX" unix --seqpacket "$ADDR" -m x
	[[ "$stderr" == *"Connection refused"* && "$stderr" == *"not with this socket type"* ]]
}

@test "unix: usage errors exit 2, nothing created" {
	local d=$BATS_TEST_TMPDIR/dir
	mkdir "$d"
	run -2 --separate-stderr "$SOCKX" unix -l "$(fresh_name)" -m x
	[[ "$stderr" == *"cannot use -m with -l"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l --perm 0600 "$(fresh_name)"
	[[ "$stderr" == *"--perm applies to a socket file"* ]]
	run -2 --separate-stderr "$SOCKX" unix --dgram --seqpacket
	[[ "$stderr" == *"cannot use --dgram and --seqpacket together"* ]]
	run -2 --separate-stderr "$SOCKX" unix --mode upper "$d/x" -m a
	[[ "$stderr" == *"--mode needs -l"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l --perm 0999 "$d/x"
	[[ "$stderr" == *"invalid --perm"* ]]
	run -2 --separate-stderr "$SOCKX" unix a b
	[[ "$stderr" == *"unexpected argument 'b'"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l
	[[ "$stderr" == *"-l needs a PATH"* ]]
	run -2 --separate-stderr "$SOCKX" unix --seqpacket -m ''
	[[ "$stderr" == *"empty message on SOCK_SEQPACKET"* ]]
	run -2 --separate-stderr "$SOCKX" unix -l --dgram --idle-timeout 1 "$(fresh_name)"
	[[ "$stderr" == *"--idle-timeout needs a connection type"* ]]
	run -2 --separate-stderr "$SOCKX" unix --mode source -l "$(fresh_name)"
	[[ "$stderr" == *"invalid --mode 'source'"* ]]
	[[ -z "$(ls -A "$d")" ]]
}

@test "unix: peer bytes, peer names and descriptor paths are escaped in human output; -q stays byte-exact" {
	ADDR=$(fresh_name)
	start_unix srv unix -l "$ADDR"
	local msg=$'\e]0;pwned\a\xff ok'
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" -m "$msg"
	[[ "$output" != *$'\e'* && "$output" != *$'\a'* && "$output" != *$'\xff'* ]]
	[[ "$output" == *'reply 14 bytes, time='*' ms: \x1b]0;pwned\x07\xff ok'* ]]
	"$SOCKX" -q unix "$ADDR" -m "$msg" >"$BATS_TEST_TMPDIR/q.out"
	head -c 14 "$BATS_TEST_TMPDIR/q.out" | cmp - <(printf '%s' "$msg")
	# A client bound to a hostile abstract name, passing a file whose
	# name would forge a root "peer credentials" line.
	local evil="$BATS_TEST_TMPDIR/x"$'\npeer credentials (SO_PEERCRED): pid=1 uid=0 gid=0'
	printf 'data\n' >"$evil"
	run -0 py '
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(b"\0\x1b]0;pwned\x07" + str(os.getpid()).encode())
s.connect(A)
fd = os.open(sys.argv[1], os.O_RDONLY)
socket.send_fds(s, [b"x"], [fd])
s.settimeout(5)
s.recv(1)
print(os.getpid())' "$evil"
	wait_line "$BATS_TEST_TMPDIR/srv.out" "^accepted @\\\\x1b\\]0;pwned\\\\x07$output\$"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^received fd [0-9]+ \(SCM_RIGHTS\): .*/x\\npeer credentials \(SO_PEERCRED\): pid=1 uid=0 gid=0, regular file'
	run -1 grep -q $'\e' "$BATS_TEST_TMPDIR/srv.out"
	run -1 grep -q '^peer credentials (SO_PEERCRED): pid=1 ' "$BATS_TEST_TMPDIR/srv.out"
}

@test "unix: stream -m: every byte the server sends after our FIN is read and shown" {
	ADDR=$(fresh_name)
	# The server echoes "hi", waits for our FIN, then sends 600000 bytes.
	start_bg py python3 "$BATS_TEST_DIRNAME/helpers/peer.py" after-fin-server 600000 "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/py.out" '^listening on '
	run -0 --separate-stderr timeout 20 "$SOCKX" unix "$ADDR" -m hi
	[[ $(grep -v '^connected to ' <<<"$output" | tr -cd x | wc -c) -eq 600000 ]]
	assert_line --regexp '^reply 2 bytes, time=[0-9.]+ ms: hi$'
	ADDR=$(fresh_name 2)
	start_bg py2 python3 "$BATS_TEST_DIRNAME/helpers/peer.py" send-hold 300000 "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/py2.out" '^listening on '
	run -1 --separate-stderr timeout 20 "$SOCKX" unix -w 0.5 "$ADDR" -m hi
	[[ "$stderr" == *"stopped reading: the peer did not close within 0.5 s of silence"* ]]
}

@test "unix: stream netcat mode --hex: what was shown survives SIGTERM" {
	ADDR=$(fresh_name)
	start_bg py python3 "$BATS_TEST_DIRNAME/helpers/peer.py" send-hold 22 "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/py.out" '^listening on '
	mkfifo "$BATS_TEST_TMPDIR/in"	# stdin that stays open: the relay goes on
	start_bg cl bash -c 'exec 8<>"$0" <"$0"; exec "$SOCKX" -v unix --hex "$1"' \
		"$BATS_TEST_TMPDIR/in" "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/cl.err" '^recv\(.*\) = 22$'
	wait_in_poll "${BG_PID[cl]}"
	stop_bg cl TERM
	grep -q '^00000010  77 77 77 77 77 77 ' "$BATS_TEST_TMPDIR/cl.out"
}

@test "unix: seqpacket lines mode --hex: what was shown survives SIGTERM" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket "$ADDR"
	mkfifo "$BATS_TEST_TMPDIR/in"
	start_bg cl bash -c 'exec 8<>"$0" <"$0"; exec "$SOCKX" -v unix --seqpacket --hex "$1"' \
		"$BATS_TEST_TMPDIR/in" "$ADDR"
	wait_line "$BATS_TEST_TMPDIR/cl.err" '^connected to '
	printf 'hello\n' >"$BATS_TEST_TMPDIR/in"
	wait_line "$BATS_TEST_TMPDIR/cl.err" '^recvmsg\(.*\) = 6$'
	wait_in_poll "${BG_PID[cl]}"
	stop_bg cl TERM
	grep -q '^00000000  68 65 6c 6c 6f 0a ' "$BATS_TEST_TMPDIR/cl.out"
}

@test "unix: stdout a closed pipe: -m and lines mode say so on stderr, exit 1" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket "$ADDR"
	# stdout: a pipe whose reader is gone before sockx starts.
	local broken='
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, input=b"a\nb\n", timeout=20)
print(p.returncode); sys.stdout.write(p.stderr.decode())'
	run -0 python3 -c "$broken" "$SOCKX" unix --seqpacket "$ADDR" -m hi
	assert_line --index 0 1
	assert_line --index 1 'sockx: unix: cannot write to stdout: Broken pipe'
	run -0 python3 -c "$broken" "$SOCKX" unix --seqpacket "$ADDR"
	assert_line --index 0 1
	assert_line --index 1 'sockx: unix: cannot write to stdout after 1 messages received: Broken pipe'
}

@test "unix: seqpacket lines mode: 20000 lines to an echo server, all back, no deadlock" {
	ADDR=$(fresh_name)
	start_unix srv unix -l --seqpacket "$ADDR"
	# Replies fill our receive queue while we still send: we must read on.
	yes "$(printf '%0999d' 7)" | head -n 20000 >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr timeout 30 "$SOCKX" unix --seqpacket "$ADDR" <"$BATS_TEST_TMPDIR/in"
	[[ ${#lines[@]} -eq 20000 ]]
	[[ $(sort -u <<<"$output") == "$(printf '%0999d' 7)" ]]
}
