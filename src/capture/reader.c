/*
 * \summary: the reader thread: takes packets off the ring as they come
 * (so a long exchange never fills it), writes them to --pcap, and sorts
 * this flow's packets into TCP reassembly or message lists
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "../core/timeline.h"
#include "session.h"

#define ICMP4_ECHO 8
#define ICMP6_ECHO 128

void capture_msgs_add(struct msg_list *l, int dir, const void *p, size_t n,
		      bool keep, enum capture_layout layout, unsigned flags)
{
	struct capture_msg *nv, *m;
	size_t ncap;

	if (l->full || l->n == MAX_MSGS || (keep && l->kept + n > MAX_KEPT)) {
		l->full = true;
		return;
	}
	if (l->n == l->cap) {
		ncap = l->cap ? l->cap * 2 : 16;
		nv = realloc(l->v, ncap * sizeof(*nv));
		if (!nv) {
			l->full = true;
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	m = &l->v[l->n];
	if (capture_msg_set(m, dir, p, n, keep) < 0) {
		l->full = true;
		return;
	}
	m->layout = layout;
	m->flags = flags;
	l->kept += keep ? n : 0;
	l->n++;
}

void capture_msgs_free(struct msg_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		capture_msg_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool same(const struct capture *c, const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, c->ipver == 6 ? 16 : 4) == 0;
}

struct wire_flow *capture_flow_of(struct capture *c, uint16_t lport)
{
	int i;

	for (i = 0; i < MAX_FLOWS; i++)
		if (c->w.flows[i].used && (!lport || c->w.flows[i].lport == lport))
			return &c->w.flows[i];
	return NULL;
}

/* The flow whose local end is (a, port), created if need be; NULL if full. */
static struct wire_flow *flow(struct capture *c, const uint8_t *a, uint16_t port)
{
	struct wire_flow *f;
	int i;

	for (i = 0; i < MAX_FLOWS; i++) {
		f = &c->w.flows[i];
		if (f->used && f->lport == port && same(c, f->laddr, a))
			return f;
		if (!f->used) {
			f->used = true;
			memcpy(f->laddr, a, 16);
			f->lport = port;
			return f;
		}
	}
	c->w.extra_flows++;
	return NULL;
}

/* TCP and UDP: which way a packet goes, by the peer's address and port. */
static int port_dir(const struct capture *c, const struct capture_pkt *k,
		    uint16_t sp, uint16_t dp)
{
	if (same(c, k->dst, c->raddr) && dp == c->rport &&
	    (!c->have_laddr || same(c, k->src, c->laddr)) && (!c->lport || sp == c->lport))
		return CAPTURE_OUT;
	if (same(c, k->src, c->raddr) && sp == c->rport &&
	    (!c->have_laddr || same(c, k->dst, c->laddr)) && (!c->lport || dp == c->lport))
		return CAPTURE_IN;
	return -1;
}

/*
 * The transport payload's length on the wire, from the IP header (the
 * timeline's own capture keeps the headers only); hdr: the transport
 * header's length.
 */
static size_t wire_payload(const struct capture_pkt *k, size_t hdr)
{
	size_t ip = k->ipver == 4 ? k->ip4.total_len : 40 + (size_t)k->ip6.plen;
	size_t at = (size_t)((k->l4.p + k->l4.off) - (k->l3.p + k->l3.off)) + hdr;

	return ip > at ? ip - at : 0;
}

/* --timeline: a packet's time and header, held until the main thread takes it. */
static void keep_for_timeline(struct capture *c, const struct pcap_pkthdr *h,
			      const struct capture_pkt *k, int dir)
{
	struct tl_pkt *t;
	size_t len;

	pthread_mutex_lock(&c->mu);
	if (!c->w.tl)
		c->w.tl = malloc(TIMELINE_MAX * sizeof(*c->w.tl));
	if (!c->w.tl || c->w.ntl == TIMELINE_MAX) {
		c->w.tl_dropped++;
		pthread_mutex_unlock(&c->mu);
		return;
	}
	t = &c->w.tl[c->w.ntl++];
	memset(t, 0, sizeof(*t));
	t->real_ns = (int64_t)h->ts.tv_sec * 1000000000 +
		     (int64_t)h->ts.tv_usec * (c->src.nano ? 1 : 1000);
	t->out = dir == CAPTURE_OUT;
	t->proto = k->proto;
	len = k->proto == CAP_IPPROTO_TCP ? wire_payload(k, k->tcp.hdr_len) :
	      k->proto == CAP_IPPROTO_UDP ? wire_payload(k, 8) : wire_payload(k, 0);
	t->len = (uint32_t)len;
	if (k->proto == CAP_IPPROTO_TCP) {
		t->flags = k->tcp.flags;
		t->seq = k->tcp.seq;
	} else if (k->proto == CAP_IPPROTO_UDP) {
		snprintf(t->label, sizeof(t->label), "UDP (%zu)", len);
	} else {
		capture_icmp_label(k, t->label, sizeof(t->label));
	}
	pthread_mutex_unlock(&c->mu);
}

/* The reader found the ring empty: every packet before then is handed over. */
static void timeline_upto(struct capture *c)
{
	pthread_mutex_lock(&c->mu);
	c->w.tl_upto = c->src.empty_at;
	pthread_mutex_unlock(&c->mu);
}

static void ported(struct capture *c, const struct pcap_pkthdr *h,
		   const struct capture_pkt *k)
{
	uint16_t sp, dp;
	struct wire_flow *f;
	size_t n;
	int dir;

	dir = capture_pkt_ports(k, &sp, &dp) ? port_dir(c, k, sp, dp) : -1;
	if (dir < 0) {
		c->w.other++;
		return;
	}
	f = dir == CAPTURE_OUT ? flow(c, k->src, sp) : flow(c, k->dst, dp);
	if (!f)
		return;
	f->pkts[dir]++;
	if (c->spec.timeline)
		keep_for_timeline(c, h, k, dir);
	if (k->proto == CAP_IPPROTO_TCP) {
		capture_tcp_segment(&f->tcp, dir, &k->tcp, k->data.p + k->data.off,
				    rd_left(&k->data));
		return;
	}
	n = f->msgs.n;
	capture_msgs_add(&f->msgs, dir, k->data.p + k->data.off, rd_left(&k->data),
			 false, LAYOUT_DATA, 0);
	if (f->msgs.n > n)	/* a datagram cut short (a fragment) can't be compared */
		f->msgs.v[n].trunc = k->st == WIRE_TRUNC || k->fragment;
}

/* ICMP: our echo identifier (the filter checked errors quote it). */
static void icmp(struct capture *c, const struct pcap_pkthdr *h, const struct capture_pkt *k)
{
	uint8_t req = k->proto == CAP_IPPROTO_ICMP ? ICMP4_ECHO : ICMP6_ECHO;
	struct wire_flow *f = &c->w.flows[0];
	struct capture_msg *m;
	size_t n;
	int dir;

	if (!k->l4_ok || (k->icmp.echo && k->icmp.id != c->spec.icmp_id)) {
		c->w.other++;
		return;
	}
	if (same(c, k->src, k->dst))	/* loopback: requests go out, the rest comes in */
		dir = k->icmp.echo && k->icmp.type == req ? CAPTURE_OUT : CAPTURE_IN;
	else if (c->have_laddr)
		dir = same(c, k->src, c->laddr) ? CAPTURE_OUT : CAPTURE_IN;
	else
		dir = same(c, k->dst, c->raddr) ? CAPTURE_OUT : CAPTURE_IN;
	f->used = true;
	f->pkts[dir]++;
	if (c->spec.timeline)
		keep_for_timeline(c, h, k, dir);
	n = f->msgs.n;
	capture_msgs_add(&f->msgs, dir, k->l3.p + k->l3.off, rd_left(&k->l3), true,
			 k->ipver == 4 ? LAYOUT_IP4 : LAYOUT_ICMP, 0);
	if (f->msgs.n > n) {
		m = &f->msgs.v[n];
		m->l4_off = (size_t)((k->l4.p + k->l4.off) - (k->l3.p + k->l3.off));
		m->trunc = k->st == WIRE_TRUNC;
	}
}

static void packet(struct capture *c, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct capture_pkt k;

	capture_dump_write(&c->dump, h, data);
	c->w.total++;
	if (h->caplen < h->len)
		c->w.truncated++;
	capture_decode(c->src.dlt, data, h->caplen, &k);
	if (k.ipver != c->ipver || k.proto != c->spec.proto || (k.fragment && !k.l4_ok)) {
		c->w.other++;
		return;
	}
	if (k.proto == CAP_IPPROTO_TCP || k.proto == CAP_IPPROTO_UDP)
		ported(c, h, &k);
	else
		icmp(c, h, &k);
}

/* Is the flow whole on the wire? Then draining can stop at once. */
static bool complete(struct capture *c)
{
	struct wire_flow *f;
	bool local;
	uint16_t lport;
	size_t want[2], have[2] = { 0, 0 }, i;

	pthread_mutex_lock(&c->mu);
	local = c->drain_local;
	lport = c->drain_lport;
	want[0] = c->want[0];
	want[1] = c->want[1];
	pthread_mutex_unlock(&c->mu);
	if (c->spec.proto == IPPROTO_TCP) {
		f = local ? capture_flow_of(c, lport) : NULL;
		return f && capture_tcp_done(&f->tcp);
	}
	f = capture_flow_of(c, c->spec.proto == IPPROTO_UDP && local ? lport : 0);
	if (!f)
		return !want[0] && !want[1];
	for (i = 0; i < f->msgs.n; i++)
		have[f->msgs.v[i].dir]++;
	return have[0] >= want[0] && have[1] >= want[1];
}

/* True (and the pipe emptied) once the main thread asked for the drain. */
static bool drain_asked(struct capture *c)
{
	char b;
	bool d;

	pthread_mutex_lock(&c->mu);
	d = c->drain;
	pthread_mutex_unlock(&c->mu);
	if (d)
		while (read(c->wake[0], &b, 1) < 0 && errno == EINTR)
			;
	return d;
}

/* Milliseconds until t (monotonic seconds), at least 0. */
static int ms_until(double t)
{
	double ms = (t - now_mono()) * 1000.0;

	return ms <= 0 ? 0 : (int)ms + 1;
}

static void *reader(void *arg)
{
	struct capture *c = arg;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	double quiet = 0, hard = 0;
	bool draining = false, idle = false;
	int rc, t;

	for (;;) {
		/* Draining: empty the ring (t = 0), then wait for stragglers. */
		t = !draining ? (c->spec.timeline ? TL_POLL_MS : -1) :
		    idle ? ms_until(quiet < hard ? quiet : hard) : 0;
		rc = capture_src_next(&c->src, t, draining ? -1 : c->wake[0], &h, &data);
		if (c->spec.timeline)
			timeline_upto(c);
		if (rc == 1) {
			packet(c, h, data);
			idle = false;
			if (draining)
				quiet = now_mono() + DRAIN_QUIET_MS / 1000.0;
			continue;
		}
		if (rc < 0) {
			c->w.failed = rc == -1;
			memcpy(c->w.err, c->src.err, sizeof(c->w.err));
			break;
		}
		if (!draining && drain_asked(c)) {
			draining = true;
			quiet = now_mono() + DRAIN_QUIET_MS / 1000.0;
			hard = now_mono() + DRAIN_MAX_MS / 1000.0;
			continue;
		}
		if (draining && (complete(c) || now_mono() >= quiet || now_mono() >= hard))
			break;
		idle = draining;
	}
	c->w.stats_ok = capture_src_stats(&c->src, &c->w.recv, &c->w.drop) == 0;
	return NULL;
}

int capture_reader_start(struct capture *c)
{
	sigset_t all, old;
	int rc;

	if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	/* Signals stay with the main thread: block them all in the reader. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->th, NULL, reader, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		close(c->wake[0]);
		close(c->wake[1]);
		c->wake[0] = c->wake[1] = -1;
		errno = rc;
		return -1;
	}
	c->running = true;
	return 0;
}

void capture_reader_stop(struct capture *c)
{
	ssize_t n;

	if (!c->running)
		return;
	pthread_mutex_lock(&c->mu);
	c->drain = true;
	pthread_mutex_unlock(&c->mu);
	do {
		n = write(c->wake[1], "d", 1);
	} while (n < 0 && errno == EINTR);
	pthread_join(c->th, NULL);
	c->running = false;
	close(c->wake[0]);
	close(c->wake[1]);
	c->wake[0] = c->wake[1] = -1;
}
