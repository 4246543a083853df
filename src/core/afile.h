/*
 * \summary: a whole file written at once: a regular file is replaced
 * atomically (a temporary beside it, synced, renamed over it), a FIFO or
 * a character device is written directly, anything else refused
 */
#ifndef SOCKX_AFILE_H
#define SOCKX_AFILE_H

#include <stdio.h>

/* How a path is written: refused, directly, or through a temporary. */
enum afile_how { AFILE_REFUSED = -1, AFILE_DIRECT, AFILE_ATOMIC };

/*
 * How to write path: atomically (absent, or a regular file: its mode into
 * *mode, else -1), directly (a FIFO or a character device, through
 * symbolic links too: /dev/stdout), or refused (errno set; *why says why
 * when errno's text does not: "it is a directory").
 */
enum afile_how afile_plan(const char *path, int *mode, const char **why);

/* Writes the file's content to f; 0, or -1 with errno set. */
typedef int (*afile_fill)(FILE *f, void *ctx);

/*
 * Writes path with fill: a new name or a regular file (its mode kept)
 * through a temporary file in the same directory, renamed over it once
 * synced, so that a reader never sees half of it and a failure leaves
 * the old file and no temporary behind; a FIFO or a character device
 * (/dev/stdout, /dev/full) directly; "-" is standard output. Returns
 * 0, or -1 with errno set;
 * *why (when not NULL) then says why in words errno has not ("it is a
 * directory", "a FIFO with no reader").
 */
int afile_write(const char *path, afile_fill fill, void *ctx, const char **why);

/* Syncs the directory that holds path, so that a rename in it lasts. */
int afile_sync_dir(const char *path);

/* Is path still absent or a regular file, which a rename may replace? 0 or -1. */
int afile_still_replaceable(const char *path);

#endif
