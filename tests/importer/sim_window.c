// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated devices with bus windows: two devices whose physical ranges do
 * not meet (X reaches [0, 4 GiB) at bus 64 GiB, Y reaches [4 GiB, 16 GiB)
 * at bus 0). A one-page buffer is reachable by exactly one of them; the
 * other's mapping is refused cleanly. Data moved by a simulated device goes
 * through the table's bus addresses translated back by the window, so the
 * CPU sees it only if the table and the translation are right.
 */
#include "dmalab_test.h"
#include "tap.h"

#define NBUF 4
#define PAGE 4096
#define GIB (1ULL << 30)

int main(void)
{
	__u32 dx = 0, dy = 0, dn = 0, h[NBUF], ax[NBUF], ay[NBUF];
	int fd, bfd[NBUF], okx[NBUF], oky[NBUF], i, j, exact = 1, inwin = 1;
	unsigned char pat[PAGE], out[PAGE];
	struct dmalab_imp_sg_info si;
	const char *name = "";
	uint64_t sum = 0;

	tap_plan(7);
	fd = dmalab_imp_open(NULL);
	if (fd < 0 ||
	    test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 0, 64 * GIB, 4 * GIB, &dx) ||
	    test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 4 * GIB, 0, 12 * GIB, &dy) ||
	    test_sim(fd, 24, 0, 0, 0, 0, 0, 0, &dn)) {
		tap_diag("setup failed");
		return 1;
	}
	for (i = 0; i < NBUF; i++) {
		bfd[i] = src_any(PAGE, &name);
		if (bfd[i] < 0 ||
		    dmalab_imp_import_fd(fd, bfd[i], &h[i], NULL, NULL) ||
		    dmalab_imp_attach_dev(fd, h[i], dx, &ax[i], NULL) ||
		    dmalab_imp_attach_dev(fd, h[i], dy, &ay[i], NULL)) {
			tap_diag("buffer %d from %s failed", i, name);
			return 1;
		}
		okx[i] = dmalab_imp_map_attach(fd, ax[i], DMALAB_IMP_DIR_BIDIR,
					       NULL);
		oky[i] = dmalab_imp_map_attach(fd, ay[i], DMALAB_IMP_DIR_BIDIR,
					       NULL);
		tap_diag("buffer %d (%s): X %d, Y %d", i, name, okx[i], oky[i]);
		if (!((okx[i] == 0 && oky[i] == -ERANGE) ||
		      (oky[i] == 0 && okx[i] == -ERANGE)))
			exact = 0;
		if (!okx[i] && (dmalab_imp_get_sg_info(fd, ax[i], &si, NULL, 0,
						       NULL) ||
				si.dma_min < 64 * GIB || si.dma_max >= 68 * GIB ||
				si.violations))
			inwin = 0;
		if (!oky[i] && (dmalab_imp_get_sg_info(fd, ay[i], &si, NULL, 0,
						       NULL) ||
				si.dma_max >= 12 * GIB || si.violations))
			inwin = 0;
	}
	tap_result(exact, "disjoint_windows_each_page_reached_by_exactly_one");
	tap_result(inwin, "bus_addresses_carry_the_window_offset");

	/* Two buffers mapped by the same device (pigeonhole over 4). */
	for (i = 0; i < NBUF; i++)
		for (j = i + 1; j < NBUF; j++)
			if ((!okx[i] && !okx[j]) || (!oky[i] && !oky[j]))
				goto found;
	tap_diag("no two buffers on one device");
	return tap_exit();
found:
	{
		__u32 s = !okx[i] && !okx[j] ? ax[i] : ay[i];
		__u32 d = !okx[i] && !okx[j] ? ax[j] : ay[j];
		int k, r;

		for (k = 0; k < PAGE; k++)
			pat[k] = (k * 7 + 3) & 0xff;
		r = test_cpu_write(fd, h[i], 0, PAGE, pat);
		tap_result(!r && !dmalab_imp_run_job(fd,
				TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
					 .src_attach = s, .len = PAGE),
				&sum, NULL) &&
			   sum == imp_fnv(pat, PAGE),
			   "sim_checksum_reads_through_window");
		r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
						    .src_attach = s,
						    .dst_attach = d, .len = PAGE),
				       NULL, NULL) ?:
		    test_cpu_read(fd, h[j], 0, PAGE, out);
		tap_result(!r && !memcmp(out, pat, PAGE),
			   "sim_copy_writes_through_window_byte_exact");
		memset(pat + 100, 0xc3, 1000);
		r = dmalab_imp_run_job(fd, TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
						    .dst_attach = d,
						    .dst_offset = 100,
						    .len = 1000,
						    .pattern = 0xc3),
				       NULL, NULL) ?:
		    test_cpu_read(fd, h[j], 0, PAGE, out);
		tap_result(!r && !memcmp(out, pat, PAGE),
			   "sim_fill_writes_only_its_range");
		{
			__u32 dz = 0, az = 0;

			r = test_sim(fd, 64, 0, 0, 0, 0, 0, 0, &dz) ?:
			    dmalab_imp_attach_dev(fd, h[j], dz, &az, NULL) ?:
			    dmalab_imp_map_attach(fd, az, DMALAB_IMP_DIR_BIDIR,
						  NULL);
			tap_result(!r && dmalab_imp_run_job(fd,
					TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
						 .src_attach = s,
						 .dst_attach = az, .len = 16),
					NULL, NULL) == -EXDEV,
				   "copy_between_two_devices_refused");
		}
	}
	{
		__u32 an;
		int r;

		r = dmalab_imp_attach_dev(fd, h[0], dn, &an, NULL) ?:
		    dmalab_imp_map_attach(fd, an, DMALAB_IMP_DIR_BIDIR, NULL);
		tap_result(r == -ERANGE ||
			   (!r && !dmalab_imp_get_sg_info(fd, an, &si, NULL, 0,
							  NULL) &&
			    si.dma_max < (1ULL << 24)),
			   "narrow_mask_device_maps_only_what_it_reaches");
	}
	close(fd);
	for (i = 0; i < NBUF; i++)
		close(bfd[i]);
	return tap_exit();
}
