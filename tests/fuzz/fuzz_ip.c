/* \summary: fuzz target: the IPv4 and IPv6 header parsers */
#include <stdint.h>

#include "wire/ip4.h"
#include "wire/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip4_header h4;
	struct ip6_header h6;
	struct rd p;
	volatile uint8_t sink = 0;

	if (ip4_parse(data, size, &h4, &p) != WIRE_INVALID) {
		while (rd_left(&p))
			sink ^= rd_u8(&p);
		if (h4.hdr_len && h4.hdr_len <= size)
			sink ^= (uint8_t)ip4_cksum_ok(data, h4.hdr_len);
	}
	if (ip6_parse(data, size, &h6, &p) != WIRE_INVALID)
		while (rd_left(&p))
			sink ^= rd_u8(&p);
	(void)sink;
	return 0;
}
