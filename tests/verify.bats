#!/usr/bin/env bats
# tcp-client --verify and --pcap: the wire checked against what was sent
# and read, with tcpdump as an outside witness; retransmissions and a
# firewall drop in private network namespaces; no privilege, no attempt.
# bats file_tags=needs:raw

# shellcheck disable=SC2154 # $stderr and $lines: set by bats run
load helpers/common
load helpers/net

MSG='你好,服务器!'	# 17 bytes of UTF-8
NS=
NS2=

setup() {
	skip_unless_root "libpcap captures and network namespaces"
}

teardown() {
	stop_all_bg
	local ns
	for ns in "$NS" "$NS2"; do
		[[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# A network namespace of this test's own, lo up (MTU optional): $NS.
make_ns() {
	NS="sockx-verify-$$-$BATS_TEST_NUMBER"
	ip netns add "$NS"
	ip -n "$NS" link set lo up ${1:+mtu "$1"}
}


@test "verify: tcp-client -m against tcp-server is verified, counts as tcpdump counts" {
	need_cmd tcpdump
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$MSG" \
		--verify --pcap "$BATS_TEST_TMPDIR/x.pcap"
	[[ "$output" == *"reply 17 bytes"* ]]
	[[ ${lines[-1]} =~ ^verified:\ ([0-9]+)\ packets\ out,\ ([0-9]+)\ in,\ 34\ bytes\ of\ payload\ match$ ]]
	local n=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
	[[ $(tcpdump -r "$BATS_TEST_TMPDIR/x.pcap" -n 2>/dev/null | wc -l) -eq $n ]]
	[[ $(tcpdump -r "$BATS_TEST_TMPDIR/x.pcap" -n "src port $PORT" 2>/dev/null | wc -l) -eq ${BASH_REMATCH[2]} ]]
}

@test "verify: --pcap is a pcap tcpdump reads: SYN, the payload length, FIN" {
	need_cmd tcpdump
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$MSG" --pcap "$BATS_TEST_TMPDIR/x.pcap"
	run -0 --separate-stderr tcpdump -r "$BATS_TEST_TMPDIR/x.pcap" -n
	[[ ${lines[0]} == *"> 127.0.0.1.$PORT: Flags [S], "* ]]
	[[ ${lines[1]} == *"127.0.0.1.$PORT > "*"Flags [S.], "* ]]
	[[ $(grep -c 'length 17$' <<<"$output") -eq 2 ]]
	[[ $(grep -c 'Flags \[F\.\]' <<<"$output") -eq 2 ]]
	[[ $(find "$BATS_TEST_TMPDIR" -name '.x.pcap.*' | wc -l) -eq 0 ]]	# no temporary left
}

@test "verify: --json gives a verify event with what was compared" {
	need_cmd jq
	start_server srv "$SOCKX" tcp-server -p 0 --mode upper
	run -0 --separate-stderr "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m abc -m def --verify
	run -0 jq -c 'select(.event == "verify") | [.result, .iface, .bytes, .writes, .reads, .dropped]' <<<"$output"
	[[ "$output" == '["verified","lo",12,2,2,0]' ]]
}

@test "verify: IPv6 over ::1" {
	start_server srv "$SOCKX" -6 tcp-server -p 0
	run -0 --separate-stderr "$SOCKX" tcp-client "[::1]:$PORT" -m "$MSG" --verify
	[[ ${lines[-1]} == "verified: "*" packets out, "*" in, 34 bytes of payload match" ]]
}

@test "verify: 8 MiB through netcat mode to a discard server, verified" {
	head -c 8388608 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	start_server srv "$SOCKX" tcp-server -p 0 --mode discard
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" --verify -w 10 <"$BATS_TEST_TMPDIR/big"
	[[ -z "$output" ]]	# stdout carries data only: the verdict is on stderr
	[[ "$stderr" =~ verified:\ [0-9]+\ packets\ out,\ [0-9]+\ in,\ 8388608\ bytes\ of\ payload\ match ]]
}

@test "verify: 8 MiB echoed back, verified both ways, stdout byte-identical" {
	head -c 8388608 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	start_server srv "$SOCKX" tcp-server -p 0 --mode echo
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" --verify -w 10 <"$BATS_TEST_TMPDIR/big" \
		>"$BATS_TEST_TMPDIR/back" 2>"$BATS_TEST_TMPDIR/err"
	cmp "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/back"
	grep -qE '^verified: [0-9]+ packets out, [0-9]+ in, 16777216 bytes of payload match$' "$BATS_TEST_TMPDIR/err"
}

@test "verify: retransmitted and coalesced segments are normal TCP, not differences" {
	need_cmd nft
	need_cmd jq
	make_ns 1500
	# Drop some data segments after the capture saw them (input hook):
	# the senders retransmit, so the wire shows those bytes twice or more.
	start_server srv ip netns exec "$NS" "$SOCKX" tcp-server -p 0
	ip netns exec "$NS" nft -f - <<-EOF
	table inet sockx_test {
		chain in {
			type filter hook input priority 0;
			tcp dport $PORT tcp flags & psh == psh numgen inc mod 4 == 1 drop
			tcp sport $PORT tcp flags & psh == psh numgen inc mod 5 == 2 drop
		}
	}
	EOF
	head -c 400000 /dev/urandom >"$BATS_TEST_TMPDIR/mid"
	run -0 --separate-stderr ip netns exec "$NS" "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" \
		--verify -w 20 <"$BATS_TEST_TMPDIR/mid"
	run -0 jq -c 'select(.event == "verify") | [.result, .bytes, (.retransmitted > 0)]' <<<"$output"
	[[ "$output" == '["verified",800000,true]' ]]
}

@test "verify: a segment a firewall drops before the wire fails verification (exit 3)" {
	need_cmd nft
	make_ns
	start_server srv ip netns exec "$NS" "$SOCKX" tcp-server -p 0
	# Output hook: before the interface, so lo never carries the data.
	ip netns exec "$NS" nft -f - <<-EOF
	table inet sockx_test {
		chain out {
			type filter hook output priority 0;
			tcp dport $PORT tcp flags & psh == psh drop
		}
	}
	EOF
	run -3 --separate-stderr ip netns exec "$NS" "$SOCKX" tcp-client 127.0.0.1 "$PORT" \
		-m hello -w 1 --verify
	[[ "$stderr" == *"no complete reply"* ]]
	[[ "$stderr" == *"sockx: tcp-client: not verified: sent stream: the program wrote 5 bytes, the wire carried 0"* ]]
	[[ "$output" != *verified:* ]]
}

@test "verify: without CAP_NET_RAW exits 4 and never connects" {
	need_cmd setpriv
	start_server srv "$SOCKX" tcp-server -p 0 --once
	run -4 --separate-stderr as_nobody "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi --verify
	[[ "$stderr" == *"cannot capture on lo: missing CAP_NET_RAW"* ]]
	[[ "$stderr" == *"hint: --verify and --pcap"*"CAP_NET_RAW"* ]]
	run -4 --separate-stderr as_nobody "$SOCKX" tcp-client 127.0.0.1 "$PORT" --pcap "$BATS_TEST_TMPDIR/np.pcap" </dev/null
	[[ ! -e "$BATS_TEST_TMPDIR/np.pcap" ]]
	# The --once server is still waiting for its first client: none came.
	kill -0 "${BG_PID[srv]}"
	run ! grep -q accepted "$BATS_TEST_TMPDIR/srv.out"
	# And the same client with the privilege does connect.
	run -0 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi --verify
	wait_exit srv 5
}

@test "verify: a refused connection is the exchange's failure (exit 1), not a mismatch" {
	run -1 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 "$(closed_port)" -m hi --verify
	[[ "$stderr" == *"Connection refused"* ]]
	[[ "$stderr" != *"not verified"* ]]
}

@test "verify: the capture follows the route: over a veth pair, and lo for our own address" {
	make_ns
	NS2="$NS-b"
	ip netns add "$NS2"
	ip -n "$NS2" link set lo up
	ip link add sxv$$a netns "$NS" type veth peer name sxv$$b netns "$NS2"
	ip -n "$NS" addr add 192.0.2.1/24 dev sxv$$a
	ip -n "$NS2" addr add 192.0.2.2/24 dev sxv$$b
	ip -n "$NS" link set sxv$$a up
	ip -n "$NS2" link set sxv$$b up
	start_server srv ip netns exec "$NS2" "$SOCKX" tcp-server -b 192.0.2.2 -p 0
	run -0 --separate-stderr ip netns exec "$NS" "$SOCKX" -v tcp-client 192.0.2.2 "$PORT" -m "$MSG" --verify
	[[ "$stderr" == *"capture: ready on sxv$$a, link type EN10MB"* ]]
	[[ ${lines[-1]} == "verified: "*" 34 bytes of payload match" ]]
	start_server own ip netns exec "$NS" "$SOCKX" tcp-server -b 192.0.2.1 -p 0
	run -0 --separate-stderr ip netns exec "$NS" "$SOCKX" -v tcp-client 192.0.2.1 "$PORT" -m "$MSG" --verify
	[[ "$stderr" == *"capture: ready on lo, "* ]]
	[[ ${lines[-1]} == "verified: "*" 34 bytes of payload match" ]]
}

@test "verify: --pcap killed midway leaves neither the file nor its temporary" {
	local dir=$BATS_TEST_TMPDIR/out fifo=$BATS_TEST_TMPDIR/in pid i
	mkdir "$dir"
	mkfifo "$fifo"
	start_server srv "$SOCKX" tcp-server -p 0
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" --pcap "$dir/x.pcap" <"$fifo" >/dev/null 2>&1 &
	pid=$!
	BG_PID["cl"]=$pid
	exec 7>"$fifo"		# stdin stays open: the client waits mid-exchange
	for ((i = 0; i < 250; i++)); do
		compgen -G "$dir/.x.pcap.*" >/dev/null && break
		sleep 0.02
	done
	compgen -G "$dir/.x.pcap.*" >/dev/null
	stop_bg cl TERM
	exec 7>&-
	[[ $BG_RC -eq 143 ]]	# killed by SIGTERM, after removing the temporary
	[[ -z "$(ls -A "$dir")" ]]
}
