/*
 * \summary: the ceiling for bulk transfer: a minimal tuned sender and
 * receiver (4 MiB reads and writes), TCP on 127.0.0.1 or a Unix stream
 * socket; and "sink", a reader of stdin with 4 MiB reads.
 *
 *   bulk recv tcp|unix [PATH]      listen (TCP: 127.0.0.1, port 0), print
 *                                  "listening on ADDR", take one client,
 *                                  read until EOF, discard
 *   bulk send tcp|unix ADDR BYTES  connect, write BYTES from memory, close
 *   bulk sink BYTES                read stdin until BYTES came, then exit
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHUNK (4u << 20)

static void die(const char *what)
{
	fprintf(stderr, "bulk: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Fills a sockaddr for "tcp PORT-or-ADDR:PORT" or "unix PATH". */
static socklen_t make_addr(const char *kind, const char *where,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strcmp(kind, "unix") == 0) {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;

		u->sun_family = AF_UNIX;
		if (strlen(where) >= sizeof(u->sun_path))
			die("path too long");
		memcpy(u->sun_path, where, strlen(where) + 1);
		return sizeof(*u);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		const char *colon = where ? strrchr(where, ':') : NULL;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons((uint16_t)strtoul(colon ? colon + 1 : where ? where : "0", NULL, 10));
		return sizeof(*in);
	}
}

static int do_recv(const char *kind, const char *path)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(kind, path, &ss);
	int family = ss.ss_family, lfd, fd;
	char *buf = malloc(CHUNK);
	unsigned long long total = 0;
	ssize_t n;

	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0 || !buf)
		die("socket");
	if (family == AF_UNIX)
		unlink(path);
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 16) < 0)
		die("bind/listen");
	len = sizeof(ss);
	getsockname(lfd, (struct sockaddr *)&ss, &len);
	if (family == AF_UNIX)
		printf("listening on %s\n", path);
	else
		printf("listening on 127.0.0.1:%u\n",
		       ntohs(((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		total += (unsigned long long)n;
	}
	fprintf(stderr, "received %llu bytes\n", total);
	if (family == AF_UNIX)
		unlink(path);
	return 0;
}

static int do_send(const char *kind, const char *where, unsigned long long bytes)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(kind, where, &ss);
	char *buf = malloc(CHUNK);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	ssize_t n;

	if (fd < 0 || !buf)
		die("socket");
	memset(buf, 'x', CHUNK);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die("connect");
	while (bytes > 0) {
		n = write(fd, buf, bytes < CHUNK ? bytes : CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("write");
		bytes -= (unsigned long long)n;
	}
	close(fd);
	return 0;
}

static int do_sink(unsigned long long bytes)
{
	char *buf = malloc(CHUNK);
	ssize_t n;

	if (!buf)
		die("malloc");
	while (bytes > 0) {
		n = read(0, buf, bytes < CHUNK ? bytes : CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0) {
			fprintf(stderr, "sink: EOF with %llu bytes still due\n", bytes);
			return 1;
		}
		bytes -= (unsigned long long)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], argv[3], strtoull(argv[4], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "sink") == 0)
		return do_sink(strtoull(argv[2], NULL, 10));
	fprintf(stderr, "usage: bulk recv tcp|unix [PATH] | send tcp|unix ADDR BYTES | sink BYTES\n");
	return 2;
}
