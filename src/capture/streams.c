/* \summary: all TCP connections of a capture, reassembled and summed up */
#include <stdio.h>

#include "../core/out.h"
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

static void dir_line(struct sockx *sx, const struct capture_tcp_dir *d, const char *arrow)
{
	char data[SHOW_BYTES * 4 + 8], hole[64] = "", over[96] = "";
	uint64_t at, miss = capture_tcp_hole(d, &at);

	if (miss)
		snprintf(hole, sizeof(hole), ", hole at byte %llu (%llu missing)",
			 (unsigned long long)at, (unsigned long long)miss);
	if (d->overflow)
		snprintf(over, sizeof(over), " (more than %u MiB or %u segments: the rest"
			 " not held)", TCP_OOO_MAX >> 20, TCP_OOO_SEGS);
	say(sx, "  %s %llu bytes in %u data segments, %u retransmitted, %u out of order%s%s: \"%s\"",
	    arrow, (unsigned long long)d->nxt, d->data_segs, d->retrans, d->ooo, over, hole,
	    shown(&d->dg, data, sizeof(data)));
}

static void conn_event(struct sockx *sx, const struct capture_conn *c,
		       const char *a, const char *b)
{
	const struct capture_tcp_dir *o = &c->f.d[0], *in = &c->f.d[1];
	char data[SHOW_BYTES * 4 + 8];

	/* each pair out, then in: the order of docs/json.md */
	ev_begin(sx, "stream");
	ev_str(sx, "client", a);
	ev_str(sx, "server", b);
	ev_bool(sx, "handshake", c->f.synack && c->f.hs_ack);
	ev_str(sx, "close", close_str(&c->f));
	ev_int(sx, "bytes_out", (long long)o->nxt);
	ev_int(sx, "bytes_in", (long long)in->nxt);
	ev_int(sx, "retransmitted_out", o->retrans);
	ev_int(sx, "retransmitted_in", in->retrans);
	ev_int(sx, "out_of_order_out", o->ooo);
	ev_int(sx, "out_of_order_in", in->ooo);
	ev_bool(sx, "overflow_out", o->overflow);
	ev_bool(sx, "overflow_in", in->overflow);
	ev_str(sx, "data_out", shown(&o->dg, data, sizeof(data)));
	ev_str(sx, "data_in", shown(&in->dg, data, sizeof(data)));
	ev_end(sx);
}

void capture_streams_report(struct sockx *sx, const struct capture_streams *s)
{
	const struct capture_conn *c;
	char a[80], b[80];
	int i;

	for (i = 0; i < s->n; i++) {
		c = &s->c[i];
		endpoint(c, c->a, c->ap, a, sizeof(a));
		endpoint(c, c->b, c->bp, b, sizeof(b));
		if (sx->json) {
			conn_event(sx, c, a, b);
			continue;
		}
		say(sx, "stream %d: %s > %s: %s, %s", i + 1, a, b,
		    c->f.synack && c->f.hs_ack ? "handshake" : "no handshake seen",
		    close_str(&c->f));
		dir_line(sx, &c->f.d[0], ">");
		dir_line(sx, &c->f.d[1], "<");
	}
	if (s->ignored)
		say(sx, "(%u more connections not followed)", s->ignored);
}

void capture_streams_free(struct capture_streams *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		capture_tcp_free(&s->c[i].f);
	s->n = 0;
}
