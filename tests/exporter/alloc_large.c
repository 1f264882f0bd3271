// SPDX-License-Identifier: GPL-2.0
/*
 * Large buffers: 256 MiB and 1 GiB allocate, read back as zeros (one page
 * per MiB is checked: every page would take too long under TCG) and are
 * freed. The 1 GiB buffer runs only when the exporter's cap and the
 * machine's free memory (1.5 GiB) allow it.
 */
#include <stdio.h>

#include "tap.h"
#include "exp_util.h"

static uint64_t mem_available(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * KiB;
}

static int sampled_zero(int fd, uint64_t len)
{
	unsigned char *p = exp_map(fd, len, PROT_READ, MAP_SHARED, 0);
	uint64_t off;
	int ok = 1;

	if (p == MAP_FAILED)
		return 0;
	for (off = 0; off < len && ok; off += MiB)
		ok = exp_all_bytes(p + off, 4096, 0);
	ok = ok && exp_all_bytes(p + len - 4096, 4096, 0);
	munmap(p, len);
	return ok;
}

static void large_case(int dev, uint64_t len, const char *name)
{
	struct dmalab_exp_info info;
	int fd = exp_alloc(dev, len, DMALAB_EXP_PLACE_SCATTER,
			   DMALAB_EXP_TIMING_EAGER, 0, 0);

	tap_result(fd >= 0 && !exp_info(dev, fd, &info) && info.len == len &&
		   (info.state & DMALAB_EXP_STATE_ALLOCATED),
		   "alloc_%s_succeeds", name);
	if (fd < 0) {
		tap_diag("errno %d", -fd);
		tap_skip("reads_zero", "no buffer");
		return;
	}
	tap_diag("%s: %u segments", name, info.nr_segments);
	tap_result(sampled_zero(fd, len), "alloc_%s_reads_zero", name);
	close(fd);
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	uint64_t avail;
	int dev;

	tap_plan(5);
	dev = exp_open();
	if (dev < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}
	large_case(dev, 256 * MiB, "256_mib");
	avail = mem_available();
	if (base.max_len >= GiB && avail >= GiB + GiB / 2) {
		large_case(dev, GiB, "1_gib");
	} else {
		tap_diag("max_len %llu, MemAvailable %llu",
			 (unsigned long long)base.max_len,
			 (unsigned long long)avail);
		tap_skip("alloc_1_gib_succeeds", "exporter cap or free memory below 1.5 GiB");
		tap_skip("alloc_1_gib_reads_zero", "no buffer");
	}
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "everything_is_freed_after_close");
	close(dev);
	return tap_exit();
}
