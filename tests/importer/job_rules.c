// SPDX-License-Identifier: GPL-2.0
/*
 * Rules of DMA jobs that hold for every device: a COPY between overlapping
 * ranges of one dma-buf is refused (engines copy in chunks, so the result
 * would depend on the device) while disjoint ranges of one buffer copy
 * fine; a job's fence, left in a buffer's dma_resv after the importer's
 * file is closed, holds the importer module until the buffer goes.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <stdio.h>

#define BUF_SIZE	16384
#define Q		(BUF_SIZE / 4)

int main(void)
{
	unsigned char want[Q];
	__u32 sim = 0, h = 0, att = 0, id = 0;
	long ref_open, ref_closed, ref_gone;
	struct dmalab_imp_job *job;
	const char *src;
	int fd, bfd;
	uint64_t sum = 0;

	tap_plan(6);
	fd = dmalab_imp_open(NULL);
	bfd = src_any(BUF_SIZE, &src);
	if (fd < 0 || bfd < 0 || test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, h, sim, &att, NULL) ||
	    dmalab_imp_map_attach(fd, att, DMALAB_IMP_DIR_BIDIR, NULL)) {
		printf("Bail out! setup failed (buffer from %s)\n", src);
		return 1;
	}
	tap_diag("buffer from %s", src);
	dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					.dst_attach = att, .len = 2 * Q,
					.pattern = 0x11), NULL, NULL);
	dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					.dst_attach = att, .dst_offset = 2 * Q,
					.len = 2 * Q, .pattern = 0x22),
			   NULL, NULL);

	tap_result(dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
						   .src_attach = att,
						   .dst_attach = att,
						   .dst_offset = Q,
						   .len = 2 * Q),
				      NULL, NULL) == -EINVAL,
		   "copy_between_overlapping_ranges_of_one_buffer_fails_einval");
	tap_result(dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
						   .src_attach = att,
						   .dst_attach = att,
						   .src_offset = Q,
						   .len = 2 * Q),
				      NULL, NULL) == -EINVAL,
		   "overlap_is_refused_in_either_direction");
	memset(want, 0x11, sizeof(want));
	tap_result(!dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
						    .src_attach = att,
						    .dst_attach = att,
						    .dst_offset = 3 * Q,
						    .len = Q),
				       NULL, NULL) &&
		   !dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
						    .src_attach = att,
						    .src_offset = 3 * Q,
						    .len = Q),
				       &sum, NULL) &&
		   sum == imp_fnv(want, sizeof(want)),
		   "copy_between_disjoint_ranges_of_one_buffer_works");

	/* A job's fence stays in the buffer's dma_resv. */
	job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = att, .len = Q,
		       .pattern = 0x33);
	if (!dmalab_imp_submit_job(fd, job, NULL))
		id = job->job_id;
	tap_result(id && !dmalab_imp_wait_job(fd, id, -1, NULL, NULL),
		   "async_job_done");
	ref_open = test_module_refcnt("dmalab_imp");
	close(fd);
	ref_closed = test_module_refcnt("dmalab_imp");
	close(bfd);
	ref_gone = test_module_refcnt("dmalab_imp");
	tap_diag("dmalab_imp refcnt: %ld with the file open, %ld after its close, %ld after the buffer's",
		 ref_open, ref_closed, ref_gone);
	tap_result(ref_closed > 0 && ref_gone >= 0 && ref_gone < ref_closed,
		   "fences_left_in_a_live_buffer_hold_the_module");
	tap_result(ref_gone == 0, "module_free_once_the_buffer_is_gone");
	return tap_exit();
}
