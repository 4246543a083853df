/* \summary: unix: the server's socket file: born 0600, and nothing else ever removed */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unix.h"

static const char *file_type(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a socket";
}

/*
 * Is a socket bound to the socket file at o->path? A datagram socket
 * asks without disturbing anybody: connect() succeeds on a live datagram
 * socket, fails with EPROTOTYPE on a live socket of another type (no
 * connection is made, so a stream server sees nothing), and with
 * ECONNREFUSED when no socket is bound to the file: it is stale.
 * Returns EXIT_OK for stale, else an exit code (message printed).
 */
static int probe(struct sockx *sx, const struct unix_opts *o)
{
	int fd, rc, err;

	trace(sx, 1, "'%s' is a socket file: is it live? (asked with a datagram connect)", o->path);
	fd = sock_socket(sx, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_open(sx, "socket");
	rc = sock_connect(sx, fd, &o->addr);
	err = errno;
	sock_close(sx, fd);
	if (rc == 0 || err == EPROTOTYPE || err == EPERM) {
		fail(sx, EXIT_FAIL, "'%s' is in use: a live %s socket is bound to it",
		     o->path, err == EPROTOTYPE ? "stream or seqpacket" : "datagram");
		hint(sx, "stop that server first, or choose another path");
		return EXIT_FAIL;
	}
	if (err == ECONNREFUSED)
		return EXIT_OK;
	errno = err;
	return fail_errno(sx, "cannot tell whether '%s' is in use", o->path);
}

/* Makes o->path free for bind: absent, or a stale socket file removed. */
static int clear_path(struct sockx *sx, const struct unix_opts *o)
{
	struct stat st, now;
	int rc;

	if (lstat(o->path, &st) < 0) {
		if (errno == ENOENT)
			return EXIT_OK;
		return fail_errno(sx, "cannot check '%s'", o->path);
	}
	if (!S_ISSOCK(st.st_mode)) {
		fail(sx, EXIT_FAIL, "'%s' exists and is %s: leaving it alone",
		     o->path, file_type(st.st_mode));
		hint(sx, "choose another path; sockx replaces only stale socket files");
		return EXIT_FAIL;
	}
	rc = probe(sx, o);
	if (rc != EXIT_OK)
		return rc;
	/* Remove only the very file that was probed. */
	if (lstat(o->path, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino)
		return fail(sx, EXIT_FAIL, "'%s' changed while it was checked: leaving it alone", o->path);
	rc = unlink(o->path);
	sock_trace(sx, 1, "unlink", rc, errno, "\"%s\"", o->path);
	if (rc < 0)
		return fail_errno(sx, "cannot remove the stale socket file '%s'", o->path);
	if (!event_shows(sx, EV_JSON))	/* a warning, never JSON: and under --json none */
		warn_msg(sx, "replaced the stale socket file '%s' (no socket was bound to it)", o->path);
	return EXIT_OK;
}

/* Remembers the file bind made, so that exit removes that one only. */
static void remember(struct sockx *sx, const char *path, struct unix_file *f)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	f->made = true;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	snprintf(f->path, sizeof(f->path), "%s", path);
	trace(sx, 1, "'%s': socket file, mode 0%03o", path, (unsigned)(st.st_mode & 07777));
}

int unix_listen(struct sockx *sx, const struct unix_opts *o, struct unix_file *f)
{
	struct listen_opts lo = { .backlog = 4096, .v6only = -1, .nonblock = true };
	struct addr a = o->addr;
	bool file = o->path[0] != '@';
	mode_t mask = (mode_t)(~(o->perm >= 0 ? o->perm : 0600) & 0777), old = 0;
	const char *failed;
	int fd, err, rc;

	memset(f, 0, sizeof(*f));
	if (file) {
		rc = clear_path(sx, o);
		if (rc != EXIT_OK)
			return -rc;
		/* bind() creates the file with 0777 & ~umask: its final mode, at once. */
		old = umask(mask);
		trace(sx, 1, "umask(0%03o) = 0%03o: the socket file is born mode 0%03o",
		      (unsigned)mask, (unsigned)old, (unsigned)(0777 & ~mask));
	}
	fd = sock_listener(sx, &a, o->type, &lo, &failed);
	err = errno;
	if (file)
		umask(old);
	if (fd >= 0) {
		if (file)
			remember(sx, o->path, f);
		return fd;
	}
	errno = err;
	if (err == EADDRINUSE) {
		fail(sx, EXIT_FAIL, "'%s' is in use: %s", o->path, file ?
		     "it appeared while sockx was starting" :
		     "another socket is bound to that abstract name");
		return -EXIT_FAIL;
	}
	if (strcmp(failed, "socket") == 0)
		return -fail_open(sx, "socket");
	return -fail_errno(sx, "%s '%s'", failed, o->path);
}

void unix_file_remove(struct sockx *sx, struct unix_file *f)
{
	struct stat st;
	int rc;

	if (!f->made)
		return;
	f->made = false;
	if (lstat(f->path, &st) < 0) {
		trace(sx, 1, "'%s' is already gone", f->path);
		return;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_dev != f->dev || st.st_ino != f->ino) {
		warn_msg(sx, "'%s' is no longer our socket file: leaving it alone", f->path);
		return;
	}
	rc = unlink(f->path);
	sock_trace(sx, 1, "unlink", rc, errno, "\"%s\"", f->path);
	if (rc < 0)
		warn_msg(sx, "cannot remove '%s': %s", f->path, strerror(errno));
}
