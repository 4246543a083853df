/*
 * \summary: the timeline's drawing as events: its head, each item as a
 * ladder line (text) and its fields (JSON), its end
 */
#ifndef SOCKX_TL_DRAW_H
#define SOCKX_TL_DRAW_H

#include "timeline.h"

/* The "timeline" event: the columns and the wire's state. */
void tl_draw_head(struct sockx *sx);

/* An item: kept (for SVG and HTML) and, when printed, a "timeline_row" event. */
void tl_draw_item(struct sockx *sx, const struct tl_item *it);

/* The "timeline_end" event: counts, and a note when rows were not kept. */
void tl_draw_end(struct sockx *sx);

/* "SYN,ACK" for TCP flags (TL_*), into buf. */
const char *tl_flags(uint8_t flags, char *buf, size_t len);

/* A packet's label: "PSH,ACK 1:18 (17)", "UDP 17 bytes", "echo request ...". */
const char *tl_packet_label(const struct tl_row *r, char *buf, size_t len);

/* A fold's label: "... 8,190 segments, 16.0 MiB, 2,048 calls in 41.0 ms ...". */
const char *tl_fold_label(const struct tl_item *it, char *buf, size_t len);

#endif
