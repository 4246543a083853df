/* \summary: text from anywhere made safe as SVG character data: escaped, fitted to columns */
#ifndef SOCKX_SVG_TEXT_H
#define SOCKX_SVG_TEXT_H

#include <stdio.h>

/*
 * Writes raw (bytes from anywhere: a peer's, a saved run's) as the
 * content of a text element: esc_buf makes it valid UTF-8 with no
 * control byte (invalid bytes and controls become \xHH), the markup is
 * escaped, and characters XML forbids or that reorder text (bidi) become
 * \xHH too. Longer than cols: cut with an ellipsis, the whole text in a
 * <title> (a viewer shows it on hover). Returns the columns shown; with
 * f NULL, writes nothing (to measure first).
 */
size_t svg_text_body(FILE *f, const char *raw, size_t cols);

#endif
