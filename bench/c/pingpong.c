/*
 * \summary: a ping-pong client: one 64-byte message out, its echo back,
 * again and again for a while; prints round trips per second and the
 * latency percentiles.
 *
 *   pingpong tcp|udp PORT [SECONDS [SIZE]]
 *   pingpong unix PATH [SECONDS [SIZE]]
 *
 * Each message is framed as sockperf frames its own (a 14-byte header:
 * sequence number, flags CLIENT|PONG_REQUEST, length; all big-endian),
 * so sockperf's server answers it as it answers sockperf's client; a
 * plain echo server returns it unchanged. Only the size of the answer is
 * checked. Output: "roundtrips N seconds S rate R p50_us A p99_us B
 * timeouts T".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4000000
#define WARMUP 1000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int connect_to(const char *kind, const char *where)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	struct timeval tv = { 1, 0 };
	socklen_t len;
	int fd, one = 1, udp = strcmp(kind, "udp") == 0;

	memset(&ss, 0, sizeof(ss));
	if (strcmp(kind, "unix") == 0) {
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", where);
		len = sizeof(*un);
	} else {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons((uint16_t)strtoul(where, NULL, 10));
		len = sizeof(*in);
	}
	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("pingpong: connect");
		exit(1);
	}
	if (strcmp(kind, "tcp") == 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A sockperf frame: seq (8), flags (2), length (4), then payload. */
static void frame(unsigned char *m, size_t size, uint64_t seq)
{
	uint64_t s = seq;
	int i;

	for (i = 7; i >= 0; i--, s >>= 8)
		m[i] = (unsigned char)s;
	m[8] = 0;
	m[9] = 3;	/* MASK_CLIENT | MASK_PONG */
	m[10] = (unsigned char)(size >> 24);
	m[11] = (unsigned char)(size >> 16);
	m[12] = (unsigned char)(size >> 8);
	m[13] = (unsigned char)size;
}

/* One round trip; returns 0, or -1 on a timeout (UDP) or error. */
static int round_trip(int fd, unsigned char *m, unsigned char *r, size_t size)
{
	size_t got = 0;
	ssize_t n;

	if (send(fd, m, size, MSG_NOSIGNAL) != (ssize_t)size)
		return -1;
	while (got < size) {
		n = recv(fd, r + got, size - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 3 ? atof(argv[3]) : 1.0;
	size_t size = argc > 4 ? (size_t)strtoul(argv[4], NULL, 10) : 64, k = 0;
	unsigned char m[65536], r[65536];
	uint32_t *lat = malloc(MAX_SAMPLES * sizeof(*lat));
	uint64_t seq = 0, t0, t1, start, end, timeouts = 0;
	int fd;

	if (argc < 3 || size < 14 || size > sizeof(m) || !lat) {
		fprintf(stderr, "usage: pingpong tcp|udp|unix PORT|PATH [SECONDS [SIZE]]\n");
		return 2;
	}
	fd = connect_to(argv[1], argv[2]);
	memset(m, 'p', sizeof(m));
	for (seq = 0; seq < WARMUP; seq++) {
		frame(m, size, seq);
		if (round_trip(fd, m, r, size) < 0 && errno != EAGAIN)
			goto broken;
	}
	start = now_ns();
	end = start + (uint64_t)(secs * 1e9);
	do {
		frame(m, size, ++seq);
		t0 = now_ns();
		if (round_trip(fd, m, r, size) < 0) {
			if (errno != EAGAIN)
				goto broken;
			timeouts++;
		}
		t1 = now_ns();
		if (k < MAX_SAMPLES)
			lat[k++] = (uint32_t)((t1 - t0) > UINT32_MAX ? UINT32_MAX : t1 - t0);
	} while (t1 < end);
	qsort(lat, k, sizeof(*lat), cmp_u32);
	printf("roundtrips %zu seconds %.3f rate %.0f p50_us %.2f p99_us %.2f timeouts %llu\n",
	       k, (t1 - start) / 1e9, k / ((t1 - start) / 1e9),
	       lat[k / 2] / 1e3, lat[k * 99 / 100] / 1e3, (unsigned long long)timeouts);
	return 0;
broken:
	perror("pingpong: round trip");
	return 1;
}
