// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_heap: DMA-BUF heaps (/dev/dma_heap/dmalab-*) whose buffers are
 * dmalab_exp's, the same as its ALLOC ioctl makes: they show in its INFO
 * and debugfs, attach, migrate and copy by its rules and count against its
 * caps. Each heap is one kind of placement, named for what it gives.
 *
 * The kernel cannot remove a DMA-BUF heap, and a heap's allocate callback
 * stays reachable through /dev/dma_heap for as long as the kernel runs: this
 * module therefore has no exit and cannot be unloaded. It does not link
 * against dmalab_exp either (that would pin the exporter too): it looks the
 * exporter up at each allocation with symbol_get() and loads it on demand,
 * so dmalab_exp still unloads when no buffer of it is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>
#include <dmalab/exp_api.h>

struct dmalab_heap_kind {
	const char *name;
	u32 placement;
	u32 addr_bits;
};

/* Address widths: 32 (the classic DMA32 devices) and the edu devices'. */
static const struct dmalab_heap_kind dmalab_heap_kinds[] = {
	{ "dmalab-scatter", DMALAB_EXP_PLACE_SCATTER, 0 },
	{ "dmalab-contig", DMALAB_EXP_PLACE_CONTIG, 0 },
	{ "dmalab-dma32", DMALAB_EXP_PLACE_SCATTER, 32 },
	{ "dmalab-dma28", DMALAB_EXP_PLACE_SCATTER, 28 },
	{ "dmalab-dma36", DMALAB_EXP_PLACE_SCATTER, 36 },
};

typedef struct dma_buf *(*dmalab_heap_create_fn)(const struct dmalab_exp_alloc *args);

/* dmalab_exp_create(), holding a reference to dmalab_exp; or NULL. */
static dmalab_heap_create_fn dmalab_heap_get_exporter(void)
{
	dmalab_heap_create_fn create = symbol_get(dmalab_exp_create);

	if (!create && !request_module("dmalab_exp"))
		create = symbol_get(dmalab_exp_create);
	return create;
}

/*
 * The dma-heap core has checked the flags (no heap flags are defined; fd
 * flags O_CLOEXEC and an access mode) and page-aligned a non-zero length.
 * A length past the exporter's caps is -ENOMEM, as the system heap gives
 * when it runs out, not ALLOC's -E2BIG.
 */
static struct dma_buf *dmalab_heap_allocate(struct dma_heap *heap,
					    unsigned long len, u32 fd_flags,
					    u64 heap_flags)
{
	const struct dmalab_heap_kind *kind = dma_heap_get_drvdata(heap);
	struct dmalab_exp_alloc args = {
		.size = sizeof(args),
		.len = len,
		.placement = kind->placement,
		.addr_bits = kind->addr_bits,
		.timing = DMALAB_EXP_TIMING_EAGER,
		.fd_flags = fd_flags,
	};
	dmalab_heap_create_fn create;
	struct dma_buf *dmabuf;

	if (heap_flags || fd_flags & ~(O_CLOEXEC | O_ACCMODE))
		return ERR_PTR(-EINVAL);
	create = dmalab_heap_get_exporter();
	if (!create)
		return ERR_PTR(-ENODEV);
	dmabuf = create(&args);
	/* The buffer holds its own reference to dmalab_exp. */
	symbol_put(dmalab_exp_create);
	if (dmabuf == ERR_PTR(-E2BIG))
		return ERR_PTR(-ENOMEM);
	return dmabuf;
}

static const struct dma_heap_ops dmalab_heap_ops = {
	.allocate = dmalab_heap_allocate,
};

static int __init dmalab_heap_init(void)
{
	struct dma_heap_export_info info = { .ops = &dmalab_heap_ops };
	unsigned int i, added = 0;
	struct dma_heap *heap;

	for (i = 0; i < ARRAY_SIZE(dmalab_heap_kinds); i++) {
		info.name = dmalab_heap_kinds[i].name;
		info.priv = (void *)&dmalab_heap_kinds[i];
		heap = dma_heap_add(&info);
		if (IS_ERR(heap)) {
			pr_err("cannot add heap %s: %ld\n", info.name,
			       PTR_ERR(heap));
			continue;
		}
		added++;
	}
	if (!added)
		return -ENODEV;
	pr_info("%u DMA-BUF heaps added; they cannot be removed, so this module cannot be unloaded\n",
		added);
	return 0;
}

/* No module_exit(): the kernel has no way to remove a DMA-BUF heap. */
module_init(dmalab_heap_init);

MODULE_DESCRIPTION("DMA-BUF heaps backed by the dmalab exporter");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMALAB_VERSION);
DMALAB_IMPORT_NS_DMA_BUF();
DMALAB_IMPORT_NS_DMA_BUF_HEAP();
