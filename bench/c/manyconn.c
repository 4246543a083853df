/*
 * \summary: many concurrent TCP clients: N paced connects to
 * 127.0.0.1:PORT, each sends one line and checks its echo, then idles.
 *
 *   manyconn PORT N RATE DEADLINE
 *
 * Connects at RATE per second (at most 256 still connecting at a time),
 * so a server is measured, not a SYN flood. When every client has its
 * echo, or at DEADLINE seconds, prints "served S of N (failed F)" and
 * holds every connection open until SIGTERM or stdin closes, so the
 * server's memory can be read with all of them open.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING = 1, SENT, DONE, FAILED };

struct client {
	int fd;
	unsigned char state;
	unsigned char got;	/* echo bytes checked so far */
};

static struct client *cl;
static char msg[32];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void line_of(unsigned i)
{
	snprintf(msg, sizeof(msg), "client %07u\n", i);	/* 15 bytes */
}

static int start(int ep, struct sockaddr_in *sa, unsigned i)
{
	struct epoll_event e = { .events = EPOLLOUT, .data.u32 = i };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	cl[i].fd = fd;
	cl[i].state = CONNECTING;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	return 0;
}

/* Advances client i; returns its new state. */
static int step(int ep, unsigned i)
{
	struct client *c = &cl[i];
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };
	char buf[64];
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	line_of(i);
	if (c->state == CONNECTING) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err || send(c->fd, msg, 15, MSG_NOSIGNAL) != 15)
			return c->state = FAILED;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
		return c->state = SENT;
	}
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return c->state;
	if (n <= 0 || c->got + n > 15 || memcmp(buf, msg + c->got, (size_t)n) != 0)
		return c->state = FAILED;
	c->got = (unsigned char)(c->got + n);
	if (c->got < 15)
		return c->state;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);	/* idle from now on */
	return c->state = DONE;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event evs[256];
	unsigned n, next = 0, done = 0, failed = 0, inflight = 0, i;
	double rate, deadline, t0;
	int ep, k, st;
	struct pollfd p = { .fd = 0, .events = POLLIN };

	if (argc != 5) {
		fprintf(stderr, "usage: manyconn PORT N RATE DEADLINE\n");
		return 2;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)strtoul(argv[1], NULL, 10));
	n = (unsigned)strtoul(argv[2], NULL, 10);
	rate = atof(argv[3]);
	t0 = now();
	deadline = t0 + atof(argv[4]);
	cl = calloc(n, sizeof(*cl));
	ep = epoll_create1(0);
	if (!cl || ep < 0)
		return 1;
	while (done + failed < n && now() < deadline) {
		while (next < n && inflight < 256 && next < (now() - t0) * rate + 1) {
			if (start(ep, &sa, next) < 0) {
				cl[next].state = FAILED;
				failed++;
			} else {
				inflight++;
			}
			next++;
		}
		k = epoll_wait(ep, evs, 256, 2);
		for (int j = 0; j < k; j++) {
			i = evs[j].data.u32;
			st = step(ep, i);
			if (st == DONE || st == FAILED) {
				inflight--;
				st == DONE ? done++ : failed++;
				if (st == FAILED)
					epoll_ctl(ep, EPOLL_CTL_DEL, cl[i].fd, NULL);
			}
		}
	}
	printf("served %u of %u (failed %u, unfinished %u) in %.1f s\n", done, n,
	       failed, n - done - failed, now() - t0);
	fflush(stdout);
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;	/* hold until stdin closes or a signal ends us */
	return done == n ? 0 : 1;
}
