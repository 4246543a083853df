#!/usr/bin/env bats
# The command line itself: help, version, dispatch, global options, and a
# table of bad command lines (each exit 2 with one "sockx:" line).

load helpers/common

@test "cli: --help lists every command of --list-commands" {
	run -0 "$SOCKX" --help
	assert_output --partial "usage: sockx"
	local c
	while read -r c; do
		assert_output --partial "  $c "
	done < <("$SOCKX" --list-commands)
}

@test "cli: --version prints the version" {
	run -0 "$SOCKX" --version
	assert_output --regexp '^sockx [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "cli: no command is a usage error" {
	run -2 --separate-stderr "$SOCKX"
	[[ "$stderr" == *"usage: sockx"* ]]
}

@test "cli: --help, --version and --list-commands print under -q too; a bare sockx's usage is on stderr, also under --json" {
	run -0 --separate-stderr "$SOCKX" -q --version
	assert_output --regexp '^sockx [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 --separate-stderr "$SOCKX" -q --list-commands
	assert_line udp-client
	run -0 --separate-stderr "$SOCKX" -q udp-client --help
	assert_line --partial 'usage: sockx udp-client'
	run -2 --separate-stderr "$SOCKX" --json
	[[ -z "$output" && "$stderr" == "usage: sockx"* ]]
}

@test "cli: global options work after the command too (--version, --list-commands, --help)" {
	local c
	for c in $("$SOCKX" --list-commands); do
		run -0 "$SOCKX" "$c" --version
		assert_output --regexp '^sockx [0-9]+\.[0-9]+\.[0-9]+$'
		run -0 "$SOCKX" "$c" --list-commands
		assert_output "$("$SOCKX" --list-commands)"
	done
	# the first of them wins, the others and later options are not parsed
	run -0 "$SOCKX" matrix --list-commands --bogus
	assert_line tcp-client
	run -0 "$SOCKX" tcp-client --help --version
	assert_line --partial 'usage: sockx tcp-client'
}

@test "cli: --help lists every global option, --list-commands and --version among them" {
	run -0 "$SOCKX" --help
	assert_line --regexp '^ +--list-commands +[a-z]'
	assert_line --regexp '^ +--version +[a-z]'
	run -0 "$SOCKX" tcp-client --help
	assert_line --regexp '^ +--list-commands +[a-z]'
}

@test "cli: a bare sockx shows the global options under their heading" {
	run -2 --separate-stderr "$SOCKX"
	local want
	want=$("$SOCKX" --help)
	[ "$stderr" = "$want" ]
	[[ "$stderr" == *$'global options (before or after COMMAND):\n  -v, --verbose'* ]]
}

@test "cli: --json help, --json --version and --json --list-commands print JSON" {
	local a
	for a in "--json help" "--json --help" "--json --version" "--version --json" \
		"--json --list-commands" "--json help tcp-client" "--json tcp-client --help" \
		"tcp-client --help --json"; do
		# shellcheck disable=SC2086
		run -0 "$SOCKX" $a
		jq -e . <<<"$output" >/dev/null || { echo "not JSON: sockx $a: $output"; false; }
	done
	run -0 "$SOCKX" --json --version
	[ "$(jq -r '.event + " " + .version' <<<"$output")" = "version $("$SOCKX" --version | cut -d' ' -f2)" ]
	run -0 "$SOCKX" --json help tcp-client
	[ "$(jq -r .text <<<"$output")" = "$("$SOCKX" help tcp-client)" ]
	[ "$(jq -r .command <<<"$output")" = tcp-client ]
	run -0 "$SOCKX" --json help
	[ "$(jq -r .text <<<"$output")" = "$("$SOCKX" --help)" ]
	[ "$(jq -r .command <<<"$output")" = null ]
	run -0 "$SOCKX" --json --list-commands
	[ "$(jq -r .name <<<"$output")" = "$("$SOCKX" --list-commands)" ]
}

@test "cli: an unknown command exits 2 with one sockx: line and a hint" {
	run -2 --separate-stderr "$SOCKX" frobnicate
	[[ "${stderr_lines[0]}" == "sockx: unknown command 'frobnicate'" ]]
	[[ "${stderr_lines[1]}" == hint:* ]]
}

@test "cli: commands match exactly, never by prefix" {
	run -2 --separate-stderr "$SOCKX" tcp-s
}

@test "cli: help COMMAND and COMMAND --help agree" {
	local c
	for c in $("$SOCKX" --list-commands); do
		diff <("$SOCKX" help "$c") <("$SOCKX" "$c" --help)
	done
}

@test "cli: every option in --help parses (no option is documented but unknown)" {
	local c opt
	cd "$BATS_TEST_TMPDIR"	# an option taking "--help" as its FILE writes here
	for c in tcp-server tcp-client; do
		for opt in $("$SOCKX" "$c" --help | grep -oE -- '--[a-z0-9-]+' | sort -u); do
			run --separate-stderr timeout 5 "$SOCKX" "$c" "$opt" --help
			[[ "$stderr" != *"unknown option"* ]] || fail "$c $opt: $stderr"
		done
	done
}

@test "cli: global options work before and after the command" {
	run -0 "$SOCKX" -q tcp-client --help
	run -0 "$SOCKX" tcp-client -q --help
	run -1 --separate-stderr "$SOCKX" -v tcp-client -m x 127.0.0.1 1
	[[ "$stderr" == *"socket(AF_INET, SOCK_STREAM"* ]]
	run -1 --separate-stderr "$SOCKX" tcp-client -v -m x 127.0.0.1 1
	[[ "$stderr" == *"socket(AF_INET, SOCK_STREAM"* ]]
}

@test "cli: --json errors are JSON events on stdout too" {
	run -2 --separate-stderr "$SOCKX" --json tcp-client --count 0 -m x
	echo "$output" | jq -e 'select(.event == "error") | .exit == 2 and (.t | type == "number")'
	[[ "$stderr" == "sockx: tcp-client: invalid --count '0'"* ]]
}

@test "cli: --color=always colours errors, NO_COLOR does not override always" {
	run -2 --separate-stderr "$SOCKX" --color=always tcp-client --count 0 -m x
	[[ "$stderr" == *$'\e['* ]]
	NO_COLOR=1 run -2 --separate-stderr "$SOCKX" tcp-client --count 0 -m x
	[[ "$stderr" != *$'\e['* ]]
}

# Bad command lines: each must exit 2 with exactly one "sockx:" line on
# stderr, quickly, no crash. One per line: the arguments, as a shell word list.
BAD_LINES=(
	"tcp-server -p 70000"
	"tcp-server -p -1"
	"tcp-server -p ''"
	"tcp-server -p 80x"
	"tcp-server -p no-such-service-name"
	"tcp-server --mode shout"
	"tcp-server --backlog -1"
	"tcp-server --backlog 1e3"
	"tcp-server --max-clients x"
	"tcp-server --idle-timeout -1"
	"tcp-server --idle-timeout nan"
	"tcp-server --idle-timeout inf"
	"tcp-server --bogus"
	"tcp-server -b"
	"tcp-server extra"
	"tcp-server --v6only"
	"tcp-server -b 127.0.0.1 --v6only"
	"tcp-client -w abc -m x"
	"tcp-client -w '' -m x"
	"tcp-client --count 0 -m x"
	"tcp-client --count 2"
	"tcp-client --interval 1"
	"tcp-client --connect-timeout x"
	"tcp-client 127.0.0.1 99999"
	"tcp-client 127.0.0.1:99999"
	"tcp-client [::1"
	"tcp-client [::1]x"
	"tcp-client 127.0.0.1 1 2"
	"tcp-client -m"
	"tcp-client -4 ::1 -m x"
	"tcp-client -6 127.0.0.1 -m x"
	"tcp-client -s 127.0.0.1:70000 -m x"
	"-4 -6 tcp-client"
	"udp-server -p 65536"
	"udp-server --mode source"
	"udp-client --size 65508 -m x"
	"udp-client --retries x -m x"
	"udp-client -w 0 -m x"
	"tcp-client -w 0 -m x 127.0.0.1 1"
	"unix -w 0 -m x @x"
	"unix -l"
	"unix -l ''"
	"unix -l /tmp/$(printf '%0120d' 0)"
	"unix --stream --dgram @x"
	"unix --perm 999 -l @x"
	"raw-icmp --ttl 256 127.0.0.1"
	"raw-icmp -s 65508 127.0.0.1"
	"raw-icmp --pattern xyz 127.0.0.1"
	"raw-icmp"
	"matrix extra"
	"tour --only nosuchcell"
	"completions tcsh"
	"help nosuchcommand"
	"--color=sometimes tcp-client"
	"--nope"
)

@test "cli: bad command lines exit 2 with one sockx: line" {
	local line
	for line in "${BAD_LINES[@]}"; do
		eval "set -- $line"
		run --separate-stderr timeout 2 "$SOCKX" "$@"
		[[ $status -eq 2 ]] || fail "'$line': exit $status, stderr: $stderr"
		local n
		n=$(grep -c '^sockx: ' <<<"$stderr" || true)
		[[ $n -eq 1 ]] || fail "'$line': $n sockx: lines: $stderr"
		[[ "$stderr" != *"AddressSanitizer"* && "$stderr" != *"runtime error"* ]] ||
			fail "'$line': sanitizer report: $stderr"
	done
}
