// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmalab-conform: the conformance checker. It holds any dma-buf, whoever
 * exported it, to the contract the dma-buf core and importers rely on:
 * through the calls user space has (lseek, mmap, DMA_BUF_IOCTL_SYNC, poll,
 * sync_files) and, for the kernel's side (vmap, device mappings, DMA,
 * fences), through the dmalab importer. The checks write the buffer,
 * unless run read-only (a buffer of another process).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dmalab_conform.h"

#define CONFORM_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CONFORM_SEED		0x5a
#define CONFORM_DMA_LEN		2048U	/* one edu programming */
#define CONFORM_JOB_MS		5000U

/* What the checks share: the buffer, its mapping and the importer's view. */
struct conform {
	struct dmalab_conform_report *rep;
	int fd;
	int imp;
	long page;
	uint64_t size;
	uint8_t *map;		/* whole-buffer MAP_SHARED mapping, or NULL */
	uint32_t handle;
	int imported;
	/* The first device mapping that worked: DMA and fences use it. */
	uint32_t dma_dev_id;
	uint32_t dma_attach;
	char dma_dev[DMALAB_CONFORM_NAME_LEN];
	int have_dma;
	uint32_t sim;		/* the simulated device made for the checks */
	/* Read-only: never write the buffer; why, for each check skipped. */
	int ro;
	const char *why;
	uint32_t dir;		/* device mappings' direction */
};

const char *dmalab_conform_verdict_name(int verdict)
{
	switch (verdict) {
	case DMALAB_CONFORM_PASS:
		return "pass";
	case DMALAB_CONFORM_FAIL:
		return "fail";
	case DMALAB_CONFORM_SKIPPED:
		return "skipped";
	default:
		return "not supported";
	}
}

static void conform_add(struct conform *k, const char *name, int verdict,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void conform_add(struct conform *k, const char *name, int verdict,
			const char *fmt, ...)
{
	struct dmalab_conform_report *r = k->rep;
	struct dmalab_conform_check *c;
	va_list ap;

	if (r->nr_checks >= DMALAB_CONFORM_MAX)
		return;
	c = &r->checks[r->nr_checks++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->verdict = verdict;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	if (verdict == DMALAB_CONFORM_PASS)
		r->passed++;
	else if (verdict == DMALAB_CONFORM_FAIL)
		r->failed++;
	else if (verdict == DMALAB_CONFORM_SKIPPED)
		r->skipped++;
	else
		r->unsupported++;
}

/* A check that writes the buffer, skipped in a read-only run. */
static void conform_skip(struct conform *k, const char *name)
{
	conform_add(k, name, DMALAB_CONFORM_SKIPPED, "%s", k->why);
}

static double conform_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int conform_sync(int fd, uint64_t flags)
{
	return dmalab_buf_sync(fd, flags, NULL);
}

/* ---- size and lseek ---- */

static int conform_lseek(struct conform *k)
{
	off_t end = lseek(k->fd, 0, SEEK_END), set;
	int bad = 0;

	if (end <= 0) {
		conform_add(k, "lseek_end_gives_size", DMALAB_CONFORM_FAIL,
			    "lseek(SEEK_END) gave %lld (%s)", (long long)end,
			    end < 0 ? strerror(errno) : "empty");
		return -1;
	}
	k->size = (uint64_t)end;
	k->rep->size = k->size;
	conform_add(k, "lseek_end_gives_size", DMALAB_CONFORM_PASS,
		    "%llu bytes", (unsigned long long)k->size);
	conform_add(k, "size_is_page_multiple",
		    k->size % k->page ? DMALAB_CONFORM_FAIL : DMALAB_CONFORM_PASS,
		    "%llu pages%s", (unsigned long long)(k->size / k->page),
		    k->size % k->page ? " and a partial one" : "");
	set = lseek(k->fd, 0, SEEK_SET);
	conform_add(k, "lseek_set_0_works",
		    set ? DMALAB_CONFORM_FAIL : DMALAB_CONFORM_PASS,
		    set ? "lseek(0, SEEK_SET) gave %lld" : "offset back to 0",
		    (long long)set);
	bad += lseek(k->fd, 0, SEEK_CUR) >= 0 || errno != EINVAL;
	bad += lseek(k->fd, k->page, SEEK_SET) >= 0 || errno != EINVAL;
	bad += lseek(k->fd, -k->page, SEEK_END) >= 0 || errno != EINVAL;
	lseek(k->fd, 0, SEEK_SET);
	if (bad)
		conform_add(k, "lseek_other_refused", DMALAB_CONFORM_FAIL,
			    "%d of SEEK_CUR, SEEK_SET page, SEEK_END -page not refused with EINVAL",
			    bad);
	else
		conform_add(k, "lseek_other_refused", DMALAB_CONFORM_PASS,
			    "SEEK_CUR, SEEK_SET page, SEEK_END -page: EINVAL");
	return 0;
}

/* ---- mmap ---- */

static void conform_fill(struct conform *k, uint32_t seed)
{
	uint64_t i;

	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (i = 0; i < k->size; i++)
		k->map[i] = dmalab_pattern_byte(seed, i);
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/* A second mapping at @off of @len bytes shows what the whole one shows. */
static int conform_mmap_at(struct conform *k, uint64_t off, uint64_t len)
{
	uint8_t *p = mmap(NULL, len, k->ro ? PROT_READ : PROT_READ | PROT_WRITE,
			  MAP_SHARED, k->fd, (off_t)off);
	int same;

	if (p == MAP_FAILED)
		return -errno;
	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	same = !memcmp(p, k->map + off, len);
	if (!same && !memcmp(p, k->map, len)) {
		munmap(p, len);
		conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		return -ESPIPE;	/* it mapped offset 0: vm_pgoff ignored */
	}
	/* Read-only: contents compared; a write would show more. */
	if (k->ro) {
		conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		munmap(p, len);
		return same ? 0 : -EIO;
	}
	p[len - 1] ^= 0xff;
	same = same && k->map[off + len - 1] == p[len - 1];
	p[len - 1] ^= 0xff;
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, len);
	return same ? 0 : -EIO;
}

static void conform_mmap_rw(struct conform *k)
{
	uint8_t *p = k->map;
	uint64_t i;
	int ok;

	conform_fill(k, CONFORM_SEED);
	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = 0, ok = 1; i < k->size && ok; i++)
		ok = p[i] == dmalab_pattern_byte(CONFORM_SEED, i);
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	conform_add(k, "mmap_whole_buffer",
		    ok ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
		    ok ? "written and read back" : "byte %llu reads back wrong",
		    (unsigned long long)(i - 1));
}

static void conform_mmap_offsets(struct conform *k)
{
	uint64_t offs[3] = { 0, k->page, k->size - k->page }, i;
	int r = 0;

	for (i = 1; i < 3 && !r; i++)
		if (offs[i] < k->size)
			r = conform_mmap_at(k, offs[i], k->page);
	if (r)
		conform_add(k, "mmap_at_offsets", DMALAB_CONFORM_FAIL,
			    "page at offset %llu: %s",
			    (unsigned long long)offs[i - 1],
			    r == -EIO ? "differs from the whole mapping" :
			    r == -ESPIPE ? "shows offset 0 (vm_pgoff ignored)" :
			    strerror(-r));
	else
		conform_add(k, "mmap_at_offsets", DMALAB_CONFORM_PASS,
			    "pages at offsets %llu and %llu match the whole mapping%s",
			    (unsigned long long)offs[1],
			    (unsigned long long)offs[2],
			    k->ro ? " (read-only: by contents)" : "");
}

static void conform_mmap(struct conform *k)
{
	uint8_t *p;

	p = mmap(NULL, k->size, k->ro ? PROT_READ : PROT_READ | PROT_WRITE,
		 MAP_SHARED, k->fd, 0);
	if (p == MAP_FAILED) {
		conform_add(k, "mmap_whole_buffer", DMALAB_CONFORM_UNSUPPORTED,
			    "mmap refused: %s", strerror(errno));
		return;
	}
	k->map = p;
	if (k->ro) {
		uint64_t sum;

		conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		sum = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, p, k->size);
		conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		conform_add(k, "mmap_whole_buffer", DMALAB_CONFORM_PASS,
			    "mapped read-only and read (FNV-1a %#llx); not written",
			    (unsigned long long)sum);
	} else {
		conform_mmap_rw(k);
	}
	conform_mmap_offsets(k);
}

static void conform_mmap_bounds(struct conform *k)
{
	void *p, *q;
	uint8_t before;
	int refused;

	if (!k->map) {
		conform_add(k, "mmap_beyond_size_refused",
			    DMALAB_CONFORM_UNSUPPORTED, "the buffer has no mmap");
		conform_add(k, "mmap_private", DMALAB_CONFORM_UNSUPPORTED,
			    "the buffer has no mmap");
		return;
	}
	p = mmap(NULL, k->size + k->page, PROT_READ, MAP_SHARED, k->fd, 0);
	q = mmap(NULL, k->page, PROT_READ, MAP_SHARED, k->fd, (off_t)k->size);
	refused = p == MAP_FAILED && q == MAP_FAILED;
	conform_add(k, "mmap_beyond_size_refused",
		    refused ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
		    refused ? "size + 1 page and offset = size: refused" :
		    "a mapping past the end was accepted");
	if (p != MAP_FAILED)
		munmap(p, k->size + k->page);
	if (q != MAP_FAILED)
		munmap(q, k->page);

	/* MAP_PRIVATE: either refused, or private writes stay private. */
	if (k->ro) {
		conform_skip(k, "mmap_private");
		return;
	}
	p = mmap(NULL, k->page, PROT_READ | PROT_WRITE, MAP_PRIVATE, k->fd, 0);
	if (p == MAP_FAILED) {
		conform_add(k, "mmap_private", DMALAB_CONFORM_PASS,
			    "refused (%s)", strerror(errno));
		return;
	}
	before = k->map[0];
	((uint8_t *)p)[0] = (uint8_t)~before;
	refused = k->map[0] == before;
	munmap(p, k->page);
	if (!refused)
		k->map[0] = before;
	conform_add(k, "mmap_private",
		    refused ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
		    refused ? "accepted; writes stay private (copy on write)" :
		    "accepted, and a private write reached the shared buffer");
}

/* ---- DMA_BUF_IOCTL_SYNC ---- */

static void conform_sync_flags(struct conform *k)
{
	static const uint64_t dirs[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	static const uint64_t bad[] = {
		DMA_BUF_SYNC_START, DMA_BUF_SYNC_END | 0x100,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ | (1ULL << 40),
	};
	unsigned int i, nbad = 0;
	int r = 0;

	for (i = 0; i < 3 && !r; i++) {
		r = conform_sync(k->fd, DMA_BUF_SYNC_START | dirs[i]);
		if (!r)
			r = conform_sync(k->fd, DMA_BUF_SYNC_END | dirs[i]);
	}
	if (r)
		conform_add(k, "sync_every_direction", DMALAB_CONFORM_FAIL,
			    "start/end of %s: %s",
			    i == 1 ? "read" : i == 2 ? "write" : "read-write",
			    strerror(-r));
	else
		conform_add(k, "sync_every_direction", DMALAB_CONFORM_PASS,
			    "start and end of read, write, read-write");
	for (i = 0; i < CONFORM_ARRAY_SIZE(bad); i++)
		nbad += conform_sync(k->fd, bad[i]) != -EINVAL;
	if (nbad)
		conform_add(k, "sync_bad_flags_refused", DMALAB_CONFORM_FAIL,
			    "%u of 3 bad flag sets not refused with EINVAL", nbad);
	else
		conform_add(k, "sync_bad_flags_refused", DMALAB_CONFORM_PASS,
			    "no direction, unknown bits: EINVAL");
}

/* ---- kernel CPU access (the importer's vmap) ---- */

static int conform_cpu(struct conform *k, uint32_t op, uint64_t off,
		       uint64_t len, uint32_t pattern, uint64_t *sum)
{
	struct dmalab_imp_cpu c = { .size = sizeof(c) };
	int r;

	c.handle = k->handle;
	c.op = op;
	c.offset = off;
	c.len = len;
	c.pattern = pattern;
	r = dmalab_imp_cpu_op(k->imp, &c, NULL);
	if (!r && sum)
		*sum = c.checksum;
	return r;
}

static void conform_vmap(struct conform *k)
{
	uint64_t sum = 0, want, len = k->size < 4096 ? k->size : 4096, i;
	int r, ok = 1;

	if (!k->imported || !k->map) {
		conform_add(k, "vmap_equals_mmap", DMALAB_CONFORM_UNSUPPORTED,
			    "%s", !k->imported ? "the importer could not import it" :
			    "needs mmap to compare");
		conform_add(k, "vmap_write_seen_by_mmap",
			    DMALAB_CONFORM_UNSUPPORTED, "as above");
		return;
	}
	if (!k->ro)
		conform_fill(k, CONFORM_SEED + 1);
	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	want = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, k->map, k->size);
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	r = conform_cpu(k, DMALAB_IMP_CPU_CHECKSUM, 0, k->size, 0, &sum);
	if (r == -EINVAL || r == -EOPNOTSUPP || r == -ENOMEM || r == -ENOTTY) {
		conform_add(k, "vmap_equals_mmap", DMALAB_CONFORM_UNSUPPORTED,
			    "dma_buf_vmap or cpu access refused: %s", strerror(-r));
		conform_add(k, "vmap_write_seen_by_mmap",
			    DMALAB_CONFORM_UNSUPPORTED, "as above");
		return;
	}
	if (r)
		conform_add(k, "vmap_equals_mmap", DMALAB_CONFORM_FAIL,
			    "checksum through vmap: %s", strerror(-r));
	else
		conform_add(k, "vmap_equals_mmap",
			    sum == want ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
			    "FNV-1a of %llu bytes %s", (unsigned long long)k->size,
			    sum == want ? "equal" : "differ");

	if (k->ro) {
		conform_skip(k, "vmap_write_seen_by_mmap");
		return;
	}
	r = conform_cpu(k, DMALAB_IMP_CPU_FILL, k->size - len, len, 0xc3, NULL);
	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = k->size - len; !r && ok && i < k->size; i++)
		ok = k->map[i] == 0xc3;
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (r)
		conform_add(k, "vmap_write_seen_by_mmap", DMALAB_CONFORM_FAIL,
			    "fill through vmap: %s", strerror(-r));
	else
		conform_add(k, "vmap_write_seen_by_mmap",
			    ok ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
			    ok ? "last %llu bytes filled in the kernel, read by mmap" :
			    "mmap reads stale bytes after a kernel fill (of %llu)",
			    (unsigned long long)len);
}

/* ---- device mappings ---- */

/* Check one device's sg_table; keep the first good mapping for DMA. */
static void conform_dev(struct conform *k, uint32_t dev_id, const char *label)
{
	struct dmalab_imp_dev_info di;
	struct dmalab_imp_sg_info si;
	struct dmalab_imp_sg_entry *e;
	char name[DMALAB_CONFORM_NAME_LEN];
	uint32_t att, i, unaligned = 0;
	int r;

	snprintf(name, sizeof(name), "sg_%s", label);
	if (dmalab_imp_get_dev_info(k->imp, dev_id, &di, NULL))
		return;
	r = dmalab_imp_attach_dev(k->imp, k->handle, dev_id, &att, NULL);
	if (!r) {
		r = dmalab_imp_map_attach(k->imp, att, k->dir, NULL);
		if (r)
			dmalab_imp_detach(k->imp, att, NULL);
	}
	if (r == -ERANGE) {
		conform_add(k, name, DMALAB_CONFORM_UNSUPPORTED,
			    "%u-bit %s: pages beyond its reach (ERANGE)",
			    di.dma_mask_bits, di.name);
		return;
	}
	if (r) {
		conform_add(k, name, DMALAB_CONFORM_FAIL, "%u-bit %s: %s%s",
			    di.dma_mask_bits, di.name, strerror(-r),
			    r == -EMSGSIZE ? " (entries break its segment limits)" : "");
		return;
	}
	e = calloc(4096, sizeof(*e));
	r = dmalab_imp_get_sg_info(k->imp, att, &si, e, e ? 4096 : 0, NULL);
	if (r == -EPERM)
		r = dmalab_imp_get_sg_info(k->imp, att, &si, NULL, 0, NULL);
	for (i = 0; !r && e && i < si.entries_count; i++)
		unaligned += (e[i].dma_addr | e[i].dma_len) % k->page != 0;
	free(e);
	if (r)
		conform_add(k, name, DMALAB_CONFORM_FAIL, "%u-bit %s: SG_INFO: %s",
			    di.dma_mask_bits, di.name, strerror(-r));
	else if (si.total_len != k->size || unaligned || si.dma_min % k->page ||
		 si.violations)
		conform_add(k, name, DMALAB_CONFORM_FAIL,
			    "%u-bit %s: %u entries cover %llu of %llu bytes, %u unaligned, %u break its limits (kinds %#x)",
			    di.dma_mask_bits, di.name, si.nents,
			    (unsigned long long)si.total_len,
			    (unsigned long long)k->size, unaligned,
			    si.violations, si.violation_kinds);
	else
		conform_add(k, name, DMALAB_CONFORM_PASS,
			    "%u-bit %s: %u entries, longest %llu, DMA 0x%llx-0x%llx",
			    di.dma_mask_bits, di.name, si.nents,
			    (unsigned long long)si.longest,
			    (unsigned long long)si.dma_min,
			    (unsigned long long)si.dma_max);
	/*
	 * One device mapping at a time: exporters that map without
	 * DMA_ATTR_SKIP_CPU_SYNC (the system heap, videobuf2) make DMA-API
	 * debugging report two writable mappings of the same pages. Detach,
	 * not only unmap: videobuf2 keeps its mapping until detach.
	 */
	dmalab_imp_unmap_attach(k->imp, att, NULL);
	dmalab_imp_detach(k->imp, att, NULL);
	if (!r && !k->have_dma && !si.violations) {
		k->have_dma = 1;
		k->dma_dev_id = dev_id;
		snprintf(k->dma_dev, sizeof(k->dma_dev), "%s", label);
	}
}

/*
 * Every device the importer has (edu devices are labelled edu0, edu1, ...)
 * and one simulated 64-bit device with a 64 KiB segment limit and a 1 MiB
 * boundary: an exporter must build its table for the attached device.
 */
static void conform_devices(struct conform *k)
{
	struct dmalab_imp_sim_create sc = { .size = sizeof(sc) };
	struct dmalab_imp_dev_info di;
	uint32_t ids[16];
	char label[16];
	int n, i, edu = 0;

	n = dmalab_imp_list_devs(k->imp, ids, 16, NULL);
	for (i = 0; i < n && i < 16; i++) {
		if (dmalab_imp_get_dev_info(k->imp, ids[i], &di, NULL) ||
		    di.kind != DMALAB_IMP_KIND_EDU)
			continue;
		snprintf(label, sizeof(label), "edu%d", edu++);
		conform_dev(k, ids[i], label);
	}
	if (!edu)
		conform_add(k, "sg_edu", DMALAB_CONFORM_UNSUPPORTED,
			    "the importer has no edu device");
	sc.dma_bits = 64;
	sc.max_seg_size = 65536;
	sc.seg_boundary_mask = (1ULL << 20) - 1;
	if (!dmalab_imp_sim_create(k->imp, &sc, NULL)) {
		k->sim = sc.dev_id;
		conform_dev(k, k->sim, "sim_seg64k");
	}
}

/* ---- DMA and fences ---- */

/* A job of one programming at @off of the DMA device's mapping. */
static void conform_job_init(struct conform *k, struct dmalab_imp_job *j,
			     uint32_t op, uint64_t off, uint32_t pattern)
{
	uint64_t len = k->size < CONFORM_DMA_LEN ? k->size : CONFORM_DMA_LEN;

	memset(j, 0, sizeof(*j));
	j->op = op;
	j->timeout_ms = CONFORM_JOB_MS;
	j->len = len;
	j->pattern = pattern;
	if (op == DMALAB_IMP_JOB_CHECKSUM) {
		j->src_attach = k->dma_attach;
		j->src_offset = off;
	} else {
		j->dst_attach = k->dma_attach;
		j->dst_offset = off;
	}
}

/* Run a job to its end; 0 or its -errno. */
static int conform_job(struct conform *k, uint32_t op, uint64_t off,
		       uint32_t pattern, uint64_t *sum)
{
	struct dmalab_imp_job j;

	conform_job_init(k, &j, op, off, pattern);
	return dmalab_imp_run_job(k->imp, &j, sum, NULL);
}

/* Read-only: the device reads the buffer; what mmap reads must match. */
static void conform_dma_read(struct conform *k)
{
	uint64_t len = k->size < CONFORM_DMA_LEN ? k->size : CONFORM_DMA_LEN;
	uint64_t sum = 0, want;
	int r;

	conform_skip(k, "dma_round_trip");
	if (!k->have_dma || !k->map) {
		conform_add(k, "dma_read_equals_mmap", DMALAB_CONFORM_UNSUPPORTED,
			    "%s", !k->have_dma ? "no device could map it" :
			    "needs mmap to compare");
		return;
	}
	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	want = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, k->map, len);
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	r = conform_job(k, DMALAB_IMP_JOB_CHECKSUM, 0, 0, &sum);
	if (r)
		conform_add(k, "dma_read_equals_mmap", DMALAB_CONFORM_FAIL,
			    "%s job: %s", k->dma_dev, strerror(-r));
	else
		conform_add(k, "dma_read_equals_mmap",
			    sum == want ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
			    "%s read %llu bytes %s", k->dma_dev,
			    (unsigned long long)len,
			    sum == want ? "as mmap reads them" : "DIFFERENT from mmap");
}

static void conform_dma(struct conform *k)
{
	uint64_t len = k->size < CONFORM_DMA_LEN ? k->size : CONFORM_DMA_LEN;
	uint64_t sum = 0, want, off = k->size - len, i;
	int r, ok = 1;

	if (!k->have_dma || !k->map) {
		conform_add(k, "dma_round_trip", DMALAB_CONFORM_UNSUPPORTED, "%s",
			    !k->have_dma ? "no device could map it" :
			    "needs mmap to compare");
		return;
	}
	conform_fill(k, CONFORM_SEED + 2);
	want = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, k->map, len);
	r = conform_job(k, DMALAB_IMP_JOB_CHECKSUM, 0, 0, &sum);
	if (!r)
		r = conform_job(k, DMALAB_IMP_JOB_FILL, off, 0x96, NULL);
	conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = off; !r && ok && i < k->size; i++)
		ok = k->map[i] == 0x96;
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (r)
		conform_add(k, "dma_round_trip", DMALAB_CONFORM_FAIL,
			    "%s job: %s", k->dma_dev, strerror(-r));
	else
		conform_add(k, "dma_round_trip",
			    sum == want && ok ? DMALAB_CONFORM_PASS :
			    DMALAB_CONFORM_FAIL,
			    "%s read %llu bytes %s, wrote %llu bytes %s", k->dma_dev,
			    (unsigned long long)len,
			    sum == want ? "as written by mmap" : "WRONG",
			    (unsigned long long)len,
			    ok ? "seen by mmap" : "NOT seen by mmap");
}

/* Submit a device write without waiting for it; 0 or -errno. */
static int conform_async(struct conform *k, uint32_t *id)
{
	struct dmalab_imp_job j;
	int r;

	conform_job_init(k, &j, DMALAB_IMP_JOB_FILL, 0, 0x69);
	r = dmalab_imp_submit_job(k->imp, &j, NULL);
	if (!r)
		*id = j.job_id;
	return r;
}

/* Collect a submitted job's end; 0 or its -errno. */
static int conform_wait(struct conform *k, uint32_t id)
{
	return dmalab_imp_wait_job(k->imp, id, -1, NULL, NULL);
}

static void conform_fences(struct conform *k)
{
	int busy, ready, sf, st, sub;
	double t0, ms;
	uint32_t id = 0;

	if (k->ro) {
		conform_skip(k, "poll_waits_for_device_job");
		conform_skip(k, "export_sync_file_waits_for_job");
		conform_skip(k, "sync_start_waits_for_job");
		return;
	}
	if (!k->have_dma) {
		conform_add(k, "poll_waits_for_device_job",
			    DMALAB_CONFORM_UNSUPPORTED, "no device could map it");
		conform_add(k, "export_sync_file_waits_for_job",
			    DMALAB_CONFORM_UNSUPPORTED, "no device could map it");
		conform_add(k, "sync_start_waits_for_job",
			    DMALAB_CONFORM_UNSUPPORTED, "no device could map it");
		return;
	}
	/* poll(): busy right after the submit, ready once the job is done. */
	st = conform_async(k, &id);
	busy = !st && dmalab_buf_poll(k->fd, POLLIN, 0, NULL) == 0;
	ready = !st && dmalab_buf_poll(k->fd, POLLIN, CONFORM_JOB_MS, NULL) == 1;
	if (!st)
		st = conform_wait(k, id);
	conform_add(k, "poll_waits_for_device_job",
		    busy && ready && !st ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
		    "%s fill: busy after submit %s, ready after %s, job %s",
		    k->dma_dev, busy ? "yes" : "NO", ready ? "yes" : "NO",
		    st ? strerror(-st) : "ok");

	/* EXPORT_SYNC_FILE: a fence that signals with the job. */
	st = conform_async(k, &id);
	sf = st ? st : dmalab_buf_export_sync_file(k->fd, DMA_BUF_SYNC_WRITE, NULL);
	if (sf == -ENOTTY) {
		conform_add(k, "export_sync_file_waits_for_job",
			    DMALAB_CONFORM_UNSUPPORTED,
			    "DMA_BUF_IOCTL_EXPORT_SYNC_FILE unknown (kernel < 5.20)");
	} else {
		busy = sf >= 0 && dmalab_sync_file_wait(sf, 0, NULL) == 0;
		ready = sf >= 0 && dmalab_sync_file_wait(sf, CONFORM_JOB_MS, NULL) == 1;
		if (sf >= 0)
			close(sf);
		if (sf < 0)
			conform_add(k, "export_sync_file_waits_for_job",
				    DMALAB_CONFORM_FAIL, "export: %s",
				    strerror(-sf));
		else
			conform_add(k, "export_sync_file_waits_for_job",
				    busy && ready ? DMALAB_CONFORM_PASS :
				    DMALAB_CONFORM_FAIL,
				    "sync_file pending %s, signalled %s",
				    busy ? "yes" : "NO", ready ? "yes" : "NO");
	}
	if (!st)
		conform_wait(k, id);

	/* DMA_BUF_IOCTL_SYNC start waits for the device's write. */
	sub = conform_async(k, &id);
	st = sub;
	t0 = conform_ms();
	busy = !st && dmalab_buf_poll(k->fd, POLLIN, 0, NULL) == 0;
	if (!st)
		st = conform_sync(k->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ms = conform_ms() - t0;
	ready = dmalab_buf_poll(k->fd, POLLIN, 0, NULL) == 1;
	conform_sync(k->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (!sub)
		conform_wait(k, id);
	conform_add(k, "sync_start_waits_for_job",
		    !st && busy && ready ? DMALAB_CONFORM_PASS : DMALAB_CONFORM_FAIL,
		    "busy before %s, returned after %.0f ms %s%s", busy ? "yes" : "NO",
		    ms, ready ? "with the job done" : "BEFORE the job ended",
		    st ? strerror(-st) : "");
}

int dmalab_conform(int buf_fd, int imp_fd, struct dmalab_conform_report *rep,
		   struct dmalab_err *err)
{
	return dmalab_conform_with(buf_fd, imp_fd, NULL, rep, err);
}

int dmalab_conform_with(int buf_fd, int imp_fd,
			const struct dmalab_conform_opts *opts,
			struct dmalab_conform_report *rep,
			struct dmalab_err *err)
{
	struct conform k = { .rep = rep, .fd = buf_fd, .imp = imp_fd };
	uint64_t isize = 0;
	int own = 0, r;

	k.ro = opts && (opts->flags & DMALAB_CONFORM_READ_ONLY);
	k.why = opts && opts->why ? opts->why :
		"read-only: the check writes the buffer";
	/* A device that only reads: no bounce buffer is copied back. */
	k.dir = k.ro ? DMALAB_IMP_DIR_TO_DEVICE : DMALAB_IMP_DIR_BIDIR;

	memset(rep, 0, sizeof(*rep));
	k.page = sysconf(_SC_PAGESIZE);
	/* Only dma-bufs have an exporter name in their fdinfo. */
	r = dmalab_buf_fdinfo(buf_fd, "exp_name", rep->exporter,
			      sizeof(rep->exporter), NULL);
	if (r)
		snprintf(rep->exporter, sizeof(rep->exporter), "unknown");
	if (r == -EBADF)
		return dmalab_err_set(err, EBADF, "fd %d is not open", buf_fd);
	if (r)
		return dmalab_err_set(err, EINVAL,
				   "fd %d: no exp_name in its fdinfo (is it a dma-buf?)",
				   buf_fd);
	if (conform_lseek(&k))
		return dmalab_err_set(err, ESPIPE, "fd %d: lseek(SEEK_END) (is it a dma-buf?)",
				   buf_fd);
	if (k.imp < 0) {
		k.imp = dmalab_imp_open(NULL);
		own = k.imp >= 0;
	}
	r = k.imp < 0 ? k.imp :
	    dmalab_imp_import_fd(k.imp, buf_fd, &k.handle, &isize, NULL);
	k.imported = !r;
	if (k.imported && isize != k.size)
		conform_add(&k, "importer_sees_same_size", DMALAB_CONFORM_FAIL,
			    "importer: %llu bytes", (unsigned long long)isize);
	conform_mmap(&k);
	conform_mmap_bounds(&k);
	conform_sync_flags(&k);
	conform_vmap(&k);
	if (k.imported)
		conform_devices(&k);
	/* The device chosen for DMA attaches and maps again, now alone. */
	if (k.have_dma &&
	    dmalab_imp_attach_dev(k.imp, k.handle, k.dma_dev_id, &k.dma_attach,
				  NULL))
		k.have_dma = 0;
	if (k.have_dma &&
	    dmalab_imp_map_attach(k.imp, k.dma_attach, k.dir, NULL)) {
		dmalab_imp_detach(k.imp, k.dma_attach, NULL);
		k.have_dma = 0;
	}
	if (!k.imported)
		conform_add(&k, "sg_tables", DMALAB_CONFORM_UNSUPPORTED,
			    "the importer could not import it: %s", strerror(-r));
	if (k.ro)
		conform_dma_read(&k);
	else
		conform_dma(&k);
	conform_fences(&k);
	if (k.map)
		munmap(k.map, k.size);
	/* Every job was waited for: the mapping is free to go. */
	if (k.have_dma) {
		dmalab_imp_unmap_attach(k.imp, k.dma_attach, NULL);
		dmalab_imp_detach(k.imp, k.dma_attach, NULL);
	}
	if (k.imported)
		dmalab_imp_release(k.imp, k.handle, NULL);
	if (k.sim)
		dmalab_imp_sim_destroy(k.imp, k.sim, NULL);
	if (own)
		close(k.imp);
	return 0;
}
