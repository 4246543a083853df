/*
 * \summary: raw-icmp: ICMP echo over a raw socket with a hand-built IPv4
 * header, a kernel-built one, or an ICMP datagram socket; the command
 * itself: options (options.c), set-up (setup.c), the capture, the run
 * (run.c), the verdict and the summary, in that order
 */
#include <stdlib.h>

#include "ping.h"
#include "../../core/sig.h"
#include "../../core/timeline.h"

/* The packet buffers and the probe slots; freed by cmd_raw_icmp. */
static int alloc_buffers(struct ping *pg)
{
	pg->out_cap = IP4_HDR_MIN + ICMP_HDR_LEN + pg->o->size;
	pg->in_cap = 65536 + 64;
	pg->data = malloc(pg->o->size ? pg->o->size : 1);
	pg->out = malloc(pg->out_cap);
	pg->in = malloc(pg->in_cap);
	pg->probes = calloc(PING_SLOTS, sizeof(*pg->probes));
	if (!pg->data || !pg->out || !pg->in || !pg->probes)
		return fail(pg->sx, EXIT_FAIL, "out of memory");
	return EXIT_OK;
}

int cmd_raw_icmp(struct sockx *sx, int argc, char **argv)
{
	struct raw_icmp_opts o;
	struct ping pg = { .sx = sx, .o = &o, .fd = -1 };
	struct capture *cap = NULL;
	bool ran = false;
	int rc;

	rc = raw_icmp_options(sx, argc, argv, &o);
	if (rc != EXIT_OK)
		return rc;
	rc = alloc_buffers(&pg);
	if (rc == EXIT_OK)
		rc = raw_icmp_setup(&pg);
	/*
	 * The capture for --verify and --pcap opens here, while CAP_NET_RAW
	 * is still permitted (pcap_activate needs it), and registers a tap:
	 * it gets every packet sockx built, byte for byte, to compare with
	 * the wire. Its handlers for SIGINT, SIGTERM, SIGHUP (removing the
	 * --pcap temporary file) give way to sig_catch_stop's: an interrupted
	 * run still ends with its summary, verdict and --pcap; a second
	 * signal finds them back.
	 */
	if (rc == EXIT_OK)
		rc = raw_icmp_verify_open(&pg, &cap);
	if (rc == EXIT_OK)
		rc = raw_icmp_drop_privileges(&pg);
	if (rc != EXIT_OK)
		goto out;
	if (o.dump)
		raw_icmp_add_tap(&pg, raw_icmp_dump, &pg);
	if (sig_catch_stop() < 0) {	/* SIGINT, SIGTERM, SIGHUP: the summary */
		rc = fail_errno(sx, "cannot catch signals");
		goto out;
	}
	timeline_start(sx);	/* the probes' calls, not the set-up's */
	rc = raw_icmp_run(&pg);
	ran = true;
out:
	if (pg.fd >= 0)		/* before the summary: -v's close() is no event after it */
		sock_close(sx, pg.fd);
	rc = raw_icmp_verify_finish(&pg, cap, rc);
	rc = timeline_finish(sx, rc);	/* after the last packets, before the summary */
	if (ran)	/* the last event: after the verdict (docs/json.md) */
		raw_icmp_summary(&pg);
	free(pg.data);
	free(pg.out);
	free(pg.in);
	free(pg.probes);
	return rc;
}
