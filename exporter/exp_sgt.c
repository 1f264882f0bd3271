// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp sg_table building: one table per attachment, its entries cut
 * to the device's max segment size and segment boundary, and the copy of it
 * that the importer gets.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <dmalab/compat.h>

#include "exp.h"

struct dmalab_exp_sgt_walk {
	struct device *dev;
	unsigned int max_seg;
	unsigned long boundary;
	struct scatterlist *sg;
	unsigned int nents;
};

/* Bytes from @addr up to the device's next segment boundary. */
static u64 dmalab_exp_to_boundary(struct dmalab_exp_sgt_walk *w,
				  phys_addr_t addr)
{
	u64 dma = phys_to_dma(w->dev, addr);

	/* The mask is of the form 2^n - 1; all ones means no boundary. */
	if (w->boundary == ULONG_MAX)
		return U64_MAX;
	return ((u64)w->boundary - (dma & w->boundary)) + 1;
}

/* Emit the entries for one physically contiguous run [addr, addr + len). */
static void dmalab_exp_sgt_run(struct dmalab_exp_sgt_walk *w,
			       phys_addr_t addr, u64 len)
{
	while (len) {
		u64 seg = min3(len, (u64)w->max_seg,
			       dmalab_exp_to_boundary(w, addr));

		if (w->sg) {
			sg_set_page(w->sg, pfn_to_page(PHYS_PFN(addr)), seg,
				    offset_in_page(addr));
			w->sg = sg_next(w->sg);
		}
		w->nents++;
		addr += seg;
		len -= seg;
	}
}

static void dmalab_exp_sgt_walk(struct dmalab_exp_sgt_walk *w,
				const struct dmalab_exp_mem *mem)
{
	unsigned int i;

	w->nents = 0;
	for (i = 0; i < mem->nr_segments; i++)
		dmalab_exp_sgt_run(w, mem->runs[i].addr, mem->runs[i].len);
}

/**
 * dmalab_exp_sgt_build() - an sg_table of @mem's pages, fit for @dev
 * @mem: the pages
 * @dev: the device the table will be mapped for
 *
 * Each physically contiguous run of pages is cut so that no entry exceeds
 * dma_get_max_seg_size(@dev) or dma_max_mapping_size(@dev) (what a bounce
 * buffer can take: swiotlb=force, confidential guests) and none crosses
 * dma_get_seg_boundary(@dev). The table is charged to the caller's memory
 * cgroup: a device with small segments makes it large.
 *
 * Return: the table, not DMA-mapped, or an ERR_PTR.
 */
struct sg_table *dmalab_exp_sgt_build(const struct dmalab_exp_mem *mem,
				      struct device *dev)
{
	struct dmalab_exp_sgt_walk w = {
		.dev = dev,
		.max_seg = min_t(size_t, dma_get_max_seg_size(dev),
				 dma_max_mapping_size(dev)),
		.boundary = dma_get_seg_boundary(dev),
	};
	struct sg_table *sgt;
	int ret;

	/* The cuts below would never end. */
	if (!w.max_seg || w.boundary < PAGE_SIZE - 1)
		return ERR_PTR(-EINVAL);
	w.max_seg = round_down(w.max_seg, PAGE_SIZE) ?: w.max_seg;

	dmalab_exp_sgt_walk(&w, mem);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL_ACCOUNT);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(sgt, w.nents, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto free_sgt;
	w.sg = sgt->sgl;
	dmalab_exp_sgt_walk(&w, mem);
	return sgt;

free_sgt:
	kfree(sgt);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(dmalab_exp_sgt_build);

/**
 * dmalab_exp_sgt_free() - free a table from dmalab_exp_sgt_build()
 * @sgt: the table, already DMA-unmapped
 */
void dmalab_exp_sgt_free(struct sg_table *sgt)
{
	sg_free_table(sgt);
	kfree(sgt);
}
EXPORT_SYMBOL_IF_KUNIT(dmalab_exp_sgt_free);

/**
 * dmalab_exp_sgt_drop() - free an attachment's tables, if it has them
 * @a: the attachment, not mapped
 */
void dmalab_exp_sgt_drop(struct dmalab_exp_attach *a)
{
	if (a->sgt_out) {
		dmalab_exp_sgt_free(a->sgt_out);
		a->sgt_out = NULL;
	}
	if (!a->sgt)
		return;
	dmalab_exp_sgt_free(a->sgt);
	a->sgt = NULL;
}

/**
 * dmalab_exp_sgt_hand_out() - the importer's copy of a mapped table
 * @a: the attachment, its @sgt just DMA-mapped
 *
 * With CONFIG_DMABUF_DEBUG the dma-buf core scrambles the page pointers of
 * the table it passes to the importer until the unmap, and syncing a
 * mapping may look at its pages (sg_phys() on non-coherent IOMMU systems):
 * the importer gets a copy and the exporter syncs its own table. Without
 * CONFIG_DMABUF_DEBUG nothing scrambles it: the importer gets @sgt itself.
 *
 * Return: the table to hand out (a copy is kept across maps like @sgt), or
 * an ERR_PTR.
 */
struct sg_table *dmalab_exp_sgt_hand_out(struct dmalab_exp_attach *a)
{
	struct scatterlist *s, *d;
	unsigned int i;
	int ret;

	if (!IS_ENABLED(CONFIG_DMABUF_DEBUG))
		return a->sgt;
	if (!a->sgt_out) {
		a->sgt_out = kzalloc(sizeof(*a->sgt_out), GFP_KERNEL_ACCOUNT);
		if (!a->sgt_out)
			return ERR_PTR(-ENOMEM);
		ret = sg_alloc_table(a->sgt_out, a->sgt->orig_nents,
				     GFP_KERNEL_ACCOUNT);
		if (ret) {
			kfree(a->sgt_out);
			a->sgt_out = NULL;
			return ERR_PTR(ret);
		}
	}
	/* Same length, so the same chaining: entry i is entry i. */
	d = a->sgt_out->sgl;
	for_each_sgtable_sg(a->sgt, s, i) {
		*d = *s;
		d = sg_next(d);
	}
	a->sgt_out->nents = a->sgt->nents;
	return a->sgt_out;
}
