/*
 * \summary: raw-icmp: ICMP echo over a raw socket with a hand-built IPv4
 * header, a kernel-built one, or an ICMP datagram socket; options and the
 * set-up of sockets and privileges (the engine is run.c)
 */
#include <errno.h>
#include <net/if.h>		/* before linux/icmp.h: libc-compat.h */
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "raw_icmp.h"
#include "../../core/priv.h"
#include "../../core/sig.h"
#include "../../wire/icmp6.h"

enum {
	O_ID = OPT_LONG, O_IPID, O_DF, O_SRC,
	O_NOHDRINCL, O_DGRAM, O_DUMP, O_VERIFY, O_PCAP,
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
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_raw_icmp = {
	"[-4|-6] HOST [-c COUNT] [-i S] [-w S] [-f] [-s SIZE] [-t TTL] [-Q TOS] [--id N]\n"
	"       [--df] [-p HEX] [-W S] [-I IFACE|ADDR] [--src ADDR] [--no-hdrincl|--dgram]\n"
	"       [--dump] [--verify] [--pcap FILE]",
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
	"inconclusive).",
	opts,
};

#define DEFAULT_SIZE 56
/*
 * The IPv4 total length counts its header: 65535 - 20 - 8 bytes of data.
 * The IPv6 payload length does not: 65535 - 8, which the kernel, writing
 * the header, fragments as ping -6 -s 65527 does (a hand-built IPv6 header,
 * IPV6_HDRINCL, is never fragmented: the link MTU would be the limit).
 */
#define MAX_SIZE4 65507
#define MAX_SIZE6 65527
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

/* The data that fits one echo: the IPv4 total length counts its header. */
static int check_size(struct ping *pg)
{
	if (pg->family == AF_INET && pg->o->size > MAX_SIZE4) {
		fail(pg->sx, EXIT_USAGE, "invalid size (-s) %zu for IPv4 (at most %d: "
		     "65535 - 20 IPv4 header - 8 ICMP header)", pg->o->size, MAX_SIZE4);
		hint(pg->sx, "IPv6 carries up to %d (-6): its payload length leaves "
		     "its header out", MAX_SIZE6);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* -I IFACE: an unscoped link-local HOST is on it; a scoped one must be. */
static int scope_to_iface(struct ping *pg)
{
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&pg->dst.ss;

	const uint8_t *b = d6->sin6_addr.s6_addr;

	if (pg->family != AF_INET6 || b[0] != 0xfe || (b[1] & 0xc0) != 0x80)
		return EXIT_OK;	/* not fe80::/10 (IN6_IS_ADDR_LINKLOCAL) */
	if (d6->sin6_scope_id == 0 && pg->o->ifindex == 0) {
		fail(pg->sx, EXIT_USAGE, "link-local address '%s' needs an interface (a scope)",
		     pg->o->host);
		hint(pg->sx, "add the interface it is on: %s%%IFACE, or -I IFACE "
		     "('ip -6 addr' shows which interface has fe80::/64)", pg->dst_text);
		return EXIT_USAGE;
	}
	if (d6->sin6_scope_id && pg->o->ifindex && d6->sin6_scope_id != pg->o->ifindex)
		return fail(pg->sx, EXIT_USAGE, "'%s' is on another interface than -I %s",
			    pg->o->host, pg->o->iface);
	d6->sin6_scope_id = pg->o->ifindex ? pg->o->ifindex : d6->sin6_scope_id;
	addr_host(&pg->dst, pg->dst_text, sizeof(pg->dst_text));
	return EXIT_OK;
}

/* Resolves HOST (an IPv4 address first, unless -6) and --src. */
static int resolve(struct ping *pg)
{
	struct addr a[ADDR_MAX];
	char err[256];
	int n, i, pick = 0, rc;

	/* A link-local HOST may take its scope from -I (scope_to_iface). */
	n = addr_resolve(pg->o->host, "0", pg->sx->family, SOCK_DGRAM | ADDR_UNSCOPED,
			 a, ADDR_MAX, err, sizeof(err));
	if (n < 0)
		return addr_fail(pg->sx, -n, "", err);
	for (i = n - 1; i >= 0; i--)
		if (addr_family(&a[i]) == AF_INET)
			pick = i;
	pg->dst = a[pick];
	pg->family = addr_family(&pg->dst);
	addr_host(&pg->dst, pg->dst_text, sizeof(pg->dst_text));
	rc = check_size(pg);
	if (rc == EXIT_OK)
		rc = scope_to_iface(pg);
	if (rc != EXIT_OK || !pg->o->src)
		return rc;
	n = addr_resolve(pg->o->src, "0", pg->family, SOCK_DGRAM, a, 1, err,
			 sizeof(err));
	if (n < 0)
		return addr_fail(pg->sx, -n, pg->o->iface == pg->o->src ? "-I: " : "--src: ", err);
	pg->src = a[0];
	return EXIT_OK;
}

/* -I IFACE: SO_BINDTODEVICE on fd, so routes and sources are the
 * interface's (a raw socket is set while CAP_NET_RAW is raised). */
static int bind_device(struct ping *pg, int fd)
{
	const char *name = pg->o->iface;

	if (pg->o->ifindex == 0)
		return EXIT_OK;
	if (sock_setopt_buf(pg->sx, fd, SOL_SOCKET, SO_BINDTODEVICE,
			    "SO_BINDTODEVICE", name, (socklen_t)strlen(name) + 1) == 0)
		return EXIT_OK;
	return fail_errno(pg->sx, "cannot send through interface %s (SO_BINDTODEVICE)", name);
}

/* The source the kernel would pick for dst: a UDP connect() (no packet
 * leaves) and getsockname(), as ping and traceroute do. */
static int route_source(struct ping *pg)
{
	struct addr tmp = pg->dst;
	int fd, crc, rc = EXIT_OK;

	fd = sock_socket(pg->sx, pg->family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return fail_open(pg->sx, "cannot look up the route to %s", pg->dst_text);
	addr_set_port(&tmp, 1025);
	if (bind_device(pg, fd) != EXIT_OK) {
		sock_close(pg->sx, fd);
		return EXIT_FAIL;
	}
	crc = sock_connect(pg->sx, fd, &tmp);
	if (crc < 0 && sock_broadcast_refused(&tmp, errno)) {
		rc = fail(pg->sx, EXIT_FAIL, "%s is a broadcast address: raw-icmp pings "
			  "one host, and sets no SO_BROADCAST", pg->dst_text);
		hint(pg->sx, "ping -b broadcasts; raw-icmp needs the address of one host");
	} else if (crc < 0 || sock_name(pg->sx, fd, &pg->src) < 0) {
		rc = fail_errno(pg->sx, "no route to %s", pg->dst_text);
	} else {
		addr_set_port(&pg->src, 0);
	}
	sock_close(pg->sx, fd);
	return rc;
}

/* Reads net.ipv4.ping_group_range into buf ("1 0"), or "?". */
static const char *ping_group_range(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	char *nl;

	snprintf(buf, len, "?");
	if (f) {
		if (!fgets(buf, (int)len, f))
			snprintf(buf, len, "?");
		fclose(f);
	}
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	for (nl = buf; *nl; nl++)	/* the file separates with a tab */
		if (*nl == '\t')
			*nl = ' ';
	return buf;
}

/* Why socket() refused: privilege (4, with the way out), or the kernel. */
static int open_failed(struct ping *pg, const char *what)
{
	char range[64];
	int err = errno;

	if (errno_exit(err, true) != EXIT_NOPERM)
		return fail_open(pg->sx, "cannot open %s", what);
	if (pg->method == PM_DGRAM) {
		fail(pg->sx, EXIT_NOPERM, "cannot open %s: %s: net.ipv4.ping_group_range "
		     "is \"%s\", which leaves out group %u", what, strerror(err), ping_group_range(range, sizeof(range)),
		     (unsigned)getegid());
		hint(pg->sx, "allow it with: sysctl -w net.ipv4.ping_group_range="
		     "\"0 2147483647\" (per network namespace), or drop --dgram "
		     "and use a raw socket as root");
	} else {
		fail_open(pg->sx, "cannot open %s", what);
		hint(pg->sx, "raw sockets need CAP_NET_RAW: run it as root (sudo "
		     "sockx raw-icmp ...), or give the binary the capability: sudo "
		     "setcap cap_net_raw+p $(command -v sockx); --dgram needs "
		     "neither where net.ipv4.ping_group_range allows it");
	}
	errno = err;
	return EXIT_NOPERM;
}

static int open_socket(struct ping *pg)
{
	bool v4 = pg->family == AF_INET;
	int proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, type, rc;

	type = pg->method == PM_DGRAM ? SOCK_DGRAM : SOCK_RAW;
	if (type == SOCK_RAW && priv_raise(PRIV_RAW) < 0)
		trace(pg->sx, 1, "CAP_NET_RAW is not permitted: socket() will say so");
	pg->fd = sock_socket(pg->sx, pg->family, type | SOCK_CLOEXEC, proto);
	rc = pg->fd >= 0 ? bind_device(pg, pg->fd) : EXIT_OK;
	if (type == SOCK_RAW)
		priv_lower(PRIV_RAW);	/* preserves errno */
	if (pg->fd < 0)
		return open_failed(pg, type == SOCK_RAW ?
				   (v4 ? "a raw ICMP socket" : "a raw ICMPv6 socket") :
				   (v4 ? "an ICMP datagram socket" : "an ICMPv6 datagram socket"));
	return rc;
}

/* Sets an int option; on failure prints and returns EXIT_FAIL. */
static int setopt(struct ping *pg, int level, int opt, const char *name, int v)
{
	if (sock_setopt(pg->sx, pg->fd, level, opt, name, v) == 0)
		return EXIT_OK;
	return fail_errno(pg->sx, "setsockopt %s", name);
}

/* ICMP_FILTER / ICMP6_FILTER: wake only for echo replies and the errors
 * that can answer a probe; our own requests on lo never reach us. */
static int set_filter(struct ping *pg)
{
	struct icmp_filter f4;
	struct icmp6_filter f6;

	if (pg->family == AF_INET) {
		f4.data = ~(uint32_t)(1u << ICMP4_ECHOREPLY | 1u << ICMP4_UNREACH |
				      1u << ICMP4_SOURCEQUENCH | 1u << ICMP4_REDIRECT |
				      1u << ICMP4_TIMXCEED | 1u << ICMP4_PARAMPROB);
		if (sock_setopt_buf(pg->sx, pg->fd, SOL_RAW, ICMP_FILTER,
				    "ICMP_FILTER", &f4, sizeof(f4)) == 0)
			return EXIT_OK;
		return fail_errno(pg->sx, "setsockopt ICMP_FILTER");
	}
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHOREPLY, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_UNREACH, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_TOOBIG, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_TIMXCEED, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_PARAMPROB, &f6);
	if (sock_setopt_buf(pg->sx, pg->fd, IPPROTO_ICMPV6, ICMP6_FILTER,
			    "ICMP6_FILTER", &f6, sizeof(f6)) == 0)
		return EXIT_OK;
	return fail_errno(pg->sx, "setsockopt ICMP6_FILTER");
}

/* IPv4 without IP_HDRINCL: what the header would say, as socket options. */
static int set_ip4_opts(struct ping *pg)
{
	const struct raw_icmp_opts *o = pg->o;
	int rc = EXIT_OK;

	if (pg->method == PM_HDRINCL)
		return setopt(pg, IPPROTO_IP, IP_HDRINCL, "IP_HDRINCL", 1);
	if (o->ttl >= 0)
		rc = setopt(pg, IPPROTO_IP, IP_TTL, "IP_TTL", o->ttl);
	if (rc == EXIT_OK && o->tos >= 0)
		rc = setopt(pg, IPPROTO_IP, IP_TOS, "IP_TOS", o->tos);
	if (rc == EXIT_OK)	/* as the hand-built header: DF only when asked */
		rc = setopt(pg, IPPROTO_IP, IP_MTU_DISCOVER, "IP_MTU_DISCOVER",
			    o->df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
	if (rc == EXIT_OK && pg->method == PM_DGRAM)
		rc = setopt(pg, IPPROTO_IP, IP_RECVTTL, "IP_RECVTTL", 1);
	if (rc == EXIT_OK && pg->method == PM_DGRAM)	/* errors: the error queue */
		rc = setopt(pg, IPPROTO_IP, IP_RECVERR, "IP_RECVERR", 1);
	return rc;
}

static int set_ip6_opts(struct ping *pg)
{
	const struct raw_icmp_opts *o = pg->o;
	int rc;

	rc = setopt(pg, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT", 1);
	if (rc == EXIT_OK && o->ttl >= 0)
		rc = setopt(pg, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", o->ttl);
	if (rc == EXIT_OK && o->tos >= 0)
		rc = setopt(pg, IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS", o->tos);
	if (rc == EXIT_OK && o->df)
		rc = setopt(pg, IPPROTO_IPV6, IPV6_DONTFRAG, "IPV6_DONTFRAG", 1);
	if (rc == EXIT_OK && pg->method == PM_DGRAM)
		rc = setopt(pg, IPPROTO_IPV6, IPV6_RECVERR, "IPV6_RECVERR", 1);
	return rc;
}

/* Binds: --src on a raw socket; on a datagram socket the "port" is the
 * ICMP identifier (the kernel writes it into every request). */
static int bind_socket(struct ping *pg)
{
	struct addr a = pg->src, got;

	if (pg->method != PM_DGRAM && !pg->o->src)
		return EXIT_OK;
	if (pg->method == PM_DGRAM) {
		if (!pg->o->src) {	/* any address: the kernel picks the route's */
			memset(&a, 0, sizeof(a));
			a.ss.ss_family = (sa_family_t)pg->family;
			a.len = pg->family == AF_INET ? sizeof(struct sockaddr_in) :
				sizeof(struct sockaddr_in6);
		}
		addr_set_port(&a, pg->o->id >= 0 ? (int)pg->o->id : 0);
	}
	if (sock_bind(pg->sx, pg->fd, &a) < 0)
		return fail_errno(pg->sx, "cannot bind %s", pg->o->src ? pg->o->src : "the identifier");
	if (pg->method == PM_DGRAM) {
		if (sock_name(pg->sx, pg->fd, &got) < 0)
			return fail_errno(pg->sx, "getsockname");
		pg->id = (uint16_t)addr_port(&got);
	}
	return EXIT_OK;
}

/* Gives up the uid of a setuid run, then every capability: CapEff 0. */
static int drop_privileges(struct ping *pg)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (getegid() != gid && setresgid(gid, gid, gid) < 0)
		return fail_errno(pg->sx, "cannot drop the setgid group");
	if (geteuid() != uid && setresuid(uid, uid, uid) < 0)
		return fail_errno(pg->sx, "cannot drop the setuid user");
	if (priv_drop_all() < 0)
		return fail_errno(pg->sx, "cannot drop capabilities");
	trace(pg->sx, 1, "privileges dropped: no capabilities left, uid %u, gid %u",
	      (unsigned)uid, (unsigned)gid);
	return EXIT_OK;
}

static uint16_t random16(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint16_t)(getpid() ^ (unsigned)(now_mono() * 1e6));
	return v;
}

/* Everything before the first probe but giving up the privileges:
 * addresses, socket, options. */
static int setup(struct ping *pg)
{
	int rc;

	rc = resolve(pg);
	if (rc != EXIT_OK)
		return rc;
	/* IPv6 has no IP_HDRINCL for ICMPv6: the kernel writes its header. */
	pg->method = pg->o->method;
	if (pg->family == AF_INET6 && pg->method == PM_HDRINCL)
		pg->method = PM_RAW;
	if (pg->o->ip_id >= 0 && pg->method != PM_HDRINCL)
		return fail(pg->sx, EXIT_USAGE, "--ip-id needs the hand-built IPv4 header (not -6, --no-hdrincl or --dgram)");
	if (!pg->o->src)
		rc = route_source(pg);
	if (rc != EXIT_OK)
		return rc;
	pg->id = pg->o->id >= 0 ? (uint16_t)pg->o->id : random16();
	pg->ip_id_base = random16();
	rc = open_socket(pg);
	if (rc == EXIT_OK && pg->method != PM_DGRAM)
		rc = set_filter(pg);
	if (rc == EXIT_OK)
		rc = pg->family == AF_INET ? set_ip4_opts(pg) : set_ip6_opts(pg);
	if (rc == EXIT_OK)
		rc = bind_socket(pg);
	return rc;
}

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
	struct raw_icmp_opts o = {
		.size = DEFAULT_SIZE, .interval_ms = 1000, .ttl = -1, .tos = -1,
		.id = -1, .ip_id = -1, .timeout_ms = 10000, .method = PM_HDRINCL,
	};
	struct ping pg = { .sx = sx, .o = &o, .fd = -1 };
	struct capture *cap = NULL;
	bool ran = false;
	int first, rc;

	rc = opt_parse_hints(sx, &info_raw_icmp, ping_flag_hint, argc, argv,
			     parse_opt, &o, &first);
	if (rc == EXIT_OK)
		rc = check_opts(sx, &o, argc - first, argv + first);
	if (rc == EXIT_OK)
		rc = parse_iface(sx, &o);
	if (rc != EXIT_OK)
		return rc;
	rc = alloc_buffers(&pg);
	if (rc == EXIT_OK)
		rc = setup(&pg);
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
		rc = drop_privileges(&pg);
	if (rc != EXIT_OK)
		goto out;
	if (o.dump)
		raw_icmp_add_tap(&pg, raw_icmp_dump, &pg);
	if (sig_catch_stop() < 0)	/* SIGINT, SIGTERM, SIGHUP: the summary */
		rc = fail_errno(sx, "cannot catch signals");
	else
		rc = raw_icmp_run(&pg);
	ran = true;
out:
	rc = raw_icmp_verify_finish(&pg, cap, rc);
	if (ran)	/* the last event: after the verdict (docs/json.md) */
		raw_icmp_summary(&pg);
	if (pg.fd >= 0)
		sock_close(sx, pg.fd);
	free(pg.data);
	free(pg.out);
	free(pg.in);
	free(pg.probes);
	return rc;
}
