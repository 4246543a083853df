#!/usr/bin/env bats
# Load: many concurrent clients, every echo checked byte for byte.

load helpers/common
load helpers/net

teardown() {
	stop_all_bg
}

@test "load: 1000 concurrent TCP clients x 20 random messages, every echo checked" {
	ulimit -n 8192
	start_server srv "$SOCKX" tcp-server -p 0
	run -0 timeout 120 python3 "$BATS_TEST_DIRNAME/helpers/peer.py" many-clients "$PORT" 1000 20
	assert_output "ok 1000"
	stop_bg srv
	[[ $BG_RC -eq 0 ]]
	tail -n 1 "$BATS_TEST_TMPDIR/srv.out" | grep -q '^summary: 1000 clients, '
}

@test "load: 1000 concurrent UNIX stream clients x 20 random messages, every echo checked" {
	ulimit -n 8192
	local name="@sockx-load-$$-$BATS_TEST_NUMBER"
	start_bg srv "$SOCKX" unix -l --stream "$name"
	wait_line "$BATS_TEST_TMPDIR/srv.out" '^listening on '
	run -0 timeout 120 python3 "$BATS_TEST_DIRNAME/helpers/peer.py" many-clients "$name" 1000 20
	assert_output "ok 1000"
	stop_bg srv
	[[ $BG_RC -eq 0 ]]
	tail -n 1 "$BATS_TEST_TMPDIR/srv.out" | grep -q '^summary: 1000 clients, '
}
