/* \summary: the UDP header (RFC 768): parse */
#ifndef SOCKX_WIRE_UDP_H
#define SOCKX_WIRE_UDP_H

#include "buf.h"

#define UDP_HDR_LEN 8

struct udp_header {
	uint16_t sport, dport;
	uint16_t len;		/* header and data, as the header says */
	uint16_t cksum;		/* 0: none (IPv4 only, RFC 768) */
};

/*
 * Parses the UDP datagram at d (len bytes: the IP payload). *payload
 * covers the data: the header's length minus 8, or what is here when
 * fewer bytes came (then WIRE_TRUNC). WIRE_INVALID: a length field
 * below 8. Bytes past the length field (IP padding) are not payload.
 */
enum wire_status udp_parse(const uint8_t *d, size_t len,
			   struct udp_header *h, struct rd *payload);

#endif
