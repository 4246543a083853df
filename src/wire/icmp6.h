/*
 * \summary: ICMPv6 (RFC 4443): echo build and parse, and the error
 * messages with the quoted invoking packet
 */
#ifndef SOCKX_WIRE_ICMP6_H
#define SOCKX_WIRE_ICMP6_H

#include "buf.h"
#include "ip6.h"

#define ICMP6_HDR_LEN 8

/* RFC 4443 2.1: errors have the high bit of the type clear. */
enum {
	ICMP6_UNREACH = 1,
	ICMP6_TOOBIG = 2,
	ICMP6_TIMXCEED = 3,
	ICMP6_PARAMPROB = 4,
	ICMP6_ECHO = 128,
	ICMP6_ECHOREPLY = 129,
};

/* One ICMPv6 message; the 4 bytes after the checksum both ways, as in
 * struct icmp4_msg: identifier and sequence, or the MTU or pointer. */
struct icmp6_msg {
	uint8_t type, code;
	uint16_t cksum;		/* as found */
	uint16_t id, seq;
	uint32_t rest;
	struct rd body;		/* echo data, or the invoking packet */
};

/* What an error quotes of our probe (RFC 4443 3: "As much of invoking
 * packet as possible without the ICMPv6 packet exceeding the minimum
 * IPv6 MTU"). */
struct icmp6_quote {
	struct ip6_header ip;
	uint8_t type, code;
	uint16_t id, seq;
	size_t quoted;		/* upper-layer bytes quoted */
};

/*
 * Parses the ICMPv6 message at pkt (len bytes). The checksum is not
 * checked here: it covers a pseudo-header (RFC 4443 2.3) whose addresses
 * a raw socket does not hand over, and the kernel checks it on input.
 * Returns WIRE_OK, or WIRE_TRUNC when len < 8.
 */
enum wire_status icmp6_parse(const uint8_t *pkt, size_t len,
			     struct icmp6_msg *m);

/* True for the error types 1-4 of RFC 4443 3, which quote a packet. */
bool icmp6_is_error(uint8_t type);

/*
 * Parses the invoking packet an error quotes: the IPv6 header, any
 * extension headers, and the first 8 bytes of an ICMPv6 message.
 * WIRE_TRUNC: less than that is quoted; WIRE_INVALID: m is not an error,
 * or what it quotes is not an IPv6 packet carrying ICMPv6.
 */
enum wire_status icmp6_parse_quote(const struct icmp6_msg *m,
				   struct icmp6_quote *q);

/*
 * Writes an echo message (ICMP6_ECHO or ICMP6_ECHOREPLY) into w. With src
 * and dst, the checksum is computed over the pseudo-header of RFC 8200
 * 8.1; with either NULL it is left 0 (a raw ICMPv6 socket fills it in).
 * Returns the checksum written; *ok is false if w overflowed.
 */
uint16_t icmp6_build_echo(struct wr *w, uint8_t type, uint16_t id,
			  uint16_t seq, const uint8_t *data, size_t dlen,
			  const uint8_t *src, const uint8_t *dst, bool *ok);

/* True if the checksum of the ICMPv6 message pkt, sent src to dst, is right. */
bool icmp6_cksum_ok(const uint8_t src[16], const uint8_t dst[16],
		    const uint8_t *pkt, size_t len);

/* What a type and code mean, in ping's words; never NULL. */
const char *icmp6_describe(uint8_t type, uint8_t code);

#endif
