/* \summary: global options, dispatch, exit-code policy; the only exit() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/priv.h"

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

static void usage_write(FILE *f, const void *ctx)
{
	(void)ctx;
	cmd_usage_text(f);
}

/* No command: the usage on stderr, exit 2. */
static int missing(struct sockx *sx)
{
	size_t len = 0;
	char *text = opt_text(usage_write, NULL, &len);

	if (text && len && text[len - 1] == '\n')
		text[len - 1] = '\0';	/* the event's line ends there */
	if (text)
		EMIT(sx, usage, .text = text);
	free(text);
	return EXIT_USAGE;
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
		cmd_usage(&sx);
	if (rc == OPT_HELP)
		cmd_show(&sx);
	if (rc != EXIT_OK)
		return finish(&sx, rc == OPT_HELP ? EXIT_OK : rc);
	if (i >= argc)
		return missing(&sx);
	c = cmd_find(argv[i]);
	if (!c)
		return cmd_unknown(&sx, argv[i]);
	sx.cmd = c->name;
	if (priv_init(c->flags & CMD_RAW) < 0)
		trace(&sx, 1, "cannot limit capabilities: %s", strerror(errno));
	rc = c->fn(&sx, argc - i, argv + i);
	if (rc == OPT_HELP) {
		cmd_show(&sx);
		rc = EXIT_OK;
	}
	return finish(&sx, rc);
}
