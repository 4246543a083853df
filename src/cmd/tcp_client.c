/* \summary: tcp-client: messages with round-trip times, or a netcat-style relay */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../capture/capture.h"
#include "../core/conn.h"
#include "../core/priv.h"
#include "../core/relay.h"
#include "../core/timeline.h"

enum { O_COUNT = OPT_LONG, O_INTERVAL, O_CTIMEOUT, O_NODELAY, O_HEX, O_VERIFY, O_PCAP, O_MFILE, O_TIMELINE,
	O_SVG };

static const struct optdef opts[] = {
	{ "message", 'm', "MSG", "send MSG and wait for its reply (repeatable)", NULL },
	{ "message-file", O_MFILE, "FILE", "send FILE's bytes as one message, like -m (binary: a protocol frame)", "@file" },
	{ "count", O_COUNT, "N", "send the messages N times over (default 1)", NULL },
	{ "interval", O_INTERVAL, "S", "wait S seconds between rounds (default 0)", NULL },
	{ "timeout", 'w', "S", "-m: give up after S seconds of silence (default 5); netcat mode: end after S seconds with no data either way (default: never, as nc)", NULL },
	{ "port", 'p', "PORT", "the peer's port or service (default 9999), when HOST has none", NULL },
	{ "connect-timeout", O_CTIMEOUT, "S", "give up connecting after S seconds (default 10)", NULL },
	{ "source", 's', "ADDR[:PORT]", "bind this local address before connecting", NULL },
	{ "nodelay", O_NODELAY, NULL, "set TCP_NODELAY (no Nagle delay)", NULL },
	{ "hex", O_HEX, NULL, "show received bytes as a hex dump", NULL },
	{ "verify", O_VERIFY, NULL, "capture the connection (libpcap) and check the wire carried exactly what was sent and read", NULL },
	{ "pcap", O_PCAP, "FILE", "write the captured connection to FILE (pcap, for tcpdump -r or Wireshark)", "@file" },
	{ "timeline", O_TIMELINE, NULL, "-m: after the exchange, draw its system calls and its packets on one time axis", NULL },
	{ "svg", O_SVG, "FILE", "-m: draw that timeline as an SVG sequence diagram into FILE (whole or not at all)", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_tcp_client = {
	"[-4|-6] [HOST [PORT]] [-p PORT] [-m MSG]... [OPTIONS]",
	"Connects to HOST:PORT (default 127.0.0.1:9999; also HOST:PORT,\n"
	"[v6]:PORT, or -p PORT with or without HOST). With -m: sends each message, waits until as many bytes have\n"
	"come back (or -w seconds of silence) and prints the reply with its\n"
	"round-trip time; SIGINT or SIGTERM ends the run there as at its end,\n"
	"with the summary, exit 0 only if every message sent got its whole\n"
	"reply. Without -m: netcat mode: stdin goes to the socket and\n"
	"the socket to stdout; at the end of stdin the write side is shut down\n"
	"and sockx reads on until the peer closes, so no byte is lost.\n"
	"--verify and --pcap capture the connection on the interface it uses\n"
	"(lo for loopback) from before the SYN to after the last FIN; they need\n"
	"CAP_NET_RAW, and without it nothing is sent (exit 4). --verify checks\n"
	"the handshake, the close and every byte both ways (exit 3 if the wire\n"
	"differs); with several addresses for HOST only the first is tried.\n"
	"With -q and -m, only the replies are printed, and when stdout is not a\n"
	"terminal and there is no --interval they are written in blocks, not\n"
	"one write per reply: a fast ping-pong (--count N) measures the network.\n"
	"--timeline (with -m) prints, after the exchange's lines, its system\n"
	"calls (a call that blocked is a bracket from its entry to its return)\n"
	"and the connection's packets as captured on the interface (flags,\n"
	"sequence numbers relative to each side's SYN, payload length), in ms\n"
	"since the first of them, on one clock. Without CAP_NET_RAW the calls\n"
	"are drawn and the wire column says why it is empty (not an error).\n"
	"--svg FILE draws the same timeline as a sequence diagram (SVG, self-\n"
	"contained) into FILE at the end, with or without --timeline.",
	opts,
};

#define MAX_MSGS 64
#define RELAY_BUF (256 * 1024)

#define MAX_FILE_MSG (16 << 20)

struct tcp_client_opts {
	struct conn_msg msgs[MAX_MSGS];
	int nmsgs;
	unsigned long count;
	int interval_ms, idle_ms, connect_ms;
	bool idle_set, nodelay, hex, verify, timeline;
	const char *source;
	const char *port;	/* -p PORT */
	const char *pcap;	/* --pcap FILE */
	const char *svg;	/* --svg FILE */
};

/* Reads FILE whole into a message; returns an exit code. */
static int read_message_file(struct sockx *sx, const char *file, struct conn_msg *m)
{
	FILE *f = fopen(file, "rb");
	char *p = NULL;
	size_t n = 0;

	if (f) {
		p = malloc(MAX_FILE_MSG + 1);
		n = p ? fread(p, 1, MAX_FILE_MSG + 1, f) : 0;
	}
	if (!f || !p || ferror(f)) {
		if (f)
			fclose(f);
		free(p);
		return fail(sx, EXIT_USAGE, "--message-file '%s': %s", file, strerror(errno));
	}
	fclose(f);
	if (n == 0 || n > MAX_FILE_MSG) {
		free(p);
		return fail(sx, EXIT_USAGE, "--message-file '%s': %s", file,
			    n ? "larger than 16 MiB" : "empty");
	}
	*m = (struct conn_msg){ realloc(p, n), n, file, "", -1 };	/* give back the rest */
	if (!m->p)
		m->p = p;
	return EXIT_OK;
}

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct tcp_client_opts *o = ctx;

	switch (key) {
	case 'm':
	case O_MFILE:
		if (o->nmsgs == MAX_MSGS)
			return fail(sx, EXIT_USAGE, "at most %d messages (-m, --message-file)", MAX_MSGS);
		if (key == O_MFILE)
			return read_message_file(sx, arg, &o->msgs[o->nmsgs++]);
		o->msgs[o->nmsgs++] = (struct conn_msg){ arg, strlen(arg), NULL, "", -1 };
		return EXIT_OK;
	case O_COUNT:
		return opt_num(sx, "--count", arg, 1, 100000000, &o->count);
	case O_INTERVAL:
		return opt_secs(sx, "--interval", arg, 3600, &o->interval_ms);
	case 'w':
		o->idle_set = true;
		return opt_wait(sx, "--timeout", arg, 86400, &o->idle_ms);
	case O_CTIMEOUT:
		return opt_secs(sx, "--connect-timeout", arg, 3600, &o->connect_ms);
	case 's': o->source = arg; return EXIT_OK;
	case 'p': return client_port_opt(sx, &o->port, arg);
	case O_NODELAY: o->nodelay = true; return EXIT_OK;
	case O_HEX: o->hex = true; return EXIT_OK;
	case O_VERIFY: o->verify = true; return EXIT_OK;
	case O_PCAP: o->pcap = arg; return EXIT_OK;
	case O_TIMELINE: o->timeline = true; return EXIT_OK;
	case O_SVG: o->svg = arg; return EXIT_OK;
	default: return EXIT_USAGE;
	}
}

/* The peer's addresses, the --source address, and ours once connected. */
struct peer {
	struct addr dst[ADDR_MAX], src, local;
	int n;
	bool has_src;
};

static int resolve_peer(struct sockx *sx, const struct tcp_client_opts *o,
			int argc, char **argv, struct peer *pe)
{
	char err[256];
	int n;

	n = client_peer(sx, o->port, argc, argv, SOCK_STREAM, pe->dst, ADDR_MAX);
	if (n < 0)
		return -n;
	pe->n = n;
	if (o->source) {	/* "ADDR" alone binds port 0: the kernel picks */
		n = addr_from_word(o->source, "0", addr_family(&pe->dst[0]),
				   SOCK_STREAM, &pe->src, 1, err, sizeof(err));
		if (n < 0)
			return addr_fail(sx, -n, "--source: ", err);
		pe->has_src = true;
	}
	return EXIT_OK;
}

/*
 * --verify and --pcap: the capture opens before the connection, so without
 * CAP_NET_RAW nothing is attempted (exit 4). Either way every capability
 * is gone afterwards: a TCP client needs none.
 */
static int open_capture(struct sockx *sx, const struct tcp_client_opts *o,
			struct peer *pe, bool relay, struct capture **cap)
{
	struct capture_spec cs = {
		.proto = IPPROTO_TCP, .verify = o->verify, .pcap_path = o->pcap,
		.data_on_stdout = relay, .timeline = o->timeline || o->svg,
		.optional = !o->verify && !o->pcap,
	};
	char d[ADDR_TEXT];
	int rc;

	*cap = NULL;
	if (!o->verify && !o->pcap && !o->timeline && !o->svg) {
		if (priv_drop_all() < 0)
			trace(sx, 1, "cannot drop capabilities: %s", strerror(errno));
		return EXIT_OK;
	}
	if (pe->n > 1)	/* the filter names one peer: try that one only */
		trace(sx, 1, "capture: trying only %s", addr_str(&pe->dst[0], d, sizeof(d)));
	pe->n = 1;
	cs.remote = pe->dst[0];
	if (pe->has_src)
		cs.local = pe->src;
	*cap = capture_open(sx, &cs, &rc);
	/* --timeline without a capture (optional): on without privileges */
	if (!*cap && rc == EXIT_OK && priv_drop_all() < 0)
		trace(sx, 1, "cannot drop capabilities: %s", strerror(errno));
	return *cap || rc == EXIT_OK ? EXIT_OK : rc;
}

/* Returns the connected fd, or minus an exit code (the error printed). */
static int connect_peer(struct sockx *sx, const struct tcp_client_opts *o,
			struct peer *pe, struct conn *c)
{
	const char *failed;
	char d[ADDR_TEXT], l[ADDR_TEXT];
	int n, fd, which;

	fd = sock_connect_any(sx, pe->dst, pe->n, pe->has_src ? &pe->src : NULL,
			      SOCK_STREAM, o->connect_ms, &which, &failed);
	if (fd < 0) {
		bool bind = pe->has_src && strcmp(failed, "bind") == 0;

		n = fail_open(sx, "%s %s", failed,
			      addr_str(bind ? &pe->src : &pe->dst[which], d, sizeof(d)));
		if (bind)
			sock_bind_hint(sx, failed, &pe->src);
		if (errno == ETIMEDOUT)
			hint(sx, "nothing answered within %.1f s (--connect-timeout)", o->connect_ms / 1000.0);
		return -n;
	}
	if (o->nodelay)
		sock_setopt(sx, fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1);
	sock_name(sx, fd, &pe->local);
	c->fd = fd;
	conn_connected(c, addr_str(&pe->dst[which], d, sizeof(d)),
		       addr_str(&pe->local, l, sizeof(l)), NULL);
	return fd;
}

/*
 * Makes a blocking recv on fd give up after idle_ms of silence
 * (SO_RCVTIMEO), so a reply costs one recv, not a poll and a recv.
 * idle_ms < 0: wait forever. Returns 0 or -1.
 */
static int set_recv_timeout(struct sockx *sx, int fd, int idle_ms)
{
	struct timeval tv = { idle_ms / 1000, (idle_ms % 1000) * 1000 };
	int rc, err;

	if (idle_ms < 0)
		return 0;
	if (idle_ms == 0)
		tv.tv_usec = 1;		/* 0 would mean forever */
	rc = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = errno;
	sock_trace(sx, 2, "setsockopt", rc, err, "%d, SO_RCVTIMEO, %d ms", fd, idle_ms);
	errno = err;
	return rc;
}

/*
 * Reads until want bytes came back, the peer closed, the silence of
 * set_recv_timeout(), or a signal that stops the run (*why EINTR).
 * Returns the bytes read into buf (at most cap).
 */
static size_t read_reply(struct sockx *sx, int fd, char *buf, size_t cap,
			 size_t want, int idle_ms, int *why)
{
	double last = now_mono();
	size_t got = 0;
	ssize_t n;

	*why = 0;
	while (got < want) {
		n = sock_recv(sx, fd, buf + got, cap - got, 0);
		if (n < 0 && errno == EINTR && sig_stopped()) {
			*why = EINTR;
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * EAGAIN is SO_RCVTIMEO's timeout, unless it came early: a
		 * spurious one (tests/faults.bats injects them) waits again.
		 */
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (idle_ms < 0 || (now_mono() - last) * 1000.0 + 5 < idle_ms)
				continue;
			*why = ETIMEDOUT;
			break;
		}
		if (n <= 0) {
			*why = n == 0 ? ENOTCONN : errno;	/* ENOTCONN: peer closed */
			break;
		}
		got += (size_t)n;
		last = now_mono();
	}
	return got;
}

/*
 * The conn's send: message m without blocking, and while the socket is
 * full it reads the reply into c->buf (at most m->len bytes): a peer
 * that echoes as it reads stops reading once its replies fill our
 * receive buffer, so waiting only for room would wait forever. Every
 * wait ends after -w with no progress either way. Stops at the end of the
 * message, at an error (x->why), or at a signal that stops the run.
 */
static void send_message(struct conn *c, const struct conn_msg *m, struct conn_xfer *x)
{
	struct sockx *sx = c->sx;
	struct capture *cap = c->ctx;
	char *buf = c->buf;
	double last = now_mono();
	int fd = c->fd, idle_ms = c->idle_ms;
	struct pollfd p;
	ssize_t n;
	int left;

	while (x->sent < m->len && !sig_stopped()) {
		n = sock_send(sx, fd, m->p + x->sent, m->len - x->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			capture_tcp_sent(cap, m->p + x->sent, (size_t)n);
			x->sent += (size_t)n;
			last = now_mono();
			continue;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			x->why = errno;
			x->send_err = true;
			return;
		}
		left = idle_ms < 0 ? -1 : idle_ms - (int)((now_mono() - last) * 1000.0);
		if (idle_ms >= 0 && left <= 0) {
			x->why = ETIMEDOUT;
			return;
		}
		/* Full: wait for room, or for reply bytes (reading them makes room). */
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (!x->why && x->got < m->len)
			p.events |= POLLIN;
		if (poll(&p, 1, left) <= 0 || !(p.revents & POLLIN))
			continue;	/* room, an error for send to tell, or time */
		n = sock_recv(sx, fd, buf + x->got, m->len - x->got, MSG_DONTWAIT);
		if (n > 0) {
			capture_tcp_received(cap, buf + x->got, (size_t)n);
			x->got += (size_t)n;
			last = now_mono();
		} else if (n == 0) {
			x->why = ENOTCONN;	/* the peer closed: send the rest all the same */
		} else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			x->why = errno;
			return;
		}
	}
}

/* The reply's rest: read_reply, with the bytes told to the capture. */
static size_t recv_reply(struct conn *c, char *buf, size_t cap, size_t want, bool one,
			 struct conn_xfer *x)
{
	size_t got = read_reply(c->sx, c->fd, buf, cap, want, c->idle_ms, &x->why);

	(void)one;	/* a stream has no messages */
	capture_tcp_received(c->ctx, buf, got);
	x->real += got;
	return got;
}

static const struct conn_ops tcp_ops = { send_message, recv_reply };

static void free_messages(struct tcp_client_opts *o)
{
	int i;

	for (i = 0; i < o->nmsgs; i++)
		if (o->msgs[i].file)
			free((char *)o->msgs[i].p);
}

static void tap_sent(void *cap, const void *p, size_t n)
{
	capture_tcp_sent(cap, p, n);
}

static void tap_received(void *cap, const void *p, size_t n)
{
	capture_tcp_received(cap, p, n);
}

int cmd_tcp_client(struct sockx *sx, int argc, char **argv)
{
	struct tcp_client_opts o = { .count = 1, .idle_ms = 5000, .connect_ms = 10000 };
	struct relay_tap tap = { tap_sent, tap_received, NULL };
	struct conn c = { .sx = sx, .ops = &tcp_ops, .half_close = true, .cap = RELAY_BUF };
	struct capture *cap;
	struct peer pe;
	int first, rc, fd;

	rc = opt_parse(sx, &info_tcp_client, argc, argv, parse_opt, &o, &first);
	if (rc == EXIT_OK && !o.nmsgs && (o.count != 1 || o.interval_ms))
		rc = fail(sx, EXIT_USAGE, "--count and --interval need -m");
	if (rc == EXIT_OK && !o.nmsgs && o.timeline)
		rc = fail(sx, EXIT_USAGE, "--timeline needs -m");
	if (rc == EXIT_OK && !o.nmsgs && o.svg)
		rc = fail(sx, EXIT_USAGE, "--svg needs -m");
	if (!o.nmsgs && !o.idle_set)
		o.idle_ms = -1;		/* netcat mode: no idle limit unless -w */
	memset(&pe, 0, sizeof(pe));
	if (rc == EXIT_OK)
		rc = resolve_peer(sx, &o, argc - first, argv + first, &pe);
	if (rc == EXIT_OK && (o.timeline || o.svg)) {
		char d[ADDR_TEXT], peer[ADDR_TEXT + 8];

		snprintf(peer, sizeof(peer), "peer %s", addr_str(&pe.dst[0], d, sizeof(d)));
		if (!timeline_new(sx, "tcp-client", "this process (tcp-client)", peer,
				  o.timeline, o.svg))	/* --svg alone: kept, not printed */
			rc = fail(sx, EXIT_FAIL, "out of memory");
	}
	if (rc == EXIT_OK)
		rc = open_capture(sx, &o, &pe, o.nmsgs == 0, &cap);
	if (rc != EXIT_OK) {
		timeline_free(sx);
		free_messages(&o);
		return rc;
	}
	timeline_start(sx);	/* the connection's calls, not the route lookup's */
	sx->hex = o.hex;
	sx->data_out = o.nmsgs == 0;	/* netcat mode */
	c.hex = o.hex;
	c.idle_ms = o.idle_ms;
	fd = connect_peer(sx, &o, &pe, &c);
	if (fd < 0) {
		free_messages(&o);
		return timeline_finish(sx, capture_finish(cap, -fd));
	}
	capture_set_local(cap, &pe.local);
	tap.ctx = cap;
	c.ctx = cap;
	if (o.nmsgs) {
		sig_catch_stop();	/* after the capture's own handlers */
		/* -q to a file, no --interval: replies in blocks, not a write each */
		c.lazy = !event_shows(sx, EV_SAY) && !o.interval_ms && !isatty(STDOUT_FILENO);
		rc = set_recv_timeout(sx, fd, o.idle_ms) < 0 ?
			fail_errno(sx, "setsockopt SO_RCVTIMEO") :
			conn_run(&c, o.msgs, o.nmsgs, o.count, o.interval_ms);
	} else {
		rc = relay_run_tap(sx, fd, o.idle_ms, o.hex, cap ? &tap : NULL);
	}
	sock_close(sx, fd);
	free_messages(&o);
	rc = timeline_finish(sx, capture_finish(cap, rc));	/* the rows the last packets settle */
	if (c.st.sent > 1 || sig_stopped())	/* the last event: after the verdict (docs/json.md) */
		conn_summary(&c);
	return rc;
}
