#!/usr/bin/env bats
# tcp-server --timeline: the server's calls for every client and, as
# root, every packet of its port, on one clock; python3's socket module
# is the independent client. A signal or --once ends the timeline before
# the summary; without CAP_NET_RAW the calls alone, and the reason.
# --svg: the drawing written when the server ends (SIGTERM, --once).

# shellcheck disable=SC2154 # $output and $lines: set by bats run
load helpers/common
load helpers/net
load helpers/svg

teardown() {
	stop_all_bg
}

# two_clients PORT: two connections that overlap (B's SYN comes before
# A's data), each sends once and reads its echo: two exchanges, short of
# a fold (a longer run would fold its middle: TL_FOLD_MIN).
two_clients() {
	python3 - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s
def echo(s, b):
    s.sendall(b)
    got = b""
    while len(got) < len(b):
        got += s.recv(100)
    assert got == b, got
a = conn()
b = conn()
echo(a, b"hello")
echo(b, b"world!")
for s in (a, b):
    s.shutdown(socket.SHUT_WR)
    assert s.recv(100) == b""
    s.close()
PY
}

# closes: the server's close() rows drawn so far (srv.out, JSON).
closes() {
	grep -cE '"kind":"(call|return)".*"name":"close"' "$BATS_TEST_TMPDIR/srv.out" || true
}

@test "timeline-server: two overlapping clients: accept after the handshake, recv after the data, numbers per connection" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" --json tcp-server -p 0 --timeline
	# the capture is open before "listening on", and then no capability is left
	grep -q '^CapPrm:	0000000000000000$' "/proc/${BG_PID[srv]}/status"
	two_clients "$PORT"
	# the last rows are drawn as they come, not at the end: the closes
	wait_line "$BATS_TEST_TMPDIR/srv.out" '"kind":"packet".*"flags":"ACK"' 5
	# (a close is a "call", or an "enter" and a "return" when packets came in it)
	for _ in $(seq 100); do
		[ "$(closes)" -ge 2 ] && break
		sleep 0.02
	done
	[ "$(closes)" -eq 2 ]
	stop_bg srv TERM
	[ "$BG_RC" -eq 0 ]
	python3 - "$BATS_TEST_TMPDIR/srv.out" "$PORT" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
port = sys.argv[2]
names = [e["event"] for e in ev]
head = ev[names.index("timeline")]
assert head["wire"] is True and head["iface"] == "lo", head
assert head["peer"] == "peers of 127.0.0.1:" + port, head
assert names[-1] == "summary" and names[-2] == "timeline_end", names[-4:]
assert ev[-1]["clients"] == 2, ev[-1]
rows = [e for e in ev if e["event"] == "timeline_row"]
t = [r["t_ms"] for r in rows]
assert t == sorted(t), "rows out of time order"
assert ev[-2]["folds"] == 0, "a fold: the exchange is too long for this test"
calls = [r for r in rows if r["kind"] in ("call", "enter")]
pk = [r for r in rows if r["kind"] == "packet"]
inn = [p for p in pk if p["side"] == "peer"]
out = [p for p in pk if p["side"] == "self"]
fl = lambda p: p["flags"].split(",")
assert [c["name"] for c in calls][:3] == ["socket", "bind", "listen"], calls[:3]
acc = [c for c in calls if c["name"] == "accept4" and c["ret"] > 0]
assert len(acc) == 2, acc
syn = [p for p in inn if fl(p) == ["SYN"]]
synack = [p for p in out if sorted(fl(p)) == ["ACK", "SYN"]]
assert len(syn) == 2 and len(synack) == 2, (syn, synack)
# each accept returned after its handshake's last ACK came in
for i, a in enumerate(acc):
    ack = [p for p in inn if fl(p) == ["ACK"] and p["len"] == 0 and p["seq"] == 1
           and p["t_ms"] > synack[i]["t_ms"]]
    assert ack and ack[0]["t_ms"] <= a["t_end_ms"], (i, a, ack[:1])
    assert syn[i]["t_ms"] < synack[i]["t_ms"] <= a["t_end_ms"], (i, a)
# each recv that took bytes returned after a data segment of that many came
recvs = [c for c in calls if c["name"] == "recv" and c["ret"] > 0]
data = [p for p in inn if p["len"] > 0]
assert [r["ret"] for r in recvs] == [5, 6], recvs
for r in recvs:
    assert any(d["len"] == r["ret"] and d["t_ms"] <= r["t_end_ms"] for d in data), r
# relative to each connection's own SYN (B's came between A's and its data)
assert sorted((d["seq"], d["end"]) for d in data) == [(1, 6), (1, 7)], data
# each packet names its connection by the client's port, the one accept4 gave
ports = {int(a["args"].rsplit(":", 1)[1].rstrip(")")) for a in acc}
assert {p["conn"] for p in pk} == ports and len(ports) == 2, (ports, {p.get("conn") for p in pk})
assert {d["conn"] for d in data} == ports, data
fins = [p for p in inn if "FIN" in fl(p)]
eofs = [c for c in calls if c["name"] == "recv" and c["ret"] == 0]
assert len(fins) == 2 and len(eofs) == 2, (fins, eofs)
assert calls[-1]["name"] == "close", calls[-1]
PY
}

@test "timeline-server: the text ladder of a client, drawn before the server ends" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" tcp-server -p 0 --timeline
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi >/dev/null
	# drawn as it goes: the client's last ACK, after the server's close
	wait_line "$BATS_TEST_TMPDIR/srv.out" 'close\(' 5
	out=$(cat "$BATS_TEST_TMPDIR/srv.out")
	[[ $out == *"wire: captured on lo with "* ]]
	# each packet says whose connection it is: the client's port
	[[ $out =~ "◀──────────  :"[0-9]+" SYN" ]]
	[[ $out =~ ":"[0-9]+" PSH,ACK 1:3 (2)" ]]
	[[ $out =~ accept4\([0-9]+,\ 127\.0\.0\.1:[0-9]+\)\ .*=\ [0-9]+ ]]
	[[ $out != *summary* ]]
	stop_bg srv TERM
	[ "$BG_RC" -eq 0 ]
	[[ $(tail -n 1 "$BATS_TEST_TMPDIR/srv.out") == "summary: 1 clients, 2 bytes in, 2 bytes out" ]]
}

@test "timeline-server: a wildcard address draws the calls, and says why no wire" {
	skip_unless_root "CAP_NET_RAW, to show that it is not the reason"
	start_server srv "$SOCKX" --json tcp-server -b 0.0.0.0 -p 0 --timeline --once
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi >/dev/null
	wait_exit srv 5
	[ "$BG_RC" -eq 0 ]
	grep -q '"event":"timeline".*"wire":false.*"why":"0.0.0.0:[0-9]* is not a loopback address' \
		"$BATS_TEST_TMPDIR/srv.out"
	! grep -q '"kind":"packet"' "$BATS_TEST_TMPDIR/srv.out" || false
}

@test "timeline-server: as nobody, --once: the calls, the reason, the end before the summary" {
	skip_unless_root "setpriv to nobody"
	nobody_copy
	start_server srv as_nobody "$SOCKX" --json tcp-server -p 0 --timeline --once
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hello >/dev/null
	wait_exit srv 5
	[ "$BG_RC" -eq 0 ]
	python3 - "$BATS_TEST_TMPDIR/srv.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
head = ev[names.index("timeline")]
assert head["wire"] is False and "CAP_NET_RAW" in head["why"], head
rows = [e for e in ev if e["event"] == "timeline_row"]
assert rows and all(r["kind"] == "call" for r in rows), rows
got = [(r["name"], r["ret"]) for r in rows if r["name"] in ("accept4", "recv", "send", "close")]
# --once: the listener closes after the one accept; the client's fd at its end
assert got == [("accept4", got[0][1]), ("close", 0), ("recv", 5), ("send", 5),
               ("recv", 0), ("close", 0)] and got[0][1] > 0, got
assert names[-2:] == ["timeline_end", "summary"], names[-3:]
PY
}

@test "timeline-server: --svg is written at SIGTERM: calls and packets in time order, renders, no ladder" {
	skip_unless_root "libpcap captures"
	SVG=$BATS_TEST_TMPDIR/srv.svg
	start_server srv "$SOCKX" tcp-server -p 0 --mode upper --svg "$SVG"
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi >/dev/null
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^closed 127\.0\.0\.1:' 5
	[ ! -e "$SVG" ]		# not before the server ends
	stop_bg srv TERM
	[ "$BG_RC" -eq 0 ]
	out=$(cat "$BATS_TEST_TMPDIR/srv.out")
	[[ $out != *"timeline of"* && $out != *"SYN"* ]]
	[[ $(tail -n 1 "$BATS_TEST_TMPDIR/srv.out") == "summary: 1 clients, 2 bytes in, 2 bytes out" ]]
	# the listener, the handshake before accept's return; the data (which
	# may come before the accept) before the recv that took it, the reply
	# after the send, the close, the listener's close at the signal
	svg_in_order "$SVG" '^socket\(AF_INET' '^bind\(' '^listen\(' '^:[0-9]+ SYN$' '^:[0-9]+ SYN,ACK$' '^:[0-9]+ ACK$' \
		'^accept4\([0-9]+, 127\.0\.0\.1:[0-9]+\)'
	svg_in_order "$SVG" '^listen\(' '^:[0-9]+ SYN$' '^:[0-9]+ PSH,ACK 1:3 \(2\)$' '^recv\(' '^send\(' \
		'^:[0-9]+ PSH,ACK 1:3 \(2\)$' '^:[0-9]+ FIN,ACK$' '^recv\(' '^shutdown\(' '^:[0-9]+ FIN,ACK$' '^close\(' '^close\('
	grep -q ">peers of 127.0.0.1:$PORT</text>" "$SVG"
	grep -q '>wire: lo</text>' "$SVG"
	svg_renders "$SVG"
}

@test "timeline-server: --once --svg: written when the one client is done; a failed write is exit 1" {
	SVG=$BATS_TEST_TMPDIR/once.svg
	start_server srv "$SOCKX" tcp-server -p 0 --once --svg "$SVG"
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hello >/dev/null
	wait_exit srv 5
	[ "$BG_RC" -eq 0 ]
	# with or without the wire (CAP_NET_RAW), the calls
	svg_in_order "$SVG" '^listen\(' '^accept4\(' '^recv\(' '^send\(' '^close\('
	start_server srv "$SOCKX" tcp-server -p 0 --once --svg /dev/full
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hello >/dev/null
	wait_exit srv 5
	[ "$BG_RC" -eq 1 ]
	grep -q "cannot write '/dev/full': No space left on device" "$BATS_TEST_TMPDIR/srv.err"
	[[ $(tail -n 1 "$BATS_TEST_TMPDIR/srv.out") == "summary: 1 clients, 5 bytes in, 5 bytes out" ]]
}

@test "timeline-server: without --timeline, no capability but CAP_NET_BIND_SERVICE (as before)" {
	skip_unless_root "capabilities"
	start_server srv "$SOCKX" tcp-server -p 0
	grep -q '^CapPrm:	0000000000000400$' "/proc/${BG_PID[srv]}/status"
}
