/* \summary: SIGINT, SIGTERM and SIGHUP as a flag and a readable eventfd */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../sockx.h"
#include "sig.h"

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction old_sa[ARRAY_SIZE(stop_sigs)];
static volatile sig_atomic_t stop_signal;
static int event_fd = -1;	/* one descriptor, as a signalfd was */

/* The flag, the eventfd made readable, and the earlier handler back. */
static void on_signal(int sig)
{
	int saved = errno;
	uint64_t one = 1;
	size_t i;

	stop_signal = sig;
	if (event_fd >= 0 && write(event_fd, &one, sizeof(one)) < 0) {
		/* at its maximum: it is readable already */
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

	if (event_fd >= 0)
		return 0;
	event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (event_fd < 0)
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
	return event_fd;
}
