/* \summary: which interface a flow uses: the kernel's route, asked over rtnetlink */
#ifndef SOCKX_CAPTURE_ROUTE_H
#define SOCKX_CAPTURE_ROUTE_H

#include <net/if.h>

#include "../sockx.h"
#include "../core/addr.h"

/*
 * Asks the kernel (RTM_GETROUTE, rtnetlink(7)) how it would send to dst:
 * the output interface (lo for loopback and for this host's own
 * addresses) into ifname, and the source address it would choose into
 * *src (family 0 if the route names none). Returns 0, or -1 with errno
 * set (ENETUNREACH: no route). Each call is traced under -v.
 */
int capture_route(struct sockx *sx, const struct addr *dst,
		  char ifname[IF_NAMESIZE], struct addr *src);

#endif
