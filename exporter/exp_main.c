// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab exporter: placeholder that registers the misc device so the VM
 * bench has a module to build, load and probe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static const struct file_operations dmalab_exp_fops = {
	.owner = THIS_MODULE,
};

static struct miscdevice dmalab_exp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dmalab_exp",
	.fops = &dmalab_exp_fops,
};

module_misc_device(dmalab_exp_misc);

MODULE_DESCRIPTION("dmalab dma-buf exporter");
MODULE_LICENSE("GPL");
