// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp buffer creation: ALLOC's arguments checked, the buffer set up
 * (its pages now, or at the first use) and wrapped in a dma-buf. The ioctl,
 * the DMA-BUF heaps (heap/) and the KUnit suite (kunit/) create buffers
 * through here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>

#include "exp.h"

static int dmalab_exp_check_alloc(const struct dmalab_exp_alloc *args)
{
	if (args->flags & ~DMALAB_EXP_ALLOC_FLAGS ||
	    args->fd_flags & ~(O_CLOEXEC | O_ACCMODE) || args->pad || args->fd ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->placement > DMALAB_EXP_PLACE_CONTIG ||
	    args->timing > DMALAB_EXP_TIMING_DEFERRED)
		return -EINVAL;
	if (args->addr_bits && (args->addr_bits < DMALAB_EXP_ADDR_BITS_MIN ||
				args->addr_bits > DMALAB_EXP_ADDR_BITS_MAX))
		return -EINVAL;
	if (!args->len || !PAGE_ALIGNED(args->len))
		return -EINVAL;
	if (args->len > dmalab_exp_max_len())
		return -E2BIG;
	if (args->placement == DMALAB_EXP_PLACE_CONTIG &&
	    args->len > dmalab_exp_max_contig_len())
		return -E2BIG;
	return 0;
}

static struct dmalab_exp_buf *
dmalab_exp_buf_new(const struct dmalab_exp_alloc *args)
{
	struct dmalab_exp_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->node);
	buf->len = args->len;
	buf->placement = args->placement;
	buf->timing = args->timing;
	buf->flags = args->flags;
	buf->addr_bits = args->addr_bits;
	buf->limit.lo = 0;
	buf->limit.hi = PHYS_ADDR_MAX;
	if (args->addr_bits && args->addr_bits < 64)
		buf->limit.hi = min_t(u64, PHYS_ADDR_MAX,
				      (1ULL << args->addr_bits) - 1);
	if (args->timing == DMALAB_EXP_TIMING_EAGER) {
		ret = dmalab_exp_buf_mem_alloc(buf, &buf->limit, true);
		if (ret) {
			dmalab_exp_buf_free(buf);
			return ERR_PTR(ret);
		}
	}
	return buf;
}

/**
 * dmalab_exp_create() - a new buffer of the exporter, as a dma-buf
 * @args: the arguments of DMALAB_EXP_IOC_ALLOC; @args->fd must be zero.
 *	@args->fd_flags may hold any access mode, as a heap's may (the ioctl
 *	allows O_RDWR only, and checks that itself).
 *
 * Return: the dma-buf (the caller holds its only reference) or an ERR_PTR:
 * -EINVAL for arguments ALLOC refuses, -E2BIG for a length past the caps,
 * an allocation error.
 */
struct dma_buf *dmalab_exp_create(const struct dmalab_exp_alloc *args)
{
	struct dmalab_exp_buf *buf;
	struct dma_buf *dmabuf;
	int ret;

	ret = dmalab_exp_check_alloc(args);
	if (ret)
		return ERR_PTR(ret);
	buf = dmalab_exp_buf_new(args);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	dmabuf = dmalab_exp_buf_export(buf, args->fd_flags);
	if (IS_ERR(dmabuf))
		dmalab_exp_buf_free(buf);
	return dmabuf;
}
EXPORT_SYMBOL_GPL(dmalab_exp_create);
