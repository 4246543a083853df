/*
 * \summary: the command table (cmds.h), looking a command up, and what
 * sockx itself prints: usage, --version, --list-commands, the help command
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const struct cmd cmd_table[] = {
#define CMD(n, id, fl, h) { n, cmd_##id, fl, h, &info_##id },
#include "../cmds.h"
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

void cmd_usage_text(FILE *f)
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

static void usage_write(FILE *f, const void *ctx)
{
	(void)ctx;
	cmd_usage_text(f);
}

void cmd_usage(struct sockx *sx)
{
	opt_show_help(sx, NULL, usage_write, NULL);
}

void cmd_show(struct sockx *sx)
{
	size_t i;

	sx->quiet = false;	/* what was asked for: shown under -q too */
	if (sx->show == SHOW_VERSION)
		EMIT(sx, version_text, .version = SOCKX_VERSION);
	for (i = 0; sx->show == SHOW_LIST && i < cmd_count; i++)
		EMIT(sx, command_text, .name = cmd_table[i].name, .help = cmd_table[i].help);
}

static const struct optdef help_opts[] = { { NULL, 0, NULL, NULL, NULL } };
const struct cmdinfo info_help = {
	"[COMMAND]", "Shows what sockx can do, or the options of one command.",
	help_opts,
};

int cmd_unknown(struct sockx *sx, const char *name)
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
		cmd_usage(sx);
		return EXIT_OK;
	}
	c = cmd_find(argv[first]);
	if (!c)
		return cmd_unknown(sx, argv[first]);
	opt_help(sx, c->name, c->info);
	return EXIT_OK;
}
