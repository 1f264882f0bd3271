// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmalab: dma-bufs of mainline exporters other than ours, to compare
 * with or to import: a dma-buf heap and udmabuf on a sealed memfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "internal.h"

#define DL_UDMABUF_DEVICE	"/dev/udmabuf"

int dmalab_heap_open(const char *heap, struct dmalab_err *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s",
		 heap ? heap : "system");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dmalab_err_set(err, errno, "open %s", path);
	return fd;
}

/* The system heap, for callers that pass no heap fd. */
static int dmalab_heap_open_default(struct dmalab_err *err)
{
	return dmalab_heap_open(NULL, err);
}

static int dmalab_heap_ioctl_alloc(int heap_fd, uint64_t len,
				   uint32_t fd_flags, struct dmalab_err *err)
{
	struct dma_heap_allocation_data a = {
		.len = len, .fd_flags = fd_flags ?: O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &a))
		return dmalab_err_set(err, errno,
				      "dma-heap allocation of %llu bytes",
				      (unsigned long long)len);
	return a.fd;
}

int dmalab_heap_alloc(int heap_fd, uint64_t len, struct dmalab_err *err)
{
	int own, ret;

	ret = dmalab_fd_or_open(&heap_fd, &own, dmalab_heap_open_default, err);
	if (ret)
		return ret;
	ret = dmalab_heap_ioctl_alloc(heap_fd, len, 0, err);
	if (own >= 0)
		close(own);
	return ret;
}

int dmalab_heap_alloc_from(const char *heap, uint64_t len, uint32_t fd_flags,
			   struct dmalab_err *err)
{
	int heap_fd = dmalab_heap_open(heap, err), ret;

	if (heap_fd < 0)
		return heap_fd;
	ret = dmalab_heap_ioctl_alloc(heap_fd, len, fd_flags, err);
	close(heap_fd);
	return ret;
}

int dmalab_udmabuf_open(struct dmalab_err *err)
{
	int fd = open(DL_UDMABUF_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return dmalab_err_set(err, errno, "open %s", DL_UDMABUF_DEVICE);
	return fd;
}

int dmalab_udmabuf_alloc(int udmabuf_fd, uint64_t len, struct dmalab_err *err)
{
	struct udmabuf_create c = {
		.flags = UDMABUF_FLAGS_CLOEXEC, .size = len,
	};
	int own, mfd, ret;

	ret = dmalab_fd_or_open(&udmabuf_fd, &own, dmalab_udmabuf_open, err);
	if (ret)
		return ret;
	/* udmabuf refuses a memfd that could shrink under its pages. */
	mfd = memfd_create("dmalab-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, len) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = dmalab_err_set(err, errno, "sealed memfd of %llu bytes",
				  (unsigned long long)len);
		goto out;
	}
	c.memfd = mfd;
	ret = ioctl(udmabuf_fd, UDMABUF_CREATE, &c);
	if (ret < 0)
		ret = dmalab_err_set(err, errno, "udmabuf of %llu bytes",
				  (unsigned long long)len);
out:
	/* The udmabuf holds the memfd's pages; the fd is no longer needed. */
	if (mfd >= 0)
		close(mfd);
	if (own >= 0)
		close(own);
	return ret;
}
