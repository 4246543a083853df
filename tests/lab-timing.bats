#!/usr/bin/env bats
# sockx lab nagle, timeouts, udp-unreachable: each verdict held against
# python3 doing the same experiment, /proc counters and what is left behind.

load helpers/common

TEST_NS=

teardown() {
	if [[ -n $TEST_NS ]]; then
		ip netns del "$TEST_NS" 2>/dev/null || true
	fi
}

# lab_json NAME: runs the lab under --json into $BATS_TEST_TMPDIR/NAME.json.
lab_json() {
	run -0 "$SOCKX" --json lab "$1"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/$1.json"
}

# verdict NAME: the lab's verdict word.
verdict() {
	jq -r 'select(.event == "lab") | .verdict' "$BATS_TEST_TMPDIR/$1.json"
}

# observed NAME REGEX: the number of the observation whose "what" matches.
observed() {
	jq -r --arg re "$2" 'select(.event == "observed" and (.what | test($re))) | .number' \
		"$BATS_TEST_TMPDIR/$1.json" | head -n 1
}

# observed_value NAME REGEX: its value text.
observed_value() {
	jq -r --arg re "$2" 'select(.event == "observed" and (.what | test($re))) | .value' \
		"$BATS_TEST_TMPDIR/$1.json" | head -n 1
}

# text_shape NAME: the human output has the claim, observations, a verdict.
text_shape() {
	run -0 "$SOCKX" lab "$1"
	assert_line --index 0 --regexp "^== $1: .+"
	assert_line --index 1 --regexp '^   .+'
	assert_line --regexp '^   [^:]+: .+'
	assert_line --regexp '^   verdict: (holds|does not hold|depends): .+[0-9]'
	[[ ${#lines[@]} -ge 4 ]]
}

@test "lab nagle: text output has the claim, the observations and the verdict" {
	text_shape nagle
}

@test "lab nagle: its verdict agrees with python3 doing the same write-write-read" {
	lab_json nagle
	# python3: 15 rounds each, medians in ms, Nagle on then TCP_NODELAY
	run -0 python3 - <<'EOF'
import socket, statistics, time
def med(nodelay):
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
    c = socket.create_connection(l.getsockname()); s, _ = l.accept()
    c.settimeout(5); s.settimeout(5)
    if nodelay:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ms = []
    for _ in range(15):
        t = time.monotonic()
        c.send(b"a" * 10); c.send(b"b" * 10)
        got = b""
        while len(got) < 20:
            got += s.recv(64)
        s.send(b"r"); c.recv(1)
        ms.append((time.monotonic() - t) * 1000)
    return statistics.median(ms)
print("%.3f %.3f" % (med(False), med(True)))
EOF
	read -r py_nagle py_nodelay <<<"$output"
	lab_nagle=$(observed nagle '^Nagle on \(the default\)')
	lab_nodelay=$(observed nagle '^TCP_NODELAY')
	echo "python3: $py_nagle / $py_nodelay ms; lab: $lab_nagle / $lab_nodelay ms; verdict $(verdict nagle)"
	# the stall is there for both or for neither (30 ms: the lab's threshold)
	py_stall=$(awk -v a="$py_nagle" 'BEGIN { print (a >= 30) ? 1 : 0 }')
	lab_stall=$(awk -v a="$lab_nagle" 'BEGIN { print (a >= 30) ? 1 : 0 }')
	[[ $py_stall == "$lab_stall" ]]
	awk -v a="$py_nodelay" -v b="$lab_nodelay" 'BEGIN { exit !(a < 10 && b < 10) }'
	if [[ $py_stall == 1 ]]; then
		[[ $(verdict nagle) == holds ]]
		# the same timer: the two medians within 30 ms of each other
		awk -v a="$py_nagle" -v b="$lab_nagle" 'BEGIN { d = a - b; exit !(d < 30 && d > -30) }'
	else
		[[ $(verdict nagle) == "does not hold" ]]
	fi
}

# The timeouts lab's namespaces whose sockx is gone: what a lab left behind.
leftover_namespaces() {
	local pid
	for pid in $(ip netns list | sed -n 's/^sockx-timeouts-\([0-9]*\)-.*/\1/p' | sort -u); do
		kill -0 "$pid" 2>/dev/null || echo "sockx-timeouts-$pid-*"
	done
}

@test "lab timeouts: text output has the claim, the observations and the verdict" {
	text_shape timeouts
}

@test "lab timeouts: as root, holds; python3's settimeout shows the same in a namespace of the test's own" {
	skip_unless_root "network namespaces, veth and nftables"
	need_cmd nft
	ns=sockx-labtest-$$
	TEST_NS=$ns
	# python3, first: a black hole (nft drops SYNs to port 9 on lo) and a
	# closed port, settimeout(0.5), in a namespace that is not the lab's
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" nft 'add table inet t; add chain inet t in { type filter hook input priority 0; }; add rule inet t in tcp dport 9 drop'
	run ip netns exec "$ns" python3 - <<'EOF'
import socket, sys, time
def conn(port):
    s = socket.socket(); s.settimeout(0.5); t = time.monotonic()
    try:
        s.connect(("127.0.0.1", port)); r = "connected"
    except socket.timeout:
        r = "timeout"
    except ConnectionRefusedError:
        r = "refused"
    return r, (time.monotonic() - t) * 1000
a, b = socket.socketpair()
a.settimeout(0.2); t = time.monotonic()
try:
    a.recv(1); rr = "data"
except socket.timeout:
    rr = "timeout"
print("%s %.0f %s %.0f %s %.0f" % (*conn(9), *conn(7), rr, (time.monotonic() - t) * 1000))
EOF
	ip netns del "$ns"
	TEST_NS=
	echo "python3 (in a namespace): $output"
	[[ $output =~ ^timeout\ ([0-9]+)\ refused\ ([0-9]+)\ timeout\ ([0-9]+)$ ]]
	((BASH_REMATCH[1] >= 450 && BASH_REMATCH[1] < 1500 && BASH_REMATCH[2] < 100))
	((BASH_REMATCH[3] >= 180))

	lab_json timeouts
	[[ $(verdict timeouts) == holds ]]
	drop=$(observed timeouts 'SYNs are dropped')
	refused=$(observed timeouts 'nobody listens on')
	recv=$(observed timeouts '^recv\(\) with SO_RCVTIMEO')
	send=$(observed timeouts '^send\(\) of 65536')
	blocked=$(observed timeouts 'interrupted by a timer')
	echo "lab: drop $drop ms, refused $refused ms, recv $recv ms, send $send ms, blocked $blocked ms"
	[[ $(observed_value timeouts 'SYNs are dropped') == *"timed out"* ]]
	[[ $(observed_value timeouts 'nobody listens on') == *"refused"* ]]
	[[ $(observed_value timeouts '^recv\(\) with SO_RCVTIMEO') == EAGAIN* ]]
	[[ $(observed_value timeouts 'interrupted by a timer') == EINTR* ]]
	# the same bounds python3 met
	awk -v d="$drop" -v r="$refused" -v v="$recv" -v s="$send" -v b="$blocked" \
		'BEGIN { exit !(d >= 450 && d < 1500 && r < 100 && v >= 180 && v < 1000 && s >= 180 && s < 1000 && b >= 270) }'
	# none whose lab has ended (other files run this lab at the same time)
	run leftover_namespaces
	assert_output ''
}

@test "lab timeouts: as nobody, the connect part is skipped and the verdict says depends, and why" {
	skip_unless_root "setpriv to nobody"
	run -0 as_nobody "$SOCKX" --json lab timeouts
	v=$(jq -r 'select(.event == "lab") | "\(.verdict): \(.why)"' <<<"$output")
	echo "$v"
	[[ $v == "depends: "*"needs root"*"skipped"* ]]
	[[ $v == *"EAGAIN after "* ]]
}

@test "lab udp-unreachable: text output has the claim, the observations and the verdict" {
	text_shape udp-unreachable
}

@test "lab udp-unreachable: holds as python3 sees it, and the ICMP messages were counted" {
	snmp_unreach() {
		awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutDestUnreachs") c = i; h = 1 } else print $c }' /proc/net/snmp
	}
	u0=$(snmp_unreach)
	lab_json udp-unreachable
	u1=$(snmp_unreach)
	(((u1 - u0) >= 3))
	# python3: the same three sockets, on 127.0.0.1
	run -0 python3 - <<'EOF'
import socket, struct
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); p.bind(("127.0.0.1", 0))
dst = p.getsockname(); p.close()
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.connect(dst); c.send(b"x")
c.settimeout(0.3)
try:
    c.recv(1); conn = "data"
except ConnectionRefusedError:
    conn = "ECONNREFUSED"
except socket.timeout:
    conn = "timeout"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b"x", dst); u.settimeout(0.3)
try:
    u.recv(1); plain = "data"
except socket.timeout:
    plain = "timeout"
except OSError as e:
    plain = "error %d" % e.errno
e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
e.setsockopt(socket.IPPROTO_IP, 11, 1)   # IP_RECVERR
e.sendto(b"x", dst)
import select; select.select([e], [], [e], 0.3)
_, anc, _, _ = e.recvmsg(64, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
lvl, typ, data = anc[0]
err, origin, itype, icode = struct.unpack("IBBB", data[:7])
print(conn, plain, "ee_errno %d origin %d type %d code %d" % (err, origin, itype, icode))
EOF
	echo "python3: $output"
	[[ $output == "ECONNREFUSED timeout ee_errno 111 origin 2 type 3 code 3" ]]
	[[ $(verdict udp-unreachable) == holds ]]
	[[ $(observed_value udp-unreachable '^IPv4 connected') == ECONNREFUSED* ]]
	[[ $(observed_value udp-unreachable '^IPv4 unconnected socket:') == "poll timed out, recv EAGAIN" ]]
	[[ $(observed_value udp-unreachable '^IPv4 unconnected socket with') == "ee_errno ECONNREFUSED, ee_origin 2 (ICMP), type 3 code 3" ]]
	[[ $(observed_value udp-unreachable '^IPv6 unconnected socket with') == "ee_errno ECONNREFUSED, ee_origin 3 (ICMP6), type 1 code 4" ]]
}

@test "lab udp-unreachable: runs as nobody, with the same verdict" {
	skip_unless_root "setpriv to nobody"
	run -0 as_nobody "$SOCKX" --json lab udp-unreachable
	[[ $(jq -r 'select(.event == "lab") | .verdict' <<<"$output") == holds ]]
}
