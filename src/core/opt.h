/* \summary: option tables, the one parser every command uses, strict numbers */
#ifndef SOCKX_OPT_H
#define SOCKX_OPT_H

#include <stdio.h>

#include "../sockx.h"

/* Keys of long-only options start here; short options use their letter. */
#define OPT_LONG 256

/*
 * One option of a command. The same table drives parsing, --help, the man
 * page's option lists and the shell completions, so they cannot drift.
 */
struct optdef {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or OPT_LONG + n */
	const char *arg;	/* argument name ("PORT"), NULL for a flag */
	const char *help;	/* one line */
	const char *values;	/* completion: "echo upper discard", "@file", "@iface";
				   ",a b c": a comma list of a, b, c */
};

/* What a command looks like from outside: usage, prose, options. */
struct cmdinfo {
	const char *usage;	/* after "sockx NAME " */
	const char *about;	/* a paragraph for --help */
	const struct optdef *opts;	/* ends with an entry whose name is NULL */
};

/* A command's handler of one parsed option. Returns EXIT_OK or EXIT_USAGE. */
typedef int (*opt_fn)(struct sockx *sx, void *ctx, int key, const char *arg);

/* Sentinel return of opt_parse: --help was printed, exit 0. */
#define OPT_HELP (-1)

/* The global options, accepted before and after the command. */
extern const struct optdef opt_globals[];

/*
 * Parses argv (argv[0] is the command's name) against the global options
 * and ci->opts, calling fn for each command option. Positional arguments
 * are moved to the end; *first is set to the index of the first one.
 * Returns EXIT_OK, EXIT_USAGE (message printed) or OPT_HELP.
 */
int opt_parse(struct sockx *sx, const struct cmdinfo *ci, int argc,
	      char **argv, opt_fn fn, void *ctx, int *first);

/*
 * A hint for an unknown short option, where another tool's habit explains
 * it (ping's -e is raw-icmp's --id), or NULL for the usual one.
 */
typedef const char *(*opt_hint_fn)(int letter);

/* opt_parse, with hint_for (may be NULL) asked about unknown letters. */
int opt_parse_hints(struct sockx *sx, const struct cmdinfo *ci,
		    opt_hint_fn hint_for, int argc, char **argv, opt_fn fn,
		    void *ctx, int *first);

/*
 * Applies one global option; returns EXIT_OK, EXIT_USAGE, 1 if unknown, or
 * OPT_HELP with sx->show set for --help, --version and --list-commands.
 */
int opt_global(struct sockx *sx, int key, const char *arg);

/* A command's --help: its "help" event (the text on stdout). */
void opt_help(struct sockx *sx, const char *name, const struct cmdinfo *ci);

/*
 * The "help" event of command (NULL: sockx itself) with the text that
 * write(f, ctx) composes; shown under -q too, as it is what was asked.
 */
void opt_show_help(struct sockx *sx, const char *command,
		   void (*write)(FILE *f, const void *ctx), const void *ctx);

/* What write(f, ctx) writes, in memory (*len bytes, NUL-terminated); NULL if out of memory. */
char *opt_text(void (*write)(FILE *f, const void *ctx), const void *ctx, size_t *len);

/* Prints an option table, aligned, to f. */
void opt_print_table(FILE *f, const struct optdef *opts);

/*
 * Strict numbers: the whole string, in [min, max], no sign games, no
 * trailing junk. Return 0 or -1.
 */
int opt_ulong(const char *s, unsigned long min, unsigned long max,
	      unsigned long *out);
/*
 * Decimal seconds ("0.2", "5") into milliseconds, in [0, max_s]; any
 * non-zero time is at least 1 ms (0 means "never" to the callers).
 * opt_seconds refuses what an int cannot hold (over ~24.8 days): longer
 * limits use opt_seconds_ll.
 */
int opt_seconds(const char *s, double max_s, int *ms);
int opt_seconds_ll(const char *s, double max_s, long long *ms);

/* Number options, with the usage error printed: return EXIT_OK/USAGE. */
int opt_num(struct sockx *sx, const char *what, const char *s,
	    unsigned long min, unsigned long max, unsigned long *out);
int opt_secs(struct sockx *sx, const char *what, const char *s,
	     double max_s, int *ms);
/* A client's wait for its peer (-w): as opt_secs, but never 0 (no wait). */
int opt_wait(struct sockx *sx, const char *what, const char *s,
	     double max_s, int *ms);
int opt_secs_ll(struct sockx *sx, const char *what, const char *s,
		double max_s, long long *ms);
/* Picks s out of a NULL-terminated list; returns the index or -1 (printed). */
int opt_choice(struct sockx *sx, const char *what, const char *s,
	       const char *const *names);

#endif
