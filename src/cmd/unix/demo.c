/* \summary: unix with no PATH: one process shows what each type does to message boundaries */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unix.h"
#include "../../core/timeline.h"

#define DEMO_MS 2000	/* the longest any step of the demonstration waits */

static const char *const default_msgs[] = { "one", "two", "three", "four" };

struct demo {
	struct sockx *sx;
	const struct unix_opts *o;
	int lfd, cfd, sfd;	/* listener, client, server's end */
	struct addr where;	/* the listener's private abstract name */
	const char *const *msgs;
	int n;
	size_t total;		/* bytes sent */
	unsigned reads, cut;	/* receives, and those cut short */
	bool aligned;		/* read i held exactly message i, so far */
	char *buf;
};

static const char *type_upper(int type)
{
	return type_name(type);	/* "SOCK_STREAM" ... */
}

/* The listener on an autobind name, the client, and the server's end. */
static int demo_open(struct demo *d)
{
	struct listen_opts lo = { .backlog = 16, .v6only = -1, .nonblock = true };
	struct addr anon = { .len = sizeof(sa_family_t) }, peer;
	int type = d->o->type, which;
	const char *failed;

	anon.ss.ss_family = AF_UNIX;	/* bind() with no name: autobind */
	d->where = anon;
	timeline_side(d->sx, TL_PEER);	/* the listener is the server end's */
	d->lfd = sock_listener(d->sx, &d->where, type, &lo, &failed);
	if (d->lfd < 0)
		return fail_open(d->sx, "%s", failed);
	if (sock_name(d->sx, d->lfd, &d->where) < 0)
		return fail_errno(d->sx, "getsockname");
	timeline_side(d->sx, TL_SELF);
	d->cfd = sock_connect_any(d->sx, &d->where, 1, type == SOCK_DGRAM ? &anon : NULL,
				  type, DEMO_MS, &which, &failed);
	if (d->cfd < 0)
		return fail_open(d->sx, "%s", failed);
	timeline_side(d->sx, TL_PEER);	/* back to the server end, until the sends */
	if (type == SOCK_DGRAM)
		d->sfd = d->lfd;
	else	/* the connection is complete and queued: accept takes it now */
		d->sfd = sock_accept(d->sx, d->lfd, &peer, SOCK_CLOEXEC);
	if (d->sfd < 0)
		return fail_errno(d->sx, "accept");
	if (d->o->creds)
		sock_setopt(d->sx, d->sfd, SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED", 1);
	return EXIT_OK;
}

static void demo_intro(struct demo *d)
{
	struct sockx *sx = d->sx;
	char w[ADDR_TEXT];

	addr_str(&d->where, w, sizeof(w));
	EMIT(sx, unix_demo, .type = type_upper(d->o->type), .addr = w, .messages = d->n,
	     .plural = d->n == 1 ? "" : "s",
	     .small = d->o->recv_size != UNIX_RECV_SIZE ? ", with a small buffer (--recv-size)" : "");
}

/* The client's sends, each on its own line. */
static int demo_send(struct demo *d)
{
	struct sockx *sx = d->sx;
	int i, pass_fd = -1, rc = EXIT_OK;
	char q[256];
	size_t len;

	timeline_side(sx, TL_SELF);	/* the client end sends */
	if (d->o->send_fd) {
		pass_fd = unix_open_send_fd(sx, d->o->send_fd);
		if (pass_fd < 0)
			return -pass_fd;
	}
	for (i = 0; i < d->n && rc == EXIT_OK; i++) {
		len = strlen(d->msgs[i]);
		if (unix_send(sx, d->cfd, d->msgs[i], len, i ? -1 : pass_fd, d->o->creds,
			    NULL, DEMO_MS) < 0) {
			rc = fail_errno(sx, "send");
			break;
		}
		d->total += len;
		EMIT(sx, unix_demo_sent, .n = i + 1, .bytes = (long long)len,
		     .data = EV_BYTES(d->msgs[i], len),
		     .quoted = unix_quote(d->msgs[i], len, q, sizeof(q)),
		     .fd = i == 0 && pass_fd >= 0 ? "yes" : NULL);
	}
	if (pass_fd >= 0)
		close(pass_fd);
	/* A connection's end tells the reader that nothing more will come. */
	if (rc == EXIT_OK && d->o->type != SOCK_DGRAM)
		sock_shutdown(sx, d->cfd, SHUT_WR);
	return rc;
}

static void show_read(struct demo *d, const struct unix_rx *rx)
{
	struct sockx *sx = d->sx;
	char q[512], cut[160] = "";

	if (rx->len > rx->kept)
		snprintf(cut, sizeof(cut), "    that message had %zu bytes; the %zu that did not"
			 " fit in the %lu-byte buffer are lost", rx->len, rx->len - rx->kept,
			 d->o->recv_size);
	EMIT(sx, unix_demo_read, .n = d->reads, .bytes = (long long)rx->kept,
	     .truncated = rx->len > rx->kept, .data = EV_BYTES(d->buf, rx->kept),
	     .quoted = unix_quote(d->buf, rx->kept, q, sizeof(q)), .cut = cut);
}

/* The server's reads, until every byte or message is in (or DEMO_MS). */
static int demo_read(struct demo *d)
{
	size_t got = 0;
	struct unix_rx rx;
	ssize_t n;

	timeline_side(d->sx, TL_PEER);	/* the server end reads */
	while (d->o->type == SOCK_STREAM ? got < d->total : d->reads < (unsigned)d->n) {
		if (io_wait_in(d->sfd, DEMO_MS) == 0)
			return fail(d->sx, EXIT_FAIL, "the server waited %d ms for the rest", DEMO_MS);
		n = unix_recv(d->sx, d->sfd, d->o->type, d->buf, d->o->recv_size, &rx, true,
			    MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return fail_errno(d->sx, "recvmsg");
		if (n == 0 && d->o->type != SOCK_DGRAM)
			return fail(d->sx, EXIT_FAIL, "the connection ended early");
		d->reads++;
		d->cut += rx.len > rx.kept;
		if (d->reads > (unsigned)d->n || rx.len != strlen(d->msgs[d->reads - 1]) ||
		    memcmp(d->buf, d->msgs[d->reads - 1], rx.kept) != 0)
			d->aligned = false;
		got += rx.kept;
		show_read(d, &rx);
		unix_show_control(d->sx, d->o, d->sfd, &rx.m, true);
	}
	return EXIT_OK;
}

/* The line the demonstration is for. */
static void demo_lesson(struct demo *d)
{
	struct sockx *sx = d->sx;
	bool kept = d->o->type != SOCK_STREAM;
	const char *why;
	char cut[160] = "";

	if (d->o->type == SOCK_DGRAM)
		why = "SOCK_DGRAM keeps every boundary: one send, one datagram. On AF_UNIX"
		      " it is also reliable and ordered (unlike UDP), but connectionless:"
		      " each datagram carries its sender's address";
	else if (kept)
		why = "SOCK_SEQPACKET keeps every boundary: one send, one read; and like a"
		      " stream it is connected, reliable and ordered";
	else if (d->aligned && (unsigned)d->n == d->reads)
		why = "this time the boundaries happened to survive, but SOCK_STREAM"
		      " promises only the bytes and their order, never the boundaries";
	else
		why = "SOCK_STREAM is a byte stream: it keeps the bytes and their order,"
		      " not the boundaries between sends; the reader must frame messages"
		      " itself (a length prefix, a delimiter)";
	if (d->cut)
		snprintf(cut, sizeof(cut), "%u message%s cut short (MSG_TRUNC): a message longer"
			 " than the reader's buffer loses its tail.", d->cut,
			 d->cut == 1 ? " was" : "s were");
	EMIT(sx, unix_demo_summary, .type = type_upper(d->o->type), .sends = d->n,
	     .reads = d->reads, .truncated = d->cut, .boundaries_kept = kept,
	     .sends_s = d->n == 1 ? "" : "s", .reads_s = d->reads == 1 ? "" : "s",
	     .why = why, .cut = cut);
}

/*
 * --timeline, --svg: both ends are ours, so both columns hold calls (the
 * server end's on the right) and each recv's bytes are drawn from the
 * send that put them. Returns an exit code.
 */
static int demo_timeline(struct sockx *sx, const struct unix_opts *o)
{
	return unix_timeline(sx, o, "this process: the client end",
			     "the server end (the same process)");
}

/* The three sockets closed: each by the end that owns it. */
static void demo_close(struct demo *d)
{
	timeline_side(d->sx, TL_PEER);
	if (d->sfd >= 0 && d->sfd != d->lfd)
		sock_close(d->sx, d->sfd);
	if (d->cfd >= 0) {
		timeline_side(d->sx, TL_SELF);
		sock_close(d->sx, d->cfd);
		timeline_side(d->sx, TL_PEER);
	}
	if (d->lfd >= 0)
		sock_close(d->sx, d->lfd);
}

int unix_demo(struct sockx *sx, struct unix_opts *o)
{
	struct demo d = { .sx = sx, .o = o, .lfd = -1, .cfd = -1, .sfd = -1,
			  .aligned = true };
	int rc, i;

	d.msgs = o->nmsgs ? o->msgs : default_msgs;
	d.n = o->nmsgs ? o->nmsgs : (int)ARRAY_SIZE(default_msgs);
	for (i = 0; i < d.n; i++)
		if (o->type == SOCK_SEQPACKET && !d.msgs[i][0])
			return fail(sx, EXIT_USAGE, "an empty message on SOCK_SEQPACKET reads as"
				    " end of file: not sent");
	d.buf = malloc(o->recv_size);
	if (!d.buf)
		return fail(sx, EXIT_FAIL, "out of memory");
	rc = demo_timeline(sx, o);
	if (rc == EXIT_OK)
		rc = demo_open(&d);
	if (rc == EXIT_OK) {
		demo_intro(&d);
		rc = demo_send(&d);
	}
	if (rc == EXIT_OK)
		rc = demo_read(&d);
	demo_close(&d);
	rc = timeline_finish(sx, rc);	/* before the lesson: the summary stays last */
	if (rc == EXIT_OK)
		demo_lesson(&d);
	free(d.buf);
	return rc;
}
