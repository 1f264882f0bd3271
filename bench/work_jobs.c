// SPDX-License-Identifier: GPL-2.0
/*
 * Workload "device jobs": FILL and COPY jobs of 4 KiB to 16 MiB on the
 * importer's simulated device (sim64), in buffers of each source. Two
 * figures per job size:
 *  - jobs per second: a batch submitted back to back into one destination
 *    (each job waits, through the buffer's dma_resv, for the one before),
 *    then every job waited for;
 *  - submit to poll wakeup: one job submitted, then poll(POLLIN) on the
 *    destination dma-buf, which returns once the job's write fence has
 *    signalled: the path an implicitly synchronised reader takes (the
 *    mean of 4 such jobs, one after the other).
 * The simulated device copies with the CPU, then raises its completion
 * "interrupt" 100 us later from an hrtimer.
 * QEMU's edu engine moves 2 KiB per transfer and completes each on a
 * 100 ms virtual timer: one 4 KiB job on it is timed once, for reference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define JOBS_MAX_SIZE	(16 * MiB)
#define JOBS_TIMEOUT_MS	10000
#define JOBS_LAT_RUNS	4

static const enum bench_src jobs_srcs[] = {
	SRC_OURS, SRC_HEAP, SRC_UDMABUF, SRC_VGEM,
};

/* A buffer imported, attached to one device and mapped both ways. */
struct jobs_buf {
	struct bench_buf b;
	uint32_t handle;
	uint32_t att;
	int imported, attached, mapped;
};

static int jobs_buf_get(struct jobs_buf *j, enum bench_src src, size_t size,
			uint32_t dev)
{
	int ret;

	memset(j, 0, sizeof(*j));
	ret = bench_buf_alloc(src, size, &j->b);
	if (ret)
		return ret;
	ret = dmalab_imp_import_fd(bench.imp_fd, j->b.fd, &j->handle, NULL,
				   NULL);
	if (ret)
		return ret;
	j->imported = 1;
	ret = bench_imp_attach(j->handle, dev, &j->att);
	if (ret)
		return ret;
	j->attached = 1;
	ret = dmalab_imp_map_attach(bench.imp_fd, j->att, BENCH_DIR, NULL);
	if (!ret)
		j->mapped = 1;
	return ret;
}

static void jobs_buf_put(struct jobs_buf *j)
{
	if (j->mapped)
		dmalab_imp_unmap_attach(bench.imp_fd, j->att, NULL);
	if (j->attached)
		dmalab_imp_detach(bench.imp_fd, j->att, NULL);
	if (j->imported)
		dmalab_imp_release(bench.imp_fd, j->handle, NULL);
	bench_buf_free(&j->b);
}

static int jobs_submit(uint32_t op, struct jobs_buf *src, struct jobs_buf *dst,
		       size_t len, uint32_t *id)
{
	struct dmalab_imp_job job = {
		.op = op,
		.timeout_ms = JOBS_TIMEOUT_MS,
		.src_attach = op == DMALAB_IMP_JOB_COPY ? src->att : 0,
		.dst_attach = dst->att,
		.len = len,
		.pattern = op == DMALAB_IMP_JOB_FILL ? 0x5a : 0,
	};
	int ret = dmalab_imp_submit_job(bench.imp_fd, &job, NULL);

	*id = job.job_id;
	return ret;
}

/* @count jobs back to back, then each waited for: jobs per second. */
static int jobs_batch(uint32_t op, struct jobs_buf *src, struct jobs_buf *dst,
		      size_t len, int count, double *per_s)
{
	uint32_t ids[32];
	uint64_t t0 = bench_now_ns();
	int i, n = 0, ret = 0;

	for (n = 0; n < count && !ret; n++) {
		ret = jobs_submit(op, src, dst, len, &ids[n]);
		if (ret)
			break;
	}
	for (i = 0; i < n; i++) {
		int r = dmalab_imp_wait_job(bench.imp_fd, ids[i], -1, NULL,
					    NULL);

		ret = ret ?: r;
	}
	if (!ret)
		*per_s = count * 1e9 / (double)(bench_now_ns() - t0);
	return ret;
}

/* One job: from the submit call to the reader's poll() returning. */
static int jobs_latency_one(uint32_t op, struct jobs_buf *src,
			    struct jobs_buf *dst, size_t len, double *ns)
{
	uint64_t t0 = bench_now_ns(), t1;
	uint32_t id;
	int ret, r;

	ret = jobs_submit(op, src, dst, len, &id);
	if (ret)
		return ret;
	r = dmalab_buf_poll(dst->b.fd, POLLIN, JOBS_TIMEOUT_MS, NULL);
	t1 = bench_now_ns();
	/* Collects the job's status and frees its id. */
	ret = dmalab_imp_wait_job(bench.imp_fd, id, -1, NULL, NULL);
	if (!ret && r != 1)
		ret = r < 0 ? r : -ETIMEDOUT;
	if (!ret)
		*ns = (double)(t1 - t0);
	return ret;
}

/* The mean of JOBS_LAT_RUNS jobs, one after the other. */
static int jobs_latency(uint32_t op, struct jobs_buf *src,
			struct jobs_buf *dst, size_t len, double *ns)
{
	double sum = 0, one;
	int i, ret;

	for (i = 0; i < JOBS_LAT_RUNS; i++) {
		ret = jobs_latency_one(op, src, dst, len, &one);
		if (ret)
			return ret;
		sum += one;
	}
	*ns = sum / JOBS_LAT_RUNS;
	return 0;
}

/* Jobs per batch: about 64 MiB moved, 4 to 32 jobs (half in --quick). */
static int jobs_batch_count(size_t len)
{
	size_t n = 64 * MiB / len;

	n = n < 4 ? 4 : n > 32 ? 32 : n;
	return bench.quick ? (int)(n + 1) / 2 : (int)n;
}

static void jobs_measure(const char *who, uint32_t op, struct jobs_buf *src,
			 struct jobs_buf *dst, size_t len, int err)
{
	double per_s[BENCH_MAX_REPS], lat[BENCH_MAX_REPS], dummy;
	int r, np = 0, nl = 0, ret = err;
	struct bench_stat st;
	char params[96];

	snprintf(params, sizeof(params),
		 "\"op\":\"%s\",\"size\":%zu,\"device\":\"sim64\"",
		 op == DMALAB_IMP_JOB_COPY ? "copy" : "fill", len);
	if (!ret)	/* warm-up: first faults, workqueue started */
		ret = jobs_latency(op, src, dst, len, &dummy);
	for (r = 0; r < bench.reps && !ret; r++) {
		ret = jobs_batch(op, src, dst, len, jobs_batch_count(len),
				 &per_s[np]);
		if (!ret)
			np++;
		if (!ret)
			ret = jobs_latency(op, src, dst, len, &lat[nl]);
		if (!ret)
			nl++;
	}
	bench_stat_of(&st, per_s, np);
	bench_record("work_jobs", who, params, "jobs_per_s", "per_s", &st,
		     np ? 0 : -ret);
	bench_stat_of(&st, lat, nl);
	bench_record("work_jobs", who, params, "submit_to_poll_wakeup", "ns",
		     &st, nl ? 0 : -ret);
}

static void jobs_source(enum bench_src s, const size_t *sizes, int nsizes)
{
	static const uint32_t ops[] = { DMALAB_IMP_JOB_FILL,
					DMALAB_IMP_JOB_COPY };
	const char *who = bench_src_name(s);
	struct jobs_buf src, dst;
	unsigned int o;
	int i, ret;

	bench_progress("device jobs: %s", who);
	memset(&dst, 0, sizeof(dst));
	dst.b.fd = -1;
	ret = jobs_buf_get(&src, s, JOBS_MAX_SIZE, bench.dev_sim);
	if (!ret)
		ret = jobs_buf_get(&dst, s, JOBS_MAX_SIZE, bench.dev_sim);
	for (i = 0; i < nsizes; i++)
		for (o = 0; o < ARRAY_SIZE(ops); o++)
			jobs_measure(who, ops[o], &src, &dst, sizes[i], ret);
	jobs_buf_put(&dst);
	jobs_buf_put(&src);
}

/* One 4 KiB FILL on edu_b, timed once: QEMU's DMA timer sets its pace. */
static void jobs_edu_once(void)
{
	struct bench_stat st;
	struct jobs_buf dst;
	double ns = 0;
	int ret;

	ret = jobs_buf_get(&dst, SRC_OURS, 4 * KiB, bench.dev_edu_b);
	if (!ret)
		ret = jobs_latency_one(DMALAB_IMP_JOB_FILL, NULL, &dst,
				       4 * KiB, &ns);
	jobs_buf_put(&dst);
	bench_stat_of(&st, &ns, ret ? 0 : 1);
	bench_record("work_jobs", "ours",
		     "\"op\":\"fill\",\"size\":4096,\"device\":\"edu_b\"",
		     "submit_to_poll_wakeup", "ns", &st, ret ? -ret : 0);
}

void bench_work_jobs(void)
{
	static const size_t sizes[] = { 4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB };
	unsigned int s;

	for (s = 0; s < ARRAY_SIZE(jobs_srcs); s++)
		jobs_source(jobs_srcs[s], sizes, ARRAY_SIZE(sizes));
	bench_progress("device jobs: edu_b, once");
	jobs_edu_once();
}
