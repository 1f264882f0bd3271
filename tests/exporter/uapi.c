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
 * refuses element sizes below the 1.0 one.
 *
 * Most requests here are malformed on purpose, or written as a newer user
 * space would write them (a grown struct, a 96-byte element), which
 * libdmalab cannot send: test_malformed(), a raw ioctl. Setup and the
 * reference reads use libdmalab.
 */
#include "dmalab_test.h"

#include <stddef.h>
#include <stdio.h>

#include "tap.h"
#include "exp_util.h"

#define UBUF_LEN	8192	/* room for the largest @size tried (4104) */
#define ELEM_V1		((uint32_t)sizeof(struct dmalab_exp_attach_info))
#define ELEM_96		96

static int dev, buf_fd;

struct ucmd {
	const char *name;
	unsigned long cmd;
	uint32_t size;		/* the 1.0 size */
	int fd_out;		/* offset of an fd the call returns, or -1 */
};

static const struct ucmd ucmds[] = {
	{ "version", DMALAB_EXP_IOC_VERSION, sizeof(struct dmalab_exp_version), -1 },
	{ "alloc", DMALAB_EXP_IOC_ALLOC, sizeof(struct dmalab_exp_alloc),
	  offsetof(struct dmalab_exp_alloc, fd) },
	{ "info", DMALAB_EXP_IOC_INFO, sizeof(struct dmalab_exp_info), -1 },
	{ "bind", DMALAB_EXP_IOC_BIND, sizeof(struct dmalab_exp_bind), -1 },
	{ "stats", DMALAB_EXP_IOC_STATS, sizeof(struct dmalab_exp_stats), -1 },
};

#define NCMDS (sizeof(ucmds) / sizeof(ucmds[0]))

static unsigned char ubuf[UBUF_LEN] __attribute__((aligned(64)));
static unsigned char usent[UBUF_LEN] __attribute__((aligned(64)));

/* @cmd with direction @dir and size bits @size. */
static unsigned long with(unsigned long cmd, unsigned int dir, uint32_t size)
{
	return _IOC(dir, _IOC_TYPE(cmd), _IOC_NR(cmd), size & _IOC_SIZEMASK);
}

/* A valid 1.0 request of @c in ubuf, zeroed up to UBUF_LEN, with @size. */
static void fill(const struct ucmd *c, uint32_t size)
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
static int usend(const struct ucmd *c, unsigned long cmd, int *same)
{
	int e;

	memcpy(usent, ubuf, sizeof(ubuf));
	e = -test_malformed(dev, cmd, ubuf);
	*same = !memcmp(usent, ubuf, sizeof(ubuf));
	if (!e && c->fd_out >= 0 && *(int32_t *)(ubuf + c->fd_out) > 2)
		close(*(int32_t *)(ubuf + c->fd_out));
	return e;
}

/* Expect @want and nothing written back; say what came instead. */
static int refused(const struct ucmd *c, unsigned long cmd, int want,
		   const char *what)
{
	int same, e = usend(c, cmd, &same);

	if (e == want && same)
		return 1;
	tap_diag("%s %s (cmd %#lx, @size %u): %s%s, expected %s", c->name, what,
		 cmd, *(uint32_t *)usent, e ? strerror(e) : "accepted",
		 e && !same ? " and the struct was written" : "",
		 strerror(want));
	return 0;
}

static void size_bits_cases(const struct ucmd *c)
{
	unsigned int dir = _IOC_DIR(c->cmd);
	int ok;

	fill(c, c->size);
	ok = refused(c, with(c->cmd, dir, c->size + 8), EINVAL,
		     "size bits 8 above @size");
	fill(c, c->size);
	ok &= refused(c, with(c->cmd, dir, c->size - 8), EINVAL,
		      "size bits 8 below @size");
	fill(c, c->size + 8);	/* a grown struct, zero tail: only the bits are wrong */
	ok &= refused(c, with(c->cmd, dir, c->size), EINVAL,
		      "@size 8 above the size bits");
	tap_result(ok, "%s_size_bits_other_than_size_fail_einval", c->name);
}

static void short_cases(const struct ucmd *c)
{
	unsigned int dir = _IOC_DIR(c->cmd);
	int ok;

	fill(c, c->size - 8);
	ok = refused(c, with(c->cmd, dir, c->size - 8), EINVAL,
		     "@size 8 below 1.0");
	fill(c, 8);
	ok &= refused(c, with(c->cmd, dir, 8), EINVAL, "@size 8");
	tap_result(ok, "%s_size_below_1_0_fails_einval", c->name);
}

static void grown_cases(const struct ucmd *c)
{
	unsigned int dir = _IOC_DIR(c->cmd);
	uint32_t big = c->size + 16;
	int ok, same, e;

	fill(c, big);
	ubuf[big - 1] = 1;
	ok = refused(c, with(c->cmd, dir, big), E2BIG, "last tail byte set");
	fill(c, big);
	ubuf[c->size] = 0x80;
	ok &= refused(c, with(c->cmd, dir, big), E2BIG, "first tail byte set");
	tap_result(ok, "%s_grown_size_with_nonzero_tail_fails_e2big", c->name);

	fill(c, big);
	e = usend(c, with(c->cmd, dir, big), &same);
	if (e)
		tap_diag("%s with @size %u and a zero tail: %s", c->name, big,
			 strerror(e));
	tap_result(!e && exp_all_bytes(ubuf + c->size, UBUF_LEN - c->size, 0),
		   "%s_grown_size_with_zero_tail_is_accepted", c->name);

	fill(c, 4096 + 8);
	ok = refused(c, with(c->cmd, dir, 4096 + 8), E2BIG, "@size above 4096");
	tap_result(ok, "%s_size_above_4096_fails_e2big", c->name);
}

static void direction_cases(const struct ucmd *c)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < 4; i++) {
		if (dirs[i] == _IOC_DIR(c->cmd))
			continue;
		fill(c, c->size);
		ok &= refused(c, with(c->cmd, dirs[i], c->size), ENOTTY,
			      "wrong direction bits");
	}
	tap_result(ok, "%s_wrong_direction_fails_enotty", c->name);
}

static void version_case(void)
{
	struct dmalab_exp_version v;
	int r = dmalab_exp_get_version(dev, &v, NULL);

	if (r)
		tap_diag("VERSION: %s", strerror(-r));
	else
		tap_diag("VERSION: %u.%u, features %#llx", v.major, v.minor,
			 (unsigned long long)v.features);
	tap_result(!r && v.major == DMALAB_EXP_VERSION_MAJOR &&
		   v.minor == DMALAB_EXP_VERSION_MINOR, "version_is_1_0");
}

/* Numbers @lo..@hi in every direction, with a stats-sized valid struct. */
static int unknown_numbers(unsigned int lo, unsigned int hi)
{
	static const struct ucmd st = {
		"stats-shaped", DMALAB_EXP_IOC_STATS,
		sizeof(struct dmalab_exp_stats), -1,
	};
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned int nr, i, bad = 0;
	char what[48];

	for (nr = lo; nr <= hi && bad < 3; nr++)
		for (i = 0; i < 4 && bad < 3; i++) {
			unsigned long cmd = _IOC(dirs[i], DMALAB_EXP_IOC_MAGIC,
						 nr, st.size);

			fill(&st, st.size);
			snprintf(what, sizeof(what), "number %#x", nr);
			bad += !refused(&st, cmd, ENOTTY, what);
		}
	return !bad;
}

static void number_cases(void)
{
	const struct ucmd imp_import = {
		"importer IMPORT", DMALAB_IMP_IOC_IMPORT,
		sizeof(struct dmalab_imp_import), -1,
	};
	struct dmalab_exp_stats before, after;
	struct dmalab_imp_import *im = (void *)ubuf;
	int ok;

	tap_result(unknown_numbers(0x05, 0x3f),
		   "unknown_numbers_0x05_to_0x3f_fail_enotty");

	/* 0x41 is the importer's IMPORT: a valid one of its structs, here. */
	exp_stats(dev, &before);
	memset(ubuf, 0, sizeof(ubuf));
	im->size = sizeof(*im);
	im->fd = buf_fd;
	ok = refused(&imp_import, DMALAB_IMP_IOC_IMPORT, ENOTTY,
		     "sent to the exporter");
	exp_stats(dev, &after);
	tap_result(ok && exp_same_live(&before, &after),
		   "importer_import_0x41_on_the_exporter_fails_enotty");

	tap_result(unknown_numbers(0x40, 0x7f),
		   "importer_numbers_0x40_to_0x7f_fail_enotty");
}

/*
 * INFO on buf_fd with an attachment array as the caller describes it: the
 * errno (0 on success); *@same tells whether @in came back as it was sent.
 */
static int info_raw(struct dmalab_exp_info *in, void *arr, uint32_t cap,
		    uint32_t elem, int *same)
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

static void attach_cases(int attached)
{
	struct dmalab_exp_attach_info ref[2], two[2];
	static unsigned char arr[4 * ELEM_96];
	struct dmalab_exp_info in;
	unsigned int i, bad[] = { 40, ELEM_V1 - 1, 0 };
	int e, ok, refs, same;

	if (!attached)
		tap_diag("the buffer is not attached to two devices: the INFO cases below fail");
	/* What a 1.0 caller reads, at the 1.0 stride (libdmalab). */
	refs = !dmalab_exp_get_info(dev, buf_fd, &in, ref, 2, NULL) &&
	       in.attach_count == 2;

	memset(arr, 0xff, sizeof(arr));
	e = info_raw(&in, arr, 3, ELEM_96, &same);
	if (e)
		tap_diag("INFO with attach_elem_size %u: %s", ELEM_96, strerror(e));
	tap_result(attached && !e && in.attach_count == 2 &&
		   in.nr_attachments == 2,
		   "info_elem_size_96_reports_attach_count_2");
	ok = refs && !e;
	for (i = 0; i < 2 && ok; i++)
		ok = !memcmp(arr + i * ELEM_96, &ref[i], ELEM_V1);
	tap_result(attached && ok, "info_elem_size_96_writes_entries_at_stride_96");
	ok = !e;
	for (i = 0; i < 2 && ok; i++)
		ok = exp_all_bytes(arr + i * ELEM_96 + ELEM_V1, ELEM_96 - ELEM_V1, 0);
	tap_result(attached && ok, "info_elem_size_96_zero_fills_bytes_80_to_95");
	tap_result(attached && !e &&
		   exp_all_bytes(arr + 2 * ELEM_96, 2 * ELEM_96, 0xff),
		   "info_writes_no_element_beyond_attach_count");

	ok = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(arr, 0xff, sizeof(arr));
		e = info_raw(&in, arr, 2, bad[i], &same);
		if (e != EINVAL || !same ||
		    !exp_all_bytes(arr, sizeof(arr), 0xff)) {
			tap_diag("attach_elem_size %u with a pointer: %s%s",
				 bad[i], e ? strerror(e) : "accepted",
				 e && (!same || !exp_all_bytes(arr, sizeof(arr), 0xff)) ?
				 ", and something was written" : "");
			ok = 0;
		}
	}
	tap_result(ok, "info_elem_size_below_80_with_a_pointer_fails_einval");

	memset(two, 0xff, sizeof(two));
	e = -dmalab_exp_get_info(dev, buf_fd, &in, two, 1, NULL);
	tap_result(attached && !e && in.attach_count == 1 &&
		   in.nr_attachments == 2 &&
		   exp_all_bytes(&two[1], sizeof(two[1]), 0xff) &&
		   !memcmp(&two[0], &ref[0], sizeof(two[0])),
		   "info_attach_cap_1_of_2_attachments_writes_1");
}

int main(void)
{
	struct dmalab_exp_stats base, st;
	uint32_t h = 0, sim[2] = { 0, 0 }, att[2] = { 0, 0 };
	int imp, imported = 0, nattached = 0, attached;
	unsigned int i;

	tap_plan(1 + 6 * NCMDS + 3 + 6 + 1);
	dev = exp_open();
	if (dev < 0 || exp_stats(dev, &base)) {
		printf("Bail out! cannot open %s\n", DMALAB_EXP_DEVICE);
		return 1;
	}
	buf_fd = exp_alloc(dev, 64 * KiB, DMALAB_EXP_PLACE_SCATTER,
			   DMALAB_EXP_TIMING_EAGER, 0, 0);
	if (buf_fd < 0) {
		printf("Bail out! cannot allocate a buffer: %s\n",
		       strerror(-buf_fd));
		return 1;
	}

	version_case();
	for (i = 0; i < NCMDS; i++) {
		size_bits_cases(&ucmds[i]);
		short_cases(&ucmds[i]);
		grown_cases(&ucmds[i]);
		direction_cases(&ucmds[i]);
	}
	number_cases();

	/* Two simulated devices attached through the importer. */
	imp = dmalab_imp_open(NULL);
	if (imp >= 0 && !exp_import(imp, buf_fd, &h)) {
		imported = 1;
		for (i = 0; i < 2; i++)
			if (!test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &sim[i]) &&
			    !exp_attach(imp, h, sim[i], &att[nattached]))
				nattached++;
	}
	attached = nattached == 2;
	attach_cases(attached);
	if (imp >= 0) {
		for (i = 0; i < (unsigned int)nattached; i++)
			dmalab_imp_detach(imp, att[i], NULL);
		if (imported)
			dmalab_imp_release(imp, h, NULL);
		close(imp);
	}

	close(buf_fd);
	tap_result(!exp_stats(dev, &st) && exp_same_live(&base, &st),
		   "nothing_left_behind");
	close(dev);
	return tap_exit();
}
