/*
 * \summary: raw-icmp's receive side: read what the socket queued (and
 * a datagram socket's error queue) without blocking, hand each packet to
 * the taps and the matcher, and time probes out
 */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ping.h"
#include "../../wire/icmp6.h"

#define DRAIN_MAX 64		/* packets per drain: sends are not starved */

/* Reads one packet (flags: 0 or MSG_ERRQUEUE) without blocking. Returns
 * 1, 0 when nothing is queued, or -1 with errno set. */
static int read_packet(struct ping *pg, struct rx *rx, int flags,
		       struct msghdr *m, char *ctl, size_t ctllen)
{
	struct iovec iov = { pg->in, pg->in_cap };
	struct cmsghdr *c;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	memset(rx, 0, sizeof(*rx));
	m->msg_name = &rx->from.ss;
	m->msg_namelen = sizeof(rx->from.ss);
	m->msg_iov = &iov;
	m->msg_iovlen = 1;
	m->msg_control = ctl;
	m->msg_controllen = ctllen;
	n = sock_recvmsg(pg->sx, pg->fd, m, flags | MSG_DONTWAIT);
	m->msg_iov = NULL;	/* iov ends here; callers read the control data */
	m->msg_iovlen = 0;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	rx->from.len = m->msg_namelen;
	rx->p = pg->in;
	rx->len = (size_t)n;
	rx->t = now_mono();
	rx->hlim = -1;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
			memcpy(&rx->hlim, CMSG_DATA(c), sizeof(int));
	}
	return 1;
}

/* The error an ICMP datagram socket queued (IP_RECVERR): which probe
 * (the queued payload is our request), what happened, who said so. */
static void errqueue_error(struct ping *pg, struct rx *rx,
			   const struct sock_extended_err *ee)
{
	const struct sockaddr *off = SO_EE_OFFENDER(ee);
	struct icmp4_msg m;
	struct icmp_err e = { .type = ee->ee_type, .code = ee->ee_code };

	if (icmp4_parse(rx->p, rx->len, &m) != WIRE_OK || m.id != pg->id) {
		raw_icmp_skip(pg, rx, 1, "an error queue entry not about our probes");
		return;
	}
	e.seq = m.seq;	/* echo header layout is the same in ICMPv6 */
	if (off->sa_family == AF_INET || off->sa_family == AF_INET6) {
		rx->from.len = off->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
			       sizeof(struct sockaddr_in6);
		memcpy(&rx->from.ss, off, rx->from.len);
	}
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP)
		snprintf(e.text, sizeof(e.text), "%s", icmp4_describe(ee->ee_type, ee->ee_code));
	else if (ee->ee_origin == SO_EE_ORIGIN_ICMP6)
		snprintf(e.text, sizeof(e.text), "%s", icmp6_describe(ee->ee_type, ee->ee_code));
	else
		snprintf(e.text, sizeof(e.text), "local error: %s", strerror((int)ee->ee_errno));
	if (ee->ee_info && (ee->ee_errno == EMSGSIZE))
		snprintf(e.text + strlen(e.text), sizeof(e.text) - strlen(e.text),
			 " (mtu = %u)", ee->ee_info);
	raw_icmp_on_error(pg, rx, &e);
}

/* Reads one entry of the error queue; returns read_packet's answer. */
static int read_errqueue(struct ping *pg)
{
	char ctl[512];
	struct msghdr m;
	struct rx rx;
	struct cmsghdr *c;
	int r = read_packet(pg, &rx, MSG_ERRQUEUE, &m, ctl, sizeof(ctl));

	if (r <= 0)
		return r;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
			errqueue_error(pg, &rx, (const struct sock_extended_err *)(void *)CMSG_DATA(c));
			break;
		}
	}
	return 1;
}

/* One packet off the normal queue: to the taps, then to the parsers,
 * then, if it answered a probe, to the taps again. */
static void handle(struct ping *pg, struct rx *rx)
{
	struct ping_packet pk = {
		.family = pg->family, .method = pg->method, .bytes = rx->p,
		.len = rx->len, .peer = &rx->from, .hlim = rx->hlim, .t = rx->t,
	};

	pk.has_ip = pg->family == AF_INET && pg->method != PM_DGRAM;
	raw_icmp_tap(pg, &pk);
	pg->rx_answer = false;
	if (pk.has_ip)
		raw_icmp_on_ip4(pg, rx);
	else if (pg->family == AF_INET)
		raw_icmp_on_icmp4(pg, rx, rx->p, rx->len);
	else
		raw_icmp_on_icmp6(pg, rx, rx->p, rx->len);
	if (!pg->rx_answer)
		return;
	pk.answer = true;	/* once more, as an answer (ping_tap_fn) */
	pk.hlim = rx->hlim;	/* the matcher read the TTL of an IPv4 header */
	raw_icmp_tap(pg, &pk);
}

/* recvmsg errors that say something about the network, not about us. */
static bool recv_err_is_soft(int err)
{
	return err != EBADF && err != EFAULT && err != EINVAL &&
	       err != ENOTSOCK && err != ENOMEM;
}

int raw_icmp_drain(struct ping *pg, bool errq)
{
	char ctl[128];
	struct msghdr m;
	struct rx rx;
	int i, r;

	for (i = 0; errq && i < DRAIN_MAX && read_errqueue(pg) > 0; i++)
		;
	for (i = 0; i < DRAIN_MAX; i++) {
		r = read_packet(pg, &rx, 0, &m, ctl, sizeof(ctl));
		if (r == 0)
			break;
		if (r < 0 && !recv_err_is_soft(errno))
			return fail_errno(pg->sx, "recvmsg");
		if (r < 0) {	/* a datagram socket's pending error: queued */
			if (pg->method == PM_DGRAM)
				read_errqueue(pg);
			continue;
		}
		handle(pg, &rx);
		if (pg->o->interval_ms == 0 && pg->outstanding == 0)
			break;	/* flood: the next probe goes out at once */
	}
	return EXIT_OK;
}

static void report_timeout(struct ping *pg, uint16_t seq)
{
	if (!raw_icmp_flood_mark(pg, ""))	/* -f: no mark for it */
		EMIT(pg->sx, ping_timeout, .seq = seq,
		     .after_s = pg->o->timeout_ms / 1000.0);
}

void raw_icmp_expire_oldest(struct ping *pg, double now, bool force)
{
	struct probe *p = raw_icmp_slot(pg, pg->oldest);

	if (p->state == P_SENT) {
		if (!force && now < p->t_sent + pg->o->timeout_ms / 1000.0)
			return;
		p->state = P_TIMEDOUT;
		pg->outstanding--;
		report_timeout(pg, (uint16_t)(pg->oldest + 1));
	}
	pg->oldest++;
}

void raw_icmp_expire(struct ping *pg, double now)
{
	uint64_t before;

	while (pg->oldest < pg->ntx) {
		before = pg->oldest;
		raw_icmp_expire_oldest(pg, now, false);
		if (pg->oldest == before)
			break;
	}
}

double raw_icmp_deadline(const struct ping *pg)
{
	uint64_t n;

	for (n = pg->oldest; n < pg->ntx; n++)
		if (raw_icmp_slot(pg, n)->state == P_SENT)
			return raw_icmp_slot(pg, n)->t_sent + pg->o->timeout_ms / 1000.0;
	return INFINITY;
}
