/* \summary: what sockx prints: human lines, JSON events, errors, hints */
#ifndef SOCKX_OUT_H
#define SOCKX_OUT_H

#include <stdio.h>

#include "../sockx.h"
#include "text.h"

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* A human line on stdout (nothing under -q or --json); flushed. */
void say(struct sockx *sx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* A trace line on stderr when -v is at least level. */
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

/*
 * JSON events, one object per line on stdout:
 *   ev_begin(sx, "sent"); ev_int(sx, "bytes", n); ev_end(sx);
 * ev_begin writes "event" and "t"; strings are escaped (control characters
 * as \u00XX, invalid UTF-8 as U+FFFD). The line is written whole.
 */
void ev_begin(struct sockx *sx, const char *event);
void ev_str(struct sockx *sx, const char *key, const char *val);
void ev_strn(struct sockx *sx, const char *key, const void *p, size_t n);
void ev_int(struct sockx *sx, const char *key, long long v);
void ev_num(struct sockx *sx, const char *key, double v);
void ev_bool(struct sockx *sx, const char *key, bool v);
void ev_end(struct sockx *sx);
/* The "help" event: the text --help prints, for command (NULL: sockx). */
void ev_help(struct sockx *sx, const char *command, const char *text,
	     size_t n);

/*
 * Shows received bytes on stdout: raw, or a hex dump with hex, or under
 * --json an event ev with "bytes", "data" and (if rtt_ms >= 0) "rtt_ms".
 */
void show_data(struct sockx *sx, const char *ev, const void *p, size_t n,
	       bool hex, double rtt_ms);

/* A human line (as say) of fmt's text, then p escaped (esc_write). */
void say_data(struct sockx *sx, const void *p, size_t n, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

/*
 * show_data for what a peer sent, shown after a label ("reply ...: "):
 * plain human output is escaped (esc_write; a final newline stays the
 * line's end). -q, --hex and --json are as show_data: -q stays raw.
 */
void show_peer_data(struct sockx *sx, const char *ev, const void *p, size_t n,
		    bool hex, double rtt_ms);

#endif
