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
	const char *src;
	int fd, bfd, st = -1;
	__u64 sum = 0;

	tap_plan(6);
	fd = imp_open();
	bfd = src_any(BUF_SIZE, &src);
	if (fd < 0 || bfd < 0 || imp_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    imp_import(fd, bfd, &h) || imp_attach(fd, h, sim, &att) ||
	    imp_map(fd, att, DMALAB_IMP_DIR_BIDIR)) {
		printf("Bail out! setup failed (buffer from %s)\n", src);
		return 1;
	}
	tap_diag("buffer from %s", src);
	imp_job(fd, DMALAB_IMP_JOB_FILL, 0, att, 0, 0, 2 * Q, 0x11, 0, 0,
		NULL, NULL);
	imp_job(fd, DMALAB_IMP_JOB_FILL, 0, att, 0, 2 * Q, 2 * Q, 0x22, 0, 0,
		NULL, NULL);

	tap_result(imp_job(fd, DMALAB_IMP_JOB_COPY, att, att, 0, Q, 2 * Q, 0,
			   0, 0, NULL, NULL) == -EINVAL,
		   "copy_between_overlapping_ranges_of_one_buffer_fails_einval");
	tap_result(imp_job(fd, DMALAB_IMP_JOB_COPY, att, att, Q, 0, 2 * Q, 0,
			   0, 0, NULL, NULL) == -EINVAL,
		   "overlap_is_refused_in_either_direction");
	memset(want, 0x11, sizeof(want));
	tap_result(!imp_job(fd, DMALAB_IMP_JOB_COPY, att, att, 0, 3 * Q, Q, 0,
			    0, 0, NULL, NULL) &&
		   !imp_job(fd, DMALAB_IMP_JOB_CHECKSUM, att, 0, 3 * Q, 0, Q, 0,
			    0, 0, NULL, &sum) &&
		   sum == imp_fnv(want, sizeof(want)),
		   "copy_between_disjoint_ranges_of_one_buffer_works");

	/* An async job's fence stays in the buffer's dma_resv. */
	imp_job(fd, DMALAB_IMP_JOB_FILL, 0, att, 0, 0, Q, 0x33,
		DMALAB_IMP_JOB_ASYNC, 0, &id, NULL);
	tap_result(id && !imp_wait(fd, id, &st, NULL) && st == 0,
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
