// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp placement: which physical range a device reaches, which
 * strategy serves a device that attaches (direct, migrate, per-device copy),
 * and the device mapping built on that choice and undone here too: pages,
 * the device's copy, its sg_table and the DMA mapping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>

#include "exp.h"

static void dmalab_exp_range_clip(struct dmalab_exp_range *r,
				  const struct dmalab_exp_range *by)
{
	r->lo = max(r->lo, by->lo);
	r->hi = min(r->hi, by->hi);
}

static bool dmalab_exp_range_empty(const struct dmalab_exp_range *r)
{
	return r->lo > r->hi;
}

/* DMA through a translating IOMMU reaches any page: the IOVA is what the
 * mask limits, and the DMA layer allocates it accordingly.
 */
static bool dmalab_exp_dev_translated(struct device *dev)
{
	struct iommu_domain *domain;

	if (!device_iommu_mapped(dev))
		return false;
	domain = iommu_get_domain_for_dev(dev);
	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

/**
 * dmalab_exp_dev_reach() - physical range a device can reach by direct DMA
 * @dev: the device
 * @reach: out: the range (empty when none)
 * @translated: out: whether an IOMMU translates the device's DMA
 *
 * The DMA mask and the bus limit bound the bus address; a dma_range_map
 * (a SoC's bus offset windows) turns bus addresses into CPU physical ones.
 * Of several windows the widest is taken.
 */
void dmalab_exp_dev_reach(struct device *dev, struct dmalab_exp_range *reach,
			  bool *translated)
{
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	const struct bus_dma_region *m;

	*translated = dmalab_exp_dev_translated(dev);
	reach->lo = 0;
	reach->hi = PHYS_ADDR_MAX;
	if (*translated)
		return;
	if (!dev->dma_range_map) {
		reach->hi = min_t(u64, limit, PHYS_ADDR_MAX);
		return;
	}

	reach->lo = 1;
	reach->hi = 0;
	for (m = dev->dma_range_map; m->size; m++) {
		u64 end;

		if (m->dma_start > limit)
			continue;
		end = min_t(u64, m->dma_start + m->size - 1, limit);
		if (end - m->dma_start > reach->hi - reach->lo ||
		    dmalab_exp_range_empty(reach)) {
			reach->lo = m->cpu_start;
			reach->hi = m->cpu_start + (end - m->dma_start);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(dmalab_exp_dev_reach);

/**
 * dmalab_exp_direct_range() - where the buffer's own pages must lie
 * @buf: the buffer, locked
 * @range: out: the address limit intersected with the reach of every
 *	attachment served directly (not by a copy)
 */
void dmalab_exp_direct_range(struct dmalab_exp_buf *buf,
			     struct dmalab_exp_range *range)
{
	struct dmalab_exp_attach *a;

	lockdep_assert_held(&buf->lock);
	*range = buf->limit;
	list_for_each_entry(a, &buf->attachments, node)
		if (!a->copy)
			dmalab_exp_range_clip(range, &a->reach);
}

/**
 * dmalab_exp_buf_mem_alloc() - pages for a buffer and their kernel mapping
 * @buf: the buffer, locked (or not yet shared), without pages
 * @range: where the pages must lie
 * @killable: see dmalab_exp_mem_alloc()
 *
 * Return: 0 or the allocation's error; nothing is kept on failure.
 */
int dmalab_exp_buf_mem_alloc(struct dmalab_exp_buf *buf,
			     const struct dmalab_exp_range *range,
			     bool killable)
{
	struct dmalab_exp_mem mem;
	void *vaddr;
	int ret;

	ret = dmalab_exp_mem_alloc(&mem, buf->len >> PAGE_SHIFT,
				   buf->placement == DMALAB_EXP_PLACE_CONTIG,
				   range, killable);
	if (ret)
		return ret;
	vaddr = dmalab_exp_kmap_new(&mem);
	if (!vaddr) {
		dmalab_exp_mem_free(&mem);
		return -ENOMEM;
	}
	buf->mem = mem;
	buf->vaddr = vaddr;
	return 0;
}

/**
 * dmalab_exp_buf_mem_free() - undo dmalab_exp_buf_mem_alloc()
 * @buf: the buffer, locked (or no longer shared), no vmap reference left
 */
void dmalab_exp_buf_mem_free(struct dmalab_exp_buf *buf)
{
	dmalab_exp_kmap_free(buf->vaddr);
	buf->vaddr = NULL;
	dmalab_exp_mem_free(&buf->mem);
}

/**
 * dmalab_exp_ensure_mem() - allocate a deferred buffer's pages now
 * @buf: the buffer, locked
 * @killable: see dmalab_exp_mem_alloc()
 *
 * Return: 0 when the buffer has pages, else the allocation's error.
 */
int dmalab_exp_ensure_mem(struct dmalab_exp_buf *buf, bool killable)
{
	struct dmalab_exp_range range;

	lockdep_assert_held(&buf->lock);
	if (buf->mem.pages)
		return 0;
	dmalab_exp_direct_range(buf, &range);
	return dmalab_exp_buf_mem_alloc(buf, &range, killable);
}

static bool dmalab_exp_busy(struct dmalab_exp_buf *buf)
{
	struct dmalab_exp_attach *a;

	if (buf->vmap_count)
		return true;
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			return true;
	return false;
}

/*
 * Move the contents to pages inside @range. User mappings are zapped before
 * the copy: a write through them would otherwise land in the old pages after
 * they were copied and be lost. Their next access faults, waits for
 * buf->lock and finds the new pages. Device mappings and vmaps must not
 * exist (the caller checked).
 */
static int dmalab_exp_migrate(struct dmalab_exp_buf *buf,
			      const struct dmalab_exp_range *range)
{
	struct dmalab_exp_mem old = buf->mem;
	void *old_vaddr = buf->vaddr;
	struct dmalab_exp_attach *a;
	int ret;

	ret = dmalab_exp_buf_mem_alloc(buf, range, true);
	if (ret)
		return ret;
	unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
	dmalab_exp_mem_copy(&buf->mem, &old);
	/* Whatever refers to the old pages goes with them. */
	list_for_each_entry(a, &buf->attachments, node)
		if (!a->copy)
			dmalab_exp_sgt_drop(a);
	dmalab_exp_kmap_free(old_vaddr);
	dmalab_exp_mem_free(&old);
	buf->nr_migrations++;
	return 0;
}

/**
 * dmalab_exp_place_attach() - choose how a newly attaching device is served
 * @buf: the buffer, locked
 * @a: the new attachment, not yet on the list, its reach filled in
 *
 * Directly when the pages (or, before allocation, the range they will come
 * from) suit the device; else by migrating, if allowed and nothing is
 * mapped; else by a copy of its own, if allowed.
 *
 * Return: 0 with @a->copy set as chosen, -EBUSY when only a migration
 * could serve the device but a mapping is active, -ERANGE when no strategy
 * can, or the migration's allocation error.
 */
int dmalab_exp_place_attach(struct dmalab_exp_buf *buf,
			    struct dmalab_exp_attach *a)
{
	bool may_copy = buf->flags & DMALAB_EXP_ALLOC_COPY;
	struct dmalab_exp_range range;
	int ret;

	lockdep_assert_held(&buf->lock);
	a->copy = false;
	if (dmalab_exp_range_empty(&a->reach))
		return -ERANGE;
	if (buf->mem.pages && dmalab_exp_mem_within(&buf->mem, &a->reach))
		return 0;

	dmalab_exp_direct_range(buf, &range);
	dmalab_exp_range_clip(&range, &a->reach);
	if (!buf->mem.pages && !dmalab_exp_range_empty(&range))
		return 0;

	if (buf->mem.pages && !dmalab_exp_range_empty(&range) &&
	    (buf->flags & DMALAB_EXP_ALLOC_MIGRATE)) {
		if (dmalab_exp_busy(buf)) {
			ret = -EBUSY;
		} else {
			ret = dmalab_exp_migrate(buf, &range);
			if (!ret)
				return 0;
		}
		if (!may_copy)
			return ret;
	}
	if (!may_copy)
		return -ERANGE;
	a->copy = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dmalab_exp_place_attach);

/* Whether a device mapped in @dir may write the memory. */
static bool dmalab_exp_dir_writes(enum dma_data_direction dir)
{
	return dir != DMA_TO_DEVICE;
}

/*
 * Rule 1 of the coherence rules (exporter/README.md): a copy-served mapping
 * shares the buffer with no other mapping when either of them may write.
 */
static bool dmalab_exp_map_conflicts(struct dmalab_exp_buf *buf,
				     struct dmalab_exp_attach *a,
				     enum dma_data_direction dir)
{
	struct dmalab_exp_attach *o;

	list_for_each_entry(o, &buf->attachments, node)
		if (o != a && o->mapped && (a->copy || o->copy) &&
		    (dmalab_exp_dir_writes(dir) ||
		     dmalab_exp_dir_writes(o->dir)))
			return true;
	return false;
}

/**
 * dmalab_exp_copy_refresh() - bring a copy-served device's copy up to date
 * @buf: the buffer, locked, with pages
 * @a: the attachment; nothing happens unless it is served by a copy
 */
void dmalab_exp_copy_refresh(struct dmalab_exp_buf *buf,
			     struct dmalab_exp_attach *a)
{
	lockdep_assert_held(&buf->lock);
	if (!a->copy)
		return;
	dmalab_exp_mem_copy(&a->copy_mem, &buf->mem);
	buf->nr_copy_in++;
}

/**
 * dmalab_exp_copy_writeback() - bring back what a device wrote in its copy
 * @buf: the buffer, locked, with pages
 * @a: the attachment; nothing happens unless it is served by a copy and
 *	mapped in a direction the device writes in
 *
 * Such a mapping is the buffer's only one (dmalab_exp_map_conflicts()), so
 * the copy holds the contents and nothing else is overwritten.
 */
void dmalab_exp_copy_writeback(struct dmalab_exp_buf *buf,
			       struct dmalab_exp_attach *a)
{
	lockdep_assert_held(&buf->lock);
	if (!a->copy || !dmalab_exp_dir_writes(a->dir))
		return;
	dmalab_exp_mem_copy(&buf->mem, &a->copy_mem);
	buf->nr_copy_out++;
}

/* A device served by a copy gets it allocated and filled at map time. */
static int dmalab_exp_copy_prepare(struct dmalab_exp_buf *buf,
				   struct dmalab_exp_attach *a)
{
	int ret;

	if (!a->copy_mem.pages) {
		ret = dmalab_exp_mem_alloc(&a->copy_mem, buf->mem.nr_pages,
					   buf->placement ==
					   DMALAB_EXP_PLACE_CONTIG,
					   &a->reach, true);
		if (ret)
			return ret;
	}
	dmalab_exp_copy_refresh(buf, a);
	return 0;
}

/* The device's table, built at its first map and kept while the pages are. */
static int dmalab_exp_sgt_ensure(struct dmalab_exp_buf *buf,
				 struct dmalab_exp_attach *a)
{
	struct sg_table *sgt;

	if (a->sgt)
		return 0;
	sgt = dmalab_exp_sgt_build(a->copy ? &a->copy_mem : &buf->mem, a->dev);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	a->sgt = sgt;
	return 0;
}

/**
 * dmalab_exp_place_map() - map a buffer for an attached device
 * @buf: the buffer, locked
 * @a: the attachment, not mapped
 * @dir: the mapping's direction
 *
 * Pages, the device's copy and its table are made here if missing. Maps
 * skip the DMA layer's implicit cache maintenance and sync explicitly
 * instead: the same work, but DMA-API debugging then accepts what dma-bufs
 * are for, several devices mapping the same pages (it reports overlapping
 * mappings that sync on their own). A failure gives back what this call
 * made: nothing else can hold it, every user of the pages takes buf->lock.
 *
 * A device that only writes is mapped DMA_BIDIRECTIONAL all the same: the
 * CPU may write the buffer between its accesses (dma-buf CPU access
 * brackets), and syncing those writes for the device in DMA_FROM_DEVICE
 * would discard them (swiotlb does not bounce them, non-coherent caches
 * invalidate them). Read-only devices stay DMA_TO_DEVICE, read-only in an
 * IOMMU.
 *
 * Return: the table to hand to the importer, or an ERR_PTR: -EINVAL for a
 * direction that is none, -EBUSY when the attachment is mapped already (its
 * table is what we sync) or when the mapping would break the coherence
 * rules of per-device copies.
 */
struct sg_table *dmalab_exp_place_map(struct dmalab_exp_buf *buf,
				      struct dmalab_exp_attach *a,
				      enum dma_data_direction dir)
{
	bool fresh_mem = !buf->mem.pages;
	bool fresh_copy = a->copy && !a->copy_mem.pages;
	bool fresh_sgt = !a->sgt;
	enum dma_data_direction dma_dir;
	struct sg_table *out;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (!valid_dma_direction(dir))
		return ERR_PTR(-EINVAL);
	if (a->mapped || dmalab_exp_map_conflicts(buf, a, dir))
		return ERR_PTR(-EBUSY);
	dma_dir = dir == DMA_FROM_DEVICE ? DMA_BIDIRECTIONAL : dir;
	ret = dmalab_exp_ensure_mem(buf, true);
	if (ret)
		return ERR_PTR(ret);
	ret = (a->copy ? dmalab_exp_copy_prepare(buf, a) : 0) ?:
	      dmalab_exp_sgt_ensure(buf, a);
	if (ret)
		goto free_fresh;
	ret = dma_map_sgtable(a->dev, a->sgt, dma_dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto drop_sgt;
	out = dmalab_exp_sgt_hand_out(a);
	if (IS_ERR(out)) {
		ret = PTR_ERR(out);
		goto unmap_sgt;
	}
	dma_sync_sgtable_for_device(a->dev, a->sgt, dma_dir);
	a->mapped = true;
	a->dir = dir;
	a->dma_dir = dma_dir;
	atomic64_inc(&dmalab_exp_counters.live_mappings);
	return out;

unmap_sgt:
	dma_unmap_sgtable(a->dev, a->sgt, dma_dir, DMA_ATTR_SKIP_CPU_SYNC);
drop_sgt:
	if (fresh_sgt)
		dmalab_exp_sgt_drop(a);
free_fresh:
	if (fresh_copy)
		dmalab_exp_mem_free(&a->copy_mem);
	if (fresh_mem)
		dmalab_exp_buf_mem_free(buf);
	return ERR_PTR(ret);
}

static void dmalab_exp_unmap_locked(struct dmalab_exp_buf *buf,
				    struct dmalab_exp_attach *a)
{
	dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dma_dir);
	dma_unmap_sgtable(a->dev, a->sgt, a->dma_dir, DMA_ATTR_SKIP_CPU_SYNC);
	dmalab_exp_copy_writeback(buf, a);
	/* The table stays for the next map, as long as the pages do. */
	a->mapped = false;
	atomic64_dec(&dmalab_exp_counters.live_mappings);
}

/**
 * dmalab_exp_place_unmap() - undo dmalab_exp_place_map()
 * @buf: the buffer, locked
 * @a: the attachment
 * @sgt: the table the importer was given
 */
void dmalab_exp_place_unmap(struct dmalab_exp_buf *buf,
			    struct dmalab_exp_attach *a, struct sg_table *sgt)
{
	lockdep_assert_held(&buf->lock);
	if (a->mapped && sgt == (a->sgt_out ?: a->sgt))
		dmalab_exp_unmap_locked(buf, a);
	else
		dev_warn(a->dev, "unmap of a table this attachment does not hold\n");
}

/**
 * dmalab_exp_place_detach() - give back all a detaching device held
 * @buf: the buffer, locked
 * @a: the attachment, still on the list
 *
 * An importer that forgot to unmap must not leak the mapping.
 */
void dmalab_exp_place_detach(struct dmalab_exp_buf *buf,
			     struct dmalab_exp_attach *a)
{
	lockdep_assert_held(&buf->lock);
	if (a->mapped)
		dmalab_exp_unmap_locked(buf, a);
	dmalab_exp_sgt_drop(a);
	dmalab_exp_mem_free(&a->copy_mem);
}
