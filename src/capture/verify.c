/*
 * \summary: the verdict: what the program recorded against what the
 * reader saw, and the line or event that says so
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/out.h"
#include "human.h"
#include "session.h"

/* What the comparison found. */
struct verdict {
	struct capture *c;
	bool partial;		/* the exchange failed: check only what it did */
	bool skip;		/* nothing to check: no connection was made */
	char why[1024];		/* differences, "; "-separated */
	char inconcl[256];	/* why no verdict is possible, or "" */
	unsigned out, in, retrans, ooo;
	uint64_t bytes;
	unsigned kfilled;
	struct capture_diff kdiff;
	size_t extra[2];	/* wire messages the program did not record */
};

static void __attribute__((format(printf, 3, 0)))
vappend(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t n = strlen(buf);

	if (n && n + 3 < len) {
		memcpy(buf + n, "; ", 3);
		n += 2;
	}
	if (n + 1 < len)
		vsnprintf(buf + n, len - n, fmt, ap);
}

static void __attribute__((format(printf, 2, 3)))
problem(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
inconclusive(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(v->inconcl, sizeof(v->inconcl), fmt, ap);
	va_end(ap);
}

static void handshake(struct verdict *v, const struct capture_tcp_flow *t)
{
	if (!t->d[0].syn)
		problem(v, "no SYN from us on the wire");
	else if (!t->synack)
		problem(v, "no SYN-ACK answering our SYN");
	else if (!t->hs_ack)
		problem(v, "no ACK of the peer's SYN-ACK");
}

/* One direction of bytes: the program's digest against the wire's. */
static void stream(struct verdict *v, bool sent, const struct capture_digest *prog,
		   const struct capture_tcp_dir *d)
{
	const char *name = sent ? "sent" : "received", *did = sent ? "wrote" : "read";
	unsigned long long lp = prog->len, lw = d->nxt;
	struct capture_mismatch m;
	uint64_t hole, at;

	hole = capture_tcp_hole(d, &at);
	if (lw < lp || (!v->partial && lw != lp)) {
		problem(v, "%s stream: the program %s %llu bytes, the wire carried %llu",
			name, did, lp, lw);
		if (hole)
			problem(v, "%s bytes %llu-%llu never seen on the wire", name,
				(unsigned long long)at, (unsigned long long)(at + hole - 1));
	}
	if (capture_digest_cmp(prog, &d->dg, lp < lw ? lp : lw, &m) && m.exact)
		problem(v, "%s byte %llu differs: the program %s 0x%02x, the wire "
			"carried 0x%02x", name, (unsigned long long)m.off, did, m.a, m.b);
	else if (m.differ)
		problem(v, "%s bytes %llu-%llu differ", name, (unsigned long long)m.off,
			(unsigned long long)m.end - 1);
}

static void tcp_close(struct verdict *v, const struct capture_tcp_flow *t)
{
	static const char *const who[2] = { "us", "the peer" };
	const struct capture_tcp_dir *d;
	int i;

	for (i = 0; i < 2; i++) {
		d = &t->d[i];
		if (d->rst)
			problem(v, "connection reset by %s", who[i]);
		else if (!d->fin)
			problem(v, "no FIN from %s on the wire", who[i]);
		else if (d->fin_off != d->nxt)
			problem(v, "FIN from %s at stream byte %llu, after %llu bytes",
				who[i], (unsigned long long)d->fin_off,
				(unsigned long long)d->nxt);
		else if (!d->fin_acked)
			problem(v, "the FIN from %s was never acknowledged", who[i]);
	}
}

static void tcp_verdict(struct verdict *v)
{
	struct capture *c = v->c;
	const struct capture_tcp_flow *t;
	struct wire_flow *f;

	if (!c->p.local_set) {
		v->skip = true;		/* never connected: nothing of ours to find */
		return;
	}
	f = capture_flow_of(c, c->p.lport);
	if (!f) {
		problem(v, "no packet of this connection crossed %s", c->iface);
		return;
	}
	t = &f->tcp;
	v->out = f->pkts[CAPTURE_OUT];
	v->in = f->pkts[CAPTURE_IN];
	v->bytes = t->d[0].nxt + t->d[1].nxt;
	v->retrans = t->d[0].retrans + t->d[1].retrans;
	v->ooo = t->d[0].ooo + t->d[1].ooo;
	if (t->d[0].overflow || t->d[1].overflow)
		inconclusive(v, "more than %u MiB or %u segments arrived ahead of a hole",
			     TCP_OOO_MAX >> 20, TCP_OOO_SEGS);
	if (c->p.sent.oom || c->p.rcvd.oom || t->d[0].dg.oom || t->d[1].dg.oom)
		inconclusive(v, "out of memory for stream digests");
	handshake(v, t);
	stream(v, true, &c->p.sent, &t->d[0]);
	stream(v, false, &c->p.rcvd, &t->d[1]);
	if (!v->partial)
		tcp_close(v, t);
}

/* Pointers to the messages of l going in direction dir, in order. */
static const struct capture_msg **by_dir(const struct msg_list *l, int dir, size_t *n)
{
	const struct capture_msg **v = malloc((l->n ? l->n : 1) * sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; v && i < l->n; i++)
		if (l->v[i].dir == dir)
			v[(*n)++] = &l->v[i];
	return v;
}

/* "sent datagram 3 of 5 (12 bytes) is not on the wire: ..." */
static void missing(struct verdict *v, const struct capture_match *r, int dir,
		    size_t n, const char *noun)
{
	const struct capture_diff *d = &r->d;
	const char *did = dir == CAPTURE_OUT ? "sent" : "received";

	problem(v, "%s %s %zu of %zu is not on the wire", did, noun,
		r->first_missing + 1, n);
	if (r->have_diff && d->off_known && d->off < d->elen && d->off < d->wlen)
		problem(v, "the nearest, wire %s %zu, differs at byte %zu (%s): 0x%02x "
			"%s, 0x%02x on the wire", noun, r->diff_wire + 1, d->off,
			d->field ? d->field : "data", d->e, did, d->w);
	else if (r->have_diff && d->elen != d->wlen)
		problem(v, "the nearest, wire %s %zu, has %zu bytes, not %zu", noun,
			r->diff_wire + 1, d->wlen, d->elen);
	else if (r->have_diff)
		problem(v, "the nearest, wire %s %zu, differs after byte %zu", noun,
			r->diff_wire + 1, d->off);
	if (r->missing > 1)
		problem(v, "%zu more %s %ss are not on the wire", r->missing - 1, did, noun);
}

static bool any_trunc(const struct msg_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].trunc)
			return true;
	return false;
}

static void msg_verdict(struct verdict *v)
{
	struct capture *c = v->c;
	bool udp = c->spec.proto == IPPROTO_UDP;
	const char *noun = udp ? "datagram" : "packet";
	struct wire_flow *f = capture_flow_of(c, udp ? c->p.lport : 0);
	static const struct msg_list none;
	const struct msg_list *wl = f ? &f->msgs : &none;
	const struct capture_msg **e, **w;
	struct capture_match r;
	size_t ne, nw;
	int dir;

	if (!c->p.msgs.n) {
		v->skip = true;
		return;
	}
	if (c->p.msgs.full || wl->full)
		inconclusive(v, "more %ss than sockx keeps (%u)", noun, MAX_MSGS);
	if (any_trunc(wl))
		inconclusive(v, "a %s on the wire was cut short (IP fragments?)", noun);
	for (dir = CAPTURE_OUT; dir <= CAPTURE_IN; dir++) {
		e = by_dir(&c->p.msgs, dir, &ne);
		w = by_dir(wl, dir, &nw);
		if (!e || !w) {
			inconclusive(v, "out of memory");
			free(e);
			free(w);
			return;
		}
		capture_match_msgs(e, ne, w, nw, &r);
		if (r.missing)
			missing(v, &r, dir, ne, noun);
		*(dir == CAPTURE_OUT ? &v->out : &v->in) = (unsigned)r.matched;
		v->bytes += r.bytes;
		v->extra[dir] = r.extra;
		if (r.kfilled && !v->kfilled)
			v->kdiff = r.kdiff;
		v->kfilled |= r.kfilled;
		free(e);
		free(w);
	}
}

/* "header checksum 0x3b2a, id 0x1c46" from one example packet. */
static const char *kfilled_str(const struct verdict *v, char *buf, size_t len)
{
	const struct capture_diff *d = &v->kdiff;
	const struct kfield *f;
	char one[64], a[16];
	uint8_t ip[4];
	uint32_t x;
	int k;

	buf[0] = '\0';
	for (k = 0; k < KF_BITS; k++) {
		f = kfield_of_bit(1u << k);
		if (!f || !(v->kfilled & f->bit))
			continue;
		x = d->kval[k];
		if (!(d->kfilled & f->bit)) {
			snprintf(one, sizeof(one), "%s", f->tag);
		} else if (f->show == KF_SHOW_IP4) {
			ip[0] = (uint8_t)(x >> 24);
			ip[1] = (uint8_t)(x >> 16);
			ip[2] = (uint8_t)(x >> 8);
			ip[3] = (uint8_t)x;
			snprintf(one, sizeof(one), "%s %s", f->tag, capture_ip_str(4, ip, a, sizeof(a)));
		} else {
			snprintf(one, sizeof(one), f->show == KF_SHOW_DEC ? "%s %u" : "%s 0x%04x",
				 f->tag, (unsigned)x);
		}
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", *buf ? ", " : "", one);
	}
	return buf;
}

static const char *result_of(const struct verdict *v)
{
	if (*v->inconcl)
		return "inconclusive";
	if (*v->why)
		return "mismatch";
	return v->partial ? "partial" : "verified";
}

/* The lines after "verified: ...": what the wire had that the program did not. */
static const char *notes(const struct verdict *v, char *buf, size_t len)
{
	buf[0] = '\0';
	if (v->extra[1])
		snprintf(buf, len, "\nnote: %zu more on the wire from the peer than "
			 "the program read", v->extra[1]);
	if (v->extra[0])
		snprintf(buf + strlen(buf), len - strlen(buf), "\nnote: %zu more on "
			 "the wire from us than the program recorded", v->extra[0]);
	return buf;
}

/*
 * The verdict as an event: its human lines when verified (on stderr when
 * stdout carries the data), JSON alone otherwise (the error says it).
 */
static void event(struct verdict *v, bool verified)
{
	struct capture *c = v->c;
	bool tcp = c->spec.proto == IPPROTO_TCP;
	char k[160], n[192];
	struct ev_verify_wire ev = {
		.result = result_of(v), .iface = c->iface, .packets_out = v->out,
		.packets_in = v->in, .bytes = (long long)v->bytes,
		.retransmitted = tcp ? v->retrans : EV_NONE,
		.out_of_order = tcp ? v->ooo : EV_NONE,
		.writes = tcp ? c->p.writes : EV_NONE,
		.reads = tcp ? c->p.reads : EV_NONE,
		.extra_out = tcp ? EV_NONE : (long long)v->extra[0],
		.extra_in = tcp ? EV_NONE : (long long)v->extra[1],
		.kernel_filled = v->kfilled ? kfilled_str(v, k, sizeof(k)) : NULL,
		.dropped = c->w.drop,
		.problem = *v->inconcl ? v->inconcl : *v->why ? v->why : NULL,
		.notes = notes(v, n, sizeof(n)),
	};
	bool out = verified && !c->spec.data_on_stdout;

	event_emit_at(c->sx, EV_verify_wire, out ? EV_SAY : EV_JSON, &ev);
	if (verified && c->spec.data_on_stdout)	/* as docs/verify.md: no -v needed */
		capture_say_stderr(c->sx, EV_verify_wire, &ev);
	if (verified && tcp)
		trace(c->sx, 1, "verify: on %s: handshake, close, %u bytes in %u writes and "
		      "%u bytes in %u reads; %u retransmitted, %u out of order",
		      c->iface, (unsigned)c->p.sent.len, c->p.writes,
		      (unsigned)c->p.rcvd.len, c->p.reads, v->retrans, v->ooo);
}

static int report(struct verdict *v, int exch_rc)
{
	struct capture *c = v->c;

	if (v->skip) {
		trace(c->sx, 1, "verify: nothing to compare: the exchange ended before sending anything");
		return exch_rc;
	}
	event(v, !*v->inconcl && !*v->why && !v->partial);
	if (*v->inconcl)
		return fail(c->sx, EXIT_MISMATCH, "inconclusive: %s%s%s", v->inconcl,
			    *v->why ? "; and: " : "", v->why);
	if (*v->why)
		return fail(c->sx, EXIT_MISMATCH, "not verified: %s", v->why);
	if (v->partial) {
		trace(c->sx, 1, "verify: what the program did is on the wire, but the "
		      "exchange failed");
		return exch_rc;
	}
	return EXIT_OK;
}

int capture_verdict(struct capture *c, int exch_rc)
{
	struct verdict v;

	memset(&v, 0, sizeof(v));
	v.c = c;
	v.partial = exch_rc != EXIT_OK;
	if (c->w.drop)
		inconclusive(&v, "libpcap dropped %u packets (the capture ring overflowed)",
			     c->w.drop);
	if (c->w.truncated)
		inconclusive(&v, "%u packets were captured cut short", c->w.truncated);
	if (c->w.failed)
		inconclusive(&v, "reading the capture failed: %s", c->w.err);
	if (c->w.extra_flows)
		trace(c->sx, 1, "verify: %u more connections matched the filter; ignored",
		      c->w.extra_flows);
	if (c->spec.proto == IPPROTO_TCP)
		tcp_verdict(&v);
	else
		msg_verdict(&v);
	return report(&v, exch_rc);
}
