#!/usr/bin/env bash
# bench/deps.sh: installs the peers `make bench` compares sockx with, and
# what building sockx needs, from Debian; only what is missing, with one
# apt-get update first. Not root and something missing: says what, exit 1.
set -u

PKGS="iperf3 socat ncat netcat-openbsd sockperf iputils-ping hyperfine util-linux
	iproute2 procps jq gcc make pkg-config libpcap-dev libcap-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bench: missing Debian packages:$missing" >&2
	echo "bench: as root: apt-get install$missing" >&2
	exit 1
fi
echo "bench: installing$missing"
# shellcheck disable=SC2086
apt-get update -q &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing # word splitting wanted
