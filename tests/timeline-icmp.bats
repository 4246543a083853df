#!/usr/bin/env bats
# raw-icmp --timeline: the probes' calls and the echoes on one clock, in
# each way a request leaves (IP_HDRINCL, kernel header, ICMPv6, the ping
# socket); the causal order checked (tests/helpers/timeline_dgram.py), the
# packet count against tcpdump; a long run folds; no reply, an ICMP error;
# without CAP_NET_RAW: the ping socket draws its calls, a raw one cannot open.
# --svg: the same run as a drawing (tests/helpers/svg.bash), no ladder printed.

# shellcheck disable=SC2154 # $output, $lines, $stderr: set by bats run
load helpers/common
load helpers/net
load helpers/svg

CHECK="$BATS_TEST_DIRNAME/helpers/timeline_dgram.py"

# The echo ID of this test's pings (as raw-icmp.bats): tests that run at
# the same time (bats --jobs, the plain and the ASan suite side by side)
# ping on lo too, and a raw socket reads every echo there.
setup() {
	ICMP_ID=$((1000 + RANDOM % 60000))
}

teardown() {
	stop_all_bg
	if [[ -n ${NS:-} ]]; then
		ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$NS" 2>/dev/null || true
	fi
}

# new_ns: a private namespace $NS with lo up, where the ping socket is
# open to every group (net.ipv4.ping_group_range is per namespace).
new_ns() {
	NS="sxtl$$-${BATS_TEST_NUMBER}-$RANDOM"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

# in_ns_nobody CMD...: CMD in $NS as nobody, with no capability ("$SOCKX": its copy).
in_ns_nobody() {
	nobody_copy
	local a args=()
	for a in "$@"; do
		[[ $a == "$SOCKX" ]] && a=$NOBODY_SOCKX
		args+=("$a")
	done
	(cd "$NOBODY_DIR" && ip netns exec "$NS" "${NOBODY[@]}" "${args[@]}")
}

# pings ARGS...: five probes of raw-icmp ARGS with --timeline --json (in
# $NS when set), their order checked.
pings() {
	local wrap=()
	[[ -n ${NS:-} ]] && wrap=(ip netns exec "$NS")
	run -0 --separate-stderr "${wrap[@]}" "$SOCKX" --json raw-icmp -c 5 -i 0.05 --timeline "$@"
	echo "$output" >"$BATS_TEST_TMPDIR/run.jsonl"
	run python3 "$CHECK" icmp 5 <"$BATS_TEST_TMPDIR/run.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
	tail -n 2 "$BATS_TEST_TMPDIR/run.jsonl" | jq -se 'map(.event) == ["timeline_end", "summary"]'
}

@test "timeline-icmp: IPv4, hand-built header (IP_HDRINCL): five echoes in causal order" {
	skip_unless_root "raw sockets, libpcap"
	pings 127.0.0.1
}

@test "timeline-icmp: IPv4, kernel-built header (--no-hdrincl): five echoes in causal order" {
	skip_unless_root "raw sockets, libpcap"
	pings --no-hdrincl 127.0.0.1
}

@test "timeline-icmp: ICMPv6: five echoes in causal order" {
	skip_unless_root "raw sockets, libpcap"
	pings -6 ::1
}

@test "timeline-icmp: the ping socket (--dgram): five echoes in causal order" {
	skip_unless_root "network namespaces, libpcap"
	new_ns
	pings --dgram 127.0.0.1
}

@test "timeline-icmp: the text ladder: request and reply inside sendto's bracket on lo" {
	skip_unless_root "raw sockets, libpcap"
	run -0 --separate-stderr "$SOCKX" raw-icmp -c 1 --id "$ICMP_ID" 127.0.0.1 --timeline
	[[ $output == *"timeline of raw-icmp: "* ]]
	[[ $output =~ this\ process\ \(raw-icmp\)\ +wire:\ lo\ +peer\ 127\.0\.0\.1 ]]
	[[ $output =~ sendto\([0-9]+,\ 84\ bytes,\ 0,\ 127\.0\.0\.1:0\)\ +─┐ ]]
	[[ $output =~ "│  echo request id "$ICMP_ID" seq 1 "\ +"──────────▶" ]]
	[[ $output =~ "│  ◀──────────  echo reply id "$ICMP_ID" seq 1" ]]
	[[ $output =~ "= 84: ".*" ─┘" ]]
	[[ $output =~ recvmsg\(.*\)\ =\ 84 ]]
	[[ ${lines[-1]} == "rtt min/avg/max/mdev = "* ]]
	[ -z "$stderr" ]
}

@test "timeline-icmp: the packets drawn are the ones tcpdump saw" {
	skip_unless_root "raw sockets, libpcap"
	need_cmd tcpdump
	start_bg dump tcpdump -i lo -n -U --immediate-mode -Z root -w "$BATS_TEST_TMPDIR/w.pcap" "icmp and icmp[4:2] == $ICMP_ID"
	wait_line "$BATS_TEST_TMPDIR/dump.err" 'listening on' 5
	"$SOCKX" --json raw-icmp -c 4 -i 0.05 --id "$ICMP_ID" 127.0.0.1 --timeline >"$BATS_TEST_TMPDIR/run.jsonl"
	sleep 0.3	# tcpdump writes what it has; nothing of the run is still in flight
	stop_bg dump
	seen=$(tcpdump -r "$BATS_TEST_TMPDIR/w.pcap" -n 2>/dev/null | wc -l)
	drawn=$(jq -s '[.[] | select(.event == "timeline_row") | if .kind == "packet" then 1 elif .kind == "fold" then .packets else 0 end] | add' "$BATS_TEST_TMPDIR/run.jsonl")
	echo "tcpdump $seen, timeline $drawn"
	[ "$seen" -eq 8 ]
	[ "$drawn" -eq "$seen" ]
}

@test "timeline-icmp: 2000 echoes fold into one row, bounded, every packet counted" {
	skip_unless_root "raw sockets, libpcap"
	# -v: the capture's drop count, which the timeline does not report
	"$SOCKX" --json -v raw-icmp -c 2000 -i 0 127.0.0.1 --timeline >"$BATS_TEST_TMPDIR/run.jsonl"
	python3 "$CHECK" icmp 2000 <"$BATS_TEST_TMPDIR/run.jsonl"
	python3 - "$BATS_TEST_TMPDIR/run.jsonl" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
rows = [e for e in ev if e["event"] == "timeline_row"]
end = [e for e in ev if e["event"] == "timeline_end"][0]
folds = [r for r in rows if r["kind"] == "fold"]
assert len(folds) == 1 and end["folds"] == 1, folds
assert len(rows) < 40 and end["dropped"] == 0 and end["not_kept"] == 0, (len(rows), end)
assert rows[-1]["name"] == "close", rows[-1]
EOF
}

@test "timeline-icmp: no reply: the request alone, and the run's exit 1" {
	skip_unless_root "network namespaces, libpcap"
	new_ns
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	run -1 --separate-stderr ip netns exec "$NS" "$SOCKX" --json raw-icmp -c 1 -W 0.3 --id 4444 127.0.0.1 --timeline
	jq -se '[.[] | select(.event == "timeline_row" and .kind == "packet") | .label] == ["echo request id 4444 seq 1"]' <<<"$output"
	jq -se 'map(select(.event == "timeout")) | length == 1' <<<"$output"
}

@test "timeline-icmp: an ICMP error quoting the probe is drawn as it came" {
	skip_unless_root "network namespaces, nftables, libpcap"
	need_cmd nft
	new_ns
	ip netns exec "$NS" nft add table inet sxt
	ip netns exec "$NS" nft add chain inet sxt in '{ type filter hook input priority 0; }'
	ip netns exec "$NS" nft add rule inet sxt in icmp type echo-request reject with icmp type host-unreachable
	run -1 --separate-stderr ip netns exec "$NS" "$SOCKX" --json raw-icmp -c 1 -W 1 --id 4545 127.0.0.1 --timeline
	jq -se '[.[] | select(.event == "timeline_row" and .kind == "packet") | [.side, .label]]
		== [["self", "echo request id 4545 seq 1"], ["peer", "ICMP type 3 code 1"]]' <<<"$output"
}

@test "timeline-icmp: without CAP_NET_RAW the ping socket draws its calls and the wire says why" {
	skip_unless_root "network namespaces, setpriv to nobody"
	new_ns
	run -0 --separate-stderr in_ns_nobody "$SOCKX" raw-icmp --dgram -c 2 -i 0.2 127.0.0.1 --timeline
	[[ $output == *"wire: not drawn: no capture on lo without CAP_NET_RAW"* ]]
	[ "$(grep -cE '^ +[0-9.]+  sendto\([0-9]+, 64 bytes, 0, 127\.0\.0\.1:0\) = 64: .*$' <<<"$output")" -eq 2 ]
	[ "$(grep -cE '^ +[0-9.]+  recvmsg\(.*\) = 64: .*$' <<<"$output")" -eq 2 ]
	[[ $output != *"echo request"* ]]
	[[ $output == *"2 packets transmitted, 2 received"* ]]
	[ -z "$stderr" ]
}

@test "timeline-icmp: without CAP_NET_RAW a raw socket does not open: exit 4, nothing drawn" {
	skip_unless_root "setpriv to nobody"
	run -4 --separate-stderr as_nobody "$SOCKX" raw-icmp -c 1 127.0.0.1 --timeline
	[[ $stderr == *"cannot open a raw ICMP socket: Operation not permitted"* ]]
	[[ $output != *"timeline"* ]]
	[[ $output != *"wire:"* ]]
}

@test "timeline-icmp: --svg draws the probes' calls and echoes in time order, renders, and prints no ladder" {
	skip_unless_root "raw sockets, libpcap"
	SVG=$BATS_TEST_TMPDIR/run.svg
	run -0 --separate-stderr "$SOCKX" raw-icmp -c 2 -i 0.2 --id "$ICMP_ID" 127.0.0.1 --svg "$SVG"
	[[ $output == *"icmp_seq=2"* && $output != *"timeline of"* && $output != *"echo request"* ]]
	[ -z "$stderr" ]
	# each reply inside or after its sendto, a recvmsg() that read it after it
	svg_in_order "$SVG" '^sendto\(.*84 bytes' "^echo request id $ICMP_ID seq 1\$" "^echo reply id $ICMP_ID seq 1\$" \
		'^recvmsg\(' '^sendto\(' "^echo request id $ICMP_ID seq 2\$" "^echo reply id $ICMP_ID seq 2\$" \
		'^recvmsg\(' '^close\(.*\) = 0$'
	grep -q '>wire: lo</text>' "$SVG"
	grep -q '>peer 127.0.0.1</text>' "$SVG"
	svg_renders "$SVG"
}

@test "timeline-icmp: -f with --svg alone: no ladder shares the marks' line; the flood folds" {
	skip_unless_root "raw sockets, libpcap, flooding"
	SVG=$BATS_TEST_TMPDIR/flood.svg
	run -0 --separate-stderr "$SOCKX" raw-icmp -f -c 500 127.0.0.1 --svg "$SVG"
	[[ $output == *"500 packets transmitted, 500 received"* && $output != *"timeline of"* ]]
	svg_in_order "$SVG" '^sendto\(' '^echo request id [0-9]+ seq 1$' \
		'^\.\.\. [0-9,]+ packets, [0-9.]+ KiB, [0-9,]+ calls in [0-9.]+ ms \.\.\.$' '^close\('
	svg_renders "$SVG"
}

@test "timeline-icmp: -f is refused with --timeline" {
	run -2 --separate-stderr "$SOCKX" raw-icmp -f 127.0.0.1 --timeline
	[[ $stderr == *"cannot use -f with --timeline"* ]]
	run -2 --separate-stderr "$SOCKX" raw-icmp -f 127.0.0.1 --timeline --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ $stderr == *"cannot use -f with --timeline"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
	run -0 --separate-stderr "$SOCKX" raw-icmp --help
	[[ $output == *"--timeline"* && $output == *"--svg FILE"* ]]
}
