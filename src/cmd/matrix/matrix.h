/* \summary: matrix internals: one probed row, what it means here, how it is shown */
#ifndef SOCKX_MATRIX_H
#define SOCKX_MATRIX_H

#include "../../sockx.h"

#define MATRIX_ROWS 160

/* One socket(family, type, proto) call and what it told us. */
struct matrix_row {
	int family, type, proto;
	const char *pname;	/* the protocol as a C programmer writes it */
	bool ok;		/* socket() succeeded */
	int err;		/* its errno otherwise */
	int priv;		/* enum priv socket() checks, or -1 */
	int so_proto, so_type, sndbuf, rcvbuf;	/* read back when ok */
	char chosen[32];	/* so_proto's name ("IPPROTO_TCP") when ok */
	int root_could;		/* 1 yes, 0 no, -1 cannot know from here */
	char command[64];	/* the sockx command that exercises it */
	char note[240];		/* what the result means on this kernel */
};

struct matrix_table {
	struct matrix_row rows[MATRIX_ROWS];
	size_t n;
	bool have_raw, have_admin;	/* capabilities permitted to this run */
	bool ping_known;		/* net.ipv4.ping_group_range was read */
	unsigned long ping_lo, ping_hi;
};

/* Fills r's note, root_could and command from its result. */
void matrix_explain(const struct matrix_table *t, struct matrix_row *r);

/* What socket() wants for r ("CAP_NET_RAW", "ping_group_range"), or NULL. */
const char *matrix_priv_text(const struct matrix_table *t, const struct matrix_row *r);

/* Emits the rows of t (show.c): the table's lines, or "cell" events. */
void matrix_show(struct sockx *sx, const struct matrix_table *t);

#endif
