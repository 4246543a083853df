/*
 * \summary: byte streams without keeping them: chunking-independent
 * digests, and TCP reassembly by sequence number into such a digest
 */
#ifndef SOCKX_CAPTURE_STREAM_H
#define SOCKX_CAPTURE_STREAM_H

#include "../wire/tcp.h"

#define DIGEST_HEAD 4096		/* bytes kept verbatim: exact offsets */
#define DIGEST_BLOCK 65536		/* one hash per block after that */
#define TCP_OOO_MAX (16u << 20)		/* bytes held ahead of a hole */
#define TCP_OOO_SEGS (1u << 18)		/* segments held ahead of a hole */

/*
 * What a byte stream was, in O(length / 64 KiB) memory: its length, its
 * first DIGEST_HEAD bytes, and a 64-bit FNV-1a hash of each DIGEST_BLOCK
 * bytes (block k covers stream offsets [k * BLOCK, (k + 1) * BLOCK)).
 * The same bytes give the same digest however they were cut up.
 */
struct capture_digest {
	uint64_t len;
	uint64_t cur;		/* hash of the block being filled */
	uint64_t *blocks;	/* hashes of the whole blocks */
	size_t nblocks, cap;
	uint8_t head[DIGEST_HEAD];
	bool oom;		/* a block hash could not be stored */
};

/* Appends n bytes to the stream d digests. */
void capture_digest_add(struct capture_digest *d, const void *p, size_t n);
void capture_digest_free(struct capture_digest *d);

/* Where two digests first differ. */
struct capture_mismatch {
	bool differ;
	uint64_t off;		/* the first differing byte, or block start */
	uint64_t end;		/* exact: off + 1; else the end of that block */
	bool exact;		/* off is the very byte (inside the head) */
	uint8_t a, b;		/* the two bytes there, when exact */
};

/*
 * Compares the first n bytes of a and b (n at most both lengths): whole
 * head bytes exactly, then block hashes, and the final partial block
 * only when n is both streams' full length. Returns m->differ.
 */
bool capture_digest_cmp(const struct capture_digest *a,
			const struct capture_digest *b, uint64_t n,
			struct capture_mismatch *m);

/* A segment that arrived ahead of a hole, waiting for it to fill: a
 * node of an AVL tree by offset (stream.c). */
struct tcp_held {
	struct tcp_held *left, *right;
	int height;
	uint64_t max_end;	/* the greatest off + len in this subtree */
	uint64_t off;		/* stream offset of data[0] */
	size_t len;
	uint8_t data[];
};

/* One direction of a TCP connection as the wire showed it. */
struct capture_tcp_dir {
	bool started;		/* a segment seen: isn set */
	bool syn;		/* a SYN seen (isn is its sequence number) */
	uint32_t isn;		/* sequence number of stream offset -1 */
	uint64_t nxt;		/* stream bytes reassembled in order */
	struct capture_digest dg;	/* of those bytes */
	struct tcp_held *held;	/* the tree's root, or NULL */
	size_t held_bytes, held_segs;
	bool overflow;		/* more than TCP_OOO_MAX bytes or TCP_OOO_SEGS
				 * segments ahead of a hole: some not held */
	bool fin, rst;
	uint64_t fin_off;	/* stream offset of the FIN */
	bool fin_acked;		/* the other side acknowledged the FIN */
	unsigned pkts, data_segs, retrans, ooo;
};

/* A connection: d[0] from the side that sent the first SYN (the client). */
struct capture_tcp_flow {
	struct capture_tcp_dir d[2];
	bool synack;		/* d[1] SYN-ACK acknowledged d[0]'s SYN */
	bool hs_ack;		/* d[0] then acknowledged d[1]'s SYN */
};

/*
 * Feeds one segment travelling in direction dir (0 client to server, 1
 * back) with its n payload bytes. Retransmitted and overlapping bytes are
 * counted and skipped, segments ahead of a hole are held (copied) until
 * it fills, in-order bytes go into the direction's digest.
 */
void capture_tcp_segment(struct capture_tcp_flow *f, int dir,
			 const struct tcp_header *h, const uint8_t *data,
			 size_t n);

/* Bytes missing before the first held segment (a hole), or 0. */
uint64_t capture_tcp_hole(const struct capture_tcp_dir *d, uint64_t *at);

/* True once both FINs were acknowledged, or a reset was seen. */
bool capture_tcp_done(const struct capture_tcp_flow *f);

void capture_tcp_free(struct capture_tcp_flow *f);

/* 64-bit FNV-1a of p, continuing from h (start: CAPTURE_FNV_INIT). */
#define CAPTURE_FNV_INIT 0xcbf29ce484222325ULL
uint64_t capture_fnv(uint64_t h, const void *p, size_t n);

#endif
