// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab importer: placeholder that registers the misc device so the VM
 * bench has a module to build, load and probe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static const struct file_operations dmalab_imp_fops = {
	.owner = THIS_MODULE,
};

static struct miscdevice dmalab_imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dmalab_imp",
	.fops = &dmalab_imp_fops,
};

module_misc_device(dmalab_imp_misc);

MODULE_DESCRIPTION("dmalab dma-buf importer");
MODULE_LICENSE("GPL");
