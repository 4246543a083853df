#!/usr/bin/env bats
# Every example in docs/ runs and does what the page says.
#
# The convention (docs/README.md, "Examples"): a fenced block tagged ```sh is
# a shell session. A line "$ CMD" is a command; the lines after it, up to
# the next "$ ", are its output (stdout and stderr). This file runs each
# command as a reader's shell would (bash -c, no pipefail unless the
# command sets it) and checks that
#   - it exits 0, or N if the command ends with the comment "# exit N";
#   - the output lines shown are lines of the real output, in the order
#     shown, once numbers are blurred (ports, times, byte counts: every run
#     of digits counts as one number, and the blanks around a number as
#     one); other blanks count as printed, so a column's width does. Lines
#     not shown may come between them (a line "..." says so to the reader).
# "$ CMD &" starts a server: the test waits for its "listening on" line and
# the word PORT in later commands of the block becomes its port (PORT2 for
# a second server). "$ kill %N" stops the Nth server of the block; the lines
# after it must appear in that server's output. "sudo CMD" (at the start,
# or after a pipe) runs CMD as root: skipped, with the reason and the rest
# of its block, when the test is not root. Commands run in
# a fresh directory, with the sockx under test first in PATH; "@sockx-" in
# an abstract UNIX name is made unique to the run.

load helpers/common
load helpers/net

DOCS="$BATS_TEST_DIRNAME/../docs"

setup() {
	PATH="$(dirname "$SOCKX"):$PATH"
	export PATH
	WORK="$BATS_TEST_TMPDIR/work"
	mkdir -p "$WORK"
	ln -s "$DOCS" "$WORK/docs"	# examples run from the top of the tree
	# the system's python3 when there is one: a version manager's shim
	# can take a second to start, and the examples start it often
	if [[ -x /usr/bin/python3 ]]; then
		mkdir -p "$BATS_TEST_TMPDIR/bin"
		ln -s /usr/bin/python3 "$BATS_TEST_TMPDIR/bin/python3"
		PATH="$BATS_TEST_TMPDIR/bin:$PATH"
	fi
	cd "$WORK" || return 1
	SKIPPED=()
}

teardown() {
	stop_all_bg
}

# blur: every run of digits becomes "0" and the blanks around it one space
# (a number's width moves what follows, or what precedes it in a column
# aligned right), tabs spaces, trailing blanks gone; the placeholder PORT a number, a unique abstract name what the
# page says, an autobound abstract name (@ and five hex digits) any such
# name.
blur() {
	sed -E -e "s/@sockx-$$-$BATS_TEST_NUMBER-/@sockx-/g" -e 's/\bPORT[0-9]*\b/0/g' \
		-e 's/@[0-9a-f]{5}\b/@0/g' -e 's/[0-9]+/0/g' -e 's/[[:space:]]+0/ 0/g' -e 's/0[[:space:]]+/0 /g' \
		-e 's/\t/ /g' -e 's/[[:space:]]+$//'
}

# expect_lines ACTUAL_FILE LINE...: the LINEs (but "...") are lines of
# the file, both blurred, in their order.
expect_lines() {
	local actual=$1 want got i=0 n
	local -a have
	shift
	blur <"$actual" >"$actual.blur"
	mapfile -t have <"$actual.blur"
	n=${#have[@]}
	for want in "$@"; do
		[[ -z "$want" || "$want" == ... ]] && continue
		want=$(blur <<<"$want")
		got=-1
		while ((i < n)); do
			if [[ "${have[i]}" == "$want" ]]; then
				got=$i
				break
			fi
			i=$((i + 1))
		done
		if ((got < 0)); then
			echo "$PAGE: expected (blurred) line not where the page shows it:"
			echo "$want"
			echo "--- real output (blurred), from line $((i + 1)):"
			printf '%s\n' "${have[@]:i}"
			echo "--- real output:"
			cat "$actual"
			return 1
		fi
		i=$((got + 1))
	done
}

# expect_streams OUT ERR LINE...: a server's output, whose stdout and
# stderr went to two files (so their interleaving is lost): the LINEs
# that are in OUT in their order there, the others in ERR in theirs.
expect_streams() {
	local out=$1 err=$2 line
	local -a o=() e=()
	shift 2
	blur <"$out" >"$out.blur"
	for line in "$@"; do
		if [[ "$line" == ... || -z "$line" ]]; then
			continue
		elif grep -qxF -- "$(blur <<<"$line")" "$out.blur"; then
			o+=("$line")
		else
			e+=("$line")
		fi
	done
	expect_lines "$out" "${o[@]}" && expect_lines "$err" "${e[@]}"
}

# subst CMD: the placeholders filled in (PORT2 before PORT).
subst() {
	local c=$1 i
	for ((i = ${#PORTS[@]}; i >= 2; i--)); do
		c=${c//PORT$i/${PORTS[$i]}}
	done
	((${#PORTS[@]} == 0)) || c=${c//PORT/${PORTS[1]}}
	printf '%s' "${c//@sockx-/@sockx-$$-$BATS_TEST_NUMBER-}"
}

# run_cmd: runs $CMD (with its shown output in EXPECT) and checks it.
run_cmd() {
	local c=$CMD want=0 n rc out="$BATS_TEST_TMPDIR/out"
	[[ -n "$c" ]] || return 0
	CMD=
	if [[ "$c" =~ \#\ exit\ ([0-9]+)$ ]]; then
		want=${BASH_REMATCH[1]}
	fi
	# "sudo" at the start or after a pipe: needs root; run as root, without it
	local sudo_re='(^|[|;&(])[[:space:]]*sudo[[:space:]]'
	if [[ "$c" =~ $sudo_re ]]; then
		if [[ $(id -u) -ne 0 ]]; then
			SKIPPED+=("$c")
			BLOCK_SKIP=1
			return 0
		fi
		c=$(sed -E 's/(^|[|;&(])([[:space:]]*)sudo[[:space:]]+/\1\2/g' <<<"$c")
	fi
	((BLOCK_SKIP)) && { SKIPPED+=("$c"); return 0; }
	c=$(subst "$c")
	if [[ "$c" =~ ^kill\ %([0-9]+)$ ]]; then
		n=${BASH_REMATCH[1]}
		stop_bg "srv$n"
		expect_streams "$BATS_TEST_TMPDIR/srv$n.out" "$BATS_TEST_TMPDIR/srv$n.err" "${EXPECT[@]}"
		return
	fi
	if [[ "$c" == *" &" ]]; then
		n=$((${#PORTS[@]} + 1))
		# like start_server, but a UNIX server's line has no port
		start_bg "srv$n" bash -c "exec ${c% &}"
		wait_line "$BATS_TEST_TMPDIR/srv$n.out" '^(listening on |\{"event":"listening")' 10 || {
			echo "$PAGE: server did not start: $c"
			cat "$BATS_TEST_TMPDIR/srv$n.err"
			return 1
		}
		PORTS[n]=$(port_of "srv$n")
		expect_lines "$BATS_TEST_TMPDIR/srv$n.out" "${EXPECT[@]}"
		return
	fi
	rc=0
	# raw-icmp reads every echo on lo, and the plain and the ASan suites run
	# side by side (make check-all): as root, in a network namespace of its own
	if [[ $(id -u) -eq 0 && "$c" == *raw-icmp* ]]; then
		timeout 60 unshare --net bash -c "ip link set lo up && $c" >"$out" 2>&1 </dev/null || rc=$?
	else
		timeout 60 bash -c "$c" >"$out" 2>&1 </dev/null || rc=$?
	fi
	if [[ $rc -ne $want ]]; then
		echo "$PAGE: '$c' exited $rc, the page says $want:"
		cat "$out"
		return 1
	fi
	expect_lines "$out" "${EXPECT[@]}"
}

# end_block: stops the block's servers.
end_block() {
	local n
	for n in "${!BG_PID[@]}"; do
		stop_bg "$n"
	done
	PORTS=()
	BLOCK_SKIP=0
}

# run_page PAGE: every ```sh block of docs/PAGE, in order.
run_page() {
	local line inblock=0 blocks=0
	PAGE=$1
	CMD=
	EXPECT=()
	PORTS=()
	BLOCK_SKIP=0
	while IFS= read -r line || [[ -n "$line" ]]; do
		if ((!inblock)); then
			[[ "$line" == '```sh' ]] && { inblock=1; blocks=$((blocks + 1)); }
			continue
		fi
		if [[ "$line" == '```' ]]; then
			run_cmd || return 1
			end_block
			inblock=0
		elif [[ "$line" == '$ '* ]]; then
			run_cmd || return 1
			CMD=${line#\$ }
			EXPECT=()
		elif [[ -n "$CMD" && "$CMD" == *\\ && ${#EXPECT[@]} -eq 0 ]]; then
			CMD="${CMD%\\}${line}"
		else
			EXPECT+=("$line")
		fi
	done <"$DOCS/$PAGE"
	((!inblock)) || { echo "$PAGE: a \`\`\`sh block is not closed"; return 1; }
	((blocks > 0)) || { echo "$PAGE: no \`\`\`sh examples"; return 1; }
	if ((${#SKIPPED[@]})); then
		skip "needs root: ${SKIPPED[*]}"
	fi
}

@test "docs: every page is in the index and every page with examples has a test here" {
	local f
	for f in "$DOCS"/*.md "$DOCS"/*/*.md; do
		[[ -e "$f" ]] || continue
		f=${f#"$DOCS"/}
		[[ "$f" == README.md ]] && continue
		[[ "$f" == labs/* ]] && continue	# parts of labs.md (docs/gen-labs.sh)
		[[ "$f" == timeline/* ]] && continue	# parts of timeline.md (docs/gen-timeline.sh)
		grep -qF "($f)" "$DOCS/README.md" || { echo "docs/README.md does not link $f"; false; }
		if grep -qx '```sh' "$DOCS/$f"; then
			grep -qF "run_page $f" "$BATS_TEST_FILENAME" || { echo "no test runs $f"; false; }
		fi
	done
}

# slugs FILE: the anchors of FILE's headings, as GitHub makes them.
slugs() {
	sed -n 's/^#\{1,6\} //p' "$1" | tr '[:upper:]' '[:lower:]' |
		sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

@test "docs: every link between the pages leads to a page" {
	local f l anchor target base
	for f in "$DOCS"/*.md "$DOCS"/*/*.md; do
		[[ -e "$f" ]] || continue
		base=${f%/*}
		# parts of a generated page link as the page in docs/ does
		[[ $f == "$DOCS"/timeline/* ]] && base=$DOCS
		while read -r l; do
			anchor=
			[[ "$l" == *#* ]] && anchor=${l#*#}
			target=${l%%#*}
			[[ -n "$target" ]] || target=${f##*/}
			if [[ -n "$anchor" && "$target" == *.md && "$l" != http* ]]; then
				slugs "$base/$target" | grep -qxF -- "$anchor" ||
					{ echo "$f: no heading for #$anchor in $target"; false; }
			fi
			l=${l%%#*}
			[[ -z "$l" || "$l" == http* || "$l" == mailto:* ]] && continue
			# performance.md is written on another branch; linked ahead
			[[ "$l" == performance.md && ! -e "$DOCS/performance.md" ]] && continue
			[[ -e "$base/$l" ]] || { echo "$f: broken link $l"; false; }
		done < <(grep -oE '\]\([^)]+\)' "$f" | sed -E 's/^\]\((.*)\)$/\1/')
	done
}

@test "docs: every man page linked is one Linux has (man -w finds it)" {
	man -w 7 raw >/dev/null 2>&1 || fail "raw(7) is missing: make deps installs manpages and manpages-dev"
	local l sec name bad=()
	while read -r l; do
		sec=${l#*/man-pages/man}
		sec=${sec%%/*}
		name=${l##*/}
		name=${name%."$sec".html}
		# sctp(7) comes with lksctp-tools, not the man-pages package
		[[ "$name" == sctp ]] && continue
		man -w "$sec" "$name" >/dev/null 2>&1 || bad+=("$name($sec)")
	done < <(grep -rhoE 'https://man7.org/linux/man-pages/man[0-9]/[a-z0-9_.-]+\.html' \
		"$DOCS" "$DOCS/../README.md" | sort -u)
	[ "${#bad[@]}" -eq 0 ] || { echo "no such man page: ${bad[*]}"; false; }
}

@test "docs: security.md names every command that keeps CAP_NET_RAW (CMD_RAW in src/cmds.h)" {
	local want have
	want=$(sed -nE 's/^CMD\("([a-z-]+)", [a-z_]+, CMD_RAW,.*/\1/p' "$DOCS/../src/cmds.h" | sort)
	[[ -n "$want" ]]
	have=$(grep -oE 'flagged `CMD_RAW` in `src/cmds.h` \([^)]*\)' "$DOCS/security.md" |
		sed -E 's/.*\((.*)\)/\1/' | tr ',' '\n' | tr -d ' ' | sort)
	diff <(echo "$want") <(echo "$have")
}

@test "docs: setcap is spelled the same (+p, permitted only) in hints, README and pages" {
	local f
	run -0 grep -rhoE 'setcap [a-z_,]+\+[a-z]+' "$DOCS" "$DOCS/../README.md" "$DOCS/../src" "$DOCS/../Makefile"
	for f in "${lines[@]}"; do
		[[ "$f" == *+p ]] || { echo "not +p: $f"; false; }
	done
}

@test "docs: the runner itself: exit codes, blurred output, servers, PORT, kill" {
	mkdir -p "$BATS_TEST_TMPDIR/d"
	DOCS="$BATS_TEST_TMPDIR/d"
	cat >"$DOCS/t.md" <<-'MD'
	```sh
	$ echo 'port 80 at 10:20'
	port 8080 at 1:2
	$ false   # exit 1
	$ sockx tcp-server -p 0 --mode upper &
	listening on 127.0.0.1:PORT
	$ printf 'ab' | sockx tcp-client 127.0.0.1:PORT
	AB
	$ kill %1
	...
	summary: 1 clients, 2 bytes in, 2 bytes out
	```
	MD
	run_page t.md
	printf '```sh\n$ echo a\nb\n```\n' >"$DOCS/bad.md"
	run ! run_page bad.md
	printf '```sh\n$ true # exit 3\n```\n' >"$DOCS/bad.md"
	run ! run_page bad.md
	# the order of the lines counts
	printf '```sh\n$ printf "a\\nb\\nc\\n"\na\n...\nc\n```\n' >"$DOCS/ok.md"
	run_page ok.md
	printf '```sh\n$ printf "a\\nb\\n"\nb\na\n```\n' >"$DOCS/bad.md"
	run ! run_page bad.md
	# so do blanks, but after a number
	printf '```sh\n$ echo "x     y 1   z"\nx     y 22 z\n```\n' >"$DOCS/ok.md"
	run_page ok.md
	printf '```sh\n$ echo "x     y"\nx y\n```\n' >"$DOCS/bad.md"
	run ! run_page bad.md
	# a pipeline exits as its last command does, as in a reader's shell
	printf '```sh\n$ false | true\n```\n' >"$DOCS/ok.md"
	run_page ok.md
}

@test "docs: tutorial-mistakes.md" {
	run_page tutorial-mistakes.md
}

@test "docs: concepts.md" {
	run_page concepts.md
}

@test "docs: cells/inet-stream.md" {
	run_page cells/inet-stream.md
}

@test "docs: cells/inet6-stream.md" {
	run_page cells/inet6-stream.md
}

@test "docs: cells/unix-stream.md" {
	run_page cells/unix-stream.md
}

@test "docs: cells/unix-dgram.md" {
	run_page cells/unix-dgram.md
}

@test "docs: cells/unix-seqpacket.md" {
	run_page cells/unix-seqpacket.md
}

@test "docs: cells/unix-raw.md" {
	run_page cells/unix-raw.md
}

@test "docs: cells/inet-seqpacket.md" {
	run_page cells/inet-seqpacket.md
}

@test "docs: cells/inet6-seqpacket.md" {
	run_page cells/inet6-seqpacket.md
}

@test "docs: cells/missing.md" {
	run_page cells/missing.md
}

@test "docs: json.md" {
	run_page json.md
}

@test "docs: json.md documents every event name in src/" {
	local src="$BATS_TEST_DIRNAME/../src" ev missing=()
	# the names given to ev_begin() and to the helpers that call it
	while read -r ev; do
		grep -qE "^### .*\`$ev\`" "$DOCS/json.md" || missing+=("$ev")
	done < <(grep -rhoE '\b(ev_begin|conn_event|life_event|life|show_data|note)\([^"]*"[a-z_]+"' "$src" |
		sed -E 's/.*"([a-z_]+)"$/\1/' | sort -u)
	[ "${#missing[@]}" -eq 0 ] || { echo "not in docs/json.md: ${missing[*]}"; false; }
}

@test "docs: cells/inet-dgram.md" {
	run_page cells/inet-dgram.md
}

@test "docs: cells/inet6-dgram.md" {
	run_page cells/inet6-dgram.md
}

@test "docs: cells/inet-raw.md" {
	run_page cells/inet-raw.md
}

@test "docs: cells/inet6-raw.md" {
	run_page cells/inet6-raw.md
}

@test "docs: verify.md" {
	run_page verify.md
}

# man_examples: the EXAMPLES section of docs/sockx.1 as one ```sh block,
# roff escapes undone, and the ports its servers show as PORT, PORT2.
man_examples() {
	local ex ports p i=0
	ex=$(sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$1" |
		awk '/^\.EX/ { on = 1; next } /^\.EE/ { on = 0; next } on' |
		sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\e/\\/g' -e 's/\\&//g')
	ports=$(grep -oE '^listening on .*:[0-9]+$' <<<"$ex" | sed -E 's/.*:([0-9]+)$/\1/')
	for p in $ports; do
		i=$((i + 1))
		ex=$(sed -E "s/\\b$p\\b/PORT$([[ $i -gt 1 ]] && echo $i)/g" <<<"$ex")
	done
	printf '```sh\n%s\n```\n' "$ex"
}

@test "docs: the man page's EXAMPLES run" {
	local d="$BATS_TEST_TMPDIR/man"
	mkdir -p "$d"
	man_examples "$DOCS/sockx.1" >"$d/examples.md"
	grep -q '^\$ sockx tcp-server -p 0 --mode upper &$' "$d/examples.md"
	grep -q 'PORT2' "$d/examples.md"
	DOCS=$d run_page examples.md
}
