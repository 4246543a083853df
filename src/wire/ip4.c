/* \summary: IPv4 header parser and builder, RFC 791 section 3.1 */
#include <stdio.h>

#include "csum.h"
#include "ip4.h"

enum wire_status ip4_parse(const uint8_t *pkt, size_t len,
			   struct ip4_header *h, struct rd *payload)
{
	struct rd r = rd_make(pkt, len);
	uint8_t vi;
	uint16_t frag;
	size_t end;

	memset(h, 0, sizeof(*h));
	*payload = rd_make(pkt, 0);
	vi = rd_u8(&r);
	h->version = vi >> 4;
	h->ihl = vi & 0x0f;
	h->tos = rd_u8(&r);
	h->total_len = rd_be16(&r);
	h->id = rd_be16(&r);
	frag = rd_be16(&r);
	h->df = frag & 0x4000;
	h->mf = frag & 0x2000;
	h->frag_off = frag & 0x1fff;
	h->ttl = rd_u8(&r);
	h->proto = rd_u8(&r);
	h->cksum = rd_be16(&r);
	rd_copy(&r, h->src, 4);
	rd_copy(&r, h->dst, 4);
	if (r.short_read)
		return WIRE_TRUNC;
	/* Check first, then compute: IHL and total length against what is here. */
	if (h->version != 4 || h->ihl < 5)
		return WIRE_INVALID;
	h->hdr_len = (size_t)h->ihl * 4;
	if (h->total_len < h->hdr_len)
		return WIRE_INVALID;
	if (h->hdr_len > len)
		return WIRE_TRUNC;
	end = h->total_len < len ? h->total_len : len;
	*payload = rd_make(pkt + h->hdr_len, end - h->hdr_len);
	return h->total_len > len ? WIRE_TRUNC : WIRE_OK;
}

bool ip4_cksum_ok(const uint8_t *pkt, size_t hdr_len)
{
	return csum_inet(pkt, hdr_len) == 0;
}

bool ip4_build(struct wr *w, struct ip4_header *h, size_t payload_len)
{
	size_t start = w->off;

	if (payload_len > IP4_MAX_PAYLOAD)
		return false;
	h->version = 4;
	h->ihl = 5;
	h->hdr_len = IP4_HDR_MIN;
	h->total_len = (uint16_t)(IP4_HDR_MIN + payload_len);
	wr_u8(w, 0x45);
	wr_u8(w, h->tos);
	wr_be16(w, h->total_len);
	wr_be16(w, h->id);
	wr_be16(w, (uint16_t)((h->df ? 0x4000 : 0) | (h->mf ? 0x2000 : 0) |
			      (h->frag_off & 0x1fff)));
	wr_u8(w, h->ttl);
	wr_u8(w, h->proto);
	wr_be16(w, 0);			/* checksum, filled in below */
	wr_bytes(w, h->src, 4);
	wr_bytes(w, h->dst, 4);
	if (w->overflow)
		return false;
	h->cksum = csum_inet(w->p + start, IP4_HDR_MIN);
	wr_be16_at(w, start + 10, h->cksum);
	return true;
}

const char *ip4_str(const uint8_t a[4], char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	return buf;
}
