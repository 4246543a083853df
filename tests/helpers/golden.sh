#!/usr/bin/env bash
# The golden output files: what sockx prints, text and JSON, for the fixed
# runs listed in tests/golden/cases (format described there), recorded in
# tests/golden/out/NAME.txt. They are the reference for changes to how
# sockx prints: the output must stay byte for byte the same, but for what
# tests/helpers/golden.py masks (times, kernel-chosen ports, pids...).
#
# usage: tests/helpers/golden.sh [CASE...]
#            runs the cases (all, or these) into a temporary folder and
#            compares each with its recorded file (diff -u); exit 1 if one
#            differs. GOLDEN_UPDATE=1: records them instead.
#        tests/helpers/golden.sh --run-all DIR [CASE...]
#            runs the cases this machine can run into DIR/NAME.txt (and
#            DIR/NAME.skip with the reason for the others); no compare.
#        tests/helpers/golden.sh --list
#            prints the cases' names.
#
# Environment: SOCKX, the binary (default: ./sockx of this checkout);
# GOLDEN_JOBS, how many cases run at once (default: twice the cores).
# A root-only case (flag root) is skipped when not root; a kernel case
# (flag kernel) is skipped when the kernel's socket configuration is not
# the one recorded in tests/golden/kernel.txt (golden.py kernel).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GOLDEN=$ROOT/tests/golden
CASES=$GOLDEN/cases
MASK=$HERE/golden.py
: "${SOCKX:=$ROOT/sockx}"
SOCKX=$(readlink -f "$SOCKX")
JOBS=${GOLDEN_JOBS:-$((2 * $(nproc 2>/dev/null || echo 1)))}
# The client's deadline, and how long a server may take to start or stop.
CLIENT_TIMEOUT=10
SERVER_WAIT=5
# A server is ready when one of these lines appears on its stdout or
# stderr: "listening on", the JSON "listening" event, capture -v's "ready"
# (a line on stderr, or under --json -v a "note" event on stdout).
READY_RE='^listening on |^\{"event":"listening"|^capture: ready on |^\{"event":"note".*"text":"capture: ready on '

die() {
	echo "golden.sh: $*" >&2
	exit 2
}

# case_line NAME: the line of NAME in the cases file.
case_line() {
	local line
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		if [[ ${line%% | *} == "$1" ]]; then
			printf '%s\n' "$line"
			return 0
		fi
	done <"$CASES"
	return 1
}

# case_names: every case's name, in the file's order.
case_names() {
	local line
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		printf '%s\n' "${line%% | *}"
	done <"$CASES"
}

# split_case LINE: sets NAME, FLAGS, SERVER, CLIENT (the client is the rest
# of the line, so it may contain " | " itself).
split_case() {
	local rest=$1
	NAME=${rest%% | *}
	rest=${rest#* | }
	FLAGS=${rest%% | *}
	rest=${rest#* | }
	SERVER=${rest%% | *}
	CLIENT=${rest#* | }
	[[ $NAME =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "bad case name '$NAME'"
	[[ $1 == *" | "*" | "*" | "* ]] || die "$NAME: expected NAME | FLAGS | SERVER | CLIENT"
}

# has_flag WORD: FLAGS (comma-separated) has WORD.
has_flag() {
	[[ ,$FLAGS, == *",$1,"* ]]
}

# flag_value KEY: the value of KEY=VALUE in FLAGS ('' if none).
flag_value() {
	local f
	IFS=, read -ra f <<<"$FLAGS"
	for f in "${f[@]}"; do
		[[ $f == "$1="* ]] && printf '%s' "${f#*=}"
	done
	return 0
}

# words TEXT: sets WORDS to TEXT read as bash words (quotes, $'\e'), then
# the placeholders replaced. No expansion may run a command.
words() {
	local text=$1 w
	# shellcheck disable=SC2016 # these are the literal characters
	[[ $text == *'$('* || $text == *'`'* || $text == *'${'* ]] &&
		die "$NAME: no \$(...), \`...\` or \${...} in a case"
	WORDS=()
	[[ $text == - ]] && return 0
	eval "local raw=($text)"
	# shellcheck disable=SC2154 # raw: set by the eval
	for w in "${raw[@]}"; do
		w=${w//\{PORT\}/$PORT}
		w=${w//\{NAME\}/$ANAME}
		w=${w//\{TMP\}/$TMPD}
		w=${w//\{IN\}/$GOLDEN/in}
		w=${w//\{DATA\}/$ROOT/tests/data}
		WORDS+=("$w")
	done
}

# kernel_differs: prints how this kernel's socket configuration differs
# from the recorded one (nothing when it is the same).
kernel_differs() {
	if [[ ! -f $GOLDEN/kernel.txt ]]; then
		echo "tests/golden/kernel.txt is missing (GOLDEN_UPDATE=1 as root records it)"
		return 0
	fi
	python3 "$MASK" kernel | diff "$GOLDEN/kernel.txt" - |
		sed -n 's/^< /recorded: /p; s/^> /here: /p' | head -n 4
}

# skip_reason: why this machine cannot run the case (nothing if it can).
skip_reason() {
	if has_flag root && [[ $(id -u) -ne 0 ]]; then
		echo "needs root (recorded as root: raw sockets, a live capture, or what matrix and tour find root can do); CI runs as root"
	elif has_flag kernel && [[ -z ${RECORD_KERNEL:-} ]]; then
		local d
		d=$(kernel_differs)
		[[ -z $d ]] || echo "recorded on a kernel with another socket configuration (tests/golden/kernel.txt): ${d//$'\n'/; }"
	fi
}

# section TITLE FILE: a labelled section of the output file.
section() {
	echo "== $1"
	if [[ -s $2 ]]; then
		cat "$2"
		[[ $(tail -c 1 "$2" | od -An -c | tr -d ' ') == '\n' ]] ||
			printf '\n== (no newline at the end of %s)\n' "$1"
	fi
}

# settle PID FILE...: waits until PID sleeps and its output files stop
# growing (twice in a row, 20 ms apart): it has done all that the
# client's run gave it to do. At most SERVER_WAIT seconds.
settle() {
	local pid=$1 i state last='' now stable=0
	shift
	for ((i = 0; i < SERVER_WAIT * 50; i++)); do
		state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 0
		[[ -n $state ]] || return 0
		now=$(stat -c %s "$@" 2>/dev/null | tr '\n' ' ')
		if [[ $state == S && $now == "$last" ]]; then
			((++stable >= 2)) && return 0
		else
			stable=0
		fi
		last=$now
		sleep 0.02
	done
}

# stop PID: SIGTERM (unless it has exited), then waits; SIGKILL after
# SERVER_WAIT seconds. Sets STOP_NOTE when it had to kill.
stop() {
	local pid=$1 i
	STOP_NOTE=
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < SERVER_WAIT * 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	STOP_NOTE=" (still running ${SERVER_WAIT} s after SIGTERM: killed)"
}

# run_case NAME DIR: runs the case, writes DIR/NAME.raw, its output, and
# DIR/NAME.ctx, what masking it needs (run_all masks them all at once).
run_case() {
	local line spid='' crc src='' i stdin ready=1 note='' eph
	line=$(case_line "$1") || die "no case named '$1' in tests/golden/cases"
	split_case "$line"
	TMPD=$(mktemp -d "${TMPDIR:-/tmp}/sockx-golden.XXXXXX")
	ANAME="@sockx-golden-$$-$NAME"
	PORT=
	if [[ $SERVER != - ]]; then
		words "$SERVER"
		# Made before the server starts: its own redirections come late.
		: >"$TMPD/server.out"
		: >"$TMPD/server.err"
		"$SOCKX" "${WORDS[@]}" </dev/null >"$TMPD/server.out" 2>"$TMPD/server.err" &
		spid=$!
		ready=0
		for ((i = 0; i < SERVER_WAIT * 50; i++)); do
			if grep -qE -- "$READY_RE" "$TMPD/server.out" "$TMPD/server.err"; then
				ready=1
				break
			fi
			kill -0 "$spid" 2>/dev/null || break
			sleep 0.02
		done
		PORT=$(sed -n -e 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' \
			-e 's/^{"event":"listening".*"port":\([0-9][0-9]*\).*/\1/p' \
			"$TMPD/server.out" "$TMPD/server.err" | head -n 1)
	fi
	stdin=/dev/null
	[[ -n $(flag_value stdin) ]] && stdin=$GOLDEN/in/$(flag_value stdin)
	if ((ready)); then
		words "$CLIENT"
		timeout "$CLIENT_TIMEOUT" "$SOCKX" "${WORDS[@]}" <"$stdin" \
			>"$TMPD/client.out" 2>"$TMPD/client.err"
		crc=$?
		((crc == 124)) && note=" (timeout: still running after ${CLIENT_TIMEOUT} s)"
	else
		: >"$TMPD/client.out"
		: >"$TMPD/client.err"
		crc="not run: the server printed no listening line in ${SERVER_WAIT} s"
	fi
	if [[ -n $spid ]]; then
		if has_flag wait; then
			# The server ends by itself (--once, capture -c).
			for ((i = 0; i < SERVER_WAIT * 50; i++)); do
				kill -0 "$spid" 2>/dev/null || break
				sleep 0.02
			done
		else
			settle "$spid" "$TMPD/server.out" "$TMPD/server.err"
		fi
		stop "$spid"
		src=0
		wait "$spid" || src=$?
	fi
	{
		echo "== case $NAME"
		echo "== server: $SERVER"
		echo "== client: $CLIENT"
		section "client stdout" "$TMPD/client.out"
		section "client stderr" "$TMPD/client.err"
		echo "== client exit $crc$note"
		if [[ -n $spid ]]; then
			section "server stdout" "$TMPD/server.out"
			section "server stderr" "$TMPD/server.err"
			echo "== server exit $src$STOP_NOTE"
		fi
	} >"$2/$NAME.raw"
	# What golden.py needs to mask this case (KEY NUL VALUE NUL ...).
	eph=$(tr '\t' ' ' </proc/sys/net/ipv4/ip_local_port_range)
	printf '%s\0' port "$PORT" name "$ANAME" tmp "$TMPD" in "$GOLDEN/in" \
		data "$ROOT/tests/data" uid "$(id -u)" gid "$(id -g)" ports "$eph" \
		keep "$(flag_value keep | tr + ,)" also "$(flag_value mask | tr + ,)" \
		>"$2/$NAME.ctx"
	rm -rf "$TMPD"
}

# run_all DIR NAME...: runs the cases JOBS at a time, then masks them into
# DIR/NAME.txt; a case this machine cannot run gets DIR/NAME.skip with the
# reason instead.
run_all() {
	local dir=$1 n=0 name line why
	shift
	for name in "$@"; do
		line=$(case_line "$name") || die "no case named '$name' in tests/golden/cases"
		split_case "$line"
		why=$(skip_reason)
		if [[ -n $why ]]; then
			printf '%s\n' "$why" >"$dir/$name.skip"
			continue
		fi
		run_case "$name" "$dir" &
		if ((++n >= JOBS)); then
			wait -n
			((n--))
		fi
	done
	wait
	# One python3 for all (its start costs more than most cases).
	python3 "$MASK" mask "$dir"
}

# close_inherited: closes the descriptors above 2 that the caller left
# open (bats keeps several): the sockets sockx opens would get other
# numbers, and its output shows them (fd 6, "socket(...) = 3").
close_inherited() {
	local f fd
	for f in /proc/"$BASHPID"/fd/*; do
		fd=${f##*/}
		((fd > 2 && fd != 255)) || continue
		exec {fd}>&-
	done
}

main() {
	close_inherited
	[[ -f $CASES ]] || die "no $CASES"
	case "${1:-}" in
	--list)
		case_names
		return 0
		;;
	--run-all)
		[[ -n ${2:-} && -d $2 ]] || die "usage: golden.sh --run-all DIR [CASE...]"
		local dir=$2
		shift 2
		[[ -x $SOCKX ]] || die "no sockx at $SOCKX (make, or set SOCKX)"
		local names=("$@")
		((${#names[@]})) || mapfile -t names < <(case_names)
		run_all "$dir" "${names[@]}"
		return 0
		;;
	-*) die "unknown option '$1' (see the top of $0)" ;;
	esac
	[[ -x $SOCKX ]] || die "no sockx at $SOCKX (make, or set SOCKX)"
	local names=("$@") tmp name bad=() skipped=0
	((${#names[@]})) || mapfile -t names < <(case_names)
	# A full update records this kernel for the kernel cases: they run.
	[[ ${GOLDEN_UPDATE:-} == 1 && $# -eq 0 && $(id -u) -eq 0 ]] && RECORD_KERNEL=1
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockx-golden-run.XXXXXX")
	# shellcheck disable=SC2064 # $tmp is fixed now
	trap "rm -rf '$tmp'" EXIT
	run_all "$tmp" "${names[@]}"
	if [[ ${GOLDEN_UPDATE:-} == 1 ]]; then
		mkdir -p "$GOLDEN/out"
		for name in "${names[@]}"; do
			if [[ -f $tmp/$name.skip ]]; then
				echo "golden: $name not recorded (kept as it was): $(cat "$tmp/$name.skip")"
				((++skipped))
				continue
			fi
			cp "$tmp/$name.txt" "$GOLDEN/out/$name.txt"
		done
		# Only a full update may drop the files of cases no longer listed
		# and record the kernel the kernel cases ran on.
		if (($# == 0)); then
			for name in "$GOLDEN"/out/*.txt; do
				[[ -f $name ]] || continue
				case_line "$(basename "$name" .txt)" >/dev/null || rm -v "$name"
			done
			[[ $(id -u) -eq 0 ]] && python3 "$MASK" kernel >"$GOLDEN/kernel.txt"
		fi
		echo "golden: recorded $((${#names[@]} - skipped)) cases in tests/golden/out, $skipped skipped"
		return 0
	fi
	for name in "${names[@]}"; do
		if [[ -f $tmp/$name.skip ]]; then
			echo "golden: $name skipped: $(cat "$tmp/$name.skip")"
			((++skipped))
		elif ! diff -u --label "tests/golden/out/$name.txt" --label "$name (this run)" \
			"$GOLDEN/out/$name.txt" "$tmp/$name.txt"; then
			bad+=("$name")
		fi
	done
	echo "golden: ${#names[@]} cases, ${#bad[@]} differ, $skipped skipped${bad[*]:+: ${bad[*]}}"
	((${#bad[@]} == 0))
}

main "$@"
