/* \summary: text primitives: escaping peer bytes, JSON strings and numbers, hex dumps, colour */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "text.h"

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
