// SPDX-License-Identifier: GPL-2.0
/*
 * The fd flags asked for at allocation: O_CLOEXEC sets FD_CLOEXEC, O_RDWR
 * gives a writable dma-buf file, without it writable shared maps fail.
 */
#include <stdio.h>

#include "exp_util.h"
#include "kselftest_harness.h"

/* A 4 KiB buffer whose fd has @fd_flags: the fd, or -errno. */
static int alloc_flags(int dev, uint32_t fd_flags)
{
	struct dmalab_alloc_opts o = {
		.len = 4096, .cloexec = !!(fd_flags & O_CLOEXEC),
		.read_only = (fd_flags & O_ACCMODE) != O_RDWR,
	};

	return dmalab_alloc(dev, &o, NULL);
}

/* The exporter, and the buffer and mapping a test makes. */
FIXTURE(fd_flags) {
	int dev, fd;
	void *p;
};

FIXTURE_SETUP(fd_flags)
{
	self->fd = -1;
	self->p = MAP_FAILED;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
}

FIXTURE_TEARDOWN(fd_flags)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, 4096);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* Allocate with @fd_flags into self->fd. */
static void alloc_ok(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fd_flags) *self, uint32_t fd_flags)
{
	self->fd = alloc_flags(self->dev, fd_flags);
	ASSERT_LE(0, self->fd) TH_LOG("alloc with fd_flags %#x: %s", fd_flags,
				      strerror(-self->fd));
}

TEST_F(fd_flags, o_cloexec_sets_fd_cloexec)
{
	alloc_ok(_metadata, self, O_RDWR | O_CLOEXEC);
	EXPECT_TRUE(fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(fd_flags, o_rdwr_gives_read_write_file)
{
	alloc_ok(_metadata, self, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(self->fd, F_GETFL) & O_ACCMODE);
}

TEST_F(fd_flags, no_o_cloexec_leaves_fd_inheritable)
{
	alloc_ok(_metadata, self, O_RDWR);
	EXPECT_FALSE(fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(fd_flags, no_o_rdwr_gives_read_only_file)
{
	alloc_ok(_metadata, self, 0);
	EXPECT_EQ(O_RDONLY, fcntl(self->fd, F_GETFL) & O_ACCMODE);
}

TEST_F(fd_flags, read_only_file_refuses_writable_shared_mmap)
{
	int e;

	alloc_ok(_metadata, self, 0);
	self->p = exp_map(self->fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			  0);
	e = errno;
	EXPECT_EQ(MAP_FAILED, self->p);
	EXPECT_EQ(EACCES, e) TH_LOG("mmap: %s", strerror(e));
}

TEST_F(fd_flags, read_only_file_allows_read_mmap)
{
	alloc_ok(_metadata, self, 0);
	self->p = exp_map(self->fd, 4096, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_TRUE(exp_all_bytes(self->p, 4096, 0));
}

TEST_HARNESS_MAIN
