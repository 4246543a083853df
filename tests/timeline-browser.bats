#!/usr/bin/env bats
# shellcheck disable=SC2154  # bats sets $output
# A real browser loads what sockx draws: headless Chromium (make deps
# installs it) opens a --svg drawing and a tour's --html report, offline,
# and takes a screenshot of each (tests/helpers/browse.sh). Checked
# (tests/helpers/browser_check.py): the document Chromium built is the
# file's (no XML parse error; every section and diagram there), no console
# message, no request from the page, a screenshot that is not blank.
# As root the drawings hold the wire; as any other user, the calls.

load helpers/common

BROWSE="$BATS_TEST_DIRNAME/helpers/browse.sh"
CHECK="$BATS_TEST_DIRNAME/helpers/browser_check.py"

need_chromium() {
	command -v chromium >/dev/null 2>&1 ||
		skip "chromium is not installed (make deps installs it: Debian's chromium)"
}

teardown() {
	if [[ -n ${SERVER_PID:-} ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
	fi
}

# start_upper: sockx tcp-server --mode upper on 127.0.0.1, port 0; sets PORT.
start_upper() {
	local out=$BATS_TEST_TMPDIR/server.out i
	"$SOCKX" tcp-server --mode upper -b 127.0.0.1 -p 0 >"$out" 2>&1 3>&- &
	SERVER_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [[ $(cat "$out") =~ listening\ on\ [^[:space:]]*:([0-9]+) ]]; then
			PORT=${BASH_REMATCH[1]}
			return
		fi
		sleep 0.05
	done
	echo "the server did not start: $(cat "$out")" >&2
	return 1
}

@test "timeline-browser: Chromium draws a tcp-client --svg: the SVG parses, every text, no console message, not blank" {
	need_chromium
	local svg=$BATS_TEST_TMPDIR/run.svg
	start_upper
	"$SOCKX" tcp-client 127.0.0.1 "$PORT" -m hi --svg "$svg" >/dev/null
	python3 "$BATS_TEST_DIRNAME/helpers/svg_check.py" svg "$svg" 'connect' 'send' 'recv' 'close'
	run "$BROWSE" "$BATS_TEST_TMPDIR/b" "file://$svg" 1000,600
	[[ $status -eq 0 ]] || { cat "$BATS_TEST_TMPDIR/b/log"; false; }
	run python3 "$CHECK" svg "$BATS_TEST_TMPDIR/b" "$svg"
	echo "$output"
	[[ $status -eq 0 ]]
	# the profile is gone, and so is every process of the run
	[[ $(find "$BATS_TEST_TMPDIR/b" -maxdepth 1 -name 'profile.*' | wc -l) -eq 0 ]]
	! pgrep -f -- "--user-data-dir=$BATS_TEST_TMPDIR/b/" >/dev/null || false
}

@test "timeline-browser: Chromium opens a tour --html report offline: every cell's section and diagram, no console message, not blank" {
	need_chromium
	local f=$BATS_TEST_TMPDIR/tour.html
	"$SOCKX" tour --only tcp4,udp4,unix-stream --timeline --html "$f" >/dev/null
	# every cell ran: three sections, a diagram in each
	[[ $(grep -c '<section id="cell-' "$f") -eq 3 && $(grep -c '<svg ' "$f") -eq 3 ]]
	run "$BROWSE" "$BATS_TEST_TMPDIR/b" "file://$f"
	[[ $status -eq 0 ]] || { cat "$BATS_TEST_TMPDIR/b/log"; false; }
	run python3 "$CHECK" html "$BATS_TEST_TMPDIR/b" "$f"
	echo "$output"
	[[ $status -eq 0 ]]
	grep -q '<section id="cell-unix-stream">' "$BATS_TEST_TMPDIR/b/dom.html"
}

@test "timeline-browser: the checks fail on a parse error, a console message, a request from the page, a blank shot" {
	# what browse.sh leaves, made by hand: no browser needed
	local d=$BATS_TEST_TMPDIR/fake svg=$BATS_TEST_TMPDIR/x.svg
	mkdir "$d"
	printf '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><text>a</text><text>b</text></svg>\n' >"$svg"
	cp "$svg" "$d/dom.html"
	: >"$d/log"
	printf '{"constants":{"logEventTypes":{"URL_REQUEST_START_JOB":7}},"events":[%s]}\n' \
		'{"type":7,"params":{"url":"https://update.example/","network_isolation_key":"null null"}}' >"$d/net.json"
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect width="60" height="40" fill="#fff"/><rect x="5" y="5" width="20" height="4"/><line x1="5" y1="30" x2="55" y2="20" stroke="#1f4e9c"/></svg>' >"$BATS_TEST_TMPDIR/small.svg"
	rsvg-convert -o "$d/shot.png" "$BATS_TEST_TMPDIR/small.svg"
	run -0 python3 "$CHECK" svg "$d" "$svg"
	# Chromium's page for XML that did not parse
	printf '<html xmlns="http://www.w3.org/1999/xhtml"><body><parsererror><h3>This page contains the following errors:</h3><div>error on line 1 at column 9: bad</div></parsererror></body></html>' >"$d/dom.html"
	run -1 python3 "$CHECK" svg "$d" "$svg"
	[[ $output == *"could not parse the SVG: error on line 1 at column 9"* ]]
	# a <text> lost
	sed 's|<text>b</text>||' "$svg" >"$d/dom.html"
	run -1 python3 "$CHECK" svg "$d" "$svg"
	[[ $output == *"the document has 1 <text>, the file 2"* ]]
	cp "$svg" "$d/dom.html"
	# a console message
	echo '[1:1:1130/043129.129863:INFO:CONSOLE:1] "Uncaught ReferenceError: f is not defined", source: file:///x (1)' >"$d/log"
	run -1 python3 "$CHECK" svg "$d" "$svg"
	[[ $output == *"console: "*"Uncaught ReferenceError"* ]]
	: >"$d/log"
	# a request keyed by the page's site
	printf '{"constants":{"logEventTypes":{"URL_REQUEST_START_JOB":7}},"events":[%s]}\n' \
		'{"type":7,"params":{"url":"http://example.com/x.png","network_isolation_key":"file:// [internally: file://] file://"}}' >"$d/net.json"
	run -1 python3 "$CHECK" svg "$d" "$svg"
	[[ $output == *"the page requested http://example.com/x.png"* ]]
	# a blank screenshot, and a report whose section lost its diagram
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50"><rect width="50" height="50" fill="#fff"/></svg>' >"$BATS_TEST_TMPDIR/blank.svg"
	rsvg-convert -o "$d/shot.png" "$BATS_TEST_TMPDIR/blank.svg"
	printf '<section id="cell-a"><svg></svg></section>' >"$BATS_TEST_TMPDIR/r.html"
	printf '<html><body><section id="cell-a"><p>x</p></section></body></html>' >"$d/dom.html"
	run -1 python3 "$CHECK" html "$d" "$BATS_TEST_TMPDIR/r.html"
	[[ $output == *"screenshot: "*"dark"* ]]
	[[ $output == *"section cell-a holds 0 <svg> in the document, 1 in the file"* ]]
}
