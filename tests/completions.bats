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

@test "completions: bash: command arguments, --list-commands, comma lists, interfaces, files" {
	cd "$BATS_TEST_TMPDIR"
	touch bash-not-a-shell msg.bin
	run -0 complete_bash sockx completions ''
	assert_output $'bash\nzsh\nfish'
	run -0 complete_bash sockx --li
	assert_output --list-commands
	run -0 complete_bash sockx matrix --li
	assert_output --list-commands
	run -0 complete_bash sockx tour --only tcp4,u
	assert_line tcp4,udp4
	assert_line tcp4,unix-stream
	refute_line udp4
	run -0 complete_bash sockx capture -i ''
	assert_line lo
	run -0 complete_bash sockx tcp-client --message-file ms
	assert_output msg.bin
	run -0 complete_bash sockx help ''
	assert_line tcp-client
	refute_line msg.bin
}

# Runs zsh's completion of a line on a pty (tests/helpers/zcomp.zsh).
complete_zsh() {
	timeout 20 zsh "$BATS_TEST_DIRNAME/helpers/zcomp.zsh" "$COMP" "$1"
}

@test "completions: zsh, in a real zsh on a pty: values, arguments, no errors" {
	need_cmd zsh
	zsh -c 'zmodload zsh/zpty' || skip "zsh has no zsh/zpty"
	cd "$BATS_TEST_TMPDIR"
	touch bash-not-a-shell msg.bin
	run -0 complete_zsh 'sockx tcp-server --mode '
	assert_output $'discard\necho\nprint\nsource\nstdio\nupper'
	# ADDR[:PORT]: its colon once broke _arguments ("command not found: PORT]")
	run -0 complete_zsh 'sockx tcp-client -s '
	refute_output --partial 'stderr:'
	run -0 complete_zsh 'sockx help tcp-'
	assert_output $'tcp-client\ntcp-server'
	run -0 complete_zsh 'sockx completions '
	assert_output $'bash\nfish\nzsh'
	run -0 complete_zsh 'sockx tcp-client --message-file ms'
	assert_output msg.bin
	run -0 complete_zsh 'sockx tour --only tcp4,u'
	assert_line udp4
	assert_line unix-stream
	refute_line --partial 'stderr:'
	run -0 complete_zsh 'sockx capture -i '
	assert_line lo
	run -0 complete_zsh 'sockx tcp-client --li'
	assert_output --list-commands
}

@test "completions: fish (complete -C): help, completions, --message-file, lists, interfaces" {
	need_cmd fish
	cd "$BATS_TEST_TMPDIR"
	touch bash-not-a-shell msg.bin
	complete_fish() {
		fish --no-config -c "source $COMP/sockx.fish; complete -C '$1'" | cut -f1
	}
	run -0 complete_fish 'sockx help tcp-'
	assert_output $'tcp-client\ntcp-server'
	run -0 complete_fish 'sockx completions '
	assert_output $'bash\nfish\nzsh'
	run -0 complete_fish 'sockx tcp-client --message-file ms'
	assert_output msg.bin
	run -0 complete_fish 'sockx tour --only tcp4,u'
	assert_line tcp4,udp4
	refute_line udp4
	run -0 complete_fish 'sockx capture -i '
	assert_line lo
	run -0 complete_fish 'sockx tcp-client --li'
	assert_output --list-commands
}
