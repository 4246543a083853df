/*
 * \summary: raw-icmp --verify, --pcap, --timeline and --svg: a libpcap capture
 * of this run's echo flow, fed every probe as built and every answer as
 * read, and handing its packets to the timeline
 */
#include <netinet/in.h>
#include <stdio.h>

#include "ping.h"
#include "../../capture/capture.h"
#include "../../core/timeline.h"

/*
 * The KF_* and layer flags of a probe as sent (capture.h): the fields
 * the kernel writes (build_probe() marked them from wire/kfield.h's
 * table), and CAPTURE_RAW_L4 when the probe is the ICMP or ICMPv6
 * message alone (the kernel writes the IP header). A datagram socket's
 * kernel also writes the identifier: build_probe() built in the one the
 * kernel reported for the socket (getsockname), so that field is
 * compared as built, not skipped (raw_icmp_verify_finish says).
 */
static unsigned sent_flags(const struct ping_packet *p)
{
	return (p->kernel & ~(unsigned)KF_L4_ID) | (p->has_ip ? 0 : CAPTURE_RAW_L4);
}

/* The tap: every probe sent, and of the packets read only the answers
 * (the second call, ping_tap_fn): on lo a raw socket reads requests too,
 * which are on the wire as sent packets, not received ones. */
static void verify_tap(void *ctx, const struct ping_packet *p)
{
	struct capture *cap = ctx;

	if (p->sent)
		capture_raw_sent(cap, p->bytes, p->len, sent_flags(p));
	else if (p->answer)	/* IPv4 raw: with its header; else the message */
		capture_raw_received(cap, p->bytes, p->len,
				     p->has_ip ? 0 : CAPTURE_RAW_L4);
}

/*
 * The most bytes a packet of this flow can have on the wire: echo data,
 * echo header, room for a link header and an IP header with options or
 * extension headers; and at least what an ICMPv6 error may be (RFC 4443
 * 2.4: 1280 bytes; ICMPv4 errors stay within 576, RFC 1812 4.3.2.3).
 * Whole packets of any size would cost libpcap's immediate mode one
 * 256 KiB slot each, and a flood would overrun the ring within a second.
 */
static unsigned flow_snaplen(const struct ping *pg)
{
	size_t n = pg->o->size + ICMP_HDR_LEN + 256;

	return (unsigned)(n < 1280 + 256 ? 1280 + 256 : n);
}

int raw_icmp_verify_open(struct ping *pg, struct capture **cap)
{
	const struct raw_icmp_opts *o = pg->o;
	struct capture_spec cs = {
		.proto = pg->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		.remote = pg->dst, .local = pg->src, .icmp_id = pg->id,
		.verify = o->verify, .pcap_path = o->pcap,
		.snaplen = flow_snaplen(pg), .timeline = o->timeline || o->svg,
		.optional = !o->verify && !o->pcap,
	};
	char peer[ADDR_TEXT + 8];
	int rc;

	*cap = NULL;
	if (!o->verify && !o->pcap && !o->timeline && !o->svg)
		return EXIT_OK;
	/* before the capture: it tells the timeline what the wire column holds */
	snprintf(peer, sizeof(peer), "peer %s", pg->dst_text);
	if ((o->timeline || o->svg) &&
	    !timeline_new(pg->sx, "raw-icmp", "this process (raw-icmp)", peer,
			  o->timeline, o->svg))	/* --svg alone: kept, not printed */
		return fail(pg->sx, EXIT_FAIL, "out of memory");
	*cap = capture_open(pg->sx, &cs, &rc);
	if (!*cap)	/* rc 0: --timeline or --svg alone, without a capture */
		return rc;
	if (raw_icmp_add_tap(pg, verify_tap, *cap) < 0) {	/* a bug, not the user's */
		rc = capture_finish(*cap, EXIT_FAIL);
		*cap = NULL;
		return fail(pg->sx, rc, "no free packet tap for --verify");
	}
	return EXIT_OK;
}

int raw_icmp_verify_finish(struct ping *pg, struct capture *cap, int rc)
{
	bool note = cap && pg->o->verify && pg->method == PM_DGRAM && pg->ntx;

	rc = capture_finish(cap, rc);
	if (!note)
		return rc;
	/* the human line goes with the summary's, right after; -v's note here */
	snprintf(pg->note, sizeof(pg->note), "on a datagram socket the kernel "
		 "writes the identifier itself: sockx built in the one getsockname "
		 "reported (%u), so it was compared, not skipped", pg->id);
	trace(pg->sx, 1, "verify: %s", pg->note);
	return rc;
}
