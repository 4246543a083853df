/*
 * \summary: unix: what the command says of itself: a type's word, why
 * --verify has nothing to capture, and the timeline it draws instead
 */
#include "../../core/timeline.h"
#include "unix.h"

const char *unix_type_word(int type)
{
	if (type == SOCK_DGRAM)
		return "dgram";
	return type == SOCK_SEQPACKET ? "seqpacket" : "stream";
}

void unix_verify_note(struct sockx *sx)
{
	static const char why[] = "Unix sockets never touch a network interface: the kernel "
		"copies the bytes from one socket to the other, so there is no "
		"traffic for libpcap to capture and nothing to verify";

	/* The "verify" event of --json, or else a warning's line on stderr. */
	EMIT(sx, unix_verify, .applicable = false, .reason = why);
}

int unix_timeline(struct sockx *sx, const struct unix_opts *o, const char *self,
		  const char *peer)
{
	if (!o->timeline && !o->svg)
		return EXIT_OK;
	/* --svg alone: kept, not printed */
	if (!timeline_new(sx, "unix", self, peer, o->timeline, o->svg))
		return fail(sx, EXIT_FAIL, "out of memory");
	timeline_unix(sx, o->type != SOCK_STREAM);
	timeline_start(sx);
	return EXIT_OK;
}
