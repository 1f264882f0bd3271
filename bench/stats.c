// SPDX-License-Identifier: GPL-2.0
/*
 * Timing, statistics and the JSON records of dmalab-bench. Records are
 * gathered in memory and printed at the end between two marker lines, so
 * that progress messages never land inside the JSON.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static FILE *recs;
static char *recs_buf;
static size_t recs_len;
static FILE *meta;
static char *meta_buf;
static size_t meta_len;
static FILE *targets;
static char *targets_buf;
static size_t targets_len;

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Median (mean of the middle two for an even count), min and max; @v stays
 * in repetition order and is what the JSON's samples are printed from, so
 * it must live until bench_record().
 */
void bench_stat_of(struct bench_stat *st, double *v, int n)
{
	double s[BENCH_MAX_REPS];

	memset(st, 0, sizeof(*st));
	if (n <= 0)
		return;
	if (n > BENCH_MAX_REPS)
		n = BENCH_MAX_REPS;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), bench_cmp);
	st->n = n;
	st->min = s[0];
	st->max = s[n - 1];
	st->med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	st->samples = v;
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static FILE *bench_stream(FILE **f, char **buf, size_t *len)
{
	if (!*f)
		*f = open_memstream(buf, len);
	if (!*f) {
		perror("open_memstream");
		exit(2);
	}
	return *f;
}

/*
 * One figure. @params is a JSON fragment ("\"size\":4096") or "";
 * @err a positive errno when the figure could not be taken.
 */
void bench_record(const char *test, const char *who, const char *params,
		  const char *metric, const char *unit,
		  const struct bench_stat *st, int err)
{
	FILE *f = bench_stream(&recs, &recs_buf, &recs_len);

	if (ftell(f))
		fputs(",\n", f);
	fprintf(f, "{\"test\":\"%s\",\"who\":\"%s\",%s%s\"metric\":\"%s\",\"unit\":\"%s\",",
		test, who, params, *params ? "," : "", metric, unit);
	if (err || !st || !st->n)
		fprintf(f, "\"error\":\"%s\"}", err ? strerror(err) : "no data");
	else
		fprintf(f, "\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"n\":%d",
			st->med, st->min, st->max, st->n);
	if (!err && st && st->n > 1 && st->samples) {
		int i;

		/*
		 * In repetition order: report.py pairs sample i of two figures.
		 * Ten digits keep nanosecond counts exact, so that the report's
		 * interval is the guest's.
		 */
		fputs(",\"samples\":[", f);
		for (i = 0; i < st->n; i++)
			fprintf(f, "%s%.10g", i ? "," : "", st->samples[i]);
		fputc(']', f);
	}
	if (!err && st && st->n)
		fputc('}', f);
	if (err)
		bench_progress("%s %s %s: %s", test, who, params, strerror(err));
}

/* A string-valued fact about the run (kernel, settings). */
void bench_meta(const char *key, const char *fmt, ...)
{
	FILE *f = bench_stream(&meta, &meta_buf, &meta_len);
	char val[256];
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	for (p = val; *p; p++)
		if (*p == '"' || *p == '\\' || *p == '\n')
			*p = ' ';
	if (ftell(f))
		fputs(",\n", f);
	fprintf(f, "\"%s\":\"%s\"", key, val);
}

void bench_budget_start(struct bench_budget *b, double full_s,
			double quick_s)
{
	b->t0 = bench_now_ns();
	b->seconds = (bench.quick ? quick_s : full_s) * bench.budget_scale;
	b->min_reps = bench.reps;
}

static double bench_budget_used(const struct bench_budget *b)
{
	return (bench_now_ns() - b->t0) / 1e9;
}

/* Whether to take repetition @done + 1. */
int bench_budget_more(const struct bench_budget *b, int done, int undecided)
{
	if (done >= BENCH_MAX_REPS)
		return 0;
	if (done < b->min_reps)
		return 1;
	return undecided && bench_budget_used(b) < b->seconds;
}

static void bench_target_ci(const struct bench_target *t, const double *ours,
			    int n_ours, const double *peer, int n_peer,
			    double alpha, struct bench_ci *ci)
{
	int n = n_ours < n_peer ? n_ours : n_peer;

	bench_ratio_ci_at(ours, peer, t->exact && n > 1 ? 1 : n, alpha, ci);
	/* A count is the same at every repetition: its ratio is exact. */
	if (t->exact && ci->n)
		ci->ok = 1;
}

/*
 * 1 while more pairs could still decide @t (0 when a figure is missing):
 * until its 99 % interval decides it (BENCH_STOP_ALPHA).
 */
int bench_target_undecided(const struct bench_target *t, const double *ours,
			   int n_ours, const double *peer, int n_peer)
{
	struct bench_ci ci;

	bench_target_ci(t, ours, n_ours, peer, n_peer, BENCH_STOP_ALPHA, &ci);
	return bench_verdict_of(&ci, t->op, t->limit) == BENCH_UNDECIDED;
}

/*
 * Print @t's verdict and record it in the JSON's "targets"; report.py
 * recomputes it from the records' samples. @b is the budget the figure's
 * repetitions ran under, or NULL.
 */
void bench_target(const struct bench_target *t, const double *ours,
		  int n_ours, const double *peer, int n_peer,
		  const struct bench_budget *b)
{
	FILE *f = bench_stream(&targets, &targets_buf, &targets_len);
	enum bench_verdict v;
	struct bench_ci ci;
	int need;

	bench_target_ci(t, ours, n_ours, peer, n_peer, BENCH_ALPHA, &ci);
	v = bench_verdict_of(&ci, t->op, t->limit);
	need = v == BENCH_UNDECIDED ? bench_reps_needed(&ci, t->limit) : 0;
	bench_progress("target %s %s {%s} %s / %s %s %.2f: %.3f [%.3f, %.3f] n=%d: %s",
		       t->test, t->metric, t->params, t->who, t->peer,
		       t->op == BENCH_LE ? "<=" : ">=", t->limit, ci.med,
		       ci.lo, ci.hi, ci.n, bench_verdict_name(v));
	if (need > 0)
		bench_progress("  about %d pairs would decide it", need);
	else if (need < 0)
		bench_progress("  the median is on the limit: no number of pairs decides it");
	if (ftell(f))
		fputs(",\n", f);
	fprintf(f, "{\"test\":\"%s\",\"params\":{%s},\"metric\":\"%s\",",
		t->test, t->params, t->metric);
	fprintf(f, "\"who\":\"%s\",\"peer\":\"%s\",\"op\":\"%s\",",
		t->who, t->peer, t->op == BENCH_LE ? "<=" : ">=");
	fprintf(f, "\"limit\":%g,\"exact\":%s,\"n\":%d,\"median\":%.6g,",
		t->limit, t->exact ? "true" : "false", ci.n, ci.med);
	fprintf(f, "\"lo\":%.6g,\"hi\":%.6g,\"verdict\":\"%s\",\"reps_needed\":%d",
		ci.lo, ci.hi, bench_verdict_name(v), need);
	if (b)
		fprintf(f, ",\"seconds\":%.1f,\"budget_s\":%.1f",
			bench_budget_used(b), b->seconds);
	fputc('}', f);
}

void bench_emit(void)
{
	bench_stream(&recs, &recs_buf, &recs_len);
	bench_stream(&meta, &meta_buf, &meta_len);
	bench_stream(&targets, &targets_buf, &targets_len);
	fflush(recs);
	fflush(meta);
	fflush(targets);
	fflush(stderr);
	printf("DMALAB-BENCH-JSON-BEGIN\n");
	printf("{\"meta\":{%s},\n\"records\":[\n%s\n],\n\"targets\":[\n%s\n]}\n",
	       meta_buf, recs_buf, targets_buf);
	printf("DMALAB-BENCH-JSON-END\n");
	fflush(stdout);
}
