/*
 * \summary: a tour cell's exchange as one timeline: the client's rows and
 * the server's calls, read back from the children's JSON, on the tour's
 * clock, drawn by the timeline model with the server in the peer column
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tour.h"
#include "../../core/timeline.h"

/* What the children said, on the tour's clock (seconds since sx->t0). */
struct tour_diagram {
	struct tl_row *rows;
	size_t n, cap;
	size_t dropped;		/* rows past TIMELINE_MAX */
	bool head;		/* the client drew a timeline: its head was read */
	double base;		/* its t_ms 0, on the tour's clock */
	bool wire;
	char iface[32], precision[4], why[200];
	double gap_us;
	int samples;
	char client[32];	/* the client's command, for the wire's "why" */
};

/* A new row, zeroed; NULL at the cap or out of memory (counted). */
static struct tl_row *dg_add(struct tour_diagram *d)
{
	struct tl_row *v;
	size_t cap;

	if (d->n == TIMELINE_MAX) {
		d->dropped++;
		return NULL;
	}
	if (d->n == d->cap) {
		cap = d->cap ? d->cap * 2 : 64;
		v = realloc(d->rows, cap * sizeof(*v));
		if (!v) {
			d->dropped++;
			return NULL;
		}
		d->rows = v;
		d->cap = cap;
	}
	memset(&d->rows[d->n], 0, sizeof(*v));
	return &d->rows[d->n++];
}

/*
 * A string field into a fixed buffer, cut to fit at a UTF-8 character's
 * start; "" when absent.
 */
static void str_field(const char *line, const char *key, char *out, size_t cap)
{
	char big[1024];
	size_t n = 0;

	if (tour_jv_str(line, key, big, sizeof(big), &n) && n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)big[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, big, n);
	out[n] = '\0';
}

/* An integer field; dflt when absent. */
static long long int_field(const char *line, const char *key, long long dflt)
{
	double v;

	return tour_jv_num(line, key, &v) ? (long long)v : dflt;
}

/* "SYN,ACK" back to TL_* bits. */
static uint8_t parse_flags(const char *s)
{
	static const struct { const char *name; uint8_t bit; } names[] = {
		{ "SYN", TL_SYN }, { "FIN", TL_FIN }, { "RST", TL_RST },
		{ "PSH", TL_PSH }, { "ACK", TL_ACK },
	};
	uint8_t f = 0;
	size_t i, n;

	while (*s) {
		n = strcspn(s, ",");
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0)
				f |= names[i].bit;
		s += n + (s[n] == ',');
	}
	return f;
}

/*
 * A call's fields (a "call" event, or a timeline row of kind call or
 * enter: the same names). A non-blocking socket's "would block" (EAGAIN)
 * is the event loop asking again, not a step of the exchange: false.
 */
static bool call_fields(const char *line, struct tl_row *r)
{
	r->kind = TL_CALL;
	str_field(line, "name", r->name, sizeof(r->name));
	str_field(line, "args", r->args, sizeof(r->args));
	str_field(line, "errno", r->err, sizeof(r->err));
	r->ret = (long)int_field(line, "ret", 0);
	return r->name[0] && strcmp(r->err, "EAGAIN") != 0 && strcmp(r->err, "EWOULDBLOCK") != 0;
}

/* The client's timeline head: its wire, and where its t_ms 0 is. */
static void read_head(struct sockx *sx, struct tour_diagram *d, const char *line)
{
	double t0, v;

	if (!tour_jv_num(line, "t0", &t0))
		return;
	d->head = true;
	d->base = t0 - sx->t0;
	tour_jv_bool(line, "wire", &d->wire);
	str_field(line, "iface", d->iface, sizeof(d->iface));
	str_field(line, "precision", d->precision, sizeof(d->precision));
	str_field(line, "why", d->why, sizeof(d->why));
	d->gap_us = tour_jv_num(line, "clock_gap_us", &v) ? v : EV_NAN;
	d->samples = (int)int_field(line, "clock_samples", 0);
}

/*
 * One row of the client's timeline: a call (its entry and return), a
 * packet, a fold. Returns and transfers are left out: the model derives
 * them again from the calls, now with the server's calls beside them.
 */
static void read_row(struct tour_diagram *d, const char *line)
{
	char kind[16], side[8], flags[48];
	struct tl_row r = { 0 };
	double t, e;

	str_field(line, "kind", kind, sizeof(kind));
	str_field(line, "side", side, sizeof(side));
	if (!tour_jv_num(line, "t_ms", &t))
		return;
	r.side = strcmp(side, "peer") == 0 ? TL_PEER : TL_SELF;
	r.t = d->base + t / 1000.0;
	r.t_end = tour_jv_num(line, "t_end_ms", &e) ? d->base + e / 1000.0 : EV_NAN;
	if (strcmp(kind, "call") == 0 || strcmp(kind, "enter") == 0) {
		if (!call_fields(line, &r))
			return;
	} else if (strcmp(kind, "packet") == 0) {
		r.kind = TL_PACKET;
		r.t_end = EV_NAN;
		str_field(line, "proto", r.proto, sizeof(r.proto));
		str_field(line, "flags", flags, sizeof(flags));
		str_field(line, "label", r.label, sizeof(r.label));
		r.flags = parse_flags(flags);
		r.seq = int_field(line, "seq", 0);
		r.len = int_field(line, "len", 0);
	} else if (strcmp(kind, "fold") == 0) {
		r.kind = TL_FOLD;
		r.packets = int_field(line, "packets", 0);
		r.calls = int_field(line, "calls", 0);
		r.bytes = int_field(line, "bytes", 0);
	} else {
		return;
	}
	if (dg_add(d))
		d->rows[d->n - 1] = r;
}

/*
 * A call on a netlink socket: the capture's route lookup (--verify), not
 * the exchange's; a client's own --timeline starts after it too. *nl:
 * the netlink socket's fd while it is open, else -1.
 */
static bool netlink_call(const struct tl_row *r, long *nl)
{
	if (strcmp(r->name, "socket") == 0 && strncmp(r->args, "AF_NETLINK,", 11) == 0) {
		*nl = r->ret;
		return true;
	}
	if (*nl < 0 || strtol(r->args, NULL, 10) != *nl)
		return false;
	if (strcmp(r->name, "close") == 0)
		*nl = -1;
	return true;
}

/* A "call" event of a child whose clock started at base (tour's clock). */
static void read_call(struct tour_diagram *d, const char *line, double base,
		      enum tl_side side, long *nl)
{
	struct tl_row r = { 0 };
	double t;

	if (!call_fields(line, &r) || netlink_call(&r, nl))
		return;
	r.side = side;
	r.t = tour_jv_num(line, "t_enter", &t) ? base + t : EV_NAN;
	r.t_end = tour_jv_num(line, "t_exit", &t) ? base + t : EV_NAN;
	if (isnan(r.t_end))
		return;		/* not a call the model can place */
	if (dg_add(d))
		d->rows[d->n - 1] = r;
}

struct reading {
	struct sockx *sx;
	struct tour_diagram *d;
	double base;		/* the child's clock on the tour's */
	enum tl_side side;
	bool timeline;		/* the client drew a timeline: read its rows */
	long netlink;		/* an open netlink socket's fd, or -1 */
};

static bool dg_line(const char *line, void *ctx)
{
	struct reading *g = ctx;

	if (line[0] != '{')
		return false;
	if (g->timeline && tour_jv_event(line, "timeline"))
		read_head(g->sx, g->d, line);
	else if (g->timeline && g->d->head && tour_jv_event(line, "timeline_row"))
		read_row(g->d, line);
	else if (!g->timeline && tour_jv_event(line, "call"))
		read_call(g->d, line, g->base, g->side, &g->netlink);
	return false;
}

void tour_diagram_collect(struct tour_run *u)
{
	struct tour_diagram *d = calloc(1, sizeof(*d));
	struct reading cli = { u->sx, d, u->cli.t0 - u->sx->t0, TL_SELF, u->client_tl, -1 };
	struct reading srv = { u->sx, d, u->srv.t0 - u->sx->t0, TL_PEER, false, -1 };

	if (!d)
		return;
	d->gap_us = EV_NAN;
	snprintf(d->client, sizeof(d->client), "%s", u->ccmd->name);
	tour_buf_lines(&u->cli.obuf, dg_line, &cli);
	if (cli.timeline && !d->head) {	/* it ended before its timeline began */
		cli.timeline = false;
		tour_buf_lines(&u->cli.obuf, dg_line, &cli);
	}
	if (u->scmd && u->srv.t0 > 0)
		tour_buf_lines(&u->srv.obuf, dg_line, &srv);
	tour_diagram_free(u->r->dg);
	u->r->dg = d;
}

/* The columns' heads: "client (tcp-client)", "server (tcp-server)". */
static void heads(const struct tour_cell *c, char *cmd, char *self, char *peer, size_t cap)
{
	snprintf(cmd, cap, "tour cell %s", c->name);
	snprintf(self, cap, "client (%s)", c->client);
	if (c->server)
		snprintf(peer, cap, "server (%s)", c->server);
	else
		snprintf(peer, cap, "the kernel answers itself");
}

/* The wire column: the client's capture, AF_UNIX's copies, or why none. */
static void set_wire(struct sockx *sx, const struct tour_cell *c, const struct tour_diagram *d)
{
	char why[200];

	if (c->family == AF_UNIX) {
		timeline_unix(sx, c->type != SOCK_STREAM);
	} else if (d->head) {
		timeline_wire(sx, d->wire ? d->iface : NULL, d->precision, d->gap_us,
			      d->samples, d->wire, d->why);
	} else {
		snprintf(why, sizeof(why), "sockx %s draws no timeline: its calls are "
			 "from its -v trace, its packets not drawn", d->client);
		timeline_wire(sx, NULL, NULL, EV_NAN, 0, false, why);
	}
}

/* The earliest row: the timeline's 0. */
static double first_t(const struct tour_diagram *d, double dflt)
{
	double t = INFINITY, x;
	size_t i;

	for (i = 0; i < d->n; i++) {
		x = isnan(d->rows[i].t) ? d->rows[i].t_end : d->rows[i].t;
		if (x < t)
			t = x;
	}
	return isinf(t) ? dflt : t;
}

/* The kept items as SVG, in memory; NULL when it could not be made. */
static char *svg_of(const struct timeline *tl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;

	if (!m)
		return NULL;
	rc = timeline_svg(tl, m);
	if (fclose(m) != 0 || rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void tour_diagram_draw(struct sockx *sx, const struct tour_opts *o,
		       const struct tour_cell *c, struct tour_result *r)
{
	struct tour_diagram *d = r->dg;
	char cmd[48], self[48], peer[48];
	struct timeline *tl;
	size_t i;

	r->dg = NULL;
	if (!d)
		return;
	heads(c, cmd, self, peer, sizeof(cmd));
	tl = timeline_new(sx, cmd, self, peer, o->timeline, NULL);	/* --html alone: kept */
	if (tl) {
		set_wire(sx, c, d);
		timeline_start(sx);
		/* rows read back are on the tour's clock: 0 is the cell's first */
		tl->start = first_t(d, tl->start);
		for (i = 0; i < d->n; i++)
			timeline_add(sx, &d->rows[i]);
		timeline_lost(sx, d->dropped);
		timeline_flush(sx, true);
		if (o->html)
			r->svg = svg_of(tl);
		timeline_free(sx);
	}
	tour_diagram_free(d);
}

void tour_diagram_free(struct tour_diagram *dg)
{
	if (!dg)
		return;
	free(dg->rows);
	free(dg);
}
