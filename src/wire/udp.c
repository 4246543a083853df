/* \summary: UDP header parser, RFC 768 */
#include "udp.h"

enum wire_status udp_parse(const uint8_t *d, size_t len,
			   struct udp_header *h, struct rd *payload)
{
	struct rd r = rd_make(d, len);

	memset(h, 0, sizeof(*h));
	*payload = rd_make(d, 0);
	h->sport = rd_be16(&r);
	h->dport = rd_be16(&r);
	h->len = rd_be16(&r);
	h->cksum = rd_be16(&r);
	if (r.short_read)
		return WIRE_TRUNC;
	/* Check first: the length field covers the header itself. */
	if (h->len < UDP_HDR_LEN)
		return WIRE_INVALID;
	if (h->len > len) {
		*payload = rd_rest(&r);
		return WIRE_TRUNC;
	}
	*payload = rd_sub(&r, (size_t)h->len - UDP_HDR_LEN);
	return WIRE_OK;
}
