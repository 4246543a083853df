/* \summary: libpcap live and offline handles, filters, and atomic pcap files */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/priv.h"
#include "source.h"
#include "../core/afile.h"

static void seterr(struct capture_src *s, const char *what, const char *why)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what, why);
}

/* errno for a pcap_activate() result (pcap_activate(3PCAP)). */
static int activate_errno(int rc)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED: return EPERM;
	case PCAP_ERROR_NO_SUCH_DEVICE: return ENODEV;
	case PCAP_ERROR_IFACE_NOT_UP: return ENETDOWN;
	default: return EIO;
	}
}

/* pcap_create, then everything that must precede activation. */
static int prepare(struct capture_src *s, const char *iface, unsigned ring,
		   unsigned snaplen, bool nano)
{
	char eb[PCAP_ERRBUF_SIZE] = "";

	s->p = pcap_create(iface, eb);
	if (!s->p) {
		seterr(s, "pcap_create", eb);
		errno = ENODEV;
		return -1;
	}
	/* Without immediate mode Linux hands packets over in blocks, up to a
	 * second late: a capture stopped after the exchange would miss them. */
	if (pcap_set_snaplen(s->p, (int)snaplen) != 0 ||
	    pcap_set_immediate_mode(s->p, 1) != 0 ||
	    pcap_set_buffer_size(s->p, (int)ring) != 0 ||
	    pcap_set_timeout(s->p, 100) != 0) {
		seterr(s, "pcap_set", pcap_geterr(s->p));
		errno = EIO;
		return -1;
	}
	/* Nanoseconds where libpcap and the kernel have them; else micro. */
	if (nano)
		(void)pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_NANO);
	return 0;
}

int capture_src_live(struct capture_src *s, const char *iface, unsigned ring)
{
	return capture_src_live_snap(s, iface, ring, 0);
}

int capture_src_live_snap(struct capture_src *s, const char *iface,
			  unsigned ring, unsigned snaplen)
{
	return capture_src_live_ts(s, iface, ring, snaplen, false);
}

int capture_src_live_ts(struct capture_src *s, const char *iface,
			unsigned ring, unsigned snaplen, bool nano)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	int rc, err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->live = true;
	snprintf(s->name, sizeof(s->name), "%s", iface);
	if (prepare(s, iface, ring, snaplen ? snaplen : CAPTURE_SNAPLEN, nano) < 0)
		goto fail;
	if (priv_raise(PRIV_RAW) < 0) {
		snprintf(s->err, sizeof(s->err), "missing CAP_NET_RAW");
		goto fail;
	}
	rc = pcap_activate(s->p);
	priv_lower(PRIV_RAW);
	if (rc < 0) {
		seterr(s, "pcap_activate", pcap_geterr(s->p));
		errno = activate_errno(rc);
		goto fail;
	}
	if (pcap_setnonblock(s->p, 1, eb) < 0) {
		seterr(s, "pcap_setnonblock", eb);
		errno = EIO;
		goto fail;
	}
	s->dlt = pcap_datalink(s->p);
	s->fd = pcap_get_selectable_fd(s->p);
	s->nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
	return 0;
fail:
	err = errno;
	capture_src_close(s);
	errno = err;
	return -1;
}

int capture_src_file(struct capture_src *s, const char *path)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->name, sizeof(s->name), "%s", path);
	f = fopen(path, "rb");	/* fopen first: errno says why, not only text */
	if (!f) {
		seterr(s, path, strerror(errno));
		return -1;
	}
	s->p = pcap_fopen_offline(f, eb);
	if (!s->p) {
		fclose(f);
		seterr(s, path, eb);
		errno = EINVAL;
		return -1;
	}
	s->dlt = pcap_datalink(s->p);
	return 0;
}

int capture_src_filter(struct capture_src *s, const char *bpf)
{
	struct bpf_program prog;

	if (pcap_compile(s->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		seterr(s, "bad filter", pcap_geterr(s->p));
		errno = EINVAL;
		return -1;
	}
	if (pcap_setfilter(s->p, &prog) < 0) {
		seterr(s, "pcap_setfilter", pcap_geterr(s->p));
		pcap_freecode(&prog);
		errno = EIO;
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Waits for the capture or wake_fd; 1 capture, 0 timeout or wake, -1 error. */
static int wait_ready(struct capture_src *s, int timeout_ms, int wake_fd)
{
	struct pollfd p[2] = { { s->fd, POLLIN, 0 }, { wake_fd, POLLIN, 0 } };
	int rc;

	do {
		rc = poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		seterr(s, "poll", strerror(errno));
		return -1;
	}
	if (rc == 0 || (p[1].revents && !p[0].revents))
		return 0;
	return 1;
}

int capture_src_next(struct capture_src *s, int timeout_ms, int wake_fd,
		     struct pcap_pkthdr **h, const uint8_t **data)
{
	int rc;

	for (;;) {
		double t = now_mono();

		rc = pcap_next_ex(s->p, h, data);
		if (rc == 1)
			return 1;
		if (rc == 0)
			s->empty_at = t;
		if (rc == PCAP_ERROR_BREAK)
			return -2;
		if (rc < 0) {
			seterr(s, "pcap_next_ex", pcap_geterr(s->p));
			return -1;
		}
		if (!s->live)	/* 0 from a savefile: nothing more */
			return -2;
		rc = wait_ready(s, timeout_ms, wake_fd);
		if (rc <= 0)
			return rc;
		timeout_ms = 0;	/* readable now: one more try, no second wait */
	}
}

void capture_src_settle(struct capture_src *s)
{
	struct pcap_pkthdr *h;
	const uint8_t *data;
	struct pcap_stat st;
	double end = now_mono() + 1.0;
	unsigned long n;

	if (!s->live)
		return;
	/* non-blocking: 0 once the ring is empty; bounded in count and time */
	for (n = 0; n < 4000000 && pcap_next_ex(s->p, &h, &data) == 1; n++)
		if (n % 4096 == 4095 && now_mono() > end)
			break;
	if (pcap_stats(s->p, &st) == 0)
		s->drop_base = st.ps_drop + st.ps_ifdrop;
}

int capture_src_stats(struct capture_src *s, unsigned *recv, unsigned *drop)
{
	struct pcap_stat st;

	*recv = *drop = 0;
	if (!s->live || pcap_stats(s->p, &st) < 0)
		return -1;
	*recv = st.ps_recv;
	*drop = st.ps_drop + st.ps_ifdrop - s->drop_base;
	return 0;
}

void capture_src_close(struct capture_src *s)
{
	if (s->p)
		pcap_close(s->p);
	s->p = NULL;
	s->fd = -1;
}

/*
 * Temporary files to remove if SIGINT or SIGTERM ends the process: a
 * handler may only unlink and re-raise (async-signal-safe), so the
 * paths live in static storage.
 */
#define MAX_TMP 4
static char tmp_paths[MAX_TMP][PATH_MAX];
static volatile sig_atomic_t tmp_used[MAX_TMP];

static void on_signal(int sig)
{
	int i;

	for (i = 0; i < MAX_TMP; i++)
		if (tmp_used[i])
			unlink(tmp_paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Registers path for removal on a fatal signal (if those are at default). */
static void guard(const char *path)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;
	int k;

	for (k = 0; k < MAX_TMP && tmp_used[k]; k++)
		;
	if (k == MAX_TMP || strlen(path) >= PATH_MAX)
		return;
	memcpy(tmp_paths[k], path, strlen(path) + 1);
	tmp_used[k] = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

static void unguard(const char *path)
{
	int k;

	for (k = 0; k < MAX_TMP; k++)
		if (tmp_used[k] && strcmp(tmp_paths[k], path) == 0)
			tmp_used[k] = 0;
}

/* "dir/.name.XXXXXX" beside path; NULL when out of memory. */
static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t len = strlen(path) + 16;
	char *t = malloc(len);

	if (t)
		snprintf(t, len, "%.*s.%s.XXXXXX", (int)dlen, path,
			 slash ? slash + 1 : path);
	return t;
}

/*
 * Creates the temporary file: mode as for any new file, or mode (the
 * file it will replace) when mode >= 0. NULL: errno set.
 */
static FILE *open_tmp(struct capture_dump *d, int mode)
{
	mode_t um;
	FILE *f;
	int fd, err;

	fd = mkstemp(d->tmp);
	if (fd < 0)
		return NULL;
	guard(d->tmp);
	if (mode < 0) {
		um = umask(0);	/* read it: the only way; only one thread yet */
		umask(um);
		mode = (int)(0666 & ~um);
	}
	f = fchmod(fd, (mode_t)mode) == 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		err = errno;
		close(fd);
		unlink(d->tmp);
		unguard(d->tmp);
		errno = err;
	}
	return f;
}

/*
 * Opens a FIFO or a character device (a pipe behind /dev/stdout, a
 * terminal, /dev/null) to write into directly. A FIFO nobody reads is
 * refused at once (ENXIO) rather than waited for. NULL: errno set.
 */
static FILE *open_direct(const char *path)
{
	FILE *f;
	int fd, fl, err;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	fl = fcntl(fd, F_GETFL);
	f = fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0 ?
		fdopen(fd, "wb") : NULL;
	if (!f) {
		err = errno;
		close(fd);
		errno = err;
	}
	return f;
}

int capture_dump_open(struct capture_dump *d, struct capture_src *s,
		      const char *path)
{
	const char *why = NULL;
	FILE *f = NULL;
	enum afile_how how;
	int err, mode;

	memset(d, 0, sizeof(*d));
	d->path = strdup(path);
	how = afile_plan(path, &mode, &why);	/* say so now, not after the exchange */
	d->direct = how == AFILE_DIRECT;
	if (how == AFILE_ATOMIC)
		d->tmp = tmp_name(path);
	if (how != AFILE_REFUSED && !d->path)
		errno = ENOMEM;
	else if (how == AFILE_ATOMIC && !d->tmp)
		errno = ENOMEM;
	else if (how == AFILE_ATOMIC)
		f = open_tmp(d, mode);
	else if (how == AFILE_DIRECT)
		f = open_direct(path);
	if (f) {
		d->d = pcap_dump_fopen(s->p, f);
		if (d->d)
			return 0;
		fclose(f);
		if (d->tmp) {
			unlink(d->tmp);
			unguard(d->tmp);
		}
		errno = EIO;
	}
	err = errno;
	if (why)
		snprintf(s->err, sizeof(s->err), "%s", why);
	else if (err == ENXIO && how == AFILE_DIRECT)
		snprintf(s->err, sizeof(s->err), "a FIFO with no reader");
	else
		snprintf(s->err, sizeof(s->err), "%s", strerror(err));
	free(d->path);
	free(d->tmp);
	memset(d, 0, sizeof(*d));
	errno = err;
	return -1;
}

void capture_dump_write(struct capture_dump *d, const struct pcap_pkthdr *h,
			const uint8_t *data)
{
	if (!d->d || d->err)
		return;
	pcap_dump((u_char *)d->d, h, data);
	if (ferror(pcap_dump_file(d->d)))
		d->err = errno ? errno : EIO;
}

static void dump_free(struct capture_dump *d)
{
	if (d->tmp)
		unguard(d->tmp);
	free(d->path);
	free(d->tmp);
	memset(d, 0, sizeof(*d));
}

int capture_dump_commit(struct capture_dump *d)
{
	FILE *f;
	int err = d->err;

	if (!d->d)
		return 0;
	f = pcap_dump_file(d->d);
	if (!err && pcap_dump_flush(d->d) < 0)
		err = errno ? errno : EIO;
	/* a pipe or a device has nothing to sync (EINVAL) */
	if (!err && !d->direct && fsync(fileno(f)) < 0)
		err = errno ? errno : EIO;
	pcap_dump_close(d->d);	/* fclose: a buffered error shows in flush above */
	d->d = NULL;
	if (!err && !d->direct && (afile_still_replaceable(d->path) < 0 ||
				   rename(d->tmp, d->path) < 0))
		err = errno;
	if (!err && !d->direct && afile_sync_dir(d->path) < 0)
		err = errno;
	if (err && !d->direct)
		unlink(d->tmp);	/* harmless once renamed: the name is gone */
	dump_free(d);
	errno = err;
	return err ? -1 : 0;
}

void capture_dump_abort(struct capture_dump *d)
{
	int err = errno;

	if (d->d) {
		pcap_dump_close(d->d);
		if (d->tmp)
			unlink(d->tmp);
	}
	if (d->path)
		dump_free(d);
	errno = err;
}
