/*
 * \summary: tour --html FILE: the tour as one self-contained HTML page (the
 * kernel, the matrix of verdicts, each cell's diagram as inline SVG),
 * written atomically
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "tour.h"
#include "../../core/afile.h"

/*
 * No script, no link, no font, no image: the page opens offline in any
 * browser, and prints. Verdicts by colour and by word.
 */
static const char css[] =
	"body{font-family:sans-serif;margin:1.5em;color:#000;background:#fff;max-width:70em}"
	"table{border-collapse:collapse;font-size:90%}"
	"th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}"
	"code,pre{font-family:monospace}"
	".pass{color:#0b6330;font-weight:bold}"
	".fail{color:#c00000;font-weight:bold}"
	".skip{color:#7a5a00}"
	"section{margin-top:2em;border-top:1px solid #999}"
	"svg{max-width:100%;height:auto;border:1px solid #ddd}";

/*
 * Text for HTML: bytes that are not printable UTF-8 (a peer's, a
 * kernel's) shown as \xHH first (esc_buf), then &, <, >, " and '
 * as references, so that no text can open a tag or leave an attribute.
 */
static void put_text(FILE *f, const char *s)
{
	size_t n = strlen(s), cap = 4 * n + 4;
	char *e = malloc(cap), *p;

	if (!e)
		return;
	esc_buf(e, cap, s, n, false);
	for (p = e; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*p, f);
		}
	}
	free(e);
}

/* <tag>text</tag>, the text escaped. */
static void put_el(FILE *f, const char *tag, const char *text)
{
	fprintf(f, "<%s>", tag);
	put_text(f, text);
	fprintf(f, "</%s>", tag);
}

static const char *verdict_word(enum tour_verdict v)
{
	static const char *const w[] = { "pass", "fail", "mismatch", "no-privilege",
					 "unsupported", "not-built" };

	return w[v];
}

static const char *verdict_class(enum tour_verdict v)
{
	return v == V_PASS ? "pass" : v <= V_MISMATCH ? "fail" : "skip";
}

/* The title, the kernel, the message. */
static void head(FILE *f, const struct tour_report *rep)
{
	struct utsname u;
	char k[4 * sizeof(u)];

	if (uname(&u) == 0)
		snprintf(k, sizeof(k), "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
	else
		snprintf(k, sizeof(k), "unknown (uname: %s)", strerror(errno));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>sockx tour</title>\n<style>%s</style>\n</head>\n<body>\n"
		"<h1>sockx tour</h1>\n<p>A real exchange on loopback in every family "
		"&times; type cell, each through sockx's own server and client.</p>\n<p>Kernel: ",
		css);
	put_el(f, "code", k);
	fputs("<br>\nMessage: ", f);
	put_el(f, "code", rep->o->msg);
	fputs("</p>\n", f);
}

/* One row of the matrix. */
static void matrix_row(FILE *f, const struct tour_cell *c, const struct tour_result *r)
{
	char sock[64];

	snprintf(sock, sizeof(sock), "%s %s", family_name(c->family), type_name(c->type));
	fprintf(f, "<tr><td><a href=\"#cell-%s\">", c->name);
	put_text(f, c->name);
	fputs("</a></td>", f);
	put_el(f, "td", sock);
	fprintf(f, "<td class=\"%s\">%s</td>", verdict_class(r->v), verdict_word(r->v));
	put_el(f, "td", r->reason);
	fputs("</tr>\n", f);
}

/* The matrix: a row per cell, then the summary's line. */
static void matrix(FILE *f, const struct tour_report *rep)
{
	size_t i;

	fputs("<h2>Matrix</h2>\n<table>\n<tr><th>cell</th><th>socket</th>"
	      "<th>verdict</th><th>notes</th></tr>\n", f);
	for (i = 0; i < rep->n; i++)
		matrix_row(f, rep->cells[i], rep->res[i]);
	fputs("</table>\n<p>Summary: ", f);
	put_text(f, rep->summary);
	fputs("</p>\n", f);
}

/* The SVG inline: its XML declaration left out (HTML has its own). */
static void put_svg(FILE *f, const char *svg)
{
	const char *p = strstr(svg, "<svg");

	fputs(p ? p : "", f);
}

/* A cell's section: its verdict, its commands, its diagram. */
static void cell(FILE *f, const struct tour_cell *c, const struct tour_result *r)
{
	fprintf(f, "<section id=\"cell-%s\">\n<h2>", c->name);
	put_text(f, c->name);
	fputs(": ", f);
	put_text(f, c->what);
	fprintf(f, "</h2>\n<p>Verdict: <span class=\"%s\">%s</span>: ",
		verdict_class(r->v), verdict_word(r->v));
	put_text(f, r->reason);
	fputs("</p>\n", f);
	if (r->wire[0] && r->v <= V_MISMATCH) {
		fputs("<p>Wire: ", f);
		put_text(f, r->wire);
		fputs("</p>\n", f);
	}
	if (r->scmd[0]) {
		fputs("<p>Server: ", f);
		put_el(f, "code", r->scmd);
		fputs("</p>\n", f);
	}
	if (r->ccmd[0]) {
		fputs("<p>Client: ", f);
		put_el(f, "code", r->ccmd);
		fputs("</p>\n", f);
	}
	if (r->svg)
		put_svg(f, r->svg);
	else
		fputs("<p>No diagram: the cell did not run.</p>\n", f);
	fputs("</section>\n", f);
}

static int fill(FILE *f, void *ctx)
{
	const struct tour_report *rep = ctx;
	size_t i;

	errno = 0;
	head(f, rep);
	matrix(f, rep);
	for (i = 0; i < rep->n; i++)
		cell(f, rep->cells[i], rep->res[i]);
	fputs("</body>\n</html>\n", f);
	if (fflush(f) == EOF || ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

int tour_html_write(struct sockx *sx, const struct tour_report *rep)
{
	const char *why = NULL;

	if (afile_write(rep->o->html, fill, (void *)rep, &why) < 0) {
		if (why)
			return fail(sx, EXIT_FAIL, "cannot write '%s': %s", rep->o->html, why);
		return fail_errno(sx, "cannot write '%s'", rep->o->html);
	}
	trace(sx, 1, "tour: wrote the report to %s", rep->o->html);
	return EXIT_OK;
}
