/* \summary: SIGINT, SIGTERM and SIGHUP as a flag and a readable pipe */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "../sockx.h"
#include "sig.h"

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction old_sa[ARRAY_SIZE(stop_sigs)];
static volatile sig_atomic_t stop_signal;
static int pipe_fds[2] = { -1, -1 };

/* The flag, a byte in the pipe, and the earlier handler back for the next. */
static void on_signal(int sig)
{
	int saved = errno;
	size_t i;

	stop_signal = sig;
	if (pipe_fds[1] >= 0 && write(pipe_fds[1], "", 1) < 0) {
		/* full: it is readable already */
	}
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		if (stop_sigs[i] == sig)
			sigaction(sig, &old_sa[i], NULL);
	errno = saved;
}

int sig_catch_stop(void)
{
	struct sigaction sa;
	size_t i;

	if (pipe_fds[0] >= 0)
		return 0;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: a blocking call returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaddset(&sa.sa_mask, stop_sigs[i]);
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaction(stop_sigs[i], &sa, &old_sa[i]);
	return 0;
}

int sig_stopped(void)
{
	return stop_signal;
}

int sig_fd(void)
{
	return pipe_fds[0];
}
