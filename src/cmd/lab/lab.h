/* \summary: sockx lab: a claim of the tutorial, an experiment on this kernel, a verdict */
#ifndef SOCKX_LAB_H
#define SOCKX_LAB_H

#include "../cmd.h"

enum lab_verdict { LAB_HOLDS, LAB_DOES_NOT_HOLD, LAB_DEPENDS,
		  LAB_NOT_RUN, LAB_FAILED };	/* the last two: lab_cannot() */

struct lab_run;
struct capture;

/*
 * One lab: a claim (the tutorial's words, or the common belief), how the
 * experiment tests it, and the experiment. run() observes (lab_observe)
 * and ends with lab_verdict(), or with lab_cannot() when it could not run
 * (4: privilege, 5: the kernel lacks something, 1: it failed). It keeps
 * within r's deadline (lab_expired, lab_ms_left) and registers what it
 * must undo with lab_defer() as soon as it made it: the deferred calls
 * run after it, in reverse order, also when it failed or a signal came.
 */
struct lab {
	const char *name;	/* as typed: "backlog" */
	const char *claim;
	const char *how;	/* the experiment, one sentence */
	int (*run)(struct lab_run *r);
	const char *moment;	/* what its --timeline draws (the key moment,
				   lab_timeline_begin), or NULL: none */
};

#define LAB_DEFER_MAX 16
#define LAB_FDS_MAX 32

struct lab_run {
	struct sockx *sx;
	const struct lab *lab;
	double start, deadline;	/* monotonic seconds */
	int observed;
	bool judged;
	int exit;		/* EXIT_OK, or lab_cannot's code */
	int verdict;		/* enum lab_verdict, LAB_NOT_RUN or LAB_FAILED */
	struct { void (*fn)(void *); void *arg; } defer[LAB_DEFER_MAX];
	int ndefer;
	int fds[LAB_FDS_MAX];	/* lab_own's, closed after the lab (-1: closed) */
	int nfds;
	/* --timeline, --svg FILE: the key moment's timeline (moment.c) */
	bool timeline;
	const char *svg;
	struct capture *cap;	/* its packets, while it is drawn */
	int timeline_rc;	/* EXIT_OK, or a failed capture or SVG write's */
};

/* What the experiment saw: value as text, number (NAN if none), unit (or NULL). */
void lab_observe(struct lab_run *r, const char *what, double number,
		 const char *unit, const char *note, const char *fmt, ...)
	PRINTF_LIKE(6, 7);

/* The verdict and why, with the numbers; returns EXIT_OK. */
int lab_verdict(struct lab_run *r, enum lab_verdict v, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/* The experiment could not run: code 4, 5 or 1, and why. Returns code. */
int lab_cannot(struct lab_run *r, int code, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/* The lab's bound passed, or a stopping signal came. */
bool lab_expired(const struct lab_run *r);
/* Milliseconds to the deadline, at most cap_ms; 1 once expired (never 0). */
int lab_ms_left(const struct lab_run *r, int cap_ms);

/*
 * fn(arg) after the lab, whatever happened (LIFO). False if full: undo
 * now. arg must outlive run() (static storage, or r itself): the calls
 * come after run() returned.
 */
bool lab_defer(struct lab_run *r, void (*fn)(void *), void *arg);
/*
 * fd is the lab's, closed after it (before the lab_defer calls): its slot
 * in r, which lab_close_fd(slot) closes early; NULL when fd was -1, or
 * when the slots are full (fd closed now, errno EMFILE). lab_keep is the
 * same returning fd itself, or -1.
 */
int *lab_own(struct lab_run *r, int fd);
int lab_keep(struct lab_run *r, int fd);
/* Closes the descriptor *(int *)arg points to, if >= 0 (for lab_defer). */
void lab_close_fd(void *arg);

/* n zeroed bytes, freed after the lab; NULL after lab_cannot() said why. */
void *lab_alloc(struct lab_run *r, size_t n);

/* 127.0.0.1 (or ::1 for AF_INET6) port port, into *a. */
void lab_loopback(struct addr *a, int family, int port);

/*
 * A TCP (type SOCK_STREAM) or UDP listener on loopback, port 0: the fd
 * (registered with lab_defer to close) and its address in *a; -1 after
 * lab_cannot() said why.
 */
int lab_listener(struct lab_run *r, int family, int type, int backlog,
		 struct addr *a);

/*
 * A TCP connection to the listener lfd at srv (loopback): the client in
 * fd[0], the server's side in fd[1], both the lab's (lab_keep). The
 * connect() is bounded by the lab's time (at most 2 s). EXIT_OK, or
 * lab_cannot's code.
 */
int lab_tcp_pair(struct lab_run *r, int lfd, const struct addr *srv, int fd[2]);

/*
 * A counter of /proc/net/snmp or /proc/net/netstat (file), as netstat -s
 * reads them: the value under field in the line pair that starts with
 * prefix ("Tcp:", "TcpExt:", "Udp:"). -1 if there is none.
 */
long long lab_proc_counter(const char *file, const char *prefix, const char *field);

/*
 * --timeline and --svg (moment.c): a lab draws its key moment, not its
 * set-up. lab_timeline_begin before the moment's first call: from then
 * on the calls are recorded and, with CAP_NET_RAW, the packets to and
 * from the TCP port at a (its listener's, or one nobody listens on) on
 * lo; without it the calls are drawn and the head says why. peer heads
 * the right column ("the server end"). lab_timeline_unix: the same for
 * an AF_UNIX pair (messages: dgram, seqpacket): no wire, the kernel's
 * copies drawn. Without --timeline/--svg both do nothing.
 */
void lab_timeline_begin(struct lab_run *r, const struct addr *a, const char *peer);
void lab_timeline_unix(struct lab_run *r, bool messages, const char *peer);
/*
 * fd is the server end's: its calls are drawn in the peer column (until
 * its close()). The listener's too, for its accept(). Returns fd.
 */
int lab_timeline_peer(struct lab_run *r, int fd);
/*
 * The key moment is over: the last packets, then the timeline's end
 * (and --svg's file). The framework calls it after the lab too, if the
 * lab did not (a failure in the middle of the moment).
 */
void lab_timeline_end(struct lab_run *r);

/* The labs, in the order lab lists them (labs.h). */
#define LAB(id) extern const struct lab lab_##id;
#include "labs.h"
#undef LAB

#endif
