// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp dma_buf_ops.
 *
 * Locking: buf->lock is the innermost lock of the exporter. On 6.12 the
 * dma-buf core calls map/unmap and vmap/vunmap with the dma_resv lock held;
 * on 6.1 some of them without it; mmap without it since 6.5. The exporter
 * never takes the dma_resv lock itself, so both orders reduce to
 * resv -> buf->lock, and the fault handler's mmap_lock -> buf->lock matches
 * the core's mmap_lock -> resv.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
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

static void dmalab_exp_detach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	struct dmalab_exp_attach *a = attachment->priv;

	mutex_lock(&buf->lock);
	dmalab_exp_place_detach(buf, a);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	kfree(a);
	atomic64_dec(&dmalab_exp_counters.live_attachments);
}

static struct sg_table *dmalab_exp_map(struct dma_buf_attachment *attachment,
				       enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = attachment->dmabuf->priv;
	struct sg_table *sgt;

	mutex_lock(&buf->lock);
	sgt = dmalab_exp_place_map(buf, attachment->priv, dir);
	mutex_unlock(&buf->lock);
	return sgt;
}

static void dmalab_exp_unmap(struct dma_buf_attachment *attachment,
			     struct sg_table *sgt,
			     enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = attachment->dmabuf->priv;

	mutex_lock(&buf->lock);
	dmalab_exp_place_unmap(buf, attachment->priv, sgt);
	mutex_unlock(&buf->lock);
}

/*
 * Rules 2 and 4 of the coherence rules (exporter/README.md): the fenced
 * device work first, then the caches, then what a copy-served device wrote.
 * The core waits for the fences too, but only after this callback. Syncs
 * use each mapping's own direction: DMA-API debug rejects a sync in another
 * direction than the mapping's.
 */
static int dmalab_exp_begin_cpu_access(struct dma_buf *dmabuf,
				       enum dma_data_direction dir)
{
	struct dmalab_exp_buf *buf = dmabuf->priv;
	struct dmalab_exp_attach *a;
	long wait;
	int ret;

	wait = dma_resv_wait_timeout(dmabuf->resv,
				     dma_resv_usage_rw(dir != DMA_FROM_DEVICE),
				     true, MAX_SCHEDULE_TIMEOUT);
	if (wait < 0)
		return wait;
	mutex_lock(&buf->lock);
	ret = dmalab_exp_ensure_mem(buf, true);
	if (ret)
		goto unlock;
	invalidate_kernel_vmap_range(buf->vaddr, buf->len);
	list_for_each_entry(a, &buf->attachments, node) {
		if (!a->mapped)
			continue;
		dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dma_dir);
		dmalab_exp_copy_writeback(buf, a);
	}
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/*
 * Rule 3: an access that may have written reaches every mapped copy, the
 * copies of devices that write too (their contents go back over the buffer
 * at the next begin and at unmap); one that only read leaves them alone.
 */
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
		if (dir != DMA_FROM_DEVICE)
			dmalab_exp_copy_refresh(buf, a);
		dma_sync_sgtable_for_device(a->dev, a->sgt, a->dma_dir);
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
	/*
	 * A migration or a deferred allocation can hold the lock for seconds:
	 * a killed task leaves at once, and the fault of one that lives on is
	 * retried (as TTM does).
	 */
	if (mutex_lock_killable(&buf->lock))
		return VM_FAULT_NOPAGE;
	/* Not VM_FAULT_OOM: the fault would be retried for ever. */
	if (dmalab_exp_ensure_mem(buf, true)) {
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
	if (ret == VM_FAULT_NOPAGE)
		atomic64_inc(&dmalab_exp_counters.pte_faults);
	return ret;
}

#ifdef DMALAB_EXP_HUGE_PFNMAP
/*
 * One PMD for a 2 MiB block, where the kernel lets a PFNMAP vma have them
 * (compat.h). The core calls this for a vma THP is allowed for, before it
 * has page tables at that level, but leaves the checks of the range to us
 * (as vfio-pci does them): the 2 MiB around the address must lie in the
 * vma, at an offset into the buffer that is a multiple of 2 MiB (the
 * mapping's address and offset agree modulo 2 MiB), over one physically
 * contiguous, aligned block. Anything else falls back to 4 KiB PTEs. A
 * migration zaps the PMD as it zaps PTEs (unmap_mapping_range()).
 */
static vm_fault_t dmalab_exp_vm_huge_fault(DMALAB_EXP_HUGE_FAULT_ARGS)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dmalab_exp_buf *buf = vma->vm_private_data;
	unsigned long haddr = vmf->address & PMD_MASK;
	unsigned long pgoff, pfn;
	vm_fault_t ret;

	if (!dmalab_exp_huge_fault_is_pmd() || haddr < vma->vm_start ||
	    vma->vm_end - haddr < PMD_SIZE)
		return VM_FAULT_FALLBACK;
	pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);
	if (!IS_ALIGNED(pgoff, DMALAB_EXP_PMD_PAGES))
		return VM_FAULT_FALLBACK;
	/* As the 4 KiB fault: a killed task leaves, a living one retries. */
	if (mutex_lock_killable(&buf->lock))
		return VM_FAULT_NOPAGE;
	if (dmalab_exp_ensure_mem(buf, true)) {
		mutex_unlock(&buf->lock);
		return VM_FAULT_SIGBUS;
	}
	pfn = dmalab_exp_mem_huge_pfn(&buf->mem, pgoff);
	ret = pfn ? dmalab_exp_insert_pfn_pmd(vmf, pfn,
					      vmf->flags & FAULT_FLAG_WRITE) :
		    VM_FAULT_FALLBACK;
	mutex_unlock(&buf->lock);
	if (ret == VM_FAULT_NOPAGE)
		atomic64_inc(&dmalab_exp_counters.pmd_faults);
	return ret;
}
#endif

static const struct vm_operations_struct dmalab_exp_vm_ops = {
	.open = dmalab_exp_vm_open,
	.close = dmalab_exp_vm_close,
	.fault = dmalab_exp_vm_fault,
#ifdef DMALAB_EXP_HUGE_PFNMAP
	.huge_fault = dmalab_exp_vm_huge_fault,
#endif
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
	/*
	 * Fails only for a deferred buffer without pages whose allocation
	 * fails: the core then warns. A killed task does not make it fail.
	 */
	ret = dmalab_exp_ensure_mem(buf, false);
	if (ret)
		goto unlock;
	if (!buf->vmap_count++)
		atomic64_inc(&dmalab_exp_counters.live_vmaps);
	buf->nr_vmap_calls++;
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
	dmalab_exp_buf_free(buf);
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
 * dmalab_exp_buf_free() - free a buffer no dma-buf refers to any more
 * @buf: the buffer: never exported, or its dma-buf released
 *
 * The one teardown of a buffer, for a failed ALLOC as for the release.
 */
void dmalab_exp_buf_free(struct dmalab_exp_buf *buf)
{
	dmalab_exp_buf_mem_free(buf);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

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
