/*
 * \summary: tour: a real exchange for every family x type cell this
 * kernel supports, each through sockx's own server and client commands
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tour.h"

#define DEFAULT_MSG "你好,服务器!"	/* the tutorial's message */
#define MAX_CELLS TOUR_MAX_CELLS

enum { O_ONLY = OPT_LONG, O_NO_VERIFY, O_TIMELINE, O_HTML };

static const struct optdef opts[] = {
	{ "only", O_ONLY, "CELL", "run only these cells (repeatable, or a comma list)",
	  ",tcp4 tcp6 udp4 udp6 unix-stream unix-dgram unix-seqpacket icmp4 icmp6 sctp4" },
	{ "message", 'm', "MSG", "the message to send (default: the tutorial's 你好,服务器!)", NULL },
	{ "no-verify", O_NO_VERIFY, NULL, "do not capture with libpcap, even where it is possible", NULL },
	{ "timeline", O_TIMELINE, NULL, "after each cell's line, its exchange: the client's calls, the wire, the server's calls", NULL },
	{ "html", O_HTML, "FILE", "write the tour as one self-contained HTML report, a diagram per cell", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_tour = {
	"[--only CELL]... [-m MSG] [--no-verify] [--timeline] [--html FILE] [--json]",
	"For every family x type cell, a real exchange on loopback: a server and\n"
	"a client of this binary, each in a child process, the message sent and\n"
	"its upper-cased echo checked (for ICMP, the kernel's echo reply), and\n"
	"where the traffic crosses an interface, the capture that proves it.\n"
	"Cells: tcp4 tcp6 udp4 udp6 unix-stream unix-dgram unix-seqpacket icmp4\n"
	"icmp6 sctp4. One line per cell (CALLS: socket calls traced in the client\n"
	"+ the server; BYTES: sent/received by the client), then a summary.\n"
	"Cells that cannot run here (no privilege, no kernel support, a command\n"
	"not in this binary) are listed with the reason and the verdict\n"
	"no-privilege, unsupported or not-built. Exit 0 when every runnable cell\n"
	"passed; 1 if one failed, 3 if a capture disagreed; when no cell could\n"
	"run, 4 if the first needed CAP_NET_RAW, else 5 (unsupported, not built).\n"
	"--timeline draws, after each cell's line, its exchange on one time axis:\n"
	"the client's calls on the left, the packets in the middle (captured\n"
	"when the client can: CAP_NET_RAW, a client with --timeline), the\n"
	"server's calls on the right (a non-blocking socket's EAGAIN left out).\n"
	"--html FILE writes the whole tour (the kernel, every cell's verdict and\n"
	"its diagram as SVG) as one HTML file that needs nothing else to open;\n"
	"a regular file is replaced atomically. A failed write: exit 1.",
	opts,
};

struct tour_args {
	struct tour_opts o;
	bool only[MAX_CELLS];
	bool any_only;
};

static int add_only(struct sockx *sx, struct tour_args *a, const char *arg)
{
	char list[256], *rest = list, *tok;
	const struct tour_cell *c;

	if (snprintf(list, sizeof(list), "%s", arg) >= (int)sizeof(list))
		return fail(sx, EXIT_USAGE, "--only: list too long");
	while ((tok = strsep(&rest, ",")) != NULL) {
		c = *tok ? tour_cell_find(tok) : NULL;
		if (!c) {
			fail(sx, EXIT_USAGE, "unknown cell '%s'", tok);
			hint(sx, "cells: %s", opts[0].values + 1);	/* after the list's "," */
			return EXIT_USAGE;
		}
		a->only[c - tour_cells] = true;
		a->any_only = true;
	}
	return EXIT_OK;
}

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct tour_args *a = ctx;

	switch (key) {
	case O_ONLY:
		return add_only(sx, a, arg);
	case 'm':
		if (!*arg || strlen(arg) > TOUR_MSG_MAX)
			return fail(sx, EXIT_USAGE, "-m: the message must have 1 to %d bytes", TOUR_MSG_MAX);
		a->o.msg = arg;
		return EXIT_OK;
	case O_NO_VERIFY:
		a->o.no_verify = true;
		return EXIT_OK;
	case O_TIMELINE:
		a->o.timeline = true;
		return EXIT_OK;
	case O_HTML:
		if (!*arg)
			return fail(sx, EXIT_USAGE, "--html: empty file name");
		a->o.html = arg;
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
}

static const char *verdict_word(enum tour_verdict v)
{
	/* the words of --json, the failures in capitals */
	static const char *const w[] = { "pass", "FAIL", "MISMATCH", "no-privilege",
					 "unsupported", "not-built" };

	return w[v];
}

/* The verdict as --json spells it. */
static const char *verdict_key(enum tour_verdict v)
{
	static const char *const k[] = { "pass", "fail", "mismatch", "no-privilege",
					 "unsupported", "not-built" };

	return k[v];
}

static bool ran(enum tour_verdict v)
{
	return v == V_PASS || v == V_FAIL || v == V_MISMATCH;
}

/* A count, or null (EV_NONE) when it is not known (-1). */
static long long count(long long v)
{
	return v >= 0 ? v : EV_NONE;
}

/* The title and the column heads, above the first row. */
static void head_text(struct sockx *sx, const struct tour_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "tour: \"%s\" (%zu bytes) through each family x type, on loopback\n"
		 "%s%-15s %-24s %7s %11s %7s %9s  %-12s %s%s", o->msg, strlen(o->msg),
		 clr(sx, false, C_BOLD), "CELL", "SOCKET", "CALLS", "BYTES", "PACKETS",
		 "TIME", "VERDICT", "NOTES", clr(sx, false, C_OFF));
}

/* A cell's row of the human table. */
static void row_text(struct sockx *sx, const struct tour_cell *c, const struct tour_result *r,
		     char *buf, size_t len)
{
	const char *col = r->v == V_PASS ? C_GREEN : ran(r->v) ? C_RED : C_YELLOW;
	char sock[48], calls[24] = "-", bytes[32] = "-", pk[16] = "-", tm[24] = "-";

	snprintf(sock, sizeof(sock), "%s %s", family_name(c->family), type_name(c->type));
	if (r->calls_client >= 0) {
		if (r->calls_server >= 0)
			snprintf(calls, sizeof(calls), "%d+%d", r->calls_client, r->calls_server);
		else
			snprintf(calls, sizeof(calls), "%d", r->calls_client);
		snprintf(bytes, sizeof(bytes), "%lld/%lld", r->bytes_out, r->bytes_in);
	}
	if (ran(r->v))
		snprintf(tm, sizeof(tm), "%.1f ms", r->ms);
	if (r->packets >= 0)
		snprintf(pk, sizeof(pk), "%d", r->packets);
	snprintf(buf, len, "%-15s %-24s %7s %11s %7s %9s  %s%-12s%s %s%s%s", c->name, sock, calls,
		 bytes, pk, tm, clr(sx, false, col), verdict_word(r->v), clr(sx, false, C_OFF),
		 r->reason, ran(r->v) ? "; wire: " : "", ran(r->v) ? r->wire : "");
}

/* One cell's event, as soon as it is done (first: with the table's head). */
static void show_cell(struct sockx *sx, const struct tour_opts *o, bool first,
		      const struct tour_cell *c, const struct tour_result *r)
{
	char head[512] = "", row[1024];

	if (first)
		head_text(sx, o, head, sizeof(head));
	row_text(sx, c, r, row, sizeof(row));
	if (!ran(r->v)) {
		EMIT(sx, cell_tour_skipped, .cell = c->name, .what = c->what,
		     .family = family_name(c->family), .type = type_name(c->type),
		     .protocol = proto_name(c->family, c->type, c->proto),
		     .verdict = verdict_key(r->v), .ran = false, .reason = r->reason,
		     .time_ms = r->ms, .head = head, .row = row);
		return;
	}
	EMIT(sx, cell_tour, .cell = c->name, .what = c->what,
	     .family = family_name(c->family), .type = type_name(c->type),
	     .protocol = proto_name(c->family, c->type, c->proto),
	     .verdict = verdict_key(r->v), .ran = true, .reason = r->reason,
	     .server = r->scmd[0] ? r->scmd : NULL, .client = r->ccmd[0] ? r->ccmd : NULL,
	     .syscalls_client = count(r->calls_client), .syscalls_server = count(r->calls_server),
	     .syscalls = count(r->calls_client < 0 ? -1 :
			       r->calls_client + (r->calls_server > 0 ? r->calls_server : 0)),
	     .bytes_out = count(r->calls_client < 0 ? -1 : r->bytes_out),
	     .bytes_in = count(r->calls_client < 0 ? -1 : r->bytes_in),
	     .wire = r->wire, .packets = count(r->packets), .time_ms = r->ms,
	     .head = head, .row = row);
}

/* Counts of a run, for the summary and the exit code. */
struct tally {
	int n[V_NOTBUILT + 1];
	int cells;
	enum tour_verdict first_skip;
};

/*
 * Exit 0 when every cell that could run passed (cells that could not run
 * are reported, not failed); 1 for a failure, 3 for a capture mismatch.
 */
static int exit_code(const struct tally *t)
{
	if (t->n[V_FAIL])
		return EXIT_FAIL;
	if (t->n[V_MISMATCH])
		return EXIT_MISMATCH;
	if (t->n[V_PASS] || t->cells == 0)
		return EXIT_OK;
	/* Nothing could run (say, --only icmp4 unprivileged): say why. */
	return t->first_skip == V_NOPERM ? EXIT_NOPERM : EXIT_UNSUPPORTED;
}

/* The summary's line, for the report (the event's template in words). */
static void summary_text(const struct tally *t, char *buf, size_t len)
{
	snprintf(buf, len, "%d passed, %d failed; %d could not run (%d need CAP_NET_RAW, "
		 "%d not supported by this kernel, %d not built in this binary)",
		 t->n[V_PASS], t->n[V_FAIL] + t->n[V_MISMATCH],
		 t->n[V_NOPERM] + t->n[V_UNSUPPORTED] + t->n[V_NOTBUILT], t->n[V_NOPERM],
		 t->n[V_UNSUPPORTED], t->n[V_NOTBUILT]);
}

static void summary(struct sockx *sx, const struct tally *t, int rc)
{
	char skipped[16];

	snprintf(skipped, sizeof(skipped), "%d",
		 t->n[V_NOPERM] + t->n[V_UNSUPPORTED] + t->n[V_NOTBUILT]);
	EMIT(sx, summary_tour, .cells = t->cells, .passed = t->n[V_PASS],
	     .failed = t->n[V_FAIL] + t->n[V_MISMATCH], .no_privilege = t->n[V_NOPERM],
	     .unsupported = t->n[V_UNSUPPORTED], .not_built = t->n[V_NOTBUILT],
	     .duration = sx_elapsed(sx), .exit = rc, .skipped = skipped);
}

/* One cell: run, its line, its timeline; its result kept for the report. */
static void one_cell(struct sockx *sx, const struct tour_args *a, struct tally *t,
		     const struct tour_cell *c, struct tour_result *r)
{
	tour_run_cell(sx, &a->o, c, r);
	if (!ran(r->v) && t->n[V_NOPERM] + t->n[V_UNSUPPORTED] + t->n[V_NOTBUILT] == 0)
		t->first_skip = r->v;
	t->n[r->v]++;
	t->cells++;
	show_cell(sx, &a->o, t->cells == 1, c, r);
	tour_diagram_draw(sx, &a->o, c, r);
}

/*
 * --html: the report, before the summary (the summary is the last event,
 * and its exit counts a failed write). A failed write is exit 1, unless
 * the tour had failed already.
 */
static int report(struct sockx *sx, const struct tour_args *a, const struct tally *t,
		  struct tour_result *res, int rc)
{
	struct tour_report rep = { .o = &a->o };
	char line[256];
	size_t i;
	int wrc;

	if (!a->o.html)
		return rc;
	summary_text(t, line, sizeof(line));
	rep.summary = line;
	for (i = 0; i < tour_ncells && i < MAX_CELLS; i++) {
		if (a->any_only && !a->only[i])
			continue;
		rep.cells[rep.n] = &tour_cells[i];
		rep.res[rep.n++] = &res[i];
	}
	wrc = tour_html_write(sx, &rep);
	return rc == EXIT_OK ? wrc : rc;
}

int cmd_tour(struct sockx *sx, int argc, char **argv)
{
	struct tour_args a = { .o = { .msg = DEFAULT_MSG } };
	struct tally t = { .first_skip = V_NOTBUILT };
	struct tour_result *res;
	int first, rc;
	size_t i;

	rc = opt_parse(sx, &info_tour, argc, argv, parse_opt, &a, &first);
	if (rc != EXIT_OK)
		return rc;
	if (first < argc)
		return fail(sx, EXIT_USAGE, "unexpected argument '%s' (cells go with --only)", argv[first]);
	res = calloc(MAX_CELLS, sizeof(*res));
	if (!res)
		return fail(sx, EXIT_FAIL, "out of memory");
	for (i = 0; i < tour_ncells && i < MAX_CELLS; i++)
		if (!a.any_only || a.only[i])
			one_cell(sx, &a, &t, &tour_cells[i], &res[i]);
	rc = report(sx, &a, &t, res, exit_code(&t));
	summary(sx, &t, rc);
	for (i = 0; i < MAX_CELLS; i++)
		free(res[i].svg);
	free(res);
	return rc;
}
