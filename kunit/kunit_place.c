// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp_place: how a device that attaches is served (directly, by a
 * migration, by a copy of its own, or refused), decided by
 * dmalab_exp_place_attach() from the buffer's pages (or, before they
 * exist, the range they will come from), the buffer's address limit, the
 * devices already attached and the strategies the buffer allows. The
 * buffers here are made up: where they "have pages", only the physical
 * span the decision reads is set, so no case may reach a migration (which
 * would copy them); the migration itself is tested by tests/exporter/.
 */
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <uapi/linux/dmalab_exp.h>

#include "../exporter/exp.h"
#include "kunit.h"

struct dmalab_kunit_place {
	struct dmalab_exp_buf buf;
	/* Stands for a page array: the decision only asks whether one exists. */
	struct page *fake_page;
	struct dmalab_exp_attach other;
};

static void dmalab_kunit_place_exit(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;

	mutex_destroy(&c->buf.lock);
}

static int dmalab_kunit_place_init(struct kunit *test)
{
	struct dmalab_kunit_place *c = kunit_kzalloc(test, sizeof(*c),
						     GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	mutex_init(&c->buf.lock);
	INIT_LIST_HEAD(&c->buf.attachments);
	c->buf.limit.hi = PHYS_ADDR_MAX;
	test->priv = c;
	return 0;
}

/* The buffer's pages span [lo, lo + len). */
static void dmalab_kunit_place_pages(struct dmalab_kunit_place *c,
				     phys_addr_t lo, u64 len)
{
	c->buf.mem.pages = &c->fake_page;
	c->buf.mem.lo = lo;
	c->buf.mem.hi = lo + len - 1;
}

/* A device that attached earlier, served directly, reaching [lo, hi]. */
static void dmalab_kunit_place_other(struct dmalab_kunit_place *c,
				     phys_addr_t lo, phys_addr_t hi)
{
	c->other.reach.lo = lo;
	c->other.reach.hi = hi;
	list_add_tail(&c->other.node, &c->buf.attachments);
}

/*
 * Attach a device reaching [lo, hi]: returns what the decision returned,
 * and in *copy whether the device is to be served by a copy.
 */
static int dmalab_kunit_place_attach(struct dmalab_kunit_place *c,
				     phys_addr_t lo, phys_addr_t hi,
				     bool *copy)
{
	struct dmalab_exp_attach a = { .reach = { .lo = lo, .hi = hi } };
	int ret;

	mutex_lock(&c->buf.lock);
	ret = dmalab_exp_place_attach(&c->buf, &a);
	mutex_unlock(&c->buf.lock);
	*copy = a.copy;
	return ret;
}

#define DMALAB_KUNIT_4G_HI	(SZ_4G - 1)

/*
 * A device reaching [lo, hi] is refused with @err under the buffer's
 * flags as set, and served by a copy once the buffer also allows copies.
 */
static void dmalab_kunit_place_copy_only(struct kunit *test,
					 struct dmalab_kunit_place *c,
					 phys_addr_t lo, phys_addr_t hi, int err)
{
	bool copy;

	KUNIT_EXPECT_EQ(test, dmalab_kunit_place_attach(c, lo, hi, &copy),
			err);
	c->buf.flags |= DMALAB_EXP_ALLOC_COPY;
	KUNIT_EXPECT_EQ(test, dmalab_kunit_place_attach(c, lo, hi, &copy), 0);
	KUNIT_EXPECT_TRUE(test, copy);
}

/* A device that reaches nothing cannot be served at all. */
static void dmalab_kunit_place_no_reach(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;
	bool copy;

	c->buf.flags = DMALAB_EXP_ALLOC_MIGRATE | DMALAB_EXP_ALLOC_COPY;
	KUNIT_EXPECT_EQ(test, dmalab_kunit_place_attach(c, 1, 0, &copy),
			-ERANGE);
}

/* Before the pages exist, a device only narrows where they will come from. */
static void dmalab_kunit_place_deferred_is_direct(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;
	bool copy = true;

	dmalab_kunit_place_other(c, 0, PHYS_ADDR_MAX);
	KUNIT_EXPECT_EQ(test, dmalab_kunit_place_attach(c, 0,
							DMALAB_KUNIT_4G_HI,
							&copy), 0);
	KUNIT_EXPECT_FALSE(test, copy);
}

/*
 * Before the pages exist, a device whose reach misses every other direct
 * device's gets a copy when the buffer allows one, else is refused.
 */
static void dmalab_kunit_place_deferred_disjoint(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;

	dmalab_kunit_place_other(c, 0, DMALAB_KUNIT_4G_HI);
	dmalab_kunit_place_copy_only(test, c, SZ_8G, PHYS_ADDR_MAX, -ERANGE);
}

/* The buffer's own address limit counts like a device's reach. */
static void dmalab_kunit_place_deferred_outside_limit(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;

	c->buf.limit.hi = SZ_1G - 1;
	dmalab_kunit_place_copy_only(test, c, SZ_2G, PHYS_ADDR_MAX, -ERANGE);
}

/* Pages inside the reach: direct, whatever the strategies. */
static void dmalab_kunit_place_pages_within(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;
	bool copy = true;

	dmalab_kunit_place_pages(c, SZ_1G, SZ_1M);
	c->buf.flags = DMALAB_EXP_ALLOC_COPY;
	KUNIT_EXPECT_EQ(test, dmalab_kunit_place_attach(c, 0,
							DMALAB_KUNIT_4G_HI,
							&copy), 0);
	KUNIT_EXPECT_FALSE(test, copy);
}

/* One page past the reach is enough to need a strategy. */
static void dmalab_kunit_place_pages_straddle(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;

	dmalab_kunit_place_pages(c, SZ_4G - SZ_1M, SZ_1M + PAGE_SIZE);
	dmalab_kunit_place_copy_only(test, c, 0, DMALAB_KUNIT_4G_HI, -ERANGE);
}

/*
 * Pages outside the reach while the buffer is vmapped: a migration would
 * move pages under a mapping, so it is -EBUSY, or a copy when allowed.
 */
static void dmalab_kunit_place_busy_no_migration(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;

	dmalab_kunit_place_pages(c, SZ_8G, SZ_1M);
	c->buf.vmap_count = 1;
	c->buf.flags = DMALAB_EXP_ALLOC_MIGRATE;
	dmalab_kunit_place_copy_only(test, c, 0, DMALAB_KUNIT_4G_HI, -EBUSY);
}

/*
 * A migration must suit the devices already served directly: when no page
 * can suit them and the newcomer both, the newcomer gets a copy (or
 * nothing), and the pages stay where they are.
 */
static void dmalab_kunit_place_migration_needs_common_range(struct kunit *test)
{
	struct dmalab_kunit_place *c = test->priv;

	dmalab_kunit_place_pages(c, SZ_8G, SZ_1M);
	dmalab_kunit_place_other(c, SZ_8G, PHYS_ADDR_MAX);
	c->buf.flags = DMALAB_EXP_ALLOC_MIGRATE;
	dmalab_kunit_place_copy_only(test, c, 0, DMALAB_KUNIT_4G_HI, -ERANGE);
	KUNIT_EXPECT_EQ(test, c->buf.mem.lo, (phys_addr_t)SZ_8G);
	KUNIT_EXPECT_EQ(test, c->buf.nr_migrations, 0U);
}

static struct kunit_case dmalab_kunit_place_cases[] = {
	KUNIT_CASE(dmalab_kunit_place_no_reach),
	KUNIT_CASE(dmalab_kunit_place_deferred_is_direct),
	KUNIT_CASE(dmalab_kunit_place_deferred_disjoint),
	KUNIT_CASE(dmalab_kunit_place_deferred_outside_limit),
	KUNIT_CASE(dmalab_kunit_place_pages_within),
	KUNIT_CASE(dmalab_kunit_place_pages_straddle),
	KUNIT_CASE(dmalab_kunit_place_busy_no_migration),
	KUNIT_CASE(dmalab_kunit_place_migration_needs_common_range),
	{}
};

struct kunit_suite dmalab_kunit_place_suite = {
	.name = "dmalab_exp_place",
	.init = dmalab_kunit_place_init,
	.exit = dmalab_kunit_place_exit,
	.test_cases = dmalab_kunit_place_cases,
};
