/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the exporter, importer and reliability tests. Tests call
 * libdmalab; the helpers here build on it (the n-th edu device, a simulated
 * device, a job or CPU operation named field by field) and give a foreign
 * dma-buf (vgem, system heap, udmabuf). A raw ioctl() is only for a struct
 * malformed on purpose: test_malformed().
 */
#ifndef DMALAB_TESTS_DMALAB_TEST_H
#define DMALAB_TESTS_DMALAB_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dmalab_imp.h>

#include "dmalab.h"

/* ---- time and readiness ---- */
/* Seconds on the monotonic clock, to time waits and work. */
static inline double test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* References held on module @name (/sys/module/NAME/refcnt), or -1. */
static inline long test_module_refcnt(const char *name)
{
	char path[96];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Write @val to the file @path (sysfs, debugfs, procfs): 0 or -errno. */
static inline int test_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* Whether child @pid exited with status 0 within @secs (it is reaped then). */
static inline int test_exited_ok_within(pid_t pid, double secs)
{
	double end = test_now() + secs;
	int status;

	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status);
		usleep(20000);
	} while (test_now() < end);
	return 0;
}

/* Whether @fd is ready for @ev now, without waiting. */
static inline int test_ready(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, 0) == 1 && (p.revents & ev);
}

/* ---- the importer through libdmalab ---- */
/*
 * A job for dmalab_imp_submit_job() / dmalab_imp_run_job(), its fields
 * named: TEST_JOB(.op = DMALAB_IMP_JOB_FILL, .dst_attach = a, .len = n).
 * Fields not named are 0; the library fills in size.
 */
#define TEST_JOB(...)	(&(struct dmalab_imp_job){ __VA_ARGS__ })

/* Kernel CPU access through dmalab_imp_cpu_op(): 0 or -errno. */
static inline int test_cpu(int fd, __u32 h, __u32 op, __u64 off, __u64 len,
			   const void *p, __u32 pattern, uint64_t *sum)
{
	struct dmalab_imp_cpu c = {
		.handle = h, .op = op, .offset = off, .len = len,
		.user_ptr = (uintptr_t)p, .pattern = pattern,
	};
	int r = dmalab_imp_cpu_op(fd, &c, NULL);

	if (!r && sum)
		*sum = c.checksum;
	return r;
}

/* The buffer's bytes [off, off + len) into @p. */
static inline int test_cpu_read(int fd, __u32 h, __u64 off, __u64 len, void *p)
{
	return test_cpu(fd, h, DMALAB_IMP_CPU_READ, off, len, p, 0, NULL);
}

/* @p into the buffer's bytes [off, off + len). */
static inline int test_cpu_write(int fd, __u32 h, __u64 off, __u64 len,
				 const void *p)
{
	return test_cpu(fd, h, DMALAB_IMP_CPU_WRITE, off, len, p, 0, NULL);
}

/* The buffer's bytes [off, off + len) := @pattern. */
static inline int test_cpu_fill(int fd, __u32 h, __u64 off, __u64 len,
				__u32 pattern)
{
	return test_cpu(fd, h, DMALAB_IMP_CPU_FILL, off, len, NULL, pattern,
			NULL);
}

/* FNV-1a 64 of the buffer's bytes [off, off + len), by the kernel. */
static inline int test_cpu_checksum(int fd, __u32 h, __u64 off, __u64 len,
				    uint64_t *sum)
{
	return test_cpu(fd, h, DMALAB_IMP_CPU_CHECKSUM, off, len, NULL, 0, sum);
}

/* PCI address of edu device @n: A (0) at slot 0x10, B (1) at slot 0x11. */
static inline const char *test_edu_slot(int n)
{
	return n ? "0000:00:11.0" : "0000:00:10.0";
}

/*
 * Edu device @n (0: A, 28-bit; 1: B, 36-bit), found by its PCI address so
 * that a device the importer does not drive leaves the other in place.
 * Returns 0, or -ENODEV (test_edu_missing() says why).
 */
static inline int test_edu(int fd, int n, __u32 *dev,
			   struct dmalab_imp_dev_info *info)
{
	uint32_t ids[16];
	int count, i;

	*dev = 0;
	count = dmalab_imp_list_devs(fd, ids, 16, NULL);
	if (count < 0)
		return count;
	for (i = 0; i < count && i < 16; i++) {
		if (dmalab_imp_get_dev_info(fd, ids[i], info, NULL))
			continue;
		if (info->kind == DMALAB_IMP_KIND_EDU &&
		    !strcmp(info->name, test_edu_slot(n))) {
			*dev = ids[i];
			return 0;
		}
	}
	return -ENODEV;
}

/*
 * Write "1" to edu device @name's (its PCI address) sysfs remove from a
 * child: whether that returned within @secs. A child, so that a removal
 * that blocks fails the test instead of hanging it.
 */
static inline int test_edu_remove_within(const char *name, double secs)
{
	char path[128];
	pid_t pid;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", name);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(test_write_str(path, "1") ? 1 : 0);
	return test_exited_ok_within(pid, secs);
}

/*
 * Rescan the PCI bus: whether edu device @n, named @name (its PCI address),
 * is driven again within 5 s, as *@dev.
 */
static inline int test_edu_rescan(int fd, int n, const char *name, __u32 *dev,
				  struct dmalab_imp_dev_info *info)
{
	double end = test_now() + 5;

	test_write_str("/sys/bus/pci/rescan", "1");
	do {
		if (!test_edu(fd, n, dev, info) && !strcmp(info->name, name))
			return 1;
		usleep(50000);
	} while (test_now() < end);
	return 0;
}

/* Whether this kernel has ZONE_DMA (memory below 16 MiB as a zone). */
static inline int test_has_zone_dma(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[128];
	int found = 0;

	if (!f)
		return 1;
	while (!found && fgets(line, sizeof(line), f))
		found = !!strstr(line, "zone      DMA\n");
	fclose(f);
	return found;
}

/*
 * Why edu device @n is rightly missing, for a SKIP; NULL when its absence
 * is a failure. Rightly: not in this machine, or device A on a kernel
 * without ZONE_DMA and without an IOMMU, which cannot give it its 28-bit
 * mask (the importer refuses it and says so in the kernel log; WSL2's
 * configuration of 6.18 is such a kernel).
 */
static inline const char *test_edu_missing(int n)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s",
		 test_edu_slot(n));
	if (access(path, F_OK))
		return n ? "no edu device B in this machine" :
			   "no edu device A in this machine";
	strcat(path, "/iommu_group");
	if (!n && !test_has_zone_dma() && access(path, F_OK))
		return "edu device A needs a 28-bit DMA mask, which a kernel without ZONE_DMA gives only behind an IOMMU";
	return NULL;
}

/* Edu device @n into @dev and @info, or SKIP with the reason, or fail. */
#define TEST_EDU(fd, n, dev, info) do {					\
	int _r = test_edu(fd, n, dev, info);				\
	const char *_why = _r ? test_edu_missing(n) : NULL;		\
									\
	if (_why)							\
		SKIP(return, "%s", _why);				\
	ASSERT_EQ(0, _r) TH_LOG("edu device %c is not driven", 'A' + (n)); \
} while (0)

/* A simulated device with these limits; its id in *@dev (may be NULL). */
static inline int test_sim(int fd, __u32 bits, __u32 max_seg, __u64 boundary,
			   __u32 flags, __u64 wphys, __u64 wdma, __u64 wsize,
			   __u32 *dev)
{
	struct dmalab_imp_sim_create a = {
		.flags = flags, .dma_bits = bits, .max_seg_size = max_seg,
		.seg_boundary_mask = boundary, .win_phys_start = wphys,
		.win_dma_start = wdma, .win_size = wsize,
	};
	int r = dmalab_imp_sim_create(fd, &a, NULL);

	if (!r && dev)
		*dev = a.dev_id;
	return r;
}

/*
 * The one raw ioctl tests may use: for a struct malformed on purpose (a
 * wrong size, non-zero reserved bytes, a capacity without its array), which
 * libdmalab would not send. Returns 0 or -errno.
 */
static inline int test_malformed(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline __u64 test_fnv(const void *p, size_t n)
{
	return dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, p, n);
}

/* Any foreign dma-buf: vgem, then the system heap, then udmabuf. */
static inline int src_any(size_t size, const char **name)
{
	/*
	 * vgem first: it is on every kernel, and it keeps the DMA-API's
	 * rules. The system heap syncs its attachments in the CPU access
	 * direction rather than the mapping's, which the debug kernel's
	 * DMA-API checks report; tests/importer/foreign.c covers the heap.
	 */
	int fd = dmalab_vgem_alloc(-1, size, NULL, NULL);

	*name = "vgem";
	if (fd >= 0)
		return fd;
	fd = dmalab_heap_alloc(-1, size, NULL);
	*name = "system heap";
	if (fd >= 0)
		return fd;
	*name = "udmabuf";
	return dmalab_udmabuf_alloc(-1, size, NULL);
}

/*
 * @bfd imported into @fd and mapped both ways to two new simulated 64-bit
 * devices: one that never completes a job (DMALAB_IMP_SIM_STALL, its jobs
 * end by their timeout), its attachment in *@stalled, and one that works,
 * in *@good. Returns 0 or -errno.
 */
static inline int test_stalled_and_good(int fd, int bfd, __u32 *stalled,
					__u32 *good)
{
	struct dmalab_imp_mapping ms, mg;
	__u32 ds, dg;
	int r;

	r = test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_STALL, 0, 0, 0, &ds) ?:
	    test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &dg) ?:
	    dmalab_imp_map_fd(fd, bfd, ds, DMALAB_IMP_DIR_BIDIR, &ms, NULL) ?:
	    dmalab_imp_map_fd(fd, bfd, dg, DMALAB_IMP_DIR_BIDIR, &mg, NULL);
	if (!r) {
		*stalled = ms.attach_id;
		*good = mg.attach_id;
	}
	return r;
}

/*
 * The body of a FIXTURE_SETUP whose fixture has int fd, bfd and __u32 as,
 * ag: the importer in fd, a foreign dma-buf of @size in bfd, mapped to a
 * simulated device that never completes a job (as) and to one that works
 * (ag).
 */
#define TEST_STALL_SETUP(size) do {					\
	const char *_src;						\
									\
	self->bfd = -1;							\
	self->fd = dmalab_imp_open(NULL);				\
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/dmalab_imp: %d",	\
				      self->fd);			\
	self->bfd = src_any(size, &_src);				\
	ASSERT_LE(0, self->bfd)						\
		TH_LOG("no foreign dma-buf (last tried %s)", _src);	\
	ASSERT_EQ(0, test_stalled_and_good(self->fd, self->bfd,	\
					   &self->as, &self->ag));	\
} while (0)

#endif /* DMALAB_TESTS_DMALAB_TEST_H */
