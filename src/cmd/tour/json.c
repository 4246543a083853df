/*
 * \summary: reading fields of the JSON event lines the tour's children
 * print (RFC 8259): enough to find a top-level key and decode its value
 */
#include <stdlib.h>
#include <string.h>

#include "tour.h"

#define MAX_DEPTH 32

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* p is at a '"': returns the byte after the closing quote, or NULL. */
static const char *skip_str(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

static const char *skip_val(const char *p, int depth);

/* p is after '{' or '['; returns past the matching close, or NULL. */
static const char *skip_container(const char *p, char close, int depth)
{
	p = ws(p);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = *p == '"' ? skip_str(p) : NULL;
			if (!p)
				return NULL;
			p = ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = skip_val(p, depth + 1);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = ws(p);
	}
}

/* Skips one value (string, object, array, number or literal). */
static const char *skip_val(const char *p, int depth)
{
	const char *start;

	p = ws(p);
	if (*p == '"')
		return skip_str(p);
	if (*p == '{' || *p == '[')
		return depth < MAX_DEPTH ? skip_container(p + 1, *p == '{' ? '}' : ']', depth) : NULL;
	start = p;
	while (*p && strchr("+-.0123456789eEtrufalsn", *p))
		p++;
	return p > start ? p : NULL;
}

/* The value of key at the top level of the object in line, or NULL. */
static const char *find_key(const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *p = ws(line), *k, *e;

	if (*p++ != '{')
		return NULL;
	for (;;) {
		p = ws(p);
		if (*p != '"')
			return NULL;
		k = p + 1;
		e = skip_str(p);
		if (!e)
			return NULL;
		p = ws(e);
		if (*p++ != ':')
			return NULL;
		p = ws(p);
		if ((size_t)(e - 1 - k) == kl && memcmp(k, key, kl) == 0)
			return p;
		p = skip_val(p, 0);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p++ != ',')
			return NULL;
	}
}

/* Four hex digits at p; -1 if they are not. */
static long hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

/* Appends code point cp as UTF-8; false if it does not fit. */
static bool put_utf8(char *out, size_t cap, size_t *n, unsigned long cp)
{
	unsigned char b[4];
	size_t k, i;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k >= cap)
		return false;
	for (i = 0; i < k; i++)
		out[(*n)++] = (char)b[i];
	return true;
}

/* Decodes \uXXXX (and a following low surrogate) at p; advances *pp. */
static long unicode_escape(const char **pp)
{
	const char *p = *pp;
	long hi = hex4(p), lo;

	if (hi < 0)
		return -1;
	*pp = p + 4;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi >= 0xdc00 && hi <= 0xdfff ? 0xfffd : hi;
	if (p[4] != '\\' || p[5] != 'u')
		return 0xfffd;	/* a lone high surrogate */
	lo = hex4(p + 6);
	if (lo < 0xdc00 || lo > 0xdfff)
		return 0xfffd;
	*pp = p + 10;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* One escape after a backslash at *pp; returns the code point or -1. */
static long escape(const char **pp)
{
	char c = *(*pp)++;

	switch (c) {
	case '"': case '\\': case '/': return c;
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': return unicode_escape(pp);
	default: return -1;
	}
}

bool tour_jv_str(const char *line, const char *key, char *out, size_t cap,
	    size_t *len)
{
	const char *p = find_key(line, key);
	size_t n = 0;
	long cp;

	if (!p || *p != '"' || cap == 0)
		return false;
	for (p++; *p && *p != '"';) {
		if (*p == '\\') {
			p++;
			cp = escape(&p);
			if (cp < 0 || !put_utf8(out, cap, &n, (unsigned long)cp))
				return false;
			continue;
		}
		if (n + 1 >= cap)
			return false;
		out[n++] = *p++;
	}
	if (*p != '"')
		return false;
	out[n] = '\0';
	if (len)
		*len = n;
	return true;
}

bool tour_jv_num(const char *line, const char *key, double *v)
{
	const char *p = find_key(line, key);
	char *end;

	if (!p || !(*p == '-' || (*p >= '0' && *p <= '9')))
		return false;
	*v = strtod(p, &end);
	return end > p;
}

bool tour_jv_event(const char *line, const char *ev)
{
	char b[64];

	return tour_jv_str(line, "event", b, sizeof(b), NULL) && strcmp(b, ev) == 0;
}

bool tour_jv_bool(const char *line, const char *key, bool *v)
{
	const char *p = find_key(line, key);

	if (p && strncmp(p, "true", 4) == 0)
		*v = true;
	else if (p && strncmp(p, "false", 5) == 0)
		*v = false;
	else
		return false;
	return true;
}
