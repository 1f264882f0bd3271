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
	__u64 sum = 0;

	tap_plan(7);
	fd = imp_open();
	if (fd < 0 ||
	    imp_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 0, 64 * GIB, 4 * GIB, &dx) ||
	    imp_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 4 * GIB, 0, 12 * GIB, &dy) ||
	    imp_sim(fd, 24, 0, 0, 0, 0, 0, 0, &dn)) {
		tap_diag("setup failed");
		return 1;
	}
	for (i = 0; i < NBUF; i++) {
		bfd[i] = src_any(PAGE, &name);
		if (bfd[i] < 0 || imp_import(fd, bfd[i], &h[i]) ||
		    imp_attach(fd, h[i], dx, &ax[i]) ||
		    imp_attach(fd, h[i], dy, &ay[i])) {
			tap_diag("buffer %d from %s failed", i, name);
			return 1;
		}
		okx[i] = imp_map(fd, ax[i], DMALAB_IMP_DIR_BIDIR);
		oky[i] = imp_map(fd, ay[i], DMALAB_IMP_DIR_BIDIR);
		tap_diag("buffer %d (%s): X %d, Y %d", i, name, okx[i], oky[i]);
		if (!((okx[i] == 0 && oky[i] == -ERANGE) ||
		      (oky[i] == 0 && okx[i] == -ERANGE)))
			exact = 0;
		if (!okx[i] && (imp_sg(fd, ax[i], &si, NULL, 0) ||
				si.dma_min < 64 * GIB || si.dma_max >= 68 * GIB ||
				si.violations))
			inwin = 0;
		if (!oky[i] && (imp_sg(fd, ay[i], &si, NULL, 0) ||
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
		r = imp_cpu(fd, h[i], DMALAB_IMP_CPU_WRITE, 0, PAGE, pat, 0, NULL);
		tap_result(!r && !imp_job(fd, DMALAB_IMP_JOB_CHECKSUM, s, 0, 0, 0,
					  PAGE, 0, 0, 0, NULL, &sum) &&
			   sum == imp_fnv(pat, PAGE),
			   "sim_checksum_reads_through_window");
		r = imp_job(fd, DMALAB_IMP_JOB_COPY, s, d, 0, 0, PAGE, 0, 0, 0,
			    NULL, NULL) ?:
		    imp_cpu(fd, h[j], DMALAB_IMP_CPU_READ, 0, PAGE, out, 0, NULL);
		tap_result(!r && !memcmp(out, pat, PAGE),
			   "sim_copy_writes_through_window_byte_exact");
		memset(pat + 100, 0xc3, 1000);
		r = imp_job(fd, DMALAB_IMP_JOB_FILL, 0, d, 0, 100, 1000, 0xc3, 0, 0,
			    NULL, NULL) ?:
		    imp_cpu(fd, h[j], DMALAB_IMP_CPU_READ, 0, PAGE, out, 0, NULL);
		tap_result(!r && !memcmp(out, pat, PAGE),
			   "sim_fill_writes_only_its_range");
		{
			__u32 dz = 0, az = 0;

			r = imp_sim(fd, 64, 0, 0, 0, 0, 0, 0, &dz) ?:
			    imp_attach(fd, h[j], dz, &az) ?:
			    imp_map(fd, az, DMALAB_IMP_DIR_BIDIR);
			tap_result(!r && imp_job(fd, DMALAB_IMP_JOB_COPY, s, az,
						 0, 0, 16, 0, 0, 0, NULL,
						 NULL) == -EXDEV,
				   "copy_between_two_devices_refused");
		}
	}
	{
		__u32 an;
		int r;

		r = imp_attach(fd, h[0], dn, &an) ?: imp_map(fd, an, DMALAB_IMP_DIR_BIDIR);
		tap_result(r == -ERANGE ||
			   (!r && !imp_sg(fd, an, &si, NULL, 0) &&
			    si.dma_max < (1ULL << 24)),
			   "narrow_mask_device_maps_only_what_it_reaches");
	}
	close(fd);
	for (i = 0; i < NBUF; i++)
		close(bfd[i]);
	return tap_exit();
}
