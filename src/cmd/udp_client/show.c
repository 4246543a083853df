/* \summary: udp-client's events: replies, notices, the ping-style summary */
#include <stdio.h>
#include <stdlib.h>

#include "udp_client.h"

void udp_client_emit_(struct udp_client *c, enum ev_kind_id id, unsigned lines,
		      const void *ev)
{
	if (!c->lines) {
		event_emit(c->sx, id, ev);
		return;
	}
	/*
	 * Stdin mode: stdout carries the replies alone. The JSON is the
	 * same; the human line goes to stderr at level lines (none: 0),
	 * and only without --json, which says all on stdout.
	 */
	event_emit_at(c->sx, id, EV_JSON, ev);
	if (lines && !event_shows(c->sx, EV_JSON))
		event_emit_at(c->sx, id, lines, ev);
}

void udp_client_note(struct udp_client *c, const struct req *r, size_t n, double rtt)
{
	if (!r)
		UDP_EMIT(c, EV_WARN, unexpected_udp, .bytes = (long long)n);
	else if (r->seen)
		UDP_EMIT(c, EV_WARN, duplicate_udp, .seq = (long long)r->seq,
			 .bytes = (long long)n, .rtt_ms = rtt);
	else
		UDP_EMIT(c, EV_WARN, late_udp, .seq = (long long)r->seq,
			 .bytes = (long long)n, .rtt_ms = rtt);
}

/*
 * The data stream: stdout carries the replies' bytes in stdin mode (not
 * under --json), and under -q those of -m (and of --size with --hex):
 * raw, or a dump; a newline ends each reply that has none, but for
 * --stdin raw, whose replies are written as they came.
 */
static void stream(struct udp_client *c, const char *p, size_t n)
{
	bool on = c->lines ? !event_shows(c->sx, EV_JSON) : !event_shows(c->sx, EV_SAY);

	if (!on || !(c->o->nmsgs || c->lines || c->o->hex))
		return;
	if (c->o->hex)
		hexdump(stdout, p, n);
	else
		fwrite(p, 1, n, stdout);
	if (!c->o->hex && !c->raw && (n == 0 || p[n - 1] != '\n'))
		putchar('\n');
	fflush(stdout);
}

/* --size --hex: the dump that the human line shows (JSON has no data). */
static char *dump_text(struct udp_client *c, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!c->o->hex || c->o->nmsgs || c->lines || !event_shows(c->sx, EV_SAY))
		return NULL;
	m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	hexdump(m, c->buf, n);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Data in stdin mode and with -m; #seq and rtt in the line of -m. */
void udp_client_answer(struct udp_client *c, const struct req *r, size_t n,
		       bool trunc, double rtt)
{
	size_t kept = trunc ? UDP_DGRAM_MAX : n;
	char from[ADDR_TEXT], again[32] = "";
	char *dump = dump_text(c, kept);
	struct ev_reply_udp ev = {
		.seq = (long long)r->seq, .bytes = (long long)n, .rtt_ms = rtt,
		.tries = r->tries, .truncated = trunc,
		.from = c->o->broadcast ? addr_str(&c->from, from, sizeof(from)) : NULL,
		.unit = n == 1 ? "byte" : "bytes", .again = again,
		.sep = c->o->hex ? ":" : ": ", .dump = dump,
	};

	if (c->o->nmsgs || c->lines)
		ev.data = EV_BYTES(c->buf, kept);
	if (r->tries > 1)
		snprintf(again, sizeof(again), " (try %u)", r->tries);
	udp_client_emit_(c, EV_reply_udp, 0, &ev);	/* stdin mode: the bytes alone */
	free(dump);
	stream(c, c->buf, kept);
}

/* "retry" carries the tries so far. */
void udp_client_no_reply(struct udp_client *c, const struct req *r, bool again)
{
	double w = c->o->wait_ms / 1000.0;
	char of[24];

	snprintf(of, sizeof(of), "%lu", c->o->retries);
	if (again)
		UDP_EMIT(c, EV_WARN, retry_udp, .seq = (long long)r->seq, .tries = r->tries,
			   .wait_s = w, .of = of);
	else
		UDP_EMIT(c, EV_WARN, timeout_udp, .seq = (long long)r->seq, .tries = r->tries,
			   .wait_s = w, .unit = r->tries == 1 ? "try" : "tries");
}

/* ", N what" after the summary's counts, for a count that is not 0. */
static int count_text(char *buf, size_t cap, int at, unsigned long v, const char *what)
{
	int n;

	if (!v || at < 0 || (size_t)at >= cap)
		return at;
	n = snprintf(buf + at, cap - (size_t)at, ", %lu %s", v, what);
	return n < 0 ? at : at + n;
}

/*
 * Ping's summary: "4 sent, 3 received, 25% loss, 1 late, rtt min/avg/max
 * = ... ms"; counts that are 0 are left out. In stdin mode, at -v only.
 */
void udp_client_summary(struct udp_client *c)
{
	/* --send-only awaits no reply: none is lost */
	double loss = c->sent && !c->o->send_only ?
		100.0 * (double)(c->sent - c->received) / (double)c->sent : 0;
	double avg = c->received ? c->rtt_sum / (double)c->received : 0;
	char extra[256] = "";
	int n = 0;

	n = count_text(extra, sizeof(extra), n, c->retrans, "retransmitted");
	n = count_text(extra, sizeof(extra), n, c->late, "late");
	n = count_text(extra, sizeof(extra), n, c->dups, "duplicate");
	n = count_text(extra, sizeof(extra), n, c->unexpected, "unexpected");
	/* --broadcast: replies of further hosts */
	count_text(extra, sizeof(extra), n, c->more, c->more == 1 ? "more reply" : "more replies");
	UDP_EMIT(c, EV_V1, summary_udp_client, .sent = (long long)c->sent,
	     .received = (long long)c->received, .loss_pct = loss,
	     .retransmissions = (long long)c->retrans, .late = (long long)c->late,
	     .duplicates = (long long)c->dups, .unexpected = (long long)c->unexpected,
	     .rtt_min_ms = c->received ? c->rtt_min : EV_NAN,
	     .rtt_avg_ms = c->received ? avg : EV_NAN,
	     .rtt_max_ms = c->received ? c->rtt_max : EV_NAN,
	     .extra = extra, .only = c->o->send_only ? "yes" : NULL);
}
