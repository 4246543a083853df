/* \summary: udp-client: datagrams out, replies matched by content, ping-style summary */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../core/serve.h"

enum { O_COUNT = OPT_LONG, O_INTERVAL, O_RETRIES, O_SIZE, O_HEX };

static const struct optdef opts[] = {
	{ "message", 'm', "MSG", "send MSG as one datagram and wait for its reply (repeatable)", NULL },
	{ "count", O_COUNT, "N", "send the requests (-m or --size) N times over (default 1)", NULL },
	{ "interval", O_INTERVAL, "S", "start a round every S seconds (default 0: at once)", NULL },
	{ "timeout", 'w', "S", "wait S seconds for each reply (default 1)", NULL },
	{ "retries", O_RETRIES, "N", "send a request again up to N times when no reply came (default 0)", NULL },
	{ "size", O_SIZE, "N", "send a generated payload of N bytes (at most 65507 over IPv4, 65527 over IPv6)", NULL },
	{ "hex", O_HEX, NULL, "show replies as a hex dump", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_udp_client = {
	"[-4|-6] [HOST [PORT]] [-m MSG]... [--size N] [OPTIONS]",
	"Sends datagrams to HOST:PORT (default 127.0.0.1:9999; also HOST:PORT or\n"
	"[v6]:PORT) over a connected UDP socket. With -m or --size: sends each\n"
	"request, waits -w seconds for its reply (again, up to --retries times),\n"
	"prints the reply with its round-trip time, and ends with a summary:\n"
	"sent, received, loss, rtt min/avg/max. Replies are matched to requests\n"
	"by content (an echo, or an upper-cased echo); a reply to an earlier\n"
	"request is reported as late or duplicate and not counted. Identical\n"
	"requests cannot be told apart by content: --size payloads differ from\n"
	"one request to the next. A reply that matches nothing answers the\n"
	"request waiting, so servers that do not echo work too. Without -m:\n"
	"each line of stdin (without its newline) is one datagram and each\n"
	"reply a line on stdout. ICMP port unreachable ends the run at once:\n"
	"'nobody listening', exit 1. Exit 0 when every request got its reply.",
	opts,
};

#define MAX_MSGS 64
#define DGRAM_MAX 65536		/* the receive buffer: any UDP payload fits */
#define V4_MAX 65507		/* 65535 - 20 (IPv4 header) - 8 (UDP header) */
#define V6_MAX 65527		/* 65535 - 8: the UDP length field's limit */
#define RING 256		/* requests remembered to recognise late replies */
#define SEND_MS 1000		/* SO_SNDTIMEO */

struct udp_client_opts {
	const char *msgs[MAX_MSGS];
	int nmsgs;
	unsigned long count, retries, size;
	bool size_set, hex;
	int interval_ms, wait_ms;
};

/* A request as remembered to recognise its reply: length and hashes. */
struct req {
	unsigned long seq;	/* 1, 2, ...; 0: an unused slot */
	size_t len;
	uint64_t h, hu;		/* FNV-1a of the bytes, and upper-cased */
	double sent;		/* the last transmission */
	unsigned tries;
	bool seen;		/* a reply came (in time or late) */
};

struct udp_client {
	struct sockx *sx;
	const struct udp_client_opts *o;
	int fd;
	bool lines;		/* stdin mode: stdout carries replies only */
	size_t max;		/* the largest datagram of the family */
	char peer[ADDR_TEXT];
	char *buf;		/* one reply, DGRAM_MAX bytes */
	struct req ring[RING];
	struct req *cur;	/* the request waiting for its reply, or NULL */
	unsigned long seq;
	unsigned long sent, received, retrans, late, dups, unexpected;
	double rtt_min, rtt_max, rtt_sum;
};

enum wait_result { W_TIMEOUT, W_ANSWER, W_REFUSED, W_ERROR };

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct udp_client_opts *o = ctx;

	switch (key) {
	case 'm':
		if (o->nmsgs == MAX_MSGS)
			return fail(sx, EXIT_USAGE, "at most %d messages (-m)", MAX_MSGS);
		o->msgs[o->nmsgs++] = arg;
		return EXIT_OK;
	case O_COUNT:
		return opt_num(sx, "--count", arg, 1, 100000000, &o->count);
	case O_INTERVAL:
		return opt_secs(sx, "--interval", arg, 3600, &o->interval_ms);
	case 'w':
		if (opt_secs(sx, "--timeout", arg, 3600, &o->wait_ms) != EXIT_OK)
			return EXIT_USAGE;
		if (o->wait_ms == 0)
			return fail(sx, EXIT_USAGE, "invalid --timeout '%s' (expected more than 0 seconds)", arg);
		return EXIT_OK;
	case O_RETRIES:
		return opt_num(sx, "--retries", arg, 0, 100, &o->retries);
	case O_SIZE:
		o->size_set = true;
		return opt_num(sx, "--size", arg, 0, 1UL << 30, &o->size);
	case O_HEX: o->hex = true; return EXIT_OK;
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

	for (k = c->seq; k > 0 && c->seq - k < RING; k--) {
		r = &c->ring[k % RING];
		if (r->seq == k && r->len == n && (r->h == h || r->hu == h))
			return r;
	}
	return NULL;
}

/*
 * A human line about the exchange: on stdout with -m (none under -q), on
 * stderr as a warning in stdin mode, where stdout carries only replies.
 */
static void notice(struct udp_client *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void notice(struct udp_client *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->lines)
		warn_msg(c->sx, "%s", line);
	else
		say(c->sx, "%s", line);
}

/* A datagram that is not the answer awaited: late, duplicate, unexpected. */
static void note(struct udp_client *c, const char *what, const struct req *r,
		 size_t n, double rtt)
{
	struct sockx *sx = c->sx;

	if (sx->json) {
		ev_begin(sx, what);
		if (r)
			ev_int(sx, "seq", (long long)r->seq);
		ev_int(sx, "bytes", (long long)n);
		if (r)
			ev_num(sx, "rtt_ms", rtt);
		ev_end(sx);
	} else if (!r) {
		notice(c, "%s datagram: %zu bytes, matching no request", what, n);
	} else {
		notice(c, "%s reply to #%lu: %zu bytes, time=%.3f ms (not counted)",
		       what, r->seq, n, rtt);
	}
}

/* Prints the answer: data only in stdin mode, with #seq and rtt with -m. */
static void show_answer(struct udp_client *c, const struct req *r, size_t n,
			bool trunc, double rtt)
{
	struct sockx *sx = c->sx;
	bool data = c->o->nmsgs || c->lines || c->o->hex;

	if (sx->json) {
		ev_begin(sx, "reply");
		ev_int(sx, "seq", (long long)r->seq);
		ev_int(sx, "bytes", (long long)n);
		ev_num(sx, "rtt_ms", rtt);
		ev_int(sx, "tries", r->tries);
		ev_bool(sx, "truncated", trunc);
		if (c->o->nmsgs || c->lines)
			ev_strn(sx, "data", c->buf, trunc ? DGRAM_MAX : n);
		ev_end(sx);
		return;
	}
	if (!c->lines && !sx->quiet) {
		printf("reply #%lu: %zu %s, time=%.3f ms", r->seq, n,
		       n == 1 ? "byte" : "bytes", rtt);
		if (r->tries > 1)
			printf(" (try %u)", r->tries);
		if (trunc)
			printf(" (truncated to %d)", DGRAM_MAX);
		fputs(data ? (c->o->hex ? ":\n" : ": ") : "\n", stdout);
	}
	if (data) {
		n = trunc ? DGRAM_MAX : n;
		show_data(sx, "reply", c->buf, n, c->o->hex, rtt);
		if (!c->o->hex && (n == 0 || c->buf[n - 1] != '\n'))
			putchar('\n');
	}
	fflush(stdout);
}

/*
 * Classifies one datagram of n bytes (its real size) in c->buf. Returns
 * true if it answers the request waiting (c->cur).
 */
static bool on_datagram(struct udp_client *c, size_t n, bool trunc)
{
	struct req *r = match(c, n, fnv1a(c->buf, trunc ? DGRAM_MAX : n, false));
	double rtt;

	if (!r && c->cur)
		r = c->cur;	/* not an echo at all: the answer of a non-echo server */
	if (!r) {
		c->unexpected++;
		note(c, "unexpected", NULL, n, 0);
		return false;
	}
	rtt = (now_mono() - r->sent) * 1000.0;
	if (r != c->cur) {
		if (r->seen)
			c->dups++;
		else
			c->late++;
		note(c, r->seen ? "duplicate" : "late", r, n, rtt);
		r->seen = true;
		return false;
	}
	r->seen = true;
	c->received++;
	c->rtt_sum += rtt;
	c->rtt_min = c->received == 1 || rtt < c->rtt_min ? rtt : c->rtt_min;
	c->rtt_max = rtt > c->rtt_max ? rtt : c->rtt_max;
	show_answer(c, r, n, trunc, rtt);
	return true;
}

/*
 * Reads and classifies datagrams until c->cur is answered or the
 * deadline (monotonic seconds) passes. ECONNREFUSED on the connected
 * socket is an ICMP port unreachable: W_REFUSED at once.
 */
static enum wait_result wait_until(struct udp_client *c, double deadline)
{
	ssize_t n;
	int ms, r;

	for (;;) {
		ms = (int)((deadline - now_mono()) * 1000.0 + 0.999);
		if (ms <= 0)
			return W_TIMEOUT;
		r = io_wait_in(c->fd, ms);
		if (r == 0)
			return W_TIMEOUT;
		if (r < 0)
			return W_ERROR;
		/* MSG_TRUNC: the real size, even when it did not fit */
		n = sock_recv(c->sx, c->fd, c->buf, DGRAM_MAX, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (n < 0)
			return errno == ECONNREFUSED ? W_REFUSED : W_ERROR;
		if (on_datagram(c, (size_t)n, n > DGRAM_MAX))
			return W_ANSWER;
	}
}

/* Sends request r (p, n): 0, or W_REFUSED. Other errors lose it, noisily. */
static int transmit(struct udp_client *c, struct req *r, const void *p, size_t n)
{
	ssize_t w;

	do {
		w = sock_send(c->sx, c->fd, p, n, 0);
	} while (w < 0 && errno == EINTR);
	r->sent = now_mono();
	r->tries++;
	if (w >= 0)
		return 0;
	if (errno == ECONNREFUSED)	/* an earlier datagram's ICMP error */
		return W_REFUSED;
	/* e.g. EPERM from a firewall rule: a lost datagram, not a privilege */
	warn_msg(c->sx, "send #%lu: %s", r->seq, strerror(errno));
	return 0;
}

static int refused(struct udp_client *c)
{
	c->cur = NULL;
	return fail(c->sx, EXIT_FAIL, "nobody listening on %s (ICMP port unreachable)", c->peer);
}

/* A request that is still waiting: "retry" (tries so far) or "timeout". */
static void no_reply(struct udp_client *c, const struct req *r, bool again)
{
	struct sockx *sx = c->sx;
	double w = c->o->wait_ms / 1000.0;

	if (sx->json) {
		ev_begin(sx, again ? "retry" : "timeout");
		ev_int(sx, "seq", (long long)r->seq);
		ev_int(sx, "tries", r->tries);
		ev_num(sx, "wait_s", w);
		ev_end(sx);
	} else if (again) {
		notice(c, "no reply to #%lu within %g s: sending it again (retry %u of %lu)",
		       r->seq, w, r->tries, c->o->retries);
	} else {
		notice(c, "no reply to #%lu after %u %s of %g s", r->seq, r->tries,
		       r->tries == 1 ? "try" : "tries", w);
	}
}

/* Remembers the next request, p and n, and makes it the one waiting. */
static struct req *new_req(struct udp_client *c, const void *p, size_t n)
{
	struct req *r = &c->ring[++c->seq % RING];

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
			no_reply(c, r, true);
			c->retrans++;
		}
		if (transmit(c, r, p, n) == W_REFUSED)
			return refused(c);
		w = wait_until(c, r->sent + c->o->wait_ms / 1000.0);
		if (w == W_ANSWER) {
			c->cur = NULL;
			return EXIT_OK;
		}
		if (w == W_REFUSED)
			return refused(c);
		if (w == W_ERROR)
			return fail_errno(c->sx, "recv from %s", c->peer);
	}
	c->cur = NULL;
	no_reply(c, r, false);
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
	for (round = 0; round < o->count && rc == EXIT_OK; round++) {
		if (round && o->interval_ms)
			rc = idle_until(c, start + (double)round * o->interval_ms / 1000.0);
		if (payload && rc == EXIT_OK) {
			/* the RFC 864 pattern from offset seq: each request its own bytes */
			mode_source_fill(payload, o->size, c->seq + 1);
			rc = exchange(c, payload, o->size);
		}
		for (i = 0; i < o->nmsgs && rc == EXIT_OK; i++)
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

/* Stdin mode: each line is a datagram, each reply a line of stdout. */
static int run_lines(struct udp_client *c)
{
	char *line = malloc(c->max);
	unsigned long no = 0;
	size_t len;
	int r, rc = EXIT_OK;

	if (!line)
		return fail(c->sx, EXIT_FAIL, "out of memory");
	while (rc == EXIT_OK) {
		r = read_line(stdin, line, c->max, &len);
		if (r == 0)
			break;
		no++;
		if (r == -1)
			rc = fail_errno(c->sx, "cannot read stdin");
		else if (r == -2)
			rc = fail(c->sx, EXIT_FAIL, "line %lu of stdin is longer than a UDP datagram over %s can carry (%zu bytes)",
				  no, c->max == V4_MAX ? "IPv4" : "IPv6", c->max);
		else
			rc = exchange(c, line, len);
	}
	free(line);
	return rc;
}

static void summary_json(struct udp_client *c, double loss, double avg)
{
	struct sockx *sx = c->sx;

	ev_begin(sx, "summary");
	ev_int(sx, "sent", (long long)c->sent);
	ev_int(sx, "received", (long long)c->received);
	ev_num(sx, "loss_pct", loss);
	ev_int(sx, "retransmissions", (long long)c->retrans);
	ev_int(sx, "late", (long long)c->late);
	ev_int(sx, "duplicates", (long long)c->dups);
	ev_int(sx, "unexpected", (long long)c->unexpected);
	if (c->received) {
		ev_num(sx, "rtt_min_ms", c->rtt_min);
		ev_num(sx, "rtt_avg_ms", avg);
		ev_num(sx, "rtt_max_ms", c->rtt_max);
	}
	ev_end(sx);
}

/*
 * Ping's summary: "4 sent, 3 received, 25% loss, 1 late, rtt min/avg/max
 * = ... ms"; counts that are 0 are left out. In stdin mode, at -v only.
 */
static void summary(struct udp_client *c)
{
	double loss = c->sent ? 100.0 * (double)(c->sent - c->received) / (double)c->sent : 0;
	double avg = c->received ? c->rtt_sum / (double)c->received : 0;
	char extra[160] = "", rtt[96] = "";
	int n = 0;

	if (c->sx->json) {
		summary_json(c, loss, avg);
		return;
	}
	if (c->retrans)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu retransmitted", c->retrans);
	if (c->late)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu late", c->late);
	if (c->dups)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu duplicate", c->dups);
	if (c->unexpected)
		snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu unexpected", c->unexpected);
	if (c->received)
		snprintf(rtt, sizeof(rtt), ", rtt min/avg/max = %.3f/%.3f/%.3f ms",
			 c->rtt_min, avg, c->rtt_max);
	if (c->lines)
		trace(c->sx, 1, "%lu sent, %lu received, %.3g%% loss%s%s", c->sent,
		      c->received, loss, extra, rtt);
	else
		say(c->sx, "%lu sent, %lu received, %.3g%% loss%s%s", c->sent,
		    c->received, loss, extra, rtt);
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
 * Resolves the peer and connects a UDP socket to it (no packet is sent:
 * connect() fixes the peer, so only its datagrams are received and ICMP
 * errors come back as ECONNREFUSED). Returns an exit code; c->fd is set.
 */
static int open_peer(struct udp_client *c, int argc, char **argv)
{
	struct sockx *sx = c->sx;
	struct addr dst[ADDR_MAX], local;
	const char *failed;
	char err[256], l[ADDR_TEXT];
	int n, which;

	n = addr_from_args(argc, argv, sx->family, SOCK_DGRAM, dst, ADDR_MAX, err, sizeof(err));
	if (n < 0)
		return fail(sx, -n, "%s", err);
	c->max = dgram_max(&dst[0]);
	if (check_sizes(c) != EXIT_OK)
		return EXIT_USAGE;
	c->fd = sock_connect_any(sx, dst, 1, NULL, SOCK_DGRAM, 1000, &which, &failed);
	addr_str(&dst[0], c->peer, sizeof(c->peer));
	if (c->fd < 0)
		return fail_open(sx, "%s %s", failed, c->peer);
	sock_set_timeout(sx, c->fd, SO_SNDTIMEO, SEND_MS);
	sock_name(sx, c->fd, &local);
	addr_str(&local, l, sizeof(l));
	if (sx->json) {
		ev_begin(sx, "connected");
		ev_str(sx, "peer", c->peer);
		ev_str(sx, "local", l);
		ev_end(sx);
	} else if (c->lines) {
		trace(sx, 1, "sending to %s from %s", c->peer, l);
	} else {
		say(sx, "sending to %s from %s", c->peer, l);
	}
	return EXIT_OK;
}

/* Checks that options fit together; returns an exit code. */
static int check_opts(struct sockx *sx, const struct udp_client_opts *o)
{
	if (o->nmsgs && o->size_set)
		return fail(sx, EXIT_USAGE, "cannot use -m and --size together");
	if (!o->nmsgs && !o->size_set && (o->count != 1 || o->interval_ms))
		return fail(sx, EXIT_USAGE, "--count and --interval need -m or --size");
	return EXIT_OK;
}

int cmd_udp_client(struct sockx *sx, int argc, char **argv)
{
	struct udp_client_opts o = { .count = 1, .wait_ms = 1000 };
	struct udp_client *c;
	int first, rc;

	rc = opt_parse(sx, &info_udp_client, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	rc = check_opts(sx, &o);
	if (rc != EXIT_OK)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(DGRAM_MAX))) {
		free(c);
		return fail(sx, EXIT_FAIL, "out of memory");
	}
	c->sx = sx;
	c->o = &o;
	c->fd = -1;
	c->lines = !o.nmsgs && !o.size_set;
	rc = open_peer(c, argc - first, argv + first);
	if (rc == EXIT_OK) {
		rc = c->lines ? run_lines(c) : run_requests(c);
		summary(c);
		if (rc == EXIT_OK && c->received < c->sent)
			rc = EXIT_FAIL;
	}
	if (c->fd >= 0)
		sock_close(sx, c->fd);
	free(c->buf);
	free(c);
	return rc;
}
