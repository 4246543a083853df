/*
 * \summary: stream digests and TCP reassembly (RFC 9293 3.4 sequence
 * numbers, modulo 2^32: offsets are kept in 64 bits relative to the ISN)
 */
#include <stdlib.h>

#include "stream.h"

#define FNV_PRIME 0x100000001b3ULL

uint64_t capture_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static void push_block(struct capture_digest *d)
{
	uint64_t *nb;
	size_t ncap;

	if (d->nblocks == d->cap) {
		ncap = d->cap ? d->cap * 2 : 64;
		nb = realloc(d->blocks, ncap * sizeof(*nb));
		if (!nb) {
			d->oom = true;
			return;
		}
		d->blocks = nb;
		d->cap = ncap;
	}
	d->blocks[d->nblocks++] = d->cur;
}

void capture_digest_add(struct capture_digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t room, take, h;

	while (n) {
		if (d->len % DIGEST_BLOCK == 0)
			d->cur = CAPTURE_FNV_INIT;	/* a new block starts */
		room = DIGEST_BLOCK - (size_t)(d->len % DIGEST_BLOCK);
		take = n < room ? n : room;
		if (d->len < DIGEST_HEAD) {
			h = DIGEST_HEAD - (size_t)d->len;
			memcpy(d->head + d->len, b, take < h ? take : h);
		}
		d->cur = capture_fnv(d->cur, b, take);
		d->len += take;
		b += take;
		n -= take;
		if (d->len % DIGEST_BLOCK == 0)
			push_block(d);
	}
}

void capture_digest_free(struct capture_digest *d)
{
	free(d->blocks);
	d->blocks = NULL;
	d->nblocks = d->cap = 0;
}

/* The head: exact bytes. */
static bool cmp_head(const struct capture_digest *a, const struct capture_digest *b,
		     uint64_t n, struct capture_mismatch *m)
{
	size_t i, h = n < DIGEST_HEAD ? (size_t)n : DIGEST_HEAD;

	for (i = 0; i < h; i++) {
		if (a->head[i] != b->head[i]) {
			m->differ = m->exact = true;
			m->off = i;
			m->end = i + 1;
			m->a = a->head[i];
			m->b = b->head[i];
			return true;
		}
	}
	return false;
}

bool capture_digest_cmp(const struct capture_digest *a,
			const struct capture_digest *b, uint64_t n,
			struct capture_mismatch *m)
{
	uint64_t k, whole = n / DIGEST_BLOCK;

	memset(m, 0, sizeof(*m));
	if (n > a->len || n > b->len)
		n = a->len < b->len ? a->len : b->len;
	if (cmp_head(a, b, n, m))
		return true;
	for (k = 0; k < whole && k < a->nblocks && k < b->nblocks; k++) {
		if (a->blocks[k] != b->blocks[k]) {
			m->differ = true;
			m->off = k * DIGEST_BLOCK;
			m->end = m->off + DIGEST_BLOCK;
			return true;
		}
	}
	/* The last partial block: comparable only as both streams' end. */
	if (n % DIGEST_BLOCK && n == a->len && n == b->len && a->cur != b->cur) {
		m->differ = true;
		m->off = whole * DIGEST_BLOCK;
		m->end = n;
	}
	return m->differ;
}

/* The stream offset of sequence number seq, nearest the current point. */
static int64_t stream_off(const struct capture_tcp_dir *d, uint32_t seq)
{
	uint32_t expect = d->isn + 1 + (uint32_t)d->nxt;

	return (int64_t)d->nxt + (int32_t)(seq - expect);
}

/*
 * The held segments: an AVL tree by offset (equal offsets to the right),
 * each node also keeping the greatest end in its subtree, so holding,
 * finding a segment that already covers new bytes, and releasing the
 * first are O(log n) however a hostile peer orders its segments.
 */
static int height(const struct tcp_held *s)
{
	return s ? s->height : 0;
}

static uint64_t max_end(const struct tcp_held *s)
{
	return s ? s->max_end : 0;
}

/* Recomputes s's height and max_end from its children. */
static void fix(struct tcp_held *s)
{
	int hl = height(s->left), hr = height(s->right);
	uint64_t e = s->off + s->len;

	s->height = (hl > hr ? hl : hr) + 1;
	if (max_end(s->left) > e)
		e = max_end(s->left);
	if (max_end(s->right) > e)
		e = max_end(s->right);
	s->max_end = e;
}

/* Rotates s's child on side right (or left) up in its place. */
static struct tcp_held *rotate(struct tcp_held *s, bool right)
{
	struct tcp_held *c = right ? s->right : s->left;

	if (right) {
		s->right = c->left;
		c->left = s;
	} else {
		s->left = c->right;
		c->right = s;
	}
	fix(s);
	fix(c);
	return c;
}

/* Restores the AVL balance at s after one of its subtrees changed. */
static struct tcp_held *balance(struct tcp_held *s)
{
	int b = height(s->right) - height(s->left);

	fix(s);
	if (b > 1) {
		if (height(s->right->left) > height(s->right->right))
			s->right = rotate(s->right, false);
		return rotate(s, true);
	}
	if (b < -1) {
		if (height(s->left->right) > height(s->left->left))
			s->left = rotate(s->left, true);
		return rotate(s, false);
	}
	return s;
}

static struct tcp_held *insert(struct tcp_held *t, struct tcp_held *s)
{
	if (!t)
		return s;
	if (s->off < t->off)
		t->left = insert(t->left, s);
	else
		t->right = insert(t->right, s);
	return balance(t);
}

/* Takes the first segment (least offset) out of t into *first. */
static struct tcp_held *remove_first(struct tcp_held *t, struct tcp_held **first)
{
	if (!t->left) {
		*first = t;
		return t->right;
	}
	t->left = remove_first(t->left, first);
	return balance(t);
}

/* Whether a held segment starts at or before off and ends at or after end. */
static bool covered(const struct tcp_held *t, uint64_t off, uint64_t end)
{
	while (t) {
		if (t->off > off) {
			t = t->left;
			continue;
		}
		/* t and all of its left subtree start at or before off. */
		if (t->off + t->len >= end || max_end(t->left) >= end)
			return true;
		t = t->right;
	}
	return false;
}

static const struct tcp_held *first_held(const struct tcp_held *t)
{
	while (t && t->left)
		t = t->left;
	return t;
}

/* Holds a copy of a segment that came ahead of a hole, while the caps allow. */
static void hold(struct capture_tcp_dir *d, uint64_t off, const uint8_t *p, size_t n)
{
	struct tcp_held *s;

	if (covered(d->held, off, off + n))
		return;		/* a retransmission of held bytes */
	s = d->held_bytes + n > TCP_OOO_MAX || d->held_segs >= TCP_OOO_SEGS ? NULL :
	    malloc(sizeof(*s) + n);
	if (!s) {
		d->overflow = true;
		return;
	}
	memset(s, 0, sizeof(*s));
	s->off = off;
	s->len = n;
	memcpy(s->data, p, n);
	fix(s);
	d->held = insert(d->held, s);
	d->held_bytes += n;
	d->held_segs++;
	d->ooo++;
}

/* Takes bytes [off, off + n) with off <= nxt: what is new goes in. */
static void take(struct capture_tcp_dir *d, uint64_t off, const uint8_t *p, size_t n)
{
	uint64_t skip = d->nxt - off;

	if (off + n <= d->nxt)
		return;
	capture_digest_add(&d->dg, p + skip, n - (size_t)skip);
	d->nxt = off + n;
}

/* Held segments that the hole's filling made contiguous go in. */
static void release(struct capture_tcp_dir *d)
{
	struct tcp_held *s;

	while (d->held && first_held(d->held)->off <= d->nxt) {
		d->held = remove_first(d->held, &s);
		d->held_bytes -= s->len;
		d->held_segs--;
		take(d, s->off, s->data, s->len);
		free(s);
	}
}

static void data_in(struct capture_tcp_dir *d, int64_t off, const uint8_t *p, size_t n)
{
	if (off < 0) {		/* bytes before the stream began: never ours */
		if ((uint64_t)-off >= n)
			return;
		p += -off;
		n -= (size_t)-off;
		off = 0;
	}
	d->data_segs++;
	if ((uint64_t)off < d->nxt)
		d->retrans++;	/* all or part of it came before */
	if ((uint64_t)off > d->nxt) {
		hold(d, (uint64_t)off, p, n);
		return;
	}
	take(d, (uint64_t)off, p, n);
	release(d);
}

/* What an ACK in direction dir acknowledges of the other direction. */
static void acked(struct capture_tcp_flow *f, int dir, uint32_t ack)
{
	struct capture_tcp_dir *o = &f->d[!dir];
	uint32_t fin_seq;

	if (dir == 0 && f->synack && (int32_t)(ack - (o->isn + 1)) >= 0)
		f->hs_ack = true;
	if (o->fin) {
		fin_seq = o->isn + 1 + (uint32_t)o->fin_off;
		if ((int32_t)(ack - (fin_seq + 1)) >= 0)
			o->fin_acked = true;
	}
}

static void syn_seen(struct capture_tcp_flow *f, int dir, const struct tcp_header *h)
{
	struct capture_tcp_dir *d = &f->d[dir];

	if (!d->syn && d->nxt == 0 && !d->held) {
		d->syn = d->started = true;
		d->isn = h->seq;
	}
	if (dir == 1 && (h->flags & TCPF_ACK) && f->d[0].syn &&
	    h->ack == f->d[0].isn + 1)
		f->synack = true;
}

void capture_tcp_segment(struct capture_tcp_flow *f, int dir,
			 const struct tcp_header *h, const uint8_t *data,
			 size_t n)
{
	struct capture_tcp_dir *d = &f->d[dir];
	bool syn = h->flags & TCPF_SYN;
	int64_t off;

	d->pkts++;
	if (h->flags & TCPF_RST)
		d->rst = true;
	if (syn)
		syn_seen(f, dir, h);
	if (!d->started) {	/* joined mid-stream: start at this segment */
		d->started = true;
		d->isn = h->seq - 1;
	}
	if (h->flags & TCPF_ACK)
		acked(f, dir, h->ack);
	off = stream_off(d, h->seq + (syn ? 1 : 0));
	if (n && !(h->flags & TCPF_RST))
		data_in(d, off, data, n);
	if ((h->flags & TCPF_FIN) && off + (int64_t)n >= 0) {
		d->fin = true;
		d->fin_off = (uint64_t)off + n;
	}
}

uint64_t capture_tcp_hole(const struct capture_tcp_dir *d, uint64_t *at)
{
	*at = d->nxt;
	return d->held ? first_held(d->held)->off - d->nxt : 0;
}

bool capture_tcp_done(const struct capture_tcp_flow *f)
{
	if (f->d[0].rst || f->d[1].rst)
		return true;
	return f->d[0].fin && f->d[0].fin_acked && f->d[1].fin && f->d[1].fin_acked;
}

/* Frees a tree of held segments (its depth is O(log n): AVL). */
static void free_held(struct tcp_held *t)
{
	if (!t)
		return;
	free_held(t->left);
	free_held(t->right);
	free(t);
}

void capture_tcp_free(struct capture_tcp_flow *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		free_held(f->d[i].held);
		f->d[i].held = NULL;
		f->d[i].held_bytes = f->d[i].held_segs = 0;
		capture_digest_free(&f->d[i].dg);
	}
}
