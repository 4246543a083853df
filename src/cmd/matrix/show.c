/* \summary: matrix's rows as events: the human table's lines composed, the JSON cells */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../cmd.h"
#include "matrix.h"

/* Column widths of the human table. */
struct widths {
	int proto, result, chose, needs, cmd;
};

static int wider(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void measure(const struct matrix_table *t, struct widths *w)
{
	size_t i;

	*w = (struct widths){ 8, 6, 6, 5, 7 };
	for (i = 0; i < t->n; i++) {
		const struct matrix_row *r = &t->rows[i];

		w->proto = wider(w->proto, r->pname);
		w->result = wider(w->result, r->ok ? "ok" : strerrorname_np(r->err));
		w->chose = wider(w->chose, r->ok ? r->chosen : "-");
		w->needs = wider(w->needs, or_dash(matrix_priv_text(t, r)));
		w->cmd = wider(w->cmd, or_dash(r->command));
	}
}

/* The lines above the first row: the kernel and uid, the column heads. */
static void head_text(struct sockx *sx, const struct matrix_table *t,
		      const struct widths *w, char *buf, size_t len)
{
	struct utsname u;
	int n = 0;

	if (uname(&u) == 0)
		n = snprintf(buf, len, "socket() on Linux %s, uid %u, CAP_NET_RAW %s\n", u.release,
			     (unsigned)getuid(), t->have_raw ? "permitted" : "not permitted");
	if (n < 0 || (size_t)n >= len)
		n = 0;
	snprintf(buf + n, len - (size_t)n, "%s%-12s %-14s %-*s %-*s %-*s %7s %7s  %-*s %-*s %s%s",
		 clr(sx, false, C_BOLD), "FAMILY", "TYPE", w->proto, "PROTOCOL",
		 w->result, "RESULT", w->chose, "CHOSEN", "SNDBUF", "RCVBUF",
		 w->needs, "NEEDS", w->cmd, "COMMAND", "NOTE", clr(sx, false, C_OFF));
}

static void row_text(struct sockx *sx, const struct matrix_table *t,
		     const struct matrix_row *r, const struct widths *w, char *buf, size_t len)
{
	const char *res = r->ok ? "ok" : strerrorname_np(r->err);
	const char *col = r->ok ? C_GREEN : r->err == EPERM || r->err == EACCES ? C_YELLOW : C_RED;
	char sb[16] = "-", rb[16] = "-";

	if (r->ok) {
		snprintf(sb, sizeof(sb), "%d", r->sndbuf);
		snprintf(rb, sizeof(rb), "%d", r->rcvbuf);
	}
	snprintf(buf, len, "%-12s %-14s %-*s %s%-*s%s %-*s %7s %7s  %-*s %-*s %s%s%s",
		 family_name(r->family), type_name(r->type), w->proto, r->pname,
		 clr(sx, false, col), w->result, res ? res : "E?", clr(sx, false, C_OFF),
		 w->chose, r->ok ? r->chosen : "-", sb, rb,
		 w->needs, or_dash(matrix_priv_text(t, r)), w->cmd, or_dash(r->command),
		 clr(sx, false, C_DIM), r->note, clr(sx, false, C_OFF));
}

/* The fields every kind of cell shares, up to errno. */
#define CELL_HEAD(r)                                                           \
	.family = family_name((r)->family), .family_num = (r)->family,         \
	.type = type_name((r)->type), .type_num = (r)->type,                   \
	.protocol = (r)->pname, .protocol_num = (r)->proto,                    \
	.supported = (r)->ok, .errno_ = (r)->ok ? NULL : strerrorname_np((r)->err)
/* ... and after root_could, with the human line's pieces. */
#define CELL_TAIL(r, x)                                                        \
	.command = (r)->command[0] ? (r)->command : NULL, .note = (r)->note,   \
	.head = (x)->head, .gap = (x)->gap, .row = (x)->row, .tail = (x)->tail
/* A supported socket's fields, between errno and privilege. */
#define CELL_SO(r)                                                             \
	.so_protocol = (r)->chosen, .so_protocol_num = (r)->so_proto,          \
	.so_type = type_name((r)->so_type), .sndbuf = (r)->sndbuf, .rcvbuf = (r)->rcvbuf

struct lines {
	const char *head, *gap, *row, *tail;
};

static void cell(struct sockx *sx, const struct matrix_table *t, const struct matrix_row *r,
		 const struct lines *x)
{
	const char *priv = matrix_priv_text(t, r);

	int root_could = r->root_could < 0 ? -1 : r->root_could > 0;	/* -1: null */

	if (r->ok)
		EMIT(sx, cell_matrix, CELL_HEAD(r), CELL_SO(r), .privilege = priv,
		     .root_could = root_could, CELL_TAIL(r, x));
	else
		EMIT(sx, cell_matrix_refused, CELL_HEAD(r), .errno_num = r->err,
		     .privilege = priv, .root_could = root_could, CELL_TAIL(r, x));
}

void matrix_show(struct sockx *sx, const struct matrix_table *t)
{
	char head[768] = "", row[768], tail[128] = "";
	struct lines x = { head, "", row, "" };
	struct widths w;
	size_t i;

	measure(t, &w);
	head_text(sx, t, &w, head, sizeof(head));
	if (t->ping_known)
		snprintf(tail, sizeof(tail),
			 "net.ipv4.ping_group_range = %lu %lu (ICMP datagram sockets, icmp(7))",
			 t->ping_lo, t->ping_hi);
	for (i = 0; i < t->n; i++) {
		x.gap = i && t->rows[i].family != t->rows[i - 1].family ? "\n" : "";
		x.tail = i + 1 == t->n ? tail : "";
		row_text(sx, t, &t->rows[i], &w, row, sizeof(row));
		cell(sx, t, &t->rows[i], &x);
		x.head = "";
	}
}
