/* \summary: global options, command lookup, exit-code policy; the only exit() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/priv.h"

const struct cmd cmd_table[] = {
#define CMD(n, id, fl, h) { n, cmd_##id, fl, h, &info_##id },
#include "cmds.h"
#undef CMD
};
const size_t cmd_count = ARRAY_SIZE(cmd_table);

const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_count; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

static void usage_text(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sockx [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
		"       sockx help [COMMAND] | sockx COMMAND --help | sockx --version\n\n"
		"A socket explorer: every family and type of the socket API, each call\n"
		"shown (-v), and what crossed the wire proven with libpcap.\n\n"
		"commands:\n");
	for (i = 0; i < cmd_count; i++)
		fprintf(f, "  %-12s %s\n", cmd_table[i].name, cmd_table[i].help);
	fprintf(f, "\nglobal options (before or after COMMAND):\n");
	opt_print_table(f, opt_globals);
	fprintf(f, "\nexit status: 0 ok, 1 failed, 2 usage, 3 verification mismatch,\n"
		"4 not permitted, 5 not supported by this kernel\n");
}

/* sockx --help on stdout: text, or with --json a "help" event. */
static void usage(struct sockx *sx)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!sx->json) {
		usage_text(stdout);
		return;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return;
	usage_text(f);
	if (fclose(f) == 0)
		ev_help(sx, NULL, text, len);
	free(text);
}

/* What --version and --list-commands print, wherever they were given. */
static void show(struct sockx *sx)
{
	size_t i;

	if (sx->show == SHOW_VERSION && sx->json) {
		ev_begin(sx, "version");
		ev_str(sx, "version", SOCKX_VERSION);
		ev_end(sx);
	} else if (sx->show == SHOW_VERSION) {
		printf("sockx %s\n", SOCKX_VERSION);
	} else if (sx->show == SHOW_LIST) {
		for (i = 0; i < cmd_count; i++) {
			if (!sx->json) {
				printf("%s\n", cmd_table[i].name);
				continue;
			}
			ev_begin(sx, "command");
			ev_str(sx, "name", cmd_table[i].name);
			ev_str(sx, "help", cmd_table[i].help);
			ev_end(sx);
		}
	}
}

static const struct optdef help_opts[] = { { NULL, 0, NULL, NULL, NULL } };
const struct cmdinfo info_help = {
	"[COMMAND]", "Shows what sockx can do, or the options of one command.",
	help_opts,
};

static int unknown_cmd(struct sockx *sx, const char *name)
{
	sx->cmd = "sockx";
	fail(sx, EXIT_USAGE, "unknown command '%s'", name);
	hint(sx, "'sockx --help' lists the commands");
	return EXIT_USAGE;
}

int cmd_help(struct sockx *sx, int argc, char **argv)
{
	const struct cmd *c;
	int first, rc;

	rc = opt_parse(sx, &info_help, argc, argv, NULL, NULL, &first);
	if (rc != EXIT_OK)
		return rc;
	if (first >= argc) {
		usage(sx);
		return EXIT_OK;
	}
	c = cmd_find(argv[first]);
	if (!c)
		return unknown_cmd(sx, argv[first]);
	opt_help(sx, c->name, c->info);
	return EXIT_OK;
}

/* Parses the global options before the command; returns the command's index. */
static int parse_main(struct sockx *sx, int argc, char **argv, int *rc)
{
	struct option lo[16];
	char sh[32] = "+:";
	size_t n = 0, ns = 2;
	const struct optdef *o;
	int c;

	for (o = opt_globals; o->name; o++) {
		lo[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
		if (o->key < OPT_LONG) {
			sh[ns++] = (char)o->key;
			if (o->arg)
				sh[ns++] = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	*rc = EXIT_OK;
	while (*rc == EXIT_OK || *rc == OPT_HELP) {
		c = getopt_long(argc, argv, sh, lo, NULL);
		if (c == -1)
			return optind;
		if (*rc == OPT_HELP)	/* the first of --help, --version... wins */
			opt_global(sx, c, optarg);
		else if (c == '?' || c == ':')
			*rc = fail(sx, EXIT_USAGE, "%s option '%s'",
				   c == '?' ? "unknown" : "missing value for",
				   argv[optind - 1]);
		else
			*rc = opt_global(sx, c, optarg);
	}
	return optind;
}

static int finish(struct sockx *sx, int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/*
		 * Said once: a command that failed has said why (a full disk
		 * or a closed pipe under stdout is found by the command too).
		 */
		if (rc == EXIT_OK)
			fail(sx, EXIT_FAIL, "cannot write to stdout: %s", strerror(errno));
		return rc == EXIT_OK ? EXIT_FAIL : rc;
	}
	return rc;
}

/*
 * Opens /dev/null on whichever of 0, 1 and 2 is closed, as OpenBSD and
 * coreutils programs do: else the first socket would take that number,
 * and stdout, the traces on stderr or netcat mode's stdin would be the
 * connection itself. Runs before anything opens a descriptor.
 */
static int std_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free number: fd itself */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockx sx = { .cmd = "sockx", .t0 = now_mono() };
	const struct cmd *c;
	int i, rc;

	if (std_fds_open() < 0)
		return EXIT_FAIL;	/* nowhere safe to say so */
	signal(SIGPIPE, SIG_IGN);
	i = parse_main(&sx, argc, argv, &rc);
	out_setup(&sx);
	if (rc == OPT_HELP && sx.show == SHOW_HELP)
		usage(&sx);
	if (rc == OPT_HELP)
		show(&sx);
	if (rc != EXIT_OK)
		return finish(&sx, rc == OPT_HELP ? EXIT_OK : rc);
	if (i >= argc) {
		usage_text(stderr);
		return EXIT_USAGE;
	}
	c = cmd_find(argv[i]);
	if (!c)
		return unknown_cmd(&sx, argv[i]);
	sx.cmd = c->name;
	if (priv_init(c->flags & CMD_RAW) < 0)
		trace(&sx, 1, "cannot limit capabilities: %s", strerror(errno));
	rc = c->fn(&sx, argc - i, argv + i);
	if (rc == OPT_HELP) {
		show(&sx);
		rc = EXIT_OK;
	}
	return finish(&sx, rc);
}
