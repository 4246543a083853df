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
