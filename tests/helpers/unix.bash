# Helpers of the unix*.bats files: servers on UNIX paths and fresh @names.
# shellcheck shell=bash

# start_unix NAME ARGS...: runs "sockx ARGS..." in the background (start_bg)
# and waits for its "listening on" line (or JSON "listening" event).
start_unix() {
	local name=$1
	shift
	start_bg "$name" "$SOCKX" "$@"
	wait_line "$BATS_TEST_TMPDIR/$name.out" '^listening on |"event":"listening"' 5
}

# fresh_name [TAG]: an abstract name no other test (or run) uses.
fresh_name() {
	echo "@sockx-test-$$-$BATS_TEST_NUMBER-${1:-0}"
}

# pyaddr ADDR: the address as Python's socket module spells it
# (@name -> "\0name"), for python3 -c scripts via the A variable.
pyaddr() {
	if [[ $1 == @* ]]; then
		printf '\\0%s' "${1#@}"
	else
		printf '%s' "$1"
	fi
}

# py SCRIPT [ARGS...]: python3 with A=the address in $ADDR (see pyaddr).
py() {
	local script=$1
	shift
	python3 -c "import os, socket, struct, sys, array
A = '$(pyaddr "$ADDR")'
$script" "$@"
}
