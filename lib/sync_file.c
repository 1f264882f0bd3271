// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: a dma-buf's fences as sync_files (Linux 6.0 and later). */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "internal.h"

int dmalab_buf_export_sync_file(int fd, uint32_t flags,
				struct dmalab_err *err)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };

	if (ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg))
		return dmalab_err_set(err, errno,
				   "DMA_BUF_IOCTL_EXPORT_SYNC_FILE on fd %d", fd);
	return arg.fd;
}

int dmalab_buf_import_sync_file(int fd, uint32_t flags, int sync_fd,
				struct dmalab_err *err)
{
	struct dma_buf_import_sync_file arg = { .flags = flags, .fd = sync_fd };

	if (ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg))
		return dmalab_err_set(err, errno,
				   "DMA_BUF_IOCTL_IMPORT_SYNC_FILE of fd %d into fd %d",
				   sync_fd, fd);
	return 0;
}

int dmalab_sync_file_wait(int sync_fd, int timeout_ms, struct dmalab_err *err)
{
	return dmalab_buf_poll(sync_fd, POLLIN, timeout_ms, err);
}
