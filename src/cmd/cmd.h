/* \summary: what every command file includes */
#ifndef SOCKX_CMD_H
#define SOCKX_CMD_H

#include "../sockx.h"
#include "../core/addr.h"
#include "../core/io.h"
#include "../core/opt.h"
#include "../core/out.h"
#include "../core/sock.h"
#include "../core/listen.h"
#include "../core/event.h"
#include "../core/sig.h"

/* Prototypes and help of every command in cmds.h. */
#define CMD(n, id, fl, h) \
	int cmd_##id(struct sockx *sx, int argc, char **argv); \
	extern const struct cmdinfo info_##id;
#include "../cmds.h"
#undef CMD

/* Looks a command up by its exact name; NULL if none. */
struct cmd {
	const char *name;
	int (*fn)(struct sockx *sx, int argc, char **argv);
	unsigned flags;
	const char *help;
	const struct cmdinfo *info;
};
/*
 * A client's -p PORT: the first one kept in *port; a second one is a
 * usage error. Returns an exit code.
 */
int client_port_opt(struct sockx *sx, const char **port, const char *arg);

/*
 * A client's peer: the positional HOST, PORT, HOST:PORT or [v6]:PORT (as
 * addr_from_args), or with port (-p, NULL if not given) the default host
 * or a HOST without a port of its own: a port given both ways is a usage
 * error. Returns the count of addresses in dst, or minus an exit code
 * (the error printed).
 */
int client_peer(struct sockx *sx, const char *port, int argc, char **argv,
		int socktype, struct addr *dst, int max);

/* src/cmd/commands.c: the table of cmds.h and what sockx itself prints. */
const struct cmd *cmd_find(const char *name);
extern const struct cmd cmd_table[];
extern const size_t cmd_count;
/* The usage text: commands, global options, exit statuses. */
void cmd_usage_text(FILE *f);
/* sockx --help on stdout (with --json a "help" event). */
void cmd_usage(struct sockx *sx);
/* What --version and --list-commands print (sx->show). */
void cmd_show(struct sockx *sx);
/* "unknown command" with its hint; returns EXIT_USAGE. */
int cmd_unknown(struct sockx *sx, const char *name);

#endif
