/*
 * \summary: udp-client's parts: the request engine and its capture
 * wiring (run.c), and its events (show.c)
 */
#ifndef SOCKX_UDP_CLIENT_H
#define SOCKX_UDP_CLIENT_H

#include <stdint.h>

#include "../cmd.h"

#define UDP_MAX_MSGS 64
#define UDP_DGRAM_MAX 65536	/* the receive buffer: any UDP payload fits */
#define UDP_RING 256		/* requests remembered to recognise late replies */

enum { UDP_STDIN_LINES, UDP_STDIN_RAW };

struct capture;

struct udp_client_opts {
	const char *msgs[UDP_MAX_MSGS];
	int nmsgs;
	unsigned long count, retries, size;
	bool size_set, hex, verify;
	bool timeline;		/* --timeline: calls and datagrams on one time axis */
	bool send_only;		/* --send-only: no reply awaited */
	bool broadcast;		/* --broadcast: SO_BROADCAST, unconnected */
	int stdin_mode;		/* --stdin: UDP_STDIN_LINES (the default) or _RAW */
	bool stdin_set;
	int interval_ms, wait_ms;
	const char *port;	/* -p PORT */
	const char *pcap;	/* --pcap FILE */
	const char *svg;	/* --svg FILE: the timeline as SVG */
};

/* A request as remembered to recognise its reply: length and hashes. */
struct req {
	unsigned long seq;	/* 1, 2, ...; 0: an unused slot */
	size_t len;
	uint64_t h, hu;		/* FNV-1a of the bytes, and upper-cased */
	double sent;		/* the last transmission */
	unsigned tries;
	bool seen;		/* a reply came (in time or late) */
};

struct udp_client {
	struct sockx *sx;
	const struct udp_client_opts *o;
	int fd;
	bool lines;		/* stdin mode: stdout carries replies only */
	bool raw;		/* --stdin raw: replies byte-exact, nothing added */
	size_t max;		/* the largest datagram of the family */
	char peer[ADDR_TEXT];
	struct addr dst;	/* --broadcast: where sendto sends */
	struct addr from;	/* --broadcast: the sender of the last datagram */
	unsigned long more;	/* --broadcast: replies after a request's first */
	char *buf;		/* one reply, UDP_DGRAM_MAX bytes */
	struct capture *cap;	/* --verify, --pcap; NULL without */
	struct req ring[UDP_RING];
	struct req *cur;	/* the request waiting for its reply, or NULL */
	unsigned long seq;
	unsigned long sent, received, retrans, late, dups, unexpected;
	double rtt_min, rtt_max, rtt_sum;
};

/*
 * Emits an event of kind id: with -m its human line on stdout; in stdin
 * mode, where stdout carries only replies, on stderr at level lines (a
 * warning, a -v note; 0: none), its JSON the same.
 */
void udp_client_emit_(struct udp_client *c, enum ev_kind_id id, unsigned lines,
		      const void *ev);
#define UDP_EMIT(c, lines, ...) UDP_EMIT_(c, lines, __VA_ARGS__, )
#define UDP_EMIT_(c, lines, id, ...) \
	udp_client_emit_((c), EV_##id, (lines), &(const struct ev_##id){ 0, __VA_ARGS__ })

/*
 * A datagram that is not the answer awaited: a late reply to r, or a
 * duplicate once r was answered (r->seen); r NULL for one that matches
 * no request.
 */
void udp_client_note(struct udp_client *c, const struct req *r, size_t n, double rtt);

/* The answer to r (n bytes in c->buf, cut short if trunc). */
void udp_client_answer(struct udp_client *c, const struct req *r, size_t n,
		       bool trunc, double rtt);

/* A request still waiting: "retry" (again) or "timeout". */
void udp_client_no_reply(struct udp_client *c, const struct req *r, bool again);

/* The ping-style summary event. */
void udp_client_summary(struct udp_client *c);

#endif
