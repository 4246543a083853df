#!/usr/bin/env bash
# browse.sh DIR URL [WIDTH,HEIGHT]: headless Chromium loads URL offline,
# in a fresh profile under DIR (removed again), and leaves in DIR:
#   dom.html  the document after load (--dump-dom; an XML document that
#             did not parse is Chromium's error page, with a <parsererror>)
#   shot.png  the window, WIDTH x HEIGHT (default 1200,900)
#   log       Chromium's stderr: the page's console messages are its
#             CONSOLE lines
#   net.json  Chromium's net log: every request through its network stack
# The network is closed: no name resolves, and the proxy is a port nothing
# listens on. tests/helpers/browser_check.py reads what is left here.
# Exit status: Chromium's; 124 when it took over 60 s (then it and its
# helpers are killed); 127 when chromium is not installed.
# Used by tests/timeline-browser.bats and docs/gen-timeline.sh.
set -uo pipefail

dir=${1:?usage: browse.sh DIR URL [WIDTH,HEIGHT]}
url=${2:?usage: browse.sh DIR URL [WIDTH,HEIGHT]}
size=${3:-1200,900}
if ! command -v chromium >/dev/null 2>&1; then
	echo "browse.sh: chromium is not installed (make deps installs it)" >&2
	exit 127
fi
mkdir -p "$dir"
profile=$(mktemp -d "$dir/profile.XXXXXX")
rm -f "$dir/dom.html" "$dir/shot.png" "$dir/log" "$dir/net.json"

# timeout leads a process group of its own: Chromium's helpers (zygote,
# renderer, GPU process) are in it, and are killed with it.
timeout --kill-after=5 60 chromium --headless=new --no-sandbox --disable-gpu \
	--disable-dev-shm-usage --user-data-dir="$profile" --no-first-run \
	--disable-extensions --disable-background-networking --disable-sync \
	--host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 \
	--enable-logging=stderr --v=0 --log-net-log="$dir/net.json" \
	--hide-scrollbars --virtual-time-budget=3000 --window-size="$size" \
	--screenshot="$dir/shot.png" --dump-dom "$url" \
	</dev/null >"$dir/dom.html" 2>"$dir/log" 3>&- &
pid=$!
wait "$pid"
rc=$?
# whatever of the group outlived Chromium's main process
kill -KILL -- "-$pid" 2>/dev/null || true
rm -rf "$profile"
exit "$rc"
