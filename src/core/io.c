/* \summary: complete writes and timed waits */
#include <errno.h>
#include <poll.h>
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

int io_write_all(struct sockx *sx, int fd, const void *p, size_t n)
{
	const char *c = p;
	bool sock = io_is_socket(fd);
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

int io_wait_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	return rc;
}
