#!/usr/bin/env bats
# Data integrity under injected faults: the LD_PRELOAD shim makes writes
# short, reads short (often one byte), and socket calls fail with EINTR or
# EAGAIN at random. Every byte must still arrive, in order.

load helpers/common
load helpers/net

setup() {
	[[ -n "${FAULT_SHIM:-}" && -f "$FAULT_SHIM" ]] ||
		skip "FAULT_SHIM not built (make check builds it)"
	# LD_PRELOAD splits at spaces and colons, and a checkout's path may
	# hold them: the shim is preloaded from a copy in this test's folder.
	cp "$FAULT_SHIM" "$BATS_TEST_TMPDIR/shim.so"
	FAULT_SHIM=$BATS_TEST_TMPDIR/shim.so
	# An ASan build must come first in the library list; the shim is fine after it.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}

teardown() {
	stop_all_bg
}

# faulty SEED CMD...: runs CMD under the shim.
faulty() {
	local seed=$1
	shift
	SOCKX_FAULT_SEED=$seed SOCKX_FAULT_RATE=6 LD_PRELOAD="$FAULT_SHIM" "$@"
}

@test "faults: the shim really injects (short sends and EINTR/EAGAIN in sockx's own trace)" {
	start_server srv "$SOCKX" -q tcp-server -p 0
	head -c 200000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	faulty 4 "$SOCKX" -v tcp-client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/in" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/trace"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	grep -qE '= -1 (EINTR|EAGAIN)' "$BATS_TEST_TMPDIR/trace"
	# A send of N bytes that returned fewer.
	grep -E '^send\([0-9]+, [0-9]+ bytes, .*\) = [0-9]+$' "$BATS_TEST_TMPDIR/trace" |
		sed -E 's/^send\([0-9]+, ([0-9]+) bytes, .*\) = ([0-9]+)$/\1 \2/' |
		awk '$2 < $1 { found = 1 } END { exit !found }'
}

@test "faults: 1 MiB through netcat mode and the echo server, both faulty, three seeds" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local seed
	for seed in 1 2 3; do
		start_server "srv$seed" env SOCKX_FAULT_SEED=$((seed + 10)) SOCKX_FAULT_RATE=6 \
			LD_PRELOAD="$FAULT_SHIM" "$SOCKX" -q tcp-server -p 0
		faulty "$seed" timeout 60 "$SOCKX" tcp-client 127.0.0.1 "$PORT" \
			<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out$seed"
		cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out$seed"
		stop_bg "srv$seed"
		[[ $BG_RC -eq 0 ]]
	done
}

@test "faults: -m messages and their replies survive short reads and EINTR" {
	start_server srv env SOCKX_FAULT_SEED=7 SOCKX_FAULT_RATE=4 LD_PRELOAD="$FAULT_SHIM" \
		"$SOCKX" tcp-server -p 0 --mode upper
	run -0 faulty 5 "$SOCKX" -q tcp-client 127.0.0.1 "$PORT" -m '你好,服务器!' -m 'abcdefghijklmnop' --count 5
	[[ $(grep -c '^你好,服务器!$' <<<"$output") -eq 5 ]]
	[[ $(grep -c '^ABCDEFGHIJKLMNOP$' <<<"$output") -eq 5 ]]
}

@test "faults: 200 clients against a faulty server, every echo checked" {
	start_server srv env SOCKX_FAULT_SEED=9 LD_PRELOAD="$FAULT_SHIM" "$SOCKX" -q tcp-server -p 0
	run -0 timeout 60 python3 "$BATS_TEST_DIRNAME/helpers/peer.py" many-clients "$PORT" 200 3
	assert_output "ok 200"
}
