/*
 * \summary: the datagram and raw-packet halves of the capture API, end to
 * end on lo, as udp-client and raw-icmp will call them: UDP datagrams,
 * an IPv4 echo built under IP_HDRINCL (kernel-filled fields), an ICMPv6
 * echo on a raw socket, and a datagram recorded but never sent. Needs
 * CAP_NET_RAW; without it, says so and passes (make unit as a user).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/capture.h"
#include "core/priv.h"
#include "wire/csum.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

static struct sockx sx = { .cmd = "test_capture_live" };

static void loopback(struct addr *a, int family, int port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->sin_port = htons((uint16_t)port);
		a->len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		s->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*s);
	}
}

/* Waits up to 2 s for fd; reads one datagram. Returns its length or -1. */
static ssize_t recv_wait(int fd, void *buf, size_t n)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 2000) != 1)
		return -1;
	return recv(fd, buf, n, 0);
}

static struct capture *open_for(int proto, const struct addr *remote,
				const struct addr *local, int id)
{
	struct capture_spec cs;
	int rc;

	memset(&cs, 0, sizeof(cs));
	cs.proto = proto;
	cs.remote = *remote;
	if (local)
		cs.local = *local;
	cs.icmp_id = id;
	cs.verify = true;
	cs.keep_priv = true;	/* more captures follow in this process */
	return capture_open(&sx, &cs, &rc);
}

/* A UDP exchange; ghost: also record a datagram that is never sent. */
static int udp_run(bool ghost)
{
	static const char *const msgs[] = { "one", "two", "three" };
	struct addr srv, cli;
	struct capture *cap;
	socklen_t len = sizeof(srv.ss);
	char buf[64];
	ssize_t n;
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0), i;

	loopback(&srv, AF_INET, 0);
	bind(s, (struct sockaddr *)&srv.ss, srv.len);
	getsockname(s, (struct sockaddr *)&srv.ss, &len);
	connect(c, (struct sockaddr *)&srv.ss, srv.len);
	len = sizeof(cli.ss);
	getsockname(c, (struct sockaddr *)&cli.ss, &len);
	cli.len = len;
	cap = open_for(IPPROTO_UDP, &srv, &cli, 0);
	if (!cap)
		return -1;
	for (i = 0; i < 3; i++) {
		send(c, msgs[i], strlen(msgs[i]), 0);
		capture_udp_sent(cap, msgs[i], strlen(msgs[i]));
		n = recv_wait(s, buf, sizeof(buf));	/* the server echoes it */
		if (n > 0)
			sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&cli.ss, cli.len);
		n = recv_wait(c, buf, sizeof(buf));
		if (n > 0)
			capture_udp_received(cap, buf, (size_t)n);
	}
	if (ghost)
		capture_udp_sent(cap, "ghost", 5);
	close(s);
	close(c);
	return capture_finish(cap, EXIT_OK);
}

/* An IPv4 echo request built whole, ID and source left to the kernel. */
static size_t echo4(uint8_t *p, uint16_t id)
{
	uint8_t *m = p + 20;
	uint16_t ck;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[6] = 0x40;		/* DF */
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	p[16] = 127;
	p[19] = 1;
	memset(m, 0, 8);
	m[0] = 8;
	m[4] = (uint8_t)(id >> 8);
	m[5] = (uint8_t)id;
	m[7] = 1;
	memcpy(m + 8, "sockx verify", 12);
	ck = csum_inet(m, 20);
	m[2] = (uint8_t)(ck >> 8);
	m[3] = (uint8_t)ck;
	return 40;
}

/* A raw socket, CAP_NET_RAW raised around it (as raw-icmp does). */
static int raw_socket(int family, int proto)
{
	int fd;

	if (priv_raise(PRIV_RAW) < 0)
		return -1;
	fd = socket(family, SOCK_RAW, proto);
	priv_lower(PRIV_RAW);
	return fd;
}

/* Reads from a raw socket until a packet whose byte at off is want. */
static ssize_t recv_type(int fd, uint8_t *buf, size_t n, size_t off, uint8_t want)
{
	ssize_t got;
	int i;

	for (i = 0; i < 8; i++) {
		got = recv_wait(fd, buf, n);
		if (got > (ssize_t)off && buf[off] == want)
			return got;
	}
	return -1;
}

static int icmp4_run(void)
{
	uint16_t id = (uint16_t)(getpid() ^ 0x5a5a);
	struct addr dst;
	struct capture *cap;
	uint8_t pkt[64], buf[256];
	size_t n = echo4(pkt, id);
	ssize_t got;
	int fd = raw_socket(AF_INET, IPPROTO_ICMP), one = 1;

	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
		return -1;
	loopback(&dst, AF_INET, 0);
	cap = open_for(IPPROTO_ICMP, &dst, NULL, id);
	if (!cap)
		return -1;
	sendto(fd, pkt, n, 0, (struct sockaddr *)&dst.ss, dst.len);
	capture_raw_sent(cap, pkt, n, kfield_mask(KF_SOCK_HDRINCL, pkt, n));
	got = recv_type(fd, buf, sizeof(buf), 20, 0);	/* the echo reply */
	if (got > 0)
		capture_raw_received(cap, buf, (size_t)got, 0);
	close(fd);
	return capture_finish(cap, got > 0 ? EXIT_OK : EXIT_FAIL);
}

static int icmp6_run(void)
{
	uint16_t id = (uint16_t)(getpid() ^ 0xa5a5);
	uint8_t msg[16] = { 128, 0, 0, 0, (uint8_t)(id >> 8), (uint8_t)id, 0, 7,
			    'v', '6', ' ', 'e', 'c', 'h', 'o', '!' };
	struct addr dst;
	struct capture *cap;
	uint8_t buf[256];
	ssize_t got;
	int fd = raw_socket(AF_INET6, IPPROTO_ICMPV6);

	if (fd < 0)
		return -1;
	loopback(&dst, AF_INET6, 0);
	cap = open_for(IPPROTO_ICMPV6, &dst, NULL, id);
	if (!cap)
		return -1;
	sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&dst.ss, dst.len);
	capture_raw_sent(cap, msg, sizeof(msg), CAPTURE_RAW_L4 | KF_L4_CSUM);
	got = recv_type(fd, buf, sizeof(buf), 0, 129);	/* the echo reply */
	if (got > 0)
		capture_raw_received(cap, buf, (size_t)got, CAPTURE_RAW_L4);
	close(fd);
	return capture_finish(cap, got > 0 ? EXIT_OK : EXIT_FAIL);
}

/* A raw packet recorded with a field the kernel does not fill: a mismatch. */
static int icmp4_wrong_ttl(void)
{
	uint16_t id = (uint16_t)(getpid() ^ 0x3c3c);
	struct addr dst;
	struct capture *cap;
	uint8_t pkt[64], rec[64];
	size_t n = echo4(pkt, id);
	int fd = raw_socket(AF_INET, IPPROTO_ICMP), one = 1;

	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
		return -1;
	loopback(&dst, AF_INET, 0);
	cap = open_for(IPPROTO_ICMP, &dst, NULL, id);
	if (!cap)
		return -1;
	sendto(fd, pkt, n, 0, (struct sockaddr *)&dst.ss, dst.len);
	memcpy(rec, pkt, n);
	rec[8] = 32;		/* "built with TTL 32": the wire says 64 */
	capture_raw_sent(cap, rec, n, kfield_mask(KF_SOCK_HDRINCL, rec, n));
	close(fd);
	return capture_finish(cap, EXIT_OK);
}

int main(void)
{
	sx.t0 = now_mono();
	if (!priv_have(PRIV_RAW)) {
		printf("test_capture_live: skipped: needs CAP_NET_RAW (run as root)\n");
		return 0;
	}
	CHECK(udp_run(false) == EXIT_OK);
	CHECK(udp_run(true) == EXIT_MISMATCH);
	CHECK(icmp4_run() == EXIT_OK);
	CHECK(icmp6_run() == EXIT_OK);
	CHECK(icmp4_wrong_ttl() == EXIT_MISMATCH);
	printf("test_capture_live: %d failed\n", failures);
	return failures ? 1 : 0;
}
