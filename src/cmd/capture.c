/*
 * \summary: capture: decode a pcap file (no privilege needed) or an
 * interface, one line per packet; optionally reassemble TCP streams
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../capture/decode.h"
#include "../capture/human.h"
#include "../capture/source.h"
#include "../capture/streams.h"
#include "../core/priv.h"
#include "../core/sig.h"

enum { O_FILTER = OPT_LONG, O_PCAP, O_HEX, O_STREAMS };

static const struct optdef opts[] = {
	{ "read", 'r', "FILE", "decode the packets of FILE (pcap or pcapng); needs no privilege", "@file" },
	{ "interface", 'i', "IFACE", "capture live on IFACE (needs CAP_NET_RAW)", "@iface" },
	{ "filter", O_FILTER, "BPF", "only packets matching the BPF expression (pcap-filter(7))", NULL },
	{ "count", 'c', "N", "stop after N packets", NULL },
	{ "timeout", 'w', "S", "live: stop after S seconds without a packet", NULL },
	{ "pcap", O_PCAP, "FILE", "also write the packets shown to FILE (pcap), whole or not at all", "@file" },
	{ "hex", O_HEX, NULL, "a hex dump of each packet after its line", NULL },
	{ "streams", O_STREAMS, NULL, "reassemble each TCP connection and sum it up at the end", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_capture = {
	"--read FILE | -i IFACE [--filter BPF | BPF...] [-c N] [OPTIONS]",
	"Prints one line per packet: number, seconds since the first packet,\n"
	"and the packet decoded by sockx's own bounds-checked parsers (Ethernet,\n"
	"Linux cooked v1/v2 and raw IP links; IPv4, IPv6, TCP, UDP, ICMP).\n"
	"--read needs no privilege; -i IFACE needs CAP_NET_RAW and stops at -c N\n"
	"packets, -w seconds of silence, or SIGINT/SIGTERM/SIGHUP. The filter is BPF, as\n"
	"in tcpdump, given with --filter or as the remaining words.",
	opts,
};

struct capture_opts {
	const char *file, *iface, *filter, *pcap;
	unsigned long count;
	int idle_ms;
	bool hex, streams;
};

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct capture_opts *o = ctx;

	switch (key) {
	case 'r': o->file = arg; return EXIT_OK;
	case 'i': o->iface = arg; return EXIT_OK;
	case O_FILTER: o->filter = arg; return EXIT_OK;
	case 'c': return opt_num(sx, "--count", arg, 1, 1UL << 40, &o->count);
	case 'w': return opt_secs(sx, "--timeout", arg, 86400, &o->idle_ms);
	case O_PCAP: o->pcap = arg; return EXIT_OK;
	case O_HEX: o->hex = true; return EXIT_OK;
	case O_STREAMS: o->streams = true; return EXIT_OK;
	default: return EXIT_USAGE;
	}
}

/* The remaining words, joined by spaces, are the filter (as tcpdump's). */
static int words_filter(struct sockx *sx, struct capture_opts *o, int argc,
			char **argv, char **joined)
{
	size_t len = 1, n = 0, w;
	int i;

	*joined = NULL;
	if (!argc)
		return EXIT_OK;
	if (o->filter)
		return fail(sx, EXIT_USAGE, "give the filter either with --filter or as words, not both");
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	*joined = calloc(1, len);
	if (!*joined)
		return fail(sx, EXIT_FAIL, "out of memory");
	for (i = 0; i < argc; i++) {	/* sized above: cannot overflow */
		if (i)
			(*joined)[n++] = ' ';
		w = strlen(argv[i]);
		memcpy(*joined + n, argv[i], w);
		n += w;
	}
	o->filter = *joined;
	return EXIT_OK;
}

/* Opens the file or the interface, sets the filter. Returns an exit code. */
static int open_src(struct sockx *sx, const struct capture_opts *o,
		    struct capture_src *src)
{
	if (o->file) {
		priv_drop_all();	/* a file needs no privilege: hold none */
		if (capture_src_file(src, o->file) < 0)
			return fail(sx, EXIT_FAIL, "cannot read %s", src->err);
	} else if (capture_src_live(src, o->iface, CAPTURE_RING) < 0) {
		int rc = fail_open(sx, "cannot capture on %s: %s", o->iface, src->err);

		if (rc == EXIT_NOPERM)
			hint(sx, "a live capture needs CAP_NET_RAW: run as root (sudo), or "
			     "make install-caps; --read FILE needs nothing");
		return rc;
	} else if (priv_drop_all() < 0) {
		trace(sx, 1, "cannot drop capabilities: %s", strerror(errno));
	}
	if (o->filter && capture_src_filter(src, o->filter) < 0)
		return fail(sx, EXIT_USAGE, "%s", src->err);
	trace(sx, 1, "capture: ready on %s, link type %s%s%s", src->name,
	      frame_dlt_name(src->dlt), o->filter ? ", filter: " : "",
	      o->filter ? o->filter : "");
	return EXIT_OK;
}

/* --hex: a dump of the packet, its own lines, into a string to free. */
static char *dump_of(const uint8_t *data, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	hexdump(f, data, n);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* One packet: decoded, shown, fed to --streams and --pcap. */
static void one(struct sockx *sx, const struct capture_opts *o, unsigned long n,
		double t0, const struct pcap_pkthdr *h, const uint8_t *data,
		int dlt, struct capture_streams *st)
{
	double t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6 - t0;
	struct capture_pkt k;
	char line[512], src[64], dst[64], flags[64];
	char *dump = o->hex ? dump_of(data, h->caplen) : NULL;
	bool ip, ports, tcp;
	uint16_t sp, dp;

	capture_decode(dlt, data, h->caplen, &k);
	capture_pkt_line(&k, line, sizeof(line));
	ip = k.ipver != 0;
	ports = capture_pkt_ports(&k, &sp, &dp);
	tcp = k.proto == CAP_IPPROTO_TCP && k.l4_ok;
	EMIT(sx, capture_packet, .n = (long long)n, .time = t, .len = h->len,
	     .caplen = h->caplen,
	     .src = ip ? capture_ip_str(k.ipver, k.src, src, sizeof(src)) : NULL,
	     .dst = ip ? capture_ip_str(k.ipver, k.dst, dst, sizeof(dst)) : NULL,
	     .proto = ip ? k.proto : EV_NONE, .sport = ports ? sp : EV_NONE,
	     .dport = ports ? dp : EV_NONE,
	     .flags = tcp ? tcp_flags_str(k.tcp.flags, flags, sizeof(flags)) : NULL,
	     .payload = (long long)rd_left(&k.data), .line = line,
	     .cut = h->caplen < h->len ? " [cut short]" : "", .dump = dump);
	free(dump);
	if (st)
		capture_streams_add(st, &k);
}

/* Reads until the end, -c, -w or a signal. Returns an exit code. */
static int loop(struct sockx *sx, const struct capture_opts *o,
		struct capture_src *src, struct capture_dump *dump,
		struct capture_streams *st)
{
	struct pcap_pkthdr *h;
	const uint8_t *data;
	unsigned long n = 0;
	double t0 = -1, last = now_mono();
	int rc;

	while (!sig_stopped() && (!o->count || n < o->count)) {
		rc = capture_src_next(src, 200, sig_fd(), &h, &data);
		if (rc == -2)
			break;
		if (rc < 0)
			return fail(sx, EXIT_FAIL, "%s", src->err);
		if (rc == 0) {
			if (o->idle_ms && (now_mono() - last) * 1000.0 >= o->idle_ms)
				break;
			continue;
		}
		last = now_mono();
		if (t0 < 0)
			t0 = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		capture_dump_write(dump, h, data);
		one(sx, o, ++n, t0, h, data, src->dlt, st);
	}
	fflush(stdout);
	return EXIT_OK;
}

/* What libpcap counted: JSON on stdout, the human line on stderr. */
static void live_summary(struct sockx *sx, struct capture_src *src)
{
	struct ev_summary_capture ev;
	unsigned recv, drop;

	if (capture_src_stats(src, &recv, &drop) < 0)
		return;
	ev = (struct ev_summary_capture){ .received = recv, .dropped = drop };
	event_emit(sx, EV_summary_capture, &ev);
	capture_say_stderr(sx, EV_summary_capture, &ev);
}

/* Opens --pcap, runs the loop, reports, and commits the file. */
static int run(struct sockx *sx, const struct capture_opts *o, struct capture_src *src,
	       struct capture_streams *st)
{
	struct capture_dump dump;
	int rc;

	memset(&dump, 0, sizeof(dump));
	if (o->pcap && capture_dump_open(&dump, src, o->pcap) < 0)
		return fail(sx, errno_exit(errno, false), "cannot write '%s': %s",
			    o->pcap, src->err);
	/*
	 * Live, SIGINT, SIGTERM and SIGHUP end the loop (sig_fd wakes its
	 * wait), with the summary and a whole --pcap file. Caught after
	 * capture_dump_open, whose handlers remove its temporary file: a
	 * second signal finds those back.
	 */
	if (o->iface && sig_catch_stop() < 0) {
		capture_dump_abort(&dump);
		return fail_errno(sx, "cannot catch signals");
	}
	rc = loop(sx, o, src, &dump, st);
	if (o->iface)
		live_summary(sx, src);
	if (st)
		capture_streams_report(sx, st);
	if (rc != EXIT_OK) {
		capture_dump_abort(&dump);
		return rc;
	}
	if (o->pcap && capture_dump_commit(&dump) < 0)
		return fail_errno(sx, "cannot write '%s'", o->pcap);
	return EXIT_OK;
}

int cmd_capture(struct sockx *sx, int argc, char **argv)
{
	struct capture_opts o = { 0 };
	struct capture_streams *st = NULL;
	struct capture_src src = { .fd = -1 };
	char *joined = NULL;
	int first, rc;

	rc = opt_parse(sx, &info_capture, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	sx->hex = o.hex;	/* a packet's line ends with its dump */
	if (!o.file == !o.iface)
		return fail(sx, EXIT_USAGE, "give either --read FILE or -i IFACE");
	if (o.file && o.idle_ms)
		return fail(sx, EXIT_USAGE, "--timeout is for a live capture (-i)");
	rc = words_filter(sx, &o, argc - first, argv + first, &joined);
	if (rc == EXIT_OK && o.streams) {
		st = calloc(1, sizeof(*st));
		if (!st)
			rc = fail(sx, EXIT_FAIL, "out of memory");
	}
	if (rc == EXIT_OK)
		rc = open_src(sx, &o, &src);
	if (rc == EXIT_OK)
		rc = run(sx, &o, &src, st);
	capture_src_close(&src);
	if (st)
		capture_streams_free(st);
	free(st);
	free(joined);
	return rc;
}
