/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the importer's test programs: thin wrappers around the
 * /dev/dmalab_imp ioctls (returning 0 or -errno) and dma-buf sources that
 * do not depend on the project's exporter (system heap, udmabuf, vgem
 * through raw DRM ioctls).
 */
#ifndef DMALAB_TESTS_IMP_UTIL_H
#define DMALAB_TESTS_IMP_UTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/dmalab_imp.h>

/* ---- raw DRM UAPI (include/uapi/drm/drm.h, drm_mode.h), no libdrm ---- */
struct imp_drm_version {
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

struct imp_drm_create_dumb {
	__u32 height;
	__u32 width;
	__u32 bpp;
	__u32 flags;
	__u32 handle;
	__u32 pitch;
	__u64 size;
};

struct imp_drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

#define IMP_DRM_IOCTL_VERSION	_IOWR('d', 0x00, struct imp_drm_version)
#define IMP_DRM_IOCTL_PRIME_HANDLE_TO_FD _IOWR('d', 0x2d, struct imp_drm_prime_handle)
#define IMP_DRM_IOCTL_MODE_CREATE_DUMB _IOWR('d', 0xB2, struct imp_drm_create_dumb)

/* ---- ioctl wrappers ---- */
static inline int imp_ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static inline int imp_open(void)
{
	return open("/dev/dmalab_imp", O_RDWR | O_CLOEXEC);
}

static inline int imp_import(int fd, int dmabuf, __u32 *handle)
{
	struct dmalab_imp_import a = { .size = sizeof(a), .fd = dmabuf };
	int r = imp_ioc(fd, DMALAB_IMP_IOC_IMPORT, &a);

	if (!r && handle)
		*handle = a.handle;
	return r;
}

static inline int imp_id(int fd, unsigned long req, __u32 id)
{
	struct dmalab_imp_id a = { .size = sizeof(a), .id = id };

	return imp_ioc(fd, req, &a);
}

static inline int imp_attach(int fd, __u32 handle, __u32 dev, __u32 *att)
{
	struct dmalab_imp_attach a = {
		.size = sizeof(a), .handle = handle, .dev_id = dev,
	};
	int r = imp_ioc(fd, DMALAB_IMP_IOC_ATTACH, &a);

	if (!r && att)
		*att = a.attach_id;
	return r;
}

static inline int imp_map(int fd, __u32 att, __u32 dir)
{
	struct dmalab_imp_map a = { .size = sizeof(a), .attach_id = att, .dir = dir };

	return imp_ioc(fd, DMALAB_IMP_IOC_MAP, &a);
}

static inline int imp_sg(int fd, __u32 att, struct dmalab_imp_sg_info *si,
			 struct dmalab_imp_sg_entry *e, __u32 cap)
{
	memset(si, 0, sizeof(*si));
	si->size = sizeof(*si);
	si->attach_id = att;
	si->entries_ptr = (uintptr_t)e;
	si->entries_cap = e ? cap : 0;
	return imp_ioc(fd, DMALAB_IMP_IOC_SG_INFO, si);
}

static inline int imp_cpu(int fd, __u32 h, __u32 op, __u64 off, __u64 len,
			  void *p, __u32 pattern, __u64 *sum)
{
	struct dmalab_imp_cpu a = {
		.size = sizeof(a), .handle = h, .op = op, .offset = off,
		.len = len, .user_ptr = (uintptr_t)p, .pattern = pattern,
	};
	int r = imp_ioc(fd, DMALAB_IMP_IOC_CPU, &a);

	if (!r && sum)
		*sum = a.checksum;
	return r;
}

/* Returns the job's status (sync) or 0 with *id set (async). */
static inline int imp_job(int fd, __u32 op, __u32 src, __u32 dst, __u64 soff,
			  __u64 doff, __u64 len, __u32 pattern, __u32 flags,
			  __u32 timeout_ms, __u32 *id, __u64 *sum)
{
	struct dmalab_imp_job a = {
		.size = sizeof(a), .flags = flags, .op = op,
		.timeout_ms = timeout_ms, .src_attach = src, .dst_attach = dst,
		.src_offset = soff, .dst_offset = doff, .len = len,
		.pattern = pattern,
	};
	int r = imp_ioc(fd, DMALAB_IMP_IOC_JOB, &a);

	if (!r && id)
		*id = a.job_id;
	if (!r && sum)
		*sum = a.checksum;
	return r;
}

static inline int imp_wait(int fd, __u32 id, int *status, __u64 *sum)
{
	struct dmalab_imp_wait a = { .size = sizeof(a), .job_id = id };
	int r = imp_ioc(fd, DMALAB_IMP_IOC_WAIT, &a);

	if (!r && status)
		*status = a.status;
	if (!r && sum)
		*sum = a.checksum;
	return r;
}

static inline int imp_info(int fd, __u32 dev, struct dmalab_imp_dev_info *i)
{
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	i->dev_id = dev;
	return imp_ioc(fd, DMALAB_IMP_IOC_DEV_INFO, i);
}

/* The n-th edu device (0: slot 0x10, 28-bit; 1: slot 0x11, 36-bit). */
static inline int imp_edu(int fd, int n, __u32 *dev,
			  struct dmalab_imp_dev_info *info)
{
	struct dmalab_imp_dev_list l = { .size = sizeof(l) };
	__u32 ids[16];
	unsigned int i;
	int seen = 0;

	*dev = 0;
	l.ids_ptr = (uintptr_t)ids;
	l.count = 16;
	if (imp_ioc(fd, DMALAB_IMP_IOC_DEV_LIST, &l))
		return -errno;
	for (i = 0; i < l.count && i < 16; i++) {
		if (imp_info(fd, ids[i], info))
			continue;
		if (info->kind == DMALAB_IMP_KIND_EDU && seen++ == n) {
			*dev = ids[i];
			return 0;
		}
	}
	return -ENODEV;
}

static inline int imp_sim(int fd, __u32 bits, __u32 max_seg, __u64 boundary,
			  __u32 flags, __u64 wphys, __u64 wdma, __u64 wsize,
			  __u32 *dev)
{
	struct dmalab_imp_sim_create a = {
		.size = sizeof(a), .flags = flags, .dma_bits = bits,
		.max_seg_size = max_seg, .seg_boundary_mask = boundary,
		.win_phys_start = wphys, .win_dma_start = wdma,
		.win_size = wsize,
	};
	int r = imp_ioc(fd, DMALAB_IMP_IOC_SIM_CREATE, &a);

	if (!r && dev)
		*dev = a.dev_id;
	return r;
}

static inline __u64 imp_fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	__u64 h = DMALAB_IMP_FNV_OFFSET;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= DMALAB_IMP_FNV_PRIME;
	}
	return h;
}

/* ---- dma-buf sources ---- */
static inline int src_heap(size_t size)
{
	struct dma_heap_allocation_data a = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int hfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int r;

	if (hfd < 0)
		return -errno;
	r = imp_ioc(hfd, DMA_HEAP_IOCTL_ALLOC, &a);
	close(hfd);
	return r ? r : (int)a.fd;
}

static inline int src_udmabuf(size_t size)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int ufd, mfd, r;

	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ufd < 0)
		return -errno;
	mfd = memfd_create("imp-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, size) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		r = -errno;
		goto out;
	}
	c.memfd = mfd;
	r = ioctl(ufd, UDMABUF_CREATE, &c);
	if (r < 0)
		r = -errno;
out:
	if (mfd >= 0)
		close(mfd);
	close(ufd);
	return r;
}

static inline int src_vgem(size_t size)
{
	char path[32], name[16];
	int i, dfd, r = -ENODEV;

	for (i = 0; i < 8; i++) {
		struct imp_drm_version v = { .name_len = sizeof(name) - 1 };
		struct imp_drm_create_dumb d = { 0 };
		struct imp_drm_prime_handle p = { 0 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		dfd = open(path, O_RDWR | O_CLOEXEC);
		if (dfd < 0)
			continue;
		memset(name, 0, sizeof(name));
		v.name = name;
		if (ioctl(dfd, IMP_DRM_IOCTL_VERSION, &v) || strcmp(name, "vgem")) {
			close(dfd);
			continue;
		}
		/* One row of 32-bit pixels, page-multiple wide. */
		d.width = size / 4;
		d.height = 1;
		d.bpp = 32;
		r = imp_ioc(dfd, IMP_DRM_IOCTL_MODE_CREATE_DUMB, &d);
		if (!r) {
			p.handle = d.handle;
			p.flags = O_RDWR | O_CLOEXEC;
			r = imp_ioc(dfd, IMP_DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
			if (!r)
				r = p.fd;
		}
		close(dfd);
		return r;
	}
	return r;
}

/* Any foreign dma-buf: system heap, then udmabuf, then vgem. */
static inline int src_any(size_t size, const char **name)
{
	/*
	 * vgem first: it is on every kernel, and it keeps the DMA-API's
	 * rules. The system heap syncs its attachments in the CPU access
	 * direction rather than the mapping's, which the debug kernel's
	 * DMA-API checks report; tests/importer/foreign.c covers the heap.
	 */
	int fd = src_vgem(size);

	*name = "vgem";
	if (fd >= 0)
		return fd;
	fd = src_heap(size);
	*name = "system heap";
	if (fd >= 0)
		return fd;
	*name = "udmabuf";
	return src_udmabuf(size);
}

/* Is the n-th edu device usable for DMA on this buffer (reachable)? */
static inline int imp_has_iommu(int fd)
{
	struct dmalab_imp_dev_info i;
	__u32 dev;

	if (imp_edu(fd, 0, &dev, &i))
		return 0;
	return !!(i.dev_flags & DMALAB_IMP_DEV_IOMMU);
}

#endif /* DMALAB_TESTS_IMP_UTIL_H */
