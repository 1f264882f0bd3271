// SPDX-License-Identifier: GPL-2.0
/*
 * Registry of the devices buffers can be attached to: edu devices (shared
 * by every file) and simulated devices (visible to their creating file).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "imp.h"

static DEFINE_MUTEX(dmalab_imp_devs_lock);
static LIST_HEAD(dmalab_imp_devs);
static DEFINE_IDA(dmalab_imp_dev_ids);

/*
 * The list's order, which DEV_LIST reports: edu devices by PCI address (the
 * names of PCI devices sort that way), then simulated devices as created.
 */
static bool dmalab_imp_dev_before(struct dmalab_imp_dev *a,
				  struct dmalab_imp_dev *b)
{
	if (a->kind != DMALAB_IMP_KIND_EDU)
		return false;
	return b->kind != DMALAB_IMP_KIND_EDU ||
	       strcmp(dev_name(a->dev), dev_name(b->dev)) < 0;
}

/**
 * dmalab_imp_dev_register() - give a device an id and make it visible
 * @idev: device, with @kind, @dev and @owner set
 *
 * Return: 0 or a negative errno.
 */
int dmalab_imp_dev_register(struct dmalab_imp_dev *idev)
{
	struct dmalab_imp_dev *pos;
	int id;

	id = ida_alloc_min(&dmalab_imp_dev_ids, 1, GFP_KERNEL);
	if (id < 0)
		return id;
	idev->id = id;
	mutex_lock(&dmalab_imp_devs_lock);
	list_for_each_entry(pos, &dmalab_imp_devs, node)
		if (dmalab_imp_dev_before(idev, pos))
			break;
	list_add_tail(&idev->node, &pos->node);
	mutex_unlock(&dmalab_imp_devs_lock);
	return 0;
}

/**
 * dmalab_imp_dev_add_att() - list an attachment on its device
 * @idev: the device
 * @att: new attachment, its file locked
 *
 * Return: 0, or -ENODEV when the device is being removed.
 */
int dmalab_imp_dev_add_att(struct dmalab_imp_dev *idev,
			   struct dmalab_imp_att *att)
{
	int ret = 0;

	mutex_lock(&idev->att_lock);
	if (READ_ONCE(idev->dead))
		ret = -ENODEV;
	else
		list_add_tail(&att->dev_node, &idev->atts);
	mutex_unlock(&idev->att_lock);
	return ret;
}

/**
 * dmalab_imp_dev_del_att() - unlist an attachment being detached
 * @idev: the device
 * @att: attachment, its file locked
 */
void dmalab_imp_dev_del_att(struct dmalab_imp_dev *idev,
			    struct dmalab_imp_att *att)
{
	mutex_lock(&idev->att_lock);
	list_del(&att->dev_node);
	mutex_unlock(&idev->att_lock);
}

/**
 * dmalab_imp_dev_orphan_att() - leave an attachment to its device
 * @idev: the device, wedged
 * @att: attachment still mapped, its file closing and locked
 */
void dmalab_imp_dev_orphan_att(struct dmalab_imp_dev *idev,
			       struct dmalab_imp_att *att)
{
	mutex_lock(&idev->att_lock);
	att->file = NULL;
	mutex_unlock(&idev->att_lock);
}

/*
 * Unmap and detach every attachment to @idev, file by file under each
 * file's lock (its ioctls use them under it), and free the orphans. The
 * file is held across the unlocked gap; a closing file detaches its own
 * attachments meanwhile.
 */
static void dmalab_imp_dev_revoke_atts(struct dmalab_imp_dev *idev)
{
	struct dmalab_imp_att *att, *tmp;
	struct dmalab_imp_file *f;
	LIST_HEAD(revoke);

	for (;;) {
		mutex_lock(&idev->att_lock);
		att = list_first_entry_or_null(&idev->atts,
					       struct dmalab_imp_att, dev_node);
		f = att ? att->file : NULL;
		if (f)
			dmalab_imp_file_get(f);
		else if (att)
			list_del_init(&att->dev_node);
		mutex_unlock(&idev->att_lock);
		if (!att)
			return;
		if (!f) {
			dmalab_imp_att_free_orphan(att);
			continue;
		}

		mutex_lock(&f->lock);
		mutex_lock(&idev->att_lock);
		list_for_each_entry_safe(att, tmp, &idev->atts, dev_node)
			if (att->file == f)
				list_move_tail(&att->dev_node, &revoke);
		mutex_unlock(&idev->att_lock);
		list_for_each_entry_safe(att, tmp, &revoke, dev_node) {
			list_del_init(&att->dev_node);
			dmalab_imp_att_revoke(att);
		}
		mutex_unlock(&f->lock);
		dmalab_imp_file_put(f);
	}
}

/**
 * dmalab_imp_dev_unregister() - remove a device from the registry
 * @idev: registered device
 *
 * A device can go while buffers are attached to it (PCI remove, hot
 * unplug): it is taken off the list, so that lookups fail with -ENODEV,
 * its jobs end (-ENODEV), and its attachments are revoked, whichever
 * process holds them, the caller included. Returns once nothing uses the
 * device (lookups in progress are short), in bounded time; its id is free
 * only then.
 */
void dmalab_imp_dev_unregister(struct dmalab_imp_dev *idev)
{
	mutex_lock(&dmalab_imp_devs_lock);
	list_del(&idev->node);
	mutex_unlock(&dmalab_imp_devs_lock);
	dmalab_imp_dev_kill_jobs(idev);
	/* Even a wedged engine can no longer touch what is unmapped next. */
	if (idev->ops->quiesce)
		idev->ops->quiesce(idev);
	dmalab_imp_dev_revoke_atts(idev);
	wait_event(dmalab_imp_idle_wq, !atomic_read(&idev->n_users));
	ida_free(&dmalab_imp_dev_ids, idev->id);
}

static bool dmalab_imp_dev_visible(struct dmalab_imp_dev *idev,
				   struct dmalab_imp_file *f)
{
	return !idev->owner || idev->owner == f;
}

/**
 * dmalab_imp_dev_get() - look up a device visible to a file and use it
 * @f: the file asking
 * @id: device id
 *
 * The device stays until dmalab_imp_dev_put(): an edu device being removed
 * waits for it (dmalab_imp_dev_unregister()), so hold it only briefly
 * outside an attachment.
 *
 * Return: the device or NULL.
 */
struct dmalab_imp_dev *dmalab_imp_dev_get(struct dmalab_imp_file *f, u32 id)
{
	struct dmalab_imp_dev *idev, *found = NULL;

	mutex_lock(&dmalab_imp_devs_lock);
	list_for_each_entry(idev, &dmalab_imp_devs, node) {
		if (idev->id == id && dmalab_imp_dev_visible(idev, f)) {
			atomic_inc(&idev->n_users);
			found = idev;
			break;
		}
	}
	mutex_unlock(&dmalab_imp_devs_lock);
	return found;
}

/**
 * dmalab_imp_dev_put() - stop using a device from dmalab_imp_dev_get()
 * @idev: the device
 */
void dmalab_imp_dev_put(struct dmalab_imp_dev *idev)
{
	if (atomic_dec_and_test(&idev->n_users))
		wake_up_all(&dmalab_imp_idle_wq);
}

/**
 * dmalab_imp_dev_list() - DMALAB_IMP_IOC_DEV_LIST
 * @f: calling file
 * @arg: ioctl argument
 *
 * Return: 0 or a negative errno.
 */
int dmalab_imp_dev_list(struct dmalab_imp_file *f,
			struct dmalab_imp_dev_list *arg)
{
	u32 __user *ids = u64_to_user_ptr(arg->ids_ptr);
	u32 cap = ids ? min(arg->count, DMALAB_IMP_MAX_DEV_IDS) : 0;
	struct dmalab_imp_dev *idev;
	u32 *kids = NULL, n = 0;
	int ret = 0;

	/* Copied out after the lock: a faulting page must not stall others. */
	if (cap) {
		kids = kcalloc(cap, sizeof(*kids), GFP_KERNEL);
		if (!kids)
			return -ENOMEM;
	}
	mutex_lock(&dmalab_imp_devs_lock);
	list_for_each_entry(idev, &dmalab_imp_devs, node) {
		if (!dmalab_imp_dev_visible(idev, f))
			continue;
		if (n < cap)
			kids[n] = idev->id;
		n++;
	}
	mutex_unlock(&dmalab_imp_devs_lock);
	if (cap && copy_to_user(ids, kids, min(n, cap) * sizeof(*kids)))
		ret = -EFAULT;
	kfree(kids);
	arg->count = n;
	return ret;
}

/**
 * dmalab_imp_dev_translated() - does DMA of @dev go through an IOMMU?
 * @dev: device
 *
 * Return: true when the device's DMA addresses are IOVAs, not physical.
 */
bool dmalab_imp_dev_translated(struct device *dev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	return dom && dom->type != IOMMU_DOMAIN_IDENTITY &&
	       dom->type != IOMMU_DOMAIN_BLOCKED;
}

/**
 * dmalab_imp_dev_info() - DMALAB_IMP_IOC_DEV_INFO
 * @f: calling file
 * @arg: ioctl argument
 *
 * Return: 0 or -ENOENT.
 */
int dmalab_imp_dev_info(struct dmalab_imp_file *f,
			struct dmalab_imp_dev_info *arg)
{
	struct dmalab_imp_dev *idev = dmalab_imp_dev_get(f, arg->dev_id);
	struct device *dev;
	u64 mask;

	if (!idev)
		return -ENOENT;
	dev = idev->dev;
	mask = dma_get_mask(dev);
	arg->kind = idev->kind;
	strscpy(arg->name, dev_name(dev), sizeof(arg->name));
	arg->dma_mask = mask;
	arg->coherent_dma_mask = dev->coherent_dma_mask;
	arg->seg_boundary_mask = dma_get_seg_boundary(dev);
	arg->max_seg_size = dma_get_max_seg_size(dev);
	arg->dev_flags = 0;
	if (dmalab_imp_dev_translated(dev))
		arg->dev_flags |= DMALAB_IMP_DEV_IOMMU;
	if (idev->has_window)
		arg->dev_flags |= DMALAB_IMP_DEV_WINDOW;
	if (idev->stall)
		arg->dev_flags |= DMALAB_IMP_DEV_STALL;
	arg->win_phys_start = idev->win_phys;
	arg->win_dma_start = idev->win_dma;
	arg->win_size = idev->win_size;
	arg->max_xfer = idev->max_xfer;
	arg->dma_mask_bits = mask ? fls64(mask) : 0;
	dmalab_imp_dev_put(idev);
	return 0;
}
