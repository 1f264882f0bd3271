// SPDX-License-Identifier: GPL-2.0
/*
 * Fences of asynchronous DMA jobs, as user space sees them through the
 * dma-buf fd: poll(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE and DMA_BUF_IOCTL_SYNC.
 * A CPU read right after an async edu copy (16 transfers of ~100 ms) sees
 * the old data, and the copied data once it has waited. A job whose
 * dependency fails does not run (-ECANCELED), and a job waiting for a
 * dependency does not hold up other files' jobs on its device.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#define BUF_SIZE 16384

/*
 * Two foreign buffers on edu device B, the source (holding @pat) mapped to
 * the device and the destination (zeroed, mmap()ed at @map) from it; the
 * destination is also mapped to a simulated device.
 */
FIXTURE(fence) {
	int fd, sfd, dfd;
	__u32 hs, hd, as, ad, sd;
	unsigned char *map;
	unsigned char pat[BUF_SIZE];
};

FIXTURE_SETUP(fence)
{
	struct dmalab_imp_mapping ms, md, mx;
	struct dmalab_imp_dev_info info;
	__u32 dev, sim;
	const char *src;
	int fd, i;

	self->sfd = self->dfd = -1;
	self->map = MAP_FAILED;
	fd = self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd) TH_LOG("open /dev/dmalab_imp: %d", fd);
	self->sfd = src_any(BUF_SIZE, &src);
	self->dfd = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, self->sfd) TH_LOG("no foreign dma-buf (last tried %s)",
				       src);
	ASSERT_LE(0, self->dfd);
	TEST_EDU(fd, 1, &dev, &info);
	ASSERT_EQ(0, test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, self->sfd, dev,
				       DMALAB_IMP_DIR_TO_DEVICE, &ms, NULL));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, self->dfd, dev,
				       DMALAB_IMP_DIR_FROM_DEVICE, &md, NULL));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, self->dfd, sim,
				       DMALAB_IMP_DIR_TO_DEVICE, &mx, NULL));
	self->hs = ms.handle;
	self->hd = md.handle;
	self->as = ms.attach_id;
	self->ad = md.attach_id;
	self->sd = mx.attach_id;
	self->map = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, self->dfd, 0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap of the %s dma-buf: %s",
						src, strerror(errno));
	for (i = 0; i < BUF_SIZE; i++)
		self->pat[i] = (i * 13 + 5) & 0xff;
	ASSERT_EQ(0, test_cpu_write(fd, self->hs, 0, BUF_SIZE, self->pat));
	ASSERT_EQ(0, test_cpu_fill(fd, self->hd, 0, BUF_SIZE, 0));
}

FIXTURE_TEARDOWN(fence)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, BUF_SIZE);
	close(self->fd);
	if (self->sfd >= 0)
		close(self->sfd);
	if (self->dfd >= 0)
		close(self->dfd);
}

/* Submit the edu copy of the whole source to the destination: its id. */
static __u32 submit_copy(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fence) *self)
{
	struct dmalab_imp_job *job = TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
					      .src_attach = self->as,
					      .dst_attach = self->ad,
					      .len = BUF_SIZE);

	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd, job, NULL));
	EXPECT_NE(0U, job->job_id);
	return job->job_id;
}

TEST_F(fence, async_job_returns_at_once)
{
	double t = test_now();

	submit_copy(_metadata, self);
	t = test_now() - t;
	EXPECT_GT(0.2, t) TH_LOG("submitting took %.2f s", t);
}

TEST_F(fence, dmabuf_poll_not_ready_while_device_writes)
{
	submit_copy(_metadata, self);
	EXPECT_FALSE(test_ready(self->dfd, POLLIN));
}

TEST_F(fence, source_has_read_fence_only)
{
	submit_copy(_metadata, self);
	EXPECT_TRUE(test_ready(self->sfd, POLLIN));
	EXPECT_FALSE(test_ready(self->sfd, POLLOUT));
}

TEST_F(fence, exported_sync_file_pending)
{
	int sf;

	submit_copy(_metadata, self);
	sf = dmalab_buf_export_sync_file(self->dfd, DMA_BUF_SYNC_READ, NULL);
	ASSERT_LE(0, sf);
	EXPECT_FALSE(test_ready(sf, POLLIN));
	close(sf);
}

TEST_F(fence, cpu_read_before_waiting_sees_old_data)
{
	submit_copy(_metadata, self);
	EXPECT_EQ(0, self->map[BUF_SIZE - 1]);
	EXPECT_EQ(0, self->map[BUF_SIZE - 2]);
}

TEST_F(fence, cpu_read_after_sync_ioctl_sees_dma_data)
{
	submit_copy(_metadata, self);
	ASSERT_EQ(0, dmalab_buf_sync(self->dfd,
				     DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
				     NULL));
	EXPECT_EQ(0, memcmp(self->map, self->pat, BUF_SIZE));
	dmalab_buf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
}

TEST_F(fence, fences_signalled_after_completion)
{
	__u32 id = submit_copy(_metadata, self);
	int sf = dmalab_buf_export_sync_file(self->dfd, DMA_BUF_SYNC_READ,
					     NULL);

	ASSERT_LE(0, sf);
	ASSERT_EQ(0, dmalab_imp_wait_job(self->fd, id, -1, NULL, NULL));
	EXPECT_TRUE(test_ready(sf, POLLIN));
	EXPECT_TRUE(test_ready(self->dfd, POLLIN));
	close(sf);
}

TEST_F(fence, wait_reports_success_once)
{
	__u32 id = submit_copy(_metadata, self);

	EXPECT_EQ(0, dmalab_imp_wait_job(self->fd, id, -1, NULL, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_wait_job(self->fd, id, -1, NULL, NULL));
}

/* The kernel's own CPU access waits for the fence too. */
TEST_F(fence, kernel_cpu_access_waits_for_async_fill)
{
	struct dmalab_imp_job *job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					      .dst_attach = self->ad,
					      .len = BUF_SIZE,
					      .pattern = 0x77);
	unsigned char want[BUF_SIZE];
	uint64_t sum = 0;

	memset(want, 0x77, BUF_SIZE);
	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd, job, NULL));
	ASSERT_EQ(0, test_cpu_checksum(self->fd, self->hd, 0, BUF_SIZE, &sum));
	EXPECT_EQ(test_fnv(want, BUF_SIZE), sum);
}

/* A job on another device waits for the first device's fence. */
TEST_F(fence, job_on_second_device_waits_for_first)
{
	struct dmalab_imp_job *job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					      .dst_attach = self->ad,
					      .len = BUF_SIZE,
					      .pattern = 0x99);
	unsigned char want[BUF_SIZE];
	uint64_t sum = 0;

	memset(want, 0x99, BUF_SIZE);
	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd, job, NULL));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->sd, .len = BUF_SIZE),
			&sum, NULL));
	EXPECT_EQ(test_fnv(want, BUF_SIZE), sum);
}

TEST_F(fence, job_with_wrong_direction_range_or_flags_rejected)
{
	EXPECT_EQ(-EINVAL, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->ad, .len = 16),
			NULL, NULL)) TH_LOG("checksum of a FROM_DEVICE mapping");
	EXPECT_EQ(-EINVAL, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->ad,
				 .dst_offset = BUF_SIZE - 8, .len = 16,
				 .pattern = 1),
			NULL, NULL)) TH_LOG("fill past the buffer's end");
	EXPECT_EQ(-EINVAL, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .flags = 1U << 5,
				 .dst_attach = self->ad, .len = 16,
				 .pattern = 1),
			NULL, NULL)) TH_LOG("unknown flag 1 << 5");
}

TEST_F(fence, wait_for_unknown_job_is_enoent)
{
	EXPECT_EQ(-ENOENT, dmalab_imp_wait_job(self->fd, 12345, -1, NULL,
					       NULL));
}

/*
 * A foreign buffer holding 0x11, mapped to a simulated device that never
 * completes (@as) and to one that works (@ag).
 */
FIXTURE(dep) {
	int fd, bfd;
	__u32 as, ag;
};

FIXTURE_SETUP(dep)
{
	TEST_STALL_SETUP(BUF_SIZE);
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->ag, .len = BUF_SIZE,
				 .pattern = 0x11), NULL, NULL));
}

FIXTURE_TEARDOWN(dep)
{
	close(self->fd);
	if (self->bfd >= 0)
		close(self->bfd);
}

/*
 * The fill depends on the stalled write through the buffer's implicit
 * fences; that write times out, so the fill does not run: -ECANCELED, and
 * the buffer keeps its 0x11.
 */
TEST_F(dep, job_after_failed_dependency_is_cancelled)
{
	struct dmalab_imp_job *fill = TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					       .dst_attach = self->ag,
					       .len = BUF_SIZE,
					       .pattern = 0x77);
	unsigned char want[BUF_SIZE];
	uint64_t sum = 0;

	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->as, .len = BUF_SIZE,
				 .pattern = 2, .timeout_ms = 300), NULL));
	ASSERT_EQ(0, dmalab_imp_submit_job(self->fd, fill, NULL));
	EXPECT_EQ(-ECANCELED, dmalab_imp_wait_job(self->fd, fill->job_id, -1,
						  NULL, NULL));
	memset(want, 0x11, sizeof(want));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->ag, .len = BUF_SIZE),
			&sum, NULL));
	EXPECT_EQ(test_fnv(want, BUF_SIZE), sum) TH_LOG("the buffer changed");
}

/*
 * File 1's job on edu device B waits for a stalled simulated device's
 * write (ending by timeout after 5 s); file 2's job on B, which depends
 * on nothing, must not wait behind it. Edu device B takes about 100 ms a
 * transfer, so file 2's two transfers need well under 2 s.
 */
TEST(job_waiting_for_dependency_does_not_hold_up_other_files)
{
	struct dmalab_imp_mapping m;
	struct dmalab_imp_dev_info info;
	__u32 as, ag, dev;
	double t;
	int fd1, fd2, b1, b2;
	const char *src;

	fd1 = dmalab_imp_open(NULL);
	fd2 = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	TEST_EDU(fd1, 1, &dev, &info);
	b1 = src_any(BUF_SIZE, &src);
	b2 = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, b1) TH_LOG("no foreign dma-buf (last tried %s)", src);
	ASSERT_LE(0, b2);
	ASSERT_EQ(0, test_stalled_and_good(fd1, b1, &as, &ag));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd1, b1, dev, DMALAB_IMP_DIR_BIDIR, &m,
				       NULL));
	ASSERT_EQ(0, dmalab_imp_submit_job(fd1,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = as,
				 .len = BUF_SIZE, .pattern = 2,
				 .timeout_ms = 5000), NULL));
	ASSERT_EQ(0, dmalab_imp_submit_job(fd1,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = m.attach_id, .len = 2048,
				 .pattern = 3, .timeout_ms = 10000), NULL));
	usleep(100000);	/* let file 1's job reach the device */

	ASSERT_EQ(0, dmalab_imp_map_fd(fd2, b2, dev, DMALAB_IMP_DIR_BIDIR, &m,
				       NULL));
	t = test_now();
	EXPECT_EQ(0, dmalab_imp_run_job(fd2,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = m.attach_id, .len = 2048,
				 .pattern = 4), NULL, NULL));
	t = test_now() - t;
	EXPECT_GT(2.0, t) TH_LOG("file 2's job took %.2f s", t);
	close(fd2);
	close(b2);
	close(fd1);
	close(b1);
}

TEST_HARNESS_MAIN
