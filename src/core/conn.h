/* \summary: a client's connection: messages and their replies, the close, the round-trip summary */
#ifndef SOCKX_CONN_H
#define SOCKX_CONN_H

#include <stddef.h>

#include "../sockx.h"

/* One message: -m's text, or the bytes of a file. */
struct conn_msg {
	const char *p;
	size_t len;
	const char *file;	/* the file it came from, or NULL for -m */
	const char *anc;	/* " with SCM_RIGHTS ...": what went with it, or "" */
	int pass_fd;		/* unix: a descriptor to pass with it, or -1 */
};

/* How a message went: bytes sent, reply bytes read, and why it stopped. */
struct conn_xfer {
	size_t sent, got;
	size_t real;		/* the reply's own length: more than got when cut (MSG_TRUNC) */
	int why;		/* 0, ETIMEDOUT, ENOTCONN (the peer closed), EINTR
				   (a signal stopped the run) or an errno */
	bool send_err;		/* why is send's errno */
};

struct conn;

/* What differs between the clients: how bytes go out and come back. */
struct conn_ops {
	/*
	 * Sends m whole (x->sent), or fails (x->send_err and x->why); may
	 * read reply bytes meanwhile into c->buf (x->got, x->why).
	 */
	void (*send)(struct conn *c, const struct conn_msg *m, struct conn_xfer *x);
	/*
	 * Reads into buf (cap bytes) until want bytes came, or with one a
	 * single message; returns the bytes kept, and adds what came to
	 * x->real; x->why as above.
	 */
	size_t (*recv)(struct conn *c, char *buf, size_t cap, size_t want,
		       bool one, struct conn_xfer *x);
};

/* The round trips of a run. */
struct conn_stats {
	unsigned long sent, replies;
	double min, max, sum;
};

struct conn {
	struct sockx *sx;
	int fd;
	int idle_ms;		/* -w: the silence that ends a wait (-1: none) */
	bool hex;		/* --hex */
	bool messages;		/* one receive is one reply (dgram, seqpacket) */
	bool half_close;	/* after the messages: shut our side, read to the end */
	bool quiet_end;		/* unix: the ends are JSON only ("shutdown" a -v line without) */
	bool lazy;		/* leave stdout to its buffer (-q, a file, no --interval) */
	size_t recv_size;	/* messages: the bytes one receive takes (--recv-size) */
	char *buf;		/* the reply buffer: cap bytes */
	size_t cap;
	const struct conn_ops *ops;
	void *ctx;		/* the client's, for ops */
	struct conn_stats st;
};

/* Says that c is connected: peer, local, and the unix client's type (or NULL). */
void conn_connected(struct conn *c, const char *peer, const char *local, const char *type);

/*
 * The messages of msgs, count times over with interval_ms between
 * rounds, each sent and its reply shown; then the half-close (when
 * c->half_close) and "closed". A signal that stops the run (sig.h) ends
 * it there: exit 1 when a reply is missing. Returns an exit code.
 */
int conn_run(struct conn *c, const struct conn_msg *msgs, int n,
	     unsigned long count, int interval_ms);

/* The round-trip summary: "N sent, M replies, rtt min/avg/max". */
void conn_summary(struct conn *c);

#endif
