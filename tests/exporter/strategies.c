// SPDX-License-Identifier: GPL-2.0
/*
 * Placement strategies with the importer's simulated devices: direct
 * attach, refusal when nothing fits, deferred allocation inside every
 * attached device's range, migration (with a live user mmap following it,
 * refused while a device mapping is live), and per-device copies for
 * devices whose ranges do not meet, in every DMA direction; closing the
 * importer gives everything back.
 *
 * Devices: sim28 and sim36 (28- and 36-bit DMA masks), winA and winB
 * (32-bit devices seeing 64 MiB of RAM at bus address 0, from physical
 * 64 MiB and 160 MiB: two ranges that do not meet). The windows sit low in
 * RAM, where a fresh guest's page allocator hands out ZONE_DMA32 pages
 * first, so that the exporter sets little memory aside to reach them (each
 * page set aside is zeroed by init_on_alloc: slow under TCG).
 *
 * Each test builds the steps before it (a buffer, its attachments, the
 * earlier transfers) itself, and logs how long it took.
 */
#include "dmalab_test.h"

#include "exp_util.h"
#include "kselftest_harness.h"

#define LEN (256 * KiB)
#define WIN_A (64 * MiB)
#define WIN_B (160 * MiB)
#define WIN_SIZE (64 * MiB)

/*
 * The exporter and its counters before the test, the importer with the
 * four devices; the test's buffer (@fd, imported as @h, mapped at @map)
 * and its attachments to sim36, sim28, winA and winB.
 */
FIXTURE(strat) {
	int dev, imp, fd, root;
	struct dmalab_exp_stats base;
	uint32_t sim28, sim36, win_a, win_b;
	uint32_t h, a36, a28, aa, ab;
	unsigned char *map;
	double t0;
};

FIXTURE_SETUP(strat)
{
	int r;

	self->t0 = test_now();
	self->fd = -1;
	self->imp = -1;
	self->map = MAP_FAILED;
	self->root = geteuid() == 0;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	r = test_sim(self->imp, 28, 0, 0, 0, 0, 0, 0, &self->sim28);
	ASSERT_EQ(0, r) TH_LOG("sim28: %s", strerror(-r));
	r = test_sim(self->imp, 36, 0, 0, 0, 0, 0, 0, &self->sim36);
	ASSERT_EQ(0, r) TH_LOG("sim36: %s", strerror(-r));
	r = test_sim(self->imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, WIN_A, 0,
		     WIN_SIZE, &self->win_a);
	ASSERT_EQ(0, r) TH_LOG("winA: %s", strerror(-r));
	r = test_sim(self->imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, WIN_B, 0,
		     WIN_SIZE, &self->win_b);
	ASSERT_EQ(0, r) TH_LOG("winB: %s", strerror(-r));
}

/* Closing the importer unmaps, detaches and releases what a test left. */
FIXTURE_TEARDOWN(strat)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, LEN);
	if (self->imp >= 0)
		close(self->imp);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
	TH_LOG("took %.2f s", test_now() - self->t0);
}

/* A LEN-byte scatter buffer, imported and mapped read-write. */
static void tbuf_new(struct __test_metadata *_metadata,
		     FIXTURE_DATA(strat) *self, uint32_t timing, uint32_t flags)
{
	int r;

	self->fd = exp_alloc(self->dev, LEN, DMALAB_EXP_PLACE_SCATTER, timing,
			     flags, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	r = exp_import(self->imp, self->fd, &self->h);
	ASSERT_EQ(0, r) TH_LOG("import: %s", strerror(-r));
	self->map = exp_map(self->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			    0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
}

/* The buffer's INFO. */
static struct dmalab_exp_info info_of(struct __test_metadata *_metadata,
				      FIXTURE_DATA(strat) *self)
{
	struct dmalab_exp_info info;
	int e = exp_info(self->dev, self->fd, &info);

	EXPECT_EQ(0, e) TH_LOG("INFO: %s", strerror(e));
	return info;
}

/* Attach the buffer to @dev_id (@what names it): must succeed. */
static void attach(struct __test_metadata *_metadata,
		   FIXTURE_DATA(strat) *self, uint32_t dev_id, uint32_t *att,
		   const char *what)
{
	int r = exp_attach(self->imp, self->h, dev_id, att);

	ASSERT_EQ(0, r) TH_LOG("attach to %s: %s", what, strerror(-r));
}

/* Map attachment @att for @dir: must succeed. */
static void map_att(struct __test_metadata *_metadata,
		    FIXTURE_DATA(strat) *self, uint32_t att, uint32_t dir)
{
	int r = dmalab_imp_map_attach(self->imp, att, dir, NULL);

	ASSERT_EQ(0, r) TH_LOG("map attachment %u for dir %u: %s", att, dir,
			       strerror(-r));
}

static void unmap_att(struct __test_metadata *_metadata,
		      FIXTURE_DATA(strat) *self, uint32_t att)
{
	int r = dmalab_imp_unmap_attach(self->imp, att, NULL);

	ASSERT_EQ(0, r) TH_LOG("unmap attachment %u: %s", att, strerror(-r));
}

/* A device job over the whole buffer through @att: must succeed. */
static uint64_t checksum_job(struct __test_metadata *_metadata,
			     FIXTURE_DATA(strat) *self, uint32_t att)
{
	uint64_t sum = 0;
	int r = exp_job(self->imp, DMALAB_IMP_JOB_CHECKSUM, att, 0, 0, 0, LEN,
			0, 0, &sum);

	EXPECT_EQ(0, r) TH_LOG("checksum job: %s", strerror(-r));
	return sum;
}

static void fill_job(struct __test_metadata *_metadata,
		     FIXTURE_DATA(strat) *self, uint32_t att, uint64_t len,
		     uint32_t pattern)
{
	int r = exp_job(self->imp, DMALAB_IMP_JOB_FILL, 0, att, 0, 0, len,
			pattern, 0, NULL);

	ASSERT_EQ(0, r) TH_LOG("fill job: %s", strerror(-r));
}

static void cpu_sync(struct __test_metadata *_metadata,
		     FIXTURE_DATA(strat) *self, uint64_t flags)
{
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, flags, NULL))
		TH_LOG("DMA_BUF_IOCTL_SYNC %#llx", (unsigned long long)flags);
}

/* ---- direct attach, and refusal ---- */

/* An eager buffer attached to sim36, which reaches any page. */
static void direct(struct __test_metadata *_metadata,
		   FIXTURE_DATA(strat) *self)
{
	tbuf_new(_metadata, self, DMALAB_EXP_TIMING_EAGER, 0);
	attach(_metadata, self, self->sim36, &self->a36, "sim36");
}

TEST_F(strat, device_reaching_the_pages_attaches_directly)
{
	tbuf_new(_metadata, self, DMALAB_EXP_TIMING_EAGER, 0);
	EXPECT_EQ(0, exp_attach(self->imp, self->h, self->sim36, &self->a36));
}

TEST_F(strat, direct_attach_neither_copies_nor_moves)
{
	struct dmalab_exp_info info;

	direct(_metadata, self);
	info = info_of(_metadata, self);
	EXPECT_EQ(1U, info.nr_attachments);
	EXPECT_EQ(0U, info.nr_copy_attach);
	EXPECT_EQ(0U, info.nr_migrations);
}

/* Eager pages come from anywhere; a 64 MiB window rarely holds them. */
TEST_F(strat, attach_without_fitting_strategy_fails_erange)
{
	struct dmalab_exp_info info;
	uint32_t att;

	direct(_metadata, self);
	info = info_of(_metadata, self);
	if (self->root && info.phys_lo >= WIN_A &&
	    info.phys_hi < WIN_A + WIN_SIZE)
		SKIP(return, "pages happen to lie in the window");
	EXPECT_EQ(-ERANGE, exp_attach(self->imp, self->h, self->win_a, &att));
	EXPECT_EQ(1U, info_of(_metadata, self).nr_attachments);
}

/* ---- deferred allocation ---- */

/* A deferred buffer attached to sim36 and sim28. */
static void deferred(struct __test_metadata *_metadata,
		     FIXTURE_DATA(strat) *self)
{
	tbuf_new(_metadata, self, DMALAB_EXP_TIMING_DEFERRED, 0);
	attach(_metadata, self, self->sim36, &self->a36, "sim36");
	attach(_metadata, self, self->sim28, &self->a28, "sim28");
}

TEST_F(strat, deferred_buffer_waits_with_the_intersection_as_range)
{
	struct dmalab_exp_info info;

	deferred(_metadata, self);
	info = info_of(_metadata, self);
	EXPECT_EQ(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
	EXPECT_EQ((1ULL << 28) - 1, info.range_hi);
}

TEST_F(strat, deferred_buffer_allocates_at_first_map)
{
	deferred(_metadata, self);
	EXPECT_EQ(0, dmalab_imp_map_attach(self->imp, self->a36,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	EXPECT_NE(0U, info_of(_metadata, self).state &
		  DMALAB_EXP_STATE_ALLOCATED);
}

TEST_F(strat, deferred_pages_suit_every_attached_device)
{
	struct dmalab_exp_info info;

	if (!self->root)
		SKIP(return, "needs CAP_SYS_ADMIN");
	deferred(_metadata, self);
	map_att(_metadata, self, self->a36, DMALAB_IMP_DIR_BIDIR);
	info = info_of(_metadata, self);
	EXPECT_GT(1ULL << 28, info.phys_hi);
}

/* Pages below 256 MiB may lie in winA's 64 MiB (the debug kernel's do). */
TEST_F(strat, disjoint_device_without_copy_flag_fails_erange)
{
	struct dmalab_exp_info info;
	uint32_t att;

	deferred(_metadata, self);
	map_att(_metadata, self, self->a36, DMALAB_IMP_DIR_BIDIR);
	info = info_of(_metadata, self);
	if (self->root && info.phys_lo >= WIN_A &&
	    info.phys_hi < WIN_A + WIN_SIZE)
		SKIP(return, "pages happen to lie in the window");
	EXPECT_EQ(-ERANGE, exp_attach(self->imp, self->h, self->win_a, &att));
}

/* ---- migration ---- */

/* An eager MIGRATE buffer full of 0xc3, attached to sim36. */
static void migratable(struct __test_metadata *_metadata,
		       FIXTURE_DATA(strat) *self)
{
	tbuf_new(_metadata, self, DMALAB_EXP_TIMING_EAGER,
		 DMALAB_EXP_ALLOC_MIGRATE);
	memset(self->map, 0xc3, LEN);
	attach(_metadata, self, self->sim36, &self->a36, "sim36");
}

/* The same, mapped and unmapped for sim36, then attached to sim28. */
static void migrated(struct __test_metadata *_metadata,
		     FIXTURE_DATA(strat) *self)
{
	migratable(_metadata, self);
	map_att(_metadata, self, self->a36, DMALAB_IMP_DIR_BIDIR);
	unmap_att(_metadata, self, self->a36);
	attach(_metadata, self, self->sim28, &self->a28, "sim28");
}

TEST_F(strat, migration_needed_while_mapped_fails_ebusy)
{
	migratable(_metadata, self);
	map_att(_metadata, self, self->a36, DMALAB_IMP_DIR_BIDIR);
	EXPECT_EQ(-EBUSY, exp_attach(self->imp, self->h, self->sim28, NULL));
	EXPECT_EQ(1U, info_of(_metadata, self).nr_attachments);
}

TEST_F(strat, unmapped_buffer_migrates_for_a_narrower_device)
{
	migratable(_metadata, self);
	map_att(_metadata, self, self->a36, DMALAB_IMP_DIR_BIDIR);
	unmap_att(_metadata, self, self->a36);
	EXPECT_EQ(0, exp_attach(self->imp, self->h, self->sim28, &self->a28));
}

TEST_F(strat, migration_moves_pages_into_the_device_range)
{
	struct dmalab_exp_info info;

	migrated(_metadata, self);
	info = info_of(_metadata, self);
	EXPECT_EQ(1U, info.nr_migrations);
	if (self->root) {
		EXPECT_GT(1ULL << 28, info.phys_hi);
	}
}

TEST_F(strat, live_mmap_keeps_contents_across_migration)
{
	migrated(_metadata, self);
	EXPECT_TRUE(exp_all_bytes(self->map, LEN, 0xc3));
}

TEST_F(strat, mmap_writes_after_migration_reach_the_new_pages)
{
	unsigned char got[16];
	int r;

	migrated(_metadata, self);
	self->map[LEN - 1] = 0x5e;
	r = test_cpu_read(self->imp, self->h, LEN - 16, 16, got);
	ASSERT_EQ(0, r) TH_LOG("CPU read: %s", strerror(-r));
	EXPECT_EQ(0x5e, got[15]);
	EXPECT_EQ(0xc3, got[0]);
}

TEST_F(strat, narrow_device_reads_the_migrated_contents)
{
	uint64_t sum;

	migrated(_metadata, self);
	self->map[LEN - 1] = 0x5e;
	map_att(_metadata, self, self->a28, DMALAB_IMP_DIR_TO_DEVICE);
	sum = checksum_job(_metadata, self, self->a28);
	EXPECT_EQ(exp_fnv(self->map, LEN), sum);
	unmap_att(_metadata, self, self->a28);
}

/* ---- per-device copies ---- */

/* A deferred COPY buffer attached to winA (direct) and winB (a copy). */
static void copied(struct __test_metadata *_metadata,
		   FIXTURE_DATA(strat) *self)
{
	tbuf_new(_metadata, self, DMALAB_EXP_TIMING_DEFERRED,
		 DMALAB_EXP_ALLOC_COPY);
	attach(_metadata, self, self->win_a, &self->aa, "winA");
	attach(_metadata, self, self->win_b, &self->ab, "winB");
}

/* TO_DEVICE: CPU data (0x11) reaches the copy at map; its checksum. */
static uint64_t to_device(struct __test_metadata *_metadata,
			  FIXTURE_DATA(strat) *self)
{
	uint64_t sum;

	memset(self->map, 0x11, LEN);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_TO_DEVICE);
	sum = checksum_job(_metadata, self, self->ab);
	unmap_att(_metadata, self, self->ab);
	return sum;
}

/* FROM_DEVICE: winB fills its copy with 0x77, unmapped. */
static void from_device(struct __test_metadata *_metadata,
			FIXTURE_DATA(strat) *self)
{
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_FROM_DEVICE);
	fill_job(_metadata, self, self->ab, LEN, 0x77);
	unmap_att(_metadata, self, self->ab);
}

/* BIDIRECTIONAL, staying mapped: winB fills a page, the CPU begins. */
static void bidir_begin(struct __test_metadata *_metadata,
			FIXTURE_DATA(strat) *self)
{
	to_device(_metadata, self);
	from_device(_metadata, self);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_BIDIR);
	fill_job(_metadata, self, self->ab, 4096, 0x33);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
}

/* The CPU writes a page of 0x44 and ends: winB's checksum, unmapped. */
static uint64_t bidir_end(struct __test_metadata *_metadata,
			  FIXTURE_DATA(strat) *self)
{
	uint64_t sum;

	bidir_begin(_metadata, self);
	memset(self->map + 8192, 0x44, 4096);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	sum = checksum_job(_metadata, self, self->ab);
	unmap_att(_metadata, self, self->ab);
	return sum;
}

/* All of the above, then winA reads the buffer itself: its checksum. */
static uint64_t direct_reads(struct __test_metadata *_metadata,
			     FIXTURE_DATA(strat) *self)
{
	uint64_t sum;

	bidir_end(_metadata, self);
	map_att(_metadata, self, self->aa, DMALAB_IMP_DIR_TO_DEVICE);
	sum = checksum_job(_metadata, self, self->aa);
	unmap_att(_metadata, self, self->aa);
	return sum;
}

TEST_F(strat, disjoint_device_gets_its_own_copy)
{
	struct dmalab_exp_attach_info ai[4];
	struct dmalab_exp_info info;
	int e;

	copied(_metadata, self);
	e = exp_info_attach(self->dev, self->fd, &info, ai, 4);
	ASSERT_EQ(0, e) TH_LOG("INFO: %s", strerror(e));
	EXPECT_EQ(1U, info.nr_copy_attach);
	EXPECT_NE(0U, info.state & DMALAB_EXP_STATE_COPIES);
	ASSERT_EQ(2U, info.attach_count);
	EXPECT_EQ(0U, ai[0].flags & DMALAB_EXP_ATTACH_COPY) TH_LOG("winA");
	EXPECT_NE(0U, ai[1].flags & DMALAB_EXP_ATTACH_COPY) TH_LOG("winB");
}

TEST_F(strat, copy_to_device_sees_cpu_data)
{
	uint64_t sum;

	copied(_metadata, self);
	sum = to_device(_metadata, self);
	EXPECT_EQ(exp_fnv(self->map, LEN), sum);
}

TEST_F(strat, copy_to_device_is_not_copied_back)
{
	struct dmalab_exp_info info;

	copied(_metadata, self);
	to_device(_metadata, self);
	info = info_of(_metadata, self);
	EXPECT_EQ(1ULL, info.nr_copy_in);
	EXPECT_EQ(0ULL, info.nr_copy_out);
}

/* FROM_DEVICE: what the device writes comes back at unmap. */
TEST_F(strat, copy_from_device_comes_back_at_unmap)
{
	copied(_metadata, self);
	to_device(_metadata, self);
	from_device(_metadata, self);
	EXPECT_TRUE(exp_all_bytes(self->map, LEN, 0x77));
	EXPECT_EQ(1ULL, info_of(_metadata, self).nr_copy_out);
}

/* BIDIRECTIONAL, staying mapped: CPU access brackets carry data. */
TEST_F(strat, bidir_copy_comes_back_at_begin_cpu_access)
{
	copied(_metadata, self);
	bidir_begin(_metadata, self);
	EXPECT_TRUE(exp_all_bytes(self->map, 4096, 0x33))
		TH_LOG("the page winB filled");
	EXPECT_TRUE(exp_all_bytes(self->map + 4096, LEN - 4096, 0x77))
		TH_LOG("the rest, from the FROM_DEVICE fill");
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
}

TEST_F(strat, bidir_copy_gets_cpu_writes_at_end_cpu_access)
{
	uint64_t sum;

	copied(_metadata, self);
	sum = bidir_end(_metadata, self);
	EXPECT_EQ(exp_fnv(self->map, LEN), sum);
}

/* The direct device sees the same contents in the buffer itself. */
TEST_F(strat, direct_device_sees_what_the_copy_device_wrote)
{
	uint64_t sum;

	copied(_metadata, self);
	sum = direct_reads(_metadata, self);
	EXPECT_EQ(exp_fnv(self->map, LEN), sum);
}

TEST_F(strat, copies_are_counted)
{
	struct dmalab_exp_info info;

	copied(_metadata, self);
	direct_reads(_metadata, self);
	info = info_of(_metadata, self);
	TH_LOG("copies in %llu out %llu", (unsigned long long)info.nr_copy_in,
	       (unsigned long long)info.nr_copy_out);
	EXPECT_LE(2ULL, info.nr_copy_in);
	EXPECT_LE(2ULL, info.nr_copy_out);
	EXPECT_EQ(0U, info.nr_mapped);
}

/* ---- the coherence rules of per-device copies (exporter/README.md) ---- */

/*
 * Rule 1: a copy-served device that may write owns the contents; a direct
 * writer next to it would have its write overwritten by the copy.
 */
TEST_F(strat, direct_writer_next_to_a_copy_writer_is_refused_ebusy)
{
	copied(_metadata, self);
	memset(self->map, 0x11, LEN);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_BIDIR);
	EXPECT_EQ(-EBUSY, dmalab_imp_map_attach(self->imp, self->aa,
						DMALAB_IMP_DIR_FROM_DEVICE,
						NULL));
	EXPECT_EQ(-EBUSY, dmalab_imp_map_attach(self->imp, self->aa,
						DMALAB_IMP_DIR_TO_DEVICE,
						NULL));
}

/* Rule 1: a copy-served reader next to a direct writer would read stale. */
TEST_F(strat, copy_reader_next_to_a_direct_writer_is_refused_ebusy)
{
	copied(_metadata, self);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_TO_DEVICE);
	EXPECT_EQ(-EBUSY, dmalab_imp_map_attach(self->imp, self->aa,
						DMALAB_IMP_DIR_FROM_DEVICE,
						NULL));
	unmap_att(_metadata, self, self->ab);
	map_att(_metadata, self, self->aa, DMALAB_IMP_DIR_BIDIR);
	EXPECT_EQ(-EBUSY, dmalab_imp_map_attach(self->imp, self->ab,
						DMALAB_IMP_DIR_TO_DEVICE,
						NULL));
}

/* Readers only: a copy-served one and a direct one share the buffer. */
TEST_F(strat, copy_reader_and_direct_reader_see_the_same_data)
{
	uint64_t sa, sb;

	copied(_metadata, self);
	memset(self->map, 0x5a, LEN);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_TO_DEVICE);
	map_att(_metadata, self, self->aa, DMALAB_IMP_DIR_TO_DEVICE);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(self->map + 4096, 0x6b, 4096);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	sa = checksum_job(_metadata, self, self->aa);
	sb = checksum_job(_metadata, self, self->ab);
	EXPECT_EQ(exp_fnv(self->map, LEN), sa);
	EXPECT_EQ(exp_fnv(self->map, LEN), sb) TH_LOG("the copy got the write");
}

/*
 * Rule 3: CPU writes while a copy-served device is mapped FROM_DEVICE
 * reach its copy, so the copy coming back does not undo them.
 */
TEST_F(strat, cpu_writes_survive_a_from_device_copy)
{
	copied(_metadata, self);
	memset(self->map, 0x11, LEN);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_FROM_DEVICE);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	memset(self->map + 8192, 0x44, 4096);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	EXPECT_TRUE(exp_all_bytes(self->map + 8192, 4096, 0x44))
		TH_LOG("at the next begin_cpu_access");
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	fill_job(_metadata, self, self->ab, 4096, 0x22);
	unmap_att(_metadata, self, self->ab);
	EXPECT_TRUE(exp_all_bytes(self->map, 4096, 0x22)) TH_LOG("the fill");
	EXPECT_TRUE(exp_all_bytes(self->map + 4096, 4096, 0x11));
	EXPECT_TRUE(exp_all_bytes(self->map + 8192, 4096, 0x44))
		TH_LOG("after unmap");
}

/* Rule 3: a read-only bracket does not overwrite what the device wrote. */
TEST_F(strat, read_bracket_keeps_the_copy_devices_later_write)
{
	copied(_metadata, self);
	memset(self->map, 0x11, LEN);
	map_att(_metadata, self, self->ab, DMALAB_IMP_DIR_BIDIR);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	fill_job(_metadata, self, self->ab, LEN, 0x33);
	unmap_att(_metadata, self, self->ab);
	EXPECT_TRUE(exp_all_bytes(self->map, LEN, 0x33));
}

/*
 * Rule 4: begin_cpu_access waits for the fences before it brings the copy
 * back. Device A (28-bit edu, 100 ms per 2 KiB) served by a copy fills
 * 32 KiB asynchronously; SYNC_START right after must show the fill.
 */
TEST_F(strat, begin_cpu_access_waits_for_the_copy_devices_fence)
{
	struct dmalab_exp_attach_info ai[1];
	struct dmalab_imp_dev_info edu;
	struct dmalab_exp_info info;
	struct dmalab_imp_job j;
	uint32_t ea, att;
	int r;

	TEST_EDU(self->imp, 0, &ea, &edu);
	self->fd = exp_alloc(self->dev, LEN, DMALAB_EXP_PLACE_SCATTER,
			     DMALAB_EXP_TIMING_EAGER, DMALAB_EXP_ALLOC_COPY, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	ASSERT_EQ(0, exp_import(self->imp, self->fd, &self->h));
	self->map = exp_map(self->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			    0);
	ASSERT_NE(MAP_FAILED, self->map);
	memset(self->map, 0x11, LEN);
	attach(_metadata, self, ea, &att, "edu A");
	ASSERT_EQ(0, exp_info_attach(self->dev, self->fd, &info, ai, 1));
	if (!(ai[0].flags & DMALAB_EXP_ATTACH_COPY))
		SKIP(return, "device A reaches the pages: no copy");
	map_att(_metadata, self, att, DMALAB_IMP_DIR_BIDIR);
	j = exp_job_args(DMALAB_IMP_JOB_FILL, 0, att, 0, 0, 32 * KiB, 0x77,
			 0);
	r = dmalab_imp_submit_job(self->imp, &j, NULL);
	ASSERT_EQ(0, r) TH_LOG("submit: %s", strerror(-r));
	cpu_sync(_metadata, self, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	EXPECT_TRUE(exp_all_bytes(self->map, 32 * KiB, 0x77))
		TH_LOG("first byte %#x", self->map[0]);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	EXPECT_EQ(0, dmalab_imp_wait_job(self->imp, j.job_id, -1, NULL,
					 NULL));
}

/* ---- teardown by the importer ---- */

/*
 * A migrated buffer and a copied one, each with a device mapping left in
 * place, their user mappings and fds gone: closing the importer gives
 * everything back.
 */
TEST_F(strat, everything_freed_after_the_importer_closes)
{
	struct dmalab_exp_stats st;

	migrated(_metadata, self);
	map_att(_metadata, self, self->a28, DMALAB_IMP_DIR_TO_DEVICE);
	munmap(self->map, LEN);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	copied(_metadata, self);
	bidir_begin(_metadata, self);
	cpu_sync(_metadata, self, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(self->map, LEN);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	close(self->imp);
	self->imp = -1;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, bytes %llu, attachments %llu, "
		       "mappings %llu; before %llu, %llu, %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_bytes,
		       (unsigned long long)st.live_attachments,
		       (unsigned long long)st.live_mappings,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_bytes,
		       (unsigned long long)self->base.live_attachments,
		       (unsigned long long)self->base.live_mappings);
}

TEST_HARNESS_MAIN
