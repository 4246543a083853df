/* \summary: route lookup over rtnetlink (RTM_GETROUTE), as `ip route get` does */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/sock.h"
#include "route.h"

#define NL_TIMEOUT_MS 2000

struct route_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

/* The address bytes of a (v4-mapped IPv6 as IPv4) and their family. */
static const void *addr_bytes(const struct addr *a, int *family, size_t *len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->ss.ss_family == AF_INET) {
		*family = AF_INET;
		*len = 4;
		return &((const struct sockaddr_in *)&a->ss)->sin_addr;
	}
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*family = AF_INET;
		*len = 4;
		return s6->sin6_addr.s6_addr + 12;
	}
	*family = AF_INET6;
	*len = 16;
	return &s6->sin6_addr;
}

/* Appends attribute type with n bytes of data to the request. */
static void add_attr(struct route_req *q, unsigned short type, const void *data,
		     size_t n)
{
	size_t off = NLMSG_ALIGN(q->nh.nlmsg_len) - NLMSG_LENGTH(sizeof(q->rt));
	struct rtattr ra;

	ra.rta_type = type;
	ra.rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(q->attrs + off, &ra, sizeof(ra));	/* bytes, not casts: no alignment games */
	memcpy(q->attrs + off + RTA_LENGTH(0), data, n);
	q->nh.nlmsg_len = (unsigned)(NLMSG_ALIGN(q->nh.nlmsg_len) + RTA_ALIGN(ra.rta_len));
}

/*
 * The request for dst. A scoped address (fe80::1%veth0) is asked with
 * its interface as RTA_OIF, as `ip route get fe80::1 oif veth0`: without
 * it the kernel answers with the first link-local route, whichever
 * interface that is.
 */
static void build(struct route_req *q, const struct addr *dst)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&dst->ss;
	const void *b;
	size_t len;
	int fam, oif;

	b = addr_bytes(dst, &fam, &len);
	memset(q, 0, sizeof(*q));
	q->nh.nlmsg_type = RTM_GETROUTE;
	q->nh.nlmsg_flags = NLM_F_REQUEST;
	q->nh.nlmsg_seq = 1;
	q->rt.rtm_family = (unsigned char)fam;
	q->rt.rtm_dst_len = (unsigned char)(len * 8);
	q->nh.nlmsg_len = (unsigned)NLMSG_LENGTH(sizeof(q->rt));
	add_attr(q, RTA_DST, b, len);
	if (fam == AF_INET6 && dst->ss.ss_family == AF_INET6 && s6->sin6_scope_id) {
		oif = (int)s6->sin6_scope_id;
		add_attr(q, RTA_OIF, &oif, sizeof(oif));
	}
}

static void set_src(struct addr *src, int fam, const void *p, size_t n)
{
	memset(src, 0, sizeof(*src));
	if (fam == AF_INET && n >= 4) {
		struct sockaddr_in *s = (struct sockaddr_in *)&src->ss;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, p, 4);
		src->len = sizeof(*s);
	} else if (fam == AF_INET6 && n >= 16) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&src->ss;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, p, 16);
		src->len = sizeof(*s);
	}
}

static int fail_with(int err)
{
	errno = err;
	return -1;
}

/* Walks the attributes after the rtmsg (rtnetlink(7)), copying each header. */
static void attrs(const struct nlmsghdr *nh, int family, int *oif, struct addr *src)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct rtmsg));
	size_t left = nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct rtmsg)), step, dlen;
	struct rtattr ra;

	while (left >= sizeof(ra)) {
		memcpy(&ra, p, sizeof(ra));
		if (ra.rta_len < sizeof(ra) || ra.rta_len > left)
			return;
		dlen = ra.rta_len - RTA_LENGTH(0);
		if (ra.rta_type == RTA_OIF && dlen >= sizeof(int))
			memcpy(oif, p + RTA_LENGTH(0), sizeof(int));
		else if (ra.rta_type == RTA_PREFSRC)
			set_src(src, family, p + RTA_LENGTH(0), dlen);
		step = RTA_ALIGN(ra.rta_len);
		if (step >= left)
			return;
		p += step;
		left -= step;
	}
}

/* Reads RTA_OIF and RTA_PREFSRC out of the answer. */
static int parse(const struct nlmsghdr *nh, size_t n, char *ifname, struct addr *src)
{
	struct rtmsg rt;
	int oif = 0;

	if (!NLMSG_OK(nh, n))
		return fail_with(EPROTO);
	if (nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;

		if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
			return fail_with(EPROTO);
		memcpy(&e, NLMSG_DATA(nh), sizeof(e));
		return fail_with(e.error ? -e.error : EPROTO);
	}
	if (nh->nlmsg_type != RTM_NEWROUTE || nh->nlmsg_len < NLMSG_LENGTH(sizeof(rt)))
		return fail_with(EPROTO);
	memcpy(&rt, NLMSG_DATA(nh), sizeof(rt));
	attrs(nh, rt.rtm_family, &oif, src);
	if (!oif || !if_indextoname((unsigned)oif, ifname))
		return fail_with(ENODEV);
	return 0;
}

int capture_route(struct sockx *sx, const struct addr *dst,
		  char ifname[IF_NAMESIZE], struct addr *src)
{
	struct route_req q;
	union { struct nlmsghdr nh; char b[8192]; } ans;
	ssize_t n;
	int fd, rc = -1, err;

	memset(src, 0, sizeof(*src));
	build(&q, dst);
	fd = sock_socket(sx, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (sock_send(sx, fd, &q, q.nh.nlmsg_len, 0) < 0)
		goto out;
	if (io_wait_in(fd, NL_TIMEOUT_MS) <= 0) {
		errno = ETIMEDOUT;
		goto out;
	}
	n = sock_recv(sx, fd, &ans, sizeof(ans), 0);
	if (n < 0)
		goto out;
	rc = parse(&ans.nh, (size_t)n, ifname, src);
out:
	err = errno;
	close(fd);
	errno = err;
	return rc;
}
