/*
 * \summary: fuzz target: the TCP header and option parser, and the
 * reassembler --verify trusts, fed a sequence of hostile segments
 */
#include <stdint.h>

#include "capture/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input as segments: dir|flags (1), seq offset (2), length (1), bytes. */
static void reassemble(const uint8_t *data, size_t size)
{
	struct capture_tcp_flow f;
	struct capture_mismatch m;
	struct tcp_header h;
	struct rd r = rd_make(data, size);
	uint64_t at;
	uint8_t df, n;
	int dir;

	memset(&f, 0, sizeof(f));
	while (rd_left(&r) >= 4) {
		df = rd_u8(&r);
		memset(&h, 0, sizeof(h));
		dir = df >> 7;
		h.flags = df & 0x3f;
		/* Sequence numbers near the wrap, so 2^32 is crossed often. */
		h.seq = 0xffffff00u + ((uint32_t)rd_be16(&r) << 4);
		h.ack = 0xffffff00u + (uint32_t)df * 977;
		n = rd_u8(&r);
		if (n > rd_left(&r))
			n = (uint8_t)rd_left(&r);
		capture_tcp_segment(&f, dir, &h, r.p + r.off, n);
		rd_skip(&r, n);
	}
	capture_tcp_hole(&f.d[0], &at);
	capture_tcp_done(&f);
	capture_digest_cmp(&f.d[0].dg, &f.d[1].dg, f.d[0].dg.len, &m);
	capture_tcp_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_header h;
	struct rd p;
	char buf[160], fl[12];
	volatile uint8_t sink = 0;

	if (tcp_parse(data, size, &h, &p) == WIRE_OK) {
		while (rd_left(&p))
			sink ^= rd_u8(&p);
		tcp_opts_str(&h, buf, sizeof(buf));
		tcp_opts_str(&h, buf, 7);
	}
	tcp_flags_str(size ? data[0] : 0, fl, sizeof(fl));
	reassemble(data, size);
	(void)sink;
	return 0;
}
