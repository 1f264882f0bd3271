/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the exporter's test programs (and the reliability
 * tests): allocate through /dev/dmalab_exp, read a buffer's info and the
 * module's counters, import, attach and run DMA jobs, all through
 * libdmalab (tests/dmalab_test.h has the simulated and edu devices and CPU
 * access). Tests that send malformed structs on purpose do so with
 * test_malformed() of tests/dmalab_test.h.
 */
#ifndef DMALAB_TESTS_EXP_UTIL_H
#define DMALAB_TESTS_EXP_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmalab.h"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

/* ---- the exporter ---- */
/* /dev/dmalab_exp, or -errno. */
static inline int exp_open(void)
{
	return dmalab_exp_open(NULL);
}

/* A new read-write, close-on-exec dma-buf fd of @len bytes, or -errno. */
static inline int exp_alloc(int dev, uint64_t len, uint32_t placement,
			    uint32_t timing, uint32_t flags, uint32_t addr_bits)
{
	struct dmalab_alloc_opts o = {
		.len = len, .placement = placement, .timing = timing,
		.flags = flags, .addr_bits = addr_bits, .cloexec = 1,
	};

	return dmalab_alloc(dev, &o, NULL);
}

/* The call's errno, positive (0 on success). */
static inline int exp_info(int dev, int fd, struct dmalab_exp_info *info)
{
	return -dmalab_exp_get_info(dev, fd, info, NULL, 0, NULL);
}

/* Same, with up to @n attached devices in @ai (info->attach_count of them). */
static inline int exp_info_attach(int dev, int fd, struct dmalab_exp_info *info,
				  struct dmalab_exp_attach_info *ai,
				  unsigned int n)
{
	return -dmalab_exp_get_info(dev, fd, info, ai, n, NULL);
}

/* The call's errno, positive (0 on success). */
static inline int exp_stats(int dev, struct dmalab_exp_stats *st)
{
	return -dmalab_exp_get_stats(dev, st, NULL);
}

/* Nothing of the exporter's is alive beyond what @base had. */
static inline int exp_same_live(const struct dmalab_exp_stats *base,
				const struct dmalab_exp_stats *now)
{
	return base->live_buffers == now->live_buffers &&
	       base->live_bytes == now->live_bytes &&
	       base->live_attachments == now->live_attachments &&
	       base->live_mappings == now->live_mappings &&
	       base->live_vmaps == now->live_vmaps &&
	       base->live_mmaps == now->live_mmaps;
}

/* Whether every byte of [p, p + len) is @c. */
static inline int exp_all_bytes(const void *p, size_t len, unsigned char c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

static inline void *exp_map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

/* ---- the importer, as the exporter's tests use it (0 or -errno) ---- */
/* FNV-1a 64 of [p, p + n), as the importer's checksums compute it. */
static inline uint64_t exp_fnv(const void *p, size_t n)
{
	return dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, p, n);
}

/* Import @fd: its handle in *@h. */
static inline int exp_import(int imp, int fd, uint32_t *h)
{
	return dmalab_imp_import_fd(imp, fd, h, NULL, NULL);
}

/* Attach handle @h to device @dev; the attachment in *@att (may be NULL). */
static inline int exp_attach(int imp, uint32_t h, uint32_t dev, uint32_t *att)
{
	uint32_t a = 0;
	int r = dmalab_imp_attach_dev(imp, h, dev, &a, NULL);

	if (!r && att)
		*att = a;
	return r;
}

/* Fill in a DMA job (submitted by dmalab_imp_submit_job or _run_job). */
static inline struct dmalab_imp_job exp_job_args(uint32_t op, uint32_t src,
						 uint32_t dst, uint64_t soff,
						 uint64_t doff, uint64_t len,
						 uint32_t pattern,
						 uint32_t timeout_ms)
{
	struct dmalab_imp_job j;

	memset(&j, 0, sizeof(j));
	j.op = op;
	j.timeout_ms = timeout_ms;
	j.src_attach = src;
	j.dst_attach = dst;
	j.src_offset = soff;
	j.dst_offset = doff;
	j.len = len;
	j.pattern = pattern;
	return j;
}

/* Run a DMA job to its end (submit, wait): its status; *@sum its checksum. */
static inline int exp_job(int imp, uint32_t op, uint32_t src, uint32_t dst,
			  uint64_t soff, uint64_t doff, uint64_t len,
			  uint32_t pattern, uint32_t timeout_ms, uint64_t *sum)
{
	struct dmalab_imp_job j = exp_job_args(op, src, dst, soff, doff, len,
					       pattern, timeout_ms);

	return dmalab_imp_run_job(imp, &j, sum, NULL);
}

#endif /* DMALAB_TESTS_EXP_UTIL_H */
