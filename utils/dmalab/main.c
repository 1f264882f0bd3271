// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab: one command-line tool for the dmalab exporter and importer and for
 * any dma-buf. `dmalab help` lists the commands; every command takes --help
 * and --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd *const commands[] = {
	&cmd_alloc, &cmd_info, &cmd_fill, &cmd_verify, &cmd_dump, &cmd_name,
	&cmd_vmap, &cmd_map, &cmd_dma, &cmd_fence, &cmd_list, &cmd_devices,
	&cmd_stats, &cmd_capture, &cmd_conform, &cmd_version, NULL,
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
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-24s %s\n", left, o->help);
	}
	printf("  %-24s %s\n  %-24s %s\n", "--json",
	       "print the result as one JSON object", "--help",
	       "show this help");
}

/* Fill the command's options from argv; positional arguments stay in c. */
static int parse(struct cli *c, int argc, char **argv)
{
	int i, npos = 0;

	for (i = 0; i < argc; i++) {
		char *a = argv[i], *eq;
		struct cli_opt *o;

		if (strncmp(a, "--", 2) || !a[2]) {
			if (!strcmp(a, "--"))
				a = argv[++i];
			if (!a)
				break;
			argv[npos++] = a;
			continue;
		}
		eq = strchr(a, '=');
		if (eq)
			*eq = '\0';
		if (!strcmp(a + 2, "json") && !eq) {
			c->json = 1;
			continue;
		}
		o = cli_opt(c, a + 2);
		if (!o)
			return cli_usage(c, "unknown option '%s' (see dmalab %s --help)",
					 a, c->cmd->name);
		if (!strcmp(o->name, "exec")) {
			if (eq || i + 1 >= argc)
				return cli_usage(c, "--exec needs a program to run");
			c->exec_argv = argv + i + 1;
			break;
		}
		if (o->n >= CLI_MAX_VALS)
			return cli_usage(c, "--%s given too often", o->name);
		if (!o->arg) {
			if (eq)
				return cli_usage(c, "--%s takes no value", o->name);
			o->vals[o->n++] = "1";
		} else if (eq) {
			o->vals[o->n++] = eq + 1;
		} else if (i + 1 < argc) {
			o->vals[o->n++] = argv[++i];
		} else {
			return cli_usage(c, "--%s needs a value (%s)", o->name,
					 o->arg);
		}
	}
	c->argc = npos;
	c->argv = argv;
	return 0;
}

int main(int argc, char **argv)
{
	static struct cli c;
	int i, ret;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc >= 3 && strcmp(argv[1], "--help")) {
			for (i = 0; commands[i]; i++)
				if (!strcmp(argv[2], commands[i]->name))
					usage_cmd(commands[i]);
			return 0;
		}
		usage_all(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	for (i = 0; commands[i]; i++)
		if (!strcmp(argv[1], commands[i]->name))
			break;
	if (!commands[i]) {
		fprintf(stderr, "dmalab: unknown command '%s' (see dmalab help)\n",
			argv[1]);
		return 2;
	}
	c.cmd = commands[i];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--exec"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage_cmd(c.cmd);
			return 0;
		}
	}
	ret = parse(&c, argc - 2, argv + 2);
	if (ret)
		return ret;
	return c.cmd->run(&c);
}
