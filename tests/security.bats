#!/usr/bin/env bats
# Security rules of docs/security.md that no other file proves: what
# capabilities each kind of command holds while it runs, and that servers
# bind loopback unless told otherwise. (Raw sockets: raw-icmp.bats; UNIX
# socket files: unix-safety.bats; --pcap written whole or not at all:
# verify.bats.)

load helpers/common
load helpers/net

teardown() {
	stop_all_bg
}

# cap_of PID FIELD: the hex mask of CapEff/CapPrm in /proc/PID/status.
cap_of() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

@test "security: a server holds only CAP_NET_BIND_SERVICE, even as root" {
	skip_unless_root "a process with capabilities to limit"
	start_server srv "$SOCKX" tcp-server -p 0
	# 0x400 is CAP_NET_BIND_SERVICE: no CAP_NET_RAW, no CAP_DAC_OVERRIDE...
	[[ $(cap_of "${BG_PID[srv]}" CapEff) == 0000000000000400 ]]
	[[ $(cap_of "${BG_PID[srv]}" CapPrm) == 0000000000000400 ]]
	start_server usrv "$SOCKX" udp-server -p 0
	[[ $(cap_of "${BG_PID[usrv]}" CapPrm) == 0000000000000400 ]]
}

@test "security: tcp-client holds no capability while it runs, with or without --verify" {
	skip_unless_root "a process with capabilities to drop"
	start_server srv "$SOCKX" tcp-server -p 0
	local v
	for v in "" --verify; do
		# netcat mode, stdin held open: the client stays up to be looked at.
		start_bg cli$v bash -c "sleep 3 | exec '$SOCKX' tcp-client $v 127.0.0.1 $PORT"
		wait_line "$BATS_TEST_TMPDIR/srv.out" "^accepted .*" 5
		local pid
		pid=$(pgrep -n -f "sockx tcp-client $v ?127.0.0.1 $PORT")
		[[ $(cap_of "$pid" CapEff) == 0000000000000000 ]] || fail "'$v': CapEff $(cap_of "$pid" CapEff)"
		[[ $(cap_of "$pid" CapPrm) == 0000000000000000 ]] || fail "'$v': CapPrm $(cap_of "$pid" CapPrm)"
		stop_bg cli$v
		: >"$BATS_TEST_TMPDIR/srv.out"
	done
}

@test "security: servers bind loopback unless told otherwise" {
	start_server tcp "$SOCKX" tcp-server -p 0
	run -0 ss -Htln "sport = :$PORT"
	assert_output --partial "127.0.0.1:$PORT"
	start_server udp "$SOCKX" udp-server -p 0
	run -0 ss -Huln "sport = :$PORT"
	assert_output --partial "127.0.0.1:$PORT"
	start_server tcp6 "$SOCKX" -6 tcp-server -p 0
	run -0 ss -Htln "sport = :$PORT"
	assert_output --partial "[::1]:$PORT"
}
