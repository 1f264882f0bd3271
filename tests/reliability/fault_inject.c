// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every ioctl and mmap path of both drivers, with fail-nth
 * failing the 1st, 2nd, ... allocation of the call (slab and page
 * allocator) until the call succeeds. Each failing call must return a clean
 * errno and leave both drivers exactly as they were (the exporter's live
 * counters, both modules' reference counts); a call that succeeds although
 * an allocation failed (a fallback absorbed it) must still give a correct
 * result. Afterwards the drivers still work and the exporter's debugfs
 * lists as many buffers as its counters say.
 *
 * One test per path: a variant of the fixture fi, or of fi_slow for the
 * path whose every attempt takes seconds (it has a timeout of its own). The
 * program's time budget, $DMALAB_FI_SECS (default 240 s), is shared out
 * among the paths by weight: a path that has not reached its unfaulted
 * success within its share is skipped with how far it got.
 * DMALAB_FI_DRYRUN=1 runs every path once without faults, to test the test
 * on any kernel. DMALAB_FI_PATHS='NAME...' runs only the paths whose names
 * contain one of the words (the others are skipped, saying so).
 *
 * Needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC
 * with debugfs (the debug kernel of vm/debug-kernel); elsewhere every test
 * is skipped with the reason.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "reliability/rel_util.h"

#define FI_MAX_NTH	1000U
#define FI_LEN		(64 * KiB)
/* 1 MiB + 64 KiB + 4 KiB: one allocation of each order the exporter uses. */
#define FI_MIXED_LEN	(MiB + 64 * KiB + 4 * KiB)

struct fi_ctx {
	int exp;		/* /dev/dmalab_exp of the test, never faulted */
	int fnth;		/* this thread's fail-nth */
	int fd;			/* dma-buf under test */
	int dev;		/* a device fd opened by setup or by the op */
	int imp;		/* /dev/dmalab_imp opened by setup */
	uint32_t handle, sim, sim2, att, att2, edu;
	void *map;
	size_t map_len;
	uint64_t out;		/* checksum or such, for checks */
};

/* One path: a variant of the fixture fi below. */
struct fi_path {
	const char *name;
	int (*setup)(struct fi_ctx *c);	/* 0 or -errno; no faults armed */
	int (*op)(struct fi_ctx *c);	/* the call under test: 0 or -errno */
	int (*check)(struct fi_ctx *c);	/* after success: 1 when correct */
	/*
	 * 1: a failed map may leave the memory the exporter's map allocated
	 * (a deferred buffer's pages, a device's copy). From 7.x on the
	 * dma-buf core can fail after map_dma_buf succeeded (DMABUF_DEBUG's
	 * table copy, a signal while waiting for fences) and unwinds with
	 * unmap_dma_buf, which the exporter cannot tell from an importer's
	 * unmap: it keeps that memory, accounted to the buffer, for the next
	 * map.
	 */
	int keeps_map_mem;
	/* Its part of the time budget, in FI_WEIGHT-ths (see fi_share()). */
	unsigned int weight;
	/* The first allocation to fail (1 but where a kernel bug forbids). */
	unsigned int first_nth;
};

static unsigned char fi_page[4096];

/* ---- setup bricks ---- */
static int fi_alloc(struct fi_ctx *c, uint64_t len, uint32_t place,
		    uint32_t timing, uint32_t flags, uint32_t bits)
{
	c->fd = exp_alloc(c->exp, len, place, timing, flags, bits);
	return c->fd < 0 ? c->fd : 0;
}

static int fi_import_sim(struct fi_ctx *c, uint32_t timing, uint32_t bits)
{
	int r = fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_SCATTER, timing, 0, 0);

	if (r)
		return r;
	c->imp = dmalab_imp_open(NULL);
	if (c->imp < 0)
		return c->imp;
	r = exp_import(c->imp, c->fd, &c->handle);
	if (!r)
		r = test_sim(c->imp, bits, 0, 0, 0, 0, 0, 0, &c->sim);
	return r;
}

static int fi_attached(struct fi_ctx *c, uint32_t timing, uint32_t bits)
{
	return fi_import_sim(c, timing, bits) ?:
	       exp_attach(c->imp, c->handle, c->sim, &c->att);
}

static int fi_mapped(struct fi_ctx *c)
{
	return fi_attached(c, DMALAB_EXP_TIMING_EAGER, 64) ?:
	       dmalab_imp_map_attach(c->imp, c->att, DMALAB_IMP_DIR_BIDIR, NULL);
}

static void fi_ctx_close(struct fi_ctx *c)
{
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, c->map_len);
	if (c->imp >= 0)
		close(c->imp);
	if (c->dev >= 0)
		close(c->dev);
	if (c->fd >= 0)
		close(c->fd);
	c->map = NULL;
	c->imp = -1;
	c->dev = -1;
	c->fd = -1;
}

static int fi_buf_zero(struct fi_ctx *c, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, c->fd, 0);
	int ok;

	if (p == MAP_FAILED)
		return 0;
	ok = exp_all_bytes(p, len, 0);
	munmap(p, len);
	return ok;
}

/* ---- exporter paths ---- */
static int op_exp_open(struct fi_ctx *c)
{
	c->dev = exp_open();
	return c->dev < 0 ? c->dev : 0;
}

static int chk_exp_open(struct fi_ctx *c)
{
	struct dmalab_exp_stats st;

	return !exp_stats(c->dev, &st);
}

static int op_alloc_mixed(struct fi_ctx *c)
{
	return fi_alloc(c, FI_MIXED_LEN, DMALAB_EXP_PLACE_SCATTER,
			DMALAB_EXP_TIMING_EAGER, 0, 0);
}

static int chk_alloc_mixed(struct fi_ctx *c)
{
	return fi_buf_zero(c, FI_MIXED_LEN);
}

static int op_alloc_contig32(struct fi_ctx *c)
{
	return fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_CONTIG,
			DMALAB_EXP_TIMING_EAGER, 0, 32);
}

static int chk_contig(struct fi_ctx *c)
{
	struct dmalab_exp_info in;

	return !exp_info(c->exp, c->fd, &in) && in.nr_segments == 1 &&
	       fi_buf_zero(c, FI_LEN);
}

static int op_alloc_deferred(struct fi_ctx *c)
{
	return fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_SCATTER,
			DMALAB_EXP_TIMING_DEFERRED, DMALAB_EXP_ALLOC_MIGRATE, 0);
}

static int chk_alloc(struct fi_ctx *c)
{
	struct dmalab_exp_info in;

	return !exp_info(c->exp, c->fd, &in) && in.len == FI_LEN;
}

static int setup_eager(struct fi_ctx *c)
{
	return fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_SCATTER,
			DMALAB_EXP_TIMING_EAGER, 0, 0);
}

static int setup_deferred(struct fi_ctx *c)
{
	return fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_SCATTER,
			DMALAB_EXP_TIMING_DEFERRED, 0, 0);
}

static int op_mmap(struct fi_ctx *c)
{
	c->map_len = FI_LEN;
	c->map = mmap(NULL, FI_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, 0);
	return c->map == MAP_FAILED ? -errno : 0;
}

static int chk_mmap(struct fi_ctx *c)
{
	unsigned char *p = c->map;

	p[0] = 0x5a;
	p[FI_LEN - 1] = 0xa5;
	return p[0] == 0x5a && p[FI_LEN - 1] == 0xa5 && p[4096] == 0;
}

static int setup_deferred_mapped(struct fi_ctx *c)
{
	return setup_deferred(c) ?: op_mmap(c);
}

/* A fault path's clean failure is SIGBUS; it comes back as this code. */
#define FI_SIGBUS	1000

static sigjmp_buf fi_jmp;

static void fi_on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(fi_jmp, 1);
}

/*
 * The first touch allocates a deferred buffer in the fault handler; when
 * that fails the exporter answers SIGBUS.
 */
static int op_fault_deferred(struct fi_ctx *c)
{
	volatile unsigned char *p = c->map;

	if (sigsetjmp(fi_jmp, 1))
		return -FI_SIGBUS;
	c->out = p[8192];
	return 0;
}

static int chk_fault_deferred(struct fi_ctx *c)
{
	struct dmalab_exp_info in;

	return c->out == 0 && !exp_info(c->exp, c->fd, &in) &&
	       (in.state & DMALAB_EXP_STATE_ALLOCATED) &&
	       exp_all_bytes(c->map, FI_LEN, 0);
}

static int op_set_name(struct fi_ctx *c)
{
	return dmalab_buf_set_name(c->fd, "fault-inject", NULL);
}

static int chk_set_name(struct fi_ctx *c)
{
	struct dmalab_exp_info in;

	return !exp_info(c->exp, c->fd, &in) &&
	       !strcmp(in.name, "fault-inject");
}

static int setup_attached(struct fi_ctx *c)
{
	return fi_attached(c, DMALAB_EXP_TIMING_EAGER, 64);
}

static int op_info_attach(struct fi_ctx *c)
{
	struct dmalab_exp_attach_info ai[4];
	struct dmalab_exp_info in;
	int r = exp_info_attach(c->exp, c->fd, &in, ai, 4);

	c->out = in.attach_count;
	return -r;
}

static int chk_info_attach(struct fi_ctx *c)
{
	return c->out == 1;
}

static int setup_dev(struct fi_ctx *c)
{
	c->dev = exp_open();
	return c->dev < 0 ? c->dev : setup_eager(c);
}

static int fi_bind(struct fi_ctx *c)
{
	return dmalab_exp_bind(c->dev, c->fd, NULL);
}

static int op_bind(struct fi_ctx *c)
{
	return fi_bind(c);
}

static int chk_bind(struct fi_ctx *c)
{
	void *p = mmap(NULL, FI_LEN, PROT_READ, MAP_SHARED, c->dev, 0);
	int ok = p != MAP_FAILED && exp_all_bytes(p, FI_LEN, 0);

	if (p != MAP_FAILED)
		munmap(p, FI_LEN);
	return ok;
}

static int setup_bound(struct fi_ctx *c)
{
	return setup_dev(c) ?: fi_bind(c);
}

static int op_dev_mmap(struct fi_ctx *c)
{
	c->map_len = FI_LEN;
	c->map = mmap(NULL, FI_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->dev, 0);
	return c->map == MAP_FAILED ? -errno : 0;
}

static int setup_mmapped_mapped(struct fi_ctx *c)
{
	return fi_mapped(c) ?: op_mmap(c);
}

static int op_sync(struct fi_ctx *c)
{
	return dmalab_buf_sync(c->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
			       NULL) ?:
	       dmalab_buf_sync(c->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, NULL);
}

static int chk_true(struct fi_ctx *c)
{
	(void)c;
	return 1;
}

/* ---- importer paths ---- */
static int op_imp_open(struct fi_ctx *c)
{
	c->imp = dmalab_imp_open(NULL);
	return c->imp < 0 ? c->imp : 0;
}

static int chk_imp_open(struct fi_ctx *c)
{
	return !test_sim(c->imp, 64, 0, 0, 0, 0, 0, 0, &c->sim);
}

static int setup_eager_imp(struct fi_ctx *c)
{
	c->imp = dmalab_imp_open(NULL);
	return c->imp < 0 ? c->imp : setup_eager(c);
}

static int op_import(struct fi_ctx *c)
{
	return exp_import(c->imp, c->fd, &c->handle);
}

static int chk_import(struct fi_ctx *c)
{
	return !test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_CHECKSUM, 0, FI_LEN,
			 NULL, 0, &c->out) && c->out != 0;
}

static int setup_foreign_imp(struct fi_ctx *c)
{
	const char *name;

	c->imp = dmalab_imp_open(NULL);
	if (c->imp < 0)
		return c->imp;
	c->fd = src_any(FI_LEN, &name);
	return c->fd < 0 ? c->fd : 0;
}

static int setup_imp(struct fi_ctx *c)
{
	c->imp = dmalab_imp_open(NULL);
	return c->imp < 0 ? c->imp : 0;
}

static int op_sim_create(struct fi_ctx *c)
{
	return test_sim(c->imp, 40, 8192, 0xffff, 0, 0, 0, 0, &c->sim);
}

static int chk_sim_create(struct fi_ctx *c)
{
	struct dmalab_imp_dev_info i;

	return !dmalab_imp_get_dev_info(c->imp, c->sim, &i, NULL) &&
	       i.dma_mask_bits == 40 && i.max_seg_size == 8192;
}

static int setup_imported(struct fi_ctx *c)
{
	return fi_import_sim(c, DMALAB_EXP_TIMING_EAGER, 64);
}

static int op_attach(struct fi_ctx *c)
{
	return exp_attach(c->imp, c->handle, c->sim, &c->att);
}

static int chk_attach(struct fi_ctx *c)
{
	struct dmalab_exp_info in;

	return !exp_info(c->exp, c->fd, &in) && in.nr_attachments == 1;
}

static int setup_attached_deferred(struct fi_ctx *c)
{
	return fi_attached(c, DMALAB_EXP_TIMING_DEFERRED, 36);
}

static int op_map(struct fi_ctx *c)
{
	return dmalab_imp_map_attach(c->imp, c->att, DMALAB_IMP_DIR_BIDIR, NULL);
}

static int chk_map(struct fi_ctx *c)
{
	struct dmalab_imp_sg_info si;

	return !dmalab_imp_get_sg_info(c->imp, c->att, &si, NULL, 0, NULL) &&
	       si.total_len == FI_LEN && si.violations == 0;
}

static int op_cpu_fill(struct fi_ctx *c)
{
	return test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_FILL, 4096, 8192,
			NULL, 0x3c, NULL);
}

static int chk_cpu_fill(struct fi_ctx *c)
{
	static unsigned char want[8192];

	memset(want, 0x3c, sizeof(want));
	return !test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_CHECKSUM, 4096,
			 8192, NULL, 0, &c->out) &&
	       c->out == exp_fnv(want, sizeof(want)) &&
	       !test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_READ, 0, 4096,
			 fi_page, 0, NULL) && exp_all_bytes(fi_page, 4096, 0);
}

static int op_cpu_write(struct fi_ctx *c)
{
	memset(fi_page, 0xc3, sizeof(fi_page));
	return test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_WRITE, 0, 4096,
			fi_page, 0, NULL);
}

static int chk_cpu_write(struct fi_ctx *c)
{
	memset(fi_page, 0, sizeof(fi_page));
	return !test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_READ, 0, 4096,
			 fi_page, 0, NULL) && exp_all_bytes(fi_page, 4096, 0xc3);
}

static int setup_imported_deferred(struct fi_ctx *c)
{
	return fi_import_sim(c, DMALAB_EXP_TIMING_DEFERRED, 64);
}

static int op_job_fill(struct fi_ctx *c)
{
	return exp_job(c->imp, DMALAB_IMP_JOB_FILL, 0, c->att, 0, 0, FI_LEN,
		       0x77, 0, NULL);
}

static int chk_job_fill(struct fi_ctx *c)
{
	return !test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_READ, FI_LEN - 4096,
			 4096, fi_page, 0, NULL) &&
	       exp_all_bytes(fi_page, 4096, 0x77);
}

/* Submission only: the job is waited for by the check. */
static int op_job_async(struct fi_ctx *c)
{
	struct dmalab_imp_job j = exp_job_args(DMALAB_IMP_JOB_CHECKSUM, c->att,
					       0, 0, 0, FI_LEN, 0, 0);
	int r = dmalab_imp_submit_job(c->imp, &j, NULL);

	c->out = j.job_id;
	return r;
}

static int chk_job_async(struct fi_ctx *c)
{
	uint64_t sum = 0;

	memset(fi_page, 0, sizeof(fi_page));
	return !dmalab_imp_wait_job(c->imp, (uint32_t)c->out, -1, &sum, NULL) &&
	       sum != 0;
}

static int setup_edu(struct fi_ctx *c)
{
	struct dmalab_imp_dev_info i;
	int r = fi_alloc(c, 4096, DMALAB_EXP_PLACE_SCATTER,
			 DMALAB_EXP_TIMING_EAGER, 0, 28);

	if (r)
		return r;
	c->imp = dmalab_imp_open(NULL);
	if (c->imp < 0)
		return c->imp;
	return test_edu(c->imp, 0, &c->edu, &i) ?:
	       exp_import(c->imp, c->fd, &c->handle) ?:
	       exp_attach(c->imp, c->handle, c->edu, &c->att) ?:
	       dmalab_imp_map_attach(c->imp, c->att, DMALAB_IMP_DIR_BIDIR, NULL);
}

static int op_edu_fill(struct fi_ctx *c)
{
	return exp_job(c->imp, DMALAB_IMP_JOB_FILL, 0, c->att, 0, 0, 4096,
		       0x42, 0, NULL);
}

static int chk_edu_fill(struct fi_ctx *c)
{
	return !test_cpu(c->imp, c->handle, DMALAB_IMP_CPU_READ, 0, 4096,
			 fi_page, 0, NULL) && exp_all_bytes(fi_page, 4096, 0x42);
}

/* Attaching a narrower device moves the pages (with a live mmap). */
static int setup_migrate(struct fi_ctx *c)
{
	int r = fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_SCATTER,
			 DMALAB_EXP_TIMING_EAGER, DMALAB_EXP_ALLOC_MIGRATE, 0);

	if (!r)
		r = op_mmap(c);
	if (r)
		return r;
	memset(c->map, 0xc3, FI_LEN);
	c->imp = dmalab_imp_open(NULL);
	if (c->imp < 0)
		return c->imp;
	return exp_import(c->imp, c->fd, &c->handle) ?:
	       test_sim(c->imp, 28, 0, 0, 0, 0, 0, 0, &c->sim);
}

static int chk_migrate(struct fi_ctx *c)
{
	struct dmalab_exp_info in;

	if (exp_info(c->exp, c->fd, &in) || in.nr_attachments != 1 ||
	    (in.phys_hi && in.phys_hi >= 1ULL << 28))
		return 0;
	return exp_all_bytes(c->map, FI_LEN, 0xc3) &&
	       !dmalab_imp_map_attach(c->imp, c->att, DMALAB_IMP_DIR_TO_DEVICE,
				      NULL);
}

/*
 * Two devices whose windows do not meet: the second is served by a copy.
 * The exporter fills a window by setting aside the pages that fall outside
 * it (up to aside_limit_mb): 64 MiB windows made that take seconds and
 * sometimes give up with -ENOMEM, so the windows are wide. Each attempt
 * still takes seconds: this path runs last, in fixture fi_slow, with the
 * largest share of the time budget.
 */
#define FI_WIN_A (256 * MiB)
#define FI_WIN_B (1 * GiB)
#define FI_WIN_SIZE (512 * MiB)

static int setup_copy(struct fi_ctx *c)
{
	int r = fi_alloc(c, FI_LEN, DMALAB_EXP_PLACE_SCATTER,
			 DMALAB_EXP_TIMING_DEFERRED, DMALAB_EXP_ALLOC_COPY, 0);

	if (r)
		return r;
	c->imp = dmalab_imp_open(NULL);
	if (c->imp < 0)
		return c->imp;
	return exp_import(c->imp, c->fd, &c->handle) ?:
	       test_sim(c->imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, FI_WIN_A, 0,
			FI_WIN_SIZE, &c->sim) ?:
	       test_sim(c->imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, FI_WIN_B, 0,
			FI_WIN_SIZE, &c->sim2) ?:
	       exp_attach(c->imp, c->handle, c->sim, &c->att2) ?:
	       exp_attach(c->imp, c->handle, c->sim2, &c->att) ?:
	       dmalab_imp_map_attach(c->imp, c->att2, DMALAB_IMP_DIR_BIDIR,
				     NULL) ?:
	       exp_job(c->imp, DMALAB_IMP_JOB_FILL, 0, c->att2, 0, 0, FI_LEN,
		       0x99, 0, NULL) ?:
	       dmalab_imp_unmap_attach(c->imp, c->att2, NULL);
}

static int chk_copy(struct fi_ctx *c)
{
	struct dmalab_exp_info in;
	uint64_t sum = 0;

	memset(fi_page, 0x99, sizeof(fi_page));
	return !exp_info(c->exp, c->fd, &in) && in.nr_copy_attach == 1 &&
	       !exp_job(c->imp, DMALAB_IMP_JOB_CHECKSUM, c->att, 0, 0, 0,
			4096, 0, 0, &sum) &&
	       sum == exp_fnv(fi_page, 4096);
}

static int op_unmap_detach_release(struct fi_ctx *c)
{
	return dmalab_imp_unmap_attach(c->imp, c->att, NULL) ?:
	       dmalab_imp_detach(c->imp, c->att, NULL) ?:
	       dmalab_imp_release(c->imp, c->handle, NULL);
}

/* ---- a foreign importer: vivid (videobuf2-vmalloc) ---- */

/*
 * The capture device of vivid-000 (vmalloc: vm/guest/modules), with one
 * DMABUF buffer slot requested; the frame size in c->out.
 */
static int fi_vivid_open(struct fi_ctx *c)
{
	struct v4l2_requestbuffers rb = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_capability cap;
	char path[32];
	int i;

	for (i = 0; i < 64 && c->dev < 0; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		c->dev = open(path, O_RDWR | O_CLOEXEC);
		if (c->dev < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (ioctl(c->dev, VIDIOC_QUERYCAP, &cap) ||
		    strcmp((char *)cap.bus_info, "platform:vivid-000") ||
		    !(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) ||
		    ioctl(c->dev, VIDIOC_G_FMT, &fmt)) {
			close(c->dev);
			c->dev = -1;
		}
	}
	if (c->dev < 0)
		return -ENODEV;
	c->out = (fmt.fmt.pix.sizeimage + 4095) & ~4095ULL;
	return ioctl(c->dev, VIDIOC_REQBUFS, &rb) ? -errno : 0;
}

/* An eager buffer of ours, a frame long, and vivid ready to take it. */
static int setup_vivid(struct fi_ctx *c)
{
	return fi_vivid_open(c) ?:
	       fi_alloc(c, c->out, DMALAB_EXP_PLACE_SCATTER,
			DMALAB_EXP_TIMING_EAGER, 0, 0);
}

/*
 * QBUF makes videobuf2-vmalloc attach and dma_buf_vmap() the buffer. A
 * vmap failure there trips the dma-buf core's WARN, so the exporter's vmap
 * of a buffer with pages must not allocate (A12 of the driver review): the
 * faults injected here may fail videobuf2's own allocations only.
 */
static int op_vivid_qbuf(struct fi_ctx *c)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.m.fd = c->fd,
		.length = c->out,
	};

	return ioctl(c->dev, VIDIOC_QBUF, &b) ? -errno : 0;
}

static int chk_vivid_qbuf(struct fi_ctx *c)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct dmalab_exp_info in;

	return !ioctl(c->dev, VIDIOC_QUERYBUF, &b) &&
	       (b.flags & V4L2_BUF_FLAG_QUEUED) &&
	       !exp_info(c->exp, c->fd, &in) && in.vmap_count == 1;
}

/*
 * Weights: most paths make a few dozen allocations in a few ms each; an
 * edu job takes 100 ms per 2 KiB under TCG; every attempt of the
 * disjoint-window copy fills two 512 MiB windows (6 s under TCG, unfaulted).
 */
#define FI_W		1
#define FI_W_EDU	3
#define FI_W_COPY	22

/*
 * The paths, one test each, in this order: name, setup, op, check,
 * keeps_map_mem, weight, first_nth (struct fi_path). Those of fixture fi:
 *
 * vivid's QBUF starts at its second allocation: its first is videobuf2's
 * attach_dmabuf, and from 7.x on videobuf2 answers that failure without
 * putting the dma-buf it took (__prepare_dmabuf jumps to err_put_vb2_buf,
 * past the put of the new planes): the kernel's leak, not ours, and it
 * would keep the exporter loaded. The vmap comes after it.
 */
#define FI_PATHS(P) \
	P(exp_open, NULL, op_exp_open, chk_exp_open, 0, FI_W, 1) \
	P(exp_alloc_scatter_mixed_orders, NULL, op_alloc_mixed, chk_alloc_mixed, 0, FI_W, 1) \
	P(exp_alloc_contig_below_4g, NULL, op_alloc_contig32, chk_contig, 0, FI_W, 1) \
	P(exp_alloc_deferred, NULL, op_alloc_deferred, chk_alloc, 0, FI_W, 1) \
	P(exp_mmap, setup_eager, op_mmap, chk_mmap, 0, FI_W, 1) \
	P(exp_mmap_first_fault_of_deferred, setup_deferred_mapped, op_fault_deferred, chk_fault_deferred, 0, FI_W, 1) \
	P(exp_set_name, setup_eager, op_set_name, chk_set_name, 0, FI_W, 1) \
	P(exp_info_with_attachments, setup_attached, op_info_attach, chk_info_attach, 0, FI_W, 1) \
	P(exp_bind, setup_dev, op_bind, chk_bind, 0, FI_W, 1) \
	P(exp_device_mmap, setup_bound, op_dev_mmap, chk_mmap, 0, FI_W, 1) \
	P(exp_sync_with_mapping_and_mmap, setup_mmapped_mapped, op_sync, chk_true, 0, FI_W, 1) \
	P(imp_open, NULL, op_imp_open, chk_imp_open, 0, FI_W, 1) \
	P(imp_import, setup_eager_imp, op_import, chk_import, 0, FI_W, 1) \
	P(imp_import_foreign, setup_foreign_imp, op_import, chk_true, 0, FI_W, 1) \
	P(imp_sim_create, setup_imp, op_sim_create, chk_sim_create, 0, FI_W, 1) \
	P(imp_attach, setup_imported, op_attach, chk_attach, 0, FI_W, 1) \
	P(imp_map_deferred_allocates, setup_attached_deferred, op_map, chk_map, 1, FI_W, 1) \
	P(imp_attach_migrates_below_256m, setup_migrate, op_attach, chk_migrate, 0, FI_W, 1) \
	P(imp_cpu_fill, setup_imported, op_cpu_fill, chk_cpu_fill, 0, FI_W, 1) \
	P(imp_cpu_write_deferred_allocates, setup_imported_deferred, op_cpu_write, chk_cpu_write, 0, FI_W, 1) \
	P(imp_job_sim_fill, fi_mapped, op_job_fill, chk_job_fill, 0, FI_W, 1) \
	P(imp_job_sim_async_checksum, fi_mapped, op_job_async, chk_job_async, 0, FI_W, 1) \
	P(imp_job_edu_fill, setup_edu, op_edu_fill, chk_edu_fill, 0, FI_W_EDU, 1) \
	P(imp_unmap_detach_release, fi_mapped, op_unmap_detach_release, chk_true, 0, FI_W, 1) \
	P(vivid_qbuf_vmaps_our_buffer, setup_vivid, op_vivid_qbuf, chk_vivid_qbuf, 0, FI_W, 2)

/* Those of fixture fi_slow, after the others. */
#define FI_SLOW_PATHS(P) \
	P(imp_map_disjoint_window_copy, setup_copy, op_map, chk_copy, 1, FI_W_COPY, 1)

#define FI_ADD_WEIGHT(n, s, o, c, k, w, f) + (w)
#define FI_WEIGHT (0 FI_PATHS(FI_ADD_WEIGHT) FI_SLOW_PATHS(FI_ADD_WEIGHT))

/*
 * DMALAB_FI_SECS when not set: the program's budget. A test's timeout is 5
 * times the largest default share among its paths, which also leaves the
 * shares of vm/check-debug (DMALAB_FI_SECS=840) FI_SLACK seconds of room. A
 * path stops where its next attempt would end after its share, at most
 * FI_SLACK before the timeout: room for the test's setup and teardown and
 * for an attempt longer than those before.
 */
#define FI_SECS_DEFAULT	240
#define FI_TIMEOUT	(5 * FI_SECS_DEFAULT * FI_W_EDU / FI_WEIGHT)
#define FI_SLOW_TIMEOUT	(5 * FI_SECS_DEFAULT * FI_W_COPY / FI_WEIGHT)
#define FI_SLACK	10

static int fi_clean_errno(int e)
{
	return e == FI_SIGBUS || e == ENOMEM || e == ENOSPC || e == EAGAIN || e == EINTR ||
	       e == EIO;
}

/* DMALAB_FI_DRYRUN=1: run every path once unfaulted, to test the test. */
static int fi_dry;

static int fi_dry_run(void)
{
	const char *dry = getenv("DMALAB_FI_DRYRUN");

	return dry && *dry == '1';
}

/*
 * The state after a failed map that the dma-buf core unwound: the same as
 * before but for the FI_LEN bytes the map allocated (pages or a copy).
 */
static int fi_kept_map_mem(const struct rel_state *pre,
			   const struct rel_state *now)
{
	struct rel_state want = *pre;

	want.exp.live_bytes += FI_LEN;
	return rel_state_same(&want, now);
}

/* Whether $DMALAB_FI_PATHS (unset: all) names path @name. */
static int fi_selected(const char *name)
{
	const char *e = getenv("DMALAB_FI_PATHS");
	char words[256], *w, *save;

	if (!e || !*e)
		return 1;
	snprintf(words, sizeof(words), "%s", e);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (strstr(name, w))
			return 1;
	return 0;
}

#define FI_NAME_WEIGHT(n, s, o, c, k, w, f) { #n, w },
static const struct {
	const char *name;
	unsigned int weight;
} fi_weights[] = { FI_PATHS(FI_NAME_WEIGHT) FI_SLOW_PATHS(FI_NAME_WEIGHT) };

/* The weights of the paths that run: those DMALAB_FI_PATHS selects. */
static unsigned int fi_selected_weight(void)
{
	unsigned int i, w = 0;

	for (i = 0; i < ARRAY_SIZE(fi_weights); i++)
		if (fi_selected(fi_weights[i].name))
			w += fi_weights[i].weight;
	return w ?: FI_WEIGHT;
}

/*
 * @p's share of $DMALAB_FI_SECS, in seconds, within @timeout: the budget
 * is shared out among the paths selected to run.
 */
static double fi_share(struct __test_metadata *_metadata,
		       const struct fi_path *p, int timeout)
{
	const char *e = getenv("DMALAB_FI_SECS");
	double share = (e ? atof(e) : FI_SECS_DEFAULT) * p->weight /
		       fi_selected_weight();

	if (share > timeout - FI_SLACK) {
		TH_LOG("%s: share of DMALAB_FI_SECS=%s cut to %d s, within the test's timeout of %d s",
		       p->name, e, timeout - FI_SLACK, timeout);
		share = timeout - FI_SLACK;
	}
	return share;
}

/* Lines "buf ..." of the exporter's debugfs listing, or -1. */
static long fi_debugfs_buffers(void)
{
	FILE *f = fopen("/sys/kernel/debug/dmalab_exp/buffers", "re");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "buf ", 4);
	fclose(f);
	return n;
}

static void fi_prefault_stack(void)
{
	volatile char pad[256 * 1024];

	memset((char *)pad, 0, sizeof(pad));
}

/* The exporter, this thread's fail-nth, and the allocators set up for it. */
struct fi_env {
	int exp, fnth, fi_on;
};

static void fi_env_setup(struct __test_metadata *_metadata,
			 struct fi_env *env)
{
	const char *why = rel_fi_unavailable();

	env->exp = -1;
	env->fnth = -1;
	fi_dry = fi_dry_run();
	if (fi_dry)
		TH_LOG("dry run: no fault is injected");
	else if (why)
		SKIP(return, "%s", why);
	/*
	 * Page faults in our own memory while a fault is armed would take the
	 * injected failure (and turn it into EFAULT or an OOM retry): lock
	 * everything in before.
	 */
	fi_prefault_stack();
	if (mlockall(MCL_CURRENT))
		TH_LOG("mlockall: %s; injected faults may hit our own page faults",
		       strerror(errno));
	signal(SIGBUS, fi_on_sigbus);
	env->exp = exp_open();
	ASSERT_LE(0, env->exp) TH_LOG("cannot open %s: %s",
				      DMALAB_EXP_DEVICE, strerror(-env->exp));
	if (fi_dry)
		return;
	env->fnth = rel_fi_open();
	ASSERT_LE(0, env->fnth) TH_LOG("cannot open fail-nth: %s",
				       strerror(errno));
	env->fi_on = 1;
	ASSERT_EQ(0, rel_fi_setup(1))
		TH_LOG("cannot configure failslab and fail_page_alloc in debugfs");
}

static void fi_env_teardown(struct fi_env *env)
{
	if (env->fi_on)
		rel_fi_setup(0);
	if (env->fnth >= 0)
		close(env->fnth);
	if (env->exp >= 0)
		close(env->exp);
}

/*
 * Run path @p for n = 1, 2, ... until the call succeeds unfaulted: each
 * failure clean and without a trace, each success correct, nothing left
 * after the close. Skipped when its share of the budget ends first.
 */
static void fi_run(struct __test_metadata *_metadata,
		   const struct fi_env *env, const struct fi_path *p,
		   int timeout)
{
	struct rel_state base, pre, now;
	unsigned int n, failed = 0, absorbed = 0, kept = 0;
	unsigned int errs[4] = { 0 };	/* ENOMEM, ENOSPC, EIO, other clean */
	double t0 = test_now(), longest = 0;
	double end = t0 + fi_share(_metadata, p, timeout);
	int done = 0;

	if (!fi_selected(p->name))
		SKIP(return, "%s: not among DMALAB_FI_PATHS='%s'", p->name,
		     getenv("DMALAB_FI_PATHS"));
	if (p->setup == setup_foreign_imp) {
		const char *src;
		int fd = src_any(FI_LEN, &src);

		if (fd < 0)
			SKIP(return, "no foreign dma-buf source (system heap, udmabuf, vgem) in this guest");
		close(fd);
		TH_LOG("foreign dma-buf source: %s", src);
	}
	ASSERT_EQ(0, rel_state_get(env->exp, &base));
	for (n = p->first_nth; !done; n++) {
		struct fi_ctx c = {
			.exp = env->exp, .fnth = env->fnth, .fd = -1,
			.dev = -1, .imp = -1,
		};
		double t = test_now();
		int r, injected = 0, settled;

		ASSERT_GE(FI_MAX_NTH, n)
			TH_LOG("%s: no success after %u faults", p->name,
			       FI_MAX_NTH);
		if (n > 1 && t + longest > end)
			SKIP(return, "%s: its share (%.0f s) of DMALAB_FI_SECS spent after %u injected faults, all survived (%u clean errors, %u absorbed), before the unfaulted success",
			     p->name, end - t0, failed + absorbed, failed,
			     absorbed);
		r = p->setup ? p->setup(&c) : 0;
		if (r)
			fi_ctx_close(&c);
		ASSERT_EQ(0, r) TH_LOG("%s: setup failed without faults: %s",
				       p->name, rel_errname(-r));
		ASSERT_EQ(0, rel_state_get(env->exp, &pre));
		if (fi_dry) {
			/* Exercise the path's own code only: no fault armed. */
			r = p->op(&c);
		} else {
			ASSERT_EQ(0, rel_fi_arm(env->fnth, n))
				TH_LOG("cannot arm fail-nth");
			r = p->op(&c);
			injected = rel_fi_disarm(env->fnth);
			ASSERT_LE(0, injected) TH_LOG("cannot read fail-nth");
		}
		if (r) {
			ASSERT_TRUE(injected)
				TH_LOG("%s: n=%u: failed with %s without an injected fault",
				       p->name, n, rel_errname(-r));
			ASSERT_TRUE(fi_clean_errno(-r))
				TH_LOG("%s: n=%u: unclean error %s (%d)",
				       p->name, n, rel_errname(-r), -r);
			failed++;
			errs[-r == ENOMEM ? 0 : -r == ENOSPC ? 1 : -r == EIO ? 2 : 3]++;
			settled = rel_state_settle(env->exp, &pre, &now, 2.0);
			if (!settled && p->keeps_map_mem &&
			    fi_kept_map_mem(&pre, &now)) {
				kept++;
				settled = 1;
			}
			ASSERT_TRUE(settled) {
				TH_LOG("%s: n=%u: failed call left state behind",
				       p->name, n);
				rel_state_log(_metadata, "before", &pre);
				rel_state_log(_metadata, "after", &now);
			}
		} else {
			ASSERT_TRUE(p->check(&c))
				TH_LOG("%s: n=%u: %s call gave a wrong result",
				       p->name, n,
				       injected ? "fault-absorbing" : "unfaulted");
			if (injected)
				absorbed++;
			else
				done = 1;
		}
		fi_ctx_close(&c);
		ASSERT_TRUE(rel_state_settled(_metadata, env->exp, &base, 2.0))
			TH_LOG("%s: n=%u: leak after close", p->name, n);
		if (test_now() - t > longest)
			longest = test_now() - t;
	}
	TH_LOG("%s: %u injected faults survived (%u clean errors: ENOMEM %u ENOSPC %u EIO %u other/SIGBUS %u; %u absorbed by fallbacks) in %.1f s",
	       p->name, failed + absorbed, failed, errs[0], errs[1], errs[2],
	       errs[3], absorbed, test_now() - t0);
	if (kept)
		TH_LOG("%s: %u failed after the exporter's map, in the dma-buf core: the buffer kept the memory the map allocated",
		       p->name, kept);
}

#define FI_VARIANT(fixture, n, s, o, c, k, w, f) \
	FIXTURE_VARIANT_ADD(fixture, n) { { #n, s, o, c, k, w, f } };
#define FI_VARIANT_FI(...) FI_VARIANT(fi, __VA_ARGS__)
#define FI_VARIANT_SLOW(...) FI_VARIANT(fi_slow, __VA_ARGS__)

FIXTURE(fi) {
	struct fi_env env;
};

FIXTURE_VARIANT(fi) {
	struct fi_path p;
};

FI_PATHS(FI_VARIANT_FI)

FIXTURE_SETUP(fi)
{
	fi_env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(fi)
{
	fi_env_teardown(&self->env);
}

TEST_F_TIMEOUT(fi, fails_cleanly_without_leaks_under_fail_nth, FI_TIMEOUT)
{
	fi_run(_metadata, &self->env, &variant->p, FI_TIMEOUT);
}

/* The same, for paths whose attempts take seconds each. */
FIXTURE(fi_slow) {
	struct fi_env env;
};

FIXTURE_VARIANT(fi_slow) {
	struct fi_path p;
};

FI_SLOW_PATHS(FI_VARIANT_SLOW)

FIXTURE_SETUP(fi_slow)
{
	fi_env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(fi_slow)
{
	fi_env_teardown(&self->env);
}

TEST_F_TIMEOUT(fi_slow, fails_cleanly_without_leaks_under_fail_nth,
	       FI_SLOW_TIMEOUT)
{
	fi_run(_metadata, &self->env, &variant->p, FI_SLOW_TIMEOUT);
}

/* After the paths: the exporter, with fault injection configured off. */
FIXTURE(fi_after) {
	int exp;
};

FIXTURE_SETUP(fi_after)
{
	const char *why = rel_fi_unavailable();

	self->exp = -1;
	if (why && !fi_dry_run())
		SKIP(return, "%s", why);
	self->exp = exp_open();
	ASSERT_LE(0, self->exp) TH_LOG("cannot open %s: %s",
				       DMALAB_EXP_DEVICE, strerror(-self->exp));
}

FIXTURE_TEARDOWN(fi_after)
{
	if (self->exp >= 0)
		close(self->exp);
}

TEST_F(fi_after, drivers_usable_after_fault_injection)
{
	struct fi_ctx c = {
		.exp = self->exp, .fd = -1, .dev = -1, .imp = -1,
	};
	struct rel_state base;

	ASSERT_EQ(0, rel_state_get(self->exp, &base));
	ASSERT_EQ(0, fi_mapped(&c)) TH_LOG("buffer imported and mapped");
	EXPECT_EQ(0, op_job_fill(&c));
	EXPECT_TRUE(chk_job_fill(&c));
	fi_ctx_close(&c);
	EXPECT_TRUE(rel_state_settled(_metadata, self->exp, &base, 2.0))
		TH_LOG("the drivers did not come back to their state");
}

TEST_F(fi_after, debugfs_lists_as_many_buffers_as_the_counters)
{
	struct dmalab_exp_stats st;
	long n = fi_debugfs_buffers();

	ASSERT_EQ(0, exp_stats(self->exp, &st));
	TH_LOG("debugfs lists %ld buffers, live_buffers %llu", n,
	       (unsigned long long)st.live_buffers);
	ASSERT_LE(0, n) TH_LOG("no /sys/kernel/debug/dmalab_exp/buffers");
	EXPECT_EQ((unsigned long long)st.live_buffers, (unsigned long long)n);
}

TEST_HARNESS_MAIN
