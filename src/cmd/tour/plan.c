/*
 * \summary: whether a cell can run here (the kernel, the binary, the
 * privilege, its options), and its run: probe, plan, exchange
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tour.h"
#include "../../core/priv.h"

/*
 * Opens (and closes) the cell's socket: does this kernel, for us, have
 * it? A raw cell asks with CAP_NET_RAW raised when it is permitted, so an
 * EPERM here means the run lacks the privilege, not that the kernel does.
 * The kernel is asked before the binary: "no SCTP here" is the deeper
 * reason, and stays true whatever gets merged.
 */
static bool probe(struct tour_run *u)
{
	const struct tour_cell *c = u->c;
	bool up = (c->flags & CELL_RAW) && priv_raise(PRIV_RAW) == 0;
	char e[96];
	int fd, err;

	fd = sock_socket(u->sx, c->family, c->type | SOCK_CLOEXEC, c->proto);
	err = errno;
	if (up)
		priv_lower(PRIV_RAW);
	if (fd >= 0) {
		sock_close(u->sx, fd);
		return true;
	}
	errno_str(err, e, sizeof(e));
	if (err == EPERM || err == EACCES) {
		u->r->v = V_NOPERM;
		snprintf(u->r->reason, sizeof(u->r->reason),
			 "needs CAP_NET_RAW (socket: %s): run as root, or setcap cap_net_raw+p", e);
	} else if (errno_exit(err, true) == EXIT_UNSUPPORTED) {
		u->r->v = V_UNSUPPORTED;
		snprintf(u->r->reason, sizeof(u->r->reason), "this kernel refuses socket(%s, %s, %s): %s%s",
			 family_name(c->family), type_name(c->type),
			 proto_name(c->family, c->type, c->proto), e,
			 c->proto == IPPROTO_SCTP ? "; SCTP needs the sctp module" : "");
	} else {
		u->r->v = V_FAIL;
		snprintf(u->r->reason, sizeof(u->r->reason), "socket(%s, %s): %s",
			 family_name(c->family), type_name(c->type), e);
	}
	return false;
}

/* Finds the cell's commands in the table; "not built" if one is missing. */
static bool commands(struct tour_run *u)
{
	const struct tour_cell *c = u->c;

	u->scmd = c->server ? cmd_find(c->server) : NULL;
	u->ccmd = cmd_find(c->client);
	if (u->ccmd && (!c->server || u->scmd))
		return true;
	u->r->v = V_NOTBUILT;
	if (c->server && strcmp(c->server, c->client) != 0 && !u->scmd && !u->ccmd)
		snprintf(u->r->reason, sizeof(u->r->reason),
			 "not built in this binary (needs sockx %s and %s)", c->server, c->client);
	else
		snprintf(u->r->reason, sizeof(u->r->reason), "not built in this binary (needs sockx %s)",
			 u->ccmd ? c->server : c->client);
	return false;
}

/* The option of cmd (or a global one) spelled a ("--name" or "-x"). */
static const struct optdef *opt_lookup(const struct cmd *cmd, const char *a)
{
	const struct optdef *tabs[2] = { opt_globals, cmd->info->opts }, *o;
	size_t i;

	for (i = 0; i < 2; i++) {
		for (o = tabs[i]; o && o->name; o++) {
			if (a[1] == '-' && strcmp(o->name, a + 2) == 0)
				return o;
			if (a[1] != '-' && a[2] == '\0' && o->key == (unsigned char)a[1])
				return o;
		}
	}
	return NULL;
}

/* True if cmd takes --name. */
static bool has_opt(const struct cmd *cmd, const char *name)
{
	const struct optdef *o;

	for (o = cmd->info->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return true;
	return false;
}

/* Every option of tmpl must exist in cmd's table: if one does not, the
 * command drifted from cli.md, and the cell says which option. */
static bool known_opts(struct tour_run *u, const struct cmd *cmd,
		       const char *const *tmpl)
{
	const struct optdef *o;
	size_t i;

	for (i = 0; tmpl && tmpl[i]; i++) {
		if (tmpl[i][0] != '-' || tmpl[i][1] == '\0')
			continue;	/* a positional argument */
		o = opt_lookup(cmd, tmpl[i]);
		if (!o) {
			u->r->v = V_FAIL;
			snprintf(u->r->reason, sizeof(u->r->reason),
				 "sockx %s has no option %s (cli.md)", cmd->name, tmpl[i]);
			return false;
		}
		if (o->arg && tmpl[i + 1])
			i++;
	}
	return true;
}

/* Decides on --verify, and says why not when it is not used. */
static void plan_wire(struct tour_run *u)
{
	const char *why = NULL;

	if (!(u->c->flags & CELL_WIRE))
		why = "no interface: UNIX sockets never touch one";
	else if (u->o->no_verify)
		why = "not verified (--no-verify)";
	else if (!has_opt(u->ccmd, "verify"))
		why = "not verified (no capture support)";
	else if (!priv_have(PRIV_RAW))
		why = "not verified (capturing needs CAP_NET_RAW)";
	u->verify = why == NULL;
	/* a client without --timeline is drawn from its -v calls (diagram.c) */
	u->client_tl = (u->o->timeline || u->o->html) && has_opt(u->ccmd, "timeline");
	snprintf(u->r->wire, sizeof(u->r->wire), "%s", why ? why : "verify: no report");
}

/*
 * Fills the placeholders that do not depend on the server ({port} waits
 * for its listening line), decides on --verify, and checks the options.
 */
static bool plan(struct tour_run *u)
{
	size_t i, n = strlen(u->o->msg);

	snprintf(u->unix_name, sizeof(u->unix_name), "@sockx-tour-%ld-%s",
		 (long)getpid(), u->c->name);
	snprintf(u->len, sizeof(u->len), "%zu", n);
	u->hex = malloc(2 * n + 1);
	if (!u->hex) {
		u->r->v = V_FAIL;
		snprintf(u->r->reason, sizeof(u->r->reason), "out of memory");
		return false;
	}
	for (i = 0; i < n; i++)
		snprintf(u->hex + 2 * i, 3, "%02x", (unsigned char)u->o->msg[i]);
	u->hex[2 * n] = '\0';
	plan_wire(u);
	return (!u->scmd || known_opts(u, u->scmd, u->c->sargv)) &&
	       known_opts(u, u->ccmd, u->c->cargv);
}

/*
 * Each step either clears the way for the next or writes the verdict and
 * its reason: kernel, binary, options, then the exchange itself.
 */
void tour_run_cell(struct sockx *sx, const struct tour_opts *o,
		   const struct tour_cell *c, struct tour_result *r)
{
	struct tour_run u = { .sx = sx, .o = o, .c = c, .r = r };
	double t0 = now_mono();

	memset(r, 0, sizeof(*r));
	r->calls_client = r->calls_server = r->packets = -1;
	u.srv.pid = u.cli.pid = -1;
	u.srv.pidfd = u.srv.out = u.srv.err = -1;
	u.cli.pidfd = u.cli.out = u.cli.err = -1;
	if (probe(&u) && commands(&u) && plan(&u))
		tour_exchange(&u);
	tour_child_free(&u.srv);
	tour_child_free(&u.cli);
	free(u.hex);
	r->ms = (now_mono() - t0) * 1000.0;
}
