/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmalab_exp internals shared by the exporter's files.
 */
#ifndef _DMALAB_EXP_H
#define _DMALAB_EXP_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <dmalab/exp_api.h>

struct device;
struct sg_table;

/* An inclusive physical address range; empty when lo > hi. */
struct dmalab_exp_range {
	phys_addr_t lo;
	phys_addr_t hi;
};

/* A physically contiguous run of a buffer's pages. */
struct dmalab_exp_run {
	phys_addr_t addr;
	u64 len;
};

/*
 * Pages of a buffer or of a device's copy: @pages has one entry per
 * PAGE_SIZE (for vmap and faults); the blocks behind them stay whole
 * (compound) so that they are freed whole; @runs lists the physically
 * contiguous runs, from which sg_tables are built.
 */
struct dmalab_exp_mem {
	struct page **pages;
	unsigned long nr_pages;
	struct dmalab_exp_run *runs;
	unsigned int nr_segments;
	phys_addr_t lo;
	phys_addr_t hi;
};

struct dmalab_exp_buf {
	struct dma_buf *dmabuf;
	unsigned long ino;	/* of the dma-buf's file, for debugfs */
	/* Protects everything below; taken inside the dma_resv lock. */
	struct mutex lock;
	struct list_head attachments;
	struct list_head node;
	size_t len;
	u32 placement;
	u32 timing;
	u32 flags;
	u32 addr_bits;
	struct dmalab_exp_range limit;
	struct dmalab_exp_mem mem;
	/* Kernel mapping of @mem, made and freed with it (see exp_kmap.c). */
	void *vaddr;
	unsigned int vmap_count;
	/* vmaps ever taken: importers that vmap around each use leave 0 above */
	unsigned long nr_vmap_calls;
	unsigned int nr_mmaps;
	unsigned int nr_migrations;
	u64 nr_copy_in;
	u64 nr_copy_out;
};

struct dmalab_exp_attach {
	struct list_head node;
	struct device *dev;
	struct dmalab_exp_range reach;
	bool translated;
	bool copy;
	struct dmalab_exp_mem copy_mem;
	/* Built at the first map, kept until the pages it lists go. */
	struct sg_table *sgt;
	/* With CONFIG_DMABUF_DEBUG, the importer's copy of @sgt (exp_sgt.c). */
	struct sg_table *sgt_out;
	bool mapped;
	/* As the importer asked; @dma_dir as mapped (exp_place.c). */
	enum dma_data_direction dir;
	enum dma_data_direction dma_dir;
};

struct dmalab_exp_counters {
	atomic64_t live_buffers;
	atomic64_t live_bytes;
	atomic64_t live_attachments;
	atomic64_t live_mappings;
	atomic64_t live_vmaps;
	atomic64_t live_mmaps;
	atomic64_t total_buffers;
	/* User-mapping faults served with one PMD, with 4 KiB PTEs. */
	atomic64_t pmd_faults;
	atomic64_t pte_faults;
	/* Pages held aside by allocations in progress (exp_alloc.c). */
	atomic64_t aside_pages;
	atomic64_t aside_peak_pages;
};

extern struct dmalab_exp_counters dmalab_exp_counters;
extern const struct dma_buf_ops dmalab_exp_dmabuf_ops;

/* exp_alloc.c */
size_t dmalab_exp_max_len(void);
size_t dmalab_exp_max_contig_len(void);
int dmalab_exp_mem_alloc(struct dmalab_exp_mem *mem, unsigned long nr_pages,
			 bool contig, const struct dmalab_exp_range *range,
			 bool killable);
void dmalab_exp_mem_free(struct dmalab_exp_mem *mem);
void dmalab_exp_mem_copy(struct dmalab_exp_mem *dst,
			 const struct dmalab_exp_mem *src);
bool dmalab_exp_mem_within(const struct dmalab_exp_mem *mem,
			   const struct dmalab_exp_range *range);
unsigned long dmalab_exp_mem_huge_pfn(const struct dmalab_exp_mem *mem,
				      unsigned long pgoff);

/* exp_place.c */
void dmalab_exp_dev_reach(struct device *dev, struct dmalab_exp_range *reach,
			  bool *translated);
void dmalab_exp_direct_range(struct dmalab_exp_buf *buf,
			     struct dmalab_exp_range *range);
int dmalab_exp_ensure_mem(struct dmalab_exp_buf *buf, bool killable);
int dmalab_exp_buf_mem_alloc(struct dmalab_exp_buf *buf,
			     const struct dmalab_exp_range *range,
			     bool killable);
void dmalab_exp_buf_mem_free(struct dmalab_exp_buf *buf);
int dmalab_exp_place_attach(struct dmalab_exp_buf *buf,
			    struct dmalab_exp_attach *a);
void dmalab_exp_copy_refresh(struct dmalab_exp_buf *buf,
			     struct dmalab_exp_attach *a);
void dmalab_exp_copy_writeback(struct dmalab_exp_buf *buf,
			       struct dmalab_exp_attach *a);
struct sg_table *dmalab_exp_place_map(struct dmalab_exp_buf *buf,
				      struct dmalab_exp_attach *a,
				      enum dma_data_direction dir);
void dmalab_exp_place_unmap(struct dmalab_exp_buf *buf,
			    struct dmalab_exp_attach *a, struct sg_table *sgt);
void dmalab_exp_place_detach(struct dmalab_exp_buf *buf,
			     struct dmalab_exp_attach *a);

/* exp_sgt.c */
struct sg_table *dmalab_exp_sgt_build(const struct dmalab_exp_mem *mem,
				      struct device *dev);
void dmalab_exp_sgt_free(struct sg_table *sgt);
void dmalab_exp_sgt_drop(struct dmalab_exp_attach *a);
struct sg_table *dmalab_exp_sgt_hand_out(struct dmalab_exp_attach *a);

/* exp_kmap.c */
void *dmalab_exp_kmap_new(const struct dmalab_exp_mem *mem);
void dmalab_exp_kmap_free(void *vaddr);

/* exp_create.c: dmalab_exp_create() in <dmalab/exp_api.h> */

/* exp_ops.c */
void dmalab_exp_buf_free(struct dmalab_exp_buf *buf);
struct dma_buf *dmalab_exp_buf_export(struct dmalab_exp_buf *buf,
				      u32 fd_flags);

/* exp_ioctl.c */
long dmalab_exp_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
int dmalab_exp_dev_mmap(struct file *file, struct vm_area_struct *vma);
int dmalab_exp_dev_open(struct inode *inode, struct file *file);
int dmalab_exp_dev_release(struct inode *inode, struct file *file);

/* exp_debugfs.c */
void dmalab_exp_debugfs_init(void);
void dmalab_exp_debugfs_exit(void);
void dmalab_exp_list_add(struct dmalab_exp_buf *buf);
void dmalab_exp_list_del(struct dmalab_exp_buf *buf);

#endif /* _DMALAB_EXP_H */
