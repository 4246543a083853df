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
#include "../core/priv.h"
#include "../core/relay.h"

enum { O_COUNT = OPT_LONG, O_INTERVAL, O_CTIMEOUT, O_NODELAY, O_HEX, O_VERIFY, O_PCAP, O_MFILE };

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
	"one write per reply: a fast ping-pong (--count N) measures the network.",
	opts,
};

#define MAX_MSGS 64
#define RELAY_BUF (256 * 1024)

#define MAX_FILE_MSG (16 << 20)

/* One message: -m's text, or the bytes of a --message-file. */
struct msg {
	const char *p;
	size_t len;
	const char *file;	/* NULL for -m */
};

struct tcp_client_opts {
	struct msg msgs[MAX_MSGS];
	int nmsgs;
	unsigned long count;
	int interval_ms, idle_ms, connect_ms;
	bool idle_set, nodelay, hex, verify;
	const char *source;
	const char *port;	/* -p PORT */
	const char *pcap;	/* --pcap FILE */
};

/* What came back over a run of messages. */
struct rtt_stats {
	unsigned long sent, replies;
	double min, max, sum;
};

/* Reads FILE whole into a message; returns an exit code. */
static int read_message_file(struct sockx *sx, const char *file, struct msg *m)
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
	*m = (struct msg){ realloc(p, n), n, file };	/* give back the rest */
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
		o->msgs[o->nmsgs++] = (struct msg){ arg, strlen(arg), NULL };
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
	default: return EXIT_USAGE;
	}
}

static void life_event(struct sockx *sx, bool relay, const char *ev, const char *text)
{
	if (sx->json) {
		ev_begin(sx, ev);
		ev_end(sx);
	} else if (relay) {
		trace(sx, 1, "%s", text);	/* stdout carries the data */
	} else {
		say(sx, "%s", text);
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
		.data_on_stdout = relay,
	};
	char d[ADDR_TEXT];
	int rc;

	*cap = NULL;
	if (!o->verify && !o->pcap) {
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
	return *cap ? EXIT_OK : rc;
}

/* Returns the connected fd, or minus an exit code (the error printed). */
static int connect_peer(struct sockx *sx, const struct tcp_client_opts *o,
			struct peer *pe, bool relay)
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
	addr_str(&pe->dst[which], d, sizeof(d));
	addr_str(&pe->local, l, sizeof(l));
	if (sx->json) {
		ev_begin(sx, "connected");
		ev_str(sx, "peer", d);
		ev_str(sx, "local", l);
		ev_end(sx);
	} else if (relay) {
		trace(sx, 1, "connected to %s from %s", d, l);
	} else {
		say(sx, "connected to %s from %s", d, l);
	}
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

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !sig_stopped())
		;
}

/* The "sent" line or event of message m. */
static void say_sent(struct sockx *sx, const struct msg *m)
{
	if (sx->json) {
		ev_begin(sx, "sent");
		ev_int(sx, "bytes", (long long)m->len);
		ev_strn(sx, "data", m->p, m->len);
		ev_end(sx);
	} else if (m->file) {
		say(sx, "sent %zu bytes from %s", m->len, m->file);
	} else {
		say_data(sx, m->p, m->len, "sent %zu bytes: ", m->len);
	}
}

/* How a message went: bytes sent, reply bytes read, and why it stopped. */
struct xfer {
	size_t sent, got;
	int why;		/* as read_reply's; or send()'s errno, with send_err */
	bool send_err;
};

/*
 * Sends message m without blocking, and while the socket is full reads
 * the reply into buf (at most m->len bytes): a peer that echoes as it
 * reads stops reading once its replies fill our receive buffer, so
 * waiting only for room would wait forever. Every wait ends after
 * idle_ms with no progress either way (-w). Stops at the end of the
 * message, at an error (x->why), or at a signal that stops the run.
 */
static void send_message(struct sockx *sx, int fd, const struct msg *m, char *buf,
			 int idle_ms, struct capture *cap, struct xfer *x)
{
	double last = now_mono();
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

/*
 * After a reply on stdout: a write that failed (a closed pipe, a full
 * disk) ends the run, so no reply is lost unsaid. lazy: flush only to
 * learn the error.
 */
static int check_stdout(struct sockx *sx, bool lazy)
{
	if (!lazy || ferror(stdout))
		fflush(stdout);
	return ferror(stdout) ? fail_errno(sx, "cannot write to stdout") : EXIT_OK;
}

/*
 * One message out, its reply back; returns an exit code. lazy: leave
 * stdout to its buffer (-q, not a terminal, no --interval).
 */
static int exchange(struct sockx *sx, int fd, const struct tcp_client_opts *o,
		    const struct msg *m, char *buf, struct rtt_stats *st, bool lazy,
		    struct capture *cap)
{
	struct xfer x = { 0 };
	size_t len = m->len, got;
	double t, rtt;
	int why, rc;

	t = now_mono();
	send_message(sx, fd, m, buf, o->idle_ms, cap, &x);
	if (x.send_err) {
		errno = x.why;
		return fail_errno(sx, "send");
	}
	if (sig_stopped() && x.sent < len)	/* not all sent: no reply due */
		return EXIT_OK;
	if (x.why == ETIMEDOUT)
		return fail(sx, EXIT_FAIL, "send stalled: %zu of %zu bytes sent, then the peer took"
			    " none for %.1f s (-w)", x.sent, len, o->idle_ms / 1000.0);
	st->sent++;
	say_sent(sx, m);
	why = x.why;
	got = x.got;
	if (!why && got < len) {
		got += read_reply(sx, fd, buf + got, len - got, len - got, o->idle_ms, &why);
		capture_tcp_received(cap, buf + x.got, got - x.got);
	}
	rtt = (now_mono() - t) * 1000.0;
	if (got == len) {
		st->replies++;
		st->sum += rtt;
		st->min = st->replies == 1 || rtt < st->min ? rtt : st->min;
		st->max = rtt > st->max ? rtt : st->max;
	}
	if (!sx->json && !sx->quiet && got)	/* a hex dump starts under the line */
		printf("reply %zu bytes, time=%.3f ms:%s", got, rtt, o->hex ? "\n" : " ");
	if (got)
		show_peer_data(sx, "reply", buf, got, o->hex, rtt);
	if (!sx->json && got && !o->hex && buf[got - 1] != '\n')
		putchar('\n');
	rc = check_stdout(sx, lazy);
	if (rc != EXIT_OK)
		return rc;
	if (why == ETIMEDOUT) {
		life_event(sx, false, "timeout", "timeout");
		return fail(sx, EXIT_FAIL, "no complete reply: %zu of %zu bytes after %.1f s of silence",
			    got, len, o->idle_ms / 1000.0);
	}
	if (why == ENOTCONN)
		return fail(sx, EXIT_FAIL, "connection closed by peer after %zu of %zu reply bytes", got, len);
	if (why && why != EINTR) {	/* EINTR: stopped by a signal, the reply lost */
		errno = why;
		return fail_errno(sx, "recv");
	}
	return EXIT_OK;
}

static void rtt_summary(struct sockx *sx, const struct rtt_stats *st)
{
	double avg = st->replies ? st->sum / (double)st->replies : 0;

	if (sx->json) {
		ev_begin(sx, "summary");
		ev_int(sx, "sent", (long long)st->sent);
		ev_int(sx, "replies", (long long)st->replies);
		ev_num(sx, "rtt_min_ms", st->min);
		ev_num(sx, "rtt_avg_ms", avg);
		ev_num(sx, "rtt_max_ms", st->max);
		ev_end(sx);
		return;
	}
	say(sx, "%lu sent, %lu replies, rtt min/avg/max = %.3f/%.3f/%.3f ms",
	    st->sent, st->replies, st->min, avg, st->max);
}

/*
 * Half-closes, then reads and shows all the peer still sends until it
 * closes too; after -w of silence it says that it stopped (exit 1).
 */
static int close_gracefully(struct sockx *sx, int fd, const struct tcp_client_opts *o,
			    char *buf, struct capture *cap)
{
	size_t got, total = 0;
	bool nl = true;		/* what was shown ends its line */
	int why, rc;

	if (sock_shutdown(sx, fd, SHUT_WR) == 0)
		life_event(sx, false, "shutdown", "shutdown: our write side closed");
	for (;;) {
		got = read_reply(sx, fd, buf, RELAY_BUF, 1, o->idle_ms, &why);
		if (!got)
			break;
		capture_tcp_received(cap, buf, got);
		show_peer_data(sx, "received", buf, got, o->hex, -1);
		total += got;
		nl = buf[got - 1] == '\n';
		rc = check_stdout(sx, false);
		if (rc != EXIT_OK)
			return rc;
	}
	if (!nl && !o->hex && !sx->json && !sx->quiet)
		putchar('\n');	/* "closed" gets a line of its own */
	if (why == ENOTCONN) {
		life_event(sx, false, "eof", "eof: the peer closed");
		return EXIT_OK;
	}
	if (why == EINTR)	/* stopped by a signal: every reply came */
		return EXIT_OK;
	if (why == ETIMEDOUT)
		return fail(sx, EXIT_FAIL, "stopped reading: the peer did not close within %.1f s"
			    " of silence (%zu bytes came after our shutdown)", o->idle_ms / 1000.0, total);
	errno = why;
	return fail_errno(sx, "recv after %zu bytes", total);
}

/* The messages, their replies and the close; counts them into st. */
static int run_messages(struct sockx *sx, int fd, const struct tcp_client_opts *o,
			struct capture *cap, struct rtt_stats *st)
{
	size_t max = RELAY_BUF;
	bool lazy = sx->quiet && !sx->json && !o->interval_ms && !isatty(STDOUT_FILENO);
	unsigned long r;
	char *buf;
	int i, rc = EXIT_OK;

	for (i = 0; i < o->nmsgs; i++)
		if (o->msgs[i].len > max)
			max = o->msgs[i].len;
	buf = malloc(max);
	if (!buf)
		return fail(sx, EXIT_FAIL, "out of memory");
	if (set_recv_timeout(sx, fd, o->idle_ms) < 0) {
		free(buf);
		return fail_errno(sx, "setsockopt SO_RCVTIMEO");
	}
	for (r = 0; r < o->count && rc == EXIT_OK && !sig_stopped(); r++) {
		if (r && o->interval_ms)
			sleep_ms(o->interval_ms);
		for (i = 0; i < o->nmsgs && rc == EXIT_OK && !sig_stopped(); i++)
			rc = exchange(sx, fd, o, &o->msgs[i], buf, st, lazy, cap);
	}
	fflush(stdout);
	if (rc == EXIT_OK && !sig_stopped())
		rc = close_gracefully(sx, fd, o, buf, cap);
	if (sig_stopped()) {	/* as at the end: the summary, 1 if a reply is missing */
		trace(sx, 1, "stopped by %s", strsignal(sig_stopped()));
		if (rc == EXIT_OK && st->replies < st->sent)
			rc = fail(sx, EXIT_FAIL, "stopped by %s: %lu of %lu replies missing",
				  strsignal(sig_stopped()), st->sent - st->replies, st->sent);
	}
	if (rc == EXIT_OK || !sx->json)	/* only the summary follows an error */
		life_event(sx, false, "closed", "closed");
	free(buf);
	return rc;
}

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
	struct rtt_stats st = { 0 };
	struct capture *cap;
	struct peer pe;
	int first, rc, fd;

	rc = opt_parse(sx, &info_tcp_client, argc, argv, parse_opt, &o, &first);
	if (rc == EXIT_OK && !o.nmsgs && (o.count != 1 || o.interval_ms))
		rc = fail(sx, EXIT_USAGE, "--count and --interval need -m");
	if (!o.nmsgs && !o.idle_set)
		o.idle_ms = -1;		/* netcat mode: no idle limit unless -w */
	memset(&pe, 0, sizeof(pe));
	if (rc == EXIT_OK)
		rc = resolve_peer(sx, &o, argc - first, argv + first, &pe);
	if (rc == EXIT_OK)
		rc = open_capture(sx, &o, &pe, o.nmsgs == 0, &cap);
	if (rc != EXIT_OK) {
		free_messages(&o);
		return rc;
	}
	fd = connect_peer(sx, &o, &pe, o.nmsgs == 0);
	if (fd < 0) {
		free_messages(&o);
		return capture_finish(cap, -fd);
	}
	capture_set_local(cap, &pe.local);
	tap.ctx = cap;
	if (o.nmsgs) {
		sig_catch_stop();	/* after the capture's own handlers */
		rc = run_messages(sx, fd, &o, cap, &st);
	} else {
		rc = relay_run_tap(sx, fd, o.idle_ms, o.hex, cap ? &tap : NULL);
	}
	sock_close(sx, fd);
	free_messages(&o);
	rc = capture_finish(cap, rc);
	if (st.sent > 1 || sig_stopped())	/* the last event: after the verdict (docs/json.md) */
		rtt_summary(sx, &st);
	return rc;
}
