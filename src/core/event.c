/* \summary: the event table, and its renderers: human text and JSON */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "text.h"

/*
 * Each kind's fields: a function per kind whose block-scope typedef lets
 * F() name the kind's struct for offsetof.
 */
#define F(t, n) {#n, FT_##t, offsetof(ev_this, n)},
#define EVENT(id, name, level, human, fields)                          \
	static const struct ev_field *fields_##id(size_t *n)           \
	{                                                              \
		typedef struct ev_##id ev_this __attribute__((unused)); \
		static const struct ev_field f[] = { fields {0} };     \
		*n = sizeof(f) / sizeof(f[0]) - 1;                     \
		return f;                                              \
	}
#include "events/all.def"
#undef EVENT
#undef F

static struct ev_kind kinds[EV_KINDS];

#define F(t, n)
#define EVENT(id_, name_, level_, human_, flds)                         \
	kinds[EV_##id_] = (struct ev_kind){ .id = #id_, .name = name_, \
		.level = level_, .human = human_ };                    \
	kinds[EV_##id_].fields = fields_##id_(&kinds[EV_##id_].nfields);
static void kinds_init(void)
{
#include "events/all.def"
}
#undef EVENT
#undef F

const struct ev_kind *ev_kind(enum ev_kind_id id)
{
	if (!kinds[0].name)
		kinds_init();
	return (unsigned)id < EV_KINDS ? &kinds[id] : NULL;
}

/* The field f of the event struct at ev, read as type (a const copy). */
#define AT(ev, f, type) (*(type const *)(const void *)((const char *)(ev) + (f)->off))

/* Is the field set (the template's {?field:...}; JSON leaves out unset _OPTs)? */
static bool is_set(const struct ev_field *f, const void *ev)
{
	const char *s;

	switch (f->type) {
	case FT_INT: case FT_INT_OPT:
		return AT(ev, f, long long) != EV_NONE;
	case FT_NUM: case FT_NUM_OPT:
		return !isnan(AT(ev, f, double));
	case FT_STR: case FT_STR_OPT: case FT_TEXT:
		s = AT(ev, f, char *);
		return s && *s;
	case FT_BOOL:
		return AT(ev, f, bool);
	case FT_BOOL_OPT: case FT_BOOL_NULL:
		return AT(ev, f, int) > 0;
	case FT_DATA: case FT_DATA_OPT:
		return AT(ev, f, struct ev_bytes).p != NULL;
	}
	return false;
}

/* event_batch: events written, stdout flushed once at the batch's end. */
static int batching;

void event_batch(bool on)
{
	batching += on ? 1 : -1;
	if (!batching)
		fflush(stdout);
}

/* ------------------------------------------------------------ JSON */

static void json_event(const struct sockx *sx, const struct ev_kind *k,
		       const void *ev)
{
	const struct ev_field *f;
	struct ev_bytes b;
	const char *s;
	size_t len;
	int bo;

	flockfile(stdout);
	fputs("{\"event\":", stdout);
	json_write_str(stdout, k->name, strlen(k->name));
	fprintf(stdout, ",\"t\":%.6f", sx_elapsed(sx));
	for (f = k->fields; f->name; f++) {
		if (f->type == FT_TEXT)
			continue;
		if ((f->type == FT_INT_OPT || f->type == FT_NUM_OPT ||
		     f->type == FT_STR_OPT || f->type == FT_DATA_OPT) && !is_set(f, ev))
			continue;
		if (f->type == FT_BOOL_OPT && AT(ev, f, int) < 0)
			continue;
		putc_unlocked(',', stdout);
		len = strlen(f->name);	/* errno_: "errno" (a C macro) */
		json_write_str(stdout, f->name, len - (f->name[len - 1] == '_'));
		putc_unlocked(':', stdout);
		switch (f->type) {
		case FT_INT: case FT_INT_OPT:
			if (AT(ev, f, long long) == EV_NONE)
				fputs("null", stdout);
			else
				fprintf(stdout, "%lld", AT(ev, f, long long));
			break;
		case FT_NUM: case FT_NUM_OPT:
			json_write_num(stdout, AT(ev, f, double));
			break;
		case FT_STR: case FT_STR_OPT:
			s = AT(ev, f, char *);
			if (s)
				json_write_str(stdout, s, strlen(s));
			else
				fputs("null", stdout);
			break;
		case FT_BOOL:
			fputs(AT(ev, f, bool) ? "true" : "false", stdout);
			break;
		case FT_BOOL_OPT: case FT_BOOL_NULL:
			bo = AT(ev, f, int);
			fputs(bo < 0 ? "null" : bo ? "true" : "false", stdout);
			break;
		case FT_DATA: case FT_DATA_OPT:
			b = AT(ev, f, struct ev_bytes);
			if (b.p)
				json_write_str(stdout, b.p, b.n);
			else
				fputs("null", stdout);
			break;
		case FT_TEXT:
			break;
		}
	}
	fputs("}\n", stdout);
	if (!batching)
		fflush(stdout);
	funlockfile(stdout);
}

/* ------------------------------------------------------------ human */

static const struct ev_field *field_named(const struct ev_kind *k,
					  const char *name, size_t len)
{
	const struct ev_field *f;

	for (f = k->fields; f->name; f++)
		if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

/* The end of the {...} that starts at t[0] (its closing brace), or NULL. */
static const char *closing(const char *t, const char *end)
{
	int depth = 0;

	for (; t < end; t++) {
		if (*t == '{')
			depth++;
		else if (*t == '}' && --depth == 0)
			return t;
	}
	return NULL;
}

/*
 * Is fmt (len bytes) one printf conversion for the field's type: %, flags,
 * width, precision, then "ll" and d, i, u, x or X for an INT, or f, e or
 * g (either case) for a NUM? Nothing else reaches fprintf.
 */
static bool fmt_ok(enum ev_type type, const char *fmt, size_t len)
{
	size_t i = 1;
	bool is_int = type == FT_INT || type == FT_INT_OPT;

	if (len < 2 || fmt[0] != '%' || !(is_int || type == FT_NUM || type == FT_NUM_OPT))
		return false;
	while (i < len && strchr("-+ 0#", fmt[i]))
		i++;
	while (i < len && fmt[i] >= '0' && fmt[i] <= '9')
		i++;
	if (i < len && fmt[i] == '.')
		for (i++; i < len && fmt[i] >= '0' && fmt[i] <= '9'; i++)
			;
	if (is_int)
		return len - i == 3 && fmt[i] == 'l' && fmt[i + 1] == 'l' &&
		       strchr("diuxX", fmt[i + 2]);
	return len - i == 1 && strchr("fFeEgG", fmt[i]);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* A value with the template's own printf conversion (INT or NUM only). */
static void put_fmt(FILE *f, const struct ev_field *fd, const void *ev,
		    const char *fmt, size_t len)
{
	char c[16];

	if (len >= sizeof(c) || !fmt_ok(fd->type, fmt, len))
		return;
	memcpy(c, fmt, len);
	c[len] = '\0';
	if (fd->type == FT_INT || fd->type == FT_INT_OPT)
		fprintf(f, c, AT(ev, fd, long long));
	else if (fd->type == FT_NUM || fd->type == FT_NUM_OPT)
		fprintf(f, c, AT(ev, fd, double));
}
#pragma GCC diagnostic pop

/* Data in a human line: escaped (a final newline ends the line), or a dump. */
static void put_data(const struct sockx *sx, FILE *f, struct ev_bytes b)
{
	const char *p = b.p;

	if (!p)
		return;
	if (sx->hex) {
		putc('\n', f);
		hexdump(f, p, b.n);
	} else if (b.n && p[b.n - 1] == '\n') {
		esc_write(f, p, b.n - 1);
	} else {
		esc_write(f, p, b.n);
	}
}

static void put_value(const struct sockx *sx, FILE *f, const struct ev_field *fd,
		      const void *ev)
{
	const char *s;

	if (!is_set(fd, ev) && fd->type != FT_BOOL && fd->type != FT_BOOL_OPT &&
	    fd->type != FT_BOOL_NULL)
		return;
	switch (fd->type) {
	case FT_INT: case FT_INT_OPT:
		fprintf(f, "%lld", AT(ev, fd, long long));
		break;
	case FT_NUM: case FT_NUM_OPT:
		fprintf(f, "%.3f", AT(ev, fd, double));
		break;
	case FT_STR: case FT_STR_OPT:
		s = AT(ev, fd, char *);
		fputs(s, f);	/* sockx's words, or text escaped already */
		break;
	case FT_TEXT:
		fputs(AT(ev, fd, char *), f);
		break;
	case FT_BOOL:
		fputs(AT(ev, fd, bool) ? "true" : "false", f);
		break;
	case FT_BOOL_OPT: case FT_BOOL_NULL:
		fputs(AT(ev, fd, int) > 0 ? "true" : "false", f);
		break;
	case FT_DATA: case FT_DATA_OPT:
		put_data(sx, f, AT(ev, fd, struct ev_bytes));
		break;
	}
}

static void render(const struct sockx *sx, FILE *f, const struct ev_kind *k,
		   const void *ev, const char *t, const char *end)
{
	const struct ev_field *fd;
	const char *close, *name, *colon;
	bool cond, neg;

	while (t < end) {
		if (*t != '{') {
			putc(*t++, f);
			continue;
		}
		if (t + 1 < end && t[1] == '{') {
			putc('{', f);
			t += 2;
			continue;
		}
		close = closing(t, end);
		if (!close) {	/* a template's mistake: shown as it is */
			fwrite(t, 1, (size_t)(end - t), f);
			return;
		}
		name = t + 1;
		cond = *name == '?' || *name == '!';
		neg = *name == '!';
		name += cond;
		colon = memchr(name, ':', (size_t)(close - name));
		fd = field_named(k, name, (size_t)((colon ? colon : close) - name));
		if (fd && cond) {
			if (colon && is_set(fd, ev) != neg)
				render(sx, f, k, ev, colon + 1, close);
		} else if (fd && colon) {
			put_fmt(f, fd, ev, colon + 1, (size_t)(close - colon - 1));
		} else if (fd) {
			put_value(sx, f, fd, ev);
		} else {
			fwrite(t, 1, (size_t)(close + 1 - t), f);
		}
		t = close + 1;
	}
}

/* template_ok for t..end: each {...} closed, naming a field, as it may. */
static bool check(const struct ev_kind *k, const char *t, const char *end,
		  char *why, size_t n)
{
	const struct ev_field *fd;
	const char *close, *name, *colon;
	bool cond;

	for (; t < end; t++) {
		if (*t == '}') {
			snprintf(why, n, "a '}' that no '{' opened");
			return false;
		}
		if (*t != '{')
			continue;
		if (t + 1 < end && t[1] == '{') {
			t++;
			continue;
		}
		close = closing(t, end);
		if (!close) {
			snprintf(why, n, "a '{' never closed");
			return false;
		}
		name = t + 1;
		cond = *name == '?' || *name == '!';
		name += cond;
		colon = memchr(name, ':', (size_t)(close - name));
		fd = field_named(k, name, (size_t)((colon ? colon : close) - name));
		if (!fd) {
			snprintf(why, n, "{%.*s}: no such field", (int)(close - t - 1), t + 1);
			return false;
		}
		if (cond) {
			if (!colon) {
				snprintf(why, n, "{%.*s}: a condition without ':TEXT'",
					 (int)(close - t - 1), t + 1);
				return false;
			}
			if (!check(k, colon + 1, close, why, n))
				return false;
		} else if (colon && !fmt_ok(fd->type, colon + 1, (size_t)(close - colon - 1))) {
			snprintf(why, n, "{%.*s}: not a printf conversion for a field of its type",
				 (int)(close - t - 1), t + 1);
			return false;
		}
		t = close;
	}
	return true;
}

bool event_template_ok(const struct ev_kind *k, char *why, size_t n)
{
	if (n)
		why[0] = '\0';
	return !k->human || check(k, k->human, k->human + strlen(k->human), why, n);
}

void event_render_human(const struct sockx *sx, FILE *f, enum ev_kind_id id,
			const void *ev)
{
	const struct ev_kind *k = ev_kind(id);

	if (k && k->human)
		render(sx, f, k, ev, k->human, k->human + strlen(k->human));
}

/*
 * One human line (or several) to out, whole: rendered into memory first,
 * so that a line is one write even when processes share the stream.
 */
/*
 * An EV_STREAM line left open on stdout: its data did not end in a
 * newline, so the next piece of the stream continues it. Any other line,
 * or the exit, ends it first.
 */
static bool stdout_open;

static void end_open_line(void)
{
	if (stdout_open) {
		stdout_open = false;
		putc('\n', stdout);
		fflush(stdout);
	}
}

/* Does the event's (first) data end in a newline, or have none at all? */
static bool data_ends_line(const struct ev_kind *k, const void *ev)
{
	const struct ev_field *f;
	struct ev_bytes b;

	for (f = k->fields; f->name; f++)
		if (f->type == FT_DATA || f->type == FT_DATA_OPT) {
			b = AT(ev, f, struct ev_bytes);
			return !b.p || !b.n || ((const char *)b.p)[b.n - 1] == '\n';
		}
	return true;
}

static void human_line(const struct sockx *sx, FILE *out, const struct ev_kind *k,
		       const void *ev, const char *prefix, const char *color)
{
	static bool at_exit;
	char *buf = NULL;
	size_t len = 0;
	bool cont = out == stdout && stdout_open && (k->level & EV_STREAM);
	bool open = out == stdout && (k->level & EV_STREAM) && !sx->hex &&
		    !data_ends_line(k, ev);
	FILE *m;

	if (!cont && out == stdout)
		end_open_line();
	m = open_memstream(&buf, &len);
	if (!m)
		return;
	fputs(color, m);
	fputs(prefix, m);
	render(sx, m, k, ev, cont ? k->human + strcspn(k->human, "{") : k->human,
	       k->human + strlen(k->human));
	if (*color)
		fputs(clr(sx, out == stderr, C_OFF), m);
	if (fclose(m) != 0) {
		free(buf);
		return;
	}
	fwrite(buf, 1, len, out);
	if (open) {
		stdout_open = true;
		if (!at_exit)
			at_exit = atexit(end_open_line) == 0;
	} else if (!len || buf[len - 1] != '\n' || !sx->hex) {
		putc('\n', out);
	}
	if (!batching || out != stdout)
		fflush(out);
	free(buf);
}

/* Under -q, an EV_RAWQ event's data: the bytes as they came, or a dump. */
static void raw_data(const struct sockx *sx, const struct ev_kind *k, const void *ev)
{
	const struct ev_field *f;
	struct ev_bytes b;

	for (f = k->fields; f->name; f++) {
		if (f->type != FT_DATA && f->type != FT_DATA_OPT)
			continue;
		b = AT(ev, f, struct ev_bytes);
		if (!b.p)
			continue;
		if (sx->hex)
			hexdump(stdout, b.p, b.n);
		else
			fwrite(b.p, 1, b.n, stdout);
	}
}

bool event_shows(const struct sockx *sx, unsigned level)
{
	switch (level & EV_LEVEL_MASK) {
	case EV_SAY:
		if (sx->json)
			return true;
		if (sx->quiet)
			return level & (EV_RAWQ | EV_KEEPQ);
		return !(level & EV_DATA) || !sx->data_out || sx->verbose >= 1;
	case EV_V1:
		return sx->verbose >= 1;
	case EV_V2:
		return sx->verbose >= 2;
	case EV_JSON:
		return sx->json;
	default:
		return true;
	}
}

void event_emit_at(struct sockx *sx, enum ev_kind_id id, unsigned level,
		   const void *ev)
{
	const struct ev_kind *k = ev_kind(id);
	char prefix[64];

	if (!k || !event_shows(sx, level))
		return;
	switch (level & EV_LEVEL_MASK) {
	case EV_SAY:
		if (sx->json)
			json_event(sx, k, ev);
		else if (sx->quiet && !(level & EV_KEEPQ))
			raw_data(sx, k, ev);
		else if ((level & EV_DATA) && sx->data_out)
			human_line(sx, stderr, k, ev, "", clr(sx, true, C_DIM));
		else if (k->human)
			human_line(sx, (level & EV_ASIDE) && sx->data_out ? stderr : stdout,
				   k, ev, "", "");
		break;
	case EV_V1:
	case EV_V2:
		if (sx->json)
			json_event(sx, k, ev);
		else if (k->human)
			human_line(sx, stderr, k, ev, "", clr(sx, true, C_DIM));
		break;
	case EV_NOTICE:
		if (sx->json) {
			json_event(sx, k, ev);
			break;
		}
		__attribute__((fallthrough));	/* a warning's line */
	case EV_ERROR:
	case EV_WARN:
		if (sx->cmd && strcmp(sx->cmd, "sockx") != 0)
			snprintf(prefix, sizeof(prefix), "sockx: %s: ", sx->cmd);
		else
			snprintf(prefix, sizeof(prefix), "sockx: ");
		human_line(sx, stderr, k, ev, prefix,
			   clr(sx, true, (level & EV_LEVEL_MASK) == EV_ERROR ? C_RED : C_YELLOW));
		if (sx->json && (level & EV_LEVEL_MASK) == EV_ERROR)
			json_event(sx, k, ev);
		break;
	case EV_HINT:
		human_line(sx, stderr, k, ev, "", "");
		break;
	case EV_JSON:
		json_event(sx, k, ev);
		break;
	}
}

void event_emit(struct sockx *sx, enum ev_kind_id id, const void *ev)
{
	const struct ev_kind *k = ev_kind(id);

	if (k)
		event_emit_at(sx, id, k->level, ev);
}
