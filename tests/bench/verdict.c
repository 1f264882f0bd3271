// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's verdict statistics (bench/verdict.c) on synthetic paired
 * samples whose answer is known: met, missed and not decided, in both
 * directions, the interval's ranks against the binomial table, and the
 * pairs an undecided target would take. Pure computation: it needs no
 * module and runs on any machine.
 */
#include "../../bench/verdict.c"
#include "kselftest_harness.h"

#define PAIRS	40

/*
 * Pairs whose ratio ours / peer is @centre + @spread * u, u spread evenly
 * over [-1, 1] in a shuffled order; peer times wander (the host's noise),
 * which the pairing cancels.
 */
static void make_pairs(double *ours, double *peer, int n, double centre,
		       double spread)
{
	int i;

	for (i = 0; i < n; i++) {
		int j = (i * 17) % n;	/* 17 is prime to PAIRS: a permutation */
		double u = n > 1 ? -1 + 2.0 * j / (n - 1) : 0;

		peer[i] = 1000.0 * (1 + (i % 5) * 0.3);
		ours[i] = peer[i] * (centre + spread * u);
	}
}

static int verdict(double centre, double spread, int n,
		   enum bench_op op, double limit,
		   struct bench_ci *ci)
{
	double ours[PAIRS], peer[PAIRS];

	make_pairs(ours, peer, n, centre, spread);
	bench_ratio_ci(ours, peer, n, ci);
	return bench_verdict_of(ci, op, limit);
}

TEST(ranks_match_the_binomial_table)
{
	/* [x(k), x(n+1-k)] of the usual tables for the median at 95 %. */
	EXPECT_EQ(0, bench_ci_rank(5));
	EXPECT_EQ(1, bench_ci_rank(6));
	EXPECT_EQ(1, bench_ci_rank(8));
	EXPECT_EQ(2, bench_ci_rank(10));
	EXPECT_EQ(6, bench_ci_rank(20));
	EXPECT_EQ(40, bench_ci_rank(100));
}

TEST(stopping_rule_waits_for_the_99_percent_interval)
{
	EXPECT_EQ(0, bench_ci_rank_at(7, BENCH_STOP_ALPHA));
	EXPECT_EQ(1, bench_ci_rank_at(8, BENCH_STOP_ALPHA));
	EXPECT_EQ(4, bench_ci_rank_at(20, BENCH_STOP_ALPHA));
	EXPECT_EQ(6, bench_ci_rank_at(20, BENCH_ALPHA));
}

TEST(rank_of_the_largest_count_stays_finite)
{
	int k = bench_ci_rank(BENCH_CI_MAX_PAIRS);

	/* Normal approximation: n / 2 - 1.96 sqrt(n) / 2 = 469. */
	EXPECT_LE(466, k);
	EXPECT_GE(471, k);
}

TEST(faster_on_every_pair_is_met)
{
	struct bench_ci ci;

	EXPECT_EQ(BENCH_MET, verdict(0.90, 0.03, PAIRS, BENCH_LE, 1.0, &ci));
	EXPECT_EQ(PAIRS, ci.n);
	EXPECT_TRUE(ci.ok);
	EXPECT_LE(ci.lo, 0.90);
	EXPECT_GE(ci.hi, 0.90);
	EXPECT_GT(1.0, ci.hi);
	EXPECT_EQ(0, bench_reps_needed(&ci, 1.0));
}

TEST(slower_on_every_pair_is_missed)
{
	struct bench_ci ci;

	EXPECT_EQ(BENCH_MISSED, verdict(1.20, 0.05, PAIRS, BENCH_LE, 1.0, &ci));
	EXPECT_LT(1.0, ci.lo);
}

TEST(ratios_either_side_of_the_limit_are_not_decided)
{
	struct bench_ci ci;
	int need;

	EXPECT_EQ(BENCH_UNDECIDED,
		  verdict(1.01, 0.10, PAIRS, BENCH_LE, 1.0, &ci));
	EXPECT_GE(1.0, ci.lo);
	EXPECT_LT(1.0, ci.hi);
	need = bench_reps_needed(&ci, 1.0);
	TH_LOG("median %.4f [%.4f, %.4f]: %d pairs needed", ci.med, ci.lo,
	       ci.hi, need);
	EXPECT_LT(PAIRS, need);
}

TEST(bandwidth_targets_look_the_other_way)
{
	struct bench_ci ci;

	EXPECT_EQ(BENCH_MET, verdict(1.02, 0.02, PAIRS, BENCH_GE, 0.95, &ci));
	EXPECT_EQ(BENCH_MISSED,
		  verdict(0.80, 0.05, PAIRS, BENCH_GE, 0.95, &ci));
	EXPECT_EQ(BENCH_UNDECIDED,
		  verdict(0.95, 0.05, PAIRS, BENCH_GE, 0.95, &ci));
}

TEST(five_pairs_give_no_interval)
{
	struct bench_ci ci;

	/* Even a clear ratio needs six pairs for a 95 % interval. */
	EXPECT_EQ(BENCH_UNDECIDED, verdict(0.5, 0.01, 5, BENCH_LE, 1.0, &ci));
	EXPECT_FALSE(ci.ok);
	EXPECT_EQ(BENCH_CI_MIN_PAIRS, bench_reps_needed(&ci, 1.0));
	EXPECT_EQ(BENCH_MET, verdict(0.5, 0.01, 6, BENCH_LE, 1.0, &ci));
}

TEST(a_missing_peer_is_no_verdict)
{
	double ours[3] = { 1, 2, 3 }, peer[3] = { 0, 0, 0 };
	struct bench_ci ci;

	bench_ratio_ci(ours, peer, 3, &ci);
	EXPECT_EQ(0, ci.n);
	EXPECT_EQ(BENCH_NA, (int)bench_verdict_of(&ci, BENCH_LE, 1.0));
}

TEST(pairs_needed_shrink_the_interval_as_one_over_sqrt_n)
{
	/* Half-width 0.04 towards a limit 0.02 away: four times the pairs. */
	struct bench_ci ci = {
		.n = 10, .ok = 1, .med = 1.02, .lo = 0.98, .hi = 1.06,
	};

	EXPECT_EQ(41, bench_reps_needed(&ci, 1.0));
	ci.med = 1.0;
	EXPECT_EQ(-1, bench_reps_needed(&ci, 1.0));
}

TEST(interval_is_the_order_statistics_of_the_ratios)
{
	double ours[10], peer[10];
	struct bench_ci ci;
	int i;

	/* Ratios 0.1, 0.2, ... 1.0 in reverse order: k = 2. */
	for (i = 0; i < 10; i++) {
		peer[i] = 10;
		ours[i] = 10 - i;
	}
	bench_ratio_ci(ours, peer, 10, &ci);
	EXPECT_TRUE(ci.ok);
	EXPECT_EQ(0.2, ci.lo);
	EXPECT_EQ(0.9, ci.hi);
	EXPECT_EQ(0.55, ci.med);
}

TEST_HARNESS_MAIN
