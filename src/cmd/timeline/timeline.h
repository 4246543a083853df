/* \summary: sockx timeline: reading saved runs back (parse.c) and redrawing them (replay.c) */
#ifndef SOCKX_CMD_TIMELINE_H
#define SOCKX_CMD_TIMELINE_H

#include <stdio.h>

#include <jansson.h>

#include "../cmd.h"
#include "../../core/timeline.h"

#define LINE_MAX_BYTES (1 << 20)	/* a saved line longer than this is not ours */
#define MS_MAX 1e9			/* |t_ms| beyond ~11.6 days: not a run */
#define COUNT_MAX (1LL << 53)		/* seq, len, counts: exact in a double */

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

enum saved_kind { SK_CALL, SK_ENTER, SK_RETURN, SK_PACKET, SK_FOLD, SK_XFER };

/* An error about the input, naming the file and line: returns EXIT_USAGE. */
int rp_bad(struct replay *rp, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The next line into rp->buf: its length, -1 at the end, -2 too long, -3 a read error. */
long rp_read_line(struct replay *rp);
/* src (len bytes) into dst, cut to fit at a UTF-8 character's start. */
void rp_copy_str(char *dst, size_t cap, const char *src, size_t len);
/* An integer field in [lo, hi]; *out dflt when missing and not needed. */
int rp_get_int(struct replay *rp, json_t *o, const char *key, bool need,
	 long long lo, long long hi, long long dflt, long long *out);
/* A "timeline" event into h. Returns EXIT_OK or the error's code. */
int rp_parse_head(struct replay *rp, json_t *o, struct tl_head *h);
/* A "timeline_row" event into r (times: s since sx->t0, from start). */
int rp_parse_row(struct replay *rp, json_t *o, double start,
	   struct tl_row *r, enum saved_kind *k);

#endif
