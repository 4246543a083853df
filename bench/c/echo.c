/*
 * \summary: minimal echo servers, the reference for round trips:
 *
 *   echo tcp|udp|unix [PATH]   epoll, non-blocking, one shared buffer
 *   echo udp-plain             blocking recvfrom/sendto, nothing else
 *
 * TCP and UDP listen on 127.0.0.1, port 0. Each prints "listening on
 * ADDR" first and runs until SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF 65536

static char buf[BUF];

static void die(const char *what)
{
	fprintf(stderr, "echo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listener(const char *kind, const char *path)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	int udp = strncmp(kind, "udp", 3) == 0, fd, one = 1;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (strcmp(kind, "unix") == 0) {
		if (!path || strlen(path) >= sizeof(un->sun_path))
			die("unix needs a PATH");
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		unlink(path);
		len = sizeof(*un);
	} else {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	}
	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind");
	if (!udp && listen(fd, 4096) < 0)
		die("listen");
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_UNIX)
		printf("listening on %s\n", path);
	else
		printf("listening on 127.0.0.1:%u\n", ntohs(in->sin_port));
	fflush(stdout);
	return fd;
}

static _Noreturn void udp_plain(int fd)
{
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, buf, BUF, 0, (struct sockaddr *)&from, &flen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recvfrom");
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
	}
}

/* Echoes what one readable stream socket has; closes it at EOF. */
static void stream_echo(int ep, int fd)
{
	ssize_t n, w, off;

	n = recv(fd, buf, BUF, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		return;
	}
	for (off = 0; off < n; off += w) {	/* minimal: wait out a full buffer */
		w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, 1000);
		}
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			w = 0;
		else if (w < 0)
			return;
	}
}

static void udp_echo(int fd)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	n = recvfrom(fd, buf, BUF, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
	if (n >= 0)
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
}

int main(int argc, char **argv)
{
	struct epoll_event e, evs[64];
	const char *kind = argc > 1 ? argv[1] : "";
	int lfd, ep, n, i, fd, udp;

	if (strcmp(kind, "tcp") && strcmp(kind, "udp") && strcmp(kind, "unix") &&
	    strcmp(kind, "udp-plain")) {
		fprintf(stderr, "usage: echo tcp|udp|unix [PATH] | udp-plain\n");
		return 2;
	}
	lfd = listener(kind, argc > 2 ? argv[2] : NULL);
	if (strcmp(kind, "udp-plain") == 0)
		udp_plain(lfd);
	udp = strcmp(kind, "udp") == 0;
	ep = epoll_create1(0);
	e.events = EPOLLIN;
	e.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (udp) {
				udp_echo(fd);
			} else if (fd == lfd) {
				fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				if (fd < 0)
					continue;
				e.events = EPOLLIN;
				e.data.fd = fd;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
			} else {
				stream_echo(ep, fd);
			}
		}
	}
}
