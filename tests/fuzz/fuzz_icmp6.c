/*
 * \summary: fuzz target: the ICMPv6 parsers (RFC 4443): inside an IPv6
 * packet, and bare as a raw ICMPv6 socket hands it over; errors through
 * the invoking packet they quote
 */
#include <stdint.h>

#include "wire/icmp.h"
#include "wire/icmp6.h"

static volatile uint8_t sink;

static void one_message(const uint8_t *p, size_t len)
{
	static const uint8_t lo[16] = { [15] = 1 };
	struct icmp6_msg m;
	struct icmp6_quote q;
	struct rd body;
	uint64_t sec, usec;

	if (icmp6_parse(p, len, &m) != WIRE_OK)
		return;
	sink ^= (uint8_t)icmp6_cksum_ok(lo, lo, p, len) ^ *icmp6_describe(m.type, m.code);
	body = m.body;
	if (m.type == ICMP6_ECHO || m.type == ICMP6_ECHOREPLY) {
		sink ^= (uint8_t)icmp_echo_mismatch(body.p + body.off, rd_left(&body),
						    1, 2, NULL, 0);
		if (icmp_echo_stamp(&body, &sec, &usec))
			sink ^= (uint8_t)(sec ^ usec);
	}
	if (icmp6_parse_quote(&m, &q) == WIRE_OK)
		sink ^= (uint8_t)(q.id ^ q.seq ^ q.ip.hlim ^ q.quoted);
	while (rd_left(&body))
		sink ^= rd_u8(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip6_header h;
	struct rd pl;

	if (ip6_parse(data, size, &h, &pl) == WIRE_OK && h.proto == 58)
		one_message(pl.p + pl.off, rd_left(&pl));
	one_message(data, size);
	return 0;
}
