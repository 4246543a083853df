/* \summary: errors, warnings, hints and -v notes: the events every command emits by a printf-like call */
#ifndef SOCKX_OUT_H
#define SOCKX_OUT_H

#include <stdio.h>

#include "../sockx.h"
#include "text.h"

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* A "note" event of the -v trace (level 1 or 2): stderr, or JSON under --json. */
void trace(struct sockx *sx, int level, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* A warning that does not end the command: "sockx: CMD: ..." on stderr. */
void warn_msg(struct sockx *sx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Reports a failure: "sockx: CMD: MESSAGE" on stderr (and an "error" event
 * under --json). Returns code, so commands can `return fail(...)`.
 */
int fail(struct sockx *sx, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);

/*
 * Like fail(), appending ": strerror(errno)" and choosing the exit code from
 * errno: 5 for a family/type/protocol the kernel lacks, 1 otherwise.
 */
int fail_errno(struct sockx *sx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* As fail_errno() for opening a socket or capture: EPERM/EACCES give 4. */
int fail_open(struct sockx *sx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The exit code that errno err means (opening: EPERM/EACCES are privilege). */
int errno_exit(int err, bool opening);

/* A "hint: ..." line on stderr, after a failure. */
void hint(struct sockx *sx, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
