// SPDX-License-Identifier: GPL-2.0
/*
 * libdmalab: sizes parse with their suffixes, failures return -errno and a
 * message in the caller's struct naming what failed, a NULL error struct is
 * allowed, and the library's FNV-1a matches the importer's definition.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dmalab.h"
#include "tap.h"

static int size_is(const char *s, uint64_t want)
{
	uint64_t v = 0;

	return !dmalab_parse_size(s, &v, NULL) && v == want;
}

int main(void)
{
	struct dmalab_err err;
	uint64_t v, size;
	int fd, ret;

	tap_plan(9);
	tap_result(size_is("4096", 4096) && size_is("0x1000", 4096) &&
		   size_is("64K", 65536) && size_is("2M", 2 << 20) &&
		   size_is("1G", 1ULL << 30) && size_is("3KiB", 3072) &&
		   size_is("5mb", 5 << 20), "sizes_parse_with_binary_suffixes");

	memset(&err, 0, sizeof(err));
	ret = dmalab_parse_size("12Q", &v, &err);
	tap_result(ret == -EINVAL && err.code == -EINVAL &&
		   strstr(err.msg, "'12Q'") && strstr(err.msg, "'Q'"),
		   "unknown_suffix_is_einval_naming_it");
	tap_result(dmalab_parse_size("-1", &v, NULL) == -EINVAL &&
		   dmalab_parse_size("", &v, NULL) == -EINVAL,
		   "negative_and_empty_sizes_are_refused");
	tap_result(dmalab_parse_size("99999999999G", &v, &err) == -ERANGE,
		   "overflowing_size_is_erange");

	memset(&err, 0, sizeof(err));
	ret = dmalab_buf_size(1000, &size, &err);
	tap_result(ret == -EBADF && strstr(err.msg, "fd 1000") &&
		   !strchr(err.msg, '\n'), "size_of_a_closed_fd_is_ebadf_one_line");

	fd = open("/dev/null", O_RDWR);
	ret = dmalab_buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, &err);
	tap_result(ret < 0 && err.code == ret && strstr(err.msg, "DMA_BUF_IOCTL_SYNC"),
		   "sync_on_a_non_dmabuf_fails_naming_the_ioctl");
	tap_result(dmalab_buf_set_name(fd, "a-name-much-longer-than-thirty-two-bytes",
				       &err) == -EINVAL && strstr(err.msg, "longer"),
		   "overlong_name_is_refused_before_the_ioctl");
	close(fd);

	tap_result(dmalab_buf_export_sync_file(-1, DMA_BUF_SYNC_READ, NULL) == -EBADF,
		   "null_error_struct_is_allowed");

	tap_result(dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, "a", 1) ==
		   0xaf63dc4c8601ec8cULL &&
		   dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, "", 0) ==
		   DMALAB_IMP_FNV_OFFSET, "fnv1a64_matches_the_reference_values");
	return tap_exit();
}
