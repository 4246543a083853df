#!/usr/bin/env bats
# Network faults in private network namespaces: two test hosts joined by a
# veth pair, 20% of packets dropped by nftables. TCP must deliver every byte.

# bats file_tags=needs:root

load helpers/common
load helpers/net
load helpers/netns

setup() {
	skip_unless_root "network namespaces and nftables"
	need_cmd nft
}

teardown() {
	stop_all_bg
	netns_cleanup
}

@test "netfaults: 4 MiB through tcp-client and tcp-server with 20% loss arrives intact" {
	netns_pair 10.201.0.1 10.201.0.2
	netns_loss "$NS_B" 20
	head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	start_server srv ip netns exec "$NS_B" "$SOCKX" -q tcp-server -b 10.201.0.2 -p 0
	timeout 240 ip netns exec "$NS_A" "$SOCKX" tcp-client 10.201.0.2 "$PORT" \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	# The rule really dropped packets: the loss was real, TCP repaired it.
	run -0 ip netns exec "$NS_B" nft list table inet sockx_loss
	[[ "$output" =~ counter\ packets\ ([0-9]+) ]]
	(( BASH_REMATCH[1] > 0 ))
}

@test "netfaults: -m messages over a lossy link still get every reply" {
	netns_pair 10.201.1.1 10.201.1.2
	netns_loss "$NS_B" 20
	start_server srv ip netns exec "$NS_B" "$SOCKX" tcp-server -b 10.201.1.2 -p 0 --mode upper
	run -0 timeout 120 ip netns exec "$NS_A" "$SOCKX" -q tcp-client -w 30 10.201.1.2 "$PORT" \
		-m '你好,服务器!' --count 20
	[[ $(grep -c '^你好,服务器!$' <<<"$output") -eq 20 ]]
}

@test "netfaults: a peer that never answers SYN: --connect-timeout gives up, exit 1" {
	netns_pair 10.201.2.1 10.201.2.2
	ip netns exec "$NS_B" nft -f - <<'NFT'
table inet sockx_black {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 9 drop
	}
}
NFT
	local t0=$SECONDS
	run -1 --separate-stderr ip netns exec "$NS_A" "$SOCKX" tcp-client --connect-timeout 0.5 10.201.2.2 9 -m x
	[[ "$stderr" == *"connect 10.201.2.2:9: Connection timed out"* ]]
	[[ "$stderr" == *"hint: nothing answered within 0.5 s (--connect-timeout)"* ]]
	(( SECONDS - t0 < 5 ))
}
