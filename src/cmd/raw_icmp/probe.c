/*
 * \summary: raw-icmp's shared state: the probe slots, the packet taps and
 * the names of the methods, which the engine, the receive side, the
 * matcher, --dump and --verify all use (and which use none of them)
 */
#include <stdio.h>
#include <sys/socket.h>

#include "ping.h"

int raw_icmp_add_tap(struct ping *pg, ping_tap_fn fn, void *ctx)
{
	if (pg->ntaps == PING_TAPS)
		return -1;
	pg->taps[pg->ntaps].fn = fn;
	pg->taps[pg->ntaps].ctx = ctx;
	pg->ntaps++;
	return 0;
}

void raw_icmp_tap(const struct ping *pg, const struct ping_packet *p)
{
	int i;

	for (i = 0; i < pg->ntaps; i++)
		pg->taps[i].fn(pg->taps[i].ctx, p);
}

const char *raw_icmp_method_name(enum ping_method m)
{
	switch (m) {
	case PM_HDRINCL: return "raw+hdrincl";
	case PM_RAW: return "raw";
	default: return "dgram";
	}
}

enum kfield_sock raw_icmp_kfield_sock(int family, enum ping_method m)
{
	if (m == PM_DGRAM)
		return KF_SOCK_DGRAM;
	if (family == AF_INET6)
		return KF_SOCK_RAW6;
	return m == PM_HDRINCL ? KF_SOCK_HDRINCL : KF_SOCK_RAW4;
}

bool raw_icmp_flood_mark(const struct ping *pg, const char *mark)
{
	const struct sockx *sx = pg->sx;

	/* the lines' place: stdout, where they show (no -q, no --json) */
	if (!pg->o->flood || !event_shows(sx, EV_SAY) || event_shows(sx, EV_JSON))
		return false;
	fputs(mark, stdout);	/* flushed before the next wait */
	return true;
}

struct probe *raw_icmp_slot(const struct ping *pg, uint64_t n)
{
	return &pg->probes[n % PING_SLOTS];
}
