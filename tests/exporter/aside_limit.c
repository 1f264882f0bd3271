// SPDX-License-Identifier: GPL-2.0
/*
 * The set-aside bound is one for all allocations: pages that land outside
 * an address limit are held while the allocation goes on, and concurrent
 * callers together never hold more than aside_limit_mb (the review's A9:
 * it was a bound per call, so N callers could pin N times it).
 *
 * A first buffer takes most of the memory below 1 GiB; then four threads
 * allocate 64 MiB below 1 GiB at once with the bound lowered to 16 MiB (the
 * page allocator now hands out pages above, to be set aside), while a fifth
 * samples STATS' aside_bytes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "dmalab_test.h"

#include "exp_util.h"
#include "kselftest_harness.h"

#define PARAM "/sys/module/dmalab_exp/parameters/aside_limit_mb"
#define LIMIT_MB 16
#define NTHREADS 4
#define ADDR_BITS 30
#define HOG_LEN (768 * MiB)

struct race {
	int dev;
	volatile int done;
	uint64_t seen_max;
	int results[NTHREADS];
};

static struct race race;

static void *allocator(void *arg)
{
	int i = (int)(intptr_t)arg;
	int fd = exp_alloc(race.dev, 64 * MiB, DMALAB_EXP_PLACE_SCATTER,
			   DMALAB_EXP_TIMING_EAGER, 0, ADDR_BITS);

	race.results[i] = fd < 0 ? fd : 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void *sampler(void *arg)
{
	struct dmalab_exp_stats st;

	while (!race.done) {
		if (!exp_stats(race.dev, &st) && st.aside_bytes > race.seen_max)
			race.seen_max = st.aside_bytes;
	}
	return NULL;
}

static int read_param(char *buf, size_t n)
{
	FILE *f = fopen(PARAM, "r");
	int ok = f && fgets(buf, n, f);

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* A fixture only for the timeout: set-aside pages are zeroed, slow in TCG. */
FIXTURE(aside) {
	int unused;
};

FIXTURE_SETUP(aside)
{
}

FIXTURE_TEARDOWN(aside)
{
}

TEST_F_TIMEOUT(aside, concurrent_allocations_share_one_bound, 300)
{
	pthread_t t[NTHREADS], s;
	struct dmalab_exp_stats st;
	char old[32];
	int i, hog, ok = 0;

	ASSERT_EQ(0, read_param(old, sizeof(old))) TH_LOG("read %s", PARAM);
	race.dev = exp_open();
	ASSERT_LE(0, race.dev) TH_LOG("open: %s", strerror(-race.dev));
	hog = exp_alloc(race.dev, HOG_LEN, DMALAB_EXP_PLACE_SCATTER,
			DMALAB_EXP_TIMING_EAGER, 0, ADDR_BITS);
	TH_LOG("%llu MiB below 1 GiB first: %s",
	       (unsigned long long)HOG_LEN / MiB,
	       hog < 0 ? strerror(-hog) : "allocated");
	ASSERT_EQ(0, test_write_str(PARAM, "16"));
	ASSERT_EQ(0, pthread_create(&s, NULL, sampler, NULL));
	for (i = 0; i < NTHREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, allocator,
					    (void *)(intptr_t)i));
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	race.done = 1;
	pthread_join(s, NULL);
	EXPECT_EQ(0, test_write_str(PARAM, old));
	if (hog >= 0)
		close(hog);

	for (i = 0; i < NTHREADS; i++) {
		TH_LOG("allocation %d: %s", i, strerror(-race.results[i]));
		EXPECT_TRUE(race.results[i] == 0 ||
			    race.results[i] == -ENOMEM);
		ok += !race.results[i];
	}
	TH_LOG("most held aside at once: %llu KiB; %d of %d allocated",
	       (unsigned long long)race.seen_max / KiB, ok, NTHREADS);
	EXPECT_GE((uint64_t)LIMIT_MB * MiB, race.seen_max);
	ASSERT_EQ(0, exp_stats(race.dev, &st));
	EXPECT_EQ(0ULL, st.aside_bytes) TH_LOG("held aside after the end");
	EXPECT_GE(st.aside_peak_bytes, race.seen_max);
	close(race.dev);
	if (!race.seen_max)
		SKIP(return, "no page landed above 1 GiB: nothing set aside");
}

TEST_HARNESS_MAIN
