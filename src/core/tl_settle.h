/* \summary: the timeline's settling state, made for timeline.c (tl_settle.c) */
#ifndef SOCKX_TL_SETTLE_H
#define SOCKX_TL_SETTLE_H

#include <stdbool.h>

struct tl_fold;
struct tl_unix;

/* A bulk run's state, empty; NULL out of memory. */
struct tl_fold *tl_fold_new(void);

/* AF_UNIX transfers' state (messages: dgram, seqpacket); NULL out of memory. */
struct tl_unix *tl_unix_new(bool messages);

#endif
