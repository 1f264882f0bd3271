// SPDX-License-Identifier: GPL-2.0
/*
 * Fences of asynchronous DMA jobs, as user space sees them through the
 * dma-buf fd: poll(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE and DMA_BUF_IOCTL_SYNC.
 * A CPU read right after an async edu copy (16 transfers of ~100 ms) sees
 * the old data, and the copied data once it has waited.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <time.h>

#define BUF_SIZE 16384

int main(void)
{
	static unsigned char pat[BUF_SIZE], want[BUF_SIZE];
	__u32 dev = 0, sim = 0, hs = 0, hd = 0, as = 0, ad = 0, sd = 0, id = 0;
	struct dmalab_imp_dev_info info;
	struct dmalab_imp_job *job;
	int fd, sfd, dfd, sf, r, i;
	unsigned char *map;
	const char *name;
	uint64_t sum = 0;
	double t;

	tap_plan(12);
	fd = dmalab_imp_open(NULL);
	sfd = src_any(BUF_SIZE, &name);
	dfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || sfd < 0 || dfd < 0 || test_edu(fd, 1, &dev, &info) ||
	    dmalab_imp_import_fd(fd, sfd, &hs, NULL, NULL) ||
	    dmalab_imp_import_fd(fd, dfd, &hd, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, hs, dev, &as, NULL) ||
	    dmalab_imp_attach_dev(fd, hd, dev, &ad, NULL) ||
	    dmalab_imp_map_attach(fd, as, DMALAB_IMP_DIR_TO_DEVICE, NULL) ||
	    dmalab_imp_map_attach(fd, ad, DMALAB_IMP_DIR_FROM_DEVICE, NULL) ||
	    test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    dmalab_imp_attach_dev(fd, hd, sim, &sd, NULL) ||
	    dmalab_imp_map_attach(fd, sd, DMALAB_IMP_DIR_TO_DEVICE, NULL)) {
		tap_diag("setup failed (buffers from %s)", name);
		return 1;
	}
	map = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, dfd, 0);
	if (map == MAP_FAILED) {
		tap_diag("mmap of %s dma-buf: %s", name, strerror(errno));
		return 1;
	}
	for (i = 0; i < BUF_SIZE; i++)
		pat[i] = (i * 13 + 5) & 0xff;
	test_cpu_write(fd, hs, 0, BUF_SIZE, pat);
	test_cpu_fill(fd, hd, 0, BUF_SIZE, 0);

	t = test_now();
	job = TEST_JOB(.op = DMALAB_IMP_JOB_COPY, .src_attach = as,
		       .dst_attach = ad, .len = BUF_SIZE);
	r = dmalab_imp_submit_job(fd, job, NULL);
	id = job->job_id;
	t = test_now() - t;
	tap_result(!r && id && t < 0.2, "async_job_returns_at_once");
	tap_result(!test_ready(dfd, POLLIN),
		   "dmabuf_poll_not_ready_while_device_writes");
	tap_result(test_ready(sfd, POLLIN) && !test_ready(sfd, POLLOUT),
		   "source_has_read_fence_only");
	sf = dmalab_buf_export_sync_file(dfd, DMA_BUF_SYNC_READ, NULL);
	tap_result(sf >= 0 && !test_ready(sf, POLLIN),
		   "exported_sync_file_pending");
	tap_result(map[BUF_SIZE - 1] == 0 && map[BUF_SIZE - 2] == 0,
		   "cpu_read_before_waiting_sees_old_data");

	r = dmalab_buf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
	tap_result(!r && !memcmp(map, pat, BUF_SIZE),
		   "cpu_read_after_sync_ioctl_sees_dma_data");
	dmalab_buf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	tap_result(test_ready(sf, POLLIN) && test_ready(dfd, POLLIN),
		   "fences_signalled_after_completion");
	tap_result(!dmalab_imp_wait_job(fd, id, -1, NULL, NULL) &&
		   dmalab_imp_wait_job(fd, id, -1, NULL, NULL) == -ENOENT,
		   "wait_reports_success_once");

	/* The kernel's own CPU access waits for the fence too. */
	memset(want, 0x77, BUF_SIZE);
	job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = ad,
		       .len = BUF_SIZE, .pattern = 0x77);
	r = dmalab_imp_submit_job(fd, job, NULL) ?:
	    test_cpu_checksum(fd, hd, 0, BUF_SIZE, &sum);
	tap_result(!r && sum == imp_fnv(want, BUF_SIZE),
		   "kernel_cpu_access_waits_for_async_fill");
	dmalab_imp_wait_job(fd, job->job_id, -1, NULL, NULL);

	/* A job on another device waits for the first device's fence. */
	memset(want, 0x99, BUF_SIZE);
	job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = ad,
		       .len = BUF_SIZE, .pattern = 0x99);
	r = dmalab_imp_submit_job(fd, job, NULL) ?:
	    dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					    .src_attach = sd, .len = BUF_SIZE),
			       &sum, NULL);
	tap_result(!r && sum == imp_fnv(want, BUF_SIZE),
		   "job_on_second_device_waits_for_first");
	dmalab_imp_wait_job(fd, job->job_id, -1, NULL, NULL);

	tap_result(dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
						   .src_attach = ad, .len = 16),
				      NULL, NULL) == -EINVAL &&
		   dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						   .dst_attach = ad,
						   .dst_offset = BUF_SIZE - 8,
						   .len = 16, .pattern = 1),
				      NULL, NULL) == -EINVAL &&
		   dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						   .flags = 1U << 5,
						   .dst_attach = ad, .len = 16,
						   .pattern = 1),
				      NULL, NULL) == -EINVAL,
		   "job_with_wrong_direction_range_or_flags_rejected");
	tap_result(dmalab_imp_wait_job(fd, 12345, -1, NULL, NULL) == -ENOENT,
		   "wait_for_unknown_job_is_enoent");
	if (sf >= 0)
		close(sf);
	munmap(map, BUF_SIZE);
	close(fd);
	return tap_exit();
}
