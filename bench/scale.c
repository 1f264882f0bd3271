// SPDX-License-Identifier: GPL-2.0
/*
 * Scaling: many live buffers, many attachments per buffer, two threads.
 * Ours against the system heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

static const enum bench_src bench_scale_srcs[] = { SRC_OURS, SRC_HEAP };
#define N_SRCS ARRAY_SIZE(bench_scale_srcs)

/* Create @live 4 KiB buffers: the time per buffer, or -errno. */
static int bench_scale_create(enum bench_src src, struct bench_buf *bufs,
			      int live, int *made, double *ns)
{
	uint64_t t0 = bench_now_ns();
	int ret = 0;

	for (*made = 0; *made < live; (*made)++) {
		ret = bench_buf_alloc(src, 4096, &bufs[*made]);
		if (ret)
			return ret;
	}
	*ns = (double)(bench_now_ns() - t0) / live;
	return 0;
}

static double bench_scale_free(struct bench_buf *bufs, int made)
{
	uint64_t t0 = bench_now_ns();
	int i;

	for (i = 0; i < made; i++)
		bench_buf_free(&bufs[i]);
	return made ? (double)(bench_now_ns() - t0) / made : 0;
}

/*
 * With @live 4 KiB buffers alive: the cost per buffer of creating them and
 * of freeing them (over several create/free cycles, fewer for many
 * buffers), and allocate + free of one more while they live.
 */
static void bench_scale_level(enum bench_src src, int live)
{
	struct bench_buf *bufs = calloc(live, sizeof(*bufs));
	double cr[BENCH_MAX_REPS], fr[BENCH_MAX_REPS], v[BENCH_MAX_REPS];
	int cycles = live >= 10000 ? 3 : bench.reps;
	int c, r, n = 0, nc = 0, made = 0, ret = 0;
	const char *who = bench_src_name(src);
	struct bench_stat st;
	char params[64];

	snprintf(params, sizeof(params), "\"live\":%d,\"size\":4096", live);
	if (!bufs)
		return;
	for (c = 0; c < cycles && !ret; c++) {
		ret = bench_scale_create(src, bufs, live, &made, &cr[nc]);
		/* One more, with all of them alive, in the last cycle. */
		for (r = 0; c == cycles - 1 && r < bench.reps && !ret; r++) {
			struct bench_buf b;
			uint64_t t0 = bench_now_ns();

			ret = bench_buf_alloc(src, 4096, &b);
			if (!ret) {
				bench_buf_free(&b);
				v[n++] = bench_now_ns() - t0;
			}
		}
		fr[nc] = bench_scale_free(bufs, made);
		if (!ret)
			nc++;
	}
	bench_stat_of(&st, cr, nc);
	bench_record("scale_buffers", who, params, "create_each", "ns", &st,
		     nc ? 0 : -ret);
	bench_stat_of(&st, v, n);
	bench_record("scale_buffers", who, params, "alloc_free_one_more", "ns",
		     &st, n ? 0 : -ret);
	bench_stat_of(&st, fr, nc);
	bench_record("scale_buffers", who, params, "free_each", "ns", &st,
		     nc ? 0 : -ret);
	free(bufs);
}

void bench_scale_buffers(void)
{
	static const int levels[] = { 1, 10, 100, 1000, 10000 };
	struct rlimit rl = { 20000, 20000 };
	unsigned int l, s;
	int nlevels = bench.quick ? 3 : 5;

	/* 10 000 dma-buf fds: more than the default limit of 1024. */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit RLIMIT_NOFILE");
	for (l = 0; l < (unsigned int)nlevels; l++) {
		bench_progress("scaling: %d live buffers", levels[l]);
		for (s = 0; s < N_SRCS; s++)
			bench_scale_level(bench_scale_srcs[s], levels[l]);
	}
}

/*
 * @k attachments of one 1 MiB buffer to the simulated device, k - 1 of
 * them mapped: map + unmap of the k-th, then a sync with all k mapped.
 */
static void bench_scale_attach_level(enum bench_src src, int k)
{
	const char *who = bench_src_name(src);
	uint32_t att[16], h;
	double v[BENCH_MAX_REPS], dummy;
	struct bench_stat st;
	struct bench_buf b;
	char params[64];
	int i, r, n = 0, na = 0, ret;

	snprintf(params, sizeof(params), "\"attachments\":%d,\"size\":%zu",
		 k, 1 * MiB);
	ret = bench_buf_alloc(src, 1 * MiB, &b);
	if (ret)
		goto record;
	ret = dmalab_imp_import_fd(bench.imp_fd, b.fd, &h, NULL, NULL);
	if (ret)
		goto free_buf;
	for (na = 0; na < k; na++) {
		ret = bench_imp_attach(h, bench.dev_sim, &att[na]);
		if (ret)
			break;
		if (na < k - 1) {
			ret = dmalab_imp_map_attach(bench.imp_fd, att[na],
						    BENCH_DIR, NULL);
			if (ret) {
				na++;
				break;
			}
		}
	}
	if (ret)
		goto detach;
	ret = bench_remap(att[k - 1], &dummy);
	for (r = 0; r < bench.reps && !ret; r++) {
		ret = bench_remap(att[k - 1], &v[n]);
		if (!ret)
			n++;
	}
	if (!ret && !dmalab_imp_map_attach(bench.imp_fd, att[k - 1],
					   BENCH_DIR, NULL)) {
		bench_sync_record(who, b.fd, 1 * MiB, k);
		dmalab_imp_unmap_attach(bench.imp_fd, att[k - 1], NULL);
	}
detach:
	for (i = 0; i < na; i++) {
		if (i < k - 1)
			dmalab_imp_unmap_attach(bench.imp_fd, att[i], NULL);
		dmalab_imp_detach(bench.imp_fd, att[i], NULL);
	}
	dmalab_imp_release(bench.imp_fd, h, NULL);
free_buf:
	bench_buf_free(&b);
record:
	bench_stat_of(&st, v, n);
	bench_record("scale_attach", who, params, "map_unmap", "ns", &st,
		     n ? 0 : -ret);
}

void bench_scale_attach(void)
{
	static const int levels[] = { 1, 2, 4, 8, 16 };
	unsigned int l, s;

	for (l = 0; l < ARRAY_SIZE(levels); l++) {
		bench_progress("scaling: %d attachments", levels[l]);
		for (s = 0; s < N_SRCS; s++)
			bench_scale_attach_level(bench_scale_srcs[s], levels[l]);
	}
}

struct bench_thread {
	pthread_t tid;
	enum bench_src src;
	int ops;
	int err;
};

static void *bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_buf b;
	int i;

	for (i = 0; i < t->ops && !t->err; i++) {
		t->err = -bench_buf_alloc(t->src, 1 * MiB, &b);
		if (!t->err)
			bench_buf_free(&b);
	}
	return NULL;
}

/* Wall time per 1 MiB allocate + free with @nthreads threads at work. */
static int bench_threads_once(enum bench_src src, int nthreads, int ops,
			      double *ns)
{
	struct bench_thread t[2] = { { .src = src, .ops = ops },
				     { .src = src, .ops = ops } };
	uint64_t t0 = bench_now_ns();
	int i, err = 0;

	for (i = 0; i < nthreads; i++)
		if (pthread_create(&t[i].tid, NULL, bench_thread_fn, &t[i]))
			return -EAGAIN;
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i].tid, NULL);
		if (t[i].err)
			err = t[i].err;
	}
	*ns = (double)(bench_now_ns() - t0) / (ops * nthreads);
	return -err;
}

void bench_scale_threads(void)
{
	int ops = bench.quick ? 5 : 20, nthreads, r, n, ret;
	double v[BENCH_MAX_REPS], dummy;
	struct bench_stat st;
	char params[64];
	unsigned int s;

	for (nthreads = 1; nthreads <= 2; nthreads++) {
		bench_progress("scaling: %d thread(s)", nthreads);
		snprintf(params, sizeof(params), "\"threads\":%d,\"size\":%zu",
			 nthreads, 1 * MiB);
		for (s = 0; s < N_SRCS; s++) {
			enum bench_src src = bench_scale_srcs[s];

			n = 0;
			ret = bench_threads_once(src, nthreads, 2, &dummy);
			for (r = 0; r < bench.reps && !ret; r++) {
				ret = bench_threads_once(src, nthreads, ops,
							 &v[n]);
				if (!ret)
					n++;
			}
			bench_stat_of(&st, v, n);
			bench_record("scale_threads", bench_src_name(src),
				     params, "wall_per_alloc_free", "ns", &st,
				     n ? 0 : -ret);
		}
	}
}
