/* \summary: lab udp-unreachable: ICMP port unreachable reaches a connected UDP socket, an unconnected one only with IP_RECVERR */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "lab.h"

#define WAIT_MS 300		/* how long a socket is watched for the error */

enum { S_CONN, S_PLAIN, S_RECVERR, S_KINDS };

/* Per family, the three sockets: undone after run() returned, so not on its stack. */
static int fds[2][S_KINDS] = { { -1, -1, -1 }, { -1, -1, -1 } };

/* What one family showed. */
struct seen {
	int conn_err;		/* the connected socket's recv() after its send */
	double conn_ms;
	int plain_err;		/* the unconnected socket's recv(MSG_DONTWAIT) after the wait */
	short plain_rev;	/* what poll() saw on it within WAIT_MS */
	bool got_q;		/* the IP_RECVERR socket's error queue had an entry */
	struct sock_extended_err ee;
	int after_err;		/* its plain recv() after reading the queue */
};

/* A UDP port on loopback that nobody has bound (bound, then released). */
static int free_port(struct lab_run *r, int family)
{
	struct addr a;
	int fd = sock_socket(r->sx, family, SOCK_DGRAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	lab_loopback(&a, family, 0);
	if (sock_bind(r->sx, fd, &a) == 0 && sock_name(r->sx, fd, &a) == 0)
		port = addr_port(&a);
	sock_close(r->sx, fd);
	return port;
}

/* poll() for what: the events seen, 0 after WAIT_MS (or the bound). */
static short wait_for(struct lab_run *r, int fd, short what, int ms)
{
	struct pollfd p = { fd, what, 0 };

	if (poll(&p, 1, lab_ms_left(r, ms)) <= 0)
		return 0;
	return p.revents;
}

/* The first IP_RECVERR / IPV6_RECVERR entry of fd's error queue, into *ee. */
static bool read_errqueue(struct lab_run *r, int fd, struct sock_extended_err *ee)
{
	char data[64], ctl[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m;
	struct cmsghdr *c;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	if (sock_recvmsg(r->sx, fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return false;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
			memcpy(ee, CMSG_DATA(c), sizeof(*ee));
			return true;
		}
	return false;
}

static int experiment(struct lab_run *r, int family, int *fd, struct seen *s)
{
	struct addr dst;
	char c;
	double t;
	int port = free_port(r, family), k;

	if (port < 0)
		return lab_cannot(r, errno_exit(errno, true), "no UDP port on %s loopback: %s",
				  family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
	lab_loopback(&dst, family, port);
	for (k = 0; k < S_KINDS; k++) {
		fd[k] = sock_socket(r->sx, family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd[k] < 0 || !lab_defer(r, lab_close_fd, &fd[k]))
			return lab_cannot(r, errno_exit(errno, true), "socket: %s", strerror(errno));
	}
	/* connected: the error comes on the next call */
	if (sock_connect(r->sx, fd[S_CONN], &dst) < 0)
		return lab_cannot(r, EXIT_FAIL, "connect: %s", strerror(errno));
	t = now_mono();
	if (sock_send(r->sx, fd[S_CONN], "x", 1, 0) != 1)
		return lab_cannot(r, EXIT_FAIL, "the first send: %s", strerror(errno));
	wait_for(r, fd[S_CONN], POLLIN, WAIT_MS);
	s->conn_err = sock_recv(r->sx, fd[S_CONN], &c, 1, MSG_DONTWAIT) < 0 ? errno : 0;
	s->conn_ms = (now_mono() - t) * 1000.0;
	/* unconnected, no IP_RECVERR: nothing comes */
	if (sock_sendto(r->sx, fd[S_PLAIN], "x", 1, 0, &dst) != 1)
		return lab_cannot(r, EXIT_FAIL, "sendto: %s", strerror(errno));
	s->plain_rev = wait_for(r, fd[S_PLAIN], POLLIN, WAIT_MS);
	s->plain_err = sock_recv(r->sx, fd[S_PLAIN], &c, 1, MSG_DONTWAIT) < 0 ? errno : 0;
	/* unconnected with IP_RECVERR: the ICMP message, in the error queue */
	if (family == AF_INET6 ?
	    sock_setopt(r->sx, fd[S_RECVERR], IPPROTO_IPV6, IPV6_RECVERR, "IPV6_RECVERR", 1) :
	    sock_setopt(r->sx, fd[S_RECVERR], IPPROTO_IP, IP_RECVERR, "IP_RECVERR", 1))
		return lab_cannot(r, EXIT_UNSUPPORTED, "IP_RECVERR: %s", strerror(errno));
	if (sock_sendto(r->sx, fd[S_RECVERR], "x", 1, 0, &dst) != 1)
		return lab_cannot(r, EXIT_FAIL, "sendto: %s", strerror(errno));
	wait_for(r, fd[S_RECVERR], POLLIN, WAIT_MS);	/* POLLERR is always reported */
	s->got_q = read_errqueue(r, fd[S_RECVERR], &s->ee);
	s->after_err = sock_recv(r->sx, fd[S_RECVERR], &c, 1, MSG_DONTWAIT) < 0 ? errno : 0;
	return EXIT_OK;
}

static const char *ename(int err)
{
	return err ? strerrorname_np(err) : "no error (a datagram?)";
}

/* Did family's run show the claim? Observes as it goes. */
static bool judge_family(struct lab_run *r, int family, const struct seen *s)
{
	bool v6 = family == AF_INET6;
	const char *fam = v6 ? "IPv6" : "IPv4";
	int origin = v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP;
	int type = v6 ? 1 : 3, code = v6 ? 4 : 3;
	char what[128];

	snprintf(what, sizeof(what), "%s connected socket: recv() after send() to a closed port", fam);
	lab_observe(r, what, s->conn_ms, "ms", NULL, "%s after %.3f", ename(s->conn_err),
		    s->conn_ms);
	snprintf(what, sizeof(what), "%s unconnected socket: within %d ms after sendto()",
		 fam, WAIT_MS);
	lab_observe(r, what, NAN, NULL, "poll() for input, then recv(MSG_DONTWAIT)",
		    "poll %s, recv %s", s->plain_rev ? "woke" : "timed out",
		    ename(s->plain_err));
	snprintf(what, sizeof(what), "%s unconnected socket with %s: its error queue",
		 fam, v6 ? "IPV6_RECVERR" : "IP_RECVERR");
	if (s->got_q)
		lab_observe(r, what, NAN, NULL, NULL,
			    "ee_errno %s, ee_origin %u (%s), type %u code %u",
			    ename((int)s->ee.ee_errno), s->ee.ee_origin,
			    s->ee.ee_origin == SO_EE_ORIGIN_ICMP ? "ICMP" :
			    s->ee.ee_origin == SO_EE_ORIGIN_ICMP6 ? "ICMP6" : "other",
			    s->ee.ee_type, s->ee.ee_code);
	else
		lab_observe(r, what, NAN, NULL, NULL, "empty");
	snprintf(what, sizeof(what), "%s the same socket's recv() after reading its queue", fam);
	lab_observe(r, what, NAN, NULL, "reading the queue cleared the pending error",
		    "%s", ename(s->after_err));
	return s->conn_err == ECONNREFUSED && s->plain_rev == 0 && s->plain_err == EAGAIN &&
	       s->got_q && s->ee.ee_origin == origin && s->ee.ee_type == type &&
	       s->ee.ee_code == code && s->ee.ee_errno == ECONNREFUSED;
}

static int run(struct lab_run *r)
{
	struct seen s[2];
	long long u0, u1;
	bool ok[2];
	int rc;

	memset(s, 0, sizeof(s));
	u0 = lab_proc_counter("/proc/net/snmp", "Icmp:", "OutDestUnreachs");
	rc = experiment(r, AF_INET, fds[0], &s[0]);
	if (rc != EXIT_OK)
		return rc;
	u1 = lab_proc_counter("/proc/net/snmp", "Icmp:", "OutDestUnreachs");
	if (u0 >= 0 && u1 >= 0)
		lab_observe(r, "ICMP destination unreachables sent meanwhile (Icmp OutDestUnreachs)",
			    (double)(u1 - u0), NULL, "3 expected; other traffic may add",
			    "%lld", u1 - u0);
	ok[0] = judge_family(r, AF_INET, &s[0]);
	rc = experiment(r, AF_INET6, fds[1], &s[1]);
	if (rc != EXIT_OK)
		return rc;
	ok[1] = judge_family(r, AF_INET6, &s[1]);
	if (ok[0] && ok[1])
		return lab_verdict(r, LAB_HOLDS, "connected: %s on the recv() after the send "
				   "(%.2f ms); unconnected: nothing within %d ms; with "
				   "IP_RECVERR: the error queue held ICMP type 3 code 3 "
				   "(IPv6: ICMPv6 type 1 code 4), ee_errno ECONNREFUSED",
				   ename(s[0].conn_err), s[0].conn_ms, WAIT_MS);
	return lab_verdict(r, LAB_DOES_NOT_HOLD, "IPv4: connected %s, unconnected %s, "
			   "error queue %s; IPv6: connected %s, unconnected %s, error queue %s",
			   ename(s[0].conn_err), ename(s[0].plain_err),
			   s[0].got_q ? "had an entry" : "empty", ename(s[1].conn_err),
			   ename(s[1].plain_err), s[1].got_q ? "had an entry" : "empty");
}

const struct lab lab_udp_unreachable = {
	"udp-unreachable",
	"a datagram to a closed UDP port comes back as ICMP port unreachable: a "
	"connected socket sees ECONNREFUSED on its next call, an unconnected one "
	"sees nothing unless it asked with IP_RECVERR (then in its error queue)",
	"on 127.0.0.1 and ::1, a datagram to a released port from a connected "
	"socket, an unconnected one, and an unconnected one with IP_RECVERR; "
	"what each sees next, and the ICMP count",
	run,
	NULL,	/* no --timeline */
};
