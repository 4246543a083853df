/*
 * \summary: a whole file written at once: a regular file is replaced
 * atomically (a temporary beside it, synced, renamed over it), a FIFO or
 * a character device is written directly, anything else refused
 */
#ifndef SOCKX_AFILE_H
#define SOCKX_AFILE_H

#include <stdio.h>

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
