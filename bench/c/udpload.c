/*
 * \summary: UDP echo capacity: keeps INFLIGHT datagrams outstanding
 * against 127.0.0.1:PORT for SECONDS and counts the echoes.
 *
 *   udpload PORT [INFLIGHT [SECONDS [SIZE]]]
 *
 * Each datagram carries its sequence number; an echo refills the
 * window. A datagram with no echo after 200 ms is counted lost and
 * replaced. Output: "sent S echoed E lost L seconds T rate R".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXWIN 1024

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned win = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 32;
	double secs = argc > 3 ? atof(argv[3]) : 1.0, t0, end, t;
	size_t size = argc > 4 ? (size_t)strtoul(argv[4], NULL, 10) : 64;
	uint64_t slot_seq[MAXWIN], seq = 0, sent = 0, echoed = 0, lost = 0, s;
	double slot_t[MAXWIN];
	unsigned char m[2048], r[2048];
	struct pollfd p;
	unsigned i;
	ssize_t n;
	int fd;

	if (argc < 2 || win < 1 || win > MAXWIN || size < 8 || size > sizeof(m)) {
		fprintf(stderr, "usage: udpload PORT [INFLIGHT [SECONDS [SIZE]]]\n");
		return 2;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)strtoul(argv[1], NULL, 10));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	memset(m, 'u', sizeof(m));
	t0 = now();
	end = t0 + secs;
	for (i = 0; i < win; i++) {	/* slot i carries seq = i mod win */
		slot_seq[i] = seq;
		memcpy(m, &seq, 8);
		seq++;
		slot_t[i] = t0;
		if (send(fd, m, size, 0) == (ssize_t)size)
			sent++;
	}
	p.fd = fd;
	p.events = POLLIN;
	while ((t = now()) < end + 0.2) {
		n = recv(fd, r, sizeof(r), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN) {
			for (i = 0; i < win; i++) {	/* expire the silent */
				if (slot_seq[i] != UINT64_MAX && t - slot_t[i] > 0.2) {
					lost++;
					slot_seq[i] = UINT64_MAX;
				}
			}
			poll(&p, 1, 10);
			if (t >= end)
				continue;
			for (i = 0; i < win; i++) {
				if (slot_seq[i] != UINT64_MAX)
					continue;
				slot_seq[i] = seq;
				memcpy(m, &seq, 8);
				m[8] = (unsigned char)i;
				seq++;
				slot_t[i] = t;
				if (send(fd, m, size, 0) == (ssize_t)size)
					sent++;
			}
			continue;
		}
		if (n < 8)
			continue;
		memcpy(&s, r, 8);
		for (i = 0; i < win && slot_seq[i] != s; i++)
			;
		if (i == win)
			continue;	/* late, already counted lost */
		echoed++;
		slot_seq[i] = UINT64_MAX;
		if (t >= end)
			continue;
		slot_seq[i] = seq;
		memcpy(m, &seq, 8);
		seq++;
		slot_t[i] = t;
		if (send(fd, m, size, 0) == (ssize_t)size)
			sent++;
	}
	for (i = 0; i < win; i++)
		if (slot_seq[i] != UINT64_MAX)
			lost++;
	printf("sent %llu echoed %llu lost %llu seconds %.3f rate %.0f\n",
	       (unsigned long long)sent, (unsigned long long)echoed,
	       (unsigned long long)lost, secs, echoed / secs);
	return 0;
}
