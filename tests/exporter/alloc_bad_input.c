// SPDX-License-Identifier: GPL-2.0
/*
 * Every malformed request to /dev/dmalab_exp gets its documented errno and
 * leaves nothing behind: no buffer, no memory, no fd.
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

#include "tap.h"
#include "exp_util.h"

static int dev;

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

/* Raw ALLOC (the command's size bits follow a->size): errno, 0 on success. */
static int exp_alloc_args(struct dmalab_exp_alloc *a)
{
	return -test_malformed(dev, with_size(DMALAB_EXP_IOC_ALLOC, a->size), a);
}

/* Raw @cmd with size bits following @arg's @size: errno, 0 on success. */
static int raw(unsigned long cmd, void *arg)
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

static void expect(struct dmalab_exp_alloc a, int err, const char *name)
{
	struct dmalab_exp_stats before, after;
	int fd0 = next_fd(), got;

	exp_stats(dev, &before);
	got = exp_alloc_args(&a);
	exp_stats(dev, &after);
	if (!got && a.fd > 2)
		close(a.fd);
	if (!tap_result(got == err && exp_same_live(&before, &after) &&
			next_fd() == fd0, "%s", name))
		tap_diag("errno %d (%s), expected %d", got, strerror(got), err);
}

struct big_alloc {
	struct dmalab_exp_alloc a;
	uint64_t extra[2];
};

static void size_field_cases(void)
{
	struct big_alloc b;
	int got;

	memset(&b, 0, sizeof(b));
	b.a = exp_args(4096);
	b.a.size = sizeof(b);
	got = exp_alloc_args(&b.a);
	tap_result(!got, "larger_struct_with_zero_tail_is_accepted");
	if (!got)
		close(b.a.fd);

	memset(&b, 0, sizeof(b));
	b.a = exp_args(4096);
	b.a.size = sizeof(b);
	b.extra[1] = 1;
	got = exp_alloc_args(&b.a);
	tap_result(got == E2BIG, "larger_struct_with_nonzero_tail_fails_e2big");
	if (!got)
		close(b.a.fd);
}

static void info_cases(void)
{
	struct dmalab_exp_info info;
	int fd = exp_alloc(dev, 4096, 0, 0, 0, 0);
	int pipefd[2];

	tap_result(exp_info(dev, 1000, &info) == EBADF, "info_bad_fd_fails_ebadf");
	if (pipe(pipefd)) {
		pipefd[0] = -1;
		pipefd[1] = -1;
	}
	tap_result(exp_info(dev, pipefd[0], &info) == EINVAL,
		   "info_non_dmabuf_fd_fails_einval");
	close(pipefd[0]);
	close(pipefd[1]);

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.fd = fd;
	info.flags = 1;
	tap_result(raw(DMALAB_EXP_IOC_INFO, &info) == EINVAL,
		   "info_unknown_flags_fail_einval");
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.fd = fd;
	info.reserved[1] = 1;
	tap_result(raw(DMALAB_EXP_IOC_INFO, &info) == EINVAL,
		   "info_nonzero_reserved_fails_einval");
	memset(&info, 0, sizeof(info));
	info.size = 8;
	info.fd = fd;
	tap_result(raw(DMALAB_EXP_IOC_INFO, &info) == EINVAL,
		   "info_short_struct_fails_einval");
	close(fd);
}

static void stats_and_unknown_cases(void)
{
	struct dmalab_exp_stats st;
	struct dmalab_exp_bind bind;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.flags = 2;
	tap_result(raw(DMALAB_EXP_IOC_STATS, &st) == EINVAL,
		   "stats_unknown_flags_fail_einval");
	tap_result(test_malformed(dev, _IOWR(DMALAB_EXP_IOC_MAGIC, 0x3f,
					     struct dmalab_exp_stats), &st) == -ENOTTY,
		   "unknown_ioctl_fails_enotty");
	memset(&bind, 0, sizeof(bind));
	bind.size = sizeof(bind);
	bind.fd = -1;
	bind.reserved[0] = 1;
	tap_result(raw(DMALAB_EXP_IOC_BIND, &bind) == EINVAL,
		   "bind_nonzero_reserved_fails_einval");
	tap_result(test_malformed(dev, DMALAB_EXP_IOC_ALLOC, NULL) == -EFAULT,
		   "alloc_null_pointer_fails_efault");
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	struct dmalab_exp_alloc a;

	tap_plan(23 + 2 + 5 + 4 + 1);
	dev = exp_open();
	if (dev < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}

	expect(exp_args(0), EINVAL, "zero_len_fails_einval");
	expect(exp_args(4095), EINVAL, "unaligned_len_fails_einval");
	expect(exp_args(4096 + 1), EINVAL, "unaligned_len_above_page_fails_einval");
	expect(exp_args(base.max_len + 4096), E2BIG, "len_above_cap_fails_e2big");
	expect(exp_args(~0ULL & ~4095ULL), E2BIG, "huge_len_fails_e2big");
	expect(exp_args(1ULL << 63), E2BIG, "len_2_pow_63_fails_e2big");
	expect(exp_args(~0ULL), EINVAL, "len_all_ones_fails_einval");

	a = exp_args(4096);
	a.flags = 1U << 7;
	expect(a, EINVAL, "unknown_flag_fails_einval");
	a = exp_args(4096);
	a.flags = 1U << 31;
	expect(a, EINVAL, "top_flag_fails_einval");
	a = exp_args(4096);
	a.placement = 2;
	expect(a, EINVAL, "unknown_placement_fails_einval");
	a = exp_args(4096);
	a.timing = 7;
	expect(a, EINVAL, "unknown_timing_fails_einval");
	a = exp_args(4096);
	a.addr_bits = 12;
	expect(a, EINVAL, "addr_bits_too_small_fails_einval");
	a = exp_args(4096);
	a.addr_bits = 65;
	expect(a, EINVAL, "addr_bits_too_large_fails_einval");
	a = exp_args(4096);
	a.fd_flags = O_RDWR | O_NONBLOCK;
	expect(a, EINVAL, "unknown_fd_flag_fails_einval");
	a = exp_args(4096);
	a.fd_flags = O_WRONLY;
	expect(a, EINVAL, "write_only_fd_fails_einval");
	a = exp_args(4096);
	a.pad = 1;
	expect(a, EINVAL, "nonzero_pad_fails_einval");
	a = exp_args(4096);
	a.reserved[0] = 1;
	expect(a, EINVAL, "nonzero_reserved0_fails_einval");
	a = exp_args(4096);
	a.reserved[1] = 1ULL << 40;
	expect(a, EINVAL, "nonzero_reserved1_fails_einval");
	a = exp_args(4096);
	a.fd = -1;	/* an output: UAPI 1.0 wants it zero on input */
	expect(a, EINVAL, "nonzero_fd_output_fails_einval");
	a = exp_args(4096);
	a.size = 4;
	expect(a, EINVAL, "short_struct_fails_einval");
	a = exp_args(4096);
	a.size = sizeof(a) - 8;
	expect(a, EINVAL, "struct_short_by_8_fails_einval");
	a = exp_args(4096);
	a.size = 0;
	expect(a, EINVAL, "zero_struct_size_fails_einval");
	a = exp_args(2 * base.max_contig_len);
	a.placement = DMALAB_EXP_PLACE_CONTIG;
	expect(a, E2BIG, "contig_above_limit_fails_e2big");

	size_field_cases();
	info_cases();
	stats_and_unknown_cases();

	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "nothing_leaked_after_bad_input");
	close(dev);
	return tap_exit();
}
