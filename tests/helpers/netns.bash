# Private network namespaces for tests: two hosts joined by a veth pair,
# with test addresses that exist only inside them. Always netns_cleanup in
# teardown.
# shellcheck shell=bash

NETNS_LIST=()

# netns_pair A_ADDR B_ADDR: creates namespaces $NS_A and $NS_B joined by a
# veth pair, A_ADDR/24 on A's end and B_ADDR/24 on B's, lo up in both.
netns_pair() {
	netns_two
	ip -n "$NS_A" addr add "$1/24" dev veth0
	ip -n "$NS_B" addr add "$2/24" dev veth1
	ip -n "$NS_A" link set veth0 up
	ip -n "$NS_B" link set veth1 up
}

# netns_two: namespaces $NS_A and $NS_B (names unique to this run and
# test, removed by netns_cleanup), lo up in both, veth0 in A joined to
# veth1 in B, both still down and without addresses.
netns_two() {
	local tag="sx$$-${BATS_TEST_NUMBER:-0}-$RANDOM"
	NS_A="$tag-a"
	NS_B="$tag-b"
	ip netns add "$NS_A"
	NETNS_LIST+=("$NS_A")
	ip netns add "$NS_B"
	NETNS_LIST+=("$NS_B")
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" link add veth0 type veth peer name veth1 netns "$NS_B"
}

# netns_loss NS PERCENT: drops PERCENT% of the packets NS receives
# (nftables numgen; netem is not available on this kernel).
netns_loss() {
	local mod=$((100 / $2))
	ip netns exec "$1" nft -f - <<NFT
table inet sockx_loss {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname != "lo" numgen random mod $mod == 0 counter drop
	}
}
NFT
}

# netns_cleanup: deletes every namespace netns_pair made (and so its veths).
netns_cleanup() {
	local ns
	for ns in "${NETNS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	NETNS_LIST=()
}
