// SPDX-License-Identifier: GPL-2.0
/*
 * Handles and attachments: bad fds, wrong-order operations and foreign
 * handles get clear errnos; a handle holds its own dma-buf reference; closing
 * /dev/dmalab_imp releases everything (unmap, detach, put) even with a job
 * in flight, which the exporter's debugfs bufinfo shows.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/wait.h>

#define BUF_SIZE 8192

/* Is @dev listed as attached in debugfs's dma_buf bufinfo? -1 if unknown. */
static int bufinfo_lists(const char *dev)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	char line[256];
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, dev))
			found = 1;
	fclose(f);
	return found;
}

int main(void)
{
	__u32 sim = 0, edu = 0, h = 0, h2 = 0, a = 0, a2 = 0, ae = 0, x = 0;
	struct dmalab_imp_dev_info si, ei;
	unsigned char buf[64], out[64];
	struct dmalab_imp_import imp;
	int fd, fd2, bfd, dupfd, nul, r;
	const char *name;

	tap_plan(14);
	fd = dmalab_imp_open(NULL);
	bfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || bfd < 0 || test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    dmalab_imp_get_dev_info(fd, sim, &si, NULL) ||
	    test_edu(fd, 1, &edu, &ei)) {
		tap_diag("setup failed (buffer from %s)", name);
		return 1;
	}

	dupfd = dup(bfd);
	close(dupfd);
	tap_result(dmalab_imp_import_fd(fd, dupfd, &x, NULL, NULL) == -EBADF,
		   "import_closed_fd_is_ebadf");
	nul = open("/dev/null", O_RDWR);
	tap_result(dmalab_imp_import_fd(fd, nul, &x, NULL, NULL) == -EINVAL,
		   "import_non_dmabuf_fd_is_einval");
	close(nul);
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.fd = bfd;
	imp.flags = 1;
	r = test_malformed(fd, DMALAB_IMP_IOC_IMPORT, &imp);
	imp.flags = 0;
	imp.reserved[1] = 1;
	tap_result(r == -EINVAL &&
		   test_malformed(fd, DMALAB_IMP_IOC_IMPORT, &imp) == -EINVAL,
		   "import_unknown_flags_or_reserved_rejected");

	r = dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ?:
	    dmalab_imp_import_fd(fd, bfd, &h2, NULL, NULL);
	tap_result(!r && h != h2, "same_dmabuf_imported_twice_gives_two_handles");
	tap_result(dmalab_imp_attach_dev(fd, 999, sim, &x, NULL) == -ENOENT &&
		   dmalab_imp_attach_dev(fd, h, 999, &x, NULL) == -ENODEV,
		   "attach_unknown_handle_or_device_rejected");

	r = dmalab_imp_attach_dev(fd, h, sim, &a, NULL) ?:
	    dmalab_imp_map_attach(fd, a, DMALAB_IMP_DIR_BIDIR, NULL);
	tap_result(!r &&
		   dmalab_imp_map_attach(fd, a, DMALAB_IMP_DIR_BIDIR, NULL) == -EBUSY &&
		   dmalab_imp_map_attach(fd, a, 7, NULL) == -EINVAL,
		   "map_twice_or_bad_direction_rejected");
	tap_result(dmalab_imp_detach(fd, a, NULL) == -EBUSY,
		   "detach_while_mapped_is_ebusy");
	tap_result(dmalab_imp_release(fd, h, NULL) == -EBUSY &&
		   dmalab_imp_sim_destroy(fd, sim, NULL) == -EBUSY,
		   "release_or_destroy_with_attachments_is_ebusy");
	tap_result(!dmalab_imp_unmap_attach(fd, a, NULL) &&
		   !dmalab_imp_detach(fd, a, NULL) &&
		   dmalab_imp_detach(fd, a, NULL) == -ENOENT &&
		   !dmalab_imp_release(fd, h2, NULL) &&
		   dmalab_imp_release(fd, h2, NULL) == -ENOENT,
		   "right_order_teardown_succeeds_once");

	fd2 = dmalab_imp_open(NULL);
	tap_result(dmalab_imp_attach_dev(fd2, h, edu, &x, NULL) == -ENOENT &&
		   dmalab_imp_release(fd2, h, NULL) == -ENOENT,
		   "handle_unknown_to_another_file");
	close(fd2);
	{
		pid_t pid = fork();
		int st = 0;

		if (!pid) {
			int cfd = dmalab_imp_open(NULL);
			uint64_t sum;

			_exit(test_cpu_checksum(cfd, h, 0, 16, &sum) == -ENOENT ?
			      0 : 1);
		}
		waitpid(pid, &st, 0);
		tap_result(WIFEXITED(st) && !WEXITSTATUS(st),
			   "handle_of_another_process_unknown");
	}

	/* The handle keeps the buffer alive after the fd is closed. */
	close(bfd);
	memset(buf, 0xab, sizeof(buf));
	r = test_cpu_write(fd, h, 100, sizeof(buf), buf) ?:
	    test_cpu_read(fd, h, 100, sizeof(buf), out);
	tap_result(!r && !memcmp(buf, out, sizeof(buf)),
		   "handle_holds_its_own_reference");

	/* Leave a mapped sim attachment and an edu job in flight, then close. */
	r = dmalab_imp_attach_dev(fd, h, sim, &a2, NULL) ?:
	    dmalab_imp_map_attach(fd, a2, DMALAB_IMP_DIR_BIDIR, NULL);
	if (!r && !dmalab_imp_attach_dev(fd, h, edu, &ae, NULL) &&
	    !dmalab_imp_map_attach(fd, ae, DMALAB_IMP_DIR_BIDIR, NULL))
		r = dmalab_imp_submit_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						       .dst_attach = ae,
						       .len = 4096,
						       .pattern = 9), NULL);
	else
		tap_diag("edu mapping refused; closing with the sim only");
	r = r ?: bufinfo_lists(si.name) == 1 ? 0 : -1;
	close(fd);
	tap_result(!r, "attached_devices_listed_before_close");
	tap_result(bufinfo_lists(si.name) == 0 && bufinfo_lists(ei.name) == 0,
		   "close_releases_every_attachment");
	return tap_exit();
}
