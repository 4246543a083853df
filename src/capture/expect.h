/*
 * \summary: datagram and raw-packet expectations: what the program sent
 * or received, one message at a time, matched in order against the
 * wire; byte-for-byte comparison that names fields and knows which ones
 * the kernel fills in
 */
#ifndef SOCKX_CAPTURE_EXPECT_H
#define SOCKX_CAPTURE_EXPECT_H

#include "../sockx.h"

#define CAPTURE_OUT 0
#define CAPTURE_IN 1
#define MSG_HEAD 64

/* What a message is made of, for field names. */
enum capture_layout {
	LAYOUT_DATA,		/* payload bytes (UDP) */
	LAYOUT_IP4,		/* an IPv4 packet, header first */
	LAYOUT_ICMP,		/* an ICMP or ICMPv6 message */
};

/*
 * One datagram or packet. UDP keeps its length, a hash and the first
 * MSG_HEAD bytes; raw packets are kept whole (bytes), being small and
 * compared field by field.
 */
struct capture_msg {
	int dir;		/* CAPTURE_OUT or CAPTURE_IN */
	size_t len;
	uint64_t hash;		/* FNV-1a of all len bytes */
	uint8_t head[MSG_HEAD];
	uint8_t *bytes;		/* whole copy, or NULL */
	enum capture_layout layout;
	unsigned flags;		/* KF_* (wire/kfield.h) and CAPTURE_RAW_L4 (capture.h) */
	size_t l4_off;		/* wire: where the ICMP message starts in bytes */
	bool trunc;		/* wire: the capture or the IP layer cut it short */
};

/* Fills m from n bytes at p; keep: copy them whole. Returns 0 or -1 (ENOMEM). */
int capture_msg_set(struct capture_msg *m, int dir, const void *p, size_t n,
		    bool keep);

/* The outcome of comparing one expected message with one on the wire. */
struct capture_diff {
	bool equal;
	size_t elen, wlen;	/* lengths compared */
	size_t off;		/* first differing byte, when !equal and known */
	bool off_known;
	uint8_t e, w;		/* the bytes there */
	const char *field;	/* its name: "ttl", "identifier", "data" ... */
	unsigned kfilled;	/* kernel-filled fields that differ from the build */
	uint32_t kval[KF_BITS];	/* the wire's values of those, by KF_* bit index */
};

/*
 * Compares expected message e with wire message w (the part of it that e
 * stands for: the IP packet, or with CAPTURE_RAW_L4 the ICMP message).
 * Fields e->flags marks as kernel-filled are skipped and, where they
 * differ, listed in d->kfilled instead. Returns d->equal.
 */
bool capture_msg_cmp(const struct capture_msg *e, const struct capture_msg *w,
		     struct capture_diff *d);

/* The name of the byte at off in a message of that layout. */
const char *capture_field_name(enum capture_layout l, const uint8_t *p,
			       size_t len, size_t off);

/* The result of matching all expectations of one direction. */
struct capture_match {
	size_t matched;		/* expectations found on the wire */
	size_t missing;		/* not found */
	size_t first_missing;	/* index of the first one not found */
	bool have_diff;		/* d: that one against the nearest candidate */
	size_t diff_wire;	/* which wire message d compared with */
	struct capture_diff d;
	size_t extra;		/* wire messages matching no expectation */
	size_t bytes;		/* payload bytes of the matched ones */
	unsigned kfilled;	/* kernel-filled fields seen, over all */
	struct capture_diff kdiff;	/* one example of them */
};

/*
 * Matches the n expectations e (one direction, in program order) against
 * the m wire messages w (same direction, in capture order): each
 * expectation takes the first later wire message equal to it; one with
 * none is missing, and is compared with the next unmatched wire message
 * to say what differs. Wire messages skipped over, or left after the
 * last match, are extra.
 */
void capture_match_msgs(const struct capture_msg *const *e, size_t n,
			const struct capture_msg *const *w, size_t m,
			struct capture_match *r);

/* Payload bytes of a message: UDP data; ICMP data after its 8 bytes. */
size_t capture_msg_payload(const struct capture_msg *m);

void capture_msg_free(struct capture_msg *m);

#endif
