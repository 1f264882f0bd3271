// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab fill, verify, dump: CPU access through mmap, either of the dma-buf
 * fd itself (the study note's example 1) or of /dev/dmalab_exp with the
 * buffer bound to it (example 2, dma_buf_mmap()), bracketed by
 * DMA_BUF_IOCTL_SYNC.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

#define DUMP_DEFAULT	256
#define DUMP_MAX	65536

/* One mapped range of a buffer. */
struct range {
	int buf_fd;
	int exp_fd;		/* /dev/dmalab_exp when mapped through it */
	uint64_t off;
	uint64_t len;
	uint8_t *map;		/* page-aligned mapping */
	uint64_t map_len;
	uint8_t *p;		/* byte @off */
	double ms;		/* time spent in the access */
};

#define RANGE_OPT_OFFSET \
	OPT("offset", "BYTES", "start of the range (default 0)")
#define RANGE_OPT_LEN \
	OPT("len", "BYTES", "length of the range (default: to the end)")
#define RANGE_OPT_VIA \
	OPT("via", "buf|dev", "mmap the dma-buf fd, or /dev/dmalab_exp bound to it")

static const char *const vias[] = { "buf", "dev", NULL };

static int range_open(struct cli *c, struct range *r, int prot,
		      uint64_t def_len)
{
	uint64_t size, pg = sysconf(_SC_PAGESIZE), al;
	int via, ret, map_fd;

	memset(r, 0, sizeof(*r));
	r->exp_fd = -1;
	r->buf_fd = cli_buf_fd(c, "fd");
	if (r->buf_fd < 0)
		return cli_buf_fd_status(c);
	if (cli_no_args(c))
		return 2;
	via = cli_choice(c, "via", vias, 0);
	if (via < 0)
		return 2;
	ret = cli_size(c, "offset", 0, &r->off);
	if (ret)
		return ret;
	if (dmalab_buf_size(r->buf_fd, &size, &c->err))
		return cli_lib_fail(c);
	if (r->off >= size)
		return cli_usage(c, "--offset %llu is beyond the buffer's %llu bytes",
				 (unsigned long long)r->off,
				 (unsigned long long)size);
	if (!def_len || def_len > size - r->off)
		def_len = size - r->off;
	ret = cli_size(c, "len", def_len, &r->len);
	if (ret)
		return ret;
	if (!r->len || r->len > size - r->off)
		return cli_usage(c, "--len %llu: the range must be non-empty and end within %llu bytes",
				 (unsigned long long)r->len,
				 (unsigned long long)size);
	map_fd = r->buf_fd;
	if (via == 1) {
		r->exp_fd = open_exp(c);
		if (r->exp_fd < 0)
			return cli_lib_fail(c);
		if (dmalab_exp_bind(r->exp_fd, r->buf_fd, &c->err))
			goto fail;
		map_fd = r->exp_fd;
	}
	al = r->off & ~(pg - 1);
	r->map_len = r->off + r->len - al;
	if (dmalab_buf_mmap(map_fd, al, r->map_len, prot, (void **)&r->map,
			    &c->err))
		goto fail;
	r->p = r->map + (r->off - al);
	return 0;
fail:
	if (r->exp_fd >= 0)
		close(r->exp_fd);
	return cli_lib_fail(c);
}

static void range_close(struct range *r)
{
	munmap(r->map, r->map_len);
	if (r->exp_fd >= 0)
		close(r->exp_fd);
}

static void range_out(struct cli *c, const struct range *r)
{
	out_i64(c, "fd", r->buf_fd);
	if (c->owner_pid) {
		out_i64(c, "pid", c->owner_pid);
		out_i64(c, "pid_fd", c->owner_fd);
	}
	out_str(c, "via", r->exp_fd >= 0 ? "dev" : "buf");
	out_u64(c, "offset", r->off);
	out_u64(c, "len", r->len);
}

static struct cli_opt fill_opts[] = {
	OPT_FD,
	RANGE_OPT_OFFSET,
	RANGE_OPT_LEN,
	RANGE_OPT_VIA,
	OPT("pattern", "BYTE|seq[:SEED]",
	    "a byte value, or the page-varying test pattern (default seq)"),
	OPT_END,
};

static int fill_run(struct cli *c)
{
	struct range r;
	uint32_t val;
	uint64_t i, sum;
	int seq, ret;
	double t0;

	ret = cli_pattern(c, "pattern", &seq, &val);
	if (ret)
		return ret;
	ret = range_open(c, &r, PROT_READ | PROT_WRITE, 0);
	if (ret)
		return ret;
	t0 = now_ms();
	if (dmalab_buf_sync(r.buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
			    &c->err))
		goto fail;
	for (i = 0; i < r.len; i++) {
		r.p[i] = seq ? dmalab_pattern_byte(val, r.off + i) : val;
		if (!(i & ((16 << 20) - 1)))
			cli_progress(i, r.len);
	}
	cli_progress(r.len, r.len);
	if (dmalab_buf_sync(r.buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
			    &c->err))
		goto fail;
	r.ms = now_ms() - t0;
	sum = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, r.p, r.len);
	out_begin(c);
	range_out(c, &r);
	out_str(c, "pattern", cli_str(c, "pattern", "seq"));
	out_hex(c, "fnv1a64", sum);
	out_ms(c, "ms", r.ms);
	out_end(c);
	range_close(&r);
	return 0;
fail:
	range_close(&r);
	return cli_lib_fail(c);
}

const struct cli_cmd cmd_fill = {
	.name = "fill",
	.usage = "[--fd N] [--offset B] [--len B] [--pattern P] [--via buf|dev]",
	.summary = "write a pattern into a range through mmap",
	.opts = fill_opts,
	.run = fill_run,
};

static struct cli_opt verify_opts[] = {
	OPT_FD,
	OPT_PID,
	RANGE_OPT_OFFSET,
	RANGE_OPT_LEN,
	RANGE_OPT_VIA,
	OPT("pattern", "BYTE|seq[:SEED]", "what the range must hold (default seq)"),
	OPT_END,
};

static int verify_run(struct cli *c)
{
	uint64_t i, bad = 0, first = 0, sum;
	uint8_t want, want0 = 0, got0 = 0;
	struct range r;
	uint32_t val;
	int seq, ret;
	double t0;

	ret = cli_pattern(c, "pattern", &seq, &val);
	if (ret)
		return ret;
	ret = range_open(c, &r, PROT_READ, 0);
	if (ret)
		return ret;
	t0 = now_ms();
	if (dmalab_buf_sync(r.buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
			    &c->err))
		goto fail;
	for (i = 0; i < r.len; i++) {
		want = seq ? dmalab_pattern_byte(val, r.off + i) : val;
		if (r.p[i] != want && !bad++) {
			first = r.off + i;
			want0 = want;
			got0 = r.p[i];
		}
		if (!(i & ((16 << 20) - 1)))
			cli_progress(i, r.len);
	}
	cli_progress(r.len, r.len);
	sum = dmalab_fnv1a64(DMALAB_IMP_FNV_OFFSET, r.p, r.len);
	if (dmalab_buf_sync(r.buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
			    &c->err))
		goto fail;
	r.ms = now_ms() - t0;
	out_begin(c);
	range_out(c, &r);
	out_str(c, "pattern", cli_str(c, "pattern", "seq"));
	out_bool(c, "match", !bad);
	out_u64(c, "mismatches", bad);
	if (bad)
		out_u64(c, "first_mismatch", first);
	out_hex(c, "fnv1a64", sum);
	out_ms(c, "ms", r.ms);
	out_end(c);
	range_close(&r);
	if (bad)
		return cli_fail(c, "%llu bytes differ, first at offset %llu: expected 0x%02x, found 0x%02x",
				(unsigned long long)bad,
				(unsigned long long)first, want0, got0);
	return 0;
fail:
	range_close(&r);
	return cli_lib_fail(c);
}

const struct cli_cmd cmd_verify = {
	.name = "verify",
	.usage = "[--fd N [--pid PID]] [--offset B] [--len B] [--pattern P] [--via buf|dev]",
	.summary = "check a range holds a pattern, through mmap (exit 1 if not)",
	.opts = verify_opts,
	.run = verify_run,
};

static struct cli_opt dump_opts[] = {
	OPT_FD,
	OPT_PID,
	RANGE_OPT_OFFSET,
	RANGE_OPT_LEN,
	RANGE_OPT_VIA,
	OPT_END,
};

static int dump_run(struct cli *c)
{
	char hex[2 * 16 + 1];
	struct range r;
	uint64_t i, j;
	int ret;

	ret = range_open(c, &r, PROT_READ, DUMP_DEFAULT);
	if (ret)
		return ret;
	if (r.len > DUMP_MAX) {
		range_close(&r);
		return cli_usage(c, "--len: at most %d bytes are dumped", DUMP_MAX);
	}
	if (dmalab_buf_sync(r.buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
			    &c->err)) {
		range_close(&r);
		return cli_lib_fail(c);
	}
	if (c->json) {
		out_begin(c);
		range_out(c, &r);
		out_array_begin(c, "hex");
		for (i = 0; i < r.len; i += 16) {
			for (j = 0; j < 16 && i + j < r.len; j++)
				sprintf(hex + 2 * j, "%02x", r.p[i + j]);
			out_str(c, NULL, hex);
		}
		out_array_end(c);
		out_end(c);
	} else {
		for (i = 0; i < r.len; i += 16) {
			printf("%08llx ", (unsigned long long)(r.off + i));
			for (j = 0; j < 16 && i + j < r.len; j++)
				printf(" %02x", r.p[i + j]);
			printf("%*s  |", (int)(16 - j) * 3, "");
			for (j = 0; j < 16 && i + j < r.len; j++)
				putchar(r.p[i + j] >= 32 && r.p[i + j] < 127 ?
					r.p[i + j] : '.');
			printf("|\n");
		}
	}
	dmalab_buf_sync(r.buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, NULL);
	range_close(&r);
	return 0;
}

const struct cli_cmd cmd_dump = {
	.name = "dump",
	.usage = "[--fd N [--pid PID]] [--offset B] [--len B] [--via buf|dev]",
	.summary = "hex dump of a range (default 256 bytes) through mmap",
	.opts = dump_opts,
	.run = dump_run,
};
