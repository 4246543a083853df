/* \summary: lab boundaries: TCP merges and splits writes, SEQPACKET and UDP keep them, a short buffer truncates */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#define SMALL 5			/* small sends, of 10, 20, ... bytes */
#define BIG (1 << 20)		/* the one large send */

/* Everything to undo, static: the deferred calls run after run() returned. */
static int fds[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static pid_t child = -1;
static char *big;	/* BIG bytes, the lab's (lab_alloc) */

static void undo(void *arg)
{
	size_t i;

	(void)arg;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

enum { TCP_C, TCP_S, SEQ_A, SEQ_B, UDP_C, PIPE_R, PIPE_W };

/* Waits up to ms for fd to be readable; true if it is. */
static bool readable(struct lab_run *r, int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, lab_ms_left(r, ms)) > 0;
}

/* A connected TCP pair on 127.0.0.1: fds[TCP_C] and fds[TCP_S]. */
static int tcp_pair(struct lab_run *r, struct addr *a)
{
	struct addr peer;
	int lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, a);

	if (lfd < 0)
		return r->exit;
	fds[TCP_C] = sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[TCP_C] < 0 || sock_connect(r->sx, fds[TCP_C], a) < 0)
		return lab_cannot(r, EXIT_FAIL, "TCP connect on loopback: %s", strerror(errno));
	fds[TCP_S] = sock_accept(r->sx, lfd, &peer, SOCK_CLOEXEC);
	if (fds[TCP_S] < 0)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	return EXIT_OK;
}

/*
 * SMALL sends of 10, 20, ... bytes on TCP (to a), then reads once they
 * all arrived: how many recv() calls it took (*bytes: what came).
 */
static int tcp_small(struct lab_run *r, const struct addr *a, int *bytes)
{
	int i, n = 0, queued = 0, want = 0, reads = 0;
	ssize_t got;

	lab_timeline_begin(r, a, NULL);	/* --timeline: the key moment */
	lab_timeline_peer(r, fds[TCP_S]);
	memset(big, 'a', 64);
	for (i = 1; i <= SMALL; i++) {
		if (sock_send(r->sx, fds[TCP_C], big, (size_t)(10 * i), 0) != 10 * i)
			return -1;
		want += 10 * i;
	}
	/* Let them all arrive (loopback: at once), bounded. */
	for (i = 0; i < 50 && !lab_expired(r); i++) {
		if (ioctl(fds[TCP_S], FIONREAD, &queued) == 0 && queued >= want)
			break;
		usleep(10000);
	}
	*bytes = 0;
	while (n < want && reads < 2 * SMALL && readable(r, fds[TCP_S], 500)) {
		got = sock_recv(r->sx, fds[TCP_S], big, BIG, 0);
		if (got <= 0)
			break;
		n += (int)got;
		reads++;
	}
	lab_timeline_end(r);	/* before tcp_big's fork: its child draws nothing */
	*bytes = n;
	return reads;
}

/*
 * One send() of BIG bytes, made by a child (it blocks until the reader
 * read enough), read here with a BIG buffer: the count of recv() calls,
 * the smallest and the largest; *sent: what the child's one send() returned.
 */
static int tcp_big(struct lab_run *r, long *sent, long *smallest, long *largest, long *total)
{
	int pfd[2], reads = 0;
	ssize_t got;

	*sent = *smallest = *largest = -1;
	*total = 0;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fds[PIPE_R] = pfd[0];
	fds[PIPE_W] = pfd[1];
	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		long n;

		sock_set_timeout(r->sx, fds[TCP_C], SO_SNDTIMEO, lab_ms_left(r, 5000));
		n = (long)sock_send(r->sx, fds[TCP_C], big, BIG, 0);
		if (write(pfd[1], &n, sizeof(n)) != (ssize_t)sizeof(n))
			_exit(1);
		_exit(0);
	}
	close(fds[PIPE_W]);
	fds[PIPE_W] = -1;
	while (*total < BIG && reads < 100000 && !lab_expired(r) &&
	       readable(r, fds[TCP_S], 2000)) {
		got = sock_recv(r->sx, fds[TCP_S], big, BIG, 0);
		if (got <= 0)
			break;
		*total += got;
		reads++;
		if (*smallest < 0 || got < *smallest)
			*smallest = got;
		if (got > *largest)
			*largest = got;
	}
	if (readable(r, fds[PIPE_R], 2000) &&
	    read(fds[PIPE_R], sent, sizeof(*sent)) != (ssize_t)sizeof(*sent))
		*sent = -1;
	if (waitpid(child, NULL, 0) == child)
		child = -1;
	return reads;
}

/*
 * SMALL messages of 10, 20, ... bytes through fd to rfd (to: its
 * address, NULL on a connected pair), then reads with a large buffer:
 * how many reads returned exactly one message's size, in order.
 */
static int keep_count(struct lab_run *r, int fd, int rfd, const struct addr *to, char *sizes,
		      size_t len)
{
	int i, kept = 0;
	size_t o = 0;
	ssize_t got;

	memset(big, 'm', 64);
	for (i = 1; i <= SMALL; i++)
		if (sock_sendto(r->sx, fd, big, (size_t)(10 * i), 0, to) != 10 * i)
			return -1;
	sizes[0] = '\0';
	for (i = 1; i <= SMALL && readable(r, rfd, 500); i++) {
		got = sock_recv(r->sx, rfd, big, 4096, 0);
		if (got < 0)
			break;
		kept += got == 10 * i;
		if (o < len)
			o += (size_t)snprintf(sizes + o, len - o, "%s%zd", i > 1 ? ", " : "", got);
	}
	return kept;
}

/* A connected AF_UNIX SOCK_SEQPACKET pair, traced as the wrappers would. */
static int seq_pair(struct lab_run *r)
{
	int sv[2], rc = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	int err = errno;

	sock_trace(r->sx, 1, "socketpair", rc, err, "AF_UNIX, SOCK_SEQPACKET, 0, [%d, %d]",
		   rc == 0 ? sv[0] : -1, rc == 0 ? sv[1] : -1);
	if (rc < 0)
		return lab_cannot(r, errno_exit(err, true), "socketpair(AF_UNIX, SOCK_SEQPACKET): %s",
				  strerror(err));
	fds[SEQ_A] = sv[0];
	fds[SEQ_B] = sv[1];
	return EXIT_OK;
}

/* Datagrams of 100, 100 and 30 bytes, read with a 10-byte buffer. */
struct trunc {
	ssize_t plain, plain_flags;	/* recvmsg, 10 bytes: returned, msg_flags */
	ssize_t real;			/* recv(..., MSG_TRUNC): the real length */
	ssize_t next;			/* the read after: the third datagram's 30? */
};

static int truncation(struct lab_run *r, int ufd, const struct addr *to, struct trunc *t)
{
	struct iovec iov = { .iov_base = big, .iov_len = 10 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	static const size_t sizes[] = { 100, 100, 30 };
	size_t i;

	t->plain = t->plain_flags = t->real = t->next = -1;
	memset(big, 't', 128);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (sock_sendto(r->sx, fds[UDP_C], big, sizes[i], 0, to) != (ssize_t)sizes[i])
			return -1;
	if (!readable(r, ufd, 500))
		return -1;
	t->plain = sock_recvmsg(r->sx, ufd, &m, 0);
	t->plain_flags = m.msg_flags;
	if (!readable(r, ufd, 500))
		return -1;
	t->real = sock_recv(r->sx, ufd, big, 10, MSG_TRUNC);
	if (!readable(r, ufd, 500))
		return -1;
	t->next = sock_recv(r->sx, ufd, big, 4096, 0);
	return 0;
}

static int run(struct lab_run *r)
{
	struct addr ua, ta;
	struct trunc t;
	char seq_sizes[64], udp_sizes[64], note[128];
	long sent, smallest, largest, total;
	int rc, small_reads, small_bytes, big_reads, seq_kept, udp_kept, ufd;
	bool tcp_keeps, dgram_keeps, truncates;

	if (!lab_defer(r, undo, NULL))
		return lab_cannot(r, EXIT_FAIL, "too many things to undo");
	big = lab_alloc(r, BIG);
	if (!big)
		return r->exit;
	rc = tcp_pair(r, &ta);
	if (rc != EXIT_OK)
		return rc;
	small_reads = tcp_small(r, &ta, &small_bytes);
	if (small_reads < 0)
		return lab_cannot(r, EXIT_FAIL, "TCP send on loopback: %s", strerror(errno));
	snprintf(note, sizeof(note), "%d bytes", small_bytes);
	lab_observe(r, "TCP: 5 send()s of 10, 20, 30, 40, 50 bytes, then read with a 1 MiB buffer",
		    small_reads, "recv() calls", note, "%d", small_reads);
	big_reads = tcp_big(r, &sent, &smallest, &largest, &total);
	if (big_reads < 0)
		return lab_cannot(r, EXIT_FAIL, "pipe or fork: %s", strerror(errno));
	snprintf(note, sizeof(note), "the send() returned %ld; %ld bytes came, %ld to %ld a read",
		 sent, total, smallest, largest);
	lab_observe(r, "TCP: one send() of 1048576 bytes, read with a 1 MiB buffer as it arrived",
		    big_reads, "recv() calls", note, "%d", big_reads);
	if (lab_expired(r))	/* a signal (lab.c names it) or the bound: no verdict */
		return sig_stopped() ? EXIT_FAIL
			: lab_cannot(r, EXIT_FAIL, "the lab's bound (-w) passed during the 1 MiB send");
	rc = seq_pair(r);
	if (rc != EXIT_OK)
		return rc;
	seq_kept = keep_count(r, fds[SEQ_A], fds[SEQ_B], NULL, seq_sizes, sizeof(seq_sizes));
	snprintf(note, sizeof(note), "reads of %s bytes", seq_sizes);
	lab_observe(r, "AF_UNIX SOCK_SEQPACKET: 5 messages of 10 to 50 bytes, read with a 4096-byte buffer",
		    seq_kept, "of 5 reads were one whole message", note, "%d", seq_kept);
	ufd = lab_listener(r, AF_INET, SOCK_DGRAM, 0, &ua);
	if (ufd < 0)
		return r->exit;
	fds[UDP_C] = sock_socket(r->sx, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fds[UDP_C] < 0)
		return lab_cannot(r, EXIT_FAIL, "UDP socket: %s", strerror(errno));
	udp_kept = keep_count(r, fds[UDP_C], ufd, &ua, udp_sizes, sizeof(udp_sizes));
	snprintf(note, sizeof(note), "reads of %s bytes", udp_sizes);
	lab_observe(r, "UDP: 5 datagrams of 10 to 50 bytes, read with a 4096-byte buffer",
		    udp_kept, "of 5 reads were one whole datagram", note, "%d", udp_kept);
	if (truncation(r, ufd, &ua, &t) < 0)
		return lab_cannot(r, EXIT_FAIL, "UDP datagrams on loopback did not arrive");
	lab_observe(r, "UDP: a 100-byte datagram read by recvmsg() with a 10-byte buffer",
		    (double)t.plain, "bytes", t.plain_flags & MSG_TRUNC ? "msg_flags has MSG_TRUNC"
		    : "msg_flags without MSG_TRUNC", "%zd", t.plain);
	lab_observe(r, "UDP: the next 100-byte datagram read by recv(..., 10, MSG_TRUNC)",
		    (double)t.real, "bytes", "with the flag, the datagram's real length",
		    "%zd", t.real);
	lab_observe(r, "UDP: the read after them (a 30-byte datagram was sent third)",
		    (double)t.next, "bytes", "the tails of the first two were discarded",
		    "%zd", t.next);
	tcp_keeps = small_reads == SMALL && big_reads == 1;
	dgram_keeps = seq_kept == SMALL && udp_kept == SMALL;
	truncates = t.plain == 10 && (t.plain_flags & MSG_TRUNC) && t.real == 100 && t.next == 30;
	if (tcp_keeps && dgram_keeps)
		return lab_verdict(r, LAB_HOLDS, "every type kept the boundaries: TCP %d reads "
				   "for 5 sends and 1 for the large one", small_reads);
	if (dgram_keeps)
		return lab_verdict(r, LAB_DEPENDS,
				   "on the type: TCP read 5 sends (%d bytes) in %d recv() and "
				   "one 1048576-byte send in %d recv() (%ld to %ld bytes); "
				   "SEQPACKET and UDP kept %d and %d of 5 messages whole; a "
				   "10-byte buffer %s a 100-byte datagram (%zd bytes, real %zd, "
				   "next read %zd)",
				   small_bytes, small_reads, big_reads, smallest, largest,
				   seq_kept, udp_kept, truncates ? "truncated" : "did not cleanly truncate",
				   t.plain, t.real, t.next);
	return lab_verdict(r, LAB_DOES_NOT_HOLD,
			   "TCP %d recv() for 5 sends and %d for one; SEQPACKET kept %d and "
			   "UDP %d of 5 messages whole", small_reads, big_reads, seq_kept, udp_kept);
}

const struct lab lab_boundaries = {
	"boundaries",
	"each send() arrives as one recv(): the message boundaries are kept",
	"on 127.0.0.1 TCP: 5 small sends read after they all arrived, and one 1 MiB send "
	"read as it arrives; the same 5 messages on AF_UNIX SOCK_SEQPACKET and UDP; "
	"UDP datagrams of 100 bytes read with a 10-byte buffer",
	run,
	"five send()s on TCP, of 10 to 50 bytes, and the one recv() that reads them all",
};
