// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp page allocation: scattered blocks of the largest orders first
 * (2 MiB where the allocator has them, then as mainline's system heap), one
 * contiguous block, or either inside a physical address range.
 *
 * The page allocator cannot be asked for "pages in [lo, hi]", only for a
 * zone (below 16 MiB, below 4 GiB, anywhere). A range inside a zone is met
 * by setting aside, for the time of the allocation, the blocks that land
 * outside it; the set-aside is bounded by a module parameter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <dmalab/compat.h>

#include "exp.h"

static unsigned int max_buffer_mb = 1024;
module_param(max_buffer_mb, uint, 0644);
MODULE_PARM_DESC(max_buffer_mb,
		 "Largest buffer in MiB, further capped at half of RAM (default 1024)");

static unsigned int aside_limit_mb = 2048;
module_param(aside_limit_mb, uint, 0644);
MODULE_PARM_DESC(aside_limit_mb,
		 "MiB of out-of-range pages held aside while filling address-limited buffers, by all allocations together, at most half of RAM (default 2048)");

/* 1 MiB, 64 KiB, 4 KiB, as mainline's system heap: sizes IOMMUs like. */
static const unsigned int dmalab_exp_orders[] = { 8, 4, 0 };

/*
 * The @i-th order a scattered buffer tries, largest first: a PMD's (2 MiB),
 * where the allocator has it, before the system heap's.
 */
static unsigned int dmalab_exp_scatter_order(unsigned int i)
{
	unsigned int huge = dmalab_exp_huge_order();

	if (huge > dmalab_exp_orders[0]) {
		if (!i)
			return huge;
		i--;
	}
	return dmalab_exp_orders[i];
}

struct dmalab_exp_alloc_ctx {
	const struct dmalab_exp_range *range;
	gfp_t zone;
	struct list_head aside;
	unsigned long aside_pages;
	bool killable;
};

/**
 * dmalab_exp_max_len() - largest buffer the allocation ioctl accepts
 *
 * Return: the module parameter's cap, lowered to half of RAM.
 */
size_t dmalab_exp_max_len(void)
{
	u64 param = (u64)READ_ONCE(max_buffer_mb) * SZ_1M;
	u64 ram = ((u64)totalram_pages() << PAGE_SHIFT) / 2;

	/* Lengths are page multiples: so is the largest one. */
	return round_down(min(param, ram), PAGE_SIZE);
}

/**
 * dmalab_exp_max_contig_len() - largest physically contiguous buffer
 *
 * Without CMA the page allocator's largest order is the limit.
 *
 * Return: the length in bytes.
 */
size_t dmalab_exp_max_contig_len(void)
{
	return PAGE_SIZE << dmalab_exp_max_page_order();
}

static bool dmalab_exp_block_in_range(struct dmalab_exp_alloc_ctx *ctx,
				      struct page *page, unsigned int order)
{
	phys_addr_t start = page_to_phys(page);
	phys_addr_t end = start + (PAGE_SIZE << order) - 1;

	return !ctx->range ||
	       (start >= ctx->range->lo && end <= ctx->range->hi);
}

static gfp_t dmalab_exp_order_gfp(struct dmalab_exp_alloc_ctx *ctx,
				  unsigned int order, bool contig, bool whole)
{
	/* GFP_HIGHUSER's __GFP_HIGHMEM must not meet a zone modifier. */
	gfp_t gfp = ctx->zone ? GFP_USER | ctx->zone : GFP_HIGHUSER;

	gfp |= __GFP_ZERO | __GFP_ACCOUNT | __GFP_NOWARN;
	/* A block kept whole is compound: freed whole by its order. */
	if (whole && order)
		gfp |= __GFP_COMP;
	/* Big scattered blocks are a bonus: no reclaim for them. */
	if (!contig && order >= 8)
		return (gfp | __GFP_NORETRY) & ~__GFP_RECLAIM;
	/* Out-of-range pages are held aside: fail rather than OOM-kill. */
	return gfp | __GFP_RETRY_MAYFAIL;
}

/*
 * Count @nr pages into the set-aside of all allocations in progress, unless
 * that passes its bound: one bound for all, so that concurrent callers
 * cannot pin a multiple of it in pages the OOM killer does not see as
 * theirs.
 */
static bool dmalab_exp_aside_reserve(unsigned long nr)
{
	struct dmalab_exp_counters *c = &dmalab_exp_counters;
	s64 limit = clamp_t(unsigned long,
			    (unsigned long)READ_ONCE(aside_limit_mb) <<
			    (20 - PAGE_SHIFT), 1, totalram_pages() / 2);
	s64 now = atomic64_read(&c->aside_pages), peak;

	do {
		if (now + nr > limit)
			return false;
	} while (!atomic64_try_cmpxchg(&c->aside_pages, &now, now + nr));
	now += nr;
	peak = atomic64_read(&c->aside_peak_pages);
	while (now > peak &&
	       !atomic64_try_cmpxchg(&c->aside_peak_pages, &peak, now))
		;
	return true;
}

/*
 * One zeroed block of @order inside the range, or NULL when the zone has
 * none left or the set-aside limit is reached.
 */
static struct page *dmalab_exp_get_block(struct dmalab_exp_alloc_ctx *ctx,
					 unsigned int order, bool contig,
					 bool whole)
{
	gfp_t gfp = dmalab_exp_order_gfp(ctx, order, contig, whole);
	struct page *page;

	for (;;) {
		if (ctx->killable && fatal_signal_pending(current))
			return ERR_PTR(-EINTR);
		page = alloc_pages(gfp, order);
		if (!page)
			return NULL;
		if (dmalab_exp_block_in_range(ctx, page, order))
			return page;
		if (!dmalab_exp_aside_reserve(1UL << order)) {
			__free_pages(page, order);
			return NULL;
		}
		set_page_private(page, order);
		list_add(&page->lru, &ctx->aside);
		ctx->aside_pages += 1UL << order;
		cond_resched();
	}
}

static void dmalab_exp_free_aside(struct dmalab_exp_alloc_ctx *ctx)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &ctx->aside, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__free_pages(page, order);
	}
	atomic64_sub(ctx->aside_pages, &dmalab_exp_counters.aside_pages);
	ctx->aside_pages = 0;
}

/*
 * Record the first @count pages of a block. A block used in full stays
 * whole; one used in part (a contiguous buffer whose size is not a power
 * of two) is split and its tail given back.
 */
static void dmalab_exp_take_block(struct dmalab_exp_mem *mem,
				  unsigned long *filled, struct page *page,
				  unsigned int order, unsigned long count)
{
	unsigned long i;

	if (count < (1UL << order)) {
		split_page(page, order);
		for (i = count; i < (1UL << order); i++)
			__free_page(page + i);
	}
	for (i = 0; i < count; i++)
		mem->pages[(*filled)++] = page + i;
}

static int dmalab_exp_fill_scatter(struct dmalab_exp_alloc_ctx *ctx,
				   struct dmalab_exp_mem *mem,
				   unsigned long *filled)
{
	unsigned int i = 0;

	while (*filled < mem->nr_pages) {
		unsigned long left = mem->nr_pages - *filled;
		unsigned int order = dmalab_exp_scatter_order(i);
		struct page *page;

		if ((1UL << order) > left) {
			i++;
			continue;
		}
		page = dmalab_exp_get_block(ctx, order, false, true);
		if (IS_ERR(page))
			return PTR_ERR(page);
		if (!page) {
			if (order == 0)
				return -ENOMEM;
			/* As the system heap: never retry a larger order. */
			i++;
			continue;
		}
		dmalab_exp_take_block(mem, filled, page, order, 1UL << order);
		cond_resched();
	}
	return 0;
}

static int dmalab_exp_fill_contig(struct dmalab_exp_alloc_ctx *ctx,
				  struct dmalab_exp_mem *mem,
				  unsigned long *filled)
{
	unsigned int order = get_order(mem->nr_pages << PAGE_SHIFT);
	struct page *page;

	if (order > dmalab_exp_max_page_order())
		return -E2BIG;
	page = dmalab_exp_get_block(ctx, order, true,
				    mem->nr_pages == (1UL << order));
	if (IS_ERR(page))
		return PTR_ERR(page);
	if (!page)
		return -ENOMEM;
	dmalab_exp_take_block(mem, filled, page, order, mem->nr_pages);
	return 0;
}

/* Zones to try, most plentiful first, for pages inside @range. */
static unsigned int dmalab_exp_zones(const struct dmalab_exp_range *range,
				     gfp_t *zones)
{
	unsigned int n = 0;

	if (!range || range->hi >= SZ_4G) {
		zones[n++] = 0;
		/* Pages above the range fill up the set-aside first. */
		if (range && range->lo < SZ_4G)
			zones[n++] = GFP_DMA32;
		return n;
	}
	/*
	 * ZONE_DMA32 is all below 4 GiB: nothing set aside above. It starts at
	 * 16 MiB when ZONE_DMA exists, so a range ending below that (24 bits)
	 * would only fill the set-aside from it.
	 */
	if (range->hi >= SZ_16M || !IS_ENABLED(CONFIG_ZONE_DMA))
		zones[n++] = GFP_DMA32;
	if (IS_ENABLED(CONFIG_ZONE_DMA) && range->lo < SZ_16M)
		zones[n++] = GFP_DMA;
	return n;
}

/* Pages in the block that starts at @page: whole blocks are compound. */
static unsigned long dmalab_exp_block_pages(struct page *page)
{
	return 1UL << compound_order(page);
}

/* Walk @mem block by block; count the runs, and record them if @runs. */
static unsigned int dmalab_exp_mem_runs(struct dmalab_exp_mem *mem,
					struct dmalab_exp_run *runs)
{
	struct dmalab_exp_run run = { 0 };
	unsigned long i, step;
	unsigned int n = 0;

	for (i = 0; i < mem->nr_pages; i += step) {
		phys_addr_t p = page_to_phys(mem->pages[i]);

		step = dmalab_exp_block_pages(mem->pages[i]);
		if (run.len && p == run.addr + run.len) {
			run.len += (u64)step << PAGE_SHIFT;
			continue;
		}
		if (run.len && runs)
			runs[n] = run;
		n += !!run.len;
		run.addr = p;
		run.len = (u64)step << PAGE_SHIFT;
	}
	if (run.len && runs)
		runs[n] = run;
	return n + !!run.len;
}

/* The runs of @mem, and its lowest and highest address. */
static int dmalab_exp_mem_scan(struct dmalab_exp_mem *mem)
{
	unsigned int i, n = dmalab_exp_mem_runs(mem, NULL);

	mem->runs = kvmalloc_array(n, sizeof(*mem->runs), GFP_KERNEL_ACCOUNT);
	if (!mem->runs)
		return -ENOMEM;
	dmalab_exp_mem_runs(mem, mem->runs);
	mem->nr_segments = n;
	mem->lo = PHYS_ADDR_MAX;
	mem->hi = 0;
	for (i = 0; i < n; i++) {
		mem->lo = min(mem->lo, mem->runs[i].addr);
		mem->hi = max(mem->hi, mem->runs[i].addr + mem->runs[i].len - 1);
	}
	return 0;
}

/* Free the first @n pages of @pages, a whole number of blocks. */
static void dmalab_exp_free_pages(struct page **pages, unsigned long n)
{
	unsigned long i, step, blocks = 0;

	for (i = 0; i < n; i += step) {
		step = dmalab_exp_block_pages(pages[i]);
		__free_pages(pages[i], compound_order(pages[i]));
		if (!(++blocks % 256))
			cond_resched();
	}
}

/**
 * dmalab_exp_mem_alloc() - allocate zeroed pages, charged to the caller
 * @mem: filled on success; untouched on failure
 * @nr_pages: number of pages
 * @contig: one physically contiguous block
 * @range: physical range every page must lie in, or NULL for anywhere
 * @killable: give up with -EINTR when the task is killed while pages are
 *	set aside (not for callers that must not fail: vmap)
 *
 * Return: 0, -ENOMEM, -E2BIG (contiguous beyond the largest order), -ERANGE
 * (empty range) or -EINTR (fatal signal).
 */
int dmalab_exp_mem_alloc(struct dmalab_exp_mem *mem, unsigned long nr_pages,
			 bool contig, const struct dmalab_exp_range *range,
			 bool killable)
{
	struct dmalab_exp_alloc_ctx ctx = {
		.range = range,
		.aside = LIST_HEAD_INIT(ctx.aside),
		.killable = killable,
	};
	struct dmalab_exp_mem new = { .nr_pages = nr_pages };
	unsigned long filled = 0;
	gfp_t zones[3];
	unsigned int nr_zones, z;
	int ret = -ENOMEM;

	if (range && range->lo > range->hi)
		return -ERANGE;
	if (range && !range->lo && range->hi == PHYS_ADDR_MAX)
		ctx.range = NULL;
	new.pages = kvmalloc_array(nr_pages, sizeof(*new.pages),
				   GFP_KERNEL_ACCOUNT);
	if (!new.pages)
		return -ENOMEM;

	nr_zones = dmalab_exp_zones(ctx.range, zones);
	for (z = 0; z < nr_zones; z++) {
		ctx.zone = zones[z];
		if (contig)
			ret = dmalab_exp_fill_contig(&ctx, &new, &filled);
		else
			ret = dmalab_exp_fill_scatter(&ctx, &new, &filled);
		dmalab_exp_free_aside(&ctx);
		if (ret != -ENOMEM)
			break;
	}
	if (ret)
		goto free_pages;
	ret = dmalab_exp_mem_scan(&new);
	if (ret)
		goto free_pages;
	atomic64_add(nr_pages << PAGE_SHIFT, &dmalab_exp_counters.live_bytes);
	*mem = new;
	return 0;

free_pages:
	dmalab_exp_free_pages(new.pages, filled);
	kvfree(new.pages);
	return ret;
}

/**
 * dmalab_exp_mem_free() - free pages from dmalab_exp_mem_alloc()
 * @mem: emptied; may already be empty
 */
void dmalab_exp_mem_free(struct dmalab_exp_mem *mem)
{
	if (!mem->pages)
		return;
	dmalab_exp_free_pages(mem->pages, mem->nr_pages);
	kvfree(mem->pages);
	kvfree(mem->runs);
	atomic64_sub(mem->nr_pages << PAGE_SHIFT,
		     &dmalab_exp_counters.live_bytes);
	memset(mem, 0, sizeof(*mem));
}

/**
 * dmalab_exp_mem_copy() - copy the contents of @src into @dst, same size
 * @dst: destination pages
 * @src: source pages
 */
void dmalab_exp_mem_copy(struct dmalab_exp_mem *dst,
			 const struct dmalab_exp_mem *src)
{
	unsigned long i;

	for (i = 0; i < dst->nr_pages; i++) {
		copy_highpage(dst->pages[i], src->pages[i]);
		if (!(i % 1024))
			cond_resched();
	}
}

/**
 * dmalab_exp_mem_huge_pfn() - the pfn a PMD entry maps at @pgoff, if any
 * @mem: allocated pages
 * @pgoff: index of the first page, a multiple of a PMD's pages
 *
 * Return: the first pfn when the PMD's pages from @pgoff on are one
 * physically contiguous, PMD-aligned range inside one block (a 2 MiB block
 * of a scattered buffer, a part of a larger contiguous one), else 0.
 */
unsigned long dmalab_exp_mem_huge_pfn(const struct dmalab_exp_mem *mem,
				      unsigned long pgoff)
{
	struct page *page, *head;
	unsigned long pfn;

	if (pgoff >= mem->nr_pages ||
	    mem->nr_pages - pgoff < DMALAB_EXP_PMD_PAGES)
		return 0;
	page = mem->pages[pgoff];
	pfn = page_to_pfn(page);
	if (!IS_ALIGNED(pfn, DMALAB_EXP_PMD_PAGES))
		return 0;
	/* Blocks kept whole are compound; split ones are single pages. */
	head = compound_head(page);
	if (page_to_pfn(head) + (1UL << compound_order(head)) <
	    pfn + DMALAB_EXP_PMD_PAGES)
		return 0;
	return pfn;
}

/**
 * dmalab_exp_mem_within() - whether every page lies inside @range
 * @mem: allocated pages
 * @range: inclusive physical range
 *
 * Return: true when they do.
 */
bool dmalab_exp_mem_within(const struct dmalab_exp_mem *mem,
			   const struct dmalab_exp_range *range)
{
	return mem->lo >= range->lo && mem->hi <= range->hi;
}
