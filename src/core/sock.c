/* \summary: traced socket system calls, listeners and timed connects */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "out.h"
#include "event.h"
#include "sock.h"
#include "timeline.h"

const char *family_name(int family)
{
	switch (family) {
	case AF_UNSPEC: return "AF_UNSPEC";
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_VSOCK: return "AF_VSOCK";
	case AF_TIPC: return "AF_TIPC";
	case AF_RDS: return "AF_RDS";
	case AF_BLUETOOTH: return "AF_BLUETOOTH";
	case AF_ALG: return "AF_ALG";
	case AF_CAN: return "AF_CAN";
	case AF_XDP: return "AF_XDP";
	case AF_KEY: return "AF_KEY";
	default: return "AF_?";
	}
}

const char *type_name(int type)
{
	switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	case SOCK_RAW: return "SOCK_RAW";
	case SOCK_RDM: return "SOCK_RDM";
	case SOCK_PACKET: return "SOCK_PACKET";
	default: return "SOCK_?";
	}
}

const char *proto_name(int family, int type, int proto)
{
	(void)type;
	if (family != AF_INET && family != AF_INET6)
		return proto == 0 ? "0" : "?";
	switch (proto) {
	case 0: return "0";
	case IPPROTO_ICMP: return "IPPROTO_ICMP";
	case IPPROTO_TCP: return "IPPROTO_TCP";
	case IPPROTO_UDP: return "IPPROTO_UDP";
	case IPPROTO_ICMPV6: return "IPPROTO_ICMPV6";
	case IPPROTO_SCTP: return "IPPROTO_SCTP";
	case IPPROTO_UDPLITE: return "IPPROTO_UDPLITE";
	case IPPROTO_RAW: return "IPPROTO_RAW";
	case IPPROTO_MPTCP: return "IPPROTO_MPTCP";
	case IPPROTO_DCCP: return "IPPROTO_DCCP";
	default: return "?";
	}
}

const char *errno_str(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	snprintf(buf, len, "%s (%s)", name ? name : "E?", strerror(err));
	return buf;
}

/*
 * A traced call's start (under -v or --timeline only: it costs a clock
 * read), for the t_enter of its "call" event: TIMED(sx, connect(...)).
 */
static void call_begin(struct sockx *sx)
{
	if (sx->verbose || sx->timeline)
		sx->t_call = sx_elapsed(sx);
}
#define TIMED(sx, call) (call_begin(sx), (call))

/* --timeline: the bytes a call moved, for its row (sock_trace takes them). */
static void moved(struct sockx *sx, const void *p, ssize_t rc)
{
	if (sx->timeline && rc > 0) {
		sx->call_data = p;
		sx->call_len = (size_t)rc;
	}
}

/* The same, of a message: its first buffer's part. */
static void moved_msg(struct sockx *sx, const struct msghdr *m, ssize_t rc)
{
	if (m->msg_iovlen > 0 && rc > 0)
		moved(sx, m->msg_iov[0].iov_base,
		      (ssize_t)((size_t)rc < m->msg_iov[0].iov_len ? (size_t)rc : m->msg_iov[0].iov_len));
}

void sock_trace(struct sockx *sx, int level, const char *call, long rc,
		int err, const char *fmt, ...)
{
	char args[256], e[96];
	const char *name = rc < 0 ? strerrorname_np(err) : NULL;
	const void *data;
	size_t len;
	double t_enter = sx->t_call > 0 ? sx->t_call : EV_NAN, t_exit;
	va_list ap;

	sx->t_call = 0;
	data = sx->call_data;
	len = sx->call_len;
	sx->call_data = NULL;
	sx->call_len = 0;
	/* --timeline: the calls of level 1 are recorded, shown or not */
	if (sx->verbose < level && !(sx->timeline && level <= 1))
		return;
	t_exit = sx_elapsed(sx);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (sx->timeline && level <= 1)
		timeline_call(sx, call, args, rc, rc < 0 ? (name ? name : "E?") : NULL,
			      t_enter, t_exit, data, len);
	if (sx->verbose < level)
		return;
	EMIT_AT(sx, level >= 2 ? EV_V2 : EV_V1, call, .name = call, .args = args,
		.ret = rc, .errno_ = rc < 0 ? (name ? name : "E?") : NULL,
		.why = rc < 0 ? errno_str(err, e, sizeof(e)) : NULL,
		.t_enter = t_enter, .t_exit = t_exit);
}

/* The type word as a trace shows it: "SOCK_STREAM|SOCK_NONBLOCK". */
static const char *type_flags(int type, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", type_name(type),
		 type & SOCK_NONBLOCK ? "|SOCK_NONBLOCK" : "",
		 type & SOCK_CLOEXEC ? "|SOCK_CLOEXEC" : "");
	return buf;
}

int sock_socket(struct sockx *sx, int family, int type, int proto)
{
	int fd = TIMED(sx, socket(family, type, proto)), err = errno;
	char t[64];

	sock_trace(sx, 1, "socket", fd, err, "%s, %s, %s", family_name(family),
		   type_flags(type, t, sizeof(t)),
		   proto_name(family, type, proto));
	errno = err;
	return fd;
}

int sock_bind(struct sockx *sx, int fd, const struct addr *a)
{
	int rc = TIMED(sx, bind(fd, (const struct sockaddr *)&a->ss, a->len)), err = errno;
	char s[ADDR_TEXT];

	sock_trace(sx, 1, "bind", rc, err, "%d, %s", fd, addr_str(a, s, sizeof(s)));
	errno = err;
	return rc;
}

int sock_listen(struct sockx *sx, int fd, int backlog)
{
	int rc = TIMED(sx, listen(fd, backlog)), err = errno;

	sock_trace(sx, 1, "listen", rc, err, "%d, %d", fd, backlog);
	errno = err;
	return rc;
}

int sock_accept(struct sockx *sx, int fd, struct addr *peer, int flags)
{
	int rc, err;
	char s[ADDR_TEXT];

	peer->len = sizeof(peer->ss);
	rc = TIMED(sx, accept4(fd, (struct sockaddr *)&peer->ss, &peer->len, flags));
	err = errno;
	if (sx->verbose || sx->timeline) {
		if (rc < 0)
			sock_trace(sx, 1, "accept4", rc, err, "%d", fd);
		else
			sock_trace(sx, 1, "accept4", rc, err, "%d, %s", fd,
				   addr_str(peer, s, sizeof(s)));
	}
	errno = err;
	return rc;
}

int sock_connect(struct sockx *sx, int fd, const struct addr *a)
{
	int rc = TIMED(sx, connect(fd, (const struct sockaddr *)&a->ss, a->len)), err = errno;
	char s[ADDR_TEXT];

	sock_trace(sx, 1, "connect", rc, err, "%d, %s", fd, addr_str(a, s, sizeof(s)));
	errno = err;
	return rc;
}

int sock_shutdown(struct sockx *sx, int fd, int how)
{
	int rc = TIMED(sx, shutdown(fd, how)), err = errno;

	sock_trace(sx, 1, "shutdown", rc, err, "%d, %s", fd,
		   how == SHUT_WR ? "SHUT_WR" : how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR");
	errno = err;
	return rc;
}

int sock_close(struct sockx *sx, int fd)
{
	int rc = TIMED(sx, close(fd)), err = errno;

	sock_trace(sx, 1, "close", rc, err, "%d", fd);
	errno = err;
	return rc;
}

int sock_setopt(struct sockx *sx, int fd, int level, int opt,
		const char *name, int val)
{
	int rc = TIMED(sx, setsockopt(fd, level, opt, &val, sizeof(val))), err = errno;

	sock_trace(sx, 2, "setsockopt", rc, err, "%d, %s, %d", fd, name, val);
	errno = err;
	return rc;
}

int sock_setopt_buf(struct sockx *sx, int fd, int level, int opt,
		    const char *name, const void *val, socklen_t len)
{
	int rc = TIMED(sx, setsockopt(fd, level, opt, val, len)), err = errno;

	sock_trace(sx, 2, "setsockopt", rc, err, "%d, %s, %u bytes", fd, name,
		   (unsigned)len);
	errno = err;
	return rc;
}

int sock_getopt(struct sockx *sx, int fd, int level, int opt,
		const char *name, int *val)
{
	socklen_t len = sizeof(*val);
	int rc = TIMED(sx, getsockopt(fd, level, opt, val, &len)), err = errno;

	sock_trace(sx, 2, "getsockopt", rc, err, "%d, %s -> %d", fd, name,
		   rc == 0 ? *val : 0);
	errno = err;
	return rc;
}

int sock_getopt_buf(struct sockx *sx, int fd, int level, int opt,
		    const char *name, void *val, socklen_t *len)
{
	int rc = TIMED(sx, getsockopt(fd, level, opt, val, len)), err = errno;

	sock_trace(sx, 2, "getsockopt", rc, err, "%d, %s, %u bytes", fd, name,
		   rc == 0 ? (unsigned)*len : 0);
	errno = err;
	return rc;
}

int sock_name(struct sockx *sx, int fd, struct addr *a)
{
	int rc, err;
	char s[ADDR_TEXT];

	a->len = sizeof(a->ss);
	rc = TIMED(sx, getsockname(fd, (struct sockaddr *)&a->ss, &a->len));
	err = errno;
	sock_trace(sx, 2, "getsockname", rc, err, "%d -> %s", fd,
		   rc == 0 ? addr_str(a, s, sizeof(s)) : "?");
	errno = err;
	return rc;
}

int sock_peer(struct sockx *sx, int fd, struct addr *a)
{
	int rc, err;
	char s[ADDR_TEXT];

	a->len = sizeof(a->ss);
	rc = TIMED(sx, getpeername(fd, (struct sockaddr *)&a->ss, &a->len));
	err = errno;
	sock_trace(sx, 2, "getpeername", rc, err, "%d -> %s", fd,
		   rc == 0 ? addr_str(a, s, sizeof(s)) : "?");
	errno = err;
	return rc;
}

ssize_t sock_send(struct sockx *sx, int fd, const void *p, size_t n, int flags)
{
	ssize_t rc = TIMED(sx, send(fd, p, n, flags));
	int err = errno;

	moved(sx, p, rc);
	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "send", (long)rc, err, "%d, %zu bytes, %s", fd, n,
			   flags & MSG_NOSIGNAL ? "MSG_NOSIGNAL" : "0");
	errno = err;
	return rc;
}

ssize_t sock_recv(struct sockx *sx, int fd, void *p, size_t n, int flags)
{
	ssize_t rc = TIMED(sx, recv(fd, p, n, flags));
	int err = errno;

	moved(sx, p, rc);
	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "recv", (long)rc, err, "%d, %zu, %d", fd, n, flags);
	errno = err;
	return rc;
}

ssize_t sock_sendto(struct sockx *sx, int fd, const void *p, size_t n,
		    int flags, const struct addr *to)
{
	ssize_t rc = TIMED(sx, sendto(fd, p, n, flags, to ? (const struct sockaddr *)&to->ss : NULL,
			    to ? to->len : 0));
	int err = errno;
	char s[ADDR_TEXT];

	moved(sx, p, rc);
	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "sendto", (long)rc, err, "%d, %zu bytes, %d, %s",
			   fd, n, flags, to ? addr_str(to, s, sizeof(s)) : "NULL");
	errno = err;
	return rc;
}

ssize_t sock_recvfrom(struct sockx *sx, int fd, void *p, size_t n, int flags,
		      struct addr *from)
{
	struct addr dummy;
	ssize_t rc;
	int err;
	char s[ADDR_TEXT];

	if (!from)
		from = &dummy;
	from->len = sizeof(from->ss);
	rc = TIMED(sx, recvfrom(fd, p, n, flags, (struct sockaddr *)&from->ss, &from->len));
	err = errno;
	moved(sx, p, rc);
	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "recvfrom", (long)rc, err, "%d, %zu, %d -> %s",
			   fd, n, flags, rc >= 0 ? addr_str(from, s, sizeof(s)) : "?");
	errno = err;
	return rc;
}

/* Flag words as a trace shows them: "MSG_DONTWAIT|MSG_TRUNC", or "0". */
static const char *msg_flags_str(int flags, char *buf, size_t len)
{
	static const struct { int bit; const char *name; } names[] = {
		{ MSG_OOB, "MSG_OOB" }, { MSG_PEEK, "MSG_PEEK" },
		{ MSG_DONTROUTE, "MSG_DONTROUTE" }, { MSG_CTRUNC, "MSG_CTRUNC" },
		{ MSG_TRUNC, "MSG_TRUNC" }, { MSG_DONTWAIT, "MSG_DONTWAIT" },
		{ MSG_EOR, "MSG_EOR" }, { MSG_WAITALL, "MSG_WAITALL" },
		{ MSG_CONFIRM, "MSG_CONFIRM" }, { MSG_ERRQUEUE, "MSG_ERRQUEUE" },
		{ MSG_NOSIGNAL, "MSG_NOSIGNAL" }, { MSG_MORE, "MSG_MORE" },
		{ MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && n < len; i++) {
		if (!(flags & names[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", names[i].name);
		flags &= ~names[i].bit;
	}
	if (flags && n < len)
		snprintf(buf + n, len - n, "%s0x%x", n ? "|" : "", (unsigned)flags);
	else if (n == 0)
		snprintf(buf, len, "0");
	return buf;
}

ssize_t sock_sendmsg(struct sockx *sx, int fd, const struct msghdr *m, int flags)
{
	ssize_t rc = TIMED(sx, sendmsg(fd, m, flags));
	int err = errno;
	char f[160];

	moved_msg(sx, m, rc);
	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "sendmsg", (long)rc, err, "%d, %zu iov, %zu control, %s",
			   fd, (size_t)m->msg_iovlen, (size_t)m->msg_controllen,
			   msg_flags_str(flags, f, sizeof(f)));
	errno = err;
	return rc;
}

ssize_t sock_recvmsg(struct sockx *sx, int fd, struct msghdr *m, int flags)
{
	ssize_t rc = TIMED(sx, recvmsg(fd, m, flags));
	int err = errno;
	char f[160], out[160];

	/* Every flag recvmsg returns (MSG_TRUNC, MSG_CTRUNC, MSG_EOR ...) is shown. */
	moved_msg(sx, m, rc);
	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "recvmsg", (long)rc, err, "%d, %zu control, %s -> msg_flags %s",
			   fd, (size_t)m->msg_controllen, msg_flags_str(flags, f, sizeof(f)),
			   rc < 0 ? "?" : msg_flags_str(m->msg_flags, out, sizeof(out)));
	errno = err;
	return rc;
}

/* "MSG_WAITFORONE|MSG_TRUNC|MSG_DONTWAIT", or "0". */
static const char *mmsg_flags(int flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", flags ? "" : "0",
		 flags & MSG_WAITFORONE ? "MSG_WAITFORONE|" : "",
		 flags & MSG_TRUNC ? "MSG_TRUNC|" : "",
		 flags & MSG_DONTWAIT ? "MSG_DONTWAIT|" : "");
	if (flags && buf[0])
		buf[strlen(buf) - 1] = '\0';	/* the last '|' */
	return buf;
}

int sock_recvmmsg(struct sockx *sx, int fd, struct mmsghdr *v, unsigned n,
		  int flags)
{
	int rc = TIMED(sx, recvmmsg(fd, v, n, flags, NULL)), err = errno;
	bool idle = rc < 0 && (err == EAGAIN || err == EWOULDBLOCK);
	char f[64];

	if (sx->verbose || sx->timeline)
		sock_trace(sx, idle ? 2 : 1, "recvmmsg", rc, err, "%d, %u msgs, %s",
			   fd, n, mmsg_flags(flags, f, sizeof(f)));
	errno = err;
	return rc;
}

int sock_sendmmsg(struct sockx *sx, int fd, struct mmsghdr *v, unsigned n,
		  int flags)
{
	int rc = TIMED(sx, sendmmsg(fd, v, n, flags)), err = errno;
	char f[64];

	if (sx->verbose || sx->timeline)
		sock_trace(sx, 1, "sendmmsg", rc, err, "%d, %u msgs, %s", fd, n,
			   mmsg_flags(flags, f, sizeof(f)));
	errno = err;
	return rc;
}

int sock_set_timeout(struct sockx *sx, int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	int rc = TIMED(sx, setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv))), err = errno;

	sock_trace(sx, 2, "setsockopt", rc, err, "%d, %s, %d ms", fd,
		   opt == SO_RCVTIMEO ? "SO_RCVTIMEO" : "SO_SNDTIMEO", ms);
	errno = err;
	return rc;
}

int fd_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

int sock_default_proto(int family, int type)
{
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (type == SOCK_STREAM)
		return IPPROTO_TCP;
	return type == SOCK_DGRAM ? IPPROTO_UDP : 0;
}

int sock_listener(struct sockx *sx, struct addr *a, int type,
		  const struct listen_opts *lo, const char **failed)
{
	int fam = addr_family(a), fd, err;

	*failed = "socket";
	fd = sock_socket(sx, fam, type | SOCK_CLOEXEC |
			 (lo->nonblock ? SOCK_NONBLOCK : 0),
			 sock_default_proto(fam, type));
	if (fd < 0)
		return -1;
	if (fam != AF_UNIX) {
		*failed = "setsockopt";
		/* Streams only: on UDP it would let a second server share the port. */
		if (type == SOCK_STREAM &&
		    sock_setopt(sx, fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1) < 0)
			goto fail;
		if (lo->reuseport &&
		    sock_setopt(sx, fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT", 1) < 0)
			goto fail;
		if (fam == AF_INET6 && lo->v6only >= 0 &&
		    sock_setopt(sx, fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", lo->v6only) < 0)
			goto fail;
	}
	*failed = "bind";
	if (sock_bind(sx, fd, a) < 0)
		goto fail;
	if (type == SOCK_STREAM || type == SOCK_SEQPACKET) {
		*failed = "listen";
		if (sock_listen(sx, fd, lo->backlog) < 0)
			goto fail;
	}
	*failed = "getsockname";
	if (fam != AF_UNIX && sock_name(sx, fd, a) < 0)
		goto fail;
	return fd;
fail:
	err = errno;
	sock_close(sx, fd);
	errno = err;
	return -1;
}

bool sock_broadcast_refused(const struct addr *dst, int err)
{
	return err == EACCES && addr_family(dst) == AF_INET;
}

/* net.ipv4.ip_unprivileged_port_start (IPv6 too), 1024 if unreadable. */
static long unprivileged_port_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	long v = 1024;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 1024;
		fclose(f);
	}
	return v;
}

void sock_bind_hint(struct sockx *sx, const char *failed, const struct addr *a)
{
	int err = errno, fam = addr_family(a), port = addr_port(a);
	long start;

	if (err == EACCES && strcmp(failed, "bind") == 0 &&
	    (fam == AF_INET || fam == AF_INET6) && port > 0 &&
	    port < (start = unprivileged_port_start())) {
		hint(sx, "ports below %ld need root or CAP_NET_BIND_SERVICE, or a"
		     " lower net.ipv4.ip_unprivileged_port_start (sysctl); a port"
		     " of %ld or more (or 0, the kernel's pick) needs neither",
		     start, start);
	}
	errno = err;
}

/* One timed connect attempt on a fresh socket; returns the fd or -1. */
static int connect_one(struct sockx *sx, const struct addr *dst,
		       const struct addr *src, int type, int timeout_ms,
		       const char **failed)
{
	struct pollfd pfd;
	int fd, rc, err = 0;

	*failed = "socket";
	fd = sock_socket(sx, addr_family(dst), type | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 sock_default_proto(addr_family(dst), type));
	if (fd < 0)
		return -1;
	*failed = "bind";
	if (src && sock_bind(sx, fd, src) < 0)
		goto fail;
	*failed = "connect";
	rc = sock_connect(sx, fd, dst);
	if (rc < 0 && errno != EINPROGRESS)
		goto fail;
	if (rc < 0) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do {
			rc = TIMED(sx, poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : -1));
		} while (rc < 0 && errno == EINTR);
		sock_trace(sx, 1, "poll", rc, errno, "%d, POLLOUT, %d ms", fd, timeout_ms);
		if (rc == 0)
			errno = ETIMEDOUT;
		if (rc <= 0)
			goto fail;
		if (sock_getopt(sx, fd, SOL_SOCKET, SO_ERROR, "SO_ERROR", &err) < 0)
			goto fail;
		if (sx->verbose || sx->timeline) {
			char s[ADDR_TEXT];

			sock_trace(sx, 1, "connect", err ? -1 : 0, err,
				   "%d, %s: completed", fd, addr_str(dst, s, sizeof(s)));
		}
		if (err) {
			errno = err;
			goto fail;
		}
	}
	if (fd_nonblock(fd, false) < 0)
		goto fail;
	return fd;
fail:
	err = errno;
	sock_close(sx, fd);
	errno = err;
	return -1;
}

int sock_connect_any(struct sockx *sx, const struct addr *dst, int n,
		     const struct addr *src, int type, int timeout_ms,
		     int *which, const char **failed)
{
	int i, fd = -1;

	*failed = "connect";
	errno = EADDRNOTAVAIL;
	for (i = 0; i < n; i++) {
		if (src && addr_family(src) != addr_family(&dst[i]))
			continue;
		fd = connect_one(sx, &dst[i], src, type, timeout_ms, failed);
		if (fd >= 0) {
			*which = i;
			return fd;
		}
	}
	*which = n - 1;
	return -1;
}
