// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp_sgt: an sg_table cut to a device's limits. A buffer's pages
 * are given as physically contiguous runs; dmalab_exp_sgt_build() must emit
 * them in order, whole, with no entry longer than the device's maximum
 * segment and none crossing its segment boundary. The runs are made up (the
 * table is never DMA-mapped here), the device is a bare struct device with
 * the DMA parameters of each case.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "../exporter/exp.h"
#include "kunit.h"

struct dmalab_kunit_sgt {
	struct device dev;
	/* Without a mask, dma_max_mapping_size() is 0 from 6.12 on. */
	u64 mask;
	struct device_dma_parameters parms;
	struct dmalab_exp_run runs[4];
	struct dmalab_exp_mem mem;
};

static struct dmalab_kunit_sgt *dmalab_kunit_sgt_new(struct kunit *test,
						     unsigned int max_seg,
						     unsigned long boundary)
{
	struct dmalab_kunit_sgt *c = kunit_kzalloc(test, sizeof(*c),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->parms.max_segment_size = max_seg;
	c->parms.segment_boundary_mask = boundary;
	c->mask = DMA_BIT_MASK(64);
	c->dev.dma_mask = &c->mask;
	c->dev.dma_parms = &c->parms;
	c->mem.runs = c->runs;
	return c;
}

static void dmalab_kunit_sgt_add(struct dmalab_kunit_sgt *c, phys_addr_t addr,
				 u64 len)
{
	c->runs[c->mem.nr_segments].addr = addr;
	c->runs[c->mem.nr_segments].len = len;
	c->mem.nr_segments++;
	c->mem.nr_pages += len >> PAGE_SHIFT;
}

/*
 * Build the table and check what holds for every table: the entries follow
 * the runs in order and cover them exactly, none longer than @max_len and
 * none crossing a multiple of @boundary + 1. Returns the number of entries.
 */
static unsigned int dmalab_kunit_sgt_check(struct kunit *test,
					   struct dmalab_kunit_sgt *c,
					   u64 max_len, u64 boundary)
{
	struct sg_table *sgt = dmalab_exp_sgt_build(&c->mem, &c->dev);
	unsigned int run = 0, i;
	struct scatterlist *sg;
	u64 done = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	for_each_sgtable_sg(sgt, sg, i) {
		phys_addr_t phys = sg_phys(sg);

		KUNIT_ASSERT_LT(test, run, c->mem.nr_segments);
		KUNIT_EXPECT_EQ(test, phys, c->runs[run].addr + done);
		KUNIT_EXPECT_LE(test, (u64)sg->length, max_len);
		KUNIT_EXPECT_EQ(test, phys & ~boundary,
				(phys + sg->length - 1) & ~boundary);
		done += sg->length;
		if (done >= c->runs[run].len) {
			KUNIT_EXPECT_EQ(test, done, c->runs[run].len);
			run++;
			done = 0;
		}
	}
	KUNIT_EXPECT_EQ(test, run, c->mem.nr_segments);
	i = sgt->orig_nents;
	dmalab_exp_sgt_free(sgt);
	return i;
}

/* 1 MiB at 64 KiB per segment (the DMA default): sixteen entries. */
static void dmalab_kunit_sgt_cut_to_max_segment(struct kunit *test)
{
	struct dmalab_kunit_sgt *c = dmalab_kunit_sgt_new(test, SZ_64K, 0);

	dmalab_kunit_sgt_add(c, SZ_256M, SZ_1M);
	KUNIT_EXPECT_EQ(test, dmalab_kunit_sgt_check(test, c, SZ_64K, ~0UL),
			16U);
}

/* A run starting half way into a 64 KiB window is cut at the window's end. */
static void dmalab_kunit_sgt_cut_at_boundary(struct kunit *test)
{
	struct dmalab_kunit_sgt *c = dmalab_kunit_sgt_new(test, SZ_1M,
							  SZ_64K - 1);

	dmalab_kunit_sgt_add(c, SZ_256M + SZ_32K, SZ_64K);
	KUNIT_EXPECT_EQ(test, dmalab_kunit_sgt_check(test, c, SZ_1M,
						     SZ_64K - 1), 2U);
}

/* Separate runs stay separate entries, even when each fits one segment. */
static void dmalab_kunit_sgt_runs_stay_apart(struct kunit *test)
{
	struct dmalab_kunit_sgt *c = dmalab_kunit_sgt_new(test, SZ_4M, 0);

	dmalab_kunit_sgt_add(c, SZ_512M, SZ_1M);
	dmalab_kunit_sgt_add(c, SZ_256M, SZ_64K);
	dmalab_kunit_sgt_add(c, SZ_1G, SZ_4K);
	KUNIT_EXPECT_EQ(test, dmalab_kunit_sgt_check(test, c, SZ_4M, ~0UL),
			3U);
}

/*
 * A maximum segment that is not a page multiple is rounded down to one, so
 * that entries keep starting on page boundaries.
 */
static void dmalab_kunit_sgt_odd_max_segment_rounds_down(struct kunit *test)
{
	struct dmalab_kunit_sgt *c = dmalab_kunit_sgt_new(test, SZ_64K + 512,
							  0);

	dmalab_kunit_sgt_add(c, SZ_256M, SZ_128K);
	KUNIT_EXPECT_EQ(test, dmalab_kunit_sgt_check(test, c, SZ_64K, ~0UL),
			2U);
}

/* A segment smaller than a page is taken as it is. */
static void dmalab_kunit_sgt_sub_page_segments(struct kunit *test)
{
	struct dmalab_kunit_sgt *c = dmalab_kunit_sgt_new(test, 512, 0);

	dmalab_kunit_sgt_add(c, SZ_256M, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dmalab_kunit_sgt_check(test, c, 512, ~0UL),
			(unsigned int)(PAGE_SIZE / 512));
}

/* A boundary inside a page would never let a cut end: refused. */
static void dmalab_kunit_sgt_sub_page_boundary_is_refused(struct kunit *test)
{
	struct dmalab_kunit_sgt *c = dmalab_kunit_sgt_new(test, SZ_64K,
							  SZ_2K - 1);

	dmalab_kunit_sgt_add(c, SZ_256M, SZ_64K);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmalab_exp_sgt_build(&c->mem, &c->dev)),
			-EINVAL);
}

static struct kunit_case dmalab_kunit_sgt_cases[] = {
	KUNIT_CASE(dmalab_kunit_sgt_cut_to_max_segment),
	KUNIT_CASE(dmalab_kunit_sgt_cut_at_boundary),
	KUNIT_CASE(dmalab_kunit_sgt_runs_stay_apart),
	KUNIT_CASE(dmalab_kunit_sgt_odd_max_segment_rounds_down),
	KUNIT_CASE(dmalab_kunit_sgt_sub_page_segments),
	KUNIT_CASE(dmalab_kunit_sgt_sub_page_boundary_is_refused),
	{}
};

struct kunit_suite dmalab_kunit_sgt_suite = {
	.name = "dmalab_exp_sgt",
	.test_cases = dmalab_kunit_sgt_cases,
};
