// SPDX-License-Identifier: GPL-2.0
/*
 * 2 MiB blocks and PMD-mapped user mappings: a scattered buffer mapped at a
 * 2 MiB-aligned address is faulted in with one PMD per 2 MiB block where
 * the kernel allows huge PFNMAP entries (6.12 on), counted by the process's
 * minor faults and the exporter's debugfs counters; an unaligned mapping
 * still works with 4 KiB PTEs; the data through either is the buffer's
 * (checked by the importer's kernel checksum); a migration while the
 * buffer is huge-mapped, a per-device copy, a partial munmap that splits a
 * PMD, a deferred buffer whose first access is a huge fault; and nothing
 * is left once mappings and fds are gone.
 *
 * The dma-buf file has no get_unmapped_area: mmap(NULL, ...) gives an
 * address that is 2 MiB-aligned only by chance, so the tests map at an
 * aligned address they reserve first (as docs/huge-mappings.md advises).
 */
#include <stdio.h>
#include <sys/resource.h>

#include "dmalab_test.h"

#include "exp_util.h"
#include "kselftest_harness.h"

#define PMD_BYTES (2 * MiB)
#define LEN (32 * MiB)
#define DEBUGFS_STATS "/sys/kernel/debug/dmalab_exp/stats"

/* One value of the exporter's debugfs stats, or -1 when unreadable. */
static long long debugfs_stat(const char *key)
{
	FILE *f = fopen(DEBUGFS_STATS, "re");
	char name[64];
	long long v, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Map @len bytes of @fd from offset @off at a 2 MiB-aligned address plus
 * @skew: a PROT_NONE reservation 2 MiB longer is made first, the dma-buf
 * mapped over its aligned part, the rest given back.
 */
static void *map_at_skew(int fd, size_t len, off_t off, size_t skew)
{
	size_t span = len + skew + PMD_BYTES;
	uintptr_t base, at;
	void *r, *p;

	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return MAP_FAILED;
	base = (uintptr_t)r;
	at = ((base + PMD_BYTES - 1) & ~(uintptr_t)(PMD_BYTES - 1)) + skew;
	p = mmap((void *)at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, off);
	if (p == MAP_FAILED) {
		munmap(r, span);
		return MAP_FAILED;
	}
	if (at > base)
		munmap(r, at - base);
	if (base + span > at + len)
		munmap((void *)(at + len), base + span - at - len);
	return p;
}

/* Every 4 KiB page of [p, p + len) gets its own byte, from @seed. */
static void fill_pages(unsigned char *p, size_t len, unsigned int seed)
{
	size_t off;

	for (off = 0; off < len; off += 4096)
		memset(p + off, (int)((off / 4096 + seed) * 37 % 251), 4096);
}

/* FNV-1a of what fill_pages(@seed) writes over @len bytes. */
static uint64_t fill_sum(size_t len, unsigned int seed)
{
	uint64_t h = DMALAB_IMP_FNV_OFFSET;
	unsigned char page[4096];
	size_t off;

	for (off = 0; off < len; off += 4096) {
		memset(page, (int)((off / 4096 + seed) * 37 % 251), 4096);
		h = dmalab_fnv1a64(h, page, sizeof(page));
	}
	return h;
}

/* Whether the pages hold what fill_pages(@seed) wrote. */
static int pages_hold(const unsigned char *p, size_t len, unsigned int seed)
{
	size_t off;

	for (off = 0; off < len; off += 4096)
		if (!exp_all_bytes(p + off, 4096,
				   (unsigned char)((off / 4096 + seed) * 37 % 251)))
			return 0;
	return 1;
}

/*
 * The exporter and its counters before the test, the importer; the
 * test's buffer @fd (imported as @h) and its mapping @map of @map_len.
 */
FIXTURE(huge) {
	int dev, imp, fd;
	uint32_t h;
	struct dmalab_exp_stats base;
	unsigned char *map;
	size_t map_len;
	int huge_pfnmap;
};

FIXTURE_SETUP(huge)
{
	self->fd = -1;
	self->imp = -1;
	self->map = MAP_FAILED;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	self->huge_pfnmap = (int)debugfs_stat("huge_pfnmap");
}

FIXTURE_TEARDOWN(huge)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->map_len);
	if (self->imp >= 0)
		close(self->imp);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* A scattered buffer of @len, imported, mapped at @skew past 2 MiB. */
static void huge_buf(struct __test_metadata *_metadata,
		     FIXTURE_DATA(huge) *self, size_t len, uint32_t timing,
		     uint32_t flags, size_t skew)
{
	int r;

	self->fd = exp_alloc(self->dev, len, DMALAB_EXP_PLACE_SCATTER, timing,
			     flags, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	r = exp_import(self->imp, self->fd, &self->h);
	ASSERT_EQ(0, r) TH_LOG("import: %s", strerror(-r));
	self->map = map_at_skew(self->fd, len, 0, skew);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
	self->map_len = len;
}

/* The kernel's checksum of the whole buffer, through vmap. */
static uint64_t kernel_sum(struct __test_metadata *_metadata,
			   FIXTURE_DATA(huge) *self, size_t len)
{
	uint64_t sum = 0;
	int r = test_cpu_checksum(self->imp, self->h, 0, len, &sum);

	EXPECT_EQ(0, r) TH_LOG("kernel checksum: %s", strerror(-r));
	return sum;
}

/* Without the debugfs counters the PMD assertions cannot be made. */
#define NEED_COUNTERS(self) do {					\
	if ((self)->huge_pfnmap < 0)					\
		SKIP(return, "no %s (debugfs not mounted, or not root)", \
		     DEBUGFS_STATS);					\
} while (0)

#define NEED_HUGE_PFNMAP(self) do {					\
	NEED_COUNTERS(self);						\
	if (!(self)->huge_pfnmap)					\
		SKIP(return, "this kernel gives PFNMAP vmas no PMD entries " \
		     "(no ARCH_SUPPORTS_PMD_PFNMAP, before 6.12): 4 KiB PTEs"); \
} while (0)

/*
 * Touching a 2 MiB-aligned 32 MiB mapping takes one fault per 2 MiB
 * block (16), not one per 64 KiB of fault-ahead (512) nor per page (8192).
 */
TEST_F(huge, aligned_mapping_is_faulted_with_pmds)
{
	long long pmd0, pte0, pmd, pte;
	long flt;
	size_t off;

	NEED_HUGE_PFNMAP(self);
	huge_buf(_metadata, self, LEN, DMALAB_EXP_TIMING_EAGER, 0, 0);
	pmd0 = debugfs_stat("pmd_faults");
	pte0 = debugfs_stat("pte_faults");
	flt = minor_faults();
	for (off = 0; off < LEN; off += 4096)
		self->map[off] = 1;
	flt = minor_faults() - flt;
	pmd = debugfs_stat("pmd_faults") - pmd0;
	pte = debugfs_stat("pte_faults") - pte0;
	TH_LOG("touching %llu MiB: %ld minor faults, %lld PMD, %lld PTE",
	       LEN / MiB, flt, pmd, pte);
	EXPECT_EQ((long long)(LEN / PMD_BYTES), pmd)
		TH_LOG("every 2 MiB block mapped by one PMD");
	EXPECT_EQ(0, pte);
	/* A few faults of the test's own (stack, libc) may come along. */
	EXPECT_GE((long)(LEN / PMD_BYTES) + 8, flt);
}

/* The PMDs map the buffer's own pages, in order: writes reach them. */
TEST_F(huge, writes_through_pmds_are_the_buffers_contents)
{
	huge_buf(_metadata, self, LEN, DMALAB_EXP_TIMING_EAGER, 0, 0);
	fill_pages(self->map, LEN, 3);
	EXPECT_EQ(fill_sum(LEN, 3), kernel_sum(_metadata, self, LEN));
	ASSERT_EQ(0, test_cpu_fill(self->imp, self->h, LEN - 4096, 4096,
				   0x5c));
	EXPECT_TRUE(exp_all_bytes(self->map + LEN - 4096, 4096, 0x5c));
}

/*
 * Mapped 4 KiB past an aligned address (or from an offset that is not a
 * multiple of 2 MiB), the same buffer is mapped with PTEs and reads and
 * writes the same bytes.
 */
TEST_F(huge, unaligned_mapping_uses_ptes)
{
	long long pmd0, pte0;
	unsigned char *q;

	NEED_COUNTERS(self);
	huge_buf(_metadata, self, LEN, DMALAB_EXP_TIMING_EAGER, 0, 4096);
	pmd0 = debugfs_stat("pmd_faults");
	pte0 = debugfs_stat("pte_faults");
	fill_pages(self->map, LEN, 5);
	EXPECT_EQ(0, debugfs_stat("pmd_faults") - pmd0);
	EXPECT_LT(0, debugfs_stat("pte_faults") - pte0);
	EXPECT_EQ(fill_sum(LEN, 5), kernel_sum(_metadata, self, LEN));

	/* Aligned address, offset 4 KiB: address and offset disagree. */
	q = map_at_skew(self->fd, LEN - 4096, 4096, 0);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap at offset 4 KiB: %s",
					strerror(errno));
	pmd0 = debugfs_stat("pmd_faults");
	EXPECT_EQ(0, memcmp(q, self->map + 4096, LEN - 4096));
	EXPECT_EQ(0, debugfs_stat("pmd_faults") - pmd0);
	munmap(q, LEN - 4096);
}

/*
 * A migration while the buffer is mapped with PMDs: the mapping is zapped
 * (PMDs too), the next access faults in the new pages and finds the data;
 * writes after it reach the new pages.
 */
TEST_F(huge, migration_while_huge_mapped_keeps_the_data)
{
	struct dmalab_exp_info info;
	uint32_t sim28, sim36, a28, a36;
	unsigned char got[16];
	int r;

	r = test_sim(self->imp, 28, 0, 0, 0, 0, 0, 0, &sim28);
	ASSERT_EQ(0, r) TH_LOG("sim28: %s", strerror(-r));
	r = test_sim(self->imp, 36, 0, 0, 0, 0, 0, 0, &sim36);
	ASSERT_EQ(0, r) TH_LOG("sim36: %s", strerror(-r));
	huge_buf(_metadata, self, 8 * MiB, DMALAB_EXP_TIMING_EAGER,
		 DMALAB_EXP_ALLOC_MIGRATE, 0);
	fill_pages(self->map, 8 * MiB, 7);
	ASSERT_EQ(0, exp_attach(self->imp, self->h, sim36, &a36));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	if (geteuid() == 0 && info.phys_hi < (1ULL << 28))
		SKIP(return, "pages happen to lie below 256 MiB: no migration");
	r = exp_attach(self->imp, self->h, sim28, &a28);
	ASSERT_EQ(0, r) TH_LOG("attach to sim28 (migrates): %s", strerror(-r));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	EXPECT_EQ(1U, info.nr_migrations);
	EXPECT_TRUE(pages_hold(self->map, 8 * MiB, 7));
	self->map[8 * MiB - 1] = 0x5e;
	r = test_cpu_read(self->imp, self->h, 8 * MiB - 16, 16, got);
	ASSERT_EQ(0, r) TH_LOG("CPU read: %s", strerror(-r));
	EXPECT_EQ(0x5e, got[15]);
	dmalab_imp_detach(self->imp, a28, NULL);
	dmalab_imp_detach(self->imp, a36, NULL);
}

/*
 * A device served by a copy of its own reads what was written through the
 * PMDs, and what it writes comes back to the pages the PMDs map.
 */
TEST_F(huge, per_device_copy_of_a_huge_mapped_buffer)
{
	struct dmalab_exp_attach_info ai[1];
	struct dmalab_exp_info info;
	uint64_t sum = 0;
	uint32_t sim28, att;
	int r;

	r = test_sim(self->imp, 28, 0, 0, 0, 0, 0, 0, &sim28);
	ASSERT_EQ(0, r) TH_LOG("sim28: %s", strerror(-r));
	huge_buf(_metadata, self, 8 * MiB, DMALAB_EXP_TIMING_EAGER,
		 DMALAB_EXP_ALLOC_COPY, 0);
	fill_pages(self->map, 8 * MiB, 9);
	ASSERT_EQ(0, exp_attach(self->imp, self->h, sim28, &att));
	ASSERT_EQ(0, exp_info_attach(self->dev, self->fd, &info, ai, 1));
	if (!(ai[0].flags & DMALAB_EXP_ATTACH_COPY))
		SKIP(return, "the pages lie below 256 MiB: no copy");
	r = dmalab_imp_map_attach(self->imp, att, DMALAB_IMP_DIR_BIDIR, NULL);
	ASSERT_EQ(0, r) TH_LOG("map: %s", strerror(-r));
	r = exp_job(self->imp, DMALAB_IMP_JOB_CHECKSUM, att, 0, 0, 0, 8 * MiB,
		    0, 0, &sum);
	EXPECT_EQ(0, r) TH_LOG("checksum job: %s", strerror(-r));
	EXPECT_EQ(fill_sum(8 * MiB, 9), sum);
	r = exp_job(self->imp, DMALAB_IMP_JOB_FILL, 0, att, 0, 0, 2 * MiB,
		    0x6d, 0, NULL);
	ASSERT_EQ(0, r) TH_LOG("fill job: %s", strerror(-r));
	r = dmalab_imp_unmap_attach(self->imp, att, NULL);
	ASSERT_EQ(0, r) TH_LOG("unmap: %s", strerror(-r));
	EXPECT_TRUE(exp_all_bytes(self->map, 2 * MiB, 0x6d));
	EXPECT_TRUE(pages_hold(self->map + 2 * MiB, 6 * MiB, 9 + 512));
	dmalab_imp_detach(self->imp, att, NULL);
}

/*
 * munmap of one page inside a PMD splits it (the kernel zaps the PMD);
 * the rest faults in again with PTEs and holds its data.
 */
TEST_F(huge, partial_munmap_inside_a_pmd)
{
	huge_buf(_metadata, self, 8 * MiB, DMALAB_EXP_TIMING_EAGER, 0, 0);
	fill_pages(self->map, 8 * MiB, 11);
	ASSERT_EQ(0, munmap(self->map + 3 * MiB, 4096));
	EXPECT_TRUE(pages_hold(self->map, 3 * MiB, 11));
	EXPECT_TRUE(pages_hold(self->map + 3 * MiB + 4096,
			       5 * MiB - 4096, 11 + 769));
	EXPECT_EQ(fill_sum(8 * MiB, 11), kernel_sum(_metadata, self, 8 * MiB));
	/* What is left of the mapping: two vmas. */
	munmap(self->map, 3 * MiB);
	munmap(self->map + 3 * MiB + 4096, 5 * MiB - 4096);
	self->map = MAP_FAILED;
}

/* A deferred buffer whose first access is a huge fault gets its pages. */
TEST_F(huge, deferred_buffer_allocated_by_a_huge_fault)
{
	struct dmalab_exp_info info;
	long long pmd0;

	NEED_COUNTERS(self);
	huge_buf(_metadata, self, 4 * MiB, DMALAB_EXP_TIMING_DEFERRED, 0, 0);
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	EXPECT_EQ(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
	pmd0 = debugfs_stat("pmd_faults");
	EXPECT_TRUE(exp_all_bytes(self->map, 4 * MiB, 0));
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	EXPECT_NE(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
	if (self->huge_pfnmap)
		EXPECT_EQ(2, debugfs_stat("pmd_faults") - pmd0);
}

/*
 * /dev/dmalab_exp's own mmap (a bound buffer) has thp_get_unmapped_area:
 * mmap(NULL, ...) of it is 2 MiB-aligned, and its blocks get PMDs.
 */
TEST_F(huge, device_mmap_is_aligned_for_pmds)
{
	long long pmd0;
	unsigned char *d;
	int e, r;

	NEED_HUGE_PFNMAP(self);
	huge_buf(_metadata, self, 8 * MiB, DMALAB_EXP_TIMING_EAGER, 0, 0);
	e = exp_open();
	ASSERT_LE(0, e) TH_LOG("second open: %s", strerror(-e));
	r = dmalab_exp_bind(e, self->fd, NULL);
	ASSERT_EQ(0, r) TH_LOG("bind: %s", strerror(-r));
	d = mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, e, 0);
	ASSERT_NE(MAP_FAILED, d) TH_LOG("device mmap: %s", strerror(errno));
	EXPECT_EQ(0U, (uintptr_t)d % PMD_BYTES) TH_LOG("address %p", d);
	pmd0 = debugfs_stat("pmd_faults");
	fill_pages(d, 8 * MiB, 15);
	EXPECT_EQ(4, debugfs_stat("pmd_faults") - pmd0);
	EXPECT_TRUE(pages_hold(self->map, 8 * MiB, 15));
	munmap(d, 8 * MiB);
	close(e);
}

/* Mappings unmapped, fds closed: the exporter's live counters as before. */
TEST_F(huge, nothing_left_after_munmap_and_close)
{
	struct dmalab_exp_stats st;

	huge_buf(_metadata, self, LEN, DMALAB_EXP_TIMING_EAGER, 0, 0);
	fill_pages(self->map, LEN, 13);
	EXPECT_EQ(0, munmap(self->map, LEN));
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	dmalab_imp_release(self->imp, self->h, NULL);
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu bytes %llu mmaps %llu (before: %llu %llu %llu)",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_bytes,
		       (unsigned long long)st.live_mmaps,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_bytes,
		       (unsigned long long)self->base.live_mmaps);
}

TEST_HARNESS_MAIN
