#!/usr/bin/env bats
# Shell completions: generated from the command table, checked in, parseable,
# and they really complete.

load helpers/common

COMP="$BATS_TEST_DIRNAME/../completions"

@test "completions: the checked-in files are what the binary generates" {
	diff -u "$COMP/sockx.bash" <("$SOCKX" completions bash)
	diff -u "$COMP/_sockx" <("$SOCKX" completions zsh)
	diff -u "$COMP/sockx.fish" <("$SOCKX" completions fish)
}

@test "completions: each parses in its shell" {
	bash -n "$COMP/sockx.bash"
	need_cmd zsh
	zsh -n "$COMP/_sockx"
	need_cmd fish
	fish --no-execute "$COMP/sockx.fish"
}

@test "completions: shellcheck finds nothing in the bash script" {
	need_cmd shellcheck
	shellcheck "$COMP/sockx.bash"
}

# Runs the bash completion function for a command line; prints COMPREPLY.
complete_bash() {
	bash -c '
		source "$1"; shift
		fn=$(complete -p sockx | sed -n "s/.*-F \([^ ]*\) sockx$/\1/p")
		COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
		"$fn" sockx "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP/sockx.bash" "$@"
}

@test "completions: bash completes commands, options and option values" {
	run -0 complete_bash sockx tcp-
	assert_line tcp-server
	assert_line tcp-client
	refute_line help
	run -0 complete_bash sockx tcp-server --mo
	assert_output --mode
	run -0 complete_bash sockx tcp-server --mode u
	assert_output upper
	run -0 complete_bash sockx --color a
	assert_line auto
	assert_line always
	run -0 complete_bash sockx -v tcp-client --js
	assert_output --json
	run -0 complete_bash sockx help tcp-c
	assert_output tcp-client
}

@test "completions: every command of --list-commands is offered" {
	run -0 complete_bash sockx ''
	local c
	for c in $("$SOCKX" --list-commands); do
		assert_line "$c"
	done
}

@test "completions: 'sockx completions' rejects an unknown shell" {
	run -2 --separate-stderr "$SOCKX" completions tcsh
	[[ "$stderr" == "sockx: completions: invalid shell 'tcsh'"* ]]
	run -2 --separate-stderr "$SOCKX" completions
}
