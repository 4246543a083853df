/*
 * \summary: fuzz target: the link-layer decoder and the whole packet
 * decoder above it (frame, IPv4/IPv6, TCP/UDP/ICMP), and the line
 * `sockx capture` prints. The first byte picks the link type.
 */
#include <stdint.h>

#include "capture/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = {
		FRAME_DLT_EN10MB, FRAME_DLT_LINUX_SLL, FRAME_DLT_LINUX_SLL2,
		FRAME_DLT_RAW, FRAME_LINKTYPE_RAW, FRAME_DLT_IPV4, FRAME_DLT_IPV6,
		FRAME_DLT_NULL, 4242,
	};
	struct capture_pkt k;
	struct frame f;
	volatile uint8_t sink = 0;
	char line[512];
	uint16_t sp, dp;
	int dlt;

	if (size < 1)
		return 0;
	dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	data++;
	size--;
	if (frame_decode(dlt, data, size, &f) == WIRE_OK)
		while (rd_left(&f.net))
			sink ^= rd_u8(&f.net);
	capture_decode(dlt, data, size, &k);
	while (rd_left(&k.data))
		sink ^= rd_u8(&k.data);
	while (rd_left(&k.l3))
		sink ^= rd_u8(&k.l3);
	if (capture_pkt_ports(&k, &sp, &dp))
		sink ^= (uint8_t)(sp ^ dp);
	capture_pkt_line(&k, line, sizeof(line));
	capture_pkt_line(&k, line, 64);		/* cut short: still terminated */
	(void)sink;
	return 0;
}
