#!/usr/bin/env bash
# \summary: `make bench`: sockx against its peers on loopback, as ratios.
#
# Every figure is the median of BENCH_RUNS (default 5) interleaved runs
# (sockx, peer, sockx, peer, ...); a ratio is the median of the per-round
# ratios, so a slow moment of this shared machine hits both sides alike.
# Every loop is bounded in count and time; nothing leaves loopback.
# Sections (BENCH_ONLY="bulk unix latency conns udp icmp startup" picks):
#   bulk     1. TCP bulk, both directions, against iperf3 and a C pair
#   unix     2. Unix stream bulk against the C pair and nc -U
#   latency  3. 64-byte ping-pong, one CPU: servers and clients
#   conns    4. 10,000 idle TCP clients: PSS of the server
#   udp      5. UDP echo capacity, 32 in flight
#   icmp     6. raw-icmp --flood against ping -f
#   startup  7. sockx --version against nc -h; sockx matrix
#   timeline 8. tcp-client -m with --timeline against without it
# Commands that are not in this binary yet are "skipped: not built".
# Sizes: see the BENCH_* variables below and docs/performance.md.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SOCKX=${SOCKX:-$ROOT/sockx}
BIN=${BENCH_BIN:-$ROOT/build/bench}
RUNS=${BENCH_RUNS:-5}
BULK_BYTES=${BENCH_BULK_BYTES:-$((2 << 30))}	# 2 GiB, as the issue asks
PEER_BYTES=${BENCH_PEER_BYTES:-$((512 << 20))}	# socat, ncat, nc: slow, for context
SOURCE_SECS=${BENCH_SOURCE_SECS:-1.5}		# source into > /dev/null: endless, so timed
PP_SECS=${BENCH_PP_SECS:-1}			# one ping-pong run
CLIENT_COUNT=${BENCH_CLIENT_COUNT:-20000}	# sockx client round trips per run
CONNS=${BENCH_CONNS:-10000}
CONN_RATE=${BENCH_CONN_RATE:-2000}		# connects per second
CONN_DEADLINE=${BENCH_CONN_DEADLINE:-30}	# seconds per server
UDP_SECS=${BENCH_UDP_SECS:-1}
UDP_INFLIGHT=${BENCH_UDP_INFLIGHT:-32}
ICMP_COUNT=${BENCH_ICMP_COUNT:-20000}
START_RUNS=${BENCH_START_RUNS:-100}		# launches per hyperfine round
TL_RUNS=${BENCH_TL_RUNS:-40}			# tcp-client runs per variant and round
CPU=${BENCH_CPU:-$(($(nproc) - 1))}		# the one CPU of the latency runs
ONLY=${BENCH_ONLY:-bulk unix latency conns udp icmp startup timeline}
RESULTS=${BENCH_RESULTS:-$ROOT/build/bench/results.md}

log() { printf '%s\n' "$*" >&2; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

[[ -x "$SOCKX" ]] || { log "bench: no sockx at $SOCKX (make first)"; exit 1; }
COMMANDS=" $("$SOCKX" --list-commands | tr '\n' ' ') "
has_cmd() { [[ "$COMMANDS" == *" $1 "* ]]; }
# has_opt COMMAND OPTION: the command's --help lists OPTION.
has_opt() { has_cmd "$1" && "$SOCKX" "$1" --help 2>&1 | grep -q -- "$2"; }

# The C references, rebuilt when their source is newer.
build_refs() {
	local f
	mkdir -p "$BIN" || exit 1
	for f in bulk echo pingpong manyconn udpload; do
		if [[ ! -x "$BIN/$f" || "$ROOT/bench/c/$f.c" -nt "$BIN/$f" ]]; then
			${CC:-cc} -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra \
				-o "$BIN/$f" "$ROOT/bench/c/$f.c" || exit 1
		fi
	done
}

TMP=$(mktemp -d /dev/shm/sockx-bench.XXXXXX 2>/dev/null || mktemp -d) || exit 1
mkdir -p "$TMP/res"
: >"$TMP/pids"
: >"$TMP/table"
mkfifo "$TMP/nap"
exec 9<>"$TMP/nap"
# nap SECONDS: a sleep without a process (read on a fifo nobody writes).
nap() { read -r -t "$1" -u 9 _ || true; }

cleanup() {
	local p
	while read -r p; do
		kill -TERM "$p" 2>/dev/null
	done <"$TMP/pids"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for FILE REGEX SECONDS: polls until a line of FILE matches; the
# line in MATCH, the first group in MATCH1.
wait_for() {
	local f=$1 re=$2 n=$((${3:-5} * 100)) line
	while ((n-- > 0)); do
		if [[ -s "$f" ]]; then
			while IFS= read -r line; do
				if [[ "$line" =~ $re ]]; then
					MATCH=$line
					MATCH1=${BASH_REMATCH[1]:-}
					return 0
				fi
			done <"$f"
		fi
		nap 0.01
	done
	return 1
}

# wait_port tcp|udp PORT: until something listens there (5 s).
wait_port() {
	local n=500 flag=-Hltn
	[[ $1 == udp ]] && flag=-Hlun
	while ((n-- > 0)); do
		[[ -n "$(ss $flag "sport = :$2" 2>/dev/null)" ]] && return 0
		nap 0.01
	done
	return 1
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME CMD...: a server in the background (bounded by timeout),
# stdout and stderr in $TMP/NAME.out/.err; its pid in SPID.
start() {
	local name=$1
	shift
	: >"$TMP/$name.out"	# now: the child's own truncation would come late
	: >"$TMP/$name.err"
	timeout -k 5 300 "$@" >>"$TMP/$name.out" 2>>"$TMP/$name.err" &
	SPID=$!
	echo "$SPID" >>"$TMP/pids"
}

# listening NAME out|err: waits for "listening on ...:PORT" (or a path)
# on the server's stdout or stderr; PORT (or the path) in ADDR.
listening() {
	if ! wait_for "$TMP/$1.$2" 'listening on (.+)$' 5; then
		log "bench: $1 did not start: $(tail -c 300 "$TMP/$1.err")"
		return 1
	fi
	if [[ $MATCH1 =~ :([0-9]+)$ ]]; then
		ADDR=${BASH_REMATCH[1]}
	else
		ADDR=${MATCH1##* }	# a path
	fi
}

# reap PID [SECONDS]: waits for a server that ends by itself; TERM after
# SECONDS (default 10).
reap() {
	local pid=$1 n=$((${2:-10} * 100))
	while ((n-- > 0)) && [[ -d /proc/$pid ]] &&
		[[ "$(<"/proc/$pid/stat")" != *") Z "* ]]; do
		nap 0.01
	done
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# cpu_now: CPU_MS = user + system ms of this shell's reaped children.
cpu_now() {
	local u s
	times >"$TMP/times"
	{ read -r _; read -r u s; } <"$TMP/times"
	CPU_MS=$(($(ms "$u") + $(ms "$s")))
}
ms() {	# "1m2.345s" -> 62345
	[[ $1 =~ ^([0-9]+)m([0-9]+)\.([0-9]{3})s$ ]] || { echo 0; return; }
	echo $((BASH_REMATCH[1] * 60000 + 10#${BASH_REMATCH[2]} * 1000 + 10#${BASH_REMATCH[3]}))
}
now_us() { local t=$EPOCHREALTIME; echo $((10#${t/./})); }

# put VARIANT METRIC ROUND VALUE: one measurement.
put() { echo "$3 $4" >>"$TMP/res/$1.$2"; }

# med VARIANT METRIC: the median, or "-" when there is none.
med() {
	[[ -s "$TMP/res/$1.$2" ]] || { echo -; return; }
	awk '{print $2}' "$TMP/res/$1.$2" | sort -g |
		awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2
			printf(m >= 1000 ? "%.0f" : "%.4g", m)}'
}

# ratio A B METRIC: the median over rounds of A/B (both measured).
ratio() {
	[[ -s "$TMP/res/$1.$3" && -s "$TMP/res/$2.$3" ]] || { echo -; return; }
	awk 'NR == FNR { a[$1] = $2; next } ($1 in a) && $2 > 0 { print a[$1] / $2 }' \
		"$TMP/res/$1.$3" "$TMP/res/$2.$3" | sort -g |
		awk '{v[NR]=$1} END {if (!NR) {print "-"; exit}
			m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.2f", m}'
}

# row ID LABEL A B METRIC OP GOAL: a line of the table: A's and B's
# medians, the ratio A/B and whether it meets "OP GOAL" (>= or <=).
row() {
	local id=$1 label=$2 a=$3 b=$4 m=$5 op=${6:-} goal=${7:-} r verdict=""
	r=$(ratio "$a" "$b" "$m")
	if [[ -n "$op" && "$r" != - ]]; then
		if awk -v r="$r" -v g="$goal" -v op="$op" 'BEGIN {exit !(op == ">=" ? r >= g : r <= g)}'; then
			verdict="met"
		else
			verdict="NOT MET"
		fi
	fi
	[[ "$r" == - ]] && verdict="failed: see the log"
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$id" "$label" \
		"$(med "$a" "$m")" "$(med "$b" "$m")" "$r" "${op:+$op $goal}" "$verdict" >>"$TMP/table"
}

skip_row() {
	printf '| %s | %s | | | | | skipped: %s |\n' "$1" "$2" "$3" >>"$TMP/table"
}

# An info line under the table.
note() { echo "$*" >>"$TMP/notes"; }

# ---------------------------------------------------------------- bulk

FILE="$TMP/bulk.dat"
PFILE="$TMP/peer.dat"
TO=(timeout -k 5 120)

# Each variant: srv_V starts the server and sets ADDR; cli_V runs the
# client. bulk_once V R times one transfer (until the server is gone)
# and records GB/s and CPU seconds per GB of every process involved.
srv_sx_send() { start sx_send "$SOCKX" tcp-server -p 0 --mode discard --once && listening sx_send out; }
cli_sx_send() { "${TO[@]}" "$SOCKX" tcp-client 127.0.0.1 "$ADDR" <"$FILE"; }
chk_sx_send() { grep -q " $BULK_BYTES bytes in" "$TMP/sx_send.out"; }

# The issue's form: tcp-client > /dev/null. The source never ends, so the
# run is timed: SOURCE_SECS, then SIGTERM; the server's summary counts.
srv_sx_null() { start sx_null "$SOCKX" tcp-server -p 0 --mode source && listening sx_null out; }
cli_sx_null() {
	local c
	"${TO[@]}" "$SOCKX" tcp-client 127.0.0.1 "$ADDR" </dev/null >/dev/null 2>&1 &
	c=$!
	nap "$SOURCE_SECS"
	kill -TERM "$SPID"
	wait "$c"
	return 0
}

srv_sx_source() { start sx_source "$SOCKX" tcp-server -p 0 --mode source --once && listening sx_source out; }
cli_sx_source() { "${TO[@]}" "$SOCKX" tcp-client 127.0.0.1 "$ADDR" </dev/null | "${TO[@]}" "$BIN/bulk" sink "$BULK_BYTES"; }

srv_pair() { start pair "$BIN/bulk" recv tcp && listening pair out; }
cli_pair() { "${TO[@]}" "$BIN/bulk" send tcp "$ADDR" "$BULK_BYTES"; }
chk_pair() { grep -q "received $BULK_BYTES bytes" "$TMP/pair.err"; }

srv_iperf3() { ADDR=$(free_port); start iperf3 iperf3 -s -1 -B 127.0.0.1 -p "$ADDR" && wait_port tcp "$ADDR"; }
cli_iperf3() { "${TO[@]}" iperf3 -c 127.0.0.1 -p "$ADDR" -n "$BULK_BYTES" -J >"$TMP/iperf3.json"; }
srv_iperf3_r() { srv_iperf3; }
cli_iperf3_r() { "${TO[@]}" iperf3 -R -c 127.0.0.1 -p "$ADDR" -n "$BULK_BYTES" -J >"$TMP/iperf3.json"; }

srv_socat() { start socat socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr OPEN:/dev/null && listening socat err; }
cli_socat() { "${TO[@]}" socat -u STDIN "TCP:127.0.0.1:$ADDR" <"$PFILE"; }

srv_ncat() { ADDR=$(free_port); start ncat ncat -l --recv-only 127.0.0.1 "$ADDR" && wait_port tcp "$ADDR"; }
cli_ncat() { "${TO[@]}" ncat --send-only 127.0.0.1 "$ADDR" <"$PFILE" >/dev/null; }

srv_nc() { ADDR=$(free_port); start nc nc -l 127.0.0.1 "$ADDR" && wait_port tcp "$ADDR"; }
cli_nc() { "${TO[@]}" nc -N 127.0.0.1 "$ADDR" <"$PFILE" >/dev/null; }

USOCK="$TMP/bulk.sock"
srv_upair() { start upair "$BIN/bulk" recv unix "$USOCK" && listening upair out; }
cli_upair() { "${TO[@]}" "$BIN/bulk" send unix "$USOCK" "$BULK_BYTES"; }
srv_sx_unix() { rm -f "$USOCK"; start sx_unix "$SOCKX" unix -l "$USOCK" --mode discard --once && listening sx_unix out; }
cli_sx_unix() { "${TO[@]}" "$SOCKX" unix "$USOCK" <"$FILE" >/dev/null; }
srv_nc_unix() { rm -f "$USOCK"; start nc_unix nc -lU "$USOCK" && wait_unix; }
cli_nc_unix() { "${TO[@]}" nc -NU "$USOCK" <"$PFILE" >/dev/null; }
wait_unix() {
	local n=500
	while ((n-- > 0)); do [[ -S "$USOCK" ]] && return 0; nap 0.01; done
	return 1
}

# The bytes variant V moves: the slow peers move PEER_BYTES.
bytes_of() {
	case $1 in
	socat | ncat | nc | nc_unix) echo "$PEER_BYTES" ;;
	*) echo "$BULK_BYTES" ;;
	esac
}

bulk_once() {
	local v=$1 r=$2 out bytes
	bytes=$(bytes_of "$v")
	out=$(
		"srv_$v" </dev/null || exit 1
		cpu_now
		c0=$CPU_MS
		t0=$(now_us)
		"cli_$v" || { log "bench: $v: the client failed"; exit 1; }
		reap "$SPID" 10
		t1=$(now_us)
		cpu_now
		if declare -F "chk_$v" >/dev/null && ! "chk_$v"; then
			log "bench: $v: not every byte arrived"
			exit 1
		fi
		echo "$((t1 - t0)) $((CPU_MS - c0))"
	) || return 1
	local wall=${out% *} cpu=${out#* }
	if [[ $v == sx_null ]]; then
		wait_for "$TMP/sx_null.out" '([0-9]+) bytes out' 1 || return 1
		bytes=$MATCH1
	fi
	local gbps
	gbps=$(awk -v b="$bytes" -v w="$wall" 'BEGIN {printf "%.4f", b / w / 1000}')
	put "$v" wall "$r" "$gbps"
	# iperf3's figure is its own (receiver side, the test alone): it
	# leaves out its start and its control connection, which favours it.
	if [[ $v == iperf3* ]]; then
		gbps=$(jq '.end.sum_received.bits_per_second / 8e9' "$TMP/iperf3.json") || return 1
	fi
	put "$v" gbps "$r" "$gbps"
	put "$v" cpugb "$r" "$(awk -v b="$bytes" -v c="$cpu" 'BEGIN {printf "%.4f", c / 1000 / (b / 1e9)}')"
}

# rounds R VARIANT...: RUNS interleaved rounds over the variants.
rounds() {
	local r v
	for ((r = 1; r <= RUNS; r++)); do
		for v in "$@"; do
			bulk_once "$v" "$r" || log "bench: $v run $r failed"
		done
	done
}

make_file() {
	[[ -s "$FILE" ]] && return
	log "bench: writing input files of $BULK_BYTES and $PEER_BYTES bytes in $TMP"
	head -c "$BULK_BYTES" /dev/urandom >"$FILE" || exit 1
	head -c "$PEER_BYTES" "$FILE" >"$PFILE" || exit 1
}

sec_bulk() {
	log "== 1. TCP bulk: $BULK_BYTES bytes, $RUNS rounds"
	make_file
	rounds sx_send pair iperf3 sx_null iperf3_r sx_source socat ncat nc
	row 1a "TCP bulk, client < file -> discard server: GB/s vs iperf3" sx_send iperf3 gbps ">=" 1.15
	row 1b "the same against the C pair: GB/s" sx_send pair gbps ">=" 0.85
	row 1c "the same, CPU s/GB against the C pair" sx_send pair cpugb "<=" 1.2
	row 1d "TCP bulk, source server -> client > /dev/null: GB/s vs iperf3 -R" sx_null iperf3_r gbps ">=" 1.15
	row 1e "the same against the C pair: GB/s" sx_null pair gbps ">=" 0.85
	row 1f "the same, CPU s/GB against the C pair" sx_null pair cpugb "<=" 1.2
	row 1g "source -> client piped into a 4 MiB-read sink: GB/s vs C pair" sx_source pair gbps
	row 1h "the same, CPU s/GB (3 processes) against the C pair" sx_source pair cpugb
	row 1i "peer: iperf3 / C pair (GB/s)" iperf3 pair gbps
	row 1j "peer: socat / C pair (GB/s)" socat pair gbps
	row 1k "peer: ncat / C pair (GB/s)" ncat pair gbps
	row 1l "peer: nc / C pair (GB/s)" nc pair gbps
	note "1: GB/s is bytes over the wall time from the client's start to the server's exit, except iperf3's, which is its own receiver-side figure (by wall time it made $(med iperf3 wall) GB/s, -R $(med iperf3_r wall)). CPU s/GB adds user and system time of every process of the transfer."
}

sec_unix() {
	log "== 2. Unix stream bulk: $BULK_BYTES bytes, $RUNS rounds"
	if ! has_cmd unix; then
		skip_row 2 "Unix stream bulk" "not built (no unix command)"
		return
	fi
	make_file
	rounds sx_unix upair nc_unix
	row 2a "Unix bulk, client file -> discard server: GB/s vs C pair" sx_unix upair gbps ">=" 0.85
	row 2b "the same, CPU s/GB against the C pair" sx_unix upair cpugb "<=" 1.2
	row 2c "the same against nc -U: GB/s" sx_unix nc_unix gbps ">=" 1.5
}

# ------------------------------------------------------------- latency

PIN=(taskset -c "$CPU")
FRAME="$TMP/frame64"

# A 64-byte sockperf frame: seq 0, flags CLIENT|PONG, length 64.
make_frame() {
	printf '\0\0\0\0\0\0\0\0\0\003\0\0\0\100' >"$FRAME"
	head -c 50 /dev/zero | tr '\0' p >>"$FRAME"
}

lsrv_sockperf_tcp() { ADDR=$(free_port); start sp_tcp "${PIN[@]}" sockperf sr --tcp -i 127.0.0.1 -p "$ADDR" && wait_port tcp "$ADDR"; }
lsrv_sockperf_udp() { ADDR=$(free_port); start sp_udp "${PIN[@]}" sockperf sr -i 127.0.0.1 -p "$ADDR" && wait_port udp "$ADDR"; }
lsrv_sx_tcp() { start sx_tcp "${PIN[@]}" "$SOCKX" -q tcp-server -p 0 --nodelay && listening sx_tcp out; }
lsrv_sx_udp() { start sx_udp "${PIN[@]}" "$SOCKX" -q udp-server -p 0 && listening sx_udp out; }
lsrv_c_tcp() { start c_tcp "${PIN[@]}" "$BIN/echo" tcp && listening c_tcp out; }
lsrv_c_udp() { start c_udp "${PIN[@]}" "$BIN/echo" udp && listening c_udp out; }
lsrv_c_unix() { rm -f "$USOCK"; start c_unix "${PIN[@]}" "$BIN/echo" unix "$USOCK" && listening c_unix out; }
lsrv_sx_unix() { rm -f "$USOCK"; start sx_unixe "${PIN[@]}" "$SOCKX" -q unix -l "$USOCK" --mode echo && listening sx_unixe out; }

# lat_once SERVER PROTO R: the C ping-pong client against SERVER.
lat_once() {
	local s=$1 proto=$2 r=$3 out where
	"lsrv_$s" </dev/null || return 1
	where=$ADDR
	[[ $proto == unix ]] && where=$USOCK
	out=$(timeout 30 "${PIN[@]}" "$BIN/pingpong" "$proto" "$where" "$PP_SECS" 64)
	stop "$SPID"
	[[ $out =~ rate\ ([0-9]+)\ p50_us\ ([0-9.]+)\ p99_us\ ([0-9.]+)\ timeouts\ ([0-9]+) ]] ||
		{ log "bench: ping-pong against $s: $out"; return 1; }
	put "$s" rate "$r" "${BASH_REMATCH[1]}"
	put "$s" p99 "$r" "${BASH_REMATCH[3]}"
	((BASH_REMATCH[4] == 0)) || note "3: $s: ${BASH_REMATCH[4]} ping-pong timeouts in round $r"
}

# Clients against sockperf's server: sockperf's own, and sockx's; or
# (sx_cli_udpsize) udp-client --size against the C echo, when udp-client
# cannot send a sockperf frame.
cli_once() {
	local c=$1 proto=$2 r=$3 out t0 t1
	if [[ $c == sx_cli_udpsize ]]; then
		lsrv_c_udp </dev/null || return 1
	else
		"lsrv_sockperf_$proto" </dev/null || return 1
	fi
	case $c in
	sp_cli_*)
		local flag=()
		[[ $proto == tcp ]] && flag=(--tcp)
		out=$(timeout 30 "${PIN[@]}" sockperf pp "${flag[@]}" -i 127.0.0.1 -p "$ADDR" -m 64 -t "$PP_SECS" 2>&1)
		stop "$SPID"
		[[ $out =~ RunTime=([0-9.]+)\ sec\;\ SentMessages=[0-9]+\;\ ReceivedMessages=([0-9]+) ]] ||
			{ log "bench: sockperf pp: $out"; return 1; }
		put "$c" rate "$r" "$(awk -v n="${BASH_REMATCH[2]}" -v t="${BASH_REMATCH[1]}" 'BEGIN {printf "%.0f", n / t}')"
		;;
	sx_cli_*)
		local cmd=tcp-client opt=(--nodelay --message-file "$FRAME")
		[[ $proto == udp ]] && cmd=udp-client opt=(--message-file "$FRAME")
		[[ $c == sx_cli_udpsize ]] && opt=(--size 64)
		t0=$(now_us)
		if ! timeout 60 "${PIN[@]}" "$SOCKX" -q "$cmd" 127.0.0.1 "$ADDR" "${opt[@]}" \
			--count "$CLIENT_COUNT" >/dev/null; then
			stop "$SPID"
			log "bench: sockx $cmd against sockperf failed"
			return 1
		fi
		t1=$(now_us)
		stop "$SPID"
		put "$c" rate "$r" "$(awk -v n="$CLIENT_COUNT" -v t="$((t1 - t0))" 'BEGIN {printf "%.0f", n / t * 1e6}')"
		;;
	esac
}

sec_latency() {
	local r udp_srv=0 unix_srv=0 tcp_cli=0 udp_cli=0 udp_size=0
	log "== 3. ping-pong, 64 bytes, on CPU $CPU: $RUNS rounds of $PP_SECS s"
	make_frame
	has_cmd udp-server && udp_srv=1
	has_cmd unix && unix_srv=1
	has_opt tcp-client --message-file && tcp_cli=1
	has_opt udp-client --message-file && udp_cli=1
	((!udp_cli)) && has_opt udp-client --size && udp_size=1
	for ((r = 1; r <= RUNS; r++)); do
		lat_once sx_tcp tcp "$r"
		lat_once sockperf_tcp tcp "$r"
		lat_once c_tcp tcp "$r"
		lat_once sockperf_udp udp "$r"
		lat_once c_udp udp "$r"
		((udp_srv)) && lat_once sx_udp udp "$r"
		lat_once c_unix unix "$r"
		((unix_srv)) && lat_once sx_unix unix "$r"
		((tcp_cli)) && cli_once sx_cli_tcp tcp "$r"
		cli_once sp_cli_tcp tcp "$r"
		((udp_cli)) && cli_once sx_cli_udp udp "$r"
		((udp_size)) && cli_once sx_cli_udpsize udp "$r"
		cli_once sp_cli_udp udp "$r"
	done
	row 3a "TCP echo server: round trips/s vs sockperf sr" sx_tcp sockperf_tcp rate ">=" 0.95
	row 3b "TCP echo server: p99 vs sockperf sr" sx_tcp sockperf_tcp p99 "<=" 1.1
	if ((udp_srv)); then
		row 3c "UDP echo server: round trips/s vs sockperf sr" sx_udp sockperf_udp rate ">=" 0.95
		row 3d "UDP echo server: p99 vs sockperf sr" sx_udp sockperf_udp p99 "<=" 1.1
	else
		skip_row 3c "UDP echo server vs sockperf sr" "not built (no udp-server)"
	fi
	if ((unix_srv)); then
		row 3e "Unix stream echo: round trips/s vs C epoll echo" sx_unix c_unix rate ">=" 0.95
		row 3f "Unix stream echo: p99 vs C epoll echo" sx_unix c_unix p99 "<=" 1.1
	else
		skip_row 3e "Unix stream echo vs C epoll echo" "not built (no unix)"
	fi
	if ((tcp_cli)); then
		row 3g "tcp-client -q --count vs sockperf pp (round trips/s)" sx_cli_tcp sp_cli_tcp rate ">=" 0.83
	else
		skip_row 3g "tcp-client vs sockperf pp" "tcp-client has no --message-file"
	fi
	if ((udp_cli)); then
		row 3h "udp-client -q --count vs sockperf pp (round trips/s)" sx_cli_udp sp_cli_udp rate ">=" 0.83
	elif ((udp_size)); then
		row 3h "udp-client -q --size 64 --count (C echo) vs sockperf pp (sockperf sr): approximate" \
			sx_cli_udpsize sp_cli_udp rate ">=" 0.83
	else
		skip_row 3h "udp-client vs sockperf pp" "not built (no udp-client with --message-file)"
	fi
	row 3i "reference: C epoll echo / sockperf sr, TCP (round trips/s)" c_tcp sockperf_tcp rate
	row 3j "reference: C epoll echo / sockperf sr, UDP (round trips/s)" c_udp sockperf_udp rate
	note "3: absolute medians, round trips/s: sockperf sr TCP $(med sockperf_tcp rate), UDP $(med sockperf_udp rate); C echo Unix $(med c_unix rate); sockperf pp TCP $(med sp_cli_tcp rate) (its own count)."
}

# --------------------------------------------------------------- conns

# pss_tree PID: the PSS (kB) of PID and all its descendants. Read with
# builtins only: thousands of forked servers, one cat each, took minutes.
pss_tree() {
	local pids p k v sum=0
	pids=$(ps -e -o pid=,ppid= | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END { q[1] = root; n = 1; for (i = 1; i <= n; i++) { print q[i];
			m = split(kids[q[i]], k, " "); for (j = 1; j <= m; j++) q[++n] = k[j] } }')
	for p in $pids; do
		[[ -r /proc/$p/smaps_rollup ]] || continue
		while read -r k v _; do
			[[ $k == Pss: ]] && sum=$((sum + v))
		done <"/proc/$p/smaps_rollup"
	done 2>/dev/null
	echo "$sum"
}

# conns_once NAME: N clients against the server NAME started as CMD.
conns_once() {
	local name=$1 spid mpid served pss
	shift
	: >"$TMP/$name.out"
	: >"$TMP/$name.err"
	"$@" >>"$TMP/$name.out" 2>>"$TMP/$name.err" </dev/null &
	spid=$!
	echo "$spid" >>"$TMP/pids"
	if [[ $name == sx_conns || $name == socat_conns ]]; then
		listening "$name" "$([[ $name == sx_conns ]] && echo out || echo err)" || { stop "$spid"; return 1; }
	else
		wait_port tcp "$ADDR" || { stop "$spid"; return 1; }
	fi
	mkfifo "$TMP/hold.$name"
	timeout -k 5 $((CONN_DEADLINE + 60)) "$BIN/manyconn" "$ADDR" "$CONNS" "$CONN_RATE" "$CONN_DEADLINE" \
		<"$TMP/hold.$name" >"$TMP/manyconn.$name" 2>&1 &
	mpid=$!
	echo "$mpid" >>"$TMP/pids"
	exec 8>"$TMP/hold.$name"
	if ! wait_for "$TMP/manyconn.$name" '^served ([0-9]+) of' $((CONN_DEADLINE + 30)); then
		log "bench: manyconn against $name: $(cat "$TMP/manyconn.$name")"
		exec 8>&-
		stop "$mpid"
		stop "$spid"
		return 1
	fi
	served=$MATCH1
	log "bench: $name: $MATCH"
	pss=$(pss_tree "$spid")
	exec 8>&-	# the clients close
	wait "$mpid" 2>/dev/null
	stop "$spid"
	put "$name" served 1 "$served"
	put "$name" pss 1 "$(awk -v k="$pss" 'BEGIN {printf "%.1f", k / 1024}')"
	put "$name" perconn 1 "$(awk -v k="$pss" -v n="$served" 'BEGIN {printf "%.1f", n ? k / n : 0}')"
	note "4: $name: $MATCH; PSS $(med "$name" pss) MB, $(med "$name" perconn) kB per served connection"
}

sec_conns() {
	log "== 4. $CONNS concurrent TCP clients at $CONN_RATE connects/s"
	local need=$((CONNS + 1000))
	if (($(ulimit -n) < need)); then
		ulimit -Hn $((need + 1000)) 2>/dev/null
		ulimit -Sn $((need + 1000)) 2>/dev/null || {
			skip_row 4 "$CONNS clients" "fd limit $(ulimit -n) (not root?)"
			return
		}
	fi
	conns_once sx_conns "$SOCKX" -q tcp-server -p 0
	conns_once socat_conns socat -d -d TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,backlog=4096 PIPE
	ADDR=$(free_port)
	conns_once ncat_conns ncat -l 127.0.0.1 "$ADDR" -k -m $((CONNS + 100)) --exec /bin/cat
	local s
	s=$(med sx_conns served)
	printf '| 4a | %s clients served by tcp-server | %s | | | = %s | %s |\n' "$CONNS" "$s" \
		"$CONNS" "$([[ $s == "$CONNS" ]] && echo met || echo "NOT MET")" >>"$TMP/table"
	s=$(med sx_conns pss)
	printf '| 4b | tcp-server PSS with them open (MB) | %s | | | <= 16 | %s |\n' "$s" \
		"$(awk -v s="$s" 'BEGIN {exit !(s != "-" && s <= 16)}' && echo met || echo "NOT MET")" >>"$TMP/table"
	printf '| 4c | PSS per connection, kB: sockx / socat fork / ncat --exec | %s | %s / %s | | | served: %s / %s / %s |\n' \
		"$(med sx_conns perconn)" "$(med socat_conns perconn)" "$(med ncat_conns perconn)" \
		"$(med sx_conns served)" "$(med socat_conns served)" "$(med ncat_conns served)" >>"$TMP/table"
}

# ----------------------------------------------------------------- udp

usrv_c_plain() { start c_plain "$BIN/echo" udp-plain && listening c_plain out; }
usrv_sx_udpcap() { start sx_udpcap "$SOCKX" -q udp-server -p 0 && listening sx_udpcap out; }

udp_once() {
	local s=$1 r=$2 out
	"usrv_$s" </dev/null || return 1
	out=$(timeout 30 "$BIN/udpload" "$ADDR" "$UDP_INFLIGHT" "$UDP_SECS" 64)
	stop "$SPID"
	[[ $out =~ sent\ ([0-9]+)\ echoed\ ([0-9]+)\ lost\ ([0-9]+).*rate\ ([0-9]+) ]] ||
		{ log "bench: udpload against $s: $out"; return 1; }
	put "$s" rate "$r" "${BASH_REMATCH[4]}"
	put "$s" lost "$r" "${BASH_REMATCH[3]}"
}

sec_udp() {
	local r
	log "== 5. UDP echo capacity, $UDP_INFLIGHT in flight, $RUNS rounds of $UDP_SECS s"
	if ! has_cmd udp-server; then
		skip_row 5 "UDP echo capacity" "not built (no udp-server)"
		return
	fi
	for ((r = 1; r <= RUNS; r++)); do
		udp_once sx_udpcap "$r"
		udp_once c_plain "$r"
	done
	row 5 "UDP echo, datagrams/s vs recvfrom/sendto C server" sx_udpcap c_plain rate ">=" 1.0
	note "5: lost datagrams (median per run): sockx $(med sx_udpcap lost), C $(med c_plain lost)"
}

# ---------------------------------------------------------------- icmp

# icmp_once NAME R CMD...: the rate of a flood of ICMP_COUNT echoes, and
# whether every reply was accounted for ("N transmitted, N received").
icmp_once() {
	local name=$1 r=$2 t0 t1 out
	shift 2
	t0=$(now_us)
	out=$(timeout 60 "$@" 2>&1)
	t1=$(now_us)
	[[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] ||
		{ log "bench: $name: $out"; return 1; }
	put "$name" rate "$r" "$(awk -v n="${BASH_REMATCH[1]}" -v t="$((t1 - t0))" 'BEGIN {printf "%.0f", n / t * 1e6}')"
	put "$name" missing "$r" "$((BASH_REMATCH[1] - BASH_REMATCH[2]))"
}

sec_icmp() {
	local r
	log "== 6. ICMP flood, $ICMP_COUNT echoes to 127.0.0.1"
	if ! has_opt raw-icmp --flood; then
		skip_row 6 "raw-icmp --flood vs ping -f" "not built (no raw-icmp --flood)"
		return
	fi
	if [[ $(id -u) != 0 ]]; then
		skip_row 6 "raw-icmp --flood vs ping -f" "needs root"
		return
	fi
	for ((r = 1; r <= RUNS; r++)); do
		icmp_once sx_icmp "$r" "$SOCKX" -q raw-icmp --flood -c "$ICMP_COUNT" 127.0.0.1
		icmp_once ping_f "$r" ping -f -q -c "$ICMP_COUNT" 127.0.0.1
	done
	row 6 "raw-icmp --flood vs ping -f (echoes/s)" sx_icmp ping_f rate ">=" 1.0
	note "6: replies not accounted for (median): sockx $(med sx_icmp missing), ping $(med ping_f missing)"
}

# ------------------------------------------------------------- startup

# hf NAME R CMD: hyperfine's median of START_RUNS launches (seconds).
hf() {
	local name=$1 r=$2
	shift 2
	hyperfine -N -i --style none --warmup 5 --runs "$START_RUNS" \
		--export-json "$TMP/hf.json" "$*" >/dev/null 2>&1 || return 1
	put "$name" secs "$r" "$(jq '.results[0].median' "$TMP/hf.json")"
}

sec_startup() {
	local r m
	log "== 7. start-up: $RUNS rounds of $START_RUNS launches"
	for ((r = 1; r <= RUNS; r++)); do
		hf sx_version "$r" "$SOCKX --version"
		hf nc_help "$r" "nc -h"
		has_cmd matrix && hf sx_matrix "$r" "$SOCKX matrix"
	done
	row 7a "sockx --version vs nc -h (seconds)" sx_version nc_help secs "<=" 1.2
	if has_cmd matrix; then
		m=$(med sx_matrix secs)
		printf '| 7b | sockx matrix (ms) | %s | | | < 20 | %s |\n' \
			"$(awk -v m="$m" 'BEGIN {printf "%.2f", m * 1000}')" \
			"$(awk -v m="$m" 'BEGIN {exit !(m < 0.020)}' && echo met || echo "NOT MET")" >>"$TMP/table"
	else
		skip_row 7b "sockx matrix under 20 ms" "not built (no matrix)"
	fi
}

# ------------------------------------------------------------- timeline

# tl_variant V R PORT [AS...] -- OPTION...: TL_RUNS tcp-client -m runs;
# records the median exchange (us from the "connected" event to
# "closed", read from --json) and the median whole run (us, wall).
tl_variant() {
	local v=$1 r=$2 port=$3 i t0 ex=() wall=() as=()
	shift 3
	while [[ $1 != -- ]]; do as+=("$1"); shift; done
	shift
	for ((i = 0; i < TL_RUNS; i++)); do
		t0=$(now_us)
		out=$(timeout 10 "${as[@]}" "$SOCKX" --json tcp-client 127.0.0.1 "$port" -m hello "$@" 2>/dev/null) ||
			{ log "bench: tcp-client $* failed"; return 1; }
		wall+=($(($(now_us) - t0)))
		ex+=("$(awk -F'"t":' '/"event":"connected"/ {split($2, a, ","); c = a[1]}
			/"event":"closed"/ {split($2, a, ","); printf "%.1f", (a[1] - c) * 1e6}' <<<"$out")")
	done
	put "$v" exch "$r" "$(printf '%s\n' "${ex[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
	put "$v" wall "$r" "$(printf '%s\n' "${wall[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
}

sec_timeline() {
	local r nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	if ! has_opt tcp-client --timeline; then
		skip_row 8 "tcp-client --timeline" "not built (no --timeline)"
		return
	fi
	((EUID == 0)) || nobody=()
	log "== 8. --timeline: $RUNS rounds of $TL_RUNS tcp-client -m runs per variant"
	for ((r = 1; r <= RUNS; r++)); do
		start tl_srv "$SOCKX" tcp-server --mode upper -p 0
		listening tl_srv out || return
		tl_variant tl_plain "$r" "$ADDR" "${nobody[@]}" --
		tl_variant tl_model "$r" "$ADDR" "${nobody[@]}" -- --timeline
		if ((EUID == 0)); then
			tl_variant tl_root "$r" "$ADDR" --
			tl_variant tl_wire "$r" "$ADDR" -- --timeline
			tl_variant tl_verify "$r" "$ADDR" -- --verify
		fi
		stop "$SPID"
	done
	row 8a "tcp-client -m exchange, --timeline with no capture vs none (us)" tl_model tl_plain exch "<=" 1.05
	if ((EUID == 0)); then
		row 8b "the same with the capture (root): --timeline vs --verify (us)" tl_wire tl_verify exch "<=" 1.0
		row 8c "the same: --timeline vs none (us)" tl_wire tl_root exch
		row 8d "whole run as root: --timeline vs none (us, capture set-up included)" tl_wire tl_root wall
	else
		skip_row 8b "--timeline with a capture" "not root"
	fi
}

# ---------------------------------------------------------------- main

main() {
	local t0=$SECONDS s
	build_refs
	log "bench: sockx $("$SOCKX" --version 2>&1 | head -n 1), $(nproc) CPUs, kernel $(uname -r)"
	for s in bulk unix latency conns udp icmp startup timeline; do
		want "$s" && "sec_$s"
	done
	mkdir -p "$(dirname "$RESULTS")"
	{
		echo "sockx bench, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) CPUs, $RUNS rounds"
		echo
		echo "| # | benchmark | sockx | peer | sockx/peer | goal | |"
		echo "|---|---|---|---|---|---|---|"
		cat "$TMP/table"
		echo
		[[ -s "$TMP/notes" ]] && sed 's/^/- /' "$TMP/notes"
		echo "- total time: $((SECONDS - t0)) s"
	} | tee "$RESULTS"
	log "bench: the table is in $RESULTS"
}

[[ ${BENCH_SOURCE_ONLY:-} ]] || main "$@"
