/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One place for the differences between the kernels the dmalab modules
 * build for (Linux 6.1 to the newest of the matrix). Kernel only. Each
 * module keeps its helpers in its own section so that the two can be
 * merged side by side.
 */
#ifndef DMALAB_COMPAT_H
#define DMALAB_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/hrtimer.h>
#include <linux/huge_mm.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/pci.h>

/* ---- both modules ---- */

/*
 * Symbol namespaces are strings from 6.13 on; before, MODULE_IMPORT_NS()
 * took a bare identifier and made the string itself.
 */
#ifdef DMALAB_HAVE_IMPORT_NS_STRING
#define DMALAB_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#define DMALAB_IMPORT_NS_DMA_BUF_HEAP() MODULE_IMPORT_NS("DMA_BUF_HEAP")
#else
#define DMALAB_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#define DMALAB_IMPORT_NS_DMA_BUF_HEAP() MODULE_IMPORT_NS(DMA_BUF_HEAP)
#endif

/*
 * The KUnit suite (kunit/) calls functions of the exporter that nothing
 * else may: they are exported, in KUnit's own namespace, only where the
 * kernel has KUnit. <kunit/visibility.h> came with 6.2 (and 6.1.y).
 */
#ifdef DMALAB_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#elif IS_ENABLED(CONFIG_KUNIT)
#error "CONFIG_KUNIT without <kunit/visibility.h>: the KUnit suite needs it"
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

#ifdef DMALAB_HAVE_IMPORT_NS_STRING
#define DMALAB_IMPORT_NS_KUNIT() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define DMALAB_IMPORT_NS_KUNIT() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/* ---- dmalab_imp (importer) ---- */

/*
 * The DMALAB_HAVE_* macros come from include/dmalab/features.kbuild, which
 * looks for each feature in the kernel headers being built against.
 */

/*
 * 6.1 dma_buf_vmap() takes the dma-buf's own mutex; from 6.2 on it expects
 * the reservation lock held and dma_buf_vmap_unlocked() takes it.
 */
static inline int dmalab_imp_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef DMALAB_HAVE_VMAP_UNLOCKED
	return dma_buf_vmap_unlocked(dmabuf, map);
#else
	return dma_buf_vmap(dmabuf, map);
#endif
}

static inline void dmalab_imp_vunmap(struct dma_buf *dmabuf,
				     struct iosys_map *map)
{
#ifdef DMALAB_HAVE_VMAP_UNLOCKED
	dma_buf_vunmap_unlocked(dmabuf, map);
#else
	dma_buf_vunmap(dmabuf, map);
#endif
}

/*
 * Mapping without holding the reservation lock: the _unlocked variants
 * came with 6.2 (Debian's 6.1.y has them backported); before them
 * dma_buf_map_attachment() did not need the lock for a static importer.
 */
static inline struct sg_table *
dmalab_imp_map_attachment(struct dma_buf_attachment *attach,
			  enum dma_data_direction dir)
{
#ifdef DMALAB_HAVE_MAP_UNLOCKED
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

static inline void dmalab_imp_unmap_attachment(struct dma_buf_attachment *attach,
					       struct sg_table *sgt,
					       enum dma_data_direction dir)
{
#ifdef DMALAB_HAVE_MAP_UNLOCKED
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
#else
	dma_buf_unmap_attachment(attach, sgt, dir);
#endif
}

/*
 * struct bus_dma_region lost its precomputed @offset (cpu_start - dma_start)
 * between 6.1 and 6.12; 6.1's translate_*() helpers use it.
 */
static inline void dmalab_imp_set_dma_region(struct bus_dma_region *r,
					     phys_addr_t cpu_start,
					     dma_addr_t dma_start, u64 size)
{
	r->cpu_start = cpu_start;
	r->dma_start = dma_start;
	r->size = size;
#ifdef DMALAB_HAVE_DMA_REGION_OFFSET
	r->offset = (u64)cpu_start - (u64)dma_start;
#endif
}

/* hrtimer_setup() replaced hrtimer_init() + setting ->function in 6.13. */
static inline void dmalab_imp_hrtimer_setup(struct hrtimer *timer,
					    enum hrtimer_restart (*fn)(struct hrtimer *))
{
#ifdef DMALAB_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
#else
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	timer->function = fn;
#endif
}

/* PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8. */
static inline unsigned int dmalab_imp_pci_irq_intx(void)
{
#ifdef PCI_IRQ_INTX
	return PCI_IRQ_INTX;
#else
	return PCI_IRQ_LEGACY;
#endif
}

/* ---- end dmalab_imp ---- */

/* ---- dmalab_exp (exporter) ---- */

/*
 * Largest order the page allocator hands out. 6.1 has MAX_ORDER as the
 * exclusive bound (10 is the largest); 6.8 renamed it MAX_PAGE_ORDER, now
 * inclusive. (6.4 to 6.7 had an inclusive MAX_ORDER: MAX_ORDER - 1 is one
 * order short there, which is safe.)
 */
static inline unsigned int dmalab_exp_max_page_order(void)
{
#ifdef MAX_PAGE_ORDER
	return MAX_PAGE_ORDER;
#else
	return MAX_ORDER - 1;
#endif
}

/*
 * Blocks of a PMD's reach (2 MiB on x86-64) come first in scattered
 * buffers where the page allocator hands out that order: a user mapping
 * can then map each with one PMD, and devices get fewer sg entries.
 * Return: that order, or 0 where the allocator's largest order is smaller.
 */
static inline unsigned int dmalab_exp_huge_order(void)
{
	unsigned int order = PMD_SHIFT - PAGE_SHIFT;

	return order <= dmalab_exp_max_page_order() ? order : 0;
}

#define DMALAB_EXP_PMD_PAGES	(1UL << (PMD_SHIFT - PAGE_SHIFT))

/*
 * PMD entries for PFNMAP vmas: the kernel calls a PFNMAP vma's huge_fault
 * (and its page-table walkers know such entries: pmd_special) only where
 * the architecture selects ARCH_SUPPORTS_PMD_PFNMAP (a Kconfig symbol,
 * 6.12 on x86-64). Elsewhere (6.1) THP refuses VM_PFNMAP vmas and user
 * mappings stay 4 KiB PTEs.
 */
#if defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) && \
	defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define DMALAB_EXP_HUGE_PFNMAP 1

/* huge_fault() took an enum page_entry_size until 6.6, an order since. */
#ifdef DMALAB_HAVE_HUGE_FAULT_ORDER
#define DMALAB_EXP_HUGE_FAULT_ARGS	struct vm_fault *vmf, unsigned int order
#define dmalab_exp_huge_fault_is_pmd()	(order == PMD_SHIFT - PAGE_SHIFT)
#else
#define DMALAB_EXP_HUGE_FAULT_ARGS	struct vm_fault *vmf, \
					enum page_entry_size pe_size
#define dmalab_exp_huge_fault_is_pmd()	(pe_size == PE_SIZE_PMD)
#endif

/* vmf_insert_pfn_pmd() took a pfn_t until pfn_t went, a bare pfn since. */
#ifdef DMALAB_HAVE_PMD_PFN_T
#include <linux/pfn_t.h>
#endif
static inline vm_fault_t dmalab_exp_insert_pfn_pmd(struct vm_fault *vmf,
						   unsigned long pfn,
						   bool write)
{
#ifdef DMALAB_HAVE_PMD_PFN_T
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn), write);
#else
	return vmf_insert_pfn_pmd(vmf, pfn, write);
#endif
}
#endif /* CONFIG_ARCH_SUPPORTS_PMD_PFNMAP && CONFIG_TRANSPARENT_HUGEPAGE */

/* Whether user mappings of 2 MiB blocks get PMD entries on this kernel. */
static inline bool dmalab_exp_huge_pfnmap(void)
{
#ifdef DMALAB_EXP_HUGE_PFNMAP
	return true;
#else
	return false;
#endif
}

/* vm_flags became read-only with accessors in 6.3. */
static inline void dmalab_exp_vm_flags_set(struct vm_area_struct *vma,
					   unsigned long flags)
{
#ifdef DMALAB_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void dmalab_exp_vm_flags_clear(struct vm_area_struct *vma,
					     unsigned long flags)
{
#ifdef DMALAB_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * Whether modules may add DMA-BUF heaps: dma_heap_add() is exported from
 * 7.2 on (read from the kernel's Module.symvers, not its version). Where it
 * is, heap/ builds dmalab_heap.
 */
static inline bool dmalab_exp_heaps_possible(void)
{
#ifdef DMALAB_HAVE_HEAP_ADD
	return true;
#else
	return false;
#endif
}

/* ---- end dmalab_exp ---- */

#endif /* DMALAB_COMPAT_H */
