// SPDX-License-Identifier: GPL-2.0
/*
 * Model-based test of the exporter's coherence rules (exporter/README.md,
 * "Coherence of per-device copies"): a seeded random walk over one buffer
 * and four simulated devices, checked after every step against a shadow of
 * what the buffer must hold.
 *
 * The buffer is DEFERRED with MIGRATE and COPY. Devices: winA and winB
 * (32-bit windows on two physical ranges that do not meet, as in
 * strategies.c), sim28 (28-bit mask) and full (reaches every page). Which
 * device is served directly, which by a copy and when the pages move
 * follows from the order of attaches and detaches; the model reads it from
 * INFO and predicts what the rules say: which maps are refused with EBUSY,
 * and the bytes every CPU access and device checksum must see.
 *
 * Steps: CPU writes through the mmap inside SYNC brackets, kernel CPU
 * writes and reads (vmap), maps in every direction, unmaps, FILL, COPY and
 * CHECKSUM jobs, synchronous or left running, waits, detaches and attaches
 * (which migrate or copy). After each, a read bracket compares the whole
 * buffer with the shadow.
 *
 * DMALAB_SEED replays a run; DMALAB_MODEL_STEPS sets its length (default
 * 10000). A failure prints the seed, the step and the steps before it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dmalab_test.h"

#include "exp_util.h"
#include "kselftest_harness.h"

#define LEN (64 * KiB)
#define WIN_A (64 * MiB)
#define WIN_B (160 * MiB)
#define WIN_SIZE (64 * MiB)
#define NDEV 4
#define MAX_PENDING 4
#define TRACE 24
#define UNMAPPED (-1)

static const char *const dev_names[NDEV] = { "winA", "winB", "sim28", "full" };
static const char *const dir_names[] = { "bidir", "to_dev", "from_dev" };

struct mdev {
	uint32_t id;		/* the importer's device */
	int attached;
	uint32_t att;
	int copy;		/* served by a copy, as INFO says */
	int dir;		/* DMALAB_IMP_DIR_* or UNMAPPED */
	uint32_t pending[MAX_PENDING];
	int npending;
};

FIXTURE(model) {
	int dev, imp, fd;
	uint32_t h;
	unsigned char *map;
	unsigned char shadow[LEN];
	unsigned char got[LEN];
	struct mdev d[NDEV];
	int order[NDEV];	/* attached devices, in attach order */
	int norder;
	uint64_t seed, rng;
	long step, steps;
	char trace[TRACE][96];	/* the last notes, a ring */
	long ntrace;
	unsigned int migrations, copies_seen, refusals, jobs;
};

static uint32_t rnd(FIXTURE_DATA(model) *self, uint32_t n)
{
	/* xorshift64*: the same sequence from the same seed everywhere */
	self->rng ^= self->rng >> 12;
	self->rng ^= self->rng << 25;
	self->rng ^= self->rng >> 27;
	return (uint32_t)((self->rng * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

static void note(FIXTURE_DATA(model) *self, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(FIXTURE_DATA(model) *self, const char *fmt, ...)
{
	char *line = self->trace[self->ntrace++ % TRACE];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(self->trace[0]), "%ld: ", self->step);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(self->trace[0]) - n, fmt, ap);
	va_end(ap);
}

/* The steps before a failure, and how to replay it. */
static void report(struct __test_metadata *_metadata,
		   FIXTURE_DATA(model) *self)
{
	long s;

	for (s = self->ntrace - TRACE; s < self->ntrace; s++)
		if (s >= 0)
			TH_LOG("%s", self->trace[s % TRACE]);
	TH_LOG("replay: DMALAB_SEED=%" PRIu64 " DMALAB_MODEL_STEPS=%ld",
	       self->seed, self->step + 1);
}

#define MODEL_ASSERT(cond, ...) do {					\
	if (!(cond)) {							\
		TH_LOG(__VA_ARGS__);					\
		report(_metadata, self);				\
		ASSERT_TRUE(0) TH_LOG("model violated at step %ld",	\
				      self->step);			\
	}								\
} while (0)

static int dir_writes(int dir)
{
	return dir != DMALAB_IMP_DIR_TO_DEVICE;
}

static int dir_reads(int dir)
{
	return dir != DMALAB_IMP_DIR_FROM_DEVICE;
}

/* Rule 1: what a map of @d in @dir must get, by the other mappings. */
static int map_expected(FIXTURE_DATA(model) *self, int d, int dir)
{
	int o;

	for (o = 0; o < NDEV; o++) {
		struct mdev *m = &self->d[o];

		if (o == d || !m->attached || m->dir == UNMAPPED)
			continue;
		if ((self->d[d].copy || m->copy) &&
		    (dir_writes(dir) || dir_writes(m->dir)))
			return -EBUSY;
	}
	return 0;
}

/* Which attached devices are served by a copy, from INFO. */
static void read_copies(struct __test_metadata *_metadata,
			FIXTURE_DATA(model) *self)
{
	struct dmalab_exp_attach_info ai[NDEV];
	struct dmalab_exp_info info;
	int e, i;

	e = exp_info_attach(self->dev, self->fd, &info, ai, NDEV);
	ASSERT_EQ(0, e) TH_LOG("INFO: %s", strerror(e));
	ASSERT_EQ((unsigned int)self->norder, info.attach_count);
	for (i = 0; i < self->norder; i++) {
		struct mdev *m = &self->d[self->order[i]];

		m->copy = !!(ai[i].flags & DMALAB_EXP_ATTACH_COPY);
	}
	self->migrations = info.nr_migrations;
}

static void wait_dev(struct __test_metadata *_metadata,
		     FIXTURE_DATA(model) *self, int d)
{
	struct mdev *m = &self->d[d];
	int i, r;

	for (i = 0; i < m->npending; i++) {
		r = dmalab_imp_wait_job(self->imp, m->pending[i], -1, NULL,
					NULL);
		MODEL_ASSERT(r == 0, "wait for job %u on %s: %s",
			     m->pending[i], dev_names[d], strerror(-r));
	}
	m->npending = 0;
}

/* A random range [*off, *off + *len) of whole bytes, at most @max long. */
static void rnd_range(FIXTURE_DATA(model) *self, uint64_t max, uint64_t *off,
		      uint64_t *len)
{
	*len = 1 + rnd(self, (uint32_t)max);
	*off = rnd(self, (uint32_t)(LEN - *len + 1));
}

/* ---- the steps; each returns after updating the shadow ---- */

static void step_cpu_write(struct __test_metadata *_metadata,
			   FIXTURE_DATA(model) *self)
{
	uint64_t flags = rnd(self, 2) ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_WRITE;
	uint64_t off, len;
	int c = rnd(self, 256);
	int r;

	rnd_range(self, LEN, &off, &len);
	note(self, "cpu write [%" PRIu64 ", +%" PRIu64 ") = %#x", off, len, c);
	r = dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START | flags, NULL);
	MODEL_ASSERT(r == 0, "SYNC_START: %s", strerror(-r));
	memset(self->map + off, c, len);
	r = dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END | flags, NULL);
	MODEL_ASSERT(r == 0, "SYNC_END: %s", strerror(-r));
	memset(self->shadow + off, c, len);
}

/* The kernel's CPU access (vmap inside begin/end_cpu_access). */
static void step_kernel_cpu(struct __test_metadata *_metadata,
			    FIXTURE_DATA(model) *self)
{
	uint64_t off, len;
	int c = rnd(self, 256);
	int r;

	rnd_range(self, LEN, &off, &len);
	if (rnd(self, 2)) {
		note(self, "kernel fill [%" PRIu64 ", +%" PRIu64 ") = %#x",
		     off, len, c);
		r = test_cpu_fill(self->imp, self->h, off, len, c);
		MODEL_ASSERT(r == 0, "kernel fill: %s", strerror(-r));
		memset(self->shadow + off, c, len);
		return;
	}
	note(self, "kernel read [%" PRIu64 ", +%" PRIu64 ")", off, len);
	r = test_cpu_read(self->imp, self->h, off, len, self->got);
	MODEL_ASSERT(r == 0, "kernel read: %s", strerror(-r));
	MODEL_ASSERT(!memcmp(self->got, self->shadow + off, len),
		     "kernel read differs from the shadow");
}

static void step_map(struct __test_metadata *_metadata,
		     FIXTURE_DATA(model) *self, int d)
{
	struct mdev *m = &self->d[d];
	int dir = rnd(self, 3);
	int want = map_expected(self, d, dir);
	int r;

	note(self, "map %s%s %s: want %d", dev_names[d], m->copy ? " (copy)" : "",
	     dir_names[dir], want);
	r = dmalab_imp_map_attach(self->imp, m->att, dir, NULL);
	MODEL_ASSERT(r == want, "map %s %s: got %d (%s), want %d",
		     dev_names[d], dir_names[dir], r, strerror(-r), want);
	if (!r)
		m->dir = dir;
	else
		self->refusals++;
}

static void step_unmap(struct __test_metadata *_metadata,
		       FIXTURE_DATA(model) *self, int d)
{
	struct mdev *m = &self->d[d];
	int r;

	note(self, "unmap %s", dev_names[d]);
	wait_dev(_metadata, self, d);
	r = dmalab_imp_unmap_attach(self->imp, m->att, NULL);
	MODEL_ASSERT(r == 0, "unmap %s: %s", dev_names[d], strerror(-r));
	m->dir = UNMAPPED;
}

/* A job on @d, left running or waited for. */
static void step_job(struct __test_metadata *_metadata,
		     FIXTURE_DATA(model) *self, int d)
{
	struct mdev *m = &self->d[d];
	int async = rnd(self, 2) && m->npending < MAX_PENDING;
	struct dmalab_imp_job j;
	uint64_t soff, doff, len, sum = 0;
	int kind = rnd(self, 3), c = rnd(self, 256);
	int r;

	if (kind == 0 && dir_writes(m->dir)) {
		rnd_range(self, LEN, &doff, &len);
		note(self, "%s fill on %s [%" PRIu64 ", +%" PRIu64 ") = %#x",
		     async ? "async" : "sync", dev_names[d], doff, len, c);
		j = exp_job_args(DMALAB_IMP_JOB_FILL, 0, m->att, 0, doff, len,
				 c, 0);
		memset(self->shadow + doff, c, len);
	} else if (kind == 1 && m->dir == DMALAB_IMP_DIR_BIDIR) {
		len = 1 + rnd(self, LEN / 2);
		soff = rnd(self, (uint32_t)(LEN - 2 * len + 1));
		doff = soff + len + rnd(self, (uint32_t)(LEN - soff - 2 * len + 1));
		if (rnd(self, 2)) {
			uint64_t t = soff;

			soff = doff;
			doff = t;
		}
		note(self, "%s copy on %s [%" PRIu64 ", +%" PRIu64
		     ") -> %" PRIu64, async ? "async" : "sync", dev_names[d],
		     soff, len, doff);
		j = exp_job_args(DMALAB_IMP_JOB_COPY, m->att, m->att, soff,
				 doff, len, 0, 0);
		memcpy(self->shadow + doff, self->shadow + soff, len);
	} else if (dir_reads(m->dir)) {
		rnd_range(self, LEN, &soff, &len);
		note(self, "checksum on %s [%" PRIu64 ", +%" PRIu64 ")",
		     dev_names[d], soff, len);
		r = exp_job(self->imp, DMALAB_IMP_JOB_CHECKSUM, m->att, 0,
			    soff, 0, len, 0, 0, &sum);
		MODEL_ASSERT(r == 0, "checksum: %s", strerror(-r));
		MODEL_ASSERT(sum == exp_fnv(self->shadow + soff, len),
			     "%s read other bytes than the shadow's",
			     dev_names[d]);
		self->jobs++;
		return;
	} else {
		return;
	}
	self->jobs++;
	if (!async) {
		r = dmalab_imp_run_job(self->imp, &j, NULL, NULL);
		MODEL_ASSERT(r == 0, "job: %s", strerror(-r));
		return;
	}
	r = dmalab_imp_submit_job(self->imp, &j, NULL);
	MODEL_ASSERT(r == 0, "submit: %s", strerror(-r));
	m->pending[m->npending++] = j.job_id;
}

static void step_detach(struct __test_metadata *_metadata,
			FIXTURE_DATA(model) *self, int d)
{
	struct mdev *m = &self->d[d];
	int i, r;

	if (m->dir != UNMAPPED)
		step_unmap(_metadata, self, d);
	note(self, "detach %s", dev_names[d]);
	r = dmalab_imp_detach(self->imp, m->att, NULL);
	MODEL_ASSERT(r == 0, "detach %s: %s", dev_names[d], strerror(-r));
	m->attached = 0;
	m->copy = 0;
	for (i = 0; i < self->norder && self->order[i] != d; i++)
		;
	memmove(self->order + i, self->order + i + 1,
		(self->norder - i - 1) * sizeof(self->order[0]));
	self->norder--;
}

static void step_attach(struct __test_metadata *_metadata,
			FIXTURE_DATA(model) *self, int d)
{
	struct mdev *m = &self->d[d];
	unsigned int moved = self->migrations;
	int r;

	r = exp_attach(self->imp, self->h, m->id, &m->att);
	MODEL_ASSERT(r == 0, "attach %s: %s", dev_names[d], strerror(-r));
	m->attached = 1;
	m->dir = UNMAPPED;
	self->order[self->norder++] = d;
	read_copies(_metadata, self);
	self->copies_seen += m->copy;
	note(self, "attach %s: %s%s", dev_names[d],
	     m->copy ? "copy" : "direct",
	     self->migrations != moved ? ", migrated" : "");
}

/* After every step: the whole buffer, read by the CPU, is the shadow. */
static void check(struct __test_metadata *_metadata, FIXTURE_DATA(model) *self)
{
	int r, ok;

	r = dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
			    NULL);
	MODEL_ASSERT(r == 0, "check SYNC_START: %s", strerror(-r));
	ok = !memcmp(self->map, self->shadow, LEN);
	if (!ok) {
		size_t i;

		for (i = 0; i < LEN && self->map[i] == self->shadow[i]; i++)
			;
		TH_LOG("first difference at %zu: %#x, shadow %#x", i,
		       self->map[i], self->shadow[i]);
	}
	r = dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
			    NULL);
	MODEL_ASSERT(ok, "the buffer is not what the steps wrote");
	MODEL_ASSERT(r == 0, "check SYNC_END: %s", strerror(-r));
}

/* Every device unmapped: the next attach may migrate the pages. */
static void step_quiesce(struct __test_metadata *_metadata,
			 FIXTURE_DATA(model) *self)
{
	int d;

	for (d = 0; d < NDEV; d++)
		if (self->d[d].attached && self->d[d].dir != UNMAPPED)
			step_unmap(_metadata, self, d);
	note(self, "all unmapped");
}

static void one_step(struct __test_metadata *_metadata,
		     FIXTURE_DATA(model) *self)
{
	int d = rnd(self, NDEV), what = rnd(self, 100);
	struct mdev *m = &self->d[d];

	if (what < 12) {
		step_cpu_write(_metadata, self);
	} else if (what < 18) {
		step_kernel_cpu(_metadata, self);
	} else if (!m->attached) {
		step_attach(_metadata, self, d);
	} else if (what < 30) {
		if (m->dir == UNMAPPED)
			step_map(_metadata, self, d);
		else
			step_unmap(_metadata, self, d);
	} else if (what < 70) {
		if (m->dir == UNMAPPED)
			step_map(_metadata, self, d);
		else
			step_job(_metadata, self, d);
	} else if (what < 78) {
		note(self, "wait %s", dev_names[d]);
		wait_dev(_metadata, self, d);
	} else if (what < 90) {
		step_detach(_metadata, self, d);
	} else {
		step_quiesce(_metadata, self);
	}
}

FIXTURE_SETUP(model)
{
	const char *env;
	int r, i;

	self->fd = -1;
	self->imp = -1;
	self->map = MAP_FAILED;
	env = getenv("DMALAB_SEED");
	self->seed = env ? strtoull(env, NULL, 0) :
		(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	self->rng = self->seed ?: 1;
	env = getenv("DMALAB_MODEL_STEPS");
	self->steps = env ? strtol(env, NULL, 0) : 10000;
	TH_LOG("seed %" PRIu64 ", %ld steps", self->seed, self->steps);

	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("open the importer: %s",
				       strerror(-self->imp));
	r = test_sim(self->imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, WIN_A, 0,
		     WIN_SIZE, &self->d[0].id) ?:
	    test_sim(self->imp, 32, 0, 0, DMALAB_IMP_SIM_WINDOW, WIN_B, 0,
		     WIN_SIZE, &self->d[1].id) ?:
	    test_sim(self->imp, 28, 0, 0, 0, 0, 0, 0, &self->d[2].id) ?:
	    test_sim(self->imp, 64, 0, 0, 0, 0, 0, 0, &self->d[3].id);
	ASSERT_EQ(0, r) TH_LOG("simulated devices: %s", strerror(-r));
	for (i = 0; i < NDEV; i++)
		self->d[i].dir = UNMAPPED;

	self->fd = exp_alloc(self->dev, LEN, DMALAB_EXP_PLACE_SCATTER,
			     DMALAB_EXP_TIMING_DEFERRED,
			     DMALAB_EXP_ALLOC_MIGRATE | DMALAB_EXP_ALLOC_COPY,
			     0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	r = exp_import(self->imp, self->fd, &self->h);
	ASSERT_EQ(0, r) TH_LOG("import: %s", strerror(-r));
	self->map = exp_map(self->fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			    0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
}

/* Closing the importer waits for jobs, unmaps and detaches. */
FIXTURE_TEARDOWN(model)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, LEN);
	if (self->imp >= 0)
		close(self->imp);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F_TIMEOUT(model, copies_never_lose_a_write, 1800)
{
	double t0 = test_now();

	for (self->step = 0; self->step < self->steps; self->step++) {
		one_step(_metadata, self);
		check(_metadata, self);
	}
	TH_LOG("%ld steps in %.1f s: %u jobs, %u refused maps, %u migrations, "
	       "%u attaches served by a copy", self->steps, test_now() - t0,
	       self->jobs, self->refusals, self->migrations,
	       self->copies_seen);
	/* A walk that never met the situations proves nothing. */
	EXPECT_LT(0U, self->refusals);
	EXPECT_LT(0U, self->migrations);
	EXPECT_LT(0U, self->copies_seen);
}

TEST_HARNESS_MAIN
