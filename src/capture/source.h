/*
 * \summary: libpcap underneath: a live interface or a savefile, a BPF
 * filter, packets one by one with a deadline, and pcap files written
 * whole or not at all
 */
#ifndef SOCKX_CAPTURE_SOURCE_H
#define SOCKX_CAPTURE_SOURCE_H

#include <pcap/pcap.h>

#include "../sockx.h"

#define CAPTURE_SNAPLEN 262144		/* whole packets, GSO super-packets too */
#define CAPTURE_RING (32u << 20)	/* kernel ring: room for a burst */

/* An open capture: libpcap's handle and what we learnt of it. */
struct capture_src {
	pcap_t *p;
	int dlt;		/* pcap_datalink() */
	bool live;
	int fd;			/* pollable (live), else -1 */
	char name[256];		/* interface or file */
	char err[PCAP_ERRBUF_SIZE + 64];	/* the last error, as text */
	unsigned drop_base;	/* drops before capture_src_settle */
	bool nano;		/* timestamps in nanoseconds (ts.tv_usec holds them) */
	double empty_at;	/* monotonic s before the last read that found
				   the ring empty: every packet stamped before
				   it was read */
};

/*
 * Opens interface iface live: pcap_create, whole packets, immediate mode,
 * a ring of ring bytes, CAP_NET_RAW raised only around pcap_activate(),
 * non-blocking. Returns 0, or -1 with errno set (EPERM: not permitted,
 * ENODEV: no such interface, ENETDOWN: it is down, EIO: other) and
 * s->err saying why.
 */
int capture_src_live(struct capture_src *s, const char *iface, unsigned ring);

/*
 * capture_src_live with packets cut at snaplen bytes (0: CAPTURE_SNAPLEN).
 * In immediate mode libpcap on Linux uses TPACKET_V2, one snaplen-sized
 * slot per packet (on lo: 262144 bytes, 128 packets in a 32 MiB ring), so
 * a flow whose packets are known to be small gets many more slots.
 */
int capture_src_live_snap(struct capture_src *s, const char *iface,
			  unsigned ring, unsigned snaplen);

/*
 * capture_src_live_snap, with nanosecond timestamps when nano and
 * libpcap and the kernel allow (s->nano says; else microseconds).
 */
int capture_src_live_ts(struct capture_src *s, const char *iface,
			unsigned ring, unsigned snaplen, bool nano);

/* Opens a savefile (pcap or pcapng). Returns 0, or -1, errno and s->err. */
int capture_src_file(struct capture_src *s, const char *path);

/* Compiles and sets a BPF filter. Returns 0, or -1 (EINVAL) and s->err. */
int capture_src_filter(struct capture_src *s, const char *bpf);

/*
 * The next packet: 1 and *h, *data (valid until the next call); 0 when
 * timeout_ms passed with none (live; -1 waits forever) or, with wake_fd
 * >= 0, when wake_fd became readable; -2 at the end of a file; -1 on an
 * error (s->err).
 */
int capture_src_next(struct capture_src *s, int timeout_ms, int wake_fd,
		     struct pcap_pkthdr **h, const uint8_t **data);

/*
 * Live, once the filter is set and before the flow's first packet:
 * discards what the ring took in before the filter (other traffic, or
 * traffic that matched it earlier), so the flow's packets find room,
 * and counts no drop from before this call in capture_src_stats. On a
 * busy interface the ring fills with everything between pcap_activate()
 * and pcap_setfilter(); those drops are not the flow's.
 */
void capture_src_settle(struct capture_src *s);

/* Packets received and dropped (kernel ring and interface) since
 * capture_src_settle (or since opening). Live only. */
int capture_src_stats(struct capture_src *s, unsigned *recv, unsigned *drop);

void capture_src_close(struct capture_src *s);

/* A pcap file being written: a temporary beside the target, or direct. */
struct capture_dump {
	pcap_dumper_t *d;
	char *path, *tmp;	/* tmp: NULL when written directly */
	bool direct;		/* a FIFO or a character device */
	int err;		/* first write error (errno), or 0 */
};

/*
 * Starts writing what s captures to path. A regular file, or a name
 * that does not exist, is written as a temporary file in the same
 * directory (the old file's mode, or as the umask allows for a new
 * one), renamed over path by capture_dump_commit only; a SIGINT or
 * SIGTERM left at its default action removes the temporary file first.
 * A FIFO or a character device (/dev/stdout, /dev/null) is written
 * directly, never replaced; a FIFO nobody reads is refused (ENXIO).
 * A directory, a block device, a socket or a symbolic link to anything
 * but a FIFO or a device is refused. Returns 0, or -1 with errno set
 * and s->err saying why (the reason alone, without path).
 */
int capture_dump_open(struct capture_dump *d, struct capture_src *s,
		      const char *path);
void capture_dump_write(struct capture_dump *d, const struct pcap_pkthdr *h,
			const uint8_t *data);
/*
 * Flushes; a temporary file is synced, renamed into place (unless path
 * became something else than a regular file meanwhile: EEXIST), and its
 * directory synced. Returns 0, or -1 with errno (the temporary file
 * removed, path untouched).
 */
int capture_dump_commit(struct capture_dump *d);
/* Removes the temporary file (or closes the direct one); path untouched. */
void capture_dump_abort(struct capture_dump *d);

#endif
