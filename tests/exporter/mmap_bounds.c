// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a dma-buf fd: shared only, within the buffer, at the page offset
 * asked for; contents persist and user mappings are counted and released.
 */
#include <stdio.h>

#include "exp_util.h"
#include "kselftest_harness.h"

#define LEN (16 * 4096ULL)
#define PAGES (LEN / 4096)

/* The exporter's counters, then a 16-page buffer and its mappings. */
FIXTURE(mmap) {
	int dev, fd;
	struct dmalab_exp_stats base;
	unsigned char *p, *q;
};

FIXTURE_SETUP(mmap)
{
	self->fd = -1;
	self->p = MAP_FAILED;
	self->q = MAP_FAILED;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	self->fd = exp_alloc(self->dev, LEN, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(mmap)
{
	if (self->q != MAP_FAILED)
		munmap(self->q, 3 * 4096);
	if (self->p != MAP_FAILED)
		munmap(self->p, LEN);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* The errno of a mapping that must fail, 0 if it succeeded (unmapped). */
static int map_fails(int fd, size_t len, int prot, int flags, off_t off)
{
	void *m = exp_map(fd, len, prot, flags, off);

	if (m == MAP_FAILED)
		return errno;
	munmap(m, len);
	return 0;
}

/* The buffer's nr_mmaps, or -1. */
static int nr_mmaps(FIXTURE_DATA(mmap) *self)
{
	struct dmalab_exp_info info;

	return exp_info(self->dev, self->fd, &info) ? -1 : (int)info.nr_mmaps;
}

/* Map the whole buffer into self->p and fill page i with i + 1. */
static void map_filled(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mmap) *self)
{
	size_t i;

	self->p = exp_map(self->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
	for (i = 0; i < PAGES; i++)
		memset(self->p + i * 4096, (int)(i + 1), 4096);
}

/* Pages 5..7 of the buffer, read-only, in self->q. */
static void map_q(struct __test_metadata *_metadata, FIXTURE_DATA(mmap) *self)
{
	self->q = exp_map(self->fd, 3 * 4096, PROT_READ, MAP_SHARED, 5 * 4096);
	ASSERT_NE(MAP_FAILED, self->q) TH_LOG("mmap at page 5: %s",
					      strerror(errno));
}

TEST_F(mmap, mmap_private_is_refused)
{
	EXPECT_EQ(EINVAL, map_fails(self->fd, LEN, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE, 0));
}

TEST_F(mmap, mmap_beyond_end_is_refused)
{
	EXPECT_EQ(EINVAL, map_fails(self->fd, LEN + 4096, PROT_READ,
				    MAP_SHARED, 0));
}

TEST_F(mmap, mmap_offset_at_end_is_refused)
{
	EXPECT_EQ(EINVAL, map_fails(self->fd, 4096, PROT_READ, MAP_SHARED,
				    LEN));
}

TEST_F(mmap, mmap_straddling_end_is_refused)
{
	EXPECT_EQ(EINVAL, map_fails(self->fd, 2 * 4096, PROT_READ, MAP_SHARED,
				    LEN - 4096));
}

TEST_F(mmap, mmap_whole_buffer_reads_zero)
{
	self->p = exp_map(self->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_TRUE(exp_all_bytes(self->p, LEN, 0));
}

TEST_F(mmap, mmap_pgoff_maps_the_right_pages)
{
	map_filled(_metadata, self);
	map_q(_metadata, self);
	EXPECT_EQ(6, self->q[0]);
	EXPECT_EQ(7, self->q[4096]);
	EXPECT_EQ(8, self->q[2 * 4096 + 4095]);
}

TEST_F(mmap, info_counts_live_mmaps)
{
	map_filled(_metadata, self);
	map_q(_metadata, self);
	EXPECT_EQ(2, nr_mmaps(self));
}

TEST_F(mmap, contents_persist_across_mappings)
{
	map_filled(_metadata, self);
	munmap(self->p, LEN);
	self->p = exp_map(self->fd, LEN, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(1, self->p[0]);
	EXPECT_EQ(PAGES, self->p[LEN - 1]);
}

TEST_F(mmap, munmap_drops_the_mmap_count)
{
	map_filled(_metadata, self);
	map_q(_metadata, self);
	ASSERT_EQ(2, nr_mmaps(self));
	munmap(self->q, 3 * 4096);
	self->q = MAP_FAILED;
	EXPECT_EQ(1, nr_mmaps(self)) TH_LOG("one of two mappings unmapped");
	munmap(self->p, LEN);
	self->p = MAP_FAILED;
	EXPECT_EQ(0, nr_mmaps(self)) TH_LOG("both mappings unmapped");
}

/* A partial munmap splits the VMA: both halves stay counted. */
TEST_F(mmap, split_mapping_is_counted_and_works)
{
	map_filled(_metadata, self);
	ASSERT_EQ(0, munmap(self->p + 4 * 4096, 4096));
	EXPECT_EQ(2, nr_mmaps(self));
	EXPECT_EQ(6, self->p[5 * 4096]);
	EXPECT_EQ(4, self->p[3 * 4096]);
}

/* The mapping keeps the buffer alive after its fd is closed. */
TEST_F(mmap, mapping_keeps_buffer_after_close)
{
	struct dmalab_exp_stats st;

	map_filled(_metadata, self);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_EQ(self->base.live_buffers + 1, st.live_buffers);
	EXPECT_EQ(1, self->p[0]);
}

TEST_F(mmap, last_munmap_frees_the_buffer)
{
	struct dmalab_exp_stats st;

	map_filled(_metadata, self);
	ASSERT_EQ(0, munmap(self->p + 4 * 4096, 4096));
	close(self->fd);
	self->fd = -1;
	munmap(self->p, 4 * 4096);
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_EQ(self->base.live_buffers + 1, st.live_buffers)
		TH_LOG("one of the split mapping's halves is still mapped");
	munmap(self->p + 5 * 4096, LEN - 5 * 4096);
	self->p = MAP_FAILED;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, before %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)self->base.live_buffers);
}

TEST_HARNESS_MAIN
