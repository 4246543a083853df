/*
 * \summary: raw-icmp's set-up: addresses, the route's source, the socket
 * (CAP_NET_RAW raised around socket() only), its options and filter, and
 * giving up every privilege before the first probe
 */
#include <errno.h>
#include <net/if.h>		/* before linux/icmp.h: libc-compat.h */
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "ping.h"
#include "../../core/priv.h"
#include "../../wire/icmp6.h"

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
int raw_icmp_drop_privileges(struct ping *pg)
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
int raw_icmp_setup(struct ping *pg)
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
