/* \summary: unix -l: serve stream and seqpacket clients (serve.c), or datagrams */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../unix.h"

/* serve.c's hooks: SO_PEERCRED on accept, ancillary data on each read. */
static void on_accept(struct sockx *sx, int fd, const struct addr *peer, void *ctx)
{
	const struct ux_opts *o = ctx;

	(void)peer;
	ux_show_peercred(sx, fd);
	if (o->creds)
		sock_setopt(sx, fd, SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED", 1);
}

static void on_recv(struct sockx *sx, int fd, struct msghdr *m, size_t n, void *ctx)
{
	ux_show_control(sx, ctx, fd, m, n > 0);
}

static int serve_conn(struct sockx *sx, struct ux_opts *o, int fd)
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
	const struct ux_opts *o;
	int fd;
	char *buf;
	uint64_t n, in, out;
};

/* The line or event of a datagram; -1 if stdout failed (--mode print). */
static int show_dgram(struct dgram *d, const struct ux_rx *rx)
{
	struct sockx *sx = d->sx;
	bool print = d->o->mode == MODE_PRINT;
	char a[ADDR_TEXT];

	addr_str(&rx->from, a, sizeof(a));
	if (sx->json) {
		ev_begin(sx, "received");
		ev_str(sx, "from", a);
		ev_int(sx, "bytes", (long long)rx->len);
		ev_bool(sx, "truncated", rx->len > rx->kept);
		if (rx->len > rx->kept)
			ev_int(sx, "kept", (long long)rx->kept);
		if (print)
			ev_strn(sx, "data", d->buf, rx->kept);
		ev_end(sx);
		return 0;
	}
	if (print && serve_print(sx, &rx->from, -1, d->buf, rx->kept) < 0)
		return -1;
	if (!print)
		say(sx, "from %s: %zu bytes", a, rx->len);
	if (rx->len > rx->kept)
		warn_msg(sx, "the datagram from %s was cut to %zu of its %zu bytes"
			 " (MSG_TRUNC; --recv-size %lu)", a, rx->kept, rx->len,
			 d->o->recv_size);
	return 0;
}

/* Echoes a datagram to its sender, if it has an address to answer. */
static void answer(struct dgram *d, const struct ux_rx *rx)
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
	struct ux_rx rx;
	ssize_t n;

	n = ux_recv(d->sx, d->fd, SOCK_DGRAM, d->buf, d->o->recv_size, &rx, true,
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
	ux_show_control(d->sx, d->o, d->fd, &rx.m, true);
	if (d->o->mode == MODE_ECHO || d->o->mode == MODE_UPPER)
		answer(d, &rx);
	return 1;
}

static void dgram_summary(struct dgram *d)
{
	struct sockx *sx = d->sx;

	if (sx->json) {
		ev_begin(sx, "summary");
		ev_int(sx, "datagrams", (long long)d->n);
		ev_int(sx, "bytes_in", (long long)d->in);
		ev_int(sx, "bytes_out", (long long)d->out);
		ev_num(sx, "duration", sx_elapsed(sx));
		ev_end(sx);
		return;
	}
	say(sx, "summary: %llu datagrams, %llu bytes in, %llu bytes out",
	    (unsigned long long)d->n, (unsigned long long)d->in,
	    (unsigned long long)d->out);
}

/* Serves datagrams until SIGINT/SIGTERM/SIGHUP (or one, with --once). */
static int serve_dgram(struct sockx *sx, const struct ux_opts *o, int fd)
{
	struct dgram d = { .sx = sx, .o = o, .fd = fd };
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .events = POLLIN } };
	sigset_t set;
	int rc = EXIT_OK, r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	p[1].fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
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
		if (r > 0 && p[1].revents)
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
	if (p[1].fd >= 0)
		close(p[1].fd);
	free(d.buf);
	sock_close(sx, fd);
	dgram_summary(&d);
	return rc;
}

int ux_serve(struct sockx *sx, struct ux_opts *o)
{
	struct ux_file f;
	sigset_t set;
	int fd, rc;

	/*
	 * SIGINT, SIGTERM and SIGHUP wait (blocked) from before the file exists: the
	 * loops take them from a signalfd, so the file is always removed.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail_errno(sx, "sigprocmask");
	fd = ux_listen(sx, o, &f);
	if (fd < 0)
		return -fd;
	listen_say(sx, &o->addr, serve_raw_stdout(sx, o->mode));
	if (o->verify)
		ux_verify_note(sx);
	if (o->type == SOCK_DGRAM)
		rc = serve_dgram(sx, o, fd);
	else
		rc = serve_conn(sx, o, fd);
	ux_file_remove(sx, &f);
	return rc;
}
