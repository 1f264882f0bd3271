// SPDX-License-Identifier: GPL-2.0
/*
 * Rules of DMA jobs that hold for every device: a COPY between overlapping
 * ranges of one dma-buf is refused (engines copy in chunks, so the result
 * would depend on the device) while disjoint ranges of one buffer copy
 * fine; a job's fence, left in a buffer's dma_resv after the importer's
 * file is closed, holds the importer module until the buffer goes (and
 * an RCU grace period after).
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#define BUF_SIZE	16384
#define Q		(BUF_SIZE / 4)

/* A foreign buffer mapped to a simulated device: 0x11 first half, 0x22 second. */
FIXTURE(jobs) {
	int fd, bfd;
	__u32 att;
};

FIXTURE_SETUP(jobs)
{
	struct dmalab_imp_mapping m;
	const char *src;
	__u32 sim;
	int fd;

	self->bfd = -1;
	fd = self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd) TH_LOG("open /dev/dmalab_imp: %d", fd);
	self->bfd = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, self->bfd) TH_LOG("no foreign dma-buf (last tried %s)",
				       src);
	ASSERT_EQ(0, test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, self->bfd, sim, DMALAB_IMP_DIR_BIDIR,
				       &m, NULL));
	self->att = m.attach_id;
	ASSERT_EQ(0, dmalab_imp_run_job(fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->att, .len = 2 * Q,
				 .pattern = 0x11), NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_run_job(fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->att, .dst_offset = 2 * Q,
				 .len = 2 * Q, .pattern = 0x22), NULL, NULL));
}

FIXTURE_TEARDOWN(jobs)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->bfd >= 0)
		close(self->bfd);
}

TEST_F(jobs, copy_between_overlapping_ranges_of_one_buffer_fails_einval)
{
	EXPECT_EQ(-EINVAL, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->att,
				 .dst_attach = self->att, .dst_offset = Q,
				 .len = 2 * Q), NULL, NULL));
}

TEST_F(jobs, overlap_is_refused_in_either_direction)
{
	EXPECT_EQ(-EINVAL, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->att,
				 .dst_attach = self->att, .src_offset = Q,
				 .len = 2 * Q), NULL, NULL));
}

TEST_F(jobs, copy_between_disjoint_ranges_of_one_buffer_works)
{
	unsigned char want[Q];
	uint64_t sum = 0;

	memset(want, 0x11, sizeof(want));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->att,
				 .dst_attach = self->att, .dst_offset = 3 * Q,
				 .len = Q), NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->att, .src_offset = 3 * Q,
				 .len = Q), &sum, NULL));
	EXPECT_EQ(test_fnv(want, sizeof(want)), sum);
}

/* A fill job submitted and waited for: its id. */
static __u32 fill_async(struct __test_metadata *_metadata,
			FIXTURE_DATA(jobs) *self)
{
	struct dmalab_imp_job *job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					      .dst_attach = self->att,
					      .len = Q, .pattern = 0x33);

	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd, job, NULL));
	EXPECT_NE(0U, job->job_id);
	EXPECT_EQ(0, dmalab_imp_wait_job(self->fd, job->job_id, -1, NULL,
					 NULL));
	return job->job_id;
}

TEST_F(jobs, async_job_done)
{
	fill_async(_metadata, self);
}

/*
 * dmalab_imp's references once they are back to 0, or after 2 s: a fence
 * gives its reference back an RCU grace period after its last put.
 */
static long refcnt_settled(void)
{
	double end = test_now() + 2;
	long n;

	while ((n = test_module_refcnt("dmalab_imp")) > 0 && test_now() < end)
		usleep(10000);
	return n;
}

/*
 * The job's fence stays in the buffer's dma_resv: dmalab_imp's references
 * with the file open, after its close, and after the buffer's.
 */
static void refs_as_things_close(struct __test_metadata *_metadata,
				 FIXTURE_DATA(jobs) *self, long ref[3])
{
	fill_async(_metadata, self);
	ref[0] = test_module_refcnt("dmalab_imp");
	close(self->fd);
	self->fd = -1;
	ref[1] = test_module_refcnt("dmalab_imp");
	close(self->bfd);
	self->bfd = -1;
	ref[2] = refcnt_settled();
	TH_LOG("dmalab_imp refcnt: %ld with the file open, %ld after its close, %ld after the buffer's",
	       ref[0], ref[1], ref[2]);
}

TEST_F(jobs, fences_left_in_a_live_buffer_hold_the_module)
{
	long ref[3];

	refs_as_things_close(_metadata, self, ref);
	EXPECT_LT(0, ref[1]);
	EXPECT_LE(0, ref[2]);
	EXPECT_GT(ref[1], ref[2]);
}

TEST_F(jobs, module_free_once_the_buffer_is_gone)
{
	long ref[3];

	refs_as_things_close(_metadata, self, ref);
	EXPECT_EQ(0, ref[2]);
}

TEST_HARNESS_MAIN
