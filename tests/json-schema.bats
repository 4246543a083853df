#!/usr/bin/env bats
# Every --json event of every command, held against the schema that
# docs/json.md documents (tests/helpers/json_schema.py reads it out of the
# page): event names, field order and types, fixed-point numbers, the
# summary last and nothing but a summary after an error. Each run's stdout
# is a file of its own under $OUT; the paths taken are successes and
# failures both.

load helpers/common
load helpers/net
load helpers/unix

DOC="$BATS_TEST_DIRNAME/../docs/json.md"
CHECK="$BATS_TEST_DIRNAME/helpers/json_schema.py"

setup() {
	OUT="$BATS_TEST_TMPDIR/runs"
	mkdir -p "$OUT"
	N=0
}

teardown() {
	stop_all_bg
}

# j RC ARGS...: runs "sockx --json ARGS..." (stdin from $IN, or nothing),
# keeps its stdout as one run, and checks its exit status.
j() {
	local want=$1 rc=0
	shift
	N=$((N + 1))
	timeout 30 "$SOCKX" --json "$@" <"${IN:-/dev/null}" >"$OUT/$N.json" 2>"$OUT/$N.err" || rc=$?
	printf '%s\n' "$*" >"$OUT/$N.cmd"
	if [[ $rc -ne $want ]]; then
		echo "sockx --json $* exited $rc, not $want:"
		cat "$OUT/$N.err"
		return 1
	fi
}

# keep NAME: a background server's stdout as one more run.
keep() {
	N=$((N + 1))
	cp "$BATS_TEST_TMPDIR/$1.out" "$OUT/$N.json"
	echo "server $1" >"$OUT/$N.cmd"
}

# check: every run against the page; a problem names the run's command.
check() {
	local f rc=0 out
	for f in "$OUT"/*.json; do
		[[ -s "$f" ]] || { echo "$(cat "${f%.json}.cmd"): no events"; rc=1; continue; }
		out=$(python3 "$CHECK" "$DOC" "$f") || {
			echo "sockx --json $(cat "${f%.json}.cmd"):"
			echo "$out"
			rc=1
		}
	done
	return $rc
}

@test "json-schema: the checker reads a schema out of the page and catches drift" {
	run -0 python3 "$CHECK" "$DOC" --dump
	assert_line 'sent: n:integer, seq:integer, try:integer, bytes:integer, data:string'
	assert_line --regexp '^summary: sent:integer, replies:integer, rtt_min_ms:number'
	local f="$BATS_TEST_TMPDIR/x.json"
	# in order, typed, fixed point: passes
	echo '{"event":"sent","t":0.1,"seq":1,"try":1,"bytes":5}' >"$f"
	run -0 python3 "$CHECK" "$DOC" "$f"
	# each kind of drift fails
	local bad
	for bad in '{"event":"sent","t":0.1,"seq":1,"bytes":5,"try":1}' \
		'{"event":"sent","t":0.1,"seq":"1"}' \
		'{"event":"closed","t":0.1,"peer":"x","fd":3,"duration":9.8417e-05}' \
		'{"t":0.1,"event":"eof"}' \
		'{"event":"nosuch","t":0.1}' \
		'{"event":"received","t":0.1,"peer":"x","bytes":5,"truncated":true,"kept":4}'; do
		echo "$bad" >"$f"
		run -1 python3 "$CHECK" "$DOC" "$f"
	done
	printf '%s\n' '{"event":"summary","t":0.1,"sent":2,"replies":2}' '{"event":"closed","t":0.2}' >"$f"
	run -1 python3 "$CHECK" "$DOC" "$f"
	assert_output --partial 'after the summary'
	printf '%s\n' '{"event":"error","t":0.1,"command":"x","message":"m","exit":1}' '{"event":"closed","t":0.2}' >"$f"
	run -1 python3 "$CHECK" "$DOC" "$f"
	assert_output --partial 'after an error'
}

@test "json-schema: tcp-server and tcp-client, messages, netcat mode and failures" {
	start_server srv "$SOCKX" --json tcp-server -p 0 --mode upper
	j 0 tcp-client 127.0.0.1 "$PORT" -m hello -m 'second one'
	j 0 tcp-client 127.0.0.1 "$PORT" -m once
	j 0 tcp-client 127.0.0.1 "$PORT" -m x --count 3 --interval 0.01
	printf 'one\ntwo\n' >"$BATS_TEST_TMPDIR/in"
	IN="$BATS_TEST_TMPDIR/in" j 0 tcp-client 127.0.0.1 "$PORT"
	j 1 tcp-client 127.0.0.1 "$(closed_port)" -m hi
	j 2 tcp-client --nosuch
	start_server slow "$SOCKX" tcp-server -p 0 --mode discard
	j 1 tcp-client -w 0.2 127.0.0.1 "$PORT" -m nobody-answers -m again
	stop_bg srv
	keep srv
	stop_bg slow
	check
}

@test "json-schema: udp-server and udp-client: replies, truncation, retries, timeouts" {
	start_server srv "$SOCKX" --json udp-server -p 0 --buffer 8
	j 0 udp-client 127.0.0.1 "$PORT" -m hello -m hi
	j 0 udp-client 127.0.0.1 "$PORT" --size 8 --count 3 --interval 0.01
	j 1 udp-client 127.0.0.1 "$PORT" -m 'longer than eight bytes' -w 0.2 --retries 1
	printf 'a\nb\n' >"$BATS_TEST_TMPDIR/in"
	IN="$BATS_TEST_TMPDIR/in" j 0 udp-client 127.0.0.1 "$PORT"
	start_server quiet "$SOCKX" udp-server -p 0 --mode discard
	j 1 udp-client 127.0.0.1 "$PORT" -m x -w 0.1 --retries 1
	stop_bg srv
	keep srv
	stop_bg quiet
	check
}

@test "json-schema: unix: servers, clients, datagrams and the demonstration" {
	local name
	name=$(fresh_name s)
	start_unix srv --json unix -l "$name" --mode upper
	j 0 unix "$name" -m hello -m two
	name=$(fresh_name d)
	start_unix dg --json unix -l --dgram "$name"
	j 0 unix --dgram "$name" -m hello
	name=$(fresh_name q)
	start_unix sq --json unix -l --seqpacket "$name"
	j 1 unix --seqpacket "$name" -m hello --recv-size 2
	j 0 unix
	j 0 unix --dgram
	j 0 unix --seqpacket
	j 1 unix "$(fresh_name nobody)" -m x
	local s
	for s in srv dg sq; do
		stop_bg "$s"
		keep "$s"
	done
	check
}

@test "json-schema: matrix, tour, capture, help and errors" {
	j 0 matrix
	j 0 tour --only tcp4,udp4,unix-stream --no-verify
	j 0 capture -r "$BATS_TEST_DIRNAME/data/tcp4_echo.pcap"
	j 0 capture -r "$BATS_TEST_DIRNAME/data/tcp4_echo.pcap" --streams
	j 0 capture -r "$BATS_TEST_DIRNAME/data/icmp6.pcap"
	j 0 capture -r "$BATS_TEST_DIRNAME/data/udp4.pcap"
	j 1 capture -r /nonexistent.pcap
	j 0 help
	j 0 help tcp-client
	j 0 --version
	j 0 --list-commands
	j 2 nosuchcommand
	j 2 udp-client -w nonsense
	check
}

@test "json-schema: raw-icmp, --dump and --verify (root)" {
	skip_unless_root
	j 0 raw-icmp -c 2 -i 0.05 127.0.0.1
	j 0 raw-icmp -6 -c 2 -i 0.05 ::1
	j 0 raw-icmp --dump -c 1 127.0.0.1
	j 0 raw-icmp --verify -c 2 -i 0.05 127.0.0.1
	start_server srv "$SOCKX" tcp-server -p 0 --mode echo
	j 0 tcp-client --verify 127.0.0.1 "$PORT" -m hello -m again
	start_server usrv "$SOCKX" udp-server -p 0
	j 0 udp-client --verify 127.0.0.1 "$PORT" -m hello
	check
}

@test "json-schema: the event table (src/core/events/*.def) and docs/json.md are equal, both ways" {
	run python3 "$BATS_TEST_DIRNAME/helpers/events_doc.py" \
		"$BATS_TEST_DIRNAME/../src/core/events" "$DOC"
	assert_success
	assert_output ''
}

@test "json-schema: the table check catches a kind the page does not list, and a field out of order" {
	local d="$BATS_TEST_TMPDIR/events"
	mkdir -p "$d"
	printf '%s\n' 'EVENT(made_up, "made_up", EV_SAY, NULL, F(INT, x))' \
		'EVENT(err2, "error", EV_ERROR, "{message}", F(INT, exit) F(STR, command))' >"$d/x.def"
	run python3 "$BATS_TEST_DIRNAME/helpers/events_doc.py" "$d" "$DOC"
	assert_failure
	assert_line --partial "kind made_up: event 'made_up' has no section"
	assert_line --partial "kind err2: fields exit:INT,command:STR are in no documented list of 'error'"
	assert_line --partial "'listening' is documented but no kind of the table emits it"
}

@test "json-schema: --json -v carries the trace as call events, in the documented shape" {
	start_server srv "$SOCKX" tcp-server -p 0 --mode upper
	j 0 -v tcp-client 127.0.0.1 "$PORT" -m hi
	run python3 "$CHECK" "$DOC" "$OUT"/*.json
	assert_success
	run jq -r 'select(.event == "call") | .name' "$OUT/1.json"
	assert_line socket
	assert_line connect
	assert_line close
	run jq -r 'select(.event == "call" and .name == "connect" and .ret == -1) | .errno' "$OUT/1.json"
	assert_output EINPROGRESS
}
