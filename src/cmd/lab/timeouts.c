/* \summary: lab timeouts: settimeout's meanings: connect (black hole vs refused), recv, send, and none */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "../../core/priv.h"

#define CONNECT_MS 500		/* the connect timeout, as settimeout(0.5) */
#define IO_MS 200		/* SO_RCVTIMEO, SO_SNDTIMEO */
#define BLOCK_MS 300		/* how long the no-timeout recv is watched */
#define CHUNK 65536
#define SRV_IP "192.0.2.2"	/* TEST-NET-1, only inside the lab's namespaces */
#define CLI_IP "192.0.2.1"
#define DROP_PORT 9		/* SYNs to it dropped by nft in the server namespace */
#define CLOSED_PORT 7		/* nobody listens: the server namespace answers RST */

enum { F_CLI, F_SRV, F_SND, F_SNDPEER, F_BLK, F_BLKPEER, F_NFDS };

/*
 * The run's connections (the lab's: closed after it), and the namespaces
 * run() must undo after it returned: not on its stack.
 */
static struct {
	struct sockx *sx;
	int fd[F_NFDS];
	char ns[2][48];
	bool made[2];
} u = { NULL, { -1, -1, -1, -1, -1, -1 }, { "", "" }, { false, false } };

/*
 * Runs argv (ip, nft, sockx) within ms, its stdout into out (NUL-ended,
 * or dropped when out is NULL), stderr dropped; its exit status, or -1.
 */
static int run_cmd(const char *const argv[], int ms, char *out, size_t outlen)
{
	double end = now_mono() + ms / 1000.0;
	int st = -1, fd, p[2];
	size_t got = 0;
	ssize_t k;
	pid_t pid, w;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 2);
		}
		dup2(p[1], 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	fd_nonblock(p[0], true);
	for (;;) {
		char buf[512];

		while ((k = read(p[0], buf, sizeof(buf))) > 0)
			if (out && got + 1 < outlen) {
				size_t n = (size_t)k < outlen - 1 - got ? (size_t)k : outlen - 1 - got;

				memcpy(out + got, buf, n);
				got += n;
			}
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			st = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			break;
		}
		if ((w < 0 && errno != EINTR) || now_mono() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			st = -1;
			break;
		}
		usleep(2000);
	}
	while (out && got + 1 < outlen && (k = read(p[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)k;
	if (out)
		out[got] = '\0';
	close(p[0]);
	if (u.sx)
		sock_trace(u.sx, 1, "exec", st, 0, "%s %s %s %s ...", argv[0],
			   argv[1] ? argv[1] : "", argv[1] && argv[2] ? argv[2] : "",
			   argv[1] && argv[2] && argv[3] ? argv[3] : "");
	return st;
}

static void del_netns(void *arg)
{
	int i = (int)(intptr_t)arg;
	const char *argv[] = { "ip", "netns", "del", u.ns[i], NULL };

	if (u.made[i])
		run_cmd(argv, 3000, NULL, 0);
	u.made[i] = false;
}

/*
 * Two namespaces, client and server, joined by a veth pair; in the
 * server's, nft drops SYNs to DROP_PORT. NULL, or what failed.
 */
static const char *make_netns(struct lab_run *r)
{
	static const char rules[] =
		"add table inet sockxlab; "
		"add chain inet sockxlab in { type filter hook input priority 0; }; "
		"add rule inet sockxlab in tcp dport 9 tcp flags syn drop";
	const char *c = u.ns[0], *s = u.ns[1];
	const char *const steps[][12] = {
		{ "ip", "-n", c, "link", "add", "vc", "type", "veth", "peer", "name", "vs", NULL },
		{ "ip", "-n", c, "link", "set", "vs", "netns", s, NULL },
		{ "ip", "-n", c, "addr", "add", CLI_IP "/24", "dev", "vc", NULL },
		{ "ip", "-n", s, "addr", "add", SRV_IP "/24", "dev", "vs", NULL },
		{ "ip", "-n", c, "link", "set", "vc", "up", NULL },
		{ "ip", "-n", s, "link", "set", "vs", "up", NULL },
		{ "ip", "netns", "exec", s, "nft", rules, NULL },
	};
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		const char *add[] = { "ip", "netns", "add", u.ns[k], NULL };

		snprintf(u.ns[k], sizeof(u.ns[k]), "sockx-timeouts-%ld-%s", (long)getpid(),
			 k ? "srv" : "cli");
		if (!lab_defer(r, del_netns, (void *)(intptr_t)k))
			return "too many things to undo";
		/*
		 * Undone even if add seems to fail: a signal cuts its bound
		 * short, and ip may be killed after it made the namespace.
		 */
		u.made[k] = true;
		if (run_cmd(add, lab_ms_left(r, 3000), NULL, 0) != 0)
			return "ip netns add";
	}
	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (lab_expired(r) || run_cmd(steps[i], lab_ms_left(r, 3000), NULL, 0) != 0)
			return i + 1 == ARRAY_SIZE(steps) ? "nft (the SYN drop rule)" : "ip (veth set-up)";
	return NULL;
}

/*
 * In the client namespace, `sockx --json tcp-client --connect-timeout 0.5`
 * to SRV_IP:port: what its connect() ended with (the error message) and
 * when, on the child's own clock (its error event's "t"), in *ms. False
 * if it could not run or said nothing.
 */
static bool ns_connect(struct lab_run *r, int port, char *msg, size_t len, double *ms)
{
	char exe[512], portstr[16], out[4096], *e, *m, *t;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	snprintf(portstr, sizeof(portstr), "%d", port);
	{
		const char *argv[] = { "ip", "netns", "exec", u.ns[0], exe, "--json",
				       "tcp-client", "--connect-timeout", "0.5", SRV_IP,
				       portstr, "-m", "x", NULL };

		run_cmd(argv, lab_ms_left(r, 5000), out, sizeof(out));
	}
	e = strstr(out, "{\"event\":\"error\"");
	if (!e)
		return false;
	t = strstr(e, "\"t\":");
	m = strstr(e, "\"message\":\"");
	if (!t || !m)
		return false;
	*ms = strtod(t + 4, NULL) * 1000.0;
	m += strlen("\"message\":\"");
	for (i = 0; i + 1 < len && m[i] && m[i] != '"'; i++)
		msg[i] = m[i];
	msg[i] = '\0';
	return true;
}

/* recv() with SO_RCVTIMEO IO_MS on a connection whose peer sends nothing. */
static int recv_timeout(struct lab_run *r, int fd, double *ms)
{
	int err, ms_max = lab_ms_left(r, IO_MS);
	char c;
	double t;

	*ms = 0;
	if (ms_max == 0)	/* 0 would mean no timeout at all */
		return ETIME;
	if (sock_set_timeout(r->sx, fd, SO_RCVTIMEO, ms_max) < 0)
		return errno;
	t = now_mono();
	err = sock_recv(r->sx, fd, &c, 1, 0) < 0 ? errno : 0;
	*ms = (now_mono() - t) * 1000.0;
	return err;
}

/*
 * Blocking send()s of CHUNK bytes with SO_SNDTIMEO IO_MS to a peer that
 * reads nothing, until one comes back short or with EAGAIN: that call's
 * result (*got: bytes, or -1) and duration, the bytes queued before it.
 */
static int send_timeout(struct lab_run *r, int fd, ssize_t *got, double *ms,
			long long *queued)
{
	static char buf[CHUNK];
	double t;
	int i, err = 0;

	*queued = 0;
	*got = 0;
	*ms = 0;
	sock_setopt(r->sx, fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", 16384);
	for (i = 0; i < 400 && !lab_expired(r); i++) {
		int ms_max = lab_ms_left(r, IO_MS);

		if (ms_max == 0)	/* 0 would mean no timeout at all */
			break;
		if (sock_set_timeout(r->sx, fd, SO_SNDTIMEO, ms_max) < 0)
			return errno;
		t = now_mono();
		*got = sock_send(r->sx, fd, buf, sizeof(buf), MSG_NOSIGNAL);
		err = *got < 0 ? errno : 0;
		*ms = (now_mono() - t) * 1000.0;
		if (*got < (ssize_t)sizeof(buf))
			return err;
		*queued += *got;
	}
	return ETIME;	/* never filled: say so */
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * recv() with no timeout at all, watched for BLOCK_MS: a SIGALRM (no
 * SA_RESTART) interrupts it if it is still blocked then. Its errno and
 * how long it was blocked.
 */
static int recv_forever(struct lab_run *r, int fd, double *ms, long *rcvtimeo_ms)
{
	struct sigaction sa, old;
	struct itimerval it, none;
	struct timeval tv;
	socklen_t tl = sizeof(tv);
	char c;
	double t;
	int err;

	*rcvtimeo_ms = -1;
	*ms = 0;
	if (lab_ms_left(r, BLOCK_MS) < BLOCK_MS)	/* never block past the bound */
		return ETIME;
	if (sock_getopt_buf(r->sx, fd, SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO", &tv, &tl) == 0)
		*rcvtimeo_ms = tv.tv_sec * 1000L + tv.tv_usec / 1000;
	memset(&sa, 0, sizeof(sa));
	memset(&it, 0, sizeof(it));
	memset(&none, 0, sizeof(none));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the recv returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) < 0)
		return errno;
	it.it_value.tv_sec = BLOCK_MS / 1000;
	it.it_value.tv_usec = (BLOCK_MS % 1000) * 1000;
	t = now_mono();
	setitimer(ITIMER_REAL, &it, NULL);
	err = sock_recv(r->sx, fd, &c, 1, 0) < 0 ? errno : 0;
	*ms = (now_mono() - t) * 1000.0;
	setitimer(ITIMER_REAL, &none, NULL);
	sigaction(SIGALRM, &old, NULL);
	return err;
}

static const char *ename(int err)
{
	return err ? strerrorname_np(err) : "no error";
}

/* What the connect part saw: in namespaces of its own, as root only. */
struct conn_part {
	char why[160];		/* why it did not run, or "" */
	char msg_drop[160], msg_ref[160];
	double ms_drop, ms_ref;
	bool ran, ok;
};

/* 1. connect: the black hole and the refusal, in namespaces of our own. */
static void connect_part(struct lab_run *r, struct conn_part *c)
{
	char *why_ns, *msg_drop, *msg_ref;
	const char *failed;

	*c = (struct conn_part){ .ms_drop = NAN, .ms_ref = NAN };
	why_ns = c->why;
	msg_drop = c->msg_drop;
	msg_ref = c->msg_ref;
	if (geteuid() != 0) {
		snprintf(why_ns, sizeof(c->why), "the connect part needs root "
			 "(CAP_NET_ADMIN, CAP_SYS_ADMIN: ip netns, veth, nft): skipped");
	} else if ((failed = make_netns(r)) != NULL) {
		snprintf(why_ns, sizeof(c->why), "the connect part could not set up its "
			 "namespaces (%s failed%s): skipped", failed,
			 lab_expired(r) ? (sig_stopped() ? ", stopped" : ", bound reached") : "");
	} else if (!ns_connect(r, DROP_PORT, msg_drop, sizeof(c->msg_drop), &c->ms_drop) ||
		   !ns_connect(r, CLOSED_PORT, msg_ref, sizeof(c->msg_ref), &c->ms_ref)) {
		snprintf(why_ns, sizeof(c->why), "the connect part ran, but "
			 "tcp-client in the namespace said nothing");
	} else {
		c->ran = true;
		lab_observe(r, "connect(), timeout 0.5 s, to a port whose SYNs are dropped",
			    c->ms_drop, "ms", "sockx tcp-client --connect-timeout 0.5 in namespace 1",
			    "\"%s\" after %.1f", msg_drop, c->ms_drop);
		lab_observe(r, "connect(), timeout 0.5 s, to a port nobody listens on",
			    c->ms_ref, "ms", "the same, to port 7 of the same peer",
			    "\"%s\" after %.1f", msg_ref, c->ms_ref);
		c->ok = strstr(msg_drop, "timed out") && c->ms_drop >= 450 && c->ms_drop < 1500 &&
			strstr(msg_ref, "refused") && c->ms_ref < 100;
	}
	if (why_ns[0])
		lab_observe(r, "connect() to a black hole", NAN, NULL, NULL, "%s", why_ns);
}

static int run(struct lab_run *r)
{
	double ms_rcv = 0, ms_snd = 0, ms_blk = 0;
	bool rcv_ok, snd_ok, blk_ok;
	int lfd, rc, e_rcv, e_snd, e_blk;
	struct conn_part cp;
	char queued_note[64];
	long long queued;
	long rcvtimeo;
	ssize_t got;
	struct addr srv;

	u.sx = r->sx;
	connect_part(r, &cp);
	/* 2-4. on loopback: recv and send with timeouts, recv without */
	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 4, &srv);
	if (lfd < 0)
		return r->exit;
	sock_setopt(r->sx, lfd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", 16384);
	if ((rc = lab_tcp_pair(r, lfd, &srv, &u.fd[F_CLI])) != EXIT_OK ||
	    (rc = lab_tcp_pair(r, lfd, &srv, &u.fd[F_SND])) != EXIT_OK ||
	    (rc = lab_tcp_pair(r, lfd, &srv, &u.fd[F_BLK])) != EXIT_OK)
		return rc;
	if (lab_expired(r))
		return lab_cannot(r, EXIT_FAIL, "%s before the loopback parts",
				  sig_stopped() ? "stopped" : "the bound passed");
	e_rcv = recv_timeout(r, u.fd[F_CLI], &ms_rcv);
	lab_observe(r, "recv() with SO_RCVTIMEO 200 ms, the peer silent", ms_rcv, "ms",
		    NULL, "%s after %.1f", ename(e_rcv), ms_rcv);
	e_snd = send_timeout(r, u.fd[F_SND], &got, &ms_snd, &queued);
	snprintf(queued_note, sizeof(queued_note), "%lld bytes queued by earlier sends", queued);
	lab_observe(r, "send() of 65536 bytes with SO_SNDTIMEO 200 ms, the peer not reading",
		    ms_snd, "ms", queued_note, "%s%zd bytes sent, after %.1f",
		    got < 0 ? ename(e_snd) : "", got < 0 ? (ssize_t)0 : got, ms_snd);
	e_blk = recv_forever(r, u.fd[F_BLK], &ms_blk, &rcvtimeo);
	lab_observe(r, "SO_RCVTIMEO of a socket given no timeout, read back",
		    (double)rcvtimeo, "ms", "0: none, block forever", "%ld", rcvtimeo);
	lab_observe(r, "the same recv(), interrupted by a timer signal", ms_blk, "ms",
		    "still blocked until the signal", "%s after %.1f", ename(e_blk), ms_blk);
	if (sig_stopped())
		return lab_cannot(r, EXIT_FAIL, "stopped by a signal");

	rcv_ok = (e_rcv == EAGAIN || e_rcv == EWOULDBLOCK) && ms_rcv >= IO_MS * 0.9 &&
		 ms_rcv < IO_MS * 5;
	snd_ok = (got >= 0 ? got < CHUNK : (e_snd == EAGAIN || e_snd == EWOULDBLOCK)) &&
		 e_snd != ETIME && ms_snd >= IO_MS * 0.9 && ms_snd < IO_MS * 5;
	blk_ok = e_blk == EINTR && ms_blk >= BLOCK_MS * 0.9 && rcvtimeo == 0;
	if (!rcv_ok || !snd_ok || !blk_ok || (cp.ran && !cp.ok))
		return lab_verdict(r, LAB_DOES_NOT_HOLD, "%s%s%s%s",
				   !rcv_ok ? "recv with SO_RCVTIMEO did not give EAGAIN after ~200 ms; " : "",
				   !snd_ok ? "send with SO_SNDTIMEO did not stop short after ~200 ms; " : "",
				   !blk_ok ? "recv without a timeout did not stay blocked; " : "",
				   cp.ran && !cp.ok ? "connect: the black hole did not time out "
				   "at 0.5 s or the closed port was not refused at once" : "");
	if (!cp.ran)
		return lab_verdict(r, LAB_DEPENDS, "recv: %s after %.0f ms, send: %zd bytes "
				   "after %.0f ms, no timeout: still blocked after %.0f ms; %s",
				   ename(e_rcv), ms_rcv, got, ms_snd, ms_blk, cp.why);
	return lab_verdict(r, LAB_HOLDS, "connect: timed out after %.0f ms (black hole) vs "
			   "refused after %.1f ms; recv: %s after %.0f ms; send: %zd of %d "
			   "bytes after %.0f ms; no timeout: still blocked after %.0f ms",
			   cp.ms_drop, cp.ms_ref, ename(e_rcv), ms_rcv, got, CHUNK, ms_snd, ms_blk);
}

const struct lab lab_timeouts = {
	"timeouts",
	"a timeout (Python's settimeout) means three things: connect() to a black "
	"hole gives up after it (a refused port fails at once), recv() and send() "
	"return after it; without one they block forever",
	"two namespaces joined by veth, nft dropping SYNs to one port: connect with "
	"0.5 s to it and to a closed port; on loopback, recv with SO_RCVTIMEO, send "
	"to a full buffer with SO_SNDTIMEO, and recv with none, watched for 300 ms",
	run,
	NULL,	/* no --timeline */
};
