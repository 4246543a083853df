/* \summary: the one way sockx takes SIGINT, SIGTERM and SIGHUP: a flag the loops poll */
#ifndef SOCKX_SIG_H
#define SOCKX_SIG_H

/*
 * From sig_catch_stop() on, SIGINT, SIGTERM and SIGHUP set a flag (the
 * signal's number, sig_stopped()) and make sig_fd() (an eventfd) readable; nothing
 * else happens in the handler. A blocking call returns EINTR (no
 * SA_RESTART); a poll() loop polls sig_fd() too, so a signal between its
 * check and its poll() is not lost. Summaries print from the loop, after
 * it saw the flag, never from a handler. A second signal of the same kind
 * ends the process as it would have before (the earlier handler is back).
 * Returns 0, or -1 with errno if the eventfd could not be made.
 */
int sig_catch_stop(void);

/* The stopping signal's number, or 0. */
int sig_stopped(void);

/* Readable once a stopping signal came (-1 before sig_catch_stop()). */
int sig_fd(void);

#endif
