// SPDX-License-Identifier: GPL-2.0
/*
 * Device mapping latency: attach + map + unmap + detach, and repeated
 * map + unmap of one attachment, per importer device, ours against the
 * system heap.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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

/* One side of the comparison: a buffer imported into the importer. */
struct bench_side {
	const char *who;
	uint32_t h;
	uint32_t att;		/* map_unmap's attachment */
	int imported;
	int attached;
	int err;		/* positive errno once the side failed */
	int n[2];		/* samples of [attach_map_unmap_detach, map_unmap] */
	double v[2][BENCH_MAX_REPS];
};

static const char *const bench_map_metrics[] = {
	"attach_map_unmap_detach", "map_unmap",
};

/* The target: ours no slower than the system heap. */
static void bench_map_target_of(struct bench_target *t, int m,
				const char *params)
{
	memset(t, 0, sizeof(*t));
	t->test = "attach";
	t->params = params;
	t->metric = bench_map_metrics[m];
	t->who = "ours";
	t->peer = "system_heap";
	t->op = BENCH_LE;
	t->limit = 1.0;
}

/* One timed sample of metric @m for @s; a failure ends the side. */
static void bench_map_sample(struct bench_side *s, int m, uint32_t dev)
{
	int ret;

	if (s->err)
		return;
	if (m == 0)
		ret = bench_amud(s->h, dev, &s->v[0][s->n[0]]);
	else
		ret = bench_remap(s->att, &s->v[1][s->n[1]]);
	if (ret)
		s->err = -ret;
	else
		s->n[m]++;
}

/*
 * Metric @m for ours (@s[0]) and the system heap (@s[1]), interleaved,
 * their order swapped every repetition; more repetitions while the target
 * is undecided and the budget lasts.
 */
static void bench_map_metric(struct bench_side *s, int m, uint32_t dev,
			     const char *params)
{
	struct bench_budget budget;
	struct bench_target t;
	double dummy;
	int r, i, undecided = 1;

	bench_map_target_of(&t, m, params);
	/* Warm up. */
	for (i = 0; i < 2; i++) {
		int ret;

		if (s[i].err)
			continue;
		ret = m == 0 ? bench_amud(s[i].h, dev, &dummy) :
			       bench_remap(s[i].att, &dummy);
		if (ret)
			s[i].err = -ret;
	}
	bench_budget_start(&budget, 10, 3);
	for (r = 0; bench_budget_more(&budget, r, undecided); r++) {
		bench_map_sample(&s[r % 2], m, dev);
		bench_map_sample(&s[!(r % 2)], m, dev);
		undecided = !s[0].err && !s[1].err &&
			    bench_target_undecided(&t, s[0].v[m], s[0].n[m],
						   s[1].v[m], s[1].n[m]);
		if (s[0].err && s[1].err)
			break;
	}
	if (s[0].n[m])
		bench_target(&t, s[0].v[m], s[0].n[m], s[1].v[m], s[1].n[m],
			     &budget);
}

static void bench_map_record(struct bench_side *s, int m, const char *params)
{
	struct bench_stat st;

	bench_stat_of(&st, s->v[m], s->n[m]);
	bench_record("attach", s->who, params, bench_map_metrics[m], "ns",
		     &st, s->n[m] ? 0 : (s->err ? s->err : ENODATA));
}

/* @fd[0] ours, @fd[1] the system heap's, or -errno where not allocated. */
static void bench_attach_dev(const int *fd, const char *dname, uint32_t dev,
			     size_t size)
{
	static struct bench_side s[2];
	char params[96];
	int i, ret;

	snprintf(params, sizeof(params), "\"size\":%zu,\"device\":\"%s\"",
		 size, dname);
	for (i = 0; i < 2; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].who = i ? "system_heap" : "ours";
		ret = fd[i] < 0 ? fd[i] :
		      dmalab_imp_import_fd(bench.imp_fd, fd[i], &s[i].h, NULL,
					   NULL);
		s[i].imported = !ret;
		s[i].err = -ret;
	}
	bench_map_metric(s, 0, dev, params);
	for (i = 0; i < 2; i++) {
		bench_map_record(&s[i], 0, params);
		if (!s[i].err) {
			ret = bench_imp_attach(s[i].h, dev, &s[i].att);
			s[i].attached = !ret;
			s[i].err = -ret;
		}
	}
	bench_map_metric(s, 1, dev, params);
	for (i = 0; i < 2; i++) {
		bench_map_record(&s[i], 1, params);
		if (s[i].attached)
			dmalab_imp_detach(bench.imp_fd, s[i].att, NULL);
		if (s[i].imported)
			dmalab_imp_release(bench.imp_fd, s[i].h, NULL);
	}
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
		int fd[2];

		/* Ours is asked for memory the device reaches, as a user would. */
		fd[0] = bench_exp_alloc(size, DMALAB_EXP_PLACE_SCATTER,
					DMALAB_EXP_TIMING_EAGER,
					devs[d].addr_bits);
		fd[1] = bench_buf_alloc(SRC_HEAP, size, &b) ? -ENODEV : b.fd;
		bench_attach_dev(fd, devs[d].name, *devs[d].id, size);
		if (fd[0] >= 0)
			close(fd[0]);
		if (fd[1] >= 0)
			bench_buf_free(&b);
	}
}
