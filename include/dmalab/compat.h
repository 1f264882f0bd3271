/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels dmalab builds for (6.1.y and 6.12.y), as
 * named helpers so that the .c files hold no version #if. Each module keeps
 * its helpers in its own section below.
 */
#ifndef _DMALAB_COMPAT_H
#define _DMALAB_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/version.h>

/* ---- dmalab_exp (exporter) ------------------------------------------- */

/*
 * Largest order the page allocator hands out. 6.1 has MAX_ORDER as the
 * exclusive bound (10 is the largest); 6.4 made MAX_ORDER inclusive and 6.8
 * renamed it MAX_PAGE_ORDER.
 */
static inline unsigned int dmalab_exp_max_page_order(void)
{
#if defined(MAX_PAGE_ORDER)
	return MAX_PAGE_ORDER;
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
	return MAX_ORDER - 1;
#else
	return MAX_ORDER;
#endif
}

/* vm_flags became read-only with accessors in 6.3. */
static inline void dmalab_exp_vm_flags_set(struct vm_area_struct *vma,
					   unsigned long flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags |= flags;
#else
	vm_flags_set(vma, flags);
#endif
}

/* ---- end of dmalab_exp ----------------------------------------------- */

#endif /* _DMALAB_COMPAT_H */
