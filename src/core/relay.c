/* \summary: the two-way relay of netcat mode */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "event.h"
#include "io.h"
#include "out.h"
#include "relay.h"
#include "sock.h"

#define BUF (256 * 1024)
#define FILE_BUF (4 << 20)	/* stdin a file: big reads and sends pay */
#define ZC_CHUNK (16u << 20)	/* one splice: what fits moves */
#define ZC_BURST 8		/* zero-copy moves per wake-up, at most */
#define PIPE_BIG (1 << 20)	/* the default of fs.pipe-max-size */

/*
 * How bytes move. Copy: read() or recv() into a buffer, then write it.
 * Zero-copy, where the fds allow it and nothing needs to see the bytes:
 * splice(2) from a pipe on stdin to the socket, and from the socket into
 * a pipe on stdout; sendfile(2) from a file on stdin to a Unix socket. The
 * kernel then moves page references, and a full socket or pipe simply
 * leaves the bytes where they are, so no buffer of ours holds them. A
 * file into a TCP socket is copied in 4 MiB blocks: sendfile measured
 * slower there than read and send (docs/performance.md).
 */
enum path { PATH_COPY, PATH_SENDFILE, PATH_SPLICE };

struct relay {
	struct sockx *sx;
	int fd;
	bool hex;
	bool in_open;		/* stdin not yet at EOF */
	bool shut;		/* our write side is shut */
	bool peer_eof;		/* the peer shut its write side */
	enum path in_path;	/* stdin -> socket */
	bool out_splice;	/* socket -> stdout (a pipe) by splice */
	bool out_null;		/* stdout is /dev/null and fd TCP: MSG_TRUNC */
	bool in_stuck;		/* zero-copy feed: the socket is full */
	bool out_stuck;		/* splice: the stdout pipe is full */
	char *out;		/* stdin bytes not yet sent: out[off..len) */
	size_t off, len, cap;
	char *in;		/* socket read buffer */
	uint64_t sent, received;
	const struct relay_tap *tap;	/* or NULL */
	const char *idle_opt;	/* the option that set idle_ms, for messages */
	int stop_fd;		/* readable: end now (-1: none) */
	bool stopped;		/* it did */
	bool out_done;		/* writing to stdout failed */
};

unsigned relay_level(const struct sockx *sx)
{
	return event_shows(sx, EV_SAY | EV_DATA) ? EV_SAY | EV_DATA : EV_V1;
}

/* The relay's life: a JSON event, and a -v line (stdout carries the data). */
#define LIFE(r, kind) \
	EMIT_AT((r)->sx, relay_level((r)->sx), kind, .bytes_sent = (long long)(r)->sent, \
		.bytes_received = (long long)(r)->received)

/*
 * True when stdout (st: its fstat) is /dev/null and the socket is TCP,
 * whose recv(MSG_TRUNC) drops the bytes without copying them (tcp(7)).
 */
static bool discards(struct relay *r, const struct stat *st)
{
	int proto = 0;

	if (!S_ISCHR(st->st_mode) || st->st_rdev != makedev(1, 3))
		return false;
	return sock_getopt(r->sx, r->fd, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL", &proto) == 0 &&
	       proto == IPPROTO_TCP;
}

/* How stdin goes: splice from a pipe, sendfile from a file to a Unix socket. */
static void choose_in(struct relay *r)
{
	struct stat st;
	bool pipe = false, file = false;
	int domain = 0;

	if (fstat(STDIN_FILENO, &st) == 0) {
		pipe = S_ISFIFO(st.st_mode);
		file = S_ISREG(st.st_mode);
	}
	r->cap = file ? FILE_BUF : BUF;
	r->in_path = pipe ? PATH_SPLICE : PATH_COPY;
	if (!pipe && !file)
		return;
	if (sock_getopt(r->sx, r->fd, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN", &domain) == 0 &&
	    domain == AF_UNIX) {
		/*
		 * A Unix socket copies once, at the reader: sendfile pays here,
		 * and so does a send buffer of 4 MiB, not 208 KiB (fewer, longer
		 * moves). TCP keeps its own autotuned buffer.
		 */
		if (file)
			r->in_path = PATH_SENDFILE;
		sock_setopt(r->sx, r->fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", FILE_BUF);
	}
	/* A bigger pipe means fewer, larger splices (EPERM past pipe-max-size: keep it). */
	if (pipe)
		fcntl(STDIN_FILENO, F_SETPIPE_SZ, PIPE_BIG);
}

/* How stdout is fed: splice into a pipe, nothing at all for /dev/null. */
static void choose_out(struct relay *r)
{
	struct stat st;

	if (event_shows(r->sx, EV_JSON) || r->hex || fstat(STDOUT_FILENO, &st) < 0)
		return;		/* --json and --hex need to see the bytes */
	r->out_splice = S_ISFIFO(st.st_mode);
	r->out_null = discards(r, &st);
	if (r->out_splice)
		fcntl(STDOUT_FILENO, F_SETPIPE_SZ, PIPE_BIG);
}

/* Picks the zero-copy paths the fds allow; they need a non-blocking socket. */
static void choose_paths(struct relay *r)
{
	if (r->tap) {	/* --verify digests every byte: only copies show it them */
		r->cap = BUF;
		return;
	}
	choose_in(r);
	choose_out(r);
	if ((r->in_path != PATH_COPY || r->out_splice) && fd_nonblock(r->fd, true) < 0) {
		r->in_path = PATH_COPY;
		r->out_splice = false;
	}
	if (r->in_path != PATH_COPY || r->out_splice || r->out_null)
		trace(r->sx, 2, "relay: stdin by %s, stdout by %s",
		      r->in_path == PATH_SPLICE ? "splice" :
		      r->in_path == PATH_SENDFILE ? "sendfile" : "read/send",
		      r->out_splice ? "splice" : r->out_null ? "recv(MSG_TRUNC), discarded" :
		      "recv/write");
}

/* Bytes waiting to be read on fd (FIONREAD), 0 if it cannot say. */
static int pending(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 ? n : 0;
}

/*
 * Moves stdin to the socket by splice (a pipe) or sendfile (a file), a
 * burst at a time.
 * Returns 0 (in_stuck set when the socket is full), -1 on a socket
 * error, -2 on stdin's.
 */
static int feed_zero_copy(struct relay *r)
{
	ssize_t n;
	int i;

	for (i = 0; i < ZC_BURST; i++) {
		if (r->in_path == PATH_SENDFILE)
			n = io_sendfile(r->sx, r->fd, STDIN_FILENO, ZC_CHUNK);
		else
			n = io_splice(r->sx, STDIN_FILENO, r->fd, ZC_CHUNK,
				      SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			r->sent += (uint64_t)n;
			r->in_stuck = false;
			continue;
		}
		if (n == 0) {
			r->in_open = false;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {	/* a pipe with bytes left: the socket is full */
			r->in_stuck = r->in_path == PATH_SENDFILE || pending(STDIN_FILENO) > 0;
			return 0;
		}
		if ((errno == EINVAL || errno == ENOSYS) && r->sent == 0) {
			r->in_path = PATH_COPY;		/* this kind of file cannot */
			return 0;
		}
		return errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN ? -1 : -2;
	}
	return 0;
}

/*
 * Moves the socket's bytes into the stdout pipe by splice, a burst at a
 * time. Returns 0 (out_stuck set when the pipe is full), -1 on a socket
 * error, -3 on stdout's.
 */
static int drain_splice(struct relay *r)
{
	ssize_t n;
	int i;

	for (i = 0; i < ZC_BURST; i++) {
		n = io_splice(r->sx, r->fd, STDOUT_FILENO, ZC_CHUNK,
			      SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			r->received += (uint64_t)n;
			r->out_stuck = false;
			continue;
		}
		if (n == 0) {
			r->peer_eof = true;
			LIFE(r, relay_eof);
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {	/* bytes left in the socket: the pipe is full */
			r->out_stuck = pending(r->fd) > 0;
			return 0;
		}
		if (errno == EINVAL && r->received == 0) {
			r->out_splice = false;		/* copy after all */
			return 0;
		}
		return errno == EPIPE ? -3 : -1;
	}
	return 0;
}

/* Reads a block of stdin; returns 0, or -1 on a read error. */
static int from_stdin(struct relay *r)
{
	ssize_t n;

	do {
		n = read(STDIN_FILENO, r->out, r->cap);
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

int relay_out(struct sockx *sx, const void *p, size_t n, bool hex)
{
	if (event_shows(sx, EV_JSON)) {	/* the bytes as an event */
		EMIT(sx, relay_received, .bytes = (long long)n, .data = EV_BYTES(p, n));
		return ferror(stdout) ? -1 : 0;
	}
	if (!hex)
		return io_write_all(sx, STDOUT_FILENO, p, n);
	hexdump(stdout, p, n);
	/* Out now: SIGINT or SIGTERM would discard stdio's buffer. */
	return fflush(stdout) != 0 || ferror(stdout) ? -1 : 0;
}

/* Receives a block and writes it out; -1 on a socket error, -3 on stdout's. */
static int from_socket(struct relay *r)
{
	ssize_t n;

	do {
		if (r->out_null)
			n = sock_recv(r->sx, r->fd, NULL, ZC_CHUNK, MSG_TRUNC | MSG_DONTWAIT);
		else
			n = sock_recv(r->sx, r->fd, r->in, BUF, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->peer_eof = true;
		LIFE(r, relay_eof);
		return 0;
	}
	r->received += (uint64_t)n;
	if (r->tap && r->tap->received)
		r->tap->received(r->tap->ctx, r->in, (size_t)n);
	if (r->out_null)
		return 0;
	return relay_out(r->sx, r->in, (size_t)n, r->hex) < 0 ? -3 : 0;
}

/* Which fds to wait on now; returns the count. */
static nfds_t want(struct relay *r, struct pollfd *p)
{
	bool zc = r->in_path != PATH_COPY;
	nfds_t n = 0;
	short events;

	if (r->in_open && (zc ? !r->in_stuck : r->len == 0)) {
		p[n].fd = STDIN_FILENO;
		p[n++].events = POLLIN;
	}
	events = (short)((r->peer_eof || r->out_stuck ? 0 : POLLIN) |
			 (r->len || (zc && r->in_open && r->in_stuck) ? POLLOUT : 0));
	/*
	 * The socket, for its bytes, its room, and POLLERR and POLLHUP, which
	 * come unasked. Not while only stdout's room is awaited: a socket
	 * shut both ways would report POLLHUP at once, on every poll, and
	 * nothing can be done with it until stdout takes bytes again.
	 */
	if (events || !r->out_stuck) {
		p[n].fd = r->fd;
		p[n++].events = events;
	}
	if (r->out_stuck) {
		p[n].fd = STDOUT_FILENO;
		p[n++].events = POLLOUT;
	}
	if (r->stop_fd >= 0) {
		p[n].fd = r->stop_fd;
		p[n++].events = POLLIN;
	}
	return n;
}

/* Stdin is readable (or the socket writable again for a stuck feed). */
static int on_stdin(struct relay *r)
{
	if (r->in_path != PATH_COPY)
		return feed_zero_copy(r);
	return from_stdin(r) < 0 ? -2 : 0;
}

/* The socket has news: bytes, room, or an end. */
static int on_socket(struct relay *r, short revents)
{
	int rc;

	if (r->in_stuck && r->in_open && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		rc = on_stdin(r);
		if (rc < 0)
			return rc;
	}
	if (!r->peer_eof && !r->out_stuck && (revents & (POLLIN | POLLERR | POLLHUP)))
		return r->out_splice ? drain_splice(r) : from_socket(r);
	if (r->peer_eof && (revents & (POLLERR | POLLHUP))) {
		/* Gone both ways: what stdin still holds cannot go. */
		if (!r->in_open && !r->len)
			return 1;
		errno = EPIPE;
		return -1;
	}
	return 0;
}

/*
 * One round of the loop: returns 1 to go on, 0 when done, -1 on a socket
 * error, -2 on stdin's, -3 on stdout's (errno set).
 */
static int step(struct relay *r, int idle_ms)
{
	struct pollfd p[4];
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
		if (p[i].fd == r->stop_fd) {
			r->stopped = true;
			return 0;
		}
		if (p[i].fd == STDIN_FILENO) {
			rc = on_stdin(r);
		} else if (p[i].fd == STDOUT_FILENO) {
			r->out_stuck = false;	/* room again */
			rc = 0;
		} else {
			rc = on_socket(r, p[i].revents);
			if (rc == 1)
				return 0;
		}
		if (rc < 0)
			return rc;
	}
	if (r->len && to_socket(r) < 0)
		return -1;
	if (!r->in_open && !r->len && !r->shut) {
		r->shut = true;
		sock_shutdown(r->sx, r->fd, SHUT_WR);
		LIFE(r, relay_shutdown);
	}
	if (r->peer_eof && (r->shut || isatty(STDIN_FILENO)))
		return 0;
	return 1;
}

static int run(struct relay *r, int idle_ms);

int relay_run(struct sockx *sx, int fd, int idle_ms, bool hex)
{
	return relay_run_tap(sx, fd, idle_ms, hex, NULL);
}

int relay_run_tap(struct sockx *sx, int fd, int idle_ms, bool hex,
		  const struct relay_tap *tap)
{
	struct relay r = { .sx = sx, .fd = fd, .hex = hex, .in_open = true,
			   .tap = tap, .idle_opt = "-w", .stop_fd = -1 };

	return run(&r, idle_ms);
}

int relay_run_stop(struct sockx *sx, int fd, int idle_ms, int stop_fd,
		   struct relay_end *end)
{
	struct relay r = { .sx = sx, .fd = fd, .in_open = true,
			   .idle_opt = "--idle-timeout", .stop_fd = stop_fd };
	int rc = run(&r, idle_ms);

	end->sent = r.sent;
	end->received = r.received;
	end->stopped = r.stopped;
	end->stdout_done = r.out_done;
	return rc;
}

/*
 * Runs the relay *r, set up by the caller, until both directions end
 * (or stop_fd says so); *r holds the final state.
 */
static int run(struct relay *r, int idle_ms)
{
	struct sockx *sx = r->sx;
	int fd = r->fd, rc = EXIT_OK, s;
	bool data_out = sx->data_out;

	sx->data_out = true;	/* stdout is the peer's bytes: lines go to stderr */
	choose_paths(r);
	r->out = malloc(r->cap);
	r->in = malloc(BUF);
	if (!r->out || !r->in) {
		rc = fail(sx, EXIT_FAIL, "out of memory");
		goto out;
	}
	do {
		s = step(r, idle_ms);
	} while (s == 1);
	r->out_done = s == -3;
	if (s == -3) {	/* a closed pipe too: what the peer still sends is lost */
		rc = fail_errno(sx, "cannot write to stdout after %llu bytes received, %llu sent",
				(unsigned long long)r->received, (unsigned long long)r->sent);
	} else if (s == -2) {
		rc = fail_errno(sx, "cannot read stdin");
	} else if (s < 0 && errno == ETIMEDOUT) {
		LIFE(r, relay_timeout);
		rc = fail(sx, EXIT_FAIL, "no data either way for %.1f s (%s)", idle_ms / 1000.0,
			  r->idle_opt);
	} else if (s < 0 && (errno == ECONNRESET || errno == EPIPE)) {
		LIFE(r, relay_reset);
		rc = fail_errno(sx, "connection reset after %llu bytes sent, %llu received",
				(unsigned long long)r->sent, (unsigned long long)r->received);
	} else if (s < 0) {
		rc = fail_errno(sx, "relay");
	}
	if (rc == EXIT_OK || !event_shows(sx, EV_JSON))	/* no event follows an error */
		LIFE(r, relay_closed);
out:
	if (r->in_path != PATH_COPY || r->out_splice)
		fd_nonblock(fd, false);		/* as the caller gave it */
	free(r->out);
	free(r->in);
	sx->data_out = data_out;
	return rc;
}
