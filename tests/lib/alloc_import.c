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
#include "kselftest_harness.h"

#define LEN	(64U * 1024)
#define SEED	11

/* Both drivers open, and the exporter's counters before the test. */
FIXTURE(lib) {
	int exp, imp, fd;
	uint8_t *p;
	struct dmalab_exp_stats before;
	struct dmalab_err err;
};

FIXTURE_SETUP(lib)
{
	self->fd = -1;
	self->exp = dmalab_exp_open(&self->err);
	ASSERT_LE(0, self->exp) TH_LOG("%s", self->err.msg);
	self->imp = dmalab_imp_open(&self->err);
	ASSERT_LE(0, self->imp) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, dmalab_exp_get_stats(self->exp, &self->before,
					  &self->err))
		TH_LOG("%s", self->err.msg);
}

FIXTURE_TEARDOWN(lib)
{
	if (self->p)
		munmap(self->p, LEN);
	if (self->fd >= 0)
		close(self->fd);
	if (self->imp >= 0)
		close(self->imp);
	if (self->exp >= 0)
		close(self->exp);
}

/* The buffer the tests work on: 64 KiB below 2^28, named "lib-test". */
static int alloc_buf(FIXTURE_DATA(lib) *self)
{
	struct dmalab_alloc_opts o = { .len = LEN, .addr_bits = 28,
				       .cloexec = 1, .name = "lib-test" };

	self->fd = dmalab_alloc(self->exp, &o, &self->err);
	return self->fd;
}

static void alloc_ok(struct __test_metadata *_metadata,
		     FIXTURE_DATA(lib) *self)
{
	ASSERT_LE(0, alloc_buf(self)) TH_LOG("alloc: %s", self->err.msg);
}

/* Write the pattern through mmap, between syncs; its FNV-1a in *@sum. */
static void fill_by_mmap(struct __test_metadata *_metadata,
			 FIXTURE_DATA(lib) *self, uint64_t *sum)
{
	unsigned int i;

	ASSERT_EQ(0, dmalab_buf_mmap(self->fd, 0, LEN, PROT_READ | PROT_WRITE,
				     (void **)&self->p, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_WRITE, &self->err))
		TH_LOG("%s", self->err.msg);
	for (i = 0; i < LEN; i++)
		self->p[i] = dmalab_pattern_byte(SEED, i);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END |
				     DMA_BUF_SYNC_WRITE, &self->err))
		TH_LOG("%s", self->err.msg);
	*sum = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, self->p, LEN);
}

/* Import the buffer, attach it to edu A and map it. */
static void map_on_a(struct __test_metadata *_metadata,
		     FIXTURE_DATA(lib) *self, struct dmalab_imp_mapping *m)
{
	uint32_t dev;

	ASSERT_EQ(0, dmalab_imp_find_dev(self->imp, "A", &dev, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, dmalab_imp_map_fd(self->imp, self->fd, dev,
				       DMALAB_IMP_DIR_BIDIR, m, &self->err))
		TH_LOG("%s", self->err.msg);
}

/* The kernel's checksum of the whole buffer, by vmap. */
static int vmap_checksum(FIXTURE_DATA(lib) *self, uint32_t handle,
			 uint64_t *sum)
{
	struct dmalab_imp_cpu cpu = {
		.handle = handle, .op = DMALAB_IMP_CPU_CHECKSUM, .len = LEN,
	};
	int r = dmalab_imp_cpu_op(self->imp, &cpu, &self->err);

	*sum = cpu.checksum;
	return r;
}

TEST_F(lib, alloc_gives_a_dmabuf_whose_lseek_size_is_the_length)
{
	uint64_t size = 0;

	ASSERT_LE(0, alloc_buf(self)) TH_LOG("alloc: %s", self->err.msg);
	EXPECT_EQ(0, dmalab_buf_size(self->fd, &size, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(LEN, size);
}

TEST_F(lib, alloc_sets_the_name_and_placement_asked)
{
	struct dmalab_exp_info info;

	alloc_ok(_metadata, self);
	ASSERT_EQ(0, dmalab_exp_get_info(self->exp, self->fd, &info, NULL, 0,
					 &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_STREQ("lib-test", info.name);
	EXPECT_EQ(28U, info.addr_bits);
}

TEST_F(lib, mmap_of_the_dmabuf_is_writable)
{
	uint64_t sum;

	alloc_ok(_metadata, self);
	fill_by_mmap(_metadata, self, &sum);
	EXPECT_EQ(dmalab_pattern_byte(SEED, LEN - 1), self->p[LEN - 1]);
}

TEST_F(lib, device_names_resolve_or_are_named)
{
	uint32_t dev;

	EXPECT_EQ(0, dmalab_imp_find_dev(self->imp, "A", &dev, &self->err))
		TH_LOG("A: %s", self->err.msg);
	EXPECT_EQ(-ENODEV, dmalab_imp_find_dev(self->imp, "nonesuch", &dev,
					       &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "'nonesuch'"))
		TH_LOG("message: %s", self->err.msg);
}

TEST_F(lib, map_on_A_covers_the_buffer_within_28_bits)
{
	struct dmalab_imp_mapping m;
	struct dmalab_imp_sg_info sg;

	alloc_ok(_metadata, self);
	map_on_a(_metadata, self, &m);
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->imp, m.attach_id, &sg, NULL,
					    0, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(LEN, sg.total_len);
	EXPECT_GT(1ULL << 28, sg.dma_max);
	EXPECT_EQ(0U, sg.violations) TH_LOG("violation kinds %#x",
					   sg.violation_kinds);
}

TEST_F(lib, kernel_vmap_checksum_equals_the_mmap_checksum)
{
	struct dmalab_imp_mapping m;
	uint64_t sum, ksum = 0;

	alloc_ok(_metadata, self);
	fill_by_mmap(_metadata, self, &sum);
	map_on_a(_metadata, self, &m);
	EXPECT_EQ(0, vmap_checksum(self, m.handle, &ksum))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(sum, ksum);
}

TEST_F(lib, unmap_detach_release_succeed)
{
	struct dmalab_imp_mapping m;

	alloc_ok(_metadata, self);
	map_on_a(_metadata, self, &m);
	EXPECT_EQ(0, dmalab_imp_unmap_fd(self->imp, &m));
}

/* Everything above, then close: the exporter's live counters are back. */
TEST_F(lib, nothing_stays_alive_after_close)
{
	struct dmalab_exp_stats after;
	struct dmalab_imp_mapping m;
	uint64_t sum, ksum;

	alloc_ok(_metadata, self);
	fill_by_mmap(_metadata, self, &sum);
	map_on_a(_metadata, self, &m);
	ASSERT_EQ(0, vmap_checksum(self, m.handle, &ksum))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, dmalab_imp_unmap_fd(self->imp, &m));
	munmap(self->p, LEN);
	self->p = NULL;
	close(self->fd);
	self->fd = -1;
	close(self->imp);
	self->imp = -1;
	ASSERT_EQ(0, dmalab_exp_get_stats(self->exp, &after, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(self->before.live_buffers, after.live_buffers);
	EXPECT_EQ(self->before.live_attachments, after.live_attachments);
	EXPECT_EQ(self->before.live_mmaps, after.live_mmaps);
}

TEST_HARNESS_MAIN
