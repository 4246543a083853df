/* \summary: TCP header and option parser, RFC 9293 sections 3.1 and 3.2 */
#include <stdio.h>

#include "tcp.h"

enum {
	OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3,
	OPT_SACK_OK = 4, OPT_SACK = 5, OPT_TS = 8,
};

/* One option of kind k whose body (len - 2 bytes) is in b. */
static enum wire_status option(struct tcp_header *h, uint8_t k, struct rd *b)
{
	size_t n = rd_left(b);
	int i;

	switch (k) {
	case OPT_MSS:		/* RFC 9293 3.7.1 */
		if (n != 2)
			return WIRE_INVALID;
		h->has_mss = true;
		h->mss = rd_be16(b);
		break;
	case OPT_WSCALE:	/* RFC 7323 2.2 */
		if (n != 1)
			return WIRE_INVALID;
		h->has_wscale = true;
		h->wscale = rd_u8(b);
		break;
	case OPT_SACK_OK:	/* RFC 2018 2 */
		if (n != 0)
			return WIRE_INVALID;
		h->sack_ok = true;
		break;
	case OPT_SACK:		/* RFC 2018 3: 1 to 4 blocks of 8 bytes */
		if (n == 0 || n % 8 || n / 8 > TCP_MAX_SACK)
			return WIRE_INVALID;
		h->nsack = (int)(n / 8);
		for (i = 0; i < h->nsack; i++) {
			h->sack[i][0] = rd_be32(b);
			h->sack[i][1] = rd_be32(b);
		}
		break;
	case OPT_TS:		/* RFC 7323 3.2 */
		if (n != 8)
			return WIRE_INVALID;
		h->has_ts = true;
		h->tsval = rd_be32(b);
		h->tsecr = rd_be32(b);
		break;
	default:		/* unknown kinds are skipped by their length */
		break;
	}
	return WIRE_OK;
}

/* Walks the options in o (RFC 9293 3.2: kind, or kind, length, body). */
static enum wire_status options(struct tcp_header *h, struct rd *o)
{
	enum wire_status st;
	uint8_t kind, olen;
	struct rd body;

	while (rd_left(o)) {
		kind = rd_u8(o);
		h->nopts++;
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP)
			continue;
		olen = rd_u8(o);
		if (o->short_read || olen < 2 || (size_t)olen - 2 > rd_left(o))
			return WIRE_INVALID;
		body = rd_sub(o, (size_t)olen - 2);
		st = option(h, kind, &body);
		if (st != WIRE_OK)
			return st;
	}
	return WIRE_OK;
}

enum wire_status tcp_parse(const uint8_t *seg, size_t len,
			   struct tcp_header *h, struct rd *payload)
{
	struct rd r = rd_make(seg, len), o;
	uint16_t w;

	memset(h, 0, sizeof(*h));
	*payload = rd_make(seg, 0);
	h->sport = rd_be16(&r);
	h->dport = rd_be16(&r);
	h->seq = rd_be32(&r);
	h->ack = rd_be32(&r);
	w = rd_be16(&r);
	h->doff = (uint8_t)(w >> 12);
	h->reserved = (uint8_t)((w >> 8) & 0x0f);
	h->flags = (uint8_t)w;
	h->win = rd_be16(&r);
	h->cksum = rd_be16(&r);
	h->urg = rd_be16(&r);
	if (r.short_read)
		return WIRE_TRUNC;
	if (h->doff < 5)
		return WIRE_INVALID;
	h->hdr_len = (size_t)h->doff * 4;
	if (h->hdr_len > len)
		return WIRE_TRUNC;
	o = rd_sub(&r, h->hdr_len - TCP_HDR_MIN);
	if (options(h, &o) != WIRE_OK)
		return WIRE_INVALID;
	*payload = rd_rest(&r);
	return WIRE_OK;
}

const char *tcp_flags_str(uint8_t flags, char *buf, size_t len)
{
	static const struct { uint8_t bit; char c; } names[] = {
		{ TCPF_FIN, 'F' }, { TCPF_SYN, 'S' }, { TCPF_RST, 'R' },
		{ TCPF_PSH, 'P' }, { TCPF_ACK, '.' }, { TCPF_URG, 'U' },
		{ TCPF_ECE, 'E' }, { TCPF_CWR, 'W' },
	};
	size_t i, n = 0;

	if (!len)
		return buf;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n + 1 < len; i++)
		if (flags & names[i].bit)
			buf[n++] = names[i].c;
	buf[n] = '\0';
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

/* Appends ",text" (or "text" first) to buf at *n, cut to fit len. */
static void add(char *buf, size_t len, size_t *n, const char *text)
{
	int w;

	if (*n + 1 >= len)
		return;
	w = snprintf(buf + *n, len - *n, "%s%s", *n ? "," : "", text);
	if (w > 0)
		*n += (size_t)w < len - *n ? (size_t)w : len - *n - 1;
}

const char *tcp_opts_str(const struct tcp_header *h, char *buf, size_t len)
{
	char t[48];
	size_t n = 0;
	int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (h->has_mss) {
		snprintf(t, sizeof(t), "mss %u", (unsigned)h->mss);
		add(buf, len, &n, t);
	}
	if (h->sack_ok)
		add(buf, len, &n, "sackOK");
	if (h->has_ts) {
		snprintf(t, sizeof(t), "TS val %lu ecr %lu",
			 (unsigned long)h->tsval, (unsigned long)h->tsecr);
		add(buf, len, &n, t);
	}
	if (h->has_wscale) {
		snprintf(t, sizeof(t), "wscale %u", (unsigned)h->wscale);
		add(buf, len, &n, t);
	}
	for (i = 0; i < h->nsack; i++) {
		snprintf(t, sizeof(t), "sack %lu:%lu", (unsigned long)h->sack[i][0],
			 (unsigned long)h->sack[i][1]);
		add(buf, len, &n, t);
	}
	return buf;
}
