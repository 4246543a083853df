#!/usr/bin/env bats
# --verify and --pcap to a scoped link-local IPv6 peer (fe80::2%veth0)
# capture on the scope's interface, not on the first interface with a
# link-local route. Two namespaces, two veth pairs: the decoy pair comes
# first, so the kernel's unscoped answer would be the wrong interface.
# bats file_tags=needs:root

load helpers/common
load helpers/net
load helpers/netns

setup() {
	skip_unless_root "network namespaces and libpcap captures"
	need_cmd tcpdump
	netns_two
	ip -n "$NS_A" link add decoy0 type veth peer name decoy1 netns "$NS_B"
	ip -n "$NS_A" addr add fe80::a:1/64 dev decoy0 nodad
	ip -n "$NS_A" addr add fe80::1/64 dev veth0 nodad
	ip -n "$NS_B" addr add fe80::2/64 dev veth1 nodad
	local ns dev
	for ns in "$NS_A" "$NS_B"; do
		# no EUI-64 addresses of their own: the ones above are the sources
		for dev in decoy0 decoy1 veth0 veth1; do
			ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.addr_gen_mode=1" 2>/dev/null || true
		done
	done
	ip -n "$NS_A" link set decoy0 up
	ip -n "$NS_B" link set decoy1 up
	ip -n "$NS_A" link set veth0 up
	ip -n "$NS_B" link set veth1 up
	# the decoy's link-local route is the kernel's unscoped answer
	ip -n "$NS_A" -6 route get fe80::2 | grep -q 'dev decoy0'
}

teardown() {
	stop_all_bg
	netns_cleanup
}

in_a() {
	ip netns exec "$NS_A" "$SOCKX" "$@"
}

@test "scoped v6: tcp-client --verify and --pcap capture on the scope's interface" {
	start_server srv ip netns exec "$NS_B" "$SOCKX" tcp-server -b 'fe80::2%veth1' -p 0
	run -0 --separate-stderr in_a -v tcp-client --verify --pcap "$BATS_TEST_TMPDIR/t.pcap" \
		-w 5 -m hi "[fe80::2%veth0]:$PORT"
	[[ "$stderr" == *"capture: ready on veth0,"* ]]
	[[ "$stderr" == *"captured on veth0, to $BATS_TEST_TMPDIR/t.pcap"* ]]
	assert_line --partial 'verified'
	run -0 --separate-stderr tcpdump -r "$BATS_TEST_TMPDIR/t.pcap" -n
	[[ $(grep -c "fe80::2\.$PORT" <<<"$output") -ge 4 ]]
}

@test "scoped v6: udp-client --verify captures on the scope's interface" {
	start_server srv ip netns exec "$NS_B" "$SOCKX" udp-server -b 'fe80::2%veth1' -p 0
	run -0 --separate-stderr in_a -v udp-client --verify -w 5 -m hi "[fe80::2%veth0]:$PORT"
	[[ "$stderr" == *"capture: ready on veth0,"* ]]
	assert_line --partial 'verified'
}

@test "scoped v6: raw-icmp --verify captures on the scope's interface" {
	run -0 --separate-stderr in_a -v raw-icmp --verify -c 1 -W 5 'fe80::2%veth0'
	[[ "$stderr" == *"capture: ready on veth0,"* ]]
	assert_line --partial 'verified'
}
