// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab-bench: the project's exporter side by side with mainline's
 * (system heap, udmabuf, vgem), run as root in a 6.12 guest by bench/run.
 *
 *   dmalab-bench [--quick] [--reps N] [--only SECTION,...] [--budget-scale F]
 *
 * Progress goes to stderr; the figures go to stdout as one JSON document
 * between the lines DMALAB-BENCH-JSON-BEGIN and DMALAB-BENCH-JSON-END.
 * --quick: small sizes and few repetitions, for trying the bench out.
 * Figures with a target take at least N repetitions (--reps), then more
 * until the target is decided or the figure's time budget, times F, runs
 * out (docs/bench-method.md).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

struct bench_ctx bench = { .reps = 7, .budget_scale = 1 };

static const size_t bench_full_sizes[] = {
	4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB, 256 * MiB, 1 * GiB,
};

static const size_t bench_quick_sizes[] = {
	4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB,
};

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: dmalab-bench [--quick] [--reps N] [--only SECTION,...]\n"
		"                    [--budget-scale F]\n"
		"sections: alloc sg mmap attach vmap scale camera jobs share\n");
	exit(2);
}

static int bench_wants(const char *only, const char *section)
{
	char list[256], *tok, *save;

	if (!only)
		return 1;
	snprintf(list, sizeof(list), "%s", only);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, section))
			return 1;
	return 0;
}

/* Let udmabuf take buffers as large as the others (default cap 64 MiB). */
static void bench_raise_udmabuf_limit(void)
{
	FILE *f = fopen("/sys/module/udmabuf/parameters/size_limit_mb", "w");

	if (!f)
		return;
	fprintf(f, "4096\n");
	fclose(f);
}

static void bench_meta_file(const char *key, const char *path)
{
	char line[200] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	bench_meta(key, "%s", line);
}

int main(int argc, char **argv)
{
	const size_t *sizes = bench_full_sizes;
	int nsizes = 6, i;
	const char *only = NULL;
	struct utsname u;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			bench.quick = 1;
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			bench.reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--budget-scale") && i + 1 < argc)
			bench.budget_scale = atof(argv[++i]);
		else
			bench_usage();
	}
	if (bench.quick) {
		sizes = bench_quick_sizes;
		nsizes = 4;
		if (bench.reps == 7)
			bench.reps = 3;
	}
	if (bench.reps < 1 || bench.reps > BENCH_MAX_REPS ||
	    bench.budget_scale < 0)
		bench_usage();

	uname(&u);
	bench_meta("kernel", "%s %s", u.release, u.version);
	bench_meta("cpus_online", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	bench_meta("mem_total_kib", "%lld",
		   (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / 1024);
	bench_meta_file("thp", "/sys/kernel/mm/transparent_hugepage/enabled");
	bench_meta("quick", "%d", bench.quick);
	bench_meta("reps", "%d", bench.reps);
	bench_meta("budget_scale", "%g", bench.budget_scale);
	bench_raise_udmabuf_limit();
	bench_meta_file("udmabuf_size_limit_mb",
			"/sys/module/udmabuf/parameters/size_limit_mb");
	if (bench_src_open() || bench_imp_open())
		return 1;

	if (bench_wants(only, "alloc"))
		bench_alloc(sizes, nsizes);
	if (bench_wants(only, "sg"))
		bench_sg(sizes, nsizes);
	if (bench_wants(only, "mmap"))
		bench_mmap(bench.quick ? 16 * MiB : 256 * MiB);
	if (bench_wants(only, "attach")) {
		bench_attach(1 * MiB);
		if (!bench.quick)
			bench_attach(64 * MiB);
	}
	if (bench_wants(only, "vmap")) {
		bench_vmap_sync(1 * MiB);
		bench_vmap_sync(bench.quick ? 16 * MiB : 256 * MiB);
	}
	if (bench_wants(only, "scale")) {
		bench_scale_buffers();
		bench_scale_attach();
		bench_scale_threads();
	}
	if (bench_wants(only, "camera"))
		bench_work_camera();
	if (bench_wants(only, "jobs"))
		bench_work_jobs();
	if (bench_wants(only, "share"))
		bench_work_share();
	bench_emit();
	return 0;
}
