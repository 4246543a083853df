/* \summary: the option parser every command shares, and strict numbers */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event.h"
#include "opt.h"
#include "out.h"

enum { G_JSON = OPT_LONG + 200, G_COLOR, G_VERSION, G_LIST };

const struct optdef opt_globals[] = {
	{ "verbose", 'v', NULL, "trace every socket call to stderr, or as call events with --json (-vv: options and kernel-chosen addresses too)", NULL },
	{ "quiet", 'q', NULL, "print only data and errors", NULL },
	{ "json", G_JSON, NULL, "one JSON event object per line on stdout", NULL },
	{ "ipv4", '4', NULL, "use IPv4 for names and defaults", NULL },
	{ "ipv6", '6', NULL, "use IPv6 for names and defaults", NULL },
	{ "color", G_COLOR, "WHEN", "colour: auto (a terminal, no NO_COLOR), always or never", "auto always never" },
	{ "version", G_VERSION, NULL, "print the version and exit", NULL },
	{ "list-commands", G_LIST, NULL, "print the command names, one a line, and exit", NULL },
	{ "help", 'h', NULL, "show this help", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

int opt_global(struct sockx *sx, int key, const char *arg)
{
	static const char *const colors[] = { "auto", "always", "never", NULL };
	int i;

	if (sx->show != SHOW_NONE) {	/* after --help and the like: only --json */
		if (key == G_JSON)
			sx->json = true;
		return OPT_HELP;
	}
	switch (key) {
	case 'v':
		sx->verbose++;
		return EXIT_OK;
	case 'q':
		sx->quiet = true;
		return EXIT_OK;
	case G_JSON:
		sx->json = true;
		return EXIT_OK;
	case '4':
	case '6':
		if (sx->family && sx->family != (key == '4' ? AF_INET : AF_INET6))
			return fail(sx, EXIT_USAGE, "cannot use -4 and -6 together");
		sx->family = key == '4' ? AF_INET : AF_INET6;
		return EXIT_OK;
	case G_COLOR:
		i = opt_choice(sx, "--color", arg, colors);
		if (i < 0)
			return EXIT_USAGE;
		sx->color = (enum color_mode)i;
		return EXIT_OK;
	case 'h':
	case G_VERSION:
	case G_LIST:
		sx->show = key == 'h' ? SHOW_HELP : key == G_VERSION ? SHOW_VERSION : SHOW_LIST;
		return OPT_HELP;
	default:
		return 1;
	}
}

static size_t count(const struct optdef *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* Appends the getopt form of table o to lo[] and the short string. */
static void add_table(const struct optdef *o, struct option *lo, size_t *nlo,
		      char *sh, size_t *nsh)
{
	for (; o && o->name; o++) {
		lo[*nlo].name = o->name;
		lo[*nlo].has_arg = o->arg ? required_argument : no_argument;
		lo[*nlo].flag = NULL;
		lo[*nlo].val = o->key;
		(*nlo)++;
		if (o->key < OPT_LONG) {
			sh[(*nsh)++] = (char)o->key;
			if (o->arg)
				sh[(*nsh)++] = ':';
		}
	}
}

static const char *opt_spelling(const struct optdef *o, int key, char *buf,
				size_t len)
{
	for (; o && o->name; o++) {
		if (o->key == key) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	}
	return NULL;
}

int opt_parse(struct sockx *sx, const struct cmdinfo *ci, int argc,
	      char **argv, opt_fn fn, void *ctx, int *first)
{
	return opt_parse_hints(sx, ci, NULL, argc, argv, fn, ctx, first);
}

int opt_parse_hints(struct sockx *sx, const struct cmdinfo *ci,
		    opt_hint_fn hint_for, int argc, char **argv, opt_fn fn,
		    void *ctx, int *first)
{
	size_t n = count(opt_globals) + count(ci->opts), nlo = 0, nsh = 0;
	struct option *lo = calloc(n + 1, sizeof(*lo));
	char *sh = calloc(2 * n + 3, 1), spell[64];
	const char *h;
	int c, rc = EXIT_OK;

	if (!lo || !sh) {
		free(lo);
		free(sh);
		return fail(sx, EXIT_FAIL, "out of memory");
	}
	sh[nsh++] = ':';	/* report a missing argument as ':' */
	add_table(opt_globals, lo, &nlo, sh, &nsh);
	add_table(ci->opts, lo, &nlo, sh, &nsh);
	optind = 0;		/* full reset: glibc and musl */
	opterr = 0;
	while (rc == EXIT_OK || rc == OPT_HELP) {
		c = getopt_long(argc, argv, sh, lo, NULL);
		if (c == -1)
			break;
		if (rc == OPT_HELP) {	/* the first of --help, --version... wins */
			opt_global(sx, c, optarg);
			continue;
		}
		if (c == '?') {
			if (optopt && optopt < OPT_LONG)
				rc = fail(sx, EXIT_USAGE, "unknown option '-%c'", optopt);
			else
				rc = fail(sx, EXIT_USAGE, "unknown option '%s'", argv[optind - 1]);
			h = optopt && optopt < OPT_LONG && hint_for ?
			    hint_for(optopt) : NULL;
			if (h)
				hint(sx, "%s", h);
			else
				hint(sx, "'sockx %s --help' lists the options", argv[0]);
		} else if (c == ':') {
			if (!opt_spelling(ci->opts, optopt, spell, sizeof(spell)) &&
			    !opt_spelling(opt_globals, optopt, spell, sizeof(spell)))
				snprintf(spell, sizeof(spell), "%s", argv[optind - 1]);
			rc = fail(sx, EXIT_USAGE, "option '%s' needs a value", spell);
		} else {
			rc = opt_global(sx, c, optarg);
			if (rc == 1)
				rc = fn(sx, ctx, c, optarg);
		}
	}
	*first = optind;
	out_setup(sx);
	if (rc == OPT_HELP && sx->show == SHOW_HELP)
		opt_help(sx, argv[0], ci);
	free(lo);
	free(sh);
	return rc;
}

static void print_opt(FILE *f, const struct optdef *o)
{
	char left[64];

	if (o->key < OPT_LONG)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(f, "  %-26s %s\n", left, o->help);
}

void opt_print_table(FILE *f, const struct optdef *opts)
{
	for (; opts && opts->name; opts++)
		print_opt(f, opts);
}

struct help_of {
	const char *name;
	const struct cmdinfo *ci;
};

static void help_text(FILE *f, const void *ctx)
{
	const struct help_of *h = ctx;
	const struct cmdinfo *ci = h->ci;

	fprintf(f, "usage: sockx %s %s\n\n%s\n", h->name, ci->usage, ci->about);
	if (ci->opts && ci->opts->name) {
		fprintf(f, "\noptions:\n");
		opt_print_table(f, ci->opts);
	}
	fprintf(f, "\nglobal options:\n");
	opt_print_table(f, opt_globals);
	fprintf(f, "\nexit status: 0 ok, 1 failed, 2 usage, 3 verification mismatch,\n"
		"4 not permitted, 5 not supported by this kernel\n");
}

char *opt_text(void (*write)(FILE *f, const void *ctx), const void *ctx, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	write(f, ctx);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

void opt_show_help(struct sockx *sx, const char *command,
		   void (*write)(FILE *f, const void *ctx), const void *ctx)
{
	size_t len = 0;
	char *text = opt_text(write, ctx, &len);
	char *shown = text ? strndup(text, len && text[len - 1] == '\n' ? len - 1 : len) : NULL;

	sx->quiet = false;	/* what was asked for: shown under -q too */
	if (shown)
		EMIT(sx, help_text, .command = command, .text = EV_BYTES(text, len),
		     .shown = shown);
	free(shown);
	free(text);
}

void opt_help(struct sockx *sx, const char *name, const struct cmdinfo *ci)
{
	const struct help_of h = { name, ci };

	opt_show_help(sx, name, help_text, &h);
}

int opt_ulong(const char *s, unsigned long min, unsigned long max,
	      unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')	/* no sign, no space, not empty */
		return -1;
	errno = 0;	/* decimal, or hex with 0x (for --tos 0x10); never octal */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return -1;
		v = strtoul(s + 2, &end, 16);
	} else {
		v = strtoul(s, &end, 10);
	}
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int opt_seconds_ll(const char *s, double max_s, long long *ms)
{
	double v;
	char *end;

	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > max_s ||
	    v * 1000.0 >= (double)LLONG_MAX)
		return -1;
	*ms = llround(v * 1000.0);
	if (*ms == 0 && v > 0)
		*ms = 1;	/* 0 means "never": a tiny timeout is 1 ms */
	return 0;
}

int opt_seconds(const char *s, double max_s, int *ms)
{
	long long v;

	if (opt_seconds_ll(s, max_s, &v) < 0 || v > INT_MAX)
		return -1;
	*ms = (int)v;
	return 0;
}

int opt_num(struct sockx *sx, const char *what, const char *s,
	    unsigned long min, unsigned long max, unsigned long *out)
{
	if (opt_ulong(s, min, max, out) < 0)
		return fail(sx, EXIT_USAGE, "invalid %s '%s' (expected %lu-%lu)",
			    what, s, min, max);
	return EXIT_OK;
}

int opt_secs(struct sockx *sx, const char *what, const char *s,
	     double max_s, int *ms)
{
	long long v;

	if (opt_secs_ll(sx, what, s, fmin(max_s, INT_MAX / 1000.0), &v) != EXIT_OK)
		return EXIT_USAGE;
	*ms = (int)v;
	return EXIT_OK;
}

int opt_wait(struct sockx *sx, const char *what, const char *s,
	     double max_s, int *ms)
{
	if (opt_secs(sx, what, s, max_s, ms) != EXIT_OK)
		return EXIT_USAGE;
	if (*ms == 0)
		return fail(sx, EXIT_USAGE, "invalid %s '%s' (expected more than 0 seconds)",
			    what, s);
	return EXIT_OK;
}

int opt_secs_ll(struct sockx *sx, const char *what, const char *s,
		double max_s, long long *ms)
{
	if (opt_seconds_ll(s, max_s, ms) < 0)
		return fail(sx, EXIT_USAGE,
			    "invalid %s '%s' (expected seconds, 0-%.10g)", what, s,
			    max_s);
	return EXIT_OK;
}

int opt_choice(struct sockx *sx, const char *what, const char *s,
	       const char *const *names)
{
	char list[256] = "";
	size_t len = 0;
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	for (i = 0; names[i] && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", names[i]);
	fail(sx, EXIT_USAGE, "invalid %s '%s' (one of: %s)", what, s, list);
	return -1;
}
