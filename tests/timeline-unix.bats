#!/usr/bin/env bats
# unix --timeline: the demonstration draws both ends (the server end's
# calls in the right column) and each recv's transfer from the send that
# put its bytes; a client alone draws its own calls and no transfer.
# --svg: the same as a drawing (tests/helpers/svg.bash), no ladder printed.

# shellcheck disable=SC2154 # $output and $lines: set by bats run
load helpers/common
load helpers/net
load helpers/unix
load helpers/svg

teardown() {
	stop_all_bg
}

# demo_json TYPE LENS...: the demonstration of TYPE with --timeline
# --json, checked: both ends' calls on their sides, rows in time order,
# one transfer per recv that took bytes, of the lengths LENS, each from
# a send of the client end that entered before the recv returned.
demo_json() {
	local type=$1
	shift
	run -0 --separate-stderr "$SOCKX" --json unix "--$type" --timeline
	echo "$output" >"$BATS_TEST_TMPDIR/run.jsonl"
	python3 - "$BATS_TEST_TMPDIR/run.jsonl" "$type" "$@" <<'PY'
import json, sys
kind, lens = sys.argv[2], [int(n) for n in sys.argv[3:]]
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
head = ev[names.index("timeline")]
rows = [e for e in ev if e["event"] == "timeline_row"]
assert head["af_unix"] is True and head["wire"] is False, head
assert "AF_UNIX" in head["why"] and "iface" not in head, head
assert names.index("timeline_end") < names.index("summary") == len(ev) - 1, names
t = [r["t_ms"] for r in rows]
assert t == sorted(t), "rows out of time order"
calls = [r for r in rows if r["kind"] == "call"]
assert all(r["kind"] in ("call", "transfer") for r in rows), rows
side = {}
for c in calls:
    side.setdefault(c["name"], set()).add(c["side"])
want_peer = {"recvmsg"} | ({"listen", "accept4"} if kind != "dgram" else set())
for n in want_peer:
    assert side.get(n) == {"peer"}, (n, side)
for n in ("connect", "sendmsg"):
    assert side.get(n) == {"self"}, (n, side)
sends = [c for c in calls if c["name"] == "sendmsg" and c["side"] == "self"]
recvs = [c for c in calls if c["name"] == "recvmsg" and c["side"] == "peer" and c["ret"] > 0]
xfers = [r for r in rows if r["kind"] == "transfer"]
assert [x["len"] for x in xfers] == lens, xfers
assert [x["len"] for x in xfers] == [r["ret"] for r in recvs], (xfers, recvs)
for x, r in zip(xfers, recvs):
    assert x["side"] == "self" and x["proto"] == "AF_UNIX", x
    assert x["t_ms"] == r["t_end_ms"], (x, r)
    assert x["sent_ms"] <= x["t_ms"], x
    assert any(s["t_ms"] == x["sent_ms"] for s in sends), (x, sends)
if kind != "stream":  # one recv takes one send: the i-th transfer is from the i-th send
    assert [x["sent_ms"] for x in xfers] == [s["t_ms"] for s in sends], (xfers, sends)
end = ev[names.index("timeline_end")]
assert end["items"] == len(rows) and end["dropped"] == 0, end
PY
}

@test "timeline-unix: demo, stream: one recv takes the 15 bytes of four sends" {
	demo_json stream 15
}

@test "timeline-unix: demo, seqpacket: a transfer per message, from its own send" {
	demo_json seqpacket 3 3 5 4
}

@test "timeline-unix: demo, dgram: a transfer per datagram, from its own send" {
	demo_json dgram 3 3 5 4
}

@test "timeline-unix: demo, the text ladder: the client end left, the server end right" {
	run -0 --separate-stderr "$SOCKX" unix --seqpacket --timeline -m hello -m 'a longer one'
	[[ $output == *"wire: none: AF_UNIX: no packets"* ]]
	[[ $output =~ this\ process:\ the\ client\ end\ +wire:\ none\ \(AF_UNIX\)\ +the\ server\ end ]]
	# the calls' column: the client's at the left, the server end's far right
	grep -qE '^ +[0-9]+\.[0-9]{3}  connect\(' <<<"$output"
	grep -qE '^ +[0-9]+\.[0-9]{3}  sendmsg\(.*\) = 5: [a-z]+$' <<<"$output"
	grep -qE '^ +[0-9]+\.[0-9]{3} {90,}accept4\(' <<<"$output"
	grep -qE '^ +[0-9]+\.[0-9]{3} {90,}recvmsg\(.*\) = 12: a longer one$' <<<"$output"
	[ "$(grep -c ' 5 bytes, copied by the kernel ──▶' <<<"$output")" -eq 1 ]
	[ "$(grep -c ' 12 bytes, copied by the kernel ──▶' <<<"$output")" -eq 1 ]
	# the demonstration's own lines are still there, its lesson last
	[[ $output == *'server read 2: 12 bytes "a longer one"'* ]]
	[[ ${lines[-1]} == "2 sends, 2 reads: SOCK_SEQPACKET keeps every boundary"* ]]
}

@test "timeline-unix: a client alone draws its calls, and no transfer it cannot know" {
	ADDR=$(fresh_name)
	start_unix srv unix -l "$ADDR" --mode upper
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" -m hello -m world --timeline
	[[ $output == *"reply 5 bytes"*"HELLO"* ]]
	[[ $output == *"wire: none: AF_UNIX"* ]]
	[[ $output == *"peer $ADDR"* ]]
	grep -qE '^ +[0-9.]+  connect\([0-9]+, '"$ADDR"'\) = 0$' <<<"$output"
	grep -qE '^ +[0-9.]+  recvmsg\(.*\) = 5: [A-Z]+$' <<<"$output"
	[[ $output != *"copied by the kernel"* ]]
	[ -z "$stderr" ]
	ADDR2=$(fresh_name 2)
	start_unix srv2 unix -l "$ADDR2" --dgram
	run -0 --separate-stderr "$SOCKX" --json unix --dgram "$ADDR2" -m one -m three --timeline
	python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
rows = [e for e in ev if e["event"] == "timeline_row"]
head = [e for e in ev if e["event"] == "timeline"][0]
assert head["af_unix"] and not head["wire"], head
assert rows and all(r["kind"] == "call" and r["side"] == "self" for r in rows), rows
got = [r["ret"] for r in rows if r["name"] == "recvmsg"]
assert got == [3, 5], got
' <<<"$output"
}

@test "timeline-unix: demo --svg: the server end's calls in the right column, each transfer, no ladder" {
	SVG=$BATS_TEST_TMPDIR/demo.svg
	run -0 --separate-stderr "$SOCKX" unix --seqpacket -m hello -m 'a longer one' --svg "$SVG"
	[[ ${lines[-1]} == "2 sends, 2 reads: SOCK_SEQPACKET keeps every boundary"* ]]
	[[ $output != *"timeline of"* && $output != *"copied by the kernel"* ]]
	[ -z "$stderr" ]
	# the server end's listener first; each transfer after the recv that took it
	svg_in_order "$SVG" '^socket\(AF_UNIX' '^bind\(' '^listen\(' '^socket\(AF_UNIX' '^connect\(' \
		'^accept4\(' '^sendmsg\(' '^sendmsg\(' '^recvmsg\(' '^5 bytes, copied by the kernel, no packet$' \
		'^recvmsg\(' '^12 bytes, copied by the kernel, no packet$' '^close\('
	# the peer's calls start right of its lifeline, ours end left of ours
	grep -qE '<text x="768" y="[0-9]+" text-anchor="start" fill="#000">accept4\(' "$SVG"
	grep -qE '<text x="768" y="[0-9]+" text-anchor="start" fill="#000">listen\(' "$SVG"
	grep -qE '<text x="392" y="[0-9]+" text-anchor="end" fill="#000">connect\(' "$SVG"
	grep -q '>the server end (the same process)</text>' "$SVG"
	grep -q '>no wire: AF_UNIX, the kernel copies the bytes</text>' "$SVG"
	# the copies' dashed arrows, one per message
	[ "$(grep -c 'stroke-dasharray="5 3"' "$SVG")" -eq 2 ]
	svg_renders "$SVG"
}

@test "timeline-unix: a client's --svg: its own calls, no transfer, no ladder" {
	ADDR=$(fresh_name)
	SVG=$BATS_TEST_TMPDIR/client.svg
	start_unix srv unix -l "$ADDR" --mode upper
	run -0 --separate-stderr "$SOCKX" unix "$ADDR" -m hello -m world --svg "$SVG"
	[[ $output == *"reply 5 bytes"*"HELLO"* && $output != *"timeline of"* ]]
	svg_in_order "$SVG" '^socket\(AF_UNIX' "^connect\\([0-9]+, $ADDR\\) = 0\$" '^sendmsg\(' '^recvmsg\(' \
		'^sendmsg\(' '^recvmsg\(' '^close\('
	grep -q ">peer $ADDR</text>" "$SVG"
	! grep -q 'copied by the kernel' "$SVG" || false
	! grep -q '<text x="768"' "$SVG" || false	# nothing in the peer's column
	svg_renders "$SVG"
}

@test "timeline-unix: --svg is not for a server, and a client needs -m" {
	run -2 --separate-stderr "$SOCKX" unix -l "$(fresh_name)" --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ $stderr == *"cannot use --svg with -l"* ]]
	run -2 --separate-stderr "$SOCKX" unix "$(fresh_name)" --svg "$BATS_TEST_TMPDIR/x.svg"
	[[ $stderr == *"--svg needs -m"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
	run -0 --separate-stderr "$SOCKX" unix --help
	[[ $output == *"--svg FILE"* ]]
}

@test "timeline-unix: --timeline is not for a server, and a client needs -m" {
	run -2 --separate-stderr "$SOCKX" unix -l "$(fresh_name)" --timeline
	[[ $stderr == *"cannot use --timeline with -l"* ]]
	run -2 --separate-stderr "$SOCKX" unix "$(fresh_name)" --timeline
	[[ $stderr == *"--timeline needs -m"* ]]
}
