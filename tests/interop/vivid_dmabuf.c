// SPDX-License-Identifier: GPL-2.0
/*
 * vivid (V4L2) captures into our buffers with V4L2_MEMORY_DMABUF. With its
 * default vmalloc allocator vivid writes through our vmap, so any placement
 * serves. With allocators=1 (dma-contig) it needs one contiguous DMA range: our contiguous, below-4 GiB buffer must work and a scattered
 * buffer (above 4 GiB, or below it but in pieces) must be refused cleanly
 * at VIDIOC_QBUF. Frames are compared with a frame captured into vivid's
 * own MMAP buffers (its test pattern is not all zeros); only the lower half
 * is compared, above it vivid prints text that changes per frame.
 *
 * The guest loads vivid with two instances, vivid-000 with vmalloc and
 * vivid-001 with dma-contig (n_devs=2 allocators=0,1: vm/guest/modules);
 * each test opens the instance with the allocator it needs and captures
 * its own reference frame. (Reloading vivid instead would trip, under
 * DEBUG_KOBJECT_RELEASE, vivid's own static platform device, released
 * after its module is gone.) The V4L2 ioctls, what these tests are about,
 * are called raw.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "dmalab.h"
#include "kselftest_harness.h"

#define NBUFS	2
#define CAP	V4L2_BUF_TYPE_VIDEO_CAPTURE

/* vivid's allocators= values. */
#define VMALLOC		0
#define DMA_CONTIG	1

/* An open vivid capture device and a reference frame it captured. */
FIXTURE(vivid) {
	int vfd;
	struct v4l2_format fmt;
	unsigned char *ref;	/* lower half of a frame in vivid's buffer */
	size_t ref_off, ref_len;
};

FIXTURE_SETUP(vivid)
{
	self->vfd = -1;
}

FIXTURE_TEARDOWN(vivid)
{
	if (self->vfd >= 0)
		close(self->vfd);
	free(self->ref);
}

/* The capture device of vivid instance @inst, its format in self->fmt. */
static int vivid_open(FIXTURE_DATA(vivid) *self, int inst)
{
	struct v4l2_capability cap;
	char path[32], bus[32];
	int i, fd;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    !strcmp((char *)cap.bus_info, bus) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
			memset(&self->fmt, 0, sizeof(self->fmt));
			self->fmt.type = CAP;
			if (!ioctl(fd, VIDIOC_G_FMT, &self->fmt))
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
static int capture_reference(FIXTURE_DATA(vivid) *self)
{
	struct v4l2_pix_format *pix = &self->fmt.fmt.pix;
	int vfd = self->vfd, type = CAP, i, n, r;
	struct v4l2_buffer b;
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
		p = mmap(NULL, b.length, PROT_READ, MAP_SHARED, vfd,
			 b.m.offset);
		if (p == MAP_FAILED) {
			r = -errno;
		} else {
			self->ref_off = pix->bytesperline * (pix->height / 2);
			self->ref_len = pix->bytesperline * pix->height -
					self->ref_off;
			self->ref = malloc(self->ref_len);
			if (self->ref)
				memcpy(self->ref, p + self->ref_off,
				       self->ref_len);
			else
				r = -ENOMEM;
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

static bool vivid_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/vivid", &st);
}

/*
 * The first vivid instance of @allocator (its allocators= value), or -1.
 * The parameter lists one value per instance ("0,1"), of n_devs of them.
 */
static int vivid_instance(int allocator)
{
	FILE *f = fopen("/sys/module/vivid/parameters/n_devs", "r");
	int n = 0, i, a, inst = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = 0;
	fclose(f);
	f = fopen("/sys/module/vivid/parameters/allocators", "r");
	if (!f)
		return -1;
	for (i = 0; i < n && inst < 0 && fscanf(f, "%d", &a) == 1; i++) {
		if (a == allocator)
			inst = i;
		if (fgetc(f) != ',')
			break;
	}
	fclose(f);
	return inst;
}

/*
 * The vivid instance with @allocator open and its reference frame
 * captured. False after a SKIP: the test must return.
 */
static bool vivid_start(struct __test_metadata *_metadata,
			FIXTURE_DATA(vivid) *self, int allocator)
{
	int inst, r;

	if (!vivid_loaded())
		SKIP(return false, "vivid is not loaded");
	inst = vivid_instance(allocator);
	ASSERT_LE(0, inst) TH_LOG("vivid has no instance with allocators=%d "
				  "(vm/guest/modules loads n_devs=2 "
				  "allocators=0,1)", allocator);
	self->vfd = vivid_open(self, inst);
	ASSERT_LE(0, self->vfd) TH_LOG("no capture device of vivid-%03d",
				       inst);
	r = capture_reference(self);
	ASSERT_EQ(0, r) TH_LOG("vivid (allocators=%d) does not capture: %s",
			       allocator, strerror(-r));
	return true;
}

/* What capture_ours() saw of the frame it captured. */
struct frame {
	const char *step;	/* the step refusing, when it failed */
	int blank;		/* its lower half is all zeros */
	int same;		/* its lower half equals the reference's */
};

/*
 * Capture into @NBUFS of our buffers allocated with @o. Returns 0 with
 * @fr telling what the frame is like, or the -errno of the step that
 * refused them (@fr->step names it).
 */
static int capture_ours(FIXTURE_DATA(vivid) *self,
			struct dmalab_alloc_opts *o, struct frame *fr)
{
	int fds[NBUFS] = { -1, -1 }, vfd = self->vfd, type = CAP, i, r;
	struct v4l2_buffer b;
	unsigned char *p;

	memset(fr, 0, sizeof(*fr));
	o->len = (self->fmt.fmt.pix.sizeimage + 4095) & ~4095U;
	o->cloexec = 1;
	fr->step = "VIDIOC_REQBUFS";
	r = reqbufs(vfd, V4L2_MEMORY_DMABUF, NBUFS);
	if (r < NBUFS)
		return r < 0 ? r : -ENOBUFS;
	r = 0;
	for (i = 0; i < NBUFS && !r; i++) {
		fds[i] = dmalab_alloc(-1, o, NULL);
		if (fds[i] < 0) {
			fr->step = "allocation";
			r = fds[i];
			break;
		}
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_DMABUF;
		b.index = i;
		b.m.fd = fds[i];
		b.length = o->len;
		fr->step = "VIDIOC_QBUF";
		r = ioctl(vfd, VIDIOC_QBUF, &b) ? -errno : 0;
	}
	if (!r) {
		fr->step = "VIDIOC_STREAMON";
		r = ioctl(vfd, VIDIOC_STREAMON, &type) ? -errno : 0;
	}
	if (!r) {
		fr->step = "VIDIOC_DQBUF";
		r = dqbuf(vfd, V4L2_MEMORY_DMABUF);
	}
	if (r >= 0) {
		i = r;
		fr->step = "mmap";
		r = dmalab_buf_mmap(fds[i], 0, o->len, PROT_READ, (void **)&p,
				    NULL);
	}
	if (!r) {
		dmalab_buf_sync(fds[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
				NULL);
		fr->blank = !nonzero(p + self->ref_off, self->ref_len);
		fr->same = !memcmp(p + self->ref_off, self->ref,
				   self->ref_len);
		dmalab_buf_sync(fds[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
				NULL);
		munmap(p, o->len);
		fr->step = NULL;
	}
	ioctl(vfd, VIDIOC_STREAMOFF, &type);
	reqbufs(vfd, V4L2_MEMORY_DMABUF, 0);
	for (i = 0; i < NBUFS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
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

/* Placements of our buffers. */
static const struct dmalab_alloc_opts scattered = {
	.placement = DMALAB_EXP_PLACE_SCATTER,
};
static const struct dmalab_alloc_opts contig_below_4g = {
	.placement = DMALAB_EXP_PLACE_CONTIG, .addr_bits = 32,
};
static const struct dmalab_alloc_opts scattered_below_4g = {
	.placement = DMALAB_EXP_PLACE_SCATTER, .addr_bits = 32,
};

/* vivid with @allocator captures into our buffers placed as @opts. */
static void captures(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vivid) *self, int allocator,
		     const struct dmalab_alloc_opts *opts)
{
	struct dmalab_alloc_opts o = *opts;
	struct frame fr;
	int r;

	if (!vivid_start(_metadata, self, allocator))
		return;
	r = capture_ours(self, &o, &fr);
	EXPECT_EQ(0, r) TH_LOG("%s refused: %s", fr.step, strerror(-r));
}

/* ... and the frame is the one vivid captures into its own buffers. */
static void frame_equals(struct __test_metadata *_metadata,
			 FIXTURE_DATA(vivid) *self, int allocator,
			 const struct dmalab_alloc_opts *opts)
{
	struct dmalab_alloc_opts o = *opts;
	struct frame fr;
	int r;

	if (!vivid_start(_metadata, self, allocator))
		return;
	r = capture_ours(self, &o, &fr);
	ASSERT_EQ(0, r) TH_LOG("%s refused: %s", fr.step, strerror(-r));
	EXPECT_FALSE(fr.blank) TH_LOG("the frame in our buffer is all zeros");
	EXPECT_TRUE(fr.same) TH_LOG("the frame differs from vivid's own");
}

/* vivid with @allocator refuses our buffers placed as @opts at QBUF. */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(vivid) *self, int allocator,
		    const struct dmalab_alloc_opts *opts)
{
	struct dmalab_alloc_opts o = *opts;
	struct frame fr;
	int r;

	if (!vivid_start(_metadata, self, allocator))
		return;
	r = capture_ours(self, &o, &fr);
	ASSERT_NE(0, r) TH_LOG("vivid captured into a buffer it cannot reach");
	EXPECT_STREQ("VIDIOC_QBUF", fr.step) TH_LOG("refused at %s: %s",
						    fr.step, strerror(-r));
}

TEST_F(vivid, vivid_reference_frame_is_not_all_zeros)
{
	if (!vivid_start(_metadata, self, VMALLOC))
		return;
	EXPECT_TRUE(nonzero(self->ref, self->ref_len));
}

TEST_F(vivid, vmalloc_scattered_captures_into_our_buffer)
{
	captures(_metadata, self, VMALLOC, &scattered);
}

TEST_F(vivid, vmalloc_scattered_frame_equals_the_frame_vivid_captured_itself)
{
	frame_equals(_metadata, self, VMALLOC, &scattered);
}

TEST_F(vivid, vmalloc_contig_below_4g_captures_into_our_buffer)
{
	captures(_metadata, self, VMALLOC, &contig_below_4g);
}

TEST_F(vivid, vmalloc_contig_below_4g_frame_equals_the_frame_vivid_captured_itself)
{
	frame_equals(_metadata, self, VMALLOC, &contig_below_4g);
}

TEST_F(vivid, dma_contig_contig_below_4g_captures_into_our_buffer)
{
	captures(_metadata, self, DMA_CONTIG, &contig_below_4g);
}

TEST_F(vivid, dma_contig_contig_below_4g_frame_equals_the_frame_vivid_captured_itself)
{
	frame_equals(_metadata, self, DMA_CONTIG, &contig_below_4g);
}

TEST_F(vivid, dma_contig_scattered_is_refused_cleanly_at_qbuf)
{
	if (vb2_leaks_on_attach_failure())
		SKIP(return,
		     "this kernel's videobuf2 leaks a dma-buf whose attach fails");
	refused(_metadata, self, DMA_CONTIG, &scattered);
}

TEST_F(vivid, dma_contig_scattered_below_4g_is_refused_cleanly_at_qbuf)
{
	refused(_metadata, self, DMA_CONTIG, &scattered_below_4g);
}

TEST_HARNESS_MAIN
