// SPDX-License-Identifier: GPL-2.0
/*
 * The sg_table report: its numbers agree with the entry list, limits are
 * checked per entry, and the seed's IOMMU point shows: without an IOMMU the
 * device sees the buffer's physical pieces (the same addresses a plain
 * 64-bit device sees), with intel-iommu the buffer is one contiguous range.
 */
#include "dmalab_test.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/wait.h>

#define BUF_SIZE (256 * 1024)
#define MAXE 1024

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

int main(void)
{
	static struct dmalab_imp_sg_entry e[MAXE], e2[MAXE];
	struct dmalab_imp_sg_info si, si2, s3;
	struct dmalab_imp_dev_info info;
	__u32 dev = 0, sim = 0, small = 0, h = 0, a = 0, as = 0, asm_ = 0;
	const char *name;
	struct counts c;
	int fd, bfd, iommu, ok, small_map;

	tap_plan(10);
	fd = dmalab_imp_open(NULL);
	bfd = src_any(BUF_SIZE, &name);
	if (fd < 0 || bfd < 0 || test_edu(fd, 1, &dev, &info) ||
	    dmalab_imp_import_fd(fd, bfd, &h, NULL, NULL) ||
	    dmalab_imp_attach_dev(fd, h, dev, &a, NULL) ||
	    test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &sim) ||
	    dmalab_imp_attach_dev(fd, h, sim, &as, NULL) ||
	    test_sim(fd, 64, 4096, 0xfff, 0, 0, 0, 0, &small) ||
	    dmalab_imp_attach_dev(fd, h, small, &asm_, NULL)) {
		tap_diag("setup failed (fd %d buffer %d from %s)", fd, bfd, name);
		return 1;
	}
	iommu = !!(info.dev_flags & DMALAB_IMP_DEV_IOMMU);
	tap_diag("256 KiB buffer from %s, edu b %s", name,
		 iommu ? "behind IOMMU" : "without IOMMU");

	tap_result(dmalab_imp_get_sg_info(fd, a, &si, NULL, 0, NULL) == -EBADFD,
		   "report_of_unmapped_attachment_is_ebadfd");
	ok = !dmalab_imp_map_attach(fd, a, DMALAB_IMP_DIR_BIDIR, NULL) &&
	     !dmalab_imp_map_attach(fd, as, DMALAB_IMP_DIR_BIDIR, NULL);
	small_map = dmalab_imp_map_attach(fd, asm_, DMALAB_IMP_DIR_BIDIR, NULL);
	tap_result(ok, "map_for_edu_and_sim");
	if (!ok)
		return tap_exit();

	ok = !dmalab_imp_get_sg_info(fd, a, &si, e, MAXE, NULL) &&
	     si.entries_count == si.nents;
	recount(e, si.entries_count, info.max_xfer, info.max_seg_size,
		info.seg_boundary_mask, &c);
	tap_diag("edu b: %u entries, %u runs, dma %#llx..%#llx, longest %llu, programmings %u per entry / %u per run",
		 si.nents, si.runs, (unsigned long long)si.dma_min,
		 (unsigned long long)si.dma_max, (unsigned long long)si.longest,
		 si.progs_entries, si.progs_runs);
	tap_result(ok && si.total_len == BUF_SIZE && c.total == BUF_SIZE &&
		   c.min == si.dma_min && c.max == si.dma_max &&
		   c.runs == si.runs && c.progs_entries == si.progs_entries &&
		   c.progs_runs == si.progs_runs && c.viol == si.violations &&
		   !(si.violation_kinds & (DMALAB_IMP_VIOL_MASK |
					   DMALAB_IMP_VIOL_WINDOW)),
		   "report_agrees_with_entry_list");
	if (si.violations)
		tap_diag("exporter left %u entries beyond the device's segment limits (kinds %#x)",
			 si.violations, si.violation_kinds);
	tap_result(si.progs_runs == BUF_SIZE / 2048 &&
		   si.progs_entries >= si.progs_runs,
		   "edu_programmings_count_2k_chunks");

	ok = !dmalab_imp_get_sg_info(fd, as, &si2, e2, MAXE, NULL);
	if (iommu) {
		tap_result(si.runs == 1 && si.dma_max - si.dma_min + 1 == BUF_SIZE,
			   "iommu_maps_buffer_to_one_contiguous_range");
		tap_result(ok && (si2.dma_min != si.dma_min || si2.runs != si.runs),
			   "iommu_addresses_differ_from_physical");
	} else {
		tap_result(si.runs >= 1 && si.runs <= si.nents,
			   "no_iommu_runs_are_physical_pieces");
		tap_result(ok && si2.entries_count == si.entries_count &&
			   !memcmp(e, e2, si.entries_count * sizeof(e[0])),
			   "no_iommu_device_sees_physical_addresses");
	}

	/* The exporter's entries longer than 4 KiB: refused before mapping. */
	recount(e2, si2.entries_count, 0, 4096, 0xfff, &c);
	tap_diag("sim with 4 KiB segments: map %d, %u of the exporter's entries too long",
		 small_map, c.viol);
	ok = c.viol ? small_map == -EMSGSIZE :
	     !small_map && !dmalab_imp_get_sg_info(fd, asm_, &s3, NULL, 0, NULL) &&
	     !s3.violations;
	tap_result(ok, "segment_limits_checked_before_mapping");

	memset(&s3, 0, sizeof(s3));
	s3.size = sizeof(s3);
	s3.attach_id = a;
	s3.entries_cap = 4;
	s3.entries_elem_size = sizeof(e[0]);
	tap_result(test_malformed(fd, DMALAB_IMP_IOC_SG_INFO, &s3) == -EINVAL,
		   "entry_capacity_without_pointer_rejected");

	{
		pid_t pid = fork();
		int st = 0;

		if (!pid) {
			struct dmalab_imp_sg_info x;
			int r1, r2;

			if (setuid(65534))
				_exit(3);
			r1 = dmalab_imp_get_sg_info(fd, a, &x, e, MAXE, NULL);
			r2 = dmalab_imp_get_sg_info(fd, a, &x, NULL, 0, NULL);
			_exit(r1 == -EPERM && r2 == 0 ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		tap_result(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			   "entry_list_needs_cap_sys_admin");
	}
	{
		/* Unmap then map again gives a fresh, consistent table. */
		ok = !dmalab_imp_unmap_attach(fd, a, NULL) &&
		     dmalab_imp_unmap_attach(fd, a, NULL) == -EBADFD &&
		     !dmalab_imp_map_attach(fd, a, DMALAB_IMP_DIR_TO_DEVICE, NULL) &&
		     !dmalab_imp_get_sg_info(fd, a, &si, NULL, 0, NULL) &&
		     si.dir == DMALAB_IMP_DIR_TO_DEVICE && si.total_len == BUF_SIZE;
		tap_result(ok, "remap_after_unmap_reports_new_direction");
	}
	close(fd);
	close(bfd);
	return tap_exit();
}
