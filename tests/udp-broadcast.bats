#!/usr/bin/env bats
# udp-client --broadcast in private network namespaces: two hosts joined by
# a veth pair, a broadcast to their /24, and every host's reply (a python3
# peer on B, sockx udp-server on A). The addresses exist only inside the
# namespaces, which teardown deletes.

load helpers/common
load helpers/net
load helpers/netns

setup() {
	skip_unless_root "network namespaces"
	need_cmd ip
}

teardown() {
	stop_all_bg
	netns_cleanup
}

@test "udp-client --broadcast: a request to the subnet's broadcast address, every host's reply with its sender" {
	netns_pair 10.77.0.1 10.77.0.2
	# B: a python3 peer on every address (a broadcast reaches only such a socket)
	start_bg pyb ip netns exec "$NS_B" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 0)); s.settimeout(10)
print("listening on 0.0.0.0:%d" % s.getsockname()[1], flush=True)
while True:
    try:
        d, a = s.recvfrom(65536)
    except socket.timeout:
        break
    print("got %r from %s" % (d, a[0]), flush=True)
    s.sendto(d.upper(), a)'
	wait_line "$BATS_TEST_TMPDIR/pyb.out" '^listening on '
	PORT=$(port_of pyb)
	# A: sockx's own server on the same port, on every address of A
	start_bg srva ip netns exec "$NS_A" "$SOCKX" udp-server -b 0.0.0.0 -p "$PORT"
	wait_line "$BATS_TEST_TMPDIR/srva.out" '^listening on '
	run -0 --separate-stderr ip netns exec "$NS_A" "$SOCKX" udp-client --broadcast -w 0.5 10.77.0.255 "$PORT" -m hi
	assert_line --index 0 --regexp '^sending to 10\.77\.0\.255:[0-9]+ from 0\.0\.0\.0:[0-9]+$'
	assert_line --regexp "^reply #1 from 10\\.77\\.0\\.2:$PORT: 2 bytes, time=[0-9.]+ ms: HI\$"
	assert_line --regexp "^reply #1 from 10\\.77\\.0\\.1:$PORT: 2 bytes, time=[0-9.]+ ms: hi\$"
	assert_line --regexp '^1 sent, 1 received, 0% loss, 1 more reply, rtt min/avg/max = '
	grep -q "^got b'hi' from 10.77.0.1\$" "$BATS_TEST_TMPDIR/pyb.out"
	# --json: each reply event names its sender
	run -0 --separate-stderr ip netns exec "$NS_A" "$SOCKX" --json udp-client --broadcast -w 0.5 10.77.0.255 "$PORT" -m hi
	jq -se '[.[] | select(.event == "reply") | .from] | sort == ["10.77.0.1:'"$PORT"'", "10.77.0.2:'"$PORT"'"]' <<<"$output"
	jq -se 'last | .event == "summary" and .received == 1' <<<"$output"
}

@test "udp-client: a broadcast address without --broadcast is refused with a hint; --broadcast is IPv4 only" {
	netns_pair 10.77.0.1 10.77.0.2
	run -1 --separate-stderr ip netns exec "$NS_A" "$SOCKX" udp-client -w 0.5 10.77.0.255 9 -m hi
	[[ "$stderr" == *"a broadcast address, and the socket has no SO_BROADCAST"* ]]
	[[ "$stderr" == *"hint: udp-client talks to one peer over a connected socket; --broadcast sends to a broadcast address"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --broadcast ::1 9 -m hi
	[[ "$stderr" == *"--broadcast needs an IPv4 address ([::1]:9): IPv6 has no broadcast, only multicast"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --broadcast --verify 127.0.0.1 9 -m hi
	[[ "$stderr" == *"cannot use --verify with --broadcast"* ]]
}
