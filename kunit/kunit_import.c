// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp_import: buffers of ours as an in-kernel importer sees them,
 * the two cases of the study note's kunit_importer_test (the sg_table a
 * device gets, and a CPU read through dma_buf_vmap) and what an importer
 * may get wrong. Each case makes its own device: a platform device with a
 * 64-bit DMA mask and 64 KiB segments, not behind an IOMMU, so its DMA
 * addresses are physical ones.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>

#include "../exporter/exp.h"
#include "kunit.h"

/* One block of each order the exporter allocates: 1 MiB, 64 KiB, 4 KiB. */
#define DMALAB_KUNIT_MIXED_LEN	(SZ_1M + SZ_64K + SZ_4K)

struct dmalab_kunit_import {
	struct platform_device *pdev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
};

static int dmalab_kunit_import_init(struct kunit *test)
{
	struct dmalab_kunit_import *c;
	int ret;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->pdev = platform_device_register_simple("dmalab_kunit",
						  PLATFORM_DEVID_AUTO, NULL, 0);
	if (IS_ERR(c->pdev))
		return PTR_ERR(c->pdev);
	/* dma_set_max_seg_size() returns void from 6.12 on: set it as it does. */
	c->pdev->dev.dma_parms->max_segment_size = SZ_64K;
	ret = dma_coerce_mask_and_coherent(&c->pdev->dev, DMA_BIT_MASK(64));
	if (ret) {
		platform_device_unregister(c->pdev);
		return ret;
	}
	test->priv = c;
	return 0;
}

static void dmalab_kunit_import_exit(struct kunit *test)
{
	struct dmalab_kunit_import *c = test->priv;

	if (c->attach)
		dma_buf_detach(c->dmabuf, c->attach);
	if (c->dmabuf)
		dma_buf_put(c->dmabuf);
	platform_device_unregister(c->pdev);
}

/* A buffer of @len bytes, made as ALLOC makes it, attached to the device. */
static struct dmalab_exp_buf *dmalab_kunit_import_buf(struct kunit *test,
						      size_t len, u32 timing)
{
	struct dmalab_kunit_import *c = test->priv;
	struct dmalab_exp_alloc args = {
		.size = sizeof(args),
		.len = len,
		.timing = timing,
		.fd_flags = O_RDWR,
	};

	c->dmabuf = dmalab_exp_create(&args);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c->dmabuf);
	c->attach = dma_buf_attach(c->dmabuf, &c->pdev->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c->attach);
	return c->dmabuf->priv;
}

/*
 * The sg case: the table covers the buffer's pages in order, in entries of
 * at most the device's 64 KiB, at their physical addresses; there are as
 * many entries as the exporter's runs cut to 64 KiB make.
 */
static void dmalab_kunit_import_sg_table(struct kunit *test)
{
	struct dmalab_kunit_import *c = test->priv;
	struct dmalab_exp_buf *buf;
	unsigned int i, want = 0;
	struct scatterlist *sg;
	struct sg_table *sgt;
	size_t total = 0;

	buf = dmalab_kunit_import_buf(test, DMALAB_KUNIT_MIXED_LEN,
				      DMALAB_EXP_TIMING_EAGER);
	for (i = 0; i < buf->mem.nr_segments; i++)
		want += DIV_ROUND_UP(buf->mem.runs[i].len, SZ_64K);
	sgt = dmalab_imp_map_attachment(c->attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sgt->nents, want);
	for_each_sgtable_dma_sg(sgt, sg, i) {
		struct page *page = buf->mem.pages[total >> PAGE_SHIFT];

		KUNIT_EXPECT_LE(test, sg_dma_len(sg), (unsigned int)SZ_64K);
		KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(sg),
				(u64)phys_to_dma(&c->pdev->dev,
						 page_to_phys(page)));
		total += sg_dma_len(sg);
	}
	KUNIT_EXPECT_EQ(test, total, (size_t)DMALAB_KUNIT_MIXED_LEN);
	dmalab_imp_unmap_attachment(c->attach, sgt, DMA_BIDIRECTIONAL);
}

/*
 * The vmap case: one kernel address range over pages that are not one
 * physical range. The buffer comes zeroed; bytes written through the vmap
 * are in each page, read through the page itself. A buffer that happened
 * to come out in one physical piece is kept aside and another taken, so
 * that the vmap really spans a gap.
 */
static void dmalab_kunit_import_vmap(struct kunit *test)
{
	struct dmalab_kunit_import *c = test->priv;
	struct dma_buf *spare[4] = {};
	struct dmalab_exp_buf *buf;
	struct iosys_map map;
	unsigned int tries;
	size_t i;
	u8 *v;

	for (tries = 0;; tries++) {
		buf = dmalab_kunit_import_buf(test, DMALAB_KUNIT_MIXED_LEN,
					      DMALAB_EXP_TIMING_EAGER);
		if (buf->mem.nr_segments > 1 || tries == ARRAY_SIZE(spare))
			break;
		dma_buf_detach(c->dmabuf, c->attach);
		c->attach = NULL;
		spare[tries] = c->dmabuf;
		c->dmabuf = NULL;
	}
	for (i = 0; i < tries; i++)
		dma_buf_put(spare[i]);
	KUNIT_ASSERT_GT_MSG(test, buf->mem.nr_segments, 1U,
			    "%u buffers each came out physically contiguous",
			    tries + 1);

	KUNIT_ASSERT_EQ(test, dmalab_imp_vmap(c->dmabuf, &map), 0);
	KUNIT_ASSERT_FALSE(test, map.is_iomem);
	v = map.vaddr;
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(v));
	KUNIT_EXPECT_NULL(test, memchr_inv(v, 0, buf->len));
	for (i = 0; i < buf->len; i++)
		v[i] = (u8)(i * 7 + (i >> PAGE_SHIFT));
	for (i = 0; i < buf->mem.nr_pages; i++) {
		u8 *p = kmap_local_page(buf->mem.pages[i]);
		size_t off, bad = PAGE_SIZE;

		for (off = 0; off < PAGE_SIZE && bad == PAGE_SIZE; off++) {
			size_t at = (i << PAGE_SHIFT) + off;

			if (p[off] != (u8)(at * 7 + (at >> PAGE_SHIFT)))
				bad = off;
		}
		kunmap_local(p);
		KUNIT_EXPECT_EQ_MSG(test, bad, (size_t)PAGE_SIZE,
				    "page %zu differs at byte %zu", i, bad);
	}
	dmalab_imp_vunmap(c->dmabuf, &map);
}

/*
 * A14: a map in no valid direction is refused with -EINVAL and leaves the
 * attachment as it was: it maps in a valid direction afterwards. Before,
 * the direction went to the DMA layer, which BUG()s on it.
 */
static void dmalab_kunit_import_invalid_direction(struct kunit *test)
{
	struct dmalab_kunit_import *c = test->priv;
	static const int bad[] = { DMA_NONE, DMA_NONE + 1, -1 };
	struct dmalab_exp_attach *a;
	struct sg_table *sgt;
	unsigned int i;

	dmalab_kunit_import_buf(test, SZ_64K, DMALAB_EXP_TIMING_EAGER);
	a = c->attach->priv;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sgt = dmalab_imp_map_attachment(c->attach,
						(enum dma_data_direction)bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(sgt), -EINVAL,
				    "direction %d", bad[i]);
		KUNIT_EXPECT_FALSE(test, a->mapped);
	}
	sgt = dmalab_imp_map_attachment(c->attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_TRUE(test, a->mapped);
	dmalab_imp_unmap_attachment(c->attach, sgt, DMA_TO_DEVICE);
}

/*
 * A deferred buffer has no pages after the attach; the first map allocates
 * them inside the device's reach, zeroed.
 */
static void dmalab_kunit_import_deferred_first_map(struct kunit *test)
{
	struct dmalab_kunit_import *c = test->priv;
	struct dmalab_exp_buf *buf;
	struct sg_table *sgt;
	struct iosys_map map;

	dmalab_kunit_import_buf(test, SZ_1M, DMALAB_EXP_TIMING_DEFERRED);
	buf = c->dmabuf->priv;
	KUNIT_EXPECT_NULL(test, buf->mem.pages);
	sgt = dmalab_imp_map_attachment(c->attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_NOT_NULL(test, buf->mem.pages);
	dmalab_imp_unmap_attachment(c->attach, sgt, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, dmalab_imp_vmap(c->dmabuf, &map), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(map.vaddr, 0, buf->len));
	dmalab_imp_vunmap(c->dmabuf, &map);
}

/* A deferred buffer's first use may be a vmap: it allocates there. */
static void dmalab_kunit_import_deferred_first_vmap(struct kunit *test)
{
	struct dmalab_kunit_import *c = test->priv;
	struct dmalab_exp_buf *buf;
	struct iosys_map map;

	dmalab_kunit_import_buf(test, SZ_1M, DMALAB_EXP_TIMING_DEFERRED);
	buf = c->dmabuf->priv;
	KUNIT_ASSERT_EQ(test, dmalab_imp_vmap(c->dmabuf, &map), 0);
	KUNIT_EXPECT_NOT_NULL(test, buf->mem.pages);
	KUNIT_EXPECT_PTR_EQ(test, map.vaddr, buf->vaddr);
	KUNIT_EXPECT_NULL(test, memchr_inv(map.vaddr, 0, buf->len));
	dmalab_imp_vunmap(c->dmabuf, &map);
}

static struct kunit_case dmalab_kunit_import_cases[] = {
	KUNIT_CASE(dmalab_kunit_import_sg_table),
	KUNIT_CASE(dmalab_kunit_import_vmap),
	KUNIT_CASE(dmalab_kunit_import_invalid_direction),
	KUNIT_CASE(dmalab_kunit_import_deferred_first_map),
	KUNIT_CASE(dmalab_kunit_import_deferred_first_vmap),
	{}
};

struct kunit_suite dmalab_kunit_import_suite = {
	.name = "dmalab_exp_import",
	.init = dmalab_kunit_import_init,
	.exit = dmalab_kunit_import_exit,
	.test_cases = dmalab_kunit_import_cases,
};
