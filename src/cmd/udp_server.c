/* \summary: udp-server: echo, upper, discard or print datagrams, in batches */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../core/serve.h"

enum { O_MODE = OPT_LONG, O_ONCE, O_BUFFER, O_REUSEPORT, O_V6ONLY };

static const struct optdef opts[] = {
	{ "bind", 'b', "ADDR", "address to listen on (default 127.0.0.1, ::1 with -6; :: or 0.0.0.0 for all)", NULL },
	{ "port", 'p', "PORT", "port or service (default 9999; 0: the kernel picks one)", NULL },
	{ "listen", 'l', NULL, "nc's -l, accepted and ignored: a server always listens", NULL },
	{ "mode", O_MODE, "MODE", "echo (default), upper, discard or print", "echo upper discard print" },
	{ "once", O_ONCE, NULL, "serve one datagram, then exit", NULL },
	{ "buffer", O_BUFFER, "BYTES", "keep at most BYTES of a datagram (default 65536: any datagram whole)", NULL },
	{ "reuseport", O_REUSEPORT, NULL, "set SO_REUSEPORT (several servers on one port)", NULL },
	{ "v6only", O_V6ONLY, NULL, "with -b ::, refuse IPv4-mapped clients", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_udp_server = {
	"[-4|-6] [-b ADDR] [-p PORT] [--mode MODE] [OPTIONS]",
	"Binds ADDR:PORT and answers datagrams: echo (RFC 862, the default),\n"
	"upper (echo with ASCII letters upper-cased), discard (RFC 863) or\n"
	"print (no answer: each datagram goes to stdout, as a line 'from\n"
	"127.0.0.1:40312, 5 bytes: hello' with control bytes escaped, or with\n"
	"-q as its bytes only, raw; 'listening on' then goes to stderr). The\n"
	"first line is 'listening on ADDR:PORT'; then one line per datagram\n"
	"('from 127.0.0.1:40312: 12 bytes'; none under -q). Any datagram up to\n"
	"the protocol maximum (65507 bytes over IPv4, 65527 over IPv6) is\n"
	"received and echoed whole; one longer than --buffer is reported as\n"
	"truncated and not echoed. Bound to a wildcard address, replies leave\n"
	"from the address each request was sent to. Datagrams are read and\n"
	"answered in batches (recvmmsg, sendmmsg). SIGINT, SIGTERM or SIGHUP:\n"
	"a summary, exit 0.",
	opts,
};

/* The modes of a datagram server: serve.h's, without "source" and "stdio". */
static const char *const udp_mode_names[] = { "echo", "upper", "discard", "print", NULL };
static const enum serve_mode udp_modes[] = { MODE_ECHO, MODE_UPPER, MODE_DISCARD, MODE_PRINT };

#define BATCH 64		/* datagrams per recvmmsg / sendmmsg */
#define DGRAM_MAX 65536		/* more than any UDP payload without jumbograms */
#define WAKE_MS 500		/* SO_RCVTIMEO: how often an idle loop looks up */
#define SEND_MS 1000		/* SO_SNDTIMEO: a full send buffer, at most this */
#define RCVBUF (1 << 20)	/* asked for; the kernel caps it at rmem_max */

struct udp_server_opts {
	const char *bind, *port;
	enum serve_mode mode;
	bool once, v6only;
	size_t buffer;
	struct listen_opts lo;
};

/* Room for one IP_PKTINFO or IPV6_PKTINFO control message. */
union pktinfo_ctl {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

/*
 * Everything the loop needs, allocated once: no allocation per datagram.
 * Slot i of a batch: bufs + i * bufsz, from[i], in_ctl[i], out_ctl[i].
 */
struct udp_server {
	struct sockx *sx;
	const struct udp_server_opts *o;
	int fd;
	bool pktinfo;		/* wildcard bind: reply from the address asked */
	bool report;		/* a line or event per datagram shows */
	unsigned vlen;
	size_t bufsz;
	char *bufs;
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iov_in[BATCH], iov_out[BATCH];
	struct sockaddr_storage from[BATCH];
	union pktinfo_ctl in_ctl[BATCH], out_ctl[BATCH];
	uint64_t dgrams, bytes_in, bytes_out, truncated, send_errors;
	int out_err;		/* --mode print: stdout failed so */
};

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct udp_server_opts *o = ctx;
	unsigned long v;
	int i;

	switch (key) {
	case 'b': o->bind = arg; return EXIT_OK;
	case 'p': o->port = arg; return EXIT_OK;
	case 'l': return EXIT_OK;	/* nc -l: what a server does anyway */
	case O_ONCE: o->once = true; return EXIT_OK;
	case O_REUSEPORT: o->lo.reuseport = true; return EXIT_OK;
	case O_V6ONLY: o->v6only = true; return EXIT_OK;
	case O_MODE:
		i = opt_choice(sx, "mode", arg, udp_mode_names);
		if (i < 0)
			return EXIT_USAGE;
		o->mode = udp_modes[i];
		return EXIT_OK;
	case O_BUFFER:
		if (opt_num(sx, "--buffer", arg, 1, DGRAM_MAX, &v) != EXIT_OK)
			return EXIT_USAGE;
		o->buffer = v;
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
}

/*
 * Opens and binds the socket: blocking, so that recvmmsg waits in the
 * kernel (one call per burst), with SO_RCVTIMEO so that the loop still
 * looks at the signal flag now and then, and SO_SNDTIMEO so that a full
 * send buffer never blocks for long. Returns the fd or an exit code < 0.
 */
static int open_socket(struct sockx *sx, struct udp_server_opts *o,
		       struct addr *a, bool *pktinfo)
{
	const char *failed;
	char s[ADDR_TEXT];
	int fd, rc, fam = addr_family(a);

	fd = sock_listener(sx, a, SOCK_DGRAM, &o->lo, &failed);	/* no SO_REUSEADDR */
	if (fd < 0) {
		rc = fail_open(sx, "%s %s", failed, addr_str(a, s, sizeof(s)));
		sock_bind_hint(sx, failed, a);
		if (errno == EADDRINUSE)
			hint(sx, "another server has that port; -p 0 lets the kernel pick a free one");
		return -rc;
	}
	sock_setopt(sx, fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", RCVBUF);
	*pktinfo = addr_is_any(a);
	if ((*pktinfo && (fam == AF_INET ?
	     sock_setopt(sx, fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 1) :
	     sock_setopt(sx, fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", 1)) < 0) ||
	    sock_set_timeout(sx, fd, SO_RCVTIMEO, WAKE_MS) < 0 ||
	    sock_set_timeout(sx, fd, SO_SNDTIMEO, SEND_MS) < 0) {
		rc = fail_errno(sx, "setsockopt");
		sock_close(sx, fd);
		return -rc;
	}
	return fd;
}

/*
 * Points receive headers 0..n at their slots again: the kernel wrote the
 * lengths and flags of the ones it filled, and only those.
 */
static void arm_batch(struct udp_server *s, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct msghdr *m = &s->in[i].msg_hdr;

		m->msg_name = &s->from[i];
		m->msg_namelen = sizeof(s->from[i]);
		m->msg_iov = &s->iov_in[i];
		m->msg_iovlen = 1;
		m->msg_control = s->pktinfo ? s->in_ctl[i].buf : NULL;
		m->msg_controllen = s->pktinfo ? sizeof(s->in_ctl[i].buf) : 0;
		m->msg_flags = 0;
	}
}

/* Fills a with the bare IP address ip (port 0) of family fam. */
static void addr_set_ip(struct addr *a, int fam, const void *ip)
{
	memset(a, 0, sizeof(*a));
	a->ss.ss_family = (sa_family_t)fam;
	if (fam == AF_INET) {
		memcpy(&((struct sockaddr_in *)&a->ss)->sin_addr, ip, sizeof(struct in_addr));
		a->len = sizeof(struct sockaddr_in);
	} else {
		memcpy(&((struct sockaddr_in6 *)&a->ss)->sin6_addr, ip, sizeof(struct in6_addr));
		a->len = sizeof(struct sockaddr_in6);
	}
}

/*
 * The control message that makes reply i leave from the address its
 * request came to: IP_PKTINFO with ipi_spec_dst (the kernel's choice of
 * the local address for a reply, the destination itself for unicast), or
 * IPV6_PKTINFO with the destination and, for link-local, the interface.
 * Returns the length written into out_ctl[i], 0 if there is none.
 */
static size_t reply_ctl(struct udp_server *s, unsigned i, struct addr *local)
{
	struct msghdr *m = &s->in[i].msg_hdr;
	struct cmsghdr *c, *o = &s->out_ctl[i].align;
	struct in_pktinfo p4;
	struct in6_pktinfo p6;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&p4, CMSG_DATA(c), sizeof(p4));
			addr_set_ip(local, AF_INET, &p4.ipi_spec_dst);
			p4.ipi_ifindex = 0;	/* the route decides */
			memcpy(CMSG_DATA(o), &p4, sizeof(p4));
			o->cmsg_len = CMSG_LEN(sizeof(p4));
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&p6, CMSG_DATA(c), sizeof(p6));
			addr_set_ip(local, AF_INET6, &p6.ipi6_addr);
			if (IN6_IS_ADDR_MULTICAST(&p6.ipi6_addr))
				return 0;	/* not a source: the kernel picks */
			if (!IN6_IS_ADDR_LINKLOCAL(&p6.ipi6_addr))
				p6.ipi6_ifindex = 0;
			memcpy(CMSG_DATA(o), &p6, sizeof(p6));
			o->cmsg_len = CMSG_LEN(sizeof(p6));
		} else {
			continue;
		}
		o->cmsg_level = c->cmsg_level;
		o->cmsg_type = c->cmsg_type;
		return CMSG_ALIGN(o->cmsg_len);
	}
	return 0;
}

/*
 * The line (or event) of one datagram: with --mode print its kept bytes
 * too (escaped in the line, raw under -q: then stdout's health is ours
 * to check). kept is set only when it was truncated.
 */
static void report(struct udp_server *s, unsigned i, size_t len, bool trunc,
		   const struct addr *local)
{
	struct addr from = { .len = s->in[i].msg_hdr.msg_namelen };
	char f[ADDR_TEXT], l[ADDR_TEXT];
	const char *lp = local->len ? addr_host(local, l, sizeof(l)) : NULL;
	size_t kept = trunc ? s->bufsz : len;
	struct sockx *sx = s->sx;

	memcpy(&from.ss, &s->from[i], sizeof(from.ss));
	addr_str(&from, f, sizeof(f));
	if (s->o->mode != MODE_PRINT) {
		EMIT(sx, received_udp_server, .peer = f, .local = lp, .bytes = (long long)len,
		     .kept = trunc ? (long long)kept : EV_NONE, .truncated = trunc,
		     .unit = len == 1 ? "byte" : "bytes");
		return;
	}
	EMIT(sx, received_udp_server_print, .peer = f, .local = lp, .bytes = (long long)len,
	     .kept = trunc ? (long long)kept : EV_NONE, .truncated = trunc,
	     .data = EV_BYTES(s->iov_in[i].iov_base, kept),
	     .unit = len == 1 ? "byte" : "bytes");
	if (serve_flush() < 0)
		s->out_err = errno ? errno : EIO;
}

/*
 * Sends out[0..n) with as few sendmmsg calls as the kernel allows. A
 * datagram that cannot be sent (no buffer space within SO_SNDTIMEO, a
 * firewall's EPERM) is reported and skipped: the rest still go.
 */
static void send_batch(struct udp_server *s, unsigned n)
{
	unsigned i = 0, j;
	char e[96];
	int r;

	while (i < n) {
		r = sock_sendmmsg(s->sx, s->fd, s->out + i, n - i, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			warn_msg(s->sx, "sendmmsg: reply of %u bytes not sent: %s",
				 s->out[i].msg_len, errno_str(errno, e, sizeof(e)));
			s->send_errors++;
			i++;
			continue;
		}
		for (j = i; j < i + (unsigned)r; j++)
			s->bytes_out += s->out[j].msg_len;
		i += (unsigned)r;
	}
}

/* Counts, reports and answers the n datagrams that recvmmsg returned. */
static void on_batch(struct udp_server *s, unsigned n)
{
	bool reply = s->o->mode == MODE_ECHO || s->o->mode == MODE_UPPER;
	struct addr local;
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		size_t len = s->in[i].msg_len;	/* MSG_TRUNC: the real size */
		bool trunc = (s->in[i].msg_hdr.msg_flags & MSG_TRUNC) || len > s->bufsz;
		struct msghdr *m = &s->out[k].msg_hdr;

		s->dgrams++;
		s->bytes_in += len;
		s->truncated += trunc;
		local.len = 0;
		m->msg_controllen = s->pktinfo ? reply_ctl(s, i, &local) : 0;
		if (s->report || s->o->mode == MODE_PRINT)
			report(s, i, len, trunc, &local);
		if (trunc || !reply)
			continue;
		if (s->o->mode == MODE_UPPER)
			mode_upper(s->iov_in[i].iov_base, len);
		s->iov_out[k].iov_base = s->iov_in[i].iov_base;
		s->iov_out[k].iov_len = len;
		m->msg_name = &s->from[i];
		m->msg_namelen = s->in[i].msg_hdr.msg_namelen;
		m->msg_iov = &s->iov_out[k];
		m->msg_iovlen = 1;
		m->msg_control = m->msg_controllen ? s->out_ctl[i].buf : NULL;
		m->msg_flags = 0;
		k++;
	}
	if (k)
		send_batch(s, k);
}

/*
 * The loop: one recvmmsg takes whatever has arrived (MSG_WAITFORONE: wait
 * for the first, then take the rest without waiting), one sendmmsg answers
 * it. A signal interrupts the wait (no SA_RESTART); a signal that slips in
 * just before it is seen within WAKE_MS.
 */
static int serve(struct udp_server *s)
{
	int n;

	arm_batch(s, s->vlen);
	while (!sig_stopped()) {
		n = sock_recvmmsg(s->sx, s->fd, s->in, s->vlen,
				  MSG_WAITFORONE | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			return fail_errno(s->sx, "recvmmsg");
		}
		on_batch(s, (unsigned)n);
		arm_batch(s, (unsigned)n);
		if (s->out_err == EPIPE)
			break;		/* the reader of our stdout is done: so are we */
		if (s->out_err) {
			errno = s->out_err;
			return fail_errno(s->sx, "cannot write to stdout");
		}
		if (s->o->once && n > 0)
			break;
	}
	return EXIT_OK;
}

/* Allocates the batch: the buffers once, untouched pages cost nothing. */
static struct udp_server *server_new(struct sockx *sx, const struct udp_server_opts *o,
				     int fd, bool pktinfo)
{
	struct udp_server *s = calloc(1, sizeof(*s));
	unsigned i;

	if (!s)
		return NULL;
	s->sx = sx;
	s->o = o;
	s->fd = fd;
	s->pktinfo = pktinfo;
	s->report = event_shows(sx, EV_SAY);	/* not -q: worth making */
	s->vlen = o->once ? 1 : BATCH;	/* --once: take no datagram it won't serve */
	s->bufsz = o->buffer;
	s->bufs = malloc(s->vlen * s->bufsz);
	if (!s->bufs) {
		free(s);
		return NULL;
	}
	for (i = 0; i < s->vlen; i++) {
		s->iov_in[i].iov_base = s->bufs + i * s->bufsz;
		s->iov_in[i].iov_len = s->bufsz;
	}
	return s;
}

int cmd_udp_server(struct sockx *sx, int argc, char **argv)
{
	struct udp_server_opts o = { .mode = MODE_ECHO, .buffer = DGRAM_MAX,
				     .lo = { .v6only = -1 } };
	struct udp_server *s;
	struct serve_stats st;
	struct addr a;
	bool pktinfo = false;
	int first, rc, fd;

	rc = opt_parse(sx, &info_udp_server, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	if (first < argc)
		return fail(sx, EXIT_USAGE, "unexpected argument '%s' (use -b ADDR and -p PORT)", argv[first]);
	rc = listen_addr(sx, o.bind, o.port, SOCK_DGRAM, o.v6only, &o.lo, &a);
	if (rc != EXIT_OK)
		return rc;
	fd = open_socket(sx, &o, &a, &pktinfo);
	if (fd < 0)
		return -fd;
	s = server_new(sx, &o, fd, pktinfo);
	if (!s || sig_catch_stop() < 0) {
		rc = fail(sx, EXIT_FAIL, "cannot set up the server: %s", s ? strerror(errno) : "out of memory");
		goto out;
	}
	serve_data_out(sx, o.mode);
	listen_say(sx, &a);
	rc = serve(s);
	st = (struct serve_stats){ .kind = SERVE_UDP, .count = s->dgrams,
		.in = s->bytes_in, .out = s->bytes_out, .truncated = s->truncated,
		.send_errors = s->send_errors };
	serve_summary(sx, &st);
out:
	sock_close(sx, fd);
	if (s)
		free(s->bufs);
	free(s);
	return rc;
}
