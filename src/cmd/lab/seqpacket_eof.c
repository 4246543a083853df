/* \summary: lab seqpacket-eof: an empty message and the end of the connection both read as 0 bytes */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

/* The pair, static: the deferred close runs after run() returned. */
static int sender = -1, receiver = -1;

/* One read: what recvmsg() returned, its errno, msg_flags. */
struct read {
	ssize_t n;
	int err;
	int flags;
};

static struct read read_one(struct lab_run *r, int flags)
{
	char buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct read rd;

	rd.n = sock_recvmsg(r->sx, receiver, &m, flags);
	rd.err = rd.n < 0 ? errno : 0;
	rd.flags = rd.n < 0 ? 0 : m.msg_flags;
	return rd;
}

/* "0 bytes, msg_flags 0 (no MSG_EOR)", or the errno. */
static const char *read_text(const struct read *rd, char *buf, size_t len)
{
	if (rd->n < 0)
		snprintf(buf, len, "-1 %s", strerrorname_np(rd->err));
	else
		snprintf(buf, len, "%zd bytes, msg_flags 0x%x (%s)", rd->n, (unsigned)rd->flags,
			 rd->flags & MSG_EOR ? "MSG_EOR" : "no MSG_EOR");
	return buf;
}

/* poll() at once for POLLIN and POLLRDHUP: the revents. */
static int poll_now(void)
{
	struct pollfd p = { .fd = receiver, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) > 0 ? p.revents : 0;
}

static const char *revents_text(int ev, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", ev & POLLIN ? "POLLIN " : "", ev & POLLHUP ? "POLLHUP " : "",
		 ev & POLLRDHUP ? "POLLRDHUP " : "", ev ? "" : "nothing ");
	buf[strlen(buf) - 1] = '\0';
	return buf;
}

/* The pair: sender and receiver, closed after the lab. EXIT_OK, or lab_cannot's code. */
static int make_pair(struct lab_run *r)
{
	int sv[2], rc, err;

	lab_timeline_unix(r, true, "the receiving end (this process)");	/* the whole lab */
	rc = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	err = errno;
	sock_trace(r->sx, 1, "socketpair", rc, err, "AF_UNIX, SOCK_SEQPACKET, 0, [%d, %d]",
		   rc ? -1 : sv[0], rc ? -1 : sv[1]);
	if (rc < 0)
		return lab_cannot(r, errno_exit(err, true), "socketpair(AF_UNIX, SOCK_SEQPACKET): %s",
				  strerror(err));
	sender = sv[0];
	receiver = lab_timeline_peer(r, sv[1]);
	if (!lab_defer(r, lab_close_fd, &sender) || !lab_defer(r, lab_close_fd, &receiver)) {
		close(sender);
		close(receiver);
		sender = receiver = -1;
		return lab_cannot(r, EXIT_FAIL, "too many things to undo");
	}
	return EXIT_OK;
}

static int run(struct lab_run *r)
{
	struct read data, empty, after_empty, eof, after_eof;
	int rc, ev_open, ev_closed, eor_seen;
	char t1[96], t2[96];

	rc = make_pair(r);
	if (rc != EXIT_OK)
		return rc;
	if (sock_send(r->sx, sender, "one", 3, MSG_EOR) != 3 ||
	    sock_send(r->sx, sender, "", 0, MSG_EOR) != 0)
		return lab_cannot(r, EXIT_FAIL, "send on the SEQPACKET pair: %s", strerror(errno));
	data = read_one(r, MSG_DONTWAIT);
	lab_observe(r, "a 3-byte message sent with MSG_EOR, read by recvmsg()", (double)data.n,
		    NULL, NULL, "%s", read_text(&data, t1, sizeof(t1)));
	empty = read_one(r, MSG_DONTWAIT);
	lab_observe(r, "an empty message (send() of 0 bytes, MSG_EOR), read by recvmsg()",
		    (double)empty.n, NULL, NULL, "%s", read_text(&empty, t1, sizeof(t1)));
	ev_open = poll_now();
	lab_observe(r, "poll(POLLIN|POLLRDHUP) after the empty message", ev_open, NULL,
		    "revents", "%s", revents_text(ev_open, t1, sizeof(t1)));
	after_empty = read_one(r, MSG_DONTWAIT);
	lab_observe(r, "the next recvmsg(MSG_DONTWAIT) after the empty message", (double)after_empty.n,
		    NULL, after_empty.n < 0 && after_empty.err == EAGAIN ? "nothing to read: the "
		    "connection is still open" : NULL, "%s", read_text(&after_empty, t1, sizeof(t1)));
	sock_close(r->sx, sender);
	sender = -1;
	ev_closed = poll_now();
	lab_observe(r, "poll(POLLIN|POLLRDHUP) after the peer closed", ev_closed, NULL, "revents",
		    "%s", revents_text(ev_closed, t1, sizeof(t1)));
	eof = read_one(r, MSG_DONTWAIT);
	lab_observe(r, "recvmsg() after the peer closed (end of connection)", (double)eof.n, NULL,
		    NULL, "%s", read_text(&eof, t1, sizeof(t1)));
	after_eof = read_one(r, MSG_DONTWAIT);
	lab_observe(r, "the next recvmsg(MSG_DONTWAIT) after the end", (double)after_eof.n, NULL,
		    after_eof.n == 0 ? "the end of the connection reads as 0 again and again" : NULL,
		    "%s", read_text(&after_eof, t1, sizeof(t1)));
	lab_timeline_end(r);
	eor_seen = ((data.flags | empty.flags | eof.flags) & MSG_EOR) != 0;
	if (empty.n != 0 || eof.n != 0)
		return lab_verdict(r, LAB_DOES_NOT_HOLD,
				   "the empty message read as %zd and the end as %zd bytes: "
				   "they did not both read as 0", empty.n, eof.n);
	if (empty.flags != eof.flags)
		return lab_verdict(r, LAB_HOLDS, "both read as 0 bytes, but msg_flags differ: "
				   "0x%x for the empty message, 0x%x for the end",
				   (unsigned)empty.flags, (unsigned)eof.flags);
	return lab_verdict(r, LAB_DOES_NOT_HOLD,
			   "the empty message and the end both read as 0 bytes with msg_flags 0x%x "
			   "(MSG_EOR %s, though the sender set it); what tells them apart is the "
			   "state: after the empty message poll() gave %s and the next read %s, "
			   "after the end poll() gave %s and the next read %zd again",
			   (unsigned)eof.flags, eor_seen ? "set" : "never set",
			   revents_text(ev_open, t1, sizeof(t1)),
			   after_empty.n < 0 ? strerrorname_np(after_empty.err) : "data",
			   revents_text(ev_closed, t2, sizeof(t2)), after_eof.n);
}

const struct lab lab_seqpacket_eof = {
	"seqpacket-eof",
	"on AF_UNIX SOCK_SEQPACKET, recvmsg()'s flags (MSG_EOR) tell an empty message "
	"from the end of the connection",
	"a SEQPACKET socketpair: a 3-byte and a 0-byte message sent with MSG_EOR, then "
	"the sender closes; each read's length and msg_flags, poll()'s revents, and the "
	"read after each 0",
	run,
	"a 3-byte message, an empty one, then the sender's close(): each recvmsg() "
	"of the receiving end, and the kernel's copies",
};
