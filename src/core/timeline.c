/* \summary: the timeline's model: calls and packets recorded, and its life (settled and folded in tl_settle.c) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "timeline.h"
#include "tl_draw.h"
#include "tl_settle.h"

struct timeline *timeline_new(struct sockx *sx, const char *command,
			      const char *self, const char *peer, bool print,
			      const char *svg)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->fold = tl_fold_new();
	if (!tl->fold) {
		free(tl);
		return NULL;
	}
	tl->gap_us = EV_NAN;
	tl->hold = EV_NAN;
	tl->last_ms = -INFINITY;
	snprintf(tl->command, sizeof(tl->command), "%s", command ? command : "");
	snprintf(tl->self, sizeof(tl->self), "%s", self ? self : "this process");
	snprintf(tl->peer, sizeof(tl->peer), "%s", peer ? peer : "");
	tl->print = print;
	tl->svg = svg;
	tl->color = sx->color_out && !sx->json;
	sx->timeline = tl;
	return tl;
}

void timeline_free(struct sockx *sx)
{
	struct timeline *tl = sx->timeline;

	if (!tl)
		return;
	free(tl->rows);
	free(tl->items);
	free(tl->fold);
	free(tl->ux);
	free(tl);
	sx->timeline = NULL;
}

/* A new pending row, or NULL at the cap (counted) or out of memory. */
static struct tl_row *add(struct timeline *tl)
{
	struct tl_row *v;
	size_t cap;

	if (tl->n == TIMELINE_MAX) {
		tl->dropped++;
		return NULL;
	}
	if (tl->n == tl->cap) {
		cap = tl->cap ? tl->cap * 2 : 64;
		v = realloc(tl->rows, cap * sizeof(*v));
		if (!v) {
			tl->dropped++;
			return NULL;
		}
		tl->rows = v;
		tl->cap = cap;
	}
	memset(&tl->rows[tl->n], 0, sizeof(tl->rows[0]));
	return &tl->rows[tl->n++];
}

/*
 * A non-blocking connect (sock_connect_any) is connect() = EINPROGRESS,
 * poll(), then getsockopt(SO_ERROR) ("connect(..: completed)" in the
 * trace): one connect to the reader, from its entry to the completion.
 * The connect is held back from settling until then (tl->hold).
 */
static bool merge_connect(struct timeline *tl, const char *args, long ret,
			  const char *err, double t_exit)
{
	size_t i;
	bool last = true;	/* the last call waiting (packets sort among them) */

	if (!strstr(args, ": completed"))
		return false;
	for (i = tl->n; i-- > 0;) {
		struct tl_row *r = &tl->rows[i];

		if (r->kind != TL_CALL)
			continue;
		if (strcmp(r->name, "poll") == 0 && last) {	/* the connect's own wait */
			memmove(r, r + 1, (tl->n - i - 1) * sizeof(*r));
			tl->n--;
			last = false;
			continue;
		}
		last = false;
		if (strcmp(r->name, "connect") == 0 && strcmp(r->err, "EINPROGRESS") == 0) {
			r->t_end = t_exit;
			r->ret = ret;
			snprintf(r->err, sizeof(r->err), "%s", err ? err : "");
			tl->hold = EV_NAN;
			return true;
		}
		break;
	}
	return false;
}

void timeline_start(struct sockx *sx)
{
	struct timeline *tl = sx->timeline;

	if (!tl || tl->recording)
		return;
	tl->recording = true;
	tl->start = sx_elapsed(sx);
	tl->calls_upto = tl->start;
}

void timeline_hold(struct sockx *sx, bool hold)
{
	struct timeline *tl = sx->timeline;

	if (!tl || !tl->recording)
		return;
	tl->hold = hold ? tl->start : EV_NAN;
	if (!hold)
		timeline_flush(sx, false);
}

void timeline_peer(struct sockx *sx, const char *peer)
{
	if (sx->timeline)
		snprintf(sx->timeline->peer, sizeof(sx->timeline->peer), "%s", peer);
}

void timeline_side(struct sockx *sx, enum tl_side side)
{
	if (sx->timeline)
		sx->timeline->side = side;
}

bool timeline_fd_side(struct sockx *sx, int fd, enum tl_side side)
{
	struct timeline *tl = sx->timeline;
	size_t i;

	if (!tl || fd < 0)
		return false;
	for (i = 0; i < tl->nfd_side; i++)
		if (tl->fd_side[i].fd == fd)
			break;
	if (i == TL_FD_SIDES)
		return false;
	tl->fd_side[i].fd = fd;
	tl->fd_side[i].side = side;
	if (i == tl->nfd_side)
		tl->nfd_side++;
	return true;
}

/*
 * Whose a call is: its descriptor's side (args "5, ..." as sock_trace
 * writes them), else timeline_side's. A close() ends the descriptor's.
 */
static enum tl_side side_of(struct timeline *tl, const char *name, const char *args)
{
	enum tl_side side = tl->side;
	char *end;
	long fd;
	size_t i;

	if (args[0] < '0' || args[0] > '9')
		return side;
	fd = strtol(args, &end, 10);
	if (*end != '\0' && *end != ',' && *end != ' ')
		return side;
	for (i = 0; i < tl->nfd_side; i++) {
		if (tl->fd_side[i].fd != fd)
			continue;
		side = tl->fd_side[i].side;
		if (strcmp(name, "close") == 0)	/* the number is free again */
			tl->fd_side[i] = tl->fd_side[--tl->nfd_side];
		break;
	}
	return side;
}

void timeline_call(struct sockx *sx, const char *name, const char *args,
		   long ret, const char *err, double t_enter, double t_exit,
		   const void *data, size_t len)
{
	struct timeline *tl = sx->timeline;
	enum tl_side side;
	struct tl_row *r;

	if (!tl || !tl->recording)
		return;
	tl->calls_upto = t_exit;
	if (strcmp(name, "connect") == 0 && merge_connect(tl, args, ret, err, t_exit)) {
		timeline_flush(sx, false);
		return;
	}
	side = side_of(tl, name, args);	/* before add: a close ends its fd's side */
	r = add(tl);
	if (r) {
		r->kind = TL_CALL;
		r->side = side;
		r->t = t_enter;
		r->t_end = t_exit;
		snprintf(r->name, sizeof(r->name), "%s", name);
		snprintf(r->args, sizeof(r->args), "%s", args);
		r->ret = ret;
		snprintf(r->err, sizeof(r->err), "%s", err ? err : "");
		r->data_n = data ? (unsigned)(len < TL_DATA ? len : TL_DATA) : 0;
		if (r->data_n)
			memcpy(r->data, data, r->data_n);
		if (strcmp(name, "connect") == 0 && err && strcmp(err, "EINPROGRESS") == 0)
			tl->hold = isnan(t_enter) ? t_exit : t_enter;
	}
	timeline_flush(sx, false);
}

void timeline_wire(struct sockx *sx, const char *iface, const char *precision,
		   double gap_us, int samples, bool trusted, const char *why)
{
	struct timeline *tl = sx->timeline;

	if (!tl)
		return;
	snprintf(tl->iface, sizeof(tl->iface), "%s", iface ? iface : "");
	snprintf(tl->precision, sizeof(tl->precision), "%s", precision ? precision : "");
	tl->gap_us = gap_us;
	tl->samples = samples;
	tl->wire = iface && trusted;
	snprintf(tl->why, sizeof(tl->why), "%s", why ? why : "");
}

void timeline_unix(struct sockx *sx, bool messages)
{
	struct timeline *tl = sx->timeline;

	if (!tl)
		return;
	if (!tl->ux)
		tl->ux = tl_unix_new(messages);
	tl->af_unix = tl->ux != NULL;
	tl->wire = false;
	snprintf(tl->why, sizeof(tl->why), "AF_UNIX: no packets; the kernel copies the "
		 "bytes from one socket to the other");
}

void timeline_source(struct sockx *sx, tl_pull pull, void *ctx)
{
	if (!sx->timeline)
		return;
	sx->timeline->pull = pull;
	sx->timeline->pull_ctx = ctx;
}

void timeline_packet(struct sockx *sx, const struct tl_row *p)
{
	struct timeline *tl = sx->timeline;
	struct tl_row *r;

	if (!tl || !tl->wire)
		return;
	r = add(tl);
	if (!r)
		return;
	*r = *p;
	r->kind = TL_PACKET;
	r->t_end = EV_NAN;
}

void timeline_lost(struct sockx *sx, size_t n)
{
	if (sx->timeline)
		sx->timeline->dropped += n;
}

void timeline_wire_dropped(struct sockx *sx, size_t n)
{
	if (sx->timeline)
		sx->timeline->wire_dropped += n;
}

void timeline_add(struct sockx *sx, const struct tl_row *r)
{
	struct timeline *tl = sx->timeline;
	struct tl_row *v;

	if (!tl)
		return;
	v = add(tl);
	if (v)
		*v = *r;
}

void timeline_idle(struct sockx *sx)
{
	struct timeline *tl = sx->timeline;

	if (!tl || !tl->recording)
		return;
	tl->calls_upto = sx_elapsed(sx);
	timeline_flush(sx, false);
}

int timeline_finish(struct sockx *sx, int rc)
{
	int v = EXIT_OK;

	if (!sx->timeline)
		return rc;
	timeline_flush(sx, true);
	if (sx->timeline->svg)	/* the whole run (a refused connect's too) */
		v = timeline_svg_file(sx, sx->timeline->svg);
	timeline_free(sx);
	return rc == EXIT_OK ? v : rc;
}
