// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp debugfs: /sys/kernel/debug/dmalab_exp/buffers lists every live
 * buffer and its attachments, stats the module's counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>

#include "exp.h"

/* Protects the list; taken outside any buffer's lock. */
static DEFINE_MUTEX(dmalab_exp_list_lock);
static LIST_HEAD(dmalab_exp_list);
static struct dentry *dmalab_exp_dir;

static const char * const dmalab_exp_dir_names[] = {
	[DMA_BIDIRECTIONAL] = "bidir",
	[DMA_TO_DEVICE] = "to-dev",
	[DMA_FROM_DEVICE] = "from-dev",
	[DMA_NONE] = "none",
};

/**
 * dmalab_exp_list_add() - make a buffer visible in debugfs
 * @buf: the buffer
 */
void dmalab_exp_list_add(struct dmalab_exp_buf *buf)
{
	mutex_lock(&dmalab_exp_list_lock);
	list_add_tail(&buf->node, &dmalab_exp_list);
	mutex_unlock(&dmalab_exp_list_lock);
}

/**
 * dmalab_exp_list_del() - remove a buffer from debugfs before freeing it
 * @buf: the buffer
 */
void dmalab_exp_list_del(struct dmalab_exp_buf *buf)
{
	mutex_lock(&dmalab_exp_list_lock);
	list_del_init(&buf->node);
	mutex_unlock(&dmalab_exp_list_lock);
}

static void dmalab_exp_show_attach(struct seq_file *s,
				   struct dmalab_exp_attach *a)
{
	seq_printf(s, "  attach %s reach %pa-%pa%s%s", dev_name(a->dev),
		   &a->reach.lo, &a->reach.hi,
		   a->translated ? " iommu" : "", a->copy ? " copy" : "");
	if (a->mapped)
		seq_printf(s, " mapped %s nents %u",
			   dmalab_exp_dir_names[a->dir], a->sgt->nents);
	seq_puts(s, "\n");
}

static void dmalab_exp_show_buf(struct seq_file *s, struct dmalab_exp_buf *buf)
{
	struct dmalab_exp_attach *a;

	mutex_lock(&buf->lock);
	seq_printf(s, "buf ino %lu len %zu %s %s flags %#x addr_bits %u",
		   buf->ino, buf->len,
		   buf->placement == DMALAB_EXP_PLACE_CONTIG ? "contig" :
		   "scatter",
		   buf->timing == DMALAB_EXP_TIMING_DEFERRED ? "deferred" :
		   "eager", buf->flags, buf->addr_bits);
	if (buf->mem.pages)
		seq_printf(s, " segments %u phys %pa-%pa", buf->mem.nr_segments,
			   &buf->mem.lo, &buf->mem.hi);
	else
		seq_puts(s, " unallocated");
	if (buf->vaddr)
		seq_puts(s, is_vmalloc_addr(buf->vaddr) ? " kmap vmap" : " kmap linear");
	seq_printf(s, " mmaps %u vmaps %u vmaps-taken %lu migrations %u copies-in %llu copies-out %llu",
		   buf->nr_mmaps, buf->vmap_count, buf->nr_vmap_calls,
		   buf->nr_migrations, buf->nr_copy_in, buf->nr_copy_out);
	spin_lock(&buf->dmabuf->name_lock);
	seq_printf(s, " name '%s'\n", buf->dmabuf->name ?: "");
	spin_unlock(&buf->dmabuf->name_lock);
	list_for_each_entry(a, &buf->attachments, node)
		dmalab_exp_show_attach(s, a);
	mutex_unlock(&buf->lock);
}

static int dmalab_exp_buffers_show(struct seq_file *s, void *unused)
{
	struct dmalab_exp_buf *buf;

	mutex_lock(&dmalab_exp_list_lock);
	list_for_each_entry(buf, &dmalab_exp_list, node)
		dmalab_exp_show_buf(s, buf);
	mutex_unlock(&dmalab_exp_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dmalab_exp_buffers);

static int dmalab_exp_stats_show(struct seq_file *s, void *unused)
{
	struct dmalab_exp_counters *c = &dmalab_exp_counters;

	seq_printf(s, "live_buffers %lld\nlive_bytes %lld\nlive_attachments %lld\n",
		   atomic64_read(&c->live_buffers),
		   atomic64_read(&c->live_bytes),
		   atomic64_read(&c->live_attachments));
	seq_printf(s, "live_mappings %lld\nlive_vmaps %lld\nlive_mmaps %lld\ntotal_buffers %lld\n",
		   atomic64_read(&c->live_mappings),
		   atomic64_read(&c->live_vmaps),
		   atomic64_read(&c->live_mmaps),
		   atomic64_read(&c->total_buffers));
	/* Whether 2 MiB blocks can be user-mapped with PMDs (compat.h). */
	seq_printf(s, "huge_pfnmap %d\npmd_faults %lld\npte_faults %lld\n",
		   dmalab_exp_huge_pfnmap(),
		   atomic64_read(&c->pmd_faults),
		   atomic64_read(&c->pte_faults));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dmalab_exp_stats);

/**
 * dmalab_exp_debugfs_init() - create the debugfs files (failures ignored,
 * as debugfs wants)
 */
void dmalab_exp_debugfs_init(void)
{
	dmalab_exp_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("buffers", 0400, dmalab_exp_dir, NULL,
			    &dmalab_exp_buffers_fops);
	debugfs_create_file("stats", 0400, dmalab_exp_dir, NULL,
			    &dmalab_exp_stats_fops);
}

/**
 * dmalab_exp_debugfs_exit() - remove the debugfs files
 */
void dmalab_exp_debugfs_exit(void)
{
	debugfs_remove_recursive(dmalab_exp_dir);
}
