/*
 * \summary: what a matrix row means on this kernel: the errno explained,
 * what root could do, and the sockx command that exercises the socket
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../cmd.h"
#include "matrix.h"
#include "../../core/priv.h"

static bool is_ip(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static bool is_ping(const struct matrix_row *r)
{
	return r->type == SOCK_DGRAM &&
	       ((r->family == AF_INET && r->proto == IPPROTO_ICMP) ||
		(r->family == AF_INET6 && r->proto == IPPROTO_ICMPV6));
}

const char *matrix_priv_text(const struct matrix_table *t, const struct matrix_row *r)
{
	(void)t;
	if (is_ping(r))
		return "ping_group_range";
	if (r->priv == PRIV_RAW)
		return "CAP_NET_RAW";
	if (r->priv == PRIV_ADMIN)
		return "CAP_NET_ADMIN";
	return NULL;
}

static bool in_ping_range(const struct matrix_table *t, unsigned long gid)
{
	return t->ping_known && gid >= t->ping_lo && gid <= t->ping_hi;
}

/*
 * ICMP datagram ("ping") sockets: ping_init_sock() lets a process in
 * only if one of its groups is inside net.ipv4.ping_group_range (the
 * IPv6 ones too), root included: uid 0 is not special here. icmp(7).
 */
static void explain_ping(const struct matrix_table *t, struct matrix_row *r)
{
	r->root_could = t->ping_known ? in_ping_range(t, 0) : -1;
	if (!t->ping_known)
		snprintf(r->note, sizeof(r->note), "ping socket; net.ipv4.ping_group_range is unreadable");
	else if (r->ok)
		snprintf(r->note, sizeof(r->note),
			 "ping socket (ICMP echo without privilege): allowed by net.ipv4.ping_group_range = %lu %lu",
			 t->ping_lo, t->ping_hi);
	else
		snprintf(r->note, sizeof(r->note),
			 "ping socket: no group of yours is in net.ipv4.ping_group_range = %lu %lu%s; root %s",
			 t->ping_lo, t->ping_hi, t->ping_lo > t->ping_hi ? " (empty)" : "",
			 in_ping_range(t, 0) ? "could (gid 0 is inside)" : "neither (gid 0 is outside)");
}

/* A capability refused: can we tell what root would get? */
static void explain_eperm(const struct matrix_table *t, struct matrix_row *r)
{
	const char *cap = matrix_priv_text(t, r);

	if (is_ip(r->family) && r->type == SOCK_RAW) {
		/* inet_create()/inet6_create() look the protocol up first and
		 * would have said EPROTONOSUPPORT: so root gets this socket. */
		r->root_could = 1;
		snprintf(r->note, sizeof(r->note),
			 "needs %s, not permitted here; root could open it (the kernel checked the protocol before the capability)",
			 cap ? cap : "a capability");
		return;
	}
	r->root_could = -1;
	snprintf(r->note, sizeof(r->note),
		 "needs %s, and the kernel checks it before the type and protocol: without it sockx cannot know what root would get",
		 cap ? cap : "a privilege");
}

static void explain_nosupport(struct matrix_row *r)
{
	const char *fam = family_name(r->family), *ty = type_name(r->type);

	if (r->type == SOCK_RDM && r->family != AF_TIPC && r->family != AF_RDS)
		snprintf(r->note, sizeof(r->note), "SOCK_RDM (reliable datagrams) exists only in AF_TIPC; RDS is SOCK_SEQPACKET");
	else if (r->family == AF_INET && r->type == SOCK_SEQPACKET)
		snprintf(r->note, sizeof(r->note), "SEQPACKET over IPv4 is SCTP, which needs the sctp module: this kernel has none");
	else if (r->family == AF_INET6 && r->type == SOCK_SEQPACKET)
		snprintf(r->note, sizeof(r->note), "SEQPACKET over IPv6 is SCTP, which needs the sctp module: this kernel has none");
	else if (r->family == AF_UNIX && r->type == SOCK_RAW)
		snprintf(r->note, sizeof(r->note), "AF_UNIX has no raw sockets");
	else
		snprintf(r->note, sizeof(r->note), "%s has no %s sockets", fam, ty);
}

static void explain_noproto(struct matrix_row *r)
{
	const char *ty = type_name(r->type);

	if (is_ip(r->family) && r->type == SOCK_RAW && r->proto == 0)
		snprintf(r->note, sizeof(r->note), "a raw IP socket needs a protocol number: 0 (IPPROTO_IP) matches none");
	else if (r->proto == IPPROTO_SCTP && is_ip(r->family))
		snprintf(r->note, sizeof(r->note), "SCTP needs the sctp module: this kernel has none");
	else if (r->proto == IPPROTO_UDPLITE && is_ip(r->family))
		snprintf(r->note, sizeof(r->note), "UDP-Lite (RFC 3828) is not built into this kernel");
	else if (r->proto == IPPROTO_MPTCP && is_ip(r->family))
		snprintf(r->note, sizeof(r->note), "MPTCP is not built in, or net.mptcp.enabled = 0");
	else
		snprintf(r->note, sizeof(r->note), "%s is not a %s protocol of %s", r->pname, ty,
			 family_name(r->family));
}

static void explain_error(const struct matrix_table *t, struct matrix_row *r)
{
	char e[96];

	r->root_could = 0;	/* the kernel lacks it, whoever asks */
	switch (r->err) {
	case EPERM:
	case EACCES:
		explain_eperm(t, r);
		return;
	case EAFNOSUPPORT:
		snprintf(r->note, sizeof(r->note), "no %s in this kernel (not built, or its module is not loaded)",
			 family_name(r->family));
		return;
	case ESOCKTNOSUPPORT:
		explain_nosupport(r);
		return;
	case EPROTONOSUPPORT:
		explain_noproto(r);
		return;
	case ENODEV:
		if (r->family == AF_VSOCK) {
			snprintf(r->note, sizeof(r->note), "no vsock transport for %s here (a VM or vhost provides one)",
				 type_name(r->type));
			return;
		}
		break;
	default:
		break;
	}
	snprintf(r->note, sizeof(r->note), "%s", errno_str(r->err, e, sizeof(e)));
}

/* What an opened socket of a family other than IP is for. */
static const char *family_note(int family)
{
	switch (family) {
	case AF_UNIX: return "local only: never touches an interface";
	case AF_NETLINK: return "messages to and from the kernel (ip(8) speaks NETLINK_ROUTE, ss(8) NETLINK_SOCK_DIAG)";
	case AF_VSOCK: return "between a VM and its host: opening needs no transport, connecting does";
	case AF_XDP: return "AF_XDP: frames straight from a driver queue into user memory";
	case AF_TIPC: return "TIPC: cluster messaging by service name";
	case AF_RDS: return "RDS: reliable datagrams over one connection per peer";
	case AF_ALG: return "the kernel crypto API";
	case AF_CAN: return "Controller Area Network frames";
	case AF_KEY: return "IPsec key management (PF_KEY, RFC 2367)";
	default: return NULL;
	}
}

/* Notes on IP sockets that opened: what they are, and kernel surprises. */
static void explain_ok_ip(struct matrix_row *r)
{
	const char *v6 = r->family == AF_INET6 ? "IPV6_HDRINCL" : "IP_HDRINCL";

	if (r->type == SOCK_RAW && r->proto == IPPROTO_RAW)
		snprintf(r->note, sizeof(r->note), "send-only: %s is implied, nothing is received on it", v6);
	else if (r->type == SOCK_RAW)
		snprintf(r->note, sizeof(r->note), "receives a copy of every %s packet; sends get %s", r->pname,
			 r->family == AF_INET ? "an IP header unless IP_HDRINCL" : "an IPv6 header from the kernel");
	else if (r->proto == 0 && r->so_proto > 0)
		snprintf(r->note, sizeof(r->note), "protocol 0: the kernel picked %s", proto_name(r->family, r->type, r->so_proto));
	else if (r->proto == IPPROTO_MPTCP)
		snprintf(r->note, sizeof(r->note), "Multipath TCP (falls back to TCP when the peer lacks it)");
	else if (r->proto == IPPROTO_UDPLITE)
		snprintf(r->note, sizeof(r->note), "UDP-Lite (RFC 3828): the checksum may cover only part of a datagram");
	else
		snprintf(r->note, sizeof(r->note), "the same socket as protocol 0");
}

static void explain_ok(struct matrix_row *r)
{
	const char *note = family_note(r->family);

	r->root_could = 1;
	if (r->so_type >= 0 && r->so_type != r->type)
		snprintf(r->note, sizeof(r->note), "the kernel quietly made it %s (SO_TYPE)", type_name(r->so_type));
	else if (is_ip(r->family))
		explain_ok_ip(r);
	else if (r->family == AF_PACKET)
		snprintf(r->note, sizeof(r->note), "%s frames (libpcap captures with these)",
			 r->type == SOCK_RAW ? "whole link-layer" : "cooked (link header removed)");
	else
		snprintf(r->note, sizeof(r->note), "%s", note ? note : "opened");
}

/* True if command name is built in and, if opt is given, takes --opt. */
static bool has_cmd(const char *name, const char *opt)
{
	const struct cmd *c = cmd_find(name);
	const struct optdef *o;

	if (!c)
		return false;
	if (!opt)
		return true;
	for (o = c->info->opts; o && o->name; o++)
		if (strcmp(o->name, opt) == 0)
			return true;
	return false;
}

/* Writes "NAME[ ARGS]" to r->command, marking a command not built. */
static void set_cmd(struct matrix_row *r, const char *names, const char *check,
		    const char *opt)
{
	snprintf(r->command, sizeof(r->command), "%s%s", names,
		 has_cmd(check, opt) ? "" : " (not built)");
}

static void pick_command(struct matrix_row *r)
{
	bool v6 = r->family == AF_INET6;
	int p = r->proto;

	r->command[0] = '\0';
	if (is_ip(r->family) && r->type == SOCK_STREAM && (p == 0 || p == IPPROTO_TCP))
		set_cmd(r, v6 ? "tcp-server/tcp-client -6" : "tcp-server/tcp-client", "tcp-client", NULL);
	else if (is_ip(r->family) && r->type == SOCK_DGRAM && (p == 0 || p == IPPROTO_UDP))
		set_cmd(r, v6 ? "udp-server/udp-client -6" : "udp-server/udp-client", "udp-client", NULL);
	else if (is_ip(r->family) && r->type == SOCK_RAW && (p == IPPROTO_ICMP || p == IPPROTO_ICMPV6))
		set_cmd(r, v6 ? "raw-icmp -6" : "raw-icmp", "raw-icmp", NULL);
	else if (is_ping(r) && has_cmd("raw-icmp", "dgram"))
		set_cmd(r, v6 ? "raw-icmp -6 --dgram" : "raw-icmp --dgram", "raw-icmp", "dgram");
	else if (r->family == AF_UNIX && r->type == SOCK_STREAM)
		set_cmd(r, "unix --stream", "unix", NULL);
	else if (r->family == AF_UNIX && r->type == SOCK_DGRAM)
		set_cmd(r, "unix --dgram", "unix", NULL);
	else if (r->family == AF_UNIX && r->type == SOCK_SEQPACKET)
		set_cmd(r, "unix --seqpacket", "unix", NULL);
	else if (r->family == AF_PACKET && r->type == SOCK_RAW && p == (int)htons(ETH_P_ALL))
		set_cmd(r, "--verify (libpcap)", "tcp-client", "verify");
}

void matrix_explain(const struct matrix_table *t, struct matrix_row *r)
{
	if (is_ping(r) && (r->ok || r->err == EACCES))
		explain_ping(t, r);
	else if (r->ok)
		explain_ok(r);
	else
		explain_error(t, r);
	pick_command(r);
}
