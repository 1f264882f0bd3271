// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI remove of an edu device (through sysfs, as a hot unplug would do it)
 * while a buffer is attached and mapped to it: new attachments find the
 * device gone, the live attachment keeps working, the removal completes once
 * it is detached, and a rescan brings the device back, with its DMA mask and
 * its place in the device list. The bench then checks the kernel log.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <stdio.h>
#include <sys/wait.h>

#define BUF_SIZE 8192

/* Whether @pid exited with status 0 within @secs. */
static int exited_ok_within(pid_t pid, double secs)
{
	double end = test_now() + secs;
	int status;

	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status);
		usleep(20000);
	} while (test_now() < end);
	return 0;
}

/* Attach, map, fill and checksum: the device does DMA on the buffer. */
static int dma_round(int fd, __u32 h, __u32 dev, __u32 pattern)
{
	unsigned char want[BUF_SIZE];
	__u32 att = 0;
	uint64_t sum = 0;
	int ok;

	memset(want, pattern, sizeof(want));
	ok = !dmalab_imp_attach_dev(fd, h, dev, &att, NULL) &&
	     !dmalab_imp_map_attach(fd, att, DMALAB_IMP_DIR_BIDIR, NULL) &&
	     !dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					      .dst_attach = att,
					      .len = BUF_SIZE,
					      .pattern = pattern),
				 NULL, NULL) &&
	     !dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					      .src_attach = att,
					      .len = BUF_SIZE),
				 &sum, NULL) &&
	     sum == imp_fnv(want, sizeof(want));
	if (att) {
		dmalab_imp_unmap_attach(fd, att, NULL);
		dmalab_imp_detach(fd, att, NULL);
	}
	return ok;
}

int main(void)
{
	struct dmalab_imp_dev_info info, again;
	unsigned char want[BUF_SIZE];
	__u32 dev = 0, dev2 = 0, h = 0, att = 0, att2 = 0;
	char path[128];
	const char *src;
	int fd, bfd, gone = 0, back = 0;
	uint64_t sum = 0;
	double end;
	pid_t pid;

	tap_plan(8);
	fd = dmalab_imp_open(NULL);
	bfd = src_any(BUF_SIZE, &src);
	/* Device B: its 36 bits reach any buffer, with or without an IOMMU. */
	if (fd < 0 || bfd < 0 || test_edu(fd, 1, &dev, &info) ||
	    dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, h, dev, &att, NULL) ||
	    dmalab_imp_map_attach(fd, att, DMALAB_IMP_DIR_BIDIR, NULL) ||
	    dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					    .dst_attach = att, .len = BUF_SIZE,
					    .pattern = 0x5a), NULL, NULL)) {
		printf("Bail out! setup failed (buffer from %s)\n", src);
		return 1;
	}
	tap_diag("removing %s (device %u, %u-bit) with a %s buffer mapped",
		 info.name, dev, info.dma_mask_bits, src);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 info.name);
	pid = fork();
	if (pid == 0)
		_exit(test_write_str(path, "1") ? 1 : 0);

	end = test_now() + 5;
	while (!gone && test_now() < end) {
		gone = dmalab_imp_get_dev_info(fd, dev, &again, NULL) == -ENOENT;
		usleep(20000);
	}
	tap_result(gone, "removed_device_leaves_the_device_list");
	tap_result(dmalab_imp_attach_dev(fd, h, dev, &att2, NULL) == -ENODEV,
		   "attach_to_a_removed_device_fails_enodev");
	usleep(500000);
	tap_result(pid > 0 && waitpid(pid, NULL, WNOHANG) == 0,
		   "removal_waits_for_the_live_attachment");
	memset(want, 0x5a, sizeof(want));
	tap_result(!dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
						    .src_attach = att,
						    .len = BUF_SIZE),
				       &sum, NULL) &&
		   sum == imp_fnv(want, sizeof(want)),
		   "live_attachment_still_does_dma_meanwhile");

	tap_result(!dmalab_imp_unmap_attach(fd, att, NULL) &&
		   !dmalab_imp_detach(fd, att, NULL),
		   "unmap_and_detach_work_on_the_removed_device");
	tap_result(pid > 0 && exited_ok_within(pid, 5),
		   "removal_completes_once_detached");

	test_write_str("/sys/bus/pci/rescan", "1");
	end = test_now() + 5;
	while (!back && test_now() < end) {
		back = !test_edu(fd, 1, &dev2, &again) &&
		       !strcmp(again.name, info.name);
		if (!back)
			usleep(50000);
	}
	tap_diag("after the rescan: %s is device %u, %u-bit", again.name, dev2,
		 again.dma_mask_bits);
	tap_result(back && again.dma_mask_bits == info.dma_mask_bits,
		   "rescan_brings_it_back_in_its_place_with_its_mask");
	tap_result(back && dma_round(fd, h, dev2, 0xa7),
		   "device_found_again_does_dma");
	dmalab_imp_release(fd, h, NULL);
	close(bfd);
	close(fd);
	return tap_exit();
}
