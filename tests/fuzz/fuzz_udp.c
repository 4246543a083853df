/* \summary: fuzz target: the UDP header parser (RFC 768) */
#include <stdint.h>

#include "wire/udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udp_header h;
	struct rd p;
	volatile uint8_t sink = 0;

	if (udp_parse(data, size, &h, &p) != WIRE_INVALID)
		while (rd_left(&p))
			sink ^= rd_u8(&p);
	(void)sink;
	return 0;
}
