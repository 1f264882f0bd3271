// SPDX-License-Identifier: GPL-2.0
/*
 * UAPI 1.0 of /dev/dmalab_imp as <linux/dmalab_imp.h> states it: the
 * version; the command's size bits against @size (equal, at least the 1.0
 * size, larger only with zeros beyond the struct and not above 4096);
 * unknown numbers and wrong directions; WAIT's absolute deadline (-ETIME,
 * the job stays) and its restart after a signal; sg_info entries written at
 * the element size user space gives; at most 64 jobs not yet waited for per
 * file. Jobs run on a simulated device that never completes
 * (DMALAB_IMP_SIM_STALL), so each ends by its own timeout with -ETIMEDOUT;
 * they are checksums, which read only, so no job waits for another.
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#include <signal.h>
#include <sys/time.h>

#define BUF_SIZE	(64 * 1024)
#define MAX_JOBS	64	/* jobs a file holds not yet waited for */
#define SG_CAP		32	/* BUF_SIZE has at most 16 pages */
#define SG_STRIDE	32	/* an element size larger than 1.0's 16 */

#define RW	(_IOC_READ | _IOC_WRITE)
#define NR(cmd)	_IOC_NR(cmd)

/* A command of the importer's magic with any direction, number and size. */
static int raw(int fd, unsigned int dir, unsigned int nr, unsigned int size,
	       void *arg)
{
	return test_malformed(fd, _IOC(dir, DMALAB_IMP_IOC_MAGIC, nr, size),
			      arg);
}

/* Room for any command's argument, and more. */
union arg {
	struct dmalab_imp_version v;
	struct dmalab_imp_id id;
	unsigned char raw[8192];
};

/* An importer file, for the command bits. */
FIXTURE(cmd) {
	int fd;
	union arg u;
};

FIXTURE_SETUP(cmd)
{
	self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/dmalab_imp: %d", self->fd);
}

FIXTURE_TEARDOWN(cmd)
{
	close(self->fd);
}

#define VS	((unsigned int)sizeof(struct dmalab_imp_version))
#define NR_VERSION	NR(DMALAB_IMP_IOC_VERSION)
#define NR_RELEASE	NR(DMALAB_IMP_IOC_RELEASE)

/* @u zeroed, then a VERSION argument of @size bytes as its @size says. */
static union arg *version_arg(FIXTURE_DATA(cmd) *self, unsigned int size)
{
	memset(&self->u, 0, sizeof(self->u));
	self->u.v.size = size;
	return &self->u;
}

/* @u zeroed, then a RELEASE argument naming no handle there is. */
static union arg *release_arg(FIXTURE_DATA(cmd) *self)
{
	memset(&self->u, 0, sizeof(self->u));
	self->u.id.size = sizeof(self->u.id);
	self->u.id.id = 0xdead;	/* no such handle: -ENOENT if the size passed */
	return &self->u;
}

TEST_F(cmd, version_is_1_0)
{
	struct dmalab_imp_version v;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, dmalab_imp_get_version(self->fd, &v, NULL));
	TH_LOG("VERSION %u.%u, features %#llx", v.major, v.minor,
	       (unsigned long long)v.features);
	EXPECT_EQ(1U, v.major);
	EXPECT_EQ(0U, v.minor);
}

/* _IOC_SIZE must equal @size, either way round. */
TEST_F(cmd, ioc_size_differing_from_size_field_is_einval)
{
	int fd = self->fd;

	EXPECT_EQ(-EINVAL, raw(fd, RW, NR_VERSION, VS + 8,
			       version_arg(self, VS)))
		TH_LOG("size bits 8 above @size");
	EXPECT_EQ(-EINVAL, raw(fd, RW, NR_VERSION, VS,
			       version_arg(self, VS + 8)))
		TH_LOG("@size 8 above the size bits");
	EXPECT_EQ(-EINVAL, raw(fd, _IOC_WRITE, NR_RELEASE,
			       sizeof(self->u.id) + 8, release_arg(self)))
		TH_LOG("RELEASE with size bits 8 above @size");
}

/* Smaller than 1.0, the command saying the same. */
TEST_F(cmd, size_below_1_0_is_einval)
{
	EXPECT_EQ(-EINVAL, raw(self->fd, RW, NR_VERSION, VS - 8,
			       version_arg(self, VS - 8)));
	EXPECT_EQ(-EINVAL, raw(self->fd, RW, NR_VERSION, 8,
			       version_arg(self, 8)));
}

/* Larger than the kernel knows: only zeros beyond its struct. */
TEST_F(cmd, larger_size_with_nonzero_tail_is_e2big_and_writes_nothing)
{
	union arg *u = version_arg(self, VS + 8);

	u->raw[VS + 7] = 1;
	EXPECT_EQ(-E2BIG, raw(self->fd, RW, NR_VERSION, VS + 8, u));
	EXPECT_EQ(0U, u->v.major);
}

TEST_F(cmd, larger_size_with_zero_tail_is_accepted)
{
	union arg *u = version_arg(self, VS + 8);

	EXPECT_EQ(0, raw(self->fd, RW, NR_VERSION, VS + 8, u));
	EXPECT_EQ(1U, u->v.major);
	EXPECT_EQ(0U, u->v.minor);
}

TEST_F(cmd, size_above_4096_is_e2big)
{
	EXPECT_EQ(-E2BIG, raw(self->fd, RW, NR_VERSION, 4104,
			      version_arg(self, 4104)));
}

/* Numbers of the importer's range that name nothing. */
TEST_F(cmd, unknown_nr_in_importer_range_is_enotty)
{
	EXPECT_EQ(-ENOTTY, raw(self->fd, RW, 0x4f, VS, version_arg(self, VS)));
	EXPECT_EQ(-ENOTTY, raw(self->fd, RW, 0x60, VS, version_arg(self, VS)));
	EXPECT_EQ(-ENOTTY, raw(self->fd, RW, 0x7f, VS, version_arg(self, VS)));
}

/* A known number with the wrong direction bits, sizes right. */
TEST_F(cmd, wrong_direction_bits_are_enotty)
{
	EXPECT_EQ(-ENOTTY, raw(self->fd, _IOC_READ, NR_VERSION, VS,
			       version_arg(self, VS))) TH_LOG("VERSION as _IOR");
	EXPECT_EQ(-ENOTTY, raw(self->fd, _IOC_WRITE, NR_VERSION, VS,
			       version_arg(self, VS))) TH_LOG("VERSION as _IOW");
	EXPECT_EQ(-ENOTTY, raw(self->fd, RW, NR_RELEASE, sizeof(self->u.id),
			       release_arg(self))) TH_LOG("RELEASE as _IOWR");
}

/*
 * A 64 KiB foreign buffer mapped to a simulated device that never
 * completes (@as) and to one that works (@ag).
 */
FIXTURE(stalled) {
	int fd, bfd;
	__u32 as, ag;
};

FIXTURE_SETUP(stalled)
{
	TEST_STALL_SETUP(BUF_SIZE);
}

FIXTURE_TEARDOWN(stalled)
{
	close(self->fd);
	if (self->bfd >= 0)
		close(self->bfd);
}

/* A checksum job on the stalled device, ending by @timeout_ms. */
static int submit_stalled(FIXTURE_DATA(stalled) *self, __u32 timeout_ms,
			  __u32 *id)
{
	struct dmalab_imp_job j = {
		.op = DMALAB_IMP_JOB_CHECKSUM, .src_attach = self->as,
		.len = 16, .timeout_ms = timeout_ms,
	};
	int r = dmalab_imp_submit_job(self->fd, &j, NULL);

	*id = r ? 0 : j.job_id;
	return r;
}

TEST_F(stalled, wait_with_deadline_in_the_past_is_etime_at_once)
{
	double t;
	__u32 id;
	int r;

	ASSERT_EQ(0, submit_stalled(self, 1000, &id));
	t = test_now();
	r = dmalab_imp_wait_job(self->fd, id, 0, NULL, NULL);
	t = test_now() - t;
	EXPECT_EQ(-ETIME, r);
	EXPECT_GT(0.5, t) TH_LOG("WAIT returned after %.2f s", t);
}

TEST_F(stalled, wait_returns_etime_at_its_deadline)
{
	double t;
	__u32 id;
	int r;

	ASSERT_EQ(0, submit_stalled(self, 1000, &id));
	t = test_now();
	r = dmalab_imp_wait_job(self->fd, id, 100, NULL, NULL);
	t = test_now() - t;
	TH_LOG("WAIT for 100 ms: %d after %.2f s", r, t);
	EXPECT_EQ(-ETIME, r);
	EXPECT_LE(0.09, t);
	EXPECT_GT(1.5, t);
}

TEST_F(stalled, job_left_at_etime_is_waited_again_and_ends_etimedout)
{
	double t = test_now();
	__u32 id;

	ASSERT_EQ(0, submit_stalled(self, 2000, &id));
	ASSERT_EQ(-ETIME, dmalab_imp_wait_job(self->fd, id, 100, NULL, NULL));
	EXPECT_EQ(-ETIMEDOUT, dmalab_imp_wait_job(self->fd, id, -1, NULL,
						  NULL));
	t = test_now() - t;
	EXPECT_LE(1.8, t) TH_LOG("the job ended %.2f s after submitting", t);
	EXPECT_EQ(-ENOENT, dmalab_imp_wait_job(self->fd, id, -1, NULL, NULL));
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * WAIT by a bare ioctl(): libdmalab's dmalab_imp_wait_job() waits again
 * after EINTR itself, so only the ioctl shows what the kernel does when a
 * signal arrives.
 */
static int wait_raw(int fd, __u32 id, __u64 deadline_ns, __s32 *status)
{
	struct dmalab_imp_wait w = {
		.size = sizeof(w), .job_id = id, .deadline_ns = deadline_ns,
	};

	if (ioctl(fd, DMALAB_IMP_IOC_WAIT, &w))
		return -errno;
	*status = w.status;
	return 0;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM in 200 ms (and every 200 ms after when @periodic). */
static void arm_alarm(int restart, int periodic)
{
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };
	struct sigaction sa = { .sa_handler = on_alarm };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	if (periodic)
		it.it_interval.tv_usec = 200000;
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);
}

/* SA_RESTART: the kernel restarts the WAIT; it ends with the job. */
TEST_F(stalled, wait_restarts_after_a_signal_with_sa_restart)
{
	__s32 st = 0;
	double t;
	__u32 id;
	int r;

	ASSERT_EQ(0, submit_stalled(self, 1000, &id));
	arm_alarm(1, 1);
	t = test_now();
	r = wait_raw(self->fd, id, mono_ns() + 5000000000ULL, &st);
	t = test_now() - t;
	disarm_alarm();
	TH_LOG("WAIT with SA_RESTART signals: %d, status %d after %.2f s and %d signals",
	       r, st, t, (int)alarms);
	EXPECT_EQ(0, r);
	EXPECT_EQ(-ETIMEDOUT, st);
	EXPECT_LE(1, alarms);
	EXPECT_LE(0.5, t);
}

/* A WAIT with no deadline that one signal, not restarting calls, ends. */
static int interrupted_wait(struct __test_metadata *_metadata,
			    FIXTURE_DATA(stalled) *self, __u32 *id)
{
	__s32 st = 0;
	double t;
	int r;

	ASSERT_EQ(0, submit_stalled(self, 1000, id));
	arm_alarm(0, 0);
	t = test_now();
	r = wait_raw(self->fd, *id, 0, &st);
	t = test_now() - t;
	disarm_alarm();
	TH_LOG("WAIT with a signal not restarting calls: %d after %.2f s and %d signals",
	       r, t, (int)alarms);
	EXPECT_EQ(1, alarms);
	EXPECT_GT(0.9, t);
	return r;
}

TEST_F(stalled, wait_without_sa_restart_is_eintr)
{
	__u32 id;

	EXPECT_EQ(-EINTR, interrupted_wait(_metadata, self, &id));
}

TEST_F(stalled, job_whose_wait_was_interrupted_is_waited_again)
{
	__u32 id;

	ASSERT_EQ(-EINTR, interrupted_wait(_metadata, self, &id));
	EXPECT_EQ(-ETIMEDOUT, dmalab_imp_wait_job(self->fd, id, -1, NULL,
						  NULL));
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char b)
{
	while (n--)
		if (*p++ != b)
			return 0;
	return 1;
}

/* SG_INFO of @ag into @arr, its elements @elem_size bytes apart. */
static void sg_args(FIXTURE_DATA(stalled) *self, struct dmalab_imp_sg_info *x,
		    unsigned char *arr, __u32 elem_size)
{
	memset(x, 0, sizeof(*x));
	x->size = sizeof(*x);
	x->attach_id = self->ag;
	x->entries_ptr = (uintptr_t)arr;
	x->entries_cap = SG_CAP;
	x->entries_elem_size = elem_size;
}

/* sg_info's entries at the element size given, not at 1.0's. */
TEST_F(stalled, sg_entries_written_at_the_element_size_given_zero_filled)
{
	static struct dmalab_imp_sg_entry ref[SG_CAP];
	static unsigned char arr[SG_CAP * SG_STRIDE];
	struct dmalab_imp_sg_info si, x;
	int r;
	__u32 i, n;

	r = dmalab_imp_get_sg_info(self->fd, self->ag, &si, ref, SG_CAP, NULL);
	if (r == -EPERM)
		SKIP(return, "entries need CAP_SYS_ADMIN");
	ASSERT_EQ(0, r);
	memset(arr, 0xff, sizeof(arr));
	sg_args(self, &x, arr, SG_STRIDE);
	/* libdmalab passes its own element size: this one takes the ioctl. */
	ASSERT_EQ(0, ioctl(self->fd, DMALAB_IMP_IOC_SG_INFO, &x))
		TH_LOG("%d-byte elements: %s", SG_STRIDE, strerror(errno));
	n = x.entries_count;
	TH_LOG("sg_info: %u entries", n);
	ASSERT_LT(0U, n);
	ASSERT_GT((__u32)SG_CAP, n);
	EXPECT_EQ(si.entries_count, n);
	EXPECT_EQ(si.nents, x.nents);
	EXPECT_EQ((__u64)BUF_SIZE, x.total_len);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, memcmp(arr + i * SG_STRIDE, &ref[i],
				    sizeof(ref[i]))) TH_LOG("entry %u", i);
		EXPECT_TRUE(all_bytes(arr + i * SG_STRIDE + sizeof(ref[i]),
				      SG_STRIDE - sizeof(ref[i]), 0))
			TH_LOG("entry %u's tail not zeroed", i);
	}
	EXPECT_TRUE(all_bytes(arr + n * SG_STRIDE, (SG_CAP - n) * SG_STRIDE,
			      0xff)) TH_LOG("written beyond entry %u", n);
}

TEST_F(stalled, sg_element_size_below_1_0_is_einval)
{
	static struct dmalab_imp_sg_entry ref[SG_CAP];
	static unsigned char arr[SG_CAP * SG_STRIDE];
	struct dmalab_imp_sg_info si, x;

	if (dmalab_imp_get_sg_info(self->fd, self->ag, &si, ref, SG_CAP,
				   NULL) == -EPERM)
		SKIP(return, "entries need CAP_SYS_ADMIN");
	sg_args(self, &x, arr, 8);
	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_SG_INFO,
					  &x)) TH_LOG("element size 8");
	sg_args(self, &x, arr, 0);
	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_SG_INFO,
					  &x)) TH_LOG("element size 0 with an array");
}

/*
 * The file's whole allowance of jobs (200 ms each, into @ids), left to end:
 * ended jobs count until they are waited for. How many were submitted.
 */
static int fill_the_cap(FIXTURE_DATA(stalled) *self, __u32 *ids)
{
	double t;
	int i, n = 0;

	for (i = 0; i < MAX_JOBS; i++)
		if (!submit_stalled(self, 200, &ids[i]))
			n++;
	t = test_now() + 0.6;
	while (test_now() < t)
		usleep(20000);
	return n;
}

TEST_F(stalled, job_65_not_waited_for_is_eagain)
{
	__u32 ids[MAX_JOBS], id;

	ASSERT_EQ(MAX_JOBS, fill_the_cap(self, ids));
	EXPECT_EQ(-EAGAIN, submit_stalled(self, 200, &id));
}

TEST_F(stalled, waiting_for_a_job_frees_its_place)
{
	__u32 ids[MAX_JOBS], id;

	ASSERT_EQ(MAX_JOBS, fill_the_cap(self, ids));
	ASSERT_EQ(-ETIMEDOUT, dmalab_imp_wait_job(self->fd, ids[0], -1, NULL,
						  NULL));
	EXPECT_EQ(0, submit_stalled(self, 200, &id));
}

TEST_F(stalled, every_job_waited_for_ends_etimedout)
{
	__u32 ids[MAX_JOBS];
	int i, ended = 0;

	ASSERT_EQ(MAX_JOBS, fill_the_cap(self, ids));
	for (i = 0; i < MAX_JOBS; i++)
		if (dmalab_imp_wait_job(self->fd, ids[i], -1, NULL,
					NULL) == -ETIMEDOUT)
			ended++;
	EXPECT_EQ(MAX_JOBS, ended);
}

TEST_HARNESS_MAIN
