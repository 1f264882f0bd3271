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
 * @DMALAB_CONFORM_SKIPPED: not run, as the caller asked (a read-only run
 *	skips the checks that write the buffer); the detail says why
 */
enum dmalab_conform_verdict {
	DMALAB_CONFORM_PASS,
	DMALAB_CONFORM_FAIL,
	DMALAB_CONFORM_UNSUPPORTED,
	DMALAB_CONFORM_SKIPPED,
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
 * @skipped: checks not run, as the caller asked
 * @checks: the checks, in the order run
 */
struct dmalab_conform_report {
	uint64_t size;
	char exporter[DMALAB_CONFORM_NAME_LEN];
	unsigned int nr_checks;
	unsigned int passed;
	unsigned int failed;
	unsigned int unsupported;
	unsigned int skipped;
	struct dmalab_conform_check checks[DMALAB_CONFORM_MAX];
};

/* Read the buffer, never write it: for buffers the caller did not make. */
#define DMALAB_CONFORM_READ_ONLY	(1U << 0)

/**
 * struct dmalab_conform_opts - how dmalab_conform_with() runs the checks
 * @flags: %DMALAB_CONFORM_READ_ONLY, or 0 for every check
 * @why: NULL, or the detail of each check a read-only run skips (such as
 *	"read-only: the buffer belongs to pid 42; --write to include")
 */
struct dmalab_conform_opts {
	unsigned int flags;
	const char *why;
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
 * or attached behind. dmalab_conform_with() runs them read-only.
 *
 * Return: 0 when the checks ran (@rep->failed counts failures), or -errno
 * when @buf_fd is not a dma-buf at all.
 */
int dmalab_conform(int buf_fd, int imp_fd, struct dmalab_conform_report *rep,
		   struct dmalab_err *err);

/**
 * dmalab_conform_with() - dmalab_conform(), with options
 * @buf_fd: the dma-buf, of any exporter
 * @imp_fd: fd of /dev/dmalab_imp, or -1 to open it for this call
 * @opts: NULL for dmalab_conform()'s run, or how to run
 * @rep: receives the verdicts
 * @err: error report, may be NULL
 *
 * With %DMALAB_CONFORM_READ_ONLY, for a buffer another process owns (taken
 * with dmalab_pidfd_getfd()): nothing is written into it, by the CPU or by
 * a device. mmap maps it read-only and compares offsets by contents, vmap
 * is compared with mmap on the contents found, devices map it
 * DMA_TO_DEVICE only (no bounce buffer is copied back over the owner's
 * bytes), a device reads it (dma_read_equals_mmap), and the checks that
 * write (MAP_PRIVATE, the kernel's write through vmap, the DMA round trip
 * and the fences, which a device's write drives) are reported
 * %DMALAB_CONFORM_SKIPPED with @opts->why. The owner may write meanwhile:
 * a comparison can then fail that a quiet buffer would pass.
 *
 * Return: as dmalab_conform().
 */
int dmalab_conform_with(int buf_fd, int imp_fd,
			const struct dmalab_conform_opts *opts,
			struct dmalab_conform_report *rep,
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
