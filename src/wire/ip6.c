/* \summary: IPv6 header and extension-header walker, RFC 8200 */
#include <arpa/inet.h>

#include "ip6.h"

/* Extension headers that share the (next, length) layout, RFC 8200 4.x. */
static bool is_ext(uint8_t next)
{
	return next == 0 || next == 43 || next == 60 || next == 44;
}

enum wire_status ip6_parse(const uint8_t *pkt, size_t len,
			   struct ip6_header *h, struct rd *payload)
{
	struct rd r = rd_make(pkt, len), body;
	uint32_t vtf;
	size_t ext;
	int guard;
	bool trunc;

	memset(h, 0, sizeof(*h));
	*payload = rd_make(pkt, 0);
	vtf = rd_be32(&r);
	h->version = (uint8_t)(vtf >> 28);
	h->tclass = (uint8_t)(vtf >> 20);
	h->flow = vtf & 0xfffff;
	h->plen = rd_be16(&r);
	h->next = rd_u8(&r);
	h->hlim = rd_u8(&r);
	rd_copy(&r, h->src, 16);
	rd_copy(&r, h->dst, 16);
	if (r.short_read)
		return WIRE_TRUNC;
	if (h->version != 6)
		return WIRE_INVALID;
	trunc = h->plen > rd_left(&r);
	body = rd_sub(&r, trunc ? rd_left(&r) : h->plen);
	h->proto = h->next;
	for (guard = 0; is_ext(h->proto) && guard < 8; guard++) {
		uint8_t next = rd_u8(&body), hl = rd_u8(&body);

		/* Fragment: fixed 8 bytes; the others: (hl + 1) * 8 bytes. */
		ext = h->proto == 44 ? 8 : ((size_t)hl + 1) * 8;
		if (h->proto == 44)
			h->fragment = true;
		rd_skip(&body, ext - 2);
		if (body.short_read)
			return WIRE_TRUNC;
		h->proto = next;
	}
	if (is_ext(h->proto))
		return WIRE_INVALID;	/* a chain longer than any sane packet */
	*payload = rd_rest(&body);
	return trunc ? WIRE_TRUNC : WIRE_OK;
}

const char *ip6_str(const uint8_t a[16], char *buf, size_t len)
{
	if (!inet_ntop(AF_INET6, a, buf, (socklen_t)len) && len)
		buf[0] = '\0';
	return buf;
}
