/* \summary: unix: what the command says of itself: a type's word, and why --verify has nothing to capture */
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
