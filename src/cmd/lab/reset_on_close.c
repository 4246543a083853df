/* \summary: lab reset-on-close: close() with unread data sends a RST, and the peer sees ECONNRESET */
#include <errno.h>
#include <linux/sockios.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lab.h"

#define MSG_LEN 2000	/* the client's message */
#define READ_LEN 1024	/* what the tutorial's server reads of it */


/* What one round saw. */
struct round {
	int unread;		/* bytes left in the server's receive queue at close */
	long long rsts;		/* Tcp OutRsts across the server's close, -1 unknown */
	int state;		/* the client's tcpi_state after it */
	long long reply;	/* bytes the client read before the end */
	int err;		/* how its reading ended: errno, 0 for EOF, -1 timeout */
	int send_err;		/* send_first: the client's send() after the close: errno */
};

/* The server's receive queue holds n bytes, within the lab's time. */
static bool wait_queued(struct lab_run *r, int fd, int n)
{
	int q = 0, i;

	for (i = 0; i < 200 && !lab_expired(r); i++) {
		if (ioctl(fd, SIOCINQ, &q) == 0 && q >= n)
			return true;
		io_wait_in(fd, 5);
	}
	return false;
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ? -1 : ti.tcpi_state;
}

/* The client reads until the end: o->reply bytes, then o->err (-1: the bound). */
static void read_reply(struct lab_run *r, int cli, struct round *o)
{
	static char buf[4096];
	ssize_t n;
	int i;

	o->err = -1;
	for (i = 0; i < 64 && !lab_expired(r); i++) {
		if (io_wait_in(cli, lab_ms_left(r, 1000)) <= 0)
			break;
		n = sock_recv(r->sx, cli, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			o->reply += n;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			continue;
		o->err = n == 0 ? 0 : errno;
		break;
	}
}

/*
 * The tutorial's exchange: the client sends MSG_LEN bytes; the server
 * reads READ_LEN (or all, read_all), replies with them upper-cased and
 * closes; the client then reads until the end (send_first: after one
 * more send(), as a client still writing would).
 */
static int exchange(struct lab_run *r, int lfd, const struct addr *srv, bool read_all,
		    bool send_first, struct round *o)
{
	static char msg[MSG_LEN], buf[4096];
	struct addr from;
	int cli, *peer, i, got = 0;
	long long rst0;
	bool key = !read_all && !send_first;
	ssize_t n;

	memset(msg, 'a', sizeof(msg));
	if (key)	/* --timeline: this round is the key moment */
		lab_timeline_begin(r, srv, NULL);
	lab_timeline_peer(r, lfd);
	cli = lab_keep(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (cli < 0 || sock_connect(r->sx, cli, srv) < 0)
		return lab_cannot(r, EXIT_FAIL, "connect: %s", strerror(errno));
	peer = lab_own(r, lab_timeline_peer(r, sock_accept(r->sx, lfd, &from, SOCK_CLOEXEC)));
	if (!peer)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	if (sock_send(r->sx, cli, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg) ||
	    !wait_queued(r, *peer, MSG_LEN))
		return lab_cannot(r, EXIT_FAIL, "the %d bytes did not reach the server", MSG_LEN);
	for (i = 0; i < 8 && got < (read_all ? MSG_LEN : READ_LEN); i++) {
		n = sock_recv(r->sx, *peer, buf, (size_t)((read_all ? MSG_LEN : READ_LEN) - got),
			      MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += (int)n;
	}
	for (i = 0; i < READ_LEN; i++)
		buf[i] = (char)(buf[i] == 'a' ? 'A' : buf[i]);
	if (got < READ_LEN || sock_send(r->sx, *peer, buf, READ_LEN, MSG_NOSIGNAL) != READ_LEN)
		return lab_cannot(r, EXIT_FAIL, "the server's read or reply failed: %s", strerror(errno));
	if (ioctl(*peer, SIOCINQ, &o->unread) < 0)
		o->unread = -1;
	rst0 = lab_proc_counter("/proc/net/snmp", "Tcp:", "OutRsts");
	sock_close(r->sx, *peer);
	*peer = -1;
	o->rsts = rst0 < 0 ? -1 : lab_proc_counter("/proc/net/snmp", "Tcp:", "OutRsts") - rst0;
	io_wait_in(cli, lab_ms_left(r, 500));
	o->state = tcp_state(cli);
	if (send_first)
		o->send_err = sock_send(r->sx, cli, msg, 1, MSG_NOSIGNAL) < 0 ? errno : 0;
	read_reply(r, cli, o);
	if (key)
		lab_timeline_end(r);
	return EXIT_OK;
}

static const char *state_name(int s)
{
	return s == TCP_CLOSE ? "CLOSE" : s == TCP_CLOSE_WAIT ? "CLOSE_WAIT" :
	       s == TCP_ESTABLISHED ? "ESTABLISHED" : "other";
}

static const char *end_name(int err)
{
	return err < 0 ? "nothing more within the bound" : err == 0 ? "0 (end of stream)" :
	       strerrorname_np(err);
}

static void report(struct lab_run *r, const char *which, const struct round *o)
{
	char what[160];

	snprintf(what, sizeof(what), "%s: unread at the server's close()", which);
	lab_observe(r, what, o->unread, "bytes", NULL, "%d", o->unread);
	snprintf(what, sizeof(what), "%s: RSTs sent across that close() (Tcp OutRsts)", which);
	lab_observe(r, what, (double)o->rsts, NULL, "other traffic in this namespace may add",
		    "%lld", o->rsts);
	snprintf(what, sizeof(what), "%s: the client's TCP state then", which);
	lab_observe(r, what, o->state, NULL, NULL, "%s", state_name(o->state));
	snprintf(what, sizeof(what), "%s: the client read of the reply", which);
	lab_observe(r, what, (double)o->reply, "bytes", NULL, "%lld", o->reply);
	snprintf(what, sizeof(what), "%s: then its recv() returned", which);
	lab_observe(r, what, NAN, NULL, NULL, "%s", end_name(o->err));
}

static int run(struct lab_run *r)
{
	struct round rst = { 0 }, late = { 0 }, fin = { 0 };
	struct addr srv;
	int lfd, rc;

	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	rc = exchange(r, lfd, &srv, false, false, &rst);
	if (rc != EXIT_OK)
		return rc;
	report(r, "server reads 1024 of 2000", &rst);
	rc = exchange(r, lfd, &srv, false, true, &late);
	if (rc != EXIT_OK)
		return rc;
	lab_observe(r, "the same, the client send()s once more before reading: that send()",
		    NAN, NULL, NULL, "%s", late.send_err ? strerrorname_np(late.send_err) : "ok");
	lab_observe(r, "then it read of the reply", (double)late.reply, NULL, NULL,
		    "%lld bytes, then %s", late.reply, end_name(late.err));
	rc = exchange(r, lfd, &srv, true, false, &fin);
	if (rc != EXIT_OK)
		return rc;
	report(r, "control, server reads all 2000", &fin);
	if (lab_expired(r))
		return lab_cannot(r, EXIT_FAIL, "%s before the experiment ended",
				  sig_stopped() ? "a signal came" : "the bound (-w) passed");
	if (rst.err != ECONNRESET || fin.err != 0)
		return lab_verdict(r, LAB_DOES_NOT_HOLD, "with %d bytes unread the client's read ended "
				   "with %s (%lld RSTs counted); with none unread, %s",
				   rst.unread, end_name(rst.err), rst.rsts, end_name(fin.err));
	if (rst.reply == 0)
		return lab_verdict(r, LAB_HOLDS, "close() with %d bytes unread sent a RST (%lld "
				   "counted), the client's recv() failed with ECONNRESET and the "
				   "%d-byte reply was lost; reading all first gave a FIN and the reply",
				   rst.unread, rst.rsts, READ_LEN);
	return lab_verdict(r, LAB_DEPENDS, "close() with %d bytes unread sent a RST (%lld counted) "
			   "and the client's recv() ended in ECONNRESET, not EOF; the reply "
			   "(%lld bytes) had arrived before the RST and this kernel let it be read "
			   "first; a client that sent once more first got %s there, and %s "
			   "(the reply is lost to a client that stops at the first error, or when "
			   "the RST overtakes the reply)",
			   rst.unread, rst.rsts, rst.reply,
			   late.send_err ? strerrorname_np(late.send_err) : "no error",
			   late.reply ? "could still read the reply" : "read nothing");
}

const struct lab lab_reset_on_close = {
	"reset-on-close",
	"close() with unread data in the receive buffer sends a RST, not a FIN: the peer's "
	"recv() fails with ECONNRESET and the reply in flight can be lost",
	"the tutorial's server on loopback gets a 2000-byte message, reads 1024, replies, "
	"closes; the client reads the reply; RSTs counted in /proc/net/snmp; a control "
	"round reads all 2000 first",
	run,
	"the server end's close() with 976 bytes unread: the RST, and the client's "
	"recv() that fails with ECONNRESET",
};
