// SPDX-License-Identifier: GPL-2.0
/*
 * Real DMA through both QEMU edu devices: copy, fill and checksum jobs
 * checked byte for byte against what the CPU wrote and reads back.
 * Device A (28-bit) cannot reach a buffer above 256 MiB without an IOMMU;
 * the importer then refuses the mapping with -ERANGE instead of letting
 * dma-direct warn, and the device's data tests are skipped.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <stdlib.h>

#define BUF_SIZE 8192

static int fd;

static void fill_random(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	srand(seed);
	for (i = 0; i < n; i++)
		p[i] = rand() & 0xff;
}

static void run_device(int n, const char *label)
{
	static unsigned char pat[BUF_SIZE], out[BUF_SIZE], want[BUF_SIZE];
	struct dmalab_imp_dev_info info;
	struct dmalab_imp_sg_info si;
	__u32 dev = 0, hs = 0, hd = 0, as = 0, ad = 0;
	const char *src_name;
	int sfd, dfd, r, ok;
	uint64_t sum = 0;

	if (test_edu(fd, n, &dev, &info)) {
		tap_result(0, "edu_%s_present", label);
		for (r = 0; r < 4; r++)
			tap_skip("edu_data", "device missing");
		return;
	}
	sfd = src_any(BUF_SIZE, &src_name);
	dfd = src_any(BUF_SIZE, &src_name);
	tap_diag("edu %s: %u-bit, %s, buffers from %s", label,
		 info.dma_mask_bits,
		 info.dev_flags & DMALAB_IMP_DEV_IOMMU ? "IOMMU" : "no IOMMU",
		 src_name);
	if (sfd < 0 || dfd < 0 ||
	    dmalab_imp_import_fd(fd, sfd, &hs, NULL, NULL) ||
	    dmalab_imp_import_fd(fd, dfd, &hd, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, hs, dev, &as, NULL) ||
	    dmalab_imp_attach_dev(fd, hd, dev, &ad, NULL)) {
		tap_result(0, "edu_%s_import_and_attach", label);
		for (r = 0; r < 4; r++)
			tap_skip("edu_data", "no buffer");
		return;
	}
	r = dmalab_imp_map_attach(fd, as, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	if (!r)
		r = dmalab_imp_map_attach(fd, ad, DMALAB_IMP_DIR_FROM_DEVICE,
					  NULL);
	if (r == -ERANGE && !(info.dev_flags & DMALAB_IMP_DEV_IOMMU) &&
	    info.dma_mask_bits < 32) {
		tap_result(1, "edu_%s_unreachable_buffer_refused_with_erange",
			   label);
		for (r = 0; r < 4; r++)
			tap_skip("edu_data", "buffer above the device's 28-bit reach without IOMMU");
		goto out;
	}
	tap_result(r == 0 && !dmalab_imp_get_sg_info(fd, ad, &si, NULL, 0, NULL) &&
		   si.dma_max <= info.dma_mask && si.violations == 0,
		   "edu_%s_maps_within_its_mask", label);
	if (r)
		goto skip;

	fill_random(pat, BUF_SIZE, 42 + n);
	memset(out, 0x11, BUF_SIZE);
	r = test_cpu_write(fd, hs, 0, BUF_SIZE, pat) ?:
	    test_cpu_write(fd, hd, 0, BUF_SIZE, out) ?:
	    dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
					    .src_attach = as, .dst_attach = ad,
					    .len = BUF_SIZE), NULL, NULL) ?:
	    test_cpu_read(fd, hd, 0, BUF_SIZE, out);
	tap_result(!r && !memcmp(out, pat, BUF_SIZE),
		   "edu_%s_copy_round_trip_byte_exact", label);

	/* Unaligned, crossing pages and 2 KiB chunks; the rest untouched. */
	memset(want, 0x22, BUF_SIZE);
	memcpy(want + 5000, pat + 100, 3000);
	r = test_cpu_fill(fd, hd, 0, BUF_SIZE, 0x22) ?:
	    dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
					    .src_attach = as, .dst_attach = ad,
					    .src_offset = 100,
					    .dst_offset = 5000, .len = 3000),
			       NULL, NULL) ?:
	    test_cpu_read(fd, hd, 0, BUF_SIZE, out);
	tap_result(!r && !memcmp(out, want, BUF_SIZE),
		   "edu_%s_unaligned_copy_touches_only_its_range", label);

	memset(want + 1000, 0x5a, 6000);
	r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					    .dst_attach = ad,
					    .dst_offset = 1000, .len = 6000,
					    .pattern = 0x5a), NULL, NULL) ?:
	    test_cpu_read(fd, hd, 0, BUF_SIZE, out);
	tap_result(!r && !memcmp(out, want, BUF_SIZE),
		   "edu_%s_fill_writes_pattern", label);

	r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					    .src_attach = as, .len = BUF_SIZE),
			       &sum, NULL);
	ok = !r && sum == imp_fnv(pat, BUF_SIZE);
	if (!ok)
		tap_diag("checksum r=%d got %llx want %llx", r,
			 (unsigned long long)sum,
			 (unsigned long long)imp_fnv(pat, BUF_SIZE));
	tap_result(ok, "edu_%s_checksum_matches_cpu", label);
	goto out;
skip:
	for (r = 0; r < 4; r++)
		tap_skip("edu_data", "mapping failed");
out:
	close(sfd);
	close(dfd);
}

int main(void)
{
	tap_plan(10);
	fd = dmalab_imp_open(NULL);
	if (fd < 0) {
		tap_diag("open: %s", strerror(errno));
		return 1;
	}
	run_device(0, "a");
	run_device(1, "b");
	close(fd);
	return tap_exit();
}
