/*
 * \summary: the timeline: calls and packets recorded on one clock, merged
 * in time order, folded, and drawn as the run goes
 *
 * Three stages, each bounded:
 *   record  (timeline.c) the run's calls (sock_trace hands every call of level 1 to
 *           timeline_call while a timeline is on, -v or not), and its
 *           packets (a source, the capture, hands them over when the main
 *           thread asks: timeline_source), or rows read back from a saved
 *           run (timeline_add: `sockx timeline`, tour).
 *   settle  (tl_settle.c) a row is drawn once nothing earlier can still come: calls are
 *           recorded at their return, one thread at a time, so nothing can
 *           enter before the last return; the source says up to when it
 *           has handed over every packet. Settled rows become items (a
 *           call, or a blocking call's entry and return with the packets
 *           that released it between them; a packet; an AF_UNIX transfer;
 *           a fold of a bulk transfer's middle) in time order.
 *   draw    (tl_draw.c; timeline_svg.c) each item is a "timeline_row" event (text: a ladder line; JSON:
 *           its fields) as it settles, and is kept (up to TIMELINE_MAX) for
 *           the renderers that need the whole run (SVG, tour --html).
 *
 * Only the main thread touches a timeline. Without --timeline/--svg no
 * timeline exists and nothing is recorded.
 */
#ifndef SOCKX_TIMELINE_H
#define SOCKX_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "../sockx.h"

#define TIMELINE_MAX 4096	/* rows waiting to settle, and items kept */
#define TL_FOLD_HEAD 6		/* a bulk run's first items, drawn */
#define TL_FOLD_TAIL 3		/* its last items, drawn after the fold */
#define TL_DATA 48		/* bytes a call moved kept for its row */
#define TL_FOLD_MIN 8		/* fewer in its middle: drawn, not folded */
#define TL_FD_SIDES 8		/* descriptors with a side of their own */

/* TCP's control bits, as on the wire (core does not include wire/). */
#define TL_FIN 0x01
#define TL_SYN 0x02
#define TL_RST 0x04
#define TL_PSH 0x08
#define TL_ACK 0x10

enum tl_kind { TL_CALL, TL_PACKET, TL_FOLD };

/* Whose: a call's process column, or a packet's sender. */
enum tl_side { TL_SELF, TL_PEER };

/*
 * One recorded row. Times: seconds since the run's start (sx->t0), the
 * clock of sock_trace; rows read back are converted to it.
 */
struct tl_row {
	enum tl_kind kind;
	enum tl_side side;	/* call: this process or the peer (tour, the
				   unix demo); packet: sent by us (out) or
				   by the peer (in) */
	double t, t_end;	/* call: entry (NaN: unknown) and return;
				   packet: t_end NaN */
	/* a call */
	char name[16];
	char args[128];		/* as sock_trace wrote them */
	long ret;
	char err[20];		/* errno's name when ret < 0, or "" */
	unsigned char data[TL_DATA];	/* the first bytes it moved */
	unsigned data_n;		/* how many of them are kept */
	/* a packet */
	char proto[8];		/* "TCP", "UDP", "ICMP", "ICMPv6" */
	uint8_t flags;		/* TCP: TL_* */
	long long seq;		/* TCP: relative to its sender's SYN */
	long long len;		/* payload bytes */
	char label[48];		/* not TCP: "echo request id 7 seq 1", ... */
	unsigned conn;		/* a server's packet: its client's port (0: one flow) */
	/* a fold read back (TL_FOLD: t to t_end): what was folded */
	long long packets, calls, bytes;
};

/* What an item draws. */
enum tl_what {
	TLW_CALL,	/* a call that did not block on a packet: one line */
	TLW_ENTER,	/* a blocking call's entry: its bracket opens */
	TLW_RETURN,	/* ... and its return: the bracket closes */
	TLW_PACKET,	/* a packet on the wire */
	TLW_XFER,	/* AF_UNIX: bytes a send() put and a recv() took,
			   copied by the kernel: drawn at the recv's return
			   (t_ms = t_end_ms); row.t: the send's entry (s
			   since sx->t0, NaN: not known); row.side: the
			   sender; row.len: bytes */
	TLW_FOLD,	/* the middle of a bulk run, counted */
};

/* One drawn item, as the renderers (text, SVG, HTML) read it. */
struct tl_item {
	enum tl_what what;
	double t_ms;		/* where it is drawn: ms since timeline_start */
	double t_end_ms;	/* a call's return; a fold's last; else NaN */
	struct tl_row row;	/* TLW_FOLD: row.packets, calls, bytes */
	int open[2];		/* brackets open after it, per side */
};

/*
 * A source of packets, asked by the main thread (at each call, and at
 * timeline_flush): it calls timeline_packet for every packet it has and
 * returns the time (seconds since t0) up to which it has handed over
 * every packet (INFINITY: it has ended).
 */
typedef double (*tl_pull)(void *ctx, struct sockx *sx);

struct timeline {
	/* recorded, not yet settled (TIMELINE_MAX) */
	struct tl_row *rows;
	size_t n, cap;
	size_t dropped;		/* rows not kept at the cap */
	size_t wire_dropped;	/* packets libpcap dropped */
	bool recording;		/* calls are recorded (timeline_start) */
	enum tl_side side;	/* whose the next calls are */
	struct { int fd; enum tl_side side; } fd_side[TL_FD_SIDES];
	size_t nfd_side;	/* timeline_fd_side's, in use */
	double start;		/* timeline_start, seconds since sx->t0: the
				   items' 0 (the head gives it as CLOCK_MONOTONIC) */
	double calls_upto;	/* the last recorded return */
	double settled;		/* rows up to here have settled */
	double hold;		/* a connect in progress entered: nothing
				   after it settles before it completes (NaN) */
	bool print;		/* the rows are drawn as events (--timeline);
				   false: only kept (--svg alone) */
	const char *svg;	/* --svg FILE, written by timeline_finish */
	tl_pull pull;
	void *pull_ctx;
	/* the wire */
	bool wire;		/* packets are captured and drawn */
	bool af_unix;		/* AF_UNIX: no wire, transfers drawn */
	char why[200];		/* why the wire column is empty, or "" */
	char iface[32];
	char precision[4];	/* "ns" or "us", or "" */
	double gap_us;		/* the best clock sample's gap, or NaN */
	int samples;
	char command[32];
	char self[48];		/* the left column's head */
	char peer[80];		/* the right column's head */
	bool began;		/* the head was drawn */
	bool color;		/* the text lines carry colour */
	/* drawing */
	int open[2];		/* brackets open, per side */
	double last_ms;		/* the latest item drawn */
	struct tl_item *items;	/* kept for SVG and HTML (TIMELINE_MAX) */
	size_t nitems, items_cap, items_dropped;
	size_t drawn;		/* items drawn */
	struct tl_fold *fold;	/* the bulk run in progress (tl_settle.c) */
	size_t folds;		/* folds drawn */
	struct tl_unix *ux;	/* AF_UNIX: the sends transfers start from (tl_settle.c) */
};

/*
 * A timeline for sx (sx->timeline), or NULL out of memory. command names
 * the run ("tcp-client"), self and peer head the outer columns; print:
 * its rows are drawn (--timeline; else only kept); svg: the file
 * timeline_finish writes, or NULL.
 */
struct timeline *timeline_new(struct sockx *sx, const char *command,
			      const char *self, const char *peer, bool print,
			      const char *svg);
void timeline_free(struct sockx *sx);

/*
 * From now on calls are recorded (after the command's own preparations:
 * the capture's route lookup is not the connection's), and the head is
 * drawn (the wire is known by then).
 */
void timeline_start(struct sockx *sx);

/*
 * Nothing is drawn (calls are recorded) until released: a server records
 * its listener's calls before its capture says what the wire column
 * holds, which the head, drawn with the first row, names.
 */
void timeline_hold(struct sockx *sx, bool hold);

/* The right column's head, once known (a server's port after bind). */
void timeline_peer(struct sockx *sx, const char *peer);

/* Whose the calls from now on are (the unix demo runs both ends). */
void timeline_side(struct sockx *sx, enum tl_side side);

/*
 * Whose the calls on fd are (a lab runs both ends of a connection in one
 * process: its server end's descriptors are the peer's): a call whose
 * args begin with fd is drawn on side, whatever timeline_side said, until
 * fd's close() (the number may then be reused). False when
 * TL_FD_SIDES descriptors have a side already (drawn as timeline_side).
 */
bool timeline_fd_side(struct sockx *sx, int fd, enum tl_side side);

/*
 * A call, from sock_trace (t_enter NaN: not known), with the bytes it
 * moved (data NULL: none).
 */
void timeline_call(struct sockx *sx, const char *name, const char *args,
		   long ret, const char *err, double t_enter, double t_exit,
		   const void *data, size_t len);

/*
 * The wire: captured on iface, timestamps of precision ("ns", "us"), the
 * clocks aligned with a best sample gap of gap_us over samples samples
 * (trusted or not); or why there is no wire (iface NULL).
 */
void timeline_wire(struct sockx *sx, const char *iface, const char *precision,
		   double gap_us, int samples, bool trusted, const char *why);

/*
 * AF_UNIX: no wire; each recv() that took bytes gets its transfer from
 * the send that put them (messages: dgram and seqpacket, one recv takes
 * one send; else bytes are counted along the stream).
 */
void timeline_unix(struct sockx *sx, bool messages);

/* The source of packets (the capture), or NULL when it has gone. */
void timeline_source(struct sockx *sx, tl_pull pull, void *ctx);

/* A packet, from the source: p->t seconds since t0 (kind, t_end: ignored). */
void timeline_packet(struct sockx *sx, const struct tl_row *p);

/* n packets more than the source kept: counted as not kept. */
void timeline_lost(struct sockx *sx, size_t n);

/* n packets the capture itself dropped (its ring overflowed): said at the end. */
void timeline_wire_dropped(struct sockx *sx, size_t n);

/* A row read back (a saved run, a tour's child): recorded as it is. */
void timeline_add(struct sockx *sx, const struct tl_row *r);

/*
 * Draws every row that has settled (the source is asked first); at_end:
 * every row (nothing more will come), then the fold in progress and the
 * closing "timeline_end" event.
 */
void timeline_flush(struct sockx *sx, bool at_end);

/*
 * The main thread is between calls (a server idle in epoll_wait, which
 * is not recorded): no recorded call can have entered since the last
 * return, so rows up to now may settle; they are drawn (the source is
 * asked first). Lets a run that waits draw its last packets as they come.
 */
void timeline_idle(struct sockx *sx);

/*
 * The run's end: timeline_flush(sx, true), then --svg written when
 * tl->svg names a file; the timeline freed. Returns rc, or, when rc was
 * EXIT_OK, the exit code of a failed SVG write (reported).
 */
int timeline_finish(struct sockx *sx, int rc);

/* The items kept so far (for SVG, HTML). */
const struct tl_item *timeline_items(const struct timeline *tl, size_t *n);

/*
 * The SVG of the kept items (timeline_svg.c): a self-contained sequence
 * diagram. Returns 0, or -1 with errno on a write error.
 */
int timeline_svg(const struct timeline *tl, FILE *f);

/*
 * --svg FILE: the SVG written atomically (a temporary, then rename), as
 * --pcap writes. Returns EXIT_OK, or the exit code of the failure it
 * reported.
 */
int timeline_svg_file(struct sockx *sx, const char *path);

#endif
