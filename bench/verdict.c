// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts of dmalab-bench's targets from paired repetitions.
 *
 * Repetition i of ours and of the peer ran next to each other (the
 * contenders interleaved), so ours[i] / peer[i] is one paired ratio: the
 * host's slow and fast stretches hit both sides of it alike. The interval
 * is the distribution-free one for the median of the ratios: with the
 * ratios sorted, [x(k), x(n+1-k)] holds the median with probability
 * 1 - 2 P(B <= k - 1), B ~ Binomial(n, 1/2), whatever the ratios'
 * distribution; k is the largest rank that keeps this at 95 % or more.
 * No random numbers, so the guest and bench/report.py agree exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

/* Largest k with 2 P(B <= k - 1) <= @alpha, or 0 if there is none. */
int bench_ci_rank_at(int n, double alpha)
{
	double total = 1, c = 1, cum = 0;
	int i, k = 0;

	if (n > BENCH_CI_MAX_PAIRS)
		n = BENCH_CI_MAX_PAIRS;
	for (i = 0; i < n; i++)
		total *= 2;
	/* c = C(n, i); cum = P(B <= i) * 2^n */
	for (i = 0; i < n / 2; i++) {
		cum += c;
		if (2 * cum / total > alpha)
			break;
		k = i + 1;
		c = c * (n - i) / (i + 1);
	}
	return k;
}

/* The rank of the verdict's 95 % interval. */
int bench_ci_rank(int n)
{
	return bench_ci_rank_at(n, BENCH_ALPHA);
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The median of ours[i] / peer[i] over the first @n pairs and its
 * 1 - @alpha interval; pairs whose peer is not positive are left out.
 * Without enough pairs for an interval, [lo, hi] is the range and ci->ok
 * is 0.
 */
void bench_ratio_ci_at(const double *ours, const double *peer, int n,
		       double alpha, struct bench_ci *ci)
{
	double *r;
	int i, m = 0, k;

	memset(ci, 0, sizeof(*ci));
	if (n > BENCH_CI_MAX_PAIRS)
		n = BENCH_CI_MAX_PAIRS;
	if (n <= 0)
		return;
	r = malloc(n * sizeof(*r));
	if (!r)
		return;
	for (i = 0; i < n; i++)
		if (peer[i] > 0)
			r[m++] = ours[i] / peer[i];
	if (m) {
		qsort(r, m, sizeof(*r), bench_cmp_double);
		ci->n = m;
		ci->med = m % 2 ? r[m / 2] : (r[m / 2 - 1] + r[m / 2]) / 2;
		k = bench_ci_rank_at(m, alpha);
		ci->ok = k > 0;
		ci->lo = k ? r[k - 1] : r[0];
		ci->hi = k ? r[m - k] : r[m - 1];
	}
	free(r);
}

/* The verdict's interval: 95 %. */
void bench_ratio_ci(const double *ours, const double *peer, int n,
		    struct bench_ci *ci)
{
	bench_ratio_ci_at(ours, peer, n, BENCH_ALPHA, ci);
}

/* Met or missed when the whole interval lies on one side of @limit. */
enum bench_verdict bench_verdict_of(const struct bench_ci *ci,
				    enum bench_op op, double limit)
{
	if (!ci->n)
		return BENCH_NA;
	if (!ci->ok)
		return BENCH_UNDECIDED;
	if (op == BENCH_LE) {
		if (ci->hi <= limit)
			return BENCH_MET;
		if (ci->lo > limit)
			return BENCH_MISSED;
	} else {
		if (ci->lo >= limit)
			return BENCH_MET;
		if (ci->hi < limit)
			return BENCH_MISSED;
	}
	return BENCH_UNDECIDED;
}

/*
 * Pairs an undecided target would take: the half of the interval towards
 * the limit shrinks as 1 / sqrt(n) until it no longer reaches it. -1 when
 * the median sits on the limit (no number of pairs decides); 0 when
 * already decided.
 */
int bench_reps_needed(const struct bench_ci *ci, double limit)
{
	double half, dist, need;

	if (!ci->n)
		return 0;
	if (!ci->ok)
		return BENCH_CI_MIN_PAIRS;
	if (ci->med < limit) {
		half = ci->hi - ci->med;
		dist = limit - ci->med;
		if (ci->hi < limit)
			return 0;
	} else if (ci->med > limit) {
		half = ci->med - ci->lo;
		dist = ci->med - limit;
		if (ci->lo > limit)
			return 0;
	} else {
		return -1;
	}
	need = ci->n * (half / dist) * (half / dist);
	if (need >= 1e9)
		return 1000000000;
	return (int)need + 1;
}

const char *bench_verdict_name(enum bench_verdict v)
{
	static const char *const names[] = {
		[BENCH_UNDECIDED] = "not decided",
		[BENCH_MET] = "met",
		[BENCH_MISSED] = "missed",
		[BENCH_NA] = "n/a",
	};

	return names[v];
}
