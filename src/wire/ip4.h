/* \summary: the IPv4 header (RFC 791 3.1): parse and build */
#ifndef SOCKX_WIRE_IP4_H
#define SOCKX_WIRE_IP4_H

#include "buf.h"

#define IP4_HDR_MIN 20
#define IP4_MAX_PAYLOAD (65535 - IP4_HDR_MIN)

/* An IPv4 header, fields as numbers; addresses as on the wire. */
struct ip4_header {
	uint8_t version;	/* 4 */
	uint8_t ihl;		/* header length in 32-bit words, >= 5 */
	uint8_t tos;
	uint16_t total_len;	/* header and payload, in bytes */
	uint16_t id;
	bool df, mf;		/* don't fragment, more fragments */
	uint16_t frag_off;	/* in 8-byte units */
	uint8_t ttl;
	uint8_t proto;
	uint16_t cksum;		/* as found (parse) or computed (build) */
	uint8_t src[4], dst[4];
	size_t hdr_len;		/* ihl * 4 */
};

/*
 * Parses the IPv4 header at pkt (len bytes). On WIRE_OK (and WIRE_TRUNC,
 * when the header itself is whole) *payload covers the bytes after the
 * header, up to total_len or to the end of pkt, whichever comes first.
 * WIRE_INVALID: version not 4, IHL < 5, total length < header length.
 * WIRE_TRUNC: fewer bytes than IHL or total_len claim.
 */
enum wire_status ip4_parse(const uint8_t *pkt, size_t len,
			   struct ip4_header *h, struct rd *payload);

/* True if the header checksum over the hdr_len bytes at pkt is right. */
bool ip4_cksum_ok(const uint8_t *pkt, size_t hdr_len);

/*
 * Writes a 20-byte header (no options) from h into w: version 4, IHL 5,
 * total_len = 20 + payload_len, the checksum computed (and stored in
 * h->cksum). Returns false if w overflowed or payload_len is too big.
 */
bool ip4_build(struct wr *w, struct ip4_header *h, size_t payload_len);

/* "127.0.0.1" into buf (at least 16 bytes). */
const char *ip4_str(const uint8_t a[4], char *buf, size_t len);

#endif
