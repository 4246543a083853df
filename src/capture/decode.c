/* \summary: frame -> IPv4/IPv6 -> TCP/UDP/ICMP, and the line `sockx capture` prints */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

#define ICMP4_ECHOREPLY 0
#define ICMP4_ECHO 8
#define ICMP6_ECHO 128
#define ICMP6_ECHOREPLY 129

/* Records the deepest failure: a truncation never hides an invalid header. */
static void stop(struct capture_pkt *k, enum wire_status st, const char *layer)
{
	if (st == WIRE_OK || k->st == WIRE_INVALID)
		return;
	k->st = st;
	k->bad = layer;
}

/* RFC 792 / RFC 4443 2.1: type, code, checksum; echo adds id and seq. */
static enum wire_status icmp_parse(struct capture_pkt *k)
{
	struct rd r = k->l4;
	uint8_t req = k->proto == CAP_IPPROTO_ICMP ? ICMP4_ECHO : ICMP6_ECHO;
	uint8_t rep = k->proto == CAP_IPPROTO_ICMP ? ICMP4_ECHOREPLY : ICMP6_ECHOREPLY;

	k->icmp.type = rd_u8(&r);
	k->icmp.code = rd_u8(&r);
	k->icmp.cksum = rd_be16(&r);
	if (r.short_read)
		return WIRE_TRUNC;
	k->icmp.echo = k->icmp.type == req || k->icmp.type == rep;
	if (k->icmp.echo) {
		k->icmp.id = rd_be16(&r);
		k->icmp.seq = rd_be16(&r);
	} else {
		rd_skip(&r, 4);
	}
	if (r.short_read)
		return WIRE_TRUNC;
	k->data = rd_rest(&r);
	return WIRE_OK;
}

static void transport(struct capture_pkt *k)
{
	const uint8_t *p = k->l4.p + k->l4.off;
	size_t n = rd_left(&k->l4);
	enum wire_status st;

	switch (k->proto) {
	case CAP_IPPROTO_TCP:
		st = tcp_parse(p, n, &k->tcp, &k->data);
		k->l4_ok = st == WIRE_OK;
		stop(k, st, "tcp");
		break;
	case CAP_IPPROTO_UDP:
		st = udp_parse(p, n, &k->udp, &k->data);
		k->l4_ok = st != WIRE_INVALID && n >= UDP_HDR_LEN;
		stop(k, st, "udp");
		break;
	case CAP_IPPROTO_ICMP:
	case CAP_IPPROTO_ICMPV6:
		st = icmp_parse(k);
		k->l4_ok = st == WIRE_OK;
		stop(k, st, k->proto == CAP_IPPROTO_ICMP ? "icmp" : "icmp6");
		break;
	default:
		k->data = k->l4;
		break;
	}
}

static bool ipv4(struct capture_pkt *k, const uint8_t *p, size_t n)
{
	enum wire_status st = ip4_parse(p, n, &k->ip4, &k->l4);

	stop(k, st, "ip");
	if (st == WIRE_INVALID || k->ip4.hdr_len == 0 || k->ip4.hdr_len > n)
		return false;
	k->l3 = rd_make(p, k->ip4.hdr_len + rd_left(&k->l4));
	memcpy(k->src, k->ip4.src, 4);
	memcpy(k->dst, k->ip4.dst, 4);
	k->proto = k->ip4.proto;
	k->fragment = k->ip4.mf || k->ip4.frag_off;
	return k->ip4.frag_off == 0;	/* a later fragment has no L4 header */
}

static bool ipv6(struct capture_pkt *k, const uint8_t *p, size_t n)
{
	enum wire_status st = ip6_parse(p, n, &k->ip6, &k->l4);

	stop(k, st, "ip6");
	if (st == WIRE_INVALID || n < IP6_HDR_LEN)
		return false;
	k->l3 = rd_make(p, n < IP6_HDR_LEN + (size_t)k->ip6.plen ? n :
			IP6_HDR_LEN + (size_t)k->ip6.plen);
	memcpy(k->src, k->ip6.src, 16);
	memcpy(k->dst, k->ip6.dst, 16);
	k->proto = k->ip6.proto;
	k->fragment = k->ip6.fragment;
	return !k->fragment && k->l4.len;	/* the walk reached the upper layer */
}

enum wire_status capture_decode(int dlt, const uint8_t *p, size_t caplen,
				struct capture_pkt *k)
{
	const uint8_t *ip;
	size_t n;
	bool more;

	memset(k, 0, sizeof(*k));
	k->st = frame_decode(dlt, p, caplen, &k->fr);
	if (k->st != WIRE_OK) {
		k->bad = "link";
		return k->st;
	}
	k->ipver = k->fr.ipver;
	ip = k->fr.net.p + k->fr.net.off;
	n = rd_left(&k->fr.net);
	if (k->ipver == 4)
		more = ipv4(k, ip, n);
	else if (k->ipver == 6)
		more = ipv6(k, ip, n);
	else
		return k->st;
	if (more)
		transport(k);
	return k->st;
}

bool capture_pkt_ports(const struct capture_pkt *k, uint16_t *sport,
		       uint16_t *dport)
{
	if (!k->l4_ok)
		return false;
	if (k->proto == CAP_IPPROTO_TCP) {
		*sport = k->tcp.sport;
		*dport = k->tcp.dport;
		return true;
	}
	if (k->proto == CAP_IPPROTO_UDP) {
		*sport = k->udp.sport;
		*dport = k->udp.dport;
		return true;
	}
	return false;
}

const char *capture_ip_str(int ipver, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len) && len)
		buf[0] = '\0';
	return buf;
}

/* A growing line: appends stay inside the buffer, cut if need be. */
struct line {
	char *b;
	size_t len, n;
};

static void __attribute__((format(printf, 2, 3)))
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (l->n + 1 >= l->len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(l->b + l->n, l->len - l->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		l->n += (size_t)w < l->len - l->n ? (size_t)w : l->len - l->n - 1;
}

/* "127.0.0.1:80", "[::1]:80", or the bare address when port < 0. */
static void endpoint(struct line *l, const struct capture_pkt *k,
		     const uint8_t *a, int port)
{
	char s[INET6_ADDRSTRLEN];

	capture_ip_str(k->ipver, a, s, sizeof(s));
	if (port < 0)
		put(l, "%s", s);
	else if (k->ipver == 6)
		put(l, "[%s]:%d", s, port);
	else
		put(l, "%s:%d", s, port);
}

static const char *proto_str(uint8_t p)
{
	switch (p) {
	case CAP_IPPROTO_ICMP: return "ICMP";
	case CAP_IPPROTO_TCP: return "TCP";
	case CAP_IPPROTO_UDP: return "UDP";
	case CAP_IPPROTO_ICMPV6: return "ICMP6";
	default: return NULL;
	}
}

static void tcp_line(struct line *l, const struct capture_pkt *k)
{
	const struct tcp_header *t = &k->tcp;
	size_t dl = rd_left(&k->data);
	char f[12], o[160];

	put(l, "TCP [%s] seq %lu", tcp_flags_str(t->flags, f, sizeof(f)),
	    (unsigned long)t->seq);
	if (dl)
		put(l, ":%lu", (unsigned long)(uint32_t)(t->seq + dl));
	if (t->flags & TCPF_ACK)
		put(l, " ack %lu", (unsigned long)t->ack);
	put(l, " win %u len %zu", (unsigned)t->win, dl);
	if (*tcp_opts_str(t, o, sizeof(o)))
		put(l, " <%s>", o);
}

const char *capture_icmp_label(const struct capture_pkt *k, char *buf, size_t len)
{
	const struct capture_icmp *m = &k->icmp;
	bool v6 = k->proto == CAP_IPPROTO_ICMPV6;

	if (!k->l4_ok)
		snprintf(buf, len, "%s (cut short)", v6 ? "ICMPv6" : "ICMP");
	else if (m->echo)
		snprintf(buf, len, "echo %s id %u seq %u", m->type == (v6 ? ICMP6_ECHO : ICMP4_ECHO) ?
			 "request" : "reply", (unsigned)m->id, (unsigned)m->seq);
	else
		snprintf(buf, len, "%s type %u code %u", v6 ? "ICMPv6" : "ICMP",
			 (unsigned)m->type, (unsigned)m->code);
	return buf;
}

static void icmp_line(struct line *l, const struct capture_pkt *k)
{
	const struct capture_icmp *m = &k->icmp;
	bool v6 = k->proto == CAP_IPPROTO_ICMPV6;

	put(l, "%s ", v6 ? "ICMP6" : "ICMP");
	if (m->echo)
		put(l, "echo %s id %u seq %u", m->type == (v6 ? ICMP6_ECHO : ICMP4_ECHO) ?
		    "request" : "reply", (unsigned)m->id, (unsigned)m->seq);
	else
		put(l, "type %u code %u", (unsigned)m->type, (unsigned)m->code);
	put(l, " len %zu", rd_left(&k->data));
}

static void l4_line(struct line *l, const struct capture_pkt *k)
{
	const char *name = proto_str(k->proto);

	if (k->proto == CAP_IPPROTO_TCP && k->l4_ok)
		tcp_line(l, k);
	else if (k->proto == CAP_IPPROTO_UDP && k->l4_ok)
		put(l, "UDP len %zu", rd_left(&k->data));
	else if ((k->proto == CAP_IPPROTO_ICMP || k->proto == CAP_IPPROTO_ICMPV6) && k->l4_ok)
		icmp_line(l, k);
	else if (name)
		put(l, "%s", name);
	else
		put(l, "proto %u len %zu", (unsigned)k->proto, rd_left(&k->l4));
}

static void ip_line(struct line *l, const struct capture_pkt *k)
{
	uint16_t sp = 0, dp = 0;
	bool ports = capture_pkt_ports(k, &sp, &dp);

	put(l, "%s", k->ipver == 6 ? "IP6" : "IP");
	if (!k->l3.len)
		return;		/* not even the fixed header: no addresses to show */
	put(l, " ");
	endpoint(l, k, k->src, ports ? sp : -1);
	put(l, " > ");
	endpoint(l, k, k->dst, ports ? dp : -1);
	put(l, ": ");
	if (k->fragment && !k->l4_ok) {
		if (k->ipver == 4)
			put(l, "frag id %u off %u%s proto %u len %zu", (unsigned)k->ip4.id,
			    (unsigned)k->ip4.frag_off * 8, k->ip4.mf ? "+" : "",
			    (unsigned)k->proto, rd_left(&k->l4));
		else
			put(l, "frag proto %u", (unsigned)k->proto);
		return;
	}
	l4_line(l, k);
	if (k->fragment && k->ipver == 4)
		put(l, " (frag id %u off %u%s)", (unsigned)k->ip4.id,
		    (unsigned)k->ip4.frag_off * 8, k->ip4.mf ? "+" : "");
}

const char *capture_pkt_line(const struct capture_pkt *k, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };
	const char *d = frame_dir_str(k->fr.dir);

	if (!len)
		return buf;
	buf[0] = '\0';
	if (*d)
		put(&l, "%s ", d);
	if (k->fr.vlans)
		put(&l, "vlan %u ", (unsigned)k->fr.vlan);
	if (k->bad && strcmp(k->bad, "link") == 0)
		put(&l, "%s", frame_dlt_name(k->fr.dlt));
	else if (k->ipver)
		ip_line(&l, k);
	else
		put(&l, "ethertype 0x%04x len %zu", (unsigned)k->fr.ethertype,
		    rd_left(&k->fr.net));
	if (k->bad)
		put(&l, k->st == WIRE_TRUNC ? " [|%s]" : " [invalid %s]", k->bad);
	return buf;
}
