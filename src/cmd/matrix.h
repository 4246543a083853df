/* \summary: matrix internals: one probed row, and what it means here */
#ifndef SOCKX_MATRIX_H
#define SOCKX_MATRIX_H

#include "../sockx.h"

#define MX_ROWS 160

/* One socket(family, type, proto) call and what it told us. */
struct mx_row {
	int family, type, proto;
	const char *pname;	/* the protocol as a C programmer writes it */
	bool ok;		/* socket() succeeded */
	int err;		/* its errno otherwise */
	int priv;		/* enum priv socket() checks, or -1 */
	int so_proto, so_type, sndbuf, rcvbuf;	/* read back when ok */
	int root_could;		/* 1 yes, 0 no, -1 cannot know from here */
	char command[64];	/* the sockx command that exercises it */
	char note[240];		/* what the result means on this kernel */
};

struct mx_table {
	struct mx_row rows[MX_ROWS];
	size_t n;
	bool have_raw, have_admin;	/* capabilities permitted to this run */
	bool ping_known;		/* net.ipv4.ping_group_range was read */
	unsigned long ping_lo, ping_hi;
};

/* Fills r's note, root_could and command from its result. */
void mx_explain(const struct mx_table *t, struct mx_row *r);

/* What socket() wants for r ("CAP_NET_RAW", "ping_group_range"), or NULL. */
const char *mx_priv_text(const struct mx_table *t, const struct mx_row *r);

#endif
