/* \summary: lab half-close: shutdown(SHUT_WR) lets the answer come back; close() does not */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

static const char message[] = "你好,服务器!";	/* the tutorial's, 17 bytes */


struct half {
	long long server_got;	/* what the server read before its EOF, -1: no EOF */
	ssize_t server_sent;	/* its reply's send() */
	int server_err;		/* then its pending error (SO_ERROR) */
	long long rsts;		/* Tcp OutRsts across the reply, -1 unknown */
	long long reply;	/* what the client read of the reply */
	int client_err;		/* how the client's reading ended: errno, 0 EOF, -1 timeout */
};

/* Reads fd until EOF (or an error, or the bound): the count, or -1 without EOF. */
static long long read_to_end(struct lab_run *r, int fd, int *err)
{
	char buf[4096];
	long long got = 0;
	ssize_t n;
	int i;

	*err = -1;
	for (i = 0; i < 256 && !lab_expired(r); i++) {
		n = sock_recv(r->sx, fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			got += n;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			if (io_wait_in(fd, lab_ms_left(r, 1000)) <= 0)
				break;
			continue;
		}
		*err = n == 0 ? 0 : errno;
		return got;
	}
	return got;
}

static const char *how(int err)
{
	return err < 0 ? "no end within the bound" : err == 0 ? "0 (end of stream)" : strerrorname_np(err);
}

/*
 * The client sends the message, then shutdown(SHUT_WR) (or close()); the
 * server reads until EOF, replies "N bytes", closes; the client reads.
 */
static int round_trip(struct lab_run *r, int lfd, const struct addr *srv, bool use_close,
		      struct half *o)
{
	struct addr from;
	char reply[64];
	int *cli, *peer, len, err, cli_fd;
	long long rst0;

	if (!use_close)	/* --timeline: the half-close is the key moment */
		lab_timeline_begin(r, srv, NULL);
	lab_timeline_peer(r, lfd);
	cli = lab_own(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!cli || sock_connect(r->sx, *cli, srv) < 0)
		return lab_cannot(r, EXIT_FAIL, "connect: %s", strerror(errno));
	peer = lab_own(r, lab_timeline_peer(r, sock_accept(r->sx, lfd, &from, SOCK_CLOEXEC)));
	if (!peer)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	if (sock_send(r->sx, *cli, message, strlen(message), MSG_NOSIGNAL) < 0)
		return lab_cannot(r, EXIT_FAIL, "send: %s", strerror(errno));
	cli_fd = *cli;
	if (use_close) {
		sock_close(r->sx, *cli);
		*cli = -1;
	} else {
		sock_shutdown(r->sx, *cli, SHUT_WR);
	}
	o->server_got = read_to_end(r, *peer, &err);
	if (err != 0)
		o->server_got = -1;
	len = snprintf(reply, sizeof(reply), "got %lld bytes", o->server_got);
	rst0 = lab_proc_counter("/proc/net/snmp", "Tcp:", "OutRsts");
	o->server_sent = sock_send(r->sx, *peer, reply, (size_t)len, MSG_NOSIGNAL);
	io_wait_in(*peer, lab_ms_left(r, 200));
	o->rsts = rst0 < 0 ? -1 : lab_proc_counter("/proc/net/snmp", "Tcp:", "OutRsts") - rst0;
	if (sock_getopt(r->sx, *peer, SOL_SOCKET, SO_ERROR, "SO_ERROR", &o->server_err) < 0)
		o->server_err = errno;
	sock_close(r->sx, *peer);
	*peer = -1;
	/* with close(), cli_fd is a closed number now: what a program holding it gets */
	o->reply = read_to_end(r, cli_fd, &o->client_err);
	if (!use_close)
		lab_timeline_end(r);
	return EXIT_OK;
}


static void report(struct lab_run *r, const char *which, const struct half *o)
{
	char what[160];

	snprintf(what, sizeof(what), "%s: the server read until EOF", which);
	lab_observe(r, what, (double)o->server_got, "bytes", NULL, "%lld", o->server_got);
	snprintf(what, sizeof(what), "%s: the server's reply send(), then its SO_ERROR", which);
	lab_observe(r, what, (double)o->server_sent, NULL, NULL, "%zd bytes, then %s",
		    o->server_sent, o->server_err ? strerrorname_np(o->server_err) : "0");
	snprintf(what, sizeof(what), "%s: RSTs sent meanwhile (Tcp OutRsts)", which);
	lab_observe(r, what, (double)o->rsts, NULL, "other traffic in this namespace may add",
		    "%lld", o->rsts);
	snprintf(what, sizeof(what), "%s: the client read of the reply", which);
	lab_observe(r, what, (double)o->reply, NULL, NULL, "%lld bytes, then %s", o->reply,
		    how(o->client_err));
}

static int run(struct lab_run *r)
{
	struct half sh = { 0 }, cl = { 0 };
	struct addr srv;
	int lfd, rc;

	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	rc = round_trip(r, lfd, &srv, false, &sh);
	if (rc != EXIT_OK)
		return rc;
	report(r, "shutdown(SHUT_WR)", &sh);
	rc = round_trip(r, lfd, &srv, true, &cl);
	if (rc != EXIT_OK)
		return rc;
	report(r, "close()", &cl);
	if (lab_expired(r))
		return lab_cannot(r, EXIT_FAIL, "%s before the experiment ended",
				  sig_stopped() ? "a signal came" : "the bound (-w) passed");
	if (sh.server_got == (long long)strlen(message) && sh.reply > 0 && sh.client_err == 0 &&
	    cl.server_got == (long long)strlen(message) && cl.reply == 0 && cl.client_err != 0)
		return lab_verdict(r, LAB_HOLDS, "after shutdown(SHUT_WR) the server saw EOF after "
				   "%lld bytes and the client read its %lld-byte reply; after close() "
				   "the server saw the same EOF, but its reply met a RST (%lld counted, "
				   "SO_ERROR %s) and the client's read gave %s",
				   sh.server_got, sh.reply, cl.rsts,
				   cl.server_err ? strerrorname_np(cl.server_err) : "no error",
				   how(cl.client_err));
	return lab_verdict(r, LAB_DOES_NOT_HOLD, "shutdown: server read %lld, client read %lld "
			   "then %s; close: server read %lld, client read %lld then %s",
			   sh.server_got, sh.reply, how(sh.client_err), cl.server_got, cl.reply,
			   how(cl.client_err));
}

const struct lab lab_half_close = {
	"half-close",
	"shutdown(SHUT_WR) ends what a client says and still lets the answer come back; "
	"close() instead does not: the client cannot read the reply",
	"a loopback server reads until EOF, replies \"got N bytes\" and closes; the client "
	"sends the tutorial's 17 bytes, then shutdown(SHUT_WR) and reads, or close() and reads",
	run,
	"shutdown(SHUT_WR): the client's FIN goes one way, and the server's reply "
	"still comes back",
};
