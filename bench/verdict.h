/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The statistics behind a target's verdict, free of the rest of the bench
 * so that tests/bench/verdict.c checks them on synthetic samples:
 * the ratio ours / peer per paired repetition, the order-statistics 95 %
 * confidence interval of its median, the verdict against a limit and the
 * repetitions an undecided target would take. bench/report.py computes
 * the same from the samples kept in the JSON.
 */
#ifndef DMALAB_BENCH_VERDICT_H
#define DMALAB_BENCH_VERDICT_H

/* Fewest pairs with a 95 % interval for a median: 2 / 2^6 < 0.05. */
#define BENCH_CI_MIN_PAIRS	6
/*
 * The verdict's interval leaves out 5 %; the guest, which looks after every
 * repetition, stops early only once the 99 % interval decides, so that the
 * many looks seldom stop on a lucky stretch.
 */
#define BENCH_ALPHA		0.05
#define BENCH_STOP_ALPHA	0.01
/* Pairs beyond this are not counted (2^n must fit in a double). */
#define BENCH_CI_MAX_PAIRS	1000

/* Which side of the limit meets the target. */
enum bench_op {
	BENCH_LE,	/* ours / peer <= limit: times */
	BENCH_GE,	/* ours / peer >= limit: bandwidths */
};

enum bench_verdict {
	BENCH_UNDECIDED,	/* the interval contains the limit */
	BENCH_MET,		/* the whole interval is on the good side */
	BENCH_MISSED,		/* the whole interval is on the bad side */
	BENCH_NA,		/* a figure is missing (the peer failed) */
};

/* The median of the paired ratios and its interval [lo, hi]. */
struct bench_ci {
	int n;		/* pairs used */
	int ok;		/* 1 when n pairs give a 95 % interval */
	double med;
	double lo;
	double hi;
};

int bench_ci_rank_at(int n, double alpha);
int bench_ci_rank(int n);
void bench_ratio_ci_at(const double *ours, const double *peer, int n,
		       double alpha, struct bench_ci *ci);
void bench_ratio_ci(const double *ours, const double *peer, int n,
		    struct bench_ci *ci);
enum bench_verdict bench_verdict_of(const struct bench_ci *ci,
				    enum bench_op op, double limit);
int bench_reps_needed(const struct bench_ci *ci, double limit);
const char *bench_verdict_name(enum bench_verdict v);

#endif /* DMALAB_BENCH_VERDICT_H */
