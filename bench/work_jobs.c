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
 *    median of 5 such jobs, one after the other).
 * Every source has its pair of 16 MiB buffers mapped throughout; in each
 * repetition the sources take turns, so that a slow spell of the host
 * hits them all.
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
#define JOBS_LAT_RUNS	5

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

/* The median of JOBS_LAT_RUNS jobs, one after the other. */
static int jobs_latency(uint32_t op, struct jobs_buf *src,
			struct jobs_buf *dst, size_t len, double *ns)
{
	double v[JOBS_LAT_RUNS];
	struct bench_stat st;
	int i, ret;

	for (i = 0; i < JOBS_LAT_RUNS; i++) {
		ret = jobs_latency_one(op, src, dst, len, &v[i]);
		if (ret)
			return ret;
	}
	bench_stat_of(&st, v, JOBS_LAT_RUNS);
	*ns = st.med;
	return 0;
}

/* Jobs per batch: about 64 MiB moved, 4 to 32 jobs (half in --quick). */
static int jobs_batch_count(size_t len)
{
	size_t n = 64 * MiB / len;

	n = n < 4 ? 4 : n > 32 ? 32 : n;
	return bench.quick ? (int)(n + 1) / 2 : (int)n;
}

#define JOBS_NSRCS	ARRAY_SIZE(jobs_srcs)

/* Every source's figures for one job size and operation. */
struct jobs_figs {
	double per_s[JOBS_NSRCS][BENCH_MAX_REPS];
	double lat[JOBS_NSRCS][BENCH_MAX_REPS];
	int n[JOBS_NSRCS];
	int err[JOBS_NSRCS];
};

/* One repetition for source @s: a batch, then the latency. */
static int jobs_rep(uint32_t op, struct jobs_buf *src, struct jobs_buf *dst,
		    size_t len, double *per_s, double *lat)
{
	int ret = jobs_batch(op, src, dst, len, jobs_batch_count(len), per_s);

	return ret ?: jobs_latency(op, src, dst, len, lat);
}

static void jobs_measure(uint32_t op, struct jobs_buf (*bufs)[2],
			 const int *err, size_t len)
{
	struct jobs_figs f;
	unsigned int s, i;
	struct bench_stat st;
	double dummy;
	char params[96];
	int r;

	memset(&f, 0, sizeof(f));
	for (s = 0; s < JOBS_NSRCS; s++) {
		f.err[s] = err[s];
		if (!f.err[s])	/* warm-up: first faults, worker awake */
			f.err[s] = -jobs_latency(op, &bufs[s][0], &bufs[s][1],
						 len, &dummy);
	}
	for (r = 0; r < bench.reps; r++)
		for (i = 0; i < JOBS_NSRCS; i++) {
			s = (i + r) % JOBS_NSRCS;
			if (f.err[s])
				continue;
			f.err[s] = -jobs_rep(op, &bufs[s][0], &bufs[s][1], len,
					     &f.per_s[s][f.n[s]],
					     &f.lat[s][f.n[s]]);
			if (!f.err[s])
				f.n[s]++;
		}
	snprintf(params, sizeof(params),
		 "\"op\":\"%s\",\"size\":%zu,\"device\":\"sim64\"",
		 op == DMALAB_IMP_JOB_COPY ? "copy" : "fill", len);
	for (s = 0; s < JOBS_NSRCS; s++) {
		const char *who = bench_src_name(jobs_srcs[s]);

		bench_stat_of(&st, f.per_s[s], f.n[s]);
		bench_record("work_jobs", who, params, "jobs_per_s", "per_s",
			     &st, f.n[s] ? 0 : f.err[s]);
		bench_stat_of(&st, f.lat[s], f.n[s]);
		bench_record("work_jobs", who, params, "submit_to_poll_wakeup",
			     "ns", &st, f.n[s] ? 0 : f.err[s]);
	}
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
	static const uint32_t ops[] = { DMALAB_IMP_JOB_FILL,
					DMALAB_IMP_JOB_COPY };
	struct jobs_buf bufs[JOBS_NSRCS][2];
	int err[JOBS_NSRCS];
	unsigned int s, i, o;

	memset(bufs, 0, sizeof(bufs));
	for (s = 0; s < JOBS_NSRCS; s++) {
		bufs[s][0].b.fd = -1;
		bufs[s][1].b.fd = -1;
		err[s] = -jobs_buf_get(&bufs[s][0], jobs_srcs[s],
				       JOBS_MAX_SIZE, bench.dev_sim);
		if (!err[s])
			err[s] = -jobs_buf_get(&bufs[s][1], jobs_srcs[s],
					       JOBS_MAX_SIZE, bench.dev_sim);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (o = 0; o < ARRAY_SIZE(ops); o++) {
			bench_progress("device jobs: %s, %zu KiB",
				       ops[o] == DMALAB_IMP_JOB_COPY ?
				       "copy" : "fill", sizes[i] / KiB);
			jobs_measure(ops[o], bufs, err, sizes[i]);
		}
	for (s = 0; s < JOBS_NSRCS; s++) {
		jobs_buf_put(&bufs[s][1]);
		jobs_buf_put(&bufs[s][0]);
	}
	bench_progress("device jobs: edu_b, once");
	jobs_edu_once();
}
