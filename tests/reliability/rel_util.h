/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the reliability tests (kselftest harness programs): leak
 * checks that span both modules (the exporter's counters, module reference
 * counts, MemFree), a seeded random generator, and the fail-nth fault
 * injection harness.
 */
#ifndef DMALAB_TESTS_REL_UTIL_H
#define DMALAB_TESTS_REL_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "exporter/exp_util.h"
#include "dmalab_test.h"
#include "kselftest_harness.h"

/* ---- randomness ---- */
/* xorshift64*: small, seedable, the same sequence on every machine. */
static inline uint64_t rel_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* The seed: $DMALAB_SEED if set (to replay a run), else the clock. */
static inline uint64_t rel_seed(void)
{
	const char *e = getenv("DMALAB_SEED");
	uint64_t s = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL) ^
		     ((uint64_t)getpid() << 32);

	return s ? s : 1;
}

/* ---- global state that must come back after a test ---- */
static inline long rel_read_long(const char *path)
{
	char buf[64];
	long v = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		v = strtol(buf, NULL, 0);
	}
	close(fd);
	return v;
}

/* A field of /proc/meminfo, in KiB, or -1. */
static inline long rel_meminfo(const char *field)
{
	char line[128];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Everything the drivers hold for user space, as one comparable value. */
struct rel_state {
	struct dmalab_exp_stats exp;
	long exp_ref;
	long imp_ref;
};

static inline int rel_state_get(int expdev, struct rel_state *s)
{
	memset(s, 0, sizeof(*s));
	s->exp_ref = test_module_refcnt("dmalab_exp");
	s->imp_ref = test_module_refcnt("dmalab_imp");
	return exp_stats(expdev, &s->exp);
}

static inline int rel_state_same(const struct rel_state *a,
				 const struct rel_state *b)
{
	return exp_same_live(&a->exp, &b->exp) && a->exp_ref == b->exp_ref &&
	       a->imp_ref == b->imp_ref;
}

/* Log @s, labelled @what, as a TH_LOG() of the running test. */
static inline void rel_state_log(struct __test_metadata *_metadata,
				 const char *what, const struct rel_state *s)
{
	TH_LOG("%s: buffers %llu bytes %llu attach %llu maps %llu vmaps %llu mmaps %llu refcnt exp %ld imp %ld",
	       what, (unsigned long long)s->exp.live_buffers,
	       (unsigned long long)s->exp.live_bytes,
	       (unsigned long long)s->exp.live_attachments,
	       (unsigned long long)s->exp.live_mappings,
	       (unsigned long long)s->exp.live_vmaps,
	       (unsigned long long)s->exp.live_mmaps, s->exp_ref, s->imp_ref);
}

/*
 * Wait up to @secs for the drivers to be back at @base: releases that run
 * from work items (fences, deferred fput) may lag the close that caused
 * them a little.
 */
static inline int rel_state_settle(int expdev, const struct rel_state *base,
				   struct rel_state *now, double secs)
{
	double end = test_now() + secs;

	for (;;) {
		if (!rel_state_get(expdev, now) && rel_state_same(base, now))
			return 1;
		if (test_now() > end)
			return 0;
		usleep(10000);
	}
}

/*
 * rel_state_settle() for a test: when the drivers do not come back to
 * @base, log both states (the caller's EXPECT or ASSERT says what leaked).
 */
static inline int rel_state_settled(struct __test_metadata *_metadata,
				    int expdev, const struct rel_state *base,
				    double secs)
{
	struct rel_state now;

	if (rel_state_settle(expdev, base, &now, secs))
		return 1;
	rel_state_log(_metadata, "baseline", base);
	rel_state_log(_metadata, "now", &now);
	return 0;
}

/* ---- errno names for the reports ---- */
static inline const char *rel_errname(int e)
{
	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EOVERFLOW: return "EOVERFLOW";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMSGSIZE: return "EMSGSIZE";
	case ESRCH: return "ESRCH";
	case EPIPE: return "EPIPE";
	case ENOSYS: return "ENOSYS";
	case ECANCELED: return "ECANCELED";
	default: return "other";
	}
}

/* ---- fault injection (Documentation/fault-injection/fault-injection.rst) ---- */
#define REL_FI_DEBUGFS "/sys/kernel/debug"

/*
 * Why fault injection cannot run here, or NULL when it can. The reason is
 * what a SKIP prints.
 */
static inline const char *rel_fi_unavailable(void)
{
	if (access("/proc/thread-self/fail-nth", W_OK))
		return "kernel without CONFIG_FAULT_INJECTION (no /proc/thread-self/fail-nth); run on the debug kernel (vm/check-debug)";
	if (access(REL_FI_DEBUGFS "/failslab/ignore-gfp-wait", W_OK))
		return "kernel without CONFIG_FAILSLAB and its debugfs (no /sys/kernel/debug/failslab)";
	if (access(REL_FI_DEBUGFS "/fail_page_alloc/ignore-gfp-wait", W_OK))
		return "kernel without CONFIG_FAIL_PAGE_ALLOC and its debugfs (no /sys/kernel/debug/fail_page_alloc)";
	return NULL;
}

/*
 * Let fail-nth reach every allocation our paths make: by default failslab
 * and fail_page_alloc skip sleeping allocations, highmem and order 0.
 * verbose=0: the injected failures must not print stack dumps, which the
 * bench rightly counts as splats.
 */
static inline int rel_fi_setup(int on)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	char path[128];
	unsigned int i;
	int r = 0;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), REL_FI_DEBUGFS "/%s/ignore-gfp-wait", attrs[i]);
		r |= test_write_str(path, on ? "N" : "Y");
		snprintf(path, sizeof(path), REL_FI_DEBUGFS "/%s/verbose", attrs[i]);
		r |= test_write_str(path, on ? "0" : "2");
	}
	r |= test_write_str(REL_FI_DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", on ? "N" : "Y");
	r |= test_write_str(REL_FI_DEBUGFS "/fail_page_alloc/min-order", on ? "0" : "1");
	return r;
}

/* The calling thread's fail-nth file. */
static inline int rel_fi_open(void)
{
	return open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

static inline int rel_fi_arm(int fnth, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fnth, buf, len, 0) == len ? 0 : -errno;
}

/* Disarm; returns whether the armed fault was injected. */
static inline int rel_fi_disarm(int fnth)
{
	char buf[16] = { 0 };
	int injected;

	if (pread(fnth, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	injected = strtol(buf, NULL, 10) == 0;
	if (!injected && pwrite(fnth, "0", 1, 0) != 1)
		return -1;
	return injected;
}

#endif /* DMALAB_TESTS_REL_UTIL_H */
