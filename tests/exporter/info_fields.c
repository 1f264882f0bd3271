// SPDX-License-Identifier: GPL-2.0
/*
 * The info ioctl and debugfs listing describe a buffer: what was asked for,
 * whether pages exist (a deferred buffer gets them at its first fault),
 * user mappings, the DMA_BUF_SET_NAME name; physical addresses only to
 * CAP_SYS_ADMIN; output fields sent non-zero are refused; another
 * exporter's dma-buf is refused. Live buffers hold the module and are
 * counted by STATS, and closing them gives both back.
 */
#include "dmalab_test.h"

#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "exp_util.h"
#include "kselftest_harness.h"

#define DEBUGFS_BUFFERS "/sys/kernel/debug/dmalab_exp/buffers"
#define NAME "dmalab-test-name"

static int debugfs_has(const char *needle)
{
	char line[512];
	FILE *f = fopen(DEBUGFS_BUFFERS, "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found = 1;
	fclose(f);
	return found;
}

/* Drop CAP_SYS_ADMIN from the effective set of this (child) process. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

/*
 * The exporter, its counters before the test and a 64 KiB eager scatter
 * buffer; @dfd and @p: a deferred buffer and its mapping, for the tests
 * that make one.
 */
FIXTURE(info) {
	int dev, fd, dfd;
	struct dmalab_exp_stats base;
	unsigned char *p;
};

FIXTURE_SETUP(info)
{
	self->fd = -1;
	self->dfd = -1;
	self->p = MAP_FAILED;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	self->fd = exp_alloc(self->dev, 64 * KiB, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(info)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, 64 * KiB);
	if (self->dfd >= 0)
		close(self->dfd);
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* The INFO of @fd in *@info: the call must succeed. */
static void info_of(struct __test_metadata *_metadata,
		    FIXTURE_DATA(info) *self, int fd,
		    struct dmalab_exp_info *info)
{
	int e = exp_info(self->dev, fd, info);

	ASSERT_EQ(0, e) TH_LOG("INFO: %s", strerror(e));
}

/*
 * A 64 KiB contiguous deferred buffer below 4 GiB with both strategy
 * flags in self->dfd; its INFO in *@info.
 */
static void deferred_buf(struct __test_metadata *_metadata,
			 FIXTURE_DATA(info) *self,
			 struct dmalab_exp_info *info)
{
	self->dfd = exp_alloc(self->dev, 64 * KiB, DMALAB_EXP_PLACE_CONTIG,
			      DMALAB_EXP_TIMING_DEFERRED,
			      DMALAB_EXP_ALLOC_MIGRATE | DMALAB_EXP_ALLOC_COPY,
			      32);
	ASSERT_LE(0, self->dfd) TH_LOG("deferred alloc: %s",
				       strerror(-self->dfd));
	info_of(_metadata, self, self->dfd, info);
}

/* The deferred buffer mapped read-only in self->p, not yet touched. */
static void deferred_mapped(struct __test_metadata *_metadata,
			    FIXTURE_DATA(info) *self)
{
	struct dmalab_exp_info info;

	deferred_buf(_metadata, self, &info);
	self->p = exp_map(self->dfd, 64 * KiB, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
}

TEST_F(info, root_sees_physical_addresses)
{
	struct dmalab_exp_info info;

	if (geteuid())
		SKIP(return, "needs root");
	info_of(_metadata, self, self->fd, &info);
	EXPECT_EQ(0U, info.state & DMALAB_EXP_STATE_PHYS_HIDDEN);
	EXPECT_NE(0ULL, info.phys_lo);
	EXPECT_LT(info.phys_lo, info.phys_hi);
}

TEST_F(info, without_cap_sys_admin_physical_addresses_are_hidden)
{
	int status = 0;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dmalab_exp_info info;

		if (drop_sys_admin() || exp_info(self->dev, self->fd, &info))
			_exit(2);
		_exit((info.state & DMALAB_EXP_STATE_PHYS_HIDDEN) &&
		      !info.phys_lo && !info.phys_hi &&
		      info.len == 64 * KiB ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(2, WEXITSTATUS(status))
		TH_LOG("the child could not drop CAP_SYS_ADMIN or call INFO");
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("addresses shown, or len wrong, without CAP_SYS_ADMIN");
}

TEST_F(info, info_reports_what_was_asked)
{
	struct dmalab_exp_info info;

	deferred_buf(_metadata, self, &info);
	EXPECT_EQ(64 * KiB, info.len);
	EXPECT_EQ((__u32)DMALAB_EXP_PLACE_CONTIG, info.placement);
	EXPECT_EQ((__u32)DMALAB_EXP_TIMING_DEFERRED, info.timing);
	EXPECT_EQ(DMALAB_EXP_ALLOC_MIGRATE | DMALAB_EXP_ALLOC_COPY,
		  info.alloc_flags);
	EXPECT_EQ(32U, info.addr_bits);
}

TEST_F(info, deferred_buffer_has_no_pages_yet)
{
	struct dmalab_exp_info info;

	deferred_buf(_metadata, self, &info);
	EXPECT_EQ(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
	EXPECT_EQ(0U, info.nr_segments);
	EXPECT_EQ(0ULL, info.phys_hi);
}

TEST_F(info, range_is_the_address_limit_without_devices)
{
	struct dmalab_exp_info info;

	deferred_buf(_metadata, self, &info);
	EXPECT_EQ(0ULL, info.range_lo);
	EXPECT_EQ(0xffffffffULL, info.range_hi);
}

TEST_F(info, fresh_buffer_counters_are_zero)
{
	struct dmalab_exp_info info;

	deferred_buf(_metadata, self, &info);
	EXPECT_EQ(0U, info.nr_attachments);
	EXPECT_EQ(0U, info.nr_mapped);
	EXPECT_EQ(0U, info.vmap_count);
	EXPECT_EQ(0U, info.nr_migrations);
	EXPECT_EQ(0U, info.nr_copy_attach);
	EXPECT_EQ(0ULL, info.nr_copy_in);
	EXPECT_EQ(0ULL, info.nr_copy_out);
}

#define OUT(field) { #field, offsetof(struct dmalab_exp_info, field), \
		     sizeof(((struct dmalab_exp_info *)0)->field) }

/*
 * UAPI 1.0: output fields must go in as zero. Each one, alone filled with
 * 0xa5, makes the call fail with EINVAL and write nothing back. The
 * requests are malformed on purpose: test_malformed(), as libdmalab (it
 * zeroes every output) cannot send them.
 */
TEST_F(info, info_nonzero_output_fields_fail_einval_and_write_nothing)
{
	static const struct { const char *name; size_t off, len; } out[] = {
		OUT(state), OUT(len), OUT(placement), OUT(addr_bits),
		OUT(timing), OUT(alloc_flags), OUT(nr_segments),
		OUT(nr_attachments), OUT(nr_mapped), OUT(nr_mmaps),
		OUT(vmap_count), OUT(nr_migrations), OUT(nr_copy_attach),
		OUT(nr_copy_in), OUT(nr_copy_out), OUT(phys_lo), OUT(phys_hi),
		OUT(range_lo), OUT(range_hi), OUT(name), OUT(attach_count),
	};
	struct dmalab_exp_info info, sent;
	unsigned int i;

	deferred_buf(_metadata, self, &info);
	for (i = 0; i < ARRAY_SIZE(out); i++) {
		int e;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.fd = self->dfd;
		memset((char *)&info + out[i].off, 0xa5, out[i].len);
		sent = info;
		e = -test_malformed(self->dev, DMALAB_EXP_IOC_INFO, &info);
		EXPECT_EQ(EINVAL, e) TH_LOG("non-zero output %s: %s",
					    out[i].name,
					    e ? strerror(e) : "accepted");
		EXPECT_EQ(0, memcmp(&info, &sent, sizeof(info)))
			TH_LOG("non-zero output %s: the struct was written",
			       out[i].name);
	}
}

TEST_F(info, deferred_buffer_mmap_alone_allocates_nothing)
{
	struct dmalab_exp_info info;

	deferred_mapped(_metadata, self);
	info_of(_metadata, self, self->dfd, &info);
	EXPECT_EQ(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
}

TEST_F(info, deferred_buffer_first_fault_allocates)
{
	struct dmalab_exp_info info;

	deferred_mapped(_metadata, self);
	EXPECT_EQ(0, self->p[100]);
	info_of(_metadata, self, self->dfd, &info);
	EXPECT_NE(0U, info.state & DMALAB_EXP_STATE_ALLOCATED);
	EXPECT_EQ(1U, info.nr_segments);
	EXPECT_EQ(1U, info.nr_mmaps);
}

TEST_F(info, unnamed_buffer_reports_empty_name)
{
	struct dmalab_exp_info info;

	info_of(_metadata, self, self->fd, &info);
	EXPECT_STREQ("", info.name);
}

TEST_F(info, set_name_succeeds)
{
	EXPECT_EQ(0, dmalab_buf_set_name(self->fd, NAME, NULL));
}

TEST_F(info, info_shows_the_name)
{
	struct dmalab_exp_info info;

	ASSERT_EQ(0, dmalab_buf_set_name(self->fd, NAME, NULL));
	info_of(_metadata, self, self->fd, &info);
	EXPECT_STREQ(NAME, info.name);
}

TEST_F(info, debugfs_lists_the_name)
{
	if (debugfs_has("") < 0)
		SKIP(return, "no debugfs file " DEBUGFS_BUFFERS);
	ASSERT_EQ(0, dmalab_buf_set_name(self->fd, NAME, NULL));
	EXPECT_EQ(1, debugfs_has("name '" NAME "'"));
}

/* Another exporter's dma-buf: vgem, the system heap or udmabuf. */
TEST_F(info, info_on_foreign_dmabuf_fails_exdev)
{
	struct dmalab_exp_info info;
	const char *src;
	int fd = src_any(4096, &src);

	if (fd < 0)
		SKIP(return, "no vgem, system heap or udmabuf in this guest");
	EXPECT_EQ(EXDEV, exp_info(self->dev, fd, &info))
		TH_LOG("foreign dma-buf from %s", src);
	close(fd);
}

/* A second buffer of 4 KiB: 68 KiB live with the fixture's. */
static int second_buf(struct __test_metadata *_metadata,
		      FIXTURE_DATA(info) *self)
{
	int fd = exp_alloc(self->dev, 4 * KiB, 0, 0, 0, 0);

	EXPECT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	return fd;
}

TEST_F(info, live_buffers_hold_the_module)
{
	long ref0, ref1;
	int fd2;

	close(self->fd);
	self->fd = -1;
	ref0 = test_module_refcnt("dmalab_exp");
	ASSERT_LE(0, ref0) TH_LOG("no /sys/module/dmalab_exp/refcnt");
	self->fd = exp_alloc(self->dev, 64 * KiB, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	fd2 = second_buf(_metadata, self);
	ASSERT_LE(0, fd2);
	ref1 = test_module_refcnt("dmalab_exp");
	EXPECT_EQ(ref0 + 2, ref1)
		TH_LOG("module refcnt %ld with 2 buffers, %ld before", ref1,
		       ref0);
	close(fd2);
}

TEST_F(info, stats_count_live_buffers_and_bytes)
{
	struct dmalab_exp_stats st;
	int fd2 = second_buf(_metadata, self);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_EQ(self->base.live_buffers + 2, st.live_buffers);
	EXPECT_EQ(self->base.live_bytes + 68 * KiB, st.live_bytes);
	close(fd2);
}

TEST_F(info, released_buffers_release_the_module)
{
	long ref0, ref1;
	int fd2;

	close(self->fd);
	self->fd = -1;
	ref0 = test_module_refcnt("dmalab_exp");
	ASSERT_LE(0, ref0) TH_LOG("no /sys/module/dmalab_exp/refcnt");
	self->fd = exp_alloc(self->dev, 64 * KiB, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	fd2 = second_buf(_metadata, self);
	ASSERT_LE(0, fd2);
	close(fd2);
	close(self->fd);
	self->fd = -1;
	ref1 = test_module_refcnt("dmalab_exp");
	EXPECT_EQ(ref0, ref1)
		TH_LOG("module refcnt %ld after close, %ld before", ref1,
		       ref0);
}

/* Buffers named, mapped and faulted in, then closed and unmapped. */
TEST_F(info, stats_back_to_baseline_after_close)
{
	struct dmalab_exp_stats st;
	int fd2 = second_buf(_metadata, self);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dmalab_buf_set_name(self->fd, NAME, NULL));
	deferred_mapped(_metadata, self);
	EXPECT_EQ(0, self->p[100]);
	close(fd2);
	close(self->fd);
	self->fd = -1;
	close(self->dfd);
	self->dfd = -1;
	munmap(self->p, 64 * KiB);
	self->p = MAP_FAILED;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, bytes %llu; before %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_bytes,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_bytes);
}

TEST_F(info, info_on_closed_fd_fails_ebadf)
{
	struct dmalab_exp_info info;
	int fd = self->fd;

	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(EBADF, exp_info(self->dev, fd, &info));
}

TEST_HARNESS_MAIN
