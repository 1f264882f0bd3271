// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf sources dmalab-bench compares. Each allocation returns once
 * the buffer's memory exists and is zeroed, so that "allocate + zero" means
 * the same work for every source:
 *  - ours and the system heap allocate and clear every page in the
 *    allocation ioctl;
 *  - udmabuf pins the memfd's pages in UDMABUF_CREATE (memfd_pin_folios on
 *    6.12), which allocates the missing ones through shmem, zeroed;
 *  - vgem allocates nothing at CREATE_DUMB: the shmem pages are allocated
 *    (zeroed) when the buffer is first pinned, here by an mmap of the
 *    PRIME fd (drm_gem_shmem_mmap pins every page), unmapped at once.
 * Raw ioctls only: no libdrm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/dmalab_exp.h>

#include "bench.h"

/* include/uapi/drm/drm.h and drm_mode.h, the few ioctls used here. */
struct bench_drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};

struct bench_drm_create_dumb {
	uint32_t height;
	uint32_t width;
	uint32_t bpp;
	uint32_t flags;
	uint32_t handle;
	uint32_t pitch;
	uint64_t size;
};

struct bench_drm_prime_handle {
	uint32_t handle;
	uint32_t flags;
	int32_t fd;
};

struct bench_drm_gem_close {
	uint32_t handle;
	uint32_t pad;
};

#define BENCH_DRM_IOCTL_VERSION		_IOWR('d', 0x00, struct bench_drm_version)
#define BENCH_DRM_IOCTL_GEM_CLOSE	_IOW('d', 0x09, struct bench_drm_gem_close)
#define BENCH_DRM_IOCTL_PRIME_HANDLE_TO_FD \
	_IOWR('d', 0x2d, struct bench_drm_prime_handle)
#define BENCH_DRM_IOCTL_MODE_CREATE_DUMB \
	_IOWR('d', 0xB2, struct bench_drm_create_dumb)

static const char *const bench_src_names[SRC_COUNT] = {
	[SRC_OURS] = "ours",
	[SRC_OURS_CONTIG] = "ours_contig",
	[SRC_HEAP] = "system_heap",
	[SRC_UDMABUF] = "udmabuf",
	[SRC_VGEM] = "vgem",
};

const char *bench_src_name(enum bench_src src)
{
	return bench_src_names[src];
}

static int bench_vgem_open(void)
{
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 8; i++) {
		struct bench_drm_version v = { .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		v.name = name;
		if (!ioctl(fd, BENCH_DRM_IOCTL_VERSION, &v) &&
		    !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

/* Open every source's device once; a missing one is reported, not fatal. */
int bench_src_open(void)
{
	struct dmalab_exp_stats st = { .size = sizeof(st) };

	bench.exp_fd = open(DMALAB_EXP_DEVICE, O_RDWR | O_CLOEXEC);
	bench.heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	bench.udmabuf_fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	bench.vgem_fd = bench_vgem_open();
	if (bench.exp_fd < 0) {
		perror(DMALAB_EXP_DEVICE);
		return -1;
	}
	if (!ioctl(bench.exp_fd, DMALAB_EXP_IOC_STATS, &st))
		bench.max_contig = st.max_contig_len;
	bench_meta("ours_max_contig_bytes", "%llu",
		   (unsigned long long)bench.max_contig);
	bench_meta("have_system_heap", "%d", bench.heap_fd >= 0);
	bench_meta("have_udmabuf", "%d", bench.udmabuf_fd >= 0);
	bench_meta("have_vgem", "%d", bench.vgem_fd >= 0);
	return 0;
}

/* A dma-buf fd of the project's exporter, or -errno. */
int bench_exp_alloc(size_t size, uint32_t placement, uint32_t timing,
		    uint32_t addr_bits)
{
	struct dmalab_exp_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.len = size;
	a.placement = placement;
	a.timing = timing;
	a.addr_bits = addr_bits;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(bench.exp_fd, DMALAB_EXP_IOC_ALLOC, &a))
		return -errno;
	return a.fd;
}

static int bench_heap_alloc(size_t size)
{
	struct dma_heap_allocation_data a = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (bench.heap_fd < 0)
		return -ENODEV;
	if (ioctl(bench.heap_fd, DMA_HEAP_IOCTL_ALLOC, &a))
		return -errno;
	return a.fd;
}

static int bench_udmabuf_alloc(size_t size)
{
	struct udmabuf_create c = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size,
	};
	int mfd, ret;

	if (bench.udmabuf_fd < 0)
		return -ENODEV;
	mfd = memfd_create("bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	if (ftruncate(mfd, size) || fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto close_memfd;
	}
	c.memfd = mfd;
	ret = ioctl(bench.udmabuf_fd, UDMABUF_CREATE, &c);
	if (ret < 0)
		ret = -errno;
close_memfd:
	/* The udmabuf holds the memfd's pages; the fd is no longer needed. */
	close(mfd);
	return ret;
}

static int bench_vgem_alloc(size_t size, uint32_t *handle)
{
	/*
	 * Rows of 4096 8-bit pixels: one row of 32-bit pixels would overflow
	 * the kernel's 32-bit width * bpp product at 1 GiB.
	 */
	struct bench_drm_create_dumb d = { .width = 4096, .bpp = 8 };
	struct bench_drm_prime_handle p = { .flags = O_RDWR | O_CLOEXEC };
	struct bench_drm_gem_close gc = { 0 };
	void *map;

	if (bench.vgem_fd < 0)
		return -ENODEV;
	d.height = size / 4096;
	if (ioctl(bench.vgem_fd, BENCH_DRM_IOCTL_MODE_CREATE_DUMB, &d))
		return -errno;
	p.handle = d.handle;
	if (ioctl(bench.vgem_fd, BENCH_DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		goto close_gem;
	/* Pins (allocates and zeroes) every shmem page of the object. */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p.fd, 0);
	if (map == MAP_FAILED) {
		close(p.fd);
		goto close_gem;
	}
	munmap(map, size);
	*handle = d.handle;
	return p.fd;

close_gem:
	{
		int err = errno;

		gc.handle = d.handle;
		ioctl(bench.vgem_fd, BENCH_DRM_IOCTL_GEM_CLOSE, &gc);
		return -err;
	}
}

/* Allocate @size bytes of zeroed memory as a dma-buf. Return 0 or -errno. */
int bench_buf_alloc(enum bench_src src, size_t size, struct bench_buf *b)
{
	int fd;

	memset(b, 0, sizeof(*b));
	b->src = src;
	b->size = size;
	switch (src) {
	case SRC_OURS:
		fd = bench_exp_alloc(size, DMALAB_EXP_PLACE_SCATTER,
				     DMALAB_EXP_TIMING_EAGER, 0);
		break;
	case SRC_OURS_CONTIG:
		if (size > bench.max_contig)
			return -E2BIG;
		fd = bench_exp_alloc(size, DMALAB_EXP_PLACE_CONTIG,
				     DMALAB_EXP_TIMING_EAGER, 0);
		break;
	case SRC_HEAP:
		fd = bench_heap_alloc(size);
		break;
	case SRC_UDMABUF:
		fd = bench_udmabuf_alloc(size);
		break;
	case SRC_VGEM:
		fd = bench_vgem_alloc(size, &b->gem_handle);
		break;
	default:
		fd = -EINVAL;
	}
	b->fd = fd;
	return fd < 0 ? fd : 0;
}

void bench_buf_free(struct bench_buf *b)
{
	struct bench_drm_gem_close gc = { .handle = b->gem_handle };

	if (b->fd >= 0)
		close(b->fd);
	if (b->src == SRC_VGEM && b->gem_handle)
		ioctl(bench.vgem_fd, BENCH_DRM_IOCTL_GEM_CLOSE, &gc);
	b->fd = -1;
	b->gem_handle = 0;
}
