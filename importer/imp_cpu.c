// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel CPU access to imported buffers through dma_buf_vmap(), bracketed by
 * begin/end_cpu_access so that the exporter keeps caches coherent and
 * pending device work (fences) is waited for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iosys-map.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <dmalab/compat.h>

#include "imp.h"

#define DMALAB_IMP_CPU_CHUNK	(64 * 1024)

/**
 * dmalab_imp_fnv() - continue a 64-bit FNV-1a hash
 * @h: hash so far (DMALAB_IMP_FNV_OFFSET to start)
 * @p: bytes
 * @len: number of bytes
 *
 * Return: the updated hash.
 */
u64 dmalab_imp_fnv(u64 h, const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= DMALAB_IMP_FNV_PRIME;
	}
	return h;
}

static int dmalab_imp_cpu_check(struct dmalab_imp_cpu *arg, u64 size)
{
	bool needs_ptr = arg->op == DMALAB_IMP_CPU_READ ||
			 arg->op == DMALAB_IMP_CPU_WRITE;

	if (arg->op < DMALAB_IMP_CPU_READ || arg->op > DMALAB_IMP_CPU_CHECKSUM)
		return -EINVAL;
	if (needs_ptr != !!arg->user_ptr)
		return -EINVAL;
	if (arg->pattern > 0xff ||
	    (arg->pattern && arg->op != DMALAB_IMP_CPU_FILL))
		return -EINVAL;
	if (!arg->len || arg->offset > size || arg->len > size - arg->offset)
		return -EINVAL;
	return 0;
}

static int dmalab_imp_cpu_do(struct iosys_map *map, struct dmalab_imp_cpu *arg,
			     u8 *bounce)
{
	u8 __user *up = u64_to_user_ptr(arg->user_ptr);
	u64 done = 0, h = DMALAB_IMP_FNV_OFFSET;

	while (done < arg->len) {
		size_t n = min_t(u64, arg->len - done, DMALAB_IMP_CPU_CHUNK);
		size_t off = arg->offset + done;

		if (fatal_signal_pending(current))
			return -EINTR;
		switch (arg->op) {
		case DMALAB_IMP_CPU_READ:
			iosys_map_memcpy_from(bounce, map, off, n);
			if (copy_to_user(up + done, bounce, n))
				return -EFAULT;
			break;
		case DMALAB_IMP_CPU_WRITE:
			if (copy_from_user(bounce, up + done, n))
				return -EFAULT;
			iosys_map_memcpy_to(map, off, bounce, n);
			break;
		case DMALAB_IMP_CPU_FILL:
			iosys_map_memset(map, off, arg->pattern, n);
			break;
		case DMALAB_IMP_CPU_CHECKSUM:
			iosys_map_memcpy_from(bounce, map, off, n);
			h = dmalab_imp_fnv(h, bounce, n);
			break;
		}
		done += n;
		cond_resched();
	}
	if (arg->op == DMALAB_IMP_CPU_CHECKSUM)
		arg->checksum = h;
	return 0;
}

/**
 * dmalab_imp_cpu() - DMALAB_IMP_IOC_CPU
 * @f: calling file, locked
 * @arg: ioctl argument
 *
 * Return: 0, -ENOENT, -EINVAL, -EACCES for WRITE or FILL of a read-only
 * buffer, or the exporter's errno for vmap/cpu access.
 */
int dmalab_imp_cpu(struct dmalab_imp_file *f, struct dmalab_imp_cpu *arg)
{
	struct dmalab_imp_buf *buf = xa_load(&f->handles, arg->handle);
	enum dma_data_direction dir;
	struct iosys_map map;
	u8 *bounce;
	int ret, ret2;

	if (!buf)
		return -ENOENT;
	ret = dmalab_imp_cpu_check(arg, buf->dmabuf->size);
	if (ret)
		return ret;
	dir = (arg->op == DMALAB_IMP_CPU_WRITE || arg->op == DMALAB_IMP_CPU_FILL) ?
	      DMA_TO_DEVICE : DMA_FROM_DEVICE;
	if (dir == DMA_TO_DEVICE && !buf->writable)
		return -EACCES;

	bounce = kmalloc(DMALAB_IMP_CPU_CHUNK, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
	/*
	 * Begin CPU access before vmap: an exporter that allocates lazily can
	 * fail cleanly there, while dma_buf_vmap() warns on any failure.
	 */
	ret = dma_buf_begin_cpu_access(buf->dmabuf, dir);
	if (ret)
		goto free_bounce;
	ret = dmalab_imp_vmap(buf->dmabuf, &map);
	if (ret)
		goto end_access;
	ret = dmalab_imp_cpu_do(&map, arg, bounce);
	dmalab_imp_vunmap(buf->dmabuf, &map);
end_access:
	ret2 = dma_buf_end_cpu_access(buf->dmabuf, dir);
	if (!ret)
		ret = ret2;
free_bounce:
	kfree(bounce);
	return ret;
}
