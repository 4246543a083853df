/* \summary: the connection server shared by tcp-server and unix stream/seqpacket */
#ifndef SOCKX_SERVE_H
#define SOCKX_SERVE_H

#include "../sockx.h"
#include "addr.h"

struct msghdr;

/*
 * print: what each client sends goes to stdout, nothing goes back.
 * stdio: nc -l, one client at a time: stdin to it, its bytes to stdout.
 */
enum serve_mode { MODE_ECHO, MODE_UPPER, MODE_DISCARD, MODE_SOURCE,
		  MODE_PRINT, MODE_STDIO };

/* "echo", "upper", "discard", "source", "print", "stdio", NULL: in enum order. */
extern const char *const serve_mode_names[];

/*
 * Sets sx->data_out: stdout carries the clients' bytes raw (--mode stdio,
 * or --mode print under -q, where no line a human reads shows). The
 * lines a human reads ("listening on", the summary) go to stderr then,
 * so that stdout is byte-exact (their kinds are EV_ASIDE).
 */
void serve_data_out(struct sockx *sx, enum serve_mode m);

/*
 * Flushes stdout after a --mode print event (under -q its bytes, raw):
 * returns 0, or -1 when stdout failed (errno set).
 */
int serve_flush(void);

/* A server's counts at exit: clients (SERVE_CLIENTS) or datagrams. */
struct serve_stats {
	enum { SERVE_CLIENTS, SERVE_DGRAMS, SERVE_UDP } kind;
	uint64_t count;			/* clients or datagrams */
	uint64_t in, out;		/* bytes */
	uint64_t truncated, send_errors;	/* SERVE_UDP only */
};

/*
 * The summary of every server, at exit, from its loop (never from a
 * signal handler): summary_server, summary_dgram_server or
 * summary_udp_server; on stdout, or stderr when stdout is the data.
 */
void serve_summary(struct sockx *sx, const struct serve_stats *st);

struct serve_opts {
	enum serve_mode mode;
	unsigned max_clients;	/* 0: no limit */
	bool once;		/* serve one client, then return */
	long long idle_ms;	/* close a client silent this long; 0: never */
	bool nodelay;		/* TCP_NODELAY on accepted sockets */
	bool messages;		/* SOCK_SEQPACKET: one read is one message */
	/* Called after each accept (SO_PEERCRED for UNIX sockets). */
	void (*on_accept)(struct sockx *sx, int fd, const struct addr *peer,
			  void *ctx);
	void *ctx;
	/*
	 * Bytes per read; 0: 256 KiB. With messages, a longer message is
	 * reported as cut short (MSG_TRUNC), never passed off as whole.
	 */
	size_t chunk;
	/*
	 * Called after each read that brought data or control data, with the
	 * recvmsg header (msg_control, msg_flags) and the bytes read (0 at
	 * the end, where Linux may still hand over empty credentials):
	 * SCM_RIGHTS and SCM_CREDENTIALS on UNIX sockets. It must close every
	 * descriptor it receives. When set, reads use recvmsg with room for
	 * control data.
	 */
	void (*on_recv)(struct sockx *sx, int fd, struct msghdr *m, size_t n,
			void *ctx);
	/*
	 * Called once at the end (a signal, --once, an error), after the last
	 * client and the listener were closed and before the summary, which
	 * stays the last event: tcp-server --timeline ends its timeline here.
	 * Gets the run's exit code and returns it, or the exit code of what
	 * failed at the end (--svg's write).
	 */
	int (*at_end)(struct sockx *sx, void *ctx, int rc);
};

/*
 * Serves clients of the listening socket lfd (non-blocking) with epoll
 * until SIGINT, SIGTERM or SIGHUP (sig.h), or until the one client of --once is done; then
 * prints a summary. Never blocks on one client: one that does not read
 * its echoes stops being read until it does, so memory stays bounded.
 * MODE_STDIO serves one client at a time through the netcat relay
 * (relay.h) instead. Returns an exit code. lfd is closed.
 */
int serve_stream(struct sockx *sx, int lfd, const struct serve_opts *o);

/* ASCII letters to upper case, in place; other bytes (UTF-8) untouched. */
void mode_upper(void *p, size_t n);

/*
 * The pattern --mode source sends: RFC 864 character-generator lines.
 * Fills p with n bytes of the pattern starting at offset off.
 */
void mode_source_fill(void *p, size_t n, uint64_t off);
/* The pattern's period in bytes. */
#define SOURCE_PERIOD (95 * 74)

#endif
