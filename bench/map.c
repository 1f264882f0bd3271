// SPDX-License-Identifier: GPL-2.0
/*
 * Device mapping latency: attach + map + unmap + detach, and repeated
 * map + unmap of one attachment, per importer device, ours against the
 * system heap.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "bench.h"

#define BENCH_MAP_LOOPS	10

/* attach + map + unmap + detach, averaged over BENCH_MAP_LOOPS. */
static int bench_amud(uint32_t h, uint32_t dev, double *ns)
{
	uint64_t t0 = bench_now_ns();
	uint32_t att;
	int i, ret;

	for (i = 0; i < BENCH_MAP_LOOPS; i++) {
		ret = bench_imp_attach(h, dev, &att);
		if (ret)
			return ret;
		ret = dmalab_imp_map_attach(bench.imp_fd, att, BENCH_DIR, NULL);
		if (!ret)
			ret = dmalab_imp_unmap_attach(bench.imp_fd, att, NULL);
		dmalab_imp_detach(bench.imp_fd, att, NULL);
		if (ret)
			return ret;
	}
	*ns = (double)(bench_now_ns() - t0) / BENCH_MAP_LOOPS;
	return 0;
}

/* map + unmap of one attachment, averaged over BENCH_MAP_LOOPS. */
int bench_remap(uint32_t att, double *ns)
{
	uint64_t t0 = bench_now_ns();
	int i, ret;

	for (i = 0; i < BENCH_MAP_LOOPS; i++) {
		ret = dmalab_imp_map_attach(bench.imp_fd, att, BENCH_DIR, NULL);
		if (ret)
			return ret;
		ret = dmalab_imp_unmap_attach(bench.imp_fd, att, NULL);
		if (ret)
			return ret;
	}
	*ns = (double)(bench_now_ns() - t0) / BENCH_MAP_LOOPS;
	return 0;
}

static void bench_attach_dev(const char *who, uint32_t h, const char *dname,
			     uint32_t dev, size_t size)
{
	double v[BENCH_MAX_REPS], w[BENCH_MAX_REPS], dummy;
	int r, n = 0, m = 0, ret = 0, ret2 = 0;
	struct bench_stat st;
	char params[96];
	uint32_t att;

	snprintf(params, sizeof(params), "\"size\":%zu,\"device\":\"%s\"",
		 size, dname);
	ret = bench_amud(h, dev, &dummy);
	for (r = 0; r < bench.reps && !ret; r++) {
		ret = bench_amud(h, dev, &v[n]);
		if (!ret)
			n++;
	}
	bench_stat_of(&st, v, n);
	bench_record("attach", who, params, "attach_map_unmap_detach", "ns",
		     &st, n ? 0 : -ret);

	ret2 = bench_imp_attach(h, dev, &att);
	if (!ret2) {
		ret2 = bench_remap(att, &dummy);
		for (r = 0; r < bench.reps && !ret2; r++) {
			ret2 = bench_remap(att, &w[m]);
			if (!ret2)
				m++;
		}
		dmalab_imp_detach(bench.imp_fd, att, NULL);
	}
	bench_stat_of(&st, w, m);
	bench_record("attach", who, params, "map_unmap", "ns", &st,
		     m ? 0 : -ret2);
}

static void bench_attach_src(const char *who, int fd, size_t size,
			     const char *dname, uint32_t dev)
{
	uint32_t h;
	int ret = fd < 0 ? fd :
		  dmalab_imp_import_fd(bench.imp_fd, fd, &h, NULL, NULL);
	char params[96];

	if (ret) {
		snprintf(params, sizeof(params),
			 "\"size\":%zu,\"device\":\"%s\"", size, dname);
		bench_record("attach", who, params, "attach_map_unmap_detach",
			     "ns", NULL, -ret);
		bench_record("attach", who, params, "map_unmap", "ns", NULL,
			     -ret);
		return;
	}
	bench_attach_dev(who, h, dname, dev, size);
	dmalab_imp_release(bench.imp_fd, h, NULL);
}

void bench_attach(size_t size)
{
	static const struct {
		const char *name;
		uint32_t *id;
		uint32_t addr_bits;
	} devs[] = {
		{ "edu_a", &bench.dev_edu_a, 28 },
		{ "edu_b", &bench.dev_edu_b, 0 },
		{ "sim64", &bench.dev_sim, 0 },
	};
	unsigned int d;

	bench_progress("attach/map latency, %zu KiB", size / KiB);
	for (d = 0; d < ARRAY_SIZE(devs); d++) {
		struct bench_buf b;
		int fd;

		/* Ours is asked for memory the device reaches, as a user would. */
		fd = bench_exp_alloc(size, DMALAB_EXP_PLACE_SCATTER,
				     DMALAB_EXP_TIMING_EAGER, devs[d].addr_bits);
		bench_attach_src("ours", fd, size, devs[d].name, *devs[d].id);
		if (fd >= 0)
			close(fd);
		if (!bench_buf_alloc(SRC_HEAP, size, &b)) {
			bench_attach_src("system_heap", b.fd, size,
					 devs[d].name, *devs[d].id);
			bench_buf_free(&b);
		} else {
			bench_attach_src("system_heap", -ENODEV, size,
					 devs[d].name, *devs[d].id);
		}
	}
}
