/*
 * \summary: the tour's child processes: a command of the table run after
 * fork(), its output collected through pipes, its exit awaited with a
 * deadline (pidfd and poll), and nothing left behind
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tour.h"
#include "../../core/priv.h"

#define MAX_CHILDREN 4

/* Runs in the child: never returns. */
static void __attribute__((noreturn))
child_main(const struct cmd *cmd, char **argv, int out, int err, pid_t parent,
	   double t0)
{
	struct sockx sx = { .cmd = cmd->name, .color = COLOR_NEVER, .t0 = t0 };
	sigset_t none;
	int argc = 0, rc, nul;

	/* Dies with the tour, even if the tour is killed (SIGKILL). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_FAIL);
	nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || dup2(nul, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(EXIT_FAIL);
	/*
	 * Nothing of the tour's may leak into the command: not the read
	 * ends of the other child's pipes, not a pidfd. With a stray copy
	 * of a write end, a pipe would never reach end of file.
	 */
	close_range(3, ~0U, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* As main() does: a command without CMD_RAW keeps no raw privilege. */
	priv_init(cmd->flags & CMD_RAW);
	while (argv[argc])
		argc++;
	rc = cmd->fn(&sx, argc, argv);
	fflush(stdout);
	fflush(stderr);
	_exit(rc == OPT_HELP ? EXIT_OK : rc);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int tour_child_start(struct tour_child *ch, const struct cmd *cmd, char **argv)
{
	int o[2] = { -1, -1 }, e[2] = { -1, -1 }, err;
	pid_t parent = getpid();

	memset(ch, 0, sizeof(*ch));
	ch->pid = -1;
	ch->pidfd = ch->out = ch->err = -1;
	if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)
		goto fail;
	fflush(stdout);		/* or the child would write our buffer again */
	fflush(stderr);
	/*
	 * The child's clock starts here, and the tour knows when: a time in
	 * its events ("t", a call's "t_enter") is ch->t0 + t on the tour's
	 * CLOCK_MONOTONIC, which puts both children on one time axis.
	 */
	ch->t0 = now_mono();
	ch->pid = fork();
	if (ch->pid < 0)
		goto fail;
	if (ch->pid == 0)
		child_main(cmd, argv, o[1], e[1], parent, ch->t0);
	close_fd(&o[1]);
	close_fd(&e[1]);
	ch->out = o[0];
	ch->err = e[0];
	fcntl(ch->out, F_SETFL, O_NONBLOCK);
	fcntl(ch->err, F_SETFL, O_NONBLOCK);
	/*
	 * A pidfd turns "has it exited?" into one more descriptor for
	 * poll(): output and exit are awaited together, with the deadline as
	 * the poll timeout; no SIGCHLD handler, no sleeping loop. Without
	 * pidfds (Linux < 5.3) the pump looks at waitpid() every 10 ms.
	 */
	ch->pidfd = (int)syscall(SYS_pidfd_open, ch->pid, 0);
	return 0;
fail:
	err = errno;
	close_fd(&o[0]);
	close_fd(&o[1]);
	close_fd(&e[0]);
	close_fd(&e[1]);
	errno = err;
	return -1;
}

/*
 * Appends n bytes to b, up to CHILD_BUF_MAX; keeps b NUL-terminated. A
 * child that writes without end still gets its pipe drained (so it never
 * blocks on a full pipe), but what it writes past the bound is dropped.
 */
static void buf_add(struct tour_buf *b, const char *p, size_t n)
{
	size_t want;
	char *q;

	if (b->len + n > CHILD_BUF_MAX) {
		b->full = true;
		n = CHILD_BUF_MAX - b->len;
	}
	want = b->len + n + 1;
	if (want > b->cap) {
		want = want < 4096 ? 4096 : want * 2;
		q = realloc(b->p, want);
		if (!q) {
			b->full = true;
			return;
		}
		b->p = q;
		b->cap = want;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Reads what fd has now into b; closes it at end of file. */
static void drain(int *fd, struct tour_buf *b)
{
	char tmp[8192];
	ssize_t n;

	for (;;) {
		n = read(*fd, tmp, sizeof(tmp));
		if (n > 0) {
			buf_add(b, tmp, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			close_fd(fd);
		return;
	}
}

/* Collects ch's exit status if it has exited; flags 0 waits for it. */
static void reap(struct tour_child *ch, int flags)
{
	int st;
	pid_t r;

	if (ch->pid < 0 || ch->exited)
		return;
	do {
		r = waitpid(ch->pid, &st, flags);
	} while (r < 0 && errno == EINTR);
	if (r == ch->pid || (r < 0 && errno == ECHILD)) {
		ch->exited = true;
		ch->status = r == ch->pid ? st : 0;
		close_fd(&ch->pidfd);
	}
}

/* Adds ch's open descriptors to p; returns how many. */
static int add_fds(struct tour_child *ch, struct pollfd *p)
{
	int n = 0;

	if (ch->out >= 0)
		p[n++] = (struct pollfd){ .fd = ch->out, .events = POLLIN };
	if (ch->err >= 0)
		p[n++] = (struct pollfd){ .fd = ch->err, .events = POLLIN };
	if (!ch->exited && ch->pidfd >= 0)
		p[n++] = (struct pollfd){ .fd = ch->pidfd, .events = POLLIN };
	return n;
}

/* One poll over every child, then reads and reaps what is ready. */
static void pump_once(struct tour_child *const *chs, int n, int timeout_ms)
{
	struct pollfd p[3 * MAX_CHILDREN];
	int i, np = 0;

	for (i = 0; i < n && i < MAX_CHILDREN; i++) {
		np += add_fds(chs[i], p + np);
		if (!chs[i]->exited && chs[i]->pidfd < 0 && timeout_ms > 10)
			timeout_ms = 10;	/* no pidfd: look again soon */
	}
	if (poll(p, (nfds_t)np, timeout_ms) < 0 && errno != EINTR)
		return;
	for (i = 0; i < n && i < MAX_CHILDREN; i++) {
		if (chs[i]->out >= 0)
			drain(&chs[i]->out, &chs[i]->obuf);
		if (chs[i]->err >= 0)
			drain(&chs[i]->err, &chs[i]->ebuf);
		reap(chs[i], WNOHANG);
	}
}

bool tour_child_pump(struct tour_child *const *chs, int n, double deadline,
		bool (*done)(void *ctx), void *ctx)
{
	double left;

	for (;;) {
		if (done(ctx))
			return true;
		left = deadline - now_mono();
		if (left <= 0)
			return false;
		pump_once(chs, n, (int)(left * 1000.0) + 1);
	}
}

bool tour_child_finished(void *p)
{
	const struct tour_child *ch = p;

	return ch->pid < 0 || (ch->exited && ch->out < 0 && ch->err < 0);
}

static bool child_exited(void *p)
{
	return ((struct tour_child *)p)->exited;
}

void tour_child_stop(struct tour_child *ch, double grace_s)
{
	struct tour_child *one[1] = { ch };

	if (ch->pid < 0)
		return;
	if (!ch->exited) {
		kill(ch->pid, SIGTERM);
		ch->signalled = true;
		tour_child_pump(one, 1, now_mono() + grace_s, child_exited, ch);
	}
	if (!ch->exited) {
		kill(ch->pid, SIGKILL);
		reap(ch, 0);
	}
	/* Its pipes: whatever it wrote before it went (bounded by EOF). */
	tour_child_pump(one, 1, now_mono() + 0.5, tour_child_finished, ch);
}

void tour_child_free(struct tour_child *ch)
{
	tour_child_stop(ch, 1.0);
	close_fd(&ch->out);
	close_fd(&ch->err);
	close_fd(&ch->pidfd);
	free(ch->obuf.p);
	free(ch->ebuf.p);
	memset(&ch->obuf, 0, sizeof(ch->obuf));
	memset(&ch->ebuf, 0, sizeof(ch->ebuf));
	ch->pid = -1;
}

bool tour_buf_lines(const struct tour_buf *b, bool (*fn)(const char *line, void *ctx),
	       void *ctx)
{
	const char *p = b->p, *end = b->p + b->len, *nl;
	char *line;
	bool stop = false;
	size_t n;

	while (p && p < end && !stop) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line = malloc(n + 1);
		if (!line)
			return false;
		memcpy(line, p, n);
		line[n] = '\0';
		stop = fn(line, ctx);
		free(line);
		p += n + 1;
	}
	return stop;
}
