/* \summary: unix: AF_UNIX stream, datagram and seqpacket: server, client, demonstration */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unix.h"

enum { O_STREAM = OPT_LONG, O_DGRAM, O_SEQPACKET, O_MODE, O_PERM, O_ONCE,
       O_MAXCL, O_IDLE, O_SENDFD, O_CREDS, O_RECVSIZE, O_HEX, O_VERIFY, O_TIMELINE, O_SVG };

static const struct optdef opts[] = {
	{ "stream", O_STREAM, NULL, "SOCK_STREAM: a byte stream (the default)", NULL },
	{ "dgram", O_DGRAM, NULL, "SOCK_DGRAM: datagrams, each one whole", NULL },
	{ "seqpacket", O_SEQPACKET, NULL, "SOCK_SEQPACKET: a connection of whole messages", NULL },
	{ "listen", 'l', NULL, "serve on PATH (unix-server is unix -l)", NULL },
	{ "mode", O_MODE, "MODE", "server: echo (default), upper, discard, print or stdio (--stream)", "echo upper discard print stdio" },
	{ "perm", O_PERM, "MODE", "server: octal mode of the socket file (default 0600)", NULL },
	{ "once", O_ONCE, NULL, "server: serve one client (one datagram), then exit", NULL },
	{ "max-clients", O_MAXCL, "N", "server: serve at most N at once; the rest wait", NULL },
	{ "idle-timeout", O_IDLE, "S", "server: close a client silent for S seconds", NULL },
	{ "message", 'm', "MSG", "send MSG and wait for its reply (repeatable)", NULL },
	{ "timeout", 'w', "S", "client: -m: give up after S seconds of silence (default 5); without -m: end after S seconds with no data either way (default: never, as nc; dgram: 2 s for the last replies)", NULL },
	{ "send-fd", O_SENDFD, "FILE", "open FILE and pass the descriptor with the first message (SCM_RIGHTS)", "@file" },
	{ "creds", O_CREDS, NULL, "send SCM_CREDENTIALS with each message; -l: receive and show them", NULL },
	{ "recv-size", O_RECVSIZE, "N", "read at most N bytes per receive (default 262144): longer messages show MSG_TRUNC", NULL },
	{ "hex", O_HEX, NULL, "client: show received bytes as a hex dump", NULL },
	{ "verify", O_VERIFY, NULL, "say why there is nothing to capture: a Unix socket touches no interface", NULL },
	{ "timeline", O_TIMELINE, NULL, "client (-m) and demonstration: draw the system calls on one time axis, and the bytes the kernel copied from each send to the recv that took them", NULL },
	{ "svg", O_SVG, "FILE", "client (-m) and demonstration: draw that timeline as an SVG sequence diagram into FILE (whole or not at all)", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

#define UNIX_ABOUT \
	"AF_UNIX sockets. PATH is a filesystem path or @name (the Linux\n" \
	"abstract namespace: no file at all).\n\n" \
	"-l PATH: serve, many clients at once (stream, seqpacket) in the mode\n" \
	"given; each client's SO_PEERCRED (pid, uid, gid) is shown on accept.\n" \
	"Modes: echo, upper, discard, print (what each client sends goes to\n" \
	"stdout, a line per read or datagram, control bytes escaped; with -q\n" \
	"the bytes only, raw), stdio (--stream only; nc -lU: one client at a\n" \
	"time, stdin to it, its bytes to stdout, half-close as in netcat mode;\n" \
	"the next client after that; --once: one, then exit). With stdio or\n" \
	"print -q, 'listening on' and the summary go to stderr.\n" \
	"The first line is 'listening on PATH'. The socket file is made with\n" \
	"mode 0600 (--perm) from the start, never wider; a path that exists and\n" \
	"is not a socket is never removed (exit 1); a stale socket file is\n" \
	"replaced; a live server's path is refused (exit 1, \"in use\"). The\n" \
	"server removes its socket file when it exits, also on SIGINT, SIGTERM\n" \
	"or SIGHUP.\n\n" \
	"PATH without -l: connect. With -m: send each message and print the\n" \
	"reply. Without -m: stream is netcat mode (stdin to the socket, the\n" \
	"socket to stdout); seqpacket and dgram send each stdin line as one\n" \
	"message (a dgram client waits -w, default 2 s, for the last replies).\n" \
	"A dgram client binds an abstract address of its own (autobind) so\n" \
	"that the server can answer.\n\n" \
	"No PATH: a demonstration in one process: a listener and a client on a\n" \
	"private abstract address; the client sends a few messages in quick\n" \
	"succession and the output shows how they arrive (stream may merge\n" \
	"them; seqpacket and dgram keep every boundary).\n\n" \
	"--send-fd and --creds add ancillary data (SCM_RIGHTS, SCM_CREDENTIALS);\n" \
	"a server shows every descriptor it receives (path, type, inode; with\n" \
	"--mode echo or upper also a regular file's first line, read only if\n" \
	"that cannot wait: a FIFO, socket or device is never read), and with\n" \
	"-l --creds it asks for credentials (SO_PASSCRED) and shows them\n" \
	"beside SO_PEERCRED. Once the receiver asks, the kernel attaches the\n" \
	"sender's credentials to every message, sent or not; only a privileged\n" \
	"sender can claim other ids.\n" \
	"-v traces every recvmsg with its flags (MSG_TRUNC, MSG_CTRUNC; Linux\n" \
	"never sets MSG_EOR on receive: sockx lab seqpacket-eof).\n\n" \
	"--verify: a Unix socket never touches a network interface, so there\n" \
	"is no traffic for libpcap to capture: sockx says so (on stderr, or a\n" \
	"\"verify\" event) and does the rest as asked; the exit status is that\n" \
	"of the rest (0 when it succeeded).\n\n" \
	"--timeline (the demonstration, and the client with -m) draws the system\n" \
	"calls as they return, in ms on one clock; the demonstration draws both\n" \
	"ends: the client's calls on the left, the server end's (listen, accept,\n" \
	"recv) on the right, and for each recv the bytes the kernel copied from\n" \
	"the send that put them (AF_UNIX has no packets). A client alone does not\n" \
	"see its peer's calls: only its own are drawn. --svg FILE draws the\n" \
	"same timeline as a sequence diagram (SVG, self-contained) into FILE at\n" \
	"the end, with or without --timeline."

const struct cmdinfo info_unix = {
	"[--stream|--dgram|--seqpacket] [-l] [--mode MODE] [--perm MODE] [PATH] [-m MSG]... [OPTIONS]",
	UNIX_ABOUT, opts,
};
const struct cmdinfo info_unix_server = {
	"[--stream|--dgram|--seqpacket] [--mode MODE] [--perm MODE] PATH [OPTIONS]",
	"The same as 'sockx unix -l'.\n\n" UNIX_ABOUT, opts,
};
const struct cmdinfo info_unix_client = {
	"[--stream|--dgram|--seqpacket] [PATH] [-m MSG]... [OPTIONS]",
	"The same as 'sockx unix'.\n\n" UNIX_ABOUT, opts,
};

/* The modes a unix server offers: serve.h's without "source". */
static const char *const modes[] = { "echo", "upper", "discard", "print", "stdio", NULL };
static const enum serve_mode mode_ids[] = { MODE_ECHO, MODE_UPPER, MODE_DISCARD,
					    MODE_PRINT, MODE_STDIO };

/* "0600", "660", "0": octal, at most 0777. Returns 0 or -1. */
static int parse_perm(const char *s, int *out)
{
	size_t i, n = strlen(s);
	int v = 0;

	if (n == 0 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (s[i] - '0');
	}
	if (v > 0777)
		return -1;
	*out = v;
	return 0;
}

static int set_type(struct sockx *sx, struct unix_opts *o, int type)
{
	if (o->type && o->type != type)
		return fail(sx, EXIT_USAGE, "cannot use --%s and --%s together",
			    unix_type_word(o->type), unix_type_word(type));
	o->type = type;
	return EXIT_OK;
}

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct unix_opts *o = ctx;
	int i;

	switch (key) {
	case O_STREAM: return set_type(sx, o, SOCK_STREAM);
	case O_DGRAM: return set_type(sx, o, SOCK_DGRAM);
	case O_SEQPACKET: return set_type(sx, o, SOCK_SEQPACKET);
	case 'l': o->listen = true; return EXIT_OK;
	case O_ONCE: o->once = true; return EXIT_OK;
	case O_CREDS: o->creds = true; return EXIT_OK;
	case O_HEX: o->hex = true; return EXIT_OK;
	case O_VERIFY: o->verify = true; return EXIT_OK;
	case O_TIMELINE: o->timeline = true; return EXIT_OK;
	case O_SVG: o->svg = arg; return EXIT_OK;
	case O_SENDFD: o->send_fd = arg; return EXIT_OK;
	case O_MODE:
		i = opt_choice(sx, "--mode", arg, modes);
		if (i < 0)
			return EXIT_USAGE;
		o->mode = mode_ids[i];
		o->mode_set = true;
		return EXIT_OK;
	case O_PERM:
		if (parse_perm(arg, &o->perm) < 0)
			return fail(sx, EXIT_USAGE, "invalid --perm '%s' (expected an octal mode, 0-0777)", arg);
		return EXIT_OK;
	case 'm':
		if (o->nmsgs == UNIX_MAX_MSGS)
			return fail(sx, EXIT_USAGE, "at most %d messages (-m)", UNIX_MAX_MSGS);
		o->msgs[o->nmsgs++] = arg;
		return EXIT_OK;
	case 'w':
		o->wait_set = true;
		return opt_wait(sx, "--timeout", arg, 86400, &o->wait_ms);
	case O_MAXCL:
		return opt_num(sx, "--max-clients", arg, 1, 1 << 24, &o->max_clients);
	case O_IDLE:
		return opt_secs_ll(sx, "--idle-timeout", arg, 86400 * 365, &o->idle_ms);
	case O_RECVSIZE:
		return opt_num(sx, "--recv-size", arg, 1, 64UL << 20, &o->recv_size);
	default:
		return EXIT_USAGE;
	}
}

/* Options that belong to one side only; one message per conflict. */
static int check_sides(struct sockx *sx, const struct unix_opts *o)
{
	const char *srv = o->perm >= 0 ? "--perm" : o->mode_set ? "--mode" :
		o->once ? "--once" : o->max_clients ? "--max-clients" :
		o->idle_ms ? "--idle-timeout" : NULL;

	if (o->listen) {
		if (o->nmsgs)
			return fail(sx, EXIT_USAGE, "cannot use -m with -l (a server answers, it does not send)");
		if (o->send_fd)
			return fail(sx, EXIT_USAGE, "cannot use --send-fd with -l (a client sends descriptors)");
		if (o->wait_set)
			return fail(sx, EXIT_USAGE, "cannot use -w with -l (servers use --idle-timeout)");
		if (o->hex)
			return fail(sx, EXIT_USAGE, "cannot use --hex with -l (a client option: it shows what the"
				    " client receives)");
		if (o->timeline || o->svg)
			return fail(sx, EXIT_USAGE, "cannot use %s with -l (the client, with -m,"
				    " and the demonstration draw one)", o->timeline ? "--timeline" : "--svg");
		if (!o->path)
			return fail(sx, EXIT_USAGE, "-l needs a PATH or @name to listen on");
		if (o->perm >= 0 && o->path[0] == '@')
			return fail(sx, EXIT_USAGE, "--perm applies to a socket file, not to an abstract @name");
		if ((o->max_clients || o->idle_ms) && o->type == SOCK_DGRAM)
			return fail(sx, EXIT_USAGE, "%s needs a connection type (--stream or --seqpacket)",
				    o->max_clients ? "--max-clients" : "--idle-timeout");
		if (o->mode == MODE_STDIO && o->type != SOCK_STREAM)
			return fail(sx, EXIT_USAGE, "--mode stdio needs --stream (a byte stream both ways)");
		if (o->mode == MODE_STDIO && (o->max_clients || o->creds))
			return fail(sx, EXIT_USAGE, "%s does not go with --mode stdio (one client,"
				    " and stdout is its bytes only)",
				    o->max_clients ? "--max-clients" : "--creds");
		return EXIT_OK;
	}
	if (srv)
		return fail(sx, EXIT_USAGE, "%s needs -l (it is a server option)", srv);
	if (o->path && !o->nmsgs && (o->timeline || o->svg))
		return fail(sx, EXIT_USAGE, "%s needs -m (or no PATH: the demonstration)",
			    o->timeline ? "--timeline" : "--svg");
	if (o->path && !o->nmsgs && (o->send_fd || o->creds))
		return fail(sx, EXIT_USAGE, "%s needs -m (ancillary data travels with a message)",
			    o->send_fd ? "--send-fd" : "--creds");
	return EXIT_OK;
}

static int parse(struct sockx *sx, const struct cmdinfo *ci, struct unix_opts *o,
		 int argc, char **argv)
{
	char err[256];
	int first, rc;

	rc = opt_parse(sx, ci, argc, argv, parse_opt, o, &first);
	if (rc != EXIT_OK)
		return rc;
	if (!o->type)
		o->type = SOCK_STREAM;
	if (first < argc)
		o->path = argv[first++];
	if (first < argc)
		return fail(sx, EXIT_USAGE, "unexpected argument '%s' (one PATH at most)", argv[first]);
	if (o->path && addr_unix(o->path, &o->addr, err, sizeof(err)) < 0)
		return fail(sx, EXIT_USAGE, "%s", err);
	return check_sides(sx, o);
}

static int run(struct sockx *sx, const struct cmdinfo *ci, int argc, char **argv)
{
	struct unix_opts o = { .perm = -1, .wait_ms = 5000, .recv_size = UNIX_RECV_SIZE };
	int rc;

	rc = parse(sx, ci, &o, argc, argv);
	if (rc != EXIT_OK)
		return rc;
	if (o.verify && !o.listen)
		unix_verify_note(sx);	/* a server says it after "listening on" */
	if (o.listen)
		return unix_serve(sx, &o);
	if (!o.path)
		return unix_demo(sx, &o);
	if (!o.nmsgs && !o.wait_set)
		o.wait_ms = -1;		/* stdin mode: no idle limit unless -w */
	return unix_client(sx, &o);
}

int cmd_unix(struct sockx *sx, int argc, char **argv)
{
	return run(sx, &info_unix, argc, argv);
}

int cmd_unix_client(struct sockx *sx, int argc, char **argv)
{
	return run(sx, &info_unix_client, argc, argv);
}

/* unix-server: unix with -l put in front of the other arguments. */
int cmd_unix_server(struct sockx *sx, int argc, char **argv)
{
	static char dash_l[] = "-l";
	char **v = calloc((size_t)argc + 2, sizeof(*v));
	int rc;

	if (!v)
		return fail(sx, EXIT_FAIL, "out of memory");
	v[0] = argv[0];
	v[1] = dash_l;
	memcpy(v + 2, argv + 1, (size_t)(argc - 1) * sizeof(*v));
	rc = run(sx, &info_unix_server, argc + 1, v);
	free(v);
	return rc;
}
