/*
 * \summary: the header fields the kernel writes itself into what a raw or
 * ICMP datagram socket hands it (raw(7), icmp(7)): one table, for the
 * command that builds the packets and for the verifier that compares them
 */
#ifndef SOCKX_WIRE_KFIELD_H
#define SOCKX_WIRE_KFIELD_H

#include "buf.h"

/* The socket a packet is handed to: who writes what. */
enum kfield_sock {
	KF_SOCK_HDRINCL,	/* raw IPv4 with IP_HDRINCL: the packet starts with its IPv4 header */
	KF_SOCK_RAW4,		/* raw IPv4 without it: the kernel writes the whole IPv4 header */
	KF_SOCK_RAW6,		/* raw ICMPv6: the kernel writes the IPv6 header */
	KF_SOCK_DGRAM,		/* ICMP datagram socket (IPv4 or IPv6) */
};

/* Where a field's offset counts from. */
enum kfield_at {
	KF_AT_IP4,		/* the IPv4 header (IP_HDRINCL only) */
	KF_AT_L4,		/* the ICMP or ICMPv6 message */
};

/* How a verdict shows the value the wire carried. */
enum kfield_show { KF_SHOW_HEX, KF_SHOW_DEC, KF_SHOW_IP4 };

/* One bit per field, for masks: the order of a verdict's list. */
#define KF_IP4_CSUM 0x01	/* IPv4 header checksum */
#define KF_IP4_LEN 0x02		/* IPv4 total length */
#define KF_IP4_ID 0x04		/* IPv4 identification */
#define KF_IP4_SRC 0x08		/* IPv4 source address */
#define KF_L4_CSUM 0x10		/* the ICMP/ICMPv6 checksum */
#define KF_L4_ID 0x20		/* the echo identifier */
#define KF_BITS 6

struct kfield {
	const char *name;	/* "header checksum": as --dump lists it */
	const char *tag;	/* "header checksum", "id": before a value in a verdict */
	enum kfield_at at;
	uint8_t off, len;	/* bytes [off, off + len) from `at` */
	unsigned socks;		/* 1 << KF_SOCK_*: the sockets whose kernel writes it */
	bool if_zero;		/* only when the packet carries 0 there (raw(7)) */
	unsigned bit;		/* KF_* */
	enum kfield_show show;
};

/* The table, in the order --dump lists the fields; NULL-named at its end. */
extern const struct kfield kfields[];

/*
 * The KF_* mask of the fields the kernel writes into pkt (n bytes, as
 * built: an IPv4 packet for KF_SOCK_HDRINCL, else the ICMP message).
 */
unsigned kfield_mask(enum kfield_sock sock, const uint8_t *pkt, size_t n);

/*
 * The field of mask that covers byte off of a packet whose ICMP message
 * starts at byte l4 (ip: the packet starts with an IPv4 header), or NULL.
 */
const struct kfield *kfield_covering(unsigned mask, bool ip, size_t l4, size_t off);

/* The field with bit KF_*, or NULL. */
const struct kfield *kfield_of_bit(unsigned bit);

/* The names of mask's fields, in table order, sep between, into buf. */
const char *kfield_names(unsigned mask, const char *sep, char *buf, size_t len);

#endif
