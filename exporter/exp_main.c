// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp: a constraint-aware dma-buf exporter, reached through the misc
 * device /dev/dmalab_exp (see include/uapi/linux/dmalab_exp.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <dmalab/compat.h>

#include "exp.h"

struct dmalab_exp_counters dmalab_exp_counters;

static const struct file_operations dmalab_exp_fops = {
	.owner = THIS_MODULE,
	.open = dmalab_exp_dev_open,
	.release = dmalab_exp_dev_release,
	.unlocked_ioctl = dmalab_exp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = dmalab_exp_dev_mmap,
	/* Mappings of the device 2 MiB-aligned, for PMDs (exp_ops.c). */
	.get_unmapped_area = thp_get_unmapped_area,
};

static struct miscdevice dmalab_exp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBUILD_MODNAME,
	.fops = &dmalab_exp_fops,
};

static int __init dmalab_exp_init(void)
{
	int ret;

	dmalab_exp_debugfs_init();
	ret = misc_register(&dmalab_exp_misc);
	if (ret) {
		pr_err("cannot register the misc device: %d\n", ret);
		goto remove_debugfs;
	}
	if (!dmalab_exp_heaps_possible())
		pr_info("no DMA-BUF heaps: this kernel does not export dma_heap_add() to modules\n");
	return 0;

remove_debugfs:
	dmalab_exp_debugfs_exit();
	return ret;
}

static void __exit dmalab_exp_exit(void)
{
	misc_deregister(&dmalab_exp_misc);
	dmalab_exp_debugfs_exit();
}

module_init(dmalab_exp_init);
module_exit(dmalab_exp_exit);

MODULE_DESCRIPTION("dmalab constraint-aware dma-buf exporter");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMALAB_VERSION);
DMALAB_IMPORT_NS_DMA_BUF();
