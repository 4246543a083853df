/* \summary: sockx lab: lists the labs, runs one, several or all, with a summary */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../core/priv.h"
#include "lab.h"

#define LAB(id) &lab_##id,
static const struct lab *const lab_table[] = {
#include "labs.h"
	NULL,
};
#undef LAB

enum { O_ALL = OPT_LONG, O_TIMELINE, O_SVG };

static const struct optdef opts[] = {
	{ "all", O_ALL, NULL, "run every lab, then a summary", NULL },
	{ "wait", 'w', "S", "each lab's bound, in seconds (default 20)", NULL },
	{ "timeline", O_TIMELINE, NULL, "draw each lab's key moment: its calls and its port's packets on one time axis", NULL },
	{ "svg", O_SVG, "FILE", "draw one lab's key moment as an SVG sequence diagram into FILE", "@file" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmdinfo info_lab = {
	"[--all | NAME...] [-w S]",
	"Each lab takes a claim of the socket tutorial sockx grew from (or a\n"
	"common belief about sockets), runs a bounded experiment on this kernel\n"
	"(loopback, or network namespaces it makes and removes), prints what it\n"
	"observed, with the numbers, and a verdict: holds, does not hold, or\n"
	"depends (on what was measured). With no NAME, lists the labs.\n\n"
	"Exit status: 0 when every experiment asked for ran (whatever its\n"
	"verdict); 4 when one needs a privilege this process lacks, 5 when this\n"
	"kernel lacks what it needs, 1 when one failed to run; 2 for an unknown\n"
	"lab. Everything a lab makes is undone after it, also on SIGINT.\n\n"
	"--timeline draws, in the labs that have one, the key moment of the\n"
	"experiment (the RST of reset-on-close, the SYN a full backlog drops):\n"
	"the calls of both ends on one time axis, the client end's on the\n"
	"left, the server end's on the right, and, with CAP_NET_RAW, the\n"
	"packets of the lab's port on lo between them (without it the calls\n"
	"are drawn and the head says why; the exit status does not change).\n"
	"A lab without one says so and runs as usual. --svg FILE draws one\n"
	"lab's key moment as an SVG, with or without --timeline.",
	opts,
};

struct lab_opts {
	bool all, timeline;
	int wait_ms;
	const char *svg;	/* --svg FILE: one lab */
};

static int parse_opt(struct sockx *sx, void *ctx, int key, const char *arg)
{
	struct lab_opts *o = ctx;

	switch (key) {
	case O_ALL: o->all = true; return EXIT_OK;
	case O_TIMELINE: o->timeline = true; return EXIT_OK;
	case O_SVG: o->svg = arg; return EXIT_OK;
	case 'w': return opt_secs(sx, "--wait", arg, 600, &o->wait_ms);
	default: return EXIT_USAGE;
	}
}

static const struct lab *lab_find(const char *name)
{
	size_t i;

	for (i = 0; lab_table[i]; i++)
		if (strcmp(lab_table[i]->name, name) == 0)
			return lab_table[i];
	return NULL;
}

static void list_labs(struct sockx *sx)
{
	char line[256];
	size_t i;

	for (i = 0; lab_table[i]; i++) {
		snprintf(line, sizeof(line), "%-16s %s", lab_table[i]->name, lab_table[i]->claim);
		EMIT(sx, lab_listed, .name = lab_table[i]->name, .claim = lab_table[i]->claim,
		     .line = line);
	}
}

/* After an unknown name: the labs there are, on stderr. */
static void hint_labs(struct sockx *sx)
{
	char names[1024];
	size_t i, o = 0;

	names[0] = '\0';
	for (i = 0; lab_table[i] && o < sizeof(names); i++)
		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
				      i ? ", " : "", lab_table[i]->name);
	hint(sx, "the labs are: %s (sockx lab lists them with their claims)", names);
}

void lab_observe(struct lab_run *r, const char *what, double number,
		 const char *unit, const char *note, const char *fmt, ...)
{
	char value[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	r->observed++;
	EMIT(r->sx, lab_observed, .lab = r->lab->name, .what = what,
	     .value = value, .number = number, .unit = unit, .note = note);
}

static void __attribute__((format(printf, 4, 0)))
judge(struct lab_run *r, enum lab_verdict v, int code, const char *fmt, va_list ap)
{
	static const char *const words[] = {
		[LAB_HOLDS] = "holds", [LAB_DOES_NOT_HOLD] = "does not hold",
		[LAB_DEPENDS] = "depends", [LAB_NOT_RUN] = "could not run",
		[LAB_FAILED] = "failed",
	};
	char why[512];

	if (r->judged)	/* the first word stands */
		return;
	vsnprintf(why, sizeof(why), fmt, ap);
	r->judged = true;
	r->exit = code;
	r->verdict = v;
	EMIT(r->sx, lab, .name = r->lab->name, .claim = r->lab->claim,
	     .verdict = words[v], .why = why, .observed = r->observed,
	     .time_ms = (now_mono() - r->start) * 1000.0, .exit = code);
}

int lab_verdict(struct lab_run *r, enum lab_verdict v, const char *fmt, ...)
{
	va_list ap;

	if (v > LAB_DEPENDS)
		v = LAB_FAILED;
	va_start(ap, fmt);
	judge(r, v, EXIT_OK, fmt, ap);
	va_end(ap);
	return EXIT_OK;
}

int lab_cannot(struct lab_run *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (code == EXIT_OK)
		code = EXIT_FAIL;
	va_start(ap, fmt);
	judge(r, code == EXIT_FAIL ? LAB_FAILED : LAB_NOT_RUN, code, fmt, ap);
	va_end(ap);
	return code;
}

bool lab_expired(const struct lab_run *r)
{
	return sig_stopped() || now_mono() >= r->deadline;
}

int lab_ms_left(const struct lab_run *r, int cap_ms)
{
	double left = (r->deadline - now_mono()) * 1000.0;

	if (sig_stopped() || left <= 0)
		return 1;	/* not 0: to SO_RCVTIMEO and poll, 0 is "forever" or "now" */
	return left < cap_ms ? (int)left + 1 : cap_ms;
}

bool lab_defer(struct lab_run *r, void (*fn)(void *), void *arg)
{
	if (r->ndefer >= LAB_DEFER_MAX)
		return false;
	r->defer[r->ndefer].fn = fn;
	r->defer[r->ndefer].arg = arg;
	r->ndefer++;
	return true;
}

void lab_close_fd(void *arg)
{
	int *fd = arg;

	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int *lab_own(struct lab_run *r, int fd)
{
	if (fd < 0)
		return NULL;
	if (r->nfds >= LAB_FDS_MAX) {
		close(fd);
		errno = EMFILE;
		return NULL;
	}
	r->fds[r->nfds] = fd;
	return &r->fds[r->nfds++];
}

int lab_keep(struct lab_run *r, int fd)
{
	return lab_own(r, fd) ? fd : -1;
}

void *lab_alloc(struct lab_run *r, size_t n)
{
	void *p = calloc(1, n);

	if (!p || !lab_defer(r, free, p)) {
		free(p);
		lab_cannot(r, EXIT_FAIL, "out of memory (%zu bytes)", n);
		return NULL;
	}
	return p;
}

void lab_loopback(struct addr *a, int family, int port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		in6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*in6);
	} else {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons((uint16_t)port);
		a->len = sizeof(*in);
	}
}

int lab_listener(struct lab_run *r, int family, int type, int backlog,
		 struct addr *a)
{
	struct listen_opts lo = { .backlog = backlog, .v6only = -1 };
	const char *failed = "socket";
	int fd;

	lab_loopback(a, family, 0);
	fd = sock_listener(r->sx, a, type, &lo, &failed);
	if (fd < 0) {
		lab_cannot(r, errno_exit(errno, true), "%s on loopback: %s", failed,
			   strerror(errno));
		return -1;
	}
	if (lab_keep(r, fd) < 0)
		lab_cannot(r, EXIT_FAIL, "too many descriptors to undo");
	return r->judged ? -1 : fd;
}

int lab_tcp_pair(struct lab_run *r, int lfd, const struct addr *srv, int fd[2])
{
	struct addr peer;

	fd[0] = fd[1] = -1;
	if (lab_expired(r))
		return lab_cannot(r, EXIT_FAIL, "%s", sig_stopped() ? "stopped" : "the bound passed");
	fd[0] = lab_keep(r, sock_socket(r->sx, srv->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (fd[0] < 0)
		return lab_cannot(r, EXIT_FAIL, "socket: %s", strerror(errno));
	sock_set_timeout(r->sx, fd[0], SO_SNDTIMEO, lab_ms_left(r, 2000));
	if (sock_connect(r->sx, fd[0], srv) < 0)
		return lab_cannot(r, EXIT_FAIL, "connect on loopback: %s", strerror(errno));
	sock_set_timeout(r->sx, fd[0], SO_SNDTIMEO, 0);	/* the bound was connect()'s */
	fd[1] = lab_keep(r, sock_accept(r->sx, lfd, &peer, SOCK_CLOEXEC));
	if (fd[1] < 0)
		return lab_cannot(r, EXIT_FAIL, "accept: %s", strerror(errno));
	return EXIT_OK;
}

long long lab_proc_counter(const char *file, const char *prefix, const char *field)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	size_t plen = strlen(prefix);
	long long out = -1;
	FILE *f = fopen(file, "re");

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, prefix, plen) != 0 || strncmp(values, prefix, plen) != 0)
			continue;
		n = strtok_r(names + plen, " \n", &sn);
		v = strtok_r(values + plen, " \n", &sv);
		for (; n && v; n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv))
			if (strcmp(n, field) == 0) {
				out = strtoll(v, NULL, 10);
				break;
			}
		break;
	}
	fclose(f);
	return out;
}

/* Runs one lab within wait_ms; its exit status, its verdict in *verdict. */
static int run_one(struct sockx *sx, const struct lab *l, const struct lab_opts *o,
		   int *verdict)
{
	struct lab_run r = { .sx = sx, .lab = l, .timeline = o->timeline, .svg = o->svg };
	int rc;

	r.start = now_mono();
	r.deadline = r.start + o->wait_ms / 1000.0;
	EMIT(sx, lab_begin, .name = l->name, .claim = l->claim, .how = l->how);
	if (o->timeline && !l->moment)
		EMIT(sx, lab_note, .lab = l->name, .text = "no timeline: this lab draws "
		     "none (--timeline); it runs as usual");
	rc = l->run(&r);
	lab_timeline_end(&r);	/* cut short in its moment: what was drawn */
	while (r.nfds > 0)
		lab_close_fd(&r.fds[--r.nfds]);
	while (r.ndefer > 0) {
		r.ndefer--;
		r.defer[r.ndefer].fn(r.defer[r.ndefer].arg);
	}
	if (!r.judged) {	/* ended without a word: a failure, said as one */
		if (sig_stopped())
			lab_cannot(&r, EXIT_FAIL, "stopped by %s", strsignal(sig_stopped()));
		else
			lab_cannot(&r, rc == EXIT_OK ? EXIT_FAIL : rc, "ended without a verdict");
	}
	*verdict = r.verdict;
	return r.exit == EXIT_OK ? r.timeline_rc : r.exit;
}

/* --svg FILE draws one lab's key moment: one lab, one that has a timeline. */
static int check_svg(struct sockx *sx, const struct lab_opts *o,
		     const struct lab *const *want, int n)
{
	if (!o->svg)
		return EXIT_OK;
	if (n > 1)
		return fail(sx, EXIT_USAGE, "--svg draws one lab's timeline: name one lab");
	if (!want[0]->moment)
		return fail(sx, EXIT_USAGE, "lab '%s' draws no timeline (--svg)", want[0]->name);
	return EXIT_OK;
}

/* The worst of two statuses: 1 over 4 over 5 over 0. */
static int worse(int a, int b)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_UNSUPPORTED] = 1,
				    [EXIT_NOPERM] = 2, [EXIT_FAIL] = 3 };

	if (a < 0 || a > EXIT_UNSUPPORTED || b < 0 || b > EXIT_UNSUPPORTED)
		return a > b ? a : b;
	return rank[a] >= rank[b] ? a : b;
}

int cmd_lab(struct sockx *sx, int argc, char **argv)
{
	struct lab_opts o = { .wait_ms = 20000 };
	int first, rc, exit = EXIT_OK, i, n = 0, v, ran = 0, counts[LAB_FAILED + 1] = { 0 };
	const struct lab *want[64];
	double t0 = now_mono();
	size_t k;

	rc = opt_parse(sx, &info_lab, argc, argv, parse_opt, &o, &first);
	if (rc != EXIT_OK)
		return rc;
	if (o.all && first < argc)
		return fail(sx, EXIT_USAGE, "--all and a lab name ('%s'): one or the other", argv[first]);
	if (!o.timeline && !o.svg && priv_init(false) < 0)	/* CAP_NET_RAW: the captures' only */
		trace(sx, 1, "cannot limit capabilities: %s", strerror(errno));
	for (i = first; i < argc; i++) {
		if (n == (int)ARRAY_SIZE(want))
			return fail(sx, EXIT_USAGE, "too many labs asked for");
		want[n] = lab_find(argv[i]);
		if (!want[n]) {
			fail(sx, EXIT_USAGE, "no lab '%s'", argv[i]);
			hint_labs(sx);
			return EXIT_USAGE;
		}
		n++;
	}
	for (k = 0; o.all && lab_table[k] && n < (int)ARRAY_SIZE(want); k++)
		want[n++] = lab_table[k];
	if (n == 0) {
		list_labs(sx);
		return EXIT_OK;
	}
	rc = check_svg(sx, &o, want, n);
	if (rc != EXIT_OK)
		return rc;
	sig_catch_stop();
	for (i = 0; i < n && !sig_stopped(); i++, ran++) {
		rc = run_one(sx, want[i], &o, &v);
		exit = worse(exit, rc);
		counts[v]++;
	}
	if (n > 1 || sig_stopped())	/* the summary, from the loop (also on SIGINT) */
		EMIT(sx, summary_lab, .labs = ran, .holds = counts[LAB_HOLDS],
		     .does_not_hold = counts[LAB_DOES_NOT_HOLD],
		     .depends = counts[LAB_DEPENDS], .could_not_run = counts[LAB_NOT_RUN],
		     .failed = counts[LAB_FAILED], .duration = now_mono() - t0,
		     .exit = exit);
	return exit;
}
