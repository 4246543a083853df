/* \summary: tcp-server: many TCP clients at once, echo/upper/discard/source/print; stdio (nc -l) */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>

#include "cmd.h"
#include "../capture/capture.h"
#include "../core/priv.h"
#include "../core/serve.h"
#include "../core/timeline.h"

enum { O_BACKLOG = OPT_LONG, O_MAXCL, O_ONCE, O_IDLE, O_REUSEPORT,
       O_NODELAY, O_V6ONLY, O_MODE, O_TIMELINE, O_SVG };

static const struct optdef opts[] = {
	{ "bind", 'b', "ADDR", "address to listen on (default 127.0.0.1, ::1 with -6; :: or 0.0.0.0 for all)", NULL },
	{ "port", 'p', "PORT", "port or service (default 9999; 0: the kernel picks one)", NULL },
	{ "listen", 'l', NULL, "nc's -l, accepted and ignored: a server always listens", NULL },
	{ "mode", O_MODE, "MODE", "echo (default), upper, discard, source, print or stdio", "echo upper discard source print stdio" },
	{ "backlog", O_BACKLOG, "N", "listen() backlog (default 4096; 0 is the tutorial's listen(0); capped at net.core.somaxconn)", NULL },
	{ "max-clients", O_MAXCL, "N", "serve at most N at once; the rest wait in the backlog", NULL },
	{ "once", O_ONCE, NULL, "serve one client, then exit", NULL },
	{ "idle-timeout", O_IDLE, "S", "close a client silent for S seconds", NULL },
	{ "reuseport", O_REUSEPORT, NULL, "set SO_REUSEPORT (several servers on one port)", NULL },
	{ "nodelay", O_NODELAY, NULL, "set TCP_NODELAY on every client", NULL },
	{ "v6only", O_V6ONLY, NULL, "with -b ::, refuse IPv4-mapped clients", NULL },
	{ "timeline", O_TIMELINE, NULL, "draw the server's system calls and its port's packets on one time axis, as it goes", NULL },
	{ "svg", O_SVG, "FILE", "draw that timeline as an SVG sequence diagram into FILE when the server ends (whole or not at all)", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_tcp_server = {
	"[-4|-6] [-b ADDR] [-p PORT] [--mode MODE] [OPTIONS]",
	"Listens on ADDR:PORT and serves any number of clients at once (epoll).\n"
	"The first line is 'listening on ADDR:PORT', printed once listen() has\n"
	"succeeded. Modes: echo (RFC 862), upper (echo with ASCII letters\n"
	"upper-cased; UTF-8 passes through intact), discard (RFC 863), source\n"
	"(an endless RFC 864 character pattern), print (what each client sends\n"
	"goes to stdout, nothing goes back), stdio (nc -l: one client at a\n"
	"time; stdin goes to it, its bytes to stdout).\n\n"
	"print: each read is a line 'from ADDR (fd N), N bytes: DATA', control\n"
	"bytes escaped, between the accepted and closed lines of its client;\n"
	"with -q only the bytes, raw, as they come. stdio: stdout is the\n"
	"client's bytes, exact; at the end of stdin the write side is shut\n"
	"(half-close) and the client is still read until it closes, as in\n"
	"tcp-client's netcat mode; the next client is accepted after that (with\n"
	"stdin at its end it gets none). --once: serve one client, then exit\n"
	"(nc -l); -v traces each client. In both, 'listening on' and the summary\n"
	"go to stderr when stdout carries raw bytes (stdio, print -q).\n\n"
	"--timeline draws, as the run goes, the server's system calls (listen,\n"
	"accept, recv, send, close, for every client) and, with CAP_NET_RAW\n"
	"and a loopback address (-b 127.0.0.1 or ::1), every packet to and from\n"
	"its port, captured on lo, with each connection's sequence numbers\n"
	"relative to its SYN; the rest of it comes at the end. Without the\n"
	"capture the calls are drawn and the wire column says why. --svg FILE\n"
	"draws the same timeline as a sequence diagram (SVG, self-contained)\n"
	"into FILE when the server ends (a signal, or --once), with or without\n"
	"--timeline.\n\n"
	"SIGINT, SIGTERM or SIGHUP: a summary, exit 0.",
	opts,
};

struct tcp_server_opts {
	const char *bind, *port;
	struct serve_opts so;
	struct listen_opts lo;
	bool v6only, timeline;
	const char *svg;	/* --svg FILE: the timeline as SVG, at the end */
};

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct tcp_server_opts *o = ctx;
	unsigned long v;
	int i;

	switch (key) {
	case 'b': o->bind = arg; return EXIT_OK;
	case 'p': o->port = arg; return EXIT_OK;
	case 'l': return EXIT_OK;	/* nc -l: what a server does anyway */
	case O_ONCE: o->so.once = true; return EXIT_OK;
	case O_REUSEPORT: o->lo.reuseport = true; return EXIT_OK;
	case O_NODELAY: o->so.nodelay = true; return EXIT_OK;
	case O_V6ONLY: o->v6only = true; return EXIT_OK;
	case O_TIMELINE: o->timeline = true; return EXIT_OK;
	case O_SVG: o->svg = arg; return EXIT_OK;
	case O_MODE:
		i = opt_choice(sx, "mode", arg, serve_mode_names);
		if (i < 0)
			return EXIT_USAGE;
		o->so.mode = (enum serve_mode)i;
		return EXIT_OK;
	case O_BACKLOG:
		if (opt_num(sx, "backlog", arg, 0, 1 << 20, &v) != EXIT_OK)
			return EXIT_USAGE;
		o->lo.backlog = (int)v;
		return EXIT_OK;
	case O_MAXCL:
		if (opt_num(sx, "--max-clients", arg, 1, 1 << 24, &v) != EXIT_OK)
			return EXIT_USAGE;
		o->so.max_clients = (unsigned)v;
		return EXIT_OK;
	case O_IDLE:
		return opt_secs_ll(sx, "--idle-timeout", arg, 86400 * 365, &o->so.idle_ms);
	default:
		return EXIT_USAGE;
	}
}

/* Under -v: a backlog above net.core.somaxconn, which the kernel silently caps. */
static void note_somaxconn(struct sockx *sx, int backlog)
{
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "re");
	int max = -1;

	if (!f)
		return;
	if (fscanf(f, "%d", &max) != 1)
		max = -1;
	fclose(f);
	if (max >= 0 && backlog > max)
		trace(sx, 1, "listen backlog %d: the kernel caps it at net.core.somaxconn, %d",
		      backlog, max);
}

/* 127.0.0.0/8, ::1, or ::ffff:127.x.y.z: packets that stay on lo. */
static bool is_loopback(const struct addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;

	if (a->ss.ss_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	if (a->ss.ss_family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return s6->sin6_addr.s6_addr[12] == 127;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
}

/*
 * --timeline, --svg, before the listener: its calls are recorded, but
 * nothing is drawn (timeline_hold) until the capture has said what the wire
 * column holds: the head names it, and it comes with the first row.
 * --svg alone: the rows are kept for the file, no ladder printed.
 */
static int timeline_begin(struct sockx *sx, const struct tcp_server_opts *o)
{
	if (!timeline_new(sx, "tcp-server", "this process (tcp-server)", NULL,
			  o->timeline, o->svg))
		return fail(sx, EXIT_FAIL, "out of memory");
	timeline_start(sx);
	timeline_hold(sx, true);
	return EXIT_OK;
}

/*
 * --timeline, --svg, once the listener has its port: the capture of every
 * client's packets (optional: without CAP_NET_RAW the wire column says
 * why), then no capability is left; the rows recorded so far are drawn.
 * Returns an exit code; *cap: the capture, or NULL.
 */
static int timeline_wire_up(struct sockx *sx, const struct addr *a, struct capture **cap)
{
	struct capture_spec cs = {
		.proto = IPPROTO_TCP, .local = *a, .iface = "lo", .server = true,
		.timeline = true, .optional = true,
	};
	char s[ADDR_TEXT], why[ADDR_TEXT + 128], peer[ADDR_TEXT + 16];
	int rc = EXIT_OK;

	*cap = NULL;
	addr_str(a, s, sizeof(s));
	snprintf(peer, sizeof(peer), "peers of %s", s);
	timeline_peer(sx, peer);
	if (is_loopback(a)) {
		*cap = capture_open(sx, &cs, &rc);
	} else {	/* its clients may come on any interface; one is followed */
		snprintf(why, sizeof(why), "%s is not a loopback address: its clients may "
			 "come on any interface (-b 127.0.0.1 or ::1 to see the wire)", s);
		timeline_wire(sx, NULL, NULL, (double)NAN, 0, false, why);
	}
	if (!*cap && priv_drop_all() < 0)
		trace(sx, 1, "cannot drop capabilities: %s", strerror(errno));
	timeline_hold(sx, false);
	return rc;
}

/*
 * serve_stream's end (a signal, --once): the last packets, then the
 * timeline's rest and --svg's file, whose failure is the exit code.
 */
static int timeline_end_run(struct sockx *sx, void *ctx, int rc)
{
	return timeline_finish(sx, capture_finish(ctx, rc));
}

int cmd_tcp_server(struct sockx *sx, int argc, char **argv)
{
	struct tcp_server_opts o = { .lo = { .backlog = 4096, .v6only = -1, .nonblock = true } };
	struct capture *cap = NULL;
	const char *failed;
	char s[ADDR_TEXT];
	struct addr a;
	int first, rc, fd;

	rc = opt_parse(sx, &info_tcp_server, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	if (!o.timeline && !o.svg && priv_init(false) < 0)	/* CAP_NET_RAW: the capture's only */
		trace(sx, 1, "cannot limit capabilities: %s", strerror(errno));
	if (first < argc)
		return fail(sx, EXIT_USAGE, "unexpected argument '%s' (use -b ADDR and -p PORT)", argv[first]);
	if (o.so.mode == MODE_STDIO && o.so.max_clients)
		return fail(sx, EXIT_USAGE, "--max-clients does not go with --mode stdio (one client at a time)");
	rc = listen_addr(sx, o.bind, o.port, SOCK_STREAM, o.v6only, &o.lo, &a);
	if (rc == EXIT_OK && (o.timeline || o.svg))
		rc = timeline_begin(sx, &o);
	if (rc != EXIT_OK)
		return rc;
	note_somaxconn(sx, o.lo.backlog);
	fd = sock_listener(sx, &a, SOCK_STREAM, &o.lo, &failed);
	if (fd < 0) {
		rc = fail_open(sx, "%s %s", failed, addr_str(&a, s, sizeof(s)));
		sock_bind_hint(sx, failed, &a);
		if (errno == EADDRINUSE)
			hint(sx, "another server has that port; -p 0 lets the kernel pick a free one");
		timeline_free(sx);
		return rc;
	}
	if (o.timeline || o.svg) {
		rc = timeline_wire_up(sx, &a, &cap);
		if (rc != EXIT_OK) {
			sock_close(sx, fd);
			timeline_free(sx);
			return rc;
		}
		o.so.at_end = timeline_end_run;
		o.so.ctx = cap;
	}
	serve_data_out(sx, o.so.mode);
	listen_say(sx, &a);
	return serve_stream(sx, fd, &o.so);
}
