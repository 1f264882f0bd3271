// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing waits forever: a simulated device created with
 * DMALAB_IMP_SIM_STALL never completes, its jobs fail with -ETIMEDOUT after
 * their timeout and their fences signal with that error; jobs waiting on
 * such a fence time out by their own deadline; closing the file with a
 * stalled job pending returns once the job's deadline passes. An edu
 * engine that cannot be stopped after a timeout wedges its device until
 * it is removed.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#include <linux/sync_file.h>

#define BUF_SIZE 8192

/* A foreign buffer mapped to a stalling simulated device and to a good one. */
FIXTURE(stall) {
	int fd, bfd;
	__u32 as, ag;
};

FIXTURE_SETUP(stall)
{
	TEST_STALL_SETUP(BUF_SIZE);
}

FIXTURE_TEARDOWN(stall)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->bfd >= 0)
		close(self->bfd);
}

/* Submit a fill on the stalled device, ending by @timeout_ms: its id. */
static __u32 submit_stalled(struct __test_metadata *_metadata,
			    FIXTURE_DATA(stall) *self, __u32 timeout_ms)
{
	struct dmalab_imp_job *job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					      .dst_attach = self->as,
					      .len = BUF_SIZE, .pattern = 2,
					      .timeout_ms = timeout_ms);

	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd, job, NULL));
	return job->job_id;
}

TEST_F(stall, stalled_device_job_fails_with_etimedout)
{
	double t = test_now();
	int r;

	r = dmalab_imp_run_job(self->fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						  .dst_attach = self->as,
						  .len = BUF_SIZE,
						  .pattern = 1,
						  .timeout_ms = 300),
			       NULL, NULL);
	t = test_now() - t;
	TH_LOG("sync job on stalled device: %d after %.2f s", r, t);
	EXPECT_EQ(-ETIMEDOUT, r);
	EXPECT_LE(0.25, t);
	EXPECT_GT(3, t);
}

TEST_F(stall, stalled_job_fence_pending)
{
	int sf;

	submit_stalled(_metadata, self, 1000);
	sf = dmalab_buf_export_sync_file(self->bfd, DMA_BUF_SYNC_READ, NULL);
	ASSERT_LE(0, sf);
	EXPECT_FALSE(test_ready(sf, POLLIN));
	close(sf);
}

/* A job depending on the stalled one gives up by its own deadline. */
TEST_F(stall, dependent_job_times_out_by_its_deadline)
{
	double t;
	int r;

	submit_stalled(_metadata, self, 1000);
	t = test_now();
	r = dmalab_imp_run_job(self->fd,
			       TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					.src_attach = self->ag, .len = BUF_SIZE,
					.timeout_ms = 200),
			       NULL, NULL);
	t = test_now() - t;
	EXPECT_EQ(-ETIMEDOUT, r);
	EXPECT_GT(0.9, t) TH_LOG("the dependent job ended after %.2f s", t);
}

TEST_F(stall, wait_reports_etimedout)
{
	__u32 id = submit_stalled(_metadata, self, 1000);

	EXPECT_EQ(-ETIMEDOUT, dmalab_imp_wait_job(self->fd, id, -1, NULL,
						  NULL));
}

TEST_F(stall, fence_signalled_with_timeout_error)
{
	__u32 id = submit_stalled(_metadata, self, 1000);
	struct sync_file_info sfi;
	int sf;

	sf = dmalab_buf_export_sync_file(self->bfd, DMA_BUF_SYNC_READ, NULL);
	ASSERT_LE(0, sf);
	dmalab_imp_wait_job(self->fd, id, -1, NULL, NULL);
	memset(&sfi, 0, sizeof(sfi));
	ASSERT_EQ(0, ioctl(sf, SYNC_IOC_FILE_INFO, &sfi));
	TH_LOG("sync file status %d", sfi.status);
	EXPECT_TRUE(test_ready(sf, POLLIN));
	EXPECT_EQ(-ETIMEDOUT, sfi.status);
	close(sf);
}

TEST_F(stall, other_device_works_after_timeout)
{
	ASSERT_EQ(-ETIMEDOUT, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->as, .len = BUF_SIZE,
				 .pattern = 1, .timeout_ms = 300),
			NULL, NULL));
	EXPECT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->ag, .len = BUF_SIZE,
				 .pattern = 3),
			NULL, NULL));
}

TEST_F(stall, timeout_above_limit_rejected)
{
	EXPECT_EQ(-EINVAL, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->ag, .len = 16,
				 .pattern = 3, .timeout_ms = 60001),
			NULL, NULL));
}

TEST_F(stall, unmap_with_job_in_flight_is_ebusy)
{
	submit_stalled(_metadata, self, 600);
	EXPECT_EQ(-EBUSY, dmalab_imp_unmap_attach(self->fd, self->as, NULL));
}

/* Closing with the stalled job pending waits for its deadline only. */
TEST_F(stall, close_with_stalled_job_returns_after_deadline)
{
	double t;

	submit_stalled(_metadata, self, 600);
	t = test_now();
	close(self->fd);
	self->fd = -1;
	t = test_now() - t;
	TH_LOG("close took %.2f s", t);
	EXPECT_GT(2.0, t);
}

#define ABORT_STUCK "/sys/module/dmalab_imp/parameters/edu_abort_stuck"
#define EDU_SIZE 16384

/*
 * A FILL of @pattern through edu attachment @att that times out while the
 * abort reports the engine still running: its status. Sixteen KiB is
 * eight transfers of about 100 ms each, so its 100 ms deadline passes.
 */
static int wedge(struct __test_metadata *_metadata, int fd, __u32 att,
		 __u32 pattern)
{
	int r;

	ASSERT_EQ(0, test_write_str(ABORT_STUCK, "1"));
	r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					    .dst_attach = att,
					    .len = EDU_SIZE, .pattern = pattern,
					    .timeout_ms = 100), NULL, NULL);
	test_write_str(ABORT_STUCK, "0");
	return r;
}

/*
 * Fault injection: the abort of a timed-out edu job reports the engine
 * still running. Nothing may then free what it may still write: the job's
 * mapping stays busy (UNMAP: -EBUSY), the device takes no new job (-EIO),
 * and only a remove (with a rescan to find it again) ends that.
 */
TEST(edu_engine_stuck_after_timeout_wedges_the_device)
{
	struct dmalab_imp_dev_info info, again;
	struct dmalab_imp_mapping m, m2;
	const char *src;
	int fd, b1, b2;
	__u32 dev;

	fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd);
	TEST_EDU(fd, 1, &dev, &info);
	b1 = src_any(EDU_SIZE, &src);
	b2 = src_any(EDU_SIZE, &src);
	ASSERT_LE(0, b1) TH_LOG("no foreign dma-buf (last tried %s)", src);
	ASSERT_LE(0, b2);
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, b1, dev, DMALAB_IMP_DIR_BIDIR, &m,
				       NULL));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, b2, dev, DMALAB_IMP_DIR_BIDIR, &m2,
				       NULL));

	EXPECT_EQ(-ETIMEDOUT, wedge(_metadata, fd, m.attach_id, 0x21));
	EXPECT_EQ(-EBUSY, dmalab_imp_unmap_attach(fd, m.attach_id, NULL));
	EXPECT_EQ(-EIO, dmalab_imp_run_job(fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = m2.attach_id, .len = 2048,
				 .pattern = 0x22), NULL, NULL));

	/* The way out: remove the device, find it again. */
	ASSERT_TRUE(test_edu_remove_within(info.name, 15))
		TH_LOG("the removal of the wedged device did not complete");
	EXPECT_EQ(-ENODEV, dmalab_imp_unmap_attach(fd, m.attach_id, NULL));
	ASSERT_TRUE(test_edu_rescan(fd, 1, info.name, &dev, &again));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, b2, dev, DMALAB_IMP_DIR_BIDIR, &m2,
				       NULL));
	EXPECT_EQ(0, dmalab_imp_run_job(fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = m2.attach_id, .len = 2048,
				 .pattern = 0x23), NULL, NULL));
	close(fd);
	close(b1);
	close(b2);
}

/*
 * The file holding the wedged mapping is closed: the close returns (it
 * leaves the mapping, with its buffer, to the device), and the device's
 * removal then frees it and completes.
 */
TEST(edu_file_closed_while_wedged_leaves_its_mapping_to_the_removal)
{
	struct dmalab_imp_dev_info info, again;
	struct dmalab_imp_mapping m;
	const char *src;
	int fd, b1;
	double t;
	__u32 dev;

	fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd);
	TEST_EDU(fd, 1, &dev, &info);
	b1 = src_any(EDU_SIZE, &src);
	ASSERT_LE(0, b1) TH_LOG("no foreign dma-buf (last tried %s)", src);
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, b1, dev, DMALAB_IMP_DIR_BIDIR, &m,
				       NULL));
	ASSERT_EQ(-ETIMEDOUT, wedge(_metadata, fd, m.attach_id, 0x31));
	t = test_now();
	close(fd);
	close(b1);
	t = test_now() - t;
	EXPECT_GT(2.0, t) TH_LOG("closing took %.2f s", t);

	ASSERT_TRUE(test_edu_remove_within(info.name, 15))
		TH_LOG("the removal of the wedged device did not complete");
	fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(test_edu_rescan(fd, 1, info.name, &dev, &again));
	close(fd);
}

TEST_HARNESS_MAIN
