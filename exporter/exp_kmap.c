// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp kernel mapping: one contiguous kernel address over a buffer's
 * pages, for dma_buf_vmap().
 *
 * dma_buf_vmap() treats any failure of an exporter's vmap as a bug
 * (WARN_ON_ONCE). The mapping is therefore built with the pages, where
 * failing is an ordinary error (ALLOC, the first map, fault or CPU access
 * of a deferred buffer, a migration), and kept as long as they are: vmap
 * of a buffer with pages only takes a reference and cannot fail.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <uapi/linux/dmalab_exp.h>

#include "exp.h"

/**
 * dmalab_exp_kmap_new() - a contiguous kernel mapping of some pages
 * @mem: the pages
 *
 * A contiguous block in low memory is its own mapping (the linear map);
 * other pages are vmap()ed.
 *
 * Return: the kernel address, or NULL when out of memory.
 */
void *dmalab_exp_kmap_new(const struct dmalab_exp_mem *mem)
{
	struct page *first = mem->pages[0];

	if (mem->nr_segments == 1 && !PageHighMem(first))
		return page_address(first);
	return vmap(mem->pages, mem->nr_pages, VM_MAP, PAGE_KERNEL);
}

/**
 * dmalab_exp_kmap_free() - undo dmalab_exp_kmap_new()
 * @vaddr: its result, or NULL
 */
void dmalab_exp_kmap_free(void *vaddr)
{
	if (is_vmalloc_addr(vaddr))
		vunmap(vaddr);
}
