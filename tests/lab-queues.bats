#!/usr/bin/env bats
# sockx lab backlog, boundaries, seqpacket-eof, rdm: each verdict held
# against the same experiment made by python3's socket module, and against
# ss and /proc/sys.

load helpers/common

setup() {
	need_cmd jq
	need_cmd python3
}

# obs_field FIELD PREFIX: that field of the lab's observation whose "what"
# starts with PREFIX (a PREFIX ending in "$" must match the whole "what").
obs_field() {
	jq -r --arg w "$2" --arg f "$1" 'select(.event == "observed" and
		(if ($w | endswith("$")) then .what == ($w | rtrimstr("$")) else (.what | startswith($w)) end))
		| .[$f]' <<<"$output"
}
# obs PREFIX: its number; obs_value PREFIX: its value text.
obs() { obs_field number "$1"; }
obs_value() { obs_field value "$1"; }
verdict() {
	jq -r 'select(.event == "lab") | .verdict' <<<"$output"
}
why() {
	jq -r 'select(.event == "lab") | .why' <<<"$output"
}
time_ms() {
	jq -r 'select(.event == "lab") | .time_ms' <<<"$output"
}

# text_shape NAME: the text output has the claim, observations and a verdict.
text_shape() {
	run -0 "$SOCKX" lab "$1"
	assert_line --index 0 --regexp "^== $1: .+"
	[[ $(grep -c '^   [^ ].*: ' <<<"$output") -ge 4 ]]
	assert_line --regexp '^   verdict: (holds|does not hold|depends): .+[0-9]'
	# the last line is the verdict
	[[ ${lines[-1]} == "   verdict: "* ]]
}

@test "lab backlog: backlog+1 connections complete, the next SYN is dropped, somaxconn caps; python3 and ss agree" {
	need_cmd ss
	run -0 "$SOCKX" --json lab backlog
	local json=$output
	# The same experiment by python3: count connects completing within 300 ms
	# with nobody calling accept(); ss reads the queue; listen(100000)'s cap.
	run -0 python3 - <<'EOF'
import select, socket, subprocess
def ss(port):
    out = subprocess.run(["ss", "-lntH", "sport = :%d" % port], capture_output=True, text=True).stdout.split()
    return out[1], out[2]
res = []
keep = []
for bl in (0, 3):
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(bl); keep.append(l)
    n = 0; pending = 0
    for i in range(8):
        c = socket.socket(); c.setblocking(False); keep.append(c)
        try:
            c.connect(l.getsockname())
        except BlockingIOError:
            pass
        p = select.poll(); p.register(c, select.POLLOUT)
        if not p.poll(300):
            pending = 1
            break
        if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            break
        n += 1
    q, cap = ss(l.getsockname()[1])
    res += [n, pending, q, cap]
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(100000); keep.append(l)
res.append(ss(l.getsockname()[1])[1])
print(*res)
EOF
	read -r c0 p0 q0 cap0 c3 p3 q3 cap3 big <<<"$output"
	output=$json
	[[ $(obs "listen(0): connects that completed") == "$c0" ]]
	[[ $(obs "listen(3): connects that completed") == "$c3" ]]
	# ss's Recv-Q / Send-Q of python's listeners = the lab's TCP_INFO reading
	[[ $(obs_value "listen(0): the accept queue") == "$q0 queued, cap $cap0" ]]
	[[ $(obs_value "listen(3): the accept queue") == "$q3 queued, cap $cap3" ]]
	[[ $(obs "listen(100000): the cap") == "$big" ]]
	[[ $big == "$(cat /proc/sys/net/core/somaxconn)" ]]
	[[ $(obs "net.core.somaxconn") == "$(cat /proc/sys/net/core/somaxconn)" ]]
	[[ $(obs "net.ipv4.tcp_abort_on_overflow") == "$(cat /proc/sys/net/ipv4/tcp_abort_on_overflow)" ]]
	if ((c0 == 1 && c3 == 4 && p0 == 1 && p3 == 1)); then
		[[ $(verdict) == "does not hold" ]]
		[[ $(why) == *"listen(0) let 1 and listen(3) 4 connections"*"not refused"*"cut to $big"* ]]
		[[ $(obs_value 'listen(0): connect() number 2$') == "still pending (TCP state SYN_SENT"* ]]
		# once accept() freed a slot, the retried SYN got in: about 1 s (the SYN RTO)
		local after
		after=$(obs "listen(0): connect() number 2 after one accept()")
		[[ $(obs_value "listen(0): connect() number 2 after one accept()") == connected* ]]
		python3 -c "import sys; sys.exit(not 700 <= $after <= 2500)"
	else
		[[ $(verdict) == "does not hold" || $(verdict) == "holds" ]]
	fi
	python3 -c "import sys; sys.exit(not $(time_ms) < 5000)"
}

@test "lab backlog: the text has the claim, the observations and the verdict" {
	text_shape backlog
	assert_line --partial 'listen(0): connects that completed while nobody called accept(): '
}

@test "lab boundaries: TCP merges and splits, SEQPACKET and UDP keep, MSG_TRUNC; python3 agrees" {
	run -0 "$SOCKX" --json lab boundaries
	local json=$output
	run -0 python3 - <<'EOF'
import select, socket, threading, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
for i in range(1, 6):
    c.send(b"a" * (10 * i))
time.sleep(0.1)
small = 0; got = 0
while got < 150:
    got += len(s.recv(1 << 20)); small += 1
big = b"b" * (1 << 20)
t = threading.Thread(target=c.sendall, args=(big,)); t.start()
n = 0; got = 0
while got < len(big):
    got += len(s.recv(1 << 20)); n += 1
t.join()
def kept(a, b, to=None):
    for i in range(1, 6):
        a.sendto(b"m" * (10 * i), to) if to else a.send(b"m" * (10 * i))
    return sum(len(b.recv(4096)) == 10 * i for i in range(1, 6))
x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
seq = kept(x, y)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp = kept(v, u, u.getsockname())
for size in (100, 100, 30):
    v.sendto(b"t" * size, u.getsockname())
data, _, flags, _ = u.recvmsg(10)
real = u.recv_into(bytearray(10), 10, socket.MSG_TRUNC)
after = len(u.recv(4096))
print(small, n, seq, udp, len(data), int(bool(flags & socket.MSG_TRUNC)), real, after)
EOF
	read -r small big seq udp plain trunc real after <<<"$output"
	output=$json
	[[ $(obs "TCP: 5 send()s") == "$small" ]]
	# both split the 1 MiB send into several reads (the count varies)
	((big > 1))
	[[ $(obs "TCP: one send() of 1048576") -gt 1 ]]
	[[ $(obs "AF_UNIX SOCK_SEQPACKET: 5 messages") == "$seq" ]]
	[[ $(obs "UDP: 5 datagrams") == "$udp" ]]
	[[ $(obs "UDP: a 100-byte datagram read by recvmsg()") == "$plain" ]]
	((trunc == 1))
	output=$json
	[[ $(obs_field note "UDP: a 100-byte datagram read by recvmsg()") == "msg_flags has MSG_TRUNC" ]]
	[[ $(obs "UDP: the next 100-byte datagram") == "$real" ]]
	[[ $(obs "UDP: the read after them") == "$after" ]]
	if ((small < 5 && seq == 5 && udp == 5)); then
		[[ $(verdict) == "depends" ]]
		[[ $(why) == *"TCP read 5 sends (150 bytes) in $small recv()"*"kept 5 and 5 of 5"*"truncated"*"real 100, next read 30"* ]]
	fi
	python3 -c "import sys; sys.exit(not $(time_ms) < 5000)"
}

@test "lab boundaries: the text has the claim, the observations and the verdict" {
	text_shape boundaries
	assert_line --partial 'UDP: a 100-byte datagram read by recvmsg() with a 10-byte buffer: 10 bytes'
}

@test "lab seqpacket-eof: an empty message and the end read alike; poll and the next read differ; python3 agrees" {
	run -0 "$SOCKX" --json lab seqpacket-eof
	local json=$output
	run -0 python3 - <<'EOF'
import select, socket
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
a.sendmsg([b"one"], [], socket.MSG_EOR)
a.sendmsg([b""], [], socket.MSG_EOR)
d, _, f1, _ = b.recvmsg(64)
e, _, f2, _ = b.recvmsg(64)
p = select.poll(); p.register(b, select.POLLIN | select.POLLRDHUP)
ev_open = sum(ev for _, ev in p.poll(0))
try:
    b.recv(64, socket.MSG_DONTWAIT); nxt = "data"
except BlockingIOError:
    nxt = "EAGAIN"
a.close()
ev_closed = sum(ev for _, ev in p.poll(0))
z, _, f3, _ = b.recvmsg(64)
z2 = b.recv(64, socket.MSG_DONTWAIT)
print(len(d), f1, len(e), f2, ev_open, nxt, ev_closed, len(z), f3, len(z2), int(bool((f1 | f2 | f3) & socket.MSG_EOR)))
EOF
	read -r n1 f1 n2 f2 evo nxt evc n3 f3 n4 eor <<<"$output"
	output=$json
	[[ $(obs "a 3-byte message") == "$n1" ]]
	[[ $(obs_value "a 3-byte message") == "3 bytes, msg_flags $(printf '0x%x' "$f1")"* ]]
	[[ $(obs "an empty message") == "$n2" ]]
	[[ $(obs_value "an empty message") == "0 bytes, msg_flags $(printf '0x%x' "$f2")"* ]]
	[[ $(obs "poll(POLLIN|POLLRDHUP) after the empty message") == "$evo" ]]
	[[ $(obs_value "the next recvmsg(MSG_DONTWAIT) after the empty message") == *"$nxt"* ]]
	[[ $(obs "poll(POLLIN|POLLRDHUP) after the peer closed") == "$evc" ]]
	[[ $(obs "recvmsg() after the peer closed") == "$n3" ]]
	[[ $(obs "the next recvmsg(MSG_DONTWAIT) after the end") == "$n4" ]]
	if ((n2 == 0 && n3 == 0 && f2 == f3)); then
		[[ $(verdict) == "does not hold" ]]
		((eor == 0)) && [[ $(why) == *"MSG_EOR never set"* ]]
		[[ $(why) == *"POLLHUP"* ]]
	else
		[[ $(verdict) != "does not hold" || $n2 != 0 ]]
	fi
}

@test "lab seqpacket-eof: the text has the claim, the observations and the verdict" {
	text_shape seqpacket-eof
	assert_line --partial 'poll(POLLIN|POLLRDHUP) after the peer closed: POLLIN POLLHUP POLLRDHUP'
}

@test "lab rdm: each socket() errno is what python3's socket() gets" {
	run -0 "$SOCKX" --json lab rdm
	local json=$output
	run -0 python3 - <<'EOF'
import socket
for fam, typ in ((socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_INET, socket.SOCK_RDM),
                 (socket.AF_INET6, socket.SOCK_RDM), (socket.AF_UNIX, socket.SOCK_RDM),
                 (30, socket.SOCK_RDM), (21, socket.SOCK_SEQPACKET), (21, socket.SOCK_RDM)):
    try:
        socket.socket(fam, typ, 0).close(); print(0)
    except OSError as e:
        print(e.errno)
EOF
	local -a py=()
	mapfile -t py <<<"$output"
	output=$json
	local -a labs=()
	mapfile -t labs < <(jq -r 'select(.event == "observed") | .number' <<<"$output")
	[[ ${#labs[@]} -eq 7 ]]
	[[ "${labs[*]}" == "${py[*]}" ]]
	[[ $(obs_value "socket(AF_INET, SOCK_RDM") == ESOCKTNOSUPPORT* || ${py[1]} != 94 ]]
	if ((py[1] != 0 && py[2] != 0)); then
		[[ $(verdict) == "does not hold" ]]
	else
		[[ $(verdict) == "depends" ]]
	fi
	python3 -c "import sys; sys.exit(not $(time_ms) < 5000)"
}

@test "lab rdm: the text has the claim, the observations and the verdict" {
	text_shape rdm
	assert_line --partial 'socket(AF_INET, SOCK_RDM, 0): '
}

@test "lab queues: as nobody, the same verdicts; nothing is left behind" {
	# These labs make no namespace (what they could leave is a forked
	# sender); other test files make and remove theirs meanwhile.
	cp "$SOCKX" "$BATS_TEST_TMPDIR/sockx-queues"
	run -0 timeout 60 "$BATS_TEST_TMPDIR/sockx-queues" --json lab backlog boundaries seqpacket-eof rdm
	local root=$output
	# no child of the labs outlives them (boundaries forks a sender)
	run pgrep -f "$BATS_TEST_TMPDIR/sockx-queues"
	[[ $status -eq 1 ]]
	output=$root
	[[ $(jq -s '[.[] | select(.event == "lab")] | length' <<<"$output") -eq 4 ]]
	[[ $(jq -r 'select(.event == "summary") | .exit' <<<"$output") -eq 0 ]]
	if [[ $(id -u) -eq 0 ]]; then
		run -0 as_nobody timeout 60 "$SOCKX" --json lab backlog boundaries seqpacket-eof rdm
		[[ $(jq -r 'select(.event == "lab") | .verdict' <<<"$output") == \
			"$(jq -r 'select(.event == "lab") | .verdict' <<<"$root")" ]]
	fi
}
