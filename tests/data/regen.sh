#!/usr/bin/env bash
# Regenerates the golden files of tests/data: NAME.pcap (tiny captures) and
# NAME.out (what `sockx capture --read PCAP.pcap FLAGS` prints), for every
# line "NAME PCAP FLAGS..." of TESTLIST (after tcpdump's tests/TESTLIST).
#
#   tests/data/regen.sh            outputs only (.out from the .pcap files)
#   tests/data/regen.sh --pcaps    the captures too (root: live on lo)
#
# Live captures: sockx tcp-client --pcap against sockx tcp-server, and
# tcpdump around python3 (UDP) and ping (ICMP), all on loopback. The
# synthetic ones come from synth.py. Review the diff before committing:
# a changed .out is a changed decoder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SOCKX=${SOCKX:-$root/sockx}
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for FILE REGEX: polls for a line, 5 s at most.
wait_for() {
	local i
	for ((i = 0; i < 250; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	echo "regen: timed out waiting for /$2/ in $1" >&2
	cat "$1" >&2 || true
	return 1
}

# tcp_echo NAME HOST: one exchange, captured by sockx itself.
tcp_echo() {
	local name=$1 host=$2 port
	"$SOCKX" tcp-server -b "$host" -p 0 --once >"$tmp/srv.out" 2>&1 &
	pids+=($!)
	wait_for "$tmp/srv.out" '^listening on '
	port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/srv.out")
	"$SOCKX" tcp-client "$host" "$port" -m '你好,服务器!' --pcap "$here/$name.pcap" >/dev/null
}

# with_tcpdump NAME IFACE LINKTYPE FILTER -- CMD...: CMD under tcpdump -w.
with_tcpdump() {
	local name=$1 ifc=$2 lt=$3 filter=$4 pid
	shift 5
	tcpdump -Z root -i "$ifc" ${lt:+-y "$lt"} --immediate-mode -U -n -s 0 \
		-w "$tmp/$name.pcap" "$filter" 2>"$tmp/td.err" &
	pid=$!
	pids+=("$pid")
	wait_for "$tmp/td.err" 'listening on'
	"$@" >/dev/null
	sleep 0.3	# tcpdump writes what it has; then SIGTERM (bats-style: not SIGINT)
	kill -TERM "$pid"
	wait "$pid" || true
	cp "$tmp/$name.pcap" "$here/$name.pcap"
}

udp_exchange() {
	python3 - "$1" <<'PY'
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
host = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
srv = socket.socket(fam, socket.SOCK_DGRAM); srv.bind((host, 0))
cli = socket.socket(fam, socket.SOCK_DGRAM); cli.settimeout(2); srv.settimeout(2)
cli.sendto("你好,服务器!".encode(), srv.getsockname()[:2])
data, peer = srv.recvfrom(65535)
srv.sendto(data.upper(), peer)
cli.recvfrom(65535)
PY
}

pcaps() {
	[[ $(id -u) -eq 0 ]] || { echo "regen: --pcaps needs root (live captures on lo)" >&2; exit 4; }
	# A network namespace of our own: no other traffic on its lo.
	if [[ -z ${REGEN_NETNS:-} ]]; then
		REGEN_NETNS=1 exec unshare --net -- "$0" --pcaps
	fi
	ip link set lo up
	python3 "$here/synth.py" "$here"
	tcp_echo tcp4_echo 127.0.0.1
	tcp_echo tcp6_echo ::1
	with_tcpdump udp4 lo "" "udp" -- udp_exchange 4
	with_tcpdump udp6 lo "" "udp" -- udp_exchange 6
	with_tcpdump icmp4 lo "" "icmp" -- ping -n -c 1 -W 2 127.0.0.1
	with_tcpdump icmp6 lo "" "icmp6" -- ping -n -6 -c 1 -W 2 ::1
	with_tcpdump any_sll any LINUX_SLL "icmp" -- ping -n -c 1 -W 2 127.0.0.1
	with_tcpdump any_sll2 any LINUX_SLL2 "udp" -- udp_exchange 4
}

[[ ${1:-} == --pcaps ]] && pcaps
while read -r name pcap flags; do
	[[ -z $name || $name == \#* ]] && continue
	# shellcheck disable=SC2086
	"$SOCKX" capture --read "$here/$pcap.pcap" $flags >"$here/$name.out"
done <"$here/TESTLIST"
echo "regen: $(grep -cvE '^(#|$)' "$here/TESTLIST") outputs written in $here"
