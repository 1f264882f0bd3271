// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab conform: hold a dma-buf of any exporter to the dma-buf contract
 * (libdmalab-conform's dmalab_conform()) and print one verdict per check. The
 * buffer is ours (--fd N, DMABUF_FD, or a number), one made here by
 * another kernel driver (--from vgem|vivid|heap|heap:NAME|udmabuf), or
 * another process's (--pid PID --fd N, through pidfd_getfd): that one is
 * checked read-only unless --write is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sources.h"

static struct cli_opt conform_opts[] = {
	OPT("fd", "N", "the dma-buf (default: the argument, else $DMABUF_FD)"),
	OPT("from", "vgem|vivid|heap|heap:NAME|udmabuf", "check a buffer made by that driver instead"),
	OPT("size", "BYTES", "size of the --from buffer (default 64K; vivid: one frame)"),
	OPT_PID,
	OPT("write", NULL, "with --pid: run the checks that write the buffer too"),
	OPT("read-only", NULL, "never write the buffer; skip the checks that would"),
	OPT_END,
};

static void conform_show(struct cli *c, int fd, const char *from,
			 const struct dmalab_conform_report *r)
{
	const struct dmalab_conform_check *k;
	unsigned int i;

	if (!c->json) {
		printf("exporter %s%s%s, %llu bytes (fd %d", r->exporter,
		       from ? " from " : "", from ? from : "",
		       (unsigned long long)r->size, fd);
		if (c->owner_pid)
			printf(" here: fd %d of pid %d", c->owner_fd, c->owner_pid);
		printf(")\n\n");
		printf("%-32s %-13s %s\n", "check", "verdict", "detail");
		for (i = 0; i < r->nr_checks; i++) {
			k = &r->checks[i];
			printf("%-32s %-13s %s\n", k->name,
			       dmalab_conform_verdict_name(k->verdict), k->detail);
		}
		printf("\n%u passed, %u failed, %u not supported", r->passed,
		       r->failed, r->unsupported);
		if (r->skipped)
			printf(", %u skipped", r->skipped);
		printf("\n");
		fflush(stdout);
		return;
	}
	out_begin(c);
	out_i64(c, "fd", fd);
	if (c->owner_pid) {
		out_i64(c, "pid", c->owner_pid);
		out_i64(c, "pid_fd", c->owner_fd);
	}
	if (from)
		out_str(c, "from", from);
	out_str(c, "exporter", r->exporter);
	out_u64(c, "size", r->size);
	out_array_begin(c, "checks");
	for (i = 0; i < r->nr_checks; i++) {
		k = &r->checks[i];
		out_obj_begin(c);
		out_str(c, "name", k->name);
		out_str(c, "verdict", dmalab_conform_verdict_name(k->verdict));
		out_str(c, "detail", k->detail);
		out_obj_end(c);
	}
	out_array_end(c);
	out_u64(c, "passed", r->passed);
	out_u64(c, "failed", r->failed);
	/* "unsupported" stays last: scripts match '"unsupported":0}'. */
	out_u64(c, "skipped", r->skipped);
	out_u64(c, "unsupported", r->unsupported);
	out_end(c);
}

static int conform_run(struct cli *c)
{
	static struct dmalab_conform_report rep;
	struct source src = { .fd = -1, .keep = -1 };
	const char *from = cli_str(c, "from", NULL);
	struct dmalab_conform_opts o = { 0 };
	char why[96];
	uint64_t size;
	int fd, ret;

	ret = cli_size(c, "size", 64 << 10, &size);
	if (ret)
		return ret;
	if (c->argc > 1 || (c->argc && (from || cli_str(c, "fd", NULL))) ||
	    (from && cli_str(c, "pid", NULL)))
		return cli_usage(c, "one buffer only: an fd number, --fd or --from");
	if (cli_flag(c, "write") && (!cli_str(c, "pid", NULL) ||
				     cli_flag(c, "read-only")))
		return cli_usage(c, "--write goes with --pid, not with --read-only");
	if (from) {
		if (!source_known(from))
			return cli_usage(c, "--from: '%s' is not one of vgem, vivid, heap, heap:NAME, udmabuf",
					 from);
		if (!size || size % 4096 || size > (1ULL << 30))
			return cli_usage(c, "--size: a multiple of 4K up to 1G");
		ret = source_open(from, size, &src);
		if (ret)
			return cli_fail(c, "no %s buffer on this kernel: %s", from,
					strerror(-ret));
		fd = src.fd;
	} else if (c->argc) {
		struct cli_opt *fo = cli_opt(c, "fd");

		/* The number given is --fd's: of this process, or of --pid's. */
		fo->vals[fo->n++] = c->argv[0];
		fd = cli_buf_fd(c, "fd");
	} else {
		fd = cli_buf_fd(c, "fd");
	}
	if (fd < 0)
		return cli_buf_fd_status(c);
	/* Another process's buffer: read it, never write it, unless asked. */
	if (cli_flag(c, "read-only") || (c->owner_pid && !cli_flag(c, "write"))) {
		o.flags = DMALAB_CONFORM_READ_ONLY;
		if (c->owner_pid)
			snprintf(why, sizeof(why),
				 "read-only: the buffer belongs to pid %d; --write to include",
				 c->owner_pid);
		else
			snprintf(why, sizeof(why), "read-only: --read-only given");
		o.why = why;
	}
	ret = dmalab_conform_with(fd, -1, &o, &rep, &c->err);
	if (!ret)
		conform_show(c, fd, from, &rep);
	source_close(&src);
	if (c->owner_pid)
		close(fd);
	if (ret)
		return cli_lib_fail(c);
	if (rep.failed)
		return cli_fail(c, "%u of %u checks failed", rep.failed,
				rep.nr_checks);
	return 0;
}

const struct cli_cmd cmd_conform = {
	.name = "conform",
	.usage = "[--fd N [--pid PID [--write]] | DMABUF_FD | --from vgem|vivid|heap|heap:NAME|udmabuf] [--read-only]",
	.summary = "check any dma-buf against the dma-buf contract (pass, fail, not supported)",
	.details = "Runs size and lseek, mmap (offsets, bounds, MAP_PRIVATE), DMA_BUF_IOCTL_SYNC,\n"
		   "vmap against mmap, per-device sg_tables, a DMA round trip and fences\n"
		   "(poll, sync_file, SYNC) through the importer. Overwrites the buffer,\n"
		   "except with --read-only, or with --pid PID (fd N of another process, taken\n"
		   "with pidfd_getfd) unless --write: then the checks that write are skipped\n"
		   "and say why, devices only read it, and vmap, offsets and DMA are compared\n"
		   "on its contents. Exit status 1 when any check fails.",
	.opts = conform_opts,
	.run = conform_run,
};
