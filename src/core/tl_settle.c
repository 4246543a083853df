/*
 * \summary: the timeline's settling: rows drawn once nothing earlier can
 * come, calls bracketing what released them, AF_UNIX transfers, bulk runs
 * folded
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "timeline.h"
#include "tl_draw.h"
#include "tl_settle.h"

/*
 * A bulk run in progress: its first TL_FOLD_HEAD items are drawn (and
 * the rest of a bracket they opened), the next ones held; once more than
 * HELD are held the oldest are counted into the fold; at the run's end
 * the fold is drawn (if it holds at least TL_FOLD_MIN items: else they
 * are drawn), then the last TL_FOLD_TAIL (less those of a bracket whose
 * entry was folded). A fold never cuts a bracket in two.
 */
#define HELD (TL_FOLD_MIN + TL_FOLD_TAIL)

struct tl_fold {
	size_t run;			/* bulk items in the run so far */
	struct tl_item held[HELD];	/* a ring */
	size_t nheld, first;
	struct tl_item sum;		/* the fold, once anything was folded */
	bool any;
	long long call_bytes;		/* bytes the folded calls moved */
};

/* AF_UNIX: where each side's recent sends began in its byte stream. */
#define XFER_RING 64

struct tl_sent {
	long long off, len;
	double t;			/* the send's entry */
};

struct tl_unix {
	bool messages;			/* dgram, seqpacket: a recv takes one send */
	struct tl_sent sent[2][XFER_RING];
	size_t nsent[2];		/* sends so far, per side */
	long long bytes[2];		/* bytes each side sent */
	long long taken[2];		/* bytes each side's recvs took */
	long long msgs_taken[2];	/* messages each side's recvs took */
};

struct tl_fold *tl_fold_new(void)
{
	return calloc(1, sizeof(struct tl_fold));
}

struct tl_unix *tl_unix_new(bool messages)
{
	struct tl_unix *u = calloc(1, sizeof(*u));

	if (u)
		u->messages = messages;
	return u;
}

static double t_of(const struct tl_row *r)
{
	return isnan(r->t) ? r->t_end : r->t;
}

/* When a pending row is settled by: its return, for a call. */
static double settles_at(const struct tl_row *r)
{
	return r->kind == TL_PACKET ? r->t : r->t_end;
}

static int by_row_time(const void *a, const void *b)
{
	double x = t_of(a), y = t_of(b);

	return x < y ? -1 : x > y;
}

static int rank(enum tl_what w)
{
	/* at one instant: entries and calls, then packets, then returns */
	return w == TLW_RETURN ? 2 : w == TLW_PACKET ? 1 : 0;
}

static int by_item_time(const void *a, const void *b)
{
	const struct tl_item *x = a, *y = b;

	if (x->t_ms != y->t_ms)
		return x->t_ms < y->t_ms ? -1 : 1;
	return rank(x->what) - rank(y->what);
}

/* The first of n sorted times at or after t. */
static size_t lower_bound(const double *v, size_t n, double t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The items of the k first rows (settled, sorted): a call brackets what
 * happened while it blocked: the packets in it, and, when both ends are
 * drawn (tour), the other side's calls in it (the send that released a
 * recv when no packet shows it: AF_UNIX, no capture).
 */
static size_t itemize(const struct timeline *tl, size_t k, struct tl_item *it)
{
	double *rel = malloc(2 * (k + 1) * sizeof(*rel)), *pt[2];
	size_t i, np[2] = { 0, 0 }, n = 0, s;

	if (!rel)
		return 0;
	pt[TL_SELF] = rel;		/* what can release a call of ours */
	pt[TL_PEER] = rel + k + 1;	/* ... and one of the peer's */
	for (i = 0; i < k; i++) {
		const struct tl_row *r = &tl->rows[i];

		if (r->kind == TL_PACKET || (r->kind == TL_CALL && r->side != TL_PEER))
			pt[TL_PEER][np[TL_PEER]++] = t_of(r);
		if (r->kind == TL_PACKET || (r->kind == TL_CALL && r->side != TL_SELF))
			pt[TL_SELF][np[TL_SELF]++] = t_of(r);
	}
	for (i = 0; i < k; i++) {
		const struct tl_row *r = &tl->rows[i];
		double t = (t_of(r) - tl->start) * 1000.0;
		double end = (r->t_end - tl->start) * 1000.0;
		size_t j;

		s = r->side == TL_PEER;
		if (r->kind == TL_PACKET) {
			it[n++] = (struct tl_item){ TLW_PACKET, t, EV_NAN, *r, { 0, 0 } };
		} else if (r->kind == TL_FOLD) {
			it[n++] = (struct tl_item){ TLW_FOLD, t, end, *r, { 0, 0 } };
		} else {
			j = isnan(r->t) ? np[s] : lower_bound(pt[s], np[s], r->t);
			if (j < np[s] && pt[s][j] <= r->t_end) {
				it[n++] = (struct tl_item){ TLW_ENTER, t, end, *r, { 0, 0 } };
				it[n++] = (struct tl_item){ TLW_RETURN, end, end, *r, { 0, 0 } };
			} else {
				it[n++] = (struct tl_item){ TLW_CALL, t, end, *r, { 0, 0 } };
			}
		}
	}
	free(rel);
	qsort(it, n, sizeof(*it), by_item_time);
	return n;
}

/* ------------------------------------------------------------ AF_UNIX */

static bool is_name(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(name, *names) == 0)
			return true;
	return false;
}

static bool is_send(const char *name)
{
	static const char *const v[] = { "send", "sendto", "sendmsg", "write", "writev", NULL };

	return is_name(name, v);
}

static bool is_recv(const char *name)
{
	static const char *const v[] = { "recv", "recvfrom", "recvmsg", "read", "readv", NULL };

	return is_name(name, v);
}

/* A send: where its bytes begin in its side's stream. */
static void unix_sent(struct tl_unix *u, const struct tl_row *r)
{
	int s = r->side;
	struct tl_sent *v = &u->sent[s][u->nsent[s] % XFER_RING];

	v->off = u->messages ? (long long)u->nsent[s] : u->bytes[s];
	v->len = r->ret;
	v->t = t_of(r);
	u->nsent[s]++;
	u->bytes[s] += r->ret;
}

/* A recv that took bytes: the transfer from the send that put its first byte. */
static bool unix_taken(struct tl_unix *u, const struct tl_row *r, struct tl_item *x)
{
	int from = r->side == TL_SELF ? TL_PEER : TL_SELF;
	long long at = u->messages ? u->msgs_taken[r->side] : u->taken[r->side];
	size_t i, n = u->nsent[from] < XFER_RING ? u->nsent[from] : XFER_RING;
	bool found = false;

	u->taken[r->side] += r->ret;
	u->msgs_taken[r->side]++;
	memset(x, 0, sizeof(*x));
	x->row.t = EV_NAN;
	for (i = 0; i < n; i++) {
		const struct tl_sent *s = &u->sent[from][i];

		if (u->messages ? s->off == at : at >= s->off && at < s->off + s->len) {
			x->row.t = s->t;
			found = true;
		}
	}
	x->what = TLW_XFER;
	x->row.side = from;
	x->row.kind = TL_CALL;
	x->row.len = r->ret;
	x->row.t_end = r->t_end;
	snprintf(x->row.proto, sizeof(x->row.proto), "AF_UNIX");
	return found;
}

/* ------------------------------------------------------------ folding */

static bool is_bulk(const struct tl_item *it)
{
	const struct tl_row *r = &it->row;

	switch (it->what) {
	case TLW_PACKET:
		if (strcmp(r->proto, "TCP") == 0)
			return !(r->flags & (TL_SYN | TL_FIN | TL_RST));
		return strcmp(r->proto, "UDP") == 0 || strncmp(r->label, "echo ", 5) == 0;
	case TLW_XFER:
		return true;
	case TLW_CALL: case TLW_ENTER: case TLW_RETURN:
		if (strcmp(r->name, "poll") == 0 || strcmp(r->name, "epoll_wait") == 0)
			return r->ret > 0;
		return r->ret > 0 && (is_send(r->name) || is_recv(r->name));
	case TLW_FOLD:
		return false;
	}
	return false;
}

/* An item goes into the fold's count. */
static void fold_count(struct tl_fold *f, const struct tl_item *it)
{
	struct tl_item *s = &f->sum;

	if (!f->any) {
		memset(s, 0, sizeof(*s));
		s->what = TLW_FOLD;
		s->t_ms = it->t_ms;
		s->row.kind = TL_FOLD;
		f->call_bytes = 0;
		f->any = true;
	}
	s->t_end_ms = it->t_ms;
	memcpy(s->open, it->open, sizeof(s->open));
	if (it->what == TLW_PACKET) {
		s->row.packets++;
		s->row.bytes += it->row.len;
	} else if (it->what == TLW_CALL || it->what == TLW_ENTER) {
		s->row.calls++;
		if (it->row.side == TL_SELF && is_send(it->row.name))
			f->call_bytes += it->row.ret;
	}
}

/* The oldest held item. */
static struct tl_item *oldest(struct tl_fold *f)
{
	struct tl_item *it = &f->held[f->first];

	f->first = (f->first + 1) % HELD;
	f->nheld--;
	return it;
}

/* The run ends: its fold, then its held tail; or, when short, all it held. */
static void fold_end(struct sockx *sx)
{
	struct tl_fold *f = sx->timeline->fold;

	if (f->any) {
		while (f->nheld > TL_FOLD_TAIL)
			fold_count(f, oldest(f));
		/* the tail starts outside any bracket: not a return whose entry was folded */
		while (f->nheld && (f->sum.open[TL_SELF] || f->sum.open[TL_PEER]))
			fold_count(f, oldest(f));
		if (!f->sum.row.packets)	/* no wire: the bytes the calls sent */
			f->sum.row.bytes = f->call_bytes;
		tl_draw_item(sx, &f->sum);
		sx->timeline->folds++;
	}
	while (f->nheld)
		tl_draw_item(sx, oldest(f));
	f->any = false;
	f->run = f->first = 0;
}

/* One item, in time order: drawn, held in a bulk run, or folded. */
static void fold_feed(struct sockx *sx, struct tl_item *it)
{
	struct timeline *tl = sx->timeline;
	struct tl_fold *f = tl->fold;

	bool inside = tl->open[TL_SELF] || tl->open[TL_PEER];

	if (it->what == TLW_ENTER)
		tl->open[it->row.side]++;
	else if (it->what == TLW_RETURN && tl->open[it->row.side] > 0)
		tl->open[it->row.side]--;
	memcpy(it->open, tl->open, sizeof(it->open));
	if (!is_bulk(it)) {
		fold_end(sx);
		tl_draw_item(sx, it);
		return;
	}
	/* the head, and then up to the end of a bracket it opened */
	if (f->run++ < TL_FOLD_HEAD || (inside && !f->nheld)) {
		tl_draw_item(sx, it);
		return;
	}
	if (f->nheld == HELD)	/* long enough: the oldest held is folded */
		fold_count(f, oldest(f));
	f->held[(f->first + f->nheld++) % HELD] = *it;
}

/* An item, and after a recv that took AF_UNIX bytes, its transfer. */
static void feed(struct sockx *sx, struct tl_item *it)
{
	struct timeline *tl = sx->timeline;
	const struct tl_row *r = &it->row;
	struct tl_item x;
	bool done = it->what == TLW_CALL || it->what == TLW_RETURN;
	bool start = it->what == TLW_CALL || it->what == TLW_ENTER;

	if (it->what == TLW_PACKET && it->t_ms < tl->last_ms) {
		tl->dropped++;	/* later than what was drawn after it: see behind() */
		return;
	}
	tl->last_ms = fmax(tl->last_ms, it->t_ms);
	if (tl->ux && start && r->ret > 0 && is_send(r->name))
		unix_sent(tl->ux, r);
	fold_feed(sx, it);
	if (tl->ux && done && r->ret > 0 && is_recv(r->name) &&
	    unix_taken(tl->ux, r, &x)) {
		x.t_ms = it->t_end_ms;
		x.t_end_ms = it->t_end_ms;
		fold_feed(sx, &x);
	}
}

/*
 * Moves the rows that have settled by upto (all, at the end) to the
 * front, in their order, and returns how many. A call settles at its
 * return, and nothing after its entry settles before it: its bracket
 * holds the packets between.
 */
static size_t settle(struct timeline *tl, bool at_end, double upto)
{
	struct tl_row *later;
	size_t i, k = 0, m = 0;

	if (at_end || !tl->n)
		return tl->n;
	/* a call that has not settled draws its entry before what follows it */
	for (i = 0; i < tl->n; i++)
		if (settles_at(&tl->rows[i]) > upto && t_of(&tl->rows[i]) < upto)
			upto = t_of(&tl->rows[i]);
	later = malloc((tl->n + 1) * sizeof(*later));
	if (!later)
		return 0;	/* out of memory: they settle at the end */
	for (i = 0; i < tl->n; i++) {
		if (settles_at(&tl->rows[i]) <= upto)
			tl->rows[k++] = tl->rows[i];
		else
			later[m++] = tl->rows[i];
	}
	memcpy(tl->rows + k, later, m * sizeof(*later));
	free(later);
	return k;
}

/*
 * The source has fallen far behind (the reader thread starved): rather
 * than lose the run's end at the cap, the older half of what waits
 * settles now. A packet that comes later than rows after it were drawn
 * is counted, not drawn out of order (feed).
 */
static double behind(struct timeline *tl)
{
	double t;

	if (tl->n < TIMELINE_MAX * 3 / 4)
		return -INFINITY;
	qsort(tl->rows, tl->n, sizeof(*tl->rows), by_row_time);
	t = t_of(&tl->rows[tl->n - TIMELINE_MAX / 2]);
	t = fmin(t, tl->calls_upto);
	return isnan(tl->hold) ? t : fmin(t, tl->hold);
}

void timeline_flush(struct sockx *sx, bool at_end)
{
	struct timeline *tl = sx->timeline;
	struct tl_item *it;
	double upto = INFINITY;
	size_t i, k, n;

	if (!tl || !tl->recording)
		return;
	if (tl->pull)
		upto = tl->pull(tl->pull_ctx, sx);
	if (!at_end) {
		upto = fmin(upto, tl->calls_upto);
		if (!isnan(tl->hold))
			upto = fmin(upto, tl->hold);
		upto = fmax(upto, behind(tl));
		if (upto <= tl->settled)	/* nothing new can settle */
			return;
		tl->settled = upto;
	}
	if (tl->n)	/* rows is NULL when none came */
		qsort(tl->rows, tl->n, sizeof(*tl->rows), by_row_time);
	k = settle(tl, at_end, upto);
	it = k ? malloc(2 * k * sizeof(*it)) : NULL;
	n = it ? itemize(tl, k, it) : 0;
	event_batch(true);
	for (i = 0; i < n; i++)
		feed(sx, &it[i]);
	event_batch(false);
	free(it);
	if (k) {	/* rows is NULL when none came */
		memmove(tl->rows, tl->rows + k, (tl->n - k) * sizeof(*tl->rows));
		tl->n -= k;
	}
	if (at_end) {
		fold_end(sx);
		tl_draw_end(sx);
		tl->recording = false;
	}
}
