/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmalab-conform: the conformance checker, a unit of its own on top of
 * libdmalab's public API (it uses nothing else of the library). It holds
 * any dma-buf, whoever exported it, to the dma-buf contract.
 */
#ifndef DMALAB_CONFORM_H
#define DMALAB_CONFORM_H

#include "dmalab.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum dmalab_conform_verdict - outcome of one conformance check
 * @DMALAB_CONFORM_PASS: the buffer does what the contract asks
 * @DMALAB_CONFORM_FAIL: it does not; the detail says how
 * @DMALAB_CONFORM_UNSUPPORTED: the exporter (or a device) does not offer
 *	what the check needs, which the contract allows; the detail says why
 */
enum dmalab_conform_verdict {
	DMALAB_CONFORM_PASS,
	DMALAB_CONFORM_FAIL,
	DMALAB_CONFORM_UNSUPPORTED,
};

#define DMALAB_CONFORM_MAX		32
#define DMALAB_CONFORM_NAME_LEN		40
#define DMALAB_CONFORM_DETAIL_LEN	160

/**
 * struct dmalab_conform_check - one check and its verdict
 * @name: the check, a stable identifier such as "mmap_beyond_size_refused"
 * @verdict: an &enum dmalab_conform_verdict
 * @detail: one line: what was seen, or why the check could not run
 */
struct dmalab_conform_check {
	char name[DMALAB_CONFORM_NAME_LEN];
	int verdict;
	char detail[DMALAB_CONFORM_DETAIL_LEN];
};

/**
 * struct dmalab_conform_report - every check run on one dma-buf
 * @size: the buffer's size (lseek)
 * @exporter: the exporter's name from the fd's fdinfo (exp_name)
 * @nr_checks: entries used in @checks
 * @passed: checks that passed
 * @failed: checks that failed
 * @unsupported: checks the exporter or a device does not support
 * @checks: the checks, in the order run
 */
struct dmalab_conform_report {
	uint64_t size;
	char exporter[DMALAB_CONFORM_NAME_LEN];
	unsigned int nr_checks;
	unsigned int passed;
	unsigned int failed;
	unsigned int unsupported;
	struct dmalab_conform_check checks[DMALAB_CONFORM_MAX];
};

/**
 * dmalab_conform() - hold any dma-buf to the dma-buf contract
 * @buf_fd: the dma-buf, of any exporter
 * @imp_fd: fd of /dev/dmalab_imp, or -1 to open it for this call (without
 *	the importer the kernel-side checks are "not supported")
 * @rep: receives the verdicts
 * @err: error report, may be NULL
 *
 * Checks: size and lseek (SEEK_END gives the size, SEEK_SET 0 works,
 * anything else is refused), mmap of the whole buffer and at several
 * offsets, refusal of mappings past the end, MAP_PRIVATE (refused, or
 * private writes stay private), DMA_BUF_IOCTL_SYNC in every direction and
 * refusal of bad flags, the importer's vmap against mmap both ways, for
 * each edu device and a simulated device with a 64 KiB segment limit an
 * sg_table that covers the buffer, is page aligned and keeps the device's
 * limits, a DMA round trip on the first device that maps it, and fences:
 * a device job not yet waited for makes poll(), an exported sync_file and
 * DMA_BUF_IOCTL_SYNC wait until it ends.
 *
 * The checks overwrite the buffer's contents. They leave nothing imported
 * or attached behind.
 *
 * Return: 0 when the checks ran (@rep->failed counts failures), or -errno
 * when @buf_fd is not a dma-buf at all.
 */
int dmalab_conform(int buf_fd, int imp_fd, struct dmalab_conform_report *rep,
		   struct dmalab_err *err);

/**
 * dmalab_conform_verdict_name() - "pass", "fail" or "not supported"
 * @verdict: an &enum dmalab_conform_verdict
 *
 * Return: a static string.
 */
const char *dmalab_conform_verdict_name(int verdict);

#ifdef __cplusplus
}
#endif

#endif /* DMALAB_CONFORM_H */
