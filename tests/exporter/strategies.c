// SPDX-License-Identifier: GPL-2.0
/*
 * Placement strategies with the importer's simulated devices: direct
 * attach, refusal when nothing fits, deferred allocation inside every
 * attached device's range, migration (with a live user mmap following it,
 * refused while a device mapping is live), and per-device copies for
 * devices whose ranges do not meet, in every DMA direction.
 *
 * Devices: sim28 and sim36 (28- and 36-bit DMA masks), winA and winB
 * (32-bit devices seeing 64 MiB of RAM at bus address 0, from physical
 * 64 MiB and 160 MiB: two ranges that do not meet). The windows sit low in
 * RAM, where a fresh guest's page allocator hands out ZONE_DMA32 pages
 * first, so that the exporter sets little memory aside to reach them (each
 * page set aside is zeroed by init_on_alloc: slow under TCG).
 */
#include "dmalab_test.h"

#include <time.h>

#include "tap.h"
#include "exp_util.h"

#define LEN (256 * KiB)
#define WIN_A (64 * MiB)
#define WIN_B (160 * MiB)
#define WIN_SIZE (64 * MiB)

static int dev, imp, root;
static uint32_t sim28, sim36, win_a, win_b;

struct tbuf {
	int fd;
	uint32_t handle;
	unsigned char *map;
};

static int tbuf_new(struct tbuf *b, uint32_t timing, uint32_t flags)
{
	b->map = MAP_FAILED;
	b->handle = 0;
	b->fd = exp_alloc(dev, LEN, DMALAB_EXP_PLACE_SCATTER, timing, flags, 0);
	if (b->fd < 0 || exp_import(imp, b->fd, &b->handle))
		return -1;
	b->map = exp_map(b->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	return b->map == MAP_FAILED ? -1 : 0;
}

static void tbuf_free(struct tbuf *b)
{
	if (b->map != MAP_FAILED)
		munmap(b->map, LEN);
	dmalab_imp_release(imp, b->handle, NULL);
	close(b->fd);
}

static struct dmalab_exp_info info_of(struct tbuf *b)
{
	struct dmalab_exp_info info;

	exp_info(dev, b->fd, &info);
	return info;
}

static int cpu_sync(struct tbuf *b, uint64_t flags)
{
	return dmalab_buf_sync(b->fd, flags, NULL);
}

static void direct_and_refused(void)
{
	struct dmalab_exp_info info;
	struct tbuf b;
	uint32_t att = 0;
	int r;

	tbuf_new(&b, DMALAB_EXP_TIMING_EAGER, 0);
	tap_result(!exp_attach(imp, b.handle, sim36, &att),
		   "device_reaching_the_pages_attaches_directly");
	info = info_of(&b);
	tap_result(info.nr_attachments == 1 && !info.nr_copy_attach &&
		   !info.nr_migrations, "direct_attach_neither_copies_nor_moves");
	/* Eager pages come from anywhere; a 64 MiB window rarely holds them. */
	if (root && info.phys_lo >= WIN_A && info.phys_hi < WIN_A + WIN_SIZE) {
		tap_skip("attach_without_fitting_strategy_fails_erange",
			 "pages happen to lie in the window");
	} else {
		r = exp_attach(imp, b.handle, win_a, &att);
		tap_result(r == -ERANGE && info_of(&b).nr_attachments == 1,
			   "attach_without_fitting_strategy_fails_erange");
	}
	tbuf_free(&b);
}

static void deferred(void)
{
	struct dmalab_exp_info info;
	struct tbuf b;
	uint32_t a36 = 0, a28 = 0, aa = 0;

	tbuf_new(&b, DMALAB_EXP_TIMING_DEFERRED, 0);
	exp_attach(imp, b.handle, sim36, &a36);
	exp_attach(imp, b.handle, sim28, &a28);
	info = info_of(&b);
	tap_result(!(info.state & DMALAB_EXP_STATE_ALLOCATED) &&
		   info.range_hi == (1ULL << 28) - 1,
		   "deferred_buffer_waits_with_the_intersection_as_range");
	tap_result(!dmalab_imp_map_attach(imp, a36, DMALAB_IMP_DIR_BIDIR,
					  NULL) &&
		   (info_of(&b).state & DMALAB_EXP_STATE_ALLOCATED),
		   "deferred_buffer_allocates_at_first_map");
	info = info_of(&b);
	if (root)
		tap_result(info.phys_hi < (1ULL << 28),
			   "deferred_pages_suit_every_attached_device");
	else
		tap_skip("deferred_pages_suit_every_attached_device",
			 "needs CAP_SYS_ADMIN");
	tap_result(exp_attach(imp, b.handle, win_a, &aa) == -ERANGE,
		   "disjoint_device_without_copy_flag_fails_erange");
	dmalab_imp_unmap_attach(imp, a36, NULL);
	tbuf_free(&b);
}

static void migration(void)
{
	struct dmalab_exp_info info;
	unsigned char got[16];
	struct tbuf b;
	uint32_t a36 = 0, a28 = 0;
	uint64_t sum;

	tbuf_new(&b, DMALAB_EXP_TIMING_EAGER, DMALAB_EXP_ALLOC_MIGRATE);
	memset(b.map, 0xc3, LEN);
	exp_attach(imp, b.handle, sim36, &a36);
	dmalab_imp_map_attach(imp, a36, DMALAB_IMP_DIR_BIDIR, NULL);
	tap_result(exp_attach(imp, b.handle, sim28, NULL) == -EBUSY &&
		   info_of(&b).nr_attachments == 1,
		   "migration_needed_while_mapped_fails_ebusy");
	dmalab_imp_unmap_attach(imp, a36, NULL);

	tap_result(!exp_attach(imp, b.handle, sim28, &a28),
		   "unmapped_buffer_migrates_for_a_narrower_device");
	info = info_of(&b);
	tap_result(info.nr_migrations == 1 &&
		   (!root || info.phys_hi < (1ULL << 28)),
		   "migration_moves_pages_into_the_device_range");
	tap_result(exp_all_bytes(b.map, LEN, 0xc3),
		   "live_mmap_keeps_contents_across_migration");
	b.map[LEN - 1] = 0x5e;
	tap_result(!test_cpu(imp, b.handle, DMALAB_IMP_CPU_READ, LEN - 16, 16,
			     got, 0, NULL) && got[15] == 0x5e && got[0] == 0xc3,
		   "mmap_writes_after_migration_reach_the_new_pages");
	dmalab_imp_map_attach(imp, a28, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	tap_result(!exp_job(imp, DMALAB_IMP_JOB_CHECKSUM, a28, 0, 0, 0, LEN, 0,
			   0, &sum) && sum == exp_fnv(b.map, LEN),
		   "narrow_device_reads_the_migrated_contents");
	dmalab_imp_unmap_attach(imp, a28, NULL);
	tbuf_free(&b);
}

static void copies(void)
{
	struct dmalab_exp_attach_info ai[4];
	struct dmalab_exp_info info;
	struct tbuf b;
	uint32_t aa = 0, ab = 0;
	uint64_t sum;
	int r;

	tbuf_new(&b, DMALAB_EXP_TIMING_DEFERRED, DMALAB_EXP_ALLOC_COPY);
	exp_attach(imp, b.handle, win_a, &aa);
	r = exp_attach(imp, b.handle, win_b, &ab);
	exp_info_attach(dev, b.fd, &info, ai, 4);
	tap_result(!r && info.nr_copy_attach == 1 &&
		   (info.state & DMALAB_EXP_STATE_COPIES) &&
		   info.attach_count == 2 &&
		   !(ai[0].flags & DMALAB_EXP_ATTACH_COPY) &&
		   (ai[1].flags & DMALAB_EXP_ATTACH_COPY),
		   "disjoint_device_gets_its_own_copy");

	/* TO_DEVICE: CPU data reaches the copy at map, nothing comes back. */
	memset(b.map, 0x11, LEN);
	dmalab_imp_map_attach(imp, ab, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	r = exp_job(imp, DMALAB_IMP_JOB_CHECKSUM, ab, 0, 0, 0, LEN, 0, 0, &sum);
	tap_result(!r && sum == exp_fnv(b.map, LEN),
		   "copy_to_device_sees_cpu_data");
	dmalab_imp_unmap_attach(imp, ab, NULL);
	info = info_of(&b);
	tap_result(info.nr_copy_in == 1 && info.nr_copy_out == 0,
		   "copy_to_device_is_not_copied_back");

	/* FROM_DEVICE: what the device writes comes back at unmap. */
	dmalab_imp_map_attach(imp, ab, DMALAB_IMP_DIR_FROM_DEVICE, NULL);
	r = exp_job(imp, DMALAB_IMP_JOB_FILL, 0, ab, 0, 0, LEN, 0x77, 0, NULL);
	dmalab_imp_unmap_attach(imp, ab, NULL);
	tap_result(!r && exp_all_bytes(b.map, LEN, 0x77) &&
		   info_of(&b).nr_copy_out == 1,
		   "copy_from_device_comes_back_at_unmap");

	/* BIDIRECTIONAL, staying mapped: CPU access brackets carry data. */
	dmalab_imp_map_attach(imp, ab, DMALAB_IMP_DIR_BIDIR, NULL);
	r = exp_job(imp, DMALAB_IMP_JOB_FILL, 0, ab, 0, 0, 4096, 0x33, 0, NULL);
	cpu_sync(&b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	tap_result(!r && exp_all_bytes(b.map, 4096, 0x33) &&
		   exp_all_bytes(b.map + 4096, LEN - 4096, 0x77),
		   "bidir_copy_comes_back_at_begin_cpu_access");
	memset(b.map + 8192, 0x44, 4096);
	cpu_sync(&b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	r = exp_job(imp, DMALAB_IMP_JOB_CHECKSUM, ab, 0, 0, 0, LEN, 0, 0, &sum);
	tap_result(!r && sum == exp_fnv(b.map, LEN),
		   "bidir_copy_gets_cpu_writes_at_end_cpu_access");
	dmalab_imp_unmap_attach(imp, ab, NULL);

	/* The direct device sees the same contents in the buffer itself. */
	dmalab_imp_map_attach(imp, aa, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	r = exp_job(imp, DMALAB_IMP_JOB_CHECKSUM, aa, 0, 0, 0, LEN, 0, 0, &sum);
	tap_result(!r && sum == exp_fnv(b.map, LEN),
		   "direct_device_sees_what_the_copy_device_wrote");
	dmalab_imp_unmap_attach(imp, aa, NULL);
	exp_info_attach(dev, b.fd, &info, ai, 4);
	tap_result(info.nr_copy_in >= 2 && info.nr_copy_out >= 2 &&
		   info.nr_mapped == 0,
		   "copies_are_counted");
	tap_diag("copies in %llu out %llu",
		 (unsigned long long)info.nr_copy_in,
		 (unsigned long long)info.nr_copy_out);
	tbuf_free(&b);
}

static void timed(void (*fn)(void), const char *name)
{
	double t = test_now();

	fn();
	tap_diag("%s took %.2f s", name, test_now() - t);
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	int ok;

	tap_plan(3 + 4 + 6 + 8 + 1);
	dev = exp_open();
	imp = dmalab_imp_open(NULL);
	if (dev < 0 || imp < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s or the importer\n",
		       DMALAB_EXP_DEVICE);
		return 1;
	}
	root = geteuid() == 0;
	ok = !test_sim(imp, 28, 0, 0, 0, 0, 0, 0, &sim28) &&
	     !test_sim(imp, 36, 0, 0, 0, 0, 0, 0, &sim36) &&
	     !test_sim(imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, WIN_A, 0,
		       WIN_SIZE, &win_a) &&
	     !test_sim(imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, WIN_B, 0,
		       WIN_SIZE, &win_b);
	if (!ok) {
		printf("Bail out! cannot create simulated devices: %s\n",
		       strerror(errno));
		return 1;
	}
	timed(direct_and_refused, "direct_and_refused");
	timed(deferred, "deferred");
	timed(migration, "migration");
	timed(copies, "copies");
	close(imp);
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "everything_freed_after_the_importer_closes");
	close(dev);
	return tap_exit();
}
