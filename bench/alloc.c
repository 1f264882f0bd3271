// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation: allocate + zero + free per size and source, next to the
 * user-space references (memset of pre-faulted memory, anonymous memory
 * populated and unmapped); and the sg_table entry counts of each source's
 * buffers as an importer's devices see them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

static const enum bench_src bench_alloc_srcs[] = {
	SRC_OURS, SRC_OURS_CONTIG, SRC_HEAP, SRC_UDMABUF, SRC_VGEM,
	SRC_OURS_HEAP,
};

#define N_SRCS ARRAY_SIZE(bench_alloc_srcs)
/* Two user-space references after the dma-buf sources. */
#define REF_MEMSET	N_SRCS
#define REF_ANON	(N_SRCS + 1)
#define N_WHO		(N_SRCS + 2)

/* Indices into bench_alloc_srcs of the contenders the targets name. */
#define W_OURS		0
#define W_CONTIG	1
#define W_HEAP		2
#define W_OURS_HEAP	5

/* The targets from 1 MiB up: allocate + zero + free, ours / peer. */
static const struct {
	unsigned int who, peer;
	double limit;
} bench_alloc_targets[] = {
	{ W_OURS, W_HEAP, 1.00 },
	{ W_OURS, REF_MEMSET, 1.25 },
	{ W_CONTIG, W_HEAP, 1.00 },
	{ W_OURS_HEAP, W_HEAP, 1.00 },
};

#define N_TARGETS ARRAY_SIZE(bench_alloc_targets)

/* Repetitions every contender takes; targets' contenders may take more. */
static int bench_reps_for(size_t size)
{
	if (bench.quick)
		return bench.reps;
	if (size >= GiB)
		return 3;
	if (size >= 256 * MiB)
		return 5;
	return bench.reps;
}

/* Seconds of paired repetitions per size (full run, --quick). */
static void bench_alloc_budget(struct bench_budget *b, size_t size)
{
	if (size >= GiB)
		bench_budget_start(b, 150, 20);
	else if (size >= 256 * MiB)
		bench_budget_start(b, 90, 20);
	else if (size >= 16 * MiB)
		bench_budget_start(b, 40, 20);
	else
		bench_budget_start(b, 20, 10);
	b->min_reps = bench_reps_for(size);
}

/*
 * One timed allocate + zero + free; 0 or -errno. @ns[0] the whole,
 * @ns[1] allocate + zero, @ns[2] free (close of the last reference).
 */
static int bench_alloc_one(unsigned int who, size_t size, void *pre,
			   double *ns)
{
	struct bench_buf b;
	uint64_t t0 = bench_now_ns(), t1;
	void *p;
	int ret;

	if (who == REF_MEMSET) {
		memset(pre, 0, size);
		/* Keep the compiler from dropping the stores. */
		__asm__ volatile("" : : "r"(pre) : "memory");
		t1 = bench_now_ns();
	} else if (who == REF_ANON) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		t1 = bench_now_ns();
		munmap(p, size);
	} else {
		ret = bench_buf_alloc(bench_alloc_srcs[who], size, &b);
		if (ret)
			return ret;
		t1 = bench_now_ns();
		bench_buf_free(&b);
	}
	ns[2] = bench_now_ns() - t1;
	ns[1] = t1 - t0;
	ns[0] = ns[1] + ns[2];
	return 0;
}

static const char *bench_who_name(unsigned int who)
{
	if (who == REF_MEMSET)
		return "memset";
	if (who == REF_ANON)
		return "anon_populate";
	return bench_src_name(bench_alloc_srcs[who]);
}

static const char *const bench_alloc_metrics[] = {
	"alloc_zero_free", "alloc_zero", "free",
};

static void bench_alloc_target_of(struct bench_target *t, unsigned int i,
				  const char *params)
{
	memset(t, 0, sizeof(*t));
	t->test = "alloc";
	t->params = params;
	t->metric = "alloc_zero_free";
	t->who = bench_who_name(bench_alloc_targets[i].who);
	t->peer = bench_who_name(bench_alloc_targets[i].peer);
	t->op = BENCH_LE;
	t->limit = bench_alloc_targets[i].limit;
}

/* Targets of this size still undecided whose contenders both still run. */
static int bench_alloc_undecided(size_t size, double v[][3][BENCH_MAX_REPS],
				 const int *n, const int *err,
				 const char *params, int *in_target)
{
	struct bench_target t;
	unsigned int i, w, p;
	int undecided = 0;

	memset(in_target, 0, N_WHO * sizeof(*in_target));
	if (size < MiB)
		return 0;
	for (i = 0; i < N_TARGETS; i++) {
		w = bench_alloc_targets[i].who;
		p = bench_alloc_targets[i].peer;
		if (err[w] || err[p])
			continue;
		bench_alloc_target_of(&t, i, params);
		if (bench_target_undecided(&t, v[w][0], n[w], v[p][0], n[p])) {
			in_target[w] = 1;
			in_target[p] = 1;
			undecided++;
		}
	}
	return undecided;
}

static void bench_alloc_size(size_t size)
{
	static double v[N_WHO][3][BENCH_MAX_REPS];
	int n[N_WHO] = { 0 }, err[N_WHO] = { 0 }, in_target[N_WHO];
	int base = bench_reps_for(size), undecided = 1, r, m;
	struct bench_budget budget;
	struct bench_target t;
	unsigned int w, i;
	struct bench_stat st;
	double dummy[3], ns[3];
	char params[64];
	void *pre;

	snprintf(params, sizeof(params), "\"size\":%zu", size);
	/* The memset reference writes memory that is already faulted in. */
	pre = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pre == MAP_FAILED) {
		err[REF_MEMSET] = errno;
		pre = NULL;
	}
	/* Warm every path up once where that is cheap. */
	for (w = 0; size <= 16 * MiB && w < N_WHO; w++)
		if (w != REF_MEMSET || pre)
			bench_alloc_one(w, size, pre, dummy);
	/*
	 * Interleave the contenders in a new order each repetition (seeded,
	 * so runs repeat), so that noise and what the previous contender left
	 * in the page allocator spread over all of them: a fixed cycle would
	 * always put the same contender after anonymous memory's munmap.
	 * After @base repetitions of all, only the contenders of undecided
	 * targets go on, still interleaved, within the size's budget: sample
	 * r of each is from repetition r, which pairs them.
	 */
	srand(size / KiB);
	bench_alloc_budget(&budget, size);
	for (r = 0; bench_budget_more(&budget, r, undecided); r++) {
		unsigned int order[N_WHO];

		for (i = 0; i < N_WHO; i++)
			order[i] = i;
		for (i = N_WHO - 1; i > 0; i--) {
			unsigned int j = rand() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < N_WHO; i++) {
			int ret;

			w = order[i];
			if (err[w] || n[w] < r || (r >= base && !in_target[w]))
				continue;
			ret = bench_alloc_one(w, size, pre, ns);
			if (ret) {
				err[w] = -ret;
				continue;
			}
			for (m = 0; m < 3; m++)
				v[w][m][n[w]] = ns[m];
			n[w]++;
		}
		undecided = bench_alloc_undecided(size, v, n, err, params,
						  in_target);
	}
	if (pre)
		munmap(pre, size);
	for (w = 0; w < N_WHO; w++) {
		for (m = 0; m < 3; m++) {
			/* memset has nothing to free. */
			if (w == REF_MEMSET && m)
				continue;
			bench_stat_of(&st, v[w][m], n[w]);
			bench_record("alloc", bench_who_name(w), params,
				     bench_alloc_metrics[m], "ns", &st,
				     n[w] ? 0 : err[w]);
		}
	}
	for (i = 0; size >= MiB && i < N_TARGETS; i++) {
		unsigned int a = bench_alloc_targets[i].who;
		unsigned int p = bench_alloc_targets[i].peer;

		/* Sources this kernel lacks or refuses have no target. */
		if (!n[a])
			continue;
		bench_alloc_target_of(&t, i, params);
		bench_target(&t, v[a][0], n[a], v[p][0], n[p], &budget);
	}
}

void bench_alloc(const size_t *sizes, int nsizes)
{
	int i;

	for (i = 0; i < nsizes; i++) {
		bench_progress("alloc+zero+free %zu KiB", sizes[i] / KiB);
		bench_alloc_size(sizes[i]);
	}
}

/* A figure measured once. */
static void bench_one(struct bench_stat *st, double v)
{
	st->med = v;
	st->min = v;
	st->max = v;
	st->n = 1;
	st->samples = NULL;
}

/* Records the entries of one mapping; *@entries stays as is on failure. */
static void bench_sg_record(const char *who, size_t size, const char *dev,
			    uint32_t handle, uint32_t dev_id, double *entries)
{
	struct dmalab_imp_sg_info sg;
	struct bench_stat st;
	uint32_t att, nents = 0, viol = 0;
	uint64_t longest = 0;
	char params[96];
	int ret;

	snprintf(params, sizeof(params), "\"size\":%zu,\"device\":\"%s\"",
		 size, dev);
	ret = bench_imp_attach(handle, dev_id, &att);
	if (ret)
		goto out;
	ret = dmalab_imp_map_attach(bench.imp_fd, att, BENCH_DIR, NULL);
	if (!ret) {
		ret = dmalab_imp_get_sg_info(bench.imp_fd, att, &sg, NULL, 0,
					     NULL);
		if (!ret) {
			nents = sg.nents;
			*entries = nents;
			longest = sg.longest;
			viol = sg.violations;
		}
		dmalab_imp_unmap_attach(bench.imp_fd, att, NULL);
	}
	dmalab_imp_detach(bench.imp_fd, att, NULL);
out:
	bench_one(&st, nents);
	bench_record("sg", who, params, "entries", "entries", &st, -ret);
	bench_one(&st, longest);
	bench_record("sg", who, params, "longest", "bytes", &st, -ret);
	bench_one(&st, viol);
	bench_record("sg", who, params, "violations", "entries", &st, -ret);
}

/*
 * Target: ours maps to no more entries than the system heap (a count); from
 * 256 MiB on, on the device without segment limits, at most half as many
 * (2 MiB blocks against the heap's 1 MiB: docs/huge-mappings.md).
 */
static void bench_sg_target(size_t size, const char *dev, double ours,
			    double heap)
{
	struct bench_target t = {
		.test = "sg", .metric = "entries",
		.who = "ours", .peer = "system_heap",
		.op = BENCH_LE, .limit = 1.0, .exact = 1,
	};
	char params[96];

	if (!strcmp(dev, "sim64") && size >= 256 * MiB)
		t.limit = 0.5;

	snprintf(params, sizeof(params), "\"size\":%zu,\"device\":\"%s\"",
		 size, dev);
	t.params = params;
	if (ours >= 0)
		bench_target(&t, &ours, 1, &heap, heap >= 0, NULL);
}

/* Entry counts of each source's buffers, mapped for two devices. */
void bench_sg(const size_t *sizes, int nsizes)
{
	unsigned int s;
	int i;

	for (i = 0; i < nsizes; i++) {
		/* [source][sim64, edu_b], -1 where not mapped */
		double ents[N_SRCS][2];

		bench_progress("sg_table entries %zu KiB", sizes[i] / KiB);
		for (s = 0; s < N_SRCS; s++)
			ents[s][0] = -1, ents[s][1] = -1;
		for (s = 0; s < N_SRCS; s++) {
			enum bench_src src = bench_alloc_srcs[s];
			struct bench_buf b;
			uint32_t h;
			int ret = bench_buf_alloc(src, sizes[i], &b);

			if (!ret) {
				ret = dmalab_imp_import_fd(bench.imp_fd, b.fd,
							   &h, NULL, NULL);
				if (ret)
					bench_buf_free(&b);
			}
			if (ret) {
				char params[64];

				snprintf(params, sizeof(params),
					 "\"size\":%zu", sizes[i]);
				bench_record("sg", bench_src_name(src), params,
					     "entries", "entries", NULL, -ret);
				continue;
			}
			bench_sg_record(bench_src_name(src), sizes[i],
					"sim64", h, bench.dev_sim, &ents[s][0]);
			bench_sg_record(bench_src_name(src), sizes[i],
					"edu_b", h, bench.dev_edu_b,
					&ents[s][1]);
			dmalab_imp_release(bench.imp_fd, h, NULL);
			bench_buf_free(&b);
		}
		bench_sg_target(sizes[i], "sim64", ents[W_OURS][0],
				ents[W_HEAP][0]);
		bench_sg_target(sizes[i], "edu_b", ents[W_OURS][1],
				ents[W_HEAP][1]);
	}
}
