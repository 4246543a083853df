/* \summary: errors, warnings, hints and -v notes, as events from printf-like calls */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "out.h"

void trace(struct sockx *sx, int level, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (sx->verbose < level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	EMIT_AT(sx, level >= 2 ? EV_V2 : EV_V1, note, .text = text);
}

/* fmt's message, and ": tail" after it, into msg. */
static void __attribute__((format(printf, 4, 0)))
message(char *msg, size_t cap, const char *tail, const char *fmt, va_list ap)
{
	int n = vsnprintf(msg, cap, fmt, ap);

	if (tail && n >= 0 && (size_t)n < cap)
		snprintf(msg + n, cap - (size_t)n, ": %s", tail);
}

void warn_msg(struct sockx *sx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	message(msg, sizeof(msg), NULL, fmt, ap);
	va_end(ap);
	EMIT(sx, warning, .message = msg);
}

static int __attribute__((format(printf, 3, 0)))
vfail(struct sockx *sx, int code, const char *fmt, va_list ap,
      const char *tail)
{
	char msg[1024];

	message(msg, sizeof(msg), tail, fmt, ap);
	EMIT(sx, error, .command = sx->cmd ? sx->cmd : "sockx", .message = msg,
	     .exit = code);
	return code;
}

int fail(struct sockx *sx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = vfail(sx, code, fmt, ap, NULL);
	va_end(ap);
	return code;
}

int errno_exit(int err, bool opening)
{
	switch (err) {
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case ESOCKTNOSUPPORT:
	case EPFNOSUPPORT:
		return EXIT_UNSUPPORTED;
	case EPERM:
	case EACCES:
		return opening ? EXIT_NOPERM : EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
}

int fail_errno(struct sockx *sx, const char *fmt, ...)
{
	int err = errno, code;
	va_list ap;

	va_start(ap, fmt);
	code = vfail(sx, errno_exit(err, false), fmt, ap, strerror(err));
	va_end(ap);
	errno = err;
	return code;
}

int fail_open(struct sockx *sx, const char *fmt, ...)
{
	int err = errno, code;
	va_list ap;

	va_start(ap, fmt);
	code = vfail(sx, errno_exit(err, true), fmt, ap, strerror(err));
	va_end(ap);
	errno = err;
	return code;
}

void hint(struct sockx *sx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	message(msg, sizeof(msg), NULL, fmt, ap);
	va_end(ap);
	EMIT(sx, hint, .message = msg);
}

