#!/usr/bin/env bats
# raw-icmp on loopback: echoes, the header sockx builds (tcpdump as the
# independent witness), IPv6, JSON, --dump, privileges, bad inputs.
# bats file_tags=needs:raw

load helpers/common
load helpers/net


setup() {
	SUID_DIR=
	FLOOD_NS=
	# The echo ID of this test's pings: tcpdump counts only those, so
	# pings of tests that run at the same time (bats --jobs) do not count.
	ICMP_ID=$((1000 + RANDOM % 60000))
}

teardown() {
	stop_all_bg
	if [[ -n "$SUID_DIR" ]]; then
		rm -rf "$SUID_DIR"
	fi
	if [[ -n "$FLOOD_NS" ]]; then
		ip netns del "$FLOOD_NS" 2>/dev/null || true
	fi
}

# start_tcpdump icmp|icmp6: captures this test's echoes (ID $ICMP_ID) on lo
# into $PCAP, ready when it says so.
start_tcpdump() {
	need_cmd tcpdump
	PCAP=$BATS_TEST_TMPDIR/cap.pcap
	local filter="icmp and icmp[4:2] == $ICMP_ID"
	[[ $1 == icmp6 ]] && filter="icmp6 and ip6[44:2] == $ICMP_ID"
	start_bg tcpdump tcpdump -i lo -n -v --immediate-mode -U -Z root -w "$PCAP" "$filter"
	wait_line "$BATS_TEST_TMPDIR/tcpdump.err" 'listening on' 5
}

# stop_tcpdump N: waits (5 s at most) until N packets are in the file,
# stops tcpdump with SIGTERM, and leaves its reading in $DECODED.
stop_tcpdump() {
	local i n=0
	for ((i = 0; i < 250; i++)); do
		n=$(tcpdump -r "$PCAP" -n 2>/dev/null | wc -l || true)
		((n >= $1)) && break
		sleep 0.02
	done
	stop_bg tcpdump TERM
	DECODED=$(tcpdump -r "$PCAP" -n -v 2>/dev/null)
	echo "$DECODED"
}

@test "raw-icmp: three echoes to 127.0.0.1 and ping's summary" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" raw-icmp -c 3 -i 0.2 127.0.0.1
	assert_line --index 0 'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.'
	for s in 1 2 3; do
		assert_line --regexp "^64 bytes from 127\.0\.0\.1: icmp_seq=$s ttl=64 time=[0-9]+\.[0-9]{3} ms$"
	done
	assert_line '--- 127.0.0.1 ping statistics ---'
	assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$'
	assert_line --regexp '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$'
	[[ -z "$stderr" ]]
}

@test "raw-icmp: tcpdump sees the header sockx built: ttl, tos, id, DF, size, IP ID" {
	skip_unless_root
	start_tcpdump icmp
	run -0 "$SOCKX" -q raw-icmp -c 2 -i 0.2 --ttl 33 --tos 0x10 --id "$ICMP_ID" --df \
		-s 1000 --ip-id 777 127.0.0.1
	stop_tcpdump 4
	# Our two requests, exactly as built; the kernel's replies keep our id.
	[[ $(grep -c 'tos 0x10, ttl 33, id 77[78], offset 0, flags \[DF\], proto ICMP (1), length 1028' <<<"$DECODED") -eq 2 ]]
	grep -q "ICMP echo request, id $ICMP_ID, seq 1, length 1008" <<<"$DECODED"
	grep -q "ICMP echo request, id $ICMP_ID, seq 2, length 1008" <<<"$DECODED"
	grep -q "ICMP echo reply, id $ICMP_ID, seq 2, length 1008" <<<"$DECODED"
	assert_output --partial '2 packets transmitted, 2 received, 0% packet loss'
}

@test "raw-icmp: --no-hdrincl: the kernel writes the header from socket options" {
	skip_unless_root
	start_tcpdump icmp
	run -0 --separate-stderr "$SOCKX" -v raw-icmp -c 1 --no-hdrincl --ttl 7 --tos 0x20 --id "$ICMP_ID" 127.0.0.1
	stop_tcpdump 2
	grep -q 'tos 0x20, ttl 7, id [0-9]*, offset 0, flags \[none\], proto ICMP (1), length 84' <<<"$DECODED"
	grep -q "ICMP echo request, id $ICMP_ID, seq 1, length 64" <<<"$DECODED"
	[[ "$stderr" == *"method: raw: SOCK_RAW without IP_HDRINCL"* ]]
	[[ "$stderr" != *"IP_HDRINCL) = 0"* ]]
}

@test "raw-icmp: --ip-id 0 leaves the IPv4 ID to the kernel, and --dump says so" {
	skip_unless_root
	start_tcpdump icmp
	run -0 "$SOCKX" raw-icmp -c 1 --ip-id 0 --id "$ICMP_ID" --dump 127.0.0.1
	stop_tcpdump 2
	assert_line '  [kernel] written by the kernel, not sockx: total length, header checksum, identification (IP_HDRINCL, raw(7))'
	assert_line --regexp '^         id 0x0000 \(0\) \[kernel\], flags none'
	# On the wire the kernel's ID (ip_select_ident), never 0.
	grep -E 'ttl 64, id [1-9][0-9]*, offset 0' <<<"$DECODED"
}

@test "raw-icmp: --pattern fills the data, as ping -p" {
	skip_unless_root
	start_tcpdump icmp
	run -0 "$SOCKX" -q raw-icmp -c 1 -s 40 --pattern deadbeef --id "$ICMP_ID" 127.0.0.1
	stop_tcpdump 2
	# data offset 16 (after the timestamp) is IP offset 44: "dead beef" from there on.
	hex=$(tcpdump -r "$PCAP" -n -x 2>/dev/null)
	grep -q '0x0020:  .* dead beef$' <<<"$hex"
	grep -q '0x0030:  dead beef dead beef dead beef dead beef$' <<<"$hex"
	refute_output --partial 'wrong data'
}

@test "raw-icmp: -6 to ::1, hop limit and traffic class on the wire" {
	skip_unless_root
	start_tcpdump icmp6
	run -0 --separate-stderr "$SOCKX" -6 -v raw-icmp -c 2 -i 0.2 --ttl 9 --tos 0x20 --id "$ICMP_ID" ::1
	stop_tcpdump 4
	assert_line --index 0 'PING ::1 (::1) 56(104) bytes of data.'
	assert_line --regexp '^64 bytes from ::1: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	assert_line --regexp '^64 bytes from ::1: icmp_seq=2 ttl=64 time=[0-9.]+ ms$'
	assert_line --partial '2 packets transmitted, 2 received, 0% packet loss'
	[[ "$stderr" == *"ICMP6_FILTER"* || "$stderr" == *"method: raw: SOCK_RAW ICMPv6"* ]]
	grep -q 'class 0x20, .*hlim 9, next-header ICMPv6 (58) payload length: 64' <<<"$DECODED"
	grep -q 'ICMP6, echo request, id [0-9]*, seq 2' <<<"$DECODED"
}

@test "raw-icmp: a v6 literal without -6, and [::1], pick IPv6" {
	skip_unless_root
	run -0 "$SOCKX" -q raw-icmp -c 1 '[::1]'
	assert_output --partial '1 packets transmitted, 1 received'
}

@test "raw-icmp: --json: start, sent, reply and summary events" {
	skip_unless_root
	need_cmd jq
	run -0 --separate-stderr "$SOCKX" --json raw-icmp -c 2 -i 0.2 127.0.0.1
	jq -se 'any(.[]; .event=="start" and .method=="raw+hdrincl" and .addr=="127.0.0.1")' <<<"$output"
	jq -se '[.[] | select(.event=="sent")] | length == 2' <<<"$output"
	jq -se '[.[] | select(.event=="reply" and .from=="127.0.0.1" and .ttl==64 and .dup==false)] | length == 2' <<<"$output"
	jq -se 'any(.[]; .event=="summary" and .transmitted==2 and .received==2 and .loss_pct==0 and .rtt_min_ms>0)' <<<"$output"
	# one object per line, nothing else on stdout
	jq -e . <<<"$output" >/dev/null
}

@test "raw-icmp: --json -v: the trace is call and note events on stdout, among the run's" {
	skip_unless_root
	need_cmd jq
	run -0 --separate-stderr "$SOCKX" --json -v raw-icmp -c 1 --id "$ICMP_ID" 127.0.0.1
	jq -e . <<<"$output" >/dev/null
	jq -se 'any(.[]; .event=="call" and .name=="socket" and (.args|contains("SOCK_RAW")) and .ret>=0)' <<<"$output"
	jq -se 'any(.[]; .event=="call" and .name=="sendto" and .ret==84)' <<<"$output"
	jq -se 'any(.[]; .event=="note" and (.text|startswith("method: raw+hdrincl")))' <<<"$output"
	jq -se '.[-1].event=="summary"' <<<"$output"
	[[ -z "$stderr" ]]
}

@test "raw-icmp: -q shows the summary alone, as ping -q; --json -q changes nothing" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" -q raw-icmp -c 1 --dump --id "$ICMP_ID" 127.0.0.1
	# (bats' lines leave out the empty first one)
	[[ "$output" == $'\n--- 127.0.0.1 ping statistics ---\n'* ]]
	[[ ${lines[1]} == '1 packets transmitted, 1 received, 0% packet loss, time '*'ms' ]]
	[[ ${lines[2]} == 'rtt min/avg/max/mdev = '*' ms' ]]
	[[ ${#lines[@]} -eq 3 ]]
	need_cmd jq
	run -0 --separate-stderr "$SOCKX" --json -q raw-icmp -c 1 --id "$ICMP_ID" 127.0.0.1
	jq -se '[.[] | .event] == ["start", "sent", "reply", "summary"]' <<<"$output"
}

@test "raw-icmp: --dump decodes both packets field by field and marks the kernel's fields" {
	skip_unless_root
	run -0 "$SOCKX" raw-icmp -c 1 --dump --ttl 33 --id "$ICMP_ID" 127.0.0.1
	assert_line '> sent 84 bytes to 127.0.0.1, icmp_seq=1, raw+hdrincl'
	assert_line '  [kernel] written by the kernel, not sockx: total length, header checksum (IP_HDRINCL, raw(7))'
	assert_line --regexp '^  IPv4   version 4, ihl 5 \(20 bytes\), tos 0x00, total length 84 \[kernel\]$'
	assert_line --regexp '^         id 0x[0-9a-f]{4} \([0-9]+\), flags none, fragment offset 0, ttl 33, protocol 1 \(ICMP\)$'
	assert_line --regexp '^         header checksum 0x[0-9a-f]{4} \[kernel\] \(correct\), 127\.0\.0\.1 -> 127\.0\.0\.1$'
	assert_line --regexp '^  ICMP   type 8 \(Echo Request\), code 0, checksum 0x[0-9a-f]{4} \(correct\)$'
	assert_line "         identifier $ICMP_ID ($(printf '0x%04x' "$ICMP_ID")), sequence 1"
	assert_line --regexp '^         data 56 bytes: timestamp [0-9]+\.[0-9]{6}, then 40 pattern bytes$'
	assert_line --regexp '^00000000  45 00 00 54 '
	assert_line '< received 84 bytes from 127.0.0.1'
	assert_line --regexp '^  ICMP   type 0 \(Echo Reply\), code 0, checksum 0x[0-9a-f]{4} \(correct\)$'
	assert_line --regexp '^00000000  45 00 00 54 .* 7f 00 00 01  \|'
}

@test "raw-icmp: --dump --json gives each packet's exact bytes" {
	skip_unless_root
	need_cmd jq
	run -0 "$SOCKX" --json raw-icmp -c 1 --dump --ttl 33 --id "$ICMP_ID" 127.0.0.1
	jq -se 'any(.[]; .event=="packet" and .dir=="sent" and (.hex|startswith("45000054")) and .kernel_fields=="total length,header checksum" and .hex[16:18]=="21")' <<<"$output"
	jq -se 'any(.[]; .event=="packet" and .dir=="received" and .hex[40:42]=="00" and .bytes==84)' <<<"$output"
}

@test "raw-icmp: two runs at once never take each other's replies" {
	skip_unless_root
	start_bg a "$SOCKX" raw-icmp -c 5 -i 0.2 127.0.0.1
	start_bg b "$SOCKX" raw-icmp -c 5 -i 0.2 127.0.0.1
	wait_exit a 10
	[[ "$BG_RC" -eq 0 ]]
	wait_exit b 10
	[[ "$BG_RC" -eq 0 ]]
	for n in a b; do
		grep -q '5 packets transmitted, 5 received, 0% packet loss' "$BATS_TEST_TMPDIR/$n.out"
		(( $(grep -c 'DUP' "$BATS_TEST_TMPDIR/$n.out") == 0 ))	# a bare '! grep' could not fail the test
	done
}

@test "raw-icmp: flood: -f -c 2000 gets every reply" {
	skip_unless_root
	# In a namespace of its own: every raw ICMP socket on a host gets a
	# copy of every ICMP packet, and a flood on the host's lo would fill
	# the buffers of other tests' pings running at the same time.
	FLOOD_NS=sxflood$$-$RANDOM
	ip netns add "$FLOOD_NS"
	ip -n "$FLOOD_NS" link set lo up
	run -0 --separate-stderr timeout 20 ip netns exec "$FLOOD_NS" "$SOCKX" -q raw-icmp -f -c 2000 127.0.0.1
	assert_line --partial '2000 packets transmitted, 2000 received, 0% packet loss'
	run -0 --separate-stderr timeout 20 ip netns exec "$FLOOD_NS" "$SOCKX" raw-icmp -f -c 50 127.0.0.1
	# ping's flood display: a dot per probe, a backspace per reply
	[[ "$output" == *'.'$'\b'' '$'\b'* ]]
}

@test "raw-icmp: without -c it runs until SIGTERM (or SIGHUP), then prints the summary" {
	skip_unless_root
	local sig
	for sig in TERM HUP; do
		start_bg run "$SOCKX" raw-icmp -i 0.2 127.0.0.1
		wait_line "$BATS_TEST_TMPDIR/run.out" 'icmp_seq=2 ' 5
		stop_bg run "$sig"
		[[ "$BG_RC" -eq 0 ]]
		grep -Eq '^[0-9]+ packets transmitted, [0-9]+ received' "$BATS_TEST_TMPDIR/run.out"
	done
}

@test "raw-icmp: without CAP_NET_RAW: exit 4 and how to get it" {
	skip_unless_root
	nobody_copy
	run -4 --separate-stderr "${NOBODY[@]}" "$NOBODY_SOCKX" raw-icmp -c 1 127.0.0.1
	[[ "${stderr_lines[0]}" == "sockx: raw-icmp: cannot open a raw ICMP socket: Operation not permitted" ]]
	[[ "${stderr_lines[1]}" == "hint: "*"sudo"*"setcap cap_net_raw+p "* ]]
	[[ ${#stderr_lines[@]} -eq 2 ]]
	run -4 --separate-stderr "${NOBODY[@]}" "$NOBODY_SOCKX" raw-icmp -6 -c 1 ::1
	[[ "$stderr" == *"cannot open a raw ICMPv6 socket: Operation not permitted"* ]]
}

@test "raw-icmp: intervals below 0.2 s and floods need privilege" {
	skip_unless_root
	nobody_copy
	run -4 --separate-stderr "${NOBODY[@]}" "$NOBODY_SOCKX" raw-icmp -c 1 -i 0.1 127.0.0.1
	[[ "$stderr" == *"an interval below 0.2 s needs root or CAP_NET_ADMIN"* ]]
	run -4 --separate-stderr "${NOBODY[@]}" "$NOBODY_SOCKX" raw-icmp -c 1 -f 127.0.0.1
	[[ "$stderr" == *"flooding (-f) needs root or CAP_NET_ADMIN"* ]]
}

@test "raw-icmp: every capability is dropped once the socket is open (CapEff 0)" {
	skip_unless_root
	start_bg run "$SOCKX" raw-icmp -c 3 -i 0.5 127.0.0.1
	wait_line "$BATS_TEST_TMPDIR/run.out" 'icmp_seq=1 ' 5
	status_file=$(cat "/proc/${BG_PID[run]}/status")
	grep -q '^CapEff:[[:space:]]*0000000000000000$' <<<"$status_file"
	grep -q '^CapPrm:[[:space:]]*0000000000000000$' <<<"$status_file"
	wait_exit run 5
	[[ "$BG_RC" -eq 0 ]]
	grep -q '3 packets transmitted, 3 received' "$BATS_TEST_TMPDIR/run.out"
}

@test "raw-icmp: installed setuid, it gives up the uid too" {
	skip_unless_root
	SUID_DIR=$(mktemp -d /tmp/sockx-suid.XXXXXX)
	chmod 755 "$SUID_DIR"
	cp "$SOCKX" "$SUID_DIR/sockx"
	chmod 4755 "$SUID_DIR/sockx"
	start_bg run setpriv --reuid=65534 --regid=65534 --clear-groups "$SUID_DIR/sockx" raw-icmp -c 3 -i 0.5 127.0.0.1
	wait_line "$BATS_TEST_TMPDIR/run.out" 'icmp_seq=1 ' 5
	status_file=$(cat "/proc/${BG_PID[run]}/status")
	grep -q '^Uid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534$' <<<"$status_file"
	grep -q '^CapEff:[[:space:]]*0000000000000000$' <<<"$status_file"
	wait_exit run 5
	[[ "$BG_RC" -eq 0 ]]
}

@test "raw-icmp: -v names each method" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" -v raw-icmp -c 1 127.0.0.1
	[[ "$stderr" == *"socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC, IPPROTO_ICMP) = "* ]]
	[[ "$stderr" == *"method: raw+hdrincl: SOCK_RAW with IP_HDRINCL"* ]]
	[[ "$stderr" == *"privileges dropped"* ]]
	run -0 --separate-stderr "$SOCKX" -vv raw-icmp -c 1 127.0.0.1
	[[ "$stderr" =~ setsockopt\([0-9]+,\ IP_HDRINCL,\ 1\)\ =\ 0 ]]
	[[ "$stderr" =~ setsockopt\([0-9]+,\ ICMP_FILTER,\ 4\ bytes\)\ =\ 0 ]]
}

@test "raw-icmp: bad inputs are usage errors (exit 2), one line each" {
	local args long
	long=$(printf '%0514d' 0)	# 257 bytes of hex: one more than --pattern takes
	while IFS= read -r args; do
		args=${args//@LONG@/$long}
		# shellcheck disable=SC2086
		run -2 --separate-stderr timeout 5 "$SOCKX" raw-icmp $args
		[[ "${stderr_lines[0]}" == "sockx: raw-icmp: "* ]] || { echo "args: $args: $stderr"; false; }
		[[ -z "$output" ]]
	done <<'EOF'
--ttl 256 127.0.0.1
--ttl 0 127.0.0.1
--tos 256 127.0.0.1
--tos -1 127.0.0.1
-s 65508 127.0.0.1
-s 1k 127.0.0.1
--pattern xyz 127.0.0.1
-p 0x12 127.0.0.1
-w 0 127.0.0.1
-w x 127.0.0.1
-I nosuch0 127.0.0.1
-I ::1 --src ::2 ::1
-s 65528 ::1
-t 0 127.0.0.1
-Q 256 127.0.0.1
::1:9999
--pattern @LONG@ 127.0.0.1
--id 65536 127.0.0.1
--ip-id 70000 127.0.0.1
-c 0 127.0.0.1
-c x 127.0.0.1
-i abc 127.0.0.1
-W 0 127.0.0.1
--no-hdrincl --dgram 127.0.0.1
--dgram --ip-id 5 127.0.0.1
-6 --ip-id 5 ::1
-c 1
127.0.0.1 127.0.0.2
--bogus 127.0.0.1
-4 ::1
-6 127.0.0.1
--src ::1 127.0.0.1
127.0.0.1:80
EOF
}

@test "raw-icmp: --help lists the options" {
	run -0 "$SOCKX" raw-icmp --help
	assert_line --index 0 --partial 'usage: sockx raw-icmp [-4|-6] HOST'
	for o in --count --interval --flood --size --ttl --tos --id --df --pattern --timeout --src --no-hdrincl --dgram --dump \
		--deadline --interface --numeric '-t, --ttl' '-Q, --tos' '-p, --pattern' '-w, --deadline' '-I, --interface' '-n, --numeric'; do
		assert_line --partial -- "$o"
	done
}

@test "raw-icmp: ping's -t, -Q, -p and -n: the TTL, TOS and pattern on the wire, as ping's" {
	skip_unless_root
	start_tcpdump icmp
	# -p abc: ping reads ab 0c (an odd last digit is a byte), and says so
	run -0 "$SOCKX" -q raw-icmp -n -c 1 -s 40 -t 7 -Q 0x10 -p abc --id "$ICMP_ID" 127.0.0.1
	stop_tcpdump 2
	grep -q 'tos 0x10, ttl 7, id [0-9]*, offset 0, flags \[none\], proto ICMP (1), length 68' <<<"$DECODED"
	hex=$(tcpdump -r "$PCAP" -n -x 2>/dev/null)
	grep -q '0x0030:  ab0c ab0c ab0c ab0c ab0c ab0c ab0c ab0c$' <<<"$hex"
	if command -v ping >/dev/null; then
		run -0 ping -c 1 -s 40 -p abc 127.0.0.1
		assert_line --index 0 'PATTERN: 0xab0c'
	fi
}

@test "raw-icmp: -w DEADLINE stops the run after S seconds, whatever the count" {
	skip_unless_root
	local t0 ms
	t0=$(date +%s%N)
	run -0 timeout 10 "$SOCKX" raw-icmp -w 1 -i 0.2 127.0.0.1
	ms=$((($(date +%s%N) - t0) / 1000000))
	((ms >= 900 && ms < 3000))
	assert_line --regexp '^[56] packets transmitted, [56] received, 0% packet loss, time [0-9]+ms$'
	# with -c, COUNT replies end it before the deadline (as ping -c 3 -w 5)
	t0=$(date +%s%N)
	run -0 timeout 10 "$SOCKX" raw-icmp -c 3 -w 5 -i 0.2 127.0.0.1
	ms=$((($(date +%s%N) - t0) / 1000000))
	((ms < 3000))
	assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss'
	run -0 "$SOCKX" --json raw-icmp -w 0.5 -i 0.2 127.0.0.1
	jq -se 'last | .event == "summary" and .received >= 2' <<<"$output"
}

@test "raw-icmp: -6 -s 65527 goes out as ping -6 sends it; IPv4 stops at 65507" {
	skip_unless_root
	run -0 "$SOCKX" raw-icmp -6 -c 1 -s 65527 ::1
	assert_line --index 0 'PING ::1 (::1) 65527(65575) bytes of data.'
	assert_line --regexp '^65535 bytes from ::1: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	run -0 "$SOCKX" raw-icmp -c 1 -s 65527 '[::1]'	# the literal chooses IPv6
	assert_line --partial '1 packets transmitted, 1 received'
	run -0 "$SOCKX" raw-icmp -c 1 -s 65507 127.0.0.1
	assert_line --regexp '^65515 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	run -2 --separate-stderr "$SOCKX" raw-icmp -c 1 -s 65508 127.0.0.1
	[[ "$stderr" == *"invalid size (-s) 65508 for IPv4 (at most 65507"* ]]
	[[ "$stderr" == *"hint: IPv6 carries up to 65527 (-6)"* ]]
	if command -v ping >/dev/null; then	# the same size, as ping -6 sends it
		run -0 ping -6 -c 1 -s 65527 ::1
		assert_line --partial '1 received'
	fi
}

@test "raw-icmp: ping's other flags are answered with the sockx option, or its absence" {
	local flag want
	while IFS='|' read -r flag want; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr "$SOCKX" raw-icmp $flag 127.0.0.1
		[[ "${stderr_lines[0]}" == "sockx: raw-icmp: unknown option '${flag:0:2}'" ]]
		[[ "${stderr_lines[1]}" == "hint: $want"* ]] || { echo "$flag: $stderr"; false; }
	done <<'EOF'
-e 5|ping -e (identifier) is --id N here
-M do|ping -M do (don't fragment) is --df here
-V|ping -V (version) is sockx --version
-b|ping -b (broadcast) has no sockx equivalent
-O|ping -O is the default here
-l 3|ping -l (preload) has no sockx equivalent
-R|that ping flag has no sockx equivalent
-x|'sockx raw-icmp --help' lists the options
EOF
}
