// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of /dev/dmalab_exp maps the dma-buf bound to that open file through
 * dma_buf_mmap(): same pages as the dma-buf's own mmap, offsets honoured.
 */
#include <stdio.h>
#include <sys/ioctl.h>

#include "tap.h"
#include "exp_util.h"

#define LEN (8 * 4096ULL)

/* The call's errno, positive (0 on success). */
static int bind_fd(int dev, int fd)
{
	return -dmalab_exp_bind(dev, fd, NULL);
}

/*
 * A read-only dma-buf (fd_flags without O_RDWR). Raw ioctl on purpose:
 * dmalab_alloc() always asks for O_RDWR.
 */
static int alloc_read_only(int dev, uint64_t len)
{
	struct dmalab_exp_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.len = len;
	a.fd_flags = O_CLOEXEC;
	return ioctl(dev, DMALAB_EXP_IOC_ALLOC, &a) ? -errno : a.fd;
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	unsigned char *p, *d;
	int dev, ctl, fd, pipefd[2];

	tap_plan(14);
	ctl = exp_open();
	dev = exp_open();
	if (ctl < 0 || dev < 0 || exp_stats(ctl, &base)) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}
	d = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, 0);
	tap_result(d == MAP_FAILED && errno == ENXIO,
		   "device_mmap_without_bound_buffer_fails_enxio");

	fd = exp_alloc(ctl, LEN, 0, 0, 0, 0);
	tap_result(bind_fd(dev, 999) == EBADF, "bind_bad_fd_fails_ebadf");
	if (pipe(pipefd) == 0) {
		tap_result(bind_fd(dev, pipefd[0]) == EINVAL,
			   "bind_non_dmabuf_fails_einval");
		close(pipefd[0]);
		close(pipefd[1]);
	} else {
		tap_skip("bind_non_dmabuf_fails_einval", "no pipe");
	}
	tap_result(bind_fd(dev, fd) == 0, "bind_dmabuf_succeeds");

	p = exp_map(fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	d = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, dev, 0);
	if (p == MAP_FAILED || d == MAP_FAILED) {
		printf("Bail out! mmap failed: %s\n", strerror(errno));
		return 1;
	}
	p[3 * 4096 + 7] = 0xab;
	d[6 * 4096] = 0xcd;
	tap_result(d[3 * 4096 + 7] == 0xab && p[6 * 4096] == 0xcd,
		   "device_mmap_shares_pages_with_dmabuf_mmap");
	munmap(d, LEN);

	d = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, 3 * 4096);
	tap_result(d != MAP_FAILED && d[7] == 0xab,
		   "device_mmap_honours_offset");
	if (d != MAP_FAILED)
		munmap(d, 4096);
	d = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, dev, LEN - 4096);
	tap_result(d == MAP_FAILED && errno == EINVAL,
		   "device_mmap_beyond_buffer_fails_einval");
	d = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dev, 0);
	tap_result(d == MAP_FAILED && errno == EINVAL,
		   "device_mmap_private_fails_einval");

	/* The VMA refers to the dma-buf itself: unbind and close keep it. */
	d = mmap(NULL, LEN, PROT_READ, MAP_SHARED, dev, 0);
	bind_fd(dev, -1);
	munmap(p, LEN);
	close(fd);
	exp_stats(ctl, &st);
	tap_result(d != MAP_FAILED && d[6 * 4096] == 0xcd &&
		   st.live_buffers == base.live_buffers + 1,
		   "device_mapping_keeps_buffer_alive");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, 0);
	tap_result(p == MAP_FAILED && errno == ENXIO,
		   "device_mmap_after_unbind_fails_enxio");
	if (d != MAP_FAILED)
		munmap(d, LEN);

	/* A read-only dma-buf stays read-only through a device opened O_RDWR. */
	fd = alloc_read_only(ctl, LEN);
	bind_fd(dev, fd);
	d = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dev, 0);
	tap_result(fd >= 0 && d == MAP_FAILED && errno == EACCES,
		   "device_mmap_of_read_only_dmabuf_for_writing_fails_eacces");
	d = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, 0);
	tap_result(d != MAP_FAILED && d[0] == 0,
		   "device_mmap_of_read_only_dmabuf_for_reading_works");
	tap_result(d != MAP_FAILED &&
		   mprotect(d, 4096, PROT_READ | PROT_WRITE) == -1 &&
		   errno == EACCES,
		   "device_mapping_of_read_only_dmabuf_cannot_become_writable");
	if (d != MAP_FAILED)
		munmap(d, 4096);
	bind_fd(dev, -1);
	if (fd >= 0)
		close(fd);
	close(dev);
	tap_result(!exp_stats(ctl, &st) && exp_same_live(&base, &st),
		   "everything_freed_after_unmap_and_close");
	close(ctl);
	return tap_exit();
}
