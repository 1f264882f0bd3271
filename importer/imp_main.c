// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_imp: a dma-buf importer that attaches buffers to real DMA devices
 * (QEMU's edu PCI device) and to simulated devices with chosen limits.
 *
 * This file holds module setup: the misc device, the "probe" device used to
 * look at a buffer's physical placement, and the edu PCI driver.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

#include <dmalab/compat.h>
#include <linux/wait.h>

#include "imp.h"

struct device *dmalab_imp_probe_dev;
DECLARE_WAIT_QUEUE_HEAD(dmalab_imp_idle_wq);

static struct miscdevice dmalab_imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dmalab_imp",
	.fops = &dmalab_imp_fops,
};

/**
 * dmalab_imp_node() - the struct device of /dev/dmalab_imp
 *
 * Simulated devices sit under it. misc_register() sets it before it lets
 * the node be opened (both under the misc core's lock), so every open file
 * sees it set.
 *
 * Return: the misc device's struct device.
 */
struct device *dmalab_imp_node(void)
{
	return dmalab_imp_misc.this_device;
}

/* The device node comes last: an open file may use everything else. */
static int __init dmalab_imp_init(void)
{
	int ret;

	dmalab_imp_probe_dev = dmalab_imp_probe_create();
	if (IS_ERR(dmalab_imp_probe_dev))
		return PTR_ERR(dmalab_imp_probe_dev);

	ret = dmalab_imp_edu_init();
	if (ret)
		goto destroy_probe;

	ret = misc_register(&dmalab_imp_misc);
	if (ret)
		goto exit_edu;

	pr_info("ready\n");
	return 0;

exit_edu:
	dmalab_imp_edu_exit();
destroy_probe:
	dmalab_imp_probe_destroy(dmalab_imp_probe_dev);
	return ret;
}

static void __exit dmalab_imp_exit(void)
{
	misc_deregister(&dmalab_imp_misc);
	dmalab_imp_edu_exit();
	dmalab_imp_probe_destroy(dmalab_imp_probe_dev);
	/* The last fence's free callback may still be returning. */
	rcu_barrier();
}

module_init(dmalab_imp_init);
module_exit(dmalab_imp_exit);

MODULE_DESCRIPTION("dmalab dma-buf importer: edu DMA and simulated devices");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMALAB_VERSION);
DMALAB_IMPORT_NS_DMA_BUF();
