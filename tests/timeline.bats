#!/usr/bin/env bats
# tcp-client --timeline: the calls and the packets of a run on one clock;
# the causal order checked on real runs (tests/helpers/timeline_order.py);
# without CAP_NET_RAW the calls alone, and the reason.

# shellcheck disable=SC2154 # $output and $lines: set by bats run
load helpers/common
load helpers/net

MSG='你好,服务器!'	# 17 bytes of UTF-8
ORDER="$BATS_TEST_DIRNAME/helpers/timeline_order.py"

teardown() {
	stop_all_bg
}

# exchange HOST: the tutorial's exchange with --timeline --json, order checked.
exchange() {
	start_server srv "$SOCKX" tcp-server --mode upper -b "$1" -p 0
	run -0 "$SOCKX" --json tcp-client "$1" "$PORT" -m "$MSG" --timeline
	echo "$output" >"$BATS_TEST_TMPDIR/run.jsonl"
	run python3 "$ORDER" exchange <"$BATS_TEST_TMPDIR/run.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "timeline: the tutorial's exchange over IPv4 is in causal order" {
	skip_unless_root "libpcap captures"
	exchange 127.0.0.1
}

@test "timeline: the tutorial's exchange over IPv6 is in causal order" {
	skip_unless_root "libpcap captures"
	exchange ::1
}

@test "timeline: the text ladder: brackets, flags, relative sequence numbers" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" tcp-server --mode upper -p 0
	run -0 "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	# the exchange's own lines first, unchanged
	[[ ${lines[1]} == "sent 17 bytes: $MSG" ]]
	[[ $output == *"reply 17 bytes, time="*"$MSG"* ]]
	[[ $output == *"wire: captured on lo with "*" timestamps; clocks aligned within "* ]]
	[[ $output =~ connect\(.*─┐ ]]
	[[ $output =~ "= 0 ─┘" ]]
	[[ $output =~ "│  SYN " ]]
	[[ $output =~ "◀──────────  SYN,ACK" ]]
	[[ $output =~ "PSH,ACK 1:18 (17)" ]]
	[[ $output =~ "◀──────────  FIN,ACK" ]]
}

@test "timeline: a refused connect has the SYN and the RST inside connect's bracket" {
	skip_unless_root "libpcap captures"
	# a port nothing listens on: a server's, once it has gone
	start_server srv "$SOCKX" tcp-server -p 0
	stop_all_bg
	run -1 --separate-stderr "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	echo "$output" >"$BATS_TEST_TMPDIR/run.jsonl"
	run python3 "$ORDER" refused <"$BATS_TEST_TMPDIR/run.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "timeline: without CAP_NET_RAW the calls are drawn and the wire says why (exit 0)" {
	skip_unless_root "setpriv to nobody"
	start_server srv "$SOCKX" tcp-server --mode upper -p 0
	run -0 --separate-stderr as_nobody "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	[[ $output == *"reply 17 bytes"* ]]
	[[ $output == *"wire: not drawn: no capture on lo without CAP_NET_RAW"* ]]
	[[ $output =~ "connect(".*") = 0" ]]
	[[ $output =~ "send(".*") = 17" ]]
	[[ $output =~ "recv(".*") = 0" ]]
	[[ $output =~ "close(".*") = 0" ]]
	[[ $output != *"SYN"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr as_nobody "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	run python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
head = [e for e in ev if e["event"] == "timeline"][0]
rows = [e for e in ev if e["event"] == "timeline_row"]
end = [e for e in ev if e["event"] == "timeline_end"][0]
assert head["wire"] is False and "CAP_NET_RAW" in head["why"], head
assert rows and all(r["kind"] == "call" for r in rows), rows
assert [r["name"] for r in rows][:2] == ["socket", "connect"], rows
assert end["items"] == len(rows) and end["dropped"] == 0, end
' <<<"$output"
}

@test "timeline: a long exchange folds its middle, bounded, and keeps its ends" {
	skip_unless_root "setpriv to nobody"
	start_server srv "$SOCKX" tcp-server --mode echo -p 0
	run -0 --separate-stderr as_nobody "$SOCKX" tcp-client 127.0.0.1 "$PORT" -m x --count 3000 --timeline
	# socket, connect, 3000 times send and recv, shutdown, recv, close: the
	# first exchanges' calls drawn, then one fold, then the last 3 calls
	fold=$(grep -E '^ *[0-9.]+ +[.]{3} ' <<<"$output")
	echo "$fold"
	[[ $fold =~ \.\.\.\ 2\.9\ KiB,\ 5,991\ calls\ in\ [0-9.]+\ ms\ \.\.\. ]]
	[ "$(grep -cE '^ *[0-9]+[.][0-9]{3}  (send|recv)[(]' <<<"$output")" -eq 10 ]
	[[ $output =~ "shutdown(".*") = 0" ]]
	[[ $output =~ "close(".*") = 0" ]]
	[[ $output != *"not kept"* ]]
	[[ $output == *"3000 sent, 3000 replies"* ]]
}

@test "timeline: a long exchange on the wire folds packets and calls in time order" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" tcp-server --mode echo -p 0
	"$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m xxxxxxxxxx --count 3000 --timeline \
		>"$BATS_TEST_TMPDIR/run.jsonl"
	python3 - "$BATS_TEST_TMPDIR/run.jsonl" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
rows = [e for e in ev if e["event"] == "timeline_row"]
end = [e for e in ev if e["event"] == "timeline_end"][0]
t = [r["t_ms"] for r in rows]
assert t == sorted(t), "rows out of time order"
folds = [r for r in rows if r["kind"] == "fold"]
assert len(folds) == 1 and end["folds"] == 1, folds
f = folds[0]
# 3000 segments of 10 bytes each way, their ACKs: all but the drawn ones
assert f["packets"] > 5000 and f["calls"] > 5000 and f["bytes"] > 50000, f
assert len(rows) < 60 and end["dropped"] == 0, (len(rows), end)
assert rows[-1]["name"] == "close", rows[-1]
EOF
}

@test "timeline: needs -m" {
	run -2 --separate-stderr "$SOCKX" tcp-client 127.0.0.1 9 --timeline
	[[ $stderr == *"--timeline needs -m"* ]]
}
