// SPDX-License-Identifier: GPL-2.0
/*
 * CPU access: mmap first touch, its minor faults and bandwidth through the
 * mapping against anonymous memory; vmap (through the importer) and
 * DMA_BUF_IOCTL_SYNC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "bench.h"

static const enum bench_src bench_access_srcs[] = {
	SRC_OURS, SRC_HEAP, SRC_UDMABUF, SRC_VGEM,
};

#define N_SRCS ARRAY_SIZE(bench_access_srcs)
#define WHO_ANON	N_SRCS		/* anonymous, THP as the kernel says */
#define WHO_ANON_4K	(N_SRCS + 1)	/* anonymous, MADV_NOHUGEPAGE */
#define WHO_OURS_HUGE	(N_SRCS + 2)	/* ours at a 2 MiB-aligned address */
#define WHO_ANON_THP	(N_SRCS + 3)	/* anonymous, aligned, MADV_HUGEPAGE */
#define N_WHO		(N_SRCS + 4)

#define PMD_BYTES	(2 * MiB)

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
	if (w == WHO_OURS_HUGE)
		return "ours_huge";
	if (w == WHO_ANON_THP)
		return "anon_thp";
	return bench_src_name(bench_access_srcs[w]);
}

static long bench_minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * @size bytes of @fd (anonymous memory when @fd < 0) at a 2 MiB-aligned
 * address: the dma-buf file has no get_unmapped_area of its own, so an
 * aligned range is reserved first and the mapping placed over it.
 */
static char *bench_map_aligned(int fd, size_t size)
{
	size_t span = size + PMD_BYTES;
	uintptr_t base, at;
	char *r, *p;

	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return r;
	base = (uintptr_t)r;
	at = (base + PMD_BYTES - 1) & ~(uintptr_t)(PMD_BYTES - 1);
	p = mmap((void *)at, size, PROT_READ | PROT_WRITE,
		 MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED),
		 fd, 0);
	if (p == MAP_FAILED) {
		munmap(r, span);
		return p;
	}
	if (at > base)
		munmap(r, at - base);
	if (base + span > at + size)
		munmap((void *)(at + size), base + span - at - size);
	return p;
}

/*
 * Map, touch every page (write one byte each), then time a full write and
 * a full read. For anonymous memory the first touch also allocates and
 * zeroes the pages; a dma-buf's memory exists already, its first touch
 * only fills page tables (or faults them in, page by page).
 */
static int bench_mmap_once(unsigned int w, int fd, size_t size, int rep,
			   double *touch, double *wr, double *rd, double *flt,
			   double *ppf)
{
	uint64_t t0, t1;
	long f0;
	size_t off;
	char *p;

	t0 = bench_now_ns();
	if (w == WHO_OURS_HUGE || w == WHO_ANON_THP)
		p = bench_map_aligned(fd, size);
	else if (w >= N_SRCS)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (w == WHO_ANON_4K)
		madvise(p, size, MADV_NOHUGEPAGE);
	if (w == WHO_ANON_THP)
		madvise(p, size, MADV_HUGEPAGE);
	f0 = bench_minor_faults();
	for (off = 0; off < size; off += 4096)
		p[off] = 1;
	*flt = bench_minor_faults() - f0;
	t1 = bench_now_ns();
	*touch = (double)(t1 - t0) * MiB / size;
	/* 4 KiB pages per fault: 1 with 4 KiB PTEs, 512 with PMDs. */
	*ppf = (double)size / 4096 / (*flt > 0 ? *flt : 1);

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

/* The metrics, in the order of bench_mmap_v's second index. */
enum { M_TOUCH, M_WRITE, M_READ, M_FAULTS, M_PAGES_PER_FAULT, N_METRICS };

static const struct {
	const char *name;
	const char *unit;
} bench_mmap_metrics[N_METRICS] = {
	[M_TOUCH] = { "first_touch", "ns_per_MiB" },
	[M_WRITE] = { "write_bw", "MB_per_s" },
	[M_READ] = { "read_bw", "MB_per_s" },
	[M_FAULTS] = { "minor_faults", "faults" },
	[M_PAGES_PER_FAULT] = { "pages_per_fault", "pages" },
};

/*
 * The targets: ours / anonymous memory (THP as configured); 2 MiB blocks
 * mapped with PMDs (docs/huge-mappings.md): bandwidth at least aligned THP
 * anonymous memory's, one fault per 2 MiB against one per 4 KiB (a count).
 */
static const struct {
	unsigned int who, peer, metric;
	enum bench_op op;
	double limit;
	int exact;
} bench_mmap_targets[] = {
	{ 0, WHO_ANON, M_TOUCH, BENCH_LE, 1.00, 0 },
	{ 0, WHO_ANON, M_WRITE, BENCH_GE, 0.95, 0 },
	{ 0, WHO_ANON, M_READ, BENCH_GE, 0.95, 0 },
	{ WHO_OURS_HUGE, WHO_ANON_THP, M_WRITE, BENCH_GE, 1.00, 0 },
	{ WHO_OURS_HUGE, WHO_ANON_THP, M_READ, BENCH_GE, 1.00, 0 },
	{ WHO_OURS_HUGE, WHO_ANON_4K, M_PAGES_PER_FAULT, BENCH_GE, 256, 1 },
};

static void bench_mmap_target_of(struct bench_target *t, unsigned int i,
				 const char *params)
{
	memset(t, 0, sizeof(*t));
	t->test = "mmap";
	t->params = params;
	t->metric = bench_mmap_metrics[bench_mmap_targets[i].metric].name;
	t->who = bench_access_who(bench_mmap_targets[i].who);
	t->peer = bench_access_who(bench_mmap_targets[i].peer);
	t->op = bench_mmap_targets[i].op;
	t->limit = bench_mmap_targets[i].limit;
	t->exact = bench_mmap_targets[i].exact;
}

/* [who][metric][repetition] */
static double bench_mmap_v[N_WHO][N_METRICS][BENCH_MAX_REPS];

/* Whether @w takes part in a target: those go on past bench.reps. */
static int bench_mmap_judged(unsigned int w)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bench_mmap_targets); i++)
		if (bench_mmap_targets[i].who == w ||
		    bench_mmap_targets[i].peer == w)
			return 1;
	return 0;
}

static int bench_mmap_undecided(const int *n, const int *err,
				const char *params)
{
	struct bench_target t;
	unsigned int i, w, p, m;
	int undecided = 0;

	for (i = 0; i < ARRAY_SIZE(bench_mmap_targets); i++) {
		w = bench_mmap_targets[i].who;
		p = bench_mmap_targets[i].peer;
		m = bench_mmap_targets[i].metric;
		if (err[w] || err[p])
			continue;
		bench_mmap_target_of(&t, i, params);
		undecided += bench_target_undecided(&t,
				bench_mmap_v[w][m], n[w],
				bench_mmap_v[p][m], n[p]);
	}
	return undecided;
}

void bench_mmap(size_t size)
{
	double (*v)[N_METRICS][BENCH_MAX_REPS] = bench_mmap_v;
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
	/* ours_huge maps ours' buffer. */
	err[WHO_OURS_HUGE] = err[0];
	snprintf(params, sizeof(params), "\"size\":%zu", size);
	/*
	 * All contenders in turn for bench.reps repetitions, then those of
	 * the targets alone, alternating, while a target is undecided and
	 * the budget lasts. They stay on every repetition, which pairs their
	 * samples.
	 */
	bench_budget_start(&budget, 90, 15);
	for (r = 0; bench_budget_more(&budget, r, undecided); r++) {
		for (i = 0; i < N_WHO; i++) {
			int ret;

			w = (i + r) % N_WHO;
			if (err[w] || n[w] < r ||
			    (r >= bench.reps && !bench_mmap_judged(w)))
				continue;
			ret = bench_mmap_once(w, w < N_SRCS ? bufs[w].fd :
					      w == WHO_OURS_HUGE ? bufs[0].fd :
					      -1, size, r, &v[w][M_TOUCH][n[w]],
					      &v[w][M_WRITE][n[w]],
					      &v[w][M_READ][n[w]],
					      &v[w][M_FAULTS][n[w]],
					      &v[w][M_PAGES_PER_FAULT][n[w]]);
			if (ret)
				err[w] = -ret;
			else
				n[w]++;
		}
		undecided = bench_mmap_undecided(n, err, params);
	}
	for (w = 0; w < N_WHO; w++) {
		const char *who = bench_access_who(w);
		int e = n[w] ? 0 : err[w];

		for (m = 0; m < N_METRICS; m++) {
			bench_stat_of(&st, v[w][m], n[w]);
			bench_record("mmap", who, params,
				     bench_mmap_metrics[m].name,
				     bench_mmap_metrics[m].unit, &st, e);
		}
		if (w < N_SRCS && !err[w])
			bench_buf_free(&bufs[w]);
	}
	for (i = 0; i < ARRAY_SIZE(bench_mmap_targets); i++) {
		unsigned int a = bench_mmap_targets[i].who;
		unsigned int b = bench_mmap_targets[i].peer;

		m = bench_mmap_targets[i].metric;
		if (!n[a])
			continue;
		bench_mmap_target_of(&t, i, params);
		bench_target(&t, v[a][m], n[a], v[b][m], n[b], &budget);
	}
}

/* One DMA_BUF_IOCTL_SYNC start/end pair, averaged over @loops. */
int bench_sync_pairs(int fd, int loops, double *ns)
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
