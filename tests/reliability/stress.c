// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: several processes of several threads at once allocate, mmap,
 * import, attach, map and run device jobs (simulated devices, now and then
 * an edu DMA), fork with live mmaps and close everything in random order,
 * while the parent keeps trying to unload both modules (which must refuse:
 * it holds the devices open). Bounded in time ($DMALAB_STRESS_SECS, default
 * 20, at most ST_SECS_MAX within the test's timeout). Every buffer carries
 * a known byte pattern that each access checks. Afterwards the exporter's
 * counters, both modules' reference counts and MemFree must be back at the
 * baseline.
 *
 * One run, one test: its other results (the workers ran and exited, the
 * unload was refused, counters, live bytes and MemFree back) are checks of
 * the same test, each named in its log. Replay with DMALAB_SEED=<seed>.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/dma-buf.h>

#include "reliability/rel_util.h"

#define ST_PROCS	3
#define ST_THREADS	2
#define ST_SLOTS	6
#define ST_MAX_LEN	(256 * KiB)
/* $DMALAB_STRESS_SECS when not set; the test may take 5 times that. */
#define ST_SECS_DEFAULT	20
#define ST_TIMEOUT	(5 * ST_SECS_DEFAULT)
/* What the test's timeout leaves for the run: the wind-down takes time. */
#define ST_SECS_MAX	(ST_TIMEOUT - 40)

enum st_counter {
	ST_ALLOC, ST_MMAP, ST_IMPORT, ST_ATTACH_LOW, ST_SIM_JOB, ST_EDU_JOB,
	ST_FORK, ST_CLOSE, ST_DEV_MMAP, ST_CAP, ST_INFO, ST_IMP_REOPEN,
	ST_NCOUNT
};

static const char *const st_names[ST_NCOUNT] = {
	"alloc", "mmap", "import+attach+map", "attach_below_4g", "sim_job",
	"edu_job", "fork_with_mmaps", "close", "device_mmap", "cap_refused",
	"info", "importer_reopen",
};

/* Shared by every process (MAP_SHARED | MAP_ANONYMOUS). */
struct st_shared {
	unsigned long ops[ST_NCOUNT];
	unsigned long lost;		/* wrong data, unexpected errors */
	unsigned long unload_tries, unload_refused, unload_done;
	unsigned long step_us[ST_NCOUNT];	/* time spent per kind of step */
	char losses[4][160];	/* the first few, for the report */
	volatile int stop;
};

static struct st_shared *sh;
static uint64_t st_max_len;

struct st_buf {
	int fd;			/* -1 once closed (mmap/import may live on) */
	size_t len;
	unsigned int bits;
	unsigned char pat;
	unsigned char *map;
	int imported;
	uint32_t handle, att;
};

struct st_worker {
	uint64_t seed;
	int exp, imp;
	uint32_t sim64, sim32, edu[2];
	int nedu;
	struct st_buf b[ST_SLOTS];
};

static void st_count(enum st_counter c)
{
	__atomic_add_fetch(&sh->ops[c], 1, __ATOMIC_RELAXED);
}

static void st_lost(const char *fmt, ...)
{
	va_list ap;

	unsigned long n = __atomic_add_fetch(&sh->lost, 1, __ATOMIC_RELAXED);

	if (n <= 4) {
		va_start(ap, fmt);
		vsnprintf(sh->losses[n - 1], sizeof(sh->losses[0]), fmt, ap);
		va_end(ap);
	}
}

static int st_live(const struct st_buf *b)
{
	return b->fd >= 0 || b->map || b->imported;
}

static void st_imp_setup(struct st_worker *w)
{
	struct dmalab_imp_dev_info i;
	int n;

	w->imp = dmalab_imp_open(NULL);
	if (w->imp < 0 || test_sim(w->imp, 64, 0, 0, 0, 0, 0, 0, &w->sim64) ||
	    test_sim(w->imp, 32, 0, 0, 0, 0, 0, 0, &w->sim32))
		st_lost("importer open/sim create: %s", strerror(errno));
	/* Whichever edu devices the importer drives (A may be refused). */
	w->nedu = 0;
	for (n = 0; n < 2; n++)
		if (!test_edu(w->imp, n, &w->edu[w->nedu], &i))
			w->nedu++;
}

/* Check the pattern through whatever view the buffer still has. */
static void st_verify(struct st_worker *w, struct st_buf *b, const char *when)
{
	unsigned char page[4096];

	if (b->map) {
		if (!exp_all_bytes(b->map, b->len, b->pat))
			st_lost("%s: mmap content is not 0x%02x", when, b->pat);
	} else if (b->imported) {
		if (test_cpu(w->imp, b->handle, DMALAB_IMP_CPU_READ,
			     b->len - 4096, 4096, page, 0, NULL) ||
		    !exp_all_bytes(page, 4096, b->pat))
			st_lost("%s: vmap content is not 0x%02x", when, b->pat);
	}
}

static void st_release(struct st_worker *w, struct st_buf *b)
{
	if (b->imported) {
		if (dmalab_imp_unmap_attach(w->imp, b->att, NULL) ||
		    dmalab_imp_detach(w->imp, b->att, NULL) ||
		    dmalab_imp_release(w->imp, b->handle, NULL))
			st_lost("unmap/detach/release: %s", strerror(errno));
		b->imported = 0;
	}
}

/* Close one view of a live buffer, chosen at random. */
static void st_close_one(struct st_worker *w, struct st_buf *b)
{
	for (;;) {
		switch (rel_rand(&w->seed) % 3) {
		case 0:
			if (b->fd < 0)
				continue;
			close(b->fd);
			b->fd = -1;
			break;
		case 1:
			if (!b->map)
				continue;
			st_verify(w, b, "before munmap");
			munmap(b->map, b->len);
			b->map = NULL;
			break;
		default:
			if (!b->imported)
				continue;
			st_verify(w, b, "before release");
			st_release(w, b);
			break;
		}
		st_count(ST_CLOSE);
		return;
	}
}

static void st_alloc(struct st_worker *w, struct st_buf *b)
{
	static const unsigned int bits[] = { 0, 28, 36, 0, 28, 36, 64, 32 };
	uint64_t r = rel_rand(&w->seed);
	size_t len = ((r % (ST_MAX_LEN / 4096)) + 1) * 4096;
	uint32_t place = (r >> 20) % 4 == 0 ? DMALAB_EXP_PLACE_CONTIG :
			 DMALAB_EXP_PLACE_SCATTER;
	uint32_t timing = (r >> 24) % 2;
	unsigned int b_ = bits[(r >> 28) % 8];
	int fd;

	/*
	 * A 32-bit limit is rarer and eager only: a deferred buffer whose
	 * first fault cannot allocate would retry that fault forever.
	 */
	if (b_ == 32 && (r >> 40) % 2)
		b_ = 0;
	if (b_ == 32)
		timing = DMALAB_EXP_TIMING_EAGER;
	if ((r >> 32) % 4 == 0)
		len = 4096;	/* an edu-sized buffer */
	fd = exp_alloc(w->exp, len, place, timing,
		       DMALAB_EXP_ALLOC_MIGRATE, b_);
	if (fd < 0) {
		st_lost("alloc %zu place %u timing %u bits %u: %s", len,
			place, timing, b_, strerror(-fd));
		return;
	}
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->len = len;
	b->bits = b_;
	b->pat = 0;
	st_count(ST_ALLOC);
}

static void st_mmap(struct st_worker *w, struct st_buf *b)
{
	unsigned char pat = (unsigned char)(rel_rand(&w->seed) | 1);

	if (b->map || b->fd < 0)
		return;
	b->map = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		st_lost("mmap: %s", strerror(errno));
		return;
	}
	st_verify(w, b, "after mmap");
	memset(b->map, pat, b->len);
	b->pat = pat;
	st_count(ST_MMAP);
}

static void st_import(struct st_worker *w, struct st_buf *b)
{
	int r;

	if (b->imported || b->fd < 0)
		return;
	r = exp_import(w->imp, b->fd, &b->handle);
	if (!r)
		r = exp_attach(w->imp, b->handle, w->sim64, &b->att);
	if (!r)
		r = dmalab_imp_map_attach(w->imp, b->att, DMALAB_IMP_DIR_BIDIR,
					  NULL);
	if (r) {
		st_lost("import/attach/map: %s", strerror(-r));
		return;
	}
	b->imported = 1;
	st_verify(w, b, "after import");
	st_count(ST_IMPORT);
}

/* Attach to a 32-bit device: may migrate the pages (with live mmaps). */
static void st_attach_low(struct st_worker *w, struct st_buf *b)
{
	uint32_t h = 0, att = 0;
	int r;

	if (b->fd < 0)
		return;
	r = exp_import(w->imp, b->fd, &h);
	if (r) {
		st_lost("import: %s", strerror(-r));
		return;
	}
	r = exp_attach(w->imp, h, w->sim32, &att);
	if (!r) {
		r = dmalab_imp_map_attach(w->imp, att, DMALAB_IMP_DIR_TO_DEVICE,
					  NULL);
		if (r)
			st_lost("map below 4 GiB: %s", strerror(-r));
		else
			dmalab_imp_unmap_attach(w->imp, att, NULL);
		dmalab_imp_detach(w->imp, att, NULL);
	} else if (r != -EBUSY && r != -ERANGE) {
		st_lost("attach below 4 GiB: %s", strerror(-r));
	}
	dmalab_imp_release(w->imp, h, NULL);
	st_verify(w, b, "after attach below 4 GiB");
	st_count(ST_ATTACH_LOW);
}

static void st_sim_job(struct st_worker *w, struct st_buf *b)
{
	unsigned char pat = (unsigned char)(rel_rand(&w->seed) | 1);
	int r;

	if (!b->imported)
		return;
	r = exp_job(w->imp, DMALAB_IMP_JOB_FILL, 0, b->att, 0, 0, b->len,
		    pat, 0, NULL);
	if (r) {
		st_lost("sim fill: %s", strerror(-r));
		return;
	}
	b->pat = pat;
	st_verify(w, b, "after sim fill");
	st_count(ST_SIM_JOB);
}

static void st_edu_job(struct st_worker *w, struct st_buf *b)
{
	unsigned char pat = (unsigned char)(rel_rand(&w->seed) | 1);
	int dev = b->bits == 28 ? 0 : 1;
	uint32_t h = 0, att = 0;
	int r;

	if (b->fd < 0 || b->len != 4096 || !b->bits || b->bits > 36 ||
	    dev >= w->nedu)
		return;
	r = exp_import(w->imp, b->fd, &h);
	if (r) {
		st_lost("import for edu: %s", strerror(-r));
		return;
	}
	r = exp_attach(w->imp, h, w->edu[dev], &att);
	if (!r) {
		r = dmalab_imp_map_attach(w->imp, att, DMALAB_IMP_DIR_BIDIR,
					  NULL);
		if (!r)
			r = exp_job(w->imp, DMALAB_IMP_JOB_FILL, 0, att, 0, 0,
				    4096, pat, 0, NULL);
		dmalab_imp_unmap_attach(w->imp, att, NULL);
		dmalab_imp_detach(w->imp, att, NULL);
	}
	dmalab_imp_release(w->imp, h, NULL);
	if (r && r != -EBUSY) {
		st_lost("edu fill: %s", strerror(-r));
		return;
	}
	if (!r) {
		b->pat = pat;
		st_verify(w, b, "after edu fill");
		st_count(ST_EDU_JOB);
	}
}

/* A child checks and rewrites every live mmap; the parent sees it. */
static void st_fork(struct st_worker *w)
{
	unsigned char pat = (unsigned char)(rel_rand(&w->seed) | 1);
	int i, status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		st_lost("fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		for (i = 0; i < ST_SLOTS; i++) {
			struct st_buf *b = &w->b[i];

			if (!b->map)
				continue;
			if (!exp_all_bytes(b->map, b->len, b->pat))
				_exit(2);
			memset(b->map, pat, b->len);
			if (b->fd >= 0)
				close(b->fd);	/* the parent's fd stays */
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		st_lost("fork child saw wrong mmap content (status %#x)", status);
		return;
	}
	for (i = 0; i < ST_SLOTS; i++)
		if (w->b[i].map) {
			w->b[i].pat = pat;
			st_verify(w, &w->b[i], "after the child wrote");
		}
	st_count(ST_FORK);
}

static void st_dev_mmap(struct st_buf *b)
{
	int dev, r;
	void *p;

	if (b->fd < 0)
		return;
	dev = exp_open();
	r = dev < 0 ? dev : dmalab_exp_bind(dev, b->fd, NULL);
	if (r) {
		st_lost("bind: %s", strerror(-r));
		goto close_dev;
	}
	p = mmap(NULL, b->len, PROT_READ, MAP_SHARED, dev, 0);
	if (p == MAP_FAILED) {
		st_lost("device mmap: %s", strerror(errno));
		goto close_dev;
	}
	close(dev);
	dev = -1;
	if (!exp_all_bytes(p, b->len, b->pat))
		st_lost("device mmap content is not 0x%02x", b->pat);
	munmap(p, b->len);
	st_count(ST_DEV_MMAP);
close_dev:
	if (dev >= 0)
		close(dev);
}

static void st_cap(struct st_worker *w)
{
	int fd = exp_alloc(w->exp, st_max_len + 4096, 0, 0, 0, 0);

	if (fd != -E2BIG) {
		st_lost("allocation over the cap gave %d, not -E2BIG", fd);
		if (fd >= 0)
			close(fd);
		return;
	}
	st_count(ST_CAP);
}

static void st_info(struct st_worker *w, struct st_buf *b)
{
	struct dmalab_exp_info in;

	if (b->fd < 0)
		return;
	if (exp_info(w->exp, b->fd, &in) || in.len != b->len ||
	    in.nr_mmaps < (b->map ? 1U : 0U) ||
	    in.nr_attachments < (b->imported ? 1U : 0U))
		st_lost("info does not match the buffer's state");
	st_count(ST_INFO);
}

static void st_step_op(struct st_worker *w, struct st_buf *b, unsigned int op);

static void st_step(struct st_worker *w)
{
	uint64_t r = rel_rand(&w->seed);
	struct st_buf *b = &w->b[(r >> 8) % ST_SLOTS];
	unsigned int op = r % 100;
	/* Which counter's time this step is charged to. */
	static const unsigned char kind[] = {
		[0] = ST_ALLOC, [18] = ST_MMAP, [30] = ST_IMPORT,
		[42] = ST_ATTACH_LOW, [48] = ST_SIM_JOB, [60] = ST_EDU_JOB,
		[63] = ST_FORK, [67] = ST_CLOSE, [82] = ST_DEV_MMAP,
		[87] = ST_CAP, [89] = ST_INFO, [97] = ST_IMP_REOPEN, [99] = 0,
	};
	static const unsigned char starts[] = { 0, 18, 30, 42, 48, 60, 63, 67,
						 82, 87, 89, 97 };
	double t0 = test_now();
	unsigned int k = 0, i;

	for (i = 0; i < sizeof(starts); i++)
		if (op >= starts[i])
			k = kind[starts[i]];
	st_step_op(w, b, op);
	__atomic_add_fetch(&sh->step_us[k],
			   (unsigned long)((test_now() - t0) * 1e6),
			   __ATOMIC_RELAXED);
}

static void st_step_op(struct st_worker *w, struct st_buf *b, unsigned int op)
{
	if (op < 18) {
		if (st_live(b))
			st_close_one(w, b);
		else
			st_alloc(w, b);
	} else if (op < 30) {
		st_mmap(w, b);
	} else if (op < 42) {
		st_import(w, b);
	} else if (op < 48) {
		st_attach_low(w, b);
	} else if (op < 60) {
		st_sim_job(w, b);
	} else if (op < 63) {
		st_edu_job(w, b);
	} else if (op < 67) {
		st_fork(w);
	} else if (op < 82) {
		if (st_live(b))
			st_close_one(w, b);
	} else if (op < 87) {
		st_dev_mmap(b);
	} else if (op < 89) {
		st_cap(w);
	} else if (op < 97) {
		st_info(w, b);
	} else {
		/* Close the importer with everything still imported. */
		int i;

		for (i = 0; i < ST_SLOTS; i++)
			w->b[i].imported = 0;
		close(w->imp);
		st_imp_setup(w);
		st_count(ST_IMP_REOPEN);
	}
}

static void *st_thread(void *arg)
{
	struct st_worker *w = arg;
	int i;

	st_imp_setup(w);
	while (!sh->stop)
		st_step(w);
	/* Close what is left, in random order. */
	for (;;) {
		int left = 0;

		for (i = 0; i < ST_SLOTS; i++)
			if (st_live(&w->b[i])) {
				left = 1;
				if (rel_rand(&w->seed) % 2)
					st_close_one(w, &w->b[i]);
			}
		if (!left)
			break;
	}
	close(w->imp);
	return NULL;
}

static int st_process(int exp, uint64_t seed)
{
	struct st_worker w[ST_THREADS];
	pthread_t t[ST_THREADS];
	int i, j;

	for (i = 0; i < ST_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].seed = seed + 1000 * i + 1;
		w[i].exp = exp;
		for (j = 0; j < ST_SLOTS; j++)
			w[i].b[j].fd = -1;
		if (pthread_create(&t[i], NULL, st_thread, &w[i]))
			return 1;
	}
	for (i = 0; i < ST_THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static void st_try_unload(void)
{
	static const char *const mods[] = { "dmalab_imp", "dmalab_exp" };
	int i;

	for (i = 0; i < 2; i++) {
		long r = syscall(SYS_delete_module, mods[i], O_NONBLOCK);

		sh->unload_tries++;
		if (!r) {
			sh->unload_done++;
			st_lost("%s unloaded while in use", mods[i]);
		} else if (errno == EBUSY || errno == EWOULDBLOCK) {
			sh->unload_refused++;
		} else {
			st_lost("delete_module(%s): unexpected %s", mods[i],
				rel_errname(errno));
		}
	}
}

static void st_drop_caches(void)
{
	sync();
	test_write_str("/proc/sys/vm/drop_caches", "3");
}

/* Both devices (held open: unloading must be refused) and shared counters. */
FIXTURE(stress) {
	int exp, imp;
	struct dmalab_exp_stats st;
};

FIXTURE_SETUP(stress)
{
	self->imp = -1;
	self->exp = exp_open();
	ASSERT_LE(0, self->exp) TH_LOG("cannot open %s: %s",
				       DMALAB_EXP_DEVICE, strerror(-self->exp));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("cannot open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	ASSERT_EQ(0, exp_stats(self->exp, &self->st));
	st_max_len = self->st.max_len;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh) TH_LOG("shared counters: %s",
					 strerror(errno));
	memset(sh, 0, sizeof(*sh));
}

FIXTURE_TEARDOWN(stress)
{
	/* Workers left by a failed ASSERT stop at their next step. */
	sh->stop = 1;
	close(self->imp);
	close(self->exp);
}

TEST_F_TIMEOUT(stress, stress_lost_nothing_every_pattern_and_errno_as_expected,
	       ST_TIMEOUT)
{
	const char *e = getenv("DMALAB_STRESS_SECS");
	double secs = e ? atof(e) : ST_SECS_DEFAULT, end;
	uint64_t seed = rel_seed();
	long free0, free1, slack, slab0, pt0;
	struct rel_state base, now;
	pid_t pids[ST_PROCS];
	int i, ok, status, kids_ok = 1;
	unsigned long total = 0;

	if (secs > ST_SECS_MAX) {
		TH_LOG("DMALAB_STRESS_SECS=%s cut to %d s, within the test's timeout of %d s",
		       e, ST_SECS_MAX, ST_TIMEOUT);
		secs = ST_SECS_MAX;
	}
	TH_LOG("seed %#llx (DMALAB_SEED=%#llx replays it), %d processes x %d threads, %.0f s",
	       (unsigned long long)seed, (unsigned long long)seed, ST_PROCS,
	       ST_THREADS, secs);
	st_drop_caches();
	free0 = rel_meminfo("MemFree");
	slab0 = rel_meminfo("Slab");
	pt0 = rel_meminfo("PageTables");
	ASSERT_EQ(0, rel_state_get(self->exp, &base));

	for (i = 0; i < ST_PROCS; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			close(self->imp);
			_exit(st_process(self->exp, seed + 0x10000 * (i + 1)));
		}
		if (pids[i] < 0)
			sh->stop = 1;
		ASSERT_LE(0, pids[i]) TH_LOG("fork: %s", strerror(errno));
	}
	/* We hold both devices open: unloading must be refused. */
	end = test_now() + secs;
	while (test_now() < end) {
		st_try_unload();
		usleep(50000);
	}
	sh->stop = 1;
	for (i = 0; i < ST_PROCS; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			kids_ok = 0;

	for (i = 0; i < ST_NCOUNT; i++) {
		TH_LOG("ops %-18s %6lu  (%.1f s spent in these steps)",
		       st_names[i], sh->ops[i], sh->step_us[i] / 1e6);
		total += sh->ops[i];
	}
	TH_LOG("operations done: %lu; lost: %lu", total, sh->lost);
	for (i = 0; i < 4 && i < (int)sh->lost; i++)
		TH_LOG("lost: %s", sh->losses[i]);
	TH_LOG("unload attempts %lu, refused %lu, succeeded %lu",
	       sh->unload_tries, sh->unload_refused, sh->unload_done);

	EXPECT_TRUE(kids_ok && total > 0)
		TH_LOG("stress_workers_ran_and_exited_cleanly: %s",
		       kids_ok ? "no operation done" : "a worker failed");
	EXPECT_EQ(0UL, sh->lost)
		TH_LOG("%lu losses; DMALAB_SEED=%#llx replays the run",
		       sh->lost, (unsigned long long)seed);
	EXPECT_LT(0UL, sh->unload_tries)
		TH_LOG("module_unload_is_refused_while_in_use: never tried");
	EXPECT_EQ(0UL, sh->unload_done)
		TH_LOG("module_unload_is_refused_while_in_use: a module unloaded");
	EXPECT_EQ(sh->unload_tries, sh->unload_refused)
		TH_LOG("module_unload_is_refused_while_in_use: an unload failed otherwise than busy");
	ok = rel_state_settle(self->exp, &base, &now, 5.0);
	EXPECT_TRUE(ok) {
		TH_LOG("stress_every_counter_back_to_baseline");
		rel_state_log(_metadata, "baseline", &base);
		rel_state_log(_metadata, "after", &now);
	}
	EXPECT_EQ(base.exp.live_bytes, now.exp.live_bytes)
		TH_LOG("stress_live_bytes_back_to_baseline");
	st_drop_caches();
	free1 = rel_meminfo("MemFree");
	/*
	 * MemFree is noisy: the same loop of 200 allocations moves it by
	 * -23..+24 MiB (per-CPU page lists, slab). The exporter's live_bytes
	 * is the exact check; this one catches gross page leaks (the run
	 * allocates a few hundred MiB in total). On 6.12 with intel-iommu the
	 * drop after a clean run reached 79 MiB (IOVA and page caches).
	 */
	slack = 128 * 1024;
	TH_LOG("MemFree before %ld KiB, after %ld KiB (slack %ld KiB); Slab %ld -> %ld KiB, PageTables %ld -> %ld KiB",
	       free0, free1, slack, slab0, rel_meminfo("Slab"), pt0,
	       rel_meminfo("PageTables"));
	ASSERT_LT(0, free0) TH_LOG("no MemFree in /proc/meminfo");
	EXPECT_LE(free0, free1 + slack)
		TH_LOG("stress_memfree_back_near_baseline: %ld KiB fewer free",
		       free0 - free1);
}

TEST_HARNESS_MAIN
