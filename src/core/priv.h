/* \summary: capabilities: hold as little as possible, for as short as possible */
#ifndef SOCKX_PRIV_H
#define SOCKX_PRIV_H

#include "../sockx.h"

enum priv { PRIV_RAW, PRIV_ADMIN };

/*
 * At start-up: keep only the permitted capabilities sockx can use
 * (CAP_NET_RAW and CAP_NET_ADMIN when keep_raw, CAP_NET_BIND_SERVICE
 * always), none effective but CAP_NET_BIND_SERVICE. A process without
 * capabilities is left as it is. Returns 0 or -1 with errno set.
 */
int priv_init(bool keep_raw);

/* Makes p effective (around socket(SOCK_RAW) or pcap_activate()).
 * Returns 0, or -1 with errno EPERM when p is not permitted. */
int priv_raise(enum priv p);
/* Makes p ineffective again; preserves errno. */
void priv_lower(enum priv p);
/* Drops every capability, permitted and effective, for the rest of the run.
 * Returns 0 or -1 with errno set. */
int priv_drop_all(void);
/* True if p is permitted (so priv_raise would succeed). */
bool priv_have(enum priv p);

#endif
