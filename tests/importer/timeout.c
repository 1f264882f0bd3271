// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing waits forever: a simulated device created with
 * DMALAB_IMP_SIM_STALL never completes, its jobs fail with -ETIMEDOUT after
 * their timeout and their fences signal with that error; jobs waiting on
 * such a fence time out by their own deadline; closing the file with a
 * stalled job pending returns once the job's deadline passes.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <linux/sync_file.h>
#include <time.h>

#define BUF_SIZE 8192

int main(void)
{
	__u32 stall = 0, good = 0, h = 0, as = 0, ag = 0, id = 0;
	struct dmalab_imp_job *job;
	struct sync_file_info sfi;
	int fd, bfd, sf, r;
	const char *name;
	double t;

	tap_plan(9);
	fd = dmalab_imp_open(NULL);
	bfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || bfd < 0 ||
	    test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_STALL, 0, 0, 0, &stall) ||
	    test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &good) ||
	    dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, h, stall, &as, NULL) ||
	    dmalab_imp_attach_dev(fd, h, good, &ag, NULL) ||
	    dmalab_imp_map_attach(fd, as, DMALAB_IMP_DIR_BIDIR, NULL) ||
	    dmalab_imp_map_attach(fd, ag, DMALAB_IMP_DIR_BIDIR, NULL)) {
		tap_diag("setup failed (buffer from %s)", name);
		return 1;
	}

	t = test_now();
	r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					    .dst_attach = as, .len = BUF_SIZE,
					    .pattern = 1, .timeout_ms = 300),
			       NULL, NULL);
	t = test_now() - t;
	tap_diag("sync job on stalled device: %d after %.2f s", r, t);
	tap_result(r == -ETIMEDOUT && t >= 0.25 && t < 3,
		   "stalled_device_job_fails_with_etimedout");

	job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = as,
		       .len = BUF_SIZE, .pattern = 2, .timeout_ms = 1000);
	r = dmalab_imp_submit_job(fd, job, NULL);
	id = job->job_id;
	sf = dmalab_buf_export_sync_file(bfd, DMA_BUF_SYNC_READ, NULL);
	tap_result(!r && sf >= 0 && !test_ready(sf, POLLIN),
		   "stalled_job_fence_pending");

	/* A job depending on the stalled one gives up by its own deadline. */
	t = test_now();
	r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					    .src_attach = ag, .len = BUF_SIZE,
					    .timeout_ms = 200),
			       NULL, NULL);
	t = test_now() - t;
	tap_result(r == -ETIMEDOUT && t < 0.9,
		   "dependent_job_times_out_by_its_deadline");

	tap_result(dmalab_imp_wait_job(fd, id, -1, NULL, NULL) == -ETIMEDOUT,
		   "wait_reports_etimedout");
	memset(&sfi, 0, sizeof(sfi));
	r = sf >= 0 && !ioctl(sf, SYNC_IOC_FILE_INFO, &sfi) ? 0 : -1;
	tap_diag("sync file status %d", sfi.status);
	tap_result(!r && test_ready(sf, POLLIN) && sfi.status == -ETIMEDOUT,
		   "fence_signalled_with_timeout_error");
	if (sf >= 0)
		close(sf);

	tap_result(!dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						    .dst_attach = ag,
						    .len = BUF_SIZE,
						    .pattern = 3),
				       NULL, NULL),
		   "other_device_works_after_timeout");
	tap_result(dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						   .dst_attach = ag, .len = 16,
						   .pattern = 3,
						   .timeout_ms = 60001),
				      NULL, NULL) == -EINVAL,
		   "timeout_above_limit_rejected");

	/* Unmapping under a pending job is refused. */
	r = dmalab_imp_submit_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					       .dst_attach = as,
					       .len = BUF_SIZE, .pattern = 4,
					       .timeout_ms = 600), NULL);
	tap_result(!r && dmalab_imp_unmap_attach(fd, as, NULL) == -EBUSY,
		   "unmap_with_job_in_flight_is_ebusy");

	/* Closing with the stalled job pending waits for its deadline only. */
	t = test_now();
	close(fd);
	t = test_now() - t;
	tap_diag("close took %.2f s", t);
	tap_result(t < 2.0, "close_with_stalled_job_returns_after_deadline");
	close(bfd);
	return tap_exit();
}
