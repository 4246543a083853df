/* \summary: what every command file includes */
#ifndef SOCKX_CMD_H
#define SOCKX_CMD_H

#include "../sockx.h"
#include "../core/addr.h"
#include "../core/io.h"
#include "../core/opt.h"
#include "../core/out.h"
#include "../core/sock.h"

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
 * Prints the "listening on ADDR:PORT" line (or event) scripts wait for;
 * the line on stderr with to_stderr (stdout carries raw data), else on
 * stdout.
 */
void say_listening(struct sockx *sx, const struct addr *a, bool to_stderr);

/*
 * A server's -b/-p resolved into the address to bind (defaults as in
 * addr_resolve); with "::" it takes IPv4-mapped clients unless v6only,
 * which needs that wildcard. Sets lo->v6only. Returns an exit code.
 */
int server_addr(struct sockx *sx, const char *bind, const char *port,
		int type, bool v6only, struct listen_opts *lo, struct addr *a);

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

/*
 * A client with a summary ends its run on SIGINT, SIGTERM or SIGHUP as
 * it ends at the end, summary and exit status included: the handler only
 * sets a flag (client_stopped: the signal, 0 if none) that the loops
 * poll, and blocking calls return EINTR. Once it ran, the handler from
 * before (the default, or a capture's that removes its temporary file)
 * is back: a second signal ends the process at once.
 */
void client_catch_stop(void);
int client_stopped(void);

const struct cmd *cmd_find(const char *name);
extern const struct cmd cmd_table[];
extern const size_t cmd_count;

#endif
