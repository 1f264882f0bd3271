// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: the standard ioctls and calls every dma-buf answers. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int dmalab_buf_size(int fd, uint64_t *size, struct dmalab_err *err)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0)
		return dmalab_err_set(err, errno, "lseek on fd %d (is it a dma-buf?)",
				   fd);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return dmalab_err_set(err, errno, "lseek back to 0 on fd %d", fd);
	*size = (uint64_t)end;
	return 0;
}

int dmalab_buf_sync(int fd, uint64_t flags, struct dmalab_err *err)
{
	struct dma_buf_sync sync = { .flags = flags };

	if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync))
		return dmalab_err_set(err, errno, "DMA_BUF_IOCTL_SYNC %s on fd %d",
				   flags & DMA_BUF_SYNC_END ? "end" : "start",
				   fd);
	return 0;
}

int dmalab_buf_fdinfo(int fd, const char *key, char *buf, size_t len,
		      struct dmalab_err *err)
{
	char path[64], line[256];
	size_t n = strlen(key);
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return dmalab_err_set(err, EBADF, "fd %d is not open", fd);
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) || line[n] != ':')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s",
			 line + n + 1 + strspn(line + n + 1, " \t"));
		found = 1;
	}
	fclose(f);
	return found ? 0 : dmalab_err_set(err, ENOENT, "fd %d: no '%s' in its fdinfo",
				       fd, key);
}

int dmalab_buf_set_name(int fd, const char *name, struct dmalab_err *err)
{
	if (strlen(name) >= DMA_BUF_NAME_LEN)
		return dmalab_err_set(err, EINVAL,
				   "name '%s' is longer than %d bytes", name,
				   DMA_BUF_NAME_LEN - 1);
	if (ioctl(fd, DMA_BUF_SET_NAME, name))
		return dmalab_err_set(err, errno, "DMA_BUF_SET_NAME on fd %d", fd);
	return 0;
}

/* A PMD's reach on x86-64: the exporter maps its 2 MiB blocks with one. */
#define DMALAB_HUGE_BYTES	(2ULL << 20)

/*
 * An address for @len bytes from @offset that agrees with the offset modulo
 * 2 MiB, so that the kernel can map 2 MiB blocks with PMDs (a dma-buf file
 * has no get_unmapped_area to choose one): a range 2 MiB longer is
 * reserved and given back; NULL (any address) when that fails or @len is
 * shorter than 2 MiB.
 */
static void *dmalab_huge_hint(uint64_t offset, uint64_t len)
{
	uint64_t span = len + DMALAB_HUGE_BYTES;
	uintptr_t at;
	void *r;

	if (len < DMALAB_HUGE_BYTES || span < len)
		return NULL;
	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	munmap(r, span);
	at = ((uintptr_t)r + DMALAB_HUGE_BYTES - 1) &
	     ~(uintptr_t)(DMALAB_HUGE_BYTES - 1);
	return (void *)(at + (offset & (DMALAB_HUGE_BYTES - 1)));
}

int dmalab_buf_mmap(int fd, uint64_t offset, uint64_t len, int prot,
		    void **addr, struct dmalab_err *err)
{
	void *p;

	if (!len)
		return dmalab_err_set(err, EINVAL, "mmap of 0 bytes");
	/* A hint only: a range taken meanwhile by another thread is avoided. */
	p = mmap(dmalab_huge_hint(offset, len), len, prot, MAP_SHARED, fd,
		 (off_t)offset);
	if (p == MAP_FAILED)
		return dmalab_err_set(err, errno,
				   "mmap of %llu bytes at offset %llu of fd %d",
				   (unsigned long long)len,
				   (unsigned long long)offset, fd);
	*addr = p;
	return 0;
}

int dmalab_buf_poll(int fd, short events, int timeout_ms,
		    struct dmalab_err *err)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return dmalab_err_set(err, errno, "poll on fd %d", fd);
	if (n && (pfd.revents & (POLLERR | POLLNVAL)))
		return dmalab_err_set(err, EINVAL, "poll on fd %d: revents %#x",
				   fd, pfd.revents);
	return n ? 1 : 0;
}
