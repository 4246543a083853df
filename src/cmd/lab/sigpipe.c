/* \summary: lab sigpipe: writing to a reset connection kills by SIGPIPE, unless MSG_NOSIGNAL or SIG_IGN */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#define TRIES 3		/* send()s the writer makes */

enum way { W_DEFAULT, W_NOSIGNAL, W_IGNORE, W_COUNT };

static const char *const way_name[W_COUNT] = {
	[W_DEFAULT] = "SIGPIPE at its default, plain send()",
	[W_NOSIGNAL] = "SIGPIPE at its default, send(MSG_NOSIGNAL)",
	[W_IGNORE] = "SIGPIPE ignored (SIG_IGN), plain send()",
};

/* The writer to kill and reap after the lab (static: run()'s frame is gone by then). */
static pid_t child = -1;

static void kill_child(void *arg)
{
	(void)arg;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	child = -1;
}

/* One writer's story. */
struct writer {
	int calls;			/* send()s that returned */
	int err[TRIES];			/* their errno (0: sent) */
	bool exited, signaled;
	int code;			/* exit status or signal number */
};

/* In the child: TRIES send()s, each result written to the pipe; never returns. */
static void __attribute__((noreturn)) write_on(int fd, int out, enum way w)
{
	struct sigaction sa;
	sigset_t set;
	int i, e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = w == W_IGNORE ? SIG_IGN : SIG_DFL;	/* sockx ignores it in main */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (i = 0; i < TRIES; i++) {
		e = send(fd, "x", 1, w == W_NOSIGNAL ? MSG_NOSIGNAL : 0) < 0 ? errno : 0;
		if (write(out, &e, sizeof(e)) != (ssize_t)sizeof(e))
			_exit(1);
	}
	_exit(0);
}

/* A connection the server end reset (SO_LINGER 0, close), seen by the client. */
static int reset_conn(struct lab_run *r, int lfd, const struct addr *srv, int **cli)
{
	struct linger lg = { 1, 0 };
	struct tcp_info ti;
	socklen_t len;
	struct addr from;
	int *peer, i;

	*cli = lab_own(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!*cli || sock_connect(r->sx, **cli, srv) < 0)
		return lab_cannot(r, EXIT_FAIL, "connect: %s", strerror(errno));
	peer = lab_own(r, sock_accept(r->sx, lfd, &from, SOCK_CLOEXEC));
	if (!peer)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	if (sock_setopt_buf(r->sx, *peer, SOL_SOCKET, SO_LINGER, "SO_LINGER", &lg, sizeof(lg)) < 0)
		return lab_cannot(r, EXIT_FAIL, "SO_LINGER: %s", strerror(errno));
	sock_close(r->sx, *peer);
	*peer = -1;
	for (i = 0; i < 100 && !lab_expired(r); i++) {	/* until the RST has arrived */
		len = sizeof(ti);
		if (getsockopt(**cli, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
		    ti.tcpi_state == TCP_CLOSE)
			return EXIT_OK;
		io_wait_in(**cli, 10);
	}
	return lab_cannot(r, EXIT_FAIL, "the client did not see the RST in time");
}

static int writer(struct lab_run *r, int fd, enum way w, struct writer *o)
{
	int p[2], st = 0, i, e, *wr;
	pid_t done = 0;

	if (pipe2(p, O_CLOEXEC) < 0 || !lab_own(r, p[0]) || !(wr = lab_own(r, p[1])))
		return lab_cannot(r, EXIT_FAIL, "pipe: %s", strerror(errno));
	fflush(NULL);
	child = fork();
	if (child < 0)
		return lab_cannot(r, EXIT_FAIL, "fork: %s", strerror(errno));
	if (child == 0)
		write_on(fd, p[1], w);
	lab_close_fd(wr);	/* the child's end */
	for (i = 0; i < 600 && done == 0 && !lab_expired(r); i++) {	/* 3 s at most */
		done = waitpid(child, &st, WNOHANG);
		if (done == 0)
			io_wait_in(-1, 5);	/* a 5 ms pause: poll() ignores fd -1 */
	}
	if (done != child)
		return lab_cannot(r, EXIT_FAIL, "the writer did not end in time%s",
				  sig_stopped() ? " (a signal came)" : "");
	child = -1;
	while (o->calls < TRIES && read(p[0], &e, sizeof(e)) == (ssize_t)sizeof(e))
		o->err[o->calls++] = e;
	o->exited = WIFEXITED(st);
	o->signaled = WIFSIGNALED(st);
	o->code = o->exited ? WEXITSTATUS(st) : o->signaled ? WTERMSIG(st) : -1;
	return EXIT_OK;
}

static void report(struct lab_run *r, enum way w, const struct writer *o)
{
	char text[200];
	size_t n = 0;
	int i;

	for (i = 0; i < o->calls; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "send() %d: %s; ", i + 1,
				      o->err[i] ? strerrorname_np(o->err[i]) : "sent");
	if (o->signaled)
		snprintf(text + n, sizeof(text) - n, "send() %d: killed by signal %d (%s)",
			 o->calls + 1, o->code, sigabbrev_np(o->code));
	else
		snprintf(text + n, sizeof(text) - n, "exited %d", o->code);
	lab_observe(r, way_name[w], o->signaled ? o->code : NAN, NULL, NULL, "%s", text);
}

/* The writer ended by the EPIPE of a send() after the first, not killed. */
static bool got_epipe(const struct writer *o)
{
	int i;

	for (i = 1; i < o->calls; i++)
		if (o->err[i] == EPIPE)
			return !o->signaled;
	return false;
}

static int run(struct lab_run *r)
{
	struct writer wr[W_COUNT];
	struct addr srv;
	int lfd, rc, *cli, w;

	child = -1;
	memset(wr, 0, sizeof(wr));
	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	if (!lab_defer(r, kill_child, NULL))
		return lab_cannot(r, EXIT_FAIL, "too many things to undo");
	for (w = 0; w < W_COUNT; w++) {
		rc = reset_conn(r, lfd, &srv, &cli);
		if (rc == EXIT_OK)
			rc = writer(r, *cli, (enum way)w, &wr[w]);
		if (rc != EXIT_OK)
			return rc;
		report(r, (enum way)w, &wr[w]);
		lab_close_fd(cli);
	}
	if (wr[W_DEFAULT].signaled && wr[W_DEFAULT].code == SIGPIPE &&
	    got_epipe(&wr[W_NOSIGNAL]) && got_epipe(&wr[W_IGNORE]))
		return lab_verdict(r, LAB_HOLDS, "the plain writer was killed by signal %d (SIGPIPE) "
				   "at send() %d (the first returned %s); with MSG_NOSIGNAL and with "
				   "SIG_IGN the same send() returned EPIPE and the writer lived",
				   wr[W_DEFAULT].code, wr[W_DEFAULT].calls + 1,
				   wr[W_DEFAULT].calls ? strerrorname_np(wr[W_DEFAULT].err[0]) : "-");
	return lab_verdict(r, LAB_DOES_NOT_HOLD, "plain writer: %s %d; MSG_NOSIGNAL: %s; SIG_IGN: %s",
			   wr[W_DEFAULT].signaled ? "killed by signal" : "exited", wr[W_DEFAULT].code,
			   got_epipe(&wr[W_NOSIGNAL]) ? "EPIPE" : "no EPIPE",
			   got_epipe(&wr[W_IGNORE]) ? "EPIPE" : "no EPIPE");
}

const struct lab lab_sigpipe = {
	"sigpipe",
	"writing to a connection the peer has reset kills the program with SIGPIPE, "
	"unless it sends with MSG_NOSIGNAL or ignores SIGPIPE: then send() fails with EPIPE",
	"three loopback connections, each reset by its server (SO_LINGER 0, close); a "
	"forked writer (SIGPIPE restored to default, or ignored) send()s on each up to 3 "
	"times, plain or with MSG_NOSIGNAL; how it ended, from waitpid()",
	run,
	NULL,	/* no --timeline */
};
