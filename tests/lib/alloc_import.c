// SPDX-License-Identifier: GPL-2.0
/*
 * libdmalab against both drivers: allocate, name, size by lseek, write by
 * mmap, import, map on edu A, check the sg_table covers the buffer, read it
 * back in the kernel by vmap, and tear down leaving nothing alive.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmalab.h"
#include "tap.h"

#define LEN	(64 * 1024)

int main(void)
{
	struct dmalab_alloc_opts o = { .len = LEN, .addr_bits = 28,
				       .cloexec = 1, .name = "lib-test" };
	struct dmalab_exp_stats before, after;
	struct dmalab_imp_sg_info sg;
	struct dmalab_imp_mapping m;
	struct dmalab_exp_info info;
	struct dmalab_imp_cpu cpu;
	struct dmalab_err err;
	uint32_t dev;
	uint64_t size = 0, sum;
	uint8_t *p;
	int exp, imp, fd, i;

	tap_plan(8);
	memset(&err, 0, sizeof(err));
	exp = dmalab_exp_open(&err);
	imp = dmalab_imp_open(&err);
	if (exp < 0 || imp < 0) {
		tap_diag("%s", err.msg);
		return 1;
	}
	dmalab_exp_get_stats(exp, &before, NULL);
	fd = dmalab_alloc(exp, &o, &err);
	tap_result(fd >= 0 && !dmalab_buf_size(fd, &size, &err) && size == LEN,
		   "alloc_gives_a_dmabuf_whose_lseek_size_is_the_length");
	tap_result(!dmalab_exp_get_info(exp, fd, &info, NULL, 0, &err) &&
		   !strcmp(info.name, "lib-test") && info.addr_bits == 28,
		   "alloc_sets_the_name_and_placement_asked");

	p = NULL;
	if (!dmalab_buf_mmap(fd, 0, LEN, PROT_READ | PROT_WRITE, (void **)&p, &err)) {
		dmalab_buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, NULL);
		for (i = 0; i < LEN; i++)
			p[i] = dmalab_pattern_byte(11, i);
		dmalab_buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, NULL);
	}
	sum = p ? dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, p, LEN) : 0;
	tap_result(!!p, "mmap_of_the_dmabuf_is_writable");

	tap_result(!dmalab_imp_find_dev(imp, "A", &dev, &err) &&
		   dmalab_imp_find_dev(imp, "nonesuch", &dev, &err) == -ENODEV &&
		   strstr(err.msg, "'nonesuch'"), "device_names_resolve_or_are_named");
	dmalab_imp_find_dev(imp, "A", &dev, NULL);
	tap_result(!dmalab_imp_map_fd(imp, fd, dev, DMALAB_IMP_DIR_BIDIR, &m, &err) &&
		   !dmalab_imp_get_sg_info(imp, m.attach_id, &sg, NULL, 0, &err) &&
		   sg.total_len == LEN && sg.dma_max < (1ULL << 28) && !sg.violations,
		   "map_on_A_covers_the_buffer_within_28_bits");
	memset(&cpu, 0, sizeof(cpu));
	cpu.handle = m.handle;
	cpu.op = DMALAB_IMP_CPU_CHECKSUM;
	cpu.len = LEN;
	tap_result(!dmalab_imp_cpu_op(imp, &cpu, &err) && cpu.checksum == sum,
		   "kernel_vmap_checksum_equals_the_mmap_checksum");
	tap_result(!dmalab_imp_unmap_fd(imp, &m), "unmap_detach_release_succeed");

	if (p)
		munmap(p, LEN);
	close(fd);
	close(imp);
	dmalab_exp_get_stats(exp, &after, NULL);
	tap_result(after.live_buffers == before.live_buffers &&
		   after.live_attachments == before.live_attachments &&
		   after.live_mmaps == before.live_mmaps,
		   "nothing_stays_alive_after_close");
	close(exp);
	return tap_exit();
}
