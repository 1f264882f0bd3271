// SPDX-License-Identifier: GPL-2.0
/*
 * The importer takes any dma-buf: vgem (DRM PRIME), vivid (VIDIOC_EXPBUF),
 * and where the kernel has them the system heap and udmabuf. For each, data
 * the CPU writes through the dma-buf's mmap is what the edu device reads,
 * and what a simulated device writes is what the CPU reads back.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <dirent.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define LEN 4096

static int fd;
static __u32 edu, sim;

static int src_vivid(size_t *size)
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

static void skip3(const char *name, int from, const char *why)
{
	static const char *const what[] = {
		"imported_attached_and_mapped", "edu_reads_what_cpu_wrote",
		"cpu_reads_what_device_wrote",
	};
	char t[96];
	int i;

	for (i = from; i < 3; i++) {
		snprintf(t, sizeof(t), "%s_%s", name, what[i]);
		tap_skip(t, why);
	}
}

static void run_source(const char *name, int bfd, size_t size)
{
	static unsigned char pat[LEN], want[LEN];
	__u32 h = 0, ae = 0, as = 0;
	unsigned char *map;
	uint64_t sum = 0;
	int r, i;

	if (bfd < 0) {
		skip3(name, 0, bfd == -ENOENT || bfd == -ENODEV ?
		      "exporter not present on this kernel" : strerror(-bfd));
		return;
	}
	/*
	 * One device mapping at a time, each in the direction the device uses:
	 * the system heap syncs every mapped attachment in the CPU access's
	 * direction, and maps without DMA_ATTR_SKIP_CPU_SYNC, so two of its
	 * mappings at once trip DMA-API debugging (see the README).
	 */
	r = dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ?:
	    dmalab_imp_attach_dev(fd, h, edu, &ae, NULL) ?:
	    dmalab_imp_attach_dev(fd, h, sim, &as, NULL) ?:
	    dmalab_imp_map_attach(fd, ae, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	tap_result(!r, "%s_imported_attached_and_mapped", name);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (r || map == MAP_FAILED) {
		skip3(name, 1, r ? "import failed" : "mmap of the dma-buf failed");
		close(bfd);
		return;
	}
	for (i = 0; i < LEN; i++)
		pat[i] = (i * 31 + size) & 0xff;
	dmalab_buf_sync(bfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, NULL);
	memcpy(map, pat, LEN);
	dmalab_buf_sync(bfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, NULL);
	r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					    .src_attach = ae, .len = LEN),
			       &sum, NULL);
	tap_result(!r && sum == imp_fnv(pat, LEN),
		   "%s_edu_reads_what_cpu_wrote", name);

	memcpy(want, pat, LEN);
	memset(want + 512, 0x3c, 2048);
	r = dmalab_imp_unmap_attach(fd, ae, NULL) ?:
	    dmalab_imp_map_attach(fd, as, DMALAB_IMP_DIR_FROM_DEVICE, NULL) ?:
	    dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
					    .dst_attach = as, .dst_offset = 512,
					    .len = 2048, .pattern = 0x3c),
			       NULL, NULL);
	dmalab_buf_sync(bfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, NULL);
	tap_result(!r && !memcmp(map, want, LEN),
		   "%s_cpu_reads_what_device_wrote", name);
	dmalab_buf_sync(bfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	munmap(map, size);
	dmalab_imp_unmap_attach(fd, as, NULL);
	dmalab_imp_detach(fd, ae, NULL);
	dmalab_imp_detach(fd, as, NULL);
	dmalab_imp_release(fd, h, NULL);
	close(bfd);
}

int main(void)
{
	struct dmalab_imp_dev_info info;
	size_t vsize = 0;
	int vfd;

	tap_plan(12);
	fd = dmalab_imp_open(NULL);
	if (fd < 0 || test_edu(fd, 1, &edu, &info) ||
	    test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim)) {
		tap_diag("setup failed");
		return 1;
	}
	run_source("vgem", dmalab_vgem_alloc(-1, 2 * LEN, NULL, NULL), 2 * LEN);
	run_source("system_heap", dmalab_heap_alloc(-1, 2 * LEN, NULL), 2 * LEN);
	/*
	 * udmabuf maps its pages for its own device at the first CPU access,
	 * in that access's direction, and syncs later accesses in theirs:
	 * DMA-API debugging reports each one of another direction.
	 */
	if (access("/sys/kernel/debug/dma-api", F_OK))
		run_source("udmabuf", dmalab_udmabuf_alloc(-1, 2 * LEN, NULL),
			   2 * LEN);
	else
		skip3("udmabuf", 0, "udmabuf syncs CPU access against its first access's direction: DMA-API debugging reports it (README)");
	vfd = src_vivid(&vsize);
	if (vfd >= 0 && vsize < LEN) {
		close(vfd);
		vfd = -EINVAL;
	}
	run_source("vivid", vfd, vsize);
	close(fd);
	return tap_exit();
}
