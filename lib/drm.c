// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmalab: DRM devices through the raw DRM UAPI (drm.h, drm_mode.h), so
 * that neither libdrm nor the DRM headers are needed: finding a card by its
 * driver, PRIME import and export, and vgem's dumb buffers as a foreign
 * exporter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

struct dl_drm_version {
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

struct dl_drm_gem_close {
	__u32 handle;
	__u32 pad;
};

struct dl_drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

struct dl_drm_create_dumb {
	__u32 height;
	__u32 width;
	__u32 bpp;
	__u32 flags;
	__u32 handle;
	__u32 pitch;
	__u64 size;
};

#define DL_DRM_IOCTL_VERSION	_IOWR('d', 0x00, struct dl_drm_version)
#define DL_DRM_IOCTL_GEM_CLOSE	_IOW('d', 0x09, struct dl_drm_gem_close)
#define DL_DRM_IOCTL_PRIME_HANDLE_TO_FD \
	_IOWR('d', 0x2d, struct dl_drm_prime_handle)
#define DL_DRM_IOCTL_PRIME_FD_TO_HANDLE \
	_IOWR('d', 0x2e, struct dl_drm_prime_handle)
#define DL_DRM_IOCTL_MODE_CREATE_DUMB \
	_IOWR('d', 0xB2, struct dl_drm_create_dumb)

#define DL_DRM_MAX_CARDS	16

int dmalab_drm_open(const char *driver, char *path, size_t path_len,
		    struct dmalab_err *err)
{
	struct dl_drm_version v;
	char card[32], name[32];
	int i, fd;

	for (i = 0; i < DL_DRM_MAX_CARDS; i++) {
		snprintf(card, sizeof(card), "/dev/dri/card%d", i);
		fd = open(card, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DL_DRM_IOCTL_VERSION, &v) &&
		    !strcmp(name, driver)) {
			if (path)
				snprintf(path, path_len, "%s", card);
			return fd;
		}
		close(fd);
	}
	return dmalab_err_set(err, ENODEV, "no %s device in /dev/dri", driver);
}

int dmalab_drm_prime_export(int drm_fd, uint32_t handle, int flags,
			    struct dmalab_err *err)
{
	struct dl_drm_prime_handle p = {
		.handle = handle, .flags = flags, .fd = -1,
	};

	if (ioctl(drm_fd, DL_DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		return dmalab_err_set(err, errno, "PRIME export of GEM handle %u",
				   handle);
	return p.fd;
}

int dmalab_drm_prime_import(int drm_fd, int buf_fd, uint32_t *handle,
			    struct dmalab_err *err)
{
	struct dl_drm_prime_handle p = { .fd = buf_fd };

	if (ioctl(drm_fd, DL_DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		return dmalab_err_set(err, errno, "PRIME import of dma-buf fd %d",
				   buf_fd);
	*handle = p.handle;
	return 0;
}

int dmalab_drm_gem_close(int drm_fd, uint32_t handle, struct dmalab_err *err)
{
	struct dl_drm_gem_close c = { .handle = handle };

	if (ioctl(drm_fd, DL_DRM_IOCTL_GEM_CLOSE, &c))
		return dmalab_err_set(err, errno, "closing GEM handle %u", handle);
	return 0;
}

/* The first vgem card, for callers that pass no vgem fd. */
static int dmalab_vgem_open(struct dmalab_err *err)
{
	return dmalab_drm_open("vgem", NULL, 0, err);
}

int dmalab_vgem_alloc(int vgem_fd, uint64_t len, uint32_t *handle,
		      struct dmalab_err *err)
{
	/*
	 * Rows of 4096 one-byte pixels: a single row of 32-bit pixels would
	 * overflow the kernel's 32-bit width * bpp product from 512 MiB on.
	 */
	struct dl_drm_create_dumb d = { .width = 4096, .bpp = 8 };
	uint64_t rows = (len + 4095) / 4096;
	int own, fd;

	if (handle)
		*handle = 0;
	if (rows > UINT32_MAX)
		return dmalab_err_set(err, EINVAL, "vgem buffer of %llu bytes",
				   (unsigned long long)len);
	fd = dmalab_fd_or_open(&vgem_fd, &own, dmalab_vgem_open, err);
	if (fd)
		return fd;
	d.height = rows;
	if (ioctl(vgem_fd, DL_DRM_IOCTL_MODE_CREATE_DUMB, &d)) {
		fd = dmalab_err_set(err, errno, "vgem dumb buffer of %llu bytes",
				 (unsigned long long)len);
		goto out;
	}
	fd = dmalab_drm_prime_export(vgem_fd, d.handle, O_RDWR | O_CLOEXEC,
				     err);
	/* The dma-buf holds the object: the handle is only kept if asked. */
	if (fd < 0 || !handle || own >= 0)
		dmalab_drm_gem_close(vgem_fd, d.handle, NULL);
	else
		*handle = d.handle;
out:
	if (own >= 0)
		close(own);
	return fd;
}
