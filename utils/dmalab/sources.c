// SPDX-License-Identifier: GPL-2.0
/* dmalab tool: dma-bufs made by other kernel drivers (see sources.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "dmalab.h"
#include "sources.h"

const char *const source_names[] = { "vgem", "vivid", "heap", "udmabuf", NULL };

static int src_vivid(struct source *s)
{
	struct v4l2_requestbuffers rb = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .flags = O_RDWR | O_CLOEXEC,
	};
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_capability cap;
	char path[32];
	int i, vfd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		vfd = open(path, O_RDWR | O_CLOEXEC);
		if (vfd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(vfd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    !ioctl(vfd, VIDIOC_G_FMT, &fmt) &&
		    !ioctl(vfd, VIDIOC_REQBUFS, &rb) && rb.count &&
		    !ioctl(vfd, VIDIOC_EXPBUF, &eb))
			break;
		close(vfd);
	}
	if (i == 64)
		return -ENODEV;
	s->fd = eb.fd;
	s->keep = vfd;
	s->size = fmt.fmt.pix.sizeimage;
	return 0;
}

int source_known(const char *name)
{
	int i;

	if (!strncmp(name, "heap:", 5) && name[5] && !strchr(name + 5, '/'))
		return 1;
	for (i = 0; source_names[i]; i++)
		if (!strcmp(name, source_names[i]))
			return 1;
	return 0;
}

int source_open(const char *name, uint64_t size, struct source *s)
{
	int fd = -EINVAL, r;

	s->fd = -1;
	s->keep = -1;
	s->size = 0;
	if (!strcmp(name, "vivid"))
		return src_vivid(s);
	if (!strcmp(name, "vgem"))
		fd = dmalab_vgem_alloc(-1, size, NULL, NULL);
	else if (!strcmp(name, "heap"))
		fd = dmalab_heap_alloc(-1, size, NULL);
	else if (!strncmp(name, "heap:", 5))
		fd = dmalab_heap_alloc_from(name + 5, size, 0, NULL);
	else if (!strcmp(name, "udmabuf"))
		fd = dmalab_udmabuf_alloc(-1, size, NULL);
	if (fd < 0)
		return fd;
	s->fd = fd;
	/* What the exporter made, which may be rounded up from @size. */
	r = dmalab_buf_size(fd, &s->size, NULL);
	if (r)
		source_close(s);
	return r;
}

void source_close(struct source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->keep >= 0)
		close(s->keep);
	s->fd = -1;
	s->keep = -1;
}
