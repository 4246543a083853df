# Start, wait for and stop servers: no fixed sleeps, everything bounded.
# shellcheck shell=bash

# start_bg NAME CMD...: runs CMD in the background, stdout in
# $BATS_TEST_TMPDIR/NAME.out and stderr in NAME.err; its pid in
# BG_PID[NAME]. teardown: stop_all_bg.
declare -gA BG_PID=()
start_bg() {
	local name=$1
	shift
	# Emptied here, not by the background job's own redirection: that
	# comes late, and a wait_line in between would read the lines of an
	# earlier NAME (a server restarted under the same name).
	: >"$BATS_TEST_TMPDIR/$name.out"
	: >"$BATS_TEST_TMPDIR/$name.err"
	"$@" >>"$BATS_TEST_TMPDIR/$name.out" 2>>"$BATS_TEST_TMPDIR/$name.err" &
	BG_PID[$name]=$!
}

# wait_line FILE REGEX [SECONDS]: polls until a line of FILE matches
# (default deadline 5 s). Fails, showing FILE, if none does in time.
wait_line() {
	local file=$1 re=$2 secs=${3:-5} i
	for ((i = 0; i < secs * 50; i++)); do
		if [[ -f "$file" ]] && grep -qE -- "$re" "$file"; then
			return 0
		fi
		sleep 0.02
	done
	echo "timed out after ${secs}s waiting for /$re/ in $file:" >&2
	cat "$file" >&2 2>/dev/null || true
	return 1
}

# port_of NAME: the port from NAME's "listening on ADDR:PORT" line (or
# its JSON "listening" event).
port_of() {
	sed -n -e 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' \
		-e 's/^{"event":"listening".*"port":\([0-9][0-9]*\).*/\1/p' \
		"$BATS_TEST_TMPDIR/$1.out" | head -n 1
}

# start_server NAME CMD...: start_bg, then wait for "listening on"; sets PORT.
start_server() {
	local name=$1
	start_bg "$@"
	wait_line "$BATS_TEST_TMPDIR/$name.out" '^(listening on |\{"event":"listening")' 5
	PORT=$(port_of "$name")
	[[ -n "$PORT" ]]
}

# start_server_err NAME CMD...: start_server for a server whose stdout is
# the clients' raw bytes (--mode stdio, --mode print -q): it prints its
# "listening on" line on stderr. Sets PORT (empty for a Unix socket).
start_server_err() {
	local name=$1
	start_bg "$@"
	wait_line "$BATS_TEST_TMPDIR/$name.err" '^listening on ' 5
	PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/$name.err" | head -n 1)
}

# stop_bg NAME [SIGNAL]: signals NAME and waits for it (at most 5 s, then
# SIGKILL). Returns NAME's exit status in BG_RC.
stop_bg() {
	local name=$1 sig=${2:-TERM} pid=${BG_PID[$1]:-} i
	BG_RC=
	[[ -n "$pid" ]] || return 0
	kill -s "$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 250; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	BG_RC=0
	wait "$pid" 2>/dev/null || BG_RC=$?
	unset "BG_PID[$name]"
}

# wait_exit NAME [SECONDS]: waits for NAME to exit by itself; BG_RC.
wait_exit() {
	local name=$1 secs=${2:-5} pid=${BG_PID[$1]:-} i
	for ((i = 0; i < secs * 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name still running after ${secs}s" >&2
		return 1
	fi
	BG_RC=0
	wait "$pid" 2>/dev/null || BG_RC=$?
	unset "BG_PID[$name]"
}

# stop_all_bg: for teardown; stops everything start_bg started.
stop_all_bg() {
	local name
	for name in "${!BG_PID[@]}"; do
		stop_bg "$name" TERM
	done
}

# closed_port: a TCP port on 127.0.0.1 that nothing listens on (bound,
# then released: the kernel will not hand it out again at once).
closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_in_poll PID [SECONDS]: waits until PID sleeps in poll(2) or ppoll(2)
# (x86_64 and aarch64 numbers, from /proc/PID/syscall), i.e. it has done
# all it could with what it got. Fails if it does not within the time.
wait_in_poll() {
	local pid=$1 secs=${2:-5} i nr
	for ((i = 0; i < secs * 50; i++)); do
		read -r nr _ <"/proc/$pid/syscall" 2>/dev/null || nr=
		case "$(uname -m):$nr" in
		x86_64:7 | x86_64:271 | aarch64:73) return 0 ;;
		esac
		sleep 0.02
	done
	echo "pid $pid not in poll after ${secs}s (syscall ${nr:-?})" >&2
	return 1
}
