// SPDX-License-Identifier: GPL-2.0
/*
 * The sg_table report: its numbers agree with the entry list, limits are
 * checked per entry, and the seed's IOMMU point shows: without an IOMMU the
 * device sees the buffer's physical pieces (the same addresses a plain
 * 64-bit device sees), with intel-iommu the buffer is one contiguous range.
 */
#include "dmalab_test.h"
#include "exporter/exp_util.h"
#include "kselftest_harness.h"

#include <sys/wait.h>

#define BUF_SIZE (256 * 1024)
#define MAXE 1024
/* An exporter's scatter buffer: 1 MiB and 64 KiB blocks, several pieces. */
#define PIECES_SIZE (2 * 1024 * 1024 + 64 * 1024)

struct counts {
	__u32 runs, progs_entries, progs_runs, viol;
	__u64 total, min, max;
};

static void recount(const struct dmalab_imp_sg_entry *e, __u32 n, __u32 xfer,
		    __u64 max_seg, __u64 boundary, struct counts *c)
{
	__u64 run = 0, end = 0;
	__u32 i;

	memset(c, 0, sizeof(*c));
	c->min = ~0ULL;
	for (i = 0; i < n; i++) {
		__u64 a = e[i].dma_addr, l = e[i].dma_len;

		c->total += l;
		c->min = a < c->min ? a : c->min;
		c->max = a + l - 1 > c->max ? a + l - 1 : c->max;
		c->progs_entries += xfer ? (l + xfer - 1) / xfer : 1;
		if (run && a == end) {
			run += l;
		} else {
			if (run)
				c->progs_runs += xfer ? (run + xfer - 1) / xfer : 1;
			c->runs++;
			run = l;
		}
		end = a + l;
		if (l > max_seg || (a & ~boundary) != ((a + l - 1) & ~boundary))
			c->viol++;
	}
	if (run)
		c->progs_runs += xfer ? (run + xfer - 1) / xfer : 1;
}

/*
 * A 256 KiB foreign buffer attached, not mapped, to edu device B (@dev,
 * attachment @a), to a simulated 64-bit device (@as) and to one with 4 KiB
 * segments (@asm_).
 */
FIXTURE(sg) {
	int fd, bfd;
	__u32 h, dev, a, as, asm_;
	struct dmalab_imp_dev_info info;
	int iommu;
	/* map_edu_and_sim(): the reports and entry lists of edu B and sim */
	struct dmalab_imp_sg_info si, si2;
	struct dmalab_imp_sg_entry e[MAXE], e2[MAXE];
};

FIXTURE_SETUP(sg)
{
	const char *src;
	__u32 sim, small;
	int fd;

	self->bfd = -1;
	fd = self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd) TH_LOG("open /dev/dmalab_imp: %d", fd);
	self->bfd = src_any(BUF_SIZE, &src);
	ASSERT_LE(0, self->bfd) TH_LOG("no foreign dma-buf (last tried %s)",
				       src);
	TEST_EDU(fd, 1, &self->dev, &self->info);
	self->iommu = !!(self->info.dev_flags & DMALAB_IMP_DEV_IOMMU);
	ASSERT_EQ(0, test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim));
	ASSERT_EQ(0, test_sim(fd, 64, 4096, 0xfff, 0, 0, 0, 0, &small));
	ASSERT_EQ(0, dmalab_imp_import_fd(fd, self->bfd, &self->h, NULL, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->h, self->dev, &self->a,
					   NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->h, sim, &self->as, NULL));
	ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->h, small, &self->asm_,
					   NULL));
}

FIXTURE_TEARDOWN(sg)
{
	close(self->fd);
	if (self->bfd >= 0)
		close(self->bfd);
}

/* Map edu B and the 64-bit sim; the report and entry list of each. */
static void map_edu_and_sim(struct __test_metadata *_metadata,
			    FIXTURE_DATA(sg) *self)
{
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, self->a,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, self->as,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, self->a, &self->si,
					    self->e, MAXE, NULL));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, self->as, &self->si2,
					    self->e2, MAXE, NULL));
}

TEST_F(sg, report_of_unmapped_attachment_is_ebadfd)
{
	struct dmalab_imp_sg_info si;

	EXPECT_EQ(-EBADFD, dmalab_imp_get_sg_info(self->fd, self->a, &si, NULL,
						  0, NULL));
}

TEST_F(sg, map_for_edu_and_sim)
{
	EXPECT_EQ(0, dmalab_imp_map_attach(self->fd, self->a,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	EXPECT_EQ(0, dmalab_imp_map_attach(self->fd, self->as,
					   DMALAB_IMP_DIR_BIDIR, NULL));
}

TEST_F(sg, report_agrees_with_entry_list)
{
	const struct dmalab_imp_sg_info *si = &self->si;
	struct counts c;

	map_edu_and_sim(_metadata, self);
	TH_LOG("edu b %s: %u entries, %u runs, dma %#llx..%#llx, longest %llu, programmings %u per entry / %u per run",
	       self->iommu ? "behind IOMMU" : "without IOMMU", si->nents,
	       si->runs, (unsigned long long)si->dma_min,
	       (unsigned long long)si->dma_max,
	       (unsigned long long)si->longest, si->progs_entries,
	       si->progs_runs);
	if (si->violations)
		TH_LOG("exporter left %u entries beyond the device's segment limits (kinds %#x)",
		       si->violations, si->violation_kinds);
	ASSERT_EQ(si->nents, si->entries_count);
	recount(self->e, si->entries_count, self->info.max_xfer,
		self->info.max_seg_size, self->info.seg_boundary_mask, &c);
	EXPECT_EQ((__u64)BUF_SIZE, si->total_len);
	EXPECT_EQ((__u64)BUF_SIZE, c.total);
	EXPECT_EQ(c.min, si->dma_min);
	EXPECT_EQ(c.max, si->dma_max);
	EXPECT_EQ(c.runs, si->runs);
	EXPECT_EQ(c.progs_entries, si->progs_entries);
	EXPECT_EQ(c.progs_runs, si->progs_runs);
	EXPECT_EQ(c.viol, si->violations);
	EXPECT_EQ(0U, si->violation_kinds & (DMALAB_IMP_VIOL_MASK |
					     DMALAB_IMP_VIOL_WINDOW));
}

TEST_F(sg, edu_programmings_count_2k_chunks)
{
	map_edu_and_sim(_metadata, self);
	EXPECT_EQ((__u32)BUF_SIZE / 2048, self->si.progs_runs);
	EXPECT_LE(self->si.progs_runs, self->si.progs_entries);
}

TEST_F(sg, iommu_maps_buffer_to_one_contiguous_range)
{
	if (!self->iommu)
		SKIP(return, "edu b is not behind an IOMMU");
	map_edu_and_sim(_metadata, self);
	EXPECT_EQ(1U, self->si.runs);
	EXPECT_EQ((__u64)BUF_SIZE, self->si.dma_max - self->si.dma_min + 1);
}

TEST_F(sg, iommu_addresses_differ_from_physical)
{
	if (!self->iommu)
		SKIP(return, "edu b is not behind an IOMMU");
	map_edu_and_sim(_metadata, self);
	EXPECT_TRUE(self->si2.dma_min != self->si.dma_min ||
		    self->si2.runs != self->si.runs);
}

/*
 * Without an IOMMU the device's runs are the buffer's physically contiguous
 * pieces: the exporter's own count of them and its physical range (as
 * root) match edu B's report of a scatter buffer of this exporter. A
 * buffer whose blocks came out adjacent (one piece) is kept aside and
 * another taken, from other blocks.
 */
TEST_F(sg, no_iommu_runs_are_physical_pieces)
{
	struct dmalab_imp_sg_info si;
	struct dmalab_exp_info info;
	int exp, fd, held[8], nheld = 0;
	__u32 h, att;

	if (self->iommu)
		SKIP(return, "edu b is behind an IOMMU");
	exp = exp_open();
	ASSERT_LE(0, exp) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				 strerror(-exp));
	for (;;) {
		fd = exp_alloc(exp, PIECES_SIZE, DMALAB_EXP_PLACE_SCATTER,
			       DMALAB_EXP_TIMING_EAGER, 0, 0);
		ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
		ASSERT_EQ(0, exp_info(exp, fd, &info));
		if (info.nr_segments > 1 || nheld == 8)
			break;
		held[nheld++] = fd;
	}
	TH_LOG("%d buffer(s) in one piece set aside", nheld);
	while (nheld)
		close(held[--nheld]);
	ASSERT_EQ(0, exp_import(self->fd, fd, &h));
	ASSERT_EQ(0, exp_attach(self->fd, h, self->dev, &att));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, att,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, att, &si, NULL, 0, NULL));
	ASSERT_EQ(0, exp_info(exp, fd, &info));
	TH_LOG("exporter: %u pieces, %#llx..%#llx; edu b: %u entries, %u runs, %#llx..%#llx",
	       info.nr_segments, (unsigned long long)info.phys_lo,
	       (unsigned long long)info.phys_hi, si.nents, si.runs,
	       (unsigned long long)si.dma_min, (unsigned long long)si.dma_max);
	EXPECT_LT(1U, info.nr_segments) TH_LOG("a scatter buffer in one piece");
	EXPECT_EQ(info.nr_segments, si.runs);
	EXPECT_EQ(info.phys_lo, si.dma_min);
	EXPECT_EQ(info.phys_hi, si.dma_max);
	close(fd);
	close(exp);
}

TEST_F(sg, no_iommu_device_sees_physical_addresses)
{
	if (self->iommu)
		SKIP(return, "edu b is behind an IOMMU");
	map_edu_and_sim(_metadata, self);
	ASSERT_EQ(self->si.entries_count, self->si2.entries_count);
	EXPECT_EQ(0, memcmp(self->e, self->e2,
			    self->si.entries_count * sizeof(self->e[0])));
}

/* The exporter's entries longer than 4 KiB: refused before mapping. */
TEST_F(sg, segment_limits_checked_before_mapping)
{
	struct dmalab_imp_sg_info s3;
	struct counts c;
	int r;

	map_edu_and_sim(_metadata, self);
	recount(self->e2, self->si2.entries_count, 0, 4096, 0xfff, &c);
	r = dmalab_imp_map_attach(self->fd, self->asm_, DMALAB_IMP_DIR_BIDIR,
				  NULL);
	TH_LOG("sim with 4 KiB segments: map %d, %u of the exporter's entries too long",
	       r, c.viol);
	if (c.viol) {
		EXPECT_EQ(-EMSGSIZE, r);
	} else {
		ASSERT_EQ(0, r);
		ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, self->asm_, &s3,
						    NULL, 0, NULL));
		EXPECT_EQ(0U, s3.violations);
	}
}

TEST_F(sg, entry_capacity_without_pointer_rejected)
{
	struct dmalab_imp_sg_info s3 = {
		.size = sizeof(s3), .attach_id = self->a, .entries_cap = 4,
		.entries_elem_size = sizeof(struct dmalab_imp_sg_entry),
	};

	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, self->a,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	EXPECT_EQ(-EINVAL, test_malformed(self->fd, DMALAB_IMP_IOC_SG_INFO,
					  &s3));
}

TEST_F(sg, entry_list_needs_cap_sys_admin)
{
	int st = 0;
	pid_t pid;

	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, self->a,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static struct dmalab_imp_sg_entry e[MAXE];
		struct dmalab_imp_sg_info x;
		int r1, r2;

		if (setuid(65534))
			_exit(3);
		r1 = dmalab_imp_get_sg_info(self->fd, self->a, &x, e, MAXE,
					    NULL);
		r2 = dmalab_imp_get_sg_info(self->fd, self->a, &x, NULL, 0,
					    NULL);
		_exit(r1 == -EPERM && r2 == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("as uid 65534: exit status %d (1: entries not refused with -EPERM or the summary refused, 3: setuid failed)",
		       WEXITSTATUS(st));
}

/* Unmap then map again gives a fresh, consistent table. */
TEST_F(sg, remap_after_unmap_reports_new_direction)
{
	struct dmalab_imp_sg_info si;

	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, self->a,
					   DMALAB_IMP_DIR_BIDIR, NULL));
	EXPECT_EQ(0, dmalab_imp_unmap_attach(self->fd, self->a, NULL));
	EXPECT_EQ(-EBADFD, dmalab_imp_unmap_attach(self->fd, self->a, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, self->a,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, self->a, &si, NULL, 0,
					    NULL));
	EXPECT_EQ((__u32)DMALAB_IMP_DIR_TO_DEVICE, si.dir);
	EXPECT_EQ((__u64)BUF_SIZE, si.total_len);
}

TEST_HARNESS_MAIN
