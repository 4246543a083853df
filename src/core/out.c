/* \summary: human lines, JSON events, errors and hints */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "out.h"

/* A human line on stdout: fmt's text, then p escaped (if any), flushed. */
static void __attribute__((format(printf, 4, 0)))
say_line(struct sockx *sx, const void *p, size_t n, const char *fmt, va_list ap)
{
	if (sx->quiet || sx->json)
		return;
	flockfile(stdout);
	vfprintf(stdout, fmt, ap);
	if (p)
		esc_write(stdout, p, n);
	putc_unlocked('\n', stdout);
	fflush(stdout);
	funlockfile(stdout);
}

void say(struct sockx *sx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(sx, NULL, 0, fmt, ap);
	va_end(ap);
}

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

void say_data(struct sockx *sx, const void *p, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(sx, p, n, fmt, ap);
	va_end(ap);
}

void ev_begin(struct sockx *sx, const char *event)
{
	flockfile(stdout);
	fputs("{\"event\":", stdout);
	json_write_str(stdout, event, strlen(event));
	fprintf(stdout, ",\"t\":%.6f", sx_elapsed(sx));
}

static void key(const char *k)
{
	putc_unlocked(',', stdout);
	json_write_str(stdout, k, strlen(k));
	putc_unlocked(':', stdout);
}

void ev_str(struct sockx *sx, const char *k, const char *val)
{
	(void)sx;
	key(k);
	if (val)
		json_write_str(stdout, val, strlen(val));
	else
		fputs("null", stdout);
}

void ev_strn(struct sockx *sx, const char *k, const void *p, size_t n)
{
	(void)sx;
	key(k);
	json_write_str(stdout, p, n);
}

void ev_int(struct sockx *sx, const char *k, long long v)
{
	(void)sx;
	key(k);
	fprintf(stdout, "%lld", v);
}

void ev_num(struct sockx *sx, const char *k, double v)
{
	(void)sx;
	key(k);
	if (v != v || v > 1e300 || v < -1e300)	/* JSON has no NaN or inf */
		fputs("null", stdout);
	else
		json_write_num(stdout, v);
}

void ev_bool(struct sockx *sx, const char *k, bool v)
{
	(void)sx;
	key(k);
	fputs(v ? "true" : "false", stdout);
}

void ev_end(struct sockx *sx)
{
	(void)sx;
	fputs("}\n", stdout);
	fflush(stdout);
	funlockfile(stdout);
}

void ev_help(struct sockx *sx, const char *command, const char *text,
	     size_t n)
{
	ev_begin(sx, "help");
	ev_str(sx, "command", command);
	ev_strn(sx, "text", text, n);
	ev_end(sx);
}

void show_data(struct sockx *sx, const char *ev, const void *p, size_t n,
	       bool hex, double rtt_ms)
{
	if (sx->json) {
		ev_begin(sx, ev);
		ev_int(sx, "bytes", (long long)n);
		if (rtt_ms >= 0)
			ev_num(sx, "rtt_ms", rtt_ms);
		ev_strn(sx, "data", p, n);
		ev_end(sx);
	} else if (hex) {
		hexdump(stdout, p, n);
	} else {
		fwrite(p, 1, n, stdout);
	}
}

void show_peer_data(struct sockx *sx, const char *ev, const void *p, size_t n,
		    bool hex, double rtt_ms)
{
	const char *c = p;

	if (sx->json || sx->quiet || hex) {
		show_data(sx, ev, p, n, hex, rtt_ms);
	} else if (n && c[n - 1] == '\n') {
		esc_write(stdout, p, n - 1);
		putchar('\n');
	} else {
		esc_write(stdout, p, n);
	}
}
