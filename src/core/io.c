/* \summary: complete writes, timed waits, and the zero-copy moves */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "sock.h"

bool io_is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int wait_out(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int rc;

	do {
		rc = poll(&p, 1, -1);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? -1 : 0;
}

/* The loop of both writers: sock says whether fd is a socket. */
static int write_all(struct sockx *sx, int fd, const void *p, size_t n, bool sock)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if (sock)
			w = sock_send(sx, fd, c, n, MSG_NOSIGNAL);
		else
			w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_out(fd) < 0)
				return -1;
			continue;
		}
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int io_write_all(struct sockx *sx, int fd, const void *p, size_t n)
{
	return write_all(sx, fd, p, n, io_is_socket(fd));
}

int io_send_all(struct sockx *sx, int fd, const void *p, size_t n)
{
	return write_all(sx, fd, p, n, true);
}

int io_wait_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	return rc;
}

ssize_t io_splice(struct sockx *sx, int in, int out, size_t n, unsigned flags)
{
	ssize_t rc = splice(in, NULL, out, NULL, n, flags);
	int err = errno;

	if (sx->verbose)
		sock_trace(sx, 1, "splice", (long)rc, err, "%d, %d, %zu, %s%s", in, out, n,
			   flags & SPLICE_F_NONBLOCK ? "SPLICE_F_NONBLOCK" : "0",
			   flags & SPLICE_F_MOVE ? "|SPLICE_F_MOVE" : "");
	errno = err;
	return rc;
}

ssize_t io_sendfile(struct sockx *sx, int out, int in, size_t n)
{
	ssize_t rc = sendfile(out, in, NULL, n);
	int err = errno;

	if (sx->verbose)
		sock_trace(sx, 1, "sendfile", (long)rc, err, "%d, %d, NULL, %zu", out, in, n);
	errno = err;
	return rc;
}
