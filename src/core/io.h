/* \summary: complete reads and writes, and a wait with a deadline */
#ifndef SOCKX_IO_H
#define SOCKX_IO_H

#include <sys/types.h>

#include "../sockx.h"

/*
 * Writes all n bytes to fd (a socket or not), retrying short writes and
 * EINTR, waiting with poll when fd is non-blocking. Socket writes use
 * MSG_NOSIGNAL and are traced. Returns 0, or -1 with errno set.
 */
int io_write_all(struct sockx *sx, int fd, const void *p, size_t n);

/* Waits until fd is readable (or has POLLHUP/POLLERR) or timeout_ms
 * passes (-1: forever). Returns 1 ready, 0 timeout, -1 error. */
int io_wait_in(int fd, int timeout_ms);

/* True if fd is a socket. */
bool io_is_socket(int fd);

/*
 * Sends all n bytes on the socket fd, as io_write_all() does, without
 * asking first whether fd is a socket. Returns 0, or -1 with errno set.
 */
int io_send_all(struct sockx *sx, int fd, const void *p, size_t n);

/*
 * splice(2): moves up to n bytes from in to out, one of them a pipe,
 * without copying them through user space. Traced under -v like the
 * socket calls. Returns what splice returned, errno as it left it.
 */
ssize_t io_splice(struct sockx *sx, int in, int out, size_t n, unsigned flags);

/*
 * sendfile(2): up to n bytes of the file in, from its offset (which
 * advances), to the socket out. Traced under -v. Returns what sendfile
 * returned, errno as it left it.
 */
ssize_t io_sendfile(struct sockx *sx, int out, int in, size_t n);

#endif
