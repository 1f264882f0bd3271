// SPDX-License-Identifier: GPL-2.0
/*
 * Large buffers: 256 MiB and 1 GiB allocate, read back as zeros (one page
 * per MiB is checked: every page would take too long under TCG) and are
 * freed on close. The 1 GiB buffer runs only when the exporter's cap and
 * the machine's free memory (1.5 GiB) allow it.
 *
 * Each test allocates its buffer anew (in the fixture's setup): under TCG
 * that takes seconds, hence the longer timeouts.
 */
#include <stdio.h>

#include "exp_util.h"
#include "kselftest_harness.h"

/*
 * Seconds a test may take: 1 GiB is allocated, zeroed and sampled, about
 * 3 s under TCG beside other guests; the default 30 s is too tight for a
 * busier host.
 */
#define LARGE_TIMEOUT 60

static uint64_t mem_available(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * KiB;
}

/* Zeros in the first page of every MiB and in the last page. */
static int sampled_zero(int fd, uint64_t len)
{
	unsigned char *p = exp_map(fd, len, PROT_READ, MAP_SHARED, 0);
	uint64_t off;
	int ok = 1;

	if (p == MAP_FAILED)
		return 0;
	for (off = 0; off < len && ok; off += MiB)
		ok = exp_all_bytes(p + off, 4096, 0);
	ok = ok && exp_all_bytes(p + len - 4096, 4096, 0);
	munmap(p, len);
	return ok;
}

/* The exporter's counters before the test, then one eager scatter buffer. */
FIXTURE(alloc) {
	int dev, fd;
	struct dmalab_exp_stats base;
};

FIXTURE_VARIANT(alloc) {
	uint64_t len;
};

FIXTURE_VARIANT_ADD(alloc, 256_mib) { .len = 256 * MiB };
FIXTURE_VARIANT_ADD(alloc, 1_gib) { .len = GiB };

FIXTURE_SETUP(alloc)
{
	uint64_t avail = mem_available();

	self->fd = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	if (variant->len >= GiB &&
	    (self->base.max_len < variant->len ||
	     avail < variant->len + variant->len / 2))
		SKIP(return, "needs cap 1 GiB, 1.5 GiB free: cap %llu MiB, free %llu MiB",
		     (unsigned long long)(self->base.max_len / MiB),
		     (unsigned long long)(avail / MiB));
	self->fd = exp_alloc(self->dev, variant->len, DMALAB_EXP_PLACE_SCATTER,
			     DMALAB_EXP_TIMING_EAGER, 0, 0);
}

FIXTURE_TEARDOWN(alloc)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F_TIMEOUT(alloc, succeeds, LARGE_TIMEOUT)
{
	struct dmalab_exp_info info;

	ASSERT_LE(0, self->fd) TH_LOG("alloc of %llu MiB: %s",
				      (unsigned long long)(variant->len / MiB),
				      strerror(-self->fd));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	EXPECT_EQ(variant->len, info.len);
	EXPECT_NE(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
	TH_LOG("%llu MiB: %u segments",
	       (unsigned long long)(variant->len / MiB), info.nr_segments);
}

TEST_F_TIMEOUT(alloc, reads_zero, LARGE_TIMEOUT)
{
	if (self->fd < 0)
		SKIP(return, "no buffer: %s", strerror(-self->fd));
	EXPECT_TRUE(sampled_zero(self->fd, variant->len));
}

TEST_F_TIMEOUT(alloc, everything_is_freed_after_close, LARGE_TIMEOUT)
{
	struct dmalab_exp_stats st;

	if (self->fd < 0)
		SKIP(return, "no buffer: %s", strerror(-self->fd));
	EXPECT_TRUE(sampled_zero(self->fd, variant->len));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, bytes %llu; before %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_bytes,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_bytes);
}

TEST_HARNESS_MAIN
