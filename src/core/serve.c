/* \summary: an epoll server of many connections: echo, upper, discard, source */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "event.h"
#include "io.h"
#include "listen.h"
#include "out.h"
#include "relay.h"
#include "serve.h"
#include "sig.h"
#include "sock.h"
#include "timeline.h"

const char *const serve_mode_names[] = { "echo", "upper", "discard", "source",
					 "print", "stdio", NULL };

#define CHUNK (256 * 1024)	/* one read of an echo; bounds a client's backlog */
#define DISCARD_CHUNK (4 << 20)	/* discard reads with MSG_TRUNC: nothing copied */
#define SOURCE_BUF (SOURCE_PERIOD * 150)
#define TL_IDLE_MS 50		/* --timeline: how often a waiting server draws */
/* Control data of one read: the most descriptors a message can carry
 * (SCM_MAX_FD, 253) and one set of credentials. */
#define CBUF (CMSG_SPACE(sizeof(int) * 253) + CMSG_SPACE(sizeof(struct ucred)))

/*
 * One client. Idle ones cost only this struct: the read buffer is shared,
 * and pend holds only bytes read but not yet written back.
 */
struct conn {
	int fd;
	uint32_t events;		/* the epoll mask in force */
	bool eof;			/* the peer shut its write side */
	struct conn *prev, *next;	/* by last activity, oldest first */
	char *pend;			/* unsent echo: pend[poff..plen) */
	size_t plen, poff;
	uint64_t in, out, src_off;
	double start, last;
	struct addr peer;
};

struct server {
	struct sockx *sx;
	const struct serve_opts *o;
	int ep, lfd;
	bool accepting, paused, stop;
	int out_err;			/* --mode print: stdout failed so */
	double starved_at;		/* last out-of-fds warning (0: none) */
	unsigned nconn;
	uint64_t clients, in, out;
	struct conn *head, *tail;	/* LRU list */
	char *buf;			/* shared read buffer */
	size_t chunk;			/* its size */
	char *cbuf;			/* control data, with on_recv */
	char *src;			/* the source pattern */
};

/* Markers in epoll data for the two fds that are not connections. */
static char mark_listen, mark_signal;

void mode_upper(void *p, size_t n)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] >= 'a' && c[i] <= 'z')
			c[i] = (unsigned char)(c[i] - 'a' + 'A');
}

void mode_source_fill(void *p, size_t n, uint64_t off)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++, off++) {
		uint64_t line = (off / 74) % 95, col = off % 74;

		if (col == 72)
			c[i] = '\r';
		else if (col == 73)
			c[i] = '\n';
		else
			c[i] = (unsigned char)(32 + (line + col) % 95);
	}
}

void serve_data_out(struct sockx *sx, enum serve_mode m)
{
	sx->data_out = m == MODE_STDIO || (m == MODE_PRINT && !event_shows(sx, EV_SAY));
}

int serve_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return -1;
	return 0;
}

/* What a client sent (--mode print): a line, an event, or under -q the bytes. */
static int serve_print(struct sockx *sx, const struct addr *peer, int fd,
		       const void *p, size_t n)
{
	char a[ADDR_TEXT];

	addr_str(peer, a, sizeof(a));
	EMIT(sx, received_server, .peer = a, .fd = fd, .bytes = (long long)n,
	     .data = EV_BYTES(p, n), .unit = n == 1 ? "byte" : "bytes", .peer_text = a);
	return serve_flush();
}

static void lru_unlink(struct server *s, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		s->tail = c->prev;
	c->prev = c->next = NULL;
}

static void lru_append(struct server *s, struct conn *c)
{
	c->prev = s->tail;
	c->next = NULL;
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
}

/* Marks activity: with --idle-timeout, c moves to the young end. */
static void touch(struct server *s, struct conn *c)
{
	if (!s->o->idle_ms)
		return;
	c->last = now_mono();
	lru_unlink(s, c);
	lru_append(s, c);
}

static int set_events(struct server *s, struct conn *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (c->events == ev)
		return 0;
	c->events = ev;
	return epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e);
}

static void set_accepting(struct server *s, bool on)
{
	struct epoll_event e = { .events = on ? EPOLLIN : 0, .data.ptr = &mark_listen };

	if (s->lfd < 0 || s->paused == !on)
		return;
	s->paused = !on;
	epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &e);
}

/* A connection's life: its events (the table's *_server kinds). */
enum conn_ev { CONN_ACCEPTED, CONN_SHUTDOWN, CONN_EOF, CONN_RESET, CONN_TIMEOUT,
	       CONN_CLOSED };

static void conn_event(struct server *s, struct conn *c, enum conn_ev what)
{
	struct sockx *sx = s->sx;
	char a[ADDR_TEXT];

	addr_str(&c->peer, a, sizeof(a));
#define PEER_FD .peer = a, .fd = c->fd, .peer_text = a
	switch (what) {
	case CONN_ACCEPTED: EMIT(sx, accepted_server, PEER_FD); break;
	case CONN_SHUTDOWN: EMIT(sx, shutdown_server, PEER_FD); break;
	case CONN_EOF: EMIT(sx, eof_server, PEER_FD); break;
	case CONN_RESET: EMIT(sx, reset_server, PEER_FD); break;
	case CONN_TIMEOUT: EMIT(sx, timeout_server, PEER_FD); break;
	case CONN_CLOSED:
		EMIT(sx, closed_server, PEER_FD, .bytes_in = (long long)c->in,
		     .bytes_out = (long long)c->out, .duration = now_mono() - c->start);
		break;
	}
#undef PEER_FD
}

static void conn_close(struct server *s, struct conn *c)
{
	conn_event(s, c, CONN_CLOSED);
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	sock_close(s->sx, c->fd);
	s->in += c->in;
	s->out += c->out;
	lru_unlink(s, c);
	free(c->pend);
	free(c);
	s->nconn--;
	if (s->o->once) {
		s->stop = true;
		return;
	}
	if (s->accepting)
		set_accepting(s, true);	/* a slot and an fd are free again */
}

/* The peer is done and so are we: half-close, then close. */
static void conn_finish(struct server *s, struct conn *c)
{
	if (sock_shutdown(s->sx, c->fd, SHUT_WR) == 0)
		conn_event(s, c, CONN_SHUTDOWN);
	conn_close(s, c);
}

/* A read or write failed with err: a reset is logged as such. */
static void conn_error(struct server *s, struct conn *c, int err)
{
	char e[96];

	if (err == ECONNRESET || err == EPIPE)
		conn_event(s, c, CONN_RESET);
	else
		warn_msg(s->sx, "client error: %s", errno_str(err, e, sizeof(e)));
	conn_close(s, c);
}

/* Writes c's pending bytes; returns 0 (maybe some left), or -1 (closed). */
static int flush_pend(struct server *s, struct conn *c)
{
	ssize_t w;

	while (c->poff < c->plen) {
		w = sock_send(s->sx, c->fd, c->pend + c->poff, c->plen - c->poff,
			      MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return set_events(s, c, EPOLLOUT);	/* stop reading */
		if (w < 0) {
			conn_error(s, c, errno);
			return -1;
		}
		c->poff += (size_t)w;
		c->out += (uint64_t)w;
	}
	free(c->pend);
	c->pend = NULL;
	c->plen = c->poff = 0;
	if (c->eof) {
		conn_finish(s, c);
		return -1;
	}
	return set_events(s, c, EPOLLIN);
}

/* Echoes n bytes of the shared buffer back; the rest waits in pend. */
static int echo(struct server *s, struct conn *c, size_t n)
{
	ssize_t w;

	if (s->o->mode == MODE_UPPER)
		mode_upper(s->buf, n);
	do {
		w = sock_send(s->sx, c->fd, s->buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (w < 0 && errno == EINTR);
	if (w < 0 && errno == EMSGSIZE && s->o->messages) {
		/* Bigger than our send buffer can ever hold: skip this one. */
		warn_msg(s->sx, "cannot echo a %zu-byte message on fd %d: %s", n,
			 c->fd, strerror(errno));
		return 0;
	}
	if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		conn_error(s, c, errno);
		return -1;
	}
	if (w < 0)
		w = 0;
	c->out += (uint64_t)w;
	if ((size_t)w == n)
		return 0;
	c->pend = malloc(n - (size_t)w);
	if (!c->pend) {
		warn_msg(s->sx, "out of memory: dropping a client");
		conn_close(s, c);
		return -1;
	}
	memcpy(c->pend, s->buf + w, n - (size_t)w);
	c->plen = n - (size_t)w;
	c->poff = 0;
	return set_events(s, c, EPOLLOUT);	/* backpressure: stop reading */
}

/*
 * A message longer than the buffer: its tail is lost, and we say so: the
 * JSON event, and a warning (no level is both).
 */
static void truncated(struct server *s, struct conn *c, size_t len)
{
	char a[ADDR_TEXT];

	addr_str(&c->peer, a, sizeof(a));
#define TRUNCATED .peer = a, .fd = c->fd, .bytes = (long long)len, \
		  .kept = (long long)s->chunk, .peer_text = a
	EMIT(s->sx, truncated_server, TRUNCATED);
	EMIT_AT(s->sx, EV_WARN, truncated_server, TRUNCATED);
#undef TRUNCATED
}

/*
 * One recvmsg: control data goes to on_recv; for messages the real
 * length is asked for (MSG_TRUNC), so a message longer than the buffer
 * is reported. Returns the bytes in the buffer, or -1 with errno set.
 */
static ssize_t recv_msg(struct server *s, struct conn *c)
{
	struct iovec iov = { .iov_base = s->buf, .iov_len = s->chunk };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int flags = MSG_DONTWAIT | MSG_CMSG_CLOEXEC;
	ssize_t n;

	if (s->o->on_recv) {
		m.msg_control = s->cbuf;
		m.msg_controllen = CBUF;
	}
	if (s->o->messages)
		flags |= MSG_TRUNC;
	n = sock_recvmsg(s->sx, c->fd, &m, flags);
	if (n < 0)
		return n;
	if (s->o->on_recv && (n > 0 || m.msg_controllen > 0))
		s->o->on_recv(s->sx, c->fd, &m, (size_t)n, s->o->ctx);
	if ((size_t)n > s->chunk) {
		truncated(s, c, (size_t)n);
		n = (ssize_t)s->chunk;
	}
	return n;
}

/* Reads once; returns -1 if the connection is gone, else 0. */
static int on_readable(struct server *s, struct conn *c)
{
	enum serve_mode m = s->o->mode;
	bool msg = s->o->messages || s->o->on_recv;
	bool trunc = (m == MODE_DISCARD || m == MODE_SOURCE) && !msg;
	ssize_t n;

	/* TCP discards with MSG_TRUNC without copying a byte (tcp(7)). */
	do {
		if (trunc)
			n = sock_recv(s->sx, c->fd, NULL, DISCARD_CHUNK, MSG_TRUNC | MSG_DONTWAIT);
		else if (msg)
			n = recv_msg(s, c);
		else
			n = sock_recv(s->sx, c->fd, s->buf, s->chunk, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		conn_error(s, c, errno);
		return -1;
	}
	touch(s, c);
	if (n == 0) {
		c->eof = true;
		conn_event(s, c, CONN_EOF);
		if (m == MODE_SOURCE)
			return set_events(s, c, EPOLLOUT);	/* keep sending */
		conn_finish(s, c);
		return -1;
	}
	c->in += (uint64_t)n;
	if (m == MODE_ECHO || m == MODE_UPPER)
		return echo(s, c, (size_t)n);
	if (m == MODE_PRINT && serve_print(s->sx, &c->peer, c->fd, s->buf, (size_t)n) < 0) {
		s->out_err = errno ? errno : EIO;
		s->stop = true;		/* nowhere to print: a server of nothing */
	}
	return 0;
}

static void on_writable(struct server *s, struct conn *c)
{
	size_t off = (size_t)(c->src_off % SOURCE_PERIOD);
	ssize_t w;

	touch(s, c);
	if (s->o->mode != MODE_SOURCE) {
		flush_pend(s, c);
		return;
	}
	w = sock_send(s->sx, c->fd, s->src + off, SOURCE_BUF - off,
		      MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_error(s, c, errno);
		return;
	}
	if (w > 0) {
		c->out += (uint64_t)w;
		c->src_off += (uint64_t)w;
	}
}

static void on_conn(struct server *s, struct conn *c, uint32_t ev)
{
	if (c->pend || c->eof) {	/* only writing is left: errors show there */
		on_writable(s, c);
		return;
	}
	if ((ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) && on_readable(s, c) < 0)
		return;
	if ((ev & EPOLLOUT) && s->o->mode == MODE_SOURCE)
		on_writable(s, c);
}

static void accept_one(struct server *s, int fd, const struct addr *peer)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event e;

	if (!c) {
		warn_msg(s->sx, "out of memory: refusing a client");
		sock_close(s->sx, fd);
		return;
	}
	c->fd = fd;
	c->peer = *peer;
	c->start = c->last = now_mono();
	c->events = s->o->mode == MODE_SOURCE ? EPOLLIN | EPOLLOUT : EPOLLIN;
	e.events = c->events;
	e.data.ptr = c;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		warn_msg(s->sx, "epoll_ctl: %s", strerror(errno));
		sock_close(s->sx, fd);
		free(c);
		return;
	}
	if (s->o->nodelay)
		sock_setopt(s->sx, fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1);
	lru_append(s, c);
	s->nconn++;
	s->clients++;
	conn_event(s, c, CONN_ACCEPTED);
	if (s->o->on_accept)
		s->o->on_accept(s->sx, fd, peer, s->o->ctx);
}

/* Stops listening for good (--once after its client, or a signal). */
static void stop_listening(struct server *s)
{
	if (s->lfd < 0)
		return;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, s->lfd, NULL);
	sock_close(s->sx, s->lfd);
	s->lfd = -1;
	s->accepting = false;
}

static void on_listen(struct server *s)
{
	struct addr peer;
	int fd, i;

	for (i = 0; i < 64 && s->lfd >= 0; i++) {
		if (s->o->max_clients && s->nconn >= s->o->max_clients) {
			set_accepting(s, false);	/* wait in the backlog */
			return;
		}
		fd = sock_accept(s->sx, s->lfd, &peer, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			accept_one(s, fd, &peer);
			if (s->o->once)
				stop_listening(s);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* Keep the clients we have; accept again when one leaves. */
			if (now_mono() - s->starved_at > 10) {	/* no flood of warnings */
				warn_msg(s->sx, "accept: %s; serving %u clients, the rest wait",
					 strerror(errno), s->nconn);
				s->starved_at = now_mono();
			}
			set_accepting(s, false);
			return;
		}
		if (errno != EINTR && errno != ECONNABORTED && errno != EPROTO)
			return;		/* EAGAIN: no more for now */
	}
}

/* Closes clients silent for idle_ms; returns the epoll timeout to use. */
static int expire_idle(struct server *s)
{
	double now, due;

	if (s->paused && s->nconn == 0)
		return 100;	/* out of fds with no client to free one: retry */
	if (!s->o->idle_ms)
		return s->paused ? 1000 : -1;
	now = now_mono();
	while (s->head) {
		due = s->head->last + (double)s->o->idle_ms / 1000.0;
		if (due > now)	/* a far due date: wake in ~24 days, look again */
			return (due - now) * 1000.0 < INT_MAX - 1 ?
				(int)((due - now) * 1000.0) + 1 : INT_MAX;
		conn_event(s, s->head, CONN_TIMEOUT);
		conn_close(s, s->head);
	}
	return s->paused ? 1000 : -1;
}

/*
 * epoll_wait's timeout: expire_idle's; with --timeline at most
 * TL_IDLE_MS, so the packets that come after the last call (a client's
 * last ACK) are drawn soon, not when the next client comes.
 */
static int wait_ms(struct server *s)
{
	int ms = expire_idle(s);

	if (s->sx->timeline && (ms < 0 || ms > TL_IDLE_MS))
		return TL_IDLE_MS;
	return ms;
}

void serve_summary(struct sockx *sx, const struct serve_stats *st)
{
	char extra[96] = "";
	int n = 0;

	switch (st->kind) {
	case SERVE_CLIENTS:
		EMIT(sx, summary_server, .clients = (long long)st->count,
		     .bytes_in = (long long)st->in, .bytes_out = (long long)st->out,
		     .duration = sx_elapsed(sx));
		break;
	case SERVE_DGRAMS:
		EMIT(sx, summary_dgram_server, .datagrams = (long long)st->count,
		     .bytes_in = (long long)st->in, .bytes_out = (long long)st->out,
		     .duration = sx_elapsed(sx));
		break;
	case SERVE_UDP:
		if (st->truncated)
			n = snprintf(extra, sizeof(extra), ", %llu truncated",
				     (unsigned long long)st->truncated);
		if (st->send_errors && n >= 0 && (size_t)n < sizeof(extra))
			snprintf(extra + n, sizeof(extra) - (size_t)n, ", %llu not sent",
				 (unsigned long long)st->send_errors);
		EMIT(sx, summary_udp_server, .datagrams = (long long)st->count,
		     .bytes_in = (long long)st->in, .bytes_out = (long long)st->out,
		     .truncated = (long long)st->truncated,
		     .send_errors = (long long)st->send_errors,
		     .duration = sx_elapsed(sx), .extra = extra);
		break;
	}
}

/*
 * Sets up epoll with the listener and the stopping signals' pipe (sig.h):
 * SIGINT, SIGTERM and SIGHUP (a closed terminal) end the server the same
 * way, with a summary.
 */
static int setup(struct server *s)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &mark_listen };

	s->chunk = s->o->chunk ? s->o->chunk : CHUNK;
	s->buf = malloc(s->chunk);
	s->cbuf = s->o->on_recv ? malloc(CBUF) : NULL;
	s->src = s->o->mode == MODE_SOURCE ? malloc(SOURCE_BUF) : NULL;
	if (!s->buf || (s->o->mode == MODE_SOURCE && !s->src) ||
	    (s->o->on_recv && !s->cbuf))
		return -1;
	if (s->src)
		mode_source_fill(s->src, SOURCE_BUF, 0);
	if (sig_catch_stop() < 0)
		return -1;
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &e) < 0)
		return -1;
	e.data.ptr = &mark_signal;
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, sig_fd(), &e);
}

static void teardown(struct server *s)
{
	while (s->head)
		conn_close(s, s->head);
	stop_listening(s);
	if (s->ep >= 0)
		close(s->ep);
	free(s->buf);
	free(s->cbuf);
	free(s->src);
}

/*
 * --mode stdio: accepts one client and relays stdin to it and its bytes
 * to stdout, as tcp-client's netcat mode does, until both directions end
 * or a signal comes. Returns the relay's exit code.
 */
static int stdio_client(struct server *s)
{
	struct sockx *sx = s->sx;
	struct relay_end end;
	struct conn c = { .fd = -1 };
	int rc;

	c.fd = sock_accept(sx, s->lfd, &c.peer, SOCK_CLOEXEC);	/* blocking: the relay's way */
	if (c.fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
		s->stop = true;		/* no client of ours can free one */
		return fail_errno(sx, "accept");
	}
	if (c.fd < 0)
		return EXIT_OK;		/* it left before we took it: wait on */
	s->clients++;
	if (s->o->nodelay)
		sock_setopt(sx, c.fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1);
	conn_event(s, &c, CONN_ACCEPTED);	/* stdout is the data: -v, stderr */
	rc = relay_run_stop(sx, c.fd, s->o->idle_ms ? s->o->idle_ms : -1, sig_fd(), &end);
	sock_close(sx, c.fd);
	s->in += end.received;
	s->out += end.sent;
	if (end.stopped || end.stdout_done || s->o->once)
		s->stop = true;
	return rc;
}

/*
 * The loop of --mode stdio: clients one after another, each served to
 * its end before the next is accepted (the rest wait in the backlog).
 * The exit code is that of the last client when it ended the server
 * (--once, or stdout gone), else 0.
 */
static int serve_stdio(struct server *s)
{
	struct epoll_event evs[2];
	int n, i, rc = EXIT_OK, r;

	while (!s->stop && !sig_stopped()) {	/* the flag too, when epoll_wait returned EINTR */
		n = epoll_wait(s->ep, evs, (int)ARRAY_SIZE(evs), -1);
		if (n < 0 && errno != EINTR)
			return fail_errno(s->sx, "epoll_wait");
		for (i = 0; i < n && !s->stop; i++) {
			if (evs[i].data.ptr == &mark_signal) {
				s->stop = true;
				continue;
			}
			r = stdio_client(s);
			if (s->stop)
				rc = r;
		}
	}
	return rc;
}

int serve_stream(struct sockx *sx, int lfd, const struct serve_opts *o)
{
	struct server s = { .sx = sx, .o = o, .ep = -1, .lfd = lfd, .accepting = true };
	struct serve_stats st = { .kind = SERVE_CLIENTS };
	struct epoll_event evs[256];
	int n, i, rc = EXIT_OK;

	if (setup(&s) < 0) {
		rc = fail_errno(sx, "cannot set up the event loop");
		goto out;
	}
	if (o->mode == MODE_STDIO) {
		rc = serve_stdio(&s);
		goto out;
	}
	while (!s.stop && !sig_stopped()) {	/* the flag too, when epoll_wait returned EINTR */
		n = epoll_wait(s.ep, evs, (int)ARRAY_SIZE(evs), wait_ms(&s));
		timeline_idle(sx);	/* --timeline: what came while we waited */
		if (n < 0 && errno != EINTR) {
			rc = fail_errno(sx, "epoll_wait");
			break;
		}
		if (n == 0 && s.paused && s.accepting)
			set_accepting(&s, true);	/* try accept again */
		for (i = 0; i < n && !s.stop; i++) {
			if (evs[i].data.ptr == &mark_listen)
				on_listen(&s);
			else if (evs[i].data.ptr == &mark_signal)
				s.stop = true;
			else
				on_conn(&s, evs[i].data.ptr, evs[i].events);
		}
	}
	if (s.out_err) {	/* a closed pipe too: what clients still send is lost */
		errno = s.out_err;
		rc = fail_errno(sx, "cannot write to stdout");
	}
out:
	teardown(&s);
	if (o->at_end)
		rc = o->at_end(sx, o->ctx, rc);
	st.count = s.clients;
	st.in = s.in;
	st.out = s.out;
	serve_summary(sx, &st);
	return rc;
}
