#!/usr/bin/env bats
# The man page: proper roff, every command, and its option lists are the
# binary's --help (docs/gen-man.sh; make man regenerates docs/sockx.1).

load helpers/common

DOCS="$BATS_TEST_DIRNAME/../docs"

@test "man: groff -man -ww -z prints no warning" {
	need_cmd groff
	run -0 --separate-stderr groff -man -ww -z "$DOCS/sockx.1"
	[ -z "$stderr" ] || { echo "$stderr"; false; }
	[ -z "$output" ]
}

@test "man: man(1) renders it, without warnings, with every section" {
	need_cmd man
	run -0 --separate-stderr env MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$DOCS/sockx.1"
	# a terminal device without CJK glyphs may lack the tutorial's message
	stderr=$(grep -v "can't find special character 'u[0-9A-F]*'" <<<"$stderr" || true)
	[ -z "$stderr" ] || { echo "$stderr"; false; }
	for s in NAME SYNOPSIS DESCRIPTION 'GLOBAL OPTIONS' COMMANDS ADDRESSES \
		'EXIT STATUS' FILES PRIVILEGES EXAMPLES 'SEE ALSO'; do
		grep -qx "$s" <<<"$output" || { echo "no section $s"; false; }
	done
}

@test "man: the page is ASCII (groff without preconv reads it as Latin-1)" {
	run -1 grep -nP '[^\x00-\x7f]' "$DOCS/sockx.1"
}

@test "man: every command of --list-commands has its own subsection" {
	run -0 "$SOCKX" --list-commands
	[ "${#lines[@]}" -ge 4 ]
	for c in "${lines[@]}"; do
		grep -qxF ".SS ${c//-/\\-}" "$DOCS/sockx.1" || { echo "no .SS for $c"; false; }
	done
}

@test "man: every option of every --help is in the page" {
	local c o
	while read -r c; do
		while read -r o; do
			grep -qF -- "\\fB${o//-/\\-}\\fR" "$DOCS/sockx.1" ||
				{ echo "$c: $o is not in docs/sockx.1"; false; }
		done < <("$SOCKX" "$c" --help | grep -oE '^  +(-[a-zA-Z0-9], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+$')
	done < <("$SOCKX" --list-commands)
}

@test "man: the checked-in page is what gen-man.sh makes from this binary (make man)" {
	run --separate-stderr "$DOCS/gen-man.sh" "$SOCKX"
	[ "$status" -eq 0 ] || { echo "gen-man.sh exited $status: $stderr"; false; }
	diff -u "$DOCS/sockx.1" <(printf '%s\n' "$output") || {
		echo "docs/sockx.1 is stale: run 'make man' and commit it"
		false
	}
}

@test "man: gen-man.sh turns --help option lines into .TP entries" {
	fake="$BATS_TEST_TMPDIR/fake"
	cat >"$fake" <<-'SH'
	#!/bin/sh
	case "$1 $2" in
	"--list-commands ") echo demo ;;
	"--version ") echo "sockx 9.9" ;;
	"--help ") printf 'usage: x\n\nglobal options (before or after COMMAND):\n  -v, --verbose              loud\n\nexit\n' ;;
	"demo --help") printf 'usage: sockx demo [-x] ARG\n       [-y]\n\n.starts with a dot\nand a-dash\n\nsecond paragraph\n  an indented example\n\noptions:\n  -x, --ex N                 an x\n      --a-very-long-option-name VALUE one space only\n      --flag                 .dot\n\nglobal options:\n' ;;
	esac
	SH
	chmod +x "$fake"
	printf '.TH X 1 "" "@VERSION@"\n@GLOBAL_OPTIONS@\n@OTHER_COMMANDS@\n' >"$BATS_TEST_TMPDIR/t.in"
	run -0 "$DOCS/gen-man.sh" "$fake" "$BATS_TEST_TMPDIR/t.in"
	assert_line '.TH X 1 "" "sockx 9.9"'
	assert_line '\fB\-v\fR, \fB\-\-verbose\fR'
	assert_line 'loud'
	assert_line '.SS demo'
	assert_line '.B sockx demo'
	assert_line '[\-x] ARG'
	assert_line '\&.starts with a dot'
	assert_line 'and a\-dash'
	assert_line '[\-y]'
	assert_line 'second paragraph'
	assert_line '.nf'
	assert_line 'an indented example'
	assert_line '\fB\-x\fR, \fB\-\-ex\fR \fIN\fR'
	assert_line '\fB\-\-a\-very\-long\-option\-name\fR \fIVALUE\fR'
	assert_line 'one space only'
	assert_line '\&.dot'
}

@test "man: gen-man.sh refuses a template naming a command the binary lacks" {
	printf '@COMMAND no-such-command@\n' >"$BATS_TEST_TMPDIR/t.in"
	run -1 --separate-stderr "$DOCS/gen-man.sh" "$SOCKX" "$BATS_TEST_TMPDIR/t.in"
	[[ "$stderr" == *"no-such-command"* ]]
}

@test "man: make install puts the page where man finds it" {
	need_cmd man
	d="$BATS_TEST_TMPDIR/root"
	out=$(realpath --relative-to="$BATS_TEST_DIRNAME/.." "$SOCKX")
	# -o: install this binary as it is, never rebuild it
	make -s -C "$BATS_TEST_DIRNAME/.." -o "$out" install DESTDIR="$d" PREFIX=/usr OUT="$out" >/dev/null
	[ -f "$d/usr/share/man/man1/sockx.1" ]
	cmp "$d/usr/share/man/man1/sockx.1" "$DOCS/sockx.1"
	run -0 env MANPATH="$d/usr/share/man" MANWIDTH=80 man -P cat sockx
	[[ "$output" == SOCKX\(1\)* ]]
	grep -qE 'a +socket +explorer' <<<"$output"
}

@test "man: SEE ALSO names the tools and the socket pages" {
	local see
	see=$(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$DOCS/sockx.1")
	for r in 'nc (1)' 'socat (1)' 'ping (8)' 'tcpdump (8)' 'socket (7)' 'raw (7)' \
		'unix (7)' 'ip (7)' 'ipv6 (7)' 'udp (7)' 'tcp (7)'; do
		grep -qF ".BR $r" <<<"$see" || { echo "SEE ALSO lacks $r"; false; }
	done
}
