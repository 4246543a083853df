/*
 * \summary: the system-call layer: every socket call sockx makes goes
 * through here, so -v can show it and errors can name it
 */
#ifndef SOCKX_SOCK_H
#define SOCKX_SOCK_H

#include <sys/socket.h>
#include <sys/types.h>

#include "../sockx.h"
#include "addr.h"

/* Names for traces and tables: "AF_INET", "SOCK_STREAM", "IPPROTO_TCP". */
const char *family_name(int family);
const char *type_name(int type);	/* ignores SOCK_NONBLOCK/CLOEXEC */
const char *proto_name(int family, int type, int proto);
/* "ECONNREFUSED (Connection refused)" */
const char *errno_str(int err, char *buf, size_t len);

/*
 * Traced wrappers. Each makes exactly one system call, prints
 * "call(args) = result" (or "= -1 ENAME (text)") under -v, and returns
 * what the call returned, with errno as the call left it.
 */
int sock_socket(struct sockx *sx, int family, int type, int proto);
int sock_bind(struct sockx *sx, int fd, const struct addr *a);
int sock_listen(struct sockx *sx, int fd, int backlog);
int sock_accept(struct sockx *sx, int fd, struct addr *peer, int flags);
int sock_connect(struct sockx *sx, int fd, const struct addr *a);
int sock_shutdown(struct sockx *sx, int fd, int how);
int sock_close(struct sockx *sx, int fd);
/* setsockopt; traced at -vv. name is the option's text ("SO_REUSEADDR"). */
int sock_setopt(struct sockx *sx, int fd, int level, int opt,
		const char *name, int val);
int sock_getopt(struct sockx *sx, int fd, int level, int opt,
		const char *name, int *val);
/*
 * getsockopt of any size (SO_PEERCRED's struct ucred, ...); traced at
 * -vv. *len is in/out as for getsockopt.
 */
int sock_getopt_buf(struct sockx *sx, int fd, int level, int opt,
		    const char *name, void *val, socklen_t *len);
/* setsockopt with a value that is not an int (ICMP_FILTER, ICMP6_FILTER);
 * traced at -vv with its size. */
int sock_setopt_buf(struct sockx *sx, int fd, int level, int opt,
		    const char *name, const void *val, socklen_t len);
/* getsockname / getpeername; traced at -vv. */
int sock_name(struct sockx *sx, int fd, struct addr *a);
int sock_peer(struct sockx *sx, int fd, struct addr *a);
ssize_t sock_send(struct sockx *sx, int fd, const void *p, size_t n, int flags);
ssize_t sock_recv(struct sockx *sx, int fd, void *p, size_t n, int flags);
ssize_t sock_sendto(struct sockx *sx, int fd, const void *p, size_t n,
		    int flags, const struct addr *to);
ssize_t sock_recvfrom(struct sockx *sx, int fd, void *p, size_t n, int flags,
		      struct addr *from);
ssize_t sock_sendmsg(struct sockx *sx, int fd, const struct msghdr *m, int flags);
ssize_t sock_recvmsg(struct sockx *sx, int fd, struct msghdr *m, int flags);

/*
 * recvmmsg / sendmmsg: a batch of datagrams in one call (recvmmsg's
 * timeout argument is left NULL: use SO_RCVTIMEO). Traced at -v with the
 * batch size and the count returned; a recvmmsg that found nothing
 * (EAGAIN: SO_RCVTIMEO or MSG_DONTWAIT) at -vv, so idle loops stay quiet.
 */
int sock_recvmmsg(struct sockx *sx, int fd, struct mmsghdr *v, unsigned n,
		  int flags);
int sock_sendmmsg(struct sockx *sx, int fd, struct mmsghdr *v, unsigned n,
		  int flags);
/* SO_RCVTIMEO or SO_SNDTIMEO (opt) in milliseconds; traced at -vv. */
int sock_set_timeout(struct sockx *sx, int fd, int opt, int ms);

/* Traces a call made elsewhere: "NAME(ARGS) = rc" or the errno. */
void sock_trace(struct sockx *sx, int level, const char *call, long rc,
		int err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* IPPROTO_TCP for IP streams, IPPROTO_UDP for IP datagrams, else 0. */
int sock_default_proto(int family, int type);

/* What a listener wants beyond bind and listen. */
struct listen_opts {
	int backlog;
	bool reuseport;
	int v6only;		/* -1: kernel default, 0 or 1: set it */
	bool nonblock;
};

/*
 * Opens a socket of type for a, sets SO_REUSEADDR (streams) and the listen_opts,
 * binds and, for stream and seqpacket, listens. On success the kernel's
 * chosen address (port 0 resolved) is written back to *a.
 * Returns the fd, or -1 with errno set and *failed naming the call.
 */
int sock_listener(struct sockx *sx, struct addr *a, int type,
		  const struct listen_opts *lo, const char **failed);

/*
 * Was err, from connect() on an IPv4 datagram socket to dst, the kernel
 * refusing a broadcast route to a socket without SO_BROADCAST (EACCES,
 * ip_route_connect)? A refusal that root gets too: no privilege issue.
 */
bool sock_broadcast_refused(const struct addr *dst, int err);

/*
 * After a failed call (failed: its name) on a, errno as it left it: when
 * bind was refused a port below net.ipv4.ip_unprivileged_port_start
 * (EACCES), a hint naming CAP_NET_BIND_SERVICE and the sysctl. errno is
 * kept.
 */
void sock_bind_hint(struct sockx *sx, const char *failed, const struct addr *a);

/*
 * Connects a socket of type to each of dst[0..n) in turn until one
 * answers, within timeout_ms each (non-blocking connect, poll, SO_ERROR),
 * binding src first when it is not NULL. The fd is returned blocking.
 * Returns the fd and *which, or -1 with errno of the last attempt and
 * *failed naming the call that failed.
 */
int sock_connect_any(struct sockx *sx, const struct addr *dst, int n,
		     const struct addr *src, int type, int timeout_ms,
		     int *which, const char **failed);

/* Sets or clears O_NONBLOCK; returns 0 or -1. */
int fd_nonblock(int fd, bool on);

#endif
