/* \summary: the timeline's ladder: each settled item as a line of three columns, and as JSON */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "text.h"
#include "tl_draw.h"

#define CALL_W 54	/* this process's column, its bracket marks included */
#define WIRE_W 44	/* the wire's column */
#define DATA_W 24	/* a call's bytes, shown after its result */

const char *tl_flags(uint8_t flags, char *buf, size_t len)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ TL_SYN, "SYN" }, { TL_FIN, "FIN" }, { TL_RST, "RST" },
		{ TL_PSH, "PSH" }, { TL_ACK, "ACK" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && n < len; i++)
		if (flags & names[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      names[i].name);
	return buf;
}

const char *tl_packet_label(const struct tl_row *r, char *buf, size_t len)
{
	char f[48];
	size_t n = 0;

	if (r->conn)	/* a server's: whose connection, by the client's port */
		n = (size_t)snprintf(buf, len, ":%u ", r->conn);
	if (n >= len)
		return buf;
	if (strcmp(r->proto, "TCP") != 0) {
		snprintf(buf + n, len - n, "%s", r->label);
		return buf;
	}
	snprintf(buf + n, len - n, "%s", tl_flags(r->flags, f, sizeof(f)));
	n = strlen(buf);
	if (r->len > 0 && n < len)
		snprintf(buf + n, len - n, " %lld:%lld (%lld)", r->seq, r->seq + r->len,
			 r->len);
	return buf;
}

/* 8190 as "8,190". */
static const char *grouped(long long v, char *buf, size_t len)
{
	char d[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(d, sizeof(d), "%lld", v < 0 ? 0 : v);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
	return buf;
}

static const char *size_of(long long b, char *buf, size_t len)
{
	if (b >= 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)b / (1024.0 * 1024.0));
	else if (b >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(buf, len, "%lld bytes", b);
	return buf;
}

const char *tl_fold_label(const struct tl_item *it, char *buf, size_t len)
{
	char p[32], c[32], s[32];
	const struct tl_row *r = &it->row;
	size_t n = (size_t)snprintf(buf, len, "...");

	if (r->packets && n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s packets,", grouped(r->packets, p, sizeof(p)));
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s,", size_of(r->bytes, s, sizeof(s)));
	if (r->calls && n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s calls,", grouped(r->calls, c, sizeof(c)));
	if (n < len)
		snprintf(buf + n - 1, len - n + 1, " in %.1f ms ...", it->t_end_ms - it->t_ms);
	return buf;
}

/* Is code point c drawn two columns wide (CJK, Hangul, fullwidth forms)? */
static bool wide(unsigned c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
	       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

/* The code point at *p (valid UTF-8: text was escaped); *p moves past it. */
static unsigned next_cp(const unsigned char **p)
{
	int more = **p >= 0xF0 ? 3 : **p >= 0xE0 ? 2 : **p >= 0xC0 ? 1 : 0;
	unsigned c = more ? **p & (0x3Fu >> more) : **p;

	for ((*p)++; more && (**p & 0xC0) == 0x80; more--)
		c = (c << 6) | (*(*p)++ & 0x3Fu);
	return c;
}

/* Columns a line takes on a terminal. */
static int width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p)
		w += wide(next_cp(&p)) ? 2 : 1;
	return w;
}

/* s (cap bytes) cut to w columns, its last one "…", when it is wider. */
static void cut(char *s, size_t cap, int w)
{
	const unsigned char *p = (const unsigned char *)s, *q;
	int cols = 0, cw;
	size_t at;

	if (width(s) <= w)
		return;
	while (*p) {
		q = p;
		cw = wide(next_cp(&q)) ? 2 : 1;
		if (cols + cw > w - 1)
			break;
		cols += cw;
		p = q;
	}
	at = (size_t)(p - (const unsigned char *)s);
	snprintf(s + at, cap - at, "…");
}

/* s, coloured (code NULL: not), padded with spaces to w characters. */
static void put(FILE *f, const struct sockx *sx, const char *code, const char *s, int w)
{
	int n = width(s);

	if (code && sx->timeline->color && *s)
		fprintf(f, "%s%s%s", clr(sx, false, code), s, clr(sx, false, C_OFF));
	else
		fputs(s, f);
	fprintf(f, "%*s", n < w ? w - n : 0, "");
}

/* "= 3", "= -1 ECONNREFUSED". */
static const char *result(const struct tl_row *r, char *buf, size_t len)
{
	if (r->ret < 0 && r->err[0])
		snprintf(buf, len, "= -1 %s", r->err);
	else
		snprintf(buf, len, "= %ld", r->ret);
	return buf;
}

/* A call that failed, not one that asks again (EAGAIN) or goes on (EINPROGRESS). */
static bool failed(const struct tl_row *r)
{
	static const char *const not_errors[] = { "EAGAIN", "EWOULDBLOCK", "EINPROGRESS", "EINTR" };
	size_t i;

	if (r->ret >= 0 || !r->err[0])
		return false;
	for (i = 0; i < ARRAY_SIZE(not_errors); i++)
		if (strcmp(r->err, not_errors[i]) == 0)
			return false;
	return true;
}

static bool is_call(enum tl_what w)
{
	return w == TLW_CALL || w == TLW_ENTER || w == TLW_RETURN;
}

/* ": 你好,服务器!": the first bytes a call moved, escaped, cut at DATA_W columns. */
static const char *moved(const struct tl_row *r, char *buf, size_t len)
{
	char e[4 * TL_DATA + 16];
	size_t n;

	buf[0] = '\0';
	if (!r->data_n || r->ret <= 0)
		return buf;
	n = esc_buf(e, sizeof(e) - 4, r->data, r->data_n, false);
	if ((long)r->data_n < r->ret || n < r->data_n)	/* more than kept: say so */
		snprintf(e + strlen(e), sizeof(e) - strlen(e), "…");
	cut(e, sizeof(e), DATA_W);
	snprintf(buf, len, ": %s", e);
	return buf;
}

/* A call's text: "name(args) = ret: data", its entry "name(args)", or its return "= ret: data". */
static const char *call_text(const struct tl_item *it, char *buf, size_t len)
{
	char a[200], res[48], d[4 * TL_DATA + 16];

	esc_buf(a, sizeof(a), it->row.args, strlen(it->row.args), false);
	moved(&it->row, d, sizeof(d));
	if (it->what == TLW_RETURN)
		snprintf(buf, len, "%s%s", result(&it->row, res, sizeof(res)), d);
	else if (it->what == TLW_ENTER)
		snprintf(buf, len, "%s(%s)", it->row.name, a);
	else
		snprintf(buf, len, "%s(%s) %s%s", it->row.name, a, result(&it->row, res, sizeof(res)), d);
	return buf;
}

/* This process's column: its calls, and its open bracket's mark. */
static void self_col(FILE *m, const struct sockx *sx, const struct tl_item *it)
{
	char t[400];
	bool mine = is_call(it->what) && it->row.side == TL_SELF;
	const char *code = mine && failed(&it->row) ? C_RED : NULL;

	if (!mine) {
		put(m, sx, NULL, "", CALL_W - 3);
		fputs(it->open[TL_SELF] ? "  │" : "   ", m);
		return;
	}
	call_text(it, t, sizeof(t));
	/* a bracket's mark and the peer's column stay in line: cut the call */
	if (it->what != TLW_CALL || it->open[TL_PEER])
		cut(t, sizeof(t), CALL_W - 4);
	if (it->what == TLW_RETURN)
		fprintf(m, "%*s", width(t) < CALL_W - 3 ? CALL_W - 3 - width(t) : 0, "");
	put(m, sx, code, t, it->what == TLW_RETURN ? 0 : CALL_W - 3);
	fputs(it->what == TLW_ENTER ? " ─┐" : it->what == TLW_RETURN ? " ─┘" :
	      it->open[TL_SELF] ? "  │" : "   ", m);
}

/* The wire's column: a packet's arrow, a transfer, a fold. */
static void wire_col(FILE *m, const struct sockx *sx, const struct tl_item *it)
{
	char l[160], t[200];
	bool out = it->row.side == TL_SELF;
	const char *code = out ? C_GREEN : C_YELLOW;

	switch (it->what) {
	case TLW_PACKET:
		tl_packet_label(&it->row, l, sizeof(l));
		if (it->row.flags & TL_RST)
			code = C_RED;
		if (out)
			snprintf(t, sizeof(t), "  %-*s──────────▶", WIRE_W - 15, l);
		else
			snprintf(t, sizeof(t), "  ◀──────────  %s", l);
		break;
	case TLW_XFER:
		snprintf(t, sizeof(t), out ? "  %lld bytes, copied by the kernel ──▶" :
			 "  ◀── %lld bytes, copied by the kernel", it->row.len);
		break;
	case TLW_FOLD:
		snprintf(t, sizeof(t), "  %s", tl_fold_label(it, l, sizeof(l)));
		code = C_DIM;
		break;
	default:
		t[0] = '\0';
	}
	put(m, sx, code, t, WIRE_W);
}

/* The peer's column: its calls (tour, the unix demo), its bracket's line. */
static void peer_col(FILE *m, const struct sockx *sx, const struct tl_item *it)
{
	char t[400];
	bool theirs = is_call(it->what) && it->row.side == TL_PEER;

	if (!theirs) {
		fputs(it->open[TL_PEER] ? "│" : "", m);
		return;
	}
	call_text(it, t, sizeof(t));
	fputs(it->what == TLW_ENTER ? "┌─ " : it->what == TLW_RETURN ? "└─ " :
	      it->open[TL_PEER] ? "│  " : "", m);
	put(m, sx, failed(&it->row) ? C_RED : NULL, t, 0);
}

static const char *kind_name(enum tl_what w)
{
	static const char *const names[] = {
		[TLW_CALL] = "call", [TLW_ENTER] = "enter", [TLW_RETURN] = "return",
		[TLW_PACKET] = "packet", [TLW_XFER] = "transfer", [TLW_FOLD] = "fold",
	};

	return names[w];
}

/* The item as its event: the line, and the fields that say what it is. */
static void emit_item(struct sockx *sx, const struct tl_item *it, const char *line)
{
	const struct tl_row *r = &it->row;
	bool call = is_call(it->what), pkt = it->what == TLW_PACKET;
	bool tcp = pkt && strcmp(r->proto, "TCP") == 0;
	double sent = it->what == TLW_XFER && !isnan(r->t) ?
		      (r->t - sx->timeline->start) * 1000.0 : EV_NAN;
	char f[48];

	EMIT(sx, timeline_row, .kind = kind_name(it->what),
	     .side = r->side == TL_SELF ? "self" : "peer", .t_ms = it->t_ms,
	     .t_end_ms = call || it->what == TLW_FOLD ? it->t_end_ms : EV_NAN,
	     .sent_ms = sent, .name = call ? r->name : NULL, .args = call ? r->args : NULL,
	     .ret = call ? r->ret : EV_NONE, .errno_ = call && r->err[0] ? r->err : NULL,
	     .proto = pkt || it->what == TLW_XFER ? r->proto : NULL,
	     .flags = tcp ? tl_flags(r->flags, f, sizeof(f)) : NULL,
	     .seq = tcp ? r->seq : EV_NONE, .end = tcp ? r->seq + r->len : EV_NONE,
	     .len = pkt || it->what == TLW_XFER ? r->len : EV_NONE,
	     .label = pkt && !tcp ? r->label : NULL,
	     .packets = it->what == TLW_FOLD ? r->packets : EV_NONE,
	     .calls = it->what == TLW_FOLD ? r->calls : EV_NONE,
	     .bytes = it->what == TLW_FOLD ? r->bytes : EV_NONE,
	     .conn = pkt && r->conn ? (long long)r->conn : EV_NONE,
	     .data = call && r->data_n && r->ret > 0 ? EV_BYTES(r->data, r->data_n) : EV_BYTES(NULL, 0),
	     .line = line);
}

/* Kept for the renderers of the whole run, up to TIMELINE_MAX. */
static void keep(struct timeline *tl, const struct tl_item *it)
{
	struct tl_item *v;
	size_t cap;

	if (tl->nitems == TIMELINE_MAX) {
		tl->items_dropped++;
		return;
	}
	if (tl->nitems == tl->items_cap) {
		cap = tl->items_cap ? tl->items_cap * 2 : 64;
		v = realloc(tl->items, cap * sizeof(*v));
		if (!v) {
			tl->items_dropped++;
			return;
		}
		tl->items = v;
		tl->items_cap = cap;
	}
	tl->items[tl->nitems++] = *it;
}

const struct tl_item *timeline_items(const struct timeline *tl, size_t *n)
{
	*n = tl ? tl->nitems : 0;
	return tl ? tl->items : NULL;
}

void tl_draw_item(struct sockx *sx, const struct tl_item *it)
{
	struct timeline *tl = sx->timeline;
	char *line = NULL;
	size_t len = 0;
	FILE *m;

	keep(tl, it);
	tl->drawn++;
	if (!tl->print)
		return;
	if (!tl->began)	/* the head comes with the first row */
		tl_draw_head(sx);
	m = open_memstream(&line, &len);
	if (!m)
		return;
	fprintf(m, "%10.3f  ", it->t_ms);
	self_col(m, sx, it);
	wire_col(m, sx, it);
	peer_col(m, sx, it);
	fclose(m);
	while (len && line[len - 1] == ' ')	/* empty columns: not in the line */
		line[--len] = '\0';
	emit_item(sx, it, line);
	free(line);
}

/* The head's second line: where the packets come from, or why none. */
static void wire_line(FILE *m, const struct timeline *tl)
{
	if (tl->wire)
		fprintf(m, "wire: captured on %s with %s timestamps; clocks aligned within "
			"%.2f us (the best of %d samples)\n", tl->iface,
			tl->precision[0] ? tl->precision : "?", tl->gap_us, tl->samples);
	else if (tl->af_unix)
		fprintf(m, "wire: none: %s\n", tl->why);
	else
		fprintf(m, "wire: not drawn: %s\n", tl->why[0] ? tl->why : "no capture");
}

void tl_draw_head(struct sockx *sx)
{
	struct timeline *tl = sx->timeline;
	char *buf = NULL, self[96], wire[64];
	size_t len = 0;
	FILE *m;

	tl->began = true;
	m = open_memstream(&buf, &len);
	if (!m)
		return;
	fprintf(m, "timeline of %s: its system calls and %s, in ms since it started\n",
		tl->command, tl->af_unix ? "the bytes the kernel copied" :
		"the packets it sent and received");
	wire_line(m, tl);
	snprintf(self, sizeof(self), "%s", tl->self);
	snprintf(wire, sizeof(wire), "wire: %s", tl->wire ? tl->iface : tl->af_unix ? "none (AF_UNIX)" : "(not drawn)");
	fprintf(m, "%10s  ", "t ms");
	put(m, sx, NULL, self, CALL_W);
	put(m, sx, NULL, wire, WIRE_W);
	fprintf(m, "%s", tl->peer);
	fclose(m);
	EMIT(sx, timeline, .command = tl->command, .self = tl->self, .peer = tl->peer,
	     .iface = tl->iface[0] ? tl->iface : NULL, .wire = tl->wire, .af_unix = tl->af_unix,
	     .why = tl->wire ? NULL : (tl->why[0] ? tl->why : "no capture"),
	     .precision = tl->wire ? tl->precision : NULL,
	     .clock_gap_us = tl->iface[0] ? tl->gap_us : EV_NAN,
	     .clock_samples = tl->iface[0] ? tl->samples : EV_NONE,
	     .t0 = sx->t0 + tl->start, .head = buf);
	free(buf);
}

void tl_draw_end(struct sockx *sx)
{
	struct timeline *tl = sx->timeline;
	char note[200] = "";

	if (!tl->print)
		return;
	if (!tl->began)
		tl_draw_head(sx);
	if (tl->wire_dropped)
		snprintf(note, sizeof(note), "note: libpcap dropped %zu packets (the capture "
			 "ring overflowed): the wire column lacks them", tl->wire_dropped);
	else if (tl->dropped)
		snprintf(note, sizeof(note), "note: %zu events were not kept (the timeline "
			 "keeps %d waiting to be drawn; a packet the capture handed over after "
			 "later rows were drawn is counted, not drawn)", tl->dropped, TIMELINE_MAX);
	EMIT_AT(sx, note[0] ? EV_SAY : EV_JSON, timeline_end, .items = (long long)tl->drawn,
		.folds = (long long)tl->folds, .dropped = (long long)tl->dropped,
		.not_kept = (long long)tl->items_dropped,
		.capture_dropped = (long long)tl->wire_dropped, .note = note);
}
