/* \summary: human lines, JSON events, errors and hints */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "out.h"

double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sx_elapsed(const struct sockx *sx)
{
	return now_mono() - sx->t0;
}

const char *clr(const struct sockx *sx, bool err, const char *code)
{
	static char buf[4][16];
	static unsigned n;
	char *b;

	if (!(err ? sx->color_err : sx->color_out))
		return "";
	b = buf[n++ % 4];
	snprintf(b, sizeof(buf[0]), "\033[%sm", code);
	return b;
}

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
	va_list ap;

	if (sx->verbose < level)
		return;
	va_start(ap, fmt);
	flockfile(stderr);
	fputs(clr(sx, true, C_DIM), stderr);
	vfprintf(stderr, fmt, ap);
	fputs(clr(sx, true, C_OFF), stderr);
	putc_unlocked('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 0)))
vmsg(struct sockx *sx, const char *color, const char *fmt, va_list ap,
     const char *tail)
{
	flockfile(stderr);
	if (sx->cmd && strcmp(sx->cmd, "sockx") != 0)
		fprintf(stderr, "%ssockx: %s: ", clr(sx, true, color), sx->cmd);
	else
		fprintf(stderr, "%ssockx: ", clr(sx, true, color));
	vfprintf(stderr, fmt, ap);
	if (tail)
		fprintf(stderr, ": %s", tail);
	fprintf(stderr, "%s\n", clr(sx, true, C_OFF));
	funlockfile(stderr);
}

void warn_msg(struct sockx *sx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(sx, C_YELLOW, fmt, ap, NULL);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 0)))
error_event(struct sockx *sx, int code, const char *fmt, va_list ap,
	    const char *tail)
{
	char msg[512];
	int n;

	if (!sx->json)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (tail && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", tail);
	ev_begin(sx, "error");
	ev_str(sx, "command", sx->cmd ? sx->cmd : "sockx");
	ev_str(sx, "message", msg);
	ev_int(sx, "exit", code);
	ev_end(sx);
}

static int __attribute__((format(printf, 3, 0)))
vfail(struct sockx *sx, int code, const char *fmt, va_list ap,
      const char *tail)
{
	va_list ap2;

	va_copy(ap2, ap);
	vmsg(sx, C_RED, fmt, ap, tail);
	error_event(sx, code, fmt, ap2, tail);
	va_end(ap2);
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
	va_list ap;

	(void)sx;
	va_start(ap, fmt);
	flockfile(stderr);
	fputs("hint: ", stderr);
	vfprintf(stderr, fmt, ap);
	putc_unlocked('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * One escape unit of esc_buf at s (n > 0 bytes left) into out (at least 9
 * bytes, not NUL-terminated): returns its length, *used the bytes taken.
 */
static size_t esc_unit(const unsigned char *s, size_t n, bool quoted, char *out,
		       size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = utf8_len(s, n), i, o = 0;

	*used = len ? len : 1;
	if (s[0] == '\n' || s[0] == '\r' || s[0] == '\t' || s[0] == '\\' ||
	    (quoted && s[0] == '"')) {
		out[0] = '\\';
		out[1] = s[0] == '\n' ? 'n' : s[0] == '\r' ? 'r' : s[0] == '\t' ? 't' : (char)s[0];
		return 2;
	}
	/* Printable ASCII and UTF-8 past the C1 controls (U+0080..U+009F). */
	if ((len == 1 && s[0] >= 0x20 && s[0] != 0x7f) ||
	    (len > 1 && !(s[0] == 0xc2 && s[1] < 0xa0))) {
		memcpy(out, s, len);
		return len;
	}
	for (i = 0; i < *used; i++) {
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[s[i] >> 4];
		out[o++] = hex[s[i] & 15];
	}
	return o;
}

size_t esc_buf(char *buf, size_t cap, const void *p, size_t n, bool quoted)
{
	const unsigned char *s = p;
	size_t i = 0, o = 0, k, used;
	char u[9];

	while (i < n) {
		k = esc_unit(s + i, n - i, quoted, u, &used);
		if (o + k >= cap)
			break;
		memcpy(buf + o, u, k);
		o += k;
		i += used;
	}
	if (cap)
		buf[o] = '\0';
	return i;
}

void esc_write(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, k, used;
	char u[9];

	while (i < n) {
		k = esc_unit(s + i, n - i, false, u, &used);
		fwrite(u, 1, k, f);
		i += used;
	}
}

const char *esc_str(const void *p, size_t n, char *buf, size_t cap)
{
	size_t o;

	if (cap < 4) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	if (esc_buf(buf, cap, p, n, false) < n) {
		esc_buf(buf, cap - 3, p, n, false);
		o = strlen(buf);
		memcpy(buf + o, "...", 4);
	}
	return buf;
}

void say_data(struct sockx *sx, const void *p, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(sx, p, n, fmt, ap);
	va_end(ap);
}

void json_write_str(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, len;

	putc_unlocked('"', f);
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			putc_unlocked('\\', f);
			putc_unlocked((char)c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else {
			len = utf8_len(s + i, n - i);
			if (len == 0) {
				fputs("\\ufffd", f);
				len = 1;
			} else {
				fwrite(s + i, 1, len, f);
			}
			i += len;
			continue;
		}
		i++;
	}
	putc_unlocked('"', f);
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

void json_write_num(FILE *f, double v)
{
	char buf[352];
	size_t n;

	/* Fixed point, never an exponent: microseconds of a second. */
	n = (size_t)snprintf(buf, sizeof(buf), "%.6f", v);
	while (n > 1 && buf[n - 1] == '0')
		n--;
	if (buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	fputs(strcmp(buf, "-0") == 0 ? "0" : buf, f);
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

void hexdump(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		fprintf(f, "%08zx ", i);
		for (j = i; j < i + 16; j++) {
			if (j < n)
				fprintf(f, " %02x", s[j]);
			else
				fputs("   ", f);
			if (j == i + 7)
				putc(' ', f);
		}
		fputs("  |", f);
		for (j = i; j < i + 16 && j < n; j++)
			putc(s[j] >= 0x20 && s[j] < 0x7f ? s[j] : '.', f);
		fputs("|\n", f);
	}
}

void out_setup(struct sockx *sx)
{
	const char *nc = getenv("NO_COLOR");
	bool env_ok = !(nc && *nc);

	switch (sx->color) {
	case COLOR_ALWAYS:
		sx->color_out = sx->color_err = true;
		break;
	case COLOR_NEVER:
		sx->color_out = sx->color_err = false;
		break;
	default:
		sx->color_out = env_ok && !sx->json && isatty(STDOUT_FILENO);
		sx->color_err = env_ok && isatty(STDERR_FILENO);
		break;
	}
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
