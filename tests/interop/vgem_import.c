// SPDX-License-Identifier: GPL-2.0
/*
 * vgem (DRM) imports our dma-buf by PRIME and shares it without a copy:
 * its re-export is the same dma-buf, so what we write through mmap is what
 * any user of vgem's handle reads. vgem cannot mmap an imported object on
 * these kernels (drm_gem_dumb_map_offset refuses imports), so sharing is
 * shown through the re-export. A vgem fence attached to the imported
 * object lands in our dma-buf's reservation object: poll(),
 * DMA_BUF_IOCTL_SYNC and an exported sync_file wait until it is signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dmalab.h"
#include "kselftest_harness.h"

/*
 * MAP_DUMB and vgem's fences (drm_mode.h, vgem_drm.h) are DRM ioctls that
 * libdmalab does not wrap: being what these tests are about, they are
 * called raw. PRIME goes through libdmalab.
 */
struct t_drm_mode_map_dumb {
	__u32 handle;
	__u32 pad;
	__u64 offset;
};

struct t_vgem_fence_attach {
	__u32 handle;
	__u32 flags;	/* VGEM_FENCE_WRITE */
	__u32 out_fence;
	__u32 pad;
};

struct t_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#define T_VGEM_FENCE_WRITE	0x1
#define T_DRM_IOCTL_MODE_MAP_DUMB \
	_IOWR('d', 0xB3, struct t_drm_mode_map_dumb)
#define T_DRM_IOCTL_VGEM_FENCE_ATTACH \
	_IOWR('d', 0x40 + 1, struct t_vgem_fence_attach)
#define T_DRM_IOCTL_VGEM_FENCE_SIGNAL \
	_IOW('d', 0x40 + 2, struct t_vgem_fence_signal)

#define LEN	(64 << 10)
#define SEED	7

static int fence_attach(int drm, __u32 handle, __u32 flags, __u32 *fence)
{
	struct t_vgem_fence_attach a = { .handle = handle, .flags = flags };

	if (ioctl(drm, T_DRM_IOCTL_VGEM_FENCE_ATTACH, &a))
		return -errno;
	*fence = a.out_fence;
	return 0;
}

static int fence_signal(int drm, __u32 fence)
{
	struct t_vgem_fence_signal s = { .fence = fence };

	return ioctl(drm, T_DRM_IOCTL_VGEM_FENCE_SIGNAL, &s) ? -errno : 0;
}

struct sync_thread {
	int fd;
	int done;
	int ret;
};

static void *sync_start(void *arg)
{
	struct sync_thread *t = arg;

	t->ret = dmalab_buf_sync(t->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
				 NULL);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void wait_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The vgem card and our buffer; vgem's handle once imported. */
FIXTURE(vgem) {
	int drm, fd, re;
	__u32 handle, fence;
	unsigned char *p, *q;
	struct dmalab_err err;
};

FIXTURE_SETUP(vgem)
{
	struct dmalab_alloc_opts o = { .len = LEN, .cloexec = 1 };

	self->fd = -1;
	self->re = -1;
	self->drm = dmalab_drm_open("vgem", NULL, 0, &self->err);
	if (self->drm == -ENODEV)
		SKIP(return, "no vgem in /dev/dri");
	ASSERT_LE(0, self->drm) TH_LOG("%s", self->err.msg);
	self->fd = dmalab_alloc(-1, &o, &self->err);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", self->err.msg);
}

FIXTURE_TEARDOWN(vgem)
{
	/* A fence left unsignalled would hold the buffer until vgem's 10 s. */
	if (self->fence)
		fence_signal(self->drm, self->fence);
	if (self->p)
		munmap(self->p, LEN);
	if (self->q)
		munmap(self->q, LEN);
	if (self->handle)
		dmalab_drm_gem_close(self->drm, self->handle, NULL);
	if (self->re >= 0)
		close(self->re);
	if (self->fd >= 0)
		close(self->fd);
	if (self->drm >= 0)
		close(self->drm);
}

/* Our buffer imported into vgem by PRIME: self->handle. */
static void prime_import(struct __test_metadata *_metadata,
			 FIXTURE_DATA(vgem) *self)
{
	ASSERT_EQ(0, dmalab_drm_prime_import(self->drm, self->fd,
					     &self->handle, &self->err))
		TH_LOG("%s", self->err.msg);
}

/* Our buffer imported, with a vgem fence (write or read) on it. */
static void fenced(struct __test_metadata *_metadata,
		   FIXTURE_DATA(vgem) *self, __u32 flags)
{
	prime_import(_metadata, self);
	ASSERT_EQ(0, fence_attach(self->drm, self->handle, flags,
				  &self->fence))
		TH_LOG("%s fence", flags ? "write" : "read");
}

/* Signal the fence fenced() attached. */
static void signal_fence(struct __test_metadata *_metadata,
			 FIXTURE_DATA(vgem) *self)
{
	__u32 fence = self->fence;

	self->fence = 0;
	ASSERT_EQ(0, fence_signal(self->drm, fence));
}

TEST_F(vgem, vgem_imports_our_dmabuf_by_prime)
{
	EXPECT_EQ(0, dmalab_drm_prime_import(self->drm, self->fd,
					     &self->handle, &self->err))
		TH_LOG("%s", self->err.msg);
}

TEST_F(vgem, vgem_reexport_is_the_same_dmabuf)
{
	struct stat a, b;

	prime_import(_metadata, self);
	self->re = dmalab_drm_prime_export(self->drm, self->handle,
					   O_RDWR | O_CLOEXEC, &self->err);
	ASSERT_LE(0, self->re) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, fstat(self->re, &a));
	ASSERT_EQ(0, fstat(self->fd, &b));
	EXPECT_EQ(b.st_dev, a.st_dev);
	EXPECT_EQ(b.st_ino, a.st_ino);
}

TEST_F(vgem, bytes_written_to_our_buffer_are_read_through_vgems_handle)
{
	struct t_drm_mode_map_dumb md = { 0 };
	int i;

	prime_import(_metadata, self);
	md.handle = self->handle;
	if (ioctl(self->drm, T_DRM_IOCTL_MODE_MAP_DUMB, &md))
		TH_LOG("vgem refuses to mmap an imported object (%s): data sharing is shown through its re-export",
		       strerror(errno));
	self->re = dmalab_drm_prime_export(self->drm, self->handle,
					   O_RDWR | O_CLOEXEC, &self->err);
	ASSERT_LE(0, self->re) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, dmalab_buf_mmap(self->fd, 0, LEN, PROT_READ | PROT_WRITE,
				     (void **)&self->p, &self->err))
		TH_LOG("ours: %s", self->err.msg);
	ASSERT_EQ(0, dmalab_buf_mmap(self->re, 0, LEN, PROT_READ,
				     (void **)&self->q, &self->err))
		TH_LOG("vgem's: %s", self->err.msg);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_WRITE, NULL));
	for (i = 0; i < LEN; i++)
		self->p[i] = dmalab_pattern_byte(SEED, i);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END |
				     DMA_BUF_SYNC_WRITE, NULL));
	for (i = 0; i < LEN && self->q[i] == dmalab_pattern_byte(SEED, i); i++)
		;
	EXPECT_EQ(LEN, i) TH_LOG("byte %d differs", i);
}

TEST_F(vgem, vgem_attaches_a_write_fence_to_our_buffer)
{
	prime_import(_metadata, self);
	EXPECT_EQ(0, fence_attach(self->drm, self->handle, T_VGEM_FENCE_WRITE,
				  &self->fence));
}

TEST_F(vgem, vgem_write_fence_makes_poll_on_our_fd_wait)
{
	fenced(_metadata, self, T_VGEM_FENCE_WRITE);
	EXPECT_EQ(0, dmalab_buf_poll(self->fd, POLLIN, 0, NULL));
}

/* DMA_BUF_IOCTL_SYNC start, in a thread, still waits 300 ms on. */
TEST_F(vgem, dma_buf_sync_start_waits_for_the_vgem_fence_until_signalled)
{
	struct sync_thread t = { .fd = self->fd };
	pthread_t th;
	int waited;

	fenced(_metadata, self, T_VGEM_FENCE_WRITE);
	ASSERT_EQ(0, pthread_create(&th, NULL, sync_start, &t));
	wait_ms(300);
	waited = !__atomic_load_n(&t.done, __ATOMIC_ACQUIRE);
	signal_fence(_metadata, self);
	pthread_join(th, NULL);
	EXPECT_TRUE(waited) TH_LOG("SYNC start returned before the signal");
	EXPECT_EQ(0, t.ret);
	dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
}

TEST_F(vgem, poll_is_ready_once_vgem_signals)
{
	fenced(_metadata, self, T_VGEM_FENCE_WRITE);
	ASSERT_EQ(0, dmalab_buf_poll(self->fd, POLLIN, 0, NULL))
		TH_LOG("poll was ready before the signal");
	signal_fence(_metadata, self);
	EXPECT_EQ(1, dmalab_buf_poll(self->fd, POLLIN | POLLOUT, 1000, NULL));
}

TEST_F(vgem, exported_sync_file_follows_the_vgem_fence)
{
	int sf;

	fenced(_metadata, self, T_VGEM_FENCE_WRITE);
	sf = dmalab_buf_export_sync_file(self->fd, DMA_BUF_SYNC_READ,
					 &self->err);
	ASSERT_LE(0, sf) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, dmalab_sync_file_wait(sf, 0, NULL))
		TH_LOG("signalled before vgem signals");
	signal_fence(_metadata, self);
	EXPECT_EQ(1, dmalab_sync_file_wait(sf, 1000, NULL))
		TH_LOG("not signalled after vgem signals");
	close(sf);
}

/* A read fence: readers go on, writers wait. */
TEST_F(vgem, vgem_read_fence_blocks_writers_only)
{
	fenced(_metadata, self, 0);
	EXPECT_EQ(1, dmalab_buf_poll(self->fd, POLLIN, 0, NULL))
		TH_LOG("POLLIN (readers)");
	EXPECT_EQ(0, dmalab_buf_poll(self->fd, POLLOUT, 0, NULL))
		TH_LOG("POLLOUT (writers)");
}

TEST_HARNESS_MAIN
