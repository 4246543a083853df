/* \summary: udp-client: datagrams out, replies matched by content, ping-style summary */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udp_client.h"
#include "../../capture/capture.h"
#include "../../core/priv.h"
#include "../../core/serve.h"
#include "../../core/timeline.h"

enum { O_COUNT = OPT_LONG, O_INTERVAL, O_RETRIES, O_SIZE, O_HEX, O_VERIFY, O_PCAP,
       O_STDIN, O_SENDONLY, O_BROADCAST, O_TIMELINE, O_SVG };

static const struct optdef opts[] = {
	{ "message", 'm', "MSG", "send MSG as one datagram and wait for its reply (repeatable)", NULL },
	{ "port", 'p', "PORT", "the peer's port or service (default 9999), when HOST has none", NULL },
	{ "count", O_COUNT, "N", "send the requests (-m or --size) N times over (default 1)", NULL },
	{ "interval", O_INTERVAL, "S", "start a round every S seconds (default 0: at once)", NULL },
	{ "timeout", 'w', "S", "wait S seconds for each reply (default 1)", NULL },
	{ "retries", O_RETRIES, "N", "send a request again up to N times when no reply came (default 0)", NULL },
	{ "size", O_SIZE, "N", "send a generated payload of N bytes (at most 65507 over IPv4, 65527 over IPv6); with --stdin raw: the largest datagram", NULL },
	{ "stdin", O_STDIN, "HOW", "without -m: lines (each line a datagram, the default) or raw (each read of stdin a datagram, byte-exact)", "lines raw" },
	{ "broadcast", O_BROADCAST, NULL, "IPv4: let HOST be a broadcast address (SO_BROADCAST); each request waits all of -w, every host's reply shown with its sender", NULL },
	{ "send-only", O_SENDONLY, NULL, "without -m: send stdin's datagrams and wait for no reply (nc -u); exit 0 once all went out", NULL },
	{ "hex", O_HEX, NULL, "show replies as a hex dump", NULL },
	{ "verify", O_VERIFY, NULL, "capture the datagrams (libpcap) and check the wire carried exactly what was sent and read", NULL },
	{ "pcap", O_PCAP, "FILE", "write the captured datagrams to FILE (pcap, for tcpdump -r or Wireshark)", "@file" },
	{ "timeline", O_TIMELINE, NULL, "-m or --size: draw the run's system calls and its datagrams on one time axis, as it goes", NULL },
	{ "svg", O_SVG, "FILE", "-m or --size: draw that timeline as an SVG sequence diagram into FILE (whole or not at all)", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_udp_client = {
	"[-4|-6] [HOST [PORT]] [-p PORT] [-m MSG]... [--size N] [OPTIONS]",
	"Sends datagrams to HOST:PORT (default 127.0.0.1:9999; also HOST:PORT,\n"
	"[v6]:PORT, or -p PORT with or without HOST) over a connected UDP socket. With -m or --size: sends each\n"
	"request, waits -w seconds for its reply (again, up to --retries times),\n"
	"prints the reply with its round-trip time, and ends with a summary:\n"
	"sent, received, loss, rtt min/avg/max. Replies are matched to requests\n"
	"by content (an echo, or an upper-cased echo); a reply to an earlier\n"
	"request is reported as late or duplicate and not counted. Identical\n"
	"requests cannot be told apart by content: --size payloads differ from\n"
	"one request to the next. A reply that matches nothing answers the\n"
	"request waiting, so servers that do not echo work too. Without -m or\n"
	"--size, stdin: with --stdin lines (the default) each line of stdin\n"
	"(without its newline) is one datagram and each reply a line on stdout;\n"
	"with --stdin raw each read of stdin, up to --size bytes (default: the\n"
	"largest datagram), is one datagram and the replies are written as they\n"
	"came, so a binary file goes through byte-exact. Each datagram waits -w\n"
	"for its reply; --send-only waits for none (fire and forget, as nc -u):\n"
	"the replies are not read, and the run ends, exit 0, once stdin is\n"
	"sent. ICMP port unreachable ends the run at once:\n"
	"'nobody listening', exit 1. Exit 0 when every request got its reply.\n"
	"SIGINT or SIGTERM ends the run there as at its end: the summary, and\n"
	"exit 0 only if every request sent got its reply (one still waiting is\n"
	"lost).\n"
	"--verify and --pcap capture the datagrams on the interface they use (lo\n"
	"for loopback); they need CAP_NET_RAW, and without it nothing is sent\n"
	"(exit 4). --verify checks that every datagram sent and read crossed the\n"
	"wire, size and bytes (exit 3 if the wire differs). A datagram the\n"
	"kernel refused to send (a firewall rule: 'Operation not permitted')\n"
	"counts as sent and lost, and so fails verification.\n"
	"--broadcast sends to a broadcast address (SO_BROADCAST) from an\n"
	"unconnected socket (sendto, recvfrom: the replies come from the hosts,\n"
	"not from the address sent to): each request waits all of -w and every\n"
	"reply is shown with its sender; a request is answered if one came.\n"
	"--timeline (with -m or --size) draws, among the run's lines, its\n"
	"system calls from the first send to the close and the datagrams as\n"
	"captured on the interface (UDP and the payload length), in ms since\n"
	"the exchange began, on one clock; a long run folds its middle into one\n"
	"counted row. An ICMP port unreachable is not drawn: the capture\n"
	"follows the UDP flow only, and the recv() that failed with\n"
	"ECONNREFUSED says it. Without CAP_NET_RAW the calls are drawn and the\n"
	"wire column says why it is empty (not an error).\n"
	"--svg FILE draws the same timeline as a sequence diagram (SVG, self-\n"
	"contained) into FILE at the end, with or without --timeline.",
	opts,
};

#define V4_MAX 65507		/* 65535 - 20 (IPv4 header) - 8 (UDP header) */
#define V6_MAX 65527		/* 65535 - 8: the UDP length field's limit */
#define SEND_MS 1000		/* SO_SNDTIMEO */

enum wait_result { W_TIMEOUT, W_ANSWER, W_REFUSED, W_ERROR, W_STOPPED };

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct udp_client_opts *o = ctx;

	switch (key) {
	case 'm':
		if (o->nmsgs == UDP_MAX_MSGS)
			return fail(sx, EXIT_USAGE, "at most %d messages (-m)", UDP_MAX_MSGS);
		o->msgs[o->nmsgs++] = arg;
		return EXIT_OK;
	case 'p':
		return client_port_opt(sx, &o->port, arg);
	case O_COUNT:
		return opt_num(sx, "--count", arg, 1, 100000000, &o->count);
	case O_INTERVAL:
		return opt_secs(sx, "--interval", arg, 3600, &o->interval_ms);
	case 'w':
		if (opt_wait(sx, "--timeout", arg, 3600, &o->wait_ms) == EXIT_OK)
			return EXIT_OK;
		if (o->wait_ms == 0)	/* it parsed, as 0 */
			hint(sx, "to send without waiting for replies: --send-only");
		return EXIT_USAGE;
	case O_STDIN: {
		static const char *const hows[] = { "lines", "raw", NULL };

		o->stdin_mode = opt_choice(sx, "--stdin", arg, hows);
		o->stdin_set = true;
		return o->stdin_mode < 0 ? EXIT_USAGE : EXIT_OK;
	}
	case O_SENDONLY: o->send_only = true; return EXIT_OK;
	case O_BROADCAST: o->broadcast = true; return EXIT_OK;
	case O_RETRIES:
		return opt_num(sx, "--retries", arg, 0, 100, &o->retries);
	case O_SIZE:
		o->size_set = true;
		return opt_num(sx, "--size", arg, 0, 1UL << 30, &o->size);
	case O_HEX: o->hex = true; return EXIT_OK;
	case O_VERIFY: o->verify = true; return EXIT_OK;
	case O_PCAP: o->pcap = arg; return EXIT_OK;
	case O_TIMELINE: o->timeline = true; return EXIT_OK;
	case O_SVG: o->svg = arg; return EXIT_OK;
	default: return EXIT_USAGE;
	}
}

/* FNV-1a, 64 bits; upper: of the bytes as --mode upper would return them. */
static uint64_t fnv1a(const void *p, size_t n, bool upper)
{
	const unsigned char *c = p;
	uint64_t h = 14695981039346656037ULL;
	unsigned char b;
	size_t i;

	for (i = 0; i < n; i++) {
		b = c[i];
		if (upper && b >= 'a' && b <= 'z')
			b = (unsigned char)(b - 'a' + 'A');
		h = (h ^ b) * 1099511628211ULL;
	}
	return h;
}

/* The request a reply of n bytes with hash h echoes: the newest that fits. */
static struct req *match(struct udp_client *c, size_t n, uint64_t h)
{
	struct req *r;
	unsigned long k;

	for (k = c->seq; k > 0 && c->seq - k < UDP_RING; k--) {
		r = &c->ring[k % UDP_RING];
		if (r->seq == k && r->len == n && (r->h == h || r->hu == h))
			return r;
	}
	return NULL;
}

/*
 * Classifies one datagram of n bytes (its real size) in c->buf. Returns
 * true if it answers the request waiting (c->cur).
 */
static bool on_datagram(struct udp_client *c, size_t n, bool trunc)
{
	struct req *r = match(c, n, fnv1a(c->buf, trunc ? UDP_DGRAM_MAX : n, false));
	double rtt;

	if (!r && c->cur)
		r = c->cur;	/* not an echo at all: the answer of a non-echo server */
	if (!r) {
		c->unexpected++;
		udp_client_note(c, NULL, n, 0);
		return false;
	}
	rtt = (now_mono() - r->sent) * 1000.0;
	if (r != c->cur) {
		if (r->seen)
			c->dups++;
		else
			c->late++;
		udp_client_note(c, r, n, rtt);
		r->seen = true;
		return false;
	}
	if (r->seen) {	/* --broadcast: one more host answered */
		c->more++;
		udp_client_answer(c, r, n, trunc, rtt);
		return false;
	}
	r->seen = true;
	c->received++;
	c->rtt_sum += rtt;
	c->rtt_min = c->received == 1 || rtt < c->rtt_min ? rtt : c->rtt_min;
	c->rtt_max = rtt > c->rtt_max ? rtt : c->rtt_max;
	udp_client_answer(c, r, n, trunc, rtt);
	return true;
}

/*
 * Reads and classifies datagrams until c->cur is answered or the
 * deadline (monotonic seconds) passes. ECONNREFUSED on the connected
 * socket is an ICMP port unreachable: W_REFUSED at once. SIGINT or
 * SIGTERM: W_STOPPED.
 */
static enum wait_result wait_until(struct udp_client *c, double deadline)
{
	struct pollfd p;
	ssize_t n;
	int ms, r;

	for (;;) {
		if (sig_stopped())
			return W_STOPPED;
		ms = (int)((deadline - now_mono()) * 1000.0 + 0.999);
		if (ms <= 0)
			return W_TIMEOUT;
		p = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;	/* a signal: the flag says which */
		if (r == 0)
			return W_TIMEOUT;
		if (r < 0)
			return W_ERROR;
		/* MSG_TRUNC: the real size, even when it did not fit */
		if (c->o->broadcast)
			n = sock_recvfrom(c->sx, c->fd, c->buf, UDP_DGRAM_MAX,
					  MSG_DONTWAIT | MSG_TRUNC, &c->from);
		else
			n = sock_recv(c->sx, c->fd, c->buf, UDP_DGRAM_MAX, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (n < 0)
			return errno == ECONNREFUSED ? W_REFUSED : W_ERROR;
		/* every datagram read, answer or not: the verdict compares them all */
		capture_udp_received(c->cap, c->buf,
				     n > UDP_DGRAM_MAX ? UDP_DGRAM_MAX : (size_t)n);
		/* --broadcast: every host may answer, until the deadline */
		if (on_datagram(c, (size_t)n, n > UDP_DGRAM_MAX) && !c->o->broadcast)
			return W_ANSWER;
	}
}

/*
 * Sends request r (p, n): 0, or W_REFUSED. Other errors lose it, noisily.
 *
 * For --verify a lost send is recorded as sent all the same. The run
 * counts it as sent and lost (the summary's "sent" and "loss"), so the
 * verdict must hold the wire to that count: a datagram the kernel
 * refused to send (EPERM from an nftables output rule, or no buffer
 * space) never reached the wire, and "sent datagram 2 of 3 is not on the
 * wire" (exit 3) says so. Not recording it would leave nothing to tell
 * the wire from the program's own count. ECONNREFUSED is different: it
 * reports an earlier datagram's ICMP error, this one was not sent and
 * the run ends there (exit 1), so it is not recorded.
 */
static int transmit(struct udp_client *c, struct req *r, const void *p, size_t n)
{
	ssize_t w;

	do {	/* the clock starts before send(), as tcp-client's, raw-icmp's and ping's */
		r->sent = now_mono();
		if (c->o->broadcast)
			w = sock_sendto(c->sx, c->fd, p, n, 0, &c->dst);
		else
			w = sock_send(c->sx, c->fd, p, n, 0);
	} while (w < 0 && errno == EINTR);
	r->tries++;
	if (w < 0 && errno == ECONNREFUSED)	/* an earlier datagram's ICMP error */
		return W_REFUSED;
	capture_udp_sent(c->cap, p, n);
	if (w >= 0) {	/* the life of a request, as tcp-client's */
		EMIT(c->sx, sent_udp, .seq = (long long)r->seq, .try = r->tries,
		     .bytes = (long long)n);
		return 0;
	}
	/* e.g. EPERM from a firewall rule: a lost datagram, not a privilege */
	warn_msg(c->sx, "send #%lu: %s", r->seq, strerror(errno));
	return 0;
}

static int refused(struct udp_client *c)
{
	c->cur = NULL;
	return fail(c->sx, EXIT_FAIL, "nobody listening on %s (ICMP port unreachable)", c->peer);
}

/* Remembers the next request, p and n, and makes it the one waiting. */
static struct req *new_req(struct udp_client *c, const void *p, size_t n)
{
	struct req *r = &c->ring[++c->seq % UDP_RING];

	memset(r, 0, sizeof(*r));
	r->seq = c->seq;
	r->len = n;
	r->h = fnv1a(p, n, false);
	r->hu = fnv1a(p, n, true);
	c->sent++;
	c->cur = r;
	return r;
}

/*
 * One request: sent, then sent again up to --retries times while no reply
 * comes within -w. A loss is counted, not fatal. Returns an exit code:
 * not EXIT_OK only when the run must end (nobody listening, an error).
 */
static int exchange(struct udp_client *c, const void *p, size_t n)
{
	struct req *r = new_req(c, p, n);
	enum wait_result w;
	unsigned long t;

	for (t = 0; t <= c->o->retries; t++) {
		if (t) {
			udp_client_no_reply(c, r, true);
			c->retrans++;
		}
		if (transmit(c, r, p, n) == W_REFUSED)
			return refused(c);
		w = wait_until(c, r->sent + c->o->wait_ms / 1000.0);
		if (w == W_TIMEOUT && r->seen)
			w = W_ANSWER;	/* --broadcast: the time for replies is over */
		if (w == W_ANSWER || w == W_STOPPED) {	/* stopped: sent and lost */
			c->cur = NULL;
			return EXIT_OK;
		}
		if (w == W_REFUSED)
			return refused(c);
		if (w == W_ERROR)
			return fail_errno(c->sx, "recv from %s", c->peer);
	}
	c->cur = NULL;
	udp_client_no_reply(c, r, false);
	return EXIT_OK;
}

/* Waits until deadline with no request out: late replies are still shown. */
static int idle_until(struct udp_client *c, double deadline)
{
	switch (wait_until(c, deadline)) {
	case W_REFUSED:
		return refused(c);
	case W_ERROR:
		return fail_errno(c->sx, "recv from %s", c->peer);
	default:
		return EXIT_OK;
	}
}

/* -m or --size: --count rounds, one every --interval seconds. */
static int run_requests(struct udp_client *c)
{
	const struct udp_client_opts *o = c->o;
	double start = now_mono();
	char *payload = NULL;
	unsigned long round;
	int i, rc = EXIT_OK;

	if (o->size_set) {
		payload = malloc(o->size ? o->size : 1);
		if (!payload)
			return fail(c->sx, EXIT_FAIL, "out of memory");
	}
	for (round = 0; round < o->count && rc == EXIT_OK && !sig_stopped(); round++) {
		if (round && o->interval_ms)
			rc = idle_until(c, start + (double)round * o->interval_ms / 1000.0);
		if (payload && rc == EXIT_OK) {
			/* the RFC 864 pattern from offset seq: each request its own bytes */
			mode_source_fill(payload, o->size, c->seq + 1);
			rc = exchange(c, payload, o->size);
		}
		for (i = 0; i < o->nmsgs && rc == EXIT_OK && !sig_stopped(); i++)
			rc = exchange(c, o->msgs[i], strlen(o->msgs[i]));
	}
	free(payload);
	return rc;
}

/*
 * Reads one line of f into buf (cap bytes), without its newline. Returns
 * 1, 0 at the end of f, -1 on a read error, -2 if the line is longer
 * than cap (the rest of it is skipped).
 */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len)
{
	int ch;

	*len = 0;
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
		if (*len == cap) {
			while ((ch = getc_unlocked(f)) != EOF && ch != '\n')
				;
			return -2;
		}
		buf[(*len)++] = (char)ch;
	}
	if (ch == EOF && ferror(f))
		return -1;
	return ch == EOF && *len == 0 ? 0 : 1;
}

/*
 * One datagram of stdin: sent, then its reply awaited as exchange()
 * does; with --send-only only sent. Returns an exit code.
 */
static int deliver(struct udp_client *c, const void *p, size_t n)
{
	struct req *r;

	if (!c->o->send_only)
		return exchange(c, p, n);
	r = new_req(c, p, n);
	c->cur = NULL;
	return transmit(c, r, p, n) == W_REFUSED ? refused(c) : EXIT_OK;
}

/* --stdin raw: each read of stdin, up to --size bytes, is one datagram. */
static int run_raw(struct udp_client *c)
{
	size_t cap = c->o->size_set ? c->o->size : c->max;
	char *buf = malloc(cap);
	ssize_t n;
	int rc = EXIT_OK;

	if (!buf)
		return fail(c->sx, EXIT_FAIL, "out of memory");
	while (rc == EXIT_OK && !sig_stopped()) {
		n = read(STDIN_FILENO, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;	/* a signal: the loop's test says if it stops the run */
		if (n < 0)
			rc = fail_errno(c->sx, "cannot read stdin");
		else if (n == 0)
			break;
		else
			rc = deliver(c, buf, (size_t)n);
	}
	free(buf);
	return rc;
}

/* Stdin mode: each line is a datagram, each reply a line of stdout. */
static int run_lines(struct udp_client *c)
{
	char *line = malloc(c->max);
	unsigned long no = 0;
	size_t len;
	int r, rc = EXIT_OK;

	if (!line)
		return fail(c->sx, EXIT_FAIL, "out of memory");
	while (rc == EXIT_OK && !sig_stopped()) {
		r = read_line(stdin, line, c->max, &len);
		if (r == 0 || sig_stopped())	/* a signal: read() gave EINTR */
			break;
		no++;
		if (r == -1)
			rc = fail_errno(c->sx, "cannot read stdin");
		else if (r == -2)
			rc = fail(c->sx, EXIT_FAIL, "line %lu of stdin is longer than a UDP datagram over %s can carry (%zu bytes)",
				  no, c->max == V4_MAX ? "IPv4" : "IPv6", c->max);
		else
			rc = deliver(c, line, len);
	}
	free(line);
	return rc;
}

/* The largest UDP payload towards a (IPv4-mapped IPv6 is IPv4 on the wire). */
static size_t dgram_max(const struct addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	if (addr_family(a) == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return V6_MAX;
	return V4_MAX;
}

/* Every request must fit in one datagram: a usage error otherwise. */
static int check_sizes(struct udp_client *c)
{
	const char *fam = c->max == V4_MAX ? "IPv4" : "IPv6";
	int i;

	if (c->o->size_set && c->o->size > c->max)
		return fail(c->sx, EXIT_USAGE, "--size %lu is more than a UDP datagram over %s can carry (%zu bytes)",
			    c->o->size, fam, c->max);
	for (i = 0; i < c->o->nmsgs; i++)
		if (strlen(c->o->msgs[i]) > c->max)
			return fail(c->sx, EXIT_USAGE, "message %d (%zu bytes) is more than a UDP datagram over %s can carry (%zu bytes)",
				    i + 1, strlen(c->o->msgs[i]), fam, c->max);
	return EXIT_OK;
}

/*
 * --verify and --pcap: the capture opens after connect(), which sends
 * nothing but fixes our port, so the filter names both ends; without
 * CAP_NET_RAW it fails (exit 4) before any datagram. --timeline or
 * --svg alone (optional): without it the timeline says why its wire is empty, and
 * the run goes on. Either way every capability is gone afterwards: a
 * UDP client needs none.
 */
static int open_capture(struct udp_client *c, const struct addr *peer,
			const struct addr *local)
{
	struct capture_spec cs = {
		.proto = IPPROTO_UDP, .remote = *peer, .local = *local,
		.verify = c->o->verify, .pcap_path = c->o->pcap,
		.data_on_stdout = c->lines, .timeline = c->o->timeline || c->o->svg,
		.optional = !c->o->verify && !c->o->pcap,
	};
	int rc = EXIT_OK;

	if (c->o->verify || c->o->pcap || c->o->timeline || c->o->svg)
		c->cap = capture_open(c->sx, &cs, &rc);
	if (!c->cap) {	/* none asked for, or optional and not possible */
		if (rc != EXIT_OK)
			return rc;
		if (priv_drop_all() < 0)
			trace(c->sx, 1, "cannot drop capabilities: %s", strerror(errno));
		return EXIT_OK;
	}
	capture_set_local(c->cap, local);
	return EXIT_OK;
}

/*
 * --timeline, --svg: "peer HOST:PORT" heads the right column. --svg
 * alone keeps the rows for the file and prints no ladder.
 */
static struct timeline *new_timeline(struct udp_client *c)
{
	char peer[ADDR_TEXT + 8];

	snprintf(peer, sizeof(peer), "peer %s", c->peer);
	return timeline_new(c->sx, "udp-client", "this process (udp-client)", peer,
			    c->o->timeline, c->o->svg);
}

/*
 * --broadcast: an unconnected socket with SO_BROADCAST, bound to port 0
 * of every address, so that the replies of every host come in. Returns
 * the fd, or -1 (errno set) with *failed the call that failed.
 */
static int open_broadcast(struct sockx *sx, struct addr *local, const char **failed)
{
	int fd;

	memset(local, 0, sizeof(*local));
	local->ss.ss_family = AF_INET;
	local->len = sizeof(struct sockaddr_in);
	*failed = "socket";
	fd = sock_socket(sx, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0)
		return -1;
	*failed = "setsockopt SO_BROADCAST";
	if (sock_setopt(sx, fd, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST", 1) == 0) {
		*failed = "bind";
		if (sock_bind(sx, fd, local) == 0)
			return fd;
	}
	sock_close(sx, fd);
	return -1;
}

/*
 * Resolves the peer and connects a UDP socket to it (no packet is sent:
 * connect() fixes the peer, so only its datagrams are received and ICMP
 * errors come back as ECONNREFUSED), then opens the capture. Returns an
 * exit code; c->fd is set.
 */
static int open_peer(struct udp_client *c, int argc, char **argv)
{
	struct sockx *sx = c->sx;
	struct addr dst[ADDR_MAX], local;
	const char *failed;
	char l[ADDR_TEXT];
	int n, which, rc;

	n = client_peer(sx, c->o->port, argc, argv, SOCK_DGRAM, dst, ADDR_MAX);
	if (n < 0)
		return -n;
	c->max = dgram_max(&dst[0]);
	if (check_sizes(c) != EXIT_OK)
		return EXIT_USAGE;
	addr_str(&dst[0], c->peer, sizeof(c->peer));
	c->dst = dst[0];
	if (c->o->broadcast && addr_family(&dst[0]) != AF_INET)
		return fail(sx, EXIT_USAGE, "--broadcast needs an IPv4 address (%s): IPv6 has no"
			    " broadcast, only multicast", c->peer);
	if (c->o->broadcast)
		c->fd = open_broadcast(sx, &local, &failed);
	else
		c->fd = sock_connect_any(sx, dst, 1, NULL, SOCK_DGRAM, 1000, &which, &failed);
	if (c->fd < 0 && sock_broadcast_refused(&dst[0], errno)) {
		fail(sx, EXIT_FAIL, "%s %s: %s: a broadcast address, and the socket has "
		     "no SO_BROADCAST", failed, c->peer, strerror(errno));
		hint(sx, "udp-client talks to one peer over a connected socket; "
		     "--broadcast sends to a broadcast address and reads every host's reply");
		return EXIT_FAIL;
	}
	if (c->fd < 0)
		return fail_open(sx, "%s %s", failed, c->peer);
	sock_set_timeout(sx, c->fd, SO_SNDTIMEO, SEND_MS);
	sock_name(sx, c->fd, &local);
	if ((c->o->timeline || c->o->svg) && !new_timeline(c))	/* before the capture: it fills the wire in */
		return fail(sx, EXIT_FAIL, "out of memory");
	rc = open_capture(c, &dst[0], &local);
	if (rc != EXIT_OK)
		return rc;
	addr_str(&local, l, sizeof(l));
	UDP_EMIT(c, EV_V1, connected_udp, .peer = c->peer, .local = l);
	return EXIT_OK;
}

/* Checks that options fit together; returns an exit code. */
static int check_opts(struct sockx *sx, const struct udp_client_opts *o)
{
	bool raw = o->stdin_set && o->stdin_mode == UDP_STDIN_RAW;

	if (o->nmsgs && (o->stdin_set || o->send_only))
		return fail(sx, EXIT_USAGE, "cannot use -m with %s (it is about stdin)",
			    o->stdin_set ? "--stdin" : "--send-only");
	if (o->size_set && !raw && (o->stdin_set || o->send_only))
		return fail(sx, EXIT_USAGE, "--size without --stdin raw sends a generated payload,"
			    " not stdin: cannot use it with %s", o->stdin_set ? "--stdin lines" : "--send-only");
	if (raw && o->size_set && o->size == 0)
		return fail(sx, EXIT_USAGE, "--stdin raw needs a --size of at least 1 byte");
	if (raw && (o->count != 1 || o->interval_ms))
		return fail(sx, EXIT_USAGE, "--count and --interval need -m or --size, not --stdin");
	if (o->broadcast && (o->verify || o->pcap))
		return fail(sx, EXIT_USAGE, "cannot use %s with --broadcast (the capture follows one peer)",
			    o->verify ? "--verify" : "--pcap");
	if (o->send_only && o->retries)
		return fail(sx, EXIT_USAGE, "--retries resends when no reply came: --send-only waits for none");
	if (o->nmsgs && o->size_set)
		return fail(sx, EXIT_USAGE, "cannot use -m and --size together");
	if (!o->nmsgs && !o->size_set && (o->count != 1 || o->interval_ms))
		return fail(sx, EXIT_USAGE, "--count and --interval need -m or --size");
	/* stdin mode: stdout carries the replies, no room for a ladder */
	if (o->timeline && ((!o->nmsgs && !o->size_set) || raw))
		return fail(sx, EXIT_USAGE, "--timeline needs -m or --size");
	if (o->timeline && o->broadcast)
		return fail(sx, EXIT_USAGE, "cannot use --timeline with --broadcast (the capture follows one peer)");
	/* --svg draws the same timeline: the same conditions */
	if (o->svg && ((!o->nmsgs && !o->size_set) || raw))
		return fail(sx, EXIT_USAGE, "--svg needs -m or --size");
	if (o->svg && o->broadcast)
		return fail(sx, EXIT_USAGE, "cannot use --svg with --broadcast (the capture follows one peer)");
	return EXIT_OK;
}

int cmd_udp_client(struct sockx *sx, int argc, char **argv)
{
	struct udp_client_opts o = { .count = 1, .wait_ms = 1000 };
	struct udp_client *c;
	bool ran;
	int first, rc;

	rc = opt_parse(sx, &info_udp_client, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	rc = check_opts(sx, &o);
	if (rc != EXIT_OK)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(UDP_DGRAM_MAX))) {
		free(c);
		return fail(sx, EXIT_FAIL, "out of memory");
	}
	c->sx = sx;
	c->o = &o;
	c->fd = -1;
	c->raw = o.stdin_set && o.stdin_mode == UDP_STDIN_RAW;
	c->lines = !o.nmsgs && (!o.size_set || c->raw);
	sx->data_out = c->lines;	/* stdin mode: stdout carries the replies */
	sx->hex = o.hex;
	rc = open_peer(c, argc - first, argv + first);
	ran = rc == EXIT_OK;
	if (rc == EXIT_OK) {
		timeline_start(sx);	/* the exchange's calls, not the route lookup's */
		sig_catch_stop();	/* after the capture's own handlers */
		rc = c->raw ? run_raw(c) : c->lines ? run_lines(c) : run_requests(c);
		if (sig_stopped())
			trace(sx, 1, "stopped by %s", strsignal(sig_stopped()));
		/* on stderr too: stdout may go nowhere (-q, >/dev/null) */
		if (rc == EXIT_OK && !o.send_only && c->received < c->sent)
			rc = fail(sx, EXIT_FAIL, "%lu of %lu requests got no reply",
				  c->sent - c->received, c->sent);
	}
	if (c->fd >= 0)
		sock_close(sx, c->fd);
	rc = capture_finish(c->cap, rc);	/* NULL: rc unchanged */
	rc = timeline_finish(sx, rc);	/* after the last packets, before the summary */
	if (ran)	/* the last event: after the verdict (docs/json.md) */
		udp_client_summary(c);
	free(c->buf);
	free(c);
	return rc;
}
