// SPDX-License-Identifier: GPL-2.0
/*
 * The fd flags asked for at allocation: O_CLOEXEC sets FD_CLOEXEC, O_RDWR
 * gives a writable dma-buf file, without it writable shared maps fail.
 */
#include <stdio.h>
#include <sys/ioctl.h>

#include "tap.h"
#include "exp_util.h"

static int alloc_flags(int dev, uint32_t fd_flags)
{
	struct dmalab_alloc_opts o = {
		.len = 4096, .cloexec = !!(fd_flags & O_CLOEXEC),
	};
	struct dmalab_exp_alloc a;

	if ((fd_flags & O_ACCMODE) == O_RDWR)
		return dmalab_alloc(dev, &o, NULL);
	/*
	 * Raw ioctl on purpose: dmalab_alloc() always asks for O_RDWR, and
	 * the fd_flags field of the UAPI is what this test is about.
	 */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.len = 4096;
	a.fd_flags = fd_flags;
	return ioctl(dev, DMALAB_EXP_IOC_ALLOC, &a) ? -1 : a.fd;
}

int main(void)
{
	int dev, fd;
	void *p;

	tap_plan(6);
	dev = exp_open();
	if (dev < 0) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}

	fd = alloc_flags(dev, O_RDWR | O_CLOEXEC);
	tap_result(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
		   "o_cloexec_sets_fd_cloexec");
	tap_result(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
		   "o_rdwr_gives_read_write_file");
	close(fd);

	fd = alloc_flags(dev, O_RDWR);
	tap_result(fd >= 0 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
		   "no_o_cloexec_leaves_fd_inheritable");
	close(fd);

	fd = alloc_flags(dev, 0);
	tap_result(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY,
		   "no_o_rdwr_gives_read_only_file");
	p = exp_map(fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	tap_result(p == MAP_FAILED && errno == EACCES,
		   "read_only_file_refuses_writable_shared_mmap");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	p = exp_map(fd, 4096, PROT_READ, MAP_SHARED, 0);
	tap_result(p != MAP_FAILED && exp_all_bytes(p, 4096, 0),
		   "read_only_file_allows_read_mmap");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
	close(dev);
	return tap_exit();
}
