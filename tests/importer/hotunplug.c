// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI remove of an edu device (through sysfs, as a hot unplug would do it)
 * while a buffer is attached and mapped to it: the removal revokes the
 * attachment (unmapped and detached, its id left: -ENODEV for everything
 * but DETACH) and completes without waiting for the file that holds it,
 * even when that is the process writing 'remove'; new attachments find the
 * device gone, and a rescan brings the device back, with its DMA mask and
 * its place in the device list. The bench then checks the kernel log.
 *
 * Each test removes the device afresh; its teardown detaches, rescans and
 * waits for the device to come back.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#define BUF_SIZE 8192

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
	     sum == test_fnv(want, sizeof(want));
	if (att) {
		dmalab_imp_unmap_attach(fd, att, NULL);
		dmalab_imp_detach(fd, att, NULL);
	}
	return ok;
}

/*
 * Edu device B (its 36 bits reach any buffer, with or without an IOMMU)
 * holding a buffer filled with 0x5a, mapped through @att; @pid writes to
 * the device's sysfs remove file.
 */
FIXTURE(unplug) {
	int fd, bfd;
	__u32 dev, h, att;
	struct dmalab_imp_dev_info info;
	pid_t pid;
	int gone;		/* the device left the list in time */
};

FIXTURE_SETUP(unplug)
{
	struct dmalab_imp_dev_info again;
	struct dmalab_imp_mapping m;
	char path[128];
	const char *src;
	double end;
	int fd;

	self->bfd = -1;
	fd = self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd) TH_LOG("open /dev/dmalab_imp: %d", fd);
	self->bfd = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, self->bfd) TH_LOG("no foreign dma-buf (last tried %s)",
				       src);
	TEST_EDU(fd, 1, &self->dev, &self->info);
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, self->bfd, self->dev,
				       DMALAB_IMP_DIR_BIDIR, &m, NULL));
	self->h = m.handle;
	self->att = m.attach_id;
	ASSERT_EQ(0, dmalab_imp_run_job(fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->att, .len = BUF_SIZE,
				 .pattern = 0x5a), NULL, NULL));

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 self->info.name);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0)
		_exit(test_write_str(path, "1") ? 1 : 0);
	end = test_now() + 5;
	while (!self->gone && test_now() < end) {
		self->gone = dmalab_imp_get_dev_info(fd, self->dev, &again,
						     NULL) == -ENOENT;
		usleep(20000);
	}
}

/* Detach, let the removal finish: whether it had completed or did in 5 s. */
static int finish_removal(FIXTURE_DATA(unplug) *self)
{
	int ok;

	if (self->att) {
		dmalab_imp_unmap_attach(self->fd, self->att, NULL);
		dmalab_imp_detach(self->fd, self->att, NULL);
		self->att = 0;
	}
	if (self->pid <= 0)
		return 1;
	ok = test_exited_ok_within(self->pid, 5);
	self->pid = 0;
	return ok;
}

/* Rescan the bus: whether edu device B came back in 5 s, as *@dev. */
static int rescan(FIXTURE_DATA(unplug) *self, __u32 *dev,
		  struct dmalab_imp_dev_info *info)
{
	return test_edu_rescan(self->fd, 1, self->info.name, dev, info);
}

FIXTURE_TEARDOWN(unplug)
{
	struct dmalab_imp_dev_info info;
	__u32 dev;

	finish_removal(self);
	if (!rescan(self, &dev, &info))
		TH_LOG("%s did not come back", self->info.name);
	if (self->h)
		dmalab_imp_release(self->fd, self->h, NULL);
	if (self->bfd >= 0)
		close(self->bfd);
	close(self->fd);
}

TEST_F(unplug, removed_device_leaves_the_device_list)
{
	EXPECT_TRUE(self->gone) TH_LOG("%s (device %u) still listed after 5 s",
				       self->info.name, self->dev);
}

TEST_F(unplug, attach_to_a_removed_device_fails_enodev)
{
	__u32 att;

	ASSERT_TRUE(self->gone);
	EXPECT_EQ(-ENODEV, dmalab_imp_attach_dev(self->fd, self->h, self->dev,
						 &att, NULL));
}

TEST_F(unplug, removal_completes_without_waiting_for_the_attachment)
{
	ASSERT_TRUE(self->gone);
	EXPECT_TRUE(test_exited_ok_within(self->pid, 5))
		TH_LOG("the removal still waits with the attachment held");
	self->pid = 0;
}

TEST_F(unplug, job_on_the_revoked_attachment_fails_enodev)
{
	ASSERT_TRUE(self->gone);
	EXPECT_EQ(-ENODEV, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->att, .len = BUF_SIZE),
			NULL, NULL));
}

TEST_F(unplug, revoked_attachment_unmap_fails_enodev_detach_frees_it)
{
	ASSERT_TRUE(self->gone);
	ASSERT_TRUE(test_exited_ok_within(self->pid, 5));
	self->pid = 0;
	EXPECT_EQ(-ENODEV, dmalab_imp_unmap_attach(self->fd, self->att, NULL));
	EXPECT_EQ(0, dmalab_imp_detach(self->fd, self->att, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_detach(self->fd, self->att, NULL));
	self->att = 0;
}

/* The buffer is still the file's: its handle works for CPU access. */
TEST_F(unplug, buffer_keeps_its_data_after_the_revocation)
{
	unsigned char want[BUF_SIZE];
	uint64_t sum = 0;

	ASSERT_TRUE(self->gone);
	memset(want, 0x5a, sizeof(want));
	ASSERT_EQ(0, test_cpu_checksum(self->fd, self->h, 0, BUF_SIZE, &sum));
	EXPECT_EQ(test_fnv(want, sizeof(want)), sum);
}

TEST_F(unplug, rescan_brings_it_back_in_its_place_with_its_mask)
{
	struct dmalab_imp_dev_info again;
	__u32 dev;

	ASSERT_TRUE(finish_removal(self));
	ASSERT_TRUE(rescan(self, &dev, &again))
		TH_LOG("no %s 5 s after the rescan", self->info.name);
	TH_LOG("after the rescan: %s is device %u, %u-bit", again.name, dev,
	       again.dma_mask_bits);
	EXPECT_EQ(self->info.dma_mask_bits, again.dma_mask_bits);
}

TEST_F(unplug, device_found_again_does_dma)
{
	struct dmalab_imp_dev_info again;
	__u32 dev;

	ASSERT_TRUE(finish_removal(self));
	ASSERT_TRUE(rescan(self, &dev, &again));
	EXPECT_TRUE(dma_round(self->fd, self->h, dev, 0xa7));
}

/*
 * The process writing 'remove' holds a mapped attachment of the device
 * itself. The removal must not wait for that process to detach (it never
 * could: it sleeps in the write, uninterruptibly). In a child, so that a
 * removal that blocks fails the test instead of hanging it (the harness
 * runs this test first; such a removal would hold the device for good).
 */
TEST(removal_by_the_holder_of_a_mapping_completes)
{
	struct dmalab_imp_dev_info info, again;
	struct dmalab_imp_mapping m;
	__u32 dev, h;
	char path[128];
	const char *src;
	int fd, bfd, ok;
	pid_t pid;

	fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd);
	TEST_EDU(fd, 1, &dev, &info);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 info.name);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = dmalab_imp_open(NULL);

		bfd = src_any(BUF_SIZE, &src);
		if (cfd < 0 || bfd < 0 ||
		    dmalab_imp_map_fd(cfd, bfd, dev, DMALAB_IMP_DIR_BIDIR, &m,
				      NULL))
			_exit(2);
		_exit(test_write_str(path, "1") ? 3 : 0);
	}
	ok = test_exited_ok_within(pid, 15);
	ASSERT_TRUE(ok) TH_LOG("writing remove while holding a mapping did not return in 15 s");
	ASSERT_TRUE(test_edu_rescan(fd, 1, info.name, &dev, &again))
		TH_LOG("no %s 5 s after the rescan", info.name);
	bfd = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL));
	EXPECT_TRUE(dma_round(fd, h, dev, 0x3c));
	close(bfd);
	close(fd);
}

/*
 * A job on the device waits for a stalled simulated device's write (20 s
 * deadline) when the device is removed: it ends at once with -ENODEV, and
 * the removal does not wait for its deadline.
 */
TEST(removal_ends_a_waiting_job_with_enodev)
{
	struct dmalab_imp_dev_info info, again;
	struct dmalab_imp_mapping m;
	struct dmalab_imp_job *job;
	__u32 dev, as = 0, ag = 0;
	const char *src;
	int fd, bfd;
	double t;

	fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd);
	TEST_EDU(fd, 1, &dev, &info);
	bfd = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, bfd) TH_LOG("no foreign dma-buf (last tried %s)", src);
	ASSERT_EQ(0, test_stalled_and_good(fd, bfd, &as, &ag));
	ASSERT_EQ(0, dmalab_imp_map_fd(fd, bfd, dev, DMALAB_IMP_DIR_BIDIR, &m,
				       NULL));
	ASSERT_EQ(0, dmalab_imp_submit_job(fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = as,
				 .len = BUF_SIZE, .pattern = 1,
				 .timeout_ms = 20000), NULL));
	job = TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = m.attach_id,
		       .len = BUF_SIZE, .pattern = 2, .timeout_ms = 20000);
	ASSERT_EQ(0, dmalab_imp_submit_job(fd, job, NULL));

	t = test_now();
	ASSERT_TRUE(test_edu_remove_within(info.name, 15));
	EXPECT_EQ(-ENODEV, dmalab_imp_wait_job(fd, job->job_id, -1, NULL,
					       NULL));
	t = test_now() - t;
	EXPECT_GT(10.0, t) TH_LOG("the job ended %.2f s after the removal began", t);
	EXPECT_TRUE(test_edu_rescan(fd, 1, info.name, &dev, &again));
	close(fd);
	close(bfd);
}

TEST_HARNESS_MAIN
