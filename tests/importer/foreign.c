// SPDX-License-Identifier: GPL-2.0
/*
 * The importer takes any dma-buf: vgem (DRM PRIME), vivid (VIDIOC_EXPBUF),
 * and where the kernel has them the system heap and udmabuf. For each, data
 * the CPU writes through the dma-buf's mmap is what the edu device reads,
 * and what a simulated device writes is what the CPU reads back.
 *
 * One device mapping at a time, each in the direction the device uses: the
 * system heap syncs every mapped attachment in the CPU access's direction,
 * and maps without DMA_ATTR_SKIP_CPU_SYNC, so two of its mappings at once
 * trip DMA-API debugging (see the README).
 */
#include "dmalab_test.h"
#include "kselftest_harness.h"

#include <linux/videodev2.h>

#define LEN 4096

static int alloc_vgem(size_t *size)
{
	*size = 2 * LEN;
	return dmalab_vgem_alloc(-1, *size, NULL, NULL);
}

static int alloc_system_heap(size_t *size)
{
	*size = 2 * LEN;
	return dmalab_heap_alloc(-1, *size, NULL);
}

static int alloc_udmabuf(size_t *size)
{
	*size = 2 * LEN;
	return dmalab_udmabuf_alloc(-1, *size, NULL);
}

/* The first buffer of the first vivid capture device, exported. */
static int alloc_vivid(size_t *size)
{
	char path[32];
	int i, vfd;

	for (i = 0; i < 16; i++) {
		struct v4l2_capability cap;
		struct v4l2_requestbuffers rb = {
			.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		struct v4l2_exportbuffer eb = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .flags = O_RDWR,
		};
		struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

		snprintf(path, sizeof(path), "/dev/video%d", i);
		vfd = open(path, O_RDWR | O_CLOEXEC);
		if (vfd < 0)
			continue;
		if (ioctl(vfd, VIDIOC_QUERYCAP, &cap) ||
		    strcmp((char *)cap.driver, "vivid") ||
		    !(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) ||
		    ioctl(vfd, VIDIOC_G_FMT, &fmt) ||
		    ioctl(vfd, VIDIOC_REQBUFS, &rb) || !rb.count ||
		    ioctl(vfd, VIDIOC_EXPBUF, &eb)) {
			close(vfd);
			continue;
		}
		*size = fmt.fmt.pix.sizeimage;
		/* The exported dma-buf keeps the vb2 buffer alive. */
		return eb.fd;
	}
	return -ENODEV;
}

/* A buffer of one exporter, the importer's edu device B and a sim. */
FIXTURE(foreign) {
	int fd, bfd;
	size_t size;
	__u32 edu, sim;
	unsigned char pat[LEN];
};

FIXTURE_VARIANT(foreign) {
	int (*alloc)(size_t *size);
	const char *dma_debug_skip;	/* skip under DMA-API debugging: why */
};

FIXTURE_VARIANT_ADD(foreign, vgem) { .alloc = alloc_vgem };
FIXTURE_VARIANT_ADD(foreign, system_heap) { .alloc = alloc_system_heap };
/*
 * udmabuf maps its pages for its own device at the first CPU access, in
 * that access's direction, and syncs later accesses in theirs: DMA-API
 * debugging reports each one of another direction.
 */
FIXTURE_VARIANT_ADD(foreign, udmabuf) {
	.alloc = alloc_udmabuf,
	.dma_debug_skip = "udmabuf syncs CPU access against its first access's direction: DMA-API debugging reports it (README)",
};
FIXTURE_VARIANT_ADD(foreign, vivid) { .alloc = alloc_vivid };

FIXTURE_SETUP(foreign)
{
	struct dmalab_imp_dev_info info;
	size_t i;

	self->bfd = -1;
	self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/dmalab_imp: %d", self->fd);
	TEST_EDU(self->fd, 1, &self->edu, &info);
	ASSERT_EQ(0, test_sim(self->fd, 64, 0, 0, 0, 0, 0, 0, &self->sim));
	if (variant->dma_debug_skip && !access("/sys/kernel/debug/dma-api", F_OK))
		SKIP(return, "%s", variant->dma_debug_skip);
	self->bfd = variant->alloc(&self->size);
	if (self->bfd == -ENOENT || self->bfd == -ENODEV)
		SKIP(return, "exporter not present on this kernel");
	if (self->bfd < 0)
		SKIP(return, "no buffer: %s", strerror(-self->bfd));
	if (self->size < LEN)
		SKIP(return, "a %zu-byte buffer, below the %d bytes tested",
		     self->size, LEN);
	for (i = 0; i < LEN; i++)
		self->pat[i] = (i * 31 + self->size) & 0xff;
}

FIXTURE_TEARDOWN(foreign)
{
	if (self->bfd >= 0)
		close(self->bfd);
	close(self->fd);
}

TEST_F(foreign, imported_attached_and_mapped)
{
	__u32 h, ae, as;

	ASSERT_EQ(0, dmalab_imp_import_fd(self->fd, self->bfd, &h, NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, h, self->edu, &ae, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, h, self->sim, &as, NULL));
	EXPECT_EQ(0, dmalab_imp_map_attach(self->fd, ae,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
}

/* @pat into the buffer's first LEN bytes through its mmap, synced. */
static void cpu_write_pat(struct __test_metadata *_metadata,
			  FIXTURE_DATA(foreign) *self, unsigned char *map)
{
	ASSERT_EQ(0, dmalab_buf_sync(self->bfd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_WRITE, NULL));
	memcpy(map, self->pat, LEN);
	ASSERT_EQ(0, dmalab_buf_sync(self->bfd, DMA_BUF_SYNC_END |
				     DMA_BUF_SYNC_WRITE, NULL));
}

TEST_F(foreign, edu_reads_what_cpu_wrote)
{
	struct dmalab_imp_mapping m;
	unsigned char *map;
	uint64_t sum = 0;

	map = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->bfd, 0);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(0, dmalab_imp_map_fd(self->fd, self->bfd, self->edu,
				       DMALAB_IMP_DIR_TO_DEVICE, &m, NULL));
	cpu_write_pat(_metadata, self, map);
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = m.attach_id, .len = LEN),
			&sum, NULL));
	EXPECT_EQ(test_fnv(self->pat, LEN), sum);
	munmap(map, self->size);
}

TEST_F(foreign, cpu_reads_what_device_wrote)
{
	struct dmalab_imp_mapping m;
	unsigned char want[LEN];
	unsigned char *map;

	map = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->bfd, 0);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap: %s", strerror(errno));
	cpu_write_pat(_metadata, self, map);
	memcpy(want, self->pat, LEN);
	memset(want + 512, 0x3c, 2048);
	ASSERT_EQ(0, dmalab_imp_map_fd(self->fd, self->bfd, self->sim,
				       DMALAB_IMP_DIR_FROM_DEVICE, &m, NULL));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = m.attach_id, .dst_offset = 512,
				 .len = 2048, .pattern = 0x3c),
			NULL, NULL));
	ASSERT_EQ(0, dmalab_buf_sync(self->bfd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_READ, NULL));
	EXPECT_EQ(0, memcmp(map, want, LEN));
	dmalab_buf_sync(self->bfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	munmap(map, self->size);
}

TEST_HARNESS_MAIN
