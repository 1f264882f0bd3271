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
#include <linux/uaccess.h>

#include "imp.h"

static DEFINE_MUTEX(dmalab_imp_devs_lock);
static LIST_HEAD(dmalab_imp_devs);
static DEFINE_IDA(dmalab_imp_dev_ids);

/**
 * dmalab_imp_dev_register() - give a device an id and make it visible
 * @idev: device, with @kind, @dev and @owner set
 *
 * Return: 0 or a negative errno.
 */
int dmalab_imp_dev_register(struct dmalab_imp_dev *idev)
{
	int id;

	id = ida_alloc_min(&dmalab_imp_dev_ids, 1, GFP_KERNEL);
	if (id < 0)
		return id;
	idev->id = id;
	mutex_lock(&dmalab_imp_devs_lock);
	list_add_tail(&idev->node, &dmalab_imp_devs);
	mutex_unlock(&dmalab_imp_devs_lock);
	return 0;
}

/**
 * dmalab_imp_dev_unregister() - remove a device from the registry
 * @idev: registered device
 */
void dmalab_imp_dev_unregister(struct dmalab_imp_dev *idev)
{
	mutex_lock(&dmalab_imp_devs_lock);
	list_del(&idev->node);
	mutex_unlock(&dmalab_imp_devs_lock);
	ida_free(&dmalab_imp_dev_ids, idev->id);
}

static bool dmalab_imp_dev_visible(struct dmalab_imp_dev *idev,
				   struct dmalab_imp_file *f)
{
	return !idev->owner || idev->owner == f;
}

/**
 * dmalab_imp_dev_find() - look up a device visible to a file
 * @f: the file asking (its lock held, which keeps its sims alive)
 * @id: device id
 *
 * Return: the device or NULL.
 */
struct dmalab_imp_dev *dmalab_imp_dev_find(struct dmalab_imp_file *f, u32 id)
{
	struct dmalab_imp_dev *idev, *found = NULL;

	mutex_lock(&dmalab_imp_devs_lock);
	list_for_each_entry(idev, &dmalab_imp_devs, node) {
		if (idev->id == id && dmalab_imp_dev_visible(idev, f)) {
			found = idev;
			break;
		}
	}
	mutex_unlock(&dmalab_imp_devs_lock);
	return found;
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
	struct dmalab_imp_dev *idev;
	u32 n = 0;
	int ret = 0;

	mutex_lock(&dmalab_imp_devs_lock);
	list_for_each_entry(idev, &dmalab_imp_devs, node) {
		if (!dmalab_imp_dev_visible(idev, f))
			continue;
		if (ids && n < arg->count && put_user(idev->id, ids + n)) {
			ret = -EFAULT;
			break;
		}
		n++;
	}
	mutex_unlock(&dmalab_imp_devs_lock);
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
	struct dmalab_imp_dev *idev = dmalab_imp_dev_find(f, arg->dev_id);
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
	return 0;
}
