/* \summary: a client's connection: messages and their replies, the close, the round-trip summary */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conn.h"
#include "event.h"
#include "out.h"
#include "relay.h"
#include "sig.h"
#include "sock.h"

/*
 * The level of an end of the connection: a line; or (unix) JSON only,
 * but for our shutdown, which is a -v line when there is no JSON.
 */
static unsigned end_level(const struct conn *c, bool shutdown)
{
	if (!c->quiet_end)
		return EV_SAY;
	return shutdown && !event_shows(c->sx, EV_JSON) ? EV_V1 : EV_JSON;
}

void conn_connected(struct conn *c, const char *peer, const char *local, const char *type)
{
	struct sockx *sx = c->sx;

	/* Netcat mode: a -v line (stdout carries the data), without the type. */
	EMIT_AT(sx, sx->data_out ? relay_level(sx) : EV_SAY, conn_connected, .peer = peer,
		.local = local, .type = type, .paren = sx->data_out ? NULL : type);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !sig_stopped())
		;
}

/*
 * After bytes on stdout: a write that failed (a closed pipe, a full
 * disk) ends the run, so no reply is lost unsaid. lazy: flush only to
 * learn the error.
 */
static int check_stdout(struct sockx *sx, bool lazy)
{
	if (!lazy || ferror(stdout))
		fflush(stdout);
	return ferror(stdout) ? fail_errno(sx, "cannot write to stdout") : EXIT_OK;
}

/* The "sent" event of m: its bytes escaped for the line (when it shows). */
static void say_sent(struct conn *c, const struct conn_msg *m)
{
	char *text = NULL;
	size_t cap = m->len * 4 + 1;	/* \xHH at most per byte */

	if (!m->file && event_shows(c->sx, EV_SAY)) {
		text = malloc(cap);
		if (text)
			esc_buf(text, cap, m->p, m->len, false);
	}
	EMIT(c->sx, conn_sent, .bytes = (long long)m->len, .data = EV_BYTES(m->p, m->len),
	     .anc = m->anc ? m->anc : "", .file = m->file, .text = text ? text : "");
	free(text);
}

/*
 * The reply: its line, or under -q its bytes, each reply ending a line
 * (unless --hex: a dump ends its lines).
 */
static void say_reply(struct conn *c, size_t got, double rtt)
{
	struct sockx *sx = c->sx;

	EMIT(sx, conn_reply, .bytes = (long long)got, .rtt_ms = rtt,
	     .data = EV_BYTES(c->buf, got), .sp = c->hex && got ? "" : " ");
	if (got && !c->hex && c->buf[got - 1] != '\n' &&
	    event_shows(sx, EV_SAY | EV_RAWQ) && !event_shows(sx, EV_SAY))
		putchar('\n');	/* -q: the bytes alone, and the line's end */
}

/* Bytes after the last reply: a line each, or --hex's dump. */
static void say_received(struct conn *c, size_t got)
{
	char *dump = NULL;
	size_t len = 0;
	FILE *m;

	if (c->hex && event_shows(c->sx, EV_SAY)) {	/* the dump, without a line above it */
		m = open_memstream(&dump, &len);
		if (m) {
			hexdump(m, c->buf, got);
			fclose(m);
		}
	}
	EMIT(c->sx, conn_received, .bytes = (long long)got, .data = EV_BYTES(c->buf, got),
	     .dump = dump);
	free(dump);
}

/* One message out, its reply back; returns an exit code. */
static int exchange(struct conn *c, const struct conn_msg *m)
{
	struct sockx *sx = c->sx;
	struct conn_xfer x = { 0 };
	size_t len = m->len;
	double t = now_mono(), rtt;
	int rc;

	c->ops->send(c, m, &x);
	if (x.send_err) {
		errno = x.why;
		return fail_errno(sx, "send");
	}
	if (sig_stopped() && x.sent < len)	/* not all sent: no reply due */
		return EXIT_OK;
	if (x.why == ETIMEDOUT)
		return fail(sx, EXIT_FAIL, "send stalled: %zu of %zu bytes sent, then the peer took"
			    " none for %.1f s (-w)", x.sent, len, c->idle_ms / 1000.0);
	c->st.sent++;
	say_sent(c, m);
	x.real = x.got;
	if (!x.why && (c->messages ? !x.got : x.got < len))
		x.got += c->ops->recv(c, c->buf + x.got, (c->messages ? c->recv_size : len) - x.got,
				      len - x.got, c->messages, &x);
	rtt = (now_mono() - t) * 1000.0;
	if (x.got == len) {
		c->st.replies++;
		c->st.sum += rtt;
		c->st.min = c->st.replies == 1 || rtt < c->st.min ? rtt : c->st.min;
		c->st.max = rtt > c->st.max ? rtt : c->st.max;
	}
	if (x.got || c->messages)	/* a message may be empty */
		say_reply(c, x.got, rtt);
	rc = check_stdout(sx, c->lazy);
	if (rc != EXIT_OK)
		return rc;
	if (x.real > x.got)		/* never passed off as whole */
		return fail(sx, EXIT_FAIL, "the reply was cut to %zu of its %zu bytes"
			    " (MSG_TRUNC; --recv-size %zu)", x.got, x.real, c->recv_size);
	if (x.why == ETIMEDOUT) {
		EMIT_AT(sx, end_level(c, false), conn_timeout);
		return fail(sx, EXIT_FAIL, "no complete reply: %zu of %zu bytes after %.1f s of silence",
			    x.got, len, c->idle_ms / 1000.0);
	}
	if (x.why == ENOTCONN)
		return fail(sx, EXIT_FAIL, "connection closed by peer after %zu of %zu reply bytes",
			    x.got, len);
	if (x.why && x.why != EINTR) {	/* EINTR: stopped by a signal, the reply lost */
		errno = x.why;
		return fail_errno(sx, "recv");
	}
	return EXIT_OK;
}

/*
 * Half-closes, then reads and shows all the peer still sends until it
 * closes too; after -w of silence it says that it stopped (exit 1).
 */
static int close_gracefully(struct conn *c)
{
	struct sockx *sx = c->sx;
	struct conn_xfer x;
	size_t got, total = 0;
	int rc;

	if (sock_shutdown(sx, c->fd, SHUT_WR) == 0)
		EMIT_AT(sx, end_level(c, true), conn_shutdown);
	for (;;) {
		x = (struct conn_xfer){ 0 };
		got = c->ops->recv(c, c->buf, c->cap, 1, false, &x);
		if (!got)
			break;
		say_received(c, got);
		total += got;
		rc = check_stdout(sx, false);
		if (rc != EXIT_OK)
			return rc;
	}
	if (x.why == ENOTCONN) {
		EMIT_AT(sx, end_level(c, false), conn_eof);
		return EXIT_OK;
	}
	if (x.why == EINTR)	/* stopped by a signal: every reply came */
		return EXIT_OK;
	if (x.why == ETIMEDOUT)
		return fail(sx, EXIT_FAIL, "stopped reading: the peer did not close within %.1f s"
			    " of silence (%zu bytes came after our shutdown)", c->idle_ms / 1000.0, total);
	errno = x.why;
	return fail_errno(sx, "recv after %zu bytes", total);
}

int conn_run(struct conn *c, const struct conn_msg *msgs, int n,
	     unsigned long count, int interval_ms)
{
	struct sockx *sx = c->sx;
	unsigned long r;
	int i, rc = EXIT_OK;

	for (i = 0; i < n; i++)
		if (msgs[i].len > c->cap)
			c->cap = msgs[i].len;
	c->buf = malloc(c->cap ? c->cap : 1);
	if (!c->buf)
		return fail(sx, EXIT_FAIL, "out of memory");
	for (r = 0; r < count && rc == EXIT_OK && !sig_stopped(); r++) {
		if (r && interval_ms)
			sleep_ms(interval_ms);
		for (i = 0; i < n && rc == EXIT_OK && !sig_stopped(); i++)
			rc = exchange(c, &msgs[i]);
	}
	fflush(stdout);
	if (rc == EXIT_OK && !sig_stopped() && c->half_close)
		rc = close_gracefully(c);
	if (sig_stopped()) {	/* as at the end: the summary, 1 if a reply is missing */
		trace(sx, 1, "stopped by %s", strsignal(sig_stopped()));
		if (rc == EXIT_OK && c->st.replies < c->st.sent)
			rc = fail(sx, EXIT_FAIL, "stopped by %s: %lu of %lu replies missing",
				  strsignal(sig_stopped()), c->st.sent - c->st.replies, c->st.sent);
	}
	if (rc == EXIT_OK || !event_shows(sx, EV_JSON))	/* only the summary follows an error */
		EMIT_AT(sx, end_level(c, false), conn_closed);
	free(c->buf);
	c->buf = NULL;
	return rc;
}

void conn_summary(struct conn *c)
{
	const struct conn_stats *st = &c->st;

	EMIT(c->sx, conn_summary, .sent = (long long)st->sent, .replies = (long long)st->replies,
	     .rtt_min_ms = st->min, .rtt_avg_ms = st->replies ? st->sum / (double)st->replies : 0,
	     .rtt_max_ms = st->max);
}
