/* \summary: the parts of the unix command: options, socket file, ancillary data */
#ifndef SOCKX_CMD_UNIX_H
#define SOCKX_CMD_UNIX_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "../cmd.h"
#include "../../core/serve.h"

#define UNIX_MAX_MSGS 64
#define UNIX_RECV_SIZE (256 * 1024)	/* default bytes per receive */
#define UNIX_MAX_FDS 253			/* SCM_MAX_FD: the kernel's limit per message */
#define UNIX_SUN_PATH sizeof(((struct sockaddr_un *)0)->sun_path)

/* Room for the most control data one message can carry: fds and credentials. */
union unix_cbuf {
	char buf[CMSG_SPACE(sizeof(int) * UNIX_MAX_FDS) + CMSG_SPACE(sizeof(struct ucred))];
	struct cmsghdr align;
};

/* The parsed command line. */
struct unix_opts {
	int type;		/* SOCK_STREAM (default), SOCK_DGRAM, SOCK_SEQPACKET */
	bool listen;		/* -l: serve on path */
	bool once, creds, hex, verify, wait_set, mode_set, timeline;
	enum serve_mode mode;
	int perm;		/* --perm: 0-0777, or -1 for 0600 */
	unsigned long max_clients;
	long long idle_ms;	/* server: --idle-timeout (may exceed an int) */
	int wait_ms;		/* client: -w */
	unsigned long recv_size;	/* bytes per receive (--recv-size) */
	const char *path;	/* NULL: the demonstration */
	const char *send_fd;	/* --send-fd FILE */
	const char *svg;	/* --svg FILE: the timeline as SVG */
	const char *msgs[UNIX_MAX_MSGS];
	int nmsgs;
	struct addr addr;	/* path as a sockaddr_un */
};

/* The socket file a server created: removed at exit only if still ours. */
struct unix_file {
	bool made;
	dev_t dev;
	ino_t ino;
	char path[UNIX_SUN_PATH + 1];
};

/* words.c */
/* "stream", "dgram", "seqpacket". */
const char *unix_type_word(int type);
/* --verify: there is no wire, and sockx says so rather than pretend. */
void unix_verify_note(struct sockx *sx);

/* path.c */
/*
 * Opens the server's socket for o (bound, listening for stream and
 * seqpacket, non-blocking). A filesystem path is made safely: an
 * existing non-socket is never touched, a live socket is "in use", a
 * stale one is replaced; the new file has mode --perm (0600) from the
 * start. Fills *f for unix_file_remove(). Returns the fd, or -code.
 */
int unix_listen(struct sockx *sx, const struct unix_opts *o, struct unix_file *f);
/* Removes the socket file in f if it is still the one we made. */
void unix_file_remove(struct sockx *sx, struct unix_file *f);

/* anc.c */
/*
 * Sends n bytes of p on fd (to dst when not NULL), with SCM_RIGHTS of
 * pass_fd (when >= 0) and SCM_CREDENTIALS (when creds) as control data.
 * A stream's short write is completed without the control data; a full
 * buffer is waited for at most timeout_ms (-1: no limit), then ETIMEDOUT.
 * Returns 0, or -1 with errno set.
 */
int unix_send(struct sockx *sx, int fd, const void *p, size_t n, int pass_fd,
	    bool creds, const struct addr *dst, int timeout_ms);

/* One received message or read: what recvmsg said. */
struct unix_rx {
	size_t len;		/* the message's real length (MSG_TRUNC) */
	size_t kept;		/* the bytes in the buffer */
	int flags;		/* msg_flags */
	struct addr from;
	struct msghdr m;
	union unix_cbuf cb;
};
/*
 * recvmsg on fd into buf (cap bytes), control data into rx (when ctl),
 * asking for the real length of a message (not for streams). flags are
 * added (MSG_DONTWAIT). Returns what recvmsg returned (errno set).
 */
ssize_t unix_recv(struct sockx *sx, int fd, int type, void *buf, size_t cap,
		struct unix_rx *rx, bool ctl, int flags);
/*
 * Shows the control data of m (fds are described, then closed) and
 * MSG_CTRUNC. fd is the socket it came on, for SO_PEERCRED. Credentials
 * are shown only with data: the empty read at the end of a stream
 * carries empty ones.
 */
void unix_show_control(struct sockx *sx, const struct unix_opts *o, int fd,
		     struct msghdr *m, bool data);
/* Shows SO_PEERCRED of the connected socket fd. */
void unix_show_peercred(struct sockx *sx, int fd);
/* Opens --send-fd FILE; returns the fd, or -code (message printed). */
int unix_open_send_fd(struct sockx *sx, const char *path);
/* Quotes n bytes for a line: "text", escaped as esc_buf does, cut short
 * with "..." to fit cap (at least 8). */
const char *unix_quote(const void *p, size_t n, char *out, size_t cap);

/* server.c, client.c, demo.c: return an exit code. */
/*
 * --timeline, --svg: an AF_UNIX timeline headed self and peer, started
 * (dgram and seqpacket: a recv takes one send). Returns an exit code.
 */
int unix_timeline(struct sockx *sx, const struct unix_opts *o, const char *self,
		  const char *peer);

int unix_serve(struct sockx *sx, struct unix_opts *o);
int unix_client(struct sockx *sx, struct unix_opts *o);
int unix_demo(struct sockx *sx, struct unix_opts *o);

#endif
