/* \summary: the timeline as an SVG sequence diagram (--svg FILE), written atomically */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "svg_text.h"
#include "out.h"
#include "text.h"
#include "timeline.h"
#include "tl_draw.h"

/*
 * The drawing. Rows are spaced by order, one pitch per item, not by time:
 * a connect's SYN and SYN,ACK come microseconds apart and would sit on one
 * line on a linear axis, and a fold of seconds would push the rest off the
 * page. So each row prints its own time on the left axis.
 */
#define SVG_W 1000
#define X_TIME 58	/* the times' right edge */
#define X_AXIS 66	/* the time axis */
#define X_SELF 400	/* this process's lifeline */
#define X_WIRE 580	/* the wire's */
#define X_PEER 760	/* the peer's */
#define BAR 4		/* half a call bar's width */
#define Y_HEAD 76	/* where the lifelines start */
#define Y0 100		/* the first row's baseline */
#define PITCH 18
#define DROP 5		/* how far a packet's arrow falls on its way */
/* Columns of 11 px monospace (about 6.6 px each) that fit each text's place. */
#define COLS_SELF 48	/* left of the self lifeline */
#define COLS_PEER 34	/* right of the peer lifeline */
#define COLS_WIRE 52	/* a label between the lifelines */
#define COLS_HEAD 36	/* a column's head ("the server end (the same process)") */
#define COLS_LINE 140	/* a line across the page */

/* Dark enough for a black-and-white print; errors stand apart in red. */
#define INK "#000"
#define INK_DIM "#555"
#define INK_OUT "#1a4a9c"	/* our packets */
#define INK_IN "#0b6330"	/* the peer's */
#define INK_ERR "#c00000"

static int row_y(size_t i)
{
	return Y0 + (int)i * PITCH;
}

static int side_of(const struct tl_row *r)
{
	return r->side == TL_PEER ? 1 : 0;	/* anything else read back: ours */
}

/*
 * A text element: anchor "start", "middle" or "end". A label between the
 * outer lifelines gets a white ground: the wire's dashed line passes
 * behind it, and must not strike it through.
 */
static void text(FILE *f, int x, int y, const char *anchor, const char *ink,
		 const char *raw, size_t cols)
{
	double w;

	if (x > X_SELF && x < X_PEER && strcmp(anchor, "middle") == 0) {
		w = (double)svg_text_body(NULL, raw, cols) * 6.6 + 4;
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"11\" "
			"fill=\"#fff\"/>\n", x - w / 2, y - 9, w);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" fill=\"%s\">",
		x, y, anchor, ink);
	svg_text_body(f, raw, cols);
	fputs("</text>\n", f);
}

/* A fixed-size char field, which a hostile row may not have terminated. */
static int flen(const char *field, size_t size)
{
	return (int)strnlen(field, size);
}
#define FIELD(r, m) flen((r)->m, sizeof((r)->m)), (r)->m

/*
 * Milliseconds as the axis prints them; "?" when not known. In microseconds
 * while 8 columns hold them (the axis's room): a server's clients come
 * seconds after its listen, and their packets microseconds apart must not
 * all read the same.
 */
static const char *ms_str(double ms, char *buf, size_t cap)
{
	if (!isfinite(ms))
		snprintf(buf, cap, "?");
	else if (fabs(ms) >= 1e6)
		snprintf(buf, cap, "%.0f", ms);
	else if (fabs(ms) >= 1e4)
		snprintf(buf, cap, "%.1f", ms);
	else
		snprintf(buf, cap, "%.3f", ms);
	return buf;
}

/* An arrow from (x1,y1) to (x2,y2), its head drawn (no marker: no url()). */
static void arrow(FILE *f, double x1, double y1, double x2, double y2,
		  const char *ink, bool dashed)
{
	double dx = x2 - x1, dy = y2 - y1, len = hypot(dx, dy), ux, uy;

	if (len < 1)
		return;
	ux = dx / len;
	uy = dy / len;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"%s\" stroke-width=\"1.2\"%s/>\n", x1, y1,
		x2 - ux * 6, y2 - uy * 6, ink, dashed ? " stroke-dasharray=\"5 3\"" : "");
	fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n",
		x2, y2, x2 - ux * 9 - uy * 3.5, y2 - uy * 9 + ux * 3.5,
		x2 - ux * 9 + uy * 3.5, y2 - uy * 9 - ux * 3.5, ink);
}

/* A packet: from its sender's lifeline to the other, falling with time. */
static void draw_packet(FILE *f, const struct tl_row *r, int y)
{
	bool in = side_of(r) == 1;
	const char *ink = r->flags & TL_RST ? INK_ERR : in ? INK_IN : INK_OUT;
	double from = in ? X_PEER - BAR : X_SELF + BAR;
	double to = in ? X_SELF + BAR : X_PEER - BAR;
	char label[96];

	arrow(f, from, y + 1, to, y + 1 + DROP, ink, false);
	tl_packet_label(r, label, sizeof(label));	/* the ladder's own words */
	if (!label[0])
		snprintf(label, sizeof(label), "%.*s %lld bytes", FIELD(r, proto), r->len);
	text(f, X_WIRE, y - 1, "middle", ink, label, COLS_WIRE);
}

/* "= 3", or "= -1 ECONNREFUSED"; true when it is an error. */
static bool ret_str(const struct tl_row *r, char *buf, size_t cap)
{
	bool bad = r->ret < 0 || r->err[0];

	if (r->err[0])
		snprintf(buf, cap, "= %ld %.*s", r->ret, FIELD(r, err));
	else
		snprintf(buf, cap, "= %ld", r->ret);
	return bad;
}

/*
 * A call on its side's lifeline: a whole call "send(3, 17 bytes) = 17",
 * a blocking call's entry "connect(3, 127.0.0.1:9999)" (its bar shows
 * the wait), or its return "= 0".
 */
static void draw_call(FILE *f, const struct tl_item *it, int y)
{
	const struct tl_row *r = &it->row;
	bool peer = side_of(r) == 1, bad = false;
	char res[64], line[320];

	if (it->what != TLW_ENTER)
		bad = ret_str(r, res, sizeof(res));
	if (it->what == TLW_RETURN)
		snprintf(line, sizeof(line), "%s", res);
	else
		snprintf(line, sizeof(line), "%.*s(%.*s)%s%s", FIELD(r, name),
			 FIELD(r, args), it->what == TLW_CALL ? " " : "",
			 it->what == TLW_CALL ? res : "");
	if (it->what == TLW_CALL)
		fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"2.5\" fill=\"%s\"/>\n",
			peer ? X_PEER : X_SELF, y - 4, bad ? INK_ERR : INK);
	if (peer)
		text(f, X_PEER + BAR + 4, y, "start", bad ? INK_ERR : INK, line, COLS_PEER);
	else
		text(f, X_SELF - BAR - 4, y, "end", bad ? INK_ERR : INK, line, COLS_SELF);
}

/*
 * The row of the send whose bytes a transfer carried: the last call of
 * the sender's before the transfer, at or before the send's entry
 * (row.t); the row just before when that is not known.
 */
static size_t xfer_start(const struct timeline *tl, const struct tl_item *it, size_t i)
{
	double sent = (it[i].row.t - tl->start) * 1000.0;
	size_t j;

	if (!isfinite(sent) || i == 0)
		return i ? i - 1 : 0;
	for (j = i; j-- > 0;)
		if ((it[j].what == TLW_CALL || it[j].what == TLW_ENTER) &&
		    side_of(&it[j].row) == side_of(&it[i].row) && it[j].t_ms <= sent + 1e-6)
			return j;
	return i - 1;
}

/*
 * AF_UNIX: the bytes a send() put, from its row on the sender's lifeline
 * to the row where a recv() took them (the transfer's own, drawn at the
 * recv's return).
 */
static void draw_xfer(FILE *f, const struct timeline *tl, const struct tl_item *it,
		      size_t i)
{
	const struct tl_row *r = &it[i].row;
	bool in = side_of(r) == 1;
	const char *ink = in ? INK_IN : INK_OUT;
	int y = row_y(i), y1 = row_y(xfer_start(tl, it, i)) - 4;
	char label[96];

	if (y1 > y - DROP)
		y1 = y - DROP;	/* the first row, or a send on the same row */
	arrow(f, in ? X_PEER - BAR : X_SELF + BAR, y1,
	      in ? X_SELF + BAR : X_PEER - BAR, y + 1, ink, true);
	snprintf(label, sizeof(label), "%lld byte%s, copied by the kernel, no packet",
		 r->len, r->len == 1 ? "" : "s");
	text(f, X_WIRE, y - 1, "middle", ink, label, COLS_WIRE);
}

/* A bulk run's middle, counted, in a dashed band across the page. */
static void draw_fold(FILE *f, const struct tl_item *it, int y)
{
	char line[200];

	tl_fold_label(it, line, sizeof(line));	/* the ladder's own words */
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f0f0f0\" "
		"stroke=\"%s\" stroke-dasharray=\"4 3\"/>\n", X_AXIS + 6, y - 12,
		SVG_W - X_AXIS - 16, PITCH - 2, INK_DIM);
	text(f, (X_AXIS + SVG_W) / 2, y, "middle", INK_DIM, line, COLS_LINE);
}

/* One row: its time on the axis, then what it draws. */
static void draw_item(FILE *f, const struct timeline *tl, const struct tl_item *it,
		      size_t i)
{
	int y = row_y(i);
	char ms[32];

	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n",
		X_AXIS - 3, y - 4, X_AXIS, y - 4, INK_DIM);
	text(f, X_TIME, y, "end", INK_DIM, ms_str(it[i].t_ms, ms, sizeof(ms)), 10);
	switch (it[i].what) {
	case TLW_CALL:
	case TLW_ENTER:
	case TLW_RETURN:
		draw_call(f, &it[i], y);
		break;
	case TLW_PACKET:
		draw_packet(f, &it[i].row, y);
		break;
	case TLW_XFER:
		draw_xfer(f, tl, it, i);
		break;
	case TLW_FOLD:
		draw_fold(f, &it[i], y);
		break;
	default:
		break;	/* a kind this renderer does not know: its time only */
	}
}

/*
 * A blocking call's bar, from its entry's row to its return's; from < 0:
 * it entered before the first item kept, open: it had not returned by
 * the last (both drawn dashed: the bar's end is not seen).
 */
static void bar(FILE *f, int side, long from, size_t to, bool open)
{
	int x = (side ? X_PEER : X_SELF) - BAR;
	int y1 = from < 0 ? Y_HEAD : row_y((size_t)from) - 10;
	int y2 = row_y(to) + 4;

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" "
		"stroke=\"%s\"%s/>\n", x, y1, 2 * BAR, y2 - y1, INK,
		from < 0 || open ? " stroke-dasharray=\"3 2\"" : "");
}

/* Every blocking call's bar: an entry pairs with its side's next return. */
static void draw_bars(FILE *f, const struct tl_item *it, size_t n)
{
	long open[2] = { -1, -1 };
	size_t i;
	int s;

	for (i = 0; i < n; i++) {
		s = side_of(&it[i].row);
		if (it[i].what == TLW_ENTER && open[s] >= 0 && i > 0)
			bar(f, s, open[s], i - 1, true);	/* its return was not kept */
		if (it[i].what == TLW_ENTER)
			open[s] = (long)i;
		if (it[i].what == TLW_RETURN) {
			bar(f, s, open[s], i, false);
			open[s] = -1;
		}
	}
	for (s = 0; s < 2; s++)
		if (open[s] >= 0 && n > 0)
			bar(f, s, open[s], n - 1, true);
}

/* What the wire column is: its head, and the line that says more. */
static void wire_text(const struct timeline *tl, char *head, size_t hcap,
		      char *more, size_t mcap)
{
	char gap[64] = "";

	if (tl->af_unix) {
		snprintf(head, hcap, "no wire: AF_UNIX, the kernel copies the bytes");
		snprintf(more, mcap, "AF_UNIX: each dashed arrow is bytes a send() "
			 "put and a recv() took; no packet crosses an interface");
	} else if (tl->wire) {
		snprintf(head, hcap, "wire: %.*s", FIELD(tl, iface));
		if (isfinite(tl->gap_us))
			snprintf(gap, sizeof(gap), "; clocks aligned within %.2f us "
				 "(best of %d samples)", tl->gap_us, tl->samples);
		snprintf(more, mcap, "wire: captured on %.*s, %.*s timestamps%s",
			 FIELD(tl, iface), tl->precision[0] ? flen(tl->precision,
			 sizeof(tl->precision)) : 1, tl->precision[0] ? tl->precision : "?",
			 gap);
	} else {
		snprintf(head, hcap, "wire: not drawn");
		snprintf(more, mcap, "wire: not drawn: %.*s", tl->why[0] ?
			 flen(tl->why, sizeof(tl->why)) : 12, tl->why[0] ? tl->why :
			 "not captured");
	}
}

/* The XML declaration, the root, <title>, <desc> and the white page. */
static void svg_open(FILE *f, const struct timeline *tl, size_t n, int height)
{
	char head[128], more[320], a[32], b[32], line[800];

	wire_text(tl, head, sizeof(head), more, sizeof(more));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"monospace\" font-size=\"11\">\n<title>",
		SVG_W, height, SVG_W, height);
	snprintf(line, sizeof(line), "sockx %.*s: timeline", FIELD(tl, command));
	svg_text_body(f, line, COLS_LINE);
	fputs("</title>\n<desc>", f);
	snprintf(line, sizeof(line), "A sequence diagram of a run of sockx %.*s: "
		 "the system calls of %.*s and of %.*s, and what crossed between "
		 "them, on one time axis; %zu items from %s to %s ms. %s.",
		 FIELD(tl, command), FIELD(tl, self), FIELD(tl, peer), n,
		 ms_str(n ? tl->items[0].t_ms : NAN, a, sizeof(a)),
		 ms_str(n ? tl->items[n - 1].t_ms : NAN, b, sizeof(b)), more);
	svg_text_body(f, line, sizeof(line));
	fprintf(f, "</desc>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
		SVG_W, height);
}

/* A column's head in its box, centred on its lifeline. */
static void head_box(FILE *f, int x, const char *raw)
{
	int w = COLS_HEAD * 7 + 10;

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"#fff\" "
		"stroke=\"%s\"/>\n", x - w / 2, Y_HEAD - 20, w, INK);
	text(f, x, Y_HEAD - 6, "middle", INK, raw, COLS_HEAD);
}

/* The title line, the wire's line, the heads, the time axis, the lifelines. */
static void draw_head(FILE *f, const struct timeline *tl, int bottom)
{
	char head[128], more[320], line[200];

	wire_text(tl, head, sizeof(head), more, sizeof(more));
	/* AF_UNIX has no packets: what crosses is the kernel's copy */
	snprintf(line, sizeof(line), "sockx %.*s: system calls and %s on one time axis",
		 FIELD(tl, command), tl->af_unix ? "the bytes the kernel copied" : "packets");
	fputs("<g font-weight=\"bold\">", f);
	text(f, 8, 16, "start", INK, line, COLS_LINE);
	fputs("</g>\n", f);
	text(f, 8, 32, "start", INK_DIM, more, COLS_LINE);
	text(f, X_WIRE, Y_HEAD - 28, "middle", INK_DIM, head, 60);
	text(f, X_TIME, Y_HEAD - 6, "end", INK, "t ms", 10);
	snprintf(line, sizeof(line), "%.*s", FIELD(tl, self));
	head_box(f, X_SELF, line);
	snprintf(line, sizeof(line), "%.*s", FIELD(tl, peer));
	head_box(f, X_PEER, line);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n",
		X_AXIS, Y_HEAD, X_AXIS, bottom, INK_DIM);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n",
		X_SELF, Y_HEAD, X_SELF, bottom, INK);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n",
		X_PEER, Y_HEAD, X_PEER, bottom, INK);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		"stroke-dasharray=\"%s\"/>\n", X_WIRE, Y_HEAD - 22, X_WIRE, bottom,
		tl->wire ? INK_DIM : "#aaa", tl->wire ? "6 4" : "1 4");
}

/* How to read it, and what was not kept. */
static void draw_foot(FILE *f, const struct timeline *tl, size_t n)
{
	int y = row_y(n) + 14;
	char line[200];

	if (!n) {
		text(f, X_WIRE, row_y(0), "middle", INK_DIM, "nothing was recorded", COLS_LINE);
		y += PITCH;
	}
	text(f, 8, y, "start", INK_DIM, "one row per event, in time order (ms since "
	     "the start, on the left); a bar: a call that blocked; "
	     "red: errors and resets", COLS_LINE);
	if (tl->items_dropped) {
		snprintf(line, sizeof(line), "%zu more items were not kept (the "
			 "timeline keeps %d)", tl->items_dropped, TIMELINE_MAX);
		text(f, 8, y + 16, "start", INK_ERR, line, COLS_LINE);
	}
}

int timeline_svg(const struct timeline *tl, FILE *f)
{
	size_t n = 0, i;
	const struct tl_item *it = timeline_items(tl, &n);
	int bottom = row_y(n) + (n ? 0 : PITCH), height = bottom + 44;

	errno = 0;
	svg_open(f, tl, n, height);
	draw_head(f, tl, bottom);
	draw_bars(f, it, n);
	for (i = 0; i < n; i++)
		draw_item(f, tl, it, i);
	draw_foot(f, tl, n);
	fputs("</svg>\n", f);
	if (fflush(f) == EOF || ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* afile's fill: the drawing. */
static int fill_svg(FILE *f, void *ctx)
{
	return timeline_svg(ctx, f);
}

/*
 * --svg FILE, written as --pcap writes (core/afile.c): a regular file or
 * a new name replaced whole through a temporary beside it, so a reader
 * never sees half a drawing; a FIFO or a character device written
 * directly; anything else refused; "-" is standard output.
 */
int timeline_svg_file(struct sockx *sx, const char *path)
{
	static const struct timeline none = { .command = "" };
	const struct timeline *tl = sx->timeline ? sx->timeline : &none;
	const char *why = NULL;

	if (afile_write(path, fill_svg, (void *)tl, &why) < 0) {
		if (why)
			return fail(sx, errno == ENXIO ? EXIT_FAIL : errno_exit(errno, false),
				    "cannot write '%s': %s", path, why);
		return fail_errno(sx, "cannot write '%s'", path);
	}
	trace(sx, 1, "timeline: wrote %zu items as SVG to %s", tl->nitems, path);
	return EXIT_OK;
}
