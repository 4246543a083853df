/* \summary: lab partial-send: send() may take fewer bytes than asked, or none (EAGAIN, EINTR) */
#include <errno.h>
#include <linux/sockios.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "lab.h"

#define CHUNK 65536		/* what the non-blocking sender asks each time */
#define BIG (1 << 20)		/* what the blocking sender asks at once */
#define SMALL_BUF 4096		/* SO_SNDBUF and SO_RCVBUF asked for */

#define IN_LEN (1 << 18)
static char *out_buf, *in_buf;	/* BIG and IN_LEN bytes, the lab's (lab_alloc) */


/* SIGALRM: counted, nothing else; installed without SA_RESTART. */
static volatile sig_atomic_t alarms;
static struct sigaction old_alrm;
static bool alrm_set;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void undo_alarm(void *arg)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	(void)arg;
	setitimer(ITIMER_REAL, &off, NULL);
	if (alrm_set)
		sigaction(SIGALRM, &old_alrm, NULL);
	alrm_set = false;
}

static void alarm_in(int ms)
{
	struct itimerval t = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &t, NULL);
}

/* A client with a small send buffer, connected to lfd, and its accepted peer. */
static int conn(struct lab_run *r, int lfd, const struct addr *srv, int *cli, int *peer)
{
	struct addr from;

	*cli = lab_keep(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (*cli < 0)
		return lab_cannot(r, EXIT_FAIL, "socket: %s", strerror(errno));
	sock_setopt(r->sx, *cli, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", SMALL_BUF);
	/* a safety net behind SIGALRM; 0 would mean no bound at all */
	sock_set_timeout(r->sx, *cli, SO_SNDTIMEO, lab_ms_left(r, 3000) > 0 ? lab_ms_left(r, 3000) : 1);
	if (sock_connect(r->sx, *cli, srv) < 0)
		return lab_cannot(r, EXIT_FAIL, "connect: %s", strerror(errno));
	*peer = lab_keep(r, sock_accept(r->sx, lfd, &from, SOCK_CLOEXEC));
	if (*peer < 0)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	return EXIT_OK;
}

/* Ends cli's stream and counts what arrives at peer until EOF; -1 on error or time out. */
static long long drain(struct lab_run *r, int cli, int peer)
{
	long long got = 0;
	ssize_t n;
	int i;

	sock_shutdown(r->sx, cli, SHUT_WR);
	for (i = 0; i < 100000 && !lab_expired(r); i++) {
		if (io_wait_in(peer, lab_ms_left(r, 2000)) <= 0)
			return -1;
		n = sock_recv(r->sx, peer, in_buf, IN_LEN, MSG_DONTWAIT);
		if (n == 0)
			return got;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n > 0)
			got += n;
	}
	return -1;
}

static int outq(int fd)
{
	int q = -1;

	return ioctl(fd, SIOCOUTQ, &q) < 0 ? -1 : q;
}

struct nb_result {
	int calls, shorts, short_call, eagain_call, q_before, q_after;
	ssize_t first_short;
	long long taken, received;
};

/* Non-blocking: CHUNK at a time until EAGAIN, then the receiver counts. */
static int nonblocking(struct lab_run *r, int lfd, const struct addr *srv, struct nb_result *o)
{
	int cli, peer, rc = conn(r, lfd, srv, &cli, &peer);
	ssize_t n;

	if (rc != EXIT_OK)
		return rc;
	fd_nonblock(cli, true);
	for (o->calls = 0; o->calls < 2000 && !lab_expired(r); o->calls++) {
		o->q_before = outq(cli);
		n = sock_send(r->sx, cli, out_buf, CHUNK, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			o->q_after = outq(cli);
			o->eagain_call = ++o->calls;
			break;
		}
		if (n < 0)
			return lab_cannot(r, EXIT_FAIL, "send: %s", strerror(errno));
		o->taken += n;
		if (n < CHUNK && o->shorts++ == 0) {
			o->first_short = n;
			o->short_call = o->calls + 1;
		}
	}
	fd_nonblock(cli, false);
	o->received = drain(r, cli, peer);
	return EXIT_OK;
}

/*
 * Fills cli's send buffer to the brim (ACKs may free room a little
 * later): non-blocking sends until EAGAIN, again until no room came back
 * for 20 ms. Returns the bytes it took.
 */
static long long fill(struct lab_run *r, int cli)
{
	struct pollfd p = { .fd = cli, .events = POLLOUT };
	long long took = 0;
	ssize_t n;
	int i, j;

	for (i = 0; i < 20 && !lab_expired(r); i++) {
		for (j = 0; j < 100; j++) {
			n = sock_send(r->sx, cli, out_buf, CHUNK, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n <= 0)
				break;
			took += n;
		}
		if (poll(&p, 1, lab_ms_left(r, 20)) <= 0)
			break;
	}
	return took;
}

struct blk_result {
	long long filled;	/* what fill() took between the two sends */
	ssize_t n1, n2;
	int err1, err2, alarms1, alarms2;
	double ms1, ms2;
	long long received;
};

/*
 * Blocking: BIG bytes at once, SIGALRM after 150 ms; the buffer filled
 * to the brim; BIG again, SIGALRM after 100 ms.
 */
static int blocking(struct lab_run *r, int lfd, const struct addr *srv, struct blk_result *o)
{
	struct sigaction sa;
	int cli, peer, rc = conn(r, lfd, srv, &cli, &peer);
	double t;

	if (rc != EXIT_OK)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	if (!lab_defer(r, undo_alarm, NULL))
		return lab_cannot(r, EXIT_FAIL, "too many things to undo");
	if (sigaction(SIGALRM, &sa, &old_alrm) < 0)
		return lab_cannot(r, EXIT_FAIL, "sigaction: %s", strerror(errno));
	alrm_set = true;
	alarms = 0;
	alarm_in(150);
	t = now_mono();
	o->n1 = sock_send(r->sx, cli, out_buf, BIG, MSG_NOSIGNAL);
	o->err1 = o->n1 < 0 ? errno : 0;
	o->ms1 = (now_mono() - t) * 1000.0;
	o->alarms1 = alarms;
	o->filled = fill(r, cli);
	alarm_in(100);
	t = now_mono();
	o->n2 = sock_send(r->sx, cli, out_buf, BIG, MSG_NOSIGNAL);
	o->err2 = o->n2 < 0 ? errno : 0;
	o->ms2 = (now_mono() - t) * 1000.0;
	o->alarms2 = alarms - o->alarms1;
	undo_alarm(NULL);
	o->received = drain(r, cli, peer);
	return EXIT_OK;
}

static const char *err_or(int err, ssize_t n, char *buf, size_t len)
{
	if (err)
		return strerrorname_np(err);
	snprintf(buf, len, "%zd bytes", n);
	return buf;
}

static int run(struct lab_run *r)
{
	struct nb_result nb = { 0 };
	struct blk_result bk = { 0 };
	struct addr srv;
	char a[32], b[32];
	int lfd, rc;
	long long lost;
	bool nb_ok, bk_ok;

	out_buf = lab_alloc(r, BIG);
	in_buf = out_buf ? lab_alloc(r, IN_LEN) : NULL;
	if (!in_buf)
		return r->exit;
	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	sock_setopt(r->sx, lfd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", SMALL_BUF);
	rc = nonblocking(r, lfd, &srv, &nb);
	if (rc != EXIT_OK)
		return rc;
	if (nb.shorts)
		lab_observe(r, "non-blocking send() of 65536 bytes: the first short count",
			    (double)nb.first_short, NULL, NULL, "%zd bytes (call %d; %d short counts in all)",
			    nb.first_short, nb.short_call, nb.shorts);
	else
		lab_observe(r, "non-blocking send() of 65536 bytes: short counts", 0, NULL, NULL,
			    "none in %d calls", nb.calls);
	if (nb.eagain_call)
		lab_observe(r, "the next send(), the buffer full", (double)nb.q_after, NULL,
			    "SIOCOUTQ: unchanged means EAGAIN sent nothing",
			    "-1 EAGAIN (call %d); queue %d bytes before it, %d after",
			    nb.eagain_call, nb.q_before, nb.q_after);
	lab_observe(r, "the receiver counted", (double)nb.received, NULL,
		    NULL, "%lld bytes (send() returned %lld)",
		    nb.received, nb.taken);
	lost = (long long)nb.calls * CHUNK - nb.received;
	lab_observe(r, "a sender ignoring the counts would lose", (double)lost, "bytes",
		    NULL, "%lld of %lld", lost, (long long)nb.calls * CHUNK);
	rc = blocking(r, lfd, &srv, &bk);
	if (rc != EXIT_OK)
		return rc;
	lab_observe(r, "blocking send() of 1048576 bytes, SIGALRM after 150 ms (no SA_RESTART)",
		    bk.ms1, NULL, NULL, "%s after %.1f ms (%d alarm)", err_or(bk.err1, bk.n1, a, sizeof(a)),
		    bk.ms1, bk.alarms1);
	lab_observe(r, "the same again, the buffer still full, SIGALRM after 100 ms",
		    bk.ms2, NULL, NULL, "%s after %.1f ms (%d alarm)", err_or(bk.err2, bk.n2, b, sizeof(b)),
		    bk.ms2, bk.alarms2);
	lab_observe(r, "the receiver counted", (double)bk.received, NULL, NULL,
		    "%lld bytes (the first send()'s, and %lld the lab sent between the two "
		    "to fill the buffer)", bk.received, bk.filled);
	if (lab_expired(r))
		return lab_cannot(r, EXIT_FAIL, "%s before the experiment ended",
				  sig_stopped() ? "a signal came" : "the bound (-w) passed");
	if (nb.received < 0 || bk.received < 0)
		return lab_cannot(r, EXIT_FAIL, "the receiver did not see the end of the stream in time");
	nb_ok = nb.shorts > 0 && nb.eagain_call > 0 && nb.received == nb.taken &&
		nb.q_before == nb.q_after;
	bk_ok = bk.n1 > 0 && bk.n1 < BIG && bk.alarms1 > 0 && bk.n2 < 0 && bk.err2 == EINTR &&
		bk.received == bk.n1 + bk.filled;
	if (nb_ok && bk_ok)
		return lab_verdict(r, LAB_HOLDS, "non-blocking: %zd of 65536, then EAGAIN with nothing "
				   "sent (queue %d = %d bytes); blocking + signal: %zd of %d, then EINTR; "
				   "the receiver got exactly the counts returned; ignoring them loses %lld bytes",
				   nb.first_short, nb.q_before, nb.q_after, bk.n1, BIG, lost);
	if (nb.shorts == 0 && bk.n1 == BIG)
		return lab_verdict(r, LAB_DOES_NOT_HOLD, "every send() took all it was given (%d calls)",
				   nb.calls);
	return lab_verdict(r, LAB_DEPENDS, "non-blocking: %d short count(s), EAGAIN %s, received %lld "
			   "of %lld returned; blocking: first %s, second %s",
			   nb.shorts, nb.eagain_call ? "seen" : "not seen", nb.received, nb.taken,
			   a, err_or(bk.err2, bk.n2, b, sizeof(b)));
}

const struct lab lab_partial_send = {
	"partial-send",
	"send() may take fewer bytes than asked: on a full non-blocking socket a short count, "
	"then EAGAIN (nothing sent); on a blocking one interrupted by a signal the partial "
	"count, or EINTR when nothing was sent",
	"a loopback pair with SO_SNDBUF/SO_RCVBUF 4096 and a peer that does not read: "
	"non-blocking send()s of 64 KiB until EAGAIN, then a blocking 1 MiB send() that "
	"SIGALRM interrupts, twice; the receiver counts every byte",
	run,
	NULL,	/* no --timeline */
};
