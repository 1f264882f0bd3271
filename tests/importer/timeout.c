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
	struct dma_buf_export_sync_file es = { .flags = DMA_BUF_SYNC_READ };
	__u32 stall = 0, good = 0, h = 0, as = 0, ag = 0, id = 0, id2 = 0;
	struct sync_file_info sfi;
	int fd, bfd, r, st = 0, st2 = 0;
	const char *name;
	double t;

	tap_plan(9);
	fd = imp_open();
	bfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || bfd < 0 ||
	    imp_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_STALL, 0, 0, 0, &stall) ||
	    imp_sim(fd, 64, 0, 0, 0, 0, 0, 0, &good) ||
	    imp_import(fd, bfd, &h) || imp_attach(fd, h, stall, &as) ||
	    imp_attach(fd, h, good, &ag) ||
	    imp_map(fd, as, DMALAB_IMP_DIR_BIDIR) ||
	    imp_map(fd, ag, DMALAB_IMP_DIR_BIDIR)) {
		tap_diag("setup failed (buffer from %s)", name);
		return 1;
	}

	t = test_now();
	r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, as, 0, 0, BUF_SIZE, 1, 0, 300,
		    NULL, NULL);
	t = test_now() - t;
	tap_diag("sync job on stalled device: %d after %.2f s", r, t);
	tap_result(r == -ETIMEDOUT && t >= 0.25 && t < 3,
		   "stalled_device_job_fails_with_etimedout");

	r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, as, 0, 0, BUF_SIZE, 2,
		    DMALAB_IMP_JOB_ASYNC, 1000, &id, NULL);
	tap_result(!r && !imp_ioc(bfd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es) &&
		   !test_ready(es.fd, POLLIN), "stalled_job_fence_pending");

	/* A job depending on the stalled one gives up by its own deadline. */
	t = test_now();
	r = imp_job(fd, DMALAB_IMP_JOB_CHECKSUM, ag, 0, 0, 0, BUF_SIZE, 0, 0,
		    200, NULL, NULL);
	t = test_now() - t;
	tap_result(r == -ETIMEDOUT && t < 0.9,
		   "dependent_job_times_out_by_its_deadline");

	r = imp_wait(fd, id, &st, NULL);
	tap_result(!r && st == -ETIMEDOUT, "wait_reports_etimedout");
	memset(&sfi, 0, sizeof(sfi));
	r = imp_ioc(es.fd, SYNC_IOC_FILE_INFO, &sfi);
	tap_diag("sync file status %d", sfi.status);
	tap_result(!r && test_ready(es.fd, POLLIN) && sfi.status == -ETIMEDOUT,
		   "fence_signalled_with_timeout_error");
	close(es.fd);

	tap_result(!imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ag, 0, 0, BUF_SIZE, 3, 0,
			    0, NULL, NULL),
		   "other_device_works_after_timeout");
	tap_result(imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ag, 0, 0, 16, 3, 0,
			   60001, NULL, NULL) == -EINVAL,
		   "timeout_above_limit_rejected");

	/* Unmapping under a pending job is refused. */
	r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, as, 0, 0, BUF_SIZE, 4,
		    DMALAB_IMP_JOB_ASYNC, 600, &id2, NULL);
	tap_result(!r && imp_id(fd, DMALAB_IMP_IOC_UNMAP, as) == -EBUSY,
		   "unmap_with_job_in_flight_is_ebusy");
	(void)st2;

	/* Closing with the stalled job pending waits for its deadline only. */
	t = test_now();
	close(fd);
	t = test_now() - t;
	tap_diag("close took %.2f s", t);
	tap_result(t < 2.0, "close_with_stalled_job_returns_after_deadline");
	close(bfd);
	return tap_exit();
}
