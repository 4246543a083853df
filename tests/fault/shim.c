/*
 * \summary: fault-injection shim (LD_PRELOAD): short writes, short reads,
 * EINTR and EAGAIN at random, seeded, so the data-integrity tests can be
 * run again under it. Every byte must still arrive, in order.
 *
 *   SOCKX_FAULT_SEED=N   the seed (default 1)
 *   SOCKX_FAULT_RATE=N   one call in N fails with EINTR/EAGAIN (default 8)
 *
 * Short counts apply to every fd but stderr; EINTR and EAGAIN only to
 * sockets (stdio does not retry them on regular files and pipes, and
 * sockx writes its own output through stdio).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t state;
static unsigned rate = 8;

static uint64_t next(void)
{
	if (!state) {
		const char *s = getenv("SOCKX_FAULT_SEED"), *r = getenv("SOCKX_FAULT_RATE");

		state = s ? strtoull(s, NULL, 10) * 2654435761u + 1 : 1;
		if (r && strtoul(r, NULL, 10) > 0)
			rate = (unsigned)strtoul(r, NULL, 10);
	}
	state ^= state << 13;	/* xorshift64 */
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static int is_sock(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Maybe fails the call: returns 1 with errno set. */
static int fault(int fd)
{
	if (fd <= 2 || !is_sock(fd) || next() % rate)
		return 0;
	errno = next() & 1 ? EINTR : EAGAIN;
	return 1;
}

/* A shorter count: a quarter of the time one byte, else 1..n. */
static size_t shorten(int fd, size_t n)
{
	if (fd == 2 || n <= 1)
		return n;
	if (next() % 4 == 0)
		return 1;
	return 1 + (size_t)(next() % n);
}

typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);

#define REAL(name, type) \
	static type real_##name; \
	if (!real_##name) \
		real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t read(int fd, void *p, size_t n)
{
	REAL(read, read_fn);
	if (fault(fd))
		return -1;
	return real_read(fd, p, shorten(fd, n));
}

ssize_t write(int fd, const void *p, size_t n)
{
	REAL(write, write_fn);
	if (fault(fd))
		return -1;
	return real_write(fd, p, shorten(fd, n));
}

ssize_t recv(int fd, void *p, size_t n, int flags)
{
	REAL(recv, recv_fn);
	if (fault(fd))
		return -1;
	return real_recv(fd, p, shorten(fd, n), flags);
}

ssize_t send(int fd, const void *p, size_t n, int flags)
{
	REAL(send, send_fn);
	if (fault(fd))
		return -1;
	return real_send(fd, p, shorten(fd, n), flags);
}
