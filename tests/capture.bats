#!/usr/bin/env bats
# sockx capture: golden files (tests/data, TESTLIST), tcpdump as a witness,
# filters, --json, --pcap, and a live capture on lo.
# bats file_tags=capture

# shellcheck disable=SC2154 # $stderr and $lines: set by bats run
load helpers/common
load helpers/net

DATA="$BATS_TEST_DIRNAME/data"

teardown() {
	stop_all_bg
}


@test "capture --read: every golden file decodes exactly as recorded" {
	local name pcap flags bad=0
	while read -r name pcap flags; do
		[[ -z $name || $name == \#* ]] && continue
		# shellcheck disable=SC2086
		run -0 --separate-stderr "$SOCKX" capture --read "$DATA/$pcap.pcap" $flags
		if [[ "$output" != "$(cat "$DATA/$name.out")" ]]; then
			echo "== $name differs:"
			diff <(echo "$output") "$DATA/$name.out" || true
			bad=1
		fi
	done <"$DATA/TESTLIST"
	[[ $bad -eq 0 ]]
}

@test "capture --read: needs no privilege (nobody, no capabilities)" {
	skip_unless_root "setpriv to nobody"
	need_cmd setpriv
	nobody_copy
	cp "$DATA/tcp4_echo.pcap" "$NOBODY_DIR/"
	run -0 --separate-stderr as_nobody "$SOCKX" capture --read tcp4_echo.pcap --streams
	[[ "$output" == "$(cat "$DATA/tcp4_echo.out")" ]]
}

@test "capture --read: one line per packet, as many as tcpdump reads" {
	need_cmd tcpdump
	local pcap ours theirs
	for pcap in "$DATA"/*.pcap; do
		ours=$("$SOCKX" capture --read "$pcap" | wc -l)
		theirs=$(tcpdump -r "$pcap" -n 2>/dev/null | wc -l)
		[[ $ours -eq $theirs ]] || { echo "$pcap: sockx $ours lines, tcpdump $theirs"; false; }
	done
}

@test "capture --read: TCP flags, lengths and sequence numbers agree with tcpdump -S" {
	need_cmd tcpdump
	local pcap ours theirs
	for pcap in tcp4_echo tcp6_echo tcp_reasm; do
		# [S.] seq A:B ... len N  vs  Flags [S.], seq A:B, ... length N
		ours=$("$SOCKX" capture --read "$DATA/$pcap.pcap" |
			sed -nE 's/.*TCP \[([^]]*)\] seq ([0-9:]+).* len ([0-9]+).*/\1 \2 \3/p')
		theirs=$(tcpdump -r "$DATA/$pcap.pcap" -n -S 2>/dev/null |
			sed -nE 's/.*Flags \[([^]]*)\], (seq ([0-9:]+), )?(ack ([0-9]+), )?.*length ([0-9]+).*/\1 \3 \5 \6/p')
		# tcpdump leaves seq out of pure ACKs: compare flags and lengths
		# everywhere, sequence numbers where tcpdump shows them.
		diff <(awk '{print $1, $NF}' <<<"$ours") <(awk '{print $1, $NF}' <<<"$theirs")
		diff <(awk 'NF == 3 && $3 > 0 {print $2}' <<<"$ours") \
			<(awk '$NF > 0 {print $2}' <<<"$theirs")
	done
}

@test "capture --read --streams: retransmitted, coalesced and reordered segments reassemble" {
	run -0 --separate-stderr "$SOCKX" capture --read "$DATA/tcp_reasm.pcap" --streams
	[[ "$output" == *'> 11 bytes in 5 data segments, 2 retransmitted, 1 out of order: "hello world"'* ]]
	[[ "$output" == *'< 11 bytes in 2 data segments, 1 retransmitted, 0 out of order: "HELLO WORLD"'* ]]
	[[ "$output" == *'hole at byte 3 (3 missing): "abc"'* ]]
	[[ "$output" == *'"wraparound"'* ]]
	[[ "$output" == *"reset by the server"* ]]
}

@test "capture --read --streams: 270000 segments ahead of a hole, last first, are held in O(n log n) up to a cap" {
	need_cmd python3
	# A SYN, then one-byte segments ahead of a one-byte hole, each one
	# before the last: a list walked per segment took minutes for this.
	python3 - "$BATS_TEST_TMPDIR/many.pcap" 270000 <<'EOF'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
def pkt(seq, flags, data=b''):
    tcp = struct.pack('!HHIIBBHHH', 40000, 7, seq, 0, 5 << 4, flags, 65535, 0, 0) + data
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    return b'\0' * 12 + b'\x08\x00' + ip + tcp
with open(out, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    def w(p, i):
        f.write(struct.pack('<IIII', 1000 + i // 1000000, i % 1000000, len(p), len(p)) + p)
    w(pkt(1000, 0x02), 0)
    for i in range(n, 0, -1):
        w(pkt(1001 + i, 0x10, b'x'), n - i + 1)
EOF
	run -0 --separate-stderr timeout 30 "$SOCKX" capture --read "$BATS_TEST_TMPDIR/many.pcap" --streams
	[[ "$output" == *'> 0 bytes in 270000 data segments, 0 retransmitted, 262144 out of order (more than 16 MiB or 262144 segments: the rest not held), hole at byte 0'* ]]
}

@test "capture --read: a BPF filter, as --filter or as words, picks the same packets" {
	run -0 --separate-stderr "$SOCKX" capture --read "$DATA/tcp_reasm.pcap" --filter 'tcp port 40001'
	local a=$output
	[[ $(wc -l <<<"$a") -eq 5 ]]
	run -0 --separate-stderr "$SOCKX" capture --read "$DATA/tcp_reasm.pcap" tcp port 40001
	[[ "$output" == "$a" ]]
	run -0 --separate-stderr "$SOCKX" capture --read "$DATA/tcp_reasm.pcap" -c 2 tcp port 40001
	[[ $(wc -l <<<"$output") -eq 2 ]]
}

@test "capture: usage errors exit 2, an unreadable file exits 1" {
	run -2 --separate-stderr "$SOCKX" capture
	[[ "$stderr" == *"give either --read FILE or -i IFACE"* ]]
	run -2 --separate-stderr "$SOCKX" capture --read "$DATA/vlan.pcap" -i lo
	run -2 --separate-stderr "$SOCKX" capture --read "$DATA/vlan.pcap" --filter 'tcp and and'
	[[ "$stderr" == *"bad filter"* ]]
	run -2 --separate-stderr "$SOCKX" capture --read "$DATA/vlan.pcap" --filter tcp udp
	run -1 --separate-stderr "$SOCKX" capture --read "$BATS_TEST_TMPDIR/none.pcap"
	[[ "$stderr" == "sockx: capture: cannot read "*"No such file or directory"* ]]
	printf 'not a pcap' >"$BATS_TEST_TMPDIR/junk.pcap"
	run -1 --separate-stderr "$SOCKX" capture --read "$BATS_TEST_TMPDIR/junk.pcap"
}

@test "capture --json: one packet event per packet, with the decoded fields" {
	need_cmd jq
	run -0 --separate-stderr "$SOCKX" --json capture --read "$DATA/tcp4_echo.pcap"
	[[ $(jq -s 'length' <<<"$output") -eq 10 ]]
	[[ $(jq -rs '.[0] | "\(.event) \(.proto) \(.flags) \(.payload)"' <<<"$output") == "packet 6 S 0" ]]
	[[ $(jq -s '[.[] | select(.payload == 17)] | length' <<<"$output") -eq 2 ]]
}

@test "capture --read --pcap: writes the filtered packets, which tcpdump reads back" {
	need_cmd tcpdump
	local out=$BATS_TEST_TMPDIR/fin.pcap
	run -0 --separate-stderr "$SOCKX" capture --read "$DATA/tcp4_echo.pcap" --pcap "$out" 'tcp[tcpflags] & tcp-fin != 0'
	run -0 --separate-stderr tcpdump -r "$out" -n
	[[ $(grep -c 'Flags \[F\.\]' <<<"$output") -eq 2 ]]
	[[ $(wc -l <<<"$output") -eq 2 ]]
	# Nothing but the file itself is left in the directory.
	[[ $(find "$BATS_TEST_TMPDIR" -name '.fin.pcap.*' | wc -l) -eq 0 ]]
}

@test "capture --pcap: a file that cannot be written is not written at all" {
	run -1 --separate-stderr "$SOCKX" capture --read "$DATA/vlan.pcap" --pcap "$BATS_TEST_TMPDIR/no/such/dir/x.pcap"
	[[ "$stderr" == *"cannot write"* ]]
	[[ ! -e "$BATS_TEST_TMPDIR/no" ]]
}

@test "capture -i lo: a live capture sees a UDP exchange, stops at -c" {
	skip_unless_root "a live capture"
	local port
	port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	start_bg cap "$SOCKX" -v capture -i lo -c 2 -w 10 udp and port "$port"
	wait_line "$BATS_TEST_TMPDIR/cap.err" '^capture: ready on lo'
	python3 - "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for m in (b"one", b"three"):
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
PY
	wait_exit cap 10
	[[ $BG_RC -eq 0 ]]
	run cat "$BATS_TEST_TMPDIR/cap.out"
	[[ ${lines[0]} == "1 0.000000 IP 127.0.0.1:"*" > 127.0.0.1:$port: UDP len 3" ]]
	[[ ${lines[1]} == "2 "*" > 127.0.0.1:$port: UDP len 5" ]]
	grep -qE '^[0-9]+ packets received by the filter, 0 dropped$' "$BATS_TEST_TMPDIR/cap.err"
}

@test "capture -i lo --json: packet events and the summary on stdout, nothing on stderr; SIGTERM ends it" {
	skip_unless_root "a live capture"
	need_cmd jq
	start_bg cap "$SOCKX" --json capture -i lo --hex udp port 9 and host 127.0.0.9
	sleep 0.5
	python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.9", 9))' || true
	sleep 0.3
	stop_bg cap TERM
	[[ $BG_RC -eq 0 ]]
	run cat "$BATS_TEST_TMPDIR/cap.out"
	jq -se '.[0].event=="packet" and .[0].dport==9 and .[0].payload==1 and (.[0]|has("dump")|not)' <<<"$output"
	jq -se '.[-1].event=="summary" and (.[-1]|keys_unsorted) == ["event","t","received","dropped"]' <<<"$output"
	[[ ! -s "$BATS_TEST_TMPDIR/cap.err" ]]
}

@test "capture -i lo -w: ends after the silence it was given" {
	skip_unless_root "a live capture"
	run -0 --separate-stderr timeout 10 "$SOCKX" capture -i lo -w 0.3 udp port 9 and host 127.0.0.9
	[[ -z "$output" ]]
}

@test "capture -i: without CAP_NET_RAW exits 4 with a hint" {
	skip_unless_root "setpriv to nobody"
	need_cmd setpriv
	run -4 --separate-stderr as_nobody "$SOCKX" capture -i lo -c 1
	[[ "$stderr" == *"cannot capture on lo: missing CAP_NET_RAW"* ]]
	[[ "$stderr" == *"hint: "*"--read FILE needs nothing"* ]]
}
