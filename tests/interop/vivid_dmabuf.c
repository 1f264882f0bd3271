// SPDX-License-Identifier: GPL-2.0
/*
 * vivid (V4L2) captures into our buffers with V4L2_MEMORY_DMABUF. With its
 * default vmalloc allocator vivid writes through our vmap, so any placement
 * serves. Reloaded with allocators=1 (dma-contig) it needs one contiguous
 * DMA range: our contiguous, below-4 GiB buffer must work and a scattered
 * buffer (above 4 GiB, or below it but in pieces) must be refused cleanly
 * at VIDIOC_QBUF. Frames are compared with a
 * frame captured into vivid's own MMAP buffers (its test pattern is not
 * all zeros); only the lower half is compared, above it vivid prints text
 * that changes per frame. vivid is reloaded with defaults at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "dmalab.h"
#include "tap.h"

#define NBUFS	2
#define CAP	V4L2_BUF_TYPE_VIDEO_CAPTURE

static struct v4l2_format fmt;
static unsigned char *ref;	/* lower half of a frame in vivid's own buffer */
static size_t ref_off, ref_len;

static int vivid_open(void)
{
	struct v4l2_capability cap;
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
			memset(&fmt, 0, sizeof(fmt));
			fmt.type = CAP;
			if (!ioctl(fd, VIDIOC_G_FMT, &fmt))
				return fd;
		}
		close(fd);
	}
	return -1;
}

static int reqbufs(int vfd, __u32 memory, __u32 count)
{
	struct v4l2_requestbuffers rb = { .count = count, .type = CAP,
					  .memory = memory };

	return ioctl(vfd, VIDIOC_REQBUFS, &rb) ? -errno : (int)rb.count;
}

/* Dequeue one filled buffer; its index or -errno. */
static int dqbuf(int vfd, __u32 memory)
{
	struct v4l2_buffer b = { .type = CAP, .memory = memory };
	struct pollfd pfd = { .fd = vfd, .events = POLLIN };

	if (poll(&pfd, 1, 5000) != 1)
		return -ETIMEDOUT;
	if (ioctl(vfd, VIDIOC_DQBUF, &b))
		return -errno;
	return b.index;
}

/* Capture one frame into vivid's MMAP buffers; keep its lower half. */
static int capture_reference(int vfd)
{
	struct v4l2_buffer b;
	int type = CAP, i, n, r;
	unsigned char *p;

	n = reqbufs(vfd, V4L2_MEMORY_MMAP, NBUFS);
	for (i = 0; i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (ioctl(vfd, VIDIOC_QBUF, &b))
			return -errno;
	}
	if (n <= 0 || ioctl(vfd, VIDIOC_STREAMON, &type))
		return -EIO;
	r = dqbuf(vfd, V4L2_MEMORY_MMAP);
	if (r >= 0) {
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = r;
		r = ioctl(vfd, VIDIOC_QUERYBUF, &b) ? -errno : 0;
	}
	if (!r) {
		p = mmap(NULL, b.length, PROT_READ, MAP_SHARED, vfd, b.m.offset);
		if (p == MAP_FAILED) {
			r = -errno;
		} else {
			ref_off = fmt.fmt.pix.bytesperline * (fmt.fmt.pix.height / 2);
			ref_len = fmt.fmt.pix.bytesperline * fmt.fmt.pix.height - ref_off;
			ref = malloc(ref_len);
			memcpy(ref, p + ref_off, ref_len);
			munmap(p, b.length);
		}
	}
	ioctl(vfd, VIDIOC_STREAMOFF, &type);
	reqbufs(vfd, V4L2_MEMORY_MMAP, 0);
	return r;
}

static int nonzero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 1;
	return 0;
}

/*
 * Capture into @NBUFS of our buffers allocated with @o. Returns 0 with
 * *@same telling whether the frame equals the reference, or the -errno of
 * the V4L2 step that refused them (*@step names it).
 */
static int capture_ours(int vfd, struct dmalab_alloc_opts *o, int *same,
			const char **step)
{
	int fds[NBUFS] = { -1, -1 }, type = CAP, i, r = 0;
	struct v4l2_buffer b;
	struct dmalab_err err;
	unsigned char *p;

	*same = 0;
	o->len = (fmt.fmt.pix.sizeimage + 4095) & ~4095U;
	o->cloexec = 1;
	*step = "VIDIOC_REQBUFS";
	r = reqbufs(vfd, V4L2_MEMORY_DMABUF, NBUFS);
	if (r < NBUFS)
		return r < 0 ? r : -ENOBUFS;
	r = 0;
	for (i = 0; i < NBUFS && !r; i++) {
		fds[i] = dmalab_alloc(-1, o, &err);
		if (fds[i] < 0) {
			*step = "allocation";
			r = fds[i];
			break;
		}
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_DMABUF;
		b.index = i;
		b.m.fd = fds[i];
		b.length = o->len;
		*step = "VIDIOC_QBUF";
		r = ioctl(vfd, VIDIOC_QBUF, &b) ? -errno : 0;
	}
	if (!r) {
		*step = "VIDIOC_STREAMON";
		r = ioctl(vfd, VIDIOC_STREAMON, &type) ? -errno : 0;
	}
	if (!r) {
		*step = "VIDIOC_DQBUF";
		r = dqbuf(vfd, V4L2_MEMORY_DMABUF);
	}
	if (r >= 0 && !dmalab_buf_mmap(fds[r], 0, o->len, PROT_READ, (void **)&p, NULL)) {
		dmalab_buf_sync(fds[r], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
		*same = nonzero(p + ref_off, ref_len) &&
			!memcmp(p + ref_off, ref, ref_len);
		dmalab_buf_sync(fds[r], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
		munmap(p, o->len);
		r = 0;
	}
	ioctl(vfd, VIDIOC_STREAMOFF, &type);
	reqbufs(vfd, V4L2_MEMORY_DMABUF, 0);
	for (i = 0; i < NBUFS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

static int reload_vivid(const char *args)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rmmod vivid && modprobe vivid %s", args);
	return system(cmd);
}

/*
 * From 6.11 on, videobuf2's __prepare_dmabuf() does not put the dma-buf it
 * took when the allocator's attach fails (it jumps past the planes' put),
 * so a buffer refused at attach stays referenced and our module busy.
 */
static int vb2_leaks_on_attach_failure(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 1;
	return major > 6 || (major == 6 && minor >= 11);
}

static void run(int vfd, const char *name, struct dmalab_alloc_opts *o,
		int must_work)
{
	const char *step = "";
	int same, r = capture_ours(vfd, o, &same, &step);

	if (r)
		tap_diag("%s: %s refused: %s", name, step, strerror(-r));
	if (must_work) {
		tap_result(!r, "%s_captures_into_our_buffer", name);
		tap_result(!r && same, "%s_frame_equals_the_frame_vivid_captured_itself", name);
	} else {
		tap_result(r && !strcmp(step, "VIDIOC_QBUF"),
			   "%s_is_refused_cleanly_at_qbuf", name);
	}
}

int main(void)
{
	struct dmalab_alloc_opts scat = { .placement = DMALAB_EXP_PLACE_SCATTER };
	struct dmalab_alloc_opts contig = { .placement = DMALAB_EXP_PLACE_CONTIG,
					    .addr_bits = 32 };
	struct dmalab_alloc_opts scat32 = { .placement = DMALAB_EXP_PLACE_SCATTER,
					    .addr_bits = 32 };
	int vfd, i;

	tap_plan(10);
	vfd = vivid_open();
	if (vfd < 0 || capture_reference(vfd)) {
		tap_diag("no vivid capture device, or it does not capture");
		return 1;
	}
	tap_result(nonzero(ref, ref_len), "vivid_reference_frame_is_not_all_zeros");
	run(vfd, "vmalloc_scattered", &scat, 1);
	run(vfd, "vmalloc_contig_below_4g", &contig, 1);
	close(vfd);
	free(ref);
	ref = NULL;

	if (reload_vivid("allocators=1")) {
		for (i = 0; i < 5; i++)
			tap_skip("dma_contig", "cannot reload vivid with allocators=1");
		return tap_exit();
	}
	vfd = vivid_open();
	if (vfd < 0 || capture_reference(vfd)) {
		tap_diag("vivid with allocators=1 does not capture");
		reload_vivid("");
		return 1;
	}
	run(vfd, "dma_contig_contig_below_4g", &contig, 1);
	if (vb2_leaks_on_attach_failure())
		tap_skip("dma_contig_scattered_is_refused_cleanly_at_qbuf",
			 "this kernel's videobuf2 leaks a dma-buf whose attach fails");
	else
		run(vfd, "dma_contig_scattered", &scat, 0);
	run(vfd, "dma_contig_scattered_below_4g", &scat32, 0);
	close(vfd);
	free(ref);
	tap_result(reload_vivid("") == 0, "vivid_is_reloaded_with_defaults");
	return tap_exit();
}
