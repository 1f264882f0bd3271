// SPDX-License-Identifier: GPL-2.0
/* dmalab alloc: a buffer from the exporter, shown or handed to a program. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static struct cli_opt alloc_opts[] = {
	OPT("placement", "scatter|contig", "where pages may come from (default scatter)"),
	OPT("timing", "eager|deferred", "allocate now, or at first use (default eager)"),
	OPT("addr-bits", "N", "every page below 2^N physically (24..64)"),
	OPT("migrate", NULL, "let a device attaching later move the pages"),
	OPT("copy", NULL, "give a device that cannot share its own copy"),
	OPT("name", "NAME", "set the dma-buf's name (DMA_BUF_SET_NAME)"),
	OPT("heap", "HEAP", "allocate from /dev/dma_heap/HEAP instead (dmalab-scatter, dmalab-dma32, system, ...)"),
	OPT("exec", "PROG ARGS...", "run PROG with the buffer open, its fd number in DMABUF_FD"),
	OPT_END,
};

static const char *const placements[] = { "scatter", "contig", NULL };
static const char *const timings[] = { "eager", "deferred", NULL };

static int alloc_opts_read(struct cli *c, struct dmalab_alloc_opts *o)
{
	uint64_t bits;
	int p, t, ret;

	memset(o, 0, sizeof(*o));
	if (c->argc != 1)
		return cli_usage(c, c->argc ? "one SIZE only, got %d arguments" :
				 "missing SIZE (e.g. 4M)%.0d", c->argc);
	if (dmalab_parse_size(c->argv[0], &o->len, &c->err))
		return cli_usage(c, "%s", c->err.msg);
	p = cli_choice(c, "placement", placements, 0);
	t = cli_choice(c, "timing", timings, 0);
	if (p < 0 || t < 0)
		return 2;
	ret = cli_u64(c, "addr-bits", 0, &bits);
	if (ret)
		return ret;
	if (bits && (bits < DMALAB_EXP_ADDR_BITS_MIN ||
		     bits > DMALAB_EXP_ADDR_BITS_MAX))
		return cli_usage(c, "--addr-bits: %llu is outside %d..%d",
				 (unsigned long long)bits,
				 DMALAB_EXP_ADDR_BITS_MIN, DMALAB_EXP_ADDR_BITS_MAX);
	o->placement = p;
	o->timing = t;
	o->addr_bits = bits;
	o->flags = (cli_flag(c, "migrate") ? DMALAB_EXP_ALLOC_MIGRATE : 0) |
		   (cli_flag(c, "copy") ? DMALAB_EXP_ALLOC_COPY : 0);
	o->name = cli_str(c, "name", NULL);
	o->cloexec = !c->exec_argv;
	return 0;
}

static int alloc_exec(struct cli *c, int fd)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", fd);
	if (setenv("DMABUF_FD", num, 1))
		return cli_fail(c, "setenv DMABUF_FD: %s", strerror(errno));
	execvp(c->exec_argv[0], c->exec_argv);
	cli_fail(c, "--exec: cannot run '%s': %s", c->exec_argv[0],
		 strerror(errno));
	return 127;
}

/*
 * --heap: the buffer comes from a DMA-BUF heap, ours (dmalab-*: the same
 * buffer as ALLOC's, shown like one) or any other (shown by its size and
 * exporter). The heap's name says how it places its pages: the exporter's
 * own options do not apply.
 */
static int alloc_from_heap(struct cli *c, const char *heap)
{
	static const char *const exp_opts[] = {
		"placement", "timing", "addr-bits", "migrate", "copy", NULL,
	};
	struct dmalab_exp_info info;
	char exporter[64] = "";
	uint64_t len, size = 0;
	int i, exp, fd, ret;
	double t0, t1;

	for (i = 0; exp_opts[i]; i++)
		if (cli_flag(c, exp_opts[i]))
			return cli_usage(c, "--%s does not go with --heap: the heap places the pages",
					 exp_opts[i]);
	if (c->argc != 1)
		return cli_usage(c, "one SIZE only");
	if (dmalab_parse_size(c->argv[0], &len, &c->err))
		return cli_usage(c, "%s", c->err.msg);
	t0 = now_ms();
	fd = dmalab_heap_alloc_from(heap, len,
				    c->exec_argv ? O_RDWR : O_RDWR | O_CLOEXEC,
				    &c->err);
	t1 = now_ms();
	if (fd < 0)
		return cli_lib_fail(c);
	if (cli_str(c, "name", NULL) &&
	    dmalab_buf_set_name(fd, cli_str(c, "name", NULL), &c->err)) {
		close(fd);
		return cli_lib_fail(c);
	}
	if (c->exec_argv)
		return alloc_exec(c, fd);
	out_begin(c);
	out_ms(c, "alloc_ms", t1 - t0);
	out_str(c, "heap", heap);
	dmalab_buf_fdinfo(fd, "exp_name", exporter, sizeof(exporter), NULL);
	out_str(c, "exporter", exporter);
	exp = dmalab_exp_open(NULL);
	ret = exp < 0 ? exp : dmalab_exp_get_info(exp, fd, &info, NULL, 0, NULL);
	if (exp >= 0)
		close(exp);
	if (!ret) {
		show_exp_info(c, &info, NULL);
	} else {
		dmalab_buf_size(fd, &size, NULL);
		out_u64(c, "size", size);
	}
	out_end(c);
	close(fd);
	return 0;
}

static int alloc_run(struct cli *c)
{
	struct dmalab_alloc_opts o;
	struct dmalab_exp_info info;
	int exp, fd, ret;
	double t0, t1;

	if (cli_str(c, "heap", NULL))
		return alloc_from_heap(c, cli_str(c, "heap", NULL));
	ret = alloc_opts_read(c, &o);
	if (ret)
		return ret;
	exp = open_exp(c);
	if (exp < 0)
		return cli_lib_fail(c);
	t0 = now_ms();
	fd = dmalab_alloc(exp, &o, &c->err);
	t1 = now_ms();
	if (fd < 0) {
		close(exp);
		return cli_lib_fail(c);
	}
	if (c->exec_argv) {
		close(exp);
		return alloc_exec(c, fd);
	}
	ret = dmalab_exp_get_info(exp, fd, &info, NULL, 0, &c->err);
	close(exp);
	if (ret)
		return cli_lib_fail(c);
	out_begin(c);
	out_ms(c, "alloc_ms", t1 - t0);
	show_exp_info(c, &info, NULL);
	out_end(c);
	close(fd);
	return 0;
}

const struct cli_cmd cmd_alloc = {
	.name = "alloc",
	.usage = "SIZE [OPTIONS] [--exec PROG ARGS...]",
	.summary = "allocate a dma-buf from the exporter (SIZE takes K, M, G)",
	.details = "Without --exec the buffer is shown, then freed. With --exec PROG runs\n"
		   "holding it: 'dmalab alloc 1M --exec sh -c \"dmalab fill; dmalab verify\"'.",
	.opts = alloc_opts,
	.run = alloc_run,
};
