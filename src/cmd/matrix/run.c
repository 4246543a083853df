/* \summary: matrix: which family x type x protocol this kernel opens, and why not */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../cmd.h"
#include "matrix.h"
#include "../../core/priv.h"

enum { O_ALL = OPT_LONG };

static const struct optdef opts[] = {
	{ "all", O_ALL, NULL, "also AF_PACKET, AF_NETLINK, AF_VSOCK, AF_TIPC, AF_RDS, AF_ALG, AF_CAN, AF_XDP, AF_KEY, AF_BLUETOOTH", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_matrix = {
	"[--all] [--json]",
	"Asks this kernel, live, whether socket() succeeds for every family\n"
	"(AF_INET, AF_INET6, AF_UNIX; --all adds AF_PACKET, AF_NETLINK, AF_VSOCK,\n"
	"AF_TIPC and more) x type (STREAM, DGRAM, SEQPACKET, RAW, RDM) x protocol\n"
	"(0 and the meaningful ones). Each row: supported, or the errno and what\n"
	"it means here; for a supported socket the protocol the kernel chose\n"
	"(SO_PROTOCOL), the default SO_SNDBUF and SO_RCVBUF, the privilege it\n"
	"needs and the sockx command that exercises it. Raw sockets are tried\n"
	"with CAP_NET_RAW raised when it is permitted; without it the table says\n"
	"what root could do, or that it cannot know. --json: one 'cell' object\n"
	"per line. No forking and no sleeping: it takes a few milliseconds.",
	opts,
};

/* The families shown, in order; all: only with --all. */
static const struct {
	int family;
	bool all;
} families[] = {
	{ AF_INET, false }, { AF_INET6, false }, { AF_UNIX, false },
	{ AF_PACKET, true }, { AF_NETLINK, true }, { AF_VSOCK, true },
	{ AF_TIPC, true }, { AF_RDS, true }, { AF_ALG, true }, { AF_CAN, true },
	{ AF_XDP, true }, { AF_KEY, true }, { AF_BLUETOOTH, true },
};

static const int types[] = {
	SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_RDM,
};

#define BE16 0x1	/* proto is an EtherType: socket() wants it htons()'d */

/* The protocols worth a row beyond 0, per family and type. */
static const struct mproto {
	int family, type, proto;
	const char *name;
	unsigned flags;
} protos[] = {
	{ AF_INET, SOCK_STREAM, IPPROTO_TCP, "IPPROTO_TCP", 0 },
	{ AF_INET, SOCK_STREAM, IPPROTO_SCTP, "IPPROTO_SCTP", 0 },
	{ AF_INET, SOCK_STREAM, IPPROTO_MPTCP, "IPPROTO_MPTCP", 0 },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDP, "IPPROTO_UDP", 0 },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, "IPPROTO_UDPLITE", 0 },
	{ AF_INET, SOCK_DGRAM, IPPROTO_ICMP, "IPPROTO_ICMP", 0 },
	{ AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, "IPPROTO_SCTP", 0 },
	{ AF_INET, SOCK_RAW, IPPROTO_ICMP, "IPPROTO_ICMP", 0 },
	{ AF_INET, SOCK_RAW, IPPROTO_TCP, "IPPROTO_TCP", 0 },
	{ AF_INET, SOCK_RAW, IPPROTO_UDP, "IPPROTO_UDP", 0 },
	{ AF_INET, SOCK_RAW, IPPROTO_RAW, "IPPROTO_RAW", 0 },
	{ AF_INET6, SOCK_STREAM, IPPROTO_TCP, "IPPROTO_TCP", 0 },
	{ AF_INET6, SOCK_STREAM, IPPROTO_SCTP, "IPPROTO_SCTP", 0 },
	{ AF_INET6, SOCK_STREAM, IPPROTO_MPTCP, "IPPROTO_MPTCP", 0 },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "IPPROTO_UDP", 0 },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE, "IPPROTO_UDPLITE", 0 },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, "IPPROTO_ICMPV6", 0 },
	{ AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP, "IPPROTO_SCTP", 0 },
	{ AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, "IPPROTO_ICMPV6", 0 },
	{ AF_INET6, SOCK_RAW, IPPROTO_TCP, "IPPROTO_TCP", 0 },
	{ AF_INET6, SOCK_RAW, IPPROTO_UDP, "IPPROTO_UDP", 0 },
	{ AF_INET6, SOCK_RAW, IPPROTO_RAW, "IPPROTO_RAW", 0 },
	{ AF_PACKET, SOCK_RAW, ETH_P_ALL, "htons(ETH_P_ALL)", BE16 },
	{ AF_PACKET, SOCK_DGRAM, ETH_P_IP, "htons(ETH_P_IP)", BE16 },
	{ AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG, "NETLINK_SOCK_DIAG", 0 },
	{ AF_NETLINK, SOCK_RAW, NETLINK_GENERIC, "NETLINK_GENERIC", 0 },
	{ AF_CAN, SOCK_RAW, 1, "CAN_RAW", 0 },
	{ AF_CAN, SOCK_DGRAM, 2, "CAN_BCM", 0 },
	{ AF_KEY, SOCK_RAW, 2, "PF_KEY_V2", 0 },
};

static int proto_value(const struct mproto *p)
{
	return p->flags & BE16 ? htons((uint16_t)p->proto) : p->proto;
}

/* The name of protocol number v of family (as passed to socket()). */
static const char *m_proto_name(int family, int v, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].family == family && proto_value(&protos[i]) == v)
			return protos[i].name;
	if (v == 0)
		return family == AF_NETLINK ? "NETLINK_ROUTE" : "0";
	snprintf(buf, len, "%d", v);
	return buf;
}

/* Adds one row; returns false when the table is full. */
static bool add_row(struct matrix_table *t, int family, int type, int proto,
		    const char *pname)
{
	struct matrix_row *r;

	if (t->n == MATRIX_ROWS)
		return false;
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->type = type;
	r->proto = proto;
	r->pname = pname;
	return true;
}

/*
 * Fills t with the rows to probe, in the order they are shown: every
 * family x type with protocol 0 (the kernel's default, if it has one),
 * then the protocols of that pair worth a row of their own.
 */
static void plan_rows(struct matrix_table *t, bool all)
{
	size_t f, ty, p;
	int fam;

	for (f = 0; f < ARRAY_SIZE(families); f++) {
		if (families[f].all && !all)
			continue;
		fam = families[f].family;
		for (ty = 0; ty < ARRAY_SIZE(types); ty++) {
			add_row(t, fam, types[ty], 0, fam == AF_NETLINK ? "0 (NETLINK_ROUTE)" : "0");
			for (p = 0; p < ARRAY_SIZE(protos); p++)
				if (protos[p].family == fam && protos[p].type == types[ty])
					add_row(t, fam, types[ty], proto_value(&protos[p]), protos[p].name);
		}
	}
}

/* The capability socket() checks for this row, or -1 for none. */
static int row_priv(const struct matrix_row *r)
{
	if (r->family == AF_KEY)
		return PRIV_ADMIN;
	if (r->family == AF_PACKET || r->family == AF_XDP)
		return PRIV_RAW;
	if ((r->family == AF_INET || r->family == AF_INET6) && r->type == SOCK_RAW)
		return PRIV_RAW;
	return -1;
}

/*
 * Calls socket() for r, with the capability it needs raised if permitted
 * (and lowered at once), so that as root the row shows what the kernel
 * allows, and unprivileged the EPERM is honest. Each socket is closed
 * before the next is opened: the matrix holds at most one descriptor.
 */
static void probe(struct sockx *sx, struct matrix_row *r)
{
	int p = row_priv(r), fd;
	char b[16];
	bool up = p >= 0 && priv_raise((enum priv)p) == 0;

	fd = sock_socket(sx, r->family, r->type | SOCK_CLOEXEC, r->proto);
	r->err = fd < 0 ? errno : 0;
	if (up)
		priv_lower((enum priv)p);
	r->priv = p;
	if (fd < 0)
		return;
	r->ok = true;
	r->so_proto = r->so_type = r->sndbuf = r->rcvbuf = -1;
	sock_getopt(sx, fd, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL", &r->so_proto);
	sock_getopt(sx, fd, SOL_SOCKET, SO_TYPE, "SO_TYPE", &r->so_type);
	sock_getopt(sx, fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", &r->sndbuf);
	sock_getopt(sx, fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", &r->rcvbuf);
	sock_close(sx, fd);
	snprintf(r->chosen, sizeof(r->chosen), "%s", m_proto_name(r->family, r->so_proto, b, sizeof(b)));
}

/*
 * Reads net.ipv4.ping_group_range into t (ping sockets, icmp(7)): the
 * one thing besides capabilities that decides an ICMP datagram socket,
 * shown with the rows it explains.
 */
static void read_ping_range(struct matrix_table *t)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "re");

	t->ping_known = f && fscanf(f, "%lu %lu", &t->ping_lo, &t->ping_hi) == 2;
	if (f)
		fclose(f);
}

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	(void)sx;
	(void)arg;
	if (key != O_ALL)
		return EXIT_USAGE;
	*(bool *)ctx = true;
	return EXIT_OK;
}

int cmd_matrix(struct sockx *sx, int argc, char **argv)
{
	static struct matrix_table t;
	bool all = false;
	int first, rc;
	size_t i;

	rc = opt_parse(sx, &info_matrix, argc, argv, parse_opt, &all, &first);
	if (rc != EXIT_OK)
		return rc;
	if (first < argc)
		return fail(sx, EXIT_USAGE, "unexpected argument '%s'", argv[first]);
	memset(&t, 0, sizeof(t));
	t.have_raw = priv_have(PRIV_RAW);
	t.have_admin = priv_have(PRIV_ADMIN);
	read_ping_range(&t);
	plan_rows(&t, all);
	for (i = 0; i < t.n; i++) {
		probe(sx, &t.rows[i]);
		matrix_explain(&t, &t.rows[i]);
	}
	sx->quiet = false;	/* the table is what was asked for: shown under -q too */
	matrix_show(sx, &t);	/* the table's widths need every row */
	return EXIT_OK;
}
