/* \summary: netcat mode: stdin to a socket, the socket to stdout, no byte lost */
#ifndef SOCKX_RELAY_H
#define SOCKX_RELAY_H

#include "../sockx.h"

/*
 * Relays stdin to the connected stream socket fd and fd to stdout, both
 * at once (neither direction waits for the other, so a peer that echoes
 * everything never deadlocks us). At the end of stdin the write side is
 * shut down (half-close) and reading goes on until the peer closes.
 * When the peer closes first, stdin that is a pipe or file is still
 * delivered; a terminal ends the relay. idle_ms: give up after that much
 * silence both ways (-1: never). hex: received bytes as a hex dump.
 * Returns an exit code: 0 when both directions ended cleanly.
 */
int relay_run(struct sockx *sx, int fd, int idle_ms, bool hex);

/*
 * Writes n bytes from the peer to stdout, the data path of netcat mode:
 * as they are, or as a dump (hex), or under --json a "received" event.
 * Returns 0, or -1 when stdout failed (errno).
 */
int relay_out(struct sockx *sx, const void *p, size_t n, bool hex);

/*
 * The level of a line about a relay (stdout carries the data): a JSON
 * event and a -v line on stderr (EV_SAY | EV_DATA), and under -q still
 * the -v line (EV_V1), as a trace.
 */
unsigned relay_level(const struct sockx *sx);

/* Sees every byte a relay moves, in order (wire verification records them). */
struct relay_tap {
	void (*sent)(void *ctx, const void *p, size_t n);	/* the kernel took them */
	void (*received)(void *ctx, const void *p, size_t n);	/* recv() returned them */
	void *ctx;
};

/* relay_run, telling tap (NULL: nobody) of the bytes sent and received. */
int relay_run_tap(struct sockx *sx, int fd, int idle_ms, bool hex,
		  const struct relay_tap *tap);

/* How a relay ended, for a caller that goes on after it (a server). */
struct relay_end {
	uint64_t sent, received;	/* bytes moved each way */
	bool stopped;			/* stop_fd became readable */
	bool stdout_done;		/* stdout failed or its reader left */
};

/*
 * relay_run for a server: also ends, quietly and with 0, when stop_fd (a
 * signalfd for SIGINT/SIGTERM, say; -1: none) becomes readable (it is not
 * read); idle_ms comes from --idle-timeout. Fills *end (not NULL).
 */
int relay_run_stop(struct sockx *sx, int fd, int idle_ms, int stop_fd,
		   struct relay_end *end);

#endif
