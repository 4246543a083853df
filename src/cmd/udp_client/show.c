/* \summary: udp-client's output: replies, notices, the ping-style summary */
#include <stdarg.h>
#include <stdio.h>

#include "udp_client.h"

void udp_notice(struct udp_client *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->lines)
		warn_msg(c->sx, "%s", line);
	else
		say(c->sx, "%s", line);
}

void udp_note(struct udp_client *c, const char *what, const struct req *r,
	      size_t n, double rtt)
{
	struct sockx *sx = c->sx;

	if (sx->json) {
		ev_begin(sx, what);
		if (r)
			ev_int(sx, "seq", (long long)r->seq);
		ev_int(sx, "bytes", (long long)n);
		if (r)
			ev_num(sx, "rtt_ms", rtt);
		ev_end(sx);
	} else if (!r) {
		udp_notice(c, "%s datagram: %zu bytes, matching no request", what, n);
	} else {
		udp_notice(c, "%s reply to #%lu: %zu bytes, time=%.3f ms (not counted)",
		       what, r->seq, n, rtt);
	}
}

/* Data only in stdin mode, with #seq and rtt with -m. */
void udp_show_answer(struct udp_client *c, const struct req *r, size_t n,
		     bool trunc, double rtt)
{
	struct sockx *sx = c->sx;
	bool data = c->o->nmsgs || c->lines || c->o->hex;
	char from[ADDR_TEXT];

	if (sx->json) {
		ev_begin(sx, "reply");
		ev_int(sx, "seq", (long long)r->seq);
		ev_int(sx, "bytes", (long long)n);
		ev_num(sx, "rtt_ms", rtt);
		ev_int(sx, "tries", r->tries);
		ev_bool(sx, "truncated", trunc);
		if (c->o->nmsgs || c->lines)
			ev_strn(sx, "data", c->buf, trunc ? UDP_DGRAM_MAX : n);
		if (c->o->broadcast)
			ev_str(sx, "from", addr_str(&c->from, from, sizeof(from)));
		ev_end(sx);
		return;
	}
	if (!c->lines && !sx->quiet) {
		printf("reply #%lu", r->seq);
		if (c->o->broadcast)
			printf(" from %s", addr_str(&c->from, from, sizeof(from)));
		printf(": %zu %s, time=%.3f ms", n, n == 1 ? "byte" : "bytes", rtt);
		if (r->tries > 1)
			printf(" (try %u)", r->tries);
		if (trunc)
			printf(" (truncated to %d)", UDP_DGRAM_MAX);
		fputs(data ? (c->o->hex ? ":\n" : ": ") : "\n", stdout);
	}
	if (data) {
		n = trunc ? UDP_DGRAM_MAX : n;
		if (c->lines)	/* stdin mode: the data stream, as it came */
			show_data(sx, "reply", c->buf, n, c->o->hex, rtt);
		else
			show_peer_data(sx, "reply", c->buf, n, c->o->hex, rtt);
		if (!c->o->hex && !c->raw && (n == 0 || c->buf[n - 1] != '\n'))
			putchar('\n');
	}
	fflush(stdout);
}

/* "retry" carries the tries so far. */
void udp_no_reply(struct udp_client *c, const struct req *r, bool again)
{
	struct sockx *sx = c->sx;
	double w = c->o->wait_ms / 1000.0;

	if (sx->json) {
		ev_begin(sx, again ? "retry" : "timeout");
		ev_int(sx, "seq", (long long)r->seq);
		ev_int(sx, "tries", r->tries);
		ev_num(sx, "wait_s", w);
		ev_end(sx);
	} else if (again) {
		udp_notice(c, "no reply to #%lu within %g s: sending it again (retry %u of %lu)",
		       r->seq, w, r->tries, c->o->retries);
	} else {
		udp_notice(c, "no reply to #%lu after %u %s of %g s", r->seq, r->tries,
		       r->tries == 1 ? "try" : "tries", w);
	}
}

static void summary_json(struct udp_client *c, double loss, double avg)
{
	struct sockx *sx = c->sx;

	ev_begin(sx, "summary");
	ev_int(sx, "sent", (long long)c->sent);
	ev_int(sx, "received", (long long)c->received);
	ev_num(sx, "loss_pct", loss);
	ev_int(sx, "retransmissions", (long long)c->retrans);
	ev_int(sx, "late", (long long)c->late);
	ev_int(sx, "duplicates", (long long)c->dups);
	ev_int(sx, "unexpected", (long long)c->unexpected);
	if (c->received) {
		ev_num(sx, "rtt_min_ms", c->rtt_min);
		ev_num(sx, "rtt_avg_ms", avg);
		ev_num(sx, "rtt_max_ms", c->rtt_max);
	}
	ev_end(sx);
}

/*
 * Ping's summary: "4 sent, 3 received, 25% loss, 1 late, rtt min/avg/max
 * = ... ms"; counts that are 0 are left out. In stdin mode, at -v only.
 */
void udp_summary(struct udp_client *c)
{
	/* --send-only awaits no reply: none is lost */
	double loss = c->sent && !c->o->send_only ?
		100.0 * (double)(c->sent - c->received) / (double)c->sent : 0;
	double avg = c->received ? c->rtt_sum / (double)c->received : 0;
	char extra[256] = "", rtt[96] = "";
	int n = 0;

	if (c->sx->json) {
		summary_json(c, loss, avg);
		return;
	}
	if (c->retrans)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu retransmitted", c->retrans);
	if (c->late)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu late", c->late);
	if (c->dups)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu duplicate", c->dups);
	if (c->unexpected)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu unexpected", c->unexpected);
	if (c->more)	/* --broadcast: replies of further hosts */
		snprintf(extra + n, sizeof(extra) - (size_t)n, ", %lu more %s", c->more,
			 c->more == 1 ? "reply" : "replies");
	if (c->received)
		snprintf(rtt, sizeof(rtt), ", rtt min/avg/max = %.3f/%.3f/%.3f ms",
			 c->rtt_min, avg, c->rtt_max);
	if (c->o->send_only)
		trace(c->sx, 1, "%lu sent, no reply awaited (--send-only)", c->sent);
	else if (c->lines)
		trace(c->sx, 1, "%lu sent, %lu received, %.3g%% loss%s%s", c->sent,
		      c->received, loss, extra, rtt);
	else
		say(c->sx, "%lu sent, %lu received, %.3g%% loss%s%s", c->sent,
		    c->received, loss, extra, rtt);
}

