// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab-bench's side of the importer: import, attach, map and read back
 * the sg_table summary through /dev/dmalab_imp. Every wrapper returns 0 or
 * -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dmalab_imp.h>

#include "bench.h"

static int bench_imp_ioc(unsigned long req, void *arg)
{
	return ioctl(bench.imp_fd, req, arg) ? -errno : 0;
}

static void bench_imp_find_edu(void)
{
	uint32_t ids[16];
	struct dmalab_imp_dev_list l = {
		.size = sizeof(l),
		.ids_ptr = (uintptr_t)ids,
		.count = 16,
	};
	unsigned int i;

	if (bench_imp_ioc(DMALAB_IMP_IOC_DEV_LIST, &l))
		return;
	for (i = 0; i < l.count && i < 16; i++) {
		struct dmalab_imp_dev_info d = {
			.size = sizeof(d),
			.dev_id = ids[i],
		};

		if (bench_imp_ioc(DMALAB_IMP_IOC_DEV_INFO, &d) ||
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
		.size = sizeof(s),
		.dma_bits = 64,
		/*
		 * No segment limit (UINT_MAX, as dma_get_max_seg_size() reports
		 * for none), so that tables show the memory's layout.
		 */
		.max_seg_size = 0xffffffffU,
	};

	bench.dev_edu_a = ~0U;
	bench.dev_edu_b = ~0U;
	bench.dev_sim = ~0U;
	bench.imp_fd = open("/dev/dmalab_imp", O_RDWR | O_CLOEXEC);
	if (bench.imp_fd < 0) {
		perror("/dev/dmalab_imp");
		return -1;
	}
	bench_imp_find_edu();
	if (!bench_imp_ioc(DMALAB_IMP_IOC_SIM_CREATE, &s))
		bench.dev_sim = s.dev_id;
	return 0;
}

int bench_imp_import(int dmabuf, uint32_t *handle)
{
	struct dmalab_imp_import a = { .size = sizeof(a), .fd = dmabuf };
	int ret = bench_imp_ioc(DMALAB_IMP_IOC_IMPORT, &a);

	if (!ret)
		*handle = a.handle;
	return ret;
}

static int bench_imp_id(unsigned long req, uint32_t id)
{
	struct dmalab_imp_id a = { .size = sizeof(a), .id = id };

	return bench_imp_ioc(req, &a);
}

int bench_imp_release(uint32_t handle)
{
	return bench_imp_id(DMALAB_IMP_IOC_RELEASE, handle);
}

int bench_imp_attach(uint32_t handle, uint32_t dev, uint32_t *att)
{
	struct dmalab_imp_attach a = {
		.size = sizeof(a),
		.handle = handle,
		.dev_id = dev,
	};
	int ret;

	if (dev == ~0U)
		return -ENODEV;
	ret = bench_imp_ioc(DMALAB_IMP_IOC_ATTACH, &a);
	if (!ret)
		*att = a.attach_id;
	return ret;
}

int bench_imp_detach(uint32_t att)
{
	return bench_imp_id(DMALAB_IMP_IOC_DETACH, att);
}

int bench_imp_map(uint32_t att)
{
	struct dmalab_imp_map m = {
		.size = sizeof(m),
		.attach_id = att,
		.dir = DMALAB_IMP_DIR_BIDIR,
	};

	return bench_imp_ioc(DMALAB_IMP_IOC_MAP, &m);
}

int bench_imp_unmap(uint32_t att)
{
	return bench_imp_id(DMALAB_IMP_IOC_UNMAP, att);
}

int bench_imp_sg(uint32_t att, uint32_t *nents, uint64_t *longest,
		 uint32_t *violations)
{
	struct dmalab_imp_sg_info s = { .size = sizeof(s), .attach_id = att };
	int ret = bench_imp_ioc(DMALAB_IMP_IOC_SG_INFO, &s);

	if (ret)
		return ret;
	*nents = s.nents;
	*longest = s.longest;
	*violations = s.violations;
	return 0;
}

/*
 * Checksum of the first @len bytes: the importer vmaps the buffer,
 * brackets the read with begin/end_cpu_access and vunmaps it.
 */
int bench_imp_cpu_checksum(uint32_t handle, uint64_t len)
{
	struct dmalab_imp_cpu c = {
		.size = sizeof(c),
		.handle = handle,
		.op = DMALAB_IMP_CPU_CHECKSUM,
		.len = len,
	};

	return bench_imp_ioc(DMALAB_IMP_IOC_CPU, &c);
}
