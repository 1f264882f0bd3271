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
#include "kselftest_harness.h"

#define NBUF 4
#define PAGE 4096
#define GIB (1ULL << 30)

/*
 * NBUF one-page buffers, each attached to X and to Y and mapped where it
 * can be (okx, oky: the results); two of them mapped by the same device
 * (by the pigeonhole over NBUF), handles @hs and @hd, attachments @s, @d.
 */
FIXTURE(win) {
	int fd;
	int bfd[NBUF];
	__u32 h[NBUF], ax[NBUF], ay[NBUF];
	int okx[NBUF], oky[NBUF];
	const char *src;
	int paired;
	__u32 hs, hd, s, d;
	unsigned char pat[PAGE];
};

FIXTURE_SETUP(win)
{
	__u32 dx, dy;
	int fd, i, j;

	for (i = 0; i < NBUF; i++)
		self->bfd[i] = -1;
	fd = self->fd = dmalab_imp_open(NULL);
	ASSERT_LE(0, fd) TH_LOG("open /dev/dmalab_imp: %d", fd);
	ASSERT_EQ(0, test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 0,
			      64 * GIB, 4 * GIB, &dx));
	ASSERT_EQ(0, test_sim(fd, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 4 * GIB,
			      0, 12 * GIB, &dy));
	for (i = 0; i < NBUF; i++) {
		self->bfd[i] = src_any(PAGE, &self->src);
		ASSERT_LE(0, self->bfd[i])
			TH_LOG("no foreign dma-buf (last tried %s)", self->src);
		ASSERT_EQ(0, dmalab_imp_import_fd(fd, self->bfd[i], &self->h[i],
						  NULL, NULL));
		ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->h[i], dx,
						   &self->ax[i], NULL));
		ASSERT_EQ(0, dmalab_imp_attach_dev(fd, self->h[i], dy,
						   &self->ay[i], NULL));
		self->okx[i] = dmalab_imp_map_attach(fd, self->ax[i],
						     DMALAB_IMP_DIR_BIDIR, NULL);
		self->oky[i] = dmalab_imp_map_attach(fd, self->ay[i],
						     DMALAB_IMP_DIR_BIDIR, NULL);
	}
	for (i = 0; i < NBUF && !self->paired; i++) {
		for (j = i + 1; j < NBUF && !self->paired; j++) {
			if (!self->okx[i] && !self->okx[j]) {
				self->s = self->ax[i];
				self->d = self->ax[j];
			} else if (!self->oky[i] && !self->oky[j]) {
				self->s = self->ay[i];
				self->d = self->ay[j];
			} else {
				continue;
			}
			self->hs = self->h[i];
			self->hd = self->h[j];
			self->paired = 1;
		}
	}
	for (i = 0; i < PAGE; i++)
		self->pat[i] = (i * 7 + 3) & 0xff;
}

FIXTURE_TEARDOWN(win)
{
	int i;

	close(self->fd);
	for (i = 0; i < NBUF; i++)
		if (self->bfd[i] >= 0)
			close(self->bfd[i]);
}

TEST_F(win, disjoint_windows_each_page_reached_by_exactly_one)
{
	int i;

	for (i = 0; i < NBUF; i++) {
		TH_LOG("buffer %d (%s): X %d, Y %d", i, self->src,
		       self->okx[i], self->oky[i]);
		EXPECT_TRUE((!self->okx[i] && self->oky[i] == -ERANGE) ||
			    (!self->oky[i] && self->okx[i] == -ERANGE));
	}
}

TEST_F(win, bus_addresses_carry_the_window_offset)
{
	struct dmalab_imp_sg_info si;
	int i;

	for (i = 0; i < NBUF; i++) {
		if (!self->okx[i]) {
			ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd,
							    self->ax[i], &si,
							    NULL, 0, NULL));
			EXPECT_LE(64 * GIB, si.dma_min) TH_LOG("buffer %d", i);
			EXPECT_GT(68 * GIB, si.dma_max) TH_LOG("buffer %d", i);
			EXPECT_EQ(0U, si.violations) TH_LOG("buffer %d", i);
		}
		if (!self->oky[i]) {
			ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd,
							    self->ay[i], &si,
							    NULL, 0, NULL));
			EXPECT_GT(12 * GIB, si.dma_max) TH_LOG("buffer %d", i);
			EXPECT_EQ(0U, si.violations) TH_LOG("buffer %d", i);
		}
	}
}

TEST_F(win, sim_checksum_reads_through_window)
{
	uint64_t sum = 0;

	ASSERT_TRUE(self->paired) TH_LOG("no two buffers on one device");
	ASSERT_EQ(0, test_cpu_write(self->fd, self->hs, 0, PAGE, self->pat));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_CHECKSUM,
				 .src_attach = self->s, .len = PAGE),
			&sum, NULL));
	EXPECT_EQ(test_fnv(self->pat, PAGE), sum);
}

TEST_F(win, sim_copy_writes_through_window_byte_exact)
{
	unsigned char out[PAGE];

	ASSERT_TRUE(self->paired) TH_LOG("no two buffers on one device");
	ASSERT_EQ(0, test_cpu_write(self->fd, self->hs, 0, PAGE, self->pat));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->s, .dst_attach = self->d,
				 .len = PAGE), NULL, NULL));
	ASSERT_EQ(0, test_cpu_read(self->fd, self->hd, 0, PAGE, out));
	EXPECT_EQ(0, memcmp(out, self->pat, PAGE));
}

TEST_F(win, sim_fill_writes_only_its_range)
{
	unsigned char out[PAGE], want[PAGE];

	ASSERT_TRUE(self->paired) TH_LOG("no two buffers on one device");
	memcpy(want, self->pat, PAGE);
	memset(want + 100, 0xc3, 1000);
	ASSERT_EQ(0, test_cpu_write(self->fd, self->hd, 0, PAGE, self->pat));
	ASSERT_EQ(0, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_FILL,
				 .dst_attach = self->d, .dst_offset = 100,
				 .len = 1000, .pattern = 0xc3), NULL, NULL));
	ASSERT_EQ(0, test_cpu_read(self->fd, self->hd, 0, PAGE, out));
	EXPECT_EQ(0, memcmp(out, want, PAGE));
}

TEST_F(win, copy_between_two_devices_refused)
{
	__u32 dz, az;

	ASSERT_TRUE(self->paired) TH_LOG("no two buffers on one device");
	ASSERT_EQ(0, test_sim(self->fd, 64, 0, 0, 0, 0, 0, 0, &dz));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, self->hd, dz, &az, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->fd, az, DMALAB_IMP_DIR_BIDIR,
					   NULL));
	EXPECT_EQ(-EXDEV, dmalab_imp_run_job(self->fd,
			TEST_JOB(.op = DMALAB_IMP_JOB_COPY,
				 .src_attach = self->s, .dst_attach = az,
				 .len = 16), NULL, NULL));
}

TEST_F(win, narrow_mask_device_maps_only_what_it_reaches)
{
	struct dmalab_imp_sg_info si;
	__u32 dn, an;
	int r;

	ASSERT_EQ(0, test_sim(self->fd, 24, 0, 0, 0, 0, 0, 0, &dn));
	ASSERT_EQ(0, dmalab_imp_attach_dev(self->fd, self->h[0], dn, &an,
					   NULL));
	r = dmalab_imp_map_attach(self->fd, an, DMALAB_IMP_DIR_BIDIR, NULL);
	if (r == -ERANGE)
		return;
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, dmalab_imp_get_sg_info(self->fd, an, &si, NULL, 0, NULL));
	EXPECT_GT(1ULL << 24, si.dma_max);
}

TEST_HARNESS_MAIN
