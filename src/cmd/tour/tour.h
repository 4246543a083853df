/* \summary: tour internals: the cells, child processes, and event lines */
#ifndef SOCKX_TOUR_H
#define SOCKX_TOUR_H

#include <sys/types.h>

#include "../cmd.h"

/* What a cell's client must get back. */
enum tour_check {
	CHECK_UPPER,	/* the server's reply: the message, ASCII upper-cased */
	CHECK_ECHO,	/* the kernel's ICMP echo reply to our request */
};

#define CELL_RAW 0x1	/* needs CAP_NET_RAW */
#define CELL_WIRE 0x2	/* crosses an interface (lo): a capture can verify it */

/*
 * One family x type cell: the socket() it exercises, and the server and
 * client commands (names as in cmds.h) with their options. In the argv
 * templates {port} is the port the server printed, {unix} the cell's
 * private abstract address, {msg} the message, {hex} the message in hex
 * and {len} its length in bytes.
 */
struct tour_cell {
	const char *name;		/* as --only takes it: "tcp4" */
	const char *what;		/* "TCP over IPv4" */
	int family, type, proto;
	const char *server;		/* NULL: the kernel itself answers */
	const char *const *sargv;
	const char *client;
	const char *const *cargv;
	enum tour_check check;
	unsigned flags;
};

extern const struct tour_cell tour_cells[];
extern const size_t tour_ncells;

/* The cell named name, or NULL. */
const struct tour_cell *tour_cell_find(const char *name);

enum tour_verdict {
	V_PASS, V_FAIL, V_MISMATCH,			/* it ran */
	V_NOPERM, V_UNSUPPORTED, V_NOTBUILT,		/* it could not run */
};

struct tour_result {
	enum tour_verdict v;
	char reason[320];	/* what was checked, or why it failed or was skipped */
	char wire[160];		/* what the capture showed, or why there was none */
	char scmd[256], ccmd[320];	/* the server and client as typed */
	int calls_client, calls_server;	/* traced socket calls, -1 unknown */
	long long bytes_out, bytes_in;	/* the client's payload bytes */
	int packets;			/* seen on the wire, -1 not captured */
	double ms;			/* wall time of the cell */
	struct tour_diagram *dg;	/* its calls and packets (diagram.c), or NULL */
	char *svg;			/* --html: its timeline as SVG, or NULL */
};

#define TOUR_MAX_CELLS 32	/* the table's rows a run looks at */
#define TOUR_MSG_MAX 1024	/* bytes of -m: a demonstration, not a load test */

struct tour_opts {
	const char *msg;
	bool no_verify;
	bool timeline;		/* --timeline: each cell's timeline after its line */
	const char *html;	/* --html FILE */
};

/*
 * plan.c: runs cell c: probes the kernel, forks the server and the client
 * through the command table, checks the reply, stops the server.
 * Fills r; every step has a deadline and no child outlives the call.
 */
void tour_run_cell(struct sockx *sx, const struct tour_opts *o,
		   const struct tour_cell *c, struct tour_result *r);

/* ---- child processes (child.c) ---- */


/* What a child wrote to one of its streams (bounded; NUL-terminated). */
struct tour_buf {
	char *p;
	size_t len, cap;
	bool full;		/* more came than CHILD_BUF_MAX: the rest dropped */
};
#define CHILD_BUF_MAX (1u << 20)

struct tour_child {
	pid_t pid;		/* -1: none */
	int pidfd, out, err;	/* -1 once closed */
	struct tour_buf obuf, ebuf;
	bool exited, signalled;	/* signalled: we had to SIGTERM/SIGKILL it */
	int status;		/* from waitpid() once exited */
	double t0;		/* CLOCK_MONOTONIC (s) of its events' t 0 */
};

/*
 * Forks a child that runs cmd's handler with argv (argv[0] the command's
 * name), stdin from /dev/null, stdout and stderr into pipes, killed if
 * the tour dies. Returns 0, or -1 with errno set (nothing left running).
 */
int tour_child_start(struct tour_child *ch, const struct cmd *cmd, char **argv);

/*
 * Collects what the children write, and their exits, until done(ctx)
 * returns true or the monotonic deadline passes. Returns done's verdict.
 */
bool tour_child_pump(struct tour_child *const *chs, int n, double deadline,
		bool (*done)(void *ctx), void *ctx);

/* True once ch exited and both its pipes reached end of file. */
bool tour_child_finished(void *ch);

/* SIGTERM, grace_s seconds to exit, then SIGKILL; always reaped after. */
void tour_child_stop(struct tour_child *ch, double grace_s);

/* Stops ch if it runs, closes its descriptors, frees its buffers. */
void tour_child_free(struct tour_child *ch);

/* Calls fn on each whole line of b (NUL-terminated copies); stops on true. */
bool tour_buf_lines(const struct tour_buf *b, bool (*fn)(const char *line, void *ctx),
	       void *ctx);

/* ---- one cell's run (plan.c, argv.c, run.c) ---- */

struct tour_run {
	struct sockx *sx;
	const struct tour_opts *o;
	const struct tour_cell *c;
	struct tour_result *r;
	const struct cmd *scmd, *ccmd;	/* NULL: none, or not built */
	bool verify;			/* the client gets --verify */
	bool client_tl;			/* ... and --timeline */
	char unix_name[80];		/* {unix}: "@sockx-tour-PID-CELL" */
	char port[8];			/* {port}: as the server printed it */
	char len[24];			/* {len} */
	char *hex;			/* {hex} */
	struct tour_child srv, cli;
};

/*
 * argv.c: the argv of one child: NAME --json -v [--verify] [--timeline] and tmpl with its
 * placeholders filled in; strings of its own. NULL if out of memory.
 */
char **tour_argv(const struct tour_run *u, const char *name,
		 const char *const *tmpl, bool verify, bool timeline);
void tour_argv_free(char **argv);

/* "sockx --json -v NAME ARGS", shell-quoted, into buf. */
void tour_argv_text(char **argv, char *buf, size_t len);

/*
 * run.c: starts the server (when the cell has one) and waits for its listening
 * line, runs the client, stops the server, and judges what came back.
 */
void tour_exchange(struct tour_run *u);

/* ---- a cell's exchange as one timeline (diagram.c) ---- */

/*
 * After the exchange (the children have ended, their output is in u):
 * the client's timeline rows (or, for a client without --timeline, its
 * -v calls) and the server's calls, on the tour's clock, into u->r->dg.
 */
void tour_diagram_collect(struct tour_run *u);

/*
 * After the cell's line: r->dg drawn as one timeline of the tour (its
 * events, with --timeline), and kept as SVG in r->svg (with --html);
 * r->dg freed.
 */
void tour_diagram_draw(struct sockx *sx, const struct tour_opts *o,
		       const struct tour_cell *c, struct tour_result *r);

/* Frees what tour_diagram_collect left (NULL: nothing). */
void tour_diagram_free(struct tour_diagram *dg);

/* ---- the report (html.c) ---- */

/* What the report shows of a tour's run: each cell's result, the counts. */
struct tour_report {
	const struct tour_opts *o;
	const struct tour_cell *cells[TOUR_MAX_CELLS];
	struct tour_result *res[TOUR_MAX_CELLS];
	size_t n;
	const char *summary;	/* the summary's line */
};

/* --html FILE: the report, written atomically. Returns an exit code. */
int tour_html_write(struct sockx *sx, const struct tour_report *rep);

/* ---- JSON event lines (json.c) ---- */

/*
 * Reads the string value of key at the top level of the JSON object in
 * line, decoded (escapes, \u surrogate pairs) into out as UTF-8, with a
 * NUL after it; *len (if not NULL) gets its length. False if the key is
 * missing, not a string, or longer than cap - 1 bytes.
 */
bool tour_jv_str(const char *line, const char *key, char *out, size_t cap,
	    size_t *len);
/* The number value of key at the top level of line; false if none. */
bool tour_jv_num(const char *line, const char *key, double *v);
/* The boolean value of key at the top level of line; false if none. */
bool tour_jv_bool(const char *line, const char *key, bool *v);
/* True if line is an object whose "event" is ev. */
bool tour_jv_event(const char *line, const char *ev);

#endif
