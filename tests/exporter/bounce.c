// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings through a bounce buffer, which vm/check boots with swiotlb=force
 * (as confidential guests and untrusted devices bounce every mapping); in
 * the other lanes the same tests hold without bouncing.
 *
 * - A segment longer than a bounce slot (256 KiB) cannot be mapped: the
 *   exporter cuts segments to dma_max_mapping_size() (the review's A11).
 * - A device mapped to write still gets the CPU's writes made between its
 *   accesses: the exporter maps such devices BIDIRECTIONAL, so that the
 *   sync for the device after a CPU write bounces the write (B7). Mapped
 *   FROM_DEVICE, the sync would not, and the device's next write-back of
 *   the bounce slot would undo the CPU's write.
 *
 * The simulated device reaches every page, and the bounce pool too (a
 * windowed or 28-bit device does not reach it, and every map of it fails
 * under swiotlb=force: that is the platform, not the exporter).
 */
#include <stdio.h>

#include "dmalab_test.h"

#include "exp_util.h"
#include "kselftest_harness.h"

#define CONTIG_LEN (1 * MiB)
#define SLOT_MAX (256 * KiB)

static int swiotlb_forced(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "swiotlb=force") != NULL;
}

FIXTURE(bounce) {
	int dev, imp, fd;
	uint32_t sim, h, att;
	unsigned char *map;
};

/* One physically contiguous 1 MiB buffer, imported, attached to the sim. */
FIXTURE_SETUP(bounce)
{
	int r;

	self->fd = -1;
	self->imp = -1;
	self->map = MAP_FAILED;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open: %s", strerror(-self->dev));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("importer: %s", strerror(-self->imp));
	r = test_sim(self->imp, 64, 0, 0, 0, 0, 0, 0, &self->sim);
	ASSERT_EQ(0, r) TH_LOG("sim: %s", strerror(-r));
	self->fd = exp_alloc(self->dev, CONTIG_LEN, DMALAB_EXP_PLACE_CONTIG,
			     DMALAB_EXP_TIMING_EAGER, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	ASSERT_EQ(0, exp_import(self->imp, self->fd, &self->h));
	ASSERT_EQ(0, exp_attach(self->imp, self->h, self->sim, &self->att));
	self->map = exp_map(self->fd, CONTIG_LEN, PROT_READ | PROT_WRITE,
			    MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
	TH_LOG("swiotlb=force: %s", swiotlb_forced() ? "yes" : "no");
}

FIXTURE_TEARDOWN(bounce)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, CONTIG_LEN);
	if (self->imp >= 0)
		close(self->imp);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

static void sync_cpu(struct __test_metadata *_metadata, int fd, uint64_t f)
{
	ASSERT_EQ(0, dmalab_buf_sync(fd, f, NULL))
		TH_LOG("DMA_BUF_IOCTL_SYNC %#llx", (unsigned long long)f);
}

/* A11: the one physical segment is cut to what a bounce slot holds. */
TEST_F(bounce, long_segment_maps_in_slot_sized_pieces)
{
	struct dmalab_imp_sg_info si;
	uint64_t sum = 0;
	int r;

	memset(self->map, 0x3c, CONTIG_LEN);
	r = dmalab_imp_map_attach(self->imp, self->att, DMALAB_IMP_DIR_TO_DEVICE,
				  NULL);
	ASSERT_EQ(0, r) TH_LOG("map: %s", strerror(-r));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->imp, self->att, &si, NULL, 0,
					    NULL));
	TH_LOG("%u entries, longest %llu KiB", si.nents,
	       (unsigned long long)si.longest / KiB);
	if (swiotlb_forced()) {
		EXPECT_GE((uint64_t)SLOT_MAX, si.longest);
	}
	r = exp_job(self->imp, DMALAB_IMP_JOB_CHECKSUM, self->att, 0, 0, 0,
		    CONTIG_LEN, 0, 0, &sum);
	ASSERT_EQ(0, r) TH_LOG("checksum: %s", strerror(-r));
	EXPECT_EQ(exp_fnv(self->map, CONTIG_LEN), sum);
}

/*
 * B7: mapped for the device to write, the CPU writes page 2 inside a
 * bracket, the device then fills page 0 and is unmapped: both writes stay.
 * A 64 KiB scattered buffer of its own, whose blocks fit a bounce slot
 * whether or not segments are cut.
 */
TEST_F(bounce, cpu_write_between_device_writes_is_kept)
{
	uint32_t h, att;
	unsigned char *p;
	int fd, r;

	fd = exp_alloc(self->dev, 64 * KiB, DMALAB_EXP_PLACE_SCATTER,
		       DMALAB_EXP_TIMING_EAGER, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	ASSERT_EQ(0, exp_import(self->imp, fd, &h));
	ASSERT_EQ(0, exp_attach(self->imp, h, self->sim, &att));
	p = exp_map(fd, 64 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	memset(p, 0x11, 64 * KiB);
	r = dmalab_imp_map_attach(self->imp, att, DMALAB_IMP_DIR_FROM_DEVICE,
				  NULL);
	ASSERT_EQ(0, r) TH_LOG("map: %s", strerror(-r));
	sync_cpu(_metadata, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	memset(p + 8192, 0x44, 4096);
	sync_cpu(_metadata, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	r = exp_job(self->imp, DMALAB_IMP_JOB_FILL, 0, att, 0, 0, 4096, 0x22,
		    0, NULL);
	ASSERT_EQ(0, r) TH_LOG("fill: %s", strerror(-r));
	ASSERT_EQ(0, dmalab_imp_unmap_attach(self->imp, att, NULL));
	sync_cpu(_metadata, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	EXPECT_TRUE(exp_all_bytes(p, 4096, 0x22)) TH_LOG("the fill");
	EXPECT_TRUE(exp_all_bytes(p + 8192, 4096, 0x44))
		TH_LOG("the CPU's write: %#x", p[8192]);
	EXPECT_TRUE(exp_all_bytes(p + 12288, 4096, 0x11));
	sync_cpu(_metadata, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(p, 64 * KiB);
	close(fd);
}

TEST_HARNESS_MAIN
