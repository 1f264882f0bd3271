// SPDX-License-Identifier: GPL-2.0
/* dmalab tool: dma-bufs made by other kernel drivers (see sources.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>

#include "sources.h"

/* Raw DRM UAPI (include/uapi/drm/drm.h, drm_mode.h): no libdrm needed. */
struct src_drm_version {
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

struct src_drm_create_dumb {
	__u32 height;
	__u32 width;
	__u32 bpp;
	__u32 flags;
	__u32 handle;
	__u32 pitch;
	__u64 size;
};

struct src_drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

#define SRC_DRM_IOCTL_VERSION	_IOWR('d', 0x00, struct src_drm_version)
#define SRC_DRM_IOCTL_PRIME_HANDLE_TO_FD _IOWR('d', 0x2d, struct src_drm_prime_handle)
#define SRC_DRM_IOCTL_MODE_CREATE_DUMB _IOWR('d', 0xB2, struct src_drm_create_dumb)

const char *const source_names[] = { "vgem", "vivid", "heap", "udmabuf", NULL };

static int src_vgem(uint64_t size, struct source *s)
{
	struct src_drm_create_dumb d = { .height = 1, .bpp = 32 };
	struct src_drm_prime_handle p = { .flags = O_RDWR | O_CLOEXEC };
	struct src_drm_version v;
	char path[32], name[16];
	int i, dfd, r;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		dfd = open(path, O_RDWR | O_CLOEXEC);
		if (dfd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(dfd, SRC_DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			break;
		close(dfd);
	}
	if (i == 16)
		return -ENODEV;
	/* One row of 32-bit pixels: the object is exactly @size bytes. */
	d.width = size / 4;
	r = ioctl(dfd, SRC_DRM_IOCTL_MODE_CREATE_DUMB, &d) ? -errno : 0;
	p.handle = d.handle;
	if (!r)
		r = ioctl(dfd, SRC_DRM_IOCTL_PRIME_HANDLE_TO_FD, &p) ? -errno : 0;
	close(dfd);	/* the dma-buf holds the object */
	s->fd = p.fd;
	s->size = d.size;
	return r;
}

static int src_vivid(struct source *s)
{
	struct v4l2_requestbuffers rb = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .flags = O_RDWR | O_CLOEXEC,
	};
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_capability cap;
	char path[32];
	int i, vfd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		vfd = open(path, O_RDWR | O_CLOEXEC);
		if (vfd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(vfd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    !ioctl(vfd, VIDIOC_G_FMT, &fmt) &&
		    !ioctl(vfd, VIDIOC_REQBUFS, &rb) && rb.count &&
		    !ioctl(vfd, VIDIOC_EXPBUF, &eb))
			break;
		close(vfd);
	}
	if (i == 64)
		return -ENODEV;
	s->fd = eb.fd;
	s->keep = vfd;
	s->size = fmt.fmt.pix.sizeimage;
	return 0;
}

static int src_heap(uint64_t size, struct source *s)
{
	struct dma_heap_allocation_data a = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int hfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC), r;

	if (hfd < 0)
		return -errno;
	r = ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &a) ? -errno : 0;
	close(hfd);
	s->fd = a.fd;
	s->size = size;
	return r;
}

static int src_udmabuf(uint64_t size, struct source *s)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int ufd, mfd, r;

	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ufd < 0)
		return -errno;
	mfd = memfd_create("dmalab-conform", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, size) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		r = -errno;
		goto out;
	}
	c.memfd = mfd;
	r = ioctl(ufd, UDMABUF_CREATE, &c);
	s->fd = r;
	r = r < 0 ? -errno : 0;
	s->size = size;
out:
	if (mfd >= 0)
		close(mfd);
	close(ufd);
	return r;
}

int source_open(const char *name, uint64_t size, struct source *s)
{
	int r = -EINVAL;

	s->fd = -1;
	s->keep = -1;
	s->size = 0;
	if (!strcmp(name, "vgem"))
		r = src_vgem(size, s);
	else if (!strcmp(name, "vivid"))
		r = src_vivid(s);
	else if (!strcmp(name, "heap"))
		r = src_heap(size, s);
	else if (!strcmp(name, "udmabuf"))
		r = src_udmabuf(size, s);
	if (r)
		source_close(s);
	return r;
}

void source_close(struct source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->keep >= 0)
		close(s->keep);
	s->fd = -1;
	s->keep = -1;
}
