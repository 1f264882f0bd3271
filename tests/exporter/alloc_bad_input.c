// SPDX-License-Identifier: GPL-2.0
/*
 * Every malformed request to /dev/dmalab_exp gets its documented errno and
 * leaves nothing behind: no buffer, no memory, no fd. Each malformed ALLOC
 * checks that itself; nothing_leaked_after_bad_input sends one of each
 * kind of request (ALLOC, a grown ALLOC, INFO, STATS, BIND, an unknown
 * number, a NULL pointer) in a row and checks the same.
 *
 * The requests are malformed on purpose, which libdmalab cannot send: this
 * program issues them with test_malformed() (a raw ioctl), each command
 * built with _IOC_SIZE equal to the @size it carries so that the rule under
 * test is the only one broken (tests/exporter/uapi.c covers the _IOC_SIZE /
 * @size relation).
 */
#include "dmalab_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "exp_util.h"
#include "kselftest_harness.h"

/* @cmd with its size bits set to @size, as user space built with @size would. */
static unsigned long with_size(unsigned long cmd, uint32_t size)
{
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)(size & _IOC_SIZEMASK) << _IOC_SIZESHIFT);
}

/* A valid request for @len bytes; fd, an output, must go in as zero. */
static struct dmalab_exp_alloc exp_args(uint64_t len)
{
	struct dmalab_exp_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.len = len;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	return a;
}

/* Raw @cmd with size bits following @arg's @size: errno, 0 on success. */
static int raw(int dev, unsigned long cmd, void *arg)
{
	return -test_malformed(dev, with_size(cmd, *(uint32_t *)arg), arg);
}

/* Lowest free fd now: a leaked fd would move it. */
static int next_fd(void)
{
	int fd = dup(0), n = fd;

	if (fd >= 0)
		close(fd);
	return n;
}

/* The exporter, its counters before the test, a 4 KiB buffer for INFO. */
FIXTURE(bad) {
	int dev, fd;
	struct dmalab_exp_stats base;
};

FIXTURE_SETUP(bad)
{
	self->fd = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
}

FIXTURE_TEARDOWN(bad)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * Send ALLOC @a: it must fail with @err, and neither the exporter's
 * counters nor the lowest free fd may move.
 */
static void alloc_refused(struct __test_metadata *_metadata,
			  FIXTURE_DATA(bad) *self, struct dmalab_exp_alloc a,
			  int err)
{
	struct dmalab_exp_stats before, after;
	int fd0 = next_fd(), got;

	ASSERT_EQ(0, exp_stats(self->dev, &before));
	got = raw(self->dev, DMALAB_EXP_IOC_ALLOC, &a);
	ASSERT_EQ(0, exp_stats(self->dev, &after));
	if (!got && a.fd > 2)
		close(a.fd);
	EXPECT_EQ(err, got) TH_LOG("errno %d (%s), expected %d (%s)", got,
				   strerror(got), err, strerror(err));
	EXPECT_TRUE(exp_same_live(&before, &after))
		TH_LOG("live buffers %llu, bytes %llu; before %llu, %llu",
		       (unsigned long long)after.live_buffers,
		       (unsigned long long)after.live_bytes,
		       (unsigned long long)before.live_buffers,
		       (unsigned long long)before.live_bytes);
	EXPECT_EQ(fd0, next_fd()) TH_LOG("an fd was left open");
}

/* Allocate the 4 KiB buffer INFO is asked about. */
static void alloc_ok(struct __test_metadata *_metadata,
		     FIXTURE_DATA(bad) *self)
{
	self->fd = exp_alloc(self->dev, 4096, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

TEST_F(bad, zero_len_fails_einval)
{
	alloc_refused(_metadata, self, exp_args(0), EINVAL);
}

TEST_F(bad, unaligned_len_fails_einval)
{
	alloc_refused(_metadata, self, exp_args(4095), EINVAL);
}

TEST_F(bad, unaligned_len_above_page_fails_einval)
{
	alloc_refused(_metadata, self, exp_args(4096 + 1), EINVAL);
}

TEST_F(bad, len_above_cap_fails_e2big)
{
	alloc_refused(_metadata, self, exp_args(self->base.max_len + 4096),
		      E2BIG);
}

TEST_F(bad, huge_len_fails_e2big)
{
	alloc_refused(_metadata, self, exp_args(~0ULL & ~4095ULL), E2BIG);
}

TEST_F(bad, len_2_pow_63_fails_e2big)
{
	alloc_refused(_metadata, self, exp_args(1ULL << 63), E2BIG);
}

TEST_F(bad, len_all_ones_fails_einval)
{
	alloc_refused(_metadata, self, exp_args(~0ULL), EINVAL);
}

TEST_F(bad, unknown_flag_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.flags = 1U << 7;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, top_flag_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.flags = 1U << 31;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, unknown_placement_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.placement = 2;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, unknown_timing_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.timing = 7;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, addr_bits_too_small_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.addr_bits = 12;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, addr_bits_too_large_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.addr_bits = 65;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, unknown_fd_flag_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.fd_flags = O_RDWR | O_NONBLOCK;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, write_only_fd_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.fd_flags = O_WRONLY;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, nonzero_pad_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.pad = 1;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, nonzero_reserved0_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.reserved[0] = 1;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, nonzero_reserved1_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.reserved[1] = 1ULL << 40;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, nonzero_fd_output_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.fd = -1;	/* an output: UAPI 1.0 wants it zero on input */
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, short_struct_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.size = 4;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, struct_short_by_8_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.size = sizeof(a) - 8;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, zero_struct_size_fails_einval)
{
	struct dmalab_exp_alloc a = exp_args(4096);

	a.size = 0;
	alloc_refused(_metadata, self, a, EINVAL);
}

TEST_F(bad, contig_above_limit_fails_e2big)
{
	struct dmalab_exp_alloc a = exp_args(2 * self->base.max_contig_len);

	a.placement = DMALAB_EXP_PLACE_CONTIG;
	alloc_refused(_metadata, self, a, E2BIG);
}

/* An ALLOC as a newer user space sends it: 16 more bytes, @size says so. */
struct big_alloc {
	struct dmalab_exp_alloc a;
	uint64_t extra[2];
};

static struct big_alloc big_args(uint64_t tail)
{
	struct big_alloc b;

	memset(&b, 0, sizeof(b));
	b.a = exp_args(4096);
	b.a.size = sizeof(b);
	b.extra[1] = tail;
	return b;
}

TEST_F(bad, larger_struct_with_zero_tail_is_accepted)
{
	struct big_alloc b = big_args(0);
	int got = raw(self->dev, DMALAB_EXP_IOC_ALLOC, &b.a);

	EXPECT_EQ(0, got) TH_LOG("%s", strerror(got));
	if (!got)
		close(b.a.fd);
}

TEST_F(bad, larger_struct_with_nonzero_tail_fails_e2big)
{
	struct big_alloc b = big_args(1);
	int got = raw(self->dev, DMALAB_EXP_IOC_ALLOC, &b.a);

	EXPECT_EQ(E2BIG, got) TH_LOG("%s", got ? strerror(got) : "accepted");
	if (!got)
		close(b.a.fd);
}

TEST_F(bad, info_bad_fd_fails_ebadf)
{
	struct dmalab_exp_info info;

	EXPECT_EQ(EBADF, exp_info(self->dev, 1000, &info));
}

TEST_F(bad, info_non_dmabuf_fd_fails_einval)
{
	struct dmalab_exp_info info;
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(EINVAL, exp_info(self->dev, pipefd[0], &info));
	close(pipefd[0]);
	close(pipefd[1]);
}

/* A valid INFO request about self->fd. */
static struct dmalab_exp_info info_args(FIXTURE_DATA(bad) *self)
{
	struct dmalab_exp_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.fd = self->fd;
	return info;
}

TEST_F(bad, info_unknown_flags_fail_einval)
{
	struct dmalab_exp_info info;

	alloc_ok(_metadata, self);
	info = info_args(self);
	info.flags = 1;
	EXPECT_EQ(EINVAL, raw(self->dev, DMALAB_EXP_IOC_INFO, &info));
}

TEST_F(bad, info_nonzero_reserved_fails_einval)
{
	struct dmalab_exp_info info;

	alloc_ok(_metadata, self);
	info = info_args(self);
	info.reserved[1] = 1;
	EXPECT_EQ(EINVAL, raw(self->dev, DMALAB_EXP_IOC_INFO, &info));
}

TEST_F(bad, info_short_struct_fails_einval)
{
	struct dmalab_exp_info info;

	alloc_ok(_metadata, self);
	info = info_args(self);
	info.size = 8;
	EXPECT_EQ(EINVAL, raw(self->dev, DMALAB_EXP_IOC_INFO, &info));
}

TEST_F(bad, stats_unknown_flags_fail_einval)
{
	struct dmalab_exp_stats st = { .size = sizeof(st), .flags = 2 };

	EXPECT_EQ(EINVAL, raw(self->dev, DMALAB_EXP_IOC_STATS, &st));
}

TEST_F(bad, unknown_ioctl_fails_enotty)
{
	struct dmalab_exp_stats st = { .size = sizeof(st) };

	EXPECT_EQ(-ENOTTY, test_malformed(self->dev,
					  _IOWR(DMALAB_EXP_IOC_MAGIC, 0x3f,
						struct dmalab_exp_stats), &st));
}

TEST_F(bad, bind_nonzero_reserved_fails_einval)
{
	struct dmalab_exp_bind bind = {
		.size = sizeof(bind), .fd = -1, .reserved[0] = 1,
	};

	EXPECT_EQ(EINVAL, raw(self->dev, DMALAB_EXP_IOC_BIND, &bind));
}

TEST_F(bad, alloc_null_pointer_fails_efault)
{
	EXPECT_EQ(-EFAULT, test_malformed(self->dev, DMALAB_EXP_IOC_ALLOC,
					  NULL));
}

TEST_F(bad, nothing_leaked_after_bad_input)
{
	struct dmalab_exp_alloc a = exp_args(self->base.max_len + 4096);
	struct dmalab_exp_stats st = { .size = sizeof(st), .flags = 2 };
	struct dmalab_exp_bind bind = {
		.size = sizeof(bind), .fd = -1, .reserved[0] = 1,
	};
	struct big_alloc b = big_args(1);
	struct dmalab_exp_info info;
	int fd0 = next_fd();

	/* Each request's errno is checked by its own test above. */
	raw(self->dev, DMALAB_EXP_IOC_ALLOC, &a);
	a = exp_args(2 * self->base.max_contig_len);
	a.placement = DMALAB_EXP_PLACE_CONTIG;
	raw(self->dev, DMALAB_EXP_IOC_ALLOC, &a);
	a = exp_args(4096);
	a.reserved[1] = 1;
	raw(self->dev, DMALAB_EXP_IOC_ALLOC, &a);
	raw(self->dev, DMALAB_EXP_IOC_ALLOC, &b.a);
	test_malformed(self->dev, DMALAB_EXP_IOC_ALLOC, NULL);
	exp_info(self->dev, 1000, &info);
	alloc_ok(_metadata, self);
	info = info_args(self);
	info.reserved[1] = 1;
	raw(self->dev, DMALAB_EXP_IOC_INFO, &info);
	close(self->fd);
	self->fd = -1;
	raw(self->dev, DMALAB_EXP_IOC_STATS, &st);
	raw(self->dev, DMALAB_EXP_IOC_BIND, &bind);
	test_malformed(self->dev, _IOWR(DMALAB_EXP_IOC_MAGIC, 0x3f,
					struct dmalab_exp_stats), &st);

	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, bytes %llu; before %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_bytes,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_bytes);
	EXPECT_EQ(fd0, next_fd()) TH_LOG("an fd was left open");
}

TEST_HARNESS_MAIN
