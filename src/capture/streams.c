/* \summary: all TCP connections of a capture, reassembled and summed up */
#include <stdio.h>

#include "../core/event.h"
#include "streams.h"

#define SHOW_BYTES 48

static bool is_end(const struct capture_pkt *k, const uint8_t *a, uint16_t ap,
		   const uint8_t *b, uint16_t bp)
{
	size_t n = k->ipver == 6 ? 16 : 4;

	return k->tcp.sport == ap && k->tcp.dport == bp &&
	       memcmp(k->src, a, n) == 0 && memcmp(k->dst, b, n) == 0;
}

/* The connection of k and k's direction in it (0: from a), or NULL. */
static struct capture_conn *conn(struct capture_streams *s,
				 const struct capture_pkt *k, int *dir)
{
	struct capture_conn *c;
	int i;

	for (i = 0; i < s->n; i++) {
		c = &s->c[i];
		if (c->ipver != k->ipver)
			continue;
		*dir = is_end(k, c->a, c->ap, c->b, c->bp) ? 0 :
		       is_end(k, c->b, c->bp, c->a, c->ap) ? 1 : -1;
		if (*dir >= 0)
			return c;
	}
	if (s->n == STREAMS_MAX) {
		s->ignored++;
		return NULL;
	}
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->ipver = k->ipver;
	/* A SYN-ACK first means the client is the other end. */
	*dir = (k->tcp.flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) ? 1 : 0;
	memcpy(*dir ? c->b : c->a, k->src, 16);
	memcpy(*dir ? c->a : c->b, k->dst, 16);
	c->ap = *dir ? k->tcp.dport : k->tcp.sport;
	c->bp = *dir ? k->tcp.sport : k->tcp.dport;
	return c;
}

void capture_streams_add(struct capture_streams *s, const struct capture_pkt *k)
{
	struct capture_conn *c;
	int dir;

	if (k->proto != CAP_IPPROTO_TCP || !k->l4_ok || k->fragment)
		return;
	c = conn(s, k, &dir);
	if (c)
		capture_tcp_segment(&c->f, dir, &k->tcp, k->data.p + k->data.off,
				    rd_left(&k->data));
}

/* The first bytes of a stream, C-escaped, into buf. */
static const char *shown(const struct capture_digest *d, char *buf, size_t len)
{
	size_t i, n = 0, k = d->len < SHOW_BYTES ? (size_t)d->len : SHOW_BYTES;
	uint8_t b;

	for (i = 0; i < k && n + 5 < len; i++) {
		b = d->head[i];
		if (b == '"' || b == '\\')
			n += (size_t)snprintf(buf + n, len - n, "\\%c", b);
		else if (b >= 0x20 && b < 0x7f)
			buf[n++] = (char)b;
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", b);
	}
	buf[n] = '\0';
	if (d->len > k && n + 4 < len)
		memcpy(buf + n, "...", 4);
	return buf;
}

static const char *close_str(const struct capture_tcp_flow *f)
{
	if (f->d[0].rst || f->d[1].rst)
		return f->d[0].rst ? "reset by the client" : "reset by the server";
	if (f->d[0].fin && f->d[1].fin)
		return f->d[0].fin_acked && f->d[1].fin_acked ? "closed both ways" :
		       "FIN both ways, not all acknowledged";
	if (f->d[0].fin || f->d[1].fin)
		return "half-closed";
	return "open";
}

static void endpoint(const struct capture_conn *c, const uint8_t *a, uint16_t p,
		     char *buf, size_t len)
{
	char s[64];

	capture_ip_str(c->ipver, a, s, sizeof(s));
	snprintf(buf, len, c->ipver == 6 ? "[%s]:%u" : "%s:%u", s, (unsigned)p);
}

/* What a direction's line says after "out of order": overflow, a hole. */
static const char *tail(const struct capture_tcp_dir *d, char *buf, size_t len)
{
	uint64_t at, miss = capture_tcp_hole(d, &at);

	buf[0] = '\0';
	if (d->overflow)
		snprintf(buf, len, " (more than %u MiB or %u segments: the rest"
			 " not held)", TCP_OOO_MAX >> 20, TCP_OOO_SEGS);
	if (miss)
		snprintf(buf + strlen(buf), len - strlen(buf), ", hole at byte %llu (%llu missing)",
			 (unsigned long long)at, (unsigned long long)miss);
	return buf;
}

/* One connection; more: how many were not followed, said after the last. */
static void conn_event(struct sockx *sx, int i, const struct capture_conn *c,
		       unsigned more)
{
	const struct capture_tcp_dir *o = &c->f.d[0], *in = &c->f.d[1];
	char a[80], b[80], dout[SHOW_BYTES * 4 + 8], din[SHOW_BYTES * 4 + 8];
	char index[16], so[16], si[16], to[160], ti[160], m[64] = "";

	endpoint(c, c->a, c->ap, a, sizeof(a));
	endpoint(c, c->b, c->bp, b, sizeof(b));
	snprintf(index, sizeof(index), "%d", i + 1);
	snprintf(so, sizeof(so), "%u", o->data_segs);
	snprintf(si, sizeof(si), "%u", in->data_segs);
	if (more)
		snprintf(m, sizeof(m), "\n(%u more connections not followed)", more);
	/* each pair out, then in: the order of docs/json.md */
	EMIT(sx, capture_stream, .client = a, .server = b,
	     .handshake = c->f.synack && c->f.hs_ack, .close = close_str(&c->f),
	     .bytes_out = (long long)o->nxt, .bytes_in = (long long)in->nxt,
	     .retransmitted_out = o->retrans, .retransmitted_in = in->retrans,
	     .out_of_order_out = o->ooo, .out_of_order_in = in->ooo,
	     .overflow_out = o->overflow, .overflow_in = in->overflow,
	     .data_out = shown(&o->dg, dout, sizeof(dout)),
	     .data_in = shown(&in->dg, din, sizeof(din)), .index = index,
	     .segs_out = so, .segs_in = si, .tail_out = tail(o, to, sizeof(to)),
	     .tail_in = tail(in, ti, sizeof(ti)), .text_out = dout, .text_in = din,
	     .more = m);
}

void capture_streams_report(struct sockx *sx, const struct capture_streams *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		conn_event(sx, i, &s->c[i], i == s->n - 1 ? s->ignored : 0);
}

void capture_streams_free(struct capture_streams *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		capture_tcp_free(&s->c[i].f);
	s->n = 0;
}
