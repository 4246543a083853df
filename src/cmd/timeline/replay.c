/*
 * \summary: timeline: redraw the timelines a --json --timeline run saved,
 * read back through the same model and renderers as a live run
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

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
	/* --svg: the file, not the ladder */
	struct timeline *tl = timeline_new(rp->sx, h->command, h->self, h->peer,
					    !rp->o->svg, rp->o->svg);

	if (!tl)
		return fail(rp->sx, EXIT_FAIL, "out of memory");
	if (h->af_unix)		/* a stream: the head does not say which type */
		timeline_unix(rp->sx, false);
	tl->wire = h->wire;
	rp_copy_str(tl->iface, sizeof(tl->iface), h->iface, strlen(h->iface));
	rp_copy_str(tl->why, sizeof(tl->why), h->why, strlen(h->why));
	rp_copy_str(tl->precision, sizeof(tl->precision), h->precision,
		 strlen(h->precision));
	tl->gap_us = h->gap_us;
	tl->samples = (int)h->samples;
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
		return rp_bad(rp, "a \"timeline_end\" event outside a timeline");
	rc = rp_get_int(rp, o, "dropped", false, 0, COUNT_MAX, 0, &dropped);
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
	rc = rp_parse_head(rp, o, &h);
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
		return rp_bad(rp, "a \"timeline_row\" event outside a timeline");
	rc = rp_parse_row(rp, o, rp->drawing ? rp->sx->timeline->start : 0, &r, &k);
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
		return rp_bad(rp, "not valid JSON: %s",
			   esc_str(err.text, strlen(err.text), esc, sizeof(esc)));
	ev = json_object_get(o, "event");
	if (!json_is_object(o))
		rc = rp_bad(rp, "not a JSON object");
	else if (!json_is_string(ev))
		rc = rp_bad(rp, "not an event: no \"event\" name");
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
		n = rp_read_line(rp);
		rp->line++;
		if (n == -1)
			break;
		if (n == -2)
			return rp_bad(rp, "a line longer than 1 MiB: not a saved run");
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
