#!/usr/bin/env bats
# How a word becomes an address: "::1:9999" (an IPv6 address and a port
# without brackets) is refused with both spellings; a link-local address
# needs its interface, and the interface must exist. The link-local tests
# run in namespaces of their own, joined by a veth pair.

load helpers/common
load helpers/net
load helpers/netns

teardown() {
	stop_all_bg
	netns_cleanup
}

@test "addresses: ::1:9999 is a usage error naming [::1]:9999 and ::1 9999" {
	local cmd
	for cmd in tcp-client udp-client; do
		run -2 --separate-stderr "$SOCKX" "$cmd" -m hi ::1:9999
		[[ "$stderr" == *"ambiguous address '::1:9999': an IPv6 address with a port needs brackets"* ]]
		[[ "$stderr" == *"hint: for port 9999 of ::1 write [::1]:9999, or ::1 9999 as two words; for the address write [::1:9999]"* ]]
		[[ -z "$output" ]]
	done
	# not an address at all: the same hint, without the address reading
	run -2 --separate-stderr "$SOCKX" tcp-client -m hi ::1:12345
	[[ "$stderr" == *"invalid address '::1:12345'"* ]]
	[[ "$stderr" == *"hint: for port 12345 of ::1 write [::1]:12345"* ]]
	run -2 --separate-stderr "$SOCKX" tcp-client --source ::1:5000 -m hi ::1 9
	[[ "$stderr" == *"--source: ambiguous address '::1:5000'"* ]]
	run -2 --separate-stderr "$SOCKX" tcp-server -b ::1:9999
	[[ "$stderr" == *"ambiguous --bind '::1:9999'"* ]]
	[[ "$stderr" == *"hint: for port 9999 of ::1 write -b ::1 -p 9999"* ]]
	run -2 --separate-stderr "$SOCKX" udp-server -b ::1:9999
	[[ "$stderr" == *"ambiguous --bind '::1:9999'"* ]]
	run -2 --separate-stderr "$SOCKX" --json tcp-client -m hi ::1:9999
	[[ "$stderr" == *"hint: for port 9999 of ::1"* ]]
	[[ "$output" == *'"message":"ambiguous address '"'::1:9999'"': an IPv6 address with a port needs brackets"'* ]]
}

@test "addresses: [::1]:PORT and ::1 PORT reach the server" {
	start_server srv "$SOCKX" tcp-server -6 -p 0
	run -0 "$SOCKX" tcp-client -w 5 -m hi "[::1]:$PORT"
	assert_line --regexp '^reply 2 bytes, time=[0-9.]+ ms: hi$'
	run -0 "$SOCKX" tcp-client -w 5 -m hi ::1 "$PORT"
	assert_line --regexp '^reply 2 bytes, time=[0-9.]+ ms: hi$'
}

# link_local_pair: $NS_A (fe80::1 on veth0) and $NS_B (fe80::2 on veth1).
link_local_pair() {
	skip_unless_root "network namespaces"
	netns_two
	ip -n "$NS_A" addr add fe80::1/64 dev veth0 nodad
	ip -n "$NS_B" addr add fe80::2/64 dev veth1 nodad
	ip -n "$NS_A" link set veth0 up
	ip -n "$NS_B" link set veth1 up
}

in_a() {
	ip netns exec "$NS_A" "$SOCKX" "$@"
}

@test "addresses: an unscoped link-local address names %IFACE; fe80::2%veth0 connects" {
	link_local_pair
	start_server srv ip netns exec "$NS_B" "$SOCKX" tcp-server -b 'fe80::2%veth1' -p 0
	run -2 --separate-stderr in_a tcp-client -w 5 -m hi fe80::2 "$PORT"
	[[ "$stderr" == *"link-local address 'fe80::2' needs an interface (a scope)"* ]]
	[[ "$stderr" == *"hint: add the interface it is on: fe80::2%IFACE, or [fe80::2%IFACE]:PORT"* ]]
	run -2 --separate-stderr in_a udp-client -w 5 -m hi "[fe80::2]:$PORT"
	[[ "$stderr" == *"link-local address 'fe80::2' needs an interface"* ]]
	run -2 --separate-stderr in_a tcp-server -b fe80::1 -p 0
	[[ "$stderr" == *"link-local address 'fe80::1' needs an interface"* ]]
	run -0 in_a tcp-client -w 5 -m hi "[fe80::2%veth0]:$PORT"
	assert_line --regexp '^reply 2 bytes, time=[0-9.]+ ms: hi$'
}

@test "addresses: an unknown interface in fe80::2%nosuch is named as such" {
	link_local_pair
	run -2 --separate-stderr in_a tcp-client -w 5 -m hi 'fe80::2%nosuch' 9
	[[ "$stderr" == *"unknown interface 'nosuch' in 'fe80::2%nosuch'"* ]]
	[[ "$stderr" == *"hint: 'ip link' lists the interfaces"* ]]
	run -2 --separate-stderr in_a udp-client -w 5 -m hi '[fe80::2%nosuch]:9'
	[[ "$stderr" == *"unknown interface 'nosuch' in 'fe80::2%nosuch'"* ]]
	run -2 --separate-stderr in_a tcp-server -b 'fe80::1%nosuch' -p 0
	[[ "$stderr" == *"unknown interface 'nosuch'"* ]]
	# an interface of another namespace is unknown here
	run -2 --separate-stderr in_a tcp-client -w 5 -m hi 'fe80::2%veth1' 9
	[[ "$stderr" == *"unknown interface 'veth1'"* ]]
}
