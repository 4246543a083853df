/* \summary: lab nagle: write-write-read with Nagle stalls on the peer's delayed ACK; TCP_NODELAY removes it */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define ROUNDS 15		/* per mode; at most ~20, the brief's bound */
#define STALL_MS 30.0		/* a round this slow waited for a timer */
#define DRAWN 2			/* --timeline: the Nagle round drawn (the
				   first ones may be quick: a new connection
				   ACKs at once, in quickack mode) */

enum mode { M_NAGLE, M_NODELAY, M_QUICKACK, M_MODES };

static const char *const mode_what[M_MODES] = {
	"Nagle on (the default): write-write-read round trip, median",
	"TCP_NODELAY on the client: the same, median",
	"Nagle on, TCP_QUICKACK set on the server before each read: median",
};

/* Reads exactly n bytes from fd within the lab's bound; false if not. */
static bool read_n(struct lab_run *r, int fd, size_t n, bool quickack)
{
	char buf[64];
	size_t got = 0;
	ssize_t k;
	int i;

	for (i = 0; got < n && i < 64; i++) {
		if (sock_set_timeout(r->sx, fd, SO_RCVTIMEO, lab_ms_left(r, 1000)) < 0 ||
		    lab_expired(r))
			return false;
		k = sock_recv(r->sx, fd, buf, n - got < sizeof(buf) ? n - got : sizeof(buf), 0);
		if (k <= 0)
			return false;
		got += (size_t)k;
		if (quickack)	/* the kernel clears it again: set it after each read */
			sock_setopt(r->sx, fd, IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK", 1);
	}
	return got == n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * ROUNDS rounds of: client sends 10 bytes, then 10 more, then waits for
 * the server's 1-byte answer to both. The median in *median, the rounds
 * slower than STALL_MS in *stalled; false if a round failed.
 */
static bool rounds(struct lab_run *r, const int fd[2], const struct addr *srv, enum mode m,
		   double *median, int *stalled, int *done)
{
	static const char a[10] = "aaaaaaaaaa", b[10] = "bbbbbbbbbb";
	double ms[ROUNDS], t;
	int i;

	*stalled = 0;
	for (i = 0; i < ROUNDS && !lab_expired(r); i++) {
		if (m == M_QUICKACK)
			sock_setopt(r->sx, fd[1], IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK", 1);
		if (m == M_NAGLE && i == DRAWN) {	/* --timeline: the key moment */
			lab_timeline_begin(r, srv, NULL);
			lab_timeline_peer(r, fd[1]);
		}
		t = now_mono();
		if (sock_send(r->sx, fd[0], a, sizeof(a), MSG_NOSIGNAL) != (ssize_t)sizeof(a) ||
		    sock_send(r->sx, fd[0], b, sizeof(b), MSG_NOSIGNAL) != (ssize_t)sizeof(b) ||
		    !read_n(r, fd[1], sizeof(a) + sizeof(b), m == M_QUICKACK) ||
		    sock_send(r->sx, fd[1], "r", 1, MSG_NOSIGNAL) != 1 ||
		    !read_n(r, fd[0], 1, false))
			break;
		ms[i] = (now_mono() - t) * 1000.0;
		if (m == M_NAGLE && i == DRAWN)
			lab_timeline_end(r);
		if (ms[i] >= STALL_MS)
			(*stalled)++;
	}
	*done = i;
	if (i == 0)
		return false;
	qsort(ms, (size_t)i, sizeof(ms[0]), cmp_double);
	*median = i % 2 ? ms[i / 2] : (ms[i / 2 - 1] + ms[i / 2]) / 2.0;
	return i == ROUNDS;
}

static int run(struct lab_run *r)
{
	double med[M_MODES];
	int stalled[M_MODES], done, rc, lfd, fds[M_MODES][2];
	char note[96];
	struct addr srv;
	enum mode m;

	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	for (m = M_NAGLE; m < M_MODES; m++) {
		rc = lab_tcp_pair(r, lfd, &srv, fds[m]);
		if (rc != EXIT_OK)
			return rc;
		if (m == M_NODELAY &&
		    sock_setopt(r->sx, fds[m][0], IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1) < 0)
			return lab_cannot(r, EXIT_FAIL, "TCP_NODELAY: %s", strerror(errno));
		if (!rounds(r, fds[m], &srv, m, &med[m], &stalled[m], &done))
			return lab_cannot(r, EXIT_FAIL, "%s: only %d of %d rounds completed%s",
					  mode_what[m], done, ROUNDS,
					  lab_expired(r) ? " within the bound" : "");
		snprintf(note, sizeof(note), "%d of %d rounds took >= %.0f ms", stalled[m],
			 ROUNDS, STALL_MS);
		lab_observe(r, mode_what[m], med[m], "ms", note, "%.3f", med[m]);
	}
	if (med[M_NAGLE] >= STALL_MS && med[M_NODELAY] < STALL_MS / 3)
		return lab_verdict(r, LAB_HOLDS,
				   "with Nagle each write-write-read waited for the peer's "
				   "delayed ACK: median %.1f ms (%d of %d rounds stalled); "
				   "TCP_NODELAY: median %.3f ms; TCP_QUICKACK on the reader: "
				   "median %.3f ms", med[M_NAGLE], stalled[M_NAGLE], ROUNDS,
				   med[M_NODELAY], med[M_QUICKACK]);
	if (med[M_NAGLE] < STALL_MS / 3)
		return lab_verdict(r, LAB_DOES_NOT_HOLD,
				   "no stall with Nagle on: median %.3f ms (%d of %d rounds "
				   ">= %.0f ms), TCP_NODELAY median %.3f ms", med[M_NAGLE],
				   stalled[M_NAGLE], ROUNDS, STALL_MS, med[M_NODELAY]);
	return lab_verdict(r, LAB_DEPENDS,
			   "Nagle median %.1f ms (%d of %d stalled), TCP_NODELAY median "
			   "%.1f ms: not the clean 40 ms vs 0 split; this run was noisy "
			   "or the delayed-ACK timer differs", med[M_NAGLE], stalled[M_NAGLE],
			   ROUNDS, med[M_NODELAY]);
}

const struct lab lab_nagle = {
	"nagle",
	"small writes stall with Nagle and delayed ACK: a write-write-read "
	"exchange waits ~40 ms for the peer's delayed ACK; TCP_NODELAY removes the stall",
	"a loopback TCP pair; 15 rounds of two 10-byte sends then a 1-byte reply, "
	"timed, with Nagle on, with TCP_NODELAY, and with TCP_QUICKACK on the reader; medians",
	run,
	"a Nagle round: two 10-byte send()s; the second segment waits for the "
	"server's delayed ACK of the first",
};
