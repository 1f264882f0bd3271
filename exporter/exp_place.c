// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp placement: which physical range a device reaches, and which
 * strategy serves a device that attaches (direct, migrate, per-device copy).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <uapi/linux/dmalab_exp.h>

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
 * dmalab_exp_ensure_mem() - allocate a deferred buffer's pages now
 * @buf: the buffer, locked
 *
 * Return: 0 when the buffer has pages, else the allocation's error.
 */
int dmalab_exp_ensure_mem(struct dmalab_exp_buf *buf)
{
	struct dmalab_exp_range range;

	lockdep_assert_held(&buf->lock);
	if (buf->mem.pages)
		return 0;
	dmalab_exp_direct_range(buf, &range);
	return dmalab_exp_mem_alloc(&buf->mem, buf->len >> PAGE_SHIFT,
				    buf->placement == DMALAB_EXP_PLACE_CONTIG,
				    &range);
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
	struct dmalab_exp_mem old = buf->mem, new;
	struct dmalab_exp_attach *a;
	int ret;

	ret = dmalab_exp_mem_alloc(&new, old.nr_pages,
				   buf->placement == DMALAB_EXP_PLACE_CONTIG,
				   range);
	if (ret)
		return ret;
	unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
	dmalab_exp_mem_copy(&new, &old);
	/* Whatever refers to the old pages goes with them. */
	dmalab_exp_kmap_drop(buf);
	list_for_each_entry(a, &buf->attachments, node)
		if (!a->copy)
			dmalab_exp_sgt_drop(a);
	buf->mem = new;
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
