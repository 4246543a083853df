/* \summary: lab backlog: how many connections wait for accept(), what the next one gets, the somaxconn cap */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

/* Clients per listener: backlog + 1 complete, one more stalls. */
#define MAX_CLIENTS 8
/* How long the connect that finds the queue full is watched. */
#define STALL_MS 300
/* How long it may take to complete once accept() freed a slot (RTO 1 s). */
#define RETRY_MS 2500

/* The clients' descriptors: static, for lab_defer after run() returned. */
static int clients[2 * MAX_CLIENTS];
static int nclients;

static void close_clients(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < nclients; i++)
		if (clients[i] >= 0)
			close(clients[i]);
	nclients = 0;
}

/* A number from a /proc/sys file, or -1. */
static long sysctl_long(const char *path)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

/*
 * A listener's accept queue: TCP_INFO on a LISTEN socket gives the queue
 * length in tcpi_unacked and its cap in tcpi_sacked (what inet_diag, and
 * so ss -lnt, shows as Recv-Q and Send-Q). 0, or -1.
 */
static int accept_queue(struct lab_run *r, int fd, long *len, long *max)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (sock_getopt_buf(r->sx, fd, IPPROTO_TCP, TCP_INFO, "TCP_INFO", &ti, &l) < 0 ||
	    ti.tcpi_state != TCP_LISTEN)
		return -1;
	*len = ti.tcpi_unacked;
	*max = ti.tcpi_sacked;
	return 0;
}

/* A client's TCP state and its SYN retransmissions so far (TCP_INFO). */
static int client_state(struct lab_run *r, int fd, unsigned *retrans)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (sock_getopt_buf(r->sx, fd, IPPROTO_TCP, TCP_INFO, "TCP_INFO", &ti, &l) < 0)
		return -1;
	*retrans = ti.tcpi_total_retrans;
	return ti.tcpi_state;
}

/* A non-blocking connect in progress: 1 connected within ms, 0 still pending, -1 failed (*err). */
static int wait_connected(struct lab_run *r, int fd, int ms, int *err)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	double end = now_mono() + ms / 1000.0;
	socklen_t el = sizeof(*err);
	int n;

	*err = 0;
	for (;;) {
		int left = (int)((end - now_mono()) * 1000.0) + 1;

		n = poll(&p, 1, lab_ms_left(r, left > 0 ? left : 0));
		if (n > 0 || (n < 0 && errno != EINTR) || lab_expired(r) || now_mono() >= end)
			break;
	}
	if (n <= 0)
		return 0;
	if (sock_getopt_buf(r->sx, fd, SOL_SOCKET, SO_ERROR, "SO_ERROR", err, &el) < 0)
		*err = errno;
	return *err ? -1 : 1;
}

/* Stopped by a signal (lab.c names it) or past the bound: no verdict from half an experiment. */
static int cut_short(struct lab_run *r)
{
	if (sig_stopped())
		return EXIT_FAIL;
	return lab_cannot(r, EXIT_FAIL, "the lab's bound (-w) passed before the experiment ended");
}

/* What one listen(backlog) let through. */
struct fill {
	int backlog;
	int completed;		/* connects that completed with no accept() */
	long qlen, qmax;	/* the accept queue then (-1: unknown) */
	int next;		/* the next connect: 1, 0 (pending) or -1 (*next_err) */
	int next_err;
	int next_state;		/* its TCP state after STALL_MS */
	unsigned next_retrans;
	int after;		/* after one accept(): as next, within RETRY_MS */
	double after_ms;	/* from the next connect's start */
};

static int fill_queue(struct lab_run *r, int backlog, bool then_accept, struct fill *f)
{
	struct addr a;
	int lfd, fd = -1, i, err;
	double t0 = 0;

	memset(f, 0, sizeof(*f));
	f->backlog = backlog;
	f->qlen = f->qmax = -1;
	f->next = 1;
	f->after = -2;
	lfd = lab_listener(r, AF_INET, SOCK_STREAM, backlog, &a);
	if (lfd < 0)
		return r->exit;
	if (then_accept)	/* --timeline: this listener is the key moment */
		lab_timeline_begin(r, &a, NULL);
	lab_timeline_peer(r, lfd);
	for (i = 0; i < MAX_CLIENTS && !lab_expired(r); i++) {
		fd = sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return lab_cannot(r, EXIT_FAIL, "socket: %s", strerror(errno));
		clients[nclients++] = fd;
		t0 = now_mono();
		if (sock_connect(r->sx, fd, &a) == 0)
			f->next = 1;
		else if (errno != EINPROGRESS) {
			f->next = -1;
			f->next_err = errno;
		} else
			f->next = wait_connected(r, fd, STALL_MS, &f->next_err);
		if (f->next != 1)
			break;
		f->completed++;
	}
	if (lab_expired(r))
		return cut_short(r);
	if (f->next == 1)
		return lab_cannot(r, EXIT_FAIL, "%d connects all completed with listen(%d): "
				  "the bound of the experiment", f->completed, backlog);
	accept_queue(r, lfd, &f->qlen, &f->qmax);
	if (f->next == 0) {
		f->next_state = client_state(r, fd, &f->next_retrans);
		if (then_accept) {
			struct addr peer;
			int afd = lab_timeline_peer(r, sock_accept(r->sx, lfd, &peer, SOCK_CLOEXEC));

			if (afd >= 0)
				sock_close(r->sx, afd);
			f->after = wait_connected(r, fd, RETRY_MS, &err);
			f->after_ms = (now_mono() - t0) * 1000.0;
		}
	}
	lab_timeline_end(r);
	return EXIT_OK;
}

static const char *outcome(int state, int err, char *buf, size_t len)
{
	if (state == 1)
		return "connected";
	if (state == 0)
		return "still pending";
	snprintf(buf, len, "failed with %s", strerrorname_np(err));
	return buf;
}

static void observe_fill(struct lab_run *r, const struct fill *f)
{
	char what[160], buf[64];

	snprintf(what, sizeof(what), "listen(%d): connects that completed while nobody called accept()",
		 f->backlog);
	lab_observe(r, what, f->completed, "connections", NULL, "%d", f->completed);
	if (f->qlen >= 0) {
		snprintf(what, sizeof(what), "listen(%d): the accept queue then (listener's TCP_INFO)",
			 f->backlog);
		lab_observe(r, what, (double)f->qlen, "connections",
			    "ss -lnt shows these as Recv-Q and Send-Q",
			    "%ld queued, cap %ld", f->qlen, f->qmax);
	}
	snprintf(what, sizeof(what), "listen(%d): connect() number %d", f->backlog, f->completed + 1);
	if (f->next == 0)
		lab_observe(r, what, STALL_MS, "ms", "its SYN was dropped: no RST came",
			    "still pending (TCP state %s, %u SYN retransmitted) after %d",
			    f->next_state == TCP_SYN_SENT ? "SYN_SENT" : "other",
			    f->next_retrans, STALL_MS);
	else
		lab_observe(r, what, NAN, NULL, NULL, "%s",
			    outcome(f->next, f->next_err, buf, sizeof(buf)));
	if (f->after != -2) {
		snprintf(what, sizeof(what), "listen(%d): connect() number %d after one accept()",
			 f->backlog, f->completed + 1);
		lab_observe(r, what, f->after_ms, "ms", f->after == 1 ? "counted from its start: "
			    "the client retried its SYN" : "counted from its start",
			    "%s after %.0f", outcome(f->after, 0, buf, sizeof(buf)), f->after_ms);
	}
}

static int run(struct lab_run *r)
{
	static const int backlogs[] = { 0, 3 };
	struct fill f[2];
	struct addr a;
	long somax = sysctl_long("/proc/sys/net/core/somaxconn");
	long abort_ovf = sysctl_long("/proc/sys/net/ipv4/tcp_abort_on_overflow");
	long long ovf0, ovf1, qlen = -1, qmax = -1;
	long ql, qm;
	int i, rc, lfd, plus_one = 0, refused = 0, hung = 0;
	char capped[96] = "", retry[128] = "";

	nclients = 0;
	if (!lab_defer(r, close_clients, NULL))
		return lab_cannot(r, EXIT_FAIL, "too many things to undo");
	lab_observe(r, "net.core.somaxconn", (double)somax, NULL, "the cap on any backlog",
		    "%ld", somax);
	lab_observe(r, "net.ipv4.tcp_abort_on_overflow", (double)abort_ovf, NULL,
		    "1: a handshake's last ACK that finds the queue full gets a RST",
		    "%ld", abort_ovf);
	ovf0 = lab_proc_counter("/proc/net/netstat", "TcpExt:", "ListenOverflows");
	for (i = 0; i < 2; i++) {
		rc = fill_queue(r, backlogs[i], i == 0, &f[i]);
		if (rc != EXIT_OK)
			return rc;
		if (lab_expired(r))
			return cut_short(r);
		observe_fill(r, &f[i]);
		plus_one += f[i].completed == backlogs[i] + 1;
		refused += f[i].next == -1;
		hung += f[i].next == 0;
	}
	ovf1 = lab_proc_counter("/proc/net/netstat", "TcpExt:", "ListenOverflows");
	if (ovf0 >= 0 && ovf1 >= 0)
		lab_observe(r, "SYNs dropped on a full accept queue meanwhile (TcpExt ListenOverflows)",
			    (double)(ovf1 - ovf0), NULL, "other listeners of this namespace may add to it",
			    "%lld", ovf1 - ovf0);
	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 100000, &a);
	if (lfd < 0)
		return r->exit;
	if (accept_queue(r, lfd, &ql, &qm) == 0) {
		qlen = ql;
		qmax = qm;
		lab_observe(r, "listen(100000): the cap the kernel kept (TCP_INFO; ss -lnt's Send-Q)",
			    (double)qmax, "connections", NULL, "%lld, %lld queued", qmax, qlen);
		if (somax >= 0)
			snprintf(capped, sizeof(capped), "; listen(100000) was silently cut to %lld%s",
				 qmax, qmax == somax ? " (somaxconn)" : "");
	}
	if (plus_one == 0 && refused == 2)
		return lab_verdict(r, LAB_HOLDS, "listen(0) let %d and listen(3) %d connections in, "
				   "and the next was refused%s", f[0].completed, f[1].completed, capped);
	if (f[0].after == 1)
		snprintf(retry, sizeof(retry), ", and completed %.0f ms after it began once "
			 "accept() freed a slot", f[0].after_ms);
	else if (f[0].after != -2)
		snprintf(retry, sizeof(retry), ", and still not %.0f ms after it began though "
			 "accept() freed a slot", f[0].after_ms);
	if (plus_one == 2 && hung >= 1)
		return lab_verdict(r, LAB_DOES_NOT_HOLD,
				   "listen(0) let %d and listen(3) %d connections complete with no "
				   "accept() (backlog+1); the next SYN was dropped, not refused: "
				   "connect() still pending after %d ms%s "
				   "(tcp_abort_on_overflow=%ld)%s",
				   f[0].completed, f[1].completed, STALL_MS, retry, abort_ovf, capped);
	return lab_verdict(r, LAB_DOES_NOT_HOLD,
			   "listen(0) let %d and listen(3) %d connections complete with no accept(); "
			   "the next: %s, %s (tcp_abort_on_overflow=%ld)%s",
			   f[0].completed, f[1].completed,
			   f[0].next == 0 ? "pending" : strerrorname_np(f[0].next_err),
			   f[1].next == 0 ? "pending" : strerrorname_np(f[1].next_err), abort_ovf, capped);
}

const struct lab lab_backlog = {
	"backlog",
	"listen(backlog) lets backlog connections wait for accept() (listen(0): none), "
	"and the next client is refused at once",
	"listen(0) and listen(3) on 127.0.0.1 with nobody calling accept(): non-blocking "
	"connects until one does not complete within 300 ms, the accept queue read with "
	"TCP_INFO, one accept() to free a slot; then listen(100000) against somaxconn",
	run,
	"listen(0), nobody calls accept(): the second client's SYN is not answered; "
	"after one accept() its retried SYN is",
};
