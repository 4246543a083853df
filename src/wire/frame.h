/*
 * \summary: link-layer frames as libpcap hands them over (Ethernet, Linux
 * cooked v1 and v2, raw IP), decoded down to the IPv4 or IPv6 packet
 */
#ifndef SOCKX_WIRE_FRAME_H
#define SOCKX_WIRE_FRAME_H

#include "buf.h"

/*
 * Link types, as libpcap's DLT_ values on Linux (wire/ includes no
 * libpcap header). A savefile's LINKTYPE_RAW (101) is accepted as well.
 */
#define FRAME_DLT_NULL 0		/* BSD loopback: 4-byte family, host order */
#define FRAME_DLT_EN10MB 1		/* Ethernet; lo on Linux */
#define FRAME_DLT_RAW 12		/* raw IP (Linux value of DLT_RAW) */
#define FRAME_LINKTYPE_RAW 101		/* raw IP, as written in files */
#define FRAME_DLT_LINUX_SLL 113		/* Linux cooked capture v1 ("any") */
#define FRAME_DLT_IPV4 228
#define FRAME_DLT_IPV6 229
#define FRAME_DLT_LINUX_SLL2 276	/* Linux cooked capture v2 */

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* Where a cooked capture says the packet went (packet(7) PACKET_*). */
enum frame_dir {
	FRAME_DIR_NONE = -1,	/* the link type does not say */
	FRAME_DIR_HOST = 0,	/* to us */
	FRAME_DIR_BROADCAST = 1,
	FRAME_DIR_MULTICAST = 2,
	FRAME_DIR_OTHERHOST = 3,
	FRAME_DIR_OUTGOING = 4,	/* sent by us */
};

/* A decoded frame: the link layer's facts and the network packet. */
struct frame {
	int dlt;		/* as given */
	uint16_t ethertype;	/* 0x0800, 0x86dd, 0x0806 ...; 0 if unknown */
	int ipver;		/* 4 or 6 for an IP packet, else 0 */
	enum frame_dir dir;
	uint16_t vlan;		/* the first 802.1Q tag's VLAN id, or 0 */
	int vlans;		/* how many 802.1Q / 802.1ad tags were removed */
	uint32_t ifindex;	/* SLL2 only, else 0 */
	struct rd net;		/* the bytes after the link header */
};

/*
 * Decodes the link header of one captured frame (caplen bytes at p).
 * Ethernet: IEEE 802.3 with up to 4 stacked 802.1Q/802.1ad tags; SLL:
 * 16 bytes (pkttype, hatype, halen, 8 address bytes, protocol); SLL2: 20
 * bytes (protocol, reserved, ifindex, hatype, pkttype, halen, 8 address
 * bytes); raw IP: the version nibble says 4 or 6. On WIRE_OK f->net
 * covers the rest of the frame and f->ipver is 4 or 6 for IP, 0 for
 * anything else (ARP, LLC ...). WIRE_TRUNC: shorter than the link
 * header; WIRE_INVALID: an unknown link type or an impossible header.
 */
enum wire_status frame_decode(int dlt, const uint8_t *p, size_t caplen,
			      struct frame *f);

/* A short name of a link type ("EN10MB", "LINUX_SLL2"), or "DLT_?". */
const char *frame_dlt_name(int dlt);

/* "In", "Out", "B", "M", "P" (tcpdump's words), or "" for NONE. */
const char *frame_dir_str(enum frame_dir d);

#endif
