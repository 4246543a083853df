/* \summary: what every part of sockx shares: the run context and exit codes */
#ifndef SOCKX_H
#define SOCKX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOCKX_VERSION "0.1.0"

/* Exit codes: the contract of docs/sockx.1 ("EXIT STATUS"). */
enum {
	EXIT_OK = 0,		/* did what was asked; every check passed */
	EXIT_FAIL = 1,		/* refused, timeout, reset, no reply, in use */
	EXIT_USAGE = 2,		/* bad option, address, port, number or path */
	EXIT_MISMATCH = 3,	/* the wire did not show what was sent */
	EXIT_NOPERM = 4,	/* needs CAP_NET_RAW or root */
	EXIT_UNSUPPORTED = 5,	/* this kernel lacks the family/type/protocol */
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* What a global option asked to print instead of running the command. */
enum show { SHOW_NONE, SHOW_HELP, SHOW_VERSION, SHOW_LIST };

/* Flags of a command in src/cmds.h. */
#define CMD_RAW 0x1	/* may open raw sockets or captures: keep CAP_NET_RAW */

struct timeline;

/* The run context: global options and what every command reports through. */
struct sockx {
	const char *cmd;	/* command name, for messages */
	int verbose;		/* -v count: 1 traces calls, 2 adds options */
	bool quiet;		/* -q: only data and errors */
	bool json;		/* --json: one event object per line on stdout */
	int family;		/* 0, or AF_INET / AF_INET6 from -4 / -6 */
	enum color_mode color;
	bool color_err;		/* decided: colour on stderr */
	bool color_out;		/* decided: colour on stdout */
	double t0;		/* monotonic start, for the "t" of events */
	enum show show;		/* --help, --version, --list-commands */
	bool hex;		/* the command's --hex: data as a hex dump */
	bool data_out;		/* stdout carries the data (netcat mode) */
	double t_call;		/* -v: when the traced call began (0: unknown) */
	const void *call_data;	/* --timeline: the bytes the traced call moved */
	size_t call_len;	/* (sock.c sets them, sock_trace takes them) */
	struct timeline *timeline;	/* --timeline: the calls and packets recorded, or NULL */
};

/* Monotonic seconds (CLOCK_MONOTONIC). */
double now_mono(void);
/* Seconds since the start of the run. */
double sx_elapsed(const struct sockx *sx);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
