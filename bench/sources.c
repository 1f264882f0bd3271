// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf sources dmalab-bench compares. Each allocation returns once
 * the buffer's memory exists and is zeroed, so that "allocate + zero" means
 * the same work for every source:
 *  - ours (by ALLOC, or by our heap dmalab-scatter where the kernel has
 *    it) and the system heap allocate and clear every page in the
 *    allocation ioctl;
 *  - udmabuf pins the memfd's pages in UDMABUF_CREATE (memfd_pin_folios on
 *    6.12), which allocates the missing ones through shmem, zeroed;
 *  - vgem allocates nothing at CREATE_DUMB: the shmem pages are allocated
 *    (zeroed) when the buffer is first pinned, here by an mmap of the
 *    PRIME fd (drm_gem_shmem_mmap pins every page), unmapped at once.
 * Every source is allocated through libdmalab, which needs no libdrm.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

static const char *const bench_src_names[SRC_COUNT] = {
	[SRC_OURS] = "ours",
	[SRC_OURS_CONTIG] = "ours_contig",
	[SRC_HEAP] = "system_heap",
	[SRC_UDMABUF] = "udmabuf",
	[SRC_VGEM] = "vgem",
	[SRC_OURS_HEAP] = "ours_heap",
};

const char *bench_src_name(enum bench_src src)
{
	return bench_src_names[src];
}

/* Open every source's device once; a missing one is reported, not fatal. */
int bench_src_open(void)
{
	struct dmalab_exp_version v;
	struct dmalab_exp_stats st;
	struct dmalab_err err;

	bench.exp_fd = dmalab_exp_open(&err);
	bench.heap_fd = dmalab_heap_open(NULL, NULL);
	/* Where the kernel lets modules add heaps (heap/): 7.2 and later. */
	bench.ours_heap_fd = dmalab_heap_open("dmalab-scatter", NULL);
	bench.udmabuf_fd = dmalab_udmabuf_open(NULL);
	bench.vgem_fd = dmalab_drm_open("vgem", NULL, 0, NULL);
	if (bench.exp_fd < 0) {
		fprintf(stderr, "dmalab-bench: %s\n", err.msg);
		return -1;
	}
	if (!dmalab_exp_get_version(bench.exp_fd, &v, NULL))
		bench_meta("exp_uapi", "%u.%u", v.major, v.minor);
	if (!dmalab_exp_get_stats(bench.exp_fd, &st, NULL))
		bench.max_contig = st.max_contig_len;
	bench_meta("ours_max_contig_bytes", "%llu",
		   (unsigned long long)bench.max_contig);
	bench_meta("have_system_heap", "%d", bench.heap_fd >= 0);
	bench_meta("have_ours_heap", "%d", bench.ours_heap_fd >= 0);
	bench_meta("have_udmabuf", "%d", bench.udmabuf_fd >= 0);
	bench_meta("have_vgem", "%d", bench.vgem_fd >= 0);
	return 0;
}

/* A dma-buf fd of the project's exporter, or -errno. */
int bench_exp_alloc(size_t size, uint32_t placement, uint32_t timing,
		    uint32_t addr_bits)
{
	struct dmalab_alloc_opts o = {
		.len = size,
		.placement = placement,
		.timing = timing,
		.addr_bits = addr_bits,
		.cloexec = 1,
	};

	return dmalab_alloc(bench.exp_fd, &o, NULL);
}

static int bench_vgem_alloc(size_t size, uint32_t *handle)
{
	void *map;
	int fd, err;

	fd = dmalab_vgem_alloc(bench.vgem_fd, size, handle, NULL);
	if (fd < 0)
		return fd;
	/* Pins (allocates and zeroes) every shmem page of the object. */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		err = errno;
		close(fd);
		dmalab_drm_gem_close(bench.vgem_fd, *handle, NULL);
		*handle = 0;
		return -err;
	}
	munmap(map, size);
	return fd;
}

/* Allocate @size bytes of zeroed memory as a dma-buf. Return 0 or -errno. */
int bench_buf_alloc(enum bench_src src, size_t size, struct bench_buf *b)
{
	int fd;

	memset(b, 0, sizeof(*b));
	b->src = src;
	b->size = size;
	switch (src) {
	case SRC_OURS:
		fd = bench_exp_alloc(size, DMALAB_EXP_PLACE_SCATTER,
				     DMALAB_EXP_TIMING_EAGER, 0);
		break;
	case SRC_OURS_CONTIG:
		if (size > bench.max_contig)
			return -E2BIG;
		fd = bench_exp_alloc(size, DMALAB_EXP_PLACE_CONTIG,
				     DMALAB_EXP_TIMING_EAGER, 0);
		break;
	case SRC_HEAP:
		/* A missing device is -1: no fallback to opening it per call. */
		fd = bench.heap_fd < 0 ? -ENODEV :
		     dmalab_heap_alloc(bench.heap_fd, size, NULL);
		break;
	case SRC_OURS_HEAP:
		fd = bench.ours_heap_fd < 0 ? -ENODEV :
		     dmalab_heap_alloc(bench.ours_heap_fd, size, NULL);
		break;
	case SRC_UDMABUF:
		fd = bench.udmabuf_fd < 0 ? -ENODEV :
		     dmalab_udmabuf_alloc(bench.udmabuf_fd, size, NULL);
		break;
	case SRC_VGEM:
		fd = bench.vgem_fd < 0 ? -ENODEV :
		     bench_vgem_alloc(size, &b->gem_handle);
		break;
	default:
		fd = -EINVAL;
	}
	b->fd = fd;
	return fd < 0 ? fd : 0;
}

void bench_buf_free(struct bench_buf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	if (b->src == SRC_VGEM && b->gem_handle)
		dmalab_drm_gem_close(bench.vgem_fd, b->gem_handle, NULL);
	b->fd = -1;
	b->gem_handle = 0;
}
