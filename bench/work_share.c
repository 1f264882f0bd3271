// SPDX-License-Identifier: GPL-2.0
/*
 * Workload "sharing": one 8 MiB buffer (a 1080p RGBA frame) imported by 1
 * to 16 devices, as a frame handed to a display, an encoder and so on.
 * Per source and device count: the time to attach and map it to every
 * device, one DMA_BUF_IOCTL_SYNC start + end (read-write: the CPU access
 * bracket) with all of them mapped, and the time to unmap and detach all.
 * The devices are simulated ones of the importer (64-bit mask, no segment
 * limit), each a struct device of its own. An importer file holds at most
 * 8 of them, so 16 devices take two files, each importing the buffer, as
 * two drivers would. In each repetition the sources take turns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>


#include "bench.h"

#define SHARE_SIZE	(8 * MiB)
#define SHARE_DEVS	16
#define SHARE_PER_FILE	8
#define SHARE_FILES	(SHARE_DEVS / SHARE_PER_FILE)
#define SHARE_SYNCS	10

static const enum bench_src share_srcs[] = {
	SRC_OURS, SRC_HEAP, SRC_UDMABUF, SRC_VGEM,
};

/* The importer files and their simulated devices. */
struct share_devs {
	int fd[SHARE_FILES];
	uint32_t dev[SHARE_DEVS];
	int ndevs;
};

static int share_devs_make(struct share_devs *d)
{
	struct dmalab_imp_sim_create s;
	int f, i, ret = 0;

	d->ndevs = 0;
	for (f = 0; f < SHARE_FILES; f++)
		d->fd[f] = -1;
	for (f = 0; f < SHARE_FILES && !ret; f++) {
		d->fd[f] = dmalab_imp_open(NULL);
		if (d->fd[f] < 0)
			return d->fd[f];
		for (i = 0; i < SHARE_PER_FILE && !ret; i++) {
			memset(&s, 0, sizeof(s));
			s.dma_bits = 64;
			s.max_seg_size = 0xffffffffU;
			ret = dmalab_imp_sim_create(d->fd[f], &s, NULL);
			if (!ret)
				d->dev[d->ndevs++] = s.dev_id;
		}
	}
	return ret;
}

/* Closing a file destroys its simulated devices. */
static void share_devs_free(struct share_devs *d)
{
	int f;

	for (f = 0; f < SHARE_FILES; f++)
		if (d->fd[f] >= 0)
			close(d->fd[f]);
}

static int share_file(int i)
{
	return i / SHARE_PER_FILE;
}

/* Samples of one round: map all, sync with all mapped, unmap all. */
struct share_round {
	double map_all, sync, unmap_all;
};

/*
 * Attach and map @k devices, sync, then unmap and detach them all. Every
 * attachment made is undone, whatever failed.
 */
static int share_round(const struct share_devs *d, const uint32_t *h,
		       int buf_fd, int k, struct share_round *out)
{
	uint32_t att[SHARE_DEVS];
	int mapped[SHARE_DEVS] = { 0 };
	int i, na, ret = 0;
	uint64_t t0 = bench_now_ns(), t1;

	for (na = 0; na < k && !ret; na++) {
		int fd = d->fd[share_file(na)];

		ret = dmalab_imp_attach_dev(fd, h[share_file(na)], d->dev[na],
					    &att[na], NULL);
		if (ret)
			break;
		ret = dmalab_imp_map_attach(fd, att[na], BENCH_DIR, NULL);
		mapped[na] = !ret;
	}
	t1 = bench_now_ns();
	out->map_all = (double)(t1 - t0);
	if (!ret)
		ret = bench_sync_pairs(buf_fd, SHARE_SYNCS, &out->sync);
	t0 = bench_now_ns();
	for (i = 0; i < na; i++) {
		int fd = d->fd[share_file(i)];

		if (mapped[i])
			dmalab_imp_unmap_attach(fd, att[i], NULL);
		dmalab_imp_detach(fd, att[i], NULL);
	}
	out->unmap_all = (double)(bench_now_ns() - t0);
	return ret;
}

#define SHARE_NSRCS	ARRAY_SIZE(share_srcs)

/* A source's buffer, imported into every importer file. */
struct share_buf {
	struct bench_buf b;
	uint32_t h[SHARE_FILES];
	int nimp;
	int err;	/* positive errno once it failed */
};

static void share_record(const char *who, int k, double *v, int n,
			 const char *metric, int err)
{
	struct bench_stat st;
	char params[64];

	snprintf(params, sizeof(params), "\"devices\":%d,\"size\":%zu", k,
		 SHARE_SIZE);
	bench_stat_of(&st, v, n);
	bench_record("work_share", who, params, metric, "ns", &st,
		     n ? 0 : err);
}

/* @k devices: every source in turn in each repetition, after a warm-up. */
static void share_level(const struct share_devs *d, struct share_buf *sb,
			int k)
{
	double map[SHARE_NSRCS][BENCH_MAX_REPS];
	double sync[SHARE_NSRCS][BENCH_MAX_REPS];
	double unmap[SHARE_NSRCS][BENCH_MAX_REPS];
	int n[SHARE_NSRCS] = { 0 }, err[SHARE_NSRCS];
	struct share_round rd;
	unsigned int s, i;
	int r;

	bench_progress("sharing: %d device(s)", k);
	for (s = 0; s < SHARE_NSRCS; s++) {
		err[s] = sb[s].err;
		if (!err[s])
			err[s] = -share_round(d, sb[s].h, sb[s].b.fd, k, &rd);
	}
	for (r = 0; r < bench.reps; r++)
		for (i = 0; i < SHARE_NSRCS; i++) {
			s = (i + r) % SHARE_NSRCS;
			if (err[s])
				continue;
			err[s] = -share_round(d, sb[s].h, sb[s].b.fd, k, &rd);
			if (err[s])
				continue;
			map[s][n[s]] = rd.map_all;
			sync[s][n[s]] = rd.sync;
			unmap[s][n[s]] = rd.unmap_all;
			n[s]++;
		}
	for (s = 0; s < SHARE_NSRCS; s++) {
		const char *who = bench_src_name(share_srcs[s]);

		share_record(who, k, map[s], n[s], "map_all", err[s]);
		share_record(who, k, sync[s], n[s], "sync_pair_all_mapped",
			     err[s]);
		share_record(who, k, unmap[s], n[s], "unmap_all", err[s]);
	}
}

static void share_buf_get(const struct share_devs *d, struct share_buf *sb,
			  enum bench_src src)
{
	int f, ret;

	ret = bench_buf_alloc(src, SHARE_SIZE, &sb->b);
	for (f = 0; f < SHARE_FILES && !ret; f++) {
		ret = dmalab_imp_import_fd(d->fd[f], sb->b.fd, &sb->h[f], NULL,
					   NULL);
		if (!ret)
			sb->nimp++;
	}
	sb->err = -ret;
}

static void share_buf_put(const struct share_devs *d, struct share_buf *sb)
{
	int f;

	for (f = 0; f < sb->nimp; f++)
		dmalab_imp_release(d->fd[f], sb->h[f], NULL);
	bench_buf_free(&sb->b);
}

void bench_work_share(void)
{
	static const int levels[] = { 1, 2, 4, 8, 16 };
	struct share_buf sb[SHARE_NSRCS];
	struct share_devs d;
	unsigned int s, l;
	int ret;

	memset(sb, 0, sizeof(sb));
	ret = share_devs_make(&d);
	if (ret)
		bench_progress("sharing: %d of %d simulated devices made: %s",
			       d.ndevs, SHARE_DEVS, strerror(-ret));
	for (s = 0; s < SHARE_NSRCS; s++) {
		sb[s].b.fd = -1;
		if (ret)
			sb[s].err = -ret;
		else
			share_buf_get(&d, &sb[s], share_srcs[s]);
	}
	for (l = 0; l < ARRAY_SIZE(levels); l++)
		share_level(&d, sb, levels[l]);
	for (s = 0; s < SHARE_NSRCS; s++)
		share_buf_put(&d, &sb[s]);
	share_devs_free(&d);
}
