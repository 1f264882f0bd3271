// SPDX-License-Identifier: GPL-2.0
/*
 * Handles and attachments: bad fds, wrong-order operations and foreign
 * handles get clear errnos; a handle holds its own dma-buf reference; closing
 * /dev/dmalab_imp releases everything (unmap, detach, put) even with a job
 * in flight, which the exporter's debugfs bufinfo shows.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#include <stdlib.h>
#include <sys/wait.h>

#define BUF_SIZE 8192

/* Is @dev listed as attached in debugfs's dma_buf bufinfo? -1 if unknown. */
static int bufinfo_lists(const char *dev)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	char line[256];
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, dev))
			found = 1;
	fclose(f);
	return found;
}

/* An importer file, a foreign buffer, a simulated device and edu1. */
FIXTURE(imp) {
	int fd, bfd;
	__u32 sim, edu;
	struct dmalab_imp_dev_info si, ei;
	const char *src;
};

FIXTURE_SETUP(imp)
{
	self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/dmalab_imp: %d", self->fd);
	self->bfd = src_any(BUF_SIZE, &self->src);
	ASSERT_LE(0, self->bfd) TH_LOG("no foreign dma-buf (last tried %s)",
				       self->src);
	ASSERT_EQ(0, test_sim(self->fd, 64, 0, 0, 0, 0, 0, 0, &self->sim));
	ASSERT_EQ(0, dmalab_imp_get_dev_info(self->fd, self->sim, &self->si,
					     NULL));
	if (test_edu(self->fd, 1, &self->edu, &self->ei))
		SKIP(return, "no second edu device");
}

FIXTURE_TEARDOWN(imp)
{
	if (self->bfd >= 0)
		close(self->bfd);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(imp, import_closed_fd_is_ebadf)
{
	int dupfd = dup(self->bfd);
	__u32 h;

	close(dupfd);
	EXPECT_EQ(-EBADF, dmalab_imp_import_fd(self->fd, dupfd, &h, NULL, NULL));
}

TEST_F(imp, import_non_dmabuf_fd_is_einval)
{
	int nul = open("/dev/null", O_RDWR);
	__u32 h;

	EXPECT_EQ(-EINVAL, dmalab_imp_import_fd(self->fd, nul, &h, NULL, NULL));
	close(nul);
}

TEST_F(imp, import_unknown_flags_or_reserved_rejected)
{
	struct dmalab_imp_import imp = {
		.size = sizeof(imp), .fd = self->bfd, .flags = 1,
	};

	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_IMPORT,
					  &imp)) TH_LOG("flags 1");
	imp.flags = 0;
	imp.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_IMPORT,
					  &imp)) TH_LOG("reserved[1] 1");
}

TEST_F(imp, same_dmabuf_imported_twice_gives_two_handles)
{
	__u32 h = 0, h2 = 0;

	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h, NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h2, NULL, NULL));
	EXPECT_NE(h, h2);
}

TEST_F(imp, attach_unknown_handle_or_device_rejected)
{
	__u32 h, x;

	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h, NULL, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_attach_dev(self->fd, 999, self->sim, &x,
						 NULL)) TH_LOG("handle 999");
	EXPECT_EQ(-ENODEV, dmalab_imp_attach_dev(self->fd, h, 999, &x, NULL))
		TH_LOG("device 999");
}

/* A handle attached and mapped to the simulated device, for the next tests. */
static void map_sim(struct __test_metadata *_metadata,
		    FIXTURE_DATA(imp) *self, __u32 *h, __u32 *a)
{
	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, h, NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, *h, self->sim, a, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, *a, DMALAB_IMP_DIR_BIDIR,
					   NULL));
}

TEST_F(imp, map_twice_or_bad_direction_rejected)
{
	__u32 h, a;

	map_sim(_metadata, self, &h, &a);
	EXPECT_EQ(-EBUSY, dmalab_imp_map_attach(self->fd, a,
						DMALAB_IMP_DIR_BIDIR, NULL));
	EXPECT_EQ(-EINVAL, dmalab_imp_map_attach(self->fd, a, 7, NULL));
}

TEST_F(imp, detach_while_mapped_is_ebusy)
{
	__u32 h, a;

	map_sim(_metadata, self, &h, &a);
	EXPECT_EQ(-EBUSY, dmalab_imp_detach(self->fd, a, NULL));
}

TEST_F(imp, release_or_destroy_with_attachments_is_ebusy)
{
	__u32 h, a;

	map_sim(_metadata, self, &h, &a);
	EXPECT_EQ(-EBUSY, dmalab_imp_release(self->fd, h, NULL));
	EXPECT_EQ(-EBUSY, dmalab_imp_sim_destroy(self->fd, self->sim, NULL));
}

TEST_F(imp, right_order_teardown_succeeds_once)
{
	__u32 h, a;

	map_sim(_metadata, self, &h, &a);
	EXPECT_EQ(0, dmalab_imp_unmap_attach(self->fd, a, NULL));
	EXPECT_EQ(0, dmalab_imp_detach(self->fd, a, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_detach(self->fd, a, NULL));
	EXPECT_EQ(0, dmalab_imp_release(self->fd, h, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_release(self->fd, h, NULL));
}

TEST_F(imp, handle_unknown_to_another_file)
{
	int fd2 = dmalab_imp_open(NULL);
	__u32 h, x;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h, NULL, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_attach_dev(fd2, h, self->edu, &x, NULL));
	EXPECT_EQ(-ENOENT, dmalab_imp_release(fd2, h, NULL));
	close(fd2);
}

TEST_F(imp, handle_of_another_process_unknown)
{
	pid_t pid;
	int st = 0;
	__u32 h;

	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h, NULL, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int cfd = dmalab_imp_open(NULL);
		uint64_t sum;

		_exit(test_cpu_checksum(cfd, h, 0, 16, &sum) == -ENOENT ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("the child's own importer file knew handle %u", h);
}

TEST_F(imp, handle_holds_its_own_reference)
{
	unsigned char buf[64], out[64];
	__u32 h;

	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h, NULL, NULL));
	close(self->bfd);
	self->bfd = -1;
	memset(buf, 0xab, sizeof(buf));
	ASSERT_EQ(0, test_cpu_write(self->fd, h, 100, sizeof(buf), buf));
	ASSERT_EQ(0, test_cpu_read(self->fd, h, 100, sizeof(out), out));
	EXPECT_EQ(0, memcmp(buf, out, sizeof(buf)));
}

/* Leave a mapped sim attachment and an edu job in flight, then close. */
TEST_F(imp, close_releases_every_attachment)
{
	__u32 h, a, ae;

	map_sim(_metadata, self, &h, &a);
	if (!dmalab_imp_attach_dev(self->fd, h, self->edu, &ae, NULL) &&
	    !dmalab_imp_map_attach(self->fd, ae, DMALAB_IMP_DIR_BIDIR, NULL)) {
		ASSERT_EQ(0, dmalab_imp_submit_job(self->fd,
				TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					 .dst_attach = ae, .len = 4096,
					 .pattern = 9), NULL));
	} else {
		TH_LOG("edu mapping refused; closing with the sim only");
	}
	EXPECT_EQ(1, bufinfo_lists(self->si.name))
		TH_LOG("%s not in bufinfo before close", self->si.name);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, bufinfo_lists(self->si.name));
	EXPECT_EQ(0, bufinfo_lists(self->ei.name));
}

TEST_HARNESS_MAIN
