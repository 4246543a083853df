/* \summary: the two-way relay of netcat mode */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"
#include "out.h"
#include "relay.h"
#include "sock.h"

#define BUF (256 * 1024)

struct relay {
	struct sockx *sx;
	int fd;
	bool hex;
	bool in_open;		/* stdin not yet at EOF */
	bool shut;		/* our write side is shut */
	bool peer_eof;		/* the peer shut its write side */
	char *out;		/* stdin bytes not yet sent: out[off..len) */
	size_t off, len;
	char *in;		/* socket read buffer */
	uint64_t sent, received;
	const struct relay_tap *tap;	/* or NULL */
};

static void life(struct relay *r, const char *ev, const char *text)
{
	struct sockx *sx = r->sx;

	if (sx->json) {
		ev_begin(sx, ev);
		ev_int(sx, "bytes_sent", (long long)r->sent);
		ev_int(sx, "bytes_received", (long long)r->received);
		ev_end(sx);
	} else {
		trace(sx, 1, "%s: %llu bytes sent, %llu received", text,
		      (unsigned long long)r->sent, (unsigned long long)r->received);
	}
}

/* Reads a block of stdin; returns 0, or -1 on a read error. */
static int from_stdin(struct relay *r)
{
	ssize_t n;

	do {
		n = read(STDIN_FILENO, r->out, BUF);
	} while (n < 0 && errno == EINTR);
	if (n < 0)	/* a non-blocking stdin (shared with others): poll again */
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->in_open = false;
		return 0;
	}
	r->off = 0;
	r->len = (size_t)n;
	return 0;
}

/* Sends what is pending without blocking; -1 on a socket error. */
static int to_socket(struct relay *r)
{
	ssize_t n;

	while (r->off < r->len) {
		n = sock_send(r->sx, r->fd, r->out + r->off, r->len - r->off,
			      MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (r->tap && r->tap->sent)
			r->tap->sent(r->tap->ctx, r->out + r->off, (size_t)n);
		r->off += (size_t)n;
		r->sent += (uint64_t)n;
	}
	r->off = r->len = 0;
	return 0;
}

/* Receives a block and writes it out; -1 on a socket error, -3 on stdout's. */
static int from_socket(struct relay *r)
{
	ssize_t n;

	do {
		n = sock_recv(r->sx, r->fd, r->in, BUF, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->peer_eof = true;
		life(r, "eof", "eof: the peer shut its write side");
		return 0;
	}
	r->received += (uint64_t)n;
	if (r->tap && r->tap->received)
		r->tap->received(r->tap->ctx, r->in, (size_t)n);
	if (r->sx->json || r->hex) {
		show_data(r->sx, "received", r->in, (size_t)n, r->hex, -1);
		return ferror(stdout) ? -3 : 0;
	}
	return io_write_all(r->sx, STDOUT_FILENO, r->in, (size_t)n) < 0 ? -3 : 0;
}

/* Which fds to wait on now; returns the count. */
static nfds_t want(struct relay *r, struct pollfd *p)
{
	nfds_t n = 0;

	if (r->in_open && r->len == 0) {
		p[n].fd = STDIN_FILENO;
		p[n++].events = POLLIN;
	}
	p[n].fd = r->fd;
	p[n].events = (short)((r->peer_eof ? 0 : POLLIN) | (r->len ? POLLOUT : 0));
	n++;
	return n;
}

/*
 * One round of the loop: returns 1 to go on, 0 when done, -1 on a socket
 * error, -2 on stdin's, -3 on stdout's (errno set).
 */
static int step(struct relay *r, int idle_ms)
{
	struct pollfd p[2];
	nfds_t n = want(r, p), i;
	int rc = poll(p, n, idle_ms);

	if (rc < 0)
		return errno == EINTR ? 1 : -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == STDIN_FILENO) {
			if (from_stdin(r) < 0)
				return -2;
		} else if (!r->peer_eof) {
			rc = from_socket(r);
			if (rc < 0)
				return rc;
		} else if (p[i].revents & (POLLERR | POLLHUP)) {
			/* Gone both ways: what stdin still holds cannot go. */
			if (!r->in_open && !r->len)
				return 0;
			errno = EPIPE;
			return -1;
		}
	}
	if (r->len && to_socket(r) < 0)
		return -1;
	if (!r->in_open && !r->len && !r->shut) {
		r->shut = true;
		sock_shutdown(r->sx, r->fd, SHUT_WR);
		life(r, "shutdown", "shutdown: stdin ended, our write side closed");
	}
	if (r->peer_eof && (r->shut || isatty(STDIN_FILENO)))
		return 0;
	return 1;
}

int relay_run(struct sockx *sx, int fd, int idle_ms, bool hex)
{
	return relay_run_tap(sx, fd, idle_ms, hex, NULL);
}

int relay_run_tap(struct sockx *sx, int fd, int idle_ms, bool hex,
		  const struct relay_tap *tap)
{
	struct relay r = { .sx = sx, .fd = fd, .hex = hex, .in_open = true, .tap = tap };
	int rc = EXIT_OK, s;

	r.out = malloc(BUF);
	r.in = malloc(BUF);
	if (!r.out || !r.in) {
		rc = fail(sx, EXIT_FAIL, "out of memory");
		goto out;
	}
	do {
		s = step(&r, idle_ms);
	} while (s == 1);
	if (s == -3 && errno == EPIPE) {
		rc = EXIT_OK;	/* the reader of our stdout is done: so are we */
	} else if (s == -3) {
		rc = fail_errno(sx, "cannot write to stdout");
	} else if (s == -2) {
		rc = fail_errno(sx, "cannot read stdin");
	} else if (s < 0 && errno == ETIMEDOUT) {
		life(&r, "timeout", "timeout");
		rc = fail(sx, EXIT_FAIL, "no data either way for %.1f s (-w)", idle_ms / 1000.0);
	} else if (s < 0 && (errno == ECONNRESET || errno == EPIPE)) {
		life(&r, "reset", "reset");
		rc = fail_errno(sx, "connection reset after %llu bytes sent, %llu received",
				(unsigned long long)r.sent, (unsigned long long)r.received);
	} else if (s < 0) {
		rc = fail_errno(sx, "relay");
	}
	life(&r, "closed", "closed");
out:
	free(r.out);
	free(r.in);
	return rc;
}
