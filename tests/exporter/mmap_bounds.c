// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a dma-buf fd: shared only, within the buffer, at the page offset
 * asked for; contents persist and user mappings are counted and released.
 */
#include <signal.h>
#include <stdio.h>

#include "tap.h"
#include "exp_util.h"

#define LEN (16 * 4096ULL)

static void fill_pages(unsigned char *p, size_t pages)
{
	size_t i;

	for (i = 0; i < pages; i++)
		memset(p + i * 4096, (int)(i + 1), 4096);
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	struct dmalab_exp_info info;
	unsigned char *p, *q;
	int dev, fd, ok;

	tap_plan(12);
	dev = exp_open();
	if (dev < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}
	fd = exp_alloc(dev, LEN, 0, 0, 0, 0);

	p = exp_map(fd, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	tap_result(p == MAP_FAILED && errno == EINVAL, "mmap_private_is_refused");
	p = exp_map(fd, LEN + 4096, PROT_READ, MAP_SHARED, 0);
	tap_result(p == MAP_FAILED && errno == EINVAL, "mmap_beyond_end_is_refused");
	p = exp_map(fd, 4096, PROT_READ, MAP_SHARED, LEN);
	tap_result(p == MAP_FAILED && errno == EINVAL, "mmap_offset_at_end_is_refused");
	p = exp_map(fd, 2 * 4096, PROT_READ, MAP_SHARED, LEN - 4096);
	tap_result(p == MAP_FAILED && errno == EINVAL,
		   "mmap_straddling_end_is_refused");

	p = exp_map(fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ok = p != MAP_FAILED;
	tap_result(ok && exp_all_bytes(p, LEN, 0), "mmap_whole_buffer_reads_zero");
	if (!ok) {
		printf("Bail out! cannot map the buffer\n");
		return 1;
	}
	fill_pages(p, LEN / 4096);

	q = exp_map(fd, 3 * 4096, PROT_READ, MAP_SHARED, 5 * 4096);
	tap_result(q != MAP_FAILED && q[0] == 6 && q[4096] == 7 &&
		   q[2 * 4096 + 4095] == 8, "mmap_pgoff_maps_the_right_pages");
	tap_result(!exp_info(dev, fd, &info) && info.nr_mmaps == 2,
		   "info_counts_live_mmaps");
	if (q != MAP_FAILED)
		munmap(q, 3 * 4096);

	munmap(p, LEN);
	p = exp_map(fd, LEN, PROT_READ, MAP_SHARED, 0);
	tap_result(p != MAP_FAILED && p[0] == 1 && p[LEN - 1] == LEN / 4096,
		   "contents_persist_across_mappings");
	tap_result(!exp_info(dev, fd, &info) && info.nr_mmaps == 1,
		   "munmap_drops_the_mmap_count");

	/* A partial munmap splits the VMA: both halves stay counted. */
	munmap(p + 4 * 4096, 4096);
	tap_result(!exp_info(dev, fd, &info) && info.nr_mmaps == 2 &&
		   p[5 * 4096] == 6, "split_mapping_is_counted_and_works");

	/* The mapping keeps the buffer alive after its fd is closed. */
	close(fd);
	exp_stats(dev, &st);
	tap_result(st.live_buffers == base.live_buffers + 1 && p[0] == 1,
		   "mapping_keeps_buffer_after_close");
	munmap(p, 4 * 4096);
	munmap(p + 5 * 4096, LEN - 5 * 4096);
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "last_munmap_frees_the_buffer");
	close(dev);
	return tap_exit();
}
