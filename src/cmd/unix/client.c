/* \summary: unix (client): messages and replies, netcat mode, stdin lines as messages */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unix.h"
#include "../../core/conn.h"
#include "../../core/relay.h"
#include "../../core/timeline.h"

#define CONNECT_MS 10000
#define LINE_BUF (64 * 1024)	/* the longest stdin line sent as one message */
#define DGRAM_TAIL_MS 2000	/* wait for the last datagram replies (no -w) */

static void hint_connect(struct sockx *sx, const struct unix_opts *o, int err)
{
	if (err == ENOENT)
		hint(sx, "no socket file there: is a server listening? (sockx unix -l %s)", o->path);
	else if (err == ECONNREFUSED)
		hint(sx, "nobody is bound to %s: %s", o->path, o->path[0] == '@' ?
		     "an unused @name, or not with this socket type (--stream, --dgram, --seqpacket)" :
		     "a stale socket file");
	else if (err == EPROTOTYPE)
		hint(sx, "the server there uses another socket type: try --stream, --dgram or --seqpacket");
	else if (err == EAGAIN)
		hint(sx, "the server's listen backlog is full");
	else if (err == EACCES)
		hint(sx, "the socket file's mode does not let you write to it (the server's --perm)");
}

/* Says where we are connected (a line, a -v line in stdin mode, or an event). */
static void connected(struct conn *c, const struct unix_opts *o)
{
	struct addr local;
	char l[ADDR_TEXT] = "(unnamed)";

	if (sock_name(c->sx, c->fd, &local) == 0)
		addr_str(&local, l, sizeof(l));
	if (o->type == SOCK_DGRAM)
		trace(c->sx, 1, "bound to %s (autobind: an abstract name the kernel chose,"
		      " so that the server can answer)", l);
	conn_connected(c, o->path, l, unix_type_word(o->type));
}

/* Connects to o->path; a datagram socket binds an autobind name first.
 * Returns the fd (blocking), or -code. */
static int connect_path(struct sockx *sx, const struct unix_opts *o, struct conn *c)
{
	struct addr src = { .len = sizeof(sa_family_t) };
	const char *failed;
	int fd, which, rc;

	src.ss.ss_family = AF_UNIX;	/* no name: bind() picks one (autobind) */
	fd = sock_connect_any(sx, &o->addr, 1, o->type == SOCK_DGRAM ? &src : NULL,
			      o->type, CONNECT_MS, &which, &failed);
	if (fd < 0) {
		rc = fail_open(sx, "%s %s", failed, strcmp(failed, "bind") == 0 ?
			       "(autobind)" : o->path);
		hint_connect(sx, o, errno);
		return -rc;
	}
	c->fd = fd;
	connected(c, o);
	return fd;
}

/* " with SCM_RIGHTS (fd 4) and SCM_CREDENTIALS (pid=1 uid=0 gid=0)" */
static const char *anc_words(int pass_fd, bool creds, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (pass_fd >= 0)
		n = snprintf(buf, len, " with SCM_RIGHTS (fd %d)", pass_fd);
	if (creds && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s SCM_CREDENTIALS (pid=%d uid=%u gid=%u)",
			 n ? " and" : " with", (int)getpid(), getuid(), getgid());
	return buf;
}

/*
 * The reply to a message of want bytes (the conn's recv): a stream's
 * until want bytes came back, else (one) a single message. Returns the
 * bytes kept in buf; adds to x->real the bytes the peer sent (more, when
 * a message was cut short).
 */
static size_t get_reply(struct conn *c, char *buf, size_t cap, size_t want, bool one,
			struct conn_xfer *x)
{
	const struct unix_opts *o = c->ctx;
	int type = one ? o->type : SOCK_STREAM;	/* not one: whatever comes, until EOF */
	struct unix_rx rx;
	size_t got = 0;
	ssize_t n;

	x->why = 0;
	while (type != SOCK_STREAM || got < want) {
		if (io_wait_in(c->fd, c->idle_ms) == 0) {
			x->why = ETIMEDOUT;
			break;
		}
		n = unix_recv(c->sx, c->fd, type, buf + got, cap - got, &rx, false, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0 || (n == 0 && type != SOCK_DGRAM)) {
			x->why = n < 0 ? errno : ENOTCONN;
			break;
		}
		got += rx.kept;
		x->real += rx.len;
		if (type != SOCK_STREAM)
			break;
	}
	return got;
}

/* The conn's send: one message, with its ancillary data. */
static void send_msg(struct conn *c, const struct conn_msg *m, struct conn_xfer *x)
{
	const struct unix_opts *o = c->ctx;

	if (unix_send(c->sx, c->fd, m->p, m->len, m->pass_fd, o->creds, NULL, o->wait_ms) < 0) {
		x->why = errno;
		x->send_err = true;
		return;
	}
	x->sent = m->len;
}

static const struct conn_ops unix_ops = { send_msg, get_reply };

static int run_messages(struct conn *c, const struct unix_opts *o)
{
	struct conn_msg msgs[UNIX_MAX_MSGS] = { { 0 } };
	char anc[UNIX_MAX_MSGS][128];
	int i, pass_fd = -1, rc;

	if (o->send_fd) {
		pass_fd = unix_open_send_fd(c->sx, o->send_fd);
		if (pass_fd < 0)
			return -pass_fd;
	}
	for (i = 0; i < o->nmsgs; i++) {
		msgs[i] = (struct conn_msg){ o->msgs[i], strlen(o->msgs[i]), NULL,
					     anc[i], i == 0 ? pass_fd : -1 };
		anc_words(msgs[i].pass_fd, o->creds, anc[i], sizeof(anc[i]));
	}
	rc = conn_run(c, msgs, o->nmsgs, 1, 0);
	if (pass_fd >= 0)
		close(pass_fd);
	return rc;
}

/* stdin lines as messages: the state of the loop. */
struct lines {
	struct sockx *sx;
	const struct unix_opts *o;
	int fd;
	char *in, *buf;
	size_t have;
	bool in_open, peer_eof;
	bool stuck;		/* the socket is full: in holds lines not yet sent */
	bool shut;		/* SOCK_SEQPACKET: our end of file went out */
	unsigned long sent, got;
};

/*
 * Sends every complete line (all that is left at EOF) that the socket
 * takes without waiting. When it is full, stuck is set and the rest
 * waits for POLLOUT while the replies are still read: an echoing server
 * stops reading once its replies fill our receive queue. At the end of
 * stdin, once all went out, SOCK_SEQPACKET shuts our side (the server's
 * end of file). Returns 0 or -1 (errno).
 */
static int send_lines(struct lines *l)
{
	char *nl;
	size_t n;

	l->stuck = false;
	while (l->have) {
		nl = memchr(l->in, '\n', l->have);
		if (!nl && l->in_open && l->have < LINE_BUF)
			return 0;	/* the rest of the line is still to come */
		n = nl ? (size_t)(nl - l->in) + 1 : l->have;
		if (unix_send(l->sx, l->fd, l->in, n, -1, false, NULL, 0) < 0) {
			if (errno != ETIMEDOUT)
				return -1;
			l->stuck = true;	/* full: the rest on POLLOUT */
			return 0;
		}
		l->sent++;
		memmove(l->in, l->in + n, l->have - n);
		l->have -= n;
	}
	if (!l->in_open && !l->shut && l->o->type == SOCK_SEQPACKET) {
		l->shut = true;
		sock_shutdown(l->sx, l->fd, SHUT_WR);
	}
	return 0;
}

/* Reads stdin; returns 0 or -1 (errno). */
static int from_stdin(struct lines *l)
{
	ssize_t n;

	do {
		n = read(STDIN_FILENO, l->in + l->have, LINE_BUF - l->have);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		l->in_open = false;
	l->have += (size_t)n;
	return send_lines(l);
}

/* Receives one message and writes it out; returns 0, -1 (errno), or -2 on
 * stdout's error. */
static int from_socket(struct lines *l)
{
	struct unix_rx rx;
	ssize_t n;

	n = unix_recv(l->sx, l->fd, l->o->type, l->buf, l->o->recv_size, &rx, false, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0 && l->o->type == SOCK_SEQPACKET) {
		l->peer_eof = true;
		return 0;
	}
	l->got++;
	if (rx.len > rx.kept)
		warn_msg(l->sx, "a message was cut to %zu of its %zu bytes (MSG_TRUNC; --recv-size)",
			 rx.kept, rx.len);
	return relay_out(l->sx, l->buf, rx.kept, l->o->hex) < 0 ? -2 : 0;
}

/* One round; returns 1 to go on, 0 when done, -1 on an error (errno), -2
 * on stdout's. */
static int lines_step(struct lines *l)
{
	struct pollfd p[2];
	nfds_t n = 0;
	int tail = l->o->wait_set ? l->o->wait_ms : DGRAM_TAIL_MS, r;
	bool all_sent = !l->in_open && !l->have;
	short ev;

	if (l->peer_eof || (all_sent && l->o->type == SOCK_DGRAM && l->got >= l->sent))
		return 0;
	if (l->in_open && !l->stuck)
		p[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = l->fd, .events = l->stuck ? POLLIN | POLLOUT : POLLIN };
	r = poll(p, n, !all_sent || l->o->type != SOCK_DGRAM ? l->o->wait_ms : tail);
	if (r < 0)
		return errno == EINTR ? 1 : -1;
	if (r == 0 && all_sent && l->o->type == SOCK_DGRAM)
		return 0;	/* the last replies had their time */
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (n == 2 && p[0].revents && from_stdin(l) < 0)
		return -1;
	ev = p[n - 1].revents;
	if (ev & (POLLIN | POLLERR | POLLHUP)) {
		r = from_socket(l);
		if (r < 0)
			return r;
	}
	if (l->stuck && (ev & (POLLOUT | POLLERR | POLLHUP)) && send_lines(l) < 0)
		return -1;
	return 1;
}

static int lines_mode(struct sockx *sx, const struct unix_opts *o, int fd)
{
	struct lines l = { .sx = sx, .o = o, .fd = fd, .in_open = true };
	int rc = EXIT_OK, r;

	l.in = malloc(LINE_BUF);
	l.buf = malloc(o->recv_size);
	if (!l.in || !l.buf) {
		rc = fail(sx, EXIT_FAIL, "out of memory");
		goto out;
	}
	do {
		r = lines_step(&l);
	} while (r == 1);
	if (r == -2)
		rc = fail_errno(sx, "cannot write to stdout after %lu messages received", l.got);
	else if (r < 0 && errno == ETIMEDOUT)
		rc = fail(sx, EXIT_FAIL, "no data either way for %.1f s (-w)", o->wait_ms / 1000.0);
	else if (r < 0)
		rc = fail_errno(sx, "%s", o->path);
	trace(sx, 1, "closed: %lu messages sent, %lu received", l.sent, l.got);
out:
	free(l.in);
	free(l.buf);
	return rc;
}

/*
 * --timeline, --svg (with -m): this process's calls only. The peer's calls are
 * not known here, so no recv gets a transfer drawn (it would need the
 * send that put the bytes): the model draws none without one.
 */
static int client_timeline(struct sockx *sx, const struct unix_opts *o)
{
	char peer[UNIX_SUN_PATH + 16];

	snprintf(peer, sizeof(peer), "peer %.*s", (int)UNIX_SUN_PATH, o->path);
	return unix_timeline(sx, o, "this process (unix client)", peer);
}

int unix_client(struct sockx *sx, struct unix_opts *o)
{
	struct conn c = {
		.sx = sx, .ctx = o, .ops = &unix_ops, .idle_ms = o->wait_ms, .hex = o->hex,
		.messages = o->type != SOCK_STREAM, .half_close = o->type != SOCK_DGRAM,
		.quiet_end = true, .recv_size = o->recv_size, .cap = o->recv_size,
	};
	int fd, rc, i;

	for (i = 0; i < o->nmsgs; i++)
		if (o->type == SOCK_SEQPACKET && !o->msgs[i][0])
			return fail(sx, EXIT_USAGE, "an empty message on SOCK_SEQPACKET reads as"
				    " end of file at the other end: not sent");
	sx->hex = o->hex;
	sx->data_out = o->nmsgs == 0;	/* stdin mode: stdout carries the data */
	rc = client_timeline(sx, o);
	if (rc != EXIT_OK)
		return rc;
	fd = connect_path(sx, o, &c);
	if (fd < 0)
		return timeline_finish(sx, -fd);
	if (o->nmsgs)
		rc = run_messages(&c, o);
	else if (o->type == SOCK_STREAM)
		rc = relay_run(sx, fd, o->wait_ms, o->hex);
	else
		rc = lines_mode(sx, o, fd);
	sock_close(sx, fd);
	return timeline_finish(sx, rc);
}
