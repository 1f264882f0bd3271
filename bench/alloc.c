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

static void bench_alloc_size(size_t size)
{
	static double v[N_WHO][3][BENCH_MAX_REPS];
	int n[N_WHO] = { 0 }, err[N_WHO] = { 0 };
	int reps = bench_reps_for(size), r, m;
	unsigned int w, i;
	struct bench_stat st;
	double dummy[3], ns[3];
	char params[64];
	void *pre;

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
	 */
	srand(size / KiB);
	for (r = 0; r < reps; r++) {
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
			if (err[w])
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
	}
	if (pre)
		munmap(pre, size);
	snprintf(params, sizeof(params), "\"size\":%zu", size);
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
}

static void bench_sg_record(const char *who, size_t size, const char *dev,
			    uint32_t handle, uint32_t dev_id)
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

/* Entry counts of each source's buffers, mapped for two devices. */
void bench_sg(const size_t *sizes, int nsizes)
{
	unsigned int s;
	int i;

	for (i = 0; i < nsizes; i++) {
		bench_progress("sg_table entries %zu KiB", sizes[i] / KiB);
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
					"sim64", h, bench.dev_sim);
			bench_sg_record(bench_src_name(src), sizes[i],
					"edu_b", h, bench.dev_edu_b);
			dmalab_imp_release(bench.imp_fd, h, NULL);
			bench_buf_free(&b);
		}
	}
}
