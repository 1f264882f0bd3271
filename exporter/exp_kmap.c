// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp kernel mapping: one contiguous kernel address over a buffer's
 * pages, for dma_buf_vmap().
 *
 * dma_buf_vmap() treats any failure of an exporter's vmap as a bug
 * (WARN_ON_ONCE). The mapping is therefore built where failing is an
 * ordinary error, in begin_cpu_access, which importers call before touching
 * the buffer; vmap then only takes a reference. Once built, the mapping is
 * kept until the pages go (release, migration), so repeated CPU access
 * costs nothing more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <uapi/linux/dmalab_exp.h>

#include "exp.h"

/**
 * dmalab_exp_kmap_prepare() - build the kernel mapping of the buffer's pages
 * @buf: the buffer, locked, with pages
 *
 * A contiguous buffer in low memory is its own mapping (the linear map);
 * other buffers are vmap()ed.
 *
 * Return: 0 or -ENOMEM.
 */
int dmalab_exp_kmap_prepare(struct dmalab_exp_buf *buf)
{
	struct page *first = buf->mem.pages[0];

	lockdep_assert_held(&buf->lock);
	if (buf->vaddr)
		return 0;
	if (buf->mem.nr_segments == 1 && !PageHighMem(first)) {
		buf->vaddr = page_address(first);
		return 0;
	}
	buf->vaddr = vmap(buf->mem.pages, buf->mem.nr_pages, VM_MAP,
			  PAGE_KERNEL);
	if (!buf->vaddr)
		return -ENOMEM;
	return 0;
}

/**
 * dmalab_exp_kmap_drop() - forget the kernel mapping before the pages go
 * @buf: the buffer, locked, with no vmap reference left
 */
void dmalab_exp_kmap_drop(struct dmalab_exp_buf *buf)
{
	lockdep_assert_held(&buf->lock);
	if (WARN_ON_ONCE(buf->vmap_count) || !buf->vaddr)
		return;
	if (is_vmalloc_addr(buf->vaddr))
		vunmap(buf->vaddr);
	buf->vaddr = NULL;
}
