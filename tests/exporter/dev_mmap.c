// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of /dev/dmalab_exp maps the dma-buf bound to that open file through
 * dma_buf_mmap(): same pages as the dma-buf's own mmap, offsets honoured,
 * MAP_SHARED only, a read-only dma-buf stays read-only; the device mapping
 * keeps the buffer alive after unbind and close, and nothing is left once
 * it is unmapped and the files are closed.
 */
#include <stdio.h>

#include "exp_util.h"
#include "kselftest_harness.h"

#define LEN (8 * 4096ULL)

/* A read-only dma-buf (fd_flags without O_RDWR). */
static int alloc_read_only(int dev, uint64_t len)
{
	struct dmalab_alloc_opts o = { .len = len, .cloexec = 1, .read_only = 1 };

	return dmalab_alloc(dev, &o, NULL);
}

/*
 * Two opens of the exporter: @ctl allocates and reads the counters (@base,
 * before anything of the test), @dev is the file whose mmap is tested. @fd
 * is an 8-page read-write buffer, @p its own mapping, @d a device mapping.
 */
FIXTURE(dev_mmap) {
	int ctl, dev, fd;
	struct dmalab_exp_stats base;
	unsigned char *p, *d;
	size_t d_len;
};

FIXTURE_SETUP(dev_mmap)
{
	self->dev = -1;
	self->fd = -1;
	self->p = MAP_FAILED;
	self->d = MAP_FAILED;
	self->ctl = exp_open();
	ASSERT_LE(0, self->ctl) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->ctl));
	ASSERT_EQ(0, exp_stats(self->ctl, &self->base));
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("second open: %s", strerror(-self->dev));
	self->fd = exp_alloc(self->ctl, LEN, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(dev_mmap)
{
	if (self->d != MAP_FAILED)
		munmap(self->d, self->d_len);
	if (self->p != MAP_FAILED)
		munmap(self->p, LEN);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* The call's errno, positive (0 on success). */
static int bind_fd(int dev, int fd)
{
	return -dmalab_exp_bind(dev, fd, NULL);
}

/* mmap of the device into self->d: 0 or the errno. */
static int dev_map(FIXTURE_DATA(dev_mmap) *self, size_t len, int prot,
		   int flags, off_t off)
{
	self->d = mmap(NULL, len, prot, flags, self->dev, off);
	self->d_len = len;
	return self->d == MAP_FAILED ? errno : 0;
}

/* Bind the buffer to @dev and map it read-write (self->p) with a mark. */
static void bind_and_mark(struct __test_metadata *_metadata,
			  FIXTURE_DATA(dev_mmap) *self)
{
	ASSERT_EQ(0, bind_fd(self->dev, self->fd));
	self->p = exp_map(self->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("dma-buf mmap: %s",
					      strerror(errno));
	self->p[3 * 4096 + 7] = 0xab;
	self->p[6 * 4096] = 0xcd;
}

/* A read-only buffer in place of the read-write one, bound to @dev. */
static void bind_read_only(struct __test_metadata *_metadata,
			   FIXTURE_DATA(dev_mmap) *self)
{
	close(self->fd);
	self->fd = alloc_read_only(self->ctl, LEN);
	ASSERT_LE(0, self->fd) TH_LOG("read-only alloc: %s",
				      strerror(-self->fd));
	ASSERT_EQ(0, bind_fd(self->dev, self->fd));
}

TEST_F(dev_mmap, device_mmap_without_bound_buffer_fails_enxio)
{
	EXPECT_EQ(ENXIO, dev_map(self, 4096, PROT_READ, MAP_SHARED, 0));
}

TEST_F(dev_mmap, bind_bad_fd_fails_ebadf)
{
	EXPECT_EQ(EBADF, bind_fd(self->dev, 999));
}

TEST_F(dev_mmap, bind_non_dmabuf_fails_einval)
{
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(EINVAL, bind_fd(self->dev, pipefd[0]));
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(dev_mmap, bind_dmabuf_succeeds)
{
	EXPECT_EQ(0, bind_fd(self->dev, self->fd));
}

TEST_F(dev_mmap, device_mmap_shares_pages_with_dmabuf_mmap)
{
	bind_and_mark(_metadata, self);
	ASSERT_EQ(0, dev_map(self, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(0xab, self->d[3 * 4096 + 7]) TH_LOG("written by the dma-buf");
	self->d[5 * 4096] = 0xef;
	EXPECT_EQ(0xef, self->p[5 * 4096]) TH_LOG("written by the device");
}

TEST_F(dev_mmap, device_mmap_honours_offset)
{
	bind_and_mark(_metadata, self);
	ASSERT_EQ(0, dev_map(self, 4096, PROT_READ, MAP_SHARED, 3 * 4096));
	EXPECT_EQ(0xab, self->d[7]);
}

TEST_F(dev_mmap, device_mmap_beyond_buffer_fails_einval)
{
	ASSERT_EQ(0, bind_fd(self->dev, self->fd));
	EXPECT_EQ(EINVAL, dev_map(self, 2 * 4096, PROT_READ, MAP_SHARED,
				  LEN - 4096));
}

TEST_F(dev_mmap, device_mmap_private_fails_einval)
{
	ASSERT_EQ(0, bind_fd(self->dev, self->fd));
	EXPECT_EQ(EINVAL, dev_map(self, 4096, PROT_READ, MAP_PRIVATE, 0));
}

/* The VMA refers to the dma-buf itself: unbind and close keep it. */
TEST_F(dev_mmap, device_mapping_keeps_buffer_alive)
{
	struct dmalab_exp_stats st;

	bind_and_mark(_metadata, self);
	ASSERT_EQ(0, dev_map(self, LEN, PROT_READ, MAP_SHARED, 0));
	ASSERT_EQ(0, bind_fd(self->dev, -1));
	munmap(self->p, LEN);
	self->p = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, exp_stats(self->ctl, &st));
	EXPECT_EQ(self->base.live_buffers + 1, st.live_buffers);
	EXPECT_EQ(0xcd, self->d[6 * 4096]);
}

TEST_F(dev_mmap, device_mmap_after_unbind_fails_enxio)
{
	ASSERT_EQ(0, bind_fd(self->dev, self->fd));
	ASSERT_EQ(0, bind_fd(self->dev, -1));
	EXPECT_EQ(ENXIO, dev_map(self, 4096, PROT_READ, MAP_SHARED, 0));
}

/* A read-only dma-buf stays read-only through a device opened O_RDWR. */
TEST_F(dev_mmap, device_mmap_of_read_only_dmabuf_for_writing_fails_eacces)
{
	bind_read_only(_metadata, self);
	EXPECT_EQ(EACCES, dev_map(self, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED, 0));
}

TEST_F(dev_mmap, device_mmap_of_read_only_dmabuf_for_reading_works)
{
	bind_read_only(_metadata, self);
	ASSERT_EQ(0, dev_map(self, 4096, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(0, self->d[0]);
}

TEST_F(dev_mmap, device_mapping_of_read_only_dmabuf_cannot_become_writable)
{
	int r, e;

	bind_read_only(_metadata, self);
	ASSERT_EQ(0, dev_map(self, 4096, PROT_READ, MAP_SHARED, 0));
	r = mprotect(self->d, 4096, PROT_READ | PROT_WRITE);
	e = errno;
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EACCES, e) TH_LOG("mprotect: %s", strerror(e));
}

/*
 * Both buffers mapped through the device; the device mapping gone, the
 * dma-buf fds closed and @dev closed with a buffer still bound: the
 * exporter holds nothing more than before the test.
 */
TEST_F(dev_mmap, everything_freed_after_unmap_and_close)
{
	struct dmalab_exp_stats st;

	bind_and_mark(_metadata, self);
	ASSERT_EQ(0, dev_map(self, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	munmap(self->d, LEN);
	self->d = MAP_FAILED;
	munmap(self->p, LEN);
	self->p = MAP_FAILED;
	ASSERT_EQ(0, bind_fd(self->dev, -1));
	bind_read_only(_metadata, self);
	ASSERT_EQ(0, dev_map(self, 4096, PROT_READ, MAP_SHARED, 0));
	munmap(self->d, 4096);
	self->d = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(0, exp_stats(self->ctl, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, mmaps %llu; before %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_mmaps,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_mmaps);
}

TEST_HARNESS_MAIN
