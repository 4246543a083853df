/*
 * \summary: raw-icmp's matching: parse each packet with wire/ (never past
 * its end), match replies by identifier and sequence and errors by the
 * datagram they quote, count them and show them as ping does
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ping.h"
#include "../../wire/icmp6.h"

/* A packet that is not for us, or not readable: -v tells (level 2 for
 * the everyday case of another program's traffic). */
void raw_icmp_skip(struct ping *pg, const struct rx *rx, int level,
	       const char *fmt, ...)
{
	char why[160], from[ADDR_TEXT];
	va_list ap;

	if (!event_shows(pg->sx, level >= 2 ? EV_V2 : EV_V1))
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	trace(pg->sx, level, "skipped %zu bytes from %s: %s", rx->len,
	      addr_host(&rx->from, from, sizeof(from)), why);
}

/* Probe index of a sequence number: the latest probe that carried it,
 * or -1 if none did. */
static int64_t seq_index(const struct ping *pg, uint16_t seq)
{
	uint16_t diff;

	if (pg->ntx == 0)
		return -1;
	diff = (uint16_t)((uint16_t)pg->ntx - seq);	/* probe n has seq n+1 */
	if (diff >= pg->ntx)
		return -1;
	return (int64_t)(pg->ntx - 1 - diff);
}

static bool same_host(const struct addr *a, const struct addr *b)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)&b->ss;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a->ss;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)&b->ss;

	if (addr_family(a) != addr_family(b))
		return false;
	if (addr_family(a) == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/* What one echo reply turned out to be. */
struct reply {
	uint16_t seq;
	size_t bytes, dlen;	/* ICMP length; echo data length */
	double rtt;
	bool dup, late, ooo;
	long bad;		/* first wrong data byte, -1 none */
};

/* Ping's marks after the time but " (DUP!)", " (late)" and " (out of
 * order)" (the template's): " (truncated: ...)", " (wrong data byte #N)". */
static const char *reply_marks(const struct ping *pg, const struct reply *r,
			       char *buf, size_t len)
{
	char tr[96] = "", wr[40] = "";

	if (r->dlen < pg->o->size)
		snprintf(tr, sizeof(tr), " (truncated: %zu of %zu data bytes)",
			 r->dlen, pg->o->size);
	else if (r->dlen > pg->o->size)
		snprintf(tr, sizeof(tr), " (longer: %zu data bytes, %zu sent)",
			 r->dlen, pg->o->size);
	if (r->dlen >= pg->o->size && r->bad >= 0)
		snprintf(wr, sizeof(wr), " (wrong data byte #%ld)", r->bad);
	snprintf(buf, len, "%s%s", tr, wr);
	return buf;
}

static void print_reply(struct ping *pg, const struct rx *rx,
			const struct reply *r)
{
	char from[ADDR_TEXT], marks[160];
	long long wrong = EV_NONE;

	if (raw_icmp_flood_mark(pg, r->dup ? "" : "\b \b"))
		return;
	if (r->bad >= 0 || r->dlen != pg->o->size)	/* first byte wrong, missing or extra */
		wrong = r->bad >= 0 ? r->bad :
			(long long)(r->dlen < pg->o->size ? r->dlen : pg->o->size);
	EMIT(pg->sx, ping_reply, .from = addr_host(&rx->from, from, sizeof(from)),
	     .seq = r->seq, .bytes = (long long)r->bytes,
	     .ttl = rx->hlim >= 0 ? rx->hlim : EV_NONE, .rtt_ms = r->rtt, .dup = r->dup,
	     .late = r->late, .out_of_order = r->ooo, .wrong_data_at = wrong,
	     .marks = reply_marks(pg, r, marks, sizeof(marks)));
}

static void add_rtt(struct ping *pg, double rtt)
{
	if (pg->nrx == 1 || rtt < pg->rtt_min)
		pg->rtt_min = rtt;
	if (rtt > pg->rtt_max)
		pg->rtt_max = rtt;
	pg->rtt_sum += rtt;
	pg->rtt_sum2 += rtt * rtt;
}

/* An echo reply with our identifier: match it to its probe, count it,
 * check its data against what that probe carried, and show it. */
static void on_reply(struct ping *pg, const struct rx *rx, uint16_t seq,
		     size_t icmp_len, struct rd data)
{
	int64_t n = seq_index(pg, seq);
	struct reply r = { .seq = seq, .bytes = icmp_len, .dlen = rd_left(&data) };
	struct probe *p;
	char from[ADDR_TEXT];

	if (n < 0) {
		raw_icmp_skip(pg, rx, 1, "echo reply for icmp_seq=%u, never sent", seq);
		return;
	}
	if (!same_host(&rx->from, &pg->dst)) {
		raw_icmp_skip(pg, rx, 1, "echo reply from %s, not the target",
		     addr_host(&rx->from, from, sizeof(from)));
		return;
	}
	pg->rx_answer = true;
	p = raw_icmp_slot(pg, (uint64_t)n);
	r.rtt = (rx->t - p->t_sent) * 1000.0;
	r.dup = p->state == P_ANSWERED;
	r.late = p->state == P_TIMEDOUT;
	if (p->state == P_SENT)
		pg->outstanding--;
	if (r.dup) {
		pg->ndup++;
		p->dups++;
	} else {
		p->state = P_ANSWERED;
		pg->nrx++;
		add_rtt(pg, r.rtt);
		r.ooo = n < pg->highest;
		if (!r.ooo)
			pg->highest = n;
	}
	/* the bytes we sent: extra ones are reported as "longer" */
	r.bad = icmp_echo_mismatch(data.p + data.off,
				   r.dlen < pg->o->size ? r.dlen : pg->o->size,
				   p->sec, p->usec, pg->o->pat, pg->o->patlen);
	print_reply(pg, rx, &r);
}

/* An ICMP error that quotes our probe: the probe is settled, not lost in
 * silence. */
void raw_icmp_on_error(struct ping *pg, const struct rx *rx,
		   const struct icmp_err *e)
{
	int64_t n = seq_index(pg, e->seq);
	struct probe *p;
	char from[ADDR_TEXT];

	if (n < 0) {
		raw_icmp_skip(pg, rx, 1, "%s for icmp_seq=%u, never sent", e->text, e->seq);
		return;
	}
	p = raw_icmp_slot(pg, (uint64_t)n);
	if (p->state == P_LOST)	/* sendto already failed and said so */
		return;
	pg->rx_answer = true;
	if (p->state == P_SENT) {
		pg->outstanding--;
		p->state = P_ERRORED;
	}
	pg->nicmp_err++;
	if (!raw_icmp_flood_mark(pg, "\bE"))
		EMIT(pg->sx, ping_icmp_error, .kind = "icmp",
		     .from = addr_host(&rx->from, from, sizeof(from)), .seq = e->seq,
		     .type = e->type, .code = e->code, .message = e->text);
}

/* The words of an ICMPv4 error, with the number its header carries. */
static void err4_text(const struct icmp4_msg *m, struct icmp_err *e)
{
	char gw[16];
	uint8_t a[4] = { (uint8_t)(m->rest >> 24), (uint8_t)(m->rest >> 16),
			 (uint8_t)(m->rest >> 8), (uint8_t)m->rest };

	e->type = m->type;
	e->code = m->code;
	if (m->type == ICMP4_UNREACH && m->code == ICMP4_UNREACH_NEEDFRAG)
		snprintf(e->text, sizeof(e->text), "%s (mtu = %u)",
			 icmp4_describe(m->type, m->code), m->seq);	/* RFC 1191 */
	else if (m->type == ICMP4_PARAMPROB)
		snprintf(e->text, sizeof(e->text), "Parameter problem: pointer = %u",
			 (unsigned)(m->rest >> 24));
	else if (m->type == ICMP4_REDIRECT)
		snprintf(e->text, sizeof(e->text), "%s (New nexthop: %s)",
			 icmp4_describe(m->type, m->code), ip4_str(a, gw, sizeof(gw)));
	else
		snprintf(e->text, sizeof(e->text), "%s", icmp4_describe(m->type, m->code));
}

void raw_icmp_on_icmp4(struct ping *pg, const struct rx *rx, const uint8_t *p,
		     size_t len)
{
	const struct sockaddr_in *d = (const struct sockaddr_in *)&pg->dst.ss;
	struct icmp4_msg m;
	struct icmp4_quote q;
	struct icmp_err e;

	if (icmp4_parse(p, len, &m) != WIRE_OK) {
		raw_icmp_skip(pg, rx, 1, "ICMP message of %zu bytes, shorter than its header", len);
		return;
	}
	if (!m.cksum_ok) {
		raw_icmp_skip(pg, rx, 1, "ICMP type %u with a wrong checksum 0x%04x", m.type, m.cksum);
		return;
	}
	if (m.type == ICMP4_ECHO) {	/* on lo, our own requests (or another's) */
		raw_icmp_skip(pg, rx, 2, "an echo request");
		return;
	}
	if (m.type == ICMP4_ECHOREPLY) {
		if (m.id != pg->id) {
			raw_icmp_skip(pg, rx, 2, "echo reply for identifier %u, not ours", m.id);
			return;
		}
		on_reply(pg, rx, m.seq, len, m.body);
		return;
	}
	if (!icmp4_is_error(m.type)) {
		raw_icmp_skip(pg, rx, 2, "ICMP type %u", m.type);
		return;
	}
	if (icmp4_parse_quote(&m, &q) != WIRE_OK) {
		raw_icmp_skip(pg, rx, 1, "ICMP type %u quoting an unreadable datagram", m.type);
		return;
	}
	if (q.type != ICMP4_ECHO || q.id != pg->id || memcmp(q.ip.dst, &d->sin_addr, 4) != 0) {
		raw_icmp_skip(pg, rx, 2, "ICMP type %u about a datagram not ours", m.type);
		return;
	}
	err4_text(&m, &e);
	e.seq = q.seq;
	raw_icmp_on_error(pg, rx, &e);
}

/* A raw IPv4 socket hands over the IP header too: check it first. */
void raw_icmp_on_ip4(struct ping *pg, struct rx *rx)
{
	struct ip4_header h;
	struct rd pl;
	enum wire_status st = ip4_parse(rx->p, rx->len, &h, &pl);

	if (st != WIRE_OK) {
		raw_icmp_skip(pg, rx, 1, "IPv4 header %s", st == WIRE_TRUNC ?
			    "claims more bytes than came" : "is impossible");
		return;
	}
	if (h.proto != 1) {
		raw_icmp_skip(pg, rx, 1, "IP protocol %u, not ICMP", h.proto);
		return;
	}
	rx->hlim = h.ttl;
	raw_icmp_on_icmp4(pg, rx, pl.p + pl.off, rd_left(&pl));
}

static void err6_text(const struct icmp6_msg *m, struct icmp_err *e)
{
	e->type = m->type;
	e->code = m->code;
	if (m->type == ICMP6_TOOBIG)
		snprintf(e->text, sizeof(e->text), "Packet too big: mtu=%u", m->rest);
	else if (m->type == ICMP6_PARAMPROB)
		snprintf(e->text, sizeof(e->text), "%s: pointer = %u",
			 icmp6_describe(m->type, m->code), m->rest);
	else
		snprintf(e->text, sizeof(e->text), "%s", icmp6_describe(m->type, m->code));
}

void raw_icmp_on_icmp6(struct ping *pg, const struct rx *rx, const uint8_t *p,
		     size_t len)
{
	const struct sockaddr_in6 *d = (const struct sockaddr_in6 *)&pg->dst.ss;
	struct icmp6_msg m;
	struct icmp6_quote q;
	struct icmp_err e;

	if (icmp6_parse(p, len, &m) != WIRE_OK) {
		raw_icmp_skip(pg, rx, 1, "ICMPv6 message of %zu bytes, shorter than its header", len);
		return;
	}
	if (m.type == ICMP6_ECHO) {
		raw_icmp_skip(pg, rx, 2, "an echo request");
		return;
	}
	if (m.type == ICMP6_ECHOREPLY) {
		if (m.id != pg->id) {
			raw_icmp_skip(pg, rx, 2, "echo reply for identifier %u, not ours", m.id);
			return;
		}
		on_reply(pg, rx, m.seq, len, m.body);
		return;
	}
	if (!icmp6_is_error(m.type)) {
		raw_icmp_skip(pg, rx, 2, "ICMPv6 type %u", m.type);
		return;
	}
	if (icmp6_parse_quote(&m, &q) != WIRE_OK) {
		raw_icmp_skip(pg, rx, 1, "ICMPv6 type %u quoting an unreadable packet", m.type);
		return;
	}
	if (q.type != ICMP6_ECHO || q.id != pg->id ||
	    memcmp(q.ip.dst, &d->sin6_addr, 16) != 0) {
		raw_icmp_skip(pg, rx, 2, "ICMPv6 type %u about a packet not ours", m.type);
		return;
	}
	err6_text(&m, &e);
	e.seq = q.seq;
	raw_icmp_on_error(pg, rx, &e);
}
