#!/usr/bin/env bats
# sockx timeline FILE: saved --json --timeline runs drawn again through the
# model. A real run is saved and replayed: the replay's JSON must be the
# live run's, row for row (tests/helpers/timeline_replay.py), and its text
# ladder one line per row. Hostile files: errors name the line, nothing
# crashes (a few hundred corrupted copies: tests/helpers/timeline_fuzz.py).

# shellcheck disable=SC2154 # $output, $stderr and $lines: set by bats run
load helpers/common
load helpers/net

MSG='你好,服务器!'	# 17 bytes of UTF-8
CMP="$BATS_TEST_DIRNAME/helpers/timeline_replay.py"
FUZZ="$BATS_TEST_DIRNAME/helpers/timeline_fuzz.py"

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	stop_all_bg
}

# save [RUNNER]: the tutorial's exchange against an upper server, saved
# with --json --timeline in $T/run.jsonl (RUNNER: as_nobody, or none).
save() {
	start_server srv "$SOCKX" tcp-server --mode upper -p 0
	run -0 --separate-stderr "$@" "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	printf '%s\n' "$output" >"$T/run.jsonl"
	stop_bg srv
}

# replays: the saved run in $T/run.jsonl replayed as JSON (checked equal
# to it) and as text (checked against its rows); the text in $T/re.txt.
replays() {
	run -0 --separate-stderr "$SOCKX" --json timeline "$T/run.jsonl"
	printf '%s\n' "$output" >"$T/re.jsonl"
	run python3 "$CMP" "$T/run.jsonl" "$T/re.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
	run -0 --separate-stderr "$SOCKX" timeline "$T/run.jsonl"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/re.txt"
	run python3 "$CMP" --text "$T/run.jsonl" "$T/re.txt"
	echo "$output"
	[ "$status" -eq 0 ]
}

# with_row FIELDS: $T/bad.jsonl: the saved run with its 3rd row replaced
# by its first call with FIELDS (a python dict's items) set; BAD_LINE: the
# line number of that row.
with_row() {
	BAD_LINE=$(python3 -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
ev = [json.loads(l) for l in lines]
rows = [i for i, e in enumerate(ev) if e["event"] == "timeline_row"]
call = [ev[i] for i in rows if ev[i]["kind"] == "call"][0]
call.update(eval("dict(" + sys.argv[2] + ")"))
lines[rows[2]] = json.dumps(call)
open(sys.argv[3], "w", encoding="utf-8").write("\n".join(lines) + "\n")
print(rows[2] + 1)
' "$T/run.jsonl" "$1" "$T/bad.jsonl")
}

@test "timeline-replay: the tutorial's exchange, saved, draws again as the live run drew it" {
	skip_unless_root "libpcap captures"
	save
	grep -q '"kind":"packet"' "$T/run.jsonl"
	replays
	[[ $(cat "$T/re.txt") == *"SYN,ACK"* ]]
}

@test "timeline-replay: a refused connect, saved, draws again with its RST" {
	skip_unless_root "libpcap captures"
	start_server srv "$SOCKX" tcp-server -p 0
	stop_all_bg
	run -1 --separate-stderr "$SOCKX" --json tcp-client 127.0.0.1 "$PORT" -m "$MSG" --timeline
	printf '%s\n' "$output" >"$T/run.jsonl"
	replays
	[[ $(cat "$T/re.txt") == *"RST"* && $(cat "$T/re.txt") == *"ECONNREFUSED"* ]]
}

@test "timeline-replay: a run without CAP_NET_RAW (no wire) draws again, by nobody too" {
	skip_unless_root "setpriv to nobody"
	nobody_copy
	save as_nobody
	grep -q '"wire":false' "$T/run.jsonl"
	replays
	cp "$T/run.jsonl" "$NOBODY_DIR/"
	run -0 --separate-stderr as_nobody "$SOCKX" timeline run.jsonl
	[ "$output" == "$(cat "$T/re.txt")" ]
}

@test "timeline-replay: stdin, '-' and FILE draw alike" {
	save
	run -0 --separate-stderr "$SOCKX" timeline "$T/run.jsonl"
	local want=$output
	[[ -n $want ]]
	run -0 --separate-stderr "$SOCKX" timeline <"$T/run.jsonl"
	[ "$output" == "$want" ]
	run -0 --separate-stderr "$SOCKX" timeline - <"$T/run.jsonl"
	[ "$output" == "$want" ]
}

@test "timeline-replay: two timelines in a file are both drawn; --select picks one" {
	save
	run -0 --separate-stderr "$SOCKX" timeline "$T/run.jsonl"
	local one=$output
	cat "$T/run.jsonl" "$T/run.jsonl" >"$T/two.jsonl"
	run -0 --separate-stderr "$SOCKX" timeline "$T/two.jsonl"
	[ "$output" == "$one"$'\n'"$one" ]
	run -0 --separate-stderr "$SOCKX" timeline -n 2 "$T/two.jsonl"
	[ "$output" == "$one" ]
	run -0 --separate-stderr "$SOCKX" --json timeline --select 2 "$T/two.jsonl"
	[ "$(grep -c '"event":"timeline"' <<<"$output")" -eq 1 ]
	run -1 --separate-stderr "$SOCKX" timeline -n 3 "$T/two.jsonl"
	[[ $stderr == *"holds 2 timelines: no timeline 3"* ]]
}

@test "timeline-replay: a line that is not JSON is an error naming its line (exit 2)" {
	save
	with_row 'x=1'
	sed -i "${BAD_LINE}s/.*/{\"event\": \"timeline_row\", oops/" "$T/bad.jsonl"
	run -2 --separate-stderr "$SOCKX" timeline "$T/bad.jsonl"
	[[ $stderr == "sockx: timeline: $T/bad.jsonl:$BAD_LINE: not valid JSON: "* ]]
	printf '[1, 2]\n' >"$T/arr.jsonl"
	run -2 --separate-stderr "$SOCKX" timeline "$T/arr.jsonl"
	[[ $stderr == *"arr.jsonl:1: not a JSON object"* ]]
}

@test "timeline-replay: a line longer than 1 MiB is an error, not read into memory whole" {
	save
	{ head -n 2 "$T/run.jsonl"; python3 -c 'print("{\"event\":\"x\",\"p\":\"" + "a" * (2 << 20) + "\"}")'; } >"$T/big.jsonl"
	run -2 --separate-stderr "$SOCKX" timeline "$T/big.jsonl"
	[[ $stderr == *"big.jsonl:3: a line longer than 1 MiB"* ]]
	# 1 MiB and less is read
	python3 -c 'print("{\"event\":\"x\",\"p\":\"" + "a" * ((1 << 20) - 20) + "\"}")' >"$T/ok.jsonl"
	cat "$T/run.jsonl" >>"$T/ok.jsonl"
	run -0 --separate-stderr "$SOCKX" timeline "$T/ok.jsonl"
}

@test "timeline-replay: fields of the wrong type or out of range are errors naming the field" {
	save
	local c
	for c in 't_ms="1"|t_ms' 't_ms=1e300|t_ms' 'ret=1.5|ret' 'name=7|name' \
		'side="both"|side' 'kind="dance"|kind' 't_end_ms=-5|t_end_ms' 'ret=None|x'; do
		with_row "${c%|*}"
		if [[ ${c#*|} == x ]]; then	# null: an unset field, as --json writes it
			run -0 --separate-stderr "$SOCKX" timeline "$T/bad.jsonl"
			continue
		fi
		run -2 --separate-stderr "$SOCKX" timeline "$T/bad.jsonl"
		[[ $stderr == *"bad.jsonl:$BAD_LINE: field '${c#*|}'"* ]] || fail "$c: $stderr"
	done
	printf '%s\n' '{"event":"timeline","command":["x"],"wire":true}' >"$T/head.jsonl"
	run -2 --separate-stderr "$SOCKX" timeline "$T/head.jsonl"
	[[ $stderr == *"head.jsonl:1: field 'command' is not a string"* ]]
}

@test "timeline-replay: control bytes and 10 KB strings are escaped and cut, never drawn raw" {
	save
	with_row 'args="\x1b]0;owned\x07\x1b[2J" + "A" * 10240, name="好" * 40, errno="\x9b\n"'
	run -0 --separate-stderr "$SOCKX" timeline "$T/bad.jsonl"
	[[ $output != *$'\e'* && $output != *$'\a'* && $output != *$'\xc2\x9b'* ]]
	[[ $output == *'\x1b]0;owned\x07'* ]]
	[[ $output == *'好好好好好('* && $output != *'好好好好好好'* ]]
	[[ $output != *"$(printf 'A%.0s' {1..200})"* ]]
	run -0 --separate-stderr "$SOCKX" --json timeline "$T/bad.jsonl"
	python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]' <<<"$output"
}

@test "timeline-replay: an empty file, or one without a timeline, exits 1" {
	: >"$T/empty.jsonl"
	run -1 --separate-stderr "$SOCKX" timeline "$T/empty.jsonl"
	[[ $stderr == *"empty.jsonl holds no timeline"* ]]
	printf '%s\n' '{"event":"listening","addr":"127.0.0.1","port":1}' >"$T/none.jsonl"
	run -1 --separate-stderr "$SOCKX" timeline <"$T/none.jsonl"
	[[ $stderr == *"stdin holds no timeline"* ]]
	run -1 --separate-stderr "$SOCKX" timeline "$T/missing.jsonl"
	[[ $stderr == *"cannot open"*"No such file"* ]]
}

@test "timeline-replay: rows outside a timeline, and a timeline cut short" {
	save
	grep '"event":"timeline_row"' "$T/run.jsonl" >"$T/rows.jsonl"
	run -2 --separate-stderr "$SOCKX" timeline "$T/rows.jsonl"
	[[ $stderr == *"rows.jsonl:1: a \"timeline_row\" event outside a timeline"* ]]
	grep -v '"event":"timeline_end"' "$T/run.jsonl" >"$T/cut.jsonl"
	run -0 --separate-stderr "$SOCKX" timeline "$T/cut.jsonl"
	[[ $stderr == *"the last timeline has no end: drawn as far as it goes"* ]]
}

@test "timeline-replay: a run longer than the 4096 rows the model keeps waiting is drawn whole" {
	python3 -c '
import json
print(json.dumps({"event": "timeline", "command": "x", "self": "s", "peer": "p",
                  "wire": False, "af_unix": False, "why": "no capture", "t0": 100.0}))
for i in range(5000):
    print(json.dumps({"event": "timeline_row", "kind": "call", "side": "self",
                      "t_ms": round(i * 0.01, 6), "t_end_ms": round(i * 0.01 + 0.005, 6),
                      "name": "getsockopt", "args": "3", "ret": 0}))
print(json.dumps({"event": "timeline_end", "items": 5000, "folds": 0, "dropped": 0, "not_kept": 904, "capture_dropped": 0}))
' >"$T/long.jsonl"
	run -0 --separate-stderr "$SOCKX" --json timeline "$T/long.jsonl"
	printf '%s\n' "$output" >"$T/re.jsonl"
	run python3 "$CMP" "$T/long.jsonl" "$T/re.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "timeline-replay: bad command lines exit 2" {
	run -2 --separate-stderr "$SOCKX" timeline a.jsonl b.jsonl
	[[ $stderr == *"one FILE at most"* ]]
	run -2 --separate-stderr "$SOCKX" --json timeline --svg x.svg a.jsonl
	[[ $stderr == *"cannot use --svg and --json together"* ]]
	run -2 --separate-stderr "$SOCKX" timeline -n 0 a.jsonl
	[[ $stderr == *"invalid --select '0'"* ]]
}

@test "timeline-replay: --svg writes one timeline as an SVG, and nothing on stdout" {
	save
	cat "$T/run.jsonl" "$T/run.jsonl" >"$T/two.jsonl"
	run -0 --separate-stderr "$SOCKX" timeline --svg "$T/out.svg" -n 2 "$T/two.jsonl"
	[ -z "$output" ]
	grep -q '<svg' "$T/out.svg"
}

@test "timeline-replay: a few hundred corrupted saved runs never crash it (exit 0, 1 or 2)" {
	save
	cat "$T/run.jsonl" "$T/run.jsonl" >"$T/two.jsonl"
	mkdir -p "$T/fuzz"
	run python3 "$FUZZ" "$SOCKX" "$T/two.jsonl" 300 "${FUZZ_SEED:-17}" "$T/fuzz"
	echo "$output"
	[ "$status" -eq 0 ]
}
