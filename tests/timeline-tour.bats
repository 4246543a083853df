#!/usr/bin/env bats
# shellcheck disable=SC2154  # bats sets $stderr
# sockx tour --timeline and --html: each cell's exchange as one timeline,
# the client's calls, the wire and the server's calls on one time axis;
# the report as one self-contained HTML file (python3's parsers witness it).

load helpers/common

# jq over the tour's --json output in $output.
q() { jq -r -s "$1" <<<"$output"; }

# The timeline_row events of the tour's --json output, one per line.
rows() { jq -c 'select(.event == "timeline_row")' <<<"$output"; }

@test "timeline-tour: tcp4 as root: the server's calls in the peer column, the handshake inside connect, before accept" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" tour --only tcp4 --timeline --json
	[[ $(q '[.[] | select(.event == "timeline")] | length') -eq 1 ]]
	[[ $(q '.[] | select(.event == "timeline") | "\(.command)|\(.self)|\(.peer)|\(.wire)"') == \
		"tour cell tcp4|client (tcp-client)|server (tcp-server)|true" ]]
	# the timeline comes after the cell's line
	[[ $(q 'map(.event) | (index("cell") < index("timeline"))') == true ]]
	# the server's own calls, in the peer column
	[[ $(q '[.[] | select(.event == "timeline_row" and .side == "peer" and .name == "listen")] | length') -eq 1 ]]
	# the client's connect holds SYN, SYN,ACK and ACK
	local c0 c1 syn sa ack acc
	c0=$(q '.[] | select(.event == "timeline_row" and .kind == "enter" and .name == "connect") | .t_ms')
	c1=$(q '.[] | select(.event == "timeline_row" and .kind == "return" and .name == "connect") | .t_ms')
	syn=$(q '[.[] | select(.event == "timeline_row" and .flags == "SYN")][0].t_ms')
	sa=$(q '[.[] | select(.event == "timeline_row" and .flags == "SYN,ACK")][0].t_ms')
	ack=$(q '[.[] | select(.event == "timeline_row" and .kind == "packet" and .flags == "ACK" and .side == "self")][0].t_ms')
	acc=$(q '[.[] | select(.event == "timeline_row" and .side == "peer" and (.name // "" | startswith("accept")) and .ret >= 0)][0] | .t_end_ms')
	[[ -n $c0 && -n $c1 && $syn != null && $sa != null && $ack != null && $acc != null ]]
	python3 -c "import sys; c0,syn,sa,ack,c1,acc=map(float,sys.argv[1:]); assert c0 < syn < sa < ack < c1, 'connect does not hold the handshake'; assert acc > ack, 'accept returned before the handshake ended'" \
		"$c0" "$syn" "$sa" "$ack" "$c1" "$acc"
	# the rows in time order
	[[ $(rows | jq -s '[.[].t_ms] == ([.[].t_ms] | sort)') == true ]]
}

@test "timeline-tour: the text ladder: the client's column, the wire, the server's accept at the right" {
	skip_unless_root
	run -0 --separate-stderr "$SOCKX" --color=never tour --only tcp4 --timeline
	[[ "$output" == *"timeline of tour cell tcp4"*"client (tcp-client)"*"wire: lo"*"server (tcp-server)"* ]]
	# accept4 is the line's last column: far right, nothing but bracket
	# marks before it, and its line comes after the handshake's ACK
	python3 -c '
import sys
lines = sys.argv[1].splitlines()
i = next(k for k, l in enumerate(lines) if "accept4(" in l)
head = lines[i].split("accept4(")[0].lstrip()
gap = head[head.index(" "):]
# an accept that blocked while the client called opens a bracket: "┌─ "
assert len(gap) >= 90 and set(gap) <= {" ", "\u2502", "\u250c", "\u2500"}, lines[i]
assert any(l.rstrip().endswith("ACK") or "ACK " in l for l in lines[:i]), "no ACK before accept"
' "$output"
	# the cell's line comes before its timeline
	[[ $(grep -n '^tcp4 ' <<<"$output" | cut -d: -f1) -lt $(grep -n 'timeline of tour cell tcp4' <<<"$output" | cut -d: -f1) ]]
}

@test "timeline-tour: unix-stream: both ends' calls, and the kernel's copies between them" {
	run -0 --separate-stderr "$SOCKX" tour --only unix-stream --timeline --json
	[[ $(q '.[] | select(.event == "timeline") | "\(.af_unix) \(.wire)"') == "true false" ]]
	[[ $(q '[.[] | select(.event == "timeline_row" and .side == "peer" and (.name // "" | startswith("accept")))] | length') -ge 1 ]]
	[[ $(q '[.[] | select(.event == "timeline_row" and .side == "self" and .name == "connect" and .kind != "return")] | length') -eq 1 ]]
	# a transfer each way: the message to the server, the reply back
	[[ $(q '[.[] | select(.event == "timeline_row" and .kind == "transfer") | .side] | sort | join(" ")') == "peer self" ]]
	[[ $(rows | jq -s '[.[].t_ms] == ([.[].t_ms] | sort)') == true ]]
}

@test "timeline-tour: as nobody the calls of both ends are drawn, with no wire" {
	skip_unless_root
	run -0 --separate-stderr as_nobody "$SOCKX" tour --only tcp4 --timeline --json
	[[ $(q '.[] | select(.event == "timeline") | .wire') == false ]]
	[[ $(q '.[] | select(.event == "timeline") | .why') == *CAP_NET_RAW* ]]
	[[ $(q '[.[] | select(.event == "timeline_row" and .kind == "packet")] | length') -eq 0 ]]
	[[ $(q '[.[] | select(.event == "timeline_row" and .side == "peer" and .name == "listen")] | length') -eq 1 ]]
	[[ $(q '[.[] | select(.event == "timeline_row" and .side == "self" and .name == "connect" and .kind != "return")] | length') -eq 1 ]]
	[[ $(rows | jq -s '[.[].t_ms] == ([.[].t_ms] | sort)') == true ]]
}

# check_html FILE: well-formed (every tag closed in order), no script, no
# reference outside the page, each inline <svg> well-formed XML; prints
# the ids of the sections that hold an <svg>.
check_html() {
	python3 - "$1" <<'EOF'
import re, sys, xml.dom.minidom
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "input", "link"}
text = open(sys.argv[1], encoding="utf-8").read()
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.section, self.with_svg = [], None, []
    def handle_starttag(self, tag, attrs):
        assert tag != "script", "a script"
        for k, v in attrs:
            assert k not in ("src", "href") or v.startswith("#"), f"{k}={v}"
            assert not k.startswith("on"), f"an event handler {k}"
        if tag == "section":
            self.section = dict(attrs)["id"]
        if tag == "svg":
            self.with_svg.append(self.section)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
p = P()
p.feed(text)
p.close()
assert not p.stack, f"left open: {p.stack}"
assert "@import" not in text and "url(" not in text, "CSS fetches something"
for m in re.finditer(r"<svg.*?</svg>", text, re.S):
    xml.dom.minidom.parseString(m.group(0))
print("\n".join(p.with_svg))
EOF
}

@test "timeline-tour: --html: one well-formed page, every cell's verdict, a diagram for each cell that ran" {
	local f=$BATS_TEST_TMPDIR/tour.html
	run -0 --separate-stderr "$SOCKX" tour --json --html "$f"
	run -0 --separate-stderr check_html "$f"
	local svgs=$output ran c v
	run -0 --separate-stderr "$SOCKX" tour --json --html "$f"
	ran=$(q '[.[] | select(.event == "cell" and .ran) | "cell-\(.cell)"] | join("\n")')
	[[ -n $ran && $svgs == "$ran" ]]
	while read -r c v; do
		grep -q "<section id=\"cell-$c\">" "$f"
		python3 -c "import re,sys; s=open(sys.argv[1]).read(); m=re.search(r'<section id=\"cell-%s\">.*?</section>' % re.escape(sys.argv[2]), s, re.S); assert m and 'Verdict: <span class=\"' in m.group(0) and '>%s</span>' % sys.argv[3] in m.group(0)" "$f" "$c" "$v"
	done < <(q '.[] | select(.event == "cell") | "\(.cell) \(.verdict)"')
	grep -q "<code>$(uname -s) $(uname -r) " "$f"
	# no temporary file left beside it
	[[ $(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '.tour.html*' | wc -l) -eq 0 ]]
}

@test "timeline-tour: --html escapes what came from the peer: a message with markup stays text" {
	local f=$BATS_TEST_TMPDIR/m.html
	run -0 --separate-stderr "$SOCKX" tour --only unix-stream -m '<script>x</script>&"' --html "$f"
	check_html "$f" >/dev/null
	grep -q '&lt;script&gt;x&lt;/script&gt;&amp;&quot;' "$f"
	! grep -q '<script>' "$f" || false
}

@test "timeline-tour: --html replaces a regular file by rename: its mode kept, a hard link keeps the old content" {
	local f=$BATS_TEST_TMPDIR/r.html
	echo old >"$f"
	chmod 640 "$f"
	ln "$f" "$BATS_TEST_TMPDIR/link"
	run -0 --separate-stderr "$SOCKX" tour --only unix-dgram --html "$f"
	[[ $(stat -c %a "$f") == 640 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/link") == old ]]
	grep -q '<section id="cell-unix-dgram">' "$f"
	[[ $(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '.r.html*' | wc -l) -eq 0 ]]
}

@test "timeline-tour: --html to a full device fails with exit 1; to a directory, refused" {
	run -1 --separate-stderr "$SOCKX" tour --only unix-dgram --html /dev/full
	[[ "$stderr" == *"cannot write '/dev/full': No space left on device"* ]]
	[[ $(jq -r -s '.[-1] | "\(.event) \(.exit)"' <<<"$("$SOCKX" --json tour --only unix-dgram --html /dev/full 2>/dev/null)") == "summary 1" ]]
	run -1 --separate-stderr "$SOCKX" tour --only unix-dgram --html "$BATS_TEST_TMPDIR"
	[[ "$stderr" == *"it is a directory"* ]]
}
