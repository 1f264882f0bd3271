// SPDX-License-Identifier: GPL-2.0
/*
 * PCI driver for QEMU's edu device (1234:11e8): real DMA through the
 * device's 4 KiB buffer at device address 0x40000, one transfer of at most
 * 2 KiB at a time (QEMU 7.2 aborts when a transfer reaches 0x41000), with
 * an MSI after each transfer. The device silently drops address bits above
 * its dma_mask property, which it cannot report: the mask comes from the
 * edu_dma_bits module parameter, in the order of the devices' PCI addresses,
 * and so does the longest DMA segment it takes (edu_max_seg_kb).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#include <dmalab/compat.h>

#include "imp.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_ID		0x00
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_ID_MAGIC		0xed
#define EDU_CMD_RUN		BIT(0)
#define EDU_CMD_TO_RAM		BIT(1)
#define EDU_CMD_IRQ		BIT(2)
#define EDU_IRQ_DMA		0x100

#define EDU_BUF_ADDR		0x40000
#define EDU_XFER_MAX		2048
#define EDU_MAX_DEVICES		8

static unsigned int dmalab_imp_edu_dma_bits[EDU_MAX_DEVICES] = {
	28, 28, 28, 28, 28, 28, 28, 28
};

static unsigned int dmalab_imp_edu_nbits;
module_param_array_named(edu_dma_bits, dmalab_imp_edu_dma_bits, uint,
			 &dmalab_imp_edu_nbits, 0444);
MODULE_PARM_DESC(edu_dma_bits,
		 "DMA mask width of each edu device in the order of their PCI addresses, as QEMU's dma_mask property (default 28 each)");

/* 0 KiB: segments of any length, as the driver cuts them itself. */
static unsigned int dmalab_imp_edu_max_seg_kb[EDU_MAX_DEVICES];
static unsigned int dmalab_imp_edu_nsegs;
module_param_array_named(edu_max_seg_kb, dmalab_imp_edu_max_seg_kb, uint,
			 &dmalab_imp_edu_nsegs, 0444);
MODULE_PARM_DESC(edu_max_seg_kb,
		 "Longest DMA segment of each edu device in KiB, in the order of their PCI addresses; 0 for no limit, else at least a page (default 0 each)");

static bool dmalab_imp_edu_abort_stuck;
module_param_named(edu_abort_stuck, dmalab_imp_edu_abort_stuck, bool, 0600);
MODULE_PARM_DESC(edu_abort_stuck,
		 "Fault injection: the abort of a timed-out edu job reports the engine still running (default off)");

struct dmalab_imp_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct dmalab_imp_dev idev;
	u8 *bounce;		/* coherent 2 KiB: fill pattern, checksum data */
	dma_addr_t bounce_dma;
	int irq;
	char name[24];
};

/* One transfer between RAM (or the bounce) and the edu buffer. */
static void dmalab_imp_edu_xfer(struct dmalab_imp_edu *edu, dma_addr_t ram,
				u32 len, bool to_ram)
{
	if (to_ram) {
		writeq(EDU_BUF_ADDR, edu->regs + EDU_REG_DMA_SRC);
		writeq(ram, edu->regs + EDU_REG_DMA_DST);
	} else {
		writeq(ram, edu->regs + EDU_REG_DMA_SRC);
		writeq(EDU_BUF_ADDR, edu->regs + EDU_REG_DMA_DST);
	}
	writeq(len, edu->regs + EDU_REG_DMA_CNT);
	writeq(EDU_CMD_RUN | EDU_CMD_IRQ | (to_ram ? EDU_CMD_TO_RAM : 0),
	       edu->regs + EDU_REG_DMA_CMD);
}

static u32 dmalab_imp_edu_chunk(struct dmalab_imp_dma_job *job)
{
	u64 n = min_t(u64, job->len - job->done, EDU_XFER_MAX);

	if (job->src)
		n = min(n, dmalab_imp_cursor_span(&job->scur));
	if (job->dst)
		n = min(n, dmalab_imp_cursor_span(&job->dcur));
	return n;
}

/* Load the next chunk into the edu buffer (phase 0). */
static void dmalab_imp_edu_load(struct dmalab_imp_edu *edu,
				struct dmalab_imp_dma_job *job)
{
	job->chunk = dmalab_imp_edu_chunk(job);
	job->phase = 0;
	dmalab_imp_edu_xfer(edu, dmalab_imp_cursor_dma(&job->scur), job->chunk,
			    false);
}

/* Store the chunk from the edu buffer (phase 1). */
static void dmalab_imp_edu_store(struct dmalab_imp_edu *edu,
				 struct dmalab_imp_dma_job *job)
{
	dma_addr_t to = job->op == DMALAB_IMP_JOB_CHECKSUM ? edu->bounce_dma :
			dmalab_imp_cursor_dma(&job->dcur);

	job->phase = 1;
	dmalab_imp_edu_xfer(edu, to, job->chunk, true);
}

/*
 * A transfer finished: account for it and program the next one. Runs in
 * the interrupt handler with idev->lock held. Return: true when done.
 */
static bool dmalab_imp_edu_step(struct dmalab_imp_edu *edu,
				struct dmalab_imp_dma_job *job)
{
	if (job->phase == 0) {
		if (job->op == DMALAB_IMP_JOB_FILL)
			job->chunk = dmalab_imp_edu_chunk(job);
		dmalab_imp_edu_store(edu, job);
		return false;
	}
	if (job->op == DMALAB_IMP_JOB_CHECKSUM)
		job->checksum = dmalab_imp_fnv(job->checksum, edu->bounce,
					       job->chunk);
	if (job->src)
		dmalab_imp_cursor_advance(&job->scur, job->chunk);
	if (job->dst)
		dmalab_imp_cursor_advance(&job->dcur, job->chunk);
	job->done += job->chunk;
	if (job->done == job->len)
		return true;
	if (job->op == DMALAB_IMP_JOB_FILL) {
		/* The pattern is still in the edu buffer: store again. */
		job->chunk = dmalab_imp_edu_chunk(job);
		dmalab_imp_edu_store(edu, job);
	} else {
		dmalab_imp_edu_load(edu, job);
	}
	return false;
}

/*
 * The status is read under the lock the timeout path claims the job with:
 * read before it, a transfer's interrupt could otherwise step the next
 * job, started meanwhile on another CPU (the abort acks what it left).
 */
static irqreturn_t dmalab_imp_edu_irq(int irq, void *data)
{
	struct dmalab_imp_edu *edu = data;
	struct dmalab_imp_dma_job *job = NULL;
	bool done = false;
	u32 status;

	spin_lock(&edu->idev.lock);
	status = readl(edu->regs + EDU_REG_IRQ_STATUS);
	if (status)
		writel(status, edu->regs + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		job = edu->idev.cur_job;
	if (job)
		done = dmalab_imp_edu_step(edu, job);
	spin_unlock(&edu->idev.lock);
	if (done)
		dmalab_imp_job_hw_done(&edu->idev, job, 0);
	return status ? IRQ_HANDLED : IRQ_NONE;
}

static int dmalab_imp_edu_start(struct dmalab_imp_dev *idev,
				struct dmalab_imp_dma_job *job)
{
	struct dmalab_imp_edu *edu = idev->priv;

	spin_lock_irq(&idev->lock);
	if (job->op == DMALAB_IMP_JOB_FILL) {
		/* Put the pattern into the edu buffer once. */
		memset(edu->bounce, job->pattern, EDU_XFER_MAX);
		job->phase = 0;
		dmalab_imp_edu_xfer(edu, edu->bounce_dma, EDU_XFER_MAX, false);
	} else {
		dmalab_imp_edu_load(edu, job);
	}
	spin_unlock_irq(&idev->lock);
	return 0;
}

/*
 * After a timeout, let the engine go idle so the next job starts clean.
 * The edu has no way to cancel a transfer: wait for it to end.
 */
static int dmalab_imp_edu_abort(struct dmalab_imp_dev *idev,
				struct dmalab_imp_dma_job *job)
{
	struct dmalab_imp_edu *edu = idev->priv;
	u64 cmd;

	if (readq_poll_timeout(edu->regs + EDU_REG_DMA_CMD, cmd,
			       !(cmd & EDU_CMD_RUN), 1000, 1000000) ||
	    READ_ONCE(dmalab_imp_edu_abort_stuck))
		return -EIO;
	writel(EDU_IRQ_DMA, edu->regs + EDU_REG_IRQ_ACK);
	return 0;
}

/* Without bus mastering the engine can no longer reach memory. */
static void dmalab_imp_edu_quiesce(struct dmalab_imp_dev *idev)
{
	struct dmalab_imp_edu *edu = idev->priv;

	pci_clear_master(edu->pdev);
}

static const struct dmalab_imp_engine_ops dmalab_imp_edu_ops = {
	.start = dmalab_imp_edu_start,
	.abort = dmalab_imp_edu_abort,
	.quiesce = dmalab_imp_edu_quiesce,
};

static u64 dmalab_imp_edu_pci_addr(struct pci_dev *pdev)
{
	return (u64)pci_domain_nr(pdev->bus) << 16 | pci_dev_id(pdev);
}

/*
 * The n-th edu device by PCI address, not by probe order: a device removed
 * and found again by a rescan keeps its mask and segment limit.
 */
static unsigned int dmalab_imp_edu_index(struct pci_dev *pdev)
{
	u64 addr = dmalab_imp_edu_pci_addr(pdev);
	struct pci_dev *other = NULL;
	unsigned int i = 0;

	while ((other = pci_get_device(EDU_VENDOR, EDU_DEVICE, other)))
		if (dmalab_imp_edu_pci_addr(other) < addr)
			i++;
	return i;
}

static unsigned int dmalab_imp_edu_dma_bits_of(unsigned int i)
{
	unsigned int bits = i < EDU_MAX_DEVICES ? dmalab_imp_edu_dma_bits[i] : 28;

	return clamp(bits, 12U, 64U);
}

/* In bytes; dmalab_imp_edu_init() has checked the parameter. */
static unsigned int dmalab_imp_edu_max_seg_of(unsigned int i)
{
	unsigned int kb = i < EDU_MAX_DEVICES ? dmalab_imp_edu_max_seg_kb[i] : 0;

	return kb ? kb * SZ_1K : UINT_MAX;
}

static int dmalab_imp_edu_setup_irq(struct dmalab_imp_edu *edu)
{
	struct pci_dev *pdev = edu->pdev;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1,
				    PCI_IRQ_MSI | dmalab_imp_pci_irq_intx());
	if (ret < 0)
		return ret;
	edu->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(edu->irq, dmalab_imp_edu_irq, IRQF_SHARED,
			  edu->name, edu);
	if (ret)
		pci_free_irq_vectors(pdev);
	return ret;
}

static int dmalab_imp_edu_probe(struct pci_dev *pdev,
				const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct dmalab_imp_edu *edu;
	unsigned int i, bits, max_seg;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	snprintf(edu->name, sizeof(edu->name), "dmalab_edu%s",
		 pci_name(pdev));
	ret = pci_enable_device(pdev);
	if (ret)
		goto free_edu;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto disable;
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto release_region;
	}
	if ((readl(edu->regs + EDU_REG_ID) & 0xff) != EDU_ID_MAGIC) {
		dev_err(dev, "not an edu device\n");
		ret = -ENODEV;
		goto unmap;
	}
	i = dmalab_imp_edu_index(pdev);
	bits = dmalab_imp_edu_dma_bits_of(i);
	max_seg = dmalab_imp_edu_max_seg_of(i);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret) {
		/* Below 32 bits, direct DMA needs ZONE_DMA (WSL2 has none). */
		dev_err(dev, "the kernel refuses a %u-bit DMA mask (%d): no IOMMU, and no ZONE_DMA?\n",
			bits, ret);
		goto unmap;
	}
	/*
	 * The driver cuts every segment into transfers of at most 2 KiB
	 * itself, so the engine takes segments of any length and alignment
	 * unless edu_max_seg_kb sets a limit, as a real engine's would be.
	 * (PCI devices have dma_parms: these cannot fail; 6.12 returns void.)
	 */
	dma_set_max_seg_size(dev, max_seg);
	dma_set_seg_boundary(dev, ULONG_MAX);
	pci_set_master(pdev);
	edu->bounce = dma_alloc_coherent(dev, EDU_XFER_MAX, &edu->bounce_dma,
					 GFP_KERNEL);
	if (!edu->bounce) {
		ret = -ENOMEM;
		goto clear_master;
	}
	edu->idev.dev = dev;
	edu->idev.kind = DMALAB_IMP_KIND_EDU;
	edu->idev.max_xfer = EDU_XFER_MAX;
	edu->idev.ops = &dmalab_imp_edu_ops;
	edu->idev.priv = edu;
	/* Before the IRQ: the handler takes idev.lock. */
	ret = dmalab_imp_dev_init_engine(&edu->idev, edu->name);
	if (ret)
		goto free_bounce;
	ret = dmalab_imp_edu_setup_irq(edu);
	if (ret)
		goto fini_engine;
	ret = dmalab_imp_dev_register(&edu->idev);
	if (ret)
		goto free_irq;
	pci_set_drvdata(pdev, edu);
	dev_info(dev, "edu device %u, %u-bit DMA, segments up to %u bytes, %s\n",
		 edu->idev.id, bits, max_seg,
		 dmalab_imp_dev_translated(dev) ? "behind an IOMMU" :
						  "no IOMMU");
	return 0;

free_irq:
	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
fini_engine:
	dmalab_imp_dev_fini_engine(&edu->idev);
free_bounce:
	dma_free_coherent(dev, EDU_XFER_MAX, edu->bounce, edu->bounce_dma);
clear_master:
	pci_clear_master(pdev);
unmap:
	pci_iounmap(pdev, edu->regs);
release_region:
	pci_release_region(pdev, 0);
disable:
	pci_disable_device(pdev);
free_edu:
	kfree(edu);
	return ret;
}

/*
 * At module unload no file is open, so nothing uses the device. A PCI
 * remove (sysfs or hot unplug) can come at any time: the device leaves the
 * registry, its jobs end (they need the interrupt) and its attachments are
 * revoked before it is torn down, without waiting for their files.
 */
static void dmalab_imp_edu_remove(struct pci_dev *pdev)
{
	struct dmalab_imp_edu *edu = pci_get_drvdata(pdev);

	dmalab_imp_dev_unregister(&edu->idev);	/* ends jobs, revokes users */
	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
	dmalab_imp_dev_fini_engine(&edu->idev);
	dma_free_coherent(&pdev->dev, EDU_XFER_MAX, edu->bounce,
			  edu->bounce_dma);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	kfree(edu);
}

static const struct pci_device_id dmalab_imp_edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dmalab_imp_edu_ids);

static struct pci_driver dmalab_imp_edu_driver = {
	.name = "dmalab_imp_edu",
	.id_table = dmalab_imp_edu_ids,
	.probe = dmalab_imp_edu_probe,
	.remove = dmalab_imp_edu_remove,
	/* No manual unbind: devices leave by removal or unload. */
	.driver.suppress_bind_attrs = true,
};

/**
 * dmalab_imp_edu_init() - check the edu parameters, register the PCI driver
 *
 * Return: 0, -EINVAL for an edu_max_seg_kb below a page or beyond 4 GiB,
 * or a negative errno.
 */
int dmalab_imp_edu_init(void)
{
	unsigned int i, kb;

	for (i = 0; i < dmalab_imp_edu_nsegs; i++) {
		kb = dmalab_imp_edu_max_seg_kb[i];
		if (kb && (kb < PAGE_SIZE / SZ_1K || kb > UINT_MAX / SZ_1K)) {
			pr_err("edu_max_seg_kb: %u KiB is neither 0 (no limit) nor in %lu..%u\n",
			       kb, PAGE_SIZE / SZ_1K, UINT_MAX / SZ_1K);
			return -EINVAL;
		}
	}
	return pci_register_driver(&dmalab_imp_edu_driver);
}

/**
 * dmalab_imp_edu_exit() - unregister the edu PCI driver
 */
void dmalab_imp_edu_exit(void)
{
	pci_unregister_driver(&dmalab_imp_edu_driver);
}
