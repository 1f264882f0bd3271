// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab capture: a camera-like producer (vivid, V4L2) captures frames
 * straight into dmalab_exp buffers (V4L2_MEMORY_DMABUF), then a DRM driver
 * (vgem) imports the same buffers by PRIME. The figures show there was no
 * copy: vgem hands back the very same dma-buf, and the exporter's counters
 * show the devices attached to the one set of pages and no copy made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "cli.h"

#define CAP_MAX_BUFS	8

static struct cli_opt capture_opts[] = {
	OPT("video", "PATH", "the V4L2 capture device (default: the first vivid one)"),
	OPT("frames", "N", "frames to capture (default 3, at most 8)"),
	OPT("width", "PIXELS", "frame width asked for (default 320)"),
	OPT("height", "PIXELS", "frame height asked for (default 240)"),
	OPT_END,
};

/* Open the first /dev/videoN whose driver is @driver and that captures. */
static int cap_find_video(const char *driver, char *path, size_t len)
{
	struct v4l2_capability cap;
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, len, "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, driver) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

struct cap_state {
	int vfd;
	int exp;
	int nbufs;
	int fds[CAP_MAX_BUFS];
	uint64_t size;
	struct v4l2_format fmt;
	int frames;
	uint64_t nonzero;	/* non-zero bytes in the last frame */
	uint64_t sum;		/* its checksum through our mmap */
	uint32_t bytesused;
	double ms;
};

static int cap_setup(struct cli *c, struct cap_state *s, uint64_t w,
		     uint64_t h)
{
	struct dmalab_alloc_opts o = { .placement = DMALAB_EXP_PLACE_SCATTER,
				       .cloexec = 1 };
	struct v4l2_requestbuffers req;
	struct v4l2_buffer b;
	int i;

	memset(&s->fmt, 0, sizeof(s->fmt));
	s->fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (ioctl(s->vfd, VIDIOC_G_FMT, &s->fmt))
		return cli_fail(c, "VIDIOC_G_FMT: %s", strerror(errno));
	s->fmt.fmt.pix.width = w;
	s->fmt.fmt.pix.height = h;
	if (ioctl(s->vfd, VIDIOC_S_FMT, &s->fmt))
		return cli_fail(c, "VIDIOC_S_FMT %llux%llu: %s", (unsigned long long)w,
				(unsigned long long)h, strerror(errno));
	s->size = (s->fmt.fmt.pix.sizeimage + 4095) & ~4095ULL;
	o.len = s->size;
	memset(&req, 0, sizeof(req));
	req.count = s->nbufs;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_DMABUF;
	if (ioctl(s->vfd, VIDIOC_REQBUFS, &req))
		return cli_fail(c, "VIDIOC_REQBUFS of %d DMABUF buffers: %s",
				s->nbufs, strerror(errno));
	if ((int)req.count < s->nbufs)
		s->nbufs = req.count;
	for (i = 0; i < s->nbufs; i++) {
		s->fds[i] = dmalab_alloc(s->exp, &o, &c->err);
		if (s->fds[i] < 0)
			return cli_lib_fail(c);
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		b.m.fd = s->fds[i];
		b.length = s->size;
		if (ioctl(s->vfd, VIDIOC_QBUF, &b))
			return cli_fail(c, "VIDIOC_QBUF of our dma-buf %d: %s", i,
					strerror(errno));
	}
	return 0;
}

static int cap_frames(struct cli *c, struct cap_state *s, int want)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer b;
	uint8_t *p;
	uint64_t i;
	double t0 = now_ms();

	if (ioctl(s->vfd, VIDIOC_STREAMON, &type))
		return cli_fail(c, "VIDIOC_STREAMON: %s", strerror(errno));
	for (s->frames = 0; s->frames < want; s->frames++) {
		if (dmalab_buf_poll(s->vfd, POLLIN, 5000, &c->err) != 1)
			return cli_fail(c, "no frame from the video device within 5 s");
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		if (ioctl(s->vfd, VIDIOC_DQBUF, &b))
			return cli_fail(c, "VIDIOC_DQBUF: %s", strerror(errno));
		s->bytesused = b.bytesused;
		if (dmalab_buf_mmap(s->fds[b.index], 0, s->size, PROT_READ,
				    (void **)&p, &c->err))
			return cli_lib_fail(c);
		dmalab_buf_sync(s->fds[b.index], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
		s->nonzero = 0;
		for (i = 0; i < b.bytesused && i < s->size; i++)
			s->nonzero += p[i] != 0;
		s->sum = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, p, b.bytesused);
		dmalab_buf_sync(s->fds[b.index], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
		munmap(p, s->size);
		if (s->frames + 1 < want && ioctl(s->vfd, VIDIOC_QBUF, &b))
			return cli_fail(c, "VIDIOC_QBUF: %s", strerror(errno));
	}
	s->ms = now_ms() - t0;
	return 0;
}

/* vgem imports buffer 0 by PRIME; show it gets the very same dma-buf. */
static int cap_vgem(struct cli *c, struct cap_state *s, int drm,
		    struct dmalab_exp_info *info, struct dmalab_exp_attach_info *att,
		    int *same)
{
	struct stat a, b;
	uint32_t handle;
	int ret, re;

	ret = dmalab_drm_prime_import(drm, s->fds[0], &handle, NULL);
	if (ret)
		return cli_fail(c, "vgem PRIME import of our dma-buf: %s",
				strerror(-ret));
	re = dmalab_drm_prime_export(drm, handle, O_CLOEXEC, NULL);
	if (re < 0) {
		ret = cli_fail(c, "vgem PRIME export back: %s", strerror(-re));
		goto close;
	}
	*same = !fstat(re, &a) && !fstat(s->fds[0], &b) &&
		a.st_ino == b.st_ino && a.st_dev == b.st_dev;
	close(re);
	ret = dmalab_exp_get_info(s->exp, s->fds[0], info, att, 4, &c->err) ?
	      cli_lib_fail(c) : 0;
close:
	dmalab_drm_gem_close(drm, handle, NULL);
	return ret;
}

static int capture_run(struct cli *c)
{
	struct cap_state s = { .vfd = -1, .exp = -1 };
	struct dmalab_exp_attach_info att[4];
	struct dmalab_exp_info info;
	char vpath[32], dpath[32];
	uint64_t frames, w, h;
	int drm = -1, same = 0, ret, i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	const char *video = cli_str(c, "video", NULL);

	ret = cli_u64(c, "frames", 3, &frames);
	if (!ret)
		ret = cli_u64(c, "width", 320, &w);
	if (!ret)
		ret = cli_u64(c, "height", 240, &h);
	if (ret)
		return ret;
	if (!frames || frames > 64 || !w || !h || w > 4096 || h > 4096)
		return cli_usage(c, "--frames 1..64, --width and --height 1..4096");
	s.nbufs = frames < CAP_MAX_BUFS ? frames : CAP_MAX_BUFS;
	if (s.nbufs < 2)
		s.nbufs = 2;
	if (video) {
		snprintf(vpath, sizeof(vpath), "%s", video);
		s.vfd = open(video, O_RDWR | O_CLOEXEC);
	} else {
		s.vfd = cap_find_video("vivid", vpath, sizeof(vpath));
	}
	if (s.vfd < 0)
		return cli_fail(c, "%s: no V4L2 capture device (is vivid loaded?)",
				video ? video : "vivid");
	drm = dmalab_drm_open("vgem", dpath, sizeof(dpath), NULL);
	if (drm < 0) {
		ret = cli_fail(c, "no vgem DRM device in /dev/dri (is vgem loaded?)");
		goto out;
	}
	s.exp = open_exp(c);
	if (s.exp < 0) {
		ret = cli_lib_fail(c);
		goto out;
	}
	for (i = 0; i < CAP_MAX_BUFS; i++)
		s.fds[i] = -1;
	ret = cap_setup(c, &s, w, h);
	if (!ret)
		ret = cap_frames(c, &s, frames);
	ioctl(s.vfd, VIDIOC_STREAMOFF, &type);
	if (!ret)
		ret = cap_vgem(c, &s, drm, &info, att, &same);
	if (ret)
		goto out;
	out_begin(c);
	out_str(c, "video", vpath);
	out_str(c, "drm", dpath);
	out_u64(c, "width", s.fmt.fmt.pix.width);
	out_u64(c, "height", s.fmt.fmt.pix.height);
	out_u64(c, "buffers", s.nbufs);
	out_u64(c, "buffer_size", s.size);
	out_u64(c, "frames", s.frames);
	out_u64(c, "bytesused", s.bytesused);
	out_u64(c, "nonzero_bytes", s.nonzero);
	out_hex(c, "last_frame_fnv1a64", s.sum);
	out_ms(c, "capture_ms", s.ms);
	out_bool(c, "vgem_same_dmabuf", same);
	out_u64(c, "copies", info.nr_copy_in + info.nr_copy_out + info.nr_migrations);
	show_exp_info(c, &info, att);
	out_end(c);
	if (!same)
		ret = cli_fail(c, "vgem did not give back the same dma-buf");
	else if (!s.nonzero)
		ret = cli_fail(c, "the captured frame is all zeros");
out:
	for (i = 0; i < CAP_MAX_BUFS; i++)
		if (s.fds[i] >= 0)
			close(s.fds[i]);
	if (s.exp >= 0)
		close(s.exp);
	if (drm >= 0)
		close(drm);
	if (s.vfd >= 0)
		close(s.vfd);
	return ret;
}

const struct cli_cmd cmd_capture = {
	.name = "capture",
	.usage = "[--video PATH] [--frames N]",
	.summary = "capture frames from vivid into our buffers, import them into vgem",
	.details = "Needs the vivid and vgem modules. Shows the frames' figures, that vgem's\n"
		   "PRIME export of the imported buffer is the same dma-buf, and the\n"
		   "exporter's view of the first buffer (devices attached, copies made).",
	.opts = capture_opts,
	.run = capture_run,
};
