/* \summary: unit tests of the timeline's model: settling in time order, brackets, folds, transfers, the cap */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/timeline.h"
#include "unit.h"

/* A packet source that hands over what it was given, up to a watermark. */
struct fake {
	struct tl_row pk[64];
	size_t n, given;
	double upto;		/* s since start */
	double start;
};

static double fake_pull(void *ctx, struct sockx *sx)
{
	struct fake *f = ctx;

	for (; f->given < f->n && f->pk[f->given].t <= f->start + f->upto; f->given++)
		timeline_packet(sx, &f->pk[f->given]);
	return f->start + f->upto;
}

static void packet(struct fake *f, double t, enum tl_side side, uint8_t flags, long long len)
{
	struct tl_row *r = &f->pk[f->n++];

	memset(r, 0, sizeof(*r));
	r->kind = TL_PACKET;
	r->side = side;
	r->t = f->start + t;
	r->flags = flags;
	r->len = len;
	strcpy(r->proto, "TCP");
}

static struct timeline *setup(struct sockx *sx)
{
	struct timeline *tl;

	memset(sx, 0, sizeof(*sx));
	sx->cmd = "t";
	sx->t0 = now_mono();
	tl = timeline_new(sx, "test", "self", "peer", false, NULL);	/* kept, not printed */
	if (!tl)
		return NULL;
	timeline_start(sx);
	return tl;
}

static void call(struct sockx *sx, const char *name, long ret, const char *err,
		 double t, double t_end)
{
	double s = sx->timeline->start;

	timeline_call(sx, name, "3", ret, err, s + t, s + t_end, NULL, 0);
}

static bool in_order(const struct timeline *tl)
{
	size_t i;

	for (i = 1; i < tl->nitems; i++)
		if (tl->items[i].t_ms < tl->items[i - 1].t_ms)
			return false;
	return true;
}

/* A call that blocked while packets crossed brackets them, even when they come late. */
static void test_settle(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	struct fake f = { .upto = 0.0005 };

	CHECK(tl != NULL);
	if (!tl)
		return;
	f.start = tl->start;
	timeline_wire(&sx, "lo", "ns", 0.04, 16, true, NULL);
	timeline_source(&sx, fake_pull, &f);
	packet(&f, 0.002, TL_SELF, TL_SYN, 0);
	packet(&f, 0.003, TL_PEER, TL_SYN | TL_ACK, 0);
	call(&sx, "socket", 3, NULL, 0.0001, 0.0002);
	CHECK(tl->nitems == 1);			/* settled: nothing can come before it */
	call(&sx, "connect", -1, "EINPROGRESS", 0.001, 0.0011);
	f.upto = 0.0025;	/* the SYN is handed over at the poll: after it */
	call(&sx, "poll", 1, NULL, 0.0012, 0.0035);
	CHECK(tl->nitems == 1);			/* held: the connect is in progress */
	f.upto = 0.0005;
	timeline_call(&sx, "connect", "3, x: completed", 0, NULL, EV_NAN, tl->start + 0.004,
		      NULL, 0);
	CHECK(tl->nitems == 1);			/* its packets have not come yet */
	f.upto = 0.01;
	call(&sx, "close", 0, NULL, 0.005, 0.0051);
	timeline_source(&sx, NULL, NULL);
	timeline_flush(&sx, true);
	CHECK(tl->nitems == 6);
	if (tl->nitems == 6) {
		CHECK(tl->items[1].what == TLW_ENTER && !strcmp(tl->items[1].row.name, "connect"));
		CHECK(tl->items[2].what == TLW_PACKET && tl->items[2].row.side == TL_SELF);
		CHECK(tl->items[3].what == TLW_PACKET && tl->items[3].row.side == TL_PEER);
		CHECK(tl->items[4].what == TLW_RETURN && tl->items[4].row.ret == 0);
		CHECK(tl->items[5].what == TLW_CALL && !strcmp(tl->items[5].row.name, "close"));
		CHECK(tl->items[2].open[TL_SELF] == 1 && tl->items[5].open[TL_SELF] == 0);
	}
	CHECK(in_order(tl));
	timeline_free(&sx);
}

/* A long run: its head and tail drawn, its middle one fold; a short one is not folded. */
static void test_fold(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	size_t i, folds = 0;

	CHECK(tl != NULL);
	if (!tl)
		return;
	for (i = 0; i < 1000; i++)
		call(&sx, i % 2 ? "recv" : "send", 10, NULL, i * 1e-5, i * 1e-5 + 5e-6);
	call(&sx, "close", 0, NULL, 0.02, 0.021);
	timeline_flush(&sx, true);
	CHECK(tl->nitems == TL_FOLD_HEAD + 1 + TL_FOLD_TAIL + 1);
	for (i = 0; i < tl->nitems; i++)
		if (tl->items[i].what == TLW_FOLD) {
			folds++;
			CHECK(tl->items[i].row.calls == 1000 - TL_FOLD_HEAD - TL_FOLD_TAIL);
			/* the sends among calls 6 to 996: 496 of 10 bytes */
			CHECK(tl->items[i].row.bytes == 4960);
		}
	CHECK(folds == 1 && tl->folds == 1);
	CHECK(tl->cap <= 64);			/* nothing waited: memory stayed small */
	CHECK(in_order(tl));
	timeline_free(&sx);

	tl = setup(&sx);
	if (!tl)
		return;
	for (i = 0; i < TL_FOLD_HEAD + TL_FOLD_MIN + TL_FOLD_TAIL - 1; i++)
		call(&sx, "send", 1, NULL, i * 1e-5, i * 1e-5 + 5e-6);
	timeline_flush(&sx, true);
	CHECK(tl->nitems == TL_FOLD_HEAD + TL_FOLD_MIN + TL_FOLD_TAIL - 1 && tl->folds == 0);
	timeline_free(&sx);
}

/* A fold never cuts a bracket: every return drawn has its entry drawn. */
static void test_fold_brackets(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	struct fake f = { .upto = 1 };
	size_t i, j, runs;

	CHECK(tl != NULL);
	if (!tl)
		return;
	f.start = tl->start;
	timeline_wire(&sx, "lo", "ns", 0.04, 16, true, NULL);
	timeline_source(&sx, fake_pull, &f);
	for (runs = 0; runs < 2; runs++) {	/* folds of odd and even length */
		for (i = 0; i < 30 + runs; i++) {	/* each send brackets its segment */
			double t = 0.1 * (double)runs + (double)i * 1e-4;

			packet(&f, t + 2e-5, TL_SELF, TL_ACK, 10);	/* 4 items a send */
			packet(&f, t + 3e-5, TL_PEER, TL_ACK, 0);
			call(&sx, "send", 10, NULL, t, t + 5e-5);
			f.n = f.given = 0;
		}
		call(&sx, "close", 0, NULL, 0.1 * (double)runs + 0.05, 0.1 * (double)runs + 0.0501);
	}
	timeline_source(&sx, NULL, NULL);
	timeline_flush(&sx, true);
	CHECK(tl->folds == 2);
	for (i = 0; i < tl->nitems; i++) {
		if (tl->items[i].what != TLW_RETURN)
			continue;
		for (j = i; j-- > 0;)
			if (tl->items[j].what == TLW_ENTER && tl->items[j].row.t == tl->items[i].row.t)
				break;
		CHECK(j < i);	/* found */
		CHECK(j < i && i == j + 3);	/* both packets inside */
	}
	CHECK(in_order(tl));
	timeline_free(&sx);
}

/* AF_UNIX: a recv's transfer starts at the send that put its first byte. */
static void test_unix(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	size_t i, x = 0;

	CHECK(tl != NULL);
	if (!tl)
		return;
	timeline_unix(&sx, false);
	call(&sx, "send", 3, NULL, 0.001, 0.0011);
	call(&sx, "send", 4, NULL, 0.002, 0.0021);
	timeline_side(&sx, TL_PEER);
	call(&sx, "recv", 2, NULL, 0.003, 0.0031);	/* bytes 0-1: the first send */
	call(&sx, "recv", 5, NULL, 0.004, 0.0041);	/* bytes 2-6: starts in the first */
	timeline_side(&sx, TL_SELF);
	timeline_flush(&sx, true);
	for (i = 0; i < tl->nitems; i++) {
		const struct tl_item *it = &tl->items[i];

		if (it->what != TLW_XFER)
			continue;
		x++;
		CHECK(it->row.side == TL_SELF && fabs(it->row.t - (tl->start + 0.001)) < 1e-9);
		CHECK(i > 0 && tl->items[i - 1].row.side == TL_PEER);
	}
	CHECK(x == 2);
	CHECK(in_order(tl));
	timeline_free(&sx);
}

/* A source stuck behind: the older half settles at 3/4 of the cap; a late packet is counted. */
static double stuck_pull(void *ctx, struct sockx *sx)
{
	struct tl_row *r = ctx;

	if (r->t > 0)
		timeline_packet(sx, r);
	r->t = EV_NAN;
	return 0;
}

static void test_behind(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	struct tl_row p = { .kind = TL_PACKET, .len = 10 };
	size_t i, most = 0;

	CHECK(tl != NULL);
	if (!tl)
		return;
	strcpy(p.proto, "TCP");
	timeline_wire(&sx, "lo", "ns", 0.04, 16, true, NULL);
	timeline_source(&sx, stuck_pull, &p);
	for (i = 0; i < 3000; i++) {
		p.t = tl->start + i * 1e-5 + 1e-6;	/* one packet a call, never settled by it */
		call(&sx, "send", 10, NULL, i * 1e-5, i * 1e-5 + 5e-6);
		most = tl->n > most ? tl->n : most;
	}
	CHECK(most < TIMELINE_MAX && tl->dropped == 0);
	CHECK(tl->nitems > 0);			/* drawn as it went */
	p.t = tl->start + 1e-6;			/* long drawn: late */
	call(&sx, "close", 0, NULL, 0.05, 0.051);
	timeline_source(&sx, NULL, NULL);
	timeline_flush(&sx, true);
	CHECK(tl->dropped == 1);
	CHECK(in_order(tl));
	timeline_free(&sx);
}

/*
 * Both ends drawn, no wire (tour, read back): a recv that blocked while
 * the peer's send ran is a bracket around it, so its result is drawn
 * after the send; a call that overlapped nothing stays one line.
 */
static void test_two_sides(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	struct tl_row r = { .kind = TL_CALL, .side = TL_SELF };
	size_t i, enter = 0, ret = 0, send = 0, lines = 0;

	CHECK(tl != NULL);
	if (!tl)
		return;
	strcpy(r.name, "recv");
	r.ret = 5;
	r.t = tl->start + 0.001;
	r.t_end = tl->start + 0.004;
	timeline_add(&sx, &r);
	r.side = TL_PEER;
	strcpy(r.name, "send");
	r.t = tl->start + 0.002;
	r.t_end = tl->start + 0.0021;
	timeline_add(&sx, &r);
	r.side = TL_SELF;
	strcpy(r.name, "close");
	r.ret = 0;
	r.t = tl->start + 0.005;
	r.t_end = tl->start + 0.0051;
	timeline_add(&sx, &r);
	timeline_flush(&sx, true);
	for (i = 0; i < tl->nitems; i++) {
		const struct tl_item *it = &tl->items[i];

		if (it->what == TLW_ENTER && !strcmp(it->row.name, "recv"))
			enter = i + 1;
		else if (it->what == TLW_RETURN && !strcmp(it->row.name, "recv"))
			ret = i + 1;
		else if (!strcmp(it->row.name, "send"))
			send = i + 1;
		lines += it->what == TLW_CALL;
	}
	CHECK(enter && send && ret && enter < send && send < ret);
	CHECK(lines == 2);	/* the send and the close */
	CHECK(in_order(tl));
	timeline_free(&sx);
}

/*
 * A descriptor's side (a lab's server end): its calls are the peer's
 * whatever timeline_side says, until its close(); "53" is not fd 5, and
 * a call without a descriptor first (socket) keeps timeline_side's.
 */
static void test_fd_side(void)
{
	static const struct { const char *name, *args; enum tl_side side; } want[] = {
		{ "socket", "AF_INET, SOCK_STREAM, IPPROTO_TCP", TL_SELF },
		{ "accept4", "5, 127.0.0.1:40000", TL_PEER },
		{ "send", "53, 3 bytes, MSG_NOSIGNAL", TL_SELF },
		{ "recv", "5, 3, 0", TL_PEER },
		{ "close", "5", TL_PEER },
		{ "recv", "5, 3, 0", TL_SELF },	/* the number, reused */
	};
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	size_t i;

	CHECK(tl != NULL);
	if (!tl)
		return;
	CHECK(timeline_fd_side(&sx, 5, TL_PEER));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		timeline_call(&sx, want[i].name, want[i].args, 0, NULL,
			      tl->start + i * 1e-3, tl->start + i * 1e-3 + 1e-4, NULL, 0);
	for (i = 0; i < TL_FD_SIDES; i++)
		timeline_fd_side(&sx, 100 + (int)i, TL_PEER);
	CHECK(!timeline_fd_side(&sx, 99, TL_PEER));	/* full */
	CHECK(timeline_fd_side(&sx, 100, TL_SELF));	/* a change is not a new one */
	timeline_flush(&sx, true);
	CHECK(tl->nitems == ARRAY_SIZE(want));
	for (i = 0; i < tl->nitems && i < ARRAY_SIZE(want); i++)
		CHECK(tl->items[i].row.side == want[i].side);
	timeline_free(&sx);
}

/* Rows that cannot settle are kept up to TIMELINE_MAX, the rest counted. */
static void test_cap(void)
{
	struct sockx sx;
	struct timeline *tl = setup(&sx);
	struct tl_row r = { .kind = TL_CALL, .ret = 0 };
	size_t i;

	CHECK(tl != NULL);
	if (!tl)
		return;
	strcpy(r.name, "x");
	for (i = 0; i < TIMELINE_MAX + 10; i++) {
		r.t = tl->start + (double)i * 1e-6;
		r.t_end = r.t;
		timeline_add(&sx, &r);
	}
	CHECK(tl->n == TIMELINE_MAX && tl->dropped == 10);
	timeline_flush(&sx, true);
	CHECK(tl->nitems == TIMELINE_MAX && tl->n == 0);
	timeline_free(&sx);
}

int main(void)
{
	test_settle();
	test_fold();
	test_fold_brackets();
	test_unix();
	test_two_sides();
	test_fd_side();
	test_cap();
	test_behind();
	UNIT_DONE("timeline");
}
