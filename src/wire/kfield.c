/* \summary: the header fields the kernel writes itself (raw(7), icmp(7)), as one table */
#include <stdio.h>

#include "kfield.h"

#define SOCK(s) (1u << (s))

/*
 * raw(7), IP_HDRINCL: "the checksum and total length are always filled
 * in"; "Source Address and Packet ID: filled in when zero". A raw ICMPv6
 * socket computes the checksum (RFC 3542 3.1); an ICMP datagram socket
 * writes the checksum and its own identifier (the socket's "port").
 */
const struct kfield kfields[] = {
	{ "total length", "total length", KF_AT_IP4, 2, 2, SOCK(KF_SOCK_HDRINCL),
	  false, KF_IP4_LEN, KF_SHOW_DEC },
	{ "header checksum", "header checksum", KF_AT_IP4, 10, 2, SOCK(KF_SOCK_HDRINCL),
	  false, KF_IP4_CSUM, KF_SHOW_HEX },
	{ "identification", "id", KF_AT_IP4, 4, 2, SOCK(KF_SOCK_HDRINCL),
	  true, KF_IP4_ID, KF_SHOW_HEX },
	{ "source address", "source", KF_AT_IP4, 12, 4, SOCK(KF_SOCK_HDRINCL),
	  true, KF_IP4_SRC, KF_SHOW_IP4 },
	{ "checksum", "checksum", KF_AT_L4, 2, 2, SOCK(KF_SOCK_RAW6) | SOCK(KF_SOCK_DGRAM),
	  false, KF_L4_CSUM, KF_SHOW_HEX },
	{ "identifier", "identifier", KF_AT_L4, 4, 2, SOCK(KF_SOCK_DGRAM),
	  false, KF_L4_ID, KF_SHOW_HEX },
	{ NULL, NULL, KF_AT_IP4, 0, 0, 0, false, 0, KF_SHOW_HEX },
};

/* Where the ICMP message of pkt starts: after an IPv4 header, or at 0. */
static size_t l4_start(enum kfield_sock sock, const uint8_t *pkt, size_t n)
{
	return sock == KF_SOCK_HDRINCL && n ? (size_t)(pkt[0] & 0x0f) * 4 : 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

unsigned kfield_mask(enum kfield_sock sock, const uint8_t *pkt, size_t n)
{
	const struct kfield *f;
	size_t at;
	unsigned m = 0;

	for (f = kfields; f->name; f++) {
		if (!(f->socks & SOCK(sock)))
			continue;
		at = (f->at == KF_AT_IP4 ? 0 : l4_start(sock, pkt, n)) + f->off;
		if (f->if_zero && (at + f->len > n || !all_zero(pkt + at, f->len)))
			continue;
		m |= f->bit;
	}
	return m;
}

const struct kfield *kfield_covering(unsigned mask, bool ip, size_t l4, size_t off)
{
	const struct kfield *f;
	size_t at;

	for (f = kfields; f->name; f++) {
		if (!(mask & f->bit) || (f->at == KF_AT_IP4 && !ip))
			continue;
		at = (f->at == KF_AT_IP4 ? 0 : l4) + f->off;
		if (off >= at && off < at + f->len)
			return f;
	}
	return NULL;
}

const struct kfield *kfield_of_bit(unsigned bit)
{
	const struct kfield *f;

	for (f = kfields; f->name; f++)
		if (f->bit == bit)
			return f;
	return NULL;
}

const char *kfield_names(unsigned mask, const char *sep, char *buf, size_t len)
{
	const struct kfield *f;
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (f = kfields; f->name && n < len; f++)
		if (mask & f->bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? sep : "", f->name);
	return buf;
}
