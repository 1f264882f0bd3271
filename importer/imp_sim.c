// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated DMA devices: real struct devices with their own DMA mask,
 * segment limits and optional bus window (dev->dma_range_map, so dma-direct
 * applies the bus offset). Their "DMA" is done by the CPU strictly through
 * the sg_table's DMA addresses, translated back to physical addresses the
 * way their bus would: a wrong table gives wrong data.
 *
 * The same code makes the module's probe device: 64-bit, no window, used
 * to look at where a buffer's pages are.
 *
 * Both are platform devices without a driver: their release function is
 * the platform core's, not this module's, so a reference that outlives
 * them (CONFIG_DEBUG_KOBJECT_RELEASE delays releases by seconds) never
 * calls into an unloaded module. The DMA mask and parameters live in the
 * platform device; this module's state is a separate allocation, freed by
 * this module once the device is unregistered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include <dmalab/compat.h>

#include "imp.h"

/* Delay of the simulated completion interrupt. */
#define DMALAB_IMP_SIM_IRQ_NS	(100 * NSEC_PER_USEC)

struct dmalab_imp_sim {
	struct platform_device *pdev;
	u64 dma_mask;
	struct dmalab_imp_dev idev;
	struct hrtimer irq;
	struct dmalab_imp_dma_job *irq_job;
	int irq_status;
};

/* Physical address the bus turns @dma into, or -EFAULT. */
static int dmalab_imp_sim_phys(struct dmalab_imp_sim *sim, dma_addr_t dma,
			       u64 len, phys_addr_t *phys)
{
	struct device *dev = &sim->pdev->dev;

	if (dma + len - 1 < dma || dma + len - 1 > sim->dma_mask)
		return -EFAULT;
	*phys = dma_to_phys(dev, dma);
	if (*phys == (phys_addr_t)-1 || !pfn_valid(PHYS_PFN(*phys)))
		return -EFAULT;
	/* A range contiguous on the bus must be contiguous in the window. */
	if (dma_to_phys(dev, dma + len - 1) != *phys + len - 1)
		return -EFAULT;
	return 0;
}

/* One CPU "transfer" within a page on each side. */
static void dmalab_imp_sim_xfer(struct dmalab_imp_dma_job *job, phys_addr_t sp,
				phys_addr_t dp, size_t n)
{
	u8 *s = NULL, *d = NULL;

	if (job->op != DMALAB_IMP_JOB_FILL)
		s = kmap_local_page(pfn_to_page(PHYS_PFN(sp)));
	if (job->op != DMALAB_IMP_JOB_CHECKSUM)
		d = kmap_local_page(pfn_to_page(PHYS_PFN(dp)));
	switch (job->op) {
	case DMALAB_IMP_JOB_COPY:
		memcpy(d + offset_in_page(dp), s + offset_in_page(sp), n);
		break;
	case DMALAB_IMP_JOB_FILL:
		memset(d + offset_in_page(dp), job->pattern, n);
		break;
	case DMALAB_IMP_JOB_CHECKSUM:
		job->checksum = dmalab_imp_fnv(job->checksum,
					       s + offset_in_page(sp), n);
		break;
	}
	if (d)
		kunmap_local(d);
	if (s)
		kunmap_local(s);
}

static u64 dmalab_imp_sim_chunk(struct dmalab_imp_dma_job *job)
{
	u64 n = job->len - job->done;

	if (job->src)
		n = min(n, dmalab_imp_cursor_span(&job->scur));
	if (job->dst)
		n = min(n, dmalab_imp_cursor_span(&job->dcur));
	return n;
}

static int dmalab_imp_sim_run(struct dmalab_imp_sim *sim,
			      struct dmalab_imp_dma_job *job)
{
	phys_addr_t sp = 0, dp = 0;
	int ret;

	while (job->done < job->len) {
		u64 n = dmalab_imp_sim_chunk(job);

		if (job->src) {
			ret = dmalab_imp_sim_phys(sim, dmalab_imp_cursor_dma(&job->scur),
						  n, &sp);
			if (ret)
				return ret;
			n = min_t(u64, n, PAGE_SIZE - offset_in_page(sp));
		}
		if (job->dst) {
			ret = dmalab_imp_sim_phys(sim, dmalab_imp_cursor_dma(&job->dcur),
						  n, &dp);
			if (ret)
				return ret;
			n = min_t(u64, n, PAGE_SIZE - offset_in_page(dp));
		}
		dmalab_imp_sim_xfer(job, sp, dp, n);
		if (job->src)
			dmalab_imp_cursor_advance(&job->scur, n);
		if (job->dst)
			dmalab_imp_cursor_advance(&job->dcur, n);
		job->done += n;
		cond_resched();
	}
	return 0;
}

static enum hrtimer_restart dmalab_imp_sim_irq(struct hrtimer *t)
{
	struct dmalab_imp_sim *sim = container_of(t, struct dmalab_imp_sim, irq);

	dmalab_imp_job_hw_done(&sim->idev, sim->irq_job, sim->irq_status);
	return HRTIMER_NORESTART;
}

static int dmalab_imp_sim_start(struct dmalab_imp_dev *idev,
				struct dmalab_imp_dma_job *job)
{
	struct dmalab_imp_sim *sim = idev->priv;

	if (idev->stall)
		return 0;	/* never completes: the job will time out */
	sim->irq_status = dmalab_imp_sim_run(sim, job);
	sim->irq_job = job;
	/* Completion arrives like an interrupt, from hard-irq context. */
	hrtimer_start(&sim->irq, ns_to_ktime(DMALAB_IMP_SIM_IRQ_NS),
		      HRTIMER_MODE_REL);
	return 0;
}

static int dmalab_imp_sim_abort(struct dmalab_imp_dev *idev,
				struct dmalab_imp_dma_job *job)
{
	struct dmalab_imp_sim *sim = idev->priv;

	hrtimer_cancel(&sim->irq);
	return 0;
}

static const struct dmalab_imp_engine_ops dmalab_imp_sim_ops = {
	.start = dmalab_imp_sim_start,
	.abort = dmalab_imp_sim_abort,
};

static int dmalab_imp_sim_check(const struct dmalab_imp_sim_create *arg)
{
	bool win = arg->flags & DMALAB_IMP_SIM_WINDOW;

	if (arg->dma_bits < 24 || arg->dma_bits > 64)
		return -EINVAL;
	if (arg->max_seg_size && arg->max_seg_size < PAGE_SIZE)
		return -EINVAL;
	if (arg->seg_boundary_mask &&
	    (arg->seg_boundary_mask < PAGE_SIZE - 1 ||
	     (arg->seg_boundary_mask & (arg->seg_boundary_mask + 1))))
		return -EINVAL;
	if (!win)
		return (arg->win_phys_start || arg->win_dma_start ||
			arg->win_size) ? -EINVAL : 0;
	if (!arg->win_size || !PAGE_ALIGNED(arg->win_size) ||
	    !PAGE_ALIGNED(arg->win_phys_start) ||
	    !PAGE_ALIGNED(arg->win_dma_start))
		return -EINVAL;
	if (arg->win_phys_start + arg->win_size < arg->win_phys_start ||
	    arg->win_dma_start + arg->win_size < arg->win_dma_start)
		return -EINVAL;
	return 0;
}

/*
 * A device that does not reach all memory tells, by which buffers it can
 * attach, where their pages are, and makes a MIGRATE buffer move into its
 * reach: placement is for CAP_SYS_ADMIN to learn and choose. Segment
 * limits reveal nothing of it.
 */
static bool dmalab_imp_sim_places(const struct dmalab_imp_sim_create *arg)
{
	return (arg->flags & DMALAB_IMP_SIM_WINDOW) || arg->dma_bits < 64;
}

/*
 * platform_device_add(), whose failure to allocate the device's name comes
 * back as -EINVAL (it ignores dev_set_name()'s error): said as -ENOMEM.
 */
static int dmalab_imp_sim_pdev_add(struct platform_device *pdev)
{
	int ret = platform_device_add(pdev);

	return ret == -EINVAL && !dev_name(&pdev->dev) ? -ENOMEM : ret;
}

/*
 * A platform device, not yet added, with these DMA limits. Set directly, as
 * a bus would: dma_set_mask() rejects windows. The driver core frees
 * dev.dma_range_map with the device (6.1 and 6.12).
 */
static struct platform_device *
dmalab_imp_sim_pdev(const char *name, struct device *parent, u32 bits,
		    u32 max_seg, u64 boundary)
{
	struct platform_device *pdev;

	pdev = platform_device_alloc(name, PLATFORM_DEVID_NONE);
	if (!pdev)
		return NULL;
	pdev->dev.parent = parent;
	pdev->platform_dma_mask = DMA_BIT_MASK(bits);
	pdev->dev.dma_mask = &pdev->platform_dma_mask;
	pdev->dev.coherent_dma_mask = pdev->platform_dma_mask;
	pdev->dma_parms.max_segment_size = max_seg;
	pdev->dma_parms.segment_boundary_mask = boundary;
	pdev->dev.dma_parms = &pdev->dma_parms;
	return pdev;
}

/**
 * dmalab_imp_sim_create() - DMALAB_IMP_IOC_SIM_CREATE
 * @f: calling file, locked
 * @arg: ioctl argument
 *
 * Return: 0, -EINVAL, -EPERM for a window or fewer than 64 address bits
 * without CAP_SYS_ADMIN, -EMFILE, or another negative errno.
 */
int dmalab_imp_sim_create(struct dmalab_imp_file *f,
			  struct dmalab_imp_sim_create *arg)
{
	struct bus_dma_region *map = NULL;
	struct dmalab_imp_sim *sim;
	char name[DMALAB_IMP_NAME_LEN];
	static atomic_t seq = ATOMIC_INIT(0);
	int ret;

	ret = dmalab_imp_sim_check(arg);
	if (ret)
		return ret;
	if (dmalab_imp_sim_places(arg) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (f->n_sims >= DMALAB_IMP_MAX_SIMS)
		return -EMFILE;
	snprintf(name, sizeof(name), "dmalab_sim%u", atomic_inc_return(&seq));
	sim = kzalloc(sizeof(*sim), GFP_KERNEL_ACCOUNT);
	if (!sim)
		return -ENOMEM;
	ret = -ENOMEM;
	sim->pdev = dmalab_imp_sim_pdev(name, dmalab_imp_node(), arg->dma_bits,
					arg->max_seg_size ?: UINT_MAX,
					arg->seg_boundary_mask ?: ULONG_MAX);
	if (!sim->pdev)
		goto free_sim;
	sim->dma_mask = DMA_BIT_MASK(arg->dma_bits);
	sim->idev.dev = &sim->pdev->dev;
	sim->idev.priv = sim;
	sim->idev.kind = DMALAB_IMP_KIND_SIM;
	sim->idev.owner = f;
	sim->idev.stall = arg->flags & DMALAB_IMP_SIM_STALL;
	sim->idev.ops = &dmalab_imp_sim_ops;
	dmalab_imp_hrtimer_setup(&sim->irq, dmalab_imp_sim_irq);
	if (arg->flags & DMALAB_IMP_SIM_WINDOW) {
		/* Zero-size entry terminates the map. */
		map = kcalloc(2, sizeof(*map), GFP_KERNEL_ACCOUNT);
		if (!map)
			goto put_pdev;
		dmalab_imp_set_dma_region(map, arg->win_phys_start,
					  arg->win_dma_start, arg->win_size);
		sim->pdev->dev.dma_range_map = map;
		sim->idev.has_window = true;
		sim->idev.win_phys = arg->win_phys_start;
		sim->idev.win_dma = arg->win_dma_start;
		sim->idev.win_size = arg->win_size;
	}
	ret = dmalab_imp_sim_pdev_add(sim->pdev);
	if (ret)
		goto put_pdev;
	ret = dmalab_imp_dev_init_engine(&sim->idev, name);
	if (ret)
		goto del_pdev;
	ret = dmalab_imp_dev_register(&sim->idev);
	if (ret)
		goto fini_engine;
	ret = xa_insert(&f->sims, sim->idev.id, &sim->idev, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto unregister;
	f->n_sims++;
	arg->dev_id = sim->idev.id;
	dev_dbg_ratelimited(sim->idev.dev, "created as device %u\n",
			    sim->idev.id);
	return 0;

unregister:
	dmalab_imp_dev_unregister(&sim->idev);
fini_engine:
	dmalab_imp_dev_fini_engine(&sim->idev);
del_pdev:
	platform_device_del(sim->pdev);
put_pdev:
	platform_device_put(sim->pdev);	/* frees map too */
free_sim:
	kfree(sim);
	return ret;
}

static void dmalab_imp_sim_free(struct dmalab_imp_file *f,
				struct dmalab_imp_dev *idev)
{
	struct dmalab_imp_sim *sim = idev->priv;

	xa_erase(&f->sims, idev->id);
	f->n_sims--;
	dmalab_imp_dev_unregister(idev);
	dmalab_imp_dev_fini_engine(idev);
	hrtimer_cancel(&sim->irq);
	platform_device_unregister(sim->pdev);
	kfree(sim);
}

/**
 * dmalab_imp_sim_destroy() - DMALAB_IMP_IOC_SIM_DESTROY
 * @f: calling file, locked
 * @id: device id
 *
 * Return: 0, -ENOENT, or -EBUSY while buffers are attached to it.
 */
int dmalab_imp_sim_destroy(struct dmalab_imp_file *f, u32 id)
{
	struct dmalab_imp_dev *idev = xa_load(&f->sims, id);

	if (!idev)
		return -ENOENT;
	if (atomic_read(&idev->n_users))
		return -EBUSY;
	dmalab_imp_sim_free(f, idev);
	return 0;
}

/**
 * dmalab_imp_sim_destroy_all() - destroy a closing file's devices
 * @f: file, locked, with every attachment already gone
 */
void dmalab_imp_sim_destroy_all(struct dmalab_imp_file *f)
{
	struct dmalab_imp_dev *idev;
	unsigned long id;

	xa_for_each(&f->sims, id, idev)
		dmalab_imp_sim_free(f, idev);
}

/**
 * dmalab_imp_probe_create() - make the 64-bit probe device
 *
 * Return: the device or an ERR_PTR.
 */
struct device *dmalab_imp_probe_create(void)
{
	struct platform_device *pdev;
	int ret;

	/* Made before the node: it has no parent. */
	pdev = dmalab_imp_sim_pdev("dmalab_probe", NULL, 64, UINT_MAX,
				   ULONG_MAX);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	ret = dmalab_imp_sim_pdev_add(pdev);
	if (ret) {
		platform_device_put(pdev);
		return ERR_PTR(ret);
	}
	return &pdev->dev;
}

/**
 * dmalab_imp_probe_destroy() - remove the probe device
 * @dev: device from dmalab_imp_probe_create()
 */
void dmalab_imp_probe_destroy(struct device *dev)
{
	platform_device_unregister(to_platform_device(dev));
}
