// SPDX-License-Identifier: GPL-2.0
/*
 * Device list and info: both edu devices with the masks QEMU gives them,
 * the IOMMU flag agreeing with the machine, simulated devices created with
 * the limits asked for and refused when the limits make no sense.
 */
#include "dmalab_test.h"
#include "tap.h"

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

int main(void)
{
	struct dmalab_imp_dev_info a, b, s;
	__u32 da = 0, db = 0, ds = 0, dw = 0;
	int fd, iommu;

	tap_plan(12);
	fd = dmalab_imp_open(NULL);
	if (fd < 0) {
		tap_diag("open /dev/dmalab_imp: %s", strerror(errno));
		return 1;
	}
	iommu = machine_has_iommu();
	tap_diag("machine IOMMU: %s", iommu ? "yes" : "no");

	tap_result(!test_edu(fd, 0, &da, &a) && a.dma_mask_bits == 28 &&
		   a.dma_mask == (1ULL << 28) - 1,
		   "edu_device_a_has_28_bit_mask");
	tap_result(!test_edu(fd, 1, &db, &b) && b.dma_mask_bits == 36 &&
		   b.coherent_dma_mask == (1ULL << 36) - 1,
		   "edu_device_b_has_36_bit_mask");
	tap_result(a.max_xfer == 2048 && b.max_xfer == 2048 &&
		   !strncmp(a.name, "0000:00:10.0", 12) &&
		   !strncmp(b.name, "0000:00:11.0", 12),
		   "edu_devices_in_slot_order_with_2k_transfers");
	tap_result(!!(a.dev_flags & DMALAB_IMP_DEV_IOMMU) == iommu &&
		   !!(b.dev_flags & DMALAB_IMP_DEV_IOMMU) == iommu,
		   "iommu_flag_matches_machine");

	tap_result(!test_sim(fd, 32, 8192, 0xffff, 0, 0, 0, 0, &ds) &&
		   !dmalab_imp_get_dev_info(fd, ds, &s, NULL) && s.kind == DMALAB_IMP_KIND_SIM &&
		   s.dma_mask_bits == 32 && s.max_seg_size == 8192 &&
		   s.seg_boundary_mask == 0xffff && s.max_xfer == 0 &&
		   !(s.dev_flags & (DMALAB_IMP_DEV_IOMMU | DMALAB_IMP_DEV_WINDOW)),
		   "sim_device_reports_its_limits");
	tap_result(!test_sim(fd, 40, 0, 0, DMALAB_IMP_SIM_WINDOW, 0x100000000ULL,
			     0x1000000ULL, 0x40000000ULL, &dw) &&
		   !dmalab_imp_get_dev_info(fd, dw, &s, NULL) && (s.dev_flags & DMALAB_IMP_DEV_WINDOW) &&
		   s.win_phys_start == 0x100000000ULL &&
		   s.win_dma_start == 0x1000000ULL && s.win_size == 0x40000000ULL &&
		   s.max_seg_size == 0xffffffffU,
		   "sim_window_reported");
	tap_result(test_sim(fd, 20, 0, 0, 0, 0, 0, 0, NULL) == -EINVAL &&
		   test_sim(fd, 32, 100, 0, 0, 0, 0, 0, NULL) == -EINVAL &&
		   test_sim(fd, 32, 0, 0x1234, 0, 0, 0, 0, NULL) == -EINVAL &&
		   test_sim(fd, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, 0, 0, 0, NULL) == -EINVAL &&
		   test_sim(fd, 32, 0, 0, 0, 0x1000, 0, 0, NULL) == -EINVAL &&
		   test_sim(fd, 32, 0, 0, 1U << 7, 0, 0, 0, NULL) == -EINVAL,
		   "sim_nonsense_limits_rejected");

	{
		int fd2 = dmalab_imp_open(NULL);
		struct dmalab_imp_dev_info x;

		tap_result(dmalab_imp_get_dev_info(fd2, ds, &x, NULL) == -ENOENT &&
			   dmalab_imp_get_dev_info(fd2, db, &x, NULL) == 0,
			   "sim_device_private_to_its_file");
		close(fd2);
	}
	{
		struct dmalab_imp_dev_info x;

		tap_result(dmalab_imp_sim_destroy(fd, ds, NULL) == 0 &&
			   dmalab_imp_get_dev_info(fd, ds, &x, NULL) == -ENOENT &&
			   dmalab_imp_sim_destroy(fd, ds, NULL) == -ENOENT,
			   "sim_destroy_removes_device");
		tap_result(dmalab_imp_sim_destroy(fd, da, NULL) == -ENOENT,
			   "edu_device_cannot_be_destroyed");
	}
	{
		struct dmalab_imp_dev_info x;

		memset(&x, 0, sizeof(x));
		x.size = sizeof(x) - 8;
		x.dev_id = da;
		tap_result(test_malformed(fd, DMALAB_IMP_IOC_DEV_INFO, &x) == -EINVAL,
			   "wrong_size_field_rejected");
		memset(&x, 0, sizeof(x));
		x.size = sizeof(x);
		x.dev_id = da;
		x.reserved[1] = 1;
		tap_result(test_malformed(fd, DMALAB_IMP_IOC_DEV_INFO, &x) == -EINVAL,
			   "nonzero_reserved_rejected");
	}
	close(fd);
	return tap_exit();
}
