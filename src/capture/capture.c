/* \summary: a capture session: open before the first packet, record, finish */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/out.h"
#include "../core/priv.h"
#include "../core/timeline.h"
#include "route.h"
#include "session.h"

int capture_addr_bytes(const struct addr *a, uint8_t out[16])
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	memset(out, 0, 16);
	if (a->ss.ss_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)&a->ss)->sin_addr, 4);
		return 4;
	}
	if (a->ss.ss_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(out, s6->sin6_addr.s6_addr + 12, 4);
		return 4;
	}
	memcpy(out, &s6->sin6_addr, 16);
	return 6;
}

/* Appends "host A" style text to the filter, safely. */
static void __attribute__((format(printf, 2, 3)))
fput(struct capture *c, const char *fmt, ...)
{
	size_t n = strlen(c->filter);
	va_list ap;

	va_start(ap, fmt);
	if (n + 1 < sizeof(c->filter))
		vsnprintf(c->filter + n, sizeof(c->filter) - n, fmt, ap);
	va_end(ap);
}

/* TCP/UDP: both directions between our end and the peer's. */
static void filter_ports(struct capture *c, const char *r, const char *l)
{
	const char *proto = c->spec.proto == IPPROTO_TCP ? "tcp" : "udp";

	fput(c, "%s and ((dst host %s and dst port %u", proto, r, (unsigned)c->rport);
	if (c->have_laddr)
		fput(c, " and src host %s", l);
	if (c->lport)
		fput(c, " and src port %u", (unsigned)c->lport);
	fput(c, ") or (src host %s and src port %u", r, (unsigned)c->rport);
	if (c->have_laddr)
		fput(c, " and dst host %s", l);
	if (c->lport)
		fput(c, " and dst port %u", (unsigned)c->lport);
	fput(c, "))");
}

/*
 * ICMP: echo requests and replies with our identifier to or from the
 * peer, and errors to us quoting it (RFC 792: the original IP header,
 * 20 bytes without options, then the echo header: the identifier at
 * byte 32 of the error; ICMPv6, RFC 4443: 40-byte header, byte 52).
 */
static void filter_icmp(struct capture *c, const char *r, const char *l)
{
	unsigned id = (unsigned)c->spec.icmp_id;

	if (c->ipver == 4)
		fput(c, "icmp and ((host %s and (icmp[0] == 8 or icmp[0] == 0) and "
		     "icmp[4:2] == %u) or ((icmp[0] == 3 or icmp[0] == 11 or icmp[0] == 12) "
		     "and icmp[32:2] == %u", r, id, id);
	else
		fput(c, "icmp6 and ((host %s and (icmp6[0] == 128 or icmp6[0] == 129) and "
		     "icmp6[4:2] == %u) or ((icmp6[0] >= 1 and icmp6[0] <= 4) "
		     "and icmp6[52:2] == %u", r, id, id);
	if (c->have_laddr)
		fput(c, " and dst host %s", l);
	fput(c, "))");
}

static void build_filter(struct capture *c)
{
	char r[64], l[64];

	capture_ip_str(c->ipver, c->raddr, r, sizeof(r));
	capture_ip_str(c->ipver, c->laddr, l, sizeof(l));
	c->filter[0] = '\0';
	if (c->spec.server)	/* every client of our listening port */
		fput(c, "tcp and ((src host %s and src port %u) or (dst host %s and "
		     "dst port %u))", l, (unsigned)c->lport, l, (unsigned)c->lport);
	else if (c->spec.proto == IPPROTO_TCP || c->spec.proto == IPPROTO_UDP)
		filter_ports(c, r, l);
	else
		filter_icmp(c, r, l);
}

/*
 * spec.server: our listening address and port are both ends the filter
 * and the reader know; the interface is the caller's (the route to our
 * own address would be lo whatever the clients use), so no lookup is
 * made, and no call of it lands in the server's timeline.
 */
static int plan_server(struct capture *c)
{
	struct sockx *sx = c->sx;

	c->ipver = capture_addr_bytes(&c->spec.local, c->laddr);
	if (!c->ipver || addr_port(&c->spec.local) <= 0 || !c->spec.iface ||
	    c->spec.proto != IPPROTO_TCP || c->spec.verify)
		return fail(sx, EXIT_USAGE, "a server's capture needs its TCP address, port "
			    "and interface, and verifies nothing");
	memcpy(c->raddr, c->laddr, 16);
	c->have_laddr = true;
	c->lport = c->rport = (uint16_t)addr_port(&c->spec.local);
	snprintf(c->iface, sizeof(c->iface), "%s", c->spec.iface);
	build_filter(c);
	return EXIT_OK;
}

/* Addresses, ports and the interface of the flow. Returns an exit code. */
static int plan(struct capture *c)
{
	struct sockx *sx = c->sx;
	struct addr src;
	uint8_t b[16];
	int v;

	if (c->spec.server)
		return plan_server(c);
	c->ipver = capture_addr_bytes(&c->spec.remote, c->raddr);
	if (!c->ipver)
		return fail(sx, EXIT_USAGE, "--verify and --pcap need an IP peer");
	c->rport = (uint16_t)addr_port(&c->spec.remote);
	if (capture_route(sx, &c->spec.remote, c->iface, &src) < 0 && !c->spec.iface)
		return fail_errno(sx, "cannot find the route to the peer");
	if (c->spec.iface)
		snprintf(c->iface, sizeof(c->iface), "%s", c->spec.iface);
	v = capture_addr_bytes(&c->spec.local, b);
	if (v == c->ipver && !addr_is_any(&c->spec.local)) {
		memcpy(c->laddr, b, 16);	/* -s ADDR: the caller bound it */
		c->have_laddr = true;
	} else if (capture_addr_bytes(&src, b) == c->ipver) {
		memcpy(c->laddr, b, 16);
		c->have_laddr = true;
	}
	if (v && addr_port(&c->spec.local) > 0) {
		c->lport = (uint16_t)addr_port(&c->spec.local);
		capture_set_local(c, &c->spec.local);	/* known already */
	}
	build_filter(c);
	return EXIT_OK;
}

#define CLOCK_SAMPLES 16
#define CLOCK_TRUST_NS 50000	/* a sample wider than 50 us cannot order packets */
#define TL_RING (2u << 20)	/* --timeline alone: its ring ... */
#define TL_SNAPLEN 192		/* ... of headers (Ethernet, IPv6, TCP with options) */
#define TL_MARGIN_S 0.001	/* a packet stamped this long before the ring
				   was found empty may not be in it yet */

static int64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * --timeline: libpcap stamps packets with CLOCK_REALTIME, the calls are
 * timed on CLOCK_MONOTONIC. The offset between them, as the best of
 * several samples (monotonic, realtime, monotonic: the narrowest pair
 * brackets the realtime read best). Tells the timeline how good it is.
 */
static void align_clocks(struct capture *c)
{
	int64_t m1, r, m2, best = INT64_MAX;
	char why[160];
	int i;

	for (i = 0; i < CLOCK_SAMPLES; i++) {
		m1 = ns_of(CLOCK_MONOTONIC);
		r = ns_of(CLOCK_REALTIME);
		m2 = ns_of(CLOCK_MONOTONIC);
		if (m2 - m1 < best) {
			best = m2 - m1;
			c->clock_off_ns = r - (m1 + (m2 - m1) / 2);
		}
	}
	snprintf(why, sizeof(why), "the clocks could not be aligned: the best of %d "
		 "samples of realtime against monotonic was %.1f us wide (over %d us)",
		 CLOCK_SAMPLES, (double)best / 1000.0, CLOCK_TRUST_NS / 1000);
	trace(c->sx, 1, "timeline: clocks aligned: realtime - monotonic = %lld ns, best "
	      "sample %lld ns wide of %d", (long long)c->clock_off_ns, (long long)best,
	      CLOCK_SAMPLES);
	timeline_wire(c->sx, c->iface, c->src.nano ? "ns" : "us", (double)best / 1000.0,
		      CLOCK_SAMPLES, best <= CLOCK_TRUST_NS, best <= CLOCK_TRUST_NS ? NULL : why);
}

/* The libpcap side: interface, filter, --pcap file. Returns an exit code. */
static int open_wire(struct capture *c)
{
	struct sockx *sx = c->sx;

	/* the timeline alone needs headers only: a small ring opens fast */
	if (capture_src_live_ts(&c->src, c->iface, c->spec.optional ? TL_RING : CAPTURE_RING,
				c->spec.optional ? TL_SNAPLEN : c->spec.snaplen,
				c->spec.timeline) < 0) {
		char why[sizeof(c->src.err) + 160];
		int rc;

		if (c->spec.optional) {	/* the timeline only: not an error */
			if (errno == EPERM)
				snprintf(why, sizeof(why), "no capture on %s without CAP_NET_RAW "
					 "(run as root, or make install-caps)", c->iface);
			else
				snprintf(why, sizeof(why), "no capture on %s: %s", c->iface,
					 c->src.err);
			timeline_wire(sx, NULL, NULL, (double)NAN, 0, false, why);
			return -1;
		}
		rc = fail_open(sx, "cannot capture on %s: %s", c->iface, c->src.err);

		if (rc == EXIT_NOPERM)
			hint(sx, "--verify and --pcap capture with libpcap, which needs "
			     "CAP_NET_RAW: run as root (sudo), or make install-caps");
		return rc;
	}
	if (capture_src_filter(&c->src, c->filter) < 0)
		return fail(sx, EXIT_FAIL, "cannot filter the capture: %s", c->src.err);
	capture_src_settle(&c->src);	/* nothing of the flow is sent yet */
	if (c->spec.timeline)
		align_clocks(c);
	if (c->spec.pcap_path && capture_dump_open(&c->dump, &c->src, c->spec.pcap_path) < 0)
		return fail(sx, errno_exit(errno, false), "cannot write '%s': %s",
			    c->spec.pcap_path, c->src.err);
	return EXIT_OK;
}

static double pull_packets(void *ctx, struct sockx *sx);

static void discard(struct capture *c)
{
	if (c->tl_source)
		timeline_source(c->sx, NULL, NULL);
	capture_reader_stop(c);
	capture_dump_abort(&c->dump);
	capture_src_close(&c->src);
	capture_digest_free(&c->p.sent);
	capture_digest_free(&c->p.rcvd);
	capture_msgs_free(&c->p.msgs);
	for (int i = 0; i < MAX_FLOWS; i++) {
		capture_tcp_free(&c->w.flows[i].tcp);
		capture_msgs_free(&c->w.flows[i].msgs);
	}
	free(c->w.tl);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

struct capture *capture_open(struct sockx *sx, const struct capture_spec *spec,
			     int *rc)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c) {
		*rc = fail(sx, EXIT_FAIL, "out of memory");
		return NULL;
	}
	c->sx = sx;
	c->spec = *spec;
	c->wake[0] = c->wake[1] = -1;
	pthread_mutex_init(&c->mu, NULL);
	*rc = plan(c);
	if (*rc == EXIT_OK)
		*rc = open_wire(c);
	if (*rc == -1) {	/* optional, and no capture: said in the timeline */
		discard(c);
		*rc = EXIT_OK;
		return NULL;
	}
	if (*rc == EXIT_OK && !spec->keep_priv && priv_drop_all() < 0)
		*rc = fail_errno(sx, "cannot drop privileges");
	if (*rc == EXIT_OK && capture_reader_start(c) < 0)
		*rc = fail_errno(sx, "cannot start the capture thread");
	if (*rc == EXIT_OK && spec->timeline && sx->timeline && sx->timeline->wire) {
		c->tl_source = true;
		timeline_source(sx, pull_packets, c);
	}
	if (*rc != EXIT_OK) {
		discard(c);
		return NULL;
	}
	trace(sx, 1, "capture: ready on %s, link type %s, filter: %s", c->iface,
	      frame_dlt_name(c->src.dlt), c->filter);
	return c;
}

void capture_set_local(struct capture *c, const struct addr *local)
{
	if (!c || capture_addr_bytes(local, c->p.laddr) != c->ipver)
		return;
	c->p.local_set = true;
	c->p.lport = addr_port(local) > 0 ? (uint16_t)addr_port(local) : 0;
}

void capture_tcp_sent(struct capture *c, const void *p, size_t n)
{
	if (!c || !n)
		return;
	capture_digest_add(&c->p.sent, p, n);
	c->p.writes++;
}

void capture_tcp_received(struct capture *c, const void *p, size_t n)
{
	if (!c || !n)
		return;
	capture_digest_add(&c->p.rcvd, p, n);
	c->p.reads++;
}

void capture_udp_sent(struct capture *c, const void *p, size_t n)
{
	if (c)
		capture_msgs_add(&c->p.msgs, CAPTURE_OUT, p, n, false, LAYOUT_DATA, 0);
}

void capture_udp_received(struct capture *c, const void *p, size_t n)
{
	if (c)
		capture_msgs_add(&c->p.msgs, CAPTURE_IN, p, n, false, LAYOUT_DATA, 0);
}

/* IPv4 packet (IP_HDRINCL, IPv4 recvfrom) or an ICMP message alone. */
static enum capture_layout raw_layout(const void *p, size_t n, unsigned flags)
{
	const uint8_t *b = p;

	if (flags & CAPTURE_RAW_L4)
		return LAYOUT_ICMP;
	return n && b[0] >> 4 == 4 ? LAYOUT_IP4 : LAYOUT_ICMP;
}

void capture_raw_sent(struct capture *c, const void *p, size_t n, unsigned flags)
{
	if (c)
		capture_msgs_add(&c->p.msgs, CAPTURE_OUT, p, n, true,
				 raw_layout(p, n, flags), flags);
}

void capture_raw_received(struct capture *c, const void *p, size_t n, unsigned flags)
{
	if (c)
		capture_msgs_add(&c->p.msgs, CAPTURE_IN, p, n, true,
				 raw_layout(p, n, flags), flags);
}

/* Tells the reader what completes the flow, then waits for its drain. */
static void drain(struct capture *c)
{
	size_t i;

	pthread_mutex_lock(&c->mu);
	c->drain_local = c->p.local_set || c->spec.proto != IPPROTO_TCP;
	c->drain_lport = c->p.lport;
	for (i = 0; i < c->p.msgs.n; i++)
		c->want[c->p.msgs.v[i].dir]++;
	pthread_mutex_unlock(&c->mu);
	capture_reader_stop(c);
}

/*
 * The sequence numbers' origins of the connection whose peer has port
 * (a client's capture has one peer port; a server's, one per client):
 * a new one takes the oldest entry, so a server's numbers stay relative
 * for TL_CONNS connections at a time (a forgotten one that comes back
 * without a SYN counts from its next segment, as a client's first does).
 */
static struct tl_isn *tl_conn(struct capture *c, uint16_t port)
{
	struct tl_isn *e;
	size_t i;

	for (i = 0; i < TL_CONNS; i++)
		if (c->tl_isn[i].used && c->tl_isn[i].port == port)
			return &c->tl_isn[i];
	e = &c->tl_isn[c->tl_isn_next];
	c->tl_isn_next = (c->tl_isn_next + 1) % TL_CONNS;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->port = port;
	return e;
}

/* A held packet as a timeline row: on the calls' clock, TCP's numbers relative. */
static void tl_row_of(struct capture *c, const struct tl_pkt *t, struct tl_row *r)
{
	int d = t->out ? 0 : 1;
	struct tl_isn *e;

	memset(r, 0, sizeof(*r));
	r->kind = TL_PACKET;
	r->side = t->out != c->spec.listener_peer ? TL_SELF : TL_PEER;
	r->t = (double)(t->real_ns - c->clock_off_ns) / 1e9 - c->sx->t0;
	r->len = t->len;
	r->conn = c->spec.server && !c->spec.listener_peer ? t->peer_port : 0;	/* tcp-server: whose */
	snprintf(r->label, sizeof(r->label), "%s", t->label);
	if (t->proto != CAP_IPPROTO_TCP) {
		snprintf(r->proto, sizeof(r->proto), "%s", t->proto == CAP_IPPROTO_UDP ? "UDP" :
			 t->proto == CAP_IPPROTO_ICMP ? "ICMP" : "ICMPv6");
		return;
	}
	snprintf(r->proto, sizeof(r->proto), "TCP");
	/* numbers relative to each side's SYN (0x02), or its first segment */
	e = tl_conn(c, t->peer_port);
	if (!e->known[d] || ((t->flags & 0x02) && t->seq != e->isn[d])) {
		e->known[d] = true;
		e->isn[d] = t->seq;
	}
	r->flags = t->flags;
	r->seq = (long long)(uint32_t)(t->seq - e->isn[d]);
}

/*
 * --timeline's source (core/timeline.h): hands the held packets over and
 * says up to when it has them all: when the reader last found the ring
 * empty, less a margin for a packet stamped but not yet queued, and for
 * the clocks' alignment.
 */
static double pull_packets(void *ctx, struct sockx *sx)
{
	struct capture *c = ctx;
	struct tl_row r;
	size_t i, lost;
	double upto;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->w.ntl; i++) {
		tl_row_of(c, &c->w.tl[i], &r);
		timeline_packet(sx, &r);
	}
	c->w.ntl = 0;
	lost = c->w.tl_dropped;
	c->w.tl_dropped = 0;
	upto = c->running ? c->w.tl_upto - sx->t0 - TL_MARGIN_S : INFINITY;
	pthread_mutex_unlock(&c->mu);
	timeline_lost(sx, lost);
	return upto > 0 ? upto : 0;
}

int capture_finish(struct capture *c, int exch_rc)
{
	int rc = exch_rc, v;

	if (!c)
		return exch_rc;
	drain(c);
	if (c->tl_source) {	/* the reader has ended: the last of them */
		pull_packets(c, c->sx);
		if (c->w.stats_ok)
			timeline_wire_dropped(c->sx, c->w.drop);
		timeline_source(c->sx, NULL, NULL);
		c->tl_source = false;
	}
	trace(c->sx, 1, "capture: %u packets on %s, %u of this flow's filter kept, "
	      "%u dropped", c->w.total, c->iface, c->w.total - c->w.other, c->w.drop);
	if (c->spec.pcap_path && capture_dump_commit(&c->dump) < 0) {
		v = fail_errno(c->sx, "cannot write '%s'", c->spec.pcap_path);
		rc = rc == EXIT_OK ? v : rc;
	} else if (c->spec.pcap_path) {
		trace(c->sx, 1, "capture: wrote %u packets, captured on %s, to %s",
		      c->w.total, c->iface, c->spec.pcap_path);
	}
	if (c->spec.verify) {
		v = capture_verdict(c, exch_rc);
		if (v == EXIT_MISMATCH || rc == EXIT_OK)
			rc = v;
	}
	discard(c);
	return rc;
}
