#!/usr/bin/env bats
# udp-client --verify and --pcap: every datagram sent and read checked on
# the wire, tcpdump as an outside witness of the pcap, a firewall drop
# before the wire (exit 3), no privilege (exit 4, nothing sent), and 20%
# loss in a network namespace pair where an nftables counter is the
# witness of what was dropped.
# bats file_tags=needs:raw

# shellcheck disable=SC2154 # $stderr and $lines: set by bats run
load helpers/common
load helpers/net
load helpers/netns

MSG='你好,服务器!'	# 17 bytes of UTF-8
NS=

setup() {
	skip_unless_root "libpcap captures and network namespaces"
}

teardown() {
	if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then	# failed: the last run's words
		printf 'last stdout: %s\nlast stderr: %s\n' "${output:-}" "${stderr:-}"
		cat "$BATS_TEST_TMPDIR/err" 2>/dev/null || true
	fi
	stop_all_bg
	[[ -n $NS ]] && ip netns del "$NS" 2>/dev/null
	netns_cleanup
	return 0
}

# A network namespace of this test's own, lo up: $NS.
make_ns() {
	NS="sockx-udpv-$$-$BATS_TEST_NUMBER"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}


# big_lines FILE: four datagrams as stdin lines, 5, 0, 65000 and 17 bytes.
big_lines() {
	{
		printf 'hello\n\n'
		head -c 65000 /dev/zero | tr '\0' 'x'
		printf '\n%s\n' "$MSG"
	} >"$1"
}

# nft_dropped NS: the packets the counters of NS's ruleset counted.
nft_dropped() {
	ip netns exec "$1" nft -j list ruleset |
		jq '[.. | objects | .counter? | objects | .packets] | add // 0'
}

@test "udp-verify: -m datagrams against udp-server are verified, IPv4 and IPv6" {
	local host
	for host in 127.0.0.1 ::1; do
		if [[ $host == ::1 ]]; then
			start_server srv "$SOCKX" -6 udp-server -p 0
		else
			start_server srv "$SOCKX" udp-server -p 0
		fi
		run -0 --separate-stderr "$SOCKX" udp-client "$host" "$PORT" \
			-m hello -m "$MSG" -m x --count 2 --verify
		[[ "$output" == *"6 sent, 6 received, 0% loss"* ]]
		# 2 rounds of 5 + 17 + 1 bytes, out and back
		drop_summary
		[[ ${lines[-1]} == "verified: 6 packets out, 6 in, 92 bytes of payload match" ]]
		stop_bg srv
	done
}

@test "udp-verify: stdin mode, a 65000-byte and an empty datagram, IPv4 and IPv6: verdict on stderr" {
	local host
	big_lines "$BATS_TEST_TMPDIR/in"
	for host in 127.0.0.1 ::1; do
		if [[ $host == ::1 ]]; then
			start_server srv "$SOCKX" -6 udp-server -p 0
		else
			start_server srv "$SOCKX" udp-server -p 0
		fi
		"$SOCKX" udp-client "$host" "$PORT" --verify <"$BATS_TEST_TMPDIR/in" \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
		cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"	# stdout: replies only
		# 2 x (5 + 0 + 65000 + 17)
		[[ $(cat "$BATS_TEST_TMPDIR/err") == "verified: 4 packets out, 4 in, 130044 bytes of payload match" ]]
		stop_bg srv
	done
}

@test "udp-verify: --pcap is a pcap tcpdump reads: each datagram and its length, both ways" {
	need_cmd tcpdump
	local f=$BATS_TEST_TMPDIR/x.pcap
	start_server srv "$SOCKX" udp-server -p 0
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" --size 65000 --count 2 \
		--verify --pcap "$f"
	drop_summary
	[[ ${lines[-1]} == "verified: 2 packets out, 2 in, 260000 bytes of payload match" ]]
	run -0 --separate-stderr tcpdump -r "$f" -n
	[[ ${#lines[@]} -eq 4 ]]
	[[ $(grep -c "> 127\.0\.0\.1\.$PORT: UDP, length 65000\$" <<<"$output") -eq 2 ]]
	[[ $(grep -c "^[0-9:.]* IP 127\.0\.0\.1\.$PORT > 127\.0\.0\.1\.[0-9]*: UDP, length 65000\$" <<<"$output") -eq 2 ]]
	[[ "$stderr" != *truncated* ]]
	[[ $(find "$BATS_TEST_TMPDIR" -name '.x.pcap.*' | wc -l) -eq 0 ]]	# no temporary left

	# IPv6, without --verify: the pcap alone, in the order of the exchange
	start_server srv6 "$SOCKX" -6 udp-server -p 0 --mode upper
	run -0 --separate-stderr "$SOCKX" udp-client "[::1]:$PORT" -m hello -m "$MSG" --pcap "$f"
	[[ "$output" != *verified:* ]]
	run -0 --separate-stderr tcpdump -r "$f" -n
	[[ ${#lines[@]} -eq 4 ]]
	[[ ${lines[0]} == *" IP6 ::1."*" > ::1.$PORT: UDP, length 5" ]]
	[[ ${lines[1]} == *" IP6 ::1.$PORT > ::1."*": UDP, length 5" ]]
	[[ ${lines[2]} == *" > ::1.$PORT: UDP, length 17" ]]
	[[ ${lines[3]} == *" IP6 ::1.$PORT > ::1."*": UDP, length 17" ]]
	# the payload itself: the upper-cased reply, as tcpdump -A prints it
	run -0 --separate-stderr tcpdump -r "$f" -n -A "src port $PORT"
	[[ "$output" == *HELLO* ]]
}

@test "udp-verify: --pcap stopped midway by SIGTERM ends as at the end: the whole file, no temporary" {
	local dir=$BATS_TEST_TMPDIR/out fifo=$BATS_TEST_TMPDIR/in pid i
	mkdir "$dir"
	mkfifo "$fifo"
	start_server srv "$SOCKX" udp-server -p 0
	"$SOCKX" udp-client 127.0.0.1 "$PORT" --pcap "$dir/x.pcap" <"$fifo" >/dev/null 2>&1 &
	pid=$!
	# shellcheck disable=SC2034 # read by stop_bg (helpers/net)
	BG_PID["cl"]=$pid
	exec 7>"$fifo"		# stdin stays open: the client waits mid-exchange
	echo one >&7
	for ((i = 0; i < 250; i++)); do
		grep -q 'from .*: 3 bytes' "$BATS_TEST_TMPDIR/srv.out" && break
		sleep 0.02
	done
	grep -q 'from .*: 3 bytes' "$BATS_TEST_TMPDIR/srv.out"
	compgen -G "$dir/.x.pcap.*" >/dev/null	# being written
	stop_bg cl TERM
	exec 7>&-
	[[ $BG_RC -eq 0 ]]	# the one request had its reply
	[[ "$(ls -A "$dir")" == x.pcap ]]
	need_cmd tcpdump
	run -0 --separate-stderr tcpdump -r "$dir/x.pcap" -n
	[[ ${#lines[@]} -eq 2 ]]
}

@test "udp-verify: --json gives one verify event with what was compared" {
	need_cmd jq
	start_server srv "$SOCKX" udp-server -p 0 --mode upper
	run -0 --separate-stderr "$SOCKX" --json udp-client 127.0.0.1 "$PORT" -m abc -m def --verify
	jq -se 'map(.event) == ["connected", "sent", "reply", "sent", "reply", "verify", "summary"]' <<<"$output"
	run -0 jq -c 'select(.event == "verify") |
		[.result, .iface, .packets_out, .packets_in, .bytes, .extra_out, .extra_in, .dropped]' <<<"$output"
	[[ "$output" == '["verified","lo",2,2,12,0,0,0]' ]]
}

@test "udp-verify: duplicate replies are read, recorded and on the wire: verified" {
	# A python3 peer that answers every datagram twice.
	cat >"$BATS_TEST_TMPDIR/twice.py" <<-'EOF'
	import socket
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", 0))
	s.settimeout(10)
	print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
	while True:
	    try:
	        data, peer = s.recvfrom(65536)
	    except socket.timeout:
	        break
	    s.sendto(data, peer)
	    s.sendto(data, peer)
	EOF
	start_server peer python3 "$BATS_TEST_TMPDIR/twice.py"
	# a's second copy is queued before b is even sent: read as a duplicate
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m a -m bb --verify
	[[ "$output" == *"duplicate reply to #1: 1 byte"* ]]
	[[ "$output" == *"verified: 2 packets out, 3 in, 7 bytes of payload match"* ]]
}

@test "udp-verify: a datagram a firewall drops before the wire fails verification (exit 3)" {
	need_cmd nft
	need_cmd jq
	make_ns
	start_server srv ip netns exec "$NS" "$SOCKX" udp-server -p 0
	# Output hook: before the interface, so lo never carries "bb"
	# (UDP length 8 + 2); sendto() fails with EPERM.
	ip netns exec "$NS" nft -f - <<-EOF
	table inet sockx_test {
		chain out {
			type filter hook output priority 0;
			udp dport $PORT udp length 10 counter drop
		}
	}
	EOF
	run -3 --separate-stderr ip netns exec "$NS" "$SOCKX" udp-client 127.0.0.1 "$PORT" \
		-m a -m bb -m ccc -w 0.3 --verify
	[[ "$output" == *"3 sent, 2 received, 33.3% loss"* ]]
	[[ "$output" != *verified:* ]]
	[[ "$stderr" == *"sockx: udp-client: send #2: Operation not permitted"* ]]
	[[ "$stderr" == *"sockx: udp-client: not verified: sent datagram 2 of 3 is not on the wire"* ]]
	[[ $(nft_dropped "$NS") -eq 1 ]]
	# the only datagram, dropped: still a mismatch, never "verified" or a
	# plain exit 1; --json says so in the verify event too
	run -3 --separate-stderr ip netns exec "$NS" "$SOCKX" --json udp-client 127.0.0.1 "$PORT" \
		-m bb -w 0.3 --verify
	run -0 jq -c 'select(.event == "verify") | [.result, .packets_out, .problem]' <<<"$output"
	[[ "$output" == '["mismatch",0,"sent datagram 1 of 1 is not on the wire"]' ]]
	# stdin mode: the verdict goes to stderr, stdout keeps the replies
	run -3 --separate-stderr ip netns exec "$NS" "$SOCKX" udp-client 127.0.0.1 "$PORT" \
		-w 0.3 --verify < <(printf 'bb\nc\n')
	[[ "$output" == c ]]
	[[ "$stderr" == *"not verified: sent datagram 1 of 2 is not on the wire"* ]]
	[[ $(nft_dropped "$NS") -eq 3 ]]
}

@test "udp-verify: nobody listening is the exchange's failure (exit 1), not a mismatch" {
	local closed
	closed=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run -1 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$closed" -m hi -w 2 --verify
	[[ "$stderr" == *"nobody listening on 127.0.0.1:$closed"* ]]
	[[ "$stderr" != *"verified"* ]]
	[[ "$output" != *"verified"* ]]
}

@test "udp-verify: without CAP_NET_RAW exits 4 and sends nothing" {
	need_cmd setpriv
	start_server srv "$SOCKX" udp-server -p 0
	run -4 --separate-stderr as_nobody "$SOCKX" udp-client 127.0.0.1 "$PORT" -m hi --verify
	[[ -z "$output" ]]
	[[ "$stderr" == *"sockx: udp-client: cannot capture on lo: missing CAP_NET_RAW"* ]]
	[[ "$stderr" == *"hint: --verify and --pcap"*"CAP_NET_RAW"* ]]
	run -4 --separate-stderr as_nobody "$SOCKX" udp-client 127.0.0.1 "$PORT" \
		--pcap "$BATS_TEST_TMPDIR/np.pcap" < <(printf 'hi\n')
	[[ ! -e "$BATS_TEST_TMPDIR/np.pcap" ]]
	# The server saw no datagram; the same client with the privilege is seen.
	run -0 "$SOCKX" udp-client 127.0.0.1 "$PORT" -m seen --verify
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^from .*: 4 bytes$'
	[[ $(grep -c '^from ' "$BATS_TEST_TMPDIR/srv.out") -eq 1 ]]
}

@test "udp-verify: with 20% loss the client's loss is what nftables dropped" {
	need_cmd nft
	need_cmd jq
	netns_pair 192.0.2.1 192.0.2.2
	start_server srv ip netns exec "$NS_B" "$SOCKX" udp-server -b 192.0.2.2 -p 0
	# On the server's input, after the wire: a fifth of our datagrams,
	# at random, counted by the rule that drops them.
	ip netns exec "$NS_B" nft -f - <<-EOF
	table inet sockx_loss {
		chain input {
			type filter hook input priority 0; policy accept;
			udp dport $PORT numgen random mod 5 == 0 counter drop
		}
	}
	EOF
	run -1 --separate-stderr ip netns exec "$NS_A" "$SOCKX" --json udp-client 192.0.2.2 "$PORT" \
		--size 64 --count 200 -w 0.2 --verify
	local sent received late dropped
	sent=$(jq -s 'map(select(.event == "summary"))[0].sent' <<<"$output")
	received=$(jq -s 'map(select(.event == "summary"))[0].received' <<<"$output")
	late=$(jq -s 'map(select(.event == "summary"))[0].late' <<<"$output")
	dropped=$(nft_dropped "$NS_B")
	echo "sent $sent, received $received, late $late, nft dropped $dropped"
	[[ $sent -eq 200 && $late -eq 0 ]]
	[[ $dropped -gt 0 ]]
	[[ $((sent - received)) -eq $dropped ]]
	# The server's own count agrees, and the client's wire (veth0) shows
	# all 200 leaving and only the answers coming back.
	[[ $(grep -c '^from ' "$BATS_TEST_TMPDIR/srv.out") -eq $received ]]
	run -0 jq -c 'select(.event == "verify") | [.result, .iface, .packets_out, .packets_in]' <<<"$output"
	[[ "$output" == "[\"partial\",\"veth0\",200,$received]" ]]
}
