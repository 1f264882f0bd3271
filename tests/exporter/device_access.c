// SPDX-License-Identifier: GPL-2.0
/*
 * Device and kernel access through the importer: sg tables cut to each
 * device's max segment size and segment boundary, one table per
 * attachment, the same bytes seen by mmap, vmap and device DMA in both
 * directions, real DMA by the edu devices (28-bit device A migrates the
 * buffer below 256 MiB unless an IOMMU translates it), and closing the
 * importer with attachments still mapped gives everything back.
 */
#include "dmalab_test.h"

#include "exp_util.h"
#include "kselftest_harness.h"

/* The buffer of the CPU and sim tests: more than 1 MiB, two block sizes. */
#define CPU_LEN (1 * MiB + 64 * KiB)
#define SEED 5

/*
 * The exporter, its counters before the test, the importer; a buffer
 * (@fd, imported as @h, mapped at @p for @len bytes) and a simulated
 * device attached to it (@att) once a test makes them.
 */
FIXTURE(dev) {
	int dev, imp, fd;
	struct dmalab_exp_stats base;
	uint32_t h, sim, att;
	unsigned char *p;
	uint64_t len;
};

FIXTURE_SETUP(dev)
{
	self->fd = -1;
	self->imp = -1;
	self->p = MAP_FAILED;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
}

/* Closing the importer unmaps, detaches and releases what a test left. */
FIXTURE_TEARDOWN(dev)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, self->len);
	if (self->imp >= 0)
		close(self->imp);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* An eager buffer in self->fd, imported as self->h. */
static void new_buf(struct __test_metadata *_metadata,
		    FIXTURE_DATA(dev) *self, uint64_t len, uint32_t place,
		    uint32_t flags)
{
	int r;

	self->len = len;
	self->fd = exp_alloc(self->dev, len, place, DMALAB_EXP_TIMING_EAGER,
			     flags, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc of %llu bytes: %s",
				      (unsigned long long)len,
				      strerror(-self->fd));
	r = exp_import(self->imp, self->fd, &self->h);
	ASSERT_EQ(0, r) TH_LOG("import: %s", strerror(-r));
}

/* The buffer mapped read-write at self->p. */
static void map_buf(struct __test_metadata *_metadata,
		    FIXTURE_DATA(dev) *self)
{
	self->p = exp_map(self->fd, self->len, PROT_READ | PROT_WRITE,
			  MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
}

/* The CPU tests' buffer: CPU_LEN bytes of scatter, imported and mapped. */
static void cpu_buf(struct __test_metadata *_metadata,
		    FIXTURE_DATA(dev) *self)
{
	new_buf(_metadata, self, CPU_LEN, DMALAB_EXP_PLACE_SCATTER, 0);
	map_buf(_metadata, self);
}

/* A simulated device with these limits attached (self->att) and mapped. */
static void sim_map(struct __test_metadata *_metadata,
		    FIXTURE_DATA(dev) *self, uint32_t max_seg, uint64_t bnd,
		    uint32_t dir)
{
	int r;

	r = test_sim(self->imp, 64, max_seg, bnd, 0, 0, 0, 0, &self->sim);
	ASSERT_EQ(0, r) TH_LOG("sim create: %s", strerror(-r));
	r = exp_attach(self->imp, self->h, self->sim, &self->att);
	ASSERT_EQ(0, r) TH_LOG("attach: %s", strerror(-r));
	r = dmalab_imp_map_attach(self->imp, self->att, dir, NULL);
	ASSERT_EQ(0, r) TH_LOG("map: %s", strerror(-r));
}

/*
 * A 4 MiB contiguous buffer mapped for a device with these limits; its
 * sg report in *@si. Device reads only: overlapping writable mappings
 * upset DMA-API debug.
 */
static void sg_of(struct __test_metadata *_metadata, FIXTURE_DATA(dev) *self,
		  uint32_t max_seg, uint64_t bnd, struct dmalab_imp_sg_info *si)
{
	int r;

	new_buf(_metadata, self, 4 * MiB, DMALAB_EXP_PLACE_CONTIG, 0);
	sim_map(_metadata, self, max_seg, bnd, DMALAB_IMP_DIR_TO_DEVICE);
	r = dmalab_imp_get_sg_info(self->imp, self->att, si, NULL, 0, NULL);
	ASSERT_EQ(0, r) TH_LOG("sg info: %s", strerror(-r));
	TH_LOG("max seg %u, boundary %#llx: %u entries, longest %llu",
	       max_seg, (unsigned long long)bnd, si->nents,
	       (unsigned long long)si->longest);
}

TEST_F(dev, sg_entries_respect_max_segment_size)
{
	struct dmalab_imp_sg_info si;

	sg_of(_metadata, self, 32 * KiB, 0, &si);
	EXPECT_EQ(128U, si.nents);
	EXPECT_EQ(32 * KiB, si.longest);
	EXPECT_EQ(0U, si.violations);
	EXPECT_EQ(4 * MiB, si.total_len);
}

TEST_F(dev, sg_entries_respect_segment_boundary)
{
	struct dmalab_imp_sg_info si;

	sg_of(_metadata, self, 1 * MiB, 128 * KiB - 1, &si);
	EXPECT_EQ(32U, si.nents);
	EXPECT_EQ(128 * KiB, si.longest);
	EXPECT_EQ(0U, si.violations);
}

TEST_F(dev, vmap_writes_are_seen_by_mmap)
{
	unsigned char buf[64];
	int r;

	cpu_buf(_metadata, self);
	memset(buf, 0xe1, sizeof(buf));
	r = test_cpu_write(self->imp, self->h, CPU_LEN - 100, 64, buf);
	ASSERT_EQ(0, r) TH_LOG("CPU write: %s", strerror(-r));
	EXPECT_TRUE(exp_all_bytes(self->p + CPU_LEN - 100, 64, 0xe1));
	EXPECT_EQ(0, self->p[CPU_LEN - 101]) TH_LOG("byte before the write");
	EXPECT_EQ(0, self->p[CPU_LEN - 36]) TH_LOG("byte after the write");
}

/*
 * Where the buffer's first physically contiguous piece ends: the end of the
 * first run of the entries a 64-bit simulated device (DMA address =
 * physical address, no window, no segment limits) gets. The attachment is
 * gone again when this returns.
 */
static uint64_t first_piece_end(struct __test_metadata *_metadata,
				FIXTURE_DATA(dev) *self)
{
	struct dmalab_imp_sg_entry e[64];
	struct dmalab_imp_sg_info si;
	uint64_t end = 0;
	uint32_t i;
	int r;

	sim_map(_metadata, self, 0, 0, DMALAB_IMP_DIR_TO_DEVICE);
	r = dmalab_imp_get_sg_info(self->imp, self->att, &si, e, 64, NULL);
	ASSERT_EQ(0, r) TH_LOG("sg entries: %s", strerror(-r));
	for (i = 0; i < si.entries_count; i++) {
		end += e[i].dma_len;
		if (i + 1 == si.entries_count ||
		    e[i].dma_addr + e[i].dma_len != e[i + 1].dma_addr)
			break;
	}
	EXPECT_EQ(0, dmalab_imp_unmap_attach(self->imp, self->att, NULL));
	EXPECT_EQ(0, dmalab_imp_detach(self->imp, self->att, NULL));
	return end;
}

/*
 * Two bytes written through mmap on both sides of a physical discontinuity.
 * A scattered buffer's blocks can come out adjacent (6.12 did once): such
 * a buffer is kept aside and another taken, whose blocks are then others.
 */
TEST_F(dev, mmap_writes_are_seen_by_vmap_across_pages)
{
	struct dmalab_exp_info info;
	int held[8], nheld = 0;
	unsigned char got[4];
	uint64_t off;
	int r;

	cpu_buf(_metadata, self);
	ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	while (info.nr_segments < 2 && nheld < 8) {
		munmap(self->p, self->len);
		self->p = MAP_FAILED;
		held[nheld++] = self->fd;
		self->fd = -1;
		cpu_buf(_metadata, self);
		ASSERT_EQ(0, exp_info(self->dev, self->fd, &info));
	}
	TH_LOG("%d contiguous buffer(s) set aside", nheld);
	while (nheld)
		close(held[--nheld]);
	ASSERT_LT(1U, info.nr_segments)
		TH_LOG("nine scatter buffers came out physically contiguous");
	off = first_piece_end(_metadata, self);
	TH_LOG("%u segments, the first ends at offset %llu", info.nr_segments,
	       (unsigned long long)off);
	ASSERT_LT(0ULL, off);
	ASSERT_GT(CPU_LEN, off);
	memset(self->p + off - 1, 0x9c, 2);
	r = test_cpu_read(self->imp, self->h, off - 2, 4, got);
	ASSERT_EQ(0, r) TH_LOG("CPU read: %s", strerror(-r));
	EXPECT_EQ(0, got[0]);
	EXPECT_EQ(0x9c, got[1]);
	EXPECT_EQ(0x9c, got[2]);
	EXPECT_EQ(0, got[3]);
}

TEST_F(dev, device_reads_what_cpu_wrote)
{
	uint64_t i, sum = 0;
	int r;

	cpu_buf(_metadata, self);
	for (i = 0; i < CPU_LEN; i++)
		self->p[i] = dmalab_pattern_byte(SEED, i);
	sim_map(_metadata, self, 0, 0, DMALAB_IMP_DIR_BIDIR);
	r = exp_job(self->imp, DMALAB_IMP_JOB_CHECKSUM, self->att, 0, 0, 0,
		    CPU_LEN, 0, 0, &sum);
	ASSERT_EQ(0, r) TH_LOG("checksum job: %s", strerror(-r));
	EXPECT_EQ(exp_fnv(self->p, CPU_LEN), sum);
}

/* A device FILL of 8 KiB at 64 KiB with 0xa7. */
static void device_fill(struct __test_metadata *_metadata,
			FIXTURE_DATA(dev) *self)
{
	int r;

	cpu_buf(_metadata, self);
	sim_map(_metadata, self, 0, 0, DMALAB_IMP_DIR_BIDIR);
	r = exp_job(self->imp, DMALAB_IMP_JOB_FILL, 0, self->att, 0, 64 * KiB,
		    8192, 0xa7, 0, NULL);
	ASSERT_EQ(0, r) TH_LOG("fill job: %s", strerror(-r));
}

TEST_F(dev, cpu_reads_what_device_wrote)
{
	device_fill(_metadata, self);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_READ, NULL));
	EXPECT_TRUE(exp_all_bytes(self->p + 64 * KiB, 8192, 0xa7));
	EXPECT_EQ(0, self->p[64 * KiB - 1]) TH_LOG("byte before the fill");
	EXPECT_EQ(0, self->p[72 * KiB]) TH_LOG("byte after the fill");
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END |
				     DMA_BUF_SYNC_READ, NULL));
}

TEST_F(dev, vmap_sees_what_device_wrote)
{
	uint64_t want, sum = 0;
	int r;

	device_fill(_metadata, self);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_READ, NULL));
	want = exp_fnv(self->p, CPU_LEN);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END |
				     DMA_BUF_SYNC_READ, NULL));
	r = test_cpu_checksum(self->imp, self->h, 0, CPU_LEN, &sum);
	ASSERT_EQ(0, r) TH_LOG("CPU checksum: %s", strerror(-r));
	EXPECT_EQ(want, sum);
}

/* Edu device A (28-bit) in *@edu, and whether an IOMMU translates for it. */
static int edu_a(FIXTURE_DATA(dev) *self, uint32_t *edu, int *iommu)
{
	struct dmalab_imp_dev_info di;
	int r = test_edu(self->imp, 0, edu, &di);

	*iommu = !r && (di.dev_flags & DMALAB_IMP_DEV_IOMMU);
	return r;
}

/* A 4 KiB MIGRATE buffer attached to edu device A. */
static void edu_a_attach(struct __test_metadata *_metadata,
			 FIXTURE_DATA(dev) *self, uint32_t edu)
{
	int r;

	new_buf(_metadata, self, 4096, DMALAB_EXP_PLACE_SCATTER,
		DMALAB_EXP_ALLOC_MIGRATE);
	r = exp_attach(self->imp, self->h, edu, &self->att);
	ASSERT_EQ(0, r) TH_LOG("attach to edu A: %s", strerror(-r));
}

/* Behind an IOMMU any page is reachable: no need to move. */
TEST_F(dev, edu_a_attach_serves_the_28_bit_device)
{
	struct dmalab_exp_attach_info ai[2];
	struct dmalab_exp_info info;
	uint32_t edu;
	int iommu, r;

	if (edu_a(self, &edu, &iommu)) {
		ASSERT_TRUE(test_edu_missing(0) != NULL)
			TH_LOG("edu device A is not driven");
		SKIP(return, "%s", test_edu_missing(0));
	}
	edu_a_attach(_metadata, self, edu);
	r = exp_info_attach(self->dev, self->fd, &info, ai, 2);
	ASSERT_EQ(0, r) TH_LOG("INFO: %s", strerror(r));
	TH_LOG("iommu %d, migrations %u, phys_hi %#llx", iommu,
	       info.nr_migrations, (unsigned long long)info.phys_hi);
	ASSERT_EQ(1U, info.attach_count);
	EXPECT_EQ(iommu, !!(ai[0].flags & DMALAB_EXP_ATTACH_IOMMU));
	if (iommu) {
		EXPECT_EQ(0U, info.nr_migrations);
	} else {
		EXPECT_GE(1U, info.nr_migrations);
		EXPECT_GT(1ULL << 28, info.phys_hi);
	}
}

TEST_F(dev, edu_a_dma_writes_are_seen_by_mmap)
{
	uint32_t edu;
	int iommu, r;

	if (edu_a(self, &edu, &iommu)) {
		ASSERT_TRUE(test_edu_missing(0) != NULL)
			TH_LOG("edu device A is not driven");
		SKIP(return, "%s", test_edu_missing(0));
	}
	edu_a_attach(_metadata, self, edu);
	map_buf(_metadata, self);
	r = dmalab_imp_map_attach(self->imp, self->att,
				  DMALAB_IMP_DIR_FROM_DEVICE, NULL);
	ASSERT_EQ(0, r) TH_LOG("map for edu A: %s", strerror(-r));
	r = exp_job(self->imp, DMALAB_IMP_JOB_FILL, 0, self->att, 0, 0, 4096,
		    0x6b, 0, NULL);
	ASSERT_EQ(0, r) TH_LOG("fill job: %s", strerror(-r));
	ASSERT_EQ(0, dmalab_imp_unmap_attach(self->imp, self->att, NULL));
	EXPECT_TRUE(exp_all_bytes(self->p, 4096, 0x6b));
}

/*
 * Two simulated devices attached, one mapped after a job, a user mapping
 * and the dma-buf fd gone: closing the importer gives everything back.
 */
TEST_F(dev, everything_freed_after_the_importer_closes)
{
	struct dmalab_exp_stats st;
	uint32_t sim2, att2;
	int r;

	device_fill(_metadata, self);
	r = test_sim(self->imp, 64, 32 * KiB, 0, 0, 0, 0, 0, &sim2);
	ASSERT_EQ(0, r) TH_LOG("second sim: %s", strerror(-r));
	r = exp_attach(self->imp, self->h, sim2, &att2);
	ASSERT_EQ(0, r) TH_LOG("attach to the second sim: %s", strerror(-r));
	munmap(self->p, self->len);
	self->p = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_EQ(self->base.live_attachments + 2, st.live_attachments);
	close(self->imp);
	self->imp = -1;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, attachments %llu, mappings %llu; "
		       "before %llu, %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_attachments,
		       (unsigned long long)st.live_mappings,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_attachments,
		       (unsigned long long)self->base.live_mappings);
}

TEST_HARNESS_MAIN
