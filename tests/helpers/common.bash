# Shared by every bats file: where sockx is, root checks, bats libraries.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0

: "${SOCKX:=$BATS_TEST_DIRNAME/../sockx}"
SOCKX=$(readlink -f "$SOCKX")
export SOCKX

# bats-support and bats-assert, from Debian (make deps).
for _lib in bats-support bats-assert; do
	for _dir in /usr/lib/bats /usr/lib/node_modules /usr/local/lib/bats; do
		if [[ -f "$_dir/$_lib/load.bash" ]]; then
			# shellcheck disable=SC1090
			source "$_dir/$_lib/load.bash"
			break
		fi
	done
done

# Skips the test unless it runs as root (raw sockets, pcap, namespaces).
skip_unless_root() {
	if [[ $(id -u) -ne 0 ]]; then
		skip "needs root (${1:-raw sockets, captures or network namespaces}); CI runs as root"
	fi
}

# Skips the test unless command $1 exists.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (make deps)"
}

# Running as nobody, with no capability at all. The checkout may live where
# nobody cannot enter (root's home, mode 0700), and so may bats' own
# temporary folder: nobody_copy puts a copy of sockx in a folder of this
# test's own that nobody can enter ($NOBODY_DIR, bats removes it), and
# as_nobody runs "$SOCKX" as that copy. A file nobody must read goes there
# too (cp FILE "$NOBODY_DIR/").
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
nobody_copy() {
	[[ -n ${NOBODY_DIR:-} && -x $NOBODY_DIR/sockx ]] && return 0
	NOBODY_DIR=$BATS_TEST_TMPDIR/nobody
	mkdir -p "$NOBODY_DIR"
	# Every folder from bats' run folder down: enter (x), not list.
	local d=$BATS_TEST_TMPDIR
	while [[ $d == "$BATS_RUN_TMPDIR"* && $d != / ]]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	chmod o+x "$d" "$NOBODY_DIR"
	cp "$SOCKX" "$NOBODY_DIR/sockx"
	NOBODY_SOCKX=$NOBODY_DIR/sockx
}

# as_nobody CMD...: CMD as nobody, from $NOBODY_DIR; "$SOCKX" is the copy.
as_nobody() {
	nobody_copy
	local a args=()
	for a in "$@"; do
		[[ $a == "$SOCKX" ]] && a=$NOBODY_SOCKX
		args+=("$a")
	done
	(cd "$NOBODY_DIR" && "${NOBODY[@]}" "${args[@]}")
}

# drop_summary: takes a run's closing summary off the end of $lines (ping's
# statistics, udp-client's and tcp-client's counts). The summary is the
# last thing a command prints; what comes before it, such as the --verify
# verdict and its notes, is then at the end. (It sets BASH_REMATCH.)
drop_summary() {
	local re='^(--- .* ping statistics ---|[0-9]+ packets transmitted, |rtt min/|[0-9]+ sent, [0-9]+ (received|replies))'
	while ((${#lines[@]})) && [[ ${lines[-1]} =~ $re ]]; do
		unset 'lines[-1]'
	done
}
