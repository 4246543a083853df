/* \summary: ICMPv4 messages, RFC 792: echo, echo reply and the errors */
#include "csum.h"
#include "icmp.h"

/* RFC 792 "Echo or Echo Reply Message" and the error layouts: 8 bytes of
 * header (type, code, checksum, 4 type-specific bytes), then the body. */
enum wire_status icmp4_parse(const uint8_t *pkt, size_t len,
			     struct icmp4_msg *m)
{
	struct rd r = rd_make(pkt, len);

	memset(m, 0, sizeof(*m));
	m->body = rd_make(pkt, 0);
	m->type = rd_u8(&r);
	m->code = rd_u8(&r);
	m->cksum = rd_be16(&r);
	m->id = rd_be16(&r);
	m->seq = rd_be16(&r);
	if (r.short_read)
		return WIRE_TRUNC;
	m->rest = (uint32_t)m->id << 16 | m->seq;
	/* The checksum covers the whole message, header and body (RFC 792). */
	m->cksum_ok = csum_inet(pkt, len) == 0;
	m->body = rd_rest(&r);
	return WIRE_OK;
}

bool icmp4_is_error(uint8_t type)
{
	return type == ICMP4_UNREACH || type == ICMP4_SOURCEQUENCH ||
	       type == ICMP4_REDIRECT || type == ICMP4_TIMXCEED ||
	       type == ICMP4_PARAMPROB;
}

/* RFC 792: "Internet Header + 64 bits of Original Data Datagram"; RFC
 * 1812 4.3.2.3 lets routers quote more. The quoted header's total length
 * describes the original datagram, so it normally exceeds what is here. */
enum wire_status icmp4_parse_quote(const struct icmp4_msg *m,
				   struct icmp4_quote *q)
{
	struct rd body = m->body, payload;
	enum wire_status st;

	memset(q, 0, sizeof(*q));
	if (!icmp4_is_error(m->type))
		return WIRE_INVALID;
	st = ip4_parse(body.p + body.off, rd_left(&body), &q->ip, &payload);
	if (st == WIRE_INVALID)
		return WIRE_INVALID;
	/* A whole header is needed; a short total is what quoting means. */
	if (q->ip.hdr_len == 0 || q->ip.hdr_len > rd_left(&body))
		return WIRE_TRUNC;
	if (q->ip.proto != 1)	/* IPPROTO_ICMP */
		return WIRE_INVALID;
	q->quoted = rd_left(&payload);
	q->type = rd_u8(&payload);
	q->code = rd_u8(&payload);
	rd_skip(&payload, 2);	/* the probe's checksum */
	q->id = rd_be16(&payload);
	q->seq = rd_be16(&payload);
	return payload.short_read ? WIRE_TRUNC : WIRE_OK;
}

uint16_t icmp4_build_echo(struct wr *w, uint8_t type, uint16_t id,
			  uint16_t seq, const uint8_t *data, size_t dlen,
			  bool *ok)
{
	size_t start = w->off;
	uint16_t ck;

	wr_u8(w, type);
	wr_u8(w, 0);
	wr_be16(w, 0);		/* checksum: computed over it all, below */
	wr_be16(w, id);
	wr_be16(w, seq);
	wr_bytes(w, data, dlen);
	*ok = !w->overflow;
	if (w->overflow)
		return 0;
	ck = csum_inet(w->p + start, w->off - start);
	wr_be16_at(w, start + 2, ck);
	return ck;
}

/* Little-endian 64-bit, the layout of iputils' struct timeval on x86-64. */
static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The byte icmp_echo_fill writes at offset i, outside the timestamp. */
static uint8_t fill_byte(size_t i, const uint8_t *pat, size_t patlen)
{
	return patlen ? pat[i % patlen] : (uint8_t)i;
}

void icmp_echo_fill(uint8_t *data, size_t len, uint64_t sec, uint64_t usec,
		    const uint8_t *pat, size_t patlen)
{
	size_t i;

	for (i = 0; i < len; i++)
		data[i] = fill_byte(i, pat, patlen);
	if (len >= ICMP_STAMP_LEN) {
		put_le64(data, sec);
		put_le64(data + 8, usec);
	}
}

bool icmp_echo_stamp(struct rd *data, uint64_t *sec, uint64_t *usec)
{
	uint8_t b[ICMP_STAMP_LEN];

	if (rd_left(data) < ICMP_STAMP_LEN)
		return false;
	rd_copy(data, b, sizeof(b));
	*sec = get_le64(b);
	*usec = get_le64(b + 8);
	return true;
}

long icmp_echo_mismatch(const uint8_t *data, size_t dlen, uint64_t sec,
			uint64_t usec, const uint8_t *pat, size_t patlen)
{
	uint8_t stamp[ICMP_STAMP_LEN];
	size_t i;

	put_le64(stamp, sec);
	put_le64(stamp + 8, usec);
	for (i = 0; i < dlen; i++) {
		/* The stamp is there only when the data could hold it all. */
		uint8_t want = i < ICMP_STAMP_LEN && dlen >= ICMP_STAMP_LEN ?
			       stamp[i] : fill_byte(i, pat, patlen);

		if (data[i] != want)
			return (long)i;
	}
	return -1;
}

static const char *unreach_text(uint8_t code)
{
	static const char *const text[] = {
		"Destination Net Unreachable",
		"Destination Host Unreachable",
		"Destination Protocol Unreachable",
		"Destination Port Unreachable",
		"Frag needed and DF set",
		"Source Route Failed",
		"Destination Net Unknown",
		"Destination Host Unknown",
		"Source Host Isolated",
		"Destination Net Prohibited",
		"Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered",
		"Precedence Violation",
		"Precedence Cutoff",
	};

	return code < sizeof(text) / sizeof(text[0]) ? text[code] : "Destination Unreachable, Bad Code";
}

const char *icmp4_describe(uint8_t type, uint8_t code)
{
	switch (type) {
	case ICMP4_ECHOREPLY: return "Echo Reply";
	case ICMP4_ECHO: return "Echo Request";
	case ICMP4_UNREACH: return unreach_text(code);
	case ICMP4_SOURCEQUENCH: return "Source Quench";
	case ICMP4_REDIRECT:
		return code == 0 ? "Redirect Network" : code == 1 ? "Redirect Host" :
		       code == 2 ? "Redirect Type of Service and Network" :
		       code == 3 ? "Redirect Type of Service and Host" : "Redirect, Bad Code";
	case ICMP4_TIMXCEED:
		return code == 0 ? "Time to live exceeded" :
		       code == 1 ? "Frag reassembly time exceeded" : "Time exceeded, Bad Code";
	case ICMP4_PARAMPROB: return "Parameter problem";
	default: return "Unknown ICMP type";
	}
}
