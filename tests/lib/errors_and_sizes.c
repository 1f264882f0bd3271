// SPDX-License-Identifier: GPL-2.0
/*
 * libdmalab: sizes parse with their suffixes, failures return -errno and a
 * message in the caller's struct naming what failed, a NULL error struct is
 * allowed, the library's FNV-1a matches the importer's definition, and a
 * user outside group dmalab is told that group, not to load the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmalab.h"
#include "kselftest_harness.h"

TEST(sizes_parse_with_binary_suffixes)
{
	static const struct {
		const char *s;
		uint64_t want;
	} sizes[] = {
		{ "4096", 4096 },
		{ "0x1000", 4096 },
		{ "64K", 64 << 10 },
		{ "2M", 2 << 20 },
		{ "1G", 1ULL << 30 },
		{ "3KiB", 3 << 10 },
		{ "5mb", 5 << 20 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t v = 0;

		EXPECT_EQ(0, dmalab_parse_size(sizes[i].s, &v, NULL))
			TH_LOG("'%s'", sizes[i].s);
		EXPECT_EQ(sizes[i].want, v) TH_LOG("'%s'", sizes[i].s);
	}
}

TEST(unknown_suffix_is_einval_naming_it)
{
	struct dmalab_err err = { 0 };
	uint64_t v;

	EXPECT_EQ(-EINVAL, dmalab_parse_size("12Q", &v, &err));
	EXPECT_EQ(-EINVAL, err.code);
	EXPECT_NE(NULL, strstr(err.msg, "'12Q'")) TH_LOG("message: %s", err.msg);
	EXPECT_NE(NULL, strstr(err.msg, "'Q'")) TH_LOG("message: %s", err.msg);
}

TEST(negative_and_empty_sizes_are_refused)
{
	uint64_t v;

	EXPECT_EQ(-EINVAL, dmalab_parse_size("-1", &v, NULL)) TH_LOG("'-1'");
	EXPECT_EQ(-EINVAL, dmalab_parse_size("", &v, NULL)) TH_LOG("''");
}

TEST(overflowing_size_is_erange)
{
	struct dmalab_err err = { 0 };
	uint64_t v;

	EXPECT_EQ(-ERANGE, dmalab_parse_size("99999999999G", &v, &err))
		TH_LOG("message: %s", err.msg);
}

TEST(size_of_a_closed_fd_is_ebadf_one_line)
{
	struct dmalab_err err = { 0 };
	uint64_t size;

	/* Meaningful only while fd 1000 is not open. */
	ASSERT_EQ(-1, fcntl(1000, F_GETFD));
	EXPECT_EQ(-EBADF, dmalab_buf_size(1000, &size, &err));
	EXPECT_NE(NULL, strstr(err.msg, "fd 1000")) TH_LOG("message: %s",
							   err.msg);
	EXPECT_EQ(NULL, strchr(err.msg, '\n')) TH_LOG("message: %s", err.msg);
}

/* A file that is not a dma-buf. */
FIXTURE(devnull) {
	int fd;
};

FIXTURE_SETUP(devnull)
{
	self->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/null: %s", strerror(errno));
}

FIXTURE_TEARDOWN(devnull)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(devnull, sync_on_a_non_dmabuf_fails_naming_the_ioctl)
{
	struct dmalab_err err = { 0 };
	int ret;

	ret = dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
			      &err);
	EXPECT_GT(0, ret);
	EXPECT_EQ(ret, err.code);
	EXPECT_NE(NULL, strstr(err.msg, "DMA_BUF_IOCTL_SYNC"))
		TH_LOG("message: %s", err.msg);
}

TEST_F(devnull, overlong_name_is_refused_before_the_ioctl)
{
	struct dmalab_err err = { 0 };

	EXPECT_EQ(-EINVAL, dmalab_buf_set_name(self->fd,
			"a-name-much-longer-than-thirty-two-bytes", &err));
	EXPECT_NE(NULL, strstr(err.msg, "longer")) TH_LOG("message: %s",
							  err.msg);
}

TEST(null_error_struct_is_allowed)
{
	EXPECT_EQ(-EBADF, dmalab_buf_export_sync_file(-1, DMA_BUF_SYNC_READ,
						      NULL));
}

TEST(fnv1a64_matches_the_reference_values)
{
	EXPECT_EQ(0xaf63dc4c8601ec8cULL,
		  dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, "a", 1)) TH_LOG("'a'");
	EXPECT_EQ(DMALAB_IMP_FNV_OFFSET,
		  dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, "", 0)) TH_LOG("''");
}

/*
 * As uid and gid 65534 without supplementary groups, opening the devices
 * (0660, group dmalab) fails with EACCES, and the message names the
 * permission and the group; root gets no such hint.
 */
TEST(outsider_is_told_the_group_not_to_load_the_module)
{
	struct dmalab_err err = { 0 };
	int status, fd;
	pid_t pid;

	fd = dmalab_exp_open(NULL);
	if (fd < 0)
		SKIP(return, "the exporter is not loaded: %s", strerror(-fd));
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(3);
		fd = dmalab_exp_open(&err);
		if (fd != -EACCES || !strstr(err.msg, "Permission denied") ||
		    !strstr(err.msg, "group dmalab") || strstr(err.msg, "loaded")) {
			fprintf(stderr, "# exporter: %d, '%s'\n", fd, err.msg);
			_exit(1);
		}
		fd = dmalab_imp_open(&err);
		if (fd != -EACCES || !strstr(err.msg, "group dmalab")) {
			fprintf(stderr, "# importer: %d, '%s'\n", fd, err.msg);
			_exit(2);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("1: the exporter's message, 2: the importer's, 3: could not drop privileges");
}

TEST_HARNESS_MAIN
