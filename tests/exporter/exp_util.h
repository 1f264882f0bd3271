/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the exporter's test programs: allocate through
 * /dev/dmalab_exp, read a buffer's info and the module's counters.
 */
#ifndef DMALAB_TESTS_EXP_UTIL_H
#define DMALAB_TESTS_EXP_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dmalab_exp.h>

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

static inline int exp_open(void)
{
	return open(DMALAB_EXP_DEVICE, O_RDWR | O_CLOEXEC);
}

static inline struct dmalab_exp_alloc exp_args(uint64_t len)
{
	struct dmalab_exp_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.len = len;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	a.fd = -1;
	return a;
}

/* The ioctl's errno (0 on success); a->fd holds the new fd. */
static inline int exp_alloc_args(int dev, struct dmalab_exp_alloc *a)
{
	return ioctl(dev, DMALAB_EXP_IOC_ALLOC, a) ? errno : 0;
}

/* A new dma-buf fd of @len bytes, or -errno. */
static inline int exp_alloc(int dev, uint64_t len, uint32_t placement,
			    uint32_t timing, uint32_t flags, uint32_t addr_bits)
{
	struct dmalab_exp_alloc a = exp_args(len);
	int err;

	a.placement = placement;
	a.timing = timing;
	a.flags = flags;
	a.addr_bits = addr_bits;
	err = exp_alloc_args(dev, &a);
	return err ? -err : a.fd;
}

static inline int exp_info(int dev, int fd, struct dmalab_exp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->fd = fd;
	return ioctl(dev, DMALAB_EXP_IOC_INFO, info) ? errno : 0;
}

static inline int exp_info_attach(int dev, int fd, struct dmalab_exp_info *info,
				  struct dmalab_exp_attach_info *ai,
				  unsigned int n)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->fd = fd;
	info->attach_ptr = (uintptr_t)ai;
	info->attach_count = n;
	return ioctl(dev, DMALAB_EXP_IOC_INFO, info) ? errno : 0;
}

static inline int exp_stats(int dev, struct dmalab_exp_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(dev, DMALAB_EXP_IOC_STATS, st) ? errno : 0;
}

/* Nothing of the exporter's is alive beyond what @base had. */
static inline int exp_same_live(const struct dmalab_exp_stats *base,
				const struct dmalab_exp_stats *now)
{
	return base->live_buffers == now->live_buffers &&
	       base->live_bytes == now->live_bytes &&
	       base->live_attachments == now->live_attachments &&
	       base->live_mappings == now->live_mappings &&
	       base->live_vmaps == now->live_vmaps &&
	       base->live_mmaps == now->live_mmaps;
}

/* Whether every byte of [p, p + len) is @c. */
static inline int exp_all_bytes(const void *p, size_t len, unsigned char c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

static inline void *exp_map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

#endif /* DMALAB_TESTS_EXP_UTIL_H */
