// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers of every size class up to 16 MiB and every placement: they
 * allocate, report their length, read back as zeros, keep to their address
 * limit, scatter buffers use large blocks, contiguous ones stop at the
 * limit STATS reports, freed memory comes back zeroed, and everything is
 * freed. alloc_large.c covers 256 MiB and 1 GiB.
 */
#include <stdio.h>

#include "exp_util.h"
#include "kselftest_harness.h"

/* Zeros everywhere, or in one page per MiB for big buffers. */
static int reads_zero(int fd, uint64_t len)
{
	uint64_t step = len > 64 * MiB ? MiB : 4096, off;
	unsigned char *p = exp_map(fd, len, PROT_READ, MAP_SHARED, 0);
	int ok = 1;

	if (p == MAP_FAILED)
		return 0;
	for (off = 0; off < len && ok; off += step)
		ok = exp_all_bytes(p + off, 4096, 0);
	munmap(p, len);
	return ok;
}

/* Log a buffer's physical range, as addr_bits and contig tests want it. */
#define LOG_PHYS(info) \
	TH_LOG("phys %#llx-%#llx, %u segments", \
	       (unsigned long long)(info).phys_lo, \
	       (unsigned long long)(info).phys_hi, (info).nr_segments)

/* ---- one eager scatter buffer per size class ---- */

FIXTURE(alloc) {
	int dev, fd;
};

FIXTURE_VARIANT(alloc) {
	uint64_t len;
};

FIXTURE_VARIANT_ADD(alloc, 4_kib) { .len = 4 * KiB };
FIXTURE_VARIANT_ADD(alloc, 8_kib) { .len = 8 * KiB };
FIXTURE_VARIANT_ADD(alloc, 64_kib) { .len = 64 * KiB };
FIXTURE_VARIANT_ADD(alloc, 68_kib) { .len = 68 * KiB };
FIXTURE_VARIANT_ADD(alloc, 1024_kib) { .len = MiB };
FIXTURE_VARIANT_ADD(alloc, 1028_kib) { .len = MiB + 4 * KiB };
FIXTURE_VARIANT_ADD(alloc, 4096_kib) { .len = 4 * MiB };
FIXTURE_VARIANT_ADD(alloc, 16384_kib) { .len = 16 * MiB };

FIXTURE_SETUP(alloc)
{
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
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

TEST_F(alloc, succeeds)
{
	EXPECT_LE(0, self->fd) TH_LOG("alloc of %llu bytes: %s",
				      (unsigned long long)variant->len,
				      strerror(-self->fd));
}

TEST_F(alloc, reports_len_and_allocated)
{
	struct dmalab_exp_info info;

	if (self->fd < 0)
		SKIP(return, "no buffer: %s", strerror(-self->fd));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	EXPECT_EQ(variant->len, info.len);
	EXPECT_NE(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
}

TEST_F(alloc, reads_zero)
{
	if (self->fd < 0)
		SKIP(return, "no buffer: %s", strerror(-self->fd));
	EXPECT_TRUE(reads_zero(self->fd, variant->len));
}

/* ---- the exporter alone, and its limits ---- */

FIXTURE(exp) {
	int dev, fd;
	struct dmalab_exp_stats base;
};

FIXTURE_SETUP(exp)
{
	self->fd = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
}

FIXTURE_TEARDOWN(exp)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* An eager buffer in self->fd, its INFO in *@info. */
static void alloc_info(struct __test_metadata *_metadata,
		       FIXTURE_DATA(exp) *self, uint64_t len, uint32_t place,
		       struct dmalab_exp_info *info)
{
	self->fd = exp_alloc(self->dev, len, place, DMALAB_EXP_TIMING_EAGER, 0,
			     0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc of %llu bytes, placement %u: %s",
				      (unsigned long long)len, place,
				      strerror(-self->fd));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, info));
}

/* 4 KiB pages alone would give thousands of segments. */
TEST_F(exp, scatter_16_mib_uses_1_mib_blocks)
{
	struct dmalab_exp_info info;

	alloc_info(_metadata, self, 16 * MiB, DMALAB_EXP_PLACE_SCATTER, &info);
	EXPECT_LE(1U, info.nr_segments);
	EXPECT_GE(16U, info.nr_segments);
	TH_LOG("16 MiB scatter: %u segments", info.nr_segments);
}

TEST_F(exp, contig_at_limit_is_one_segment)
{
	struct dmalab_exp_info info;

	alloc_info(_metadata, self, self->base.max_contig_len,
		   DMALAB_EXP_PLACE_CONTIG, &info);
	EXPECT_EQ(1U, info.nr_segments) LOG_PHYS(info);
	EXPECT_NE(0U, info.state & DMALAB_EXP_STATE_CONTIGUOUS);
}

TEST_F(exp, contig_reads_zero)
{
	struct dmalab_exp_info info;

	alloc_info(_metadata, self, self->base.max_contig_len,
		   DMALAB_EXP_PLACE_CONTIG, &info);
	EXPECT_TRUE(reads_zero(self->fd, self->base.max_contig_len));
}

TEST_F(exp, contig_odd_page_count_is_one_segment)
{
	struct dmalab_exp_info info;

	alloc_info(_metadata, self, 3 * 4096, DMALAB_EXP_PLACE_CONTIG, &info);
	EXPECT_EQ(1U, info.nr_segments) LOG_PHYS(info);
	EXPECT_EQ(3 * 4096ULL, info.len);
}

TEST_F(exp, contig_beyond_limit_fails_e2big)
{
	self->fd = exp_alloc(self->dev, self->base.max_contig_len + 4096,
			     DMALAB_EXP_PLACE_CONTIG, DMALAB_EXP_TIMING_EAGER,
			     0, 0);
	EXPECT_EQ(-E2BIG, self->fd)
		TH_LOG("max_contig_len %llu",
		       (unsigned long long)self->base.max_contig_len);
}

/* Freed pages full of a pattern come back zeroed. */
TEST_F(exp, memory_is_zeroed_after_reuse)
{
	uint64_t len = 16 * MiB;
	unsigned char *p;
	int round;

	for (round = 0; round < 2; round++) {
		self->fd = exp_alloc(self->dev, len, DMALAB_EXP_PLACE_SCATTER,
				     DMALAB_EXP_TIMING_EAGER, 0, 0);
		ASSERT_LE(0, self->fd) TH_LOG("round %d: alloc: %s", round,
					      strerror(-self->fd));
		p = exp_map(self->fd, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			    0);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("round %d: mmap: %s", round,
						strerror(errno));
		if (round == 1) {
			EXPECT_TRUE(exp_all_bytes(p, len, 0));
		}
		memset(p, 0x5a, len);
		munmap(p, len);
		close(self->fd);
		self->fd = -1;
	}
}

/* Buffers of each placement and limit, mapped and read, then closed. */
TEST_F(exp, everything_is_freed_after_close)
{
	static const struct { uint64_t len; uint32_t place, bits; } bufs[] = {
		{ 68 * KiB, DMALAB_EXP_PLACE_SCATTER, 0 },
		{ MiB + 4 * KiB, DMALAB_EXP_PLACE_SCATTER, 32 },
		{ 3 * 4096, DMALAB_EXP_PLACE_CONTIG, 0 },
		{ MiB, DMALAB_EXP_PLACE_CONTIG, 28 },
	};
	struct dmalab_exp_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		int fd = exp_alloc(self->dev, bufs[i].len, bufs[i].place,
				   DMALAB_EXP_TIMING_EAGER, 0, bufs[i].bits);

		EXPECT_LE(0, fd) TH_LOG("alloc of %llu bytes: %s",
					(unsigned long long)bufs[i].len,
					strerror(-fd));
		if (fd < 0)
			continue;
		EXPECT_TRUE(reads_zero(fd, bufs[i].len))
			TH_LOG("%llu bytes", (unsigned long long)bufs[i].len);
		close(fd);
	}
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, bytes %llu; before %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_bytes,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_bytes);
}

/* ---- address limits ---- */

FIXTURE(addr_bits) {
	int dev, fd;
};

FIXTURE_VARIANT(addr_bits) {
	unsigned int bits;
	uint64_t len;
	uint32_t place;
};

FIXTURE_VARIANT_ADD(addr_bits, 32_scatter) {
	.bits = 32, .len = 8 * MiB, .place = DMALAB_EXP_PLACE_SCATTER,
};

FIXTURE_VARIANT_ADD(addr_bits, 28_scatter) {
	.bits = 28, .len = MiB, .place = DMALAB_EXP_PLACE_SCATTER,
};

FIXTURE_VARIANT_ADD(addr_bits, 28_contig) {
	.bits = 28, .len = MiB, .place = DMALAB_EXP_PLACE_CONTIG,
};

FIXTURE_VARIANT_ADD(addr_bits, 24_scatter) {
	.bits = 24, .len = 64 * KiB, .place = DMALAB_EXP_PLACE_SCATTER,
};

FIXTURE_SETUP(addr_bits)
{
	self->fd = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
}

FIXTURE_TEARDOWN(addr_bits)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(addr_bits, keeps_pages_below_limit)
{
	struct dmalab_exp_info info;

	self->fd = exp_alloc(self->dev, variant->len, variant->place,
			     DMALAB_EXP_TIMING_EAGER, 0, variant->bits);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	if (info.state & DMALAB_EXP_STATE_PHYS_HIDDEN)
		SKIP(return, "needs CAP_SYS_ADMIN");
	EXPECT_GT(1ULL << variant->bits, info.phys_hi);
	EXPECT_LE(info.phys_lo, info.phys_hi);
	TH_LOG("addr_bits %u: phys %#llx-%#llx", variant->bits,
	       (unsigned long long)info.phys_lo,
	       (unsigned long long)info.phys_hi);
}

TEST_HARNESS_MAIN
