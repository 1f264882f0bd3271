// SPDX-License-Identifier: GPL-2.0
/*
 * The info ioctl and debugfs listing describe a buffer: what was asked for,
 * whether pages exist, user mappings, the DMA_BUF_SET_NAME name; physical
 * addresses only to CAP_SYS_ADMIN. Live buffers hold the module.
 */
#include "dmalab_test.h"

#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tap.h"
#include "exp_util.h"

#define DEBUGFS_BUFFERS "/sys/kernel/debug/dmalab_exp/buffers"

static int dev;

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

static void phys_visibility(int fd)
{
	struct dmalab_exp_info info;
	int status;
	pid_t pid;

	exp_info(dev, fd, &info);
	tap_result(!(info.state & DMALAB_EXP_STATE_PHYS_HIDDEN) &&
		   info.phys_hi > info.phys_lo && info.phys_lo,
		   "root_sees_physical_addresses");

	pid = fork();
	if (pid == 0) {
		if (drop_sys_admin())
			_exit(2);
		exp_info(dev, fd, &info);
		_exit((info.state & DMALAB_EXP_STATE_PHYS_HIDDEN) &&
		      !info.phys_lo && !info.phys_hi &&
		      info.len == 64 * KiB ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "without_cap_sys_admin_physical_addresses_are_hidden");
}

#define OUT(field) { #field, offsetof(struct dmalab_exp_info, field), \
		     sizeof(((struct dmalab_exp_info *)0)->field) }

/*
 * UAPI 1.0: output fields must go in as zero. Each one, alone filled with
 * 0xa5, makes the call fail with EINVAL and write nothing back. The
 * requests are malformed on purpose: test_malformed(), as libdmalab (it
 * zeroes every output) cannot send them.
 */
static int info_refuses_garbage_outputs(int fd)
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
	int r;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.fd = fd;
		memset((char *)&info + out[i].off, 0xa5, out[i].len);
		sent = info;
		r = -test_malformed(dev, DMALAB_EXP_IOC_INFO, &info);
		if (r != EINVAL || memcmp(&info, &sent, sizeof(info))) {
			tap_diag("non-zero output %s: %s%s", out[i].name,
				 r ? strerror(r) : "accepted",
				 r && memcmp(&info, &sent, sizeof(info)) ?
				 ", and the struct was written" : "");
			return 0;
		}
	}
	return 1;
}

static void requested_fields(void)
{
	struct dmalab_exp_info info;
	int fd = exp_alloc(dev, 64 * KiB, DMALAB_EXP_PLACE_CONTIG,
			   DMALAB_EXP_TIMING_DEFERRED,
			   DMALAB_EXP_ALLOC_MIGRATE | DMALAB_EXP_ALLOC_COPY, 32);
	unsigned char *p;

	tap_result(!exp_info(dev, fd, &info) && info.len == 64 * KiB &&
		   info.placement == DMALAB_EXP_PLACE_CONTIG &&
		   info.timing == DMALAB_EXP_TIMING_DEFERRED &&
		   info.alloc_flags == (DMALAB_EXP_ALLOC_MIGRATE |
					DMALAB_EXP_ALLOC_COPY) &&
		   info.addr_bits == 32, "info_reports_what_was_asked");
	tap_result(!(info.state & DMALAB_EXP_STATE_ALLOCATED) &&
		   !info.nr_segments && !info.phys_hi,
		   "deferred_buffer_has_no_pages_yet");
	tap_result(info.range_lo == 0 && info.range_hi == 0xffffffffULL,
		   "range_is_the_address_limit_without_devices");
	tap_result(!info.nr_attachments && !info.nr_mapped && !info.vmap_count &&
		   !info.nr_migrations && !info.nr_copy_attach &&
		   !info.nr_copy_in && !info.nr_copy_out,
		   "fresh_buffer_counters_are_zero");
	tap_result(info_refuses_garbage_outputs(fd),
		   "info_nonzero_output_fields_fail_einval_and_write_nothing");

	p = exp_map(fd, 64 * KiB, PROT_READ, MAP_SHARED, 0);
	tap_result(!exp_info(dev, fd, &info) &&
		   !(info.state & DMALAB_EXP_STATE_ALLOCATED),
		   "deferred_buffer_mmap_alone_allocates_nothing");
	tap_result(p != MAP_FAILED && p[100] == 0 && !exp_info(dev, fd, &info) &&
		   (info.state & DMALAB_EXP_STATE_ALLOCATED) &&
		   info.nr_segments == 1 && info.nr_mmaps == 1,
		   "deferred_buffer_first_fault_allocates");
	if (p != MAP_FAILED)
		munmap(p, 64 * KiB);
	close(fd);
}

static void name_cases(int fd)
{
	struct dmalab_exp_info info;
	char needle[64];

	exp_info(dev, fd, &info);
	tap_result(info.name[0] == 0, "unnamed_buffer_reports_empty_name");
	tap_result(!dmalab_buf_set_name(fd, "dmalab-test-name", NULL),
		   "set_name_succeeds");
	tap_result(!exp_info(dev, fd, &info) &&
		   !strcmp(info.name, "dmalab-test-name"),
		   "info_shows_the_name");
	snprintf(needle, sizeof(needle), "name '%s'", "dmalab-test-name");
	switch (debugfs_has(needle)) {
	case -1:
		tap_skip("debugfs_lists_the_name", "no debugfs file " DEBUGFS_BUFFERS);
		break;
	default:
		tap_result(debugfs_has(needle) == 1, "debugfs_lists_the_name");
	}
}

/* Another exporter's dma-buf: the system heap, udmabuf or vgem. */
static void foreign_case(void)
{
	struct dmalab_exp_info info;
	const char *name;
	int fd = src_any(4096, &name);

	if (fd < 0) {
		tap_skip("info_on_foreign_dmabuf_fails_exdev",
			 "no system heap, udmabuf or vgem in this guest");
		return;
	}
	tap_result(exp_info(dev, fd, &info) == EXDEV,
		   "info_on_foreign_dmabuf_fails_exdev");
	tap_diag("foreign dma-buf from %s", name);
	close(fd);
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	struct dmalab_exp_info info;
	long ref0, ref1;
	int fd, fd2;

	tap_plan(2 + 7 + 4 + 1 + 5);
	dev = exp_open();
	if (dev < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}
	ref0 = test_module_refcnt("dmalab_exp");
	fd = exp_alloc(dev, 64 * KiB, 0, 0, 0, 0);
	fd2 = exp_alloc(dev, 4 * KiB, 0, 0, 0, 0);
	phys_visibility(fd);
	requested_fields();
	name_cases(fd);
	foreign_case();

	ref1 = test_module_refcnt("dmalab_exp");
	tap_result(ref0 >= 0 && ref1 == ref0 + 2,
		   "live_buffers_hold_the_module");
	tap_diag("module refcnt %ld with 2 buffers, %ld before", ref1, ref0);
	exp_stats(dev, &st);
	tap_result(st.live_buffers == base.live_buffers + 2 &&
		   st.live_bytes == base.live_bytes + 68 * KiB,
		   "stats_count_live_buffers_and_bytes");
	close(fd);
	close(fd2);
	tap_result(test_module_refcnt("dmalab_exp") == ref0, "released_buffers_release_the_module");
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "stats_back_to_baseline_after_close");
	tap_result(exp_info(dev, fd, &info) == EBADF, "info_on_closed_fd_fails_ebadf");
	close(dev);
	return tap_exit();
}
