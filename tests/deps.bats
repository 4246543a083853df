#!/usr/bin/env bats
# Set-up: everything the tests and benchmarks run comes from `make deps`
# (the Makefile's DEB_PKGS) or from every Debian system, so a fresh
# machine's make check finds it. The next missing package fails here, in
# CI, and not on a user's machine.

load helpers/common

ROOT="$BATS_TEST_DIRNAME/.."
CHECK="$BATS_TEST_DIRNAME/helpers/deps_check.py"

# The scripts whose programs must be there: every test, helper and
# benchmark script, the Makefile's recipes and CI's script.
scanned() {
	local f
	for f in "$ROOT"/tests/*.bats "$ROOT"/tests/helpers/*.bash "$ROOT"/tests/helpers/*.sh "$ROOT"/tests/data/*.sh \
		"$ROOT"/bench/*.sh "$ROOT"/docs/*.sh "$ROOT"/Makefile "$ROOT"/.ci/run; do
		[[ -f $f ]] && printf '%s\n' "$f"
	done
}

deb_pkgs() {
	make -s --no-print-directory -C "$ROOT" print-deps
}

@test "deps: every program the tests and benchmarks run is in DEB_PKGS or on every Debian system" {
	command -v dpkg-query >/dev/null || skip "not a Debian system"
	local files
	mapfile -t files < <(scanned)
	run -0 python3 "$CHECK" "$(deb_pkgs)" "${files[@]}"
	assert_output ''
}

@test "deps: the check catches a program from a package outside DEB_PKGS" {
	command -v dpkg-query >/dev/null || skip "not a Debian system"
	# socat is in DEB_PKGS: with a list that lacks it, a script that
	# runs socat (directly, in a pipe, in \$(...), under run or timeout)
	# must be named, and so must a need_cmd of something not installed.
	local t=$BATS_TEST_TMPDIR/t.sh pkgs
	cat >"$t" <<'EOT'
run -0 timeout 5 socat - TCP:127.0.0.1:1 | cat
need_cmd sockx-no-such-program
EOT
	pkgs=$(deb_pkgs | tr ' ' '\n' | grep -vx socat | tr '\n' ' ')
	run -1 python3 "$CHECK" "$pkgs" "$t"
	assert_line --regexp "^socat \(.*t.sh:1\) comes from socat, which is neither in DEB_PKGS"
	assert_line --regexp "^sockx-no-such-program \(.*t.sh:2\) is not installed after make deps"
	run -1 python3 "$CHECK" "$(deb_pkgs) sockx-no-such-program-pkg-is-not-needed" /dev/null
	assert_output --partial "DEB_PKGS has sockx-no-such-program-pkg-is-not-needed, but it is not installed"
}

@test "deps: the scanner finds programs where scripts start them, not in prose or python" {
	local t=$BATS_TEST_TMPDIR/s.sh
	cat >"$t" <<'EOT'
# a comment that names tcpdump
x=$(jq -r .a <<<'{}') && y="$(stat -c %s f)"
start_bg srv socat - -
"${TO[@]}" iperf3 -c 127.0.0.1
ip netns exec ns1 nft list ruleset
PY='
import socket
print("ping")
'
echo "make a (cut) here" | tr a b
cat <<EOF2
hexdump in a here-document
EOF2
EOT
	run -0 python3 "$BATS_TEST_DIRNAME/helpers/tools_used.py" "$t"
	assert_equal "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" "cat iperf3 jq nft socat stat tr "
}
