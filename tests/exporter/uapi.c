// SPDX-License-Identifier: GPL-2.0
/*
 * The UAPI 1.0 conventions of /dev/dmalab_exp (the top comment of
 * <linux/dmalab_exp.h>): VERSION says 1.0; for every command the size bits
 * of the command must equal @size (-EINVAL), @size must be at least the 1.0
 * size (-EINVAL), a larger @size is accepted with a zero tail and refused
 * with a non-zero one or above 4096 (-E2BIG), the direction bits must be the
 * command's (-ENOTTY), and a failed call writes nothing back; numbers
 * 0x05..0x3F and the importer's 0x40..0x7F are unknown here (-ENOTTY). INFO
 * writes attached devices at the element size user space gives (zero-filling
 * what the 1.0 element does not have), at most attach_cap of them, and
 * refuses element sizes below the 1.0 one. None of it leaves anything
 * behind.
 *
 * Most requests here are malformed on purpose, or written as a newer user
 * space would write them (a grown struct, a 96-byte element), which
 * libdmalab cannot send: test_malformed(), a raw ioctl. Setup and the
 * reference reads use libdmalab.
 */
#include "dmalab_test.h"

#include <stddef.h>
#include <stdio.h>

#include "exp_util.h"
#include "kselftest_harness.h"

#define UBUF_LEN	8192	/* room for the largest @size tried (4104) */
#define ELEM_V1		((uint32_t)sizeof(struct dmalab_exp_attach_info))
#define ELEM_96		96

/* A command as the tests send it. */
struct ucmd {
	const char *name;
	unsigned long cmd;
	uint32_t size;		/* the 1.0 size */
	int fd_out;		/* offset of an fd the call returns, or -1 */
};

static const unsigned int dirs[] = {
	_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
};

static unsigned char ubuf[UBUF_LEN] __attribute__((aligned(64)));
static unsigned char usent[UBUF_LEN] __attribute__((aligned(64)));

/* @cmd with direction @dir and size bits @size. */
static unsigned long with(unsigned long cmd, unsigned int dir, uint32_t size)
{
	return _IOC(dir, _IOC_TYPE(cmd), _IOC_NR(cmd), size & _IOC_SIZEMASK);
}

/*
 * A valid 1.0 request of @c in ubuf, zeroed up to UBUF_LEN, with @size;
 * an INFO asks about @buf_fd.
 */
static void fill(const struct ucmd *c, uint32_t size, int buf_fd)
{
	memset(ubuf, 0, sizeof(ubuf));
	if (c->cmd == DMALAB_EXP_IOC_ALLOC) {
		struct dmalab_exp_alloc *a = (void *)ubuf;

		a->len = 4096;
		a->fd_flags = O_RDWR | O_CLOEXEC;
	} else if (c->cmd == DMALAB_EXP_IOC_INFO) {
		((struct dmalab_exp_info *)ubuf)->fd = buf_fd;
	} else if (c->cmd == DMALAB_EXP_IOC_BIND) {
		((struct dmalab_exp_bind *)ubuf)->fd = -1;
	}
	*(uint32_t *)ubuf = size;
}

/*
 * Send ubuf with @cmd: the errno (0 on success). *@same tells whether ubuf
 * came back as it was sent. A buffer an ALLOC made is closed.
 */
static int usend(int dev, const struct ucmd *c, unsigned long cmd, int *same)
{
	int e;

	memcpy(usent, ubuf, sizeof(ubuf));
	e = -test_malformed(dev, cmd, ubuf);
	*same = !memcmp(usent, ubuf, sizeof(ubuf));
	if (!e && c->fd_out >= 0 && *(int32_t *)(ubuf + c->fd_out) > 2)
		close(*(int32_t *)(ubuf + c->fd_out));
	return e;
}

/*
 * Expect @want and nothing written back; @what names the case. Whether it
 * came so.
 */
static int refused(struct __test_metadata *_metadata, int dev,
		   const struct ucmd *c, unsigned long cmd, int want,
		   const char *what)
{
	int same, e = usend(dev, c, cmd, &same);

	EXPECT_EQ(want, e)
		TH_LOG("%s %s (cmd %#lx, @size %u): %s, expected %s", c->name,
		       what, cmd, *(uint32_t *)usent,
		       e ? strerror(e) : "accepted", strerror(want));
	EXPECT_TRUE(same)
		TH_LOG("%s %s (cmd %#lx, @size %u): the struct was written",
		       c->name, what, cmd, *(uint32_t *)usent);
	return e == want && same;
}

/* ---- every command's size and direction rules ---- */

/* The exporter and a 64 KiB buffer INFO asks about. */
FIXTURE(cmd) {
	int dev, buf_fd;
};

FIXTURE_VARIANT(cmd) {
	struct ucmd c;
};

FIXTURE_VARIANT_ADD(cmd, version) {
	.c = { "version", DMALAB_EXP_IOC_VERSION,
	       sizeof(struct dmalab_exp_version), -1 },
};

FIXTURE_VARIANT_ADD(cmd, alloc) {
	.c = { "alloc", DMALAB_EXP_IOC_ALLOC, sizeof(struct dmalab_exp_alloc),
	       offsetof(struct dmalab_exp_alloc, fd) },
};

FIXTURE_VARIANT_ADD(cmd, info) {
	.c = { "info", DMALAB_EXP_IOC_INFO, sizeof(struct dmalab_exp_info),
	       -1 },
};

FIXTURE_VARIANT_ADD(cmd, bind) {
	.c = { "bind", DMALAB_EXP_IOC_BIND, sizeof(struct dmalab_exp_bind),
	       -1 },
};

FIXTURE_VARIANT_ADD(cmd, stats) {
	.c = { "stats", DMALAB_EXP_IOC_STATS, sizeof(struct dmalab_exp_stats),
	       -1 },
};

FIXTURE_SETUP(cmd)
{
	self->buf_fd = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	self->buf_fd = exp_alloc(self->dev, 64 * KiB, DMALAB_EXP_PLACE_SCATTER,
				 DMALAB_EXP_TIMING_EAGER, 0, 0);
	ASSERT_LE(0, self->buf_fd) TH_LOG("alloc: %s", strerror(-self->buf_fd));
}

FIXTURE_TEARDOWN(cmd)
{
	if (self->buf_fd >= 0)
		close(self->buf_fd);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(cmd, size_bits_other_than_size_fail_einval)
{
	const struct ucmd *c = &variant->c;
	unsigned int dir = _IOC_DIR(c->cmd);

	fill(c, c->size, self->buf_fd);
	refused(_metadata, self->dev, c, with(c->cmd, dir, c->size + 8),
		EINVAL, "size bits 8 above @size");
	fill(c, c->size, self->buf_fd);
	refused(_metadata, self->dev, c, with(c->cmd, dir, c->size - 8),
		EINVAL, "size bits 8 below @size");
	/* A grown struct, zero tail: only the bits are wrong. */
	fill(c, c->size + 8, self->buf_fd);
	refused(_metadata, self->dev, c, with(c->cmd, dir, c->size), EINVAL,
		"@size 8 above the size bits");
}

TEST_F(cmd, size_below_1_0_fails_einval)
{
	const struct ucmd *c = &variant->c;
	unsigned int dir = _IOC_DIR(c->cmd);

	fill(c, c->size - 8, self->buf_fd);
	refused(_metadata, self->dev, c, with(c->cmd, dir, c->size - 8),
		EINVAL, "@size 8 below 1.0");
	fill(c, 8, self->buf_fd);
	refused(_metadata, self->dev, c, with(c->cmd, dir, 8), EINVAL,
		"@size 8");
}

TEST_F(cmd, grown_size_with_nonzero_tail_fails_e2big)
{
	const struct ucmd *c = &variant->c;
	unsigned int dir = _IOC_DIR(c->cmd);
	uint32_t big = c->size + 16;

	fill(c, big, self->buf_fd);
	ubuf[big - 1] = 1;
	refused(_metadata, self->dev, c, with(c->cmd, dir, big), E2BIG,
		"last tail byte set");
	fill(c, big, self->buf_fd);
	ubuf[c->size] = 0x80;
	refused(_metadata, self->dev, c, with(c->cmd, dir, big), E2BIG,
		"first tail byte set");
}

TEST_F(cmd, grown_size_with_zero_tail_is_accepted)
{
	const struct ucmd *c = &variant->c;
	uint32_t big = c->size + 16;
	int same, e;

	fill(c, big, self->buf_fd);
	e = usend(self->dev, c, with(c->cmd, _IOC_DIR(c->cmd), big), &same);
	EXPECT_EQ(0, e) TH_LOG("%s with @size %u and a zero tail: %s",
			       c->name, big, strerror(e));
	EXPECT_TRUE(exp_all_bytes(ubuf + c->size, UBUF_LEN - c->size, 0))
		TH_LOG("%s wrote beyond its 1.0 size", c->name);
}

TEST_F(cmd, size_above_4096_fails_e2big)
{
	const struct ucmd *c = &variant->c;

	fill(c, 4096 + 8, self->buf_fd);
	refused(_metadata, self->dev, c,
		with(c->cmd, _IOC_DIR(c->cmd), 4096 + 8), E2BIG,
		"@size above 4096");
}

TEST_F(cmd, wrong_direction_fails_enotty)
{
	const struct ucmd *c = &variant->c;
	char what[48];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (dirs[i] == _IOC_DIR(c->cmd))
			continue;
		fill(c, c->size, self->buf_fd);
		snprintf(what, sizeof(what), "direction bits %u", dirs[i]);
		refused(_metadata, self->dev, c,
			with(c->cmd, dirs[i], c->size), ENOTTY, what);
	}
}

/* ---- the version and the numbers ---- */

/* The exporter, its counters before the test and a 64 KiB buffer. */
FIXTURE(uapi) {
	int dev, buf_fd;
	struct dmalab_exp_stats base;
};

FIXTURE_SETUP(uapi)
{
	self->buf_fd = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	ASSERT_EQ(0, exp_stats(self->dev, &self->base));
	self->buf_fd = exp_alloc(self->dev, 64 * KiB, DMALAB_EXP_PLACE_SCATTER,
				 DMALAB_EXP_TIMING_EAGER, 0, 0);
	ASSERT_LE(0, self->buf_fd) TH_LOG("alloc: %s", strerror(-self->buf_fd));
}

FIXTURE_TEARDOWN(uapi)
{
	if (self->buf_fd >= 0)
		close(self->buf_fd);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(uapi, version_is_1_0)
{
	struct dmalab_exp_version v;
	int r = dmalab_exp_get_version(self->dev, &v, NULL);

	ASSERT_EQ(0, r) TH_LOG("VERSION: %s", strerror(-r));
	TH_LOG("VERSION: %u.%u, features %#llx", v.major, v.minor,
	       (unsigned long long)v.features);
	EXPECT_EQ((__u32)DMALAB_EXP_VERSION_MAJOR, v.major);
	EXPECT_EQ((__u32)DMALAB_EXP_VERSION_MINOR, v.minor);
}

/*
 * Numbers @lo..@hi in every direction, with a stats-sized valid struct:
 * each must fail with ENOTTY. The first three failures are logged, then
 * the test stops.
 */
static void unknown_numbers(struct __test_metadata *_metadata,
			    FIXTURE_DATA(uapi) *self, unsigned int lo,
			    unsigned int hi)
{
	static const struct ucmd st = {
		"stats-shaped", DMALAB_EXP_IOC_STATS,
		sizeof(struct dmalab_exp_stats), -1,
	};
	unsigned int nr, i, bad = 0;
	char what[48];

	for (nr = lo; nr <= hi; nr++) {
		for (i = 0; i < ARRAY_SIZE(dirs); i++) {
			unsigned long cmd = _IOC(dirs[i], DMALAB_EXP_IOC_MAGIC,
						 nr, st.size);

			fill(&st, st.size, self->buf_fd);
			snprintf(what, sizeof(what), "number %#x", nr);
			bad += !refused(_metadata, self->dev, &st, cmd, ENOTTY,
					what);
			ASSERT_GT(3U, bad) TH_LOG("three failures: stopping");
		}
	}
}

TEST_F(uapi, unknown_numbers_0x05_to_0x3f_fail_enotty)
{
	unknown_numbers(_metadata, self, 0x05, 0x3f);
}

/* 0x41 is the importer's IMPORT: a valid one of its structs, here. */
TEST_F(uapi, importer_import_0x41_on_the_exporter_fails_enotty)
{
	static const struct ucmd imp_import = {
		"importer IMPORT", DMALAB_IMP_IOC_IMPORT,
		sizeof(struct dmalab_imp_import), -1,
	};
	struct dmalab_imp_import *im = (void *)ubuf;
	struct dmalab_exp_stats before, after;

	ASSERT_EQ(0, exp_stats(self->dev, &before));
	memset(ubuf, 0, sizeof(ubuf));
	im->size = sizeof(*im);
	im->fd = self->buf_fd;
	refused(_metadata, self->dev, &imp_import, DMALAB_IMP_IOC_IMPORT,
		ENOTTY, "sent to the exporter");
	ASSERT_EQ(0, exp_stats(self->dev, &after));
	EXPECT_TRUE(exp_same_live(&before, &after));
}

TEST_F(uapi, importer_numbers_0x40_to_0x7f_fail_enotty)
{
	unknown_numbers(_metadata, self, 0x40, 0x7f);
}

/* ---- INFO's array of attached devices ---- */

/* @buf_fd imported by @imp and attached to two simulated devices. */
static void attach_two(struct __test_metadata *_metadata, int imp, int buf_fd)
{
	uint32_t h, sim, att;
	int i, r;

	r = exp_import(imp, buf_fd, &h);
	ASSERT_EQ(0, r) TH_LOG("import: %s", strerror(-r));
	for (i = 0; i < 2; i++) {
		r = test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &sim);
		ASSERT_EQ(0, r) TH_LOG("sim %d: %s", i, strerror(-r));
		r = exp_attach(imp, h, sim, &att);
		ASSERT_EQ(0, r) TH_LOG("attach to sim %d: %s", i, strerror(-r));
	}
}

/*
 * INFO on @buf_fd with an attachment array as the caller describes it: the
 * errno (0 on success); *@same tells whether @in came back as it was sent.
 */
static int info_raw(int dev, int buf_fd, struct dmalab_exp_info *in,
		    void *arr, uint32_t cap, uint32_t elem, int *same)
{
	struct dmalab_exp_info sent;
	int e;

	memset(in, 0, sizeof(*in));
	in->size = sizeof(*in);
	in->fd = buf_fd;
	in->attach_ptr = (uintptr_t)arr;
	in->attach_cap = cap;
	in->attach_elem_size = elem;
	sent = *in;
	e = -test_malformed(dev, DMALAB_EXP_IOC_INFO, in);
	*same = !memcmp(&sent, in, sizeof(sent));
	return e;
}

/*
 * The exporter, a 64 KiB buffer attached through the importer to two
 * simulated devices, what a 1.0 caller reads of them (@ref) and an array
 * of 96-byte elements filled with 0xff.
 */
FIXTURE(attached) {
	int dev, buf_fd, imp;
	struct dmalab_exp_attach_info ref[2];	/* at the 1.0 stride */
	unsigned char arr[4 * ELEM_96];
};

FIXTURE_SETUP(attached)
{
	struct dmalab_exp_info in;
	int r;

	self->buf_fd = -1;
	self->imp = -1;
	self->dev = exp_open();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DMALAB_EXP_DEVICE,
				       strerror(-self->dev));
	self->buf_fd = exp_alloc(self->dev, 64 * KiB, DMALAB_EXP_PLACE_SCATTER,
				 DMALAB_EXP_TIMING_EAGER, 0, 0);
	ASSERT_LE(0, self->buf_fd) TH_LOG("alloc: %s", strerror(-self->buf_fd));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	attach_two(_metadata, self->imp, self->buf_fd);
	/* What a 1.0 caller reads, at the 1.0 stride (libdmalab). */
	r = dmalab_exp_get_info(self->dev, self->buf_fd, &in, self->ref, 2,
				NULL);
	ASSERT_EQ(0, r) TH_LOG("INFO: %s", strerror(-r));
	ASSERT_EQ(2U, in.attach_count);
	memset(self->arr, 0xff, sizeof(self->arr));
}

FIXTURE_TEARDOWN(attached)
{
	if (self->imp >= 0)
		close(self->imp);
	if (self->buf_fd >= 0)
		close(self->buf_fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* INFO with room for 3 elements of 96 bytes, into self->arr. */
static void info_96(struct __test_metadata *_metadata,
		    FIXTURE_DATA(attached) *self, struct dmalab_exp_info *in)
{
	int same, e = info_raw(self->dev, self->buf_fd, in, self->arr, 3,
				  ELEM_96, &same);

	ASSERT_EQ(0, e) TH_LOG("INFO with attach_elem_size %u: %s", ELEM_96,
			       strerror(e));
}

TEST_F(attached, info_elem_size_96_reports_attach_count_2)
{
	struct dmalab_exp_info in;

	info_96(_metadata, self, &in);
	EXPECT_EQ(2U, in.attach_count);
	EXPECT_EQ(2U, in.nr_attachments);
}

TEST_F(attached, info_elem_size_96_writes_entries_at_stride_96)
{
	struct dmalab_exp_info in;
	unsigned int i;

	info_96(_metadata, self, &in);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, memcmp(self->arr + i * ELEM_96, &self->ref[i],
				    ELEM_V1)) TH_LOG("element %u", i);
	}
}

TEST_F(attached, info_elem_size_96_zero_fills_bytes_80_to_95)
{
	struct dmalab_exp_info in;
	unsigned int i;

	info_96(_metadata, self, &in);
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(exp_all_bytes(self->arr + i * ELEM_96 + ELEM_V1,
					  ELEM_96 - ELEM_V1, 0))
			TH_LOG("element %u", i);
	}
}

TEST_F(attached, info_writes_no_element_beyond_attach_count)
{
	struct dmalab_exp_info in;

	info_96(_metadata, self, &in);
	EXPECT_TRUE(exp_all_bytes(self->arr + 2 * ELEM_96, 2 * ELEM_96, 0xff));
}

TEST_F(attached, info_elem_size_below_80_with_a_pointer_fails_einval)
{
	static const uint32_t bad[] = { 40, ELEM_V1 - 1, 0 };
	struct dmalab_exp_info in;
	unsigned int i;
	int e, same;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(self->arr, 0xff, sizeof(self->arr));
		e = info_raw(self->dev, self->buf_fd, &in, self->arr, 2,
			     bad[i], &same);
		EXPECT_EQ(EINVAL, e)
			TH_LOG("attach_elem_size %u with a pointer: %s", bad[i],
			       e ? strerror(e) : "accepted");
		EXPECT_TRUE(same)
			TH_LOG("attach_elem_size %u: the struct was written",
			       bad[i]);
		EXPECT_TRUE(exp_all_bytes(self->arr, sizeof(self->arr), 0xff))
			TH_LOG("attach_elem_size %u: the array was written",
			       bad[i]);
	}
}

TEST_F(attached, info_attach_cap_1_of_2_attachments_writes_1)
{
	struct dmalab_exp_attach_info two[2];
	struct dmalab_exp_info in;
	int r;

	memset(two, 0xff, sizeof(two));
	r = dmalab_exp_get_info(self->dev, self->buf_fd, &in, two, 1, NULL);
	ASSERT_EQ(0, r) TH_LOG("INFO: %s", strerror(-r));
	EXPECT_EQ(1U, in.attach_count);
	EXPECT_EQ(2U, in.nr_attachments);
	EXPECT_TRUE(exp_all_bytes(&two[1], sizeof(two[1]), 0xff))
		TH_LOG("the second element was written");
	EXPECT_EQ(0, memcmp(&two[0], &self->ref[0], sizeof(two[0])));
}

/* ---- nothing left behind ---- */

/*
 * A grown ALLOC accepted and malformed ones refused, the importer's IMPORT,
 * a malformed BIND on a file with a buffer bound, INFO at the 96-byte
 * stride on two attachments; then the importer, the second exporter file
 * and the buffer are closed: the counters are back where they were.
 */
TEST_F(uapi, nothing_left_behind)
{
	static const struct ucmd alloc = {
		"alloc", DMALAB_EXP_IOC_ALLOC, sizeof(struct dmalab_exp_alloc),
		offsetof(struct dmalab_exp_alloc, fd),
	};
	static const struct ucmd bind = {
		"bind", DMALAB_EXP_IOC_BIND, sizeof(struct dmalab_exp_bind), -1,
	};
	static const struct ucmd imp_import = {
		"importer IMPORT", DMALAB_IMP_IOC_IMPORT,
		sizeof(struct dmalab_imp_import), -1,
	};
	static unsigned char arr[4 * ELEM_96];
	struct dmalab_imp_import *im = (void *)ubuf;
	uint32_t big = alloc.size + 16;
	struct dmalab_exp_info in;
	struct dmalab_exp_stats st;
	int imp, dev2, same;

	fill(&alloc, big, self->buf_fd);
	EXPECT_EQ(0, usend(self->dev, &alloc,
			   with(alloc.cmd, _IOC_DIR(alloc.cmd), big), &same));
	fill(&alloc, big, self->buf_fd);
	ubuf[big - 1] = 1;
	usend(self->dev, &alloc, with(alloc.cmd, _IOC_DIR(alloc.cmd), big),
	      &same);
	fill(&alloc, alloc.size, self->buf_fd);
	usend(self->dev, &alloc, with(alloc.cmd, _IOC_READ, alloc.size),
	      &same);
	memset(ubuf, 0, sizeof(ubuf));
	im->size = sizeof(*im);
	im->fd = self->buf_fd;
	usend(self->dev, &imp_import, DMALAB_IMP_IOC_IMPORT, &same);

	dev2 = exp_open();
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, dmalab_exp_bind(dev2, self->buf_fd, NULL));
	fill(&bind, bind.size - 8, self->buf_fd);
	usend(dev2, &bind, with(bind.cmd, _IOC_DIR(bind.cmd), bind.size - 8),
	      &same);

	imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, imp);
	attach_two(_metadata, imp, self->buf_fd);
	EXPECT_EQ(0, info_raw(self->dev, self->buf_fd, &in, arr, 3, ELEM_96,
			      &same));
	info_raw(self->dev, self->buf_fd, &in, arr, 2, 40, &same);

	close(imp);
	close(dev2);
	close(self->buf_fd);
	self->buf_fd = -1;
	ASSERT_EQ(0, exp_stats(self->dev, &st));
	EXPECT_TRUE(exp_same_live(&self->base, &st))
		TH_LOG("live buffers %llu, attachments %llu; before %llu, %llu",
		       (unsigned long long)st.live_buffers,
		       (unsigned long long)st.live_attachments,
		       (unsigned long long)self->base.live_buffers,
		       (unsigned long long)self->base.live_attachments);
}

TEST_HARNESS_MAIN
