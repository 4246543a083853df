/* \summary: sockx lab --timeline, --svg: a lab's key moment drawn, its calls and its port's packets */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../../capture/capture.h"
#include "../../core/timeline.h"
#include "lab.h"

/*
 * The timeline of lab r: "lab NAME", this process's two ends heading its
 * columns (self: the client end). False when none is wanted,
 * one is drawn already, or out of memory (said at -v: the lab runs on).
 */
static bool moment_new(struct lab_run *r, const char *self, const char *peer)
{
	char command[40], note[200];

	if ((!r->timeline && !r->svg) || r->sx->timeline)
		return false;
	snprintf(command, sizeof(command), "lab %s", r->lab->name);
	if (!timeline_new(r->sx, command, self, peer, r->timeline, r->svg)) {
		trace(r->sx, 1, "lab: no timeline: out of memory");
		return false;
	}
	if (r->timeline && r->lab->moment) {
		snprintf(note, sizeof(note), "timeline of the key moment: %s", r->lab->moment);
		EMIT(r->sx, lab_note, .lab = r->lab->name, .text = note);
	}
	return true;
}

void lab_timeline_begin(struct lab_run *r, const struct addr *a, const char *peer)
{
	struct capture_spec cs = {
		.proto = IPPROTO_TCP, .local = *a, .iface = "lo", .server = true,
		.listener_peer = true, .timeline = true, .optional = true,
		.keep_priv = true,	/* the next lab's capture (--all) */
	};
	char s[ADDR_TEXT], head[80];
	int rc = EXIT_OK;

	snprintf(head, sizeof(head), "%s, %s", peer ? peer : "the server end",
		 addr_str(a, s, sizeof(s)));
	if (!moment_new(r, "the client end (this process)", head))
		return;
	/* the capture's set-up is not the lab's: its calls come before the start */
	r->cap = capture_open(r->sx, &cs, &rc);
	if (rc != EXIT_OK)
		r->timeline_rc = rc;
	timeline_start(r->sx);
}

void lab_timeline_unix(struct lab_run *r, bool messages, const char *peer)
{
	if (!moment_new(r, "the sending end (this process)",
			peer ? peer : "the other end (this process)"))
		return;
	timeline_unix(r->sx, messages);
	timeline_start(r->sx);
}

int lab_timeline_peer(struct lab_run *r, int fd)
{
	if (fd >= 0 && r->sx->timeline && !timeline_fd_side(r->sx, fd, TL_PEER))
		trace(r->sx, 1, "lab: descriptor %d drawn as this process's: "
		      "%d have a side already", fd, TL_FD_SIDES);
	return fd;
}

void lab_timeline_end(struct lab_run *r)
{
	int rc;

	if (!r->sx->timeline)
		return;
	rc = timeline_finish(r->sx, capture_finish(r->cap, EXIT_OK));
	r->cap = NULL;
	if (r->timeline_rc == EXIT_OK)
		r->timeline_rc = rc;
}
