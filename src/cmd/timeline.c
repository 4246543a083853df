/*
 * \summary: timeline: redraw the timelines a --json --timeline run saved,
 * read back through the same model and renderers as a live run
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "../core/timeline.h"

#define LINE_MAX_BYTES (1 << 20)	/* a saved line longer than this is not ours */
#define MS_MAX 1e9			/* |t_ms| beyond ~11.6 days: not a run */
#define COUNT_MAX (1LL << 53)		/* seq, len, counts: exact in a double */

enum { O_SVG = OPT_LONG };

static const struct optdef opts[] = {
	{ "svg", O_SVG, "OUT", "write one timeline (the first, or the one --select picks) as an SVG to OUT, and draw nothing else", "@file" },
	{ "select", 'n', "N", "only the Nth timeline of the file (1 is the first; default: every one)", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_timeline = {
	"[FILE | -] [-n N] [--svg OUT]",
	"Redraws the timelines that 'sockx --json COMMAND --timeline' printed.\n"
	"FILE (standard input when it is - or not given) holds JSON event lines:\n"
	"each \"timeline\" event begins a timeline, its \"timeline_row\" events are\n"
	"read back through the model and renderer of a live run, \"timeline_end\"\n"
	"ends it, and every other event is skipped. Each timeline is drawn as a\n"
	"text ladder, one after another (the live run's lines; --color as for\n"
	"a live run); --json re-emits the timeline events; --svg writes one\n"
	"timeline as an SVG.\n"
	"The input is checked, not trusted: a line longer than 1 MiB, a line that\n"
	"is not a JSON object, or a field of the wrong type or out of range is an\n"
	"error naming the line (exit 2); a file that cannot be read or holds no\n"
	"timeline (or not the Nth) exits 1.",
	opts,
};

struct timeline_opts {
	const char *file, *svg;
	unsigned long select;	/* 0: every timeline */
};

/* The reading of one file: where it is, and which timeline is open. */
struct replay {
	struct sockx *sx;
	const struct timeline_opts *o;
	const char *name;	/* for messages: the file, or "stdin" */
	FILE *f;
	char *buf;		/* one line, LINE_MAX_BYTES + 1 */
	unsigned long line;
	unsigned long seen;	/* timeline heads met */
	bool open;		/* inside a timeline (its head met, not its end) */
	bool drawing;		/* ... and it is drawn (sx->timeline is set) */
	double last_t;		/* the latest row added (s since sx->t0) */
	double entered[2][8];	/* per side, the returns of the last entries */
	unsigned nentered[2];
	bool done;		/* the selected timeline was drawn: stop */
};

/* The head of a saved timeline: what timeline_new and the wire take. */
struct tl_head {
	char command[32], self[48], peer[80];
	char iface[32], why[200], precision[4];
	bool wire, af_unix;
	double gap_us;
	long long samples;
	double t0;		/* CLOCK_MONOTONIC s of t_ms 0, or NaN */
};

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct timeline_opts *o = ctx;
	int rc;

	switch (key) {
	case O_SVG: o->svg = arg; return EXIT_OK;
	case 'n':
		rc = opt_num(sx, "--select", arg, 1, 1000000, &o->select);
		return rc;
	default: return EXIT_USAGE;
	}
}

/*
 * A bad line of input: "FILE:LINE: what". Input text in what is escaped
 * by the caller (esc_str): a saved file may hold anything.
 */
static int bad(struct replay *rp, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int bad(struct replay *rp, const char *fmt, ...)
{
	char what[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fail(rp->sx, EXIT_USAGE, "%s:%lu: %s", rp->name, rp->line, what);
}

/*
 * Reads one line (without its newline) into rp->buf, NUL-terminated.
 * Returns its length, -1 at the end, -2 when longer than LINE_MAX_BYTES
 * (what is read stops there: the cap bounds memory, not the file), -3
 * on a read error (errno set).
 */
static long read_line(struct replay *rp)
{
	size_t n = 0;
	int c;

	for (;;) {
		c = getc_unlocked(rp->f);
		if (c == EOF || c == '\n')
			break;
		if (n == LINE_MAX_BYTES)
			return -2;
		rp->buf[n++] = (char)c;
	}
	if (c == EOF && ferror(rp->f))
		return -3;
	if (c == EOF && n == 0)
		return -1;
	rp->buf[n] = '\0';
	return (long)n;
}

/*
 * A string copied into a fixed array: cut to fit (cap - 1 bytes) at a
 * UTF-8 character's start, so a cut never leaves half a character.
 */
static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	if (n < len)
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Whether s holds a byte that moves the cursor or forges a line: C0, DEL,
 * or C1 (U+0080-U+009F: C2 80-9F). jansson has checked it is UTF-8. A
 * live run's strings never do (sock_trace escapes peer bytes), so they
 * are kept as they are, byte for byte, and the redrawn lines stay equal.
 */
static bool needs_escape(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f))
			return true;
	return false;
}

/*
 * A field of o: missing (or null, as --json writes an unset string) is
 * *v NULL; need makes that an error. Returns EXIT_OK or the error's code.
 */
static int field(struct replay *rp, json_t *o, const char *key, bool need,
		 json_t **v)
{
	*v = json_object_get(o, key);
	if (json_is_null(*v))
		*v = NULL;
	if (!*v && need)
		return bad(rp, "field '%s' is missing", key);
	return EXIT_OK;
}

/*
 * A string field into dst (cap bytes), escaped when it holds control
 * bytes; "" when missing and not needed.
 */
static int get_str(struct replay *rp, json_t *o, const char *key, bool need,
		   char *dst, size_t cap)
{
	char esc[512];		/* the longest field (why) escaped, and more */
	const char *src;
	size_t len;
	json_t *v;
	int rc = field(rp, o, key, need, &v);

	dst[0] = '\0';
	if (rc != EXIT_OK || !v)
		return rc;
	if (!json_is_string(v))
		return bad(rp, "field '%s' is not a string", key);
	src = json_string_value(v);
	len = json_string_length(v);
	/* a call's args are escaped by the ladder itself (tl_draw.c): not twice */
	if (strcmp(key, "args") != 0 && needs_escape((const unsigned char *)src, len)) {
		src = esc_str(src, len, esc, sizeof(esc));
		len = strlen(src);
	}
	copy_str(dst, cap, src, len);
	return EXIT_OK;
}

/* A number field in [lo, hi]; *out NaN when missing and not needed. */
static int get_num(struct replay *rp, json_t *o, const char *key, bool need,
		   double lo, double hi, double *out)
{
	json_t *v;
	int rc = field(rp, o, key, need, &v);

	*out = (double)NAN;
	if (rc != EXIT_OK || !v)
		return rc;
	if (!json_is_number(v))
		return bad(rp, "field '%s' is not a number", key);
	*out = json_number_value(v);
	if (!(*out >= lo && *out <= hi))	/* NaN too, should one come */
		return bad(rp, "field '%s' is out of range", key);
	return EXIT_OK;
}

/* An integer field in [lo, hi]; *out dflt when missing and not needed. */
static int get_int(struct replay *rp, json_t *o, const char *key, bool need,
		   long long lo, long long hi, long long dflt, long long *out)
{
	json_t *v;
	int rc = field(rp, o, key, need, &v);

	*out = dflt;
	if (rc != EXIT_OK || !v)
		return rc;
	if (!json_is_integer(v))
		return bad(rp, "field '%s' is not an integer", key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return bad(rp, "field '%s' is out of range", key);
	return EXIT_OK;
}

/* A boolean field; false when missing and not needed. */
static int get_bool(struct replay *rp, json_t *o, const char *key, bool need,
		    bool *out)
{
	json_t *v;
	int rc = field(rp, o, key, need, &v);

	*out = false;
	if (rc != EXIT_OK || !v)
		return rc;
	if (!json_is_boolean(v))
		return bad(rp, "field '%s' is not true or false", key);
	*out = json_is_true(v);
	return EXIT_OK;
}

/* "SYN,ACK" back to TL_* bits; the flags the model has no bit for are let go. */
static int parse_flags(struct replay *rp, const char *s, uint8_t *out)
{
	static const struct { const char *name; uint8_t bit; } names[] = {
		{ "FIN", TL_FIN }, { "SYN", TL_SYN }, { "RST", TL_RST },
		{ "PSH", TL_PSH }, { "ACK", TL_ACK }, { "URG", 0 },
		{ "ECE", 0 }, { "CWR", 0 },
	};
	char esc[64];
	size_t i, len;

	*out = 0;
	while (*s) {
		len = strcspn(s, ",");
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (len == 3 && strncmp(s, names[i].name, 3) == 0)
				break;
		if (i == ARRAY_SIZE(names))
			return bad(rp, "field 'flags': unknown TCP flag '%s'",
				   esc_str(s, len, esc, sizeof(esc)));
		*out |= names[i].bit;
		s += len;
		if (*s == ',' && *++s == '\0')
			return bad(rp, "field 'flags' ends with a comma");
	}
	return EXIT_OK;
}

/* A "timeline" event into h. Returns EXIT_OK or the error's code. */
static int parse_head(struct replay *rp, json_t *o, struct tl_head *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	rc = get_str(rp, o, "command", true, h->command, sizeof(h->command));
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "self", false, h->self, sizeof(h->self));
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "peer", false, h->peer, sizeof(h->peer));
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "iface", false, h->iface, sizeof(h->iface));
	if (rc == EXIT_OK)
		rc = get_bool(rp, o, "wire", true, &h->wire);
	if (rc == EXIT_OK)
		rc = get_bool(rp, o, "af_unix", false, &h->af_unix);
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "why", false, h->why, sizeof(h->why));
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "precision", false, h->precision, sizeof(h->precision));
	if (rc == EXIT_OK)
		rc = get_num(rp, o, "clock_gap_us", false, 0, 1e12, &h->gap_us);
	if (rc == EXIT_OK)
		rc = get_int(rp, o, "clock_samples", false, 0, INT_MAX, 0, &h->samples);
	if (rc == EXIT_OK)
		rc = get_num(rp, o, "t0", false, 0, 1e9, &h->t0);
	return rc;
}

/*
 * The kinds of a saved row, and what the model takes back: a blocking
 * call's "return" and an AF_UNIX "transfer" are left out, as the model
 * draws them again from the call and the packets; but a return whose
 * entry a fold counted is all that is left of its call (on_row).
 */
enum saved_kind { SK_CALL, SK_ENTER, SK_RETURN, SK_PACKET, SK_FOLD, SK_XFER };

static int parse_kind(struct replay *rp, json_t *o, enum saved_kind *k)
{
	static const struct { const char *name; enum saved_kind k; } kinds[] = {
		{ "call", SK_CALL }, { "enter", SK_ENTER }, { "packet", SK_PACKET },
		{ "fold", SK_FOLD }, { "return", SK_RETURN }, { "transfer", SK_XFER },
	};
	char s[16], esc[64];
	size_t i;
	int rc = get_str(rp, o, "kind", true, s, sizeof(s));

	if (rc != EXIT_OK)
		return rc;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(s, kinds[i].name) == 0) {
			*k = kinds[i].k;
			return EXIT_OK;
		}
	return bad(rp, "field 'kind': unknown kind '%s'",
		   esc_str(s, strlen(s), esc, sizeof(esc)));
}

/* side and the times: t_ms, t_end_ms (NaN when not given), checked. */
static int parse_when(struct replay *rp, json_t *o, struct tl_row *r,
		      double *t_ms, double *t_end_ms)
{
	char side[8];
	int rc = get_str(rp, o, "side", true, side, sizeof(side));

	if (rc != EXIT_OK)
		return rc;
	if (strcmp(side, "self") != 0 && strcmp(side, "peer") != 0)
		return bad(rp, "field 'side' is neither \"self\" nor \"peer\"");
	r->side = side[0] == 's' ? TL_SELF : TL_PEER;
	rc = get_num(rp, o, "t_ms", true, -MS_MAX, MS_MAX, t_ms);
	if (rc == EXIT_OK)
		rc = get_num(rp, o, "t_end_ms", false, -MS_MAX, MS_MAX, t_end_ms);
	if (rc == EXIT_OK && *t_end_ms < *t_ms)
		rc = bad(rp, "field 't_end_ms' is before 't_ms'");
	return rc;
}

/* A call's fields ("call", "enter"). */
static int parse_call(struct replay *rp, json_t *o, struct tl_row *r)
{
	long long ret = 0;
	int rc = get_str(rp, o, "name", true, r->name, sizeof(r->name));

	if (rc == EXIT_OK)
		rc = get_str(rp, o, "args", false, r->args, sizeof(r->args));
	if (rc == EXIT_OK)
		rc = get_int(rp, o, "ret", false, LONG_MIN, LONG_MAX, 0, &ret);
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "errno", false, r->err, sizeof(r->err));
	r->ret = (long)ret;
	return rc;
}

/* A packet's fields; "end" is seq + len, derived again by the model. */
static int parse_packet(struct replay *rp, json_t *o, struct tl_row *r)
{
	char flags[64];
	int rc = get_str(rp, o, "proto", true, r->proto, sizeof(r->proto));

	if (rc == EXIT_OK)
		rc = get_str(rp, o, "flags", false, flags, sizeof(flags));
	if (rc == EXIT_OK)
		rc = parse_flags(rp, flags, &r->flags);
	if (rc == EXIT_OK)
		rc = get_int(rp, o, "seq", false, 0, COUNT_MAX, 0, &r->seq);
	if (rc == EXIT_OK)
		rc = get_int(rp, o, "len", false, 0, COUNT_MAX, 0, &r->len);
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "label", false, r->label, sizeof(r->label));
	return rc;
}

/* A fold's counts. */
static int parse_fold(struct replay *rp, json_t *o, struct tl_row *r)
{
	int rc = get_int(rp, o, "packets", false, 0, COUNT_MAX, 0, &r->packets);

	if (rc == EXIT_OK)
		rc = get_int(rp, o, "calls", false, 0, COUNT_MAX, 0, &r->calls);
	if (rc == EXIT_OK)
		rc = get_int(rp, o, "bytes", false, 0, COUNT_MAX, 0, &r->bytes);
	return rc;
}

/*
 * A "timeline_row" event into r, on the clock of a timeline that started
 * at start (s since sx->t0); *k: its kind.
 */
static int parse_row(struct replay *rp, json_t *o, double start,
		     struct tl_row *r, enum saved_kind *k)
{
	double t_ms, t_end_ms;
	int rc = parse_kind(rp, o, k);

	memset(r, 0, sizeof(*r));
	if (rc == EXIT_OK)
		rc = parse_when(rp, o, r, &t_ms, &t_end_ms);
	if (rc != EXIT_OK || *k == SK_XFER)
		return rc;
	r->t = start + t_ms / 1000.0;
	r->t_end = isnan(t_end_ms) ? (double)NAN : start + t_end_ms / 1000.0;
	switch (*k) {
	case SK_CALL: case SK_ENTER: case SK_RETURN:
		r->kind = TL_CALL;
		if (isnan(t_end_ms) || *k == SK_RETURN) {	/* entry unknown */
			r->t_end = r->t;
			r->t = (double)NAN;
		}
		return parse_call(rp, o, r);
	case SK_PACKET:
		r->kind = TL_PACKET;
		r->t_end = (double)NAN;
		return parse_packet(rp, o, r);
	case SK_FOLD:
		r->kind = TL_FOLD;
		if (isnan(t_end_ms))
			return bad(rp, "field 't_end_ms' is missing");
		return parse_fold(rp, o, r);
	default:
		return EXIT_OK;
	}
}

/* Whether the timeline just met (rp->seen) is drawn. */
static bool selected(const struct replay *rp)
{
	if (rp->o->select)
		return rp->seen == rp->o->select;
	return !rp->o->svg || rp->seen == 1;	/* an SVG holds one */
}

/*
 * A timeline, begun from its head as the live run began it: the columns,
 * then the wire as the head describes it (set as it was, not worked out
 * again: the capture is not here), then the start. Its 0 is put where
 * the saved run's was (t0), so the JSON gives back the run's own clock.
 */
static int begin(struct replay *rp, const struct tl_head *h)
{
	struct timeline *tl = timeline_new(rp->sx, h->command, h->self, h->peer);

	if (!tl)
		return fail(rp->sx, EXIT_FAIL, "out of memory");
	if (h->af_unix)		/* a stream: the head does not say which type */
		timeline_unix(rp->sx, false);
	tl->wire = h->wire;
	copy_str(tl->iface, sizeof(tl->iface), h->iface, strlen(h->iface));
	copy_str(tl->why, sizeof(tl->why), h->why, strlen(h->why));
	copy_str(tl->precision, sizeof(tl->precision), h->precision,
		 strlen(h->precision));
	tl->gap_us = h->gap_us;
	tl->samples = (int)h->samples;
	tl->print = !rp->o->svg;	/* --svg: the file, not the ladder */
	tl->svg = rp->o->svg;
	timeline_start(rp->sx);
	if (!isnan(h->t0)) {
		/* what has settled moves with the start: nothing yet */
		tl->start = h->t0 - rp->sx->t0;
		tl->calls_upto = tl->settled = tl->start;
	}
	rp->last_t = -INFINITY;
	rp->nentered[0] = rp->nentered[1] = 0;
	rp->drawing = true;
	return EXIT_OK;
}

/*
 * The open timeline ends (at its "timeline_end", its dropped: the rows
 * the live run did not keep, said again): drawn to its end, and written
 * as SVG with --svg.
 */
static int end_one(struct replay *rp, long long dropped)
{
	int rc = EXIT_OK;

	if (rp->drawing) {
		rp->sx->timeline->dropped += (size_t)dropped;
		rc = timeline_finish(rp->sx, EXIT_OK);
		rp->drawing = false;
		rp->done = rp->o->select || rp->o->svg;
	}
	rp->open = false;
	return rc;
}

/* A "timeline_end" event: its dropped count, checked. */
static int on_end(struct replay *rp, json_t *o)
{
	long long dropped;
	int rc;

	if (!rp->open)
		return bad(rp, "a \"timeline_end\" event outside a timeline");
	rc = get_int(rp, o, "dropped", false, 0, COUNT_MAX, 0, &dropped);
	return rc == EXIT_OK ? end_one(rp, dropped) : rc;
}

static int on_head(struct replay *rp, json_t *o)
{
	struct tl_head h;
	int rc;

	if (rp->open) {
		warn_msg(rp->sx, "%s:%lu: a timeline began before the last one "
			 "ended: that one is drawn as far as it goes",
			 rp->name, rp->line);
		rc = end_one(rp, 0);
		if (rc != EXIT_OK || rp->done)
			return rc;
	}
	rc = parse_head(rp, o, &h);
	if (rc != EXIT_OK)
		return rc;
	rp->seen++;
	rp->open = true;
	return selected(rp) ? begin(rp, &h) : EXIT_OK;
}

/*
 * A row to the model. The saved rows come in the order they were drawn,
 * so every row before the latest one's time is in: those settle and are
 * drawn now and then, or a run longer than the model's cap (TIMELINE_MAX
 * rows waiting) would lose its end.
 */
static void add_row(struct replay *rp, const struct tl_row *r)
{
	struct timeline *tl = rp->sx->timeline;
	double t = isnan(r->t) ? r->t_end : r->t;

	if (t > rp->last_t) {
		if (tl->n >= TIMELINE_MAX / 2 && rp->last_t > tl->calls_upto) {
			tl->calls_upto = rp->last_t;
			timeline_flush(rp->sx, false);
		}
		rp->last_t = t;
	}
	timeline_add(rp->sx, r);
}

/*
 * Whether a "return" row is the end of an "enter" row read before it
 * (the model draws it again) or all that is left of a call whose entry a
 * fold counted (the call is drawn at its return, its entry unknown). An
 * entry's return time (t_end) is remembered, the last few per side.
 */
static bool entered(struct replay *rp, enum saved_kind k, const struct tl_row *r)
{
	double *v = rp->entered[r->side];
	unsigned i, n = rp->nentered[r->side];

	if (k == SK_ENTER)
		v[rp->nentered[r->side]++ % 8] = r->t_end;
	if (k != SK_RETURN)
		return false;
	for (i = 0; i < n && i < 8; i++)
		if (v[i] == r->t_end) {
			v[i] = (double)NAN;
			return true;
		}
	return false;
}

/* A row: checked whether drawn or not, so every timeline is read alike. */
static int on_row(struct replay *rp, json_t *o)
{
	struct tl_row r;
	enum saved_kind k = SK_XFER;
	int rc;

	if (!rp->open)
		return bad(rp, "a \"timeline_row\" event outside a timeline");
	rc = parse_row(rp, o, rp->drawing ? rp->sx->timeline->start : 0, &r, &k);
	if (rc != EXIT_OK || !rp->drawing || k == SK_XFER || entered(rp, k, &r))
		return rc;
	add_row(rp, &r);
	return EXIT_OK;
}

/* One line: a JSON object with an "event" name; ours are acted on. */
static int one_line(struct replay *rp, size_t len)
{
	json_error_t err;
	json_t *o, *ev;
	const char *name;
	char esc[300];
	int rc = EXIT_OK;

	if (strspn(rp->buf, " \t\r") == len)
		return EXIT_OK;		/* a blank line: nothing */
	o = json_loadb(rp->buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!o)
		return bad(rp, "not valid JSON: %s",
			   esc_str(err.text, strlen(err.text), esc, sizeof(esc)));
	ev = json_object_get(o, "event");
	if (!json_is_object(o))
		rc = bad(rp, "not a JSON object");
	else if (!json_is_string(ev))
		rc = bad(rp, "not an event: no \"event\" name");
	name = rc == EXIT_OK ? json_string_value(ev) : "";
	if (strcmp(name, "timeline") == 0)
		rc = on_head(rp, o);
	else if (strcmp(name, "timeline_row") == 0)
		rc = on_row(rp, o);
	else if (strcmp(name, "timeline_end") == 0)
		rc = on_end(rp, o);
	json_decref(o);
	return rc;
}

/* Every line, until the end or the selected timeline was drawn. */
static int replay_all(struct replay *rp)
{
	long n;
	int rc = EXIT_OK;

	while (rc == EXIT_OK && !rp->done) {
		n = read_line(rp);
		rp->line++;
		if (n == -1)
			break;
		if (n == -2)
			return bad(rp, "a line longer than 1 MiB: not a saved run");
		if (n == -3)
			return fail_errno(rp->sx, "cannot read '%s'", rp->name);
		rc = one_line(rp, (size_t)n);
	}
	if (rc == EXIT_OK && rp->open) {
		warn_msg(rp->sx, "%s: the last timeline has no end: drawn as far as it goes",
			 rp->name);
		rc = end_one(rp, 0);
	}
	if (rc == EXIT_OK && !rp->seen)
		rc = fail(rp->sx, EXIT_FAIL, "%s holds no timeline", rp->name);
	else if (rc == EXIT_OK && rp->o->select > rp->seen)
		rc = fail(rp->sx, EXIT_FAIL, "%s holds %lu timeline%s: no timeline %lu",
			  rp->name, rp->seen, rp->seen == 1 ? "" : "s", rp->o->select);
	if (rc == EXIT_FAIL && !rp->seen)
		hint(rp->sx, "save one with: sockx --json tcp-client HOST PORT -m MSG "
		     "--timeline >FILE");
	return rc;
}

/* The options, checked together; the FILE argument. */
static int check_args(struct sockx *sx, struct timeline_opts *o, int argc,
		      char **argv)
{
	if (argc > 1)
		return fail(sx, EXIT_USAGE, "one FILE at most (got %d)", argc);
	o->file = argc == 1 && strcmp(argv[0], "-") != 0 ? argv[0] : NULL;
	if (o->svg && sx->json)
		return fail(sx, EXIT_USAGE, "cannot use --svg and --json together");
	return EXIT_OK;
}

int cmd_timeline(struct sockx *sx, int argc, char **argv)
{
	struct timeline_opts o = { 0 };
	struct replay rp = { .sx = sx, .o = &o, .name = "stdin", .f = stdin };
	int first, rc;

	rc = opt_parse(sx, &info_timeline, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	rc = check_args(sx, &o, argc - first, argv + first);
	if (rc != EXIT_OK)
		return rc;
	if (o.file) {
		rp.name = o.file;
		rp.f = fopen(o.file, "r");
		if (!rp.f)
			return fail_errno(sx, "cannot open '%s'", o.file);
	}
	rp.buf = malloc(LINE_MAX_BYTES + 1);
	if (!rp.buf)
		rc = fail(sx, EXIT_FAIL, "out of memory");
	if (rc == EXIT_OK)
		rc = replay_all(&rp);
	if (sx->timeline)		/* an error inside a timeline */
		timeline_free(sx);
	if (rp.f != stdin)
		fclose(rp.f);
	free(rp.buf);
	return rc;
}
