// SPDX-License-Identifier: GPL-2.0
/*
 * Device and kernel access through the importer: sg tables cut to each
 * device's max segment size and segment boundary, one table per
 * attachment, the same bytes seen by mmap, vmap and device DMA in both
 * directions, real DMA by the edu devices (28-bit device A migrates the
 * buffer below 256 MiB unless an IOMMU translates it).
 */
#include "dmalab_test.h"

#include "tap.h"
#include "exp_util.h"

static int dev, imp;

static int new_buf(uint64_t len, uint32_t place, uint32_t flags, uint32_t *h)
{
	int fd = exp_alloc(dev, len, place, DMALAB_EXP_TIMING_EAGER, flags, 0);

	if (fd >= 0 && exp_import(imp, fd, h)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void sg_limits(void)
{
	struct dmalab_imp_sg_info si;
	uint32_t s_seg = 0, s_bnd = 0, h = 0, a1 = 0, a2 = 0;
	int fd;

	test_sim(imp, 64, 32 * KiB, 0, 0, 0, 0, 0, &s_seg);
	test_sim(imp, 64, 1 * MiB, 128 * KiB - 1, 0, 0, 0, 0, &s_bnd);
	fd = new_buf(4 * MiB, DMALAB_EXP_PLACE_CONTIG, 0, &h);
	exp_attach(imp, h, s_seg, &a1);
	exp_attach(imp, h, s_bnd, &a2);
	/* Device reads only: overlapping writable mappings upset DMA-API debug. */
	dmalab_imp_map_attach(imp, a1, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	dmalab_imp_map_attach(imp, a2, DMALAB_IMP_DIR_TO_DEVICE, NULL);

	tap_result(!dmalab_imp_get_sg_info(imp, a1, &si, NULL, 0, NULL) &&
		   si.nents == 128 &&
		   si.longest == 32 * KiB && !si.violations &&
		   si.total_len == 4 * MiB,
		   "sg_entries_respect_max_segment_size");
	tap_diag("max seg 32 KiB: %u entries, longest %llu", si.nents,
		 (unsigned long long)si.longest);
	tap_result(!dmalab_imp_get_sg_info(imp, a2, &si, NULL, 0, NULL) &&
		   si.nents == 32 &&
		   si.longest == 128 * KiB && !si.violations,
		   "sg_entries_respect_segment_boundary");
	tap_diag("boundary 128 KiB: %u entries, longest %llu", si.nents,
		 (unsigned long long)si.longest);
	dmalab_imp_unmap_attach(imp, a1, NULL);
	dmalab_imp_unmap_attach(imp, a2, NULL);
	dmalab_imp_release(imp, h, NULL);
	close(fd);
}

static void cpu_paths(void)
{
	uint64_t len = 1 * MiB + 64 * KiB;
	unsigned char *p, got[64];
	uint32_t h = 0, s = 0, a = 0;
	uint64_t sum;
	int fd, r;

	fd = new_buf(len, DMALAB_EXP_PLACE_SCATTER, 0, &h);
	p = exp_map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		printf("Bail out! mmap failed\n");
		exit(1);
	}
	memset(got, 0xe1, sizeof(got));
	r = test_cpu(imp, h, DMALAB_IMP_CPU_WRITE, len - 100, 64, got, 0, NULL);
	tap_result(!r && exp_all_bytes(p + len - 100, 64, 0xe1) &&
		   p[len - 101] == 0 && p[len - 36] == 0,
		   "vmap_writes_are_seen_by_mmap");
	memset(p + 4095, 0x9c, 2);
	r = test_cpu(imp, h, DMALAB_IMP_CPU_READ, 4094, 4, got, 0, NULL);
	tap_result(!r && got[0] == 0 && got[1] == 0x9c && got[2] == 0x9c &&
		   got[3] == 0, "mmap_writes_are_seen_by_vmap_across_pages");

	test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &s);
	exp_attach(imp, h, s, &a);
	dmalab_imp_map_attach(imp, a, DMALAB_IMP_DIR_BIDIR, NULL);
	r = exp_job(imp, DMALAB_IMP_JOB_CHECKSUM, a, 0, 0, 0, len, 0, 0, &sum);
	tap_result(!r && sum == exp_fnv(p, len), "device_reads_what_cpu_wrote");
	r = exp_job(imp, DMALAB_IMP_JOB_FILL, 0, a, 0, 64 * KiB, 8192, 0xa7, 0,
		    NULL);
	dmalab_buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
	tap_result(!r && exp_all_bytes(p + 64 * KiB, 8192, 0xa7) &&
		   p[64 * KiB - 1] == 0 && p[72 * KiB] == 0,
		   "cpu_reads_what_device_wrote");
	dmalab_buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	r = test_cpu(imp, h, DMALAB_IMP_CPU_CHECKSUM, 0, len, NULL, 0, &sum);
	tap_result(!r && sum == exp_fnv(p, len), "vmap_sees_what_device_wrote");
	dmalab_imp_unmap_attach(imp, a, NULL);
	munmap(p, len);
	dmalab_imp_release(imp, h, NULL);
	close(fd);
}

static void edu_dma(void)
{
	struct dmalab_imp_dev_info di;
	struct dmalab_exp_attach_info ai[2];
	struct dmalab_exp_info info;
	unsigned char *p;
	uint32_t edu = 0, h = 0, a = 0;
	int fd, r, iommu;

	if (test_edu(imp, 0, &edu, &di)) {
		tap_skip("edu_a_attach_serves_the_28_bit_device", "no edu device");
		tap_skip("edu_a_dma_writes_are_seen_by_mmap", "no edu device");
		return;
	}
	iommu = !!(di.dev_flags & DMALAB_IMP_DEV_IOMMU);
	fd = new_buf(4096, DMALAB_EXP_PLACE_SCATTER, DMALAB_EXP_ALLOC_MIGRATE,
		     &h);
	r = exp_attach(imp, h, edu, &a);
	exp_info_attach(dev, fd, &info, ai, 2);
	/* Behind an IOMMU any page is reachable: no need to move. */
	tap_result(!r && info.attach_count == 1 &&
		   !!(ai[0].flags & DMALAB_EXP_ATTACH_IOMMU) == iommu &&
		   (iommu ? info.nr_migrations == 0 :
		    (info.nr_migrations <= 1 && info.phys_hi < (1ULL << 28))),
		   "edu_a_attach_serves_the_28_bit_device");
	tap_diag("iommu %d, migrations %u, phys_hi %#llx", iommu,
		 info.nr_migrations, (unsigned long long)info.phys_hi);
	p = exp_map(fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	dmalab_imp_map_attach(imp, a, DMALAB_IMP_DIR_FROM_DEVICE, NULL);
	r = exp_job(imp, DMALAB_IMP_JOB_FILL, 0, a, 0, 0, 4096, 0x6b, 0, NULL);
	dmalab_imp_unmap_attach(imp, a, NULL);
	tap_result(!r && p != MAP_FAILED && exp_all_bytes(p, 4096, 0x6b),
		   "edu_a_dma_writes_are_seen_by_mmap");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	dmalab_imp_release(imp, h, NULL);
	close(fd);
}

int main(void)
{
	struct dmalab_exp_stats base, st;

	tap_plan(2 + 5 + 2 + 1);
	dev = exp_open();
	imp = dmalab_imp_open(NULL);
	if (dev < 0 || imp < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s or the importer\n",
		       DMALAB_EXP_DEVICE);
		return 1;
	}
	sg_limits();
	cpu_paths();
	edu_dma();
	close(imp);
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "everything_freed_after_the_importer_closes");
	close(dev);
	return tap_exit();
}
