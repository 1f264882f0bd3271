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
#include "tap.h"

#include <signal.h>
#include <sys/time.h>

#define BUF_SIZE	(64 * 1024)
#define MAX_JOBS	64	/* jobs a file holds not yet waited for */
#define SG_CAP		32	/* BUF_SIZE has at most 16 pages */
#define SG_STRIDE	32	/* an element size larger than 1.0's 16 */

static int fd;
static __u32 as;	/* the buffer's attachment to the stalled device */
static __u32 ag;	/* and to a device that works */

/* A command of the importer's magic with any direction, number and size. */
static int raw(unsigned int dir, unsigned int nr, unsigned int size, void *arg)
{
	return test_malformed(fd, _IOC(dir, DMALAB_IMP_IOC_MAGIC, nr, size),
			      arg);
}

#define RW	(_IOC_READ | _IOC_WRITE)
#define NR(cmd)	_IOC_NR(cmd)

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A checksum job on the stalled device, ending by @timeout_ms. */
static int submit_stalled(__u32 timeout_ms, __u32 *id)
{
	struct dmalab_imp_job j = {
		.op = DMALAB_IMP_JOB_CHECKSUM, .src_attach = as, .len = 16,
		.timeout_ms = timeout_ms,
	};
	int r = dmalab_imp_submit_job(fd, &j, NULL);

	*id = r ? 0 : j.job_id;
	return r;
}

/* Collect a job whatever became of it, so later tests start with none. */
static void drain(__u32 id)
{
	if (id)
		dmalab_imp_wait_job(fd, id, -1, NULL, NULL);
}

/*
 * WAIT by a bare ioctl(): libdmalab's dmalab_imp_wait_job() waits again
 * after EINTR itself, so only the ioctl shows what the kernel does when a
 * signal arrives.
 */
static int wait_raw(__u32 id, __u64 deadline_ns, __s32 *status)
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

static int all_bytes(const unsigned char *p, size_t n, unsigned char b)
{
	while (n--)
		if (*p++ != b)
			return 0;
	return 1;
}

/* Version and the size, number and direction bits of a command. */
static void command_bits(void)
{
	static union {
		struct dmalab_imp_version v;
		struct dmalab_imp_id id;
		unsigned char raw[8192];
	} u;
	const unsigned int vs = sizeof(u.v);
	const unsigned int nr_version = NR(DMALAB_IMP_IOC_VERSION);
	const unsigned int nr_release = NR(DMALAB_IMP_IOC_RELEASE);
	struct dmalab_imp_version v;
	int r, r2, r3;

	memset(&v, 0, sizeof(v));
	r = dmalab_imp_get_version(fd, &v, NULL);
	tap_diag("VERSION: %d, %u.%u, features %#llx", r, v.major, v.minor,
		 (unsigned long long)v.features);
	tap_result(!r && v.major == 1 && v.minor == 0, "version_is_1_0");

	/* _IOC_SIZE must equal @size, either way round. */
	memset(&u, 0, sizeof(u));
	u.v.size = vs;
	r = raw(RW, nr_version, vs + 8, &u);
	memset(&u, 0, sizeof(u));
	u.v.size = vs + 8;
	r2 = raw(RW, nr_version, vs, &u);
	memset(&u, 0, sizeof(u));
	u.id.size = sizeof(u.id);
	u.id.id = 0xdead;	/* no such handle: -ENOENT if the size passed */
	r3 = raw(_IOC_WRITE, nr_release, sizeof(u.id) + 8, &u);
	tap_diag("size bits 8 above @size %d, @size 8 above them %d, release %d",
		 r, r2, r3);
	tap_result(r == -EINVAL && r2 == -EINVAL && r3 == -EINVAL,
		   "ioc_size_differing_from_size_field_is_einval");

	/* Smaller than 1.0, the command saying the same. */
	memset(&u, 0, sizeof(u));
	u.v.size = vs - 8;
	r = raw(RW, nr_version, vs - 8, &u);
	memset(&u, 0, sizeof(u));
	u.v.size = 8;
	r2 = raw(RW, nr_version, 8, &u);
	tap_result(r == -EINVAL && r2 == -EINVAL, "size_below_1_0_is_einval");

	/* Larger than the kernel knows: only zeros beyond its struct. */
	memset(&u, 0, sizeof(u));
	u.v.size = vs + 8;
	u.raw[vs + 7] = 1;
	r = raw(RW, nr_version, vs + 8, &u);
	tap_result(r == -E2BIG && u.v.major == 0,
		   "larger_size_with_nonzero_tail_is_e2big_and_writes_nothing");
	memset(&u, 0, sizeof(u));
	u.v.size = vs + 8;
	r = raw(RW, nr_version, vs + 8, &u);
	tap_result(r == 0 && u.v.major == 1 && u.v.minor == 0,
		   "larger_size_with_zero_tail_is_accepted");
	memset(&u, 0, sizeof(u));
	u.v.size = 4104;
	r = raw(RW, nr_version, 4104, &u);
	tap_result(r == -E2BIG, "size_above_4096_is_e2big");

	/* Numbers of the importer's range that name nothing. */
	memset(&u, 0, sizeof(u));
	u.v.size = vs;
	r = raw(RW, 0x4f, vs, &u);
	r2 = raw(RW, 0x60, vs, &u);
	r3 = raw(RW, 0x7f, vs, &u);
	tap_diag("numbers 0x4f, 0x60, 0x7f: %d %d %d", r, r2, r3);
	tap_result(r == -ENOTTY && r2 == -ENOTTY && r3 == -ENOTTY,
		   "unknown_nr_in_importer_range_is_enotty");

	/* A known number with the wrong direction bits, sizes right. */
	r = raw(_IOC_READ, nr_version, vs, &u);
	r2 = raw(_IOC_WRITE, nr_version, vs, &u);
	memset(&u, 0, sizeof(u));
	u.id.size = sizeof(u.id);
	u.id.id = 0xdead;
	r3 = raw(RW, nr_release, sizeof(u.id), &u);
	tap_diag("VERSION as _IOR %d, as _IOW %d, RELEASE as _IOWR %d",
		 r, r2, r3);
	tap_result(r == -ENOTTY && r2 == -ENOTTY && r3 == -ENOTTY,
		   "wrong_direction_bits_are_enotty");
}

/* WAIT's absolute deadline, and WAIT interrupted by a signal. */
static void wait_deadline_and_signals(void)
{
	double t0, t1, t2, t3;
	int r, r1, r2, r3, r4;
	__u32 id = 0;
	__s32 st = 0;

	t0 = test_now();
	r = submit_stalled(2000, &id);
	r1 = dmalab_imp_wait_job(fd, id, 0, NULL, NULL);
	t1 = test_now() - t0;
	tap_diag("WAIT with its deadline already passed: %d after %.2f s", r1, t1);
	tap_result(!r && r1 == -ETIME && t1 < 0.5,
		   "wait_with_deadline_in_the_past_is_etime_at_once");
	t2 = test_now();
	r2 = dmalab_imp_wait_job(fd, id, 100, NULL, NULL);
	t2 = test_now() - t2;
	tap_diag("WAIT for 100 ms: %d after %.2f s", r2, t2);
	tap_result(!r && r2 == -ETIME && t2 >= 0.09 && t2 < 1.5,
		   "wait_returns_etime_at_its_deadline");
	r3 = dmalab_imp_wait_job(fd, id, -1, NULL, NULL);
	t3 = test_now() - t0;
	r4 = dmalab_imp_wait_job(fd, id, -1, NULL, NULL);
	tap_diag("WAIT until the end: %d at %.2f s after submitting, then %d",
		 r3, t3, r4);
	tap_result(!r && r3 == -ETIMEDOUT && t3 >= 1.8 && r4 == -ENOENT,
		   "job_left_at_etime_is_waited_again_and_ends_etimedout");

	/* SA_RESTART: the kernel restarts the WAIT; it ends with the job. */
	r = submit_stalled(1000, &id);
	arm_alarm(1, 1);
	t1 = test_now();
	r1 = wait_raw(id, mono_ns() + 5000000000ULL, &st);
	t1 = test_now() - t1;
	disarm_alarm();
	tap_diag("WAIT with SA_RESTART signals: %d, status %d after %.2f s and %d signals",
		 r1, st, t1, (int)alarms);
	tap_result(!r && r1 == 0 && st == -ETIMEDOUT && alarms >= 1 &&
		   t1 >= 0.5, "wait_restarts_after_a_signal_with_sa_restart");
	if (r1)
		drain(id);

	/* Without SA_RESTART: -EINTR, and the job is still there. */
	r = submit_stalled(1000, &id);
	arm_alarm(0, 0);
	t1 = test_now();
	r1 = wait_raw(id, 0, &st);
	t1 = test_now() - t1;
	disarm_alarm();
	r2 = dmalab_imp_wait_job(fd, id, -1, NULL, NULL);
	tap_diag("WAIT with a signal not restarting calls: %d after %.2f s and %d signals; then %d",
		 r1, t1, (int)alarms, r2);
	tap_result(!r && r1 == -EINTR && alarms == 1 && t1 < 0.9,
		   "wait_without_sa_restart_is_eintr");
	tap_result(!r && r2 == -ETIMEDOUT,
		   "job_whose_wait_was_interrupted_is_waited_again");
}

static unsigned char arr[SG_CAP * SG_STRIDE];

/* SG_INFO of @ag into arr, its elements @elem_size bytes apart. */
static void sg_args(struct dmalab_imp_sg_info *x, __u32 elem_size)
{
	memset(x, 0, sizeof(*x));
	x->size = sizeof(*x);
	x->attach_id = ag;
	x->entries_ptr = (uintptr_t)arr;
	x->entries_cap = SG_CAP;
	x->entries_elem_size = elem_size;
}

/* sg_info's entries at the element size given, not at 1.0's. */
static void sg_element_size(void)
{
	static struct dmalab_imp_sg_entry ref[SG_CAP];
	struct dmalab_imp_sg_info si, x;
	__u32 i, n;
	int r, r2, ok;

	r = dmalab_imp_get_sg_info(fd, ag, &si, ref, SG_CAP, NULL);
	if (r == -EPERM) {
		tap_skip("sg_entries_written_at_the_element_size_given_zero_filled",
			 "entries need CAP_SYS_ADMIN");
		tap_skip("sg_element_size_below_1_0_is_einval",
			 "entries need CAP_SYS_ADMIN");
		return;
	}
	memset(arr, 0xff, sizeof(arr));
	sg_args(&x, SG_STRIDE);
	/* libdmalab passes its own element size: this one takes the ioctl. */
	r2 = ioctl(fd, DMALAB_IMP_IOC_SG_INFO, &x) ? -errno : 0;
	n = x.entries_count;
	tap_diag("sg_info: %d with 16-byte elements, %d with %d-byte ones, %u entries",
		 r, r2, SG_STRIDE, n);
	ok = !r && !r2 && n && n < SG_CAP && n == si.entries_count &&
	     x.nents == si.nents && x.total_len == BUF_SIZE;
	for (i = 0; ok && i < n; i++)
		ok = !memcmp(arr + i * SG_STRIDE, &ref[i], sizeof(ref[i])) &&
		     all_bytes(arr + i * SG_STRIDE + sizeof(ref[i]),
			       SG_STRIDE - sizeof(ref[i]), 0);
	ok = ok && all_bytes(arr + n * SG_STRIDE, (SG_CAP - n) * SG_STRIDE,
			     0xff);
	tap_result(ok, "sg_entries_written_at_the_element_size_given_zero_filled");

	sg_args(&x, 8);
	r = test_malformed(fd, DMALAB_IMP_IOC_SG_INFO, &x);
	sg_args(&x, 0);
	r2 = test_malformed(fd, DMALAB_IMP_IOC_SG_INFO, &x);
	tap_diag("element size 8: %d, 0 with an array: %d", r, r2);
	tap_result(r == -EINVAL && r2 == -EINVAL,
		   "sg_element_size_below_1_0_is_einval");
}

/* A file holds at most 64 jobs not yet waited for, ended or not. */
static void job_limit(void)
{
	__u32 ids[MAX_JOBS + 1];
	int i, r, ok, n = 0, ended = 0;
	double t;

	memset(ids, 0, sizeof(ids));
	for (i = 0; i < MAX_JOBS; i++)
		if (!submit_stalled(200, &ids[i]))
			n++;
	/* Let every job end: ended jobs count until they are waited for. */
	t = test_now() + 0.6;
	while (test_now() < t)
		usleep(20000);
	r = submit_stalled(200, &ids[MAX_JOBS]);
	tap_diag("%d of %d jobs submitted, then job %d: %d", n, MAX_JOBS,
		 MAX_JOBS + 1, r);
	tap_result(n == MAX_JOBS && r == -EAGAIN,
		   "job_65_not_waited_for_is_eagain");

	ok = dmalab_imp_wait_job(fd, ids[0], -1, NULL, NULL) == -ETIMEDOUT;
	ids[0] = 0;
	r = submit_stalled(200, &ids[0]);
	tap_result(ok && !r, "waiting_for_a_job_frees_its_place");

	for (i = 0; i <= MAX_JOBS; i++)
		if (ids[i] &&
		    dmalab_imp_wait_job(fd, ids[i], -1, NULL, NULL) == -ETIMEDOUT)
			ended++;
	tap_diag("%d jobs waited for ended with -ETIMEDOUT", ended);
	tap_result(ended == MAX_JOBS, "every_job_waited_for_ends_etimedout");
}

int main(void)
{
	__u32 stall = 0, good = 0, h = 0;
	const char *name = "";
	int bfd;

	tap_plan(19);
	fd = dmalab_imp_open(NULL);
	bfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || bfd < 0 ||
	    test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_STALL, 0, 0, 0, &stall) ||
	    test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &good) ||
	    dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, h, stall, &as, NULL) ||
	    dmalab_imp_attach_dev(fd, h, good, &ag, NULL) ||
	    dmalab_imp_map_attach(fd, as, DMALAB_IMP_DIR_BIDIR, NULL) ||
	    dmalab_imp_map_attach(fd, ag, DMALAB_IMP_DIR_BIDIR, NULL)) {
		printf("Bail out! setup failed (buffer from %s)\n", name);
		return 1;
	}
	tap_diag("buffer from %s", name);
	command_bits();
	wait_deadline_and_signals();
	sg_element_size();
	job_limit();
	close(fd);
	close(bfd);
	return tap_exit();
}
