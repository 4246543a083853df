/* \summary: an event's human line on stderr, where human lines show */
#include "human.h"

void capture_say_stderr(const struct sockx *sx, enum ev_kind_id id, const void *ev)
{
	if (!event_shows(sx, EV_SAY) || event_shows(sx, EV_JSON))
		return;
	flockfile(stderr);
	event_render_human(sx, stderr, id, ev);
	putc_unlocked('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
}
