// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers of every size class up to 16 MiB and every placement: they
 * allocate, report their length, read back as zeros, keep to their address
 * limit and are freed. alloc_large.c covers 256 MiB and 1 GiB.
 */
#include <stdio.h>

#include "tap.h"
#include "exp_util.h"

static int dev;

/* Zeros everywhere, or in one page per MiB for big buffers. */
static int reads_zero(int fd, uint64_t len)
{
	uint64_t step = len > 64 * MiB ? MiB : 4096, off;
	unsigned char *p = exp_map(fd, len, PROT_READ, MAP_SHARED, 0);
	int ok = 1;

	if (p == MAP_FAILED)
		return 0;
	for (off = 0; off < len && ok; off += step)
		ok = exp_all_bytes(p + off, 4096, 0);
	munmap(p, len);
	return ok;
}

static void size_case(uint64_t len)
{
	struct dmalab_exp_info info;
	int fd = exp_alloc(dev, len, DMALAB_EXP_PLACE_SCATTER,
			   DMALAB_EXP_TIMING_EAGER, 0, 0);

	if (!tap_result(fd >= 0, "alloc_%llu_kib_succeeds",
			(unsigned long long)(len / KiB))) {
		tap_diag("errno %d", -fd);
		tap_skip("alloc_reports_len_and_allocated", "no buffer");
		tap_skip("alloc_reads_zero", "no buffer");
		return;
	}
	tap_result(!exp_info(dev, fd, &info) && info.len == len &&
		   (info.state & DMALAB_EXP_STATE_ALLOCATED),
		   "alloc_%llu_kib_reports_len_and_allocated",
		   (unsigned long long)(len / KiB));
	tap_result(reads_zero(fd, len), "alloc_%llu_kib_reads_zero",
		   (unsigned long long)(len / KiB));
	close(fd);
}

static void scatter_uses_large_orders(void)
{
	struct dmalab_exp_info info;
	int fd = exp_alloc(dev, 16 * MiB, DMALAB_EXP_PLACE_SCATTER,
			   DMALAB_EXP_TIMING_EAGER, 0, 0);

	/* 4 KiB pages alone would give thousands of segments. */
	tap_result(fd >= 0 && !exp_info(dev, fd, &info) &&
		   info.nr_segments >= 1 && info.nr_segments <= 16,
		   "scatter_16_mib_uses_1_mib_blocks");
	tap_diag("16 MiB scatter: %u segments", info.nr_segments);
	close(fd);
}

static void contig_cases(const struct dmalab_exp_stats *st)
{
	struct dmalab_exp_info info;
	int fd;

	fd = exp_alloc(dev, st->max_contig_len, DMALAB_EXP_PLACE_CONTIG,
		       DMALAB_EXP_TIMING_EAGER, 0, 0);
	tap_result(fd >= 0 && !exp_info(dev, fd, &info) &&
		   info.nr_segments == 1 &&
		   (info.state & DMALAB_EXP_STATE_CONTIGUOUS),
		   "contig_at_limit_is_one_segment");
	if (fd >= 0)
		tap_result(reads_zero(fd, st->max_contig_len),
			   "contig_reads_zero");
	else
		tap_skip("contig_reads_zero", "no buffer");
	close(fd);

	fd = exp_alloc(dev, 3 * 4096, DMALAB_EXP_PLACE_CONTIG,
		       DMALAB_EXP_TIMING_EAGER, 0, 0);
	tap_result(fd >= 0 && !exp_info(dev, fd, &info) &&
		   info.nr_segments == 1 && info.len == 3 * 4096,
		   "contig_odd_page_count_is_one_segment");
	close(fd);

	fd = exp_alloc(dev, st->max_contig_len + 4096, DMALAB_EXP_PLACE_CONTIG,
		       DMALAB_EXP_TIMING_EAGER, 0, 0);
	tap_result(fd == -E2BIG, "contig_beyond_limit_fails_e2big");
	if (fd >= 0)
		close(fd);
}

static void addr_bits_case(unsigned int bits, uint64_t len, uint32_t place)
{
	struct dmalab_exp_info info;
	int fd = exp_alloc(dev, len, place, DMALAB_EXP_TIMING_EAGER, 0, bits);
	int ok = fd >= 0 && !exp_info(dev, fd, &info);

	if (ok && (info.state & DMALAB_EXP_STATE_PHYS_HIDDEN)) {
		tap_skip("addr_bits_keeps_pages_below_limit", "needs CAP_SYS_ADMIN");
	} else {
		tap_result(ok && info.phys_hi < (1ULL << bits) &&
			   info.phys_hi >= info.phys_lo,
			   "addr_bits_%u_%s_keeps_pages_below_limit", bits,
			   place ? "contig" : "scatter");
		if (ok)
			tap_diag("addr_bits %u: phys %#llx-%#llx", bits,
				 (unsigned long long)info.phys_lo,
				 (unsigned long long)info.phys_hi);
		else
			tap_diag("errno %d", -fd);
	}
	if (fd >= 0)
		close(fd);
}

static void zero_after_reuse(void)
{
	uint64_t len = 16 * MiB;
	unsigned char *p;
	int fd, ok = 0, round;

	/* Freed pages full of a pattern come back zeroed. */
	for (round = 0; round < 2; round++) {
		fd = exp_alloc(dev, len, DMALAB_EXP_PLACE_SCATTER,
			       DMALAB_EXP_TIMING_EAGER, 0, 0);
		if (fd < 0)
			break;
		p = exp_map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (p == MAP_FAILED) {
			close(fd);
			break;
		}
		if (round == 1)
			ok = exp_all_bytes(p, len, 0);
		memset(p, 0x5a, len);
		munmap(p, len);
		close(fd);
	}
	tap_result(ok, "memory_is_zeroed_after_reuse");
}

int main(void)
{
	static const uint64_t sizes[] = {
		4 * KiB, 8 * KiB, 64 * KiB, 68 * KiB, MiB, MiB + 4 * KiB,
		4 * MiB, 16 * MiB,
	};
	struct dmalab_exp_stats base, st;
	unsigned int i;

	tap_plan(3 * 8 + 1 + 4 + 4 + 1 + 1);
	dev = exp_open();
	if (dev < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s: %s\n", DMALAB_EXP_DEVICE,
		       strerror(errno));
		return 1;
	}
	for (i = 0; i < 8; i++)
		size_case(sizes[i]);
	scatter_uses_large_orders();
	contig_cases(&base);
	addr_bits_case(32, 8 * MiB, DMALAB_EXP_PLACE_SCATTER);
	addr_bits_case(28, MiB, DMALAB_EXP_PLACE_SCATTER);
	addr_bits_case(28, MiB, DMALAB_EXP_PLACE_CONTIG);
	addr_bits_case(24, 64 * KiB, DMALAB_EXP_PLACE_SCATTER);
	zero_after_reuse();
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "everything_is_freed_after_close");
	close(dev);
	return tap_exit();
}
