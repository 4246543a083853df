/*
 * \summary: raw-icmp's parts, each calling only those below it: the
 * command (raw_icmp.c), its options (options.c) and set-up (setup.c),
 * the engine (run.c), the receive side (recv.c), the matcher (match.c),
 * --dump (dump.c), --verify and --pcap (verify.c), and the probe slots
 * and packet taps all of them share (probe.c)
 */
#ifndef SOCKX_RAW_ICMP_PING_H
#define SOCKX_RAW_ICMP_PING_H

#include "../cmd.h"
#include "../../core/event.h"
#include "../../wire/icmp.h"
#include "../../wire/kfield.h"

/* How an echo request leaves: three ways, side by side. */
enum ping_method {
	PM_HDRINCL,	/* SOCK_RAW + IP_HDRINCL: sockx writes the IPv4 header */
	PM_RAW,		/* SOCK_RAW: the kernel writes the IP header */
	PM_DGRAM,	/* SOCK_DGRAM/IPPROTO_ICMP: unprivileged ping socket */
};

struct raw_icmp_opts {
	const char *host, *src;
	unsigned long count;	/* 0: until SIGINT */
	int interval_ms;	/* 0: flood pacing */
	bool interval_set, flood, df, dump, verify;
	bool timeline;		/* --timeline: calls and packets on one time axis */
	const char *pcap;	/* --pcap FILE, or NULL */
	const char *svg;	/* --svg FILE: the timeline as SVG, or NULL */
	size_t size;		/* echo data bytes (ping -s) */
	int ttl, tos;		/* -1: the default */
	long id;		/* ICMP identifier; -1: random per run */
	long ip_id;		/* IPv4 ID; -1: random base + probe; 0: kernel */
	uint8_t pat[ICMP_PATTERN_MAX];
	size_t patlen;
	int timeout_ms;		/* -W: how long each probe waits */
	int deadline_ms;	/* -w: how long the run lasts; 0: no limit */
	const char *iface;	/* -I: an interface or an address, as given */
	unsigned ifindex;	/* -I IFACE: its index; 0: none */
	enum ping_method method;
};

/*
 * One packet as it was handed to the kernel or came back from it: the
 * exact bytes (for a verifier to compare byte for byte with a capture),
 * and which fields of them the kernel writes itself on the way out.
 */
struct ping_packet {
	bool sent;		/* direction */
	int family;
	enum ping_method method;
	const uint8_t *bytes;
	size_t len;
	bool has_ip;		/* bytes start with the IPv4 header */
	uint16_t seq;		/* sent: the probe's sequence number */
	unsigned kernel;	/* sent: KF_* of the fields the kernel writes */
	bool kernel_ip;		/* sent: the kernel writes the whole IP header */
	const struct addr *peer;	/* destination, or where it came from */
	int hlim;		/* received: TTL / hop limit, -1 unknown */
	double t;		/* monotonic time of the send or receive */
	bool answer;		/* received: the second call, see ping_tap_fn */
};

/*
 * A consumer of every packet: --dump and --verify. It is called after
 * each successful sendto() with the exact bytes handed to the kernel, and
 * for each packet read, before it is matched. A packet the matcher then
 * takes as an answer (an echo reply to a probe of ours, a duplicate or
 * late one too, or an ICMP error quoting one) comes a second time, after
 * matching, with answer set: what --verify records as received (on lo a
 * raw socket also reads requests, ours and others'). p and its bytes live
 * only during the call: a verifier copies what it keeps, then compares it
 * with the capture byte for byte, where p->kernel lists the fields the
 * kernel writes itself (kernel_ip: the whole IP header).
 */
typedef void (*ping_tap_fn)(void *ctx, const struct ping_packet *p);

#define PING_TAPS 4
#define PING_SLOTS 65536	/* one per 16-bit sequence number */

/* What became of one probe. */
enum probe_state { P_FREE, P_SENT, P_ANSWERED, P_ERRORED, P_LOST, P_TIMEDOUT };

struct probe {
	double t_sent;
	uint64_t sec, usec;	/* the timestamp in its data */
	uint8_t state;
	uint16_t dups;
};

/* The state of one run: sockets, addresses, counters, taps. */
struct ping {
	struct sockx *sx;
	const struct raw_icmp_opts *o;
	int fd, family;
	enum ping_method method;	/* o->method, PM_RAW for IPv6 */
	struct addr dst, src;
	char dst_text[ADDR_TEXT];
	uint16_t id, ip_id_base;
	uint8_t *data;		/* the echo data being built */
	uint8_t *out;		/* the packet being built */
	uint8_t *in;		/* the packet being read */
	size_t out_cap, in_cap;
	struct probe *probes;	/* PING_SLOTS of them */
	uint64_t ntx, nrx, ndup, nicmp_err, nsend_err;
	uint64_t oldest;	/* the first probe not yet settled */
	uint64_t outstanding;	/* sent, not yet settled */
	int64_t highest;	/* the highest probe answered, -1 none */
	double t_start, t_last_send, t_end;
	double t_retry;		/* a full output queue: no send before this */
	double t_blocked;	/* since when sends find it full; 0: they don't */
	double rtt_min, rtt_max, rtt_sum, rtt_sum2;
	bool warned_eperm, last_failed;
	bool rx_answer;		/* the packet being matched answered a probe */
	char note[192];		/* a line the verdict adds before the summary, or "" */
	struct {
		ping_tap_fn fn;
		void *ctx;
	} taps[PING_TAPS];
	int ntaps;
};

/* Registers a tap; returns 0, or -1 when PING_TAPS are taken. */
int raw_icmp_add_tap(struct ping *pg, ping_tap_fn fn, void *ctx);

/*
 * Sends and receives until the count is done (every probe answered,
 * failed or timed out), or a signal stopped it (core/sig.h). The socket and addresses in pg
 * are set up. Returns EXIT_OK when at least one reply came back,
 * EXIT_FAIL when none did, or another code on a fatal error.
 */
int raw_icmp_run(struct ping *pg);

/*
 * ping's statistics, the run's last words (the summary event): printed
 * after the --verify verdict, once the run has ended.
 */
void raw_icmp_summary(struct ping *pg);

/* One packet read from the socket. */
struct rx {
	const uint8_t *p;
	size_t len;
	struct addr from;
	int hlim;		/* TTL / hop limit, -1 unknown */
	double t;
};

/* An ICMP error that answers a probe, as one line says it. */
struct icmp_err {
	uint16_t seq;
	uint8_t type, code;
	char text[128];
};

/* A packet that is not for us, or not readable: -v (at level) says why. */
void raw_icmp_skip(struct ping *pg, const struct rx *rx, int level,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The matcher (match.c): a whole IPv4 packet from a raw socket
 * (its TTL goes into rx), or a bare ICMPv4 / ICMPv6 message. */
void raw_icmp_on_ip4(struct ping *pg, struct rx *rx);
void raw_icmp_on_icmp4(struct ping *pg, const struct rx *rx, const uint8_t *p,
		   size_t len);
void raw_icmp_on_icmp6(struct ping *pg, const struct rx *rx, const uint8_t *p,
		   size_t len);

/* An ICMP error about probe e->seq: settles it, counts it, shows it. */
void raw_icmp_on_error(struct ping *pg, const struct rx *rx,
		   const struct icmp_err *e);

/* Hands p to every tap. */
void raw_icmp_tap(const struct ping *pg, const struct ping_packet *p);

/*
 * -f: ping's progress marks ('.' a probe, backspace a reply, 'E' an
 * error) stand in for the lines of the events, where those would show on
 * stdout: writes mark and returns true then; else false (emit the event).
 */
bool raw_icmp_flood_mark(const struct ping *pg, const char *mark);

/* The slot of probe n (its sequence number is n + 1, mod 2^16). */
struct probe *raw_icmp_slot(const struct ping *pg, uint64_t n);

/*
 * Reads what is queued on the socket (the error queue too when errq),
 * without blocking, and handles each packet. Returns EXIT_OK, or the
 * code of a fatal error (printed).
 */
int raw_icmp_drain(struct ping *pg, bool errq);

/* Times out the probes whose -W ran out by now (a "timeout" each). */
void raw_icmp_expire(struct ping *pg, double now);

/* Settles the oldest unsettled probe: as timed out if it is still in
 * flight and its time ran out, or force is set. */
void raw_icmp_expire_oldest(struct ping *pg, double now, bool force);

/* When the oldest probe in flight times out; INFINITY if none is. */
double raw_icmp_deadline(const struct ping *pg);

/* The --dump tap: every packet decoded field by field, then a hex dump. */
void raw_icmp_dump(void *ctx, const struct ping_packet *p);

struct capture;

/*
 * --verify, --pcap, --timeline and --svg (verify.c). raw_icmp_verify_open,
 * after the socket is open (CAP_NET_RAW still permitted, the identifier
 * known) and before the first probe: opens the capture (which drops
 * every capability), registers the tap that records each packet sent and
 * each answer read. --timeline or --svg alone: the timeline's head names
 * the peer, and a capture that cannot open (no CAP_NET_RAW) is no error,
 * its reason the wire column's. Returns EXIT_OK with *cap set (NULL without any of
 * them, or when the timeline goes without), or the exit code of a
 * failure, printed, with nothing sent.
 */
int raw_icmp_verify_open(struct ping *pg, struct capture **cap);

/* Drains, writes --pcap and gives the verdict (capture_finish); what
 * the verdict cannot name goes into pg->note, which the summary shows
 * first. Returns the command's exit code. */
int raw_icmp_verify_finish(struct ping *pg, struct capture *cap, int rc);

/*
 * The IPv4 total length counts its header: 65535 - 20 - 8 bytes of data.
 * The IPv6 payload length does not: 65535 - 8, which the kernel, writing
 * the header, fragments as ping -6 -s 65527 does (a hand-built IPv6 header,
 * IPV6_HDRINCL, is never fragmented: the link MTU would be the limit).
 */
#define MAX_SIZE4 65507
#define MAX_SIZE6 65527

/* Parses and checks the options (options.c): EXIT_OK, or the code of a
 * usage error, printed. */
int raw_icmp_options(struct sockx *sx, int argc, char **argv,
		     struct raw_icmp_opts *o);

/* Everything before the first probe but giving up the privileges
 * (setup.c): addresses, socket, options. Returns an exit code. */
int raw_icmp_setup(struct ping *pg);

/* Gives up the uid of a setuid run, then every capability: CapEff 0. */
int raw_icmp_drop_privileges(struct ping *pg);

/* Names of the methods, for -v and the events: "raw+hdrincl" ... */
const char *raw_icmp_method_name(enum ping_method m);

/* The socket a method sends through, as the table of kernel-written
 * fields (wire/kfield.h) names it. */
enum kfield_sock raw_icmp_kfield_sock(int family, enum ping_method m);

#endif
