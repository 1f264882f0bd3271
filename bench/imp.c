// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab-bench's side of the importer, through libdmalab: open
 * /dev/dmalab_imp once, find the edu devices and make the simulated one.
 * The sections call libdmalab with bench.imp_fd directly; only attaching
 * goes through a helper, which knows an absent device (~0U).
 */
#include <errno.h>
#include <stdio.h>

#include "bench.h"

#define BENCH_MAX_DEVS	16

static void bench_imp_find_edu(void)
{
	uint32_t ids[BENCH_MAX_DEVS];
	struct dmalab_imp_dev_info d;
	int i, n;

	n = dmalab_imp_list_devs(bench.imp_fd, ids, BENCH_MAX_DEVS, NULL);
	for (i = 0; i < n && i < BENCH_MAX_DEVS; i++) {
		if (dmalab_imp_get_dev_info(bench.imp_fd, ids[i], &d, NULL) ||
		    d.kind != DMALAB_IMP_KIND_EDU)
			continue;
		if (d.dma_mask_bits == 28 && bench.dev_edu_a == ~0U)
			bench.dev_edu_a = ids[i];
		else if (d.dma_mask_bits == 36 && bench.dev_edu_b == ~0U)
			bench.dev_edu_b = ids[i];
		bench_meta(d.dma_mask_bits == 28 ? "edu_a" : "edu_b",
			   "%s mask %u bits, max_seg %u%s", d.name,
			   d.dma_mask_bits, d.max_seg_size,
			   d.dev_flags & DMALAB_IMP_DEV_IOMMU ? ", iommu" : "");
	}
}

/* Open the importer, find the edu devices, create the simulated device. */
int bench_imp_open(void)
{
	struct dmalab_imp_sim_create s = {
		.dma_bits = 64,
		/*
		 * No segment limit (UINT_MAX, as dma_get_max_seg_size() reports
		 * for none), so that tables show the memory's layout.
		 */
		.max_seg_size = 0xffffffffU,
	};
	struct dmalab_imp_version v;
	struct dmalab_err err;

	bench.dev_edu_a = ~0U;
	bench.dev_edu_b = ~0U;
	bench.dev_sim = ~0U;
	bench.imp_fd = dmalab_imp_open(&err);
	if (bench.imp_fd < 0) {
		fprintf(stderr, "dmalab-bench: %s\n", err.msg);
		return -1;
	}
	if (!dmalab_imp_get_version(bench.imp_fd, &v, NULL))
		bench_meta("imp_uapi", "%u.%u", v.major, v.minor);
	bench_imp_find_edu();
	if (!dmalab_imp_sim_create(bench.imp_fd, &s, NULL))
		bench.dev_sim = s.dev_id;
	return 0;
}

/* Attach @handle to device @dev, -ENODEV when the bench did not find it. */
int bench_imp_attach(uint32_t handle, uint32_t dev, uint32_t *att)
{
	if (dev == ~0U)
		return -ENODEV;
	return dmalab_imp_attach_dev(bench.imp_fd, handle, dev, att, NULL);
}
