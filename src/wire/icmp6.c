/* \summary: ICMPv6 messages, RFC 4443: echo, echo reply and the errors */
#include "csum.h"
#include "icmp6.h"

#define NEXT_ICMPV6 58

/* RFC 4443 2.1: type, code, checksum, then the message body; echo
 * (4.1, 4.2) puts identifier and sequence number first in the body. */
enum wire_status icmp6_parse(const uint8_t *pkt, size_t len,
			     struct icmp6_msg *m)
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
	m->body = rd_rest(&r);
	return WIRE_OK;
}

bool icmp6_is_error(uint8_t type)
{
	return type >= ICMP6_UNREACH && type <= ICMP6_PARAMPROB;
}

enum wire_status icmp6_parse_quote(const struct icmp6_msg *m,
				   struct icmp6_quote *q)
{
	struct rd body = m->body, upper;
	enum wire_status st;

	memset(q, 0, sizeof(*q));
	if (!icmp6_is_error(m->type))
		return WIRE_INVALID;
	/* The quote is cut short of the payload length: TRUNC is normal. */
	st = ip6_parse(body.p + body.off, rd_left(&body), &q->ip, &upper);
	if (st == WIRE_INVALID)
		return WIRE_INVALID;
	if (q->ip.version != 6 || rd_left(&upper) == 0)
		return WIRE_TRUNC;
	if (q->ip.proto != NEXT_ICMPV6 || q->ip.fragment)
		return WIRE_INVALID;
	q->quoted = rd_left(&upper);
	q->type = rd_u8(&upper);
	q->code = rd_u8(&upper);
	rd_skip(&upper, 2);
	q->id = rd_be16(&upper);
	q->seq = rd_be16(&upper);
	return upper.short_read ? WIRE_TRUNC : WIRE_OK;
}

uint16_t icmp6_build_echo(struct wr *w, uint8_t type, uint16_t id,
			  uint16_t seq, const uint8_t *data, size_t dlen,
			  const uint8_t *src, const uint8_t *dst, bool *ok)
{
	size_t start = w->off, n;
	uint32_t sum;
	uint16_t ck = 0;

	wr_u8(w, type);
	wr_u8(w, 0);
	wr_be16(w, 0);
	wr_be16(w, id);
	wr_be16(w, seq);
	wr_bytes(w, data, dlen);
	*ok = !w->overflow;
	if (w->overflow || !src || !dst)
		return 0;
	n = w->off - start;
	sum = csum_pseudo6(src, dst, (uint32_t)n, NEXT_ICMPV6);
	ck = csum_fold(csum_add(sum, w->p + start, n));
	wr_be16_at(w, start + 2, ck);
	return ck;
}

bool icmp6_cksum_ok(const uint8_t src[16], const uint8_t dst[16],
		    const uint8_t *pkt, size_t len)
{
	uint32_t sum = csum_pseudo6(src, dst, (uint32_t)len, NEXT_ICMPV6);

	return csum_fold(csum_add(sum, pkt, len)) == 0;
}

static const char *unreach_text(uint8_t code)
{
	static const char *const text[] = {
		"Destination unreachable: No route",
		"Destination unreachable: Administratively prohibited",
		"Destination unreachable: Beyond scope of source address",
		"Destination unreachable: Address unreachable",
		"Destination unreachable: Port unreachable",
		"Destination unreachable: Source address failed ingress/egress policy",
		"Destination unreachable: Reject route to destination",
		"Destination unreachable: Error in Source Routing Header",
	};

	return code < sizeof(text) / sizeof(text[0]) ? text[code] :
	       "Destination unreachable: Unknown code";
}

const char *icmp6_describe(uint8_t type, uint8_t code)
{
	switch (type) {
	case ICMP6_UNREACH: return unreach_text(code);
	case ICMP6_TOOBIG: return "Packet too big";
	case ICMP6_TIMXCEED:
		return code == 0 ? "Time exceeded: Hop limit" :
		       code == 1 ? "Time exceeded: Defrag" : "Time exceeded: Unknown code";
	case ICMP6_PARAMPROB:
		return code == 0 ? "Parameter problem: Wrong header field" :
		       code == 1 ? "Parameter problem: Unknown header" :
		       code == 2 ? "Parameter problem: Unknown option" :
		       "Parameter problem: Unknown code";
	case ICMP6_ECHO: return "Echo Request";
	case ICMP6_ECHOREPLY: return "Echo Reply";
	default: return "Unknown ICMPv6 type";
	}
}
