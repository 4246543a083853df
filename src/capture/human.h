/*
 * \summary: a human line on stderr for an event whose JSON is on stdout:
 * what the renderer has no level for (capture's summary, the netcat
 * verdict)
 */
#ifndef SOCKX_CAPTURE_HUMAN_H
#define SOCKX_CAPTURE_HUMAN_H

#include "../core/event.h"

/*
 * Renders the human template of event ev (kind id) on stderr, with its
 * newline, where human lines show (neither -q nor --json). Emit the event
 * itself (its JSON) as usual: this is its human line, moved. EV_DATA
 * moves a line to stderr too, but only with -v, and only in netcat mode.
 */
void capture_say_stderr(const struct sockx *sx, enum ev_kind_id id, const void *ev);

#endif
