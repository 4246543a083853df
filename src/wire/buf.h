/*
 * \summary: bounds-checked cursors over packet bytes: every byte from the
 * network is hostile. A read past the end returns 0 and sets a sticky
 * flag that the parser checks where it decides (tcpdump's GET_BE_U_2 and
 * ndo_snapend, without the longjmp).
 */
#ifndef SOCKX_WIRE_BUF_H
#define SOCKX_WIRE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* What a parser says of a packet. */
enum wire_status {
	WIRE_OK,
	WIRE_TRUNC,	/* fewer bytes than the header claims */
	WIRE_INVALID,	/* impossible values */
};

/* A reader: off <= len always holds. */
struct rd {
	const uint8_t *p;
	size_t len, off;
	bool short_read;
};

static inline struct rd rd_make(const void *p, size_t len)
{
	struct rd r = { p, len, 0, false };

	return r;
}

static inline size_t rd_left(const struct rd *r)
{
	return r->len - r->off;
}

/* Fails the read of n bytes: the flag is set and the cursor at the end. */
static inline bool rd_need(struct rd *r, size_t n)
{
	if (rd_left(r) < n) {
		r->short_read = true;
		r->off = r->len;
		return false;
	}
	return true;
}

static inline uint8_t rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return r->p[r->off++];
}

static inline uint16_t rd_be16(struct rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	r->off += 2;
	return (uint16_t)(r->p[r->off - 2] << 8 | r->p[r->off - 1]);
}

static inline uint32_t rd_be32(struct rd *r)
{
	uint32_t v;

	if (!rd_need(r, 4))
		return 0;
	v = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
	    (uint32_t)r->p[r->off + 2] << 8 | r->p[r->off + 3];
	r->off += 4;
	return v;
}

/* Copies n bytes out (zeros on a short read). */
static inline void rd_copy(struct rd *r, void *out, size_t n)
{
	if (!rd_need(r, n)) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p + r->off, n);
	r->off += n;
}

static inline void rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		r->off += n;
}

/* A sub-cursor over the next n bytes (short: as many as there are). */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s;

	if (rd_left(r) < n) {
		r->short_read = true;
		n = rd_left(r);
	}
	s = rd_make(r->p + r->off, n);
	r->off += n;
	return s;
}

/* The rest of r as a sub-cursor. */
static inline struct rd rd_rest(struct rd *r)
{
	return rd_sub(r, rd_left(r));
}

/* A writer with a sticky overflow flag; fields are filled in later by offset. */
struct wr {
	uint8_t *p;
	size_t cap, off;
	bool overflow;
};

static inline struct wr wr_make(void *p, size_t cap)
{
	struct wr w = { p, cap, 0, false };

	return w;
}

static inline bool wr_room(struct wr *w, size_t n)
{
	if (w->cap - w->off < n) {
		w->overflow = true;
		w->off = w->cap;
		return false;
	}
	return true;
}

static inline void wr_u8(struct wr *w, uint8_t v)
{
	if (wr_room(w, 1))
		w->p[w->off++] = v;
}

static inline void wr_be16(struct wr *w, uint16_t v)
{
	if (!wr_room(w, 2))
		return;
	w->p[w->off++] = (uint8_t)(v >> 8);
	w->p[w->off++] = (uint8_t)v;
}

static inline void wr_be32(struct wr *w, uint32_t v)
{
	wr_be16(w, (uint16_t)(v >> 16));
	wr_be16(w, (uint16_t)v);
}

static inline void wr_bytes(struct wr *w, const void *p, size_t n)
{
	if (!wr_room(w, n))
		return;
	memcpy(w->p + w->off, p, n);
	w->off += n;
}

/* Overwrites a 16-bit field at off, already written (no-op past the end). */
static inline void wr_be16_at(struct wr *w, size_t off, uint16_t v)
{
	if (off + 2 > w->off)
		return;
	w->p[off] = (uint8_t)(v >> 8);
	w->p[off + 1] = (uint8_t)v;
}

#endif
