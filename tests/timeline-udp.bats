#!/usr/bin/env bats
# udp-client --timeline: the calls and the datagrams of a run on one clock;
# the causal order checked on real runs (tests/helpers/timeline_dgram.py),
# the packet count against tcpdump; a long run folds; without CAP_NET_RAW
# the calls alone, and the reason; a closed port. --svg: the same run as a
# drawing (tests/helpers/svg.bash), and no ladder printed.

# shellcheck disable=SC2154 # $output, $lines, $stderr: set by bats run
load helpers/common
load helpers/net
load helpers/svg

MSG='你好,服务器!'	# 17 bytes of UTF-8
CHECK="$BATS_TEST_DIRNAME/helpers/timeline_dgram.py"

teardown() {
	stop_all_bg
}

# exchange HOST COUNT: COUNT echoes of $MSG with --timeline --json, checked.
exchange() {
	start_server srv "$SOCKX" udp-server --mode echo -b "$1" -p 0
	run -0 --separate-stderr "$SOCKX" --json udp-client "$1" "$PORT" -m "$MSG" --count "$2" --timeline
	echo "$output" >"$BATS_TEST_TMPDIR/run.jsonl"
	run python3 "$CHECK" udp "$2" 17 <"$BATS_TEST_TMPDIR/run.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
	# the summary stays the last event, after the timeline's end
	tail -n 2 "$BATS_TEST_TMPDIR/run.jsonl" | jq -se 'map(.event) == ["timeline_end", "summary"]'
}

@test "timeline-udp: one echo over IPv4 is in causal order" {
	skip_unless_root "libpcap captures"
	exchange 127.0.0.1 1
}

@test "timeline-udp: five echoes over IPv4 are in causal order" {
	skip_unless_root "libpcap captures"
	exchange 127.0.0.1 5
}

@test "timeline-udp: five echoes over IPv6 are in causal order" {
	skip_unless_root "libpcap captures"
	exchange ::1 5
}

@test "timeline-udp: the text ladder: the send's bracket holds its datagram, the peer column" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" udp-server --mode upper -p 0
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	# the program's own line; rows may come before it (drawn as the run goes)
	grep -qE '^reply #1: 17 bytes, time=.*你好,服务器!$' <<<"$output"
	[[ $output == *"timeline of udp-client: "* ]]
	[[ $output == *"wire: captured on lo with "*" timestamps; clocks aligned within "* ]]
	[[ $output =~ this\ process\ \(udp-client\)\ +wire:\ lo\ +peer\ 127\.0\.0\.1:$PORT ]]
	# on lo the datagram crosses the wire inside send()
	[[ $output =~ send\([0-9]+,\ 17\ bytes,\ 0\)\ +─┐ ]]
	[[ $output =~ "│  UDP (17) ".*"──────────▶" ]]
	[[ $output =~ "◀──────────  UDP (17)" ]]
	[[ $output =~ recv\([0-9]+,\ [0-9]+,\ [0-9]+\)\ =\ 17 ]]
	[[ ${lines[-1]} == "1 sent, 1 received, 0% loss, rtt"* ]]
	[[ ${lines[-2]} =~ close\([0-9]+\)\ =\ 0$ ]]
	[ -z "$stderr" ]
}

@test "timeline-udp: the packets drawn are the ones tcpdump saw" {
	skip_unless_root "libpcap captures"
	need_cmd tcpdump
	start_server srv "$SOCKX" udp-server --mode echo -p 0
	start_bg dump tcpdump -i lo -n -U --immediate-mode -Z root -w "$BATS_TEST_TMPDIR/w.pcap" "udp port $PORT"
	wait_line "$BATS_TEST_TMPDIR/dump.err" 'listening on' 5
	"$SOCKX" --json udp-client 127.0.0.1 "$PORT" -m abc -m defgh --count 3 --timeline >"$BATS_TEST_TMPDIR/run.jsonl"
	sleep 0.3	# tcpdump writes what it has; nothing of the run is still in flight
	stop_bg dump
	seen=$(tcpdump -r "$BATS_TEST_TMPDIR/w.pcap" -n 2>/dev/null | wc -l)
	drawn=$(jq -s '[.[] | select(.event == "timeline_row") | if .kind == "packet" then 1 elif .kind == "fold" then .packets else 0 end] | add' "$BATS_TEST_TMPDIR/run.jsonl")
	echo "tcpdump $seen, timeline $drawn"
	[ "$seen" -eq 12 ]
	[ "$drawn" -eq "$seen" ]
}

@test "timeline-udp: 2000 echoes fold into one row, bounded, every packet counted" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" udp-server --mode echo -p 0
	# -v: the capture's drop count, which the timeline does not report
	"$SOCKX" --json -v udp-client 127.0.0.1 "$PORT" -m x --count 2000 --timeline >"$BATS_TEST_TMPDIR/run.jsonl"
	python3 "$CHECK" udp 2000 1 <"$BATS_TEST_TMPDIR/run.jsonl"
	python3 - "$BATS_TEST_TMPDIR/run.jsonl" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
rows = [e for e in ev if e["event"] == "timeline_row"]
end = [e for e in ev if e["event"] == "timeline_end"][0]
folds = [r for r in rows if r["kind"] == "fold"]
assert len(folds) == 1 and end["folds"] == 1, folds
# 2000 sends and 2000 reads: all but the drawn ones are in the fold
calls = sum(1 for r in rows if r["kind"] in ("call", "enter") and r["name"] in ("send", "recv"))
assert folds[0]["calls"] + calls == 4000, (folds[0], calls)
assert len(rows) < 40 and end["dropped"] == 0 and end["not_kept"] == 0, (len(rows), end)
assert rows[-1]["name"] == "close", rows[-1]
EOF
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m x --count 2000 --timeline
	# (how many rows settle before the fold depends on the machine's load:
	# the JSON run above holds the counts exact)
	[[ $output =~ \.\.\.\ [0-9],[0-9]{3}\ packets,\ [0-9.]+\ KiB,\ [0-9],[0-9]{3}\ calls\ in\ [0-9.]+\ ms\ \.\.\. ]]
	[[ $output != *"not kept"* ]]
	[[ ${lines[-1]} == "2000 sent, 2000 received, 0% loss"* ]]
}

@test "timeline-udp: without CAP_NET_RAW the calls are drawn and the wire says why (exit 0)" {
	skip_unless_root "setpriv to nobody"
	start_server srv "$SOCKX" udp-server --mode echo -p 0
	run -0 --separate-stderr as_nobody "$SOCKX" udp-client 127.0.0.1 "$PORT" -m "$MSG" --count 2 --timeline
	[[ $output == *"wire: not drawn: no capture on lo without CAP_NET_RAW"* ]]
	[ "$(grep -cE '^ +[0-9.]+  send\([0-9]+, 17 bytes, 0\) = 17: 你好,服务器!$' <<<"$output")" -eq 2 ]
	[ "$(grep -cE '^ +[0-9.]+  recv\([0-9]+, [0-9]+, [0-9]+\) = 17: 你好,服务器!$' <<<"$output")" -eq 2 ]
	[[ $output =~ close\([0-9]+\)\ =\ 0 ]]
	[[ $output != *"UDP ("* ]]
	[[ ${lines[-1]} == "2 sent, 2 received, 0% loss"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr as_nobody "$SOCKX" --json udp-client 127.0.0.1 "$PORT" -m x --timeline
	jq -se '(map(select(.event == "timeline"))[0] | .wire == false and (.why | test("CAP_NET_RAW")))
		and (map(select(.event == "timeline_row")) | length > 0 and all(.kind == "call"))' <<<"$output"
}

@test "timeline-udp: a closed port: our datagram, recv() = ECONNREFUSED, and no ICMP row" {
	skip_unless_root "libpcap captures"
	port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	run -1 --separate-stderr "$SOCKX" --json udp-client 127.0.0.1 "$port" -m x --timeline
	# the capture follows the UDP flow: the port unreachable (ICMP) is
	# not in it; the failed recv says what it said
	jq -se '[.[] | select(.event == "timeline_row")] as $r
		| ($r | map(select(.kind == "packet")) | map(.label)) == ["UDP (1)"]
		and ($r | map(select(.name == "recv"))[0].errno) == "ECONNREFUSED"' <<<"$output"
	[[ $stderr == *"nobody listening on 127.0.0.1:$port (ICMP port unreachable)"* ]]
}

@test "timeline-udp: --svg draws the run's calls and datagrams in time order, renders, and prints no ladder" {
	skip_unless_root "libpcap captures"
	SVG=$BATS_TEST_TMPDIR/run.svg
	start_server srv "$SOCKX" udp-server --mode upper -p 0
	run -0 --separate-stderr "$SOCKX" udp-client 127.0.0.1 "$PORT" -m "$MSG" -m abc --svg "$SVG"
	[[ ${lines[1]} == "reply #1: 17 bytes, time="*"你好,服务器!" ]]
	[[ $output != *"timeline of"* && $output != *"UDP ("* ]]
	[ -z "$stderr" ]
	# the reply comes after its request; a recv() that returned it, after both
	svg_in_order "$SVG" '^send\(.*17 bytes' '^UDP \(17\)$' '^UDP \(17\)$' '^recv\(.*\) = 17$' \
		'^send\(.*3 bytes' '^UDP \(3\)$' '^UDP \(3\)$' '^recv\(.*\) = 3$' '^close\(.*\) = 0$'
	grep -q '>wire: lo</text>' "$SVG"
	grep -q ">peer 127.0.0.1:$PORT</text>" "$SVG"
	svg_renders "$SVG"
	# --json: no timeline events either, only the file
	run -0 --separate-stderr "$SOCKX" --json udp-client 127.0.0.1 "$PORT" -m x --svg "$SVG"
	! grep -q '"event":"timeline' <<<"$output" || false
	svg_in_order "$SVG" '^send\(' '^UDP \(1\)$' '^recv\(.*\) = 1$'
}

@test "timeline-udp: --svg needs what --timeline needs (exit 2)" {
	run -2 --separate-stderr "$SOCKX" udp-client 127.0.0.1 9 --svg "$BATS_TEST_TMPDIR/x.svg" </dev/null
	[[ $stderr == *"--svg needs -m or --size"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client 127.0.0.1 9 --stdin raw --svg "$BATS_TEST_TMPDIR/x.svg" </dev/null
	[[ $stderr == *"--svg needs -m or --size"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --broadcast 127.255.255.255 9 -m x --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ $stderr == *"cannot use --svg with --broadcast"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
	run -0 --separate-stderr "$SOCKX" udp-client --help
	[[ $output == *"--svg FILE"* ]]
}

@test "timeline-udp: needs -m or --size, and one peer" {
	run -2 --separate-stderr "$SOCKX" udp-client 127.0.0.1 9 --timeline </dev/null
	[[ $stderr == *"--timeline needs -m or --size"* ]]
	run -2 --separate-stderr "$SOCKX" udp-client --broadcast 127.255.255.255 9 -m x --timeline
	[[ $stderr == *"cannot use --timeline with --broadcast"* ]]
	run -0 --separate-stderr "$SOCKX" udp-client --help
	[[ $output == *"--timeline"* ]]
}
