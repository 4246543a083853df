/* \summary: text primitives: escaping peer bytes, JSON strings and numbers, hex dumps, colour */
#ifndef SOCKX_TEXT_H
#define SOCKX_TEXT_H

#include <stdio.h>

#include "../sockx.h"

/* A number as JSON: fixed-point, at most six decimals, no trailing zeros. */
void json_write_num(FILE *f, double v);

/* Writes s, n bytes, as a JSON string (quotes included) to f. */
void json_write_str(FILE *f, const void *s, size_t n);

/*
 * Bytes from a peer (or a name it chose) as text a human reads safely:
 * valid UTF-8 as it is, but every control byte (C0, DEL, and C1 encoded
 * as UTF-8) and every byte of invalid UTF-8 as \xHH, \n \r \t as such
 * and a backslash doubled; with quoted, '"' as \" too. Nothing a peer
 * sends can then move the cursor, set the title or forge a line.
 * esc_buf writes whole escapes only, NUL-terminated, within cap bytes, and
 * returns how many of the n bytes it showed; esc_write writes all to f.
 */
size_t esc_buf(char *buf, size_t cap, const void *p, size_t n, bool quoted);
void esc_write(FILE *f, const void *p, size_t n);

/* esc_buf into buf, "..." appended when it did not all fit. */
const char *esc_str(const void *p, size_t n, char *buf, size_t cap);

/* Writes a hex dump of p (offset, 16 bytes, ASCII) to f. */
void hexdump(FILE *f, const void *p, size_t n);

/* ANSI colour, when the run decided on it for that stream. */
const char *clr(const struct sockx *sx, bool err, const char *code);
#define C_RED "31"
#define C_GREEN "32"
#define C_YELLOW "33"
#define C_DIM "2"
#define C_BOLD "1"
#define C_OFF "0"

/* Decides colour for stdout and stderr from --color, NO_COLOR and ttys. */
void out_setup(struct sockx *sx);

#endif
