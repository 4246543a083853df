/* \summary: unix: ancillary data: descriptors (SCM_RIGHTS) and credentials */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "unix.h"

#define LINE_MAX_READ 256	/* bytes read from a received file */

const char *unix_quote(const void *p, size_t n, char *out, size_t cap)
{
	size_t o;

	/* Room left for "...", the quote and the NUL. */
	out[0] = '"';
	if (esc_buf(out + 1, cap - 5, p, n, true) < n) {
		o = strlen(out);
		memcpy(out + o, "...", 3);
		out[o + 3] = '\0';
	}
	o = strlen(out);
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* The control data of one message: SCM_RIGHTS and/or SCM_CREDENTIALS. */
static size_t build_control(union unix_cbuf *cb, int pass_fd, bool creds)
{
	struct msghdr m = { .msg_control = cb->buf, .msg_controllen = sizeof(cb->buf) };
	struct ucred uc = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
	struct cmsghdr *c;
	size_t len = 0;

	memset(cb, 0, sizeof(*cb));
	c = CMSG_FIRSTHDR(&m);
	if (pass_fd >= 0) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
		len += CMSG_SPACE(sizeof(int));
		c = CMSG_NXTHDR(&m, c);
	}
	if (creds) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(c), &uc, sizeof(uc));
		len += CMSG_SPACE(sizeof(uc));
	}
	return len;
}

static int wait_out(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int rc;

	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc;
}

int unix_send(struct sockx *sx, int fd, const void *p, size_t n, int pass_fd,
	    bool creds, const struct addr *dst, int timeout_ms)
{
	union unix_cbuf cb;
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t off = 0;
	bool first = true;
	ssize_t w;

	if (dst) {
		m.msg_name = (void *)&dst->ss;
		m.msg_namelen = dst->len;
	}
	if (pass_fd >= 0 || creds) {
		m.msg_control = cb.buf;
		m.msg_controllen = build_control(&cb, pass_fd, creds);
	}
	while (first || off < n) {
		iov.iov_base = (char *)p + off;
		iov.iov_len = n - off;
		w = sock_sendmsg(sx, fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_out(fd, timeout_ms) <= 0)
				return -1;
			continue;
		}
		if (w < 0)
			return -1;
		off += (size_t)w;
		first = false;
		m.msg_control = NULL;	/* the rest of a stream goes plain */
		m.msg_controllen = 0;
	}
	return 0;
}

ssize_t unix_recv(struct sockx *sx, int fd, int type, void *buf, size_t cap,
		struct unix_rx *rx, bool ctl, int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	ssize_t n;

	memset(&rx->m, 0, sizeof(rx->m));
	memset(&rx->from, 0, sizeof(rx->from));
	rx->m.msg_name = &rx->from.ss;
	rx->m.msg_namelen = sizeof(rx->from.ss);
	rx->m.msg_iov = &iov;
	rx->m.msg_iovlen = 1;
	if (ctl) {
		rx->m.msg_control = rx->cb.buf;
		rx->m.msg_controllen = sizeof(rx->cb.buf);
	}
	/* MSG_TRUNC: a message's real length, even when it did not fit. */
	if (type != SOCK_STREAM)
		flags |= MSG_TRUNC;
	do {
		n = sock_recvmsg(sx, fd, &rx->m, flags | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	rx->m.msg_iov = NULL;	/* iov lives on this stack frame only */
	rx->m.msg_iovlen = 0;
	if (n < 0)
		return n;
	rx->from.len = rx->m.msg_namelen;
	rx->from.ss.ss_family = AF_UNIX;	/* an unnamed sender leaves it 0: "(unnamed)" */
	rx->len = (size_t)n;
	rx->kept = (size_t)n < cap ? (size_t)n : cap;
	rx->flags = rx->m.msg_flags;
	return n;
}

static const char *kind(mode_t m)
{
	if (S_ISREG(m))
		return "regular file";
	if (S_ISDIR(m))
		return "directory";
	if (S_ISFIFO(m))
		return "FIFO";
	if (S_ISSOCK(m))
		return "socket";
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	return "other";
}

/*
 * Whether mount mnt_id is a local filesystem (in memory, or on a local
 * block device), where a read ends by itself, soon: from
 * /proc/self/mountinfo, without a call into the filesystem itself
 * (statfs on FUSE asks its daemon, which may not answer). FUSE, NFS, CIFS
 * and the like are not on the list: the sender may control their server.
 */
static bool local_fs(uint64_t mnt_id)
{
	static const char *const local[] = {
		"tmpfs", "ramfs", "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs",
		"overlay", "vfat", "exfat", "squashfs", "iso9660", "erofs",
	};
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], *dash, type[32];
	unsigned long long id;
	bool ok = false;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu", &id) != 1 || id != mnt_id || !strchr(line, '\n'))
			continue;
		dash = strstr(line, " - ");
		if (dash && sscanf(dash + 3, "%31s", type) == 1)
			for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
				ok = ok || strcmp(type, local[i]) == 0;
		break;
	}
	if (f)
		fclose(f);
	return ok;
}

/*
 * The first line of a received regular file, from its start without
 * moving the shared offset, read only if that cannot wait on someone
 * else: the server serves everyone from one loop, and the sender chose
 * the file. The page cache answers RWF_NOWAIT at once; a local
 * filesystem (where RWF_NOWAIT may be missing or the data not cached)
 * is read as usual, which ends by itself. Anything else (a FIFO, a
 * socket, a device, a FUSE or network file) is not read.
 */
static ssize_t first_line(int fd, const struct statx *st, char *buf, size_t cap)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	char *nl;
	ssize_t n;

	if (!S_ISREG(st->stx_mode))
		return -1;
	n = preadv2(fd, &iov, 1, 0, RWF_NOWAIT);
	if (n < 0 && (errno == EOPNOTSUPP || errno == EAGAIN) &&
	    (st->stx_mask & STATX_MNT_ID) && local_fs(st->stx_mnt_id))
		n = pread(fd, buf, cap, 0);
	if (n <= 0)
		return n;
	nl = memchr(buf, '\n', (size_t)n);
	return nl ? nl - buf : n;
}

/*
 * Names a received descriptor: its path (/proc/self/fd), type, inode and
 * size, as the kernel has them cached (AT_STATX_DONT_SYNC: a FUSE or NFS
 * file is not asked). Nothing here waits on the sender.
 */
static void describe_fd(struct sockx *sx, const struct unix_opts *o, int fd)
{
	char link[512] = "?", proc[64], line[LINE_MAX_READ], q[4 * LINE_MAX_READ];
	bool read_it = o->mode == MODE_ECHO || o->mode == MODE_UPPER;
	struct statx st;
	ssize_t n = -1, ln;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ln = readlink(proc, link, sizeof(link) - 1);
	link[ln > 0 ? ln : 1] = '\0';
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MNT_ID, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (read_it)
		n = first_line(fd, &st, line, sizeof(line));
	EMIT(sx, unix_fd_received, .fd = fd, .path = EV_STRING(link), .type = kind(st.stx_mode),
	     .inode = (long long)st.stx_ino,
	     .size = S_ISREG(st.stx_mode) ? (long long)st.stx_size : EV_NONE,
	     .line = n >= 0 ? EV_BYTES(line, (size_t)n) : EV_BYTES(NULL, 0),
	     .quoted = n >= 0 ? unix_quote(line, (size_t)n, q, sizeof(q)) : NULL);
	sock_close(sx, fd);
}

static void show_rights(struct sockx *sx, const struct unix_opts *o, const struct cmsghdr *c)
{
	size_t i, n;
	int fd;

	if (c->cmsg_len < CMSG_LEN(0))
		return;
	n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	for (i = 0; i < n; i++) {
		memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		describe_fd(sx, o, fd);
	}
}

/* SO_PEERCRED of fd into *uc; returns 0 or -1. */
static int peercred(struct sockx *sx, int fd, struct ucred *uc)
{
	socklen_t len = sizeof(*uc);

	return sock_getopt_buf(sx, fd, SOL_SOCKET, SO_PEERCRED, "SO_PEERCRED", uc, &len);
}

static void show_creds(struct sockx *sx, const struct unix_opts *o, int fd,
		       const struct cmsghdr *c)
{
	struct ucred uc, pc;
	bool peer;

	if (c->cmsg_len < CMSG_LEN(sizeof(uc)))
		return;
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	/* An unconnected datagram socket has no peer, so no SO_PEERCRED. */
	peer = o->type != SOCK_DGRAM && peercred(sx, fd, &pc) == 0;
	EMIT(sx, unix_credentials, .pid = uc.pid, .uid = uc.uid, .gid = uc.gid,
	     .peer_pid = peer ? pc.pid : EV_NONE, .peer_uid = peer ? pc.uid : EV_NONE,
	     .peer_gid = peer ? pc.gid : EV_NONE);
}

void unix_show_control(struct sockx *sx, const struct unix_opts *o, int fd,
		     struct msghdr *m, bool data)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS)
			show_rights(sx, o, c);
		else if (c->cmsg_type == SCM_CREDENTIALS && data)
			show_creds(sx, o, fd, c);
	}
	if (m->msg_flags & MSG_CTRUNC)
		warn_msg(sx, "control data cut short (MSG_CTRUNC): descriptors or"
			 " credentials that did not fit were lost");
}

void unix_show_peercred(struct sockx *sx, int fd)
{
	struct ucred pc;

	if (peercred(sx, fd, &pc) < 0) {
		warn_msg(sx, "getsockopt SO_PEERCRED: %s", strerror(errno));
		return;
	}
	EMIT(sx, unix_peercred, .fd = fd, .pid = pc.pid, .uid = pc.uid, .gid = pc.gid);
}

int unix_open_send_fd(struct sockx *sx, const char *path)
{
	/* O_NONBLOCK: a FIFO opens at once, and a reader never hangs on it. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -fail_errno(sx, "cannot open '%s' (--send-fd)", path);
	trace(sx, 1, "open(\"%s\", O_RDONLY) = %d: the descriptor to pass", path, fd);
	return fd;
}
