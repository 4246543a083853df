/* \summary: unix -l: serve stream and seqpacket clients (serve.c), or datagrams */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unix.h"

/* serve.c's hooks: SO_PEERCRED on accept, ancillary data on each read. */
static void on_accept(struct sockx *sx, int fd, const struct addr *peer, void *ctx)
{
	const struct unix_opts *o = ctx;

	(void)peer;
	unix_show_peercred(sx, fd);
	if (o->creds)
		sock_setopt(sx, fd, SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED", 1);
}

static void on_recv(struct sockx *sx, int fd, struct msghdr *m, size_t n, void *ctx)
{
	unix_show_control(sx, ctx, fd, m, n > 0);
}

static int serve_conn(struct sockx *sx, struct unix_opts *o, int fd)
{
	struct serve_opts so = {
		.mode = o->mode, .max_clients = (unsigned)o->max_clients,
		.once = o->once, .idle_ms = o->idle_ms,
		.messages = o->type == SOCK_SEQPACKET, .chunk = o->recv_size,
		.on_accept = on_accept, .on_recv = on_recv, .ctx = o,
	};

	if (o->mode == MODE_STDIO) {	/* stdout is the client's bytes only */
		so.on_accept = NULL;
		so.on_recv = NULL;
	}

	return serve_stream(sx, fd, &so);
}

/* The datagram server's state. */
struct dgram {
	struct sockx *sx;
	const struct unix_opts *o;
	int fd;
	char *buf;
	uint64_t n, in, out;
};

/*
 * The line or event of a datagram (with --mode print its kept bytes,
 * raw under -q); -1 if stdout failed (errno set).
 */
static int show_dgram(struct dgram *d, const struct unix_rx *rx)
{
	struct sockx *sx = d->sx;
	bool trunc = rx->len > rx->kept;
	long long kept = trunc ? (long long)rx->kept : EV_NONE;
	char a[ADDR_TEXT], size[48];

	addr_str(&rx->from, a, sizeof(a));
	if (d->o->mode == MODE_PRINT) {
		snprintf(size, sizeof(size), "%zu %s", rx->kept, rx->kept == 1 ? "byte" : "bytes");
		EMIT(sx, received_dgram_server_print, .from = a, .bytes = (long long)rx->len,
		     .kept = kept, .truncated = trunc, .data = EV_BYTES(d->buf, rx->kept),
		     .size = size, .from_text = a);
		if (serve_flush() < 0)
			return -1;
	} else {
		EMIT(sx, received_dgram_server, .from = a, .bytes = (long long)rx->len,
		     .kept = kept, .truncated = trunc, .from_text = a);
	}
	if (trunc)
		warn_msg(sx, "the datagram from %s was cut to %zu of its %zu bytes"
			 " (MSG_TRUNC; --recv-size %lu)", a, rx->kept, rx->len,
			 d->o->recv_size);
	return 0;
}

/* Echoes a datagram to its sender, if it has an address to answer. */
static void answer(struct dgram *d, const struct unix_rx *rx)
{
	char a[ADDR_TEXT];
	ssize_t w;

	if (rx->from.len <= offsetof(struct sockaddr_un, sun_path)) {
		warn_msg(d->sx, "cannot answer: the sender is unnamed (it did not"
			 " bind; a sockx client binds an autobind address)");
		return;
	}
	if (d->o->mode == MODE_UPPER)
		mode_upper(d->buf, rx->kept);
	/* Never wait on one client: a full receive queue drops the answer. */
	w = sock_sendto(d->sx, d->fd, d->buf, rx->kept, MSG_DONTWAIT | MSG_NOSIGNAL, &rx->from);
	if (w < 0) {
		warn_msg(d->sx, "cannot answer %s: %s", addr_str(&rx->from, a, sizeof(a)),
			 strerror(errno));
		return;
	}
	d->out += (uint64_t)w;
}

/* Receives and answers one datagram; returns 1 if one came, 0 if none,
 * -1 on an error (printed), -2 when stdout's reader left. */
static int dgram_one(struct dgram *d)
{
	struct unix_rx rx;
	ssize_t n;

	n = unix_recv(d->sx, d->fd, SOCK_DGRAM, d->buf, d->o->recv_size, &rx, true,
		    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0) {
		fail_errno(d->sx, "recvmsg");
		return -1;
	}
	d->n++;
	d->in += rx.kept;
	if (show_dgram(d, &rx) < 0) {
		if (errno == EPIPE)
			return -2;	/* the reader of our stdout is done: so are we */
		fail_errno(d->sx, "cannot write to stdout");
		return -1;
	}
	unix_show_control(d->sx, d->o, d->fd, &rx.m, true);
	if (d->o->mode == MODE_ECHO || d->o->mode == MODE_UPPER)
		answer(d, &rx);
	return 1;
}

/* Serves datagrams until SIGINT/SIGTERM/SIGHUP (or one, with --once). */
static int serve_dgram(struct sockx *sx, const struct unix_opts *o, int fd)
{
	struct dgram d = { .sx = sx, .o = o, .fd = fd };
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
			       { .fd = sig_fd(), .events = POLLIN } };
	struct serve_stats st = { .kind = SERVE_DGRAMS };
	int rc = EXIT_OK, r;

	d.buf = malloc(o->recv_size);
	if (p[1].fd < 0 || !d.buf) {
		rc = fail_errno(sx, "cannot set up the datagram loop");
		goto out;
	}
	if (o->creds)
		sock_setopt(sx, fd, SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED", 1);
	while (rc == EXIT_OK) {
		r = poll(p, 2, -1);	/* a server waits for clients: a signal ends it */
		if (r < 0 && errno != EINTR) {
			rc = fail_errno(sx, "poll");
			break;
		}
		if ((r > 0 && p[1].revents) || sig_stopped())	/* EINTR: the flag */
			break;
		if (r > 0 && p[0].revents) {
			r = dgram_one(&d);
			if (r == -2)
				break;
			if (r < 0)
				rc = EXIT_FAIL;
		}
		if (o->once && d.n)
			break;
	}
out:
	free(d.buf);
	sock_close(sx, fd);
	st.count = d.n;
	st.in = d.in;
	st.out = d.out;
	serve_summary(sx, &st);
	return rc;
}

int unix_serve(struct sockx *sx, struct unix_opts *o)
{
	struct unix_file f;
	int fd, rc;

	/*
	 * SIGINT, SIGTERM and SIGHUP are caught (sig.h) from before the file
	 * exists: they only set a flag the loops poll, so the file is always
	 * removed.
	 */
	if (sig_catch_stop() < 0)
		return fail_errno(sx, "cannot catch signals");
	fd = unix_listen(sx, o, &f);
	if (fd < 0)
		return -fd;
	serve_data_out(sx, o->mode);
	listen_say(sx, &o->addr);
	if (o->verify)
		unix_verify_note(sx);
	if (o->type == SOCK_DGRAM)
		rc = serve_dgram(sx, o, fd);
	else
		rc = serve_conn(sx, o, fd);
	unix_file_remove(sx, &f);
	return rc;
}
