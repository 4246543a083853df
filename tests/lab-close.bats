#!/usr/bin/env bats
# sockx lab: partial-send, reset-on-close, half-close, sigpipe, time-wait.
# Each verdict is held against python3's socket module doing the same
# experiment (or ss), so a lab that lied about this kernel would fail here.

load helpers/common

LABS=(partial-send reset-on-close half-close sigpipe time-wait)

# lab NAME: runs `sockx --json lab NAME` into $BATS_TEST_TMPDIR/NAME.json (exit 0).
lab() {
	run -0 --separate-stderr timeout 30 "$SOCKX" --json lab "$1"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/$1.json"
}

# verdict NAME: the verdict word of its lab event.
verdict() {
	jq -r 'select(.event == "lab") | .verdict' "$BATS_TEST_TMPDIR/$1.json"
}

# seen NAME WHAT-PREFIX [value|number]: the observation whose "what" starts so.
seen() {
	jq -r --arg w "$2" --arg f "${3:-value}" \
		'select(.event == "observed" and (.what | startswith($w))) | .[$f]' \
		"$BATS_TEST_TMPDIR/$1.json" | head -n 1
}

@test "lab partial-send: short counts, EAGAIN and EINTR, as python3 sees them" {
	lab partial-send
	# python3 does the non-blocking half the same way: SO_SNDBUF 4096, a
	# peer that does not read, 64 KiB sends until BlockingIOError; then
	# a blocking 1 MiB send that SIGALRM interrupts (its handler does not
	# raise, so the partial count comes back).
	run -0 timeout 20 python3 -c '
import signal, socket
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
ls.bind(("127.0.0.1", 0)); ls.listen(4)
def pair():
    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    c.connect(ls.getsockname()); p, _ = ls.accept(); return c, p
def drain(c, p):
    c.shutdown(socket.SHUT_WR); p.settimeout(5); got = 0
    while True:
        d = p.recv(1 << 18)
        if not d: return got
        got += len(d)
c, p = pair(); c.setblocking(False); short = 0; taken = 0; eagain = 0
for i in range(2000):
    try:
        n = c.send(b"\0" * 65536)
    except BlockingIOError:
        eagain = 1; break
    taken += n; short += n < 65536
c.setblocking(True); got = drain(c, p)
c, p = pair(); signal.signal(signal.SIGALRM, lambda *a: None)
signal.setitimer(signal.ITIMER_REAL, 0.15)
n1 = c.send(b"\0" * 1048576); got1 = drain(c, p)
print(short, eagain, taken, got, n1, got1)'
	read -r short eagain taken got n1 got1 <<<"$output"
	# the kernel behaves as the lab said: a short count, EAGAIN, the
	# receiver gets exactly what send() returned; a partial blocking send
	[[ $short -gt 0 && $eagain -eq 1 && $taken -eq $got ]]
	[[ $n1 -gt 0 && $n1 -lt 1048576 && $got1 -eq $n1 ]]
	[[ $(verdict partial-send) == holds ]]
	# and the lab's own numbers agree with each other and with python3's
	[[ $(seen partial-send "non-blocking send() of 65536 bytes: the first short count" number) -gt 0 ]]
	[[ $(seen partial-send "the next send(), the buffer full") == "-1 EAGAIN"* ]]
	local recv
	recv=$(seen partial-send "the receiver counted" number)
	[[ $(seen partial-send "the receiver counted") == "$recv bytes (send() returned $recv)" ]]
	[[ $(seen partial-send "blocking send() of 1048576 bytes") =~ ^[0-9]+\ bytes\ after ]]
	[[ $(seen partial-send "the same again") == EINTR* ]]
}

@test "lab reset-on-close: the RST and the reply's fate, as python3 sees them" {
	lab reset-on-close
	# The tutorial's exchange in python3: 2000 bytes, the server reads
	# 1024, replies, closes; the client then reads; OutRsts around it.
	run -0 timeout 20 python3 -c '
import socket
def rsts():
    l = [x.split() for x in open("/proc/net/snmp") if x.startswith("Tcp:")]
    return int(l[1][l[0].index("OutRsts")])
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
c = socket.create_connection(ls.getsockname()); s, _ = ls.accept()
c.sendall(b"a" * 2000); s.settimeout(5)
import time; t = time.time()
while len(s.recv(2000, socket.MSG_PEEK)) < 2000 and time.time() - t < 5: time.sleep(0.01)
d = s.recv(1024); s.sendall(d.upper()); r0 = rsts(); s.close(); r1 = rsts()
c.settimeout(5); got = 0; end = "EOF"
try:
    while True:
        x = c.recv(4096)
        if not x: break
        got += len(x)
except ConnectionResetError:
    end = "ECONNRESET"
print(r1 - r0, got, end)'
	read -r rst got end <<<"$output"
	[[ $rst -ge 1 && $end == ECONNRESET ]]
	[[ $(seen reset-on-close "server reads 1024 of 2000: then its recv() returned") == "$end" ]]
	[[ $(seen reset-on-close "server reads 1024 of 2000: the client read of the reply" number) -eq $got ]]
	[[ $(seen reset-on-close "server reads 1024 of 2000: RSTs sent" number) -ge 1 ]]
	[[ $(seen reset-on-close "control, server reads all 2000: then its recv() returned") == "0 (end of stream)" ]]
	if ((got == 0)); then
		[[ $(verdict reset-on-close) == holds ]]
	else
		[[ $(verdict reset-on-close) == depends ]]
	fi
}

@test "lab half-close: shutdown gets the reply, close does not, as python3 sees it" {
	lab half-close
	run -0 timeout 20 python3 -c '
import socket
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
def trip(use_close):
    c = socket.create_connection(ls.getsockname()); s, _ = ls.accept(); s.settimeout(5)
    c.sendall("你好,服务器!".encode())
    if use_close: c.close()
    else: c.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(4096)
        if not d: break
        got += d
    s.sendall(b"got %d bytes" % len(got)); s.close()
    try:
        c.settimeout(5); r = b""
        while True:
            d = c.recv(4096)
            if not d: break
            r += d
        return "%d" % len(r)
    except OSError as e:
        return "errno%d" % e.errno
print(trip(False), trip(True))'
	[[ $output == "12 errno9" ]]	# 12 bytes of reply, then EBADF
	[[ $(verdict half-close) == holds ]]
	[[ $(seen half-close "shutdown(SHUT_WR): the client read of the reply") == "12 bytes, then 0 (end of stream)" ]]
	[[ $(seen half-close "close(): the client read of the reply") == "0 bytes, then EBADF" ]]
}

@test "lab sigpipe: killed by signal 13, or EPIPE, as a python3 writer is" {
	lab sigpipe
	# python3 writers on a connection their server reset (SO_LINGER 0).
	local writer='
import signal, socket, struct, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN if sys.argv[1] == "ign" else signal.SIG_DFL)
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
c = socket.create_connection(ls.getsockname()); s, _ = ls.accept()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
import time; time.sleep(0.05)
flags = socket.MSG_NOSIGNAL if sys.argv[1] == "nosignal" else 0
for i in range(3):
    try:
        c.send(b"x", flags); print("sent", flush=True)
    except OSError as e:
        print(e.errno, flush=True)'
	run -141 timeout 20 python3 -c "$writer" dfl	# 128 + 13: killed by SIGPIPE
	[[ ${lines[0]} == 104 ]]	# ECONNRESET, then the signal
	[[ $(seen sigpipe "SIGPIPE at its default, plain send()") == "send() 1: ECONNRESET; send() 2: killed by signal 13 (PIPE)" ]]
	[[ $(seen sigpipe "SIGPIPE at its default, plain send()" number) -eq 13 ]]
	run -0 timeout 20 python3 -c "$writer" nosignal
	[[ ${lines[*]} == "104 32 32" ]]	# ECONNRESET, EPIPE, EPIPE
	[[ $(seen sigpipe "SIGPIPE at its default, send(MSG_NOSIGNAL)") == "send() 1: ECONNRESET; send() 2: EPIPE; send() 3: EPIPE; exited 0" ]]
	run -0 timeout 20 python3 -c "$writer" ign
	[[ ${lines[*]} == "104 32 32" ]]
	[[ $(seen sigpipe "SIGPIPE ignored (SIG_IGN)") == "send() 1: ECONNRESET; send() 2: EPIPE; send() 3: EPIPE; exited 0" ]]
	[[ $(verdict sigpipe) == holds ]]
}

@test "lab time-wait: ss sees the lab's TIME_WAIT, python3 the same rebinding" {
	need_cmd ss
	lab time-wait
	local p1 p2
	p1=$(seen time-wait "first socket without SO_REUSEADDR: TIME_WAIT entries" what | sed 's/.*127\.0\.0\.1://')
	p2=$(seen time-wait "first socket with SO_REUSEADDR: TIME_WAIT entries" what | sed 's/.*127\.0\.0\.1://')
	[[ $p1 =~ ^[0-9]+$ && $p2 =~ ^[0-9]+$ ]]
	# the lab has exited; its first client socket is still in TIME_WAIT
	# (60 s; the second's was taken over by the lab's connect() again)
	run -0 ss -Htan state time-wait "( sport = :$p1 )"
	[[ ${#lines[@]} -eq 1 && $output == *"127.0.0.1:$p1 "* ]]
	run -0 timeout 20 python3 -c '
import socket
def trial(first_reuse):
    ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
    c = socket.socket()
    if first_reuse: c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("127.0.0.1", 0)); port = c.getsockname()[1]
    c.connect(ls.getsockname()); s, _ = ls.accept()
    c.close(); s.settimeout(5); s.recv(1); s.close()
    import time; time.sleep(0.05); out = []
    for reuse in (0, 1):
        n = socket.socket()
        if reuse: n.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            n.bind(("127.0.0.1", port)); out.append("ok")
        except OSError as e:
            out.append("EADDRINUSE" if e.errno == 98 else str(e.errno))
        n.close()
    return " / ".join(out)
print(trial(False)); print(trial(True))'
	[[ $(seen time-wait "first socket without SO_REUSEADDR: bind") == "${lines[0]}" ]]
	[[ $(seen time-wait "first socket with SO_REUSEADDR: bind") == "${lines[1]}" ]]
	if [[ ${lines[0]} == "EADDRINUSE / ok" ]]; then
		[[ $(verdict time-wait) == holds ]]
	elif [[ ${lines[0]} == "EADDRINUSE / EADDRINUSE" && ${lines[1]} == "EADDRINUSE / ok" ]]; then
		[[ $(verdict time-wait) == depends ]]
	else
		[[ $(verdict time-wait) == "does not hold" ]]
	fi
	[[ $(seen time-wait "first socket without SO_REUSEADDR: TIME_WAIT entries, server side" number) -eq 0 ]]
}

@test "labs partial-send ... time-wait: the text has the claim, the observations and the verdict" {
	local name
	for name in "${LABS[@]}"; do
		run -0 --separate-stderr timeout 30 "$SOCKX" lab "$name"
		[[ ${lines[0]} == "== $name: "* ]]
		[[ ${lines[1]} == "   "* ]]	# how
		[[ ${#lines[@]} -ge 5 && ${lines[2]} =~ ^\ \ \ [^\ ].*:\ .+ ]]
		[[ ${lines[-1]} =~ ^\ \ \ verdict:\ (holds|does\ not\ hold|depends):\ .+[0-9] ]]
	done
}

@test "labs partial-send ... time-wait: run as nobody, within seconds, leave no process behind" {
	# These labs make no namespace (other files' tests may, meanwhile):
	# what they could leave is a forked writer, and sockets of their own.
	SECONDS=0
	nobody_copy
	local me="sockx-lab-close-$$-$RANDOM"	# a name no other test runs
	cp "$SOCKX" "$NOBODY_DIR/$me"
	run -0 --separate-stderr as_nobody timeout 60 "$NOBODY_DIR/$me" --json lab "${LABS[@]}"
	((SECONDS < 20))
	[[ $(jq -r 'select(.event == "lab") | .exit' <<<"$output" | sort -u) == 0 ]]
	[[ $(jq -r 'select(.event == "summary") | .labs' <<<"$output") -eq 5 ]]
	# no writer of the sigpipe lab outlived it
	run pgrep -u 65534 -f "$me"
	# on failure, what was left: shown by bats
	echo "pgrep: $status $output"
	[[ $status -eq 1 ]] || ps -o pid,ppid,stat,args -p "${output//$'\n'/,}"
	[[ $status -eq 1 ]]
}
