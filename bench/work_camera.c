// SPDX-License-Identifier: GPL-2.0
/*
 * Workload "camera pipeline": vivid (the V4L2 test driver, instance
 * vivid-000 with its vmalloc allocator, as the guest loads it) captures
 * frames into dma-bufs of ours and of the system heap, queued with
 * V4L2_MEMORY_DMABUF, and into its own V4L2_MEMORY_MMAP buffers. The
 * format is 1280x720 YUYV (an HD webcam's) at the fastest frame interval
 * vivid offers for it (1/60 s on 6.12). vivid paces frames by that
 * interval, so frames per second show whether a pipeline keeps up, and
 * CPU time per frame what it costs: the CPU time of vivid's capture thread
 * (which draws each frame into the buffer) and of the bench (DQBUF,
 * QBUF), from their CPU clocks, divided by the frames. Each
 * repetition streams afresh: buffers allocated and queued, STREAMON, one
 * frame let by, N frames timed, STREAMOFF, buffers freed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "bench.h"

#define CAM_BUFS	4
#define CAM_WIDTH	1280
#define CAM_HEIGHT	720
#define CAM_TYPE	V4L2_BUF_TYPE_VIDEO_CAPTURE

/* The contenders: dma-buf sources, then vivid's own buffers. */
static const enum bench_src cam_srcs[] = { SRC_OURS, SRC_HEAP };
#define CAM_WHO_MMAP	ARRAY_SIZE(cam_srcs)
#define CAM_NWHO	(CAM_WHO_MMAP + 1)

struct cam {
	int vfd;
	struct v4l2_format fmt;
	struct v4l2_fract tpf;	/* the frame interval in use */
	int frames;		/* timed per repetition */
};

/* vivid-000's capture node, or -errno. */
static int cam_open(void)
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
		    !strcmp((char *)cap.bus_info, "platform:vivid-000") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

/* 1280x720 YUYV at the shortest frame interval vivid lists for it. */
static int cam_setup(struct cam *c)
{
	struct v4l2_frmivalenum iv;
	struct v4l2_streamparm parm;
	struct v4l2_fract best = { 0, 0 };

	memset(&c->fmt, 0, sizeof(c->fmt));
	c->fmt.type = CAM_TYPE;
	c->fmt.fmt.pix.width = CAM_WIDTH;
	c->fmt.fmt.pix.height = CAM_HEIGHT;
	c->fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	c->fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(c->vfd, VIDIOC_S_FMT, &c->fmt))
		return -errno;
	memset(&iv, 0, sizeof(iv));
	iv.pixel_format = c->fmt.fmt.pix.pixelformat;
	iv.width = c->fmt.fmt.pix.width;
	iv.height = c->fmt.fmt.pix.height;
	for (; !ioctl(c->vfd, VIDIOC_ENUM_FRAMEINTERVALS, &iv); iv.index++) {
		if (iv.type != V4L2_FRMIVAL_TYPE_DISCRETE)
			break;
		/* a/b < c/d */
		if (!best.denominator ||
		    (uint64_t)iv.discrete.numerator * best.denominator <
		    (uint64_t)best.numerator * iv.discrete.denominator)
			best = iv.discrete;
	}
	memset(&parm, 0, sizeof(parm));
	parm.type = CAM_TYPE;
	if (best.denominator) {
		parm.parm.capture.timeperframe = best;
		if (ioctl(c->vfd, VIDIOC_S_PARM, &parm))
			return -errno;
	} else if (ioctl(c->vfd, VIDIOC_G_PARM, &parm)) {
		return -errno;
	}
	c->tpf = parm.parm.capture.timeperframe;
	return c->tpf.numerator && c->tpf.denominator ? 0 : -EINVAL;
}

static int cam_reqbufs(struct cam *c, uint32_t memory, uint32_t count)
{
	struct v4l2_requestbuffers rb = { .count = count, .type = CAM_TYPE,
					  .memory = memory };

	if (ioctl(c->vfd, VIDIOC_REQBUFS, &rb))
		return -errno;
	return count && rb.count < count ? -ENOMEM : 0;
}

static int cam_qbuf(struct cam *c, uint32_t memory, uint32_t index,
		    const struct bench_buf *bufs)
{
	struct v4l2_buffer b = { .type = CAM_TYPE, .memory = memory,
				 .index = index };

	if (memory == V4L2_MEMORY_DMABUF) {
		b.m.fd = bufs[index].fd;
		b.length = bufs[index].size;
	}
	return ioctl(c->vfd, VIDIOC_QBUF, &b) ? -errno : 0;
}

static int cam_dqbuf(struct cam *c, uint32_t memory)
{
	struct v4l2_buffer b = { .type = CAM_TYPE, .memory = memory };
	struct pollfd pfd = { .fd = c->vfd, .events = POLLIN };

	if (poll(&pfd, 1, 10000) != 1)
		return -ETIMEDOUT;
	if (ioctl(c->vfd, VIDIOC_DQBUF, &b))
		return -errno;
	return (int)b.index;
}

/* The pid of vivid-000's capture thread (it lives while streaming), or 0. */
static pid_t cam_thread(void)
{
	static const char name[] = "vivid-000-vid-c";	/* comm: 15 chars */
	struct dirent *de;
	char path[300], comm[32];
	pid_t pid = 0;
	DIR *d = opendir("/proc");
	FILE *f;

	while (d && !pid && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, name, sizeof(name) - 1))
			pid = atoi(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return pid;
}

/* CPU time of @clock in nanoseconds, or -1. */
static double cam_cpu_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return -1;
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * CPU time of the pipeline so far: vivid's capture thread (it draws each
 * frame into the buffer) and this process (DQBUF, QBUF), from their CPU
 * clocks, which count to the nanosecond, the running slice included.
 */
static double cam_pipeline_cpu_ns(clockid_t vivid)
{
	double a = cam_cpu_ns(vivid), b = cam_cpu_ns(CLOCK_PROCESS_CPUTIME_ID);

	return a < 0 || b < 0 ? -1 : a + b;
}

/*
 * One stream of @c->frames timed frames into @bufs (DMABUF) or vivid's
 * own buffers (MMAP, @bufs NULL): frames per second, CPU ns per frame.
 */
static int cam_stream(struct cam *c, const struct bench_buf *bufs,
		      double *fps, double *cpu)
{
	uint32_t memory = bufs ? V4L2_MEMORY_DMABUF : V4L2_MEMORY_MMAP;
	int type = CAM_TYPE, i, idx, ret;
	clockid_t vivid = CLOCK_PROCESS_CPUTIME_ID;
	uint64_t t0 = 0;
	double c0 = -1;

	ret = cam_reqbufs(c, memory, CAM_BUFS);
	for (i = 0; i < CAM_BUFS && !ret; i++)
		ret = cam_qbuf(c, memory, i, bufs);
	if (!ret && ioctl(c->vfd, VIDIOC_STREAMON, &type))
		ret = -errno;
	/* Frame 0 starts the clock; frames 1..N are timed. */
	for (i = 0; i <= c->frames && !ret; i++) {
		idx = cam_dqbuf(c, memory);
		if (idx < 0) {
			ret = idx;
			break;
		}
		if (i == 0) {
			pid_t pid = cam_thread();

			if (pid && !clock_getcpuclockid(pid, &vivid))
				c0 = cam_pipeline_cpu_ns(vivid);
			t0 = bench_now_ns();
		}
		ret = cam_qbuf(c, memory, idx, bufs);
	}
	if (!ret) {
		double dt = (double)(bench_now_ns() - t0);
		double c1 = c0 < 0 ? -1 : cam_pipeline_cpu_ns(vivid);

		*fps = c->frames * 1e9 / dt;
		*cpu = c1 < 0 ? -1 : (c1 - c0) / c->frames;
	}
	ioctl(c->vfd, VIDIOC_STREAMOFF, &type);
	cam_reqbufs(c, memory, 0);
	return ret;
}

/* One repetition for contender @w; dma-bufs are allocated per stream. */
static int cam_rep(struct cam *c, unsigned int w, double *fps, double *cpu)
{
	struct bench_buf bufs[CAM_BUFS];
	size_t size = (c->fmt.fmt.pix.sizeimage + 4095) & ~(size_t)4095;
	int i, n, ret = 0;

	if (w == CAM_WHO_MMAP)
		return cam_stream(c, NULL, fps, cpu);
	for (n = 0; n < CAM_BUFS && !ret; n++) {
		ret = bench_buf_alloc(cam_srcs[w], size, &bufs[n]);
		if (ret)
			break;
	}
	if (!ret)
		ret = cam_stream(c, bufs, fps, cpu);
	for (i = 0; i < n; i++)
		bench_buf_free(&bufs[i]);
	return ret;
}

static const char *cam_who(unsigned int w)
{
	return w == CAM_WHO_MMAP ? "vivid_mmap" : bench_src_name(cam_srcs[w]);
}

static void cam_record(struct cam *c, unsigned int w, double *fps,
		       double *cpu, int n, int err)
{
	struct bench_stat st;
	char params[128];
	int i, ncpu = 0;

	snprintf(params, sizeof(params),
		 "\"width\":%u,\"height\":%u,\"frames\":%d,\"nominal_fps\":%.4g",
		 c->fmt.fmt.pix.width, c->fmt.fmt.pix.height, c->frames,
		 c->tpf.numerator ?
		 (double)c->tpf.denominator / c->tpf.numerator : 0.0);
	bench_stat_of(&st, fps, n);
	bench_record("work_camera", cam_who(w), params, "fps", "fps", &st,
		     n ? 0 : err);
	/* Streams whose capture thread was not found have no CPU figure. */
	for (i = 0; i < n; i++)
		if (cpu[i] >= 0)
			cpu[ncpu++] = cpu[i];
	bench_stat_of(&st, cpu, ncpu);
	bench_record("work_camera", cam_who(w), params, "cpu_per_frame", "ns",
		     &st, !n ? err : ncpu ? 0 : ENOENT);
}

void bench_work_camera(void)
{
	double fps[CAM_NWHO][BENCH_MAX_REPS], cpu[CAM_NWHO][BENCH_MAX_REPS];
	int n[CAM_NWHO] = { 0 }, err[CAM_NWHO] = { 0 }, r, ret;
	struct cam c = { .vfd = -1, .frames = bench.quick ? 15 : 40 };
	struct stat st;
	unsigned int w, i;

	bench_progress("camera pipeline: vivid");
	ret = stat("/sys/module/vivid", &st) ? -ENODEV : 0;
	if (!ret) {
		c.vfd = cam_open();
		ret = c.vfd < 0 ? c.vfd : cam_setup(&c);
	}
	if (ret) {
		for (w = 0; w < CAM_NWHO; w++)
			cam_record(&c, w, NULL, NULL, 0, -ret);
		goto out;
	}
	bench_meta("vivid_format", "%ux%u YUYV, %u/%u s per frame",
		   c.fmt.fmt.pix.width, c.fmt.fmt.pix.height,
		   c.tpf.numerator, c.tpf.denominator);
	/* Contenders take turns, so that a slow spell of the host hits all. */
	for (r = 0; r < bench.reps; r++)
		for (i = 0; i < CAM_NWHO; i++) {
			w = (i + r) % CAM_NWHO;
			if (err[w])
				continue;
			ret = cam_rep(&c, w, &fps[w][n[w]], &cpu[w][n[w]]);
			if (ret)
				err[w] = -ret;
			else
				n[w]++;
		}
	for (w = 0; w < CAM_NWHO; w++)
		cam_record(&c, w, fps[w], cpu[w], n[w], err[w]);
out:
	if (c.vfd >= 0)
		close(c.vfd);
}
