#!/usr/bin/env bash
# gen-man.sh SOCKX [TEMPLATE]: writes the man page to stdout, filling the
# template (default: docs/sockx.1.in next to this script) from the binary:
#   @VERSION@             "sockx X.Y.Z" from SOCKX --version
#   @GLOBAL_OPTIONS@      the global options of SOCKX --help
#   @COMMAND name@        (alone on a line) a .SS for that command: its
#                         synopsis, --help paragraph and options; the
#                         template's own prose for it follows
#   @OTHER_COMMANDS@      the same for every command of --list-commands
#                         that has no @COMMAND@ line of its own
# So the option lists cannot drift from --help: tests/man.bats regenerates
# the page and diffs it with the checked-in docs/sockx.1 (make man).
set -euo pipefail

sockx=${1:?usage: gen-man.sh SOCKX [TEMPLATE]}
tmpl=${2:-$(dirname "$0")/sockx.1.in}
[[ -r "$tmpl" ]] || { echo "gen-man.sh: cannot read $tmpl" >&2; exit 1; }

# roff_text: stdin to roff text: backslashes, hyphens, and lines that
# would start with a control character.
roff_text() {
	sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

# options: the option lines of "--help" text on stdin, from the header
# line $1 ("options:") to the next blank line, as .TP entries. The help
# format is "  %-26s %s": two or more spaces end the left column, unless
# it is 26 wide or more and so followed by a single space.
options() {
	awk -v hdr="$1" '
	function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
	$0 == hdr { on = 1; next }
	on && $0 == "" { on = 0 }
	on && /^  / {
		line = substr($0, 3)
		if (match(line, /[^ ]  +/)) {	# the usual case: a gap
			left = substr(line, 1, RSTART); help = substr(line, RSTART + RLENGTH)
		} else {	# left column 26+ wide: one space, then an upper-case ARG or none
			match(line, /^ *(-[^ ], )?--[^ ]+( [A-Z][^ ]*)?/)
			left = substr(line, 1, RLENGTH); help = substr(line, RLENGTH + 2)
		}
		sub(/^ +/, "", left); sub(/ +$/, "", left)
		n = split(left, w, " "); out = ""
		for (k = 1; k <= n; k++) {
			t = w[k]; sep = (k > 1) ? " " : ""
			if (t ~ /^-/) {
				comma = sub(/,$/, "", t)
				out = out sep "\\fB" esc(t) "\\fR" (comma ? "," : "")
			} else {
				out = out sep "\\fI" esc(t) "\\fR"
			}
		}
		print ".TP"; print out
		help = esc(help)
		if (help ~ /^[.\047]/) help = "\\&" help
		print help
	}'
}

# about: the prose of "--help" text on stdin (after the usage lines, up
# to "options:" or "global options:") as roff paragraphs; indented lines
# (examples) as unfilled text.
about() {
	awk '
	function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); if (s ~ /^[.\047]/) s = "\\&" s; return s }
	!body { if ($0 == "") body = 1; next }
	$0 == "options:" || $0 == "global options:" { exit }
	$0 == "" { gap = 1; next }
	{
		if (gap && printed) { if (nf) { print ".fi"; print ".RE"; nf = 0 } print ".PP" }
		gap = 0
		if ($0 ~ /^[ \t]/) {
			if (!nf) { print ".RS"; print ".nf"; nf = 1 }
			line = $0; sub(/^[ \t]+/, "", line); print esc(line)
		} else {
			if (nf) { print ".fi"; print ".RE"; nf = 0 }
			print esc($0)
		}
		printed = 1
	}
	END { if (nf) { print ".fi"; print ".RE" } }'
}

# command_section NAME: the .SS of one command from "SOCKX NAME --help".
command_section() {
	local name=$1 help usage
	help=$("$sockx" "$name" --help)
	# the usage: the first line after "sockx NAME", and indented continuations
	usage=$(awk -v n="$name" 'NR == 1 { sub("^usage: sockx " n " *", ""); print; next }
		/^[ \t]/ { sub(/^[ \t]+/, ""); print; next } { exit }' <<<"$help")
	printf '.SS %s\n' "$(roff_text <<<"$name")"
	printf '.B sockx %s\n' "$(roff_text <<<"$name")"
	[[ -z "$usage" ]] || roff_text <<<"$usage"
	printf '.PP\n'
	about <<<"$help"
	if grep -qx 'options:' <<<"$help"; then
		printf '.PP\nOptions:\n'
		options 'options:' <<<"$help"
	fi
}

mapfile -t cmds < <("$sockx" --list-commands)
version=$("$sockx" --version)
documented=$(sed -n 's/^@COMMAND \(.*\)@$/\1/p' "$tmpl")

for c in $documented; do
	printf '%s\n' "${cmds[@]}" | grep -qxF -- "$c" ||
		{ echo "gen-man.sh: $tmpl documents '$c', which $sockx does not have" >&2; exit 1; }
done

# ascii: non-ASCII characters (the tutorial's message in some help texts)
# as groff's \[uXXXX], so the page is plain ASCII for every groff; after
# .TH, a fallback for each, for output devices without the glyph (no
# "can't find special character" warning from groff -ww).
ascii() {
	local body
	body=$(perl -CS -pe 's/([^\x00-\x7f])/sprintf("\\[u%04X]", ord($1))/ge')
	awk -v chars="$(grep -o '\\\[u[0-9A-F]*\]' <<<"$body" | sort -u | tr '\n' ' ')" '
	{ print }
	/^\.TH / && !done {
		n = split(chars, c, " ")
		for (i = 1; i <= n; i++) {
			u = substr(c[i], 4, length(c[i]) - 4)
			print ".if !c" c[i] " .char " c[i] " <U+" u ">"
		}
		done = 1
	}' <<<"$body"
}

generate() {
	while IFS= read -r line || [[ -n "$line" ]]; do
		case $line in
		'@GLOBAL_OPTIONS@')
			"$sockx" --help | options 'global options (before or after COMMAND):' ;;
		'@COMMAND '*'@')
			c=${line#@COMMAND }
			command_section "${c%@}" ;;
		'@OTHER_COMMANDS@')
			for c in "${cmds[@]}"; do
				grep -qxF -- "$c" <<<"$documented" || command_section "$c"
			done ;;
		*)
			printf '%s\n' "${line//@VERSION@/$version}" ;;
		esac
	done <"$tmpl"
}

generate | ascii
