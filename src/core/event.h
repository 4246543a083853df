/* \summary: the event layer: every output of sockx is an event of a kind in one table */
#ifndef SOCKX_EVENT_H
#define SOCKX_EVENT_H

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../sockx.h"

/*
 * A command says what happened by emitting an event; it never prints:
 *
 *	EMIT(sx, sent, .bytes = n, .data = EV_BYTES(p, n));
 *
 * The kinds are in src/core/events/ *.def, one line each:
 *
 *	EVENT(id, "json name", level, "human template", F(TYPE, field) ...)
 *
 * and each becomes a struct ev_ID of its fields (so a wrong name or type
 * fails the build), a row of the table the renderers read (field names,
 * types and order; the template; the level), and a section of
 * docs/json.md (tests/json-schema.bats holds the two equal). The renderers
 * decide, in one place (event.c), what -q, -v, --json, --hex and colour
 * make of an event.
 *
 * Field types, and what JSON makes of them:
 *   INT   long long: an integer          INT_OPT   left out when EV_NONE
 *   NUM   double: fixed-point, NaN null  NUM_OPT   left out when NaN (EV_NAN)
 *   STR   const char *: NULL is null     STR_OPT   left out when NULL
 *   BOOL  bool                           BOOL_OPT  int: left out when < 0
 *   BOOL_NULL  int: > 0 true, 0 false, < 0 null (not known)
 *   DATA  struct ev_bytes: peer bytes    DATA_OPT  left out when .p is NULL
 *   TEXT  const char *: the human line only, never in JSON
 *
 * Levels: where the human line goes, and when an event shows at all.
 *   EV_SAY    stdout; nothing under -q (but see EV_RAWQ)
 *   EV_V1     stderr with -v; under --json a JSON event with -v
 *   EV_V2     the same with -vv
 *   EV_ERROR  stderr always ("sockx: CMD: ..."), and JSON under --json
 *   EV_WARN   stderr always ("sockx: CMD: ..."), never JSON
 *   EV_HINT   stderr always ("hint: ..."), never JSON
 *   EV_NOTICE stderr as EV_WARN in text; under --json the JSON event alone
 *   EV_JSON   JSON only: no human line
 * Flags, or'ed into the level:
 *   EV_RAWQ   under -q, its DATA is written raw (or as --hex's dump): the
 *             data stream of the command, byte-exact
 *   EV_DATA   an EV_SAY event that -v moves to stderr when stdout carries
 *             the data (netcat mode: sx->data_out)
 *   EV_ASIDE  an EV_SAY event whose line goes to stderr (without -v) when
 *             stdout carries the data: a server's status in --mode stdio
 *   EV_KEEPQ  an EV_SAY event whose line shows under -q too (the port a
 *             script waits for, a result asked for)
 *   EV_STREAM its data is a piece of a stream: when it does not end in a
 *             newline the line stays open, and the next EV_STREAM event
 *             continues it (without the template's text before its first
 *             field); any other line, or the exit, ends it
 *
 * Human templates: text with {field} (a field's value: INT as %lld, NUM
 * as %.3f, STR as it is (sockx's words, or text escaped already), DATA
 * escaped with a final newline as the line's end, or under --hex a dump
 * on the lines below), {field:%FMT} (a printf
 * conversion for an INT or NUM), {?field:TEXT} (TEXT, itself a template,
 * when the field is set: an INT not EV_NONE, a NUM not NaN, a non-empty
 * STR or TEXT, a true BOOL, a DATA with .p), {!field:TEXT} (when it is
 * not set). "{{" is a brace. A template may hold several lines.
 */

struct ev_bytes {
	const void *p;
	size_t n;
};
#define EV_BYTES(ptr, len) ((struct ev_bytes){(ptr), (len)})
#define EV_STRING(s) ((struct ev_bytes){(s), strlen(s)})
#define EV_NONE LLONG_MIN
#define EV_NAN ((double)NAN)

enum ev_level {
	EV_SAY = 1,
	EV_V1,
	EV_V2,
	EV_ERROR,
	EV_WARN,
	EV_HINT,
	EV_JSON,
	EV_NOTICE,
	EV_LEVEL_MASK = 0xff,
	EV_RAWQ = 0x100,
	EV_DATA = 0x200,
	EV_STREAM = 0x400,
	EV_ASIDE = 0x800,
	EV_KEEPQ = 0x1000,
};

enum ev_type {
	FT_INT, FT_INT_OPT, FT_NUM, FT_NUM_OPT, FT_STR, FT_STR_OPT,
	FT_BOOL, FT_BOOL_OPT, FT_BOOL_NULL, FT_DATA, FT_DATA_OPT, FT_TEXT,
};

/* The C type of each field type. */
#define EVC_INT long long
#define EVC_INT_OPT long long
#define EVC_NUM double
#define EVC_NUM_OPT double
#define EVC_STR const char *
#define EVC_STR_OPT const char *
#define EVC_BOOL bool
#define EVC_BOOL_OPT int
#define EVC_BOOL_NULL int
#define EVC_DATA struct ev_bytes
#define EVC_DATA_OPT struct ev_bytes
#define EVC_TEXT const char *

/* The kinds, as EV_id. */
#define F(t, n)
#define EVENT(id, name, level, human, fields) EV_##id,
enum ev_kind_id {
#include "events/all.def"
	EV_KINDS
};
#undef EVENT
#undef F

/* Each kind's fields, as struct ev_id (ev_unused_ keeps empty ones legal). */
#define F(t, n) EVC_##t n;
#define EVENT(id, name, level, human, fields) \
	struct ev_##id { char ev_unused_; fields };
#include "events/all.def"
#undef EVENT
#undef F

struct ev_field {
	const char *name;
	enum ev_type type;
	size_t off;
};

struct ev_kind {
	const char *id;		/* the C name: "summary_ping" */
	const char *name;	/* the JSON name: "summary" */
	unsigned level;		/* enum ev_level, with its flags */
	const char *human;	/* the template, or NULL: no human line */
	const struct ev_field *fields;
	size_t nfields;
};

/* The table: every kind, in the order of the .def files. */
const struct ev_kind *ev_kind(enum ev_kind_id id);

/* Emits one event: the struct of its kind (EMIT builds it). */
void event_emit(struct sockx *sx, enum ev_kind_id id, const void *ev);
/* As event_emit, at level (EV_V1 or EV_V2) instead of the kind's own. */
void event_emit_at(struct sockx *sx, enum ev_kind_id id, unsigned level,
		   const void *ev);

#define EMIT(sx, ...) EMIT_(sx, __VA_ARGS__, )
#define EMIT_(sx, id, ...) \
	event_emit((sx), EV_##id, &(const struct ev_##id){ 0, __VA_ARGS__ })
#define EMIT_AT(sx, level, ...) EMIT_AT_(sx, level, __VA_ARGS__, )
#define EMIT_AT_(sx, level, id, ...) \
	event_emit_at((sx), EV_##id, (level), &(const struct ev_##id){ 0, __VA_ARGS__ })

/*
 * event_batch(true) ... event_batch(false): the events between are
 * written to stdout but flushed once, at the end (the timeline draws the
 * rows a call settled with one write, not one each).
 */
void event_batch(bool on);

/* Would an event of this level show at all (so its fields are worth making)? */
bool event_shows(const struct sockx *sx, unsigned level);

/*
 * Is k's template sound: every {...} closed and naming a field of k, every
 * condition with its ':TEXT', every {field:%FMT} a printf conversion for
 * that field's type (the renderer writes nothing for one that is not)?
 * False, and why in why (n bytes), if not. tests/unit/test_event.c asks
 * it of every kind.
 */
bool event_template_ok(const struct ev_kind *k, char *why, size_t n);

/*
 * Renders an event's human template into f (no final newline added), as
 * the text renderer does: for tests and for renderers of their own.
 */
void event_render_human(const struct sockx *sx, FILE *f, enum ev_kind_id id,
			const void *ev);

#endif
