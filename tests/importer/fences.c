// SPDX-License-Identifier: GPL-2.0
/*
 * Fences of asynchronous DMA jobs, as user space sees them through the
 * dma-buf fd: poll(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE and DMA_BUF_IOCTL_SYNC.
 * A CPU read right after an async edu copy (16 transfers of ~100 ms) sees
 * the old data, and the copied data once it has waited.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <time.h>

#define BUF_SIZE 16384

int main(void)
{
	static unsigned char pat[BUF_SIZE], want[BUF_SIZE];
	struct dma_buf_export_sync_file es = { .flags = DMA_BUF_SYNC_READ };
	struct dma_buf_sync sync = { 0 };
	__u32 dev = 0, sim = 0, hs = 0, hd = 0, as = 0, ad = 0, sd = 0, id = 0;
	struct dmalab_imp_dev_info info;
	int fd, sfd, dfd, r, st = -1, i;
	unsigned char *map;
	const char *name;
	__u64 sum = 0;
	double t;

	tap_plan(12);
	fd = imp_open();
	sfd = src_any(BUF_SIZE, &name);
	dfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || sfd < 0 || dfd < 0 || imp_edu(fd, 1, &dev, &info) ||
	    imp_import(fd, sfd, &hs) || imp_import(fd, dfd, &hd) ||
	    imp_attach(fd, hs, dev, &as) || imp_attach(fd, hd, dev, &ad) ||
	    imp_map(fd, as, DMALAB_IMP_DIR_TO_DEVICE) ||
	    imp_map(fd, ad, DMALAB_IMP_DIR_FROM_DEVICE) ||
	    imp_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    imp_attach(fd, hd, sim, &sd) ||
	    imp_map(fd, sd, DMALAB_IMP_DIR_TO_DEVICE)) {
		tap_diag("setup failed (buffers from %s)", name);
		return 1;
	}
	map = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, dfd, 0);
	if (map == MAP_FAILED) {
		tap_diag("mmap of %s dma-buf: %s", name, strerror(errno));
		return 1;
	}
	for (i = 0; i < BUF_SIZE; i++)
		pat[i] = (i * 13 + 5) & 0xff;
	imp_cpu(fd, hs, DMALAB_IMP_CPU_WRITE, 0, BUF_SIZE, pat, 0, NULL);
	imp_cpu(fd, hd, DMALAB_IMP_CPU_FILL, 0, BUF_SIZE, NULL, 0, NULL);

	t = test_now();
	r = imp_job(fd, DMALAB_IMP_JOB_COPY, as, ad, 0, 0, BUF_SIZE, 0,
		    DMALAB_IMP_JOB_ASYNC, 0, &id, NULL);
	t = test_now() - t;
	tap_result(!r && id && t < 0.2, "async_job_returns_at_once");
	tap_result(!test_ready(dfd, POLLIN),
		   "dmabuf_poll_not_ready_while_device_writes");
	tap_result(test_ready(sfd, POLLIN) && !test_ready(sfd, POLLOUT),
		   "source_has_read_fence_only");
	r = imp_ioc(dfd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es);
	tap_result(!r && es.fd >= 0 && !test_ready(es.fd, POLLIN),
		   "exported_sync_file_pending");
	tap_result(map[BUF_SIZE - 1] == 0 && map[BUF_SIZE - 2] == 0,
		   "cpu_read_before_waiting_sees_old_data");

	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	r = imp_ioc(dfd, DMA_BUF_IOCTL_SYNC, &sync);
	tap_result(!r && !memcmp(map, pat, BUF_SIZE),
		   "cpu_read_after_sync_ioctl_sees_dma_data");
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	imp_ioc(dfd, DMA_BUF_IOCTL_SYNC, &sync);
	tap_result(test_ready(es.fd, POLLIN) && test_ready(dfd, POLLIN),
		   "fences_signalled_after_completion");
	tap_result(!imp_wait(fd, id, &st, NULL) && st == 0 &&
		   imp_wait(fd, id, &st, NULL) == -ENOENT,
		   "wait_reports_success_once");

	/* The kernel's own CPU access waits for the fence too. */
	memset(want, 0x77, BUF_SIZE);
	r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ad, 0, 0, BUF_SIZE, 0x77,
		    DMALAB_IMP_JOB_ASYNC, 0, &id, NULL) ?:
	    imp_cpu(fd, hd, DMALAB_IMP_CPU_CHECKSUM, 0, BUF_SIZE, NULL, 0, &sum);
	tap_result(!r && sum == imp_fnv(want, BUF_SIZE),
		   "kernel_cpu_access_waits_for_async_fill");
	imp_wait(fd, id, &st, NULL);

	/* A job on another device waits for the first device's fence. */
	memset(want, 0x99, BUF_SIZE);
	r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ad, 0, 0, BUF_SIZE, 0x99,
		    DMALAB_IMP_JOB_ASYNC, 0, &id, NULL) ?:
	    imp_job(fd, DMALAB_IMP_JOB_CHECKSUM, sd, 0, 0, 0, BUF_SIZE, 0, 0, 0,
		    NULL, &sum);
	tap_result(!r && sum == imp_fnv(want, BUF_SIZE),
		   "job_on_second_device_waits_for_first");
	imp_wait(fd, id, &st, NULL);

	tap_result(imp_job(fd, DMALAB_IMP_JOB_CHECKSUM, ad, 0, 0, 0, 16, 0, 0, 0,
			   NULL, NULL) == -EINVAL &&
		   imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ad, 0, BUF_SIZE - 8, 16, 1,
			   0, 0, NULL, NULL) == -EINVAL &&
		   imp_job(fd, DMALAB_IMP_JOB_FILL, 0, ad, 0, 0, 16, 1, 1U << 5,
			   0, NULL, NULL) == -EINVAL,
		   "job_with_wrong_direction_range_or_flags_rejected");
	tap_result(imp_wait(fd, 12345, &st, NULL) == -ENOENT,
		   "wait_for_unknown_job_is_enoent");
	munmap(map, BUF_SIZE);
	close(fd);
	return tap_exit();
}
