// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab: one command-line tool for the dmalab exporter and importer and for
 * any dma-buf. `dmalab help` lists the commands; every command takes --help
 * and --json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd *const commands[] = {
	&cmd_alloc, &cmd_info, &cmd_fill, &cmd_verify, &cmd_dump, &cmd_name,
	&cmd_vmap, &cmd_map, &cmd_dma, &cmd_fence, &cmd_list, &cmd_devices,
	&cmd_stats, &cmd_ps, &cmd_capture, &cmd_conform, &cmd_version, NULL,
};

static void usage_all(FILE *f)
{
	int i;

	fprintf(f, "usage: dmalab COMMAND [OPTIONS]   (dmalab COMMAND --help for its options)\n\n"
		   "A dma-buf is passed between commands as a file descriptor: 'dmalab alloc\n"
		   "SIZE --exec PROG ARGS...' runs PROG with the buffer open and its number in\n"
		   "DMABUF_FD; other commands take --fd N or read DMABUF_FD.\n\n"
		   "commands:\n");
	for (i = 0; commands[i]; i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
}

/*
 * Short options: one letter per long name, the same in every command that
 * has the option.
 */
static const struct {
	const char *name;
	char letter;
} short_names[] = {
	{ "fd", 'f' }, { "dev", 'd' }, { "pattern", 'p' }, { "len", 'l' },
	{ "offset", 'o' }, { "timeout", 't' }, { "size", 's' },
	{ "placement", 'P' }, { "timing", 'T' }, { "dir", 'D' },
	{ "name", 'n' }, { "verify", 'v' },
};

#define OPT_HELP	(-3)

static char short_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(short_names) / sizeof(short_names[0]); i++)
		if (!strcmp(short_names[i].name, name))
			return short_names[i].letter;
	return 0;
}

static void usage_cmd(const struct cli_cmd *cmd)
{
	const struct cli_opt *o;
	char left[64];

	printf("usage: dmalab %s %s\n\n%s\n", cmd->name, cmd->usage,
	       cmd->summary);
	if (cmd->details)
		printf("\n%s\n", cmd->details);
	printf("\noptions:\n");
	for (o = cmd->opts; o && o->name; o++) {
		char letter = short_of(o->name);

		snprintf(left, sizeof(left), "%c%c%s--%s%s%s",
			 letter ? '-' : ' ', letter ? letter : ' ',
			 letter ? ", " : "  ", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		/* A long option and argument gets its text on a line of its own. */
		if (strlen(left) > 28)
			printf("  %s\n  %-28s %s\n", left, "", o->help);
		else
			printf("  %-28s %s\n", left, o->help);
	}
	printf("  %-28s %s\n  %-28s %s\n", "-j, --json",
	       "print the result as one JSON object", "-h, --help",
	       "show this help");
}

/*
 * getopt_long's tables from the command's option table: long options
 * return 256 + their index, short ones their letter; -j/--json and
 * -h/--help are every command's.
 */
static void build_getopt(const struct cli_cmd *cmd, struct option *lo,
			 char *so)
{
	const struct cli_opt *o;
	int i = 0;

	so += sprintf(so, ":jh");
	for (o = cmd->opts; o && o->name; o++, i++) {
		char letter = short_of(o->name);

		lo[i] = (struct option){ o->name, o->arg ? required_argument :
					 no_argument, NULL, 256 + i };
		if (letter)
			so += sprintf(so, "%c%s", letter, o->arg ? ":" : "");
	}
	lo[i++] = (struct option){ "json", no_argument, NULL, 'j' };
	lo[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[i] = (struct option){ NULL, 0, NULL, 0 };
}

static struct cli_opt *opt_of(struct cli *c, int code)
{
	struct cli_opt *o;

	if (code >= 256)
		return &c->cmd->opts[code - 256];
	for (o = c->cmd->opts; o && o->name; o++)
		if (short_of(o->name) == code)
			return o;
	return NULL;
}

/* Why getopt_long stopped at argv[optind - 1], as one usage line. */
static int bad_option(struct cli *c, char **argv, int code)
{
	const char *a = argv[optind - 1];

	if (code == ':')
		return cli_usage(c, "option '%s' needs a value (see dmalab %s --help)",
				 a, c->cmd->name);
	if (optopt && !strncmp(a, "--", 2) && strchr(a, '='))
		return cli_usage(c, "option '%.*s' takes no value",
				 (int)(strchr(a, '=') - a), a);
	if (optopt && optopt < 256 && strncmp(a, "--", 2))
		return cli_usage(c, "unknown option '-%c' (see dmalab %s --help)",
				 optopt, c->cmd->name);
	return cli_usage(c, "unknown option '%s' (see dmalab %s --help)", a,
			 c->cmd->name);
}

/*
 * Fill the command's options from argv with getopt_long (short options,
 * --opt value and --opt=value, "--" ending the options); positional
 * arguments stay in c. Everything after --exec is the program to run.
 */
static int parse(struct cli *c, int argc, char **argv)
{
	struct option lo[64];
	char so[128];
	int i, code;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exec") && cli_opt(c, "exec")) {
			if (i + 1 >= argc)
				return cli_usage(c, "--exec needs a program to run");
			c->exec_argv = argv + i + 1;
			argc = i;
			break;
		}
	}
	build_getopt(c->cmd, lo, so);
	opterr = 0;
	optind = 1;
	while ((code = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		struct cli_opt *o;

		if (code == 'j') {
			c->json = 1;
			continue;
		}
		if (code == 'h')
			return OPT_HELP;
		o = opt_of(c, code);
		if (code == '?' || code == ':' || !o)
			return bad_option(c, argv, code);
		if (o->n >= CLI_MAX_VALS)
			return cli_usage(c, "--%s given too often", o->name);
		o->vals[o->n++] = o->arg ? optarg : "1";
	}
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}

static const struct cli_cmd *find_cmd(const char *name)
{
	int i;

	for (i = 0; commands[i]; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

/* dmalab help [COMMAND]: 0, or 2 for a command that does not exist. */
static int help(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 3) {
		usage_all(stdout);
		return 0;
	}
	cmd = find_cmd(argv[2]);
	if (!cmd) {
		fprintf(stderr, "dmalab help: unknown command '%s' (see dmalab help)\n",
			argv[2]);
		return 2;
	}
	usage_cmd(cmd);
	return 0;
}

int main(int argc, char **argv)
{
	static struct cli c;
	int ret;

	if (argc < 2) {
		usage_all(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return help(argc, argv);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		argv[1] = "version";
	c.cmd = find_cmd(argv[1]);
	if (!c.cmd) {
		fprintf(stderr, "dmalab: unknown command '%s' (see dmalab help)\n",
			argv[1]);
		return 2;
	}
	ret = parse(&c, argc - 1, argv + 1);
	if (ret == OPT_HELP) {
		usage_cmd(c.cmd);
		return 0;
	}
	if (ret)
		return ret;
	return c.cmd->run(&c);
}
