// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp dma_buf_ops.
 *
 * Locking: buf->lock is the innermost lock of the exporter. On 6.12 the
 * dma-buf core calls map/unmap, vmap/vunmap and mmap with the dma_resv lock
 * held; on 6.1 some of them without it. The exporter never takes the
 * dma_resv lock itself, so both orders reduce to resv -> buf->lock, and the
 * fault handler's mmap_lock -> buf->lock matches the core's mmap_lock -> resv.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>

#include "exp.h"

static int dmalab_exp_attach(struct dma_buf *dmabuf,
			     struct dma_buf_attachment *attachment)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	struct dmalab_exp_attach *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attachment->dev;
	dmalab_exp_dev_reach(a->dev, &a->reach, &a->translated);

	mutex_lock(&buf->lock);
	ret = dmalab_exp_place_attach(buf, a);
	if (!ret)
		list_add_tail(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	if (ret) {
		dev_dbg(a->dev, "attach refused: %d\n", ret);
		kfree(a);
		return ret;
	}
	attachment->priv = a;
	atomic64_inc(&dmalab_exp_counters.live_attachments);
	return 0;
}

/*
 * Maps and unmaps skip the DMA layer's implicit cache maintenance and do it
 * with explicit syncs instead: the same work, but DMA-API debugging then
 * accepts what dma-bufs are for, several devices mapping the same pages
 * (it reports overlapping mappings that sync on their own).
 */
static void dmalab_exp_unmap_locked(struct dmalab_exp_buf *buf,
				    struct dmalab_exp_attach *a)
{
	dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dir);
	dma_unmap_sgtable(a->dev, a->sgt, a->dir, DMA_ATTR_SKIP_CPU_SYNC);
	/* The device may have written its copy: bring that back. */
	if (a->copy && a->dir != DMA_TO_DEVICE) {
		dmalab_exp_mem_copy(&buf->mem, &a->copy_mem);
		buf->nr_copy_out++;
	}
	/* The table stays for the next map, as long as the pages do. */
	a->mapped = false;
	atomic64_dec(&dmalab_exp_counters.live_mappings);
}

static void dmalab_exp_detach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	struct dmalab_exp_attach *a = attachment->priv;

	mutex_lock(&buf->lock);
	/* An importer that forgot to unmap must not leak the mapping. */
	if (a->mapped)
		dmalab_exp_unmap_locked(buf, a);
	dmalab_exp_sgt_drop(a);
	list_del(&a->node);
	dmalab_exp_mem_free(&a->copy_mem);
	mutex_unlock(&buf->lock);
	kfree(a);
	atomic64_dec(&dmalab_exp_counters.live_attachments);
}

/* A device served by a copy gets it allocated and filled at map time. */
static int dmalab_exp_copy_in(struct dmalab_exp_buf *buf,
			      struct dmalab_exp_attach *a)
{
	int ret;

	if (!a->copy_mem.pages) {
		ret = dmalab_exp_mem_alloc(&a->copy_mem, buf->mem.nr_pages,
					   buf->placement ==
					   DMALAB_EXP_PLACE_CONTIG,
					   &a->reach);
		if (ret)
			return ret;
	}
	dmalab_exp_mem_copy(&a->copy_mem, &buf->mem);
	buf->nr_copy_in++;
	return 0;
}

static struct sg_table *dmalab_exp_map(struct dma_buf_attachment *attachment,
				       enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = attachment->dmabuf->priv;
	struct dmalab_exp_attach *a = attachment->priv;
	bool fresh_mem, fresh_copy, fresh_sgt;
	struct sg_table *out;
	int ret;

	mutex_lock(&buf->lock);
	/*
	 * A failed map leaves the buffer as it found it: memory this call
	 * allocates (deferred placement, a device's copy) is given back.
	 * Nothing else can hold it: every user of the pages takes buf->lock.
	 */
	fresh_mem = !buf->mem.pages;
	fresh_copy = a->copy && !a->copy_mem.pages;
	fresh_sgt = !a->sgt;
	/* One live mapping per attachment: its table is what we sync. */
	ret = a->mapped ? -EBUSY : dmalab_exp_ensure_mem(buf);
	if (ret)
		goto unlock;
	if (a->copy) {
		ret = dmalab_exp_copy_in(buf, a);
		if (ret)
			goto free_fresh;
	}
	if (fresh_sgt) {
		a->sgt = dmalab_exp_sgt_build(a->copy ? &a->copy_mem :
					      &buf->mem, a->dev);
		if (IS_ERR(a->sgt)) {
			ret = PTR_ERR(a->sgt);
			a->sgt = NULL;
			goto free_fresh;
		}
	}
	/*
	 * Several devices may map one buffer at once: DMA-API debug tracks
	 * the cachelines of mappings made with a CPU sync and reports
	 * overlaps, so map without one and sync explicitly.
	 */
	ret = dma_map_sgtable(a->dev, a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto free_sgt;
	out = dmalab_exp_sgt_hand_out(a);
	if (IS_ERR(out)) {
		ret = PTR_ERR(out);
		goto unmap_sgt;
	}
	dma_sync_sgtable_for_device(a->dev, a->sgt, dir);
	a->mapped = true;
	a->dir = dir;
	atomic64_inc(&dmalab_exp_counters.live_mappings);
	mutex_unlock(&buf->lock);
	return out;

unmap_sgt:
	dma_unmap_sgtable(a->dev, a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
free_sgt:
	if (fresh_sgt)
		dmalab_exp_sgt_drop(a);
free_fresh:
	if (fresh_copy)
		dmalab_exp_mem_free(&a->copy_mem);
	if (fresh_mem)
		dmalab_exp_mem_free(&buf->mem);
unlock:
	mutex_unlock(&buf->lock);
	return ERR_PTR(ret);
}

static void dmalab_exp_unmap(struct dma_buf_attachment *attachment,
			     struct sg_table *sgt,
			     enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = attachment->dmabuf->priv;
	struct dmalab_exp_attach *a = attachment->priv;

	mutex_lock(&buf->lock);
	if (a->mapped && sgt == (a->sgt_out ?: a->sgt))
		dmalab_exp_unmap_locked(buf, a);
	else
		dev_warn(a->dev, "unmap of a table this attachment does not hold\n");
	mutex_unlock(&buf->lock);
}

/*
 * Pages and kernel mapping for CPU access, made here or in vmap; a failure
 * gives back the pages this call allocated.
 */
static int dmalab_exp_cpu_prepare(struct dmalab_exp_buf *buf)
{
	bool fresh_mem = !buf->mem.pages;
	int ret;

	ret = dmalab_exp_ensure_mem(buf);
	if (ret)
		return ret;
	ret = dmalab_exp_kmap_prepare(buf);
	if (ret && fresh_mem)
		dmalab_exp_mem_free(&buf->mem);
	return ret;
}

/*
 * Syncs use each mapping's own direction: DMA-API debug rejects a sync in
 * another direction than the mapping's.
 */
static int dmalab_exp_begin_cpu_access(struct dma_buf *dmabuf,
				       enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	struct dmalab_exp_attach *a;
	int ret;

	mutex_lock(&buf->lock);
	ret = dmalab_exp_cpu_prepare(buf);
	if (ret)
		goto unlock;
	invalidate_kernel_vmap_range(buf->vaddr, buf->len);
	list_for_each_entry(a, &buf->attachments, node) {
		if (!a->mapped)
			continue;
		dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dir);
		if (a->copy && a->dir != DMA_TO_DEVICE) {
			dmalab_exp_mem_copy(&buf->mem, &a->copy_mem);
			buf->nr_copy_out++;
		}
	}
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

static int dmalab_exp_end_cpu_access(struct dma_buf *dmabuf,
				     enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	struct dmalab_exp_attach *a;

	mutex_lock(&buf->lock);
	if (buf->vaddr)
		flush_kernel_vmap_range(buf->vaddr, buf->len);
	list_for_each_entry(a, &buf->attachments, node) {
		if (!a->mapped)
			continue;
		if (a->copy && a->dir != DMA_FROM_DEVICE) {
			dmalab_exp_mem_copy(&a->copy_mem, &buf->mem);
			buf->nr_copy_in++;
		}
		dma_sync_sgtable_for_device(a->dev, a->sgt, a->dir);
	}
	mutex_unlock(&buf->lock);
	return 0;
}

static void dmalab_exp_vm_open(struct vm_area_struct *vma)
{
	struct dmalab_exp_buf *buf = vma->vm_private_data;

	mutex_lock(&buf->lock);
	buf->nr_mmaps++;
	mutex_unlock(&buf->lock);
	atomic64_inc(&dmalab_exp_counters.live_mmaps);
}

static void dmalab_exp_vm_close(struct vm_area_struct *vma)
{
	struct dmalab_exp_buf *buf = vma->vm_private_data;

	mutex_lock(&buf->lock);
	buf->nr_mmaps--;
	mutex_unlock(&buf->lock);
	atomic64_dec(&dmalab_exp_counters.live_mmaps);
}

/* Pages a fault maps ahead of the faulting one, as TTM does: 64 KiB. */
#define DMALAB_EXP_FAULT_AHEAD	16

/*
 * Pages are inserted at fault time, not at mmap time, so that a migration
 * can zap the mapping and the next access finds the new pages. A fault
 * also maps the next few pages, sparing sequential access most faults.
 */
static vm_fault_t dmalab_exp_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dmalab_exp_buf *buf = vma->vm_private_data;
	unsigned long nr_pages = buf->len >> PAGE_SHIFT;
	unsigned long addr = vmf->address, pgoff = vmf->pgoff, end;
	vm_fault_t ret;

	if (pgoff >= nr_pages)
		return VM_FAULT_SIGBUS;
	end = min3(pgoff + DMALAB_EXP_FAULT_AHEAD, nr_pages,
		   pgoff + ((vma->vm_end - addr) >> PAGE_SHIFT));
	mutex_lock(&buf->lock);
	/* Not VM_FAULT_OOM: the fault would be retried for ever. */
	if (dmalab_exp_ensure_mem(buf)) {
		mutex_unlock(&buf->lock);
		return VM_FAULT_SIGBUS;
	}
	ret = vmf_insert_pfn(vma, addr, page_to_pfn(buf->mem.pages[pgoff]));
	/* Ahead: best effort; pages mapped already are passed over. */
	while (ret == VM_FAULT_NOPAGE && ++pgoff < end) {
		addr += PAGE_SIZE;
		if (vmf_insert_pfn(vma, addr,
				   page_to_pfn(buf->mem.pages[pgoff])) &
		    VM_FAULT_ERROR)
			break;
	}
	mutex_unlock(&buf->lock);
	return ret;
}

static const struct vm_operations_struct dmalab_exp_vm_ops = {
	.open = dmalab_exp_vm_open,
	.close = dmalab_exp_vm_close,
	.fault = dmalab_exp_vm_fault,
};

static int dmalab_exp_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	unsigned long pages = buf->len >> PAGE_SHIFT;

	/*
	 * A private mapping would copy-on-write away from the buffer. (A shared
	 * mapping of a read-only file has VM_MAYSHARE without VM_SHARED.)
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	dmalab_exp_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &dmalab_exp_vm_ops;
	vma->vm_private_data = buf;
	dmalab_exp_vm_open(vma);
	return 0;
}

static int dmalab_exp_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	int ret;

	mutex_lock(&buf->lock);
	/* Cannot fail after begin_cpu_access: the mapping exists then. */
	ret = dmalab_exp_cpu_prepare(buf);
	if (ret)
		goto unlock;
	if (!buf->vmap_count++)
		atomic64_inc(&dmalab_exp_counters.live_vmaps);
	iosys_map_set_vaddr(map, buf->vaddr);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

static void dmalab_exp_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	/* The mapping itself stays for the next access (exp_kmap.c). */
	if (!--buf->vmap_count)
		atomic64_dec(&dmalab_exp_counters.live_vmaps);
	mutex_unlock(&buf->lock);
	iosys_map_clear(map);
}

static void dmalab_exp_release(struct dma_buf *dmabuf)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;

	dmalab_exp_list_del(buf);
	mutex_lock(&buf->lock);
	dmalab_exp_kmap_drop(buf);
	dmalab_exp_mem_free(&buf->mem);
	mutex_unlock(&buf->lock);
	mutex_destroy(&buf->lock);
	kfree(buf);
	atomic64_dec(&dmalab_exp_counters.live_buffers);
}

const struct dma_buf_ops dmalab_exp_dmabuf_ops = {
	.attach = dmalab_exp_attach,
	.detach = dmalab_exp_detach,
	.map_dma_buf = dmalab_exp_map,
	.unmap_dma_buf = dmalab_exp_unmap,
	.begin_cpu_access = dmalab_exp_begin_cpu_access,
	.end_cpu_access = dmalab_exp_end_cpu_access,
	.mmap = dmalab_exp_mmap,
	.vmap = dmalab_exp_vmap,
	.vunmap = dmalab_exp_vunmap,
	.release = dmalab_exp_release,
};

/**
 * dmalab_exp_buf_export() - wrap a set-up buffer in a dma-buf
 * @buf: the buffer; owned by the dma-buf on success
 * @fd_flags: O_RDWR for a writable dma-buf file
 *
 * The dma-buf holds a reference to this module (exp_info.owner) until it is
 * released, so the module cannot be unloaded under a live buffer.
 *
 * Return: the dma-buf or an ERR_PTR; @buf is not freed on failure.
 */
struct dma_buf *dmalab_exp_buf_export(struct dmalab_exp_buf *buf,
				      u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	exp_info.ops = &dmalab_exp_dmabuf_ops;
	exp_info.size = buf->len;
	exp_info.flags = fd_flags & O_ACCMODE;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		return dmabuf;
	buf->dmabuf = dmabuf;
	/* The file's inode goes before release takes the buffer off the list. */
	buf->ino = file_inode(dmabuf->file)->i_ino;
	atomic64_inc(&dmalab_exp_counters.live_buffers);
	atomic64_inc(&dmalab_exp_counters.total_buffers);
	dmalab_exp_list_add(buf);
	return dmabuf;
}
