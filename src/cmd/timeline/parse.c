/*
 * \summary: sockx timeline's reading: one saved JSON line at a time, each
 * field checked for type and range before it reaches the model
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

int rp_bad(struct replay *rp, const char *fmt, ...)
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
long rp_read_line(struct replay *rp)
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
void rp_copy_str(char *dst, size_t cap, const char *src, size_t len)
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
		return rp_bad(rp, "field '%s' is missing", key);
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
		return rp_bad(rp, "field '%s' is not a string", key);
	src = json_string_value(v);
	len = json_string_length(v);
	/* a call's args are escaped by the ladder itself (tl_draw.c): not twice */
	if (strcmp(key, "args") != 0 && needs_escape((const unsigned char *)src, len)) {
		src = esc_str(src, len, esc, sizeof(esc));
		len = strlen(src);
	}
	rp_copy_str(dst, cap, src, len);
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
		return rp_bad(rp, "field '%s' is not a number", key);
	*out = json_number_value(v);
	if (!(*out >= lo && *out <= hi))	/* NaN too, should one come */
		return rp_bad(rp, "field '%s' is out of range", key);
	return EXIT_OK;
}

/* An integer field in [lo, hi]; *out dflt when missing and not needed. */
int rp_get_int(struct replay *rp, json_t *o, const char *key, bool need,
		   long long lo, long long hi, long long dflt, long long *out)
{
	json_t *v;
	int rc = field(rp, o, key, need, &v);

	*out = dflt;
	if (rc != EXIT_OK || !v)
		return rc;
	if (!json_is_integer(v))
		return rp_bad(rp, "field '%s' is not an integer", key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return rp_bad(rp, "field '%s' is out of range", key);
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
		return rp_bad(rp, "field '%s' is not true or false", key);
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
			return rp_bad(rp, "field 'flags': unknown TCP flag '%s'",
				   esc_str(s, len, esc, sizeof(esc)));
		*out |= names[i].bit;
		s += len;
		if (*s == ',' && *++s == '\0')
			return rp_bad(rp, "field 'flags' ends with a comma");
	}
	return EXIT_OK;
}

/* A "timeline" event into h. Returns EXIT_OK or the error's code. */
int rp_parse_head(struct replay *rp, json_t *o, struct tl_head *h)
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
		rc = rp_get_int(rp, o, "clock_samples", false, 0, INT_MAX, 0, &h->samples);
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
	return rp_bad(rp, "field 'kind': unknown kind '%s'",
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
		return rp_bad(rp, "field 'side' is neither \"self\" nor \"peer\"");
	r->side = side[0] == 's' ? TL_SELF : TL_PEER;
	rc = get_num(rp, o, "t_ms", true, -MS_MAX, MS_MAX, t_ms);
	if (rc == EXIT_OK)
		rc = get_num(rp, o, "t_end_ms", false, -MS_MAX, MS_MAX, t_end_ms);
	if (rc == EXIT_OK && *t_end_ms < *t_ms)
		rc = rp_bad(rp, "field 't_end_ms' is before 't_ms'");
	return rc;
}

/* "data": the bytes a call moved, as saved (JSON text: invalid UTF-8 was U+FFFD). */
static int get_data(struct replay *rp, json_t *o, struct tl_row *r)
{
	json_t *v = json_object_get(o, "data");
	size_t n;

	r->data_n = 0;
	if (!v || json_is_null(v))
		return EXIT_OK;
	if (!json_is_string(v))
		return rp_bad(rp, "\"data\" is not a string");
	n = json_string_length(v);
	r->data_n = (unsigned)(n < TL_DATA ? n : TL_DATA);
	memcpy(r->data, json_string_value(v), r->data_n);
	return EXIT_OK;
}

/* A call's fields ("call", "enter"). */
static int parse_call(struct replay *rp, json_t *o, struct tl_row *r)
{
	long long ret = 0;
	int rc = get_str(rp, o, "name", true, r->name, sizeof(r->name));

	if (rc == EXIT_OK)
		rc = get_str(rp, o, "args", false, r->args, sizeof(r->args));
	if (rc == EXIT_OK)
		rc = rp_get_int(rp, o, "ret", false, LONG_MIN, LONG_MAX, 0, &ret);
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "errno", false, r->err, sizeof(r->err));
	if (rc == EXIT_OK)
		rc = get_data(rp, o, r);
	r->ret = (long)ret;
	return rc;
}

/* A packet's fields; "end" is seq + len, derived again by the model. */
static int parse_packet(struct replay *rp, json_t *o, struct tl_row *r)
{
	long long conn = 0;
	char flags[64];
	int rc = get_str(rp, o, "proto", true, r->proto, sizeof(r->proto));

	if (rc == EXIT_OK)
		rc = get_str(rp, o, "flags", false, flags, sizeof(flags));
	if (rc == EXIT_OK)
		rc = parse_flags(rp, flags, &r->flags);
	if (rc == EXIT_OK)
		rc = rp_get_int(rp, o, "seq", false, 0, COUNT_MAX, 0, &r->seq);
	if (rc == EXIT_OK)
		rc = rp_get_int(rp, o, "len", false, 0, COUNT_MAX, 0, &r->len);
	if (rc == EXIT_OK)
		rc = get_str(rp, o, "label", false, r->label, sizeof(r->label));
	if (rc == EXIT_OK)
		rc = rp_get_int(rp, o, "conn", false, 0, 65535, 0, &conn);
	r->conn = (unsigned)conn;
	return rc;
}

/* A fold's counts. */
static int parse_fold(struct replay *rp, json_t *o, struct tl_row *r)
{
	int rc = rp_get_int(rp, o, "packets", false, 0, COUNT_MAX, 0, &r->packets);

	if (rc == EXIT_OK)
		rc = rp_get_int(rp, o, "calls", false, 0, COUNT_MAX, 0, &r->calls);
	if (rc == EXIT_OK)
		rc = rp_get_int(rp, o, "bytes", false, 0, COUNT_MAX, 0, &r->bytes);
	return rc;
}

/*
 * A "timeline_row" event into r, on the clock of a timeline that started
 * at start (s since sx->t0); *k: its kind.
 */
int rp_parse_row(struct replay *rp, json_t *o, double start,
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
			return rp_bad(rp, "field 't_end_ms' is missing");
		return parse_fold(rp, o, r);
	default:
		return EXIT_OK;
	}
}
