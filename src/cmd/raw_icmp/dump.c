/*
 * \summary: raw-icmp --dump: each packet sent and received, decoded
 * field by field with the wire/ parsers (marking the fields the kernel
 * writes rather than sockx), then a hex dump
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ping.h"
#include "../../wire/csum.h"
#include "../../wire/icmp6.h"

#define KMARK " [kernel]"

/* " [kernel]" if the kernel writes the field at byte off of p. */
static const char *km(const struct ping_packet *p, size_t off)
{
	size_t l4;

	if (!p || !p->kernel)
		return "";
	l4 = p->has_ip && p->len ? (size_t)(p->bytes[0] & 0x0f) * 4 : 0;
	return kfield_covering(p->kernel, p->has_ip, l4, off) ? KMARK : "";
}

static const char *flags4(const struct ip4_header *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", h->df ? "DF" : "", h->df && h->mf ? "+" : "",
		 h->mf ? "MF" : h->df ? "" : "none");
	return buf;
}

/* An IPv4 header; p and base mark kernel fields (p NULL: a quote). */
static void dump_ip4(FILE *f, const struct ping_packet *p, const uint8_t *raw,
		     const struct ip4_header *h, const char *label)
{
	char s[16], d[16], fl[8];

	fprintf(f, "  %-6s version %u, ihl %u (%zu bytes), tos 0x%02x, total length %u%s\n",
	       label, h->version, h->ihl, h->hdr_len, h->tos, h->total_len, km(p, 2));
	fprintf(f, "         id 0x%04x (%u)%s, flags %s, fragment offset %u, ttl %u, protocol %u%s\n",
	       h->id, h->id, km(p, 4), flags4(h, fl, sizeof(fl)), h->frag_off, h->ttl,
	       h->proto, h->proto == 1 ? " (ICMP)" : "");
	fprintf(f, "         header checksum 0x%04x%s%s, %s%s -> %s\n", h->cksum, km(p, 10),
	       p ? (ip4_cksum_ok(raw, h->hdr_len) ? " (correct)" : " (WRONG)") : "",
	       ip4_str(h->src, s, sizeof(s)), km(p, 12), ip4_str(h->dst, d, sizeof(d)));
}

/* The echo data: the timestamp sockx (or ping) puts first, then the rest. */
static void dump_data(FILE *f, struct rd data)
{
	size_t n = rd_left(&data);
	uint64_t sec, usec;

	if (icmp_echo_stamp(&data, &sec, &usec))
		fprintf(f, "         data %zu bytes: timestamp %llu.%06llu, then %zu pattern bytes\n",
		       n, (unsigned long long)sec, (unsigned long long)usec, rd_left(&data));
	else
		fprintf(f, "         data %zu bytes (no room for a timestamp)\n", n);
}

static void dump_quote4(FILE *f, const struct icmp4_msg *m)
{
	struct icmp4_quote q;
	enum wire_status st = icmp4_parse_quote(m, &q);

	if (st == WIRE_INVALID || q.ip.hdr_len == 0) {
		fprintf(f, "  quote  %zu bytes, not an IPv4 datagram carrying ICMP\n", rd_left(&m->body));
		return;
	}
	dump_ip4(f, NULL, NULL, &q.ip, "quoted");
	if (st == WIRE_OK)
		fprintf(f, "         quoted ICMP type %u (%s), identifier %u, sequence %u\n",
		       q.type, icmp4_describe(q.type, 0), q.id, q.seq);
	else
		fprintf(f, "         quoted: only %zu bytes after the header (8 needed)\n", q.quoted);
}

/* An ICMPv4 message at byte base of p. */
static void dump_icmp4(FILE *f, const struct ping_packet *p, size_t base)
{
	struct icmp4_msg m;

	if (icmp4_parse(p->bytes + base, p->len - base, &m) != WIRE_OK) {
		fprintf(f, "  ICMP   %zu bytes: shorter than the 8-byte header\n", p->len - base);
		return;
	}
	fprintf(f, "  ICMP   type %u (%s), code %u, checksum 0x%04x%s (%s)\n", m.type,
	       icmp4_describe(m.type, m.code), m.code, m.cksum, km(p, base + 2),
	       m.cksum_ok ? "correct" : "WRONG");
	if (m.type == ICMP4_ECHO || m.type == ICMP4_ECHOREPLY) {
		fprintf(f, "         identifier %u (0x%04x)%s, sequence %u\n", m.id, m.id,
		       km(p, base + 4), m.seq);
		dump_data(f, m.body);
	} else if (icmp4_is_error(m.type)) {
		fprintf(f, "         rest of header 0x%08x\n", m.rest);
		dump_quote4(f, &m);
	}
}

static void dump_quote6(FILE *f, const struct icmp6_msg *m)
{
	struct icmp6_quote q;
	char s[64], d[64];
	enum wire_status st = icmp6_parse_quote(m, &q);

	if (st == WIRE_INVALID || q.ip.version != 6) {
		fprintf(f, "  quote  %zu bytes, not an IPv6 packet carrying ICMPv6\n", rd_left(&m->body));
		return;
	}
	fprintf(f, "  quoted IPv6 %s -> %s, hop limit %u, traffic class 0x%02x, payload length %u\n",
	       ip6_str(q.ip.src, s, sizeof(s)), ip6_str(q.ip.dst, d, sizeof(d)),
	       q.ip.hlim, q.ip.tclass, q.ip.plen);
	if (st == WIRE_OK)
		fprintf(f, "         quoted ICMPv6 type %u, identifier %u, sequence %u\n",
		       q.type, q.id, q.seq);
}

static void dump_icmp6(FILE *f, const struct ping_packet *p)
{
	struct icmp6_msg m;

	if (icmp6_parse(p->bytes, p->len, &m) != WIRE_OK) {
		fprintf(f, "  ICMPv6 %zu bytes: shorter than the 8-byte header\n", p->len);
		return;
	}
	fprintf(f, "  ICMPv6 type %u (%s), code %u, checksum 0x%04x%s\n", m.type,
	       icmp6_describe(m.type, m.code), m.code, m.cksum, km(p, 2));
	if (m.type == ICMP6_ECHO || m.type == ICMP6_ECHOREPLY) {
		fprintf(f, "         identifier %u (0x%04x)%s, sequence %u\n", m.id, m.id,
		       km(p, 4), m.seq);
		dump_data(f, m.body);
	} else if (icmp6_is_error(m.type)) {
		fprintf(f, "         rest of header 0x%08x\n", m.rest);
		dump_quote6(f, &m);
	}
}

/* What the kernel writes when sockx does not write the IP header. */
static void dump_kernel_ip(FILE *f, const struct ping *pg, const struct ping_packet *p)
{
	const struct raw_icmp_opts *o = pg->o;
	char ttl[16] = "default", tos[16] = "default";

	if (o->ttl >= 0)
		snprintf(ttl, sizeof(ttl), "%d", o->ttl);
	if (o->tos >= 0)
		snprintf(tos, sizeof(tos), "0x%02x", o->tos);
	if (p->family == AF_INET)
		fprintf(f, "  IPv4   written by the kernel%s: ttl %s (IP_TTL), tos %s (IP_TOS), DF %s (IP_MTU_DISCOVER)\n",
		       KMARK, ttl, tos, o->df ? "on" : "off");
	else
		fprintf(f, "  IPv6   written by the kernel%s: hop limit %s (IPV6_UNICAST_HOPS), traffic class %s (IPV6_TCLASS)%s\n",
		       KMARK, ttl, tos, o->df ? ", IPV6_DONTFRAG" : "");
}

static void dump_head(FILE *f, const struct ping_packet *p)
{
	char peer[ADDR_TEXT], kf[256];

	addr_host(p->peer, peer, sizeof(peer));
	if (p->sent)
		fprintf(f, "> sent %zu bytes to %s, icmp_seq=%u, %s\n", p->len, peer, p->seq,
		       raw_icmp_method_name(p->method));
	else
		fprintf(f, "< received %zu bytes from %s\n", p->len, peer);
	if (p->kernel)
		fprintf(f, "  [kernel] written by the kernel, not sockx: %s%s\n",
		       kfield_names(p->kernel, ", ", kf, sizeof(kf)),
		       p->method == PM_HDRINCL ? " (IP_HDRINCL, raw(7))" : "");
}

/* The packet decoded, field by field, then a hex dump, into f. */
static void decode(FILE *f, const struct ping *pg, const struct ping_packet *p)
{
	struct ip4_header h;
	struct rd pl;
	size_t base = 0;

	dump_head(f, p);
	if (p->has_ip) {
		if (ip4_parse(p->bytes, p->len, &h, &pl) == WIRE_OK) {
			dump_ip4(f, p, p->bytes, &h, "IPv4");
			base = h.hdr_len;
		} else {
			fprintf(f, "  IPv4   unreadable header\n");
			base = p->len;
		}
	} else if (p->sent) {
		dump_kernel_ip(f, pg, p);
	} else if (p->hlim >= 0) {
		fprintf(f, "  %s   (the socket hands over no IP header) %s %d\n",
			p->family == AF_INET ? "IPv4" : "IPv6",
			p->family == AF_INET ? "ttl" : "hop limit", p->hlim);
	}
	if (p->family == AF_INET)
		dump_icmp4(f, p, base);
	else
		dump_icmp6(f, p);
	hexdump(f, p->bytes, p->len);
}

/* The packet as one event: its bytes in hex, the kernel's fields, and
 * the decoding (the human text, without its last newline). */
void raw_icmp_dump(void *ctx, const struct ping_packet *p)
{
	const struct ping *pg = ctx;
	char *hex, *text = NULL, peer[ADDR_TEXT], kf[256];
	size_t i, tlen = 0;
	FILE *f;

	if (p->answer)		/* dumped already, when it was read */
		return;
	hex = malloc(p->len * 2 + 1);
	f = open_memstream(&text, &tlen);
	if (hex && f) {
		for (i = 0; i < p->len; i++)
			snprintf(hex + 2 * i, 3, "%02x", p->bytes[i]);
		hex[2 * p->len] = '\0';
		decode(f, pg, p);
	}
	if (f && fclose(f) == 0 && hex) {
		if (tlen && text[tlen - 1] == '\n')
			text[tlen - 1] = '\0';
		addr_host(p->peer, peer, sizeof(peer));
		EMIT(pg->sx, ping_packet, .dir = p->sent ? "sent" : "received",
		     .to = p->sent ? peer : NULL, .from = p->sent ? NULL : peer,
		     .seq = p->sent ? p->seq : EV_NONE, .bytes = (long long)p->len,
		     .ip_header = p->has_ip,
		     .kernel_fields = kfield_names(p->kernel, ",", kf, sizeof(kf)),
		     .hex = hex, .text = text);
	}
	free(text);
	free(hex);
}
