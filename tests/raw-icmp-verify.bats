#!/usr/bin/env bats
# raw-icmp --verify and --pcap: each packet sockx built, IPv4 header and
# ICMP message byte for byte, and each answer it read, against the wire;
# the fields the kernel fills in named as such; tcpdump and the kernel's
# own ICMP counters as outside witnesses; drops before the wire, a flood,
# no privilege.
# bats file_tags=needs:raw

# shellcheck disable=SC2154 # $stderr and $lines: set by bats run
load helpers/common
load helpers/net

NS=
NS_LIST=()

setup() {
	skip_unless_root "raw sockets, libpcap captures and network namespaces"
	make_ns
}

teardown() {
	stop_all_bg
	local ns
	for ns in "$NS" "${NS_LIST[@]}"; do
		[[ -n $ns ]] || continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	return 0
}

# A network namespace of this test's own with lo up: $NS. Every test runs
# in one: raw ICMP sockets read every echo reply of their host, and other
# programs' floods on the host's lo would crowd ours out.
make_ns() {
	NS="sockx-icmpv-$$-$BATS_TEST_NUMBER"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}

# nsx ARGS...: sockx ARGS in $NS.
nsx() {
	ip netns exec "$NS" "$SOCKX" "$@"
}

# ns_router: hosts A and B, router R between them (as raw-icmp-netns.bats):
# A 10.200.1.1 / fd00:200:1::1 -- R -- B 10.200.2.2 / fd00:200:2::2.
ns_router() {
	local p="sxiv$$-$BATS_TEST_NUMBER" x
	A=$p-a R=$p-r B=$p-b
	for x in "$A" "$R" "$B"; do
		ip netns add "$x"
		NS_LIST+=("$x")
		ip -n "$x" link set lo up
	done
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

# out_echos: echo requests the kernel of $NS sent (its own ICMP counters).
out_echos() {
	ip netns exec "$NS" nstat -asz IcmpOutEchos | awk '$1 == "IcmpOutEchos" { print $2 }'
}

# verify_event: the JSON verify event of $output, as [result, out, in, bytes].
verify_event() {
	jq -c 'select(.event == "verify") | [.result, .packets_out, .packets_in, .bytes]' <<<"$output"
}

@test "raw-icmp --verify: three echoes, --ip-id 0: the kernel's ID named as kernel-filled" {
	run -0 --separate-stderr nsx raw-icmp --verify -c 3 -i 0.05 --ip-id 0 127.0.0.1
	[[ "$output" == *"3 packets transmitted, 3 received, 0% packet loss"* ]]
	drop_summary
	[[ ${lines[-2]} == "verified: 3 packets out, 3 in, 336 bytes of payload match" ]]
	# ID 0 under IP_HDRINCL: the kernel picks one and so rewrites the checksum.
	drop_summary
	[[ ${lines[-1]} =~ ^kernel\ filled\ in:\ header\ checksum\ 0x[0-9a-f]{4},\ id\ 0x[0-9a-f]{4}$ ]]
	[[ "$stderr" == "" ]]
}

@test "raw-icmp --verify: the default header is on the wire exactly as built" {
	# A non-zero ID and the right length and checksum: nothing for the
	# kernel to change, so nothing is reported as kernel-filled.
	run -0 --separate-stderr nsx raw-icmp --verify -c 2 -i 0.05 --ttl 9 --tos 0x08 --df \
		-s 300 --pattern c0ffee 127.0.0.1
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, 2 in, 1200 bytes of payload match" ]]
	[[ "$output" != *"kernel filled in"* ]]
}

@test "raw-icmp --verify --json: one verify event, the kernel-filled fields in it" {
	need_cmd jq
	run -0 --separate-stderr nsx --json raw-icmp --verify -c 2 -i 0.05 --ip-id 0 127.0.0.1
	[[ $(verify_event) == '["verified",2,2,224]' ]]
	[[ $(jq -r 'select(.event == "verify") | .kernel_filled' <<<"$output") =~ ^header\ checksum\ 0x[0-9a-f]{4},\ id\ 0x[0-9a-f]{4}$ ]]
	[[ $(jq -c 'select(.event == "verify") | [.iface, .dropped, .extra_out, .extra_in]' <<<"$output") == '["lo",0,0,0]' ]]
	[[ $(grep -c '"event":"verify"' <<<"$output") -eq 1 ]]
}

@test "raw-icmp --verify --no-hdrincl: the ICMP message compared, the kernel's IPv4 header left to it" {
	run -0 --separate-stderr nsx -v raw-icmp --verify --no-hdrincl -c 2 -i 0.05 --ttl 7 127.0.0.1
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, 2 in, 224 bytes of payload match" ]]
	[[ "$stderr" == *"method: raw: SOCK_RAW without IP_HDRINCL"* ]]
	[[ "$stderr" == *"capture: ready on lo, "* ]]
}

@test "raw-icmp --verify -6: ICMPv6 echoes to ::1 verified" {
	run -0 --separate-stderr nsx raw-icmp -6 --verify -c 3 -i 0.05 --ttl 5 ::1
	[[ "$output" == *"3 packets transmitted, 3 received"* ]]
	drop_summary
	[[ ${lines[-1]} == "verified: 3 packets out, 3 in, 336 bytes of payload match" ]]
}

@test "raw-icmp --pcap: tcpdump reads the TTL, TOS, ID and length that were set" {
	need_cmd tcpdump
	local f=$BATS_TEST_TMPDIR/e.pcap
	run -0 --separate-stderr nsx raw-icmp --verify --pcap "$f" -c 2 -i 0.05 \
		--ttl 33 --tos 0x10 --ip-id 4660 -s 100 --id 4321 127.0.0.1
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, 2 in, 400 bytes of payload match" ]]
	run -0 --separate-stderr tcpdump -r "$f" -n -v
	[[ $(grep -c 'IP (tos 0x10, ttl 33, id 4660, offset 0, flags \[none\], proto ICMP (1), length 128)' <<<"$output") -eq 2 ]]
	[[ "$output" == *"127.0.0.1 > 127.0.0.1: ICMP echo request, id 4321, seq 1, length 108"* ]]
	[[ "$output" == *"127.0.0.1 > 127.0.0.1: ICMP echo reply, id 4321, seq 2, length 108"* ]]
	[[ $(grep -c '^[0-9:.]* IP ' <<<"$output") -eq 4 ]]	# the flow, nothing else
	[[ $(find "$BATS_TEST_TMPDIR" -name '.e.pcap.*' | wc -l) -eq 0 ]]
}

@test "raw-icmp --pcap: the ID the kernel filled in is the one tcpdump reads" {
	need_cmd tcpdump
	local f=$BATS_TEST_TMPDIR/k.pcap id
	run -0 --separate-stderr nsx raw-icmp --verify --pcap "$f" -c 1 --ip-id 0 127.0.0.1
	drop_summary
	[[ ${lines[-1]} =~ ,\ id\ 0x([0-9a-f]{4})$ ]]
	id=$((16#${BASH_REMATCH[1]}))
	run -0 --separate-stderr tcpdump -r "$f" -n -v 'icmp[0] == 8'
	[[ ${lines[0]} == *"IP (tos 0x0, ttl 64, id $id, offset 0, flags [none], proto ICMP (1), length 84)" ]]
}

@test "raw-icmp --pcap without --verify: the capture written, no verdict; -6 too" {
	need_cmd tcpdump
	run -0 --separate-stderr nsx raw-icmp -6 --pcap "$BATS_TEST_TMPDIR/6.pcap" -c 2 -i 0.05 -s 20 ::1
	[[ "$output" != *verified* ]]
	run -0 --separate-stderr tcpdump -r "$BATS_TEST_TMPDIR/6.pcap" -n
	[[ ${#lines[@]} -eq 4 ]]
	[[ ${lines[0]} == *"IP6 ::1 > ::1: ICMP6, echo request, id "*", seq 1, length 28" ]]
	[[ ${lines[3]} == *"IP6 ::1 > ::1: ICMP6, echo reply, id "*", seq 2, length 28" ]]
}

@test "raw-icmp --pcap into a missing directory: exit 1 before any probe" {
	run -1 --separate-stderr nsx raw-icmp --pcap "$BATS_TEST_TMPDIR/no/such/x.pcap" -c 1 127.0.0.1
	[[ "$stderr" == *"cannot write '$BATS_TEST_TMPDIR/no/such/x.pcap'"* ]]
	[[ "$output" != *"bytes from"* ]]
}

@test "raw-icmp --dump --verify: each packet dumped once, answers recorded once" {
	run -0 --separate-stderr nsx raw-icmp --dump --verify -c 2 -i 0.05 127.0.0.1
	[[ $(grep -c '^> sent ' <<<"$output") -eq 2 ]]
	[[ $(grep -c '^< received ' <<<"$output") -eq 2 ]]
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, 2 in, 224 bytes of payload match" ]]
}

@test "raw-icmp --verify: a request dropped after the socket, before the wire, is not verified (exit 3)" {
	need_cmd nft
	# The egress hook runs before lo hands the packet to captures, and a
	# raw IPv4 socket's sendto() does not learn of the drop (ENOBUFS is
	# reported only with IP_RECVERR): sockx believes the probes left.
	ip netns exec "$NS" nft -f - <<-EOF
	table netdev sockx_test {
		chain egress {
			type filter hook egress device lo priority 0;
			icmp type echo-request drop
		}
	}
	EOF
	run -3 --separate-stderr nsx raw-icmp --verify -c 3 -i 0.05 -W 0.5 127.0.0.1
	[[ "$output" == *"3 packets transmitted, 0 received, 100% packet loss"* ]]
	[[ "$output" != *verified:* ]]
	[[ "$stderr" == *"sockx: raw-icmp: not verified: sent packet 1 of 3 is not on the wire; 2 more sent packets are not on the wire"* ]]
	run -3 --separate-stderr nsx raw-icmp --verify --no-hdrincl -c 1 -W 0.5 127.0.0.1
	[[ "$stderr" == *"not verified: sent packet 1 of 1 is not on the wire"* ]]
}

@test "raw-icmp --verify: one request of three dropped before the wire: not verified, which one named" {
	need_cmd nft
	ip netns exec "$NS" nft -f - <<-EOF
	table netdev sockx_test {
		chain egress {
			type filter hook egress device lo priority 0;
			icmp type echo-request icmp sequence 2 drop
		}
	}
	EOF
	run -3 --separate-stderr nsx raw-icmp --verify -c 3 -i 0.05 -W 0.5 127.0.0.1
	[[ "$output" == *"3 packets transmitted, 2 received"* ]]
	[[ "$stderr" == *"not verified: sent packet 2 of 3 is not on the wire; the nearest, wire packet 2, differs at byte "* ]]
	[[ "$stderr" != *"more sent packets"* ]]
}

@test "raw-icmp --verify: an nftables output drop fails sendto: lost probes, nothing claimed (exit 1)" {
	need_cmd nft
	ip netns exec "$NS" nft -f - <<-EOF
	table inet sockx_test {
		chain out {
			type filter hook output priority 0;
			icmp type echo-request drop
		}
	}
	EOF
	run -1 --separate-stderr nsx raw-icmp --verify -c 2 -i 0.05 -W 0.5 127.0.0.1
	[[ "$output" == *"2 packets transmitted, 0 received, +2 errors, 100% packet loss"* ]]
	[[ "$stderr" == *"sendto 127.0.0.1: Operation not permitted"* ]]
	[[ "$output" != *verified* && "$stderr" != *verified* ]]
}

@test "raw-icmp --verify -6: a full output queue never spins: each probe lost after -W" {
	need_cmd nft
	# On IPv6 the same egress drop comes back from sendto() as ENOBUFS.
	ip netns exec "$NS" nft -f - <<-EOF
	table netdev sockx_test {
		chain egress {
			type filter hook egress device lo priority 0;
			icmpv6 type echo-request drop
		}
	}
	EOF
	run -1 --separate-stderr timeout 10 ip netns exec "$NS" "$SOCKX" raw-icmp -6 --verify -c 2 -W 0.3 ::1
	[[ "$output" == *"2 packets transmitted, 0 received, +2 errors, 100% packet loss"* ]]
	[[ "$stderr" == *"sendto ::1: No buffer space available"* ]]
}

@test "raw-icmp --verify: no CAP_NET_RAW: exit 4 and no echo request sent" {
	need_cmd setpriv
	nobody_copy
	run -4 --separate-stderr ip netns exec "$NS" "${NOBODY[@]}" \
		"$NOBODY_SOCKX" raw-icmp --verify --pcap "$BATS_TEST_TMPDIR/np.pcap" -c 1 127.0.0.1
	[[ "$stderr" == *"cannot open a raw ICMP socket"* ]]
	[[ ! -e "$BATS_TEST_TMPDIR/np.pcap" ]]
	# A datagram socket needs no privilege where ping_group_range allows,
	# but the capture does: refused before the first probe.
	ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	run -4 --separate-stderr ip netns exec "$NS" "${NOBODY[@]}" \
		"$NOBODY_SOCKX" raw-icmp --dgram --verify -c 1 127.0.0.1
	[[ "$stderr" == *"cannot capture on lo: missing CAP_NET_RAW"* ]]
	[[ "$stderr" == *"hint: --verify and --pcap"*"CAP_NET_RAW"* ]]
	[[ $(out_echos) -eq 0 ]]
	# Without --verify the same user does ping: the counter works.
	run -0 --separate-stderr ip netns exec "$NS" "${NOBODY[@]}" \
		"$NOBODY_SOCKX" raw-icmp --dgram -c 1 127.0.0.1
	[[ $(out_echos) -eq 1 ]]
}

@test "raw-icmp --verify --dgram: the kernel's identifier and checksum, compared and said so" {
	ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	run -0 --separate-stderr nsx raw-icmp --dgram --verify -c 2 -i 0.05 127.0.0.1
	drop_summary
	[[ ${lines[-2]} == "verified: 2 packets out, 2 in, 224 bytes of payload match" ]]
	[[ ${lines[-1]} =~ ^note:\ on\ a\ datagram\ socket\ the\ kernel\ writes\ the\ identifier\ itself:\ sockx\ built\ in\ the\ one\ getsockname\ reported\ \([0-9]+\),\ so\ it\ was\ compared,\ not\ skipped$ ]]
	run -0 --separate-stderr nsx raw-icmp -6 --dgram --verify -c 2 -i 0.05 ::1
	drop_summary
	[[ ${lines[-2]} == "verified: 2 packets out, 2 in, 224 bytes of payload match" ]]
}

@test "raw-icmp --verify through a router: on veth0; its TTL errors recorded as the answers" {
	need_cmd jq
	ns_router
	run -0 --separate-stderr ip netns exec "$A" "$SOCKX" -v raw-icmp --verify -c 2 -i 0.05 -W 3 10.200.2.2
	[[ "$stderr" == *"capture: ready on veth0, link type EN10MB"* ]]
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, 2 in, 224 bytes of payload match" ]]
	# No reply, so exit 1; what sockx sent and read (the router's errors,
	# each quoting a probe) is on the wire: "partial", not a mismatch.
	run -1 --separate-stderr ip netns exec "$A" "$SOCKX" --json raw-icmp --verify --ttl 1 -c 2 -i 0.05 -W 2 10.200.2.2
	[[ $(jq -c 'select(.event == "verify") | [.result, .packets_out, .packets_in, .extra_in]' <<<"$output") == '["partial",2,2,0]' ]]
	run -1 --separate-stderr ip netns exec "$A" "$SOCKX" --json raw-icmp -6 --verify --ttl 1 -c 1 -W 2 fd00:200:2::2
	[[ $(jq -c 'select(.event == "verify") | [.result, .packets_out, .packets_in]' <<<"$output") == '["partial",1,1]' ]]
}

@test "raw-icmp --verify: duplicated replies are on the wire too, and recorded as read" {
	need_cmd nft
	ip netns exec "$NS" nft add table ip sxt
	ip netns exec "$NS" nft add chain ip sxt out '{ type filter hook output priority 0; }'
	ip netns exec "$NS" nft add rule ip sxt out icmp type echo-reply dup to 127.0.0.1 device lo
	run -0 --separate-stderr nsx raw-icmp --verify -c 2 -i 0.2 127.0.0.1
	[[ "$output" =~ 2\ packets\ transmitted,\ 2\ received,\ \+([0-9]+)\ duplicates ]]
	local dups=${BASH_REMATCH[1]}
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, $((2 + dups)) in, "* ]]
}

@test "raw-icmp --verify -f -c 20000: verified, or inconclusive (exit 3) if libpcap dropped any" {
	need_cmd jq
	local rc=0 ev
	nsx --json raw-icmp -f -c 20000 --verify 127.0.0.1 >"$BATS_TEST_TMPDIR/f.json" \
		2>"$BATS_TEST_TMPDIR/f.err" || rc=$?
	ev=$(jq -c 'select(.event == "verify") | [.result, .packets_out, .packets_in, .dropped]' "$BATS_TEST_TMPDIR/f.json")
	echo "exit $rc: $ev"
	[[ $(jq 'select(.event == "summary") | .transmitted' "$BATS_TEST_TMPDIR/f.json") -eq 20000 ]]
	if [[ $(jq -r 'select(.event == "verify") | .dropped' "$BATS_TEST_TMPDIR/f.json") -eq 0 ]]; then
		[[ $rc -eq 0 && $ev == '["verified",20000,20000,0]' ]]
	else
		[[ $rc -eq 3 && $ev == '["inconclusive",'* ]]
		grep -q 'inconclusive: libpcap dropped' "$BATS_TEST_TMPDIR/f.err"
	fi
}

@test "raw-icmp --verify -f: SIGINT ends the flood with its summary, verdict and whole --pcap" {
	need_cmd tcpdump
	local f=$BATS_TEST_TMPDIR/int.pcap n out in
	start_bg fl ip netns exec "$NS" "$SOCKX" raw-icmp -f --verify --pcap "$f" 127.0.0.1
	wait_line "$BATS_TEST_TMPDIR/fl.out" '^PING ' 5
	sleep 0.3	# flooding: let some thousands go by
	stop_bg fl INT
	echo "exit $BG_RC"; cat "$BATS_TEST_TMPDIR/fl.err"; tail -n 4 "$BATS_TEST_TMPDIR/fl.out"
	grep -q ' packets transmitted, ' "$BATS_TEST_TMPDIR/fl.out"
	tcpdump -r "$f" -n >"$BATS_TEST_TMPDIR/td.out" 2>/dev/null	# whole: read to the end
	n=$(wc -l <"$BATS_TEST_TMPDIR/td.out")
	if [[ $BG_RC -eq 3 ]]; then	# libpcap dropped some, or more than sockx keeps: said so, never "verified"
		grep -Eq 'inconclusive: (libpcap dropped|more packets than sockx keeps)' "$BATS_TEST_TMPDIR/fl.err"
		run ! grep -q '^verified' "$BATS_TEST_TMPDIR/fl.out"
		return
	fi
	[[ $BG_RC -eq 0 ]]
	out=$(sed -nE 's/^verified: ([0-9]+) packets out.*/\1/p' "$BATS_TEST_TMPDIR/fl.out")
	in=$(sed -nE 's/^verified: [0-9]+ packets out, ([0-9]+) in.*/\1/p' "$BATS_TEST_TMPDIR/fl.out")
	((out > 0 && in <= out && in >= out - 1))
	# The file holds the flow whole: at most one reply more than was read.
	((n >= out + in && n <= out + in + 1))
}
