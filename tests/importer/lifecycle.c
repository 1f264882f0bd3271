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
	__u32 sim = 0, edu = 0, h = 0, h2 = 0, a = 0, a2 = 0, ae = 0, id = 0;
	struct dmalab_imp_dev_info si, ei;
	unsigned char buf[64], out[64];
	struct dmalab_imp_import imp;
	int fd, fd2, bfd, dupfd, nul, r;
	const char *name;

	tap_plan(14);
	fd = imp_open();
	bfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || bfd < 0 || imp_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    imp_info(fd, sim, &si) || imp_edu(fd, 1, &edu, &ei)) {
		tap_diag("setup failed (buffer from %s)", name);
		return 1;
	}

	dupfd = dup(bfd);
	close(dupfd);
	tap_result(imp_import(fd, dupfd, NULL) == -EBADF,
		   "import_closed_fd_is_ebadf");
	nul = open("/dev/null", O_RDWR);
	tap_result(imp_import(fd, nul, NULL) == -EINVAL,
		   "import_non_dmabuf_fd_is_einval");
	close(nul);
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.fd = bfd;
	imp.flags = 1;
	r = imp_ioc(fd, DMALAB_IMP_IOC_IMPORT, &imp);
	imp.flags = 0;
	imp.reserved[1] = 1;
	tap_result(r == -EINVAL && imp_ioc(fd, DMALAB_IMP_IOC_IMPORT, &imp) == -EINVAL,
		   "import_unknown_flags_or_reserved_rejected");

	r = imp_import(fd, bfd, &h) ?: imp_import(fd, bfd, &h2);
	tap_result(!r && h != h2, "same_dmabuf_imported_twice_gives_two_handles");
	tap_result(imp_attach(fd, 999, sim, NULL) == -ENOENT &&
		   imp_attach(fd, h, 999, NULL) == -ENODEV,
		   "attach_unknown_handle_or_device_rejected");

	r = imp_attach(fd, h, sim, &a) ?: imp_map(fd, a, DMALAB_IMP_DIR_BIDIR);
	tap_result(!r && imp_map(fd, a, DMALAB_IMP_DIR_BIDIR) == -EBUSY &&
		   imp_map(fd, a, 7) == -EINVAL,
		   "map_twice_or_bad_direction_rejected");
	tap_result(imp_id(fd, DMALAB_IMP_IOC_DETACH, a) == -EBUSY,
		   "detach_while_mapped_is_ebusy");
	tap_result(imp_id(fd, DMALAB_IMP_IOC_RELEASE, h) == -EBUSY &&
		   imp_id(fd, DMALAB_IMP_IOC_SIM_DESTROY, sim) == -EBUSY,
		   "release_or_destroy_with_attachments_is_ebusy");
	tap_result(!imp_id(fd, DMALAB_IMP_IOC_UNMAP, a) &&
		   !imp_id(fd, DMALAB_IMP_IOC_DETACH, a) &&
		   imp_id(fd, DMALAB_IMP_IOC_DETACH, a) == -ENOENT &&
		   !imp_id(fd, DMALAB_IMP_IOC_RELEASE, h2) &&
		   imp_id(fd, DMALAB_IMP_IOC_RELEASE, h2) == -ENOENT,
		   "right_order_teardown_succeeds_once");

	fd2 = imp_open();
	tap_result(imp_attach(fd2, h, edu, NULL) == -ENOENT &&
		   imp_id(fd2, DMALAB_IMP_IOC_RELEASE, h) == -ENOENT,
		   "handle_unknown_to_another_file");
	close(fd2);
	{
		pid_t pid = fork();
		int st = 0;

		if (!pid) {
			int cfd = imp_open();
			struct dmalab_imp_cpu c = { .size = sizeof(c), .handle = h,
				.op = DMALAB_IMP_CPU_CHECKSUM, .len = 16 };

			_exit(imp_ioc(cfd, DMALAB_IMP_IOC_CPU, &c) == -ENOENT ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		tap_result(WIFEXITED(st) && !WEXITSTATUS(st),
			   "handle_of_another_process_unknown");
	}

	/* The handle keeps the buffer alive after the fd is closed. */
	close(bfd);
	memset(buf, 0xab, sizeof(buf));
	r = imp_cpu(fd, h, DMALAB_IMP_CPU_WRITE, 100, sizeof(buf), buf, 0, NULL) ?:
	    imp_cpu(fd, h, DMALAB_IMP_CPU_READ, 100, sizeof(buf), out, 0, NULL);
	tap_result(!r && !memcmp(buf, out, sizeof(buf)),
		   "handle_holds_its_own_reference");

	/* Leave a mapped sim attachment and an edu job in flight, then close. */
	r = imp_attach(fd, h, sim, &a2) ?: imp_map(fd, a2, DMALAB_IMP_DIR_BIDIR);
	if (!r && !imp_attach(fd, h, edu, &ae) &&
	    !imp_map(fd, ae, DMALAB_IMP_DIR_BIDIR))
		r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ae, 0, 0, 4096, 9,
			    DMALAB_IMP_JOB_ASYNC, 0, &id, NULL);
	else
		tap_diag("edu mapping refused; closing with the sim only");
	r = r ?: bufinfo_lists(si.name) == 1 ? 0 : -1;
	close(fd);
	tap_result(!r, "attached_devices_listed_before_close");
	tap_result(bufinfo_lists(si.name) == 0 && bufinfo_lists(ei.name) == 0,
		   "close_releases_every_attachment");
	return tap_exit();
}
