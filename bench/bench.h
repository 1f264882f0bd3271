/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmalab-bench: shared declarations of the benchmark program that compares
 * the project's exporter with mainline's (system heap, udmabuf, vgem) in a
 * 6.12 guest. Results are records of one figure each (median, min, max and
 * the samples of several repetitions) and the verdicts of the targets
 * (docs/bench-method.md), printed as JSON between two marker lines.
 */
#ifndef DMALAB_BENCH_H
#define DMALAB_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmalab.h"
#include "verdict.h"

#define KiB ((size_t)1024)
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

/* Samples kept per figure: adaptive repetition stops here at the latest. */
#define BENCH_MAX_REPS	BENCH_CI_MAX_PAIRS
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Dma-buf sources, in the order the tables show them. */
enum bench_src {
	SRC_OURS,		/* dmalab_exp, scattered, eager */
	SRC_OURS_CONTIG,	/* dmalab_exp, one contiguous block */
	SRC_HEAP,		/* /dev/dma_heap/system */
	SRC_UDMABUF,		/* /dev/udmabuf on a sealed memfd */
	SRC_VGEM,		/* vgem dumb buffer, PRIME-exported */
	SRC_OURS_HEAP,		/* /dev/dma_heap/dmalab-scatter: ours by a heap */
	SRC_COUNT,
};

/* One buffer of a source: the dma-buf fd and what else must be freed. */
struct bench_buf {
	int fd;
	uint32_t gem_handle;	/* vgem only */
	size_t size;
	enum bench_src src;
};

/* Run-wide settings and the device files opened once. */
struct bench_ctx {
	int quick;
	int reps;
	double budget_scale;	/* --budget-scale: times each figure's budget */
	int exp_fd;
	int heap_fd;
	int ours_heap_fd;
	int udmabuf_fd;
	int vgem_fd;
	int imp_fd;
	uint64_t max_contig;
	uint32_t dev_edu_a;	/* importer device ids, ~0U when absent */
	uint32_t dev_edu_b;
	uint32_t dev_sim;	/* 64-bit mask, no segment limits */
};

extern struct bench_ctx bench;

/* stats.c */
struct bench_stat {
	double med;
	double min;
	double max;
	int n;
	/* The n samples in repetition order (kept in the JSON), or NULL. */
	const double *samples;
};

/*
 * A section's time for the repetitions of one figure (or of the figures
 * it takes together): at least bench.reps, then more while one of its
 * targets is undecided, until the budget or BENCH_MAX_REPS runs out.
 */
struct bench_budget {
	uint64_t t0;
	double seconds;
	int min_reps;
};

/*
 * A target: the ratio ours / peer of one figure (test, params, metric)
 * against @limit, on the side @op says. @ours and @peer are the samples in
 * repetition order, sample i of both from the same repetition.
 */
struct bench_target {
	const char *test;
	const char *params;	/* JSON fragment, as for bench_record() */
	const char *metric;
	const char *who;
	const char *peer;
	enum bench_op op;
	double limit;
	int exact;		/* a count, not a time: one sample decides */
};

uint64_t bench_now_ns(void);
int bench_sync_pairs(int fd, int loops, double *ns);
void bench_stat_of(struct bench_stat *st, double *v, int n);
void bench_budget_start(struct bench_budget *b, double full_s,
			double quick_s);
int bench_budget_more(const struct bench_budget *b, int done, int undecided);
int bench_target_undecided(const struct bench_target *t, const double *ours,
			   int n_ours, const double *peer, int n_peer);
void bench_target(const struct bench_target *t, const double *ours,
		  int n_ours, const double *peer, int n_peer,
		  const struct bench_budget *b);
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_record(const char *test, const char *who, const char *params,
		  const char *metric, const char *unit,
		  const struct bench_stat *st, int err);
void bench_meta(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_emit(void);

/* sources.c */
const char *bench_src_name(enum bench_src src);
int bench_src_open(void);
int bench_buf_alloc(enum bench_src src, size_t size, struct bench_buf *b);
void bench_buf_free(struct bench_buf *b);
int bench_exp_alloc(size_t size, uint32_t placement, uint32_t timing,
		    uint32_t addr_bits);

/*
 * imp.c; the sections call libdmalab with bench.imp_fd for the rest.
 * Mappings are bidirectional: BENCH_DIR.
 */
#define BENCH_DIR	DMALAB_IMP_DIR_BIDIR

int bench_imp_open(void);
int bench_imp_attach(uint32_t handle, uint32_t dev, uint32_t *att);

/* sections in alloc.c, access.c, map.c, scale.c */
void bench_alloc(const size_t *sizes, int nsizes);
void bench_sg(const size_t *sizes, int nsizes);
void bench_mmap(size_t size);
void bench_attach(size_t size);
void bench_vmap_sync(size_t size);
void bench_sync_record(const char *who, int fd, size_t size, int nmapped);
int bench_remap(uint32_t att, double *ns);
void bench_scale_buffers(void);
void bench_scale_attach(void);
void bench_scale_threads(void);

/* workloads users run: work_camera.c, work_jobs.c, work_share.c */
void bench_work_camera(void);
void bench_work_jobs(void);
void bench_work_share(void);

#endif /* DMALAB_BENCH_H */
