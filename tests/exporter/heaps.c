// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heaps backed by the exporter (heap/, dmalab_heap): on kernels
 * that export dma_heap_add() each heap of /dev/dma_heap/dmalab-* gives the
 * exporter's own buffers, placed as its name says, seen by INFO, debugfs
 * and the live counters like ALLOC's, and gone at close; bad requests get
 * the errno mainline's heaps give (the system heap's, checked side by
 * side) and leave nothing behind; the module stays (a heap cannot be
 * removed) without pinning the exporter. Where the kernel does not export
 * dma_heap_add() the exporter says so in the kernel log and the heap tests
 * are skipped with that reason.
 */
#include "dmalab_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/dma-heap.h>

#include "exp_util.h"
#include "kselftest_harness.h"

#define HEAP_MODULE	"/sys/module/dmalab_heap"
#define NO_HEAPS_LOG	"no DMA-BUF heaps: this kernel does not export dma_heap_add()"
#define DEBUGFS_BUFFERS	"/sys/kernel/debug/dmalab_exp/buffers"
/* One block of each order the exporter allocates. */
#define MIXED_LEN	(MiB + 64 * KiB + 4 * KiB)

/* Whether the kernel log holds @needle (1), not (0), or cannot be read. */
static int klog_has(const char *needle)
{
	FILE *f = popen("dmesg", "r");
	char line[1024];
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		found |= !!strstr(line, needle);
	return pclose(f) ? -1 : found;
}

static int heaps_loaded(void)
{
	struct stat st;

	return !stat(HEAP_MODULE, &st);
}

#define SKIP_WITHOUT_HEAPS()						\
	do {								\
		if (!heaps_loaded())					\
			SKIP(return, "no dmalab heaps: this kernel does not export dma_heap_add() (the exporter says so in the kernel log)"); \
	} while (0)

/*
 * Where the heap module was built and loaded, the exporter must not claim
 * the kernel lacks dma_heap_add(); where it was not, the exporter must say
 * so: the build's reading of Module.symvers and the running kernel agree.
 */
TEST(heaps_present_or_the_exporter_says_why)
{
	int said = klog_has(NO_HEAPS_LOG);

	ASSERT_LE(0, said) TH_LOG("cannot read the kernel log");
	if (heaps_loaded()) {
		EXPECT_EQ(0, said) TH_LOG("dmalab_heap is loaded, yet the exporter logged: %s",
					  NO_HEAPS_LOG);
	} else {
		EXPECT_EQ(1, said) TH_LOG("no dmalab_heap and no word of why in the kernel log");
	}
}

/* Lines of debugfs naming @name. */
static int debugfs_count(const char *name)
{
	FILE *f = fopen(DEBUGFS_BUFFERS, "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, name);
	fclose(f);
	return n;
}

FIXTURE(heap) {
	int exp, fd;
	struct dmalab_exp_stats base;
};

FIXTURE_VARIANT(heap) {
	const char *name;
	uint32_t placement;
	uint32_t addr_bits;
};

FIXTURE_VARIANT_ADD(heap, scatter) { "dmalab-scatter", DMALAB_EXP_PLACE_SCATTER, 0 };
FIXTURE_VARIANT_ADD(heap, contig) { "dmalab-contig", DMALAB_EXP_PLACE_CONTIG, 0 };
FIXTURE_VARIANT_ADD(heap, dma32) { "dmalab-dma32", DMALAB_EXP_PLACE_SCATTER, 32 };
FIXTURE_VARIANT_ADD(heap, dma28) { "dmalab-dma28", DMALAB_EXP_PLACE_SCATTER, 28 };
FIXTURE_VARIANT_ADD(heap, dma36) { "dmalab-dma36", DMALAB_EXP_PLACE_SCATTER, 36 };

FIXTURE_SETUP(heap)
{
	self->fd = -1;
	self->exp = exp_open();
	ASSERT_LE(0, self->exp);
	ASSERT_EQ(0, exp_stats(self->exp, &self->base));
}

FIXTURE_TEARDOWN(heap)
{
	struct dmalab_exp_stats now;

	if (self->fd >= 0)
		close(self->fd);
	if (self->exp >= 0) {
		EXPECT_EQ(0, exp_stats(self->exp, &now));
		EXPECT_TRUE(exp_same_live(&self->base, &now))
			TH_LOG("the heap's buffer outlived its fd");
		close(self->exp);
	}
}

/*
 * The heap's buffer is the exporter's: INFO knows it with the heap's
 * placement, its pages lie where the heap's name says, it comes zeroed,
 * counts as a live buffer, is listed in debugfs, and is gone at close.
 */
TEST_F(heap, gives_the_exporters_buffer_placed_as_named)
{
	uint64_t len = variant->placement == DMALAB_EXP_PLACE_CONTIG ?
		       MiB : MIXED_LEN;
	struct dmalab_exp_stats st;
	struct dmalab_exp_info in;
	char exp_name[64] = "";
	unsigned char *p;

	SKIP_WITHOUT_HEAPS();
	self->fd = dmalab_heap_alloc_from(variant->name, len, 0, NULL);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", variant->name,
				      strerror(-self->fd));
	ASSERT_EQ(0, dmalab_buf_fdinfo(self->fd, "exp_name", exp_name,
				       sizeof(exp_name), NULL));
	EXPECT_STREQ("dmalab_exp", exp_name);
	ASSERT_EQ(0, exp_info(self->exp, self->fd, &in));
	EXPECT_EQ(len, in.len);
	EXPECT_EQ(variant->placement, in.placement);
	EXPECT_EQ(variant->addr_bits, in.addr_bits);
	EXPECT_EQ((uint32_t)DMALAB_EXP_TIMING_EAGER, in.timing);
	EXPECT_TRUE(!!(in.state & DMALAB_EXP_STATE_ALLOCATED));
	if (variant->addr_bits)
		EXPECT_GT(1ULL << variant->addr_bits, in.phys_hi)
			TH_LOG("a page at 0x%llx", (unsigned long long)in.phys_hi);
	if (variant->placement == DMALAB_EXP_PLACE_CONTIG)
		EXPECT_EQ(1U, in.nr_segments);
	ASSERT_EQ(0, exp_stats(self->exp, &st));
	EXPECT_EQ(self->base.live_buffers + 1, st.live_buffers);
	EXPECT_EQ(self->base.live_bytes + len, st.live_bytes);
	ASSERT_EQ(0, dmalab_buf_set_name(self->fd, variant->name, NULL));
	EXPECT_EQ(1, debugfs_count(variant->name));

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(exp_all_bytes(p, len, 0));
	memset(p, 0x5a, len);
	EXPECT_TRUE(exp_all_bytes(p, len, 0x5a));
	munmap(p, len);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, debugfs_count(variant->name));
}

/* DMA_HEAP_IOCTL_ALLOC on @heap, raw: the new fd or -errno. */
static int heap_ioctl(const char *heap, uint64_t len, uint32_t fd_flags,
		      uint64_t heap_flags, uint32_t fd_in)
{
	struct dma_heap_allocation_data a = {
		.len = len, .fd = fd_in, .fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};
	int h = dmalab_heap_open(heap, NULL), r;

	if (h < 0)
		return h;
	r = ioctl(h, DMA_HEAP_IOCTL_ALLOC, &a) ? -errno : (int)a.fd;
	close(h);
	return r;
}

struct bad_req {
	const char *what;
	uint64_t len;
	uint32_t fd_flags;
	uint64_t heap_flags;
	uint32_t fd_in;
};

static const struct bad_req bad_reqs[] = {
	{ "an unknown heap flag", 4096, O_RDWR | O_CLOEXEC, 1, 0 },
	{ "the top heap flag", 4096, O_RDWR | O_CLOEXEC, 1ULL << 63, 0 },
	{ "fd flag O_NONBLOCK", 4096, O_RDWR | O_NONBLOCK, 0, 0 },
	{ "fd flag O_APPEND", 4096, O_RDWR | O_APPEND, 0, 0 },
	{ "length 0", 0, O_RDWR | O_CLOEXEC, 0, 0 },
	{ "a non-zero fd going in", 4096, O_RDWR | O_CLOEXEC, 0, 3 },
};

/*
 * Each malformed request gets the errno the system heap gives it, and the
 * exporter has nothing more alive afterwards.
 */
TEST(bad_requests_get_the_system_heaps_errno_and_leave_nothing)
{
	struct dmalab_exp_stats base, now;
	unsigned int i;
	int exp, ours, sys;

	SKIP_WITHOUT_HEAPS();
	exp = exp_open();
	ASSERT_LE(0, exp);
	ASSERT_EQ(0, exp_stats(exp, &base));
	for (i = 0; i < ARRAY_SIZE(bad_reqs); i++) {
		const struct bad_req *b = &bad_reqs[i];

		ours = heap_ioctl("dmalab-scatter", b->len, b->fd_flags,
				  b->heap_flags, b->fd_in);
		sys = heap_ioctl("system", b->len, b->fd_flags, b->heap_flags,
				 b->fd_in);
		if (ours >= 0)
			close(ours);
		if (sys >= 0)
			close(sys);
		EXPECT_GT(0, ours) TH_LOG("%s: accepted", b->what);
		EXPECT_EQ(sys, ours) TH_LOG("%s: ours %s, system %s", b->what,
					    strerror(-ours), strerror(-sys));
	}
	ASSERT_EQ(0, exp_stats(exp, &now));
	EXPECT_TRUE(exp_same_live(&base, &now));
	close(exp);
}

/*
 * Lengths past the exporter's caps (max_buffer_mb, the largest contiguous
 * block) are -ENOMEM, as a heap that runs out gives, and allocate nothing.
 */
TEST(lengths_past_the_caps_are_enomem_and_allocate_nothing)
{
	struct dmalab_exp_stats base, st, now;
	int exp, r;

	SKIP_WITHOUT_HEAPS();
	exp = exp_open();
	ASSERT_LE(0, exp);
	ASSERT_EQ(0, exp_stats(exp, &base));
	ASSERT_EQ(0, exp_stats(exp, &st));
	r = heap_ioctl("dmalab-scatter", st.max_len + 4096,
		       O_RDWR | O_CLOEXEC, 0, 0);
	EXPECT_EQ(-ENOMEM, r);
	r = heap_ioctl("dmalab-contig", st.max_contig_len + 4096,
		       O_RDWR | O_CLOEXEC, 0, 0);
	EXPECT_EQ(-ENOMEM, r);
	ASSERT_EQ(0, exp_stats(exp, &now));
	EXPECT_TRUE(exp_same_live(&base, &now));
	EXPECT_EQ(base.aside_peak_bytes, now.aside_peak_bytes);
	close(exp);
}

/*
 * dmalab_heap cannot be unloaded (the kernel cannot remove a heap), and it
 * holds no reference on the exporter, which stays unloadable.
 */
TEST(heap_module_stays_without_pinning_the_exporter)
{
	struct stat st;

	SKIP_WITHOUT_HEAPS();
	EXPECT_EQ(-1, syscall(SYS_delete_module, "dmalab_heap", O_NONBLOCK));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, stat(HEAP_MODULE, &st));
	EXPECT_NE(0, stat("/sys/module/dmalab_exp/holders/dmalab_heap", &st))
		TH_LOG("dmalab_heap holds the exporter");
}

TEST_HARNESS_MAIN
