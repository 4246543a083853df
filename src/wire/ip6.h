/* \summary: the IPv6 header (RFC 8200 3) and its extension headers: parse */
#ifndef SOCKX_WIRE_IP6_H
#define SOCKX_WIRE_IP6_H

#include "buf.h"

#define IP6_HDR_LEN 40

struct ip6_header {
	uint8_t version;	/* 6 */
	uint8_t tclass;
	uint32_t flow;		/* 20 bits */
	uint16_t plen;		/* payload length, extension headers included */
	uint8_t next;		/* the first next-header value */
	uint8_t hlim;
	uint8_t src[16], dst[16];
	uint8_t proto;		/* the upper-layer protocol, past extensions */
	bool fragment;		/* a fragment header was seen */
};

/*
 * Parses the fixed header and walks hop-by-hop, routing, fragment and
 * destination-options headers (RFC 8200 4) to the upper layer, whose bytes
 * *payload covers (up to plen or the end of pkt). WIRE_INVALID: version
 * not 6; WIRE_TRUNC: fewer bytes than the headers or plen claim.
 */
enum wire_status ip6_parse(const uint8_t *pkt, size_t len,
			   struct ip6_header *h, struct rd *payload);

/* "::1" into buf (at least 46 bytes). */
const char *ip6_str(const uint8_t a[16], char *buf, size_t len);

#endif
