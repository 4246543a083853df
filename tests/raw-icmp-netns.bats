#!/usr/bin/env bats
# raw-icmp in private network namespaces: loss (nftables), timeouts,
# ICMP errors from a router (TTL, MTU), duplicates, a python3 peer that
# answers out of order or with hostile packets, and the ICMP datagram
# socket where ping_group_range allows it and where it does not.
# Every namespace is deleted in teardown; addresses exist only inside.
# bats file_tags=needs:raw

load helpers/common
load helpers/net

NS_LIST=()

setup() {
	skip_unless_root "network namespaces and raw sockets"
}

teardown() {
	local ns
	stop_all_bg
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	NS_LIST=()
}

# ns_new SUFFIX: a namespace with lo up, named in $NS.
ns_new() {
	NS="sxri$$-${BATS_TEST_NUMBER}-$1"
	ip netns add "$NS"
	NS_LIST+=("$NS")
	ip -n "$NS" link set lo up
}

# ns_router [MTU]: hosts A and B, router R between them (forwarding on):
# A 10.200.1.1 / fd00:200:1::1 -- R -- B 10.200.2.2 / fd00:200:2::2.
# MTU, if given, is that of the R-B link.
ns_router() {
	ns_new a; A=$NS
	ns_new r; R=$NS
	ns_new b; B=$NS
	ip -n "$A" link add veth0 type veth peer name veth1 netns "$R"
	ip -n "$B" link add veth0 type veth peer name veth2 netns "$R"
	ip -n "$A" addr add 10.200.1.1/24 dev veth0
	ip -n "$A" addr add fd00:200:1::1/64 dev veth0 nodad
	ip -n "$R" addr add 10.200.1.2/24 dev veth1
	ip -n "$R" addr add fd00:200:1::2/64 dev veth1 nodad
	ip -n "$R" addr add 10.200.2.1/24 dev veth2
	ip -n "$R" addr add fd00:200:2::1/64 dev veth2 nodad
	ip -n "$B" addr add 10.200.2.2/24 dev veth0
	ip -n "$B" addr add fd00:200:2::2/64 dev veth0 nodad
	ip -n "$R" link set veth2 mtu "${1:-1500}"
	ip -n "$B" link set veth0 mtu "${1:-1500}"
	ip -n "$A" link set veth0 up
	ip -n "$R" link set veth1 up
	ip -n "$R" link set veth2 up
	ip -n "$B" link set veth0 up
	ip -n "$A" route add default via 10.200.1.2
	ip -n "$A" -6 route add default via fd00:200:1::2
	ip -n "$B" route add default via 10.200.2.1
	ip -n "$B" -6 route add default via fd00:200:2::1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# A python3 raw-socket peer that answers echo requests on 127.0.0.1 in
# place of the kernel (icmp_echo_ignore_all=1): "reverse" answers three
# requests last first; "hostile" sends, before each good reply, one with
# a wrong checksum, one for another identifier and an error whose quoted
# header lies; "corrupt" flips a data byte of the first reply and cuts
# the second short (checksums right); "longer" adds 500 bytes to the data
# of each reply. (An ICMP message shorter than its
# 8-byte header never reaches a socket with ICMP_FILTER: the kernel drops
# it; test_wire.c and the fuzz targets cover those.)
PEER_PY='
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def icmp(t, code, rest, body, fix=True):
    m = struct.pack("!BBH", t, code, 0) + rest + body
    c = csum(m) if fix else 0x1234
    return m[:2] + struct.pack("!H", c) + m[4:]
mode = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(10)
print("listening on raw icmp", flush=True)
got = []
while True:
    pkt, addr = s.recvfrom(65535)
    req = pkt[(pkt[0] & 15) * 4:]
    if req[0] != 8:
        continue
    dst = ("127.0.0.1", 0)
    if mode == "reverse":
        got.append(req)
        if len(got) == 3:
            for r in reversed(got):
                s.sendto(icmp(0, 0, r[4:8], r[8:]), dst)
            break
        continue
    if mode == "hostile":
        s.sendto(icmp(0, 0, req[4:8], req[8:], fix=False), dst)
        other = struct.pack("!HH", struct.unpack("!H", req[4:6])[0] ^ 1, 1)
        s.sendto(icmp(0, 0, other, req[8:]), dst)
        lie = bytes([0x4f]) + pkt[1:28]
        s.sendto(icmp(11, 0, b"\0" * 4, lie), dst)
        s.sendto(icmp(0, 0, req[4:8], req[8:]), dst)
    if mode == "corrupt":
        body = bytearray(req[8:]); body[20] ^= 0xff
        if req[7] == 2: body = body[:20]
        s.sendto(icmp(0, 0, req[4:8], bytes(body)), dst)
    if mode == "longer":
        s.sendto(icmp(0, 0, req[4:8], req[8:] + b"x" * 500), dst)
'

# ns_drop_icmp HOOK TYPE: an nftables rule in $NS that drops ICMP TYPE
# at HOOK (input or output).
ns_drop_icmp() {
	ip netns exec "$NS" nft add table inet sxt
	ip netns exec "$NS" nft add chain inet sxt "$1" "{ type filter hook $1 priority 0; }"
	ip netns exec "$NS" nft add rule inet sxt "$1" icmp type "$2" drop
}

# start_peer MODE: the python3 peer in a fresh namespace $NS.
start_peer() {
	ns_new peer
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	start_bg peer ip netns exec "$NS" python3 -c "$PEER_PY" "$1"
	wait_line "$BATS_TEST_TMPDIR/peer.out" '^listening on' 5
}

@test "raw-icmp: probes dropped by nftables (sendto EPERM): 100% loss, exit 1, not 4" {
	need_cmd nft
	ns_new loss
	ns_drop_icmp output echo-request
	SECONDS=0
	run -1 --separate-stderr timeout 10 ip netns exec "$NS" "$SOCKX" raw-icmp -c 3 -i 0.2 -W 1 127.0.0.1
	((SECONDS < 5))
	assert_line --regexp '^3 packets transmitted, 0 received, \+3 errors, 100% packet loss, time [0-9]+ms$'
	[[ "$stderr" == *"icmp_seq=1: sendto 127.0.0.1: Operation not permitted"* ]]
	[[ "$stderr" == *"hint: a local firewall rule"* ]]
	run -1 --separate-stderr ip netns exec "$NS" "$SOCKX" --json raw-icmp -c 2 -i 0.2 127.0.0.1
	jq -se '[.[] | select(.event=="error" and .kind=="send")] | length == 2' <<<"$output"
	jq -se 'any(.[]; .event=="summary" and .send_errors==2 and .loss_pct==100)' <<<"$output"
	# as every error (docs/json.md): a line on stderr too
	[[ "$stderr" == *"sockx: raw-icmp: icmp_seq=2: sendto 127.0.0.1: Operation not permitted"* ]]
}

@test "raw-icmp: replies dropped on input: each probe times out after -W" {
	need_cmd nft
	ns_new quiet
	ns_drop_icmp input echo-reply
	SECONDS=0
	run -1 --separate-stderr timeout 10 ip netns exec "$NS" "$SOCKX" raw-icmp -c 2 -i 0.2 -W 0.5 127.0.0.1
	((SECONDS < 5))
	assert_line 'no answer yet for icmp_seq=1'
	assert_line 'no answer yet for icmp_seq=2'
	assert_line --regexp '^2 packets transmitted, 0 received, 100% packet loss, time [0-9]+ms$'
	refute_line --partial 'rtt min'
	run -1 ip netns exec "$NS" "$SOCKX" --json raw-icmp -c 1 -W 0.3 127.0.0.1
	jq -se 'any(.[]; .event=="timeout" and .seq==1)' <<<"$output"
}

@test "raw-icmp: --ttl 1 through a router: Time to live exceeded, matched by its quote" {
	ns_router
	run -0 ip netns exec "$A" "$SOCKX" raw-icmp -c 1 -W 2 10.200.2.2
	assert_line --regexp '^64 bytes from 10\.200\.2\.2: icmp_seq=1 ttl=63 time='
	run -1 --separate-stderr ip netns exec "$A" "$SOCKX" raw-icmp --ttl 1 -c 2 -i 0.2 -W 2 10.200.2.2
	assert_line 'From 10.200.1.2 icmp_seq=1 Time to live exceeded'
	assert_line 'From 10.200.1.2 icmp_seq=2 Time to live exceeded'
	assert_line --regexp '^2 packets transmitted, 0 received, \+2 errors, 100% packet loss'
	run -1 ip netns exec "$A" "$SOCKX" --json raw-icmp --ttl 1 -c 1 -W 2 10.200.2.2
	jq -se 'any(.[]; .event=="error" and .kind=="icmp" and .from=="10.200.1.2" and .seq==1 and .type==11 and .code==0)' <<<"$output"
}

@test "raw-icmp: the router's error decoded by --dump, quote and all; --no-hdrincl too" {
	ns_router
	run -1 ip netns exec "$A" "$SOCKX" raw-icmp --dump --ttl 1 --id 4242 -c 1 -W 2 10.200.2.2
	assert_line '< received 112 bytes from 10.200.1.2'
	assert_line --regexp '^  ICMP   type 11 \(Time to live exceeded\), code 0, checksum 0x[0-9a-f]{4} \(correct\)$'
	assert_line --regexp '^  quoted version 4, ihl 5 \(20 bytes\), tos 0x00, total length 84$'
	assert_line --regexp '^         header checksum 0x[0-9a-f]{4}, 10\.200\.1\.1 -> 10\.200\.2\.2$'
	assert_line '         quoted ICMP type 8 (Echo Request), identifier 4242, sequence 1'
	run -1 ip netns exec "$A" "$SOCKX" raw-icmp --no-hdrincl --ttl 1 -c 1 -W 2 10.200.2.2
	assert_line 'From 10.200.1.2 icmp_seq=1 Time to live exceeded'
}

@test "raw-icmp: --df over a smaller MTU: Frag needed, with the router's MTU" {
	ns_router 1280
	run -1 --separate-stderr ip netns exec "$A" "$SOCKX" raw-icmp --df -s 1400 -c 1 -W 2 10.200.2.2
	assert_line 'From 10.200.1.2 icmp_seq=1 Frag needed and DF set (mtu = 1280)'
	# without DF the router fragments and the reply comes back whole
	run -0 ip netns exec "$A" "$SOCKX" raw-icmp -s 1400 -c 1 -W 2 10.200.2.2
	assert_line --regexp '^1408 bytes from 10\.200\.2\.2: icmp_seq=1 ttl=63 '
}

@test "raw-icmp: -6 --ttl 1 through the router: Time exceeded: Hop limit" {
	ns_router
	run -0 ip netns exec "$A" "$SOCKX" -6 raw-icmp -c 1 -W 3 fd00:200:2::2
	assert_line --regexp '^64 bytes from fd00:200:2::2: icmp_seq=1 ttl=63 '
	run -1 ip netns exec "$A" "$SOCKX" -6 raw-icmp --ttl 1 -c 1 -W 2 fd00:200:2::2
	assert_line 'From fd00:200:1::2 icmp_seq=1 Time exceeded: Hop limit'
}

@test "raw-icmp: --dgram where ping_group_range allows it: no privilege needed" {
	ns_new dgram
	ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	run -0 --separate-stderr ip netns exec "$NS" "$SOCKX" -v raw-icmp --dgram -c 2 -i 0.2 127.0.0.1
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=2 ttl=64 time='
	[[ "$stderr" == *"socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_ICMP) = "* ]]
	[[ "$stderr" == *"method: dgram: SOCK_DGRAM ICMP socket"* ]]
	nobody_copy
	# as nobody, with no capability at all
	run -0 ip netns exec "$NS" "${NOBODY[@]}" "$NOBODY_SOCKX" raw-icmp --dgram -c 1 127.0.0.1
	assert_line --partial '1 packets transmitted, 1 received, 0% packet loss'
	run -0 ip netns exec "$NS" "${NOBODY[@]}" "$NOBODY_SOCKX" -6 raw-icmp --dgram -c 1 ::1
	assert_line --regexp '^64 bytes from ::1: icmp_seq=1 ttl=64 '
	# --id is the socket's "port": the kernel writes it into each request
	run -0 ip netns exec "$NS" "$SOCKX" raw-icmp --dgram --dump --id 4321 -c 1 127.0.0.1
	assert_line '  [kernel] written by the kernel, not sockx: checksum, identifier'
	assert_line '         identifier 4321 (0x10e1) [kernel], sequence 1'
}

@test "raw-icmp: --dgram where ping_group_range forbids it: exit 4, the sysctl's value" {
	ns_new nodgram
	ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="1 0"
	run -4 --separate-stderr ip netns exec "$NS" "$SOCKX" raw-icmp --dgram -c 1 127.0.0.1
	[[ "${stderr_lines[0]}" == 'sockx: raw-icmp: cannot open an ICMP datagram socket: Permission denied: net.ipv4.ping_group_range is "1 0", which leaves out group 0' ]]
	[[ "${stderr_lines[1]}" == 'hint: allow it with: sysctl -w net.ipv4.ping_group_range="0 2147483647"'* ]]
	[[ -z "$output" ]]
}

@test "raw-icmp: --dgram through the router: the error queue gives the TTL error" {
	ns_router
	ip netns exec "$A" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	run -1 ip netns exec "$A" "$SOCKX" raw-icmp --dgram --ttl 1 -c 1 -W 2 10.200.2.2
	assert_line 'From 10.200.1.2 icmp_seq=1 Time to live exceeded'
	assert_line --partial '1 packets transmitted, 0 received, +1 errors, 100% packet loss'
}

@test "raw-icmp: duplicated replies are marked (DUP!) and counted apart" {
	need_cmd nft
	ns_new dup
	ip netns exec "$NS" nft add table ip sxt
	ip netns exec "$NS" nft add chain ip sxt out '{ type filter hook output priority 0; }'
	ip netns exec "$NS" nft add rule ip sxt out icmp type echo-reply dup to 127.0.0.1 device lo
	run -0 ip netns exec "$NS" "$SOCKX" raw-icmp -c 2 -i 0.3 127.0.0.1
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms \(DUP!\)$'
	assert_line --regexp '^2 packets transmitted, 2 received, \+[0-9]+ duplicates, 0% packet loss'
}

@test "raw-icmp: replies out of order are marked so (python3 peer)" {
	start_peer reverse
	run -0 ip netns exec "$NS" "$SOCKX" raw-icmp -c 3 -i 0.2 -W 5 127.0.0.1
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=3 ttl=64 time=[0-9.]+ ms$'
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=2 ttl=64 time=[0-9.]+ ms \(out of order\)$'
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms \(out of order\)$'
	assert_line --partial '3 packets transmitted, 3 received, 0% packet loss'
}

@test "raw-icmp: short, lying and hostile packets are reported at -v and skipped" {
	start_peer hostile
	run -0 --separate-stderr ip netns exec "$NS" "$SOCKX" -vv raw-icmp -c 1 -W 5 127.0.0.1
	[[ "$stderr" == *"skipped 84 bytes from 127.0.0.1: ICMP type 0 with a wrong checksum 0x1234"* ]]
	[[ "$stderr" =~ echo\ reply\ for\ identifier\ [0-9]+,\ not\ ours ]]
	[[ "$stderr" == *"ICMP type 11 quoting an unreadable datagram"* ]]
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	assert_line --partial '1 packets transmitted, 1 received, 0% packet loss'
	refute_line --partial 'DUP'
}

@test "raw-icmp: a reply whose data changed or shrank on the way is marked" {
	start_peer corrupt
	run -0 ip netns exec "$NS" "$SOCKX" raw-icmp -c 2 -i 0.2 -W 5 127.0.0.1
	assert_line --regexp '^64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms \(wrong data byte #20\)$'
	assert_line --regexp '^28 bytes from 127\.0\.0\.1: icmp_seq=2 ttl=64 time=[0-9.]+ ms \(truncated: 20 of 56 data bytes\)$'
}

@test "raw-icmp: a reply longer than the request is marked longer, not truncated" {
	start_peer longer
	run -0 ip netns exec "$NS" "$SOCKX" raw-icmp -c 1 -W 5 127.0.0.1
	assert_line --regexp '^564 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms \(longer: 556 data bytes, 56 sent\)$'
	refute_line --partial 'truncated'
	refute_line --partial 'wrong data'
}

@test "raw-icmp: -w DEADLINE ends a run with no replies; with -c, fewer replies exit 1" {
	need_cmd nft
	ns_new quiet
	ns_drop_icmp input echo-reply
	# -W 10 alone would wait ten seconds for the first probe
	SECONDS=0
	run -1 --separate-stderr timeout 10 ip netns exec "$NS" "$SOCKX" raw-icmp -c 3 -w 1 -i 0.2 127.0.0.1
	((SECONDS < 4))
	assert_line --regexp '^[56] packets transmitted, 0 received, 100% packet loss, time [0-9]+ms$'
	SECONDS=0
	run -1 --separate-stderr timeout 10 ip netns exec "$NS" "$SOCKX" raw-icmp -w 1 127.0.0.1
	((SECONDS < 4))
	assert_line --regexp '^[12] packets transmitted, 0 received'
}

# ns_link: $A (veth0: 10.201.0.1, fe80::1) and $B (veth1: 10.201.0.2, fe80::2).
ns_link() {
	ns_new a; A=$NS
	ns_new b; B=$NS
	ip -n "$A" link add veth0 type veth peer name veth1 netns "$B"
	ip -n "$A" addr add 10.201.0.1/24 dev veth0
	ip -n "$A" addr add fe80::1/64 dev veth0 nodad
	ip -n "$B" addr add 10.201.0.2/24 dev veth1
	ip -n "$B" addr add fe80::2/64 dev veth1 nodad
	ip -n "$A" link set veth0 up
	ip -n "$B" link set veth1 up
}

@test "raw-icmp: -I IFACE sends through it (a link-local HOST is on it); -I ADDR is the source" {
	ns_link
	run -0 ip netns exec "$A" "$SOCKX" raw-icmp -c 1 -W 2 -I veth0 10.201.0.2
	assert_line --regexp '^64 bytes from 10.201.0.2: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	# bound to lo, the probe never reaches B
	run -1 ip netns exec "$A" "$SOCKX" raw-icmp -c 1 -W 0.5 -I lo 10.201.0.2
	assert_line --partial '1 packets transmitted, 0 received'
	run -0 --separate-stderr ip netns exec "$A" "$SOCKX" -v raw-icmp -c 1 -W 2 -I 10.201.0.1 10.201.0.2
	[[ "$stderr" == *", source 10.201.0.1"* ]]
	run -0 ip netns exec "$A" "$SOCKX" raw-icmp -6 -c 1 -W 2 -I veth0 fe80::2
	assert_line --index 0 'PING fe80::2 (fe80::2%veth0) 56(104) bytes of data.'
	assert_line --regexp '^64 bytes from fe80::2%veth0: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	run -2 --separate-stderr ip netns exec "$A" "$SOCKX" raw-icmp -c 1 fe80::2
	[[ "$stderr" == *"link-local address 'fe80::2' needs an interface (a scope)"* ]]
	[[ "$stderr" == *"hint: add the interface it is on: fe80::2%IFACE, or -I IFACE"* ]]
	run -2 --separate-stderr ip netns exec "$A" "$SOCKX" raw-icmp -c 1 -I lo 'fe80::2%veth0'
	[[ "$stderr" == *"is on another interface than -I lo"* ]]
	run -2 --separate-stderr ip netns exec "$A" "$SOCKX" raw-icmp -c 1 'fe80::2%nosuch'
	[[ "$stderr" == *"unknown interface 'nosuch' in 'fe80::2%nosuch'"* ]]
}
