// SPDX-License-Identifier: GPL-2.0
/* dmalab info, name, stats: what a buffer and the exporter look like. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "svg.h"

#define INFO_MAX_ATTACH 16

void show_exp_info(struct cli *c, const struct dmalab_exp_info *info,
		   const struct dmalab_exp_attach_info *att)
{
	unsigned int i;

	out_u64(c, "size", info->len);
	out_str(c, "name", info->name);
	out_str(c, "placement", placement_name(info->placement));
	out_str(c, "timing", timing_name(info->timing));
	out_u64(c, "addr_bits", info->addr_bits);
	out_bool(c, "migrate", info->alloc_flags & DMALAB_EXP_ALLOC_MIGRATE);
	out_bool(c, "copy", info->alloc_flags & DMALAB_EXP_ALLOC_COPY);
	out_bool(c, "allocated", info->state & DMALAB_EXP_STATE_ALLOCATED);
	out_bool(c, "contiguous", info->state & DMALAB_EXP_STATE_CONTIGUOUS);
	out_u64(c, "segments", info->nr_segments);
	if (info->state & DMALAB_EXP_STATE_PHYS_HIDDEN) {
		out_str(c, "phys", "hidden (needs CAP_SYS_ADMIN)");
	} else {
		out_hex(c, "phys_lo", info->phys_lo);
		out_hex(c, "phys_hi", info->phys_hi);
	}
	out_hex(c, "range_lo", info->range_lo);
	out_hex(c, "range_hi", info->range_hi);
	out_u64(c, "attachments", info->nr_attachments);
	out_u64(c, "mapped", info->nr_mapped);
	out_u64(c, "mmaps", info->nr_mmaps);
	out_u64(c, "vmaps", info->vmap_count);
	out_u64(c, "migrations", info->nr_migrations);
	out_u64(c, "copy_attachments", info->nr_copy_attach);
	out_u64(c, "copies_in", info->nr_copy_in);
	out_u64(c, "copies_out", info->nr_copy_out);
	if (!att || !info->attach_count)
		return;
	out_array_begin(c, "devices");
	for (i = 0; i < info->attach_count; i++) {
		const struct dmalab_exp_attach_info *a = &att[i];

		out_obj_begin(c);
		out_str(c, "dev", a->dev_name);
		out_hex(c, "reach_lo", a->range_lo);
		out_hex(c, "reach_hi", a->range_hi);
		out_bool(c, "iommu", a->flags & DMALAB_EXP_ATTACH_IOMMU);
		out_bool(c, "copy", a->flags & DMALAB_EXP_ATTACH_COPY);
		out_bool(c, "mapped", a->flags & DMALAB_EXP_ATTACH_MAPPED);
		if (a->flags & DMALAB_EXP_ATTACH_MAPPED)
			out_u64(c, "nents", a->nr_sg);
		out_obj_end(c);
	}
	out_array_end(c);
}

static struct cli_opt info_opts[] = {
	OPT_FD,
	OPT_PID,
	OPT("svg", "FILE", "draw the buffer to FILE: segments and each device's reach (SVG)"),
	OPT_END,
};

/* info --svg: one panel, the buffer as it is now; 0 or -1 (c->err). */
static int info_svg(struct cli *c, int fd, const char *path)
{
	struct svg_panel *p = calloc(1, sizeof(*p));
	struct svg *s = NULL;
	uint32_t handle;
	char title[96];
	int imp = -1, ret = -1;

	if (!p)
		goto out;
	imp = open_imp(c);
	if (imp < 0 || dmalab_imp_import_fd(imp, fd, &handle, NULL, &c->err))
		goto out;
	if (picture_panel(c, imp, handle, fd, NULL, p))
		goto out;
	snprintf(title, sizeof(title), "dmalab info: the buffer%s%s%s",
		 *p->info.name ? " '" : "", p->info.name,
		 *p->info.name ? "'" : "");
	s = svg_new(title);
	if (!s)
		goto out;
	snprintf(p->title, sizeof(p->title),
		 "Now (the sg entries of mappings made by other processes are not known here)");
	svg_panel(s, p);
	ret = svg_save(s, path);
	s = NULL;
	if (ret)
		snprintf(c->err.msg, sizeof(c->err.msg), "%s: %s", path,
			 strerror(-ret));
out:
	if (ret && !*c->err.msg)
		snprintf(c->err.msg, sizeof(c->err.msg), "out of memory");
	if (imp >= 0)
		close(imp);
	if (p)
		svg_panel_free(p);
	free(p);
	return ret ? -1 : 0;
}

static int info_run(struct cli *c)
{
	struct dmalab_exp_attach_info att[INFO_MAX_ATTACH];
	struct dmalab_exp_info info;
	char exp_name[64] = "?";
	uint64_t size;
	int fd, exp, ret;

	fd = cli_buf_fd(c, "fd");
	if (fd < 0)
		return cli_buf_fd_status(c);
	if (cli_no_args(c))
		return 2;
	if (dmalab_buf_size(fd, &size, &c->err))
		return cli_lib_fail(c);
	/* Every dma-buf's fdinfo names its exporter; no other file's does. */
	if (dmalab_buf_fdinfo(fd, "exp_name", exp_name, sizeof(exp_name),
			      NULL))
		return cli_fail(c, "fd %d is not a dma-buf (no exp_name in its fdinfo)",
				fd);
	exp = open_exp(c);
	ret = exp < 0 ? -ENODEV :
	      dmalab_exp_get_info(exp, fd, &info, att, INFO_MAX_ATTACH, NULL);
	if (exp >= 0)
		close(exp);
	out_begin(c);
	out_i64(c, "fd", fd);
	if (c->owner_pid) {
		out_i64(c, "pid", c->owner_pid);
		out_i64(c, "pid_fd", c->owner_fd);
	}
	out_str(c, "exporter", exp_name);
	if (ret) {
		char name[64] = "";

		dmalab_buf_fdinfo(fd, "name", name, sizeof(name), NULL);
		out_u64(c, "size", size);
		out_str(c, "name", name);
	} else {
		show_exp_info(c, &info, att);
	}
	out_end(c);
	c->err.msg[0] = '\0';
	if (cli_str(c, "svg", NULL) && info_svg(c, fd, cli_str(c, "svg", NULL)))
		return cli_fail(c, "--svg: %s", c->err.msg);
	return 0;
}

const struct cli_cmd cmd_info = {
	.name = "info",
	.usage = "[--fd N] [--pid PID]",
	.summary = "show a dma-buf: size, exporter, placement, segments, devices",
	.details = "Any dma-buf works; the dmalab exporter's own buffers show everything\n"
		   "its INFO ioctl knows (physical addresses need root). With --pid, fd N\n"
		   "of that process (see dmalab ps). --svg draws a dmalab_exp buffer: its\n"
		   "physical segments (listed by mapping it for a moment to a simulated\n"
		   "64-bit device; needs dmalab_imp and root) and each attached device's\n"
		   "reach. The sg entries of devices are drawn by dmalab map --svg.",
	.opts = info_opts,
	.run = info_run,
};

static struct cli_opt name_opts[] = {
	OPT_FD,
	OPT_END,
};

static int name_run(struct cli *c)
{
	int fd = cli_buf_fd(c, "fd");

	if (fd < 0)
		return 2;
	if (c->argc != 1)
		return cli_usage(c, "give exactly one NAME");
	if (dmalab_buf_set_name(fd, c->argv[0], &c->err))
		return cli_lib_fail(c);
	out_begin(c);
	out_str(c, "name", c->argv[0]);
	out_end(c);
	return 0;
}

const struct cli_cmd cmd_name = {
	.name = "name",
	.usage = "[--fd N] NAME",
	.summary = "name a dma-buf (DMA_BUF_SET_NAME; shown in debugfs and fdinfo)",
	.opts = name_opts,
	.run = name_run,
};

static struct cli_opt stats_opts[] = {
	OPT_END,
};

static int stats_run(struct cli *c)
{
	struct dmalab_exp_version v;
	struct dmalab_exp_stats st;
	char uapi[24] = "";
	int exp;

	if (cli_no_args(c))
		return 2;
	exp = open_exp(c);
	if (exp < 0)
		return cli_lib_fail(c);
	if (dmalab_exp_get_stats(exp, &st, &c->err)) {
		close(exp);
		return cli_lib_fail(c);
	}
	/* The interface the module speaks; modules before 1.0 cannot say. */
	if (!dmalab_exp_get_version(exp, &v, NULL))
		snprintf(uapi, sizeof(uapi), "%u.%u", v.major, v.minor);
	close(exp);
	out_begin(c);
	out_u64(c, "live_buffers", st.live_buffers);
	out_u64(c, "live_bytes", st.live_bytes);
	out_u64(c, "live_attachments", st.live_attachments);
	out_u64(c, "live_mappings", st.live_mappings);
	out_u64(c, "live_vmaps", st.live_vmaps);
	out_u64(c, "live_mmaps", st.live_mmaps);
	out_u64(c, "total_buffers", st.total_buffers);
	out_u64(c, "max_len", st.max_len);
	out_u64(c, "max_contig_len", st.max_contig_len);
	out_u64(c, "aside_bytes", st.aside_bytes);
	out_u64(c, "aside_peak_bytes", st.aside_peak_bytes);
	if (*uapi)
		out_str(c, "uapi_version", uapi);
	out_end(c);
	return 0;
}

const struct cli_cmd cmd_stats = {
	.name = "stats",
	.usage = "",
	.summary = "the exporter's counters and limits",
	.opts = stats_opts,
	.run = stats_run,
};
