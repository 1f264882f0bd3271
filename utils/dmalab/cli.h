/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dmalab tool's command framework: option tables (from which --help is
 * written), the buffer fd convention (--fd N or DMABUF_FD), one-line errors,
 * and output that is either text or JSON.
 */
#ifndef DMALAB_CLI_H
#define DMALAB_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "dmalab.h"
#include "dmalab_conform.h"

#define CLI_MAX_VALS	16

/**
 * struct cli_opt - one option of a command
 * @name: long name without the dashes
 * @arg: name of its argument for --help, NULL for a flag
 * @help: one line of help
 * @vals: values given, in order (flags: "1")
 * @n: number of values given (options may repeat)
 */
struct cli_opt {
	const char *name;
	const char *arg;
	const char *help;
	const char *vals[CLI_MAX_VALS];
	int n;
};

/* Entries of an option table. */
#define OPT(n, a, h)	{ .name = (n), .arg = (a), .help = (h) }
#define OPT_END		{ .name = NULL }
/* The buffer option of every command that works on one dma-buf. */
#define OPT_FD		OPT("fd", "N", "the dma-buf (default: $DMABUF_FD)")
/* Commands that only read a buffer may take it from another process. */
#define OPT_PID		OPT("pid", "PID", "take fd N of process PID (pidfd_getfd: needs ptrace rights over it)")

struct cli;

/**
 * struct cli_cmd - one subcommand
 * @name: its name ("alloc")
 * @usage: arguments after the name, for --help
 * @summary: one line
 * @details: further help text, or NULL
 * @opts: its options, ended by an entry with a NULL name
 * @run: the command; returns the exit status
 */
struct cli_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	const char *details;
	struct cli_opt *opts;
	int (*run)(struct cli *c);
};

/**
 * struct cli - one invocation of a command
 * @cmd: the command
 * @argc: positional arguments left
 * @argv: the positional arguments
 * @json: --json given
 * @err: library error report
 * @depth: JSON nesting depth
 * @first: per depth, whether nothing was printed yet at that level
 * @in_row: text output: inside an array's object, printed as one row
 * @exec_argv: after --exec: the program and its arguments, else NULL
 * @owner_pid: with --pid: the process the buffer was taken from, else 0
 * @owner_fd: with --pid: the buffer's fd number in that process
 * @owner_failed: with --pid: taking the buffer failed (exit status 1, not 2)
 */
struct cli {
	const struct cli_cmd *cmd;
	int argc;
	char **argv;
	int json;
	struct dmalab_err err;
	int depth;
	int first[16];
	int in_row;
	char **exec_argv;
	int owner_pid;
	int owner_fd;
	int owner_failed;
};

/* Exit status after cli_buf_fd() gave no fd: wrong input, or --pid failed. */
static inline int cli_buf_fd_status(const struct cli *c)
{
	return c->owner_failed ? 1 : 2;
}

/* Every command, defined in the cmd_*.c files. */
extern const struct cli_cmd cmd_alloc, cmd_info, cmd_fill, cmd_verify,
	cmd_dump, cmd_name, cmd_vmap, cmd_map, cmd_dma, cmd_fence, cmd_list,
	cmd_devices, cmd_stats, cmd_ps, cmd_capture, cmd_conform, cmd_version;

/* Options. */
struct cli_opt *cli_opt(struct cli *c, const char *name);
const char *cli_str(struct cli *c, const char *name, const char *def);
int cli_flag(struct cli *c, const char *name);
int cli_u64(struct cli *c, const char *name, uint64_t def, uint64_t *out);
int cli_size(struct cli *c, const char *name, uint64_t def, uint64_t *out);
int cli_byte(struct cli *c, const char *name, uint8_t def, uint8_t *out);
int cli_buf_fd(struct cli *c, const char *name);
int cli_choice(struct cli *c, const char *name, const char *const *choices,
	       int def);
int cli_pattern(struct cli *c, const char *name, int *seq, uint32_t *val);

/* Errors: print "dmalab CMD: ..." on one line and return the exit status. */
int cli_fail(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_usage(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_lib_fail(struct cli *c);
int cli_no_args(struct cli *c);

/* Output: an object of fields, arrays of objects. */
void out_begin(struct cli *c);
void out_end(struct cli *c);
void out_u64(struct cli *c, const char *key, uint64_t v);
void out_i64(struct cli *c, const char *key, int64_t v);
void out_hex(struct cli *c, const char *key, uint64_t v);
void out_str(struct cli *c, const char *key, const char *v);
void out_bool(struct cli *c, const char *key, int v);
void out_ms(struct cli *c, const char *key, double ms);
void out_array_begin(struct cli *c, const char *key);
void out_array_end(struct cli *c);
void out_obj_begin(struct cli *c);
void out_obj_end(struct cli *c);
void out_obj_key_begin(struct cli *c, const char *key);

/* Helpers shared by commands. */
void cli_progress(uint64_t done, uint64_t total);
double now_ms(void);
const char *placement_name(uint32_t p);
const char *timing_name(uint32_t t);
const char *dir_name(uint32_t d);
int open_exp(struct cli *c);
int open_imp(struct cli *c);

/* cmd_info.c: a buffer's exporter-side state, as text or JSON fields. */
void show_exp_info(struct cli *c, const struct dmalab_exp_info *info,
		   const struct dmalab_exp_attach_info *att);

#endif /* DMALAB_CLI_H */
