/* \summary: datagram and raw-packet comparison, field names (RFC 791 3.1, RFC 792, RFC 4443) */
#include <errno.h>
#include <stdlib.h>

#include "capture.h"
#include "expect.h"
#include "stream.h"

#define MATCH_WINDOW 256	/* how far ahead a reordered message is looked for */

int capture_msg_set(struct capture_msg *m, int dir, const void *p, size_t n,
		    bool keep)
{
	memset(m, 0, sizeof(*m));
	m->dir = dir;
	m->len = n;
	m->hash = capture_fnv(CAPTURE_FNV_INIT, p, n);
	memcpy(m->head, p, n < MSG_HEAD ? n : MSG_HEAD);
	if (keep) {
		m->bytes = malloc(n ? n : 1);
		if (!m->bytes) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(m->bytes, p, n);
	}
	return 0;
}

void capture_msg_free(struct capture_msg *m)
{
	free(m->bytes);
	m->bytes = NULL;
}

static const char *icmp_field(size_t off)
{
	static const char *const names[] = {
		"type", "code", "checksum", "checksum",
		"identifier", "identifier", "sequence", "sequence",
	};

	return off < ARRAY_SIZE(names) ? names[off] : "data";
}

static size_t ip4_hlen(const uint8_t *p, size_t len)
{
	size_t h = len ? (size_t)(p[0] & 0x0f) * 4 : 0;

	return h < 20 ? 20 : h;
}

static const char *ip4_field(const uint8_t *p, size_t len, size_t off)
{
	static const char *const names[] = {
		"version/ihl", "tos", "total length", "total length", "id", "id",
		"flags/fragment offset", "flags/fragment offset", "ttl", "protocol",
		"header checksum", "header checksum", "source", "source", "source",
		"source", "destination", "destination", "destination", "destination",
	};
	size_t h = ip4_hlen(p, len);

	if (off < ARRAY_SIZE(names))
		return names[off];
	if (off < h)
		return "options";
	if (len > 9 && p[9] == 1)
		return icmp_field(off - h);
	return "payload";
}

const char *capture_field_name(enum capture_layout l, const uint8_t *p,
			       size_t len, size_t off)
{
	switch (l) {
	case LAYOUT_IP4: return ip4_field(p, len, off);
	case LAYOUT_ICMP: return icmp_field(off);
	default: return "data";
	}
}

/* The kernel-filled field of e (its KF_* flags) covering byte off, or NULL. */
static const struct kfield *kfilled_at(const struct capture_msg *e, const uint8_t *p,
				       size_t len, size_t off)
{
	bool ip = e->layout == LAYOUT_IP4;

	if (e->layout == LAYOUT_DATA)
		return NULL;
	return kfield_covering(e->flags, ip, ip ? ip4_hlen(p, len) : 0, off);
}

/* The wire's value of kernel-filled field f, for reports. */
static uint32_t kvalue(const struct kfield *f, const uint8_t *w, size_t wl, size_t l4)
{
	size_t at = (f->at == KF_AT_IP4 ? 0 : l4) + f->off, i;
	uint32_t v = 0;

	for (i = 0; i < f->len && at + i < wl; i++)
		v = v << 8 | w[at + i];
	return v;
}

/* Byte by byte over whole copies, skipping kernel-filled fields. */
static void cmp_bytes(const struct capture_msg *e, const uint8_t *w, size_t wl,
		      struct capture_diff *d)
{
	size_t i, n = e->len < wl ? e->len : wl;
	size_t l4 = e->layout == LAYOUT_IP4 ? ip4_hlen(e->bytes, e->len) : 0;
	const struct kfield *f;

	for (i = 0; i < n; i++) {
		if (e->bytes[i] == w[i])
			continue;
		f = kfilled_at(e, e->bytes, e->len, i);
		if (f) {
			d->kfilled |= f->bit;
			d->kval[__builtin_ctz(f->bit)] = kvalue(f, w, wl, l4);
			continue;
		}
		if (!d->off_known) {
			d->off_known = true;
			d->off = i;
			d->e = e->bytes[i];
			d->w = w[i];
		}
	}
	if (!d->off_known && e->len != wl) {
		d->off_known = true;	/* one is a prefix of the other */
		d->off = n;
	}
}

/* Head and hash only (UDP): exact within the head, else "after it". */
static void cmp_digest(const struct capture_msg *e, const struct capture_msg *w,
		       struct capture_diff *d)
{
	size_t i, n = e->len < w->len ? e->len : w->len;

	if (n > MSG_HEAD)
		n = MSG_HEAD;
	for (i = 0; i < n; i++) {
		if (e->head[i] != w->head[i]) {
			d->off_known = true;
			d->off = i;
			d->e = e->head[i];
			d->w = w->head[i];
			return;
		}
	}
	if (e->len != w->len || e->hash != w->hash)
		d->off = n;	/* somewhere at or after n: not known exactly */
}

bool capture_msg_cmp(const struct capture_msg *e, const struct capture_msg *w,
		     struct capture_diff *d)
{
	bool l4 = (e->flags & CAPTURE_RAW_L4) && w->bytes && w->l4_off <= w->len;
	const uint8_t *wp = w->bytes ? w->bytes + (l4 ? w->l4_off : 0) : NULL;

	memset(d, 0, sizeof(*d));
	d->elen = e->len;
	d->wlen = w->len - (l4 ? w->l4_off : 0);
	if (e->bytes && wp)
		cmp_bytes(e, wp, d->wlen, d);
	else
		cmp_digest(e, w, d);
	d->equal = !d->off_known && d->elen == d->wlen &&
		   (e->bytes && wp ? true : e->hash == w->hash);
	if (d->off_known)
		d->field = capture_field_name(e->layout, e->bytes ? e->bytes : e->head,
					      e->bytes ? e->len : MSG_HEAD, d->off);
	return d->equal;
}

size_t capture_msg_payload(const struct capture_msg *m)
{
	size_t h;

	switch (m->layout) {
	case LAYOUT_ICMP:
		return m->len > 8 ? m->len - 8 : 0;
	case LAYOUT_IP4:
		h = ip4_hlen(m->bytes ? m->bytes : m->head, m->len) + 8;
		return m->len > h ? m->len - h : 0;
	default:
		return m->len;
	}
}

/* The first wire message from j (within the window) equal to e, or m. */
static size_t find(const struct capture_msg *e, const struct capture_msg *const *w,
		   size_t j, size_t m, struct capture_diff *d)
{
	size_t k;

	for (k = j; k < m && k < j + MATCH_WINDOW; k++)
		if (capture_msg_cmp(e, w[k], d))
			return k;
	return m;
}

void capture_match_msgs(const struct capture_msg *const *e, size_t n,
			const struct capture_msg *const *w, size_t m,
			struct capture_match *r)
{
	struct capture_diff d;
	size_t i, j = 0, k;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		k = find(e[i], w, j, m, &d);
		if (k < m) {
			r->matched++;
			r->extra += k - j;
			r->bytes += capture_msg_payload(e[i]);
			if (d.kfilled && !r->kfilled)
				r->kdiff = d;
			r->kfilled |= d.kfilled;
			j = k + 1;
			continue;
		}
		if (r->missing++ == 0) {
			r->first_missing = i;
			r->have_diff = j < m;
			r->diff_wire = j;
			if (j < m)
				capture_msg_cmp(e[i], w[j], &r->d);
		}
	}
	r->extra += m - j;
}
