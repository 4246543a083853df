/*
 * \summary: one tour cell's exchange: the server up and listening, the
 * client run to its end, the server stopped, and what came back judged
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tour.h"
#include "../../core/serve.h"

#define LISTEN_S 5.0	/* for the server's listening line */
#define CLIENT_S 12.0	/* for the whole client run (its own -w is shorter) */
#define STOP_S 2.0	/* from SIGTERM to the server's exit */

#define DATA_MAX (2 * TOUR_MSG_MAX + 64)

/* What the client's events said. */
struct scan {
	long long out, in;
	int replies;
	double received;	/* a summary's "received", or -1 */
	char data[DATA_MAX];	/* every reply's data, in order */
	size_t dlen;
	bool have_data, dtrunc;
	bool verify_seen;
	int packets;
	char verify[120];
	char error[200];
};

/* What a child's stderr said: traced calls and its first error. */
struct errscan {
	int calls;
	char first[200];
};

static void PRINTF_LIKE(3, 4)
fail_cell(struct tour_run *u, enum tour_verdict v, const char *fmt, ...)
{
	va_list ap;

	if (u->r->v != V_PASS)
		return;		/* the first failure is the one to show */
	u->r->v = v;
	va_start(ap, fmt);
	vsnprintf(u->r->reason, sizeof(u->r->reason), fmt, ap);
	va_end(ap);
}

/* "exit 1", "killed by SIGSEGV". */
static const char *status_text(int st, char *buf, size_t len)
{
	const char *sig;

	if (WIFEXITED(st)) {
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		sig = sigabbrev_np(WTERMSIG(st));
		snprintf(buf, len, "killed by SIG%s", sig ? sig : "?");
	} else {
		snprintf(buf, len, "status %d", st);
	}
	return buf;
}

/* Text safe to print on one line (esc_str: control bytes and invalid
 * UTF-8 as \xHH), cut short with "..." to fit cap. */
static const char *shown(const char *p, size_t n, char *buf, size_t cap)
{
	return esc_str(p, n, buf, cap);
}

/*
 * A "call" event of the socket layer (sock_trace() in core/sock.c): the
 * children run with --json -v, so counting them counts their socket calls.
 */
static bool call_line(const char *line, void *ctx)
{
	struct errscan *e = ctx;

	if (line[0] == '{' && tour_jv_event(line, "call"))
		e->calls++;
	return false;
}

static bool stderr_line(const char *line, void *ctx)
{
	struct errscan *e = ctx;

	if (!e->first[0] && (strncmp(line, "sockx: ", 7) == 0 || strstr(line, "Sanitizer")))
		snprintf(e->first, sizeof(e->first), "%s", line);
	return false;
}

/*
 * The server's "listening" event (or the plain "listening on ADDR:PORT"
 * line, should a server print it even under --json); notes the port.
 */
static bool listening_line(const char *line, void *ctx)
{
	struct tour_run *u = ctx;
	const char *colon;
	double port;

	if (line[0] == '{') {
		if (!tour_jv_event(line, "listening"))
			return false;
		if (tour_jv_num(line, "port", &port) && port >= 1 && port <= 65535)
			snprintf(u->port, sizeof(u->port), "%d", (int)port);
		return true;
	}
	if (strncmp(line, "listening on ", 13) != 0)
		return false;
	colon = strrchr(line, ':');
	if (colon && colon[1] && strlen(colon + 1) <= 5 &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1))
		snprintf(u->port, sizeof(u->port), "%s", colon + 1);
	return true;
}

static bool server_ready(void *ctx)
{
	struct tour_run *u = ctx;

	return tour_buf_lines(&u->srv.obuf, listening_line, u) || u->srv.exited;
}

static bool uses_port(const char *const *tmpl)
{
	for (; tmpl && *tmpl; tmpl++)
		if (strcmp(*tmpl, "{port}") == 0)
			return true;
	return false;
}

/* Starts the server and waits for its listening line (and port). */
static bool start_server(struct tour_run *u, char ***argv)
{
	struct tour_child *one[1] = { &u->srv };
	struct errscan e = { 0 };
	char st[48];

	*argv = tour_argv(u, u->scmd->name, u->c->sargv, false, false);
	if (!*argv) {
		fail_cell(u, V_FAIL, "out of memory");
		return false;
	}
	tour_argv_text(*argv, u->r->scmd, sizeof(u->r->scmd));
	trace(u->sx, 1, "tour: %s: server: %s", u->c->name, u->r->scmd);
	if (tour_child_start(&u->srv, u->scmd, *argv) < 0) {
		fail_cell(u, V_FAIL, "cannot start the server: %s", strerror(errno));
		return false;
	}
	if (!tour_child_pump(one, 1, now_mono() + LISTEN_S, server_ready, u)) {
		tour_buf_lines(&u->srv.ebuf, stderr_line, &e);
		fail_cell(u, V_FAIL, "the server printed no listening line within %.0f s%s%s",
			  LISTEN_S, e.first[0] ? ": " : "", e.first);
		return false;
	}
	if (!tour_buf_lines(&u->srv.obuf, listening_line, u)) {
		tour_buf_lines(&u->srv.ebuf, stderr_line, &e);
		fail_cell(u, V_FAIL, "the server ended (%s) before listening: %s",
			  status_text(u->srv.status, st, sizeof(st)), e.first[0] ? e.first : "no message");
		return false;
	}
	if (uses_port(u->c->cargv) && !u->port[0]) {
		fail_cell(u, V_FAIL, "the server's listening line has no port");
		return false;
	}
	return true;
}

static bool is_reply_event(const char *line)
{
	return tour_jv_event(line, "reply") || tour_jv_event(line, "received") ||
	       tour_jv_event(line, "echo-reply") || tour_jv_event(line, "echo_reply");
}

static void scan_reply(struct scan *s, const char *line)
{
	char buf[DATA_MAX];
	double v = 0;
	size_t n;

	s->replies++;
	if (tour_jv_num(line, "bytes", &v))
		s->in += (long long)v;
	if (!tour_jv_str(line, "data", buf, sizeof(buf), &n)) {
		s->dtrunc |= v >= (double)sizeof(buf);	/* too long to be ours */
		return;
	}
	s->have_data = true;
	if (s->dlen + n > sizeof(s->data)) {
		s->dtrunc = true;
		return;
	}
	memcpy(s->data + s->dlen, buf, n);
	s->dlen += n;
}

static void scan_verify(struct scan *s, const char *line)
{
	static const char *const keys[] = { "summary", "message", "result", "text" };
	double v;
	size_t i;

	s->verify_seen = true;
	/* capture_finish's event: packets_out and packets_in on the wire. */
	if (tour_jv_num(line, "packets_out", &v))
		s->packets = (int)v;
	if (tour_jv_num(line, "packets_in", &v))
		s->packets += (int)v;
	for (i = 0; i < ARRAY_SIZE(keys) && !s->verify[0]; i++)
		tour_jv_str(line, keys[i], s->verify, sizeof(s->verify), NULL);
}

static bool client_line(const char *line, void *ctx)
{
	struct scan *s = ctx;
	double v;

	if (line[0] != '{')
		return false;
	if (tour_jv_event(line, "sent") && tour_jv_num(line, "bytes", &v))
		s->out += (long long)v;
	else if (is_reply_event(line))
		scan_reply(s, line);
	else if (tour_jv_event(line, "verify"))
		scan_verify(s, line);
	else if (tour_jv_event(line, "summary") && tour_jv_num(line, "received", &v))
		s->received = v;
	else if (tour_jv_event(line, "error") && !s->error[0])
		tour_jv_str(line, "message", s->error, sizeof(s->error), NULL);
	return false;
}

/* The server's reply must be the message with ASCII upper-cased. */
static void check_upper(struct tour_run *u, const struct scan *s)
{
	const char *msg = u->o->msg;
	size_t n = strlen(msg), i;
	char want[TOUR_MSG_MAX + 1], a[96], b[96];
	bool letters = false;

	memcpy(want, msg, n + 1);
	mode_upper(want, n);
	for (i = 0; i < n; i++)
		letters |= msg[i] >= 'a' && msg[i] <= 'z';
	if (!s->have_data) {
		fail_cell(u, V_FAIL, "no reply came back");
	} else if (s->dtrunc || s->dlen != n || memcmp(s->data, want, n) != 0) {
		fail_cell(u, V_FAIL, "reply \"%s\" is not the message upper-cased (\"%s\")",
			  shown(s->data, s->dlen, a, sizeof(a)), shown(want, n, b, sizeof(b)));
	} else if (u->r->v == V_PASS) {
		snprintf(u->r->reason, sizeof(u->r->reason), "reply \"%s\" %s",
			 shown(s->data, s->dlen, a, sizeof(a)),
			 letters ? "is the message upper-cased" : "as sent: no ASCII letter to upper-case, UTF-8 intact");
	}
}

/* The kernel's echo reply: at least one, and its payload ours if shown. */
static void check_echo(struct tour_run *u, const struct scan *s)
{
	const char *msg = u->o->msg;

	if (s->replies == 0 && s->received < 1)
		fail_cell(u, V_FAIL, "no echo reply came back");
	else if (s->have_data && !memmem(s->data, s->dlen, msg, strlen(msg)))
		fail_cell(u, V_FAIL, "the echo reply's payload is not the message");
	else if (u->r->v == V_PASS)
		snprintf(u->r->reason, sizeof(u->r->reason), "echo reply from the kernel%s",
			 s->have_data ? ", the message intact in its payload" : "");
}

/* A server stopped by our SIGTERM must exit 0 (or die of that SIGTERM). */
static void check_server(struct tour_run *u, const struct errscan *e)
{
	int st = u->srv.status;
	char t[48];

	if (!u->scmd || u->srv.pid < 0)
		return;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && u->srv.signalled)
		return;
	fail_cell(u, V_FAIL, "the server ended badly (%s%s): %s", status_text(st, t, sizeof(t)),
		  WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? ", after ignoring SIGTERM" : "",
		  e->first[0] ? e->first : "no message");
}

static void judge_wire(struct tour_run *u, const struct scan *s)
{
	if (!u->verify)
		return;
	if (s->verify_seen) {
		u->r->packets = s->packets;
		snprintf(u->r->wire, sizeof(u->r->wire), "%s", s->verify[0] ? s->verify : "verified");
	} else {
		snprintf(u->r->wire, sizeof(u->r->wire), "--verify gave no verify event");
	}
}

/*
 * The client's exit comes first (3 is a capture that disagreed), then
 * what came back, then how the server ended; the first failure is kept.
 */
static void judge(struct tour_run *u)
{
	struct scan s = { .received = -1, .packets = -1 };
	struct errscan ce = { 0 }, se = { 0 };
	int st = u->cli.status;
	char t[48];

	tour_buf_lines(&u->cli.obuf, client_line, &s);
	tour_buf_lines(&u->cli.ebuf, stderr_line, &ce);
	tour_buf_lines(&u->cli.obuf, call_line, &ce);
	u->r->calls_client = ce.calls;
	if (u->scmd) {
		tour_buf_lines(&u->srv.ebuf, stderr_line, &se);
		tour_buf_lines(&u->srv.obuf, call_line, &se);
		u->r->calls_server = se.calls;
	}
	u->r->bytes_out = s.out;
	u->r->bytes_in = s.in;
	judge_wire(u, &s);
	if (!WIFEXITED(st))
		fail_cell(u, V_FAIL, "the client was %s", status_text(st, t, sizeof(t)));
	else if (WEXITSTATUS(st) == EXIT_MISMATCH)
		fail_cell(u, V_MISMATCH, "the wire did not show what was sent: %s",
			  ce.first[0] ? ce.first : s.error);
	else if (WEXITSTATUS(st) != EXIT_OK)
		fail_cell(u, V_FAIL, "the client failed (exit %d): %s", WEXITSTATUS(st),
			  ce.first[0] ? ce.first : s.error[0] ? s.error : "no message");
	if (u->c->check == CHECK_UPPER)
		check_upper(u, &s);
	else
		check_echo(u, &s);
	check_server(u, &se);
}

/* Under -vv: what the children wrote to stderr. */
static void dump_stderr(struct tour_run *u, const char *who, const struct tour_buf *b)
{
	if (b->len)
		trace(u->sx, 2, "tour: %s: %s stderr:\n%s", u->c->name, who, b->p);
}

void tour_exchange(struct tour_run *u)
{
	struct tour_child *both[2] = { &u->cli, &u->srv };
	char **sargv = NULL, **cargv = NULL;

	if (u->scmd && !start_server(u, &sargv))
		goto out;
	cargv = tour_argv(u, u->ccmd->name, u->c->cargv, u->verify, u->client_tl);
	if (!cargv) {
		fail_cell(u, V_FAIL, "out of memory");
		goto out;
	}
	tour_argv_text(cargv, u->r->ccmd, sizeof(u->r->ccmd));
	trace(u->sx, 1, "tour: %s: client: %s", u->c->name, u->r->ccmd);
	if (tour_child_start(&u->cli, u->ccmd, cargv) < 0) {
		fail_cell(u, V_FAIL, "cannot start the client: %s", strerror(errno));
		goto out;
	}
	if (!tour_child_pump(both, u->scmd ? 2 : 1, now_mono() + CLIENT_S, tour_child_finished, &u->cli)) {
		tour_child_stop(&u->cli, 0.5);
		fail_cell(u, V_FAIL, "the client did not finish within %.0f s", CLIENT_S);
	}
	tour_child_stop(&u->srv, STOP_S);	/* SIGTERM: it prints its summary, exits 0 */
	judge(u);
	if (u->o->timeline || u->o->html)
		tour_diagram_collect(u);
out:
	tour_child_stop(&u->srv, STOP_S);
	dump_stderr(u, "server", &u->srv.ebuf);
	dump_stderr(u, "client", &u->cli.ebuf);
	tour_argv_free(sargv);
	tour_argv_free(cargv);
}
