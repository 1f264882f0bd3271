// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab vmap: the importer reads a buffer from the kernel through
 * dma_buf_vmap() (one contiguous kernel address over every physical
 * segment), and the result is compared with what mmap shows user space.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

#define VMAP_CHUNK	(1U << 20)

static struct cli_opt vmap_opts[] = {
	OPT_FD,
	OPT("pattern", "BYTE|seq[:SEED]", "also check the bytes the kernel read against this"),
	OPT_END,
};

/* Kernel read of the whole buffer through the importer, checked. */
static int vmap_read(struct cli *c, int imp, uint32_t handle, uint64_t size,
		     uint64_t *sum, uint64_t *bad, uint64_t *first)
{
	struct dmalab_imp_cpu op;
	uint8_t *chunk = malloc(VMAP_CHUNK);
	uint64_t off, n, i;
	uint32_t val = 0;
	int seq = 0, check = !!cli_str(c, "pattern", NULL), ret = 0;

	if (!chunk)
		return -1;
	if (check)
		cli_pattern(c, "pattern", &seq, &val);
	*sum = DMALAB_IMP_FNV_OFFSET;
	*bad = 0;
	for (off = 0; off < size; off += n) {
		n = size - off < VMAP_CHUNK ? size - off : VMAP_CHUNK;
		memset(&op, 0, sizeof(op));
		op.handle = handle;
		op.op = DMALAB_IMP_CPU_READ;
		op.offset = off;
		op.len = n;
		op.user_ptr = (uintptr_t)chunk;
		ret = dmalab_imp_cpu_op(imp, &op, &c->err);
		if (ret)
			break;
		*sum = dmalab_fnv1a64(*sum, chunk, n);
		cli_progress(off + n, size);
		for (i = 0; check && i < n; i++)
			if (chunk[i] != (seq ? dmalab_pattern_byte(val, off + i) : val) &&
			    !(*bad)++)
				*first = off + i;
	}
	free(chunk);
	return ret;
}

static int vmap_run(struct cli *c)
{
	struct dmalab_exp_info info;
	struct dmalab_imp_cpu op;
	uint64_t size, ksum, rsum, msum, bad = 0, first = 0;
	int fd, imp, exp, ours, seq, ret;
	uint32_t handle, val;
	void *map;
	double t0, t1;

	fd = cli_buf_fd(c, "fd");
	if (fd < 0)
		return 2;
	if (cli_no_args(c))
		return 2;
	ret = cli_str(c, "pattern", NULL) ? cli_pattern(c, "pattern", &seq, &val) : 0;
	if (ret)
		return ret;
	imp = open_imp(c);
	if (imp < 0)
		return cli_lib_fail(c);
	if (dmalab_imp_import_fd(imp, fd, &handle, &size, &c->err))
		goto fail;
	t0 = now_ms();
	memset(&op, 0, sizeof(op));
	op.handle = handle;
	op.op = DMALAB_IMP_CPU_CHECKSUM;
	op.len = size;
	if (dmalab_imp_cpu_op(imp, &op, &c->err))
		goto fail;
	t1 = now_ms();
	ksum = op.checksum;
	if (vmap_read(c, imp, handle, size, &rsum, &bad, &first))
		goto fail;
	if (dmalab_buf_mmap(fd, 0, size, PROT_READ, &map, &c->err))
		goto fail;
	dmalab_buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
	msum = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, map, size);
	dmalab_buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	munmap(map, size);
	exp = open_exp(c);
	ours = exp >= 0 && !dmalab_exp_get_info(exp, fd, &info, NULL, 0, NULL);
	if (exp >= 0)
		close(exp);
	close(imp);

	out_begin(c);
	out_i64(c, "fd", fd);
	out_u64(c, "size", size);
	if (ours)
		out_u64(c, "segments", info.nr_segments);
	out_hex(c, "kernel_fnv1a64", ksum);
	out_hex(c, "kernel_read_fnv1a64", rsum);
	out_hex(c, "mmap_fnv1a64", msum);
	out_bool(c, "match", ksum == msum && rsum == msum);
	if (cli_str(c, "pattern", NULL)) {
		out_bool(c, "pattern_match", !bad);
		if (bad)
			out_u64(c, "first_mismatch", first);
	}
	out_ms(c, "checksum_ms", t1 - t0);
	out_end(c);
	if (ksum != msum || rsum != msum)
		return cli_fail(c, "the kernel's vmap and user mmap disagree");
	if (bad)
		return cli_fail(c, "the kernel read %llu wrong bytes, first at offset %llu",
				(unsigned long long)bad, (unsigned long long)first);
	return 0;
fail:
	close(imp);
	return cli_lib_fail(c);
}

const struct cli_cmd cmd_vmap = {
	.name = "vmap",
	.usage = "[--fd N] [--pattern P]",
	.summary = "read a buffer in the kernel (importer's dma_buf_vmap) and compare with mmap",
	.opts = vmap_opts,
	.run = vmap_run,
};
