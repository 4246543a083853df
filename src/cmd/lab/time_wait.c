/* \summary: lab time-wait: who closes first keeps TIME_WAIT, and binding its port again needs SO_REUSEADDR */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

/*
 * Sockets in /proc/net/tcp in state st (6: TIME_WAIT) from 127.0.0.1:lport,
 * to rport (0: any); -1 if the file cannot be read.
 */
static int proc_tcp_count(int lport, int rport, unsigned st)
{
	char line[512];
	unsigned la, lp, ra, rp, s;
	int n = 0;
	FILE *f = fopen("/proc/net/tcp", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %8X:%4X %8X:%4X %2X", &la, &lp, &ra, &rp, &s) == 5 &&
		    s == st && (int)lp == lport && (rport == 0 || (int)rp == rport) &&
		    la == htonl(INADDR_LOOPBACK))
			n++;
	fclose(f);
	return n;
}

static int sysctl_int(const char *path)
{
	int v = -1;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int port_of(const struct addr *a)
{
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

struct tw {
	int port;		/* the client's fixed port */
	int tw_client;		/* TIME_WAIT entries from it to the server */
	int tw_server;		/* TIME_WAIT entries from the server's port to it */
	int bind_plain;		/* a new bind to it without SO_REUSEADDR: errno, 0 ok */
	int bind_reuse;		/* the same with SO_REUSEADDR */
	int connect_again;	/* that socket's connect() to the same server: errno, 0 ok */
};

/* A new socket bound to 127.0.0.1:port, with or without SO_REUSEADDR: errno or 0. */
static int rebind(struct lab_run *r, int port, bool reuse, int **fd)
{
	struct addr a;

	*fd = lab_own(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!*fd)
		return errno;
	if (reuse)
		sock_setopt(r->sx, **fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1);
	lab_loopback(&a, AF_INET, port);
	return sock_bind(r->sx, **fd, &a) < 0 ? errno : 0;
}

/*
 * A client bound to a port of its own (SO_REUSEADDR set on it or not)
 * connects, closes first; the server reads the EOF and closes. Then the
 * port is bound again, without and with SO_REUSEADDR.
 */
static int round_tw(struct lab_run *r, int lfd, const struct addr *srv, bool first_reuse,
		    struct tw *o)
{
	struct addr me, from;
	char c;
	int *cli, *peer, *again, i;

	cli = lab_own(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!cli)
		return lab_cannot(r, EXIT_FAIL, "socket: %s", strerror(errno));
	if (first_reuse)
		sock_setopt(r->sx, *cli, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1);
	lab_loopback(&me, AF_INET, 0);
	if (sock_bind(r->sx, *cli, &me) < 0 || sock_name(r->sx, *cli, &me) < 0 ||
	    sock_connect(r->sx, *cli, srv) < 0)
		return lab_cannot(r, EXIT_FAIL, "bind and connect: %s", strerror(errno));
	o->port = port_of(&me);
	peer = lab_own(r, sock_accept(r->sx, lfd, &from, SOCK_CLOEXEC));
	if (!peer)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	sock_close(r->sx, *cli);	/* the client closes first */
	*cli = -1;
	if (io_wait_in(*peer, lab_ms_left(r, 1000)) <= 0 || sock_recv(r->sx, *peer, &c, 1, 0) != 0)
		return lab_cannot(r, EXIT_FAIL, "the server did not see the client's FIN");
	sock_close(r->sx, *peer);
	*peer = -1;
	for (i = 0; i < 100 && !lab_expired(r); i++) {	/* the last ACK, within 1 s */
		o->tw_client = proc_tcp_count(o->port, port_of(srv), 6);
		if (o->tw_client != 0)
			break;
		io_wait_in(-1, 10);
	}
	o->tw_server = proc_tcp_count(port_of(srv), o->port, 6);
	o->bind_plain = rebind(r, o->port, false, &again);
	if (again)
		lab_close_fd(again);
	o->bind_reuse = rebind(r, o->port, true, &again);
	o->connect_again = -1;
	if (again && o->bind_reuse == 0)
		o->connect_again = sock_connect(r->sx, *again, srv) < 0 ? errno : 0;
	if (again)
		lab_close_fd(again);
	return EXIT_OK;
}

static const char *res(int err)
{
	return err == 0 ? "ok" : err < 0 ? "not tried" : strerrorname_np(err);
}

static void report(struct lab_run *r, const char *which, const struct tw *o)
{
	char what[160];

	snprintf(what, sizeof(what), "%s: TIME_WAIT entries in /proc/net/tcp (state 06), "
		 "client side 127.0.0.1:%d", which, o->port);
	lab_observe(r, what, o->tw_client, NULL, NULL, "%d", o->tw_client);
	snprintf(what, sizeof(what), "%s: TIME_WAIT entries, server side (closed second)", which);
	lab_observe(r, what, o->tw_server, NULL, NULL, "%d", o->tw_server);
	snprintf(what, sizeof(what), "%s: bind 127.0.0.1:%d again, without SO_REUSEADDR / with it",
		 which, o->port);
	lab_observe(r, what, NAN, NULL, NULL, "%s / %s", res(o->bind_plain), res(o->bind_reuse));
	if (o->bind_reuse == 0) {
		snprintf(what, sizeof(what), "%s: then connect() from it to the same server", which);
		lab_observe(r, what, NAN, NULL, "the same 4-tuple as the TIME_WAIT one",
			    "%s", res(o->connect_again));
	}
}

static int run(struct lab_run *r)
{
	struct tw plain = { 0 }, both = { 0 };
	struct addr srv;
	int lfd, rc, twr = sysctl_int("/proc/sys/net/ipv4/tcp_tw_reuse");
	bool tw_seen;

	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	rc = round_tw(r, lfd, &srv, false, &plain);
	if (rc != EXIT_OK)
		return rc;
	report(r, "first socket without SO_REUSEADDR", &plain);
	rc = round_tw(r, lfd, &srv, true, &both);
	if (rc != EXIT_OK)
		return rc;
	report(r, "first socket with SO_REUSEADDR", &both);
	lab_observe(r, "net.ipv4.tcp_tw_reuse", twr, NULL,
		    "lets connect() reuse a TIME_WAIT 4-tuple (2: loopback only); bind() ignores it",
		    "%d", twr);
	if (lab_expired(r))
		return lab_cannot(r, EXIT_FAIL, "%s before the experiment ended",
				  sig_stopped() ? "a signal came" : "the bound (-w) passed");
	tw_seen = plain.tw_client > 0 && both.tw_client > 0 && plain.tw_server == 0 &&
		  both.tw_server == 0;
	if (!tw_seen)
		return lab_verdict(r, LAB_DOES_NOT_HOLD, "TIME_WAIT entries: client side %d and %d, "
				   "server side %d and %d", plain.tw_client, both.tw_client,
				   plain.tw_server, both.tw_server);
	if (plain.bind_plain == EADDRINUSE && both.bind_plain == EADDRINUSE &&
	    plain.bind_reuse == 0 && both.bind_reuse == 0)
		return lab_verdict(r, LAB_HOLDS, "the client, which closed first, kept TIME_WAIT "
				   "on ports %d and %d (the server none); binding them again failed "
				   "with EADDRINUSE and succeeded with SO_REUSEADDR",
				   plain.port, both.port);
	if (plain.bind_plain == EADDRINUSE && both.bind_plain == EADDRINUSE &&
	    both.bind_reuse == 0 && plain.bind_reuse == EADDRINUSE)
		return lab_verdict(r, LAB_DEPENDS, "the client, which closed first, kept TIME_WAIT "
				   "on ports %d and %d (the server none); binding them again failed "
				   "with EADDRINUSE; with SO_REUSEADDR it succeeded (port %d) only "
				   "when the socket now in TIME_WAIT had SO_REUSEADDR too (else %s, "
				   "port %d): set it before bind() on every socket that binds a fixed port",
				   plain.port, both.port, both.port, res(plain.bind_reuse), plain.port);
	return lab_verdict(r, LAB_DOES_NOT_HOLD, "rebinding: without SO_REUSEADDR %s and %s, "
			   "with it %s and %s", res(plain.bind_plain), res(both.bind_plain),
			   res(plain.bind_reuse), res(both.bind_reuse));
}

const struct lab lab_time_wait = {
	"time-wait",
	"the side that closes first keeps the connection in TIME_WAIT; binding its address "
	"and port again fails with EADDRINUSE unless SO_REUSEADDR is set",
	"a client bound to a fixed loopback port (taken from port 0) connects and closes "
	"first, the server closes second; /proc/net/tcp shows who is in TIME_WAIT; the port "
	"is bound again without and with SO_REUSEADDR (the first socket without it, then with it)",
	run,
	NULL,	/* no --timeline */
};
