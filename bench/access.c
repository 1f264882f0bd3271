// SPDX-License-Identifier: GPL-2.0
/*
 * CPU access: mmap first touch and bandwidth through the mapping against
 * anonymous memory; vmap (through the importer) and DMA_BUF_IOCTL_SYNC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "bench.h"

static const enum bench_src bench_access_srcs[] = {
	SRC_OURS, SRC_HEAP, SRC_UDMABUF, SRC_VGEM,
};

#define N_SRCS ARRAY_SIZE(bench_access_srcs)
#define WHO_ANON	N_SRCS		/* anonymous, THP as the kernel says */
#define WHO_ANON_4K	(N_SRCS + 1)	/* anonymous, MADV_NOHUGEPAGE */
#define N_WHO		(N_SRCS + 2)

/* Where the read pass's sum goes, so that the reads are not dropped. */
static uint64_t bench_sink;

static uint64_t bench_read_all(const uint64_t *p, size_t words)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < words; i++)
		s += p[i];
	return s;
}

static const char *bench_access_who(unsigned int w)
{
	if (w == WHO_ANON)
		return "anon";
	if (w == WHO_ANON_4K)
		return "anon_4k";
	return bench_src_name(bench_access_srcs[w]);
}

/*
 * Map, touch every page (write one byte each), then time a full write and
 * a full read. For anonymous memory the first touch also allocates and
 * zeroes the pages; a dma-buf's memory exists already, its first touch
 * only fills page tables (or faults them in, page by page).
 */
static int bench_mmap_once(unsigned int w, int fd, size_t size, int rep,
			   double *touch, double *wr, double *rd)
{
	uint64_t t0, t1;
	size_t off;
	char *p;

	t0 = bench_now_ns();
	if (w >= N_SRCS)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (w == WHO_ANON_4K)
		madvise(p, size, MADV_NOHUGEPAGE);
	for (off = 0; off < size; off += 4096)
		p[off] = 1;
	t1 = bench_now_ns();
	*touch = (double)(t1 - t0) * MiB / size;

	t0 = bench_now_ns();
	memset(p, rep & 0xff, size);
	__asm__ volatile("" : : "r"(p) : "memory");
	t1 = bench_now_ns();
	*wr = (double)size * 1000.0 / (t1 - t0);	/* MB/s */

	t0 = bench_now_ns();
	bench_sink = bench_read_all((const uint64_t *)p, size / 8);
	__asm__ volatile("" : : "r"(bench_sink) : "memory");
	t1 = bench_now_ns();
	*rd = (double)size * 1000.0 / (t1 - t0);
	munmap(p, size);
	return 0;
}

/* The targets, ours / anonymous memory (THP as configured). */
static const struct {
	const char *metric;
	enum bench_op op;
	double limit;
} bench_mmap_targets[] = {
	{ "first_touch", BENCH_LE, 1.00 },
	{ "write_bw", BENCH_GE, 0.95 },
	{ "read_bw", BENCH_GE, 0.95 },
};

static void bench_mmap_target_of(struct bench_target *t, unsigned int i,
				 const char *params)
{
	memset(t, 0, sizeof(*t));
	t->test = "mmap";
	t->params = params;
	t->metric = bench_mmap_targets[i].metric;
	t->who = "ours";
	t->peer = "anon";
	t->op = bench_mmap_targets[i].op;
	t->limit = bench_mmap_targets[i].limit;
}

/* [who][metric][repetition]: first touch, write and read bandwidth. */
static double bench_mmap_v[N_WHO][3][BENCH_MAX_REPS];

static int bench_mmap_undecided(const int *n, const char *params)
{
	struct bench_target t;
	unsigned int i;
	int undecided = 0;

	for (i = 0; i < ARRAY_SIZE(bench_mmap_targets); i++) {
		bench_mmap_target_of(&t, i, params);
		undecided += bench_target_undecided(&t,
				bench_mmap_v[0][i], n[0],
				bench_mmap_v[WHO_ANON][i], n[WHO_ANON]);
	}
	return undecided;
}

void bench_mmap(size_t size)
{
	double (*v)[3][BENCH_MAX_REPS] = bench_mmap_v;
	static const char *const units[] = {
		"ns_per_MiB", "MB_per_s", "MB_per_s",
	};
	struct bench_buf bufs[N_SRCS];
	int n[N_WHO] = { 0 }, err[N_WHO] = { 0 };
	struct bench_budget budget;
	struct bench_target t;
	struct bench_stat st;
	char params[64];
	unsigned int w, i, m;
	int r, undecided = 1;

	bench_progress("mmap first touch and bandwidth, %zu MiB", size / MiB);
	for (w = 0; w < N_SRCS; w++) {
		int ret = bench_buf_alloc(bench_access_srcs[w], size, &bufs[w]);

		if (ret)
			err[w] = -ret;
	}
	snprintf(params, sizeof(params), "\"size\":%zu", size);
	/*
	 * All contenders in turn for bench.reps repetitions, then ours and
	 * anonymous memory alone, alternating, while a target is undecided
	 * and the budget lasts. Both stay on every repetition, which pairs
	 * their samples.
	 */
	bench_budget_start(&budget, 90, 15);
	for (r = 0; bench_budget_more(&budget, r, undecided); r++) {
		for (i = 0; i < N_WHO; i++) {
			int ret;

			w = (i + r) % N_WHO;
			if (err[w] || n[w] < r ||
			    (r >= bench.reps && w != 0 && w != WHO_ANON))
				continue;
			ret = bench_mmap_once(w, w < N_SRCS ? bufs[w].fd : -1,
					      size, r, &v[w][0][n[w]],
					      &v[w][1][n[w]], &v[w][2][n[w]]);
			if (ret)
				err[w] = -ret;
			else
				n[w]++;
		}
		undecided = err[0] || err[WHO_ANON] ? 0 :
			    bench_mmap_undecided(n, params);
	}
	for (w = 0; w < N_WHO; w++) {
		const char *who = bench_access_who(w);
		int e = n[w] ? 0 : err[w];

		for (m = 0; m < 3; m++) {
			bench_stat_of(&st, v[w][m], n[w]);
			bench_record("mmap", who, params,
				     bench_mmap_targets[m].metric, units[m],
				     &st, e);
		}
		if (w < N_SRCS && !err[w])
			bench_buf_free(&bufs[w]);
	}
	for (i = 0; n[0] && i < ARRAY_SIZE(bench_mmap_targets); i++) {
		bench_mmap_target_of(&t, i, params);
		bench_target(&t, v[0][i], n[0], v[WHO_ANON][i], n[WHO_ANON],
			     &budget);
	}
}

/* One DMA_BUF_IOCTL_SYNC start/end pair, averaged over @loops. */
static int bench_sync_pairs(int fd, int loops, double *ns)
{
	struct dma_buf_sync s;
	uint64_t t0 = bench_now_ns();
	int i;

	for (i = 0; i < loops; i++) {
		s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
			return -errno;
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
			return -errno;
	}
	*ns = (double)(bench_now_ns() - t0) / loops;
	return 0;
}

/* Sync cost with @nmapped of the buffer's attachments mapped. */
void bench_sync_record(const char *who, int fd, size_t size, int nmapped)
{
	double v[BENCH_MAX_REPS];
	struct bench_stat st;
	char params[96];
	int r, n = 0, ret = 0;

	for (r = 0; r < bench.reps && !ret; r++) {
		ret = bench_sync_pairs(fd, 20, &v[n]);
		if (!ret)
			n++;
	}
	bench_stat_of(&st, v, n);
	snprintf(params, sizeof(params), "\"size\":%zu,\"mapped\":%d",
		 size, nmapped);
	bench_record("sync", who, params, "sync_pair", "ns", &st,
		     n ? 0 : -ret);
}

static void bench_vmap_record(const char *who, uint32_t h, size_t size)
{
	double v[BENCH_MAX_REPS];
	struct bench_stat st;
	char params[64];
	int r, n = 0, ret = 0;

	for (r = 0; r < bench.reps && !ret; r++) {
		/*
		 * A checksum of the first page: the importer vmaps the buffer,
		 * brackets the read with begin/end_cpu_access and vunmaps it.
		 */
		struct dmalab_imp_cpu c = {
			.handle = h,
			.op = DMALAB_IMP_CPU_CHECKSUM,
			.len = 4096,
		};
		uint64_t t0 = bench_now_ns();

		ret = dmalab_imp_cpu_op(bench.imp_fd, &c, NULL);
		if (!ret)
			v[n++] = bench_now_ns() - t0;
	}
	bench_stat_of(&st, v, n);
	snprintf(params, sizeof(params), "\"size\":%zu", size);
	bench_record("vmap", who, params, "vmap_access_vunmap", "ns", &st,
		     n ? 0 : -ret);
}

void bench_vmap_sync(size_t size)
{
	unsigned int s;

	bench_progress("vmap and DMA_BUF_IOCTL_SYNC, %zu KiB", size / KiB);
	for (s = 0; s < N_SRCS; s++) {
		const char *who = bench_src_name(bench_access_srcs[s]);
		struct bench_buf b;
		uint32_t h, att;
		int ret;

		ret = bench_buf_alloc(bench_access_srcs[s], size, &b);
		if (!ret) {
			ret = dmalab_imp_import_fd(bench.imp_fd, b.fd, &h,
						   NULL, NULL);
			if (ret)
				bench_buf_free(&b);
		}
		if (ret) {
			bench_record("vmap", who, "", "vmap_access_vunmap",
				     "ns", NULL, -ret);
			continue;
		}
		bench_vmap_record(who, h, size);
		bench_sync_record(who, b.fd, size, 0);
		if (!bench_imp_attach(h, bench.dev_sim, &att)) {
			if (!dmalab_imp_map_attach(bench.imp_fd, att, BENCH_DIR,
						   NULL)) {
				bench_sync_record(who, b.fd, size, 1);
				dmalab_imp_unmap_attach(bench.imp_fd, att,
							NULL);
			}
			dmalab_imp_detach(bench.imp_fd, att, NULL);
		}
		dmalab_imp_release(bench.imp_fd, h, NULL);
		bench_buf_free(&b);
	}
}
