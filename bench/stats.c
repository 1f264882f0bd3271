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

/* Median (mean of the middle two for an even count), min and max. */
void bench_stat_of(struct bench_stat *st, double *v, int n)
{
	memset(st, 0, sizeof(*st));
	if (n <= 0)
		return;
	qsort(v, n, sizeof(*v), bench_cmp);
	st->n = n;
	st->min = v[0];
	st->max = v[n - 1];
	st->med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
		fprintf(f, "\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"n\":%d}",
			st->med, st->min, st->max, st->n);
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

void bench_emit(void)
{
	bench_stream(&recs, &recs_buf, &recs_len);
	bench_stream(&meta, &meta_buf, &meta_len);
	fflush(recs);
	fflush(meta);
	fflush(stderr);
	printf("DMALAB-BENCH-JSON-BEGIN\n");
	printf("{\"meta\":{%s},\n\"records\":[\n%s\n]}\n", meta_buf, recs_buf);
	printf("DMALAB-BENCH-JSON-END\n");
	fflush(stdout);
}
