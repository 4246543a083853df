/*
 * \summary: raw-icmp's options: ping's flags and sockx's own, checked
 * together, and the hints for ping's flags spelled otherwise here
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ping.h"
#include "../../core/priv.h"

enum {
	O_ID = OPT_LONG, O_IPID, O_DF, O_SRC,
	O_NOHDRINCL, O_DGRAM, O_DUMP, O_VERIFY, O_PCAP, O_TIMELINE, O_SVG,
};

static const struct optdef opts[] = {
	{ "count", 'c', "COUNT", "stop after COUNT probes (default: until SIGINT)", NULL },
	{ "interval", 'i', "S", "seconds between probes (default 1; below 0.2 needs root or CAP_NET_ADMIN)", NULL },
	{ "flood", 'f', NULL, "send as fast as replies come back, at least 100 a second; '.' per probe, backspace per reply", NULL },
	{ "deadline", 'w', "S", "stop after S seconds, however many probes went out; with -c, send until COUNT replies came (as ping -w)", NULL },
	{ "size", 's', "SIZE", "echo data bytes (default 56, at most 65507; IPv6: 65527)", NULL },
	{ "ttl", 't', "N", "time to live, 1-255 (IPv6: the hop limit)", NULL },
	{ "tos", 'Q', "N", "type-of-service byte, 0-255 or 0xNN (IPv6: the traffic class)", NULL },
	{ "id", O_ID, "N", "ICMP identifier, 0-65535 (default: random per run)", NULL },
	{ "ip-id", O_IPID, "N", "IPv4 ID, 0-65535 (default: random, +1 a probe; 0: the kernel picks)", NULL },
	{ "df", O_DF, NULL, "set don't-fragment (IPv6: IPV6_DONTFRAG)", NULL },
	{ "pattern", 'p', "HEX", "fill the echo data with these 1-256 bytes, repeated (ping -p: 16); an odd last digit is a byte, as ping reads it", NULL },
	{ "timeout", 'W', "S", "wait at most S seconds for each reply (default 10)", NULL },
	{ "interface", 'I', "IFACE|ADDR", "send through interface IFACE (SO_BINDTODEVICE; a link-local HOST is on it), or from address ADDR (as --src)", NULL },
	{ "src", O_SRC, "ADDR", "source address (default: the route's, from a UDP connect)", NULL },
	{ "numeric", 'n', NULL, "numeric output (ping -n): sockx never looks up names of addresses, so always", NULL },
	{ "no-hdrincl", O_NOHDRINCL, NULL, "let the kernel write the IPv4 header (no IP_HDRINCL), for comparison", NULL },
	{ "dgram", O_DGRAM, NULL, "use an ICMP datagram socket: no privilege, where net.ipv4.ping_group_range allows", NULL },
	{ "dump", O_DUMP, NULL, "decode every packet sent and received, field by field, with a hex dump", NULL },
	{ "verify", O_VERIFY, NULL, "capture the exchange (libpcap) and check the wire carried exactly what was sent and read", NULL },
	{ "pcap", O_PCAP, "FILE", "write the captured exchange to FILE (pcap, for tcpdump -r or Wireshark)", "@file" },
	{ "timeline", O_TIMELINE, NULL, "draw the run's system calls and its echoes on one time axis, as it goes", NULL },
	{ "svg", O_SVG, "FILE", "draw that timeline as an SVG sequence diagram into FILE (whole or not at all)", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_raw_icmp = {
	"[-4|-6] HOST [-c COUNT] [-i S] [-w S] [-f] [-s SIZE] [-t TTL] [-Q TOS] [--id N]\n"
	"       [--df] [-p HEX] [-W S] [-I IFACE|ADDR] [--src ADDR] [--no-hdrincl|--dgram]\n"
	"       [--dump] [--verify] [--pcap FILE] [--timeline] [--svg FILE]",
	"Sends ICMP echo requests to HOST and shows the replies as ping does.\n"
	"IPv4: sockx writes the IPv4 header itself on a raw socket with\n"
	"IP_HDRINCL (TOS, ID, DF, TTL, checksum; the kernel still fills in the\n"
	"total length and checksum, and the ID and source when they are 0).\n"
	"--no-hdrincl lets the kernel write it; --dgram uses the unprivileged\n"
	"ICMP datagram socket. -6: ICMPv6 echo on a raw ICMPv6 socket. ICMP\n"
	"errors answering a probe (unreachable, time exceeded) are matched\n"
	"through the datagram they quote. Raw sockets need CAP_NET_RAW; every\n"
	"privilege is dropped once the socket is open. Exit 0 when a reply came\n"
	"back, 1 when none did (with -w and -c: when fewer than COUNT did).\n"
	"ping's -c -i -f -s -t -Q -p -W -w -I -n -q -v -4 -6 mean the same here;\n"
	"for its other flags sockx names its own option, or says it has none.\n"
	"--verify and --pcap capture the echoes on the interface they use (lo\n"
	"for loopback); they need CAP_NET_RAW, and without it nothing is sent\n"
	"(exit 4). --verify compares each packet sockx built, IPv4 header and\n"
	"ICMP message byte for byte, and each answer it read, with the wire,\n"
	"naming the fields the kernel fills in rather than calling them\n"
	"differences (exit 3 if the wire differs, or if libpcap dropped packets:\n"
	"inconclusive).\n"
	"--timeline draws, among the run's lines, its system calls from the\n"
	"first probe to the close and the echoes (and ICMP errors quoting them)\n"
	"as captured on the interface, in ms since the first probe was due, on\n"
	"one clock; a long run folds its middle into one counted row. Without\n"
	"CAP_NET_RAW a raw socket cannot open (exit 4, nothing drawn); --dgram\n"
	"can, and then the calls are drawn and the wire column says why it is\n"
	"empty (not an error).\n"
	"--svg FILE draws the same timeline as a sequence diagram (SVG, self-\n"
	"contained) into FILE at the end, with or without --timeline.",
	opts,
};

#define DEFAULT_SIZE 56
#define USER_MIN_INTERVAL_MS 200

/* "0a0B" -> bytes, two digits a byte and an odd last one a byte of its
 * own ("abc": ab 0c, as ping -p); returns the count, or 0 if s is not 1
 * to max bytes of hex. */
static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i;
	char two[3] = { 0 };

	if (n == 0 || (n + 1) / 2 > max || strspn(s, "0123456789abcdefABCDEF") != n)
		return 0;
	for (i = 0; i < (n + 1) / 2; i++) {
		two[0] = s[2 * i];
		two[1] = s[2 * i + 1];	/* the NUL after an odd last digit */
		out[i] = (uint8_t)strtoul(two, NULL, 16);
	}
	return (n + 1) / 2;
}

/* ping's flags that sockx spells otherwise, or has no use for. */
static const char *ping_flag_hint(int c)
{
	switch (c) {
	case 'e': return "ping -e (identifier) is --id N here";
	case 'M': return "ping -M do (don't fragment) is --df here; without it the kernel may fragment";
	case 'V': return "ping -V (version) is sockx --version";
	case 'S': return "ping -S (send buffer) has no sockx equivalent";
	case 'l': return "ping -l (preload) has no sockx equivalent; -f sends as fast as replies come";
	case 'b': return "ping -b (broadcast) has no sockx equivalent: raw-icmp pings one host";
	case 'O': return "ping -O is the default here: each probe with no reply after -W says \"no answer yet\"";
	case 'B': return "ping -B is the default here: the source is chosen once (--src or -I ADDR fixes it)";
	case 'D': return "ping -D (timestamps) has no sockx equivalent; --json gives every reply as an event";
	case 'H': return "ping -H (reverse DNS) has no sockx equivalent: sockx never looks up names of addresses";
	case 'a': case 'A': case 'C': case 'd': case 'L': case 'm': case 'N':
	case 'r': case 'R': case 'T': case 'U':
		return "that ping flag has no sockx equivalent ('sockx raw-icmp --help' lists the options)";
	default:
		return NULL;
	}
}

/* A number option into an int, with the usage error printed. */
static int opt_int(struct sockx *sx, const char *what, const char *s,
		   unsigned long min, unsigned long max, int *out)
{
	unsigned long v;
	int rc = opt_num(sx, what, s, min, max, &v);

	if (rc == EXIT_OK)
		*out = (int)v;
	return rc;
}

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct raw_icmp_opts *o = ctx;
	unsigned long v;
	int rc;

	switch (key) {
	case 'c': return opt_num(sx, "count (-c)", arg, 1, 1UL << 40, &o->count);
	case 'i':
		o->interval_set = true;
		return opt_secs(sx, "interval (-i)", arg, 3600, &o->interval_ms);
	case 'f': o->flood = true; return EXIT_OK;
	case 'w':
		rc = opt_secs(sx, "deadline (-w)", arg, 86400 * 365, &o->deadline_ms);
		if (rc == EXIT_OK && o->deadline_ms <= 0)
			return fail(sx, EXIT_USAGE, "invalid deadline (-w) '%s' (must be more than 0)", arg);
		return rc;
	case 's':	/* IPv4's lower limit waits for the address (check_size) */
		rc = opt_num(sx, "size (-s)", arg, 0, MAX_SIZE6, &v);
		o->size = v;
		return rc;
	case 't': return opt_int(sx, "ttl (-t)", arg, 1, 255, &o->ttl);
	case 'Q': return opt_int(sx, "tos (-Q)", arg, 0, 255, &o->tos);
	case O_ID:
		rc = opt_num(sx, "--id", arg, 0, 65535, &v);
		o->id = (long)v;
		return rc;
	case O_IPID:
		rc = opt_num(sx, "--ip-id", arg, 0, 65535, &v);
		o->ip_id = (long)v;
		return rc;
	case O_DF: o->df = true; return EXIT_OK;
	case 'p':
		o->patlen = parse_hex(arg, o->pat, sizeof(o->pat));
		if (o->patlen == 0)
			return fail(sx, EXIT_USAGE, "invalid pattern (-p) '%s' (expected 1-256 bytes in hex, e.g. ff00)", arg);
		return EXIT_OK;
	case 'I': o->iface = arg; return EXIT_OK;
	case 'n': return EXIT_OK;	/* numeric: always */
	case 'W':
		rc = opt_secs(sx, "timeout (-W)", arg, 3600, &o->timeout_ms);
		if (rc == EXIT_OK && o->timeout_ms <= 0)
			return fail(sx, EXIT_USAGE, "invalid timeout (-W) '%s' (must be more than 0)", arg);
		return rc;
	case O_SRC: o->src = arg; return EXIT_OK;
	case O_NOHDRINCL:
	case O_DGRAM:
		if (o->method != PM_HDRINCL && o->method != (key == O_DGRAM ? PM_DGRAM : PM_RAW))
			return fail(sx, EXIT_USAGE, "cannot use --no-hdrincl and --dgram together");
		o->method = key == O_DGRAM ? PM_DGRAM : PM_RAW;
		return EXIT_OK;
	case O_DUMP: o->dump = true; return EXIT_OK;
	case O_VERIFY: o->verify = true; return EXIT_OK;
	case O_PCAP: o->pcap = arg; return EXIT_OK;
	case O_TIMELINE: o->timeline = true; return EXIT_OK;
	case O_SVG: o->svg = arg; return EXIT_OK;
	default: return EXIT_USAGE;
	}
}

/* True if this caller may send faster than every 0.2 s, as ping decides:
 * the real root, or CAP_NET_ADMIN given to a binary that is not setuid. */
static bool may_flood(void)
{
	if (getuid() == 0)
		return true;
	return getuid() == geteuid() && priv_have(PRIV_ADMIN);
}

/* The checks that need every option at once; argv holds the positionals. */
static int check_opts(struct sockx *sx, struct raw_icmp_opts *o, int argc,
		      char **argv)
{
	const char *colon;
	size_t hl;

	if (argc < 1)
		return fail(sx, EXIT_USAGE, "missing HOST (e.g. sockx raw-icmp -c 3 127.0.0.1)");
	if (argc > 1)
		return fail(sx, EXIT_USAGE, "too many arguments (from '%s')", argv[1]);
	o->host = argv[0];
	colon = strchr(o->host, ':');
	hl = addr_v6_port_split(o->host);	/* "::1:9999": ::1 and a port */
	if ((colon && !strchr(colon + 1, ':')) || hl) {	/* one colon: not IPv6 */
		fail(sx, EXIT_USAGE, "invalid HOST '%s': ICMP has no ports", o->host);
		if (hl)
			hint(sx, "ping %.*s (for the address %s itself write [%s])",
			     (int)hl, o->host, o->host, o->host);
		return EXIT_USAGE;
	}
	/* the marks write no newline: a ladder line would land in theirs */
	if (o->flood && o->timeline)
		return fail(sx, EXIT_USAGE, "cannot use -f with --timeline (its marks and the "
			    "ladder share a line); -i 0 sends as fast, without the marks");
	if (o->flood && !o->interval_set)
		o->interval_ms = 0;
	if ((o->flood || o->interval_ms < USER_MIN_INTERVAL_MS) && !may_flood()) {
		fail(sx, EXIT_NOPERM, "%s needs root or CAP_NET_ADMIN",
		     o->flood ? "flooding (-f)" : "an interval below 0.2 s");
		hint(sx, "use -i 0.2 or more, or run it as root");
		return EXIT_NOPERM;
	}
	return EXIT_OK;
}

/*
 * -I, as ping reads it: an address is the source (--src), anything else
 * names the interface to send through. Sets o->src or o->ifindex.
 */
static int parse_iface(struct sockx *sx, struct raw_icmp_opts *o)
{
	struct addr a;
	char err[256];

	if (!o->iface)
		return EXIT_OK;
	if (addr_resolve(o->iface, "0", 0, SOCK_DGRAM | ADDR_NUMERIC | ADDR_UNSCOPED,
			 &a, 1, err, sizeof(err)) == 1) {
		if (o->src && strcmp(o->src, o->iface) != 0)
			return fail(sx, EXIT_USAGE, "-I %s and --src %s: two source addresses",
				    o->iface, o->src);
		o->src = o->iface;
		return EXIT_OK;
	}
	o->ifindex = if_nametoindex(o->iface);
	if (o->ifindex == 0) {
		fail(sx, EXIT_USAGE, "-I '%s': no such interface, and not an address", o->iface);
		hint(sx, "'ip link' lists the interfaces of this network namespace");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int raw_icmp_options(struct sockx *sx, int argc, char **argv, struct raw_icmp_opts *o)
{
	int first, rc;

	*o = (struct raw_icmp_opts){
		.size = DEFAULT_SIZE, .interval_ms = 1000, .ttl = -1, .tos = -1,
		.id = -1, .ip_id = -1, .timeout_ms = 10000, .method = PM_HDRINCL,
	};
	rc = opt_parse_hints(sx, &info_raw_icmp, ping_flag_hint, argc, argv,
			     parse_opt, o, &first);
	if (rc == EXIT_OK)
		rc = check_opts(sx, o, argc - first, argv + first);
	if (rc == EXIT_OK)
		rc = parse_iface(sx, o);
	return rc;
}
