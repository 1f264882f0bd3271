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
#include "tap.h"

/* MAP_DUMB, vgem's fences (drm_mode.h, vgem_drm.h); PRIME: libdmalab. */
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
#define T_DRM_IOCTL_MODE_MAP_DUMB _IOWR('d', 0xB3, struct t_drm_mode_map_dumb)
#define T_DRM_IOCTL_VGEM_FENCE_ATTACH _IOWR('d', 0x40 + 1, struct t_vgem_fence_attach)
#define T_DRM_IOCTL_VGEM_FENCE_SIGNAL _IOW('d', 0x40 + 2, struct t_vgem_fence_signal)

#define LEN	(64 << 10)

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
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A write fence: SYNC start (in a thread) and poll wait until signalled. */
static void write_fence(int drm, int fd, __u32 handle)
{
	struct sync_thread t = { .fd = fd };
	pthread_t th;
	int busy, waited, sf, sf_busy;
	__u32 fence = 0;
	int r;

	r = fence_attach(drm, handle, T_VGEM_FENCE_WRITE, &fence);
	tap_result(!r, "vgem_attaches_a_write_fence_to_our_buffer");
	busy = !r && dmalab_buf_poll(fd, POLLIN, 0, NULL) == 0;
	tap_result(busy, "vgem_write_fence_makes_poll_on_our_fd_wait");
	sf = dmalab_buf_export_sync_file(fd, DMA_BUF_SYNC_READ, NULL);
	sf_busy = sf >= 0 && dmalab_sync_file_wait(sf, 0, NULL) == 0;
	pthread_create(&th, NULL, sync_start, &t);
	wait_ms(300);
	waited = !__atomic_load_n(&t.done, __ATOMIC_ACQUIRE);
	fence_signal(drm, fence);
	pthread_join(th, NULL);
	tap_result(!r && waited && !t.ret,
		   "dma_buf_sync_start_waits_for_the_vgem_fence_until_signalled");
	dmalab_buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	tap_result(dmalab_buf_poll(fd, POLLIN | POLLOUT, 1000, NULL) == 1,
		   "poll_is_ready_once_vgem_signals");
	tap_result(sf_busy && dmalab_sync_file_wait(sf, 1000, NULL) == 1,
		   "exported_sync_file_follows_the_vgem_fence");
	if (sf >= 0)
		close(sf);
}

/* A read fence: readers go on, writers wait. */
static void read_fence(int drm, int fd, __u32 handle)
{
	__u32 fence = 0;
	int r = fence_attach(drm, handle, 0, &fence);

	tap_result(!r && dmalab_buf_poll(fd, POLLIN, 0, NULL) == 1 &&
		   dmalab_buf_poll(fd, POLLOUT, 0, NULL) == 0,
		   "vgem_read_fence_blocks_writers_only");
	if (!r)
		fence_signal(drm, fence);
}

int main(void)
{
	struct dmalab_alloc_opts o = { .len = LEN, .cloexec = 1 };
	struct t_drm_mode_map_dumb md = { 0 };
	__u32 handle = 0;
	struct dmalab_err err;
	struct stat a, b;
	unsigned char *p = NULL, *q = NULL;
	int drm, fd, re = -1, i, same = 0;

	tap_plan(9);
	drm = dmalab_drm_open("vgem", NULL, 0, NULL);
	fd = dmalab_alloc(-1, &o, &err);
	if (drm < 0 || fd < 0) {
		tap_diag("setup: %s", drm < 0 ? "no vgem in /dev/dri" : err.msg);
		return 1;
	}
	tap_result(!dmalab_drm_prime_import(drm, fd, &handle, NULL),
		   "vgem_imports_our_dmabuf_by_prime");
	md.handle = handle;
	if (ioctl(drm, T_DRM_IOCTL_MODE_MAP_DUMB, &md))
		tap_diag("vgem refuses to mmap an imported object (%s): data sharing is shown through its re-export",
			 strerror(errno));
	re = dmalab_drm_prime_export(drm, handle, O_RDWR | O_CLOEXEC, NULL);
	if (re >= 0) {
		same = !fstat(re, &a) && !fstat(fd, &b) && a.st_ino == b.st_ino &&
		       a.st_dev == b.st_dev;
	}
	tap_result(same, "vgem_reexport_is_the_same_dmabuf");

	if (!dmalab_buf_mmap(fd, 0, LEN, PROT_READ | PROT_WRITE, (void **)&p, NULL) &&
	    re >= 0 && !dmalab_buf_mmap(re, 0, LEN, PROT_READ, (void **)&q, NULL)) {
		dmalab_buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, NULL);
		for (i = 0; i < LEN; i++)
			p[i] = dmalab_pattern_byte(7, i);
		dmalab_buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, NULL);
		for (i = 0; i < LEN && q[i] == dmalab_pattern_byte(7, i); i++)
			;
	} else {
		i = -1;
	}
	tap_result(i == LEN, "bytes_written_to_our_buffer_are_read_through_vgems_handle");
	if (p)
		munmap(p, LEN);
	if (q)
		munmap(q, LEN);

	write_fence(drm, fd, handle);
	read_fence(drm, fd, handle);
	dmalab_drm_gem_close(drm, handle, NULL);
	if (re >= 0)
		close(re);
	close(fd);
	close(drm);
	return tap_exit();
}
