/* \summary: text from anywhere made safe as SVG character data: escaped, fitted to columns */
#include <string.h>

#include "svg_text.h"
#include "text.h"

/* Display columns of the UTF-8 character led by c (CJK and emoji: 2). */
static size_t char_cols(unsigned char c)
{
	return (c >= 0xe3 && c <= 0xed) || c >= 0xf0 ? 2 : 1;
}

/*
 * How many bytes of s (valid UTF-8, as esc_buf writes it) fit in cols
 * display columns, ending on a character boundary.
 */
static size_t fit(const char *s, size_t cols)
{
	size_t i = 0, used = 0, w, k;

	while (s[i]) {
		w = char_cols((unsigned char)s[i]);
		if (used + w > cols)
			break;
		used += w;
		for (k = 1; (s[i + k] & 0xc0) == 0x80; k++)
			;
		i += k;
	}
	return i;
}

/*
 * Is the character at s one that XML 1.0 forbids (U+FFFE, U+FFFF) or one
 * that reorders the text around it (bidi embeddings, overrides and
 * isolates): a peer's bytes must not make "= 0" read as something else.
 */
static bool unshown(const unsigned char *s)
{
	if (s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
		return true;
	if (s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae)
		return true;
	return s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;
}

/*
 * n bytes of s (valid UTF-8, cut on a character's boundary) as XML
 * character data: the markup escaped, and what unshown() names as \xHH.
 */
static void xml_put(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (u[i] == '&')
			fputs("&amp;", f);
		else if (u[i] == '<')
			fputs("&lt;", f);
		else if (u[i] == '>')
			fputs("&gt;", f);
		else if (u[i] == '"')
			fputs("&quot;", f);
		else if (u[i] == '\'')
			fputs("&#39;", f);
		else if (i + 2 < n && unshown(u + i)) {
			fprintf(f, "\\x%02x\\x%02x\\x%02x", u[i], u[i + 1], u[i + 2]);
			i += 2;
		} else
			fputc(u[i], f);
	}
}

/* Display columns of the first n bytes of s (valid UTF-8). */
static size_t cols_of(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c += char_cols((unsigned char)s[i]);
	return c;
}

size_t svg_text_body(FILE *f, const char *raw, size_t cols)
{
	char e[1024];
	size_t n = strlen(raw), shown, len, cut;

	shown = esc_buf(e, sizeof(e), raw, n, false);
	len = strlen(e);
	cut = fit(e, cols);
	if (cut == len && shown == n) {
		if (f)
			xml_put(f, e, len);
		return cols_of(e, len);
	}
	cut = fit(e, cols > 1 ? cols - 1 : 0);
	if (!f)
		return cols_of(e, cut) + 1;
	fputs("<title>", f);
	xml_put(f, e, len);
	fputs(shown < n ? "\xe2\x80\xa6</title>" : "</title>", f);
	xml_put(f, e, cut);
	fputs("\xe2\x80\xa6", f);
	return cols_of(e, cut) + 1;
}
