/*
 * \summary: the timeline's recorded model (calls and packets on one
 * clock) and its terminal renderer
 *
 * With --timeline a command sets sx->timeline (timeline_new). From then
 * on sock_trace() hands every call of level 1 to timeline_call(), -v or
 * not; the capture layer, when it could capture, says so with
 * timeline_wire() and hands each packet of the flow to timeline_packet()
 * once its reader thread ended (so only the main thread touches the
 * model). timeline_render() draws it, as events, at the end of the run.
 * Renderers to come (SVG, tour --html) read the same rows.
 */
#ifndef SOCKX_TIMELINE_H
#define SOCKX_TIMELINE_H

#include <stdint.h>

#include "../sockx.h"

#define TIMELINE_MAX 4096	/* rows kept; more are counted, not kept */

enum tl_kind { TL_CALL, TL_PACKET };

/* One recorded row. Times: seconds since sx->t0 (CLOCK_MONOTONIC). */
struct tl_row {
	enum tl_kind kind;
	double t, t_end;	/* call: entry (NaN: unknown) and return */
	char name[16];		/* call */
	char args[128];
	long ret;
	const char *err;	/* errno's name, or NULL */
	bool out;		/* packet: ours (true) or the peer's */
	uint8_t flags;		/* TCP flags (TCPF_* of wire/tcp.h) */
	long long seq, len;	/* relative sequence number, payload bytes */
};

struct timeline {
	struct tl_row *rows;
	size_t n, cap, dropped;
	bool recording;		/* calls are recorded (timeline_start) */
	bool wire;		/* packets were captured and can be drawn */
	char why[200];		/* why the wire column is empty, or "" */
	char iface[32];
	const char *precision;	/* "ns" or "us", or NULL */
	double gap_us;		/* the best clock sample's gap, or NaN */
	int samples;
	char peer[80];		/* the peer column's head */
};

/* A timeline for sx (sx->timeline), or NULL out of memory. */
struct timeline *timeline_new(struct sockx *sx, const char *peer);
void timeline_free(struct sockx *sx);

/*
 * From now on calls are recorded: after the command's own preparations
 * (the capture's route lookup is not the connection's).
 */
void timeline_start(struct sockx *sx);

/* A call, from sock_trace (t_enter NaN: not known). */
void timeline_call(struct sockx *sx, const char *name, const char *args,
		   long ret, const char *err, double t_enter, double t_exit);

/*
 * The wire: captured on iface, timestamps of precision ("ns", "us"), the
 * clocks aligned with a best sample gap of gap_us over samples samples
 * (trusted or not); or why there is no wire (iface NULL).
 */
void timeline_wire(struct sockx *sx, const char *iface, const char *precision,
		   double gap_us, int samples, bool trusted, const char *why);

/* A packet: t seconds since sx->t0, ours or the peer's. */
void timeline_packet(struct sockx *sx, double t, bool out, uint8_t flags,
		     long long seq, long long len);

/* n packets more than the capture kept: counted as not kept. */
void timeline_lost(struct sockx *sx, size_t n);

/* Draws the timeline: a "timeline" event, then one per row. */
void timeline_render(struct sockx *sx, const char *command);

#endif
