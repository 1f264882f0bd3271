// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp_reach: the physical range a device reaches by direct DMA, from
 * its DMA mask, its bus limit and its DMA ranges (the bus offset windows of
 * a SoC). The device is a bare struct device: no IOMMU group, so never
 * translated.
 */
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/sizes.h>

#include <dmalab/compat.h>

#include "../exporter/exp.h"
#include "kunit.h"

struct dmalab_kunit_reach {
	struct device dev;
	u64 mask;
	/* Up to two windows and the zero-sized end of the map. */
	struct bus_dma_region map[3];
};

static struct dmalab_kunit_reach *
dmalab_kunit_reach_new(struct kunit *test, unsigned int mask_bits,
		       u64 bus_limit)
{
	struct dmalab_kunit_reach *c = kunit_kzalloc(test, sizeof(*c),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->mask = DMA_BIT_MASK(mask_bits);
	c->dev.dma_mask = &c->mask;
	c->dev.coherent_dma_mask = c->mask;
	c->dev.bus_dma_limit = bus_limit;
	return c;
}

static void dmalab_kunit_reach_window(struct dmalab_kunit_reach *c,
				      unsigned int i, phys_addr_t cpu,
				      dma_addr_t dma, u64 size)
{
	dmalab_imp_set_dma_region(&c->map[i], cpu, dma, size);
	c->dev.dma_range_map = c->map;
}

static void dmalab_kunit_reach_expect(struct kunit *test,
				      struct dmalab_kunit_reach *c,
				      phys_addr_t lo, phys_addr_t hi)
{
	struct dmalab_exp_range reach;
	bool translated = true;

	dmalab_exp_dev_reach(&c->dev, &reach, &translated);
	KUNIT_EXPECT_FALSE(test, translated);
	KUNIT_EXPECT_EQ(test, reach.lo, lo);
	KUNIT_EXPECT_EQ(test, reach.hi, hi);
}

/* A 32-bit device reaches the first 4 GiB. */
static void dmalab_kunit_reach_mask(struct kunit *test)
{
	dmalab_kunit_reach_expect(test, dmalab_kunit_reach_new(test, 32, 0),
				  0, SZ_4G - 1);
}

/* A bus narrower than the device's mask limits it. */
static void dmalab_kunit_reach_bus_limit(struct kunit *test)
{
	dmalab_kunit_reach_expect(test,
				  dmalab_kunit_reach_new(test, 64,
							 DMA_BIT_MASK(36)),
				  0, DMA_BIT_MASK(36));
}

/* A bus wider than the mask does not widen the device. */
static void dmalab_kunit_reach_mask_below_bus_limit(struct kunit *test)
{
	dmalab_kunit_reach_expect(test,
				  dmalab_kunit_reach_new(test, 28,
							 DMA_BIT_MASK(40)),
				  0, DMA_BIT_MASK(28));
}

/* Bus addresses 0..1 GiB are CPU addresses 2..3 GiB. */
static void dmalab_kunit_reach_offset_window(struct kunit *test)
{
	struct dmalab_kunit_reach *c = dmalab_kunit_reach_new(test, 64, 0);

	dmalab_kunit_reach_window(c, 0, SZ_2G, 0, SZ_1G);
	dmalab_kunit_reach_expect(test, c, SZ_2G, SZ_2G + SZ_1G - 1);
}

/* The mask cuts a window: only its first 2 GiB of bus addresses count. */
static void dmalab_kunit_reach_window_cut_by_mask(struct kunit *test)
{
	struct dmalab_kunit_reach *c = dmalab_kunit_reach_new(test, 31, 0);

	dmalab_kunit_reach_window(c, 0, SZ_4G, 0, SZ_4G);
	dmalab_kunit_reach_expect(test, c, SZ_4G, SZ_4G + SZ_2G - 1);
}

/* Of two windows the wider is taken. */
static void dmalab_kunit_reach_widest_window(struct kunit *test)
{
	struct dmalab_kunit_reach *c = dmalab_kunit_reach_new(test, 64, 0);

	dmalab_kunit_reach_window(c, 0, SZ_1G, 0, SZ_256M);
	dmalab_kunit_reach_window(c, 1, SZ_4G, SZ_1G, SZ_1G);
	dmalab_kunit_reach_expect(test, c, SZ_4G, SZ_4G + SZ_1G - 1);
}

/* A window wholly above the mask is out of reach: nothing is. */
static void dmalab_kunit_reach_window_above_mask(struct kunit *test)
{
	struct dmalab_exp_range reach;
	struct dmalab_kunit_reach *c = dmalab_kunit_reach_new(test, 32, 0);
	bool translated;

	dmalab_kunit_reach_window(c, 0, SZ_8G, SZ_8G, SZ_1G);
	dmalab_exp_dev_reach(&c->dev, &reach, &translated);
	KUNIT_EXPECT_GT(test, reach.lo, reach.hi);
}

static struct kunit_case dmalab_kunit_reach_cases[] = {
	KUNIT_CASE(dmalab_kunit_reach_mask),
	KUNIT_CASE(dmalab_kunit_reach_bus_limit),
	KUNIT_CASE(dmalab_kunit_reach_mask_below_bus_limit),
	KUNIT_CASE(dmalab_kunit_reach_offset_window),
	KUNIT_CASE(dmalab_kunit_reach_window_cut_by_mask),
	KUNIT_CASE(dmalab_kunit_reach_widest_window),
	KUNIT_CASE(dmalab_kunit_reach_window_above_mask),
	{}
};

struct kunit_suite dmalab_kunit_reach_suite = {
	.name = "dmalab_exp_reach",
	.test_cases = dmalab_kunit_reach_cases,
};
