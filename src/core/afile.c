/*
 * \summary: a whole file written at once, atomically when it is a regular
 * file (the rules of --pcap, capture/source.c, for a file made in memory)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "../sockx.h"

static const char *refusal(mode_t m, bool link)
{
	if (S_ISDIR(m))
		return "it is a directory";
	if (link)
		return "it is a symbolic link: name the file it points to";
	if (S_ISBLK(m))
		return "it is a block device: sockx will not write there";
	return "it is not a regular file, a FIFO or a character device";
}

enum afile_how afile_plan(const char *path, int *mode, const char **why)
{
	struct stat st, target;
	bool link;

	*mode = -1;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? AFILE_ATOMIC : AFILE_REFUSED;
	if (S_ISREG(st.st_mode)) {
		*mode = (int)(st.st_mode & 0777);
		return AFILE_ATOMIC;
	}
	link = S_ISLNK(st.st_mode);
	if (link && stat(path, &target) < 0)
		return AFILE_REFUSED;	/* a dangling link: errno from stat */
	if (link)
		st = target;
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
		return AFILE_DIRECT;
	*why = refusal(st.st_mode, link);
	errno = S_ISDIR(st.st_mode) ? EISDIR : EEXIST;
	return AFILE_REFUSED;
}

/*
 * "dir/.name.XXXXXX" beside path, created exclusively. With mode 0666 the
 * umask applies as to any new file (no umask() call: it would change the
 * process's for a moment); replacing a file, it gets that file's mode.
 * Returns the fd, or -1 with errno.
 */
static int create_tmp(const char *path, int mode, char *tmp, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path) + 1 : 0, fd = -1, k, err;
	unsigned seed = (unsigned)getpid() ^ (unsigned)(now_mono() * 1e9);

	for (k = 0; k < 100 && fd < 0; k++) {
		seed = seed * 1103515245u + 12345u;
		if ((size_t)snprintf(tmp, cap, "%.*s.%s.%06x", dlen, path,
				     slash ? slash + 1 : path, seed >> 8 & 0xffffff) >= cap) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd >= 0 && mode >= 0 && fchmod(fd, (mode_t)mode) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	return fd;
}

int afile_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) :
		strdup(".");
	int fd, rc = -1, err;

	if (!dir)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		err = errno;
		close(fd);
		errno = err;
	}
	free(dir);
	return rc;
}

int afile_still_replaceable(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISREG(st.st_mode))
		return 0;
	errno = EEXIST;		/* it became something else meanwhile */
	return -1;
}

/* fill into f, flushed (and synced), f closed either way. 0, or errno. */
static int fill_close(FILE *f, afile_fill fill, void *ctx, bool sync)
{
	int err = 0;

	if (fill(f, ctx) < 0)
		err = errno ? errno : EIO;
	if (!err && fflush(f) == EOF)
		err = errno ? errno : EIO;
	if (!err && sync && fsync(fileno(f)) < 0)
		err = errno;
	if (fclose(f) == EOF && !err)
		err = errno ? errno : EIO;
	return err;
}

/*
 * Through a temporary file, renamed over path. SIGINT, SIGTERM and SIGHUP
 * wait meanwhile (the content is made already: milliseconds), so that
 * none of them ends the process between the temporary's creation and its
 * rename or removal and leaves it behind; they act right after.
 */
static int write_atomic(const char *path, int mode, afile_fill fill, void *ctx)
{
	char tmp[4096];
	sigset_t block, old;
	FILE *f;
	int fd, err = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	fd = create_tmp(path, mode, tmp, sizeof(tmp));
	f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f)
		err = errno;
	if (!f && fd >= 0)
		close(fd);
	if (f)
		err = fill_close(f, fill, ctx, true);
	if (f && !err && (afile_still_replaceable(path) < 0 || rename(tmp, path) < 0))
		err = errno;
	if (fd >= 0 && err)
		unlink(tmp);
	if (!err && afile_sync_dir(path) < 0)
		err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return err ? -1 : 0;
}

/* Into a FIFO or a device; a FIFO nobody reads is refused (ENXIO) at once. */
static int write_direct(const char *path, afile_fill fill, void *ctx, const char **why)
{
	FILE *f;
	int fd, fl, err;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO)
		*why = "a FIFO with no reader";
	if (fd < 0)
		return -1;
	fl = fcntl(fd, F_GETFL);
	f = fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	err = fill_close(f, fill, ctx, false);
	errno = err;
	return err ? -1 : 0;
}

int afile_write(const char *path, afile_fill fill, void *ctx, const char **why)
{
	const char *w = NULL;
	int mode, rc = -1;

	if (strcmp(path, "-") == 0) {	/* standard output, as it is */
		rc = fill(stdout, ctx);
		if (fflush(stdout) == EOF || ferror(stdout)) {
			if (!errno)
				errno = EIO;
			rc = -1;
		}
		if (why)
			*why = NULL;
		return rc;
	}
	switch (afile_plan(path, &mode, &w)) {
	case AFILE_ATOMIC:
		rc = write_atomic(path, mode, fill, ctx);
		break;
	case AFILE_DIRECT:
		rc = write_direct(path, fill, ctx, &w);
		break;
	case AFILE_REFUSED:
		break;
	}
	if (why)
		*why = rc < 0 ? w : NULL;
	return rc;
}
