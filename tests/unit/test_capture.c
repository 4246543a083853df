/*
 * \summary: unit tests of what --verify trusts: stream digests, TCP
 * reassembly (retransmitted, coalesced, split, reordered segments),
 * datagram and raw-packet expectations with kernel-filled fields, and
 * the frame, TCP and UDP parsers. Plain C, no framework: exit 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "capture/expect.h"
#include "capture/session.h"
#include "capture/stream.h"
#include "wire/csum.h"
#include "wire/frame.h"
#include "wire/tcp.h"
#include "wire/udp.h"

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

/* A deterministic byte generator (xorshift), so runs are repeatable. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t rand_below(size_t n)
{
	return n ? (size_t)(next_rand() % n) : 0;
}

static uint8_t *random_bytes(size_t n)
{
	uint8_t *p = malloc(n);
	size_t i;

	for (i = 0; p && i < n; i++)
		p[i] = (uint8_t)next_rand();
	return p;
}

/* Feeds p to d in random chunks of 1 .. max bytes. */
static void feed_chunks(struct capture_digest *d, const uint8_t *p, size_t n, size_t max)
{
	size_t off = 0, k;

	while (off < n) {
		k = 1 + rand_below(max);
		if (k > n - off)
			k = n - off;
		capture_digest_add(d, p + off, k);
		off += k;
	}
}

static void test_digest(void)
{
	size_t n = 300000;
	uint8_t *p = random_bytes(n);
	struct capture_digest a = { 0 }, b = { 0 }, c = { 0 };
	struct capture_mismatch m;

	feed_chunks(&a, p, n, 7);
	feed_chunks(&b, p, n, 70000);
	CHECK(a.len == n && b.len == n);
	CHECK(!capture_digest_cmp(&a, &b, n, &m));
	/* One byte changed inside the head: its exact offset. */
	p[1234] ^= 0x55;
	feed_chunks(&c, p, n, 1000);
	CHECK(capture_digest_cmp(&a, &c, n, &m) && m.exact && m.off == 1234);
	CHECK(m.a == (uint8_t)(p[1234] ^ 0x55) && m.b == p[1234]);
	capture_digest_free(&c);
	memset(&c, 0, sizeof(c));
	p[1234] ^= 0x55;
	/* One byte changed past the head: the 64 KiB block holding it. */
	p[200000] ^= 1;
	feed_chunks(&c, p, n, 1000);
	CHECK(capture_digest_cmp(&a, &c, n, &m) && !m.exact);
	CHECK(m.off == 196608 && m.end == 262144);
	capture_digest_free(&c);
	memset(&c, 0, sizeof(c));
	p[200000] ^= 1;
	/* In the final partial block: found only when both are whole. */
	p[n - 1] ^= 1;
	feed_chunks(&c, p, n, 1000);
	CHECK(capture_digest_cmp(&a, &c, n, &m) && m.off == 262144 && m.end == n);
	/* A prefix compares equal as long as whole blocks agree. */
	CHECK(!capture_digest_cmp(&a, &c, 262144, &m));
	capture_digest_free(&a);
	capture_digest_free(&b);
	capture_digest_free(&c);
	free(p);
}

/* A segment for capture_tcp_segment. */
static void seg(struct capture_tcp_flow *f, int dir, uint32_t seq, uint32_t ack,
		uint8_t flags, const void *data, size_t n)
{
	struct tcp_header h;

	memset(&h, 0, sizeof(h));
	h.seq = seq;
	h.ack = ack;
	h.flags = flags;
	capture_tcp_segment(f, dir, &h, data, n);
}

/* The digest of a string, for comparing with a reassembled direction. */
static bool stream_is(const struct capture_tcp_dir *d, const char *s)
{
	struct capture_digest e = { 0 };
	struct capture_mismatch m;
	bool ok;

	capture_digest_add(&e, s, strlen(s));
	ok = d->nxt == strlen(s) && !capture_digest_cmp(&e, &d->dg, e.len, &m);
	capture_digest_free(&e);
	return ok;
}

static void handshake(struct capture_tcp_flow *f, uint32_t c, uint32_t s)
{
	seg(f, 0, c, 0, TCPF_SYN, NULL, 0);
	seg(f, 1, s, c + 1, TCPF_SYN | TCPF_ACK, NULL, 0);
	seg(f, 0, c + 1, s + 1, TCPF_ACK, NULL, 0);
}

/* Retransmission, coalescing, overlap, out of order: the stream is whole. */
static void test_tcp_recovery(void)
{
	struct capture_tcp_flow f;
	const uint32_t c = 1000, s = 5000;

	memset(&f, 0, sizeof(f));
	handshake(&f, c, s);
	CHECK(f.synack && f.hs_ack);
	seg(&f, 0, c + 1, s + 1, TCPF_ACK, "hel", 3);
	seg(&f, 0, c + 7, s + 1, TCPF_ACK, "wor", 3);		/* ahead of a hole */
	CHECK(f.d[0].nxt == 3 && f.d[0].held_bytes == 3 && f.d[0].ooo == 1);
	seg(&f, 0, c + 4, s + 1, TCPF_ACK, "lo ", 3);		/* fills it */
	CHECK(f.d[0].nxt == 9 && f.d[0].held == NULL);
	seg(&f, 0, c + 1, s + 1, TCPF_ACK, "hello wor", 9);	/* coalesced copy */
	seg(&f, 0, c + 8, s + 1, TCPF_ACK, "orld", 4);		/* 2 old, 2 new */
	CHECK(f.d[0].retrans == 2);
	CHECK(stream_is(&f.d[0], "hello world"));
	seg(&f, 1, s + 1, c + 12, TCPF_ACK, "HELLO WORLD", 11);	/* two writes, one segment */
	seg(&f, 1, s + 1, c + 12, TCPF_ACK, "HELLO", 5);		/* old */
	CHECK(stream_is(&f.d[1], "HELLO WORLD") && f.d[1].retrans == 1);
	CHECK(!capture_tcp_done(&f));
	seg(&f, 0, c + 12, s + 12, TCPF_FIN | TCPF_ACK, NULL, 0);
	seg(&f, 1, s + 12, c + 13, TCPF_FIN | TCPF_ACK, NULL, 0);
	CHECK(f.d[0].fin && f.d[0].fin_off == 11 && f.d[0].fin_acked);
	CHECK(!capture_tcp_done(&f));
	seg(&f, 0, c + 13, s + 13, TCPF_ACK, NULL, 0);
	CHECK(f.d[1].fin_acked && capture_tcp_done(&f));
	capture_tcp_free(&f);
}

/* A hole that never fills is reported; sequence numbers wrap. */
static void test_tcp_hole_wrap(void)
{
	struct capture_tcp_flow f;
	uint64_t at, miss;
	const uint32_t w = 0xfffffffau;

	memset(&f, 0, sizeof(f));
	handshake(&f, w, 9);
	seg(&f, 0, w + 1, 10, TCPF_ACK, "wrap", 4);
	seg(&f, 0, w + 5, 10, TCPF_ACK, "around", 6);		/* crosses 2^32 */
	CHECK(stream_is(&f.d[0], "wraparound"));
	seg(&f, 0, w + 14, 10, TCPF_ACK, "lost?", 5);		/* 3 bytes missing */
	miss = capture_tcp_hole(&f.d[0], &at);
	CHECK(miss == 3 && at == 10);
	seg(&f, 1, 10, w + 11, TCPF_RST | TCPF_ACK, NULL, 0);
	CHECK(f.d[1].rst && capture_tcp_done(&f));
	capture_tcp_free(&f);
}

/*
 * Property: 2 MiB written in random chunks, sent as random segments with
 * random retransmissions (whole, partial, coalescing several) and local
 * reordering, reassembles to a digest equal to the program's; a single
 * flipped byte on the wire is found in the right 64 KiB block.
 */
static void test_tcp_random(int flip)
{
	size_t n = 2u << 20, off = 0, k, i, nseg = 0;
	uint8_t *p = random_bytes(n), *wire = malloc(n);
	struct { size_t off, len; } *segs = malloc(sizeof(*segs) * n / 100 * 3);
	struct capture_digest prog = { 0 };
	struct capture_tcp_flow f;
	struct capture_mismatch m;
	const uint32_t isn = 0xfff00000u;

	memcpy(wire, p, n);
	if (flip >= 0)
		wire[flip] ^= 0x80;
	feed_chunks(&prog, p, n, 100000);	/* what the program wrote */
	while (off < n) {
		k = 100 + rand_below(3000);
		if (k > n - off)
			k = n - off;
		segs[nseg].off = off;
		segs[nseg++].len = k;
		if (rand_below(8) == 0 && off > 5000) {	/* a retransmission */
			segs[nseg].off = off - rand_below(5000);
			segs[nseg].len = rand_below(9000) + 1;
			if (segs[nseg].off + segs[nseg].len > n)
				segs[nseg].len = n - segs[nseg].off;
			nseg++;
		}
		off += k;
	}
	for (i = 0; i + 1 < nseg; i += 2)		/* neighbours swapped: reordering */
		if (rand_below(6) == 0) {
			size_t to = segs[i].off, tl = segs[i].len;

			segs[i] = segs[i + 1];
			segs[i + 1].off = to;
			segs[i + 1].len = tl;
		}
	memset(&f, 0, sizeof(f));
	handshake(&f, isn, 1);
	for (i = 0; i < nseg; i++)
		seg(&f, 0, isn + 1 + (uint32_t)segs[i].off, 2, TCPF_ACK,
		    wire + segs[i].off, segs[i].len);
	CHECK(f.d[0].nxt == n && f.d[0].held == NULL && !f.d[0].overflow);
	CHECK(f.d[0].retrans > 0 && f.d[0].ooo > 0);
	if (flip < 0) {
		CHECK(!capture_digest_cmp(&prog, &f.d[0].dg, n, &m));
	} else {
		CHECK(capture_digest_cmp(&prog, &f.d[0].dg, n, &m));
		CHECK(m.off <= (uint64_t)flip && (uint64_t)flip < m.end);
	}
	capture_digest_free(&prog);
	capture_tcp_free(&f);
	free(segs);
	free(wire);
	free(p);
}

/*
 * A hostile order: n one-byte segments ahead of a hole, last first (each
 * a new least offset), every tenth sent twice, then the hole filled.
 * Reassembly is O(n log n): 150k segments take well under a second of
 * CPU (a list walked per segment took ~13 s); the bound is generous.
 */
static void test_tcp_many_held(void)
{
	const size_t n = 150000;
	uint8_t *want = random_bytes(n + 1);
	struct capture_digest e = { 0 };
	struct capture_mismatch m;
	struct capture_tcp_flow f;
	const uint32_t isn = 0xffff0000u;
	uint64_t at;
	clock_t t0 = clock();
	double cpu;
	size_t i;

	memset(&f, 0, sizeof(f));
	handshake(&f, isn, 1);
	for (i = n; i >= 1; i--) {
		seg(&f, 0, isn + 1 + (uint32_t)i, 2, TCPF_ACK, want + i, 1);
		if (i % 10 == 0)	/* a retransmission of a held byte */
			seg(&f, 0, isn + 1 + (uint32_t)i, 2, TCPF_ACK, want + i, 1);
	}
	CHECK(f.d[0].held_segs == n && f.d[0].held_bytes == n && f.d[0].ooo == n);
	CHECK(capture_tcp_hole(&f.d[0], &at) == 1 && at == 0);
	seg(&f, 0, isn + 1, 2, TCPF_ACK, want, 1);	/* the hole fills */
	cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(f.d[0].nxt == n + 1 && f.d[0].held == NULL && f.d[0].held_segs == 0);
	CHECK(!f.d[0].overflow);
	capture_digest_add(&e, want, n + 1);
	CHECK(!capture_digest_cmp(&e, &f.d[0].dg, n + 1, &m));
	if (cpu > 2.0)
		fprintf(stderr, "test_tcp_many_held: %.2f s of CPU\n", cpu);
	CHECK(cpu < 2.0);
	capture_digest_free(&e);
	capture_tcp_free(&f);
	free(want);
}

/*
 * Segments of 1..64 bytes, overlapping, in a random order with random
 * repeats: whatever the order, the stream comes out whole.
 */
static void test_tcp_shuffled(void)
{
	const size_t n = 200000;
	uint8_t *want = random_bytes(n);
	struct { size_t off, len; } *segs = malloc(sizeof(*segs) * n);
	struct capture_digest e = { 0 };
	struct capture_mismatch m;
	struct capture_tcp_flow f;
	size_t nseg = 0, off = 0, i, j;
	const uint32_t isn = 77;

	while (off < n) {
		segs[nseg].off = off;
		segs[nseg].len = 1 + rand_below(64);
		if (segs[nseg].off + segs[nseg].len > n)
			segs[nseg].len = n - segs[nseg].off;
		off += 1 + rand_below(segs[nseg].len);	/* overlaps the next */
		nseg++;
	}
	for (i = nseg - 1; i > 0; i--) {	/* Fisher-Yates */
		size_t to, tl;

		j = rand_below(i + 1);
		to = segs[i].off;
		tl = segs[i].len;
		segs[i] = segs[j];
		segs[j].off = to;
		segs[j].len = tl;
	}
	memset(&f, 0, sizeof(f));
	handshake(&f, isn, 1);
	for (i = 0; i < nseg; i++) {
		seg(&f, 0, isn + 1 + (uint32_t)segs[i].off, 2, TCPF_ACK,
		    want + segs[i].off, segs[i].len);
		if (rand_below(20) == 0) {
			j = rand_below(i + 1);
			seg(&f, 0, isn + 1 + (uint32_t)segs[j].off, 2, TCPF_ACK,
			    want + segs[j].off, segs[j].len);
		}
	}
	CHECK(f.d[0].nxt == n && f.d[0].held == NULL && f.d[0].held_segs == 0);
	CHECK(f.d[0].held_bytes == 0 && !f.d[0].overflow && f.d[0].ooo > 0);
	capture_digest_add(&e, want, n);
	CHECK(!capture_digest_cmp(&e, &f.d[0].dg, n, &m));
	capture_digest_free(&e);
	capture_tcp_free(&f);
	free(segs);
	free(want);
}

/* The caps: TCP_OOO_SEGS segments are held, the next is not (overflow). */
static void test_tcp_held_cap(void)
{
	const size_t n = TCP_OOO_SEGS + 5;
	struct capture_tcp_flow f;
	const uint32_t isn = 5;
	uint8_t b = 'x';
	size_t i;

	memset(&f, 0, sizeof(f));
	handshake(&f, isn, 1);
	for (i = 1; i <= n; i++)
		seg(&f, 0, isn + 1 + (uint32_t)(2 * i), 2, TCPF_ACK, &b, 1);	/* gaps */
	CHECK(f.d[0].held_segs == TCP_OOO_SEGS && f.d[0].ooo == TCP_OOO_SEGS);
	CHECK(f.d[0].overflow);
	capture_tcp_free(&f);
	CHECK(f.d[0].held == NULL && f.d[0].held_segs == 0);
}

/* An IPv4 ICMP echo request as raw-icmp builds it under IP_HDRINCL. */
static size_t echo4(uint8_t *p, uint16_t id, const uint8_t src[4], uint8_t ttl)
{
	static const uint8_t dst[4] = { 127, 0, 0, 1 };
	uint8_t icmp[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g', '!', '!', '!', '!' };
	uint16_t ck = csum_inet(icmp, sizeof(icmp));

	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	memset(p, 0, 20);
	p[0] = 0x45;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = 0x40;
	p[8] = ttl;
	p[9] = 1;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	memcpy(p + 20, icmp, sizeof(icmp));
	return 20 + sizeof(icmp);
}

/* What the kernel puts on the wire for it: length, ID, source, checksum. */
static void kernel_fills(uint8_t *p, size_t n)
{
	uint16_t ck;

	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	if (!p[4] && !p[5]) {
		p[4] = 0xbe;
		p[5] = 0xef;
	}
	if (!p[12]) {
		p[12] = 127;
		p[15] = 1;
	}
	p[10] = p[11] = 0;
	ck = csum_inet(p, 20);
	p[10] = (uint8_t)(ck >> 8);
	p[11] = (uint8_t)ck;
}

static void test_raw_kfill(void)
{
	static const uint8_t zero[4], lo[4] = { 127, 0, 0, 1 };
	uint8_t built[64], wire[64];
	struct capture_msg e, w;
	struct capture_diff d;
	size_t n = echo4(built, 0, zero, 64);
	unsigned kf = kfield_mask(KF_SOCK_HDRINCL, built, n);

	CHECK(kf == (KF_IP4_CSUM | KF_IP4_LEN | KF_IP4_ID | KF_IP4_SRC));
	memcpy(wire, built, n);
	kernel_fills(wire, n);
	capture_msg_set(&e, CAPTURE_OUT, built, n, true);
	e.layout = LAYOUT_IP4;
	e.flags = kf;
	capture_msg_set(&w, CAPTURE_OUT, wire, n, true);
	CHECK(capture_msg_cmp(&e, &w, &d));
	CHECK(d.kfilled == 0x0f && d.kval[2] == 0xbeef && d.kval[3] == 0x7f000001);
	CHECK(d.kval[1] == n);
	/* The same fields are differences when the program set them itself. */
	e.flags = kfield_mask(KF_SOCK_HDRINCL, wire, n);	/* ID and source set: not masked */
	CHECK(e.flags == (KF_IP4_CSUM | KF_IP4_LEN));
	CHECK(!capture_msg_cmp(&e, &w, &d) && d.off_known && d.off == 4);
	CHECK(strcmp(d.field, "id") == 0);
	capture_msg_free(&e);
	/* A field the kernel never touches: TTL differs, named. */
	n = echo4(built, 7, lo, 63);
	capture_msg_set(&e, CAPTURE_OUT, built, n, true);
	e.layout = LAYOUT_IP4;
	e.flags = kfield_mask(KF_SOCK_HDRINCL, built, n);
	memcpy(wire, built, n);
	wire[8] = 64;
	kernel_fills(wire, n);
	capture_msg_free(&w);
	capture_msg_set(&w, CAPTURE_OUT, wire, n, true);
	CHECK(!capture_msg_cmp(&e, &w, &d) && d.off == 8 && strcmp(d.field, "ttl") == 0);
	CHECK(d.e == 63 && d.w == 64);
	/* ICMP data differs: named by the ICMP layout under the IPv4 header. */
	wire[8] = 63;
	wire[30] ^= 1;
	kernel_fills(wire, n);
	capture_msg_free(&w);
	capture_msg_set(&w, CAPTURE_OUT, wire, n, true);
	CHECK(!capture_msg_cmp(&e, &w, &d) && d.off == 30 && strcmp(d.field, "data") == 0);
	capture_msg_free(&e);
	capture_msg_free(&w);
}

/* ICMPv6 on a raw socket: the message alone; the kernel sets its checksum. */
static void test_raw_l4(void)
{
	uint8_t msg[12] = { 128, 0, 0, 0, 0, 5, 0, 9, 'a', 'b', 'c', 'd' };
	uint8_t pkt[52];
	struct capture_msg e, w;
	struct capture_diff d;

	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	memcpy(pkt + 40, msg, sizeof(msg));
	pkt[42] = 0x4e;			/* the checksum the kernel computed */
	pkt[43] = 0x21;
	capture_msg_set(&e, CAPTURE_OUT, msg, sizeof(msg), true);
	e.layout = LAYOUT_ICMP;
	e.flags = CAPTURE_RAW_L4 | KF_L4_CSUM;
	capture_msg_set(&w, CAPTURE_OUT, pkt, sizeof(pkt), true);
	w.l4_off = 40;
	CHECK(capture_msg_cmp(&e, &w, &d) && d.kfilled == KF_L4_CSUM);
	CHECK(d.kval[4] == 0x4e21);
	pkt[46] = 1;			/* sequence 9 -> 265 */
	capture_msg_free(&w);
	capture_msg_set(&w, CAPTURE_OUT, pkt, sizeof(pkt), true);
	w.l4_off = 40;
	CHECK(!capture_msg_cmp(&e, &w, &d) && d.off == 6 && strcmp(d.field, "sequence") == 0);
	capture_msg_free(&e);
	capture_msg_free(&w);
}

/* UDP datagrams: head and hash; lengths; matching in order. */
static void test_udp_match(void)
{
	static const char *const sent[] = { "one", "two", "three", "four" };
	struct capture_msg e[4], w[4], big1, big2;
	const struct capture_msg *ep[4], *wp[4];
	struct capture_match r;
	struct capture_diff d;
	uint8_t big[200];
	int i;

	for (i = 0; i < 4; i++) {
		capture_msg_set(&e[i], CAPTURE_OUT, sent[i], strlen(sent[i]), false);
		ep[i] = &e[i];
	}
	/* The wire lost "two", and "four" arrived twice. */
	capture_msg_set(&w[0], CAPTURE_OUT, "one", 3, false);
	capture_msg_set(&w[1], CAPTURE_OUT, "three", 5, false);
	capture_msg_set(&w[2], CAPTURE_OUT, "four", 4, false);
	capture_msg_set(&w[3], CAPTURE_OUT, "four", 4, false);
	for (i = 0; i < 4; i++)
		wp[i] = &w[i];
	capture_match_msgs(ep, 4, wp, 4, &r);
	CHECK(r.matched == 3 && r.missing == 1 && r.first_missing == 1);
	CHECK(r.have_diff && r.diff_wire == 1 && r.extra == 1);
	CHECK(r.bytes == 3 + 5 + 4);
	/* Exact offsets inside the head, "after it" beyond. */
	CHECK(!capture_msg_cmp(&e[1], &e[0], &d) && d.off_known && d.off == 0);
	memset(big, 'x', sizeof(big));
	capture_msg_set(&big1, CAPTURE_OUT, big, sizeof(big), false);
	big[150] = 'y';
	capture_msg_set(&big2, CAPTURE_OUT, big, sizeof(big), false);
	CHECK(!capture_msg_cmp(&big1, &big2, &d) && !d.off_known && d.off == MSG_HEAD);
	CHECK(capture_msg_cmp(&big1, &big1, &d));
	for (i = 0; i < 4; i++) {
		capture_msg_free(&e[i]);
		capture_msg_free(&w[i]);
	}
}

static void test_parsers(void)
{
	/* SYN with MSS, SACK-permitted, timestamps, NOP, window scale. */
	static const uint8_t syn[40] = {
		0x9c, 0x40, 0x27, 0x0f, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0xa0, 0x02,
		0xff, 0xd7, 0, 0, 0, 0, 2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1,
		0, 0, 0, 0, 1, 3, 3, 7,
	};
	uint8_t bad[24], u[12] = { 0x13, 0x88, 0x27, 0x0f, 0, 12, 0, 0, 'd', 'a', 't', 'a' };
	uint8_t sll2[24] = { 0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6 };
	struct tcp_header h;
	struct udp_header uh;
	struct frame fr;
	struct rd pl;
	char o[128], fl[12];

	CHECK(tcp_parse(syn, sizeof(syn), &h, &pl) == WIRE_OK);
	CHECK(h.sport == 40000 && h.dport == 9999 && h.seq == 1000 && h.flags == TCPF_SYN);
	CHECK(h.has_mss && h.mss == 65495 && h.sack_ok && h.has_ts && h.tsval == 1);
	CHECK(h.has_wscale && h.wscale == 7 && rd_left(&pl) == 0);
	CHECK(strcmp(tcp_opts_str(&h, o, sizeof(o)), "mss 65495,sackOK,TS val 1 ecr 0,wscale 7") == 0);
	CHECK(strcmp(tcp_flags_str(TCPF_FIN | TCPF_PSH | TCPF_ACK, fl, sizeof(fl)), "FP.") == 0);
	CHECK(strcmp(tcp_flags_str(0, fl, sizeof(fl)), "none") == 0);
	CHECK(tcp_parse(syn, 39, &h, &pl) == WIRE_TRUNC);
	CHECK(tcp_parse(syn, 19, &h, &pl) == WIRE_TRUNC);
	memcpy(bad, syn, 24);
	bad[12] = 0x60;
	bad[21] = 1;			/* MSS option of length 1 */
	CHECK(tcp_parse(bad, 24, &h, &pl) == WIRE_INVALID);
	bad[12] = 0x40;			/* data offset 4 < 5 */
	CHECK(tcp_parse(bad, 24, &h, &pl) == WIRE_INVALID);
	CHECK(udp_parse(u, sizeof(u), &uh, &pl) == WIRE_OK && rd_left(&pl) == 4);
	u[5] = 7;			/* length below the header */
	CHECK(udp_parse(u, sizeof(u), &uh, &pl) == WIRE_INVALID);
	u[5] = 20;			/* more than is here */
	CHECK(udp_parse(u, sizeof(u), &uh, &pl) == WIRE_TRUNC && rd_left(&pl) == 4);
	u[5] = 10;			/* padding after the datagram is not payload */
	CHECK(udp_parse(u, sizeof(u), &uh, &pl) == WIRE_OK && rd_left(&pl) == 2);
	CHECK(frame_decode(FRAME_DLT_LINUX_SLL2, sll2, 20, &fr) == WIRE_OK);
	CHECK(fr.ipver == 4 && fr.dir == FRAME_DIR_OUTGOING && fr.ifindex == 1);
	CHECK(frame_decode(FRAME_DLT_LINUX_SLL2, sll2, 19, &fr) == WIRE_TRUNC);
	CHECK(frame_decode(FRAME_DLT_LINUX_SLL, sll2, 15, &fr) == WIRE_TRUNC);
	CHECK(frame_decode(9999, sll2, 20, &fr) == WIRE_INVALID);
	CHECK(frame_decode(FRAME_LINKTYPE_RAW, syn, 20, &fr) == WIRE_INVALID);
	CHECK(frame_decode(FRAME_DLT_RAW, (const uint8_t *)"\x45", 1, &fr) == WIRE_OK && fr.ipver == 4);
}

/*
 * The verdict itself, on a session built by hand: a whole connection is
 * verified; libpcap drops make it inconclusive; a missing close or a
 * changed byte is a mismatch; a failed exchange is only held to what it did.
 */
static struct capture *fake_session(struct sockx *sx, bool fin, int flip)
{
	struct capture *c = calloc(1, sizeof(*c));
	struct capture_tcp_flow *t = &c->w.flows[0].tcp;
	char wire[] = "hello";

	c->sx = sx;
	c->spec.proto = IPPROTO_TCP;
	c->spec.verify = true;
	snprintf(c->iface, sizeof(c->iface), "lo");
	c->w.flows[0].used = true;
	c->w.flows[0].lport = 40000;
	c->p.local_set = true;
	c->p.lport = 40000;
	capture_tcp_sent(c, "hel", 3);		/* the program: two writes */
	capture_tcp_sent(c, "lo", 2);
	capture_tcp_received(c, "HELLO", 5);
	if (flip >= 0)
		wire[flip] ^= 0x20;
	handshake(t, 100, 900);
	seg(t, 0, 101, 901, TCPF_ACK | TCPF_PSH, wire, 5);	/* one segment */
	seg(t, 1, 901, 106, TCPF_ACK | TCPF_PSH, "HELLO", 5);
	if (fin) {
		seg(t, 0, 106, 906, TCPF_ACK | TCPF_FIN, NULL, 0);
		seg(t, 1, 906, 107, TCPF_ACK | TCPF_FIN, NULL, 0);
		seg(t, 0, 107, 907, TCPF_ACK, NULL, 0);
	}
	return c;
}

static void free_session(struct capture *c)
{
	capture_tcp_free(&c->w.flows[0].tcp);
	capture_digest_free(&c->p.sent);
	capture_digest_free(&c->p.rcvd);
	free(c);
}

static void test_verdict(void)
{
	struct sockx sx = { .cmd = "test_capture", .quiet = true };
	struct capture *c;

	c = fake_session(&sx, true, -1);
	CHECK(capture_verdict(c, EXIT_OK) == EXIT_OK);
	c->w.drop = 2;		/* libpcap lost packets: never "verified" */
	CHECK(capture_verdict(c, EXIT_OK) == EXIT_MISMATCH);
	free_session(c);
	c = fake_session(&sx, false, -1);	/* no FIN either way */
	CHECK(capture_verdict(c, EXIT_OK) == EXIT_MISMATCH);
	CHECK(capture_verdict(c, EXIT_FAIL) == EXIT_FAIL);	/* failed: bytes only */
	free_session(c);
	c = fake_session(&sx, true, 1);		/* "hEllo" on the wire */
	CHECK(capture_verdict(c, EXIT_OK) == EXIT_MISMATCH);
	CHECK(capture_verdict(c, EXIT_FAIL) == EXIT_MISMATCH);
	free_session(c);
}

int main(void)
{
	test_digest();
	test_tcp_recovery();
	test_tcp_hole_wrap();
	test_tcp_random(-1);
	test_tcp_random(1500000);
	test_tcp_many_held();
	test_tcp_shuffled();
	test_tcp_held_cap();
	test_raw_kfill();
	test_raw_l4();
	test_udp_match();
	test_parsers();
	test_verdict();
	printf("test_capture: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
