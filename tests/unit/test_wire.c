/*
 * \summary: unit tests of wire/: the ICMPv4 and ICMPv6 builders and
 * parsers against real packets (captured on this machine with tcpdump
 * and sockx --dump) and against short, lying and hostile ones
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/csum.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			failures++;                                          \
		}                                                            \
	} while (0)

/* Hex into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/*
 * Real packets. V4_REQ: an echo request sockx built under IP_HDRINCL
 * (ttl 1, id 0x200f, identifier 0xfaf2, seq 1), sent from one network
 * namespace towards 10.200.2.2; V4_TE: what the router between answered.
 */
static const char V4_REQ[] =
	"45000054200f0000010181080ac801010ac802020800d70bfaf2000147d40b6b"
	"000000000fee040000000000101112131415161718191a1b1c1d1e1f20212223"
	"2425262728292a2b2c2d2e2f3031323334353637";
static const char V4_TE[] =
	"45c000701e5d0000400143de0ac801020ac801010b00f4ff0000000045000054"
	"200f0000010181080ac801010ac802020800d70bfaf2000147d40b6b00000000"
	"0fee040000000000101112131415161718191a1b1c1d1e1f2021222324252627"
	"28292a2b2c2d2e2f3031323334353637";
/* The kernel's port unreachable for a UDP datagram to 127.0.0.1:9. */
static const char V4_PU[] =
	"45c0003de5ae00004001964f7f0000017f00000103032d0a0000000045000021"
	"1059400040112c717f0000017f0000018de90009000dfe2068656c6c6f";
/* The kernel's ICMPv6 echo reply from ::1 (its checksum, not ours). */
static const char V6_REPLY[] =
	"81005eb10a03000175d40b6b00000000d3bb0200000000001011121314151617"
	"18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
/* A router's hop limit exceeded, quoting our probe fd00:200:1::1 -> fd00:200:2::2. */
static const char V6_TE[] =
	"0300fcef000000006000679700403a01fd000200000100000000000000000001"
	"fd00020000020000000000000000000280001cfcc7c400016cd40b6b00000000"
	"5ea9070000000000101112131415161718191a1b1c1d1e1f2021222324252627"
	"28292a2b2c2d2e2f3031323334353637";

static const uint8_t LO6[16] = { [15] = 1 };

/* RFC 1071 section 3's example: the sum ddf2, the checksum its complement. */
static void test_csum(void)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK(csum_inet(b, sizeof(b)) == (uint16_t)~0xddf2);
}

/* The builder writes, byte for byte, the request the router answered. */
static void test_build_v4_exact(void)
{
	uint8_t want[128], got[128], data[56];
	struct ip4_header h = { .id = 0x200f, .ttl = 1, .proto = 1,
				.src = { 10, 200, 1, 1 }, .dst = { 10, 200, 2, 2 } };
	struct wr w = wr_make(got, sizeof(got));
	size_t n = unhex(V4_REQ, want, sizeof(want));
	bool ok;

	icmp_echo_fill(data, sizeof(data), 0x6b0bd447, 0x04ee0f, NULL, 0);
	CHECK(ip4_build(&w, &h, ICMP_HDR_LEN + sizeof(data)));
	CHECK(icmp4_build_echo(&w, ICMP4_ECHO, 0xfaf2, 1, data, sizeof(data), &ok) == 0xd70b);
	CHECK(ok);
	CHECK(w.off == n && n == 84);
	CHECK(memcmp(got, want, n) == 0);
	CHECK(h.cksum == 0x8108);
}

static void test_build_overflow(void)
{
	uint8_t buf[20], data[8] = { 0 };
	struct wr w = wr_make(buf, sizeof(buf));
	bool ok = true;

	icmp4_build_echo(&w, ICMP4_ECHO, 1, 1, data, sizeof(data), &ok);
	CHECK(ok);
	icmp4_build_echo(&w, ICMP4_ECHO, 1, 2, data, sizeof(data), &ok);
	CHECK(!ok);
	CHECK(w.off <= sizeof(buf));
}

static void test_parse_echo(void)
{
	uint8_t pkt[128];
	size_t n = unhex(V4_REQ, pkt, sizeof(pkt));
	struct ip4_header h;
	struct icmp4_msg m;
	struct rd pl;
	uint64_t sec, usec;

	CHECK(ip4_parse(pkt, n, &h, &pl) == WIRE_OK);
	CHECK(icmp4_parse(pl.p + pl.off, rd_left(&pl), &m) == WIRE_OK);
	CHECK(m.type == ICMP4_ECHO && m.code == 0 && m.cksum_ok);
	CHECK(m.id == 0xfaf2 && m.seq == 1 && rd_left(&m.body) == 56);
	CHECK(icmp_echo_mismatch(m.body.p + m.body.off, 56, 0x6b0bd447, 0x04ee0f, NULL, 0) == -1);
	CHECK(icmp_echo_stamp(&m.body, &sec, &usec));
	CHECK(sec == 0x6b0bd447 && usec == 0x04ee0f);
	pkt[48] ^= 0x40;	/* one data bit: checksum and data check both see it */
	CHECK(icmp4_parse(pl.p + pl.off, rd_left(&pl), &m) == WIRE_OK);
	CHECK(!m.cksum_ok);
	CHECK(icmp_echo_mismatch(m.body.p + m.body.off, 56, 0x6b0bd447, 0x04ee0f, NULL, 0) == 20);
}

/* Every prefix of a message, each in a buffer of exactly its size, so a
 * read past the end trips ASan (make SANITIZE=1 unit). */
static void test_prefixes(const uint8_t *pkt, size_t n, bool v6)
{
	struct icmp4_msg m4;
	struct icmp4_quote q4;
	struct icmp6_msg m6;
	struct icmp6_quote q6;
	size_t len;
	uint8_t *b;

	for (len = 0; len <= n; len++) {
		b = malloc(len ? len : 1);
		if (!b)
			return;
		memcpy(b, pkt, len);
		if (v6) {
			CHECK(icmp6_parse(b, len, &m6) == (len < 8 ? WIRE_TRUNC : WIRE_OK));
			if (len >= 8)
				icmp6_parse_quote(&m6, &q6);
		} else {
			CHECK(icmp4_parse(b, len, &m4) == (len < 8 ? WIRE_TRUNC : WIRE_OK));
			if (len >= 8)
				icmp4_parse_quote(&m4, &q4);
		}
		free(b);
	}
}

static void test_time_exceeded(void)
{
	uint8_t pkt[128];
	size_t n = unhex(V4_TE, pkt, sizeof(pkt));
	struct ip4_header h;
	struct icmp4_msg m;
	struct icmp4_quote q;
	struct rd pl;

	CHECK(ip4_parse(pkt, n, &h, &pl) == WIRE_OK);
	CHECK(icmp4_parse(pl.p + pl.off, rd_left(&pl), &m) == WIRE_OK);
	CHECK(m.type == ICMP4_TIMXCEED && m.cksum_ok && icmp4_is_error(m.type));
	CHECK(strcmp(icmp4_describe(m.type, m.code), "Time to live exceeded") == 0);
	CHECK(icmp4_parse_quote(&m, &q) == WIRE_OK);
	CHECK(q.type == ICMP4_ECHO && q.id == 0xfaf2 && q.seq == 1);
	CHECK(q.ip.ttl == 1 && q.ip.id == 0x200f && q.quoted == 64);
	CHECK(q.ip.dst[0] == 10 && q.ip.dst[2] == 2 && q.ip.dst[3] == 2);
	test_prefixes(pl.p + pl.off, rd_left(&pl), false);
}

/* An error that quotes a UDP datagram is not about an echo probe. */
static void test_port_unreachable(void)
{
	uint8_t pkt[128];
	size_t n = unhex(V4_PU, pkt, sizeof(pkt));
	struct ip4_header h;
	struct icmp4_msg m;
	struct icmp4_quote q;
	struct rd pl;

	CHECK(ip4_parse(pkt, n, &h, &pl) == WIRE_OK);
	CHECK(icmp4_parse(pl.p + pl.off, rd_left(&pl), &m) == WIRE_OK);
	CHECK(m.type == ICMP4_UNREACH && m.code == ICMP4_UNREACH_PORT && m.cksum_ok);
	CHECK(icmp4_parse_quote(&m, &q) == WIRE_INVALID);
	CHECK(q.ip.proto == 17);
}

/* An error message around a quote, with a right checksum. */
static size_t make_error(uint8_t *out, size_t cap, const uint8_t *quote, size_t qlen)
{
	struct wr w = wr_make(out, cap);

	wr_u8(&w, ICMP4_TIMXCEED);
	wr_u8(&w, 0);
	wr_be16(&w, 0);
	wr_be32(&w, 0);
	wr_bytes(&w, quote, qlen);
	wr_be16_at(&w, 2, csum_inet(out, w.off));
	return w.off;
}

/* Quotes that lie: RFC 792's minimum, too short, bad IHL, not ICMP. */
static void test_hostile_quotes(void)
{
	uint8_t req[128], q[128], msg[160];
	size_t n = unhex(V4_REQ, req, sizeof(req)), len;
	struct icmp4_msg m;
	struct icmp4_quote qt;

	len = make_error(msg, sizeof(msg), req, 28);	/* header + 64 bits */
	CHECK(icmp4_parse(msg, len, &m) == WIRE_OK && m.cksum_ok);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_OK && qt.seq == 1 && qt.quoted == 8);
	len = make_error(msg, sizeof(msg), req, 24);	/* 4 of the 8 bytes */
	icmp4_parse(msg, len, &m);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_TRUNC);
	len = make_error(msg, sizeof(msg), req, 12);	/* half a header */
	icmp4_parse(msg, len, &m);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_TRUNC);
	memcpy(q, req, n);
	q[0] = 0x4f;	/* IHL 15: 60 bytes claimed, 28 quoted */
	len = make_error(msg, sizeof(msg), q, 28);
	icmp4_parse(msg, len, &m);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_TRUNC);
	q[0] = 0x43;	/* IHL 3: impossible */
	len = make_error(msg, sizeof(msg), q, 28);
	icmp4_parse(msg, len, &m);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_INVALID);
	q[0] = 0x45;
	q[9] = 6;	/* TCP */
	len = make_error(msg, sizeof(msg), q, 28);
	icmp4_parse(msg, len, &m);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_INVALID);
	msg[0] = ICMP4_ECHOREPLY;	/* not an error at all */
	icmp4_parse(msg, len, &m);
	CHECK(icmp4_parse_quote(&m, &qt) == WIRE_INVALID);
	test_prefixes(msg, len, false);
}

static void test_fill(void)
{
	static const uint8_t pat[] = { 0xde, 0xad };
	uint8_t d[40], small[10];

	icmp_echo_fill(d, sizeof(d), 7, 8, pat, sizeof(pat));
	CHECK(d[0] == 7 && d[8] == 8 && d[1] == 0);
	CHECK(d[16] == 0xde && d[17] == 0xad && d[39] == 0xad);
	CHECK(icmp_echo_mismatch(d, sizeof(d), 7, 8, pat, sizeof(pat)) == -1);
	CHECK(icmp_echo_mismatch(d, sizeof(d), 7, 9, pat, sizeof(pat)) == 8);
	icmp_echo_fill(small, sizeof(small), 7, 8, NULL, 0);	/* no room to stamp */
	CHECK(small[0] == 0 && small[9] == 9);
	CHECK(icmp_echo_mismatch(small, sizeof(small), 1, 2, NULL, 0) == -1);
}

/* Our ICMPv6 checksum agrees with the kernel's, on the kernel's reply. */
static void test_icmp6_echo(void)
{
	uint8_t pkt[128], out[128], data[56];
	size_t n = unhex(V6_REPLY, pkt, sizeof(pkt));
	struct wr w = wr_make(out, sizeof(out));
	struct icmp6_msg m;
	bool ok;

	CHECK(icmp6_parse(pkt, n, &m) == WIRE_OK);
	CHECK(m.type == ICMP6_ECHOREPLY && m.id == 0x0a03 && m.seq == 1);
	CHECK(icmp6_cksum_ok(LO6, LO6, pkt, n));
	memcpy(data, pkt + 8, sizeof(data));
	icmp6_build_echo(&w, ICMP6_ECHOREPLY, 0x0a03, 1, data, sizeof(data), LO6, LO6, &ok);
	CHECK(ok && w.off == n && memcmp(out, pkt, n) == 0);
	pkt[20] ^= 1;
	CHECK(!icmp6_cksum_ok(LO6, LO6, pkt, n));
	test_prefixes(pkt, n, true);
}

static void test_icmp6_errors(void)
{
	uint8_t pkt[160];
	size_t n = unhex(V6_TE, pkt, sizeof(pkt));
	struct icmp6_msg m;
	struct icmp6_quote q;

	CHECK(icmp6_parse(pkt, n, &m) == WIRE_OK);
	CHECK(m.type == ICMP6_TIMXCEED && icmp6_is_error(m.type));
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_OK);
	CHECK(q.type == ICMP6_ECHO && q.id == 0xc7c4 && q.seq == 1 && q.ip.hlim == 1);
	CHECK(q.ip.dst[0] == 0xfd && q.ip.dst[15] == 2);
	CHECK(strcmp(icmp6_describe(m.type, m.code), "Time exceeded: Hop limit") == 0);
	m.body.len = m.body.off + 44;	/* the quote cut inside the echo header */
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_TRUNC);
	m.body.len = m.body.off + 30;	/* inside the IPv6 header */
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_TRUNC);
	pkt[8 + 6] = 17;	/* the quoted packet carries UDP */
	icmp6_parse(pkt, n, &m);
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_INVALID);
	pkt[8] = 0x40;		/* version 4 inside an ICMPv6 error */
	icmp6_parse(pkt, n, &m);
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_INVALID);
	test_prefixes(pkt, n, true);
}

/* A quote whose hop-by-hop header claims more than is there. */
static void test_icmp6_ext_lie(void)
{
	uint8_t pkt[160];
	size_t n = unhex(V6_TE, pkt, sizeof(pkt));
	struct icmp6_msg m;
	struct icmp6_quote q;

	pkt[8 + 6] = 0;		/* next header: hop-by-hop options */
	pkt[48] = 58;		/* its next header: ICMPv6 */
	pkt[49] = 200;		/* its length: (200 + 1) * 8 bytes */
	icmp6_parse(pkt, n, &m);
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_TRUNC);
	pkt[49] = 0;		/* 8 bytes: the echo header moves past it */
	icmp6_parse(pkt, n, &m);
	CHECK(icmp6_parse_quote(&m, &q) == WIRE_OK);
	CHECK(q.ip.proto == 58);
}

int main(void)
{
	test_csum();
	test_build_v4_exact();
	test_build_overflow();
	test_parse_echo();
	test_time_exceeded();
	test_port_unreachable();
	test_hostile_quotes();
	test_fill();
	test_icmp6_echo();
	test_icmp6_errors();
	test_icmp6_ext_lie();
	printf("test_wire: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
