// SPDX-License-Identifier: GPL-2.0
/*
 * Handles, attachments and mappings: the importer side of the dma-buf API.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <dmalab/compat.h>

#include "imp.h"

/* The exporter of this project honours every attachment's limits. */
#define DMALAB_IMP_TRUSTED_EXPORTER "dmalab_exp"

/**
 * dmalab_imp_import() - DMALAB_IMP_IOC_IMPORT
 * @f: calling file, locked
 * @arg: ioctl argument
 *
 * A dma-buf has one file, which every fd of it shares: its mode is the
 * permission of whoever holds the buffer (a read-only dma-buf received over
 * SCM_RIGHTS stays read-only), recorded here for every later write.
 *
 * Return: 0, -EBADF for a closed fd, -EINVAL for a non-dma-buf fd, or
 * another negative errno.
 */
int dmalab_imp_import(struct dmalab_imp_file *f, struct dmalab_imp_import *arg)
{
	struct dmalab_imp_buf *buf;
	struct dma_buf *dmabuf;
	u32 id;
	int ret;

	if (f->n_handles >= DMALAB_IMP_MAX_HANDLES)
		return -EMFILE;
	dmabuf = dma_buf_get(arg->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf) {
		ret = -ENOMEM;
		goto put_dmabuf;
	}
	buf->dmabuf = dmabuf;
	buf->writable = dmabuf->file->f_mode & FMODE_WRITE;
	ret = xa_alloc(&f->handles, &id, buf, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto free_buf;
	buf->id = id;
	f->n_handles++;
	arg->handle = id;
	arg->buf_size = dmabuf->size;
	return 0;

free_buf:
	kfree(buf);
put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

/**
 * dmalab_imp_release() - DMALAB_IMP_IOC_RELEASE
 * @f: calling file, locked
 * @id: handle
 *
 * Return: 0, -ENOENT, or -EBUSY while the handle has attachments.
 */
int dmalab_imp_release(struct dmalab_imp_file *f, u32 id)
{
	struct dmalab_imp_buf *buf = xa_load(&f->handles, id);

	if (!buf)
		return -ENOENT;
	if (buf->n_attach)
		return -EBUSY;
	xa_erase(&f->handles, id);
	f->n_handles--;
	dma_buf_put(buf->dmabuf);
	kfree(buf);
	return 0;
}

/**
 * dmalab_imp_attach() - DMALAB_IMP_IOC_ATTACH
 * @f: calling file, locked
 * @arg: ioctl argument
 *
 * Return: 0, -ENOENT (handle), -ENODEV (device), or the exporter's errno.
 */
int dmalab_imp_attach(struct dmalab_imp_file *f, struct dmalab_imp_attach *arg)
{
	struct dmalab_imp_buf *buf = xa_load(&f->handles, arg->handle);
	struct dma_buf_attachment *attach;
	struct dmalab_imp_dev *idev;
	struct dmalab_imp_att *att;
	u32 id;
	int ret;

	if (!buf)
		return -ENOENT;
	if (f->n_atts >= DMALAB_IMP_MAX_ATTACH)
		return -EMFILE;
	/* The attachment keeps the device in use until it is detached. */
	idev = dmalab_imp_dev_get(f, arg->dev_id);
	if (!idev)
		return -ENODEV;
	att = kzalloc(sizeof(*att), GFP_KERNEL_ACCOUNT);
	if (!att) {
		ret = -ENOMEM;
		goto put_dev;
	}
	attach = dma_buf_attach(buf->dmabuf, idev->dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto free_att;
	}
	att->buf = buf;
	att->idev = idev;
	att->attach = attach;
	att->file = f;
	atomic_set(&att->busy, 0);
	/* A device being removed revokes what it finds listed, or refuses. */
	ret = dmalab_imp_dev_add_att(idev, att);
	if (ret)
		goto detach;
	ret = xa_alloc(&f->atts, &id, att, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto del_att;
	att->id = id;
	f->n_atts++;
	buf->n_attach++;
	arg->attach_id = id;
	return 0;

del_att:
	dmalab_imp_dev_del_att(idev, att);
detach:
	dma_buf_detach(buf->dmabuf, attach);
free_att:
	kfree(att);
put_dev:
	dmalab_imp_dev_put(idev);
	return ret;
}

static void dmalab_imp_do_detach(struct dmalab_imp_file *f,
				 struct dmalab_imp_att *att)
{
	xa_erase(&f->atts, att->id);
	f->n_atts--;
	if (!att->revoked) {
		dmalab_imp_dev_del_att(att->idev, att);
		dma_buf_detach(att->buf->dmabuf, att->attach);
		dmalab_imp_dev_put(att->idev);
	}
	att->buf->n_attach--;
	kfree(att);
}

/**
 * dmalab_imp_detach() - DMALAB_IMP_IOC_DETACH
 * @f: calling file, locked
 * @id: attachment id
 *
 * Return: 0 (also for an attachment revoked by its device's removal), -ENOENT,
 * or -EBUSY while mapped.
 */
int dmalab_imp_detach(struct dmalab_imp_file *f, u32 id)
{
	struct dmalab_imp_att *att = xa_load(&f->atts, id);

	if (!att)
		return -ENOENT;
	if (att->sgt)
		return -EBUSY;
	dmalab_imp_do_detach(f, att);
	return 0;
}

/*
 * Would mapping for @dev break the DMA API's rules? dma-direct WARNs on a
 * page beyond the device's mask or window (the swiotlb pool is no help to
 * a 28-bit device) and DMA-API debugging WARNs on entries longer than the
 * device's max segment or crossing its boundary, which an exporter that
 * ignores the importer's dma_parms produces. So the exporter's table is
 * first read through a mapping for the module's 64-bit probe device, whose
 * DMA addresses dma_to_phys() turns back into physical ones (without the
 * SME/SEV encryption bit; when the probe bounces, swiotlb=force, they are
 * slots of the pool the device's own mapping would bounce through too).
 * That mapping is DMA_TO_DEVICE: only read, and the one kind DMA-API
 * debugging lets overlap a writable mapping of an exporter that maps
 * without DMA_ATTR_SKIP_CPU_SYNC.
 */
static bool dmalab_imp_needs_precheck(struct dmalab_imp_att *att)
{
	struct device *dev = att->idev->dev;
	const char *exp = att->buf->dmabuf->exp_name;

	if (exp && !strcmp(exp, DMALAB_IMP_TRUSTED_EXPORTER))
		return false;
	if (dma_get_max_seg_size(dev) < UINT_MAX ||
	    dma_get_seg_boundary(dev) < ULONG_MAX)
		return true;
	if (dmalab_imp_dev_translated(dev))
		return false;
	return att->idev->has_window ||
	       dma_get_required_mask(dev) > dma_get_mask(dev);
}

/*
 * What dma_capable() says of RAM, written out: from 7.x on that inline
 * calls force_dma_unencrypted(), which modules cannot link against.
 */
static bool dmalab_imp_reaches(struct device *dev, dma_addr_t addr, u64 len)
{
	dma_addr_t end = addr + len - 1;

	if (addr == DMA_MAPPING_ERROR)
		return false;
	return end <= min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
}

static int dmalab_imp_precheck_entry(struct device *dev, bool translated,
				     phys_addr_t phys, u64 len)
{
	u64 boundary = dma_get_seg_boundary(dev);

	if (len > dma_get_max_seg_size(dev) ||
	    ((phys ^ (phys + len - 1)) & ~boundary)) {
		dev_dbg_ratelimited(dev, "segment %pa+%llu breaks its limits\n",
				    &phys, len);
		return -EMSGSIZE;
	}
	if (!translated && !dmalab_imp_reaches(dev, phys_to_dma(dev, phys), len)) {
		dev_dbg_ratelimited(dev, "buffer page %pa out of reach\n",
				    &phys);
		return -ERANGE;
	}
	return 0;
}

static int dmalab_imp_precheck(struct dmalab_imp_att *att)
{
	const enum dma_data_direction dir = DMA_TO_DEVICE;
	struct device *dev = att->idev->dev;
	bool translated = dmalab_imp_dev_translated(dev);
	struct dma_buf_attachment *pa;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret = 0;

	pa = dma_buf_attach(att->buf->dmabuf, dmalab_imp_probe_dev);
	if (IS_ERR(pa))
		return PTR_ERR(pa);
	sgt = dmalab_imp_map_attachment(pa, dir);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		phys_addr_t phys = dma_to_phys(dmalab_imp_probe_dev,
					       sg_dma_address(sg));

		ret = dmalab_imp_precheck_entry(dev, translated, phys,
						sg_dma_len(sg));
		if (ret)
			break;
	}
	dmalab_imp_unmap_attachment(pa, sgt, dir);
detach:
	dma_buf_detach(att->buf->dmabuf, pa);
	return ret;
}

/**
 * dmalab_imp_map() - DMALAB_IMP_IOC_MAP
 * @f: calling file, locked
 * @arg: ioctl argument
 *
 * Return: 0, -ENOENT, -ENODEV once the device is gone, -EACCES for a
 * mapping the device may write (FROM_DEVICE, BIDIR) of a read-only buffer,
 * -EBUSY if already mapped, -ERANGE if the device cannot reach the buffer,
 * -EMSGSIZE if the exporter's entries break the device's segment limits,
 * or the exporter's errno.
 */
int dmalab_imp_map(struct dmalab_imp_file *f, struct dmalab_imp_map *arg)
{
	struct dmalab_imp_att *att = xa_load(&f->atts, arg->attach_id);
	enum dma_data_direction dir;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	if (!att)
		return -ENOENT;
	if (att->revoked)
		return -ENODEV;
	switch (arg->dir) {
	case DMALAB_IMP_DIR_BIDIR:
		dir = DMA_BIDIRECTIONAL;
		break;
	case DMALAB_IMP_DIR_TO_DEVICE:
		dir = DMA_TO_DEVICE;
		break;
	case DMALAB_IMP_DIR_FROM_DEVICE:
		dir = DMA_FROM_DEVICE;
		break;
	default:
		return -EINVAL;
	}
	if (dir != DMA_TO_DEVICE && !att->buf->writable)
		return -EACCES;
	if (att->sgt)
		return -EBUSY;
	if (dmalab_imp_needs_precheck(att)) {
		ret = dmalab_imp_precheck(att);
		if (ret)
			return ret;
	}
	sgt = dmalab_imp_map_attachment(att->attach, dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	att->sgt = sgt;
	att->dir = dir;
	att->dma_len = 0;
	for_each_sgtable_dma_sg(sgt, sg, i)
		att->dma_len += sg_dma_len(sg);
	return 0;
}

static void dmalab_imp_do_unmap(struct dmalab_imp_att *att)
{
	dmalab_imp_unmap_attachment(att->attach, att->sgt, att->dir);
	att->sgt = NULL;
}

/**
 * dmalab_imp_unmap() - DMALAB_IMP_IOC_UNMAP
 * @f: calling file, locked
 * @id: attachment id
 *
 * Return: 0, -ENOENT, -ENODEV once the device is gone (the removal unmapped
 * it), -EBADFD when not mapped, -EBUSY while jobs use it.
 */
int dmalab_imp_unmap(struct dmalab_imp_file *f, u32 id)
{
	struct dmalab_imp_att *att = xa_load(&f->atts, id);

	if (!att)
		return -ENOENT;
	if (att->revoked)
		return -ENODEV;
	if (!att->sgt)
		return -EBADFD;
	if (atomic_read(&att->busy))
		return -EBUSY;
	dmalab_imp_do_unmap(att);
	return 0;
}

static bool dmalab_imp_crosses(u64 addr, u64 len, u64 boundary)
{
	return (addr & ~boundary) != ((addr + len - 1) & ~boundary);
}

static u32 dmalab_imp_entry_viol(struct dmalab_imp_dev *idev, u64 addr,
				 u64 len)
{
	struct device *dev = idev->dev;
	u32 v = 0;

	if (addr + len - 1 > dma_get_mask(dev) || addr + len - 1 < addr)
		v |= DMALAB_IMP_VIOL_MASK;
	if (len > dma_get_max_seg_size(dev))
		v |= DMALAB_IMP_VIOL_SEG_SIZE;
	if (dmalab_imp_crosses(addr, len, dma_get_seg_boundary(dev)))
		v |= DMALAB_IMP_VIOL_BOUNDARY;
	if (idev->has_window &&
	    (addr < idev->win_dma || addr - idev->win_dma >= idev->win_size ||
	     len > idev->win_size - (addr - idev->win_dma)))
		v |= DMALAB_IMP_VIOL_WINDOW;
	return v;
}

static u32 dmalab_imp_progs(u64 len, u32 max_xfer)
{
	return max_xfer ? DIV_ROUND_UP_ULL(len, max_xfer) : 1;
}

/*
 * The entry array's arguments: none at all, or an element size from the
 * 1.0 size of struct dmalab_imp_sg_entry up to SZ_4K (the UAPI's limits).
 */
static int dmalab_imp_sg_check(const struct dmalab_imp_sg_info *arg)
{
	u32 esize = arg->entries_elem_size;

	if (!arg->entries_ptr)
		return arg->entries_cap || esize ? -EINVAL : 0;
	if (esize < offsetofend(struct dmalab_imp_sg_entry, dma_len) ||
	    esize > SZ_4K)
		return -EINVAL;
	return 0;
}

/* Write one entry at @dst, an element of @esize bytes, zero-filling its tail. */
static int dmalab_imp_sg_put(u8 __user *dst, u32 esize, u64 addr, u64 len)
{
	struct dmalab_imp_sg_entry e = {
		.dma_addr = addr,
		.dma_len = len,
	};
	size_t n = min_t(size_t, esize, sizeof(e));

	if (copy_to_user(dst, &e, n))
		return -EFAULT;
	if (esize > n && clear_user(dst + n, esize - n))
		return -EFAULT;
	return 0;
}

/**
 * dmalab_imp_sg_info() - DMALAB_IMP_IOC_SG_INFO
 * @f: calling file, locked
 * @arg: ioctl argument, its output fields zero
 *
 * Callers without CAP_SYS_ADMIN get no DMA addresses for a device outside an
 * IOMMU (they equal physical addresses there, give or take a window offset).
 * Entries are written at a stride of @arg->entries_elem_size.
 *
 * Return: 0, -EINVAL for bad entry array arguments, -ENOENT, -ENODEV once
 * the device is gone, -EBADFD when not mapped, -EPERM for the entry list
 * without CAP_SYS_ADMIN, -EFAULT.
 */
int dmalab_imp_sg_info(struct dmalab_imp_file *f, struct dmalab_imp_sg_info *arg)
{
	u8 __user *out = u64_to_user_ptr(arg->entries_ptr);
	struct dmalab_imp_att *att = xa_load(&f->atts, arg->attach_id);
	u32 esize = arg->entries_elem_size;
	u64 run_len = 0, prev_end = 0;
	struct dmalab_imp_dev *idev;
	struct scatterlist *sg;
	unsigned int i;
	u32 max_xfer;
	int ret;

	ret = dmalab_imp_sg_check(arg);
	if (ret)
		return ret;
	if (!att)
		return -ENOENT;
	if (att->revoked)
		return -ENODEV;
	if (!att->sgt)
		return -EBADFD;
	if (out && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	idev = att->idev;
	max_xfer = idev->max_xfer;
	arg->dma_min = U64_MAX;
	for_each_sgtable_dma_sg(att->sgt, sg, i) {
		u64 addr = sg_dma_address(sg), len = sg_dma_len(sg);
		u32 v;

		if (!len)
			continue;
		arg->nents++;
		arg->total_len += len;
		arg->dma_min = min(arg->dma_min, addr);
		arg->dma_max = max(arg->dma_max, addr + len - 1);
		arg->longest = max(arg->longest, len);
		arg->progs_entries += dmalab_imp_progs(len, max_xfer);
		if (run_len && addr == prev_end) {
			run_len += len;
		} else {
			if (run_len)
				arg->progs_runs += dmalab_imp_progs(run_len,
								    max_xfer);
			arg->runs++;
			run_len = len;
		}
		prev_end = addr + len;
		v = dmalab_imp_entry_viol(idev, addr, len);
		if (v) {
			arg->violations++;
			arg->violation_kinds |= v;
		}
		if (out && arg->entries_count < arg->entries_cap) {
			ret = dmalab_imp_sg_put(out, esize, addr, len);
			if (ret)
				return ret;
			out += esize;
			arg->entries_count++;
		}
	}
	if (run_len)
		arg->progs_runs += dmalab_imp_progs(run_len, max_xfer);
	if (!arg->nents)
		arg->dma_min = 0;
	/* Without an IOMMU, DMA addresses give physical ones away. */
	if (!capable(CAP_SYS_ADMIN) && !dmalab_imp_dev_translated(idev->dev)) {
		arg->dma_min = 0;
		arg->dma_max = 0;
		arg->flags |= DMALAB_IMP_SG_ADDR_HIDDEN;
	}
	arg->dir = att->dir == DMA_BIDIRECTIONAL ? DMALAB_IMP_DIR_BIDIR :
		   att->dir == DMA_TO_DEVICE ? DMALAB_IMP_DIR_TO_DEVICE :
					       DMALAB_IMP_DIR_FROM_DEVICE;
	return 0;
}

/**
 * dmalab_imp_att_revoke() - undo an attachment whose device is being removed
 * @att: attachment, its file locked, already off the device's list, no job
 *	in flight on the device
 *
 * Unmaps and detaches now, rather than wait for the file to: the id stays
 * until DETACH or close, and other operations naming it fail with -ENODEV.
 */
void dmalab_imp_att_revoke(struct dmalab_imp_att *att)
{
	if (att->sgt)
		dmalab_imp_do_unmap(att);
	dma_buf_detach(att->buf->dmabuf, att->attach);
	att->attach = NULL;
	dmalab_imp_dev_put(att->idev);
	att->idev = NULL;
	att->revoked = true;
}

/**
 * dmalab_imp_att_free_orphan() - free an attachment left by a closed file
 * @att: orphan, off its device's list, the device's DMA stopped
 *
 * Its handle goes with its last attachment. Removals, the only callers,
 * are serialised by the PCI core.
 */
void dmalab_imp_att_free_orphan(struct dmalab_imp_att *att)
{
	struct dmalab_imp_buf *buf = att->buf;

	dmalab_imp_att_revoke(att);
	if (!--buf->n_attach) {
		dma_buf_put(buf->dmabuf);
		kfree(buf);
	}
	kfree(att);
}

/*
 * Still busy with no job in flight: a wedged engine may write through the
 * mapping. Leave it mapped and attached, with its handle, to the device,
 * whose removal frees it once the device's DMA is stopped.
 */
static void dmalab_imp_orphan(struct dmalab_imp_file *f,
			      struct dmalab_imp_att *att)
{
	xa_erase(&f->atts, att->id);
	f->n_atts--;
	dmalab_imp_dev_orphan_att(att->idev, att);
}

/**
 * dmalab_imp_release_all() - drop everything a closing file holds
 * @f: file, locked, without jobs in flight
 *
 * Unmap, detach, put, in that order, except what a wedged engine may use.
 */
void dmalab_imp_release_all(struct dmalab_imp_file *f)
{
	struct dmalab_imp_att *att;
	struct dmalab_imp_buf *buf;
	unsigned long id;

	xa_for_each(&f->atts, id, att)
		if (att->sgt && !atomic_read(&att->busy))
			dmalab_imp_do_unmap(att);
	xa_for_each(&f->atts, id, att) {
		if (att->sgt)
			dmalab_imp_orphan(f, att);
		else
			dmalab_imp_do_detach(f, att);
	}
	xa_for_each(&f->handles, id, buf) {
		xa_erase(&f->handles, id);
		if (buf->n_attach)
			continue;	/* its orphans hold it */
		dma_buf_put(buf->dmabuf);
		kfree(buf);
	}
	f->n_handles = 0;
}
