/*
 * \summary: fuzz target: the ICMPv4 parsers (RFC 792): a whole IPv4
 * packet as a raw socket hands it over, and the same bytes as a bare ICMP
 * message as a datagram socket does; errors through their quote
 */
#include <stdint.h>

#include "wire/icmp.h"

static volatile uint8_t sink;

/* Everything raw-icmp does with one ICMP message. */
static void one_message(const uint8_t *p, size_t len)
{
	struct icmp4_msg m;
	struct icmp4_quote q;
	struct rd body;
	uint64_t sec, usec;

	if (icmp4_parse(p, len, &m) != WIRE_OK)
		return;
	sink ^= (uint8_t)m.cksum_ok ^ *icmp4_describe(m.type, m.code);
	body = m.body;
	if (m.type == ICMP4_ECHO || m.type == ICMP4_ECHOREPLY) {
		sink ^= (uint8_t)icmp_echo_mismatch(body.p + body.off, rd_left(&body),
						    1, 2, (const uint8_t *)"\xff", 1);
		if (icmp_echo_stamp(&body, &sec, &usec))
			sink ^= (uint8_t)(sec ^ usec);
	}
	if (icmp4_parse_quote(&m, &q) == WIRE_OK)
		sink ^= (uint8_t)(q.id ^ q.seq ^ q.ip.ttl ^ q.quoted);
	while (rd_left(&body))
		sink ^= rd_u8(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip4_header h;
	struct rd pl;

	if (ip4_parse(data, size, &h, &pl) == WIRE_OK && h.proto == 1)
		one_message(pl.p + pl.off, rd_left(&pl));
	one_message(data, size);
	return 0;
}
