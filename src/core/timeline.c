/* \summary: the timeline: calls and packets recorded on one clock, drawn as a ladder */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "timeline.h"

/* TCP's control bits, as on the wire (core does not include wire/). */
#define TL_FIN 0x01
#define TL_SYN 0x02
#define TL_RST 0x04
#define TL_PSH 0x08
#define TL_ACK 0x10

#define CALL_W 54	/* the calls' column, in characters */
#define WIRE_W 40	/* the wire's column */

struct timeline *timeline_new(struct sockx *sx, const char *peer)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->gap_us = EV_NAN;
	snprintf(tl->peer, sizeof(tl->peer), "%s", peer ? peer : "");
	sx->timeline = tl;
	return tl;
}

void timeline_free(struct sockx *sx)
{
	if (!sx->timeline)
		return;
	free(sx->timeline->rows);
	free(sx->timeline);
	sx->timeline = NULL;
}

/* A new row, or NULL at the cap (counted) or out of memory. */
static struct tl_row *add(struct timeline *tl)
{
	struct tl_row *v;
	size_t cap;

	if (tl->n == TIMELINE_MAX) {
		tl->dropped++;
		return NULL;
	}
	if (tl->n == tl->cap) {
		cap = tl->cap ? tl->cap * 2 : 64;
		v = realloc(tl->rows, cap * sizeof(*v));
		if (!v) {
			tl->dropped++;
			return NULL;
		}
		tl->rows = v;
		tl->cap = cap;
	}
	memset(&tl->rows[tl->n], 0, sizeof(tl->rows[0]));
	return &tl->rows[tl->n++];
}

/*
 * A non-blocking connect (sock_connect_any) is connect() = EINPROGRESS,
 * poll(), then getsockopt(SO_ERROR) ("connect(..: completed)" in the
 * trace): one connect to the reader, from its entry to the completion.
 */
static bool merge_connect(struct timeline *tl, const char *args, long ret,
			  const char *err, double t_exit)
{
	size_t i;

	if (!strstr(args, ": completed"))
		return false;
	for (i = tl->n; i-- > 0;) {
		struct tl_row *r = &tl->rows[i];

		if (r->kind != TL_CALL)
			continue;
		if (strcmp(r->name, "poll") == 0 && i == tl->n - 1) {
			tl->n--;	/* the wait is the connect's own */
			continue;
		}
		if (strcmp(r->name, "connect") == 0 && r->err &&
		    strcmp(r->err, "EINPROGRESS") == 0) {
			r->t_end = t_exit;
			r->ret = ret;
			r->err = err;
			return true;
		}
		break;
	}
	return false;
}

void timeline_start(struct sockx *sx)
{
	if (sx->timeline)
		sx->timeline->recording = true;
}

void timeline_call(struct sockx *sx, const char *name, const char *args,
		   long ret, const char *err, double t_enter, double t_exit)
{
	struct timeline *tl = sx->timeline;
	struct tl_row *r;

	if (!tl || !tl->recording)
		return;
	if (strcmp(name, "connect") == 0 && merge_connect(tl, args, ret, err, t_exit))
		return;
	r = add(tl);
	if (!r)
		return;
	r->kind = TL_CALL;
	r->t = t_enter;
	r->t_end = t_exit;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->args, sizeof(r->args), "%s", args);
	r->ret = ret;
	r->err = err;
}

void timeline_wire(struct sockx *sx, const char *iface, const char *precision,
		   double gap_us, int samples, bool trusted, const char *why)
{
	struct timeline *tl = sx->timeline;

	if (!tl)
		return;
	snprintf(tl->iface, sizeof(tl->iface), "%s", iface ? iface : "");
	tl->precision = precision;
	tl->gap_us = gap_us;
	tl->samples = samples;
	tl->wire = iface && trusted;
	snprintf(tl->why, sizeof(tl->why), "%s", why ? why : "");
}

void timeline_packet(struct sockx *sx, double t, bool out, uint8_t flags,
		     long long seq, long long len)
{
	struct timeline *tl = sx->timeline;
	struct tl_row *r;

	if (!tl || !tl->wire)
		return;
	r = add(tl);
	if (!r)
		return;
	r->kind = TL_PACKET;
	r->t = t;
	r->t_end = EV_NAN;
	r->out = out;
	r->flags = flags;
	r->seq = seq;
	r->len = len;
}

void timeline_lost(struct sockx *sx, size_t n)
{
	if (sx->timeline)
		sx->timeline->dropped += n;
}

/* ------------------------------------------------------------ drawing */

/* One point of the drawing: a call (whole or its entry), its return, a packet. */
enum tl_item { IT_CALL, IT_ENTER, IT_PACKET, IT_RETURN };

struct item {
	double t;
	enum tl_item what;
	size_t row;
};

static int by_time(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->what != y->what)		/* entries, then packets, then returns */
		return (int)x->what - (int)y->what;
	return x->row < y->row ? -1 : x->row > y->row;
}

static double t_of(const struct tl_row *r)
{
	return isnan(r->t) ? r->t_end : r->t;
}

/* Does a packet lie within the call's time (it blocked on the wire)? */
static bool brackets(const struct timeline *tl, const struct tl_row *c)
{
	size_t i;

	if (isnan(c->t))
		return false;
	for (i = 0; i < tl->n; i++)
		if (tl->rows[i].kind == TL_PACKET && tl->rows[i].t >= c->t &&
		    tl->rows[i].t <= c->t_end)
			return true;
	return false;
}

/* "SYN,ACK", "PSH,ACK 1:18 (17)". */
static const char *packet_label(const struct tl_row *r, char *buf, size_t len)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ TL_SYN, "SYN" }, { TL_FIN, "FIN" }, { TL_RST, "RST" },
		{ TL_PSH, "PSH" }, { TL_ACK, "ACK" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && n < len; i++)
		if (r->flags & names[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      names[i].name);
	if (r->len > 0 && n < len)
		snprintf(buf + n, len - n, " %lld:%lld (%lld)", r->seq, r->seq + r->len,
			 r->len);
	return buf;
}

/* "= 3", "= -1 ECONNREFUSED". */
static const char *result(const struct tl_row *r, char *buf, size_t len)
{
	if (r->ret < 0 && r->err)
		snprintf(buf, len, "= -1 %s", r->err);
	else
		snprintf(buf, len, "= %ld", r->ret);
	return buf;
}

/* s padded with spaces to w characters (s is ASCII; longer: as it is). */
static void pad(FILE *f, const char *s, int w)
{
	int n = (int)strlen(s);

	fprintf(f, "%s%*s", s, n < w ? w - n : 0, "");
}

/* The call column of a line: text, and the bracket's mark when open. */
static void call_col(FILE *f, const char *text, bool right, const char *mark)
{
	char b[300];

	if (right)
		snprintf(b, sizeof(b), "%*s", CALL_W - 3, text);
	else
		snprintf(b, sizeof(b), "%s", text);
	pad(f, b, CALL_W - 3);
	fputs(mark, f);
}

static void wire_col(FILE *f, const struct tl_row *r)
{
	char l[64];

	packet_label(r, l, sizeof(l));
	if (r->out) {
		fputs("  ", f);
		pad(f, l, WIRE_W - 14);
		fputs("──────────▶", f);
	} else {
		fputs("  ◀──────────  ", f);
		fputs(l, f);
	}
}

static void emit_line(struct sockx *sx, const char *kind, double t_ms,
		      double t_end_ms, const struct tl_row *r, const char *line)
{
	char l[64];
	bool pkt = r->kind == TL_PACKET;

	EMIT(sx, timeline_row, .kind = kind, .t_ms = t_ms, .t_end_ms = t_end_ms,
	     .name = pkt ? NULL : r->name, .args = pkt ? NULL : r->args,
	     .ret = pkt ? EV_NONE : r->ret, .errno_ = pkt ? NULL : r->err,
	     .dir = pkt ? (r->out ? "out" : "in") : NULL,
	     .flags = pkt ? packet_label(&(struct tl_row){ .flags = r->flags }, l, sizeof(l)) : NULL,
	     .seq = pkt ? r->seq : EV_NONE, .end = pkt ? r->seq + r->len : EV_NONE,
	     .len = pkt ? r->len : EV_NONE, .line = line);
}

/* The head: what is drawn, the wire's state, the clocks, the columns. */
static void head(struct sockx *sx, const char *command, size_t rows)
{
	struct timeline *tl = sx->timeline;
	char *buf = NULL, wire[160];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	fprintf(m, "timeline of %s: its system calls and the packets of its connection, "
		"in ms since the first\n", command);
	if (tl->wire)
		fprintf(m, "wire: captured on %s with %s timestamps; clocks aligned within "
			"%.2f us (the best of %d samples)\n", tl->iface,
			tl->precision ? tl->precision : "?", tl->gap_us, tl->samples);
	else
		fprintf(m, "wire: not drawn: %s\n", *tl->why ? tl->why : "no capture");
	if (tl->dropped)
		fprintf(m, "note: %zu events were not kept (the timeline keeps %d)\n",
			tl->dropped, TIMELINE_MAX);
	snprintf(wire, sizeof(wire), "wire: %s", tl->wire ? tl->iface : "(none)");
	fprintf(m, "%10s  ", "t ms");
	pad(m, "this process", CALL_W);
	pad(m, wire, WIRE_W);
	fprintf(m, "peer %s", tl->peer);
	fclose(m);
	EMIT(sx, timeline, .command = command, .iface = tl->wire ? tl->iface : NULL,
	     .wire = tl->wire, .why = tl->wire ? NULL : (*tl->why ? tl->why : "no capture"),
	     .precision = tl->wire ? tl->precision : NULL,
	     .clock_gap_us = tl->iface[0] ? tl->gap_us : EV_NAN,
	     .clock_samples = tl->iface[0] ? tl->samples : EV_NONE,
	     .rows = (long long)rows, .dropped = (long long)tl->dropped, .head = buf);
	free(buf);
}

void timeline_render(struct sockx *sx, const char *command)
{
	struct timeline *tl = sx->timeline;
	struct item *it;
	size_t i, n = 0;
	double t0 = INFINITY;
	int open = 0;

	if (!tl)
		return;
	it = calloc(tl->n * 2 + 1, sizeof(*it));
	if (!it)
		return;
	for (i = 0; i < tl->n; i++) {
		struct tl_row *r = &tl->rows[i];

		if (t_of(r) < t0)
			t0 = t_of(r);
		if (r->kind == TL_PACKET) {
			it[n++] = (struct item){ r->t, IT_PACKET, i };
		} else if (brackets(tl, r)) {
			it[n++] = (struct item){ r->t, IT_ENTER, i };
			it[n++] = (struct item){ r->t_end, IT_RETURN, i };
		} else {
			it[n++] = (struct item){ t_of(r), IT_CALL, i };
		}
	}
	qsort(it, n, sizeof(*it), by_time);
	head(sx, command, n);
	for (i = 0; i < n; i++) {
		const struct tl_row *r = &tl->rows[it[i].row];
		double t_ms = (it[i].t - t0) * 1000.0;
		double end_ms = r->kind == TL_CALL ? (r->t_end - t0) * 1000.0 : EV_NAN;
		char *line = NULL, text[256], res[64];
		size_t len = 0;
		FILE *m = open_memstream(&line, &len);

		if (!m)
			break;
		fprintf(m, "%10.3f  ", t_ms);
		switch (it[i].what) {
		case IT_CALL:
			snprintf(text, sizeof(text), "%s(%s) %s", r->name, r->args,
				 result(r, res, sizeof(res)));
			call_col(m, text, false, open ? "  │" : "   ");
			break;
		case IT_ENTER:
			snprintf(text, sizeof(text), "%s(%s)", r->name, r->args);
			call_col(m, text, false, " ─┐");
			open++;
			break;
		case IT_RETURN:
			call_col(m, result(r, res, sizeof(res)), true, " ─┘");
			open--;
			break;
		case IT_PACKET:
			call_col(m, "", false, open ? "  │" : "   ");
			wire_col(m, r);
			break;
		}
		fclose(m);
		/* trailing spaces of an empty wire column: not in the line */
		while (len && line[len - 1] == ' ')
			line[--len] = '\0';
		emit_line(sx, it[i].what == IT_PACKET ? "packet" :
			  it[i].what == IT_RETURN ? "return" : "call",
			  t_ms, it[i].what == IT_PACKET ? EV_NAN : end_ms, r, line);
		free(line);
	}
	free(it);
}
