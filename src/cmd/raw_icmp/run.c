/*
 * \summary: raw-icmp's engine: build and send each probe, read and match
 * what comes back (replies by identifier and sequence, errors by the
 * datagram they quote), time probes out, and print as ping does
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ping.h"
#include "../../core/sig.h"
#include "../../wire/icmp6.h"

#define FLOOD_MIN_GAP 0.010	/* a flood with nothing back: 100 a second */

/* The IPv4 header fields, for probe n. IP_HDRINCL, raw(7): the kernel
 * fills some in itself (wire/kfield.h: build_probe lists them). */
static void build_ip4(struct ping *pg, struct wr *w, uint64_t n)
{
	const struct sockaddr_in *d = (const struct sockaddr_in *)&pg->dst.ss;
	const struct sockaddr_in *s = (const struct sockaddr_in *)&pg->src.ss;
	struct ip4_header h = { .tos = (uint8_t)(pg->o->tos >= 0 ? pg->o->tos : 0),
				.df = pg->o->df, .proto = 1 };

	h.ttl = (uint8_t)(pg->o->ttl >= 0 ? pg->o->ttl : 64);
	if (pg->o->ip_id >= 0)
		h.id = (uint16_t)pg->o->ip_id;
	else	/* never 0, which would hand the choice to the kernel */
		h.id = (uint16_t)(pg->ip_id_base + n) ? (uint16_t)(pg->ip_id_base + n) : 1;
	memcpy(h.src, &s->sin_addr, 4);
	memcpy(h.dst, &d->sin_addr, 4);
	ip4_build(w, &h, ICMP_HDR_LEN + pg->o->size);
}

/* The data of probe n: the timestamp (wall clock, as ping) and pattern. */
static const uint8_t *build_data(struct ping *pg, uint64_t n, uint8_t *data)
{
	struct probe *p = raw_icmp_slot(pg, n);
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	p->sec = (uint64_t)ts.tv_sec;
	p->usec = (uint64_t)ts.tv_nsec / 1000;
	icmp_echo_fill(data, pg->o->size, p->sec, p->usec, pg->o->pat, pg->o->patlen);
	return data;
}

/*
 * Builds probe n into pg->out: [IPv4 header,] echo header, data. The
 * fields the kernel writes itself are marked in pk. Returns the length.
 */
static size_t build_probe(struct ping *pg, uint64_t n, struct ping_packet *pk)
{
	struct wr w = wr_make(pg->out, pg->out_cap);
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&pg->src.ss;
	const struct sockaddr_in6 *d6 = (const struct sockaddr_in6 *)&pg->dst.ss;
	uint16_t seq = (uint16_t)(n + 1);
	const uint8_t *data = build_data(pg, n, pg->data);
	bool ok;

	if (pg->method == PM_HDRINCL)
		build_ip4(pg, &w, n);
	if (pg->family == AF_INET)
		icmp4_build_echo(&w, ICMP4_ECHO, pg->id, seq, data, pg->o->size, &ok);
	else
		icmp6_build_echo(&w, ICMP6_ECHO, pg->id, seq, data, pg->o->size,
				 s6->sin6_addr.s6_addr, d6->sin6_addr.s6_addr, &ok);
	memset(pk, 0, sizeof(*pk));
	pk->sent = true;
	pk->family = pg->family;
	pk->method = pg->method;
	pk->bytes = pg->out;
	pk->len = w.off;
	pk->has_ip = pg->method == PM_HDRINCL;
	pk->kernel_ip = !pk->has_ip;
	pk->seq = seq;
	pk->kernel = kfield_mask(raw_icmp_kfield_sock(pg->family, pg->method),
				 pg->out, w.off);
	pk->peer = &pg->dst;
	pk->hlim = -1;
	return ok ? w.off : 0;
}

/* A send error that loses this probe but not the run: firewall (EPERM,
 * testing-notes), no route, too big for the path, and the like. */
static bool send_err_is_loss(int err)
{
	switch (err) {
	case EPERM: case EACCES: case ENETUNREACH: case EHOSTUNREACH:
	case EMSGSIZE: case ECONNREFUSED: case EHOSTDOWN: case ENETDOWN:
	case EADDRNOTAVAIL:
		return true;
	default:
		return false;
	}
}

static void report_send_error(struct ping *pg, uint16_t seq, int err)
{
	char e[96];

	if (!raw_icmp_flood_mark(pg, "E")) {
		EMIT(pg->sx, ping_send_error, .kind = "send", .seq = seq,
		     .errno_ = errno_str(err, e, sizeof(e)));
		warn_msg(pg->sx, "icmp_seq=%u: sendto %s: %s", seq, pg->dst_text,
			 strerror(err));
	}
	if (err == EPERM && !pg->warned_eperm) {
		pg->warned_eperm = true;
		hint(pg->sx, "a local firewall rule (nftables/iptables output) "
		     "dropped the probe: counted as lost, not a missing privilege");
	}
}

static void report_sent(struct ping *pg, uint16_t seq, size_t len)
{
	if (!raw_icmp_flood_mark(pg, "."))
		EMIT(pg->sx, ping_sent, .seq = seq, .bytes = (long long)len);
}

/*
 * The output queue is full (ENOBUFS, EAGAIN, ENOMEM): retry after a
 * pause, as iputils ping does, for at most -W; after that the probe is
 * lost to the error, rather than the run waiting, or spinning, forever
 * on a queue that never drains (on IPv6 a packet an egress filter drops
 * comes back as ENOBUFS, every time). Returns true to retry later.
 */
static bool retry_later(struct ping *pg, double now)
{
	double pause = fmin(0.5, fmax(FLOOD_MIN_GAP, pg->o->interval_ms / 2000.0));

	if (pg->t_blocked == 0)
		pg->t_blocked = now;
	if (now - pg->t_blocked >= pg->o->timeout_ms / 1000.0)
		return false;
	pg->t_retry = now + pause;
	return true;
}

static bool queue_full(int err)
{
	return err == ENOBUFS || err == EAGAIN || err == ENOMEM;
}

/* Builds and sends the next probe. Returns EXIT_OK (also when the probe
 * was lost to a send error), or the code of a fatal error. */
static int send_probe(struct ping *pg, double now)
{
	struct ping_packet pk;
	struct probe *p;
	uint64_t n = pg->ntx;
	size_t len, icmp_len;
	ssize_t rc;

	while (pg->ntx - pg->oldest >= PING_SLOTS)	/* a slot to reuse */
		raw_icmp_expire_oldest(pg, now, true);
	len = build_probe(pg, n, &pk);
	if (len == 0)
		return fail(pg->sx, EXIT_FAIL, "cannot build the probe: %zu bytes do not fit", pg->o->size);
	pk.t = now = now_mono();	/* the rtt starts here, not at the build */
	rc = sock_sendto(pg->sx, pg->fd, pg->out, len, 0, &pg->dst);
	if (rc < 0 && queue_full(errno) && retry_later(pg, now))
		return EXIT_OK;
	pg->t_blocked = 0;
	if (rc < 0 && !send_err_is_loss(errno) && !queue_full(errno))
		return fail_errno(pg->sx, "sendto %s", pg->dst_text);
	p = raw_icmp_slot(pg, n);
	p->t_sent = now;
	p->dups = 0;
	pg->ntx++;
	pg->t_last_send = now;
	icmp_len = len - (pk.has_ip ? IP4_HDR_MIN : 0);
	pg->last_failed = rc < 0;
	if (rc < 0) {
		p->state = P_LOST;
		pg->nsend_err++;
		report_send_error(pg, pk.seq, errno);
		return EXIT_OK;
	}
	p->state = P_SENT;
	pg->outstanding++;
	report_sent(pg, pk.seq, icmp_len);
	raw_icmp_tap(pg, &pk);
	return EXIT_OK;
}

/* When the next probe is due: never once the count is done; in a flood,
 * as soon as nothing is in flight, or FLOOD_MIN_GAP after the last; never
 * before the pause after a full output queue. */
static double next_send(const struct ping *pg)
{
	double due;

	if (pg->o->count && (pg->o->deadline_ms ? pg->nrx : pg->ntx) >= pg->o->count)
		return INFINITY;	/* with -w, COUNT is of replies, as ping */
	if (pg->ntx == 0)
		due = pg->t_start;
	else if (pg->o->interval_ms == 0)	/* a failed send paces as one in flight */
		due = pg->outstanding == 0 && !pg->last_failed ? pg->t_last_send :
		      pg->t_last_send + FLOOD_MIN_GAP;
	else
		due = pg->t_last_send + pg->o->interval_ms / 1000.0;
	return fmax(due, pg->t_retry);	/* not before a full queue's pause */
}

/* Waits for the socket (or a signal: sig_fd) until `until`. Returns -1 on a poll
 * failure, else 0. */
static int wait_socket(struct ping *pg, double until, double now, short *rev)
{
	struct pollfd pfd[2] = {
		{ .fd = pg->fd, .events = POLLIN },
		{ .fd = sig_fd(), .events = POLLIN },
	};
	double ms = isinf(until) ? 1000.0 : ceil((until - now) * 1000.0);
	int rc;

	fflush(stdout);
	rc = poll(pfd, 2, ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms);
	*rev = rc > 0 ? pfd[0].revents : 0;
	if (rc < 0 && errno != EINTR)
		return -1;
	return 0;
}

/* What -v says of the method: who writes which header. */
static const char *method_text(const struct ping *pg)
{
	switch (pg->method) {
	case PM_HDRINCL:
		return "SOCK_RAW with IP_HDRINCL: sockx writes the IPv4 header; "
		       "the kernel fills in total length and checksum (raw(7))";
	case PM_RAW:
		if (pg->family == AF_INET)
			return "SOCK_RAW without IP_HDRINCL: the kernel writes the IPv4 header";
		return "SOCK_RAW ICMPv6: the kernel writes the IPv6 header and the ICMPv6 checksum";
	default:
		return "SOCK_DGRAM ICMP socket: the kernel writes the IP header, "
		       "the identifier and the checksum";
	}
}

static void announce(struct ping *pg)
{
	struct sockx *sx = pg->sx;
	char src[ADDR_TEXT], total[24];
	size_t hdr = pg->family == AF_INET ? IP4_HDR_MIN : 40;

	addr_host(&pg->src, src, sizeof(src));
	trace(sx, 1, "method: %s: %s", raw_icmp_method_name(pg->method), method_text(pg));
	trace(sx, 1, "identifier %u (0x%04x), source %s", pg->id, pg->id, src);
	snprintf(total, sizeof(total), "%zu", pg->o->size + ICMP_HDR_LEN + hdr);
	EMIT(sx, ping_start, .host = pg->o->host, .addr = pg->dst_text, .src = src,
	     .method = raw_icmp_method_name(pg->method), .id = pg->id,
	     .size = (long long)pg->o->size, .total = total);
}

void raw_icmp_summary(struct ping *pg)
{
	struct sockx *sx = pg->sx;
	double loss = pg->ntx ? (double)(pg->ntx - pg->nrx) * 100.0 / (double)pg->ntx : 0;
	double avg = 0, mdev = 0;
	uint64_t errs = pg->nicmp_err + pg->nsend_err;
	char extra[96] = "";
	struct ev_summary_ping ev = {
		.addr = pg->dst_text, .transmitted = (long long)pg->ntx,
		.received = (long long)pg->nrx, .duplicates = (long long)pg->ndup,
		.icmp_errors = (long long)pg->nicmp_err,
		.send_errors = (long long)pg->nsend_err, .loss_pct = loss,
		.time_ms = (pg->t_end - pg->t_start) * 1000.0, .rtt_min_ms = EV_NAN,
		.rtt_avg_ms = EV_NAN, .rtt_max_ms = EV_NAN, .rtt_mdev_ms = EV_NAN,
		.host = pg->o->host, .extra = extra, .note = pg->note,
	};

	if (pg->nrx) {
		avg = pg->rtt_sum / (double)pg->nrx;
		mdev = sqrt(fmax(0, pg->rtt_sum2 / (double)pg->nrx - avg * avg));
		ev.rtt_min_ms = pg->rtt_min;
		ev.rtt_avg_ms = avg;
		ev.rtt_max_ms = pg->rtt_max;
		ev.rtt_mdev_ms = mdev;
	}
	if (pg->ndup)
		snprintf(extra, sizeof(extra), ", +%llu duplicates", (unsigned long long)pg->ndup);
	if (errs)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", +%llu errors",
			 (unsigned long long)errs);
	event_emit(sx, EV_summary_ping, &ev);
	/*
	 * Under -q too, as ping -q: the summary is the result, alone. (The
	 * renderer has no level for a line that shows under -q: rendered here.)
	 */
	if (!event_shows(sx, EV_SAY)) {
		ev.note = "";
		event_render_human(sx, stdout, EV_summary_ping, &ev);
		putchar('\n');
		fflush(stdout);
	}
}

static bool finished(const struct ping *pg)
{
	if (pg->o->deadline_ms)	/* -w: COUNT replies, or the deadline */
		return pg->o->count && pg->nrx >= pg->o->count;
	return pg->o->count && pg->ntx >= pg->o->count && pg->outstanding == 0;
}

/* -w: when the run ends, whatever is in flight; INFINITY without it. */
static double stop_at(const struct ping *pg)
{
	return pg->o->deadline_ms ? pg->t_start + pg->o->deadline_ms / 1000.0 : INFINITY;
}

int raw_icmp_run(struct ping *pg)
{
	double now, until, due;
	short rev;
	int rc = EXIT_OK;

	announce(pg);
	pg->t_start = now_mono();
	pg->highest = -1;
	/* A closed stdout (| head) ends the run too, as SIGPIPE ends ping. */
	while (!sig_stopped() && rc == EXIT_OK && !ferror(stdout)) {
		now = now_mono();
		raw_icmp_expire(pg, now);
		if (finished(pg) || now >= stop_at(pg))
			break;
		due = next_send(pg);
		if (now >= due) {
			rc = send_probe(pg, now);
			if (rc == EXIT_OK)
				rc = raw_icmp_drain(pg, false);
			continue;
		}
		until = fmin(fmin(due, raw_icmp_deadline(pg)), stop_at(pg));
		if (wait_socket(pg, until, now, &rev) < 0)
			rc = fail_errno(pg->sx, "poll");
		else if (rev)
			rc = raw_icmp_drain(pg, rev & POLLERR);
	}
	pg->t_end = now_mono();
	raw_icmp_flood_mark(pg, "\n");	/* the end of the marks' line */
	if (rc != EXIT_OK)
		return rc;
	if (pg->o->deadline_ms && pg->o->count && pg->nrx < pg->o->count)
		return EXIT_FAIL;	/* as ping: -w and -c, fewer than COUNT replies */
	return pg->nrx ? EXIT_OK : EXIT_FAIL;
}
