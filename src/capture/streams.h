/*
 * \summary: every TCP connection in a capture, reassembled (the same
 * code --verify trusts), for `sockx capture --streams`
 */
#ifndef SOCKX_CAPTURE_STREAMS_H
#define SOCKX_CAPTURE_STREAMS_H

#include "../sockx.h"
#include "decode.h"
#include "stream.h"

#define STREAMS_MAX 64

/* One connection: the side that sent the first SYN (else the first packet) is a. */
struct capture_conn {
	int ipver;
	uint8_t a[16], b[16];
	uint16_t ap, bp;
	struct capture_tcp_flow f;
};

struct capture_streams {
	struct capture_conn c[STREAMS_MAX];
	int n;
	unsigned ignored;	/* connections beyond STREAMS_MAX */
};

/* Feeds a decoded packet; anything but a TCP segment is ignored. */
void capture_streams_add(struct capture_streams *s, const struct capture_pkt *k);

/*
 * Prints each connection: its ends, handshake and close, and per
 * direction the bytes reassembled, data segments, retransmitted and
 * out-of-order ones, holes, and the first bytes of the stream
 * (escaped). Under --json a "stream" event each.
 */
void capture_streams_report(struct sockx *sx, const struct capture_streams *s);

void capture_streams_free(struct capture_streams *s);

#endif
