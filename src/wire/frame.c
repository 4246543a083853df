/* \summary: link-layer decoder: Ethernet (IEEE 802.3, 802.1Q), Linux SLL and SLL2, raw IP */
#include "frame.h"

#define ETHERTYPE_VLAN 0x8100	/* IEEE 802.1Q */
#define ETHERTYPE_QINQ 0x88a8	/* IEEE 802.1ad */
#define ETHERTYPE_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 4
#define ETHER_HDR 14
#define SLL_HDR 16
#define SLL2_HDR 20

static int ipver_of(uint16_t ethertype)
{
	if (ethertype == ETHERTYPE_IPV4)
		return 4;
	return ethertype == ETHERTYPE_IPV6 ? 6 : 0;
}

static bool is_vlan(uint16_t t)
{
	return t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ || t == ETHERTYPE_QINQ_OLD;
}

/* IEEE 802.3 clause 3: dst(6) src(6) type/length(2), then 802.1Q tags. */
static enum wire_status ether(struct rd *r, struct frame *f)
{
	uint16_t t;

	rd_skip(r, 12);
	t = rd_be16(r);
	while (is_vlan(t) && !r->short_read) {
		if (f->vlans == MAX_VLAN_TAGS)
			return WIRE_INVALID;
		if (f->vlans++ == 0)
			f->vlan = rd_be16(r) & 0x0fff;	/* TCI: PCP, DEI, VID */
		else
			rd_skip(r, 2);
		t = rd_be16(r);
	}
	if (r->short_read)
		return WIRE_TRUNC;
	f->ethertype = t >= 0x0600 ? t : 0;	/* below: an 802.3 length */
	return WIRE_OK;
}

/* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html */
static enum wire_status sll(struct rd *r, struct frame *f)
{
	uint16_t pkttype = rd_be16(r);

	rd_skip(r, 2 + 2 + 8);	/* ARPHRD type, address length, address */
	f->ethertype = rd_be16(r);
	if (r->short_read)
		return WIRE_TRUNC;
	f->dir = pkttype <= FRAME_DIR_OUTGOING ? (enum frame_dir)pkttype : FRAME_DIR_NONE;
	return WIRE_OK;
}

/* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html */
static enum wire_status sll2(struct rd *r, struct frame *f)
{
	uint8_t pkttype;

	f->ethertype = rd_be16(r);
	rd_skip(r, 2);		/* reserved, must be zero */
	f->ifindex = rd_be32(r);
	rd_skip(r, 2);		/* ARPHRD type */
	pkttype = rd_u8(r);
	rd_skip(r, 1 + 8);	/* address length, address */
	if (r->short_read)
		return WIRE_TRUNC;
	f->dir = pkttype <= FRAME_DIR_OUTGOING ? (enum frame_dir)pkttype : FRAME_DIR_NONE;
	return WIRE_OK;
}

/* Raw IP: no link header; the version nibble tells the family. */
static enum wire_status raw_ip(struct rd *r, struct frame *f, int want)
{
	uint8_t v;

	if (!rd_left(r))
		return WIRE_TRUNC;
	v = r->p[r->off] >> 4;
	if ((v != 4 && v != 6) || (want && v != want))
		return WIRE_INVALID;
	f->ethertype = v == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
	return WIRE_OK;
}

/* BSD loopback: the address family in the capturing host's byte order. */
static enum wire_status null_hdr(struct rd *r, struct frame *f)
{
	uint32_t fam = rd_be32(r), swapped;

	if (r->short_read)
		return WIRE_TRUNC;
	swapped = (fam >> 24) | ((fam >> 8) & 0xff00) | ((fam << 8) & 0xff0000) | (fam << 24);
	if (fam == 2 || swapped == 2)
		f->ethertype = ETHERTYPE_IPV4;
	else if (fam == 10 || fam == 24 || fam == 28 || fam == 30 ||
		 swapped == 10 || swapped == 24 || swapped == 28 || swapped == 30)
		f->ethertype = ETHERTYPE_IPV6;	/* Linux, NetBSD/OpenBSD, FreeBSD, macOS */
	return WIRE_OK;
}

enum wire_status frame_decode(int dlt, const uint8_t *p, size_t caplen,
			      struct frame *f)
{
	struct rd r = rd_make(p, caplen);
	enum wire_status st;

	memset(f, 0, sizeof(*f));
	f->dlt = dlt;
	f->dir = FRAME_DIR_NONE;
	f->net = rd_make(p, 0);
	switch (dlt) {
	case FRAME_DLT_EN10MB: st = ether(&r, f); break;
	case FRAME_DLT_LINUX_SLL: st = sll(&r, f); break;
	case FRAME_DLT_LINUX_SLL2: st = sll2(&r, f); break;
	case FRAME_DLT_RAW:
	case FRAME_LINKTYPE_RAW: st = raw_ip(&r, f, 0); break;
	case FRAME_DLT_IPV4: st = raw_ip(&r, f, 4); break;
	case FRAME_DLT_IPV6: st = raw_ip(&r, f, 6); break;
	case FRAME_DLT_NULL: st = null_hdr(&r, f); break;
	default: return WIRE_INVALID;
	}
	if (st != WIRE_OK)
		return st;
	f->ipver = ipver_of(f->ethertype);
	f->net = rd_rest(&r);
	return WIRE_OK;
}

const char *frame_dlt_name(int dlt)
{
	switch (dlt) {
	case FRAME_DLT_NULL: return "NULL";
	case FRAME_DLT_EN10MB: return "EN10MB";
	case FRAME_DLT_RAW:
	case FRAME_LINKTYPE_RAW: return "RAW";
	case FRAME_DLT_LINUX_SLL: return "LINUX_SLL";
	case FRAME_DLT_IPV4: return "IPV4";
	case FRAME_DLT_IPV6: return "IPV6";
	case FRAME_DLT_LINUX_SLL2: return "LINUX_SLL2";
	default: return "DLT_?";
	}
}

const char *frame_dir_str(enum frame_dir d)
{
	switch (d) {
	case FRAME_DIR_HOST: return "In";
	case FRAME_DIR_BROADCAST: return "B";
	case FRAME_DIR_MULTICAST: return "M";
	case FRAME_DIR_OTHERHOST: return "P";
	case FRAME_DIR_OUTGOING: return "Out";
	default: return "";
	}
}
