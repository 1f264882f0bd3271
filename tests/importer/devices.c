// SPDX-License-Identifier: GPL-2.0
/*
 * Device list and info: both edu devices with the masks QEMU gives them,
 * the IOMMU flag agreeing with the machine, simulated devices created with
 * the limits asked for and refused when the limits make no sense.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#include <dirent.h>

/* Does the guest have an active IOMMU (any IOMMU group)? */
static int machine_has_iommu(void)
{
	DIR *d = opendir("/sys/kernel/iommu_groups");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0;
}

/* An importer file and its two edu devices, A (slot 0x10) and B. */
FIXTURE(dev) {
	int fd;
	__u32 a, b;
	struct dmalab_imp_dev_info ai, bi;
};

FIXTURE_SETUP(dev)
{
	self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/dmalab_imp: %d", self->fd);
	TEST_EDU(self->fd, 0, &self->a, &self->ai);
	TEST_EDU(self->fd, 1, &self->b, &self->bi);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, edu_device_a_has_28_bit_mask)
{
	EXPECT_EQ(28U, self->ai.dma_mask_bits);
	EXPECT_EQ((1ULL << 28) - 1, self->ai.dma_mask);
}

TEST_F(dev, edu_device_b_has_36_bit_mask)
{
	EXPECT_EQ(36U, self->bi.dma_mask_bits);
	EXPECT_EQ((1ULL << 36) - 1, self->bi.coherent_dma_mask);
}

TEST_F(dev, edu_devices_in_slot_order_with_2k_transfers)
{
	EXPECT_EQ(2048U, self->ai.max_xfer);
	EXPECT_EQ(2048U, self->bi.max_xfer);
	EXPECT_EQ(0, strncmp(self->ai.name, "0000:00:10.0", 12))
		TH_LOG("device A is %s", self->ai.name);
	EXPECT_EQ(0, strncmp(self->bi.name, "0000:00:11.0", 12))
		TH_LOG("device B is %s", self->bi.name);
}

TEST_F(dev, iommu_flag_matches_machine)
{
	int iommu = machine_has_iommu();

	TH_LOG("machine IOMMU: %s", iommu ? "yes" : "no");
	EXPECT_EQ(iommu, !!(self->ai.dev_flags & DMALAB_IMP_DEV_IOMMU));
	EXPECT_EQ(iommu, !!(self->bi.dev_flags & DMALAB_IMP_DEV_IOMMU));
}

TEST_F(dev, sim_device_reports_its_limits)
{
	struct dmalab_imp_dev_info s;
	__u32 ds;

	ASSERT_EQ(0, test_sim(self->fd, 32, 8192, 0xffff, 0, 0, 0, 0, &ds));
	ASSERT_EQ(0, dmalab_imp_get_dev_info(self->fd, ds, &s, NULL));
	EXPECT_EQ((__u32)DMALAB_IMP_KIND_SIM, s.kind);
	EXPECT_EQ(32U, s.dma_mask_bits);
	EXPECT_EQ(8192U, s.max_seg_size);
	EXPECT_EQ(0xffffULL, s.seg_boundary_mask);
	EXPECT_EQ(0U, s.max_xfer);
	EXPECT_EQ(0U, s.dev_flags & (DMALAB_IMP_DEV_IOMMU |
				    DMALAB_IMP_DEV_WINDOW));
}

TEST_F(dev, sim_window_reported)
{
	struct dmalab_imp_dev_info s;
	__u32 dw;

	ASSERT_EQ(0, test_sim(self->fd, 40, 0, 0, DMALAB_IMP_SIM_WINDOW,
			      0x100000000ULL, 0x1000000ULL, 0x40000000ULL,
			      &dw));
	ASSERT_EQ(0, dmalab_imp_get_dev_info(self->fd, dw, &s, NULL));
	EXPECT_NE(0U, s.dev_flags & DMALAB_IMP_DEV_WINDOW);
	EXPECT_EQ(0x100000000ULL, s.win_phys_start);
	EXPECT_EQ(0x1000000ULL, s.win_dma_start);
	EXPECT_EQ(0x40000000ULL, s.win_size);
	EXPECT_EQ(0xffffffffU, s.max_seg_size);
}

TEST_F(dev, sim_nonsense_limits_rejected)
{
	int fd = self->fd;

	EXPECT_EQ(-EINVAL, test_sim(fd, 20, 0, 0, 0, 0, 0, 0, NULL))
		TH_LOG("20-bit mask");
	EXPECT_EQ(-EINVAL, test_sim(fd, 32, 100, 0, 0, 0, 0, 0, NULL))
		TH_LOG("100-byte segments");
	EXPECT_EQ(-EINVAL, test_sim(fd, 32, 0, 0x1234, 0, 0, 0, 0, NULL))
		TH_LOG("boundary mask 0x1234");
	EXPECT_EQ(-EINVAL, test_sim(fd, 32, 0, 0, DMALAB_IMP_SIM_WINDOW,
				    0, 0, 0, NULL))
		TH_LOG("window of size 0");
	EXPECT_EQ(-EINVAL, test_sim(fd, 32, 0, 0, 0, 0x1000, 0, 0, NULL))
		TH_LOG("window start without DMALAB_IMP_SIM_WINDOW");
	EXPECT_EQ(-EINVAL, test_sim(fd, 32, 0, 0, 1U << 7, 0, 0, 0, NULL))
		TH_LOG("unknown flag 1 << 7");
}

TEST_F(dev, sim_device_private_to_its_file)
{
	struct dmalab_imp_dev_info x;
	__u32 ds;
	int fd2;

	ASSERT_EQ(0, test_sim(self->fd, 32, 8192, 0xffff, 0, 0, 0, 0, &ds));
	fd2 = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-ENOENT, dmalab_imp_get_dev_info(fd2, ds, &x, NULL));
	EXPECT_EQ(0, dmalab_imp_get_dev_info(fd2, self->b, &x, NULL));
	close(fd2);
}

TEST_F(dev, sim_destroy_removes_device)
{
	struct dmalab_imp_dev_info x;
	__u32 ds;

	ASSERT_EQ(0, test_sim(self->fd, 32, 8192, 0xffff, 0, 0, 0, 0, &ds));
	EXPECT_EQ(0, dmalab_imp_sim_destroy(self->fd, ds, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_get_dev_info(self->fd, ds, &x, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_sim_destroy(self->fd, ds, NULL));
}

TEST_F(dev, edu_device_cannot_be_destroyed)
{
	EXPECT_EQ(-ENOENT, dmalab_imp_sim_destroy(self->fd, self->a, NULL));
}

TEST_F(dev, wrong_size_field_rejected)
{
	struct dmalab_imp_dev_info x = {
		.size = sizeof(x) - 8, .dev_id = self->a,
	};

	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_DEV_INFO,
					  &x));
}

TEST_F(dev, nonzero_reserved_rejected)
{
	struct dmalab_imp_dev_info x = {
		.size = sizeof(x), .dev_id = self->a, .reserved[1] = 1,
	};

	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_DEV_INFO,
					  &x));
}

TEST_HARNESS_MAIN
