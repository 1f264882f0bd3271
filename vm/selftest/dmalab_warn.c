// SPDX-License-Identifier: GPL-2.0
/*
 * Bench self-test only: a module whose init raises a WARNING, so that the
 * bench can show it turns a run red. Never part of the project's drivers.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init dmalab_warn_init(void)
{
	WARN_ON(1);
	return 0;
}
module_init(dmalab_warn_init);

static void __exit dmalab_warn_exit(void)
{
}
module_exit(dmalab_warn_exit);

MODULE_DESCRIPTION("dmalab bench self-test: raises a WARNING on load");
MODULE_LICENSE("GPL");
