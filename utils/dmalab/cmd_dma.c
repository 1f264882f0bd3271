// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab dma copy|fill|checksum: a DMA job on one device (edu A by default).
 * Both buffers are imported, attached and mapped within this run, the job
 * runs, and its figures are shown: the sg_tables, how many times the engine
 * is programmed, the time taken.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "devspec.h"

static struct cli_opt dma_opts[] = {
	OPT("dev", "DEV", "the device (default A: edu device 0)"),
	OPT("fd", "N", "fill, checksum: the buffer (default: $DMABUF_FD)"),
	OPT("src-fd", "N", "copy: the buffer read"),
	OPT("dst-fd", "N", "copy: the buffer written"),
	OPT("offset", "BYTES", "fill, checksum: start of the range (default 0)"),
	OPT("src-offset", "BYTES", "copy: start in the source (default 0)"),
	OPT("dst-offset", "BYTES", "copy: start in the destination (default 0)"),
	OPT("len", "BYTES", "bytes (default: as much as fits)"),
	OPT("pattern", "BYTE", "fill: the byte value (default 0x5a)"),
	OPT("verify", NULL, "check the result through mmap afterwards"),
	OPT("timeout", "MS", "time allowed to the job (default 5000)"),
	OPT_END,
};

static const char *const ops[] = { "", "copy", "fill", "checksum", NULL };

#define DMA_MAX_ENTRIES	4096

struct dma_side {
	int fd;
	uint64_t off;
	struct dmalab_imp_mapping m;
	struct dmalab_imp_sg_info sg;
};

/*
 * Engine programmings for [off, off + len) of a mapping: one per piece of at
 * most @max_xfer bytes within each sg entry the range touches. Listing the
 * entries needs CAP_SYS_ADMIN; without it, the whole mapping's count.
 */
static uint64_t dma_range_progs(int imp, struct dma_side *s, uint64_t len,
				uint32_t max_xfer)
{
	struct dmalab_imp_sg_entry *e = calloc(DMA_MAX_ENTRIES, sizeof(*e));
	struct dmalab_imp_sg_info sg;
	uint64_t pos = 0, n = 0, lo, hi, end = s->off + len;
	uint32_t i;

	if (!e || dmalab_imp_get_sg_info(imp, s->m.attach_id, &sg, e,
					 DMA_MAX_ENTRIES, NULL) ||
	    sg.entries_count < sg.nents) {
		free(e);
		return s->sg.progs_entries;
	}
	for (i = 0; i < sg.entries_count; pos += e[i].dma_len, i++) {
		lo = pos > s->off ? pos : s->off;
		hi = pos + e[i].dma_len < end ? pos + e[i].dma_len : end;
		if (lo < hi)
			n += max_xfer ? (hi - lo + max_xfer - 1) / max_xfer : 1;
	}
	free(e);
	return n;
}

/*
 * Import, attach and map one side of the job: copy names its two buffers
 * --src-fd and --dst-fd, fill and checksum work on --fd.
 */
static int dma_side_open(struct cli *c, int imp, struct devspec *d,
			 struct dma_side *s, int op, int is_src)
{
	int copy = op == DMALAB_IMP_JOB_COPY, ret;
	const char *fd_opt = !copy ? "fd" : is_src ? "src-fd" : "dst-fd";
	const char *off_opt = !copy ? "offset" :
			      is_src ? "src-offset" : "dst-offset";
	uint32_t dir = is_src ? DMALAB_IMP_DIR_TO_DEVICE :
				DMALAB_IMP_DIR_FROM_DEVICE;

	s->fd = cli_buf_fd(c, fd_opt);
	if (s->fd < 0)
		return 2;
	ret = cli_size(c, off_opt, 0, &s->off);
	if (ret)
		return ret;
	if (dmalab_imp_map_fd(imp, s->fd, d->dev_id, dir, &s->m, &c->err) ||
	    dmalab_imp_get_sg_info(imp, s->m.attach_id, &s->sg, NULL, 0, &c->err))
		return cli_lib_fail(c);
	if (s->off >= s->m.size)
		return cli_usage(c, "--%s %llu is beyond the buffer's %llu bytes",
				 off_opt, (unsigned long long)s->off,
				 (unsigned long long)s->m.size);
	return 0;
}

static void dma_side_out(struct cli *c, const char *key, struct dma_side *s,
			 struct devspec *d)
{
	out_obj_key_begin(c, key);
	out_i64(c, "fd", s->fd);
	out_u64(c, "offset", s->off);
	show_sg(c, &s->sg, &d->info);
	out_obj_end(c);
}

/* Compare the two ranges (copy) or the range with @pattern (fill). */
static int dma_verify(struct cli *c, struct dma_side *a, struct dma_side *b,
		      uint64_t len, int pattern, uint64_t *bad)
{
	uint8_t *pa, *pb = NULL;
	uint64_t i;

	*bad = 0;
	if (dmalab_buf_mmap(a->fd, 0, a->m.size, PROT_READ, (void **)&pa, &c->err))
		return -1;
	if (b && dmalab_buf_mmap(b->fd, 0, b->m.size, PROT_READ, (void **)&pb,
				 &c->err)) {
		munmap(pa, a->m.size);
		return -1;
	}
	dmalab_buf_sync(a->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
	for (i = 0; i < len; i++)
		*bad += pa[a->off + i] != (b ? pb[b->off + i] : pattern);
	dmalab_buf_sync(a->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	munmap(pa, a->m.size);
	if (b)
		munmap(pb, b->m.size);
	return 0;
}

static int dma_run(struct cli *c)
{
	struct dma_side src = { .fd = -1 }, dst = { .fd = -1 };
	struct dmalab_imp_job job;
	struct devspecs ds = { .n = 0 };
	struct devspec *d;
	uint64_t len, timeout, max, bad = 0, sum = 0;
	uint8_t pattern;
	int op = 0, imp, ret, i;
	double t0, t1;

	for (i = 1; ops[i] && c->argc == 1; i++)
		if (!strcmp(c->argv[0], ops[i]))
			op = i;
	if (!op)
		return cli_usage(c, "give one operation: copy, fill or checksum");
	ret = cli_byte(c, "pattern", 0x5a, &pattern);
	if (!ret)
		ret = cli_u64(c, "timeout", 5000, &timeout);
	if (ret)
		return ret;
	imp = open_imp(c);
	if (imp < 0)
		return cli_lib_fail(c);
	if (devspec_resolve(c, imp, &ds, cli_str(c, "dev", "A"), &d)) {
		ret = cli_usage(c, "--dev: %s", c->err.msg);
		goto out;
	}
	memset(&job, 0, sizeof(job));
	job.op = op;
	job.pattern = op == DMALAB_IMP_JOB_FILL ? pattern : 0;
	job.timeout_ms = timeout;
	/* fill only writes, checksum only reads; an unused side stays 0. */
	if (op != DMALAB_IMP_JOB_FILL)
		ret = dma_side_open(c, imp, d, &src, op, 1);
	if (!ret && op != DMALAB_IMP_JOB_CHECKSUM)
		ret = dma_side_open(c, imp, d, &dst, op, 0);
	if (ret)
		goto out;
	job.src_attach = src.m.attach_id;
	job.src_offset = src.off;
	job.dst_attach = dst.m.attach_id;
	job.dst_offset = dst.off;
	max = src.fd >= 0 ? src.m.size - src.off : UINT64_MAX;
	if (dst.fd >= 0 && dst.m.size - dst.off < max)
		max = dst.m.size - dst.off;
	ret = cli_size(c, "len", max, &len);
	if (ret)
		goto out;
	if (!len || len > max) {
		ret = cli_usage(c, "--len %llu: must be 1..%llu for these buffers",
				(unsigned long long)len, (unsigned long long)max);
		goto out;
	}
	job.len = len;
	t0 = now_ms();
	ret = dmalab_imp_run_job(imp, &job, &sum, &c->err);
	t1 = now_ms();
	if (ret) {
		ret = cli_lib_fail(c);
		goto out;
	}
	if (cli_flag(c, "verify") && op != DMALAB_IMP_JOB_CHECKSUM &&
	    dma_verify(c, &dst, op == DMALAB_IMP_JOB_COPY ? &src : NULL, len,
		       pattern, &bad)) {
		ret = cli_lib_fail(c);
		goto out;
	}
	out_begin(c);
	out_str(c, "op", ops[op]);
	out_str(c, "dev", d->info.name);
	out_bool(c, "iommu", d->info.dev_flags & DMALAB_IMP_DEV_IOMMU);
	out_u64(c, "len", len);
	out_u64(c, "max_xfer", d->info.max_xfer);
	if (src.fd >= 0)
		dma_side_out(c, "src", &src, d);
	if (dst.fd >= 0)
		dma_side_out(c, "dst", &dst, d);
	out_u64(c, "programmings",
		(src.fd >= 0 ? dma_range_progs(imp, &src, len, d->info.max_xfer) : 0) +
		(dst.fd >= 0 ? dma_range_progs(imp, &dst, len, d->info.max_xfer) : 0));
	if (op == DMALAB_IMP_JOB_CHECKSUM)
		out_hex(c, "fnv1a64", sum);
	if (cli_flag(c, "verify"))
		out_bool(c, "verified", !bad);
	out_ms(c, "ms", t1 - t0);
	out_end(c);
	ret = bad ? cli_fail(c, "%llu bytes differ after the DMA %s",
			     (unsigned long long)bad, ops[op]) : 0;
out:
	close(imp);
	return ret;
}

const struct cli_cmd cmd_dma = {
	.name = "dma",
	.usage = "copy|fill|checksum [OPTIONS]",
	.summary = "run a DMA job on a device: copy between buffers, fill, checksum",
	.details = "copy: --src-fd A --dst-fd B; fill, checksum: --fd N (or $DMABUF_FD).\n"
		   "'programmings' counts the engine programmings the job's ranges need:\n"
		   "pieces of at most max_xfer bytes within each DMA segment, source and\n"
		   "destination (whole mappings when the entries cannot be listed).",
	.opts = dma_opts,
	.run = dma_run,
};
