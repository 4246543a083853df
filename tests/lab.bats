#!/usr/bin/env bats
# sockx lab: the framework (list, unknown names, --all, JSON) and the
# wrong-port lab, held against python3's socket module and /proc.

load helpers/common
load helpers/net

@test "lab: with no name, lists every lab of src/cmd/lab/labs.h with its claim" {
	run -0 "$SOCKX" lab
	local n
	n=$(grep -c '^LAB(' "$BATS_TEST_DIRNAME/../src/cmd/lab/labs.h")
	[[ ${#lines[@]} -eq $n ]]
	assert_line --regexp '^wrong-port +a client connecting to a port nobody listens on'
	run -0 "$SOCKX" --json lab
	[[ $(jq -r 'select(.event == "lab_listed") | .name' <<<"$output" | wc -l) -eq $n ]]
}

@test "lab: an unknown lab is a usage error that names the labs; --all with a name too" {
	run -2 --separate-stderr "$SOCKX" lab nosuch
	assert_equal "${stderr_lines[0]}" "sockx: lab: no lab 'nosuch'"
	[[ "${stderr_lines[1]}" == "hint: the labs are: "*wrong-port* ]]
	assert_output ''
	run -2 --separate-stderr "$SOCKX" lab --all wrong-port
	[[ "$stderr" == *"--all and a lab name"* ]]
}

@test "lab wrong-port: ECONNREFUSED and a RST, as python3 sees it too" {
	run -0 --separate-stderr "$SOCKX" --json lab wrong-port
	python3 "$BATS_TEST_DIRNAME/helpers/json_schema.py" "$BATS_TEST_DIRNAME/../docs/json.md" \
		<(printf '%s\n' "$output")
	run jq -r 'select(.event == "lab") | .verdict' <<<"$output"
	assert_output holds
	# the witness: python3 gets ConnectionRefusedError from a bound, unlistened port
	run -0 python3 -c '
import socket
hold = socket.socket(); hold.bind(("127.0.0.1", 0))
c = socket.socket()
try:
    c.connect(hold.getsockname()); print("connected")
except ConnectionRefusedError:
    print("refused")'
	assert_output refused
}

@test "lab wrong-port: the text has the claim, the observations and the verdict" {
	run -0 "$SOCKX" lab wrong-port
	assert_line --index 0 --regexp '^== wrong-port: a client connecting'
	assert_line --regexp '^   connect\(\) to the port nobody listens on .*: ECONNREFUSED after [0-9.]+ ms$'
	assert_line --regexp '^   RSTs this network namespace sent meanwhile \(Tcp OutRsts\): [1-9][0-9]*'
	assert_line --regexp '^   verdict: holds: '
}

@test "lab: several labs end with a summary, also in JSON (the last event)" {
	run -0 "$SOCKX" lab wrong-port wrong-port
	assert_line --regexp '^2 labs: 2 hold, 0 do not hold, 0 depend, 0 could not run, 0 failed \([0-9.]+ s\)$'
	run -0 "$SOCKX" --json lab wrong-port wrong-port
	[[ $(tail -n 1 <<<"$output" | jq -r '.event + " " + (.labs|tostring) + " " + (.exit|tostring)') == "summary 2 0" ]]
}

@test "lab: docs/labs.md has every lab, each with its page and a run that ends in a verdict" {
	local doc="$BATS_TEST_DIRNAME/../docs/labs.md" name
	run -0 "$SOCKX" --json lab
	for name in $(jq -r 'select(.event == "lab_listed") | .name' <<<"$output"); do
		grep -qx "## $name" "$doc" || fail "docs/labs.md: no section '## $name' (make labs-doc)"
		grep -qx "\$ sockx lab $name" "$doc" || fail "docs/labs.md: no run of $name"
		[[ -r "$BATS_TEST_DIRNAME/../docs/labs/$name.md" ]] || fail "no docs/labs/$name.md"
	done
	[[ $(grep -c '^   verdict: ' "$doc") -eq $(jq -r 'select(.event == "lab_listed")' <<<"$output" | grep -c '"name"') ]]
}

@test "lab: the man page names every lab, and tutorial-mistakes.md links labs.md" {
	local name
	run -0 "$SOCKX" --json lab
	for name in $(jq -r 'select(.event == "lab_listed") | .name' <<<"$output"); do
		grep -q "\\b$name\\b" "$BATS_TEST_DIRNAME/../docs/sockx.1.in" || fail "sockx.1.in does not name lab $name"
	done
	grep -qF '(labs.md)' "$BATS_TEST_DIRNAME/../docs/tutorial-mistakes.md"
}

@test "lab: SIGINT during --all ends the lab in hand (undone) and prints the summary" {
	skip_unless_root "the timeouts lab makes network namespaces"
	start_bg all "$SOCKX" --json lab --all
	# wait until the timeouts lab has begun, then interrupt it
	wait_line "$BATS_TEST_TMPDIR/all.out" '"event":"lab_begin".*"name":"timeouts"' 20
	local pid=${BG_PID[all]}	# its namespaces are named after it
	stop_bg all INT
	[[ $BG_RC -eq 1 ]]
	run jq -r 'select(.event == "lab" and .name == "timeouts") | .verdict' "$BATS_TEST_TMPDIR/all.out"
	assert_output failed
	[[ $(tail -n 1 "$BATS_TEST_TMPDIR/all.out" | jq -r .event) == summary ]]
	run ip netns list
	refute_output --partial "sockx-timeouts-$pid-"	# other tests run this lab too
}
