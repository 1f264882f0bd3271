// SPDX-License-Identifier: GPL-2.0
/*
 * Real DMA through both QEMU edu devices: copy, fill and checksum jobs
 * checked byte for byte against what the CPU wrote and reads back.
 * Device A (28-bit) cannot reach a buffer above 256 MiB without an IOMMU;
 * the importer then refuses the mapping with -ERANGE instead of letting
 * dma-direct warn, and the device's data tests are skipped.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#include <stdlib.h>

#define BUF_SIZE 8192
#define BEYOND_REACH "buffers beyond the device's DMA mask, and no IOMMU"

/*
 * Two foreign buffers attached to one edu device: the source mapped to the
 * device, the destination from it; the source holds @pat.
 */
FIXTURE(edu) {
	int fd, sfd, dfd;
	__u32 dev, hs, hd, as, ad;
	struct dmalab_imp_dev_info info;
	const char *src;
	int map_r;		/* the mappings' result */
	int out_of_reach;	/* -ERANGE where it may be: no IOMMU, < 32 bits */
	unsigned char pat[BUF_SIZE];
};

FIXTURE_VARIANT(edu) {
	int n;			/* the n-th edu device, as test_edu() counts */
};

FIXTURE_VARIANT_ADD(edu, a) { .n = 0 };
FIXTURE_VARIANT_ADD(edu, b) { .n = 1 };

FIXTURE_SETUP(edu)
{
	int fd, i;

	self->sfd = self->dfd = -1;
	fd = self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd) TH_LOG("open /dev/dmalab_imp: %d", fd);
	TEST_EDU(fd, variant->n, &self->dev, &self->info);
	self->sfd = src_any(BUF_SIZE, &self->src);
	self->dfd = src_any(BUF_SIZE, &self->src);
	ASSERT_LE(0, self->sfd) TH_LOG("no foreign dma-buf (last tried %s)",
				       self->src);
	ASSERT_LE(0, self->dfd);
	ASSERT_EQ(0, dmalab_imp_import_fd(fd, self->sfd, &self->hs, NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_import_fd(fd, self->dfd, &self->hd, NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->hs, self->dev, &self->as,
					   NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->hd, self->dev, &self->ad,
					   NULL));
	srand(42 + variant->n);
	for (i = 0; i < BUF_SIZE; i++)
		self->pat[i] = rand() & 0xff;
	ASSERT_EQ(0, test_cpu_write(fd, self->hs, 0, BUF_SIZE, self->pat));

	self->map_r = dmalab_imp_map_attach(fd, self->as,
					    DMALAB_IMP_DIR_TO_DEVICE, NULL) ?:
		      dmalab_imp_map_attach(fd, self->ad,
					    DMALAB_IMP_DIR_FROM_DEVICE, NULL);
	self->out_of_reach = self->map_r == -ERANGE &&
			     !(self->info.dev_flags & DMALAB_IMP_DEV_IOMMU) &&
			     self->info.dma_mask_bits < 32;
	if (!self->out_of_reach)
		ASSERT_EQ(0, self->map_r);
}

FIXTURE_TEARDOWN(edu)
{
	if (self->sfd >= 0)
		close(self->sfd);
	if (self->dfd >= 0)
		close(self->dfd);
	close(self->fd);
}

/*
 * Without an IOMMU a simulated 64-bit device sees the buffers' physical
 * addresses: the mapping is refused exactly when one lies beyond the edu
 * device's mask.
 */
TEST_F(edu, map_refused_with_erange_only_beyond_its_reach)
{
	struct dmalab_imp_sg_info si;
	__u32 sim, xs, xd;
	__u64 top;

	if (self->info.dev_flags & DMALAB_IMP_DEV_IOMMU)
		SKIP(return, "behind an IOMMU every buffer is within reach");
	ASSERT_EQ(0, test_sim(self->fd, 64, 0, 0, 0, 0, 0, 0, &sim));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, self->hs, sim, &xs, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, self->hd, sim, &xd, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, xs,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, xd,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, xs, &si, NULL, 0, NULL));
	top = si.dma_max;
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, xd, &si, NULL, 0, NULL));
	top = si.dma_max > top ? si.dma_max : top;
	TH_LOG("edu %u-bit, buffers from %s end at %#llx: map %d",
	       self->info.dma_mask_bits, self->src, (unsigned long long)top,
	       self->map_r);
	EXPECT_EQ(top > self->info.dma_mask ? -ERANGE : 0, self->map_r);
}

TEST_F(edu, maps_within_its_mask)
{
	struct dmalab_imp_sg_info si;

	if (self->out_of_reach)
		SKIP(return, BEYOND_REACH);
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, self->ad, &si, NULL, 0,
					    NULL));
	EXPECT_GE(self->info.dma_mask, si.dma_max);
	EXPECT_EQ(0U, si.violations);
}

TEST_F(edu, copy_round_trip_byte_exact)
{
	unsigned char out[BUF_SIZE];

	if (self->out_of_reach)
		SKIP(return, BEYOND_REACH);
	memset(out, 0x11, BUF_SIZE);
	ASSERT_EQ(0, test_cpu_write(self->fd, self->hd, 0, BUF_SIZE, out));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->as,
				 .dst_attach = self->ad, .len = BUF_SIZE),
			NULL, NULL));
	ASSERT_EQ(0, test_cpu_read(self->fd, self->hd, 0, BUF_SIZE, out));
	EXPECT_EQ(0, memcmp(out, self->pat, BUF_SIZE));
}

/* Unaligned, crossing pages and 2 KiB chunks; the rest untouched. */
TEST_F(edu, unaligned_copy_touches_only_its_range)
{
	unsigned char out[BUF_SIZE], want[BUF_SIZE];

	if (self->out_of_reach)
		SKIP(return, BEYOND_REACH);
	memset(want, 0x22, BUF_SIZE);
	memcpy(want + 5000, self->pat + 100, 3000);
	ASSERT_EQ(0, test_cpu_fill(self->fd, self->hd, 0, BUF_SIZE, 0x22));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->as,
				 .dst_attach = self->ad, .src_offset = 100,
				 .dst_offset = 5000, .len = 3000),
			NULL, NULL));
	ASSERT_EQ(0, test_cpu_read(self->fd, self->hd, 0, BUF_SIZE, out));
	EXPECT_EQ(0, memcmp(out, want, BUF_SIZE));
}

TEST_F(edu, fill_writes_pattern)
{
	unsigned char out[BUF_SIZE], want[BUF_SIZE];

	if (self->out_of_reach)
		SKIP(return, BEYOND_REACH);
	memset(want, 0x22, BUF_SIZE);
	memset(want + 1000, 0x5a, 6000);
	ASSERT_EQ(0, test_cpu_fill(self->fd, self->hd, 0, BUF_SIZE, 0x22));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->ad, .dst_offset = 1000,
				 .len = 6000, .pattern = 0x5a),
			NULL, NULL));
	ASSERT_EQ(0, test_cpu_read(self->fd, self->hd, 0, BUF_SIZE, out));
	EXPECT_EQ(0, memcmp(out, want, BUF_SIZE));
}

TEST_F(edu, checksum_matches_cpu)
{
	uint64_t sum = 0;

	if (self->out_of_reach)
		SKIP(return, BEYOND_REACH);
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->as, .len = BUF_SIZE),
			&sum, NULL));
	EXPECT_EQ(test_fnv(self->pat, BUF_SIZE), sum);
}

TEST_HARNESS_MAIN
