/*
 * \summary: ICMPv4 (RFC 792): echo build and parse, error messages with
 * the quoted original datagram, and the echo payload sockx sends
 */
#ifndef SOCKX_WIRE_ICMP_H
#define SOCKX_WIRE_ICMP_H

#include "buf.h"
#include "ip4.h"

#define ICMP_HDR_LEN 8		/* type, code, checksum, and 4 more bytes */
#define ICMP_STAMP_LEN 16	/* the timestamp at the start of echo data */
#define ICMP_PATTERN_MAX 256	/* bytes of a --pattern (ping -p takes 16) */

/* RFC 792 message types sockx sends or understands. */
enum {
	ICMP4_ECHOREPLY = 0,
	ICMP4_UNREACH = 3,
	ICMP4_SOURCEQUENCH = 4,
	ICMP4_REDIRECT = 5,
	ICMP4_ECHO = 8,
	ICMP4_TIMXCEED = 11,
	ICMP4_PARAMPROB = 12,
};

/* Destination unreachable codes (RFC 792, RFC 1122 3.2.2.1, RFC 1812). */
enum {
	ICMP4_UNREACH_NET = 0,
	ICMP4_UNREACH_HOST = 1,
	ICMP4_UNREACH_PROTO = 2,
	ICMP4_UNREACH_PORT = 3,
	ICMP4_UNREACH_NEEDFRAG = 4,
};

/*
 * One ICMPv4 message. The 4 bytes after the checksum mean different
 * things per type: identifier and sequence (echo), the gateway
 * (redirect), a pointer (parameter problem, top byte), the next-hop MTU
 * (fragmentation needed, low 16 bits, RFC 1191). Both views are kept.
 */
struct icmp4_msg {
	uint8_t type, code;
	uint16_t cksum;		/* as found */
	bool cksum_ok;		/* the checksum over all len bytes is right */
	uint16_t id, seq;	/* bytes 4-5 and 6-7 */
	uint32_t rest;		/* bytes 4-7 as one number */
	struct rd body;		/* after the 8-byte header: echo data, or the
				 * quoted datagram of an error */
};

/*
 * What an error message quotes of the datagram that caused it: the IP
 * header and (RFC 792) at least the first 8 bytes of its payload, here
 * the ICMP echo header of our probe.
 */
struct icmp4_quote {
	struct ip4_header ip;
	uint8_t type, code;	/* of the quoted ICMP message */
	uint16_t id, seq;
	size_t quoted;		/* payload bytes quoted after the IP header */
};

/*
 * Parses the ICMPv4 message at pkt (len bytes: the IP payload). Every
 * field is filled; the checksum is checked but a wrong one is only
 * flagged (cksum_ok), so a caller can show the packet before it skips it.
 * Returns WIRE_OK, or WIRE_TRUNC when len < 8.
 */
enum wire_status icmp4_parse(const uint8_t *pkt, size_t len,
			     struct icmp4_msg *m);

/* True for the error types whose body quotes a datagram (3, 4, 5, 11, 12). */
bool icmp4_is_error(uint8_t type);

/*
 * Parses the datagram an error message quotes (m->body): an IPv4 header
 * whose total length may exceed what is quoted, and 8 bytes of ICMP after
 * it. WIRE_TRUNC: not a whole header and 8 bytes; WIRE_INVALID: m is not
 * an error, the quoted header is impossible, or it is not ICMP.
 */
enum wire_status icmp4_parse_quote(const struct icmp4_msg *m,
				   struct icmp4_quote *q);

/*
 * Writes an echo message (type ICMP4_ECHO or ICMP4_ECHOREPLY, code 0)
 * with data (dlen bytes) into w, the checksum computed over it all.
 * Returns the checksum written; *ok is false if w overflowed.
 */
uint16_t icmp4_build_echo(struct wr *w, uint8_t type, uint16_t id,
			  uint16_t seq, const uint8_t *data, size_t dlen,
			  bool *ok);

/*
 * Fills len bytes of echo data as iputils ping does: pattern (patlen
 * bytes, repeated from offset 0; with patlen 0, each byte is its offset
 * mod 256), then, if len >= ICMP_STAMP_LEN, a timestamp over the first 16
 * bytes: seconds and microseconds, each 64-bit little-endian (struct
 * timeval on a 64-bit little-endian host), so Wireshark shows it as
 * "Timestamp from icmp data".
 */
void icmp_echo_fill(uint8_t *data, size_t len, uint64_t sec, uint64_t usec,
		    const uint8_t *pat, size_t patlen);

/*
 * Reads the timestamp icmp_echo_fill wrote; false if data is shorter
 * than ICMP_STAMP_LEN. data is consumed only on success.
 */
bool icmp_echo_stamp(struct rd *data, uint64_t *sec, uint64_t *usec);

/*
 * The offset of the first byte of data (dlen bytes) that differs from
 * what icmp_echo_fill would have written with this pattern and stamp, or
 * -1 if it all matches (a shorter data is compared as far as it goes).
 */
long icmp_echo_mismatch(const uint8_t *data, size_t dlen, uint64_t sec,
			uint64_t usec, const uint8_t *pat, size_t patlen);

/*
 * What a type and code mean, in ping's words ("Time to live exceeded",
 * "Destination Host Unreachable"); never NULL.
 */
const char *icmp4_describe(uint8_t type, uint8_t code);

#endif
