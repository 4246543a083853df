/* \summary: what every server shares: the address to bind, the "listening on" line */
#ifndef SOCKX_LISTEN_H
#define SOCKX_LISTEN_H

#include "../sockx.h"
#include "addr.h"
#include "sock.h"

/*
 * A server's -b/-p resolved into the address to bind (defaults as in
 * addr_resolve); with "::" it takes IPv4-mapped clients unless v6only,
 * which needs that wildcard. Sets lo->v6only. Returns an exit code.
 */
int listen_addr(struct sockx *sx, const char *bind, const char *port,
		int type, bool v6only, struct listen_opts *lo, struct addr *a);

/*
 * Emits "listening on ADDR:PORT" (the event listening) scripts wait for,
 * even under -q; on stderr when stdout carries the data (sx->data_out).
 * Catches the stopping signals first (sig_catch_stop): from the line on,
 * SIGINT, SIGTERM and SIGHUP end the server with its summary.
 */
void listen_say(struct sockx *sx, const struct addr *a);

#endif
