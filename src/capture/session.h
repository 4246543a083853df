/*
 * \summary: inside a capture session (capture.h): the reader thread's
 * view of the wire, the program's record, and what joins them
 */
#ifndef SOCKX_CAPTURE_SESSION_H
#define SOCKX_CAPTURE_SESSION_H

#include <net/if.h>
#include <pthread.h>

#include "capture.h"
#include "decode.h"
#include "expect.h"
#include "source.h"
#include "stream.h"

#define MAX_FLOWS 8			/* connections the filter may let through */
#define MAX_MSGS 65536			/* datagrams or packets kept per side */
#define MAX_KEPT (64u << 20)		/* raw packet bytes kept per side */
#define DRAIN_QUIET_MS 300		/* stop draining after this much silence */
#define DRAIN_MAX_MS 1500		/* ... or this long in all */

/* Messages (datagrams, raw packets) in the order they came. */
struct msg_list {
	struct capture_msg *v;
	size_t n, cap;
	size_t kept;		/* bytes of whole copies */
	bool full;		/* one did not fit: the comparison cannot be whole */
};

/* One flow on the wire, known by our end of it. */
struct wire_flow {
	bool used;
	uint8_t laddr[16];
	uint16_t lport;
	unsigned pkts[2];	/* CAPTURE_OUT, CAPTURE_IN */
	struct capture_tcp_flow tcp;
	struct msg_list msgs;
};

/* A packet of the flow for the timeline: its capture time and header. */
struct tl_pkt {
	int64_t real_ns;	/* libpcap's timestamp (CLOCK_REALTIME) */
	bool out;
	uint8_t proto;		/* CAP_IPPROTO_* */
	uint8_t flags;		/* TCP */
	uint32_t seq, len;	/* TCP: its sequence number; the payload's bytes */
	char label[40];		/* not TCP: what it is ("echo request id 7 seq 1") */
};

#define TL_POLL_MS 2	/* --timeline: the reader looks this often, so the
			   main thread knows up to when it has every packet */

/* What the reader thread saw; the main thread reads it after the join. */
struct wire_side {
	struct wire_flow flows[MAX_FLOWS];
	unsigned total;		/* packets captured */
	unsigned other;		/* of no flow of ours */
	unsigned extra_flows;	/* flows beyond MAX_FLOWS */
	unsigned truncated;	/* captured shorter than they were */
	unsigned recv, drop;	/* pcap_stats */
	bool stats_ok;
	bool failed;		/* reading stopped on an error */
	/*
	 * spec.timeline: the flow's packets not yet handed over (up to
	 * TIMELINE_MAX), and when (monotonic s) the reader last found the
	 * ring empty; under mu: the main thread takes them as the run goes.
	 */
	struct tl_pkt *tl;
	size_t ntl, tl_dropped;
	double tl_upto;
	char err[PCAP_ERRBUF_SIZE + 64];
};

/* What the program recorded. */
struct prog_side {
	struct capture_digest sent, rcvd;
	unsigned writes, reads;
	struct msg_list msgs;
	bool local_set;
	uint8_t laddr[16];
	uint16_t lport;
};

struct capture {
	struct sockx *sx;
	struct capture_spec spec;
	int ipver;		/* 4 or 6: the flow's family on the wire */
	uint8_t raddr[16], laddr[16];
	bool have_laddr;	/* laddr known at open (route or spec) */
	uint16_t rport, lport;	/* lport: 0 unless known at open */
	char iface[IF_NAMESIZE];
	char filter[640];
	struct capture_src src;
	struct capture_dump dump;
	pthread_t th;
	bool running;
	int wake[2];		/* main -> reader: drain now */
	pthread_mutex_t mu;
	/* Under mu: the drain request and what completes the flow. */
	bool drain;
	bool drain_local;
	uint16_t drain_lport;
	size_t want[2];
	int64_t clock_off_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, at open */
	uint32_t tl_isn[2];	/* --timeline: each side's first sequence number */
	bool tl_isn_known[2];
	bool tl_source;		/* the timeline pulls packets from us */
	struct wire_side w;	/* the reader's, until joined */
	struct prog_side p;	/* the main thread's */
};

/* Starts the reader thread. Returns 0 or -1 with errno set. */
int capture_reader_start(struct capture *c);
/* Asks the reader to drain and waits for it to end. */
void capture_reader_stop(struct capture *c);

/* Appends a message to l (keep: a whole copy). */
void capture_msgs_add(struct msg_list *l, int dir, const void *p, size_t n,
		      bool keep, enum capture_layout layout, unsigned flags);
void capture_msgs_free(struct msg_list *l);

/* Address bytes of a (v4-mapped IPv6 as IPv4); returns 4, 6 or 0. */
int capture_addr_bytes(const struct addr *a, uint8_t out[16]);

/* The flow of ours whose local port is lport (0: the first), or NULL. */
struct wire_flow *capture_flow_of(struct capture *c, uint16_t lport);

/* Compares, prints the verdict, returns the exit code (verify.c). */
int capture_verdict(struct capture *c, int exch_rc);

#endif
