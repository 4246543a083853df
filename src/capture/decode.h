/*
 * \summary: one captured frame decoded down to its transport header
 * (wire/ parsers only), and the one-line text `sockx capture` prints
 */
#ifndef SOCKX_CAPTURE_DECODE_H
#define SOCKX_CAPTURE_DECODE_H

#include "../wire/frame.h"
#include "../wire/ip4.h"
#include "../wire/ip6.h"
#include "../wire/tcp.h"
#include "../wire/udp.h"

#define CAP_IPPROTO_ICMP 1
#define CAP_IPPROTO_TCP 6
#define CAP_IPPROTO_UDP 17
#define CAP_IPPROTO_ICMPV6 58

/* ICMP and ICMPv6 (RFC 792, RFC 4443): the first 8 bytes. */
struct capture_icmp {
	uint8_t type, code;
	uint16_t cksum;
	bool echo;		/* an echo request or reply: id and seq are set */
	uint16_t id, seq;
};

/* What one frame is, layer by layer, as far as it could be decoded. */
struct capture_pkt {
	struct frame fr;
	enum wire_status st;	/* of the deepest layer tried */
	const char *bad;	/* that layer's name when st is not WIRE_OK */
	int ipver;		/* 4, 6, or 0 (not IP) */
	struct ip4_header ip4;
	struct ip6_header ip6;
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
	uint8_t proto;		/* the upper-layer protocol */
	bool fragment;		/* an IP fragment */
	bool l4_ok;		/* the transport header below was parsed */
	struct rd l3;		/* the IP packet (header included) */
	struct rd l4;		/* the IP payload: the upper-layer message */
	struct rd data;		/* the transport payload */
	struct tcp_header tcp;
	struct udp_header udp;
	struct capture_icmp icmp;
};

/*
 * Decodes the frame at p (caplen bytes captured) of link type dlt, with
 * the bounds-checked wire/ parsers only. Never reads past caplen; the
 * layers that could be decoded are filled in, k->st and k->bad say where
 * decoding stopped. Returns k->st.
 */
enum wire_status capture_decode(int dlt, const uint8_t *p, size_t caplen,
				struct capture_pkt *k);

/* An ICMP message in a few words: "echo request id 7 seq 1", "ICMP type 3 code 3". */
const char *capture_icmp_label(const struct capture_pkt *k, char *buf, size_t len);

/* The transport ports, when l4_ok and the protocol has ports. */
bool capture_pkt_ports(const struct capture_pkt *k, uint16_t *sport,
		       uint16_t *dport);

/*
 * One line for a decoded packet, after its number and time, such as
 * "IP 127.0.0.1:40000 > 127.0.0.1:9999: TCP [S] seq 1 win 65495 len 0".
 * Cut to fit buf (at least 64 bytes).
 */
const char *capture_pkt_line(const struct capture_pkt *k, char *buf,
			     size_t len);

/* "127.0.0.1" or "::1", from the packet's family. */
const char *capture_ip_str(int ipver, const uint8_t *a, char *buf, size_t len);

#endif
