// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab map: import a buffer into the importer, attach it to devices and map
 * it, step by step, showing each sg_table and what the exporter did (where it
 * placed the pages, whether they moved, which device got a copy). Handles
 * live as long as the importer fd, so every step happens in this one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "devspec.h"
#include "svg.h"

#define MAP_MAX_ENTRIES	64
#define MAP_MAX_ATTACH	16

static struct cli_opt map_opts[] = {
	OPT_FD,
	OPT("dev", "DEV", "attach to DEV, and map once all are attached (repeatable)"),
	OPT("dir", "bidir|to-device|from-device", "mapping direction (default bidir)"),
	OPT("entries", NULL, "list the sg entries (at most 64; needs root)"),
	OPT("svg", "FILE", "draw the buffer at each show step to FILE (SVG; addresses need root)"),
	OPT_END,
};

static const char *const dirs[] = { "bidir", "to-device", "from-device", NULL };

void show_sg(struct cli *c, const struct dmalab_imp_sg_info *sg,
	     const struct dmalab_imp_dev_info *dev)
{
	int iommu = dev->dev_flags & DMALAB_IMP_DEV_IOMMU;

	out_u64(c, "nents", sg->nents);
	out_u64(c, "runs", sg->runs);
	out_hex(c, "dma_lo", sg->dma_min);
	out_hex(c, "dma_hi", sg->dma_max);
	out_u64(c, "longest", sg->longest);
	out_bool(c, "iommu", iommu);
	out_u64(c, "programmings", sg->progs_entries);
	out_u64(c, "programmings_if_merged", sg->progs_runs);
	out_u64(c, "violations", sg->violations);
}

struct map_state {
	int imp;
	int fd;
	uint32_t handle;
	uint32_t dir;
	struct devspecs ds;
	int failed;
	struct svg *svg;
	int panels;
	char since[160];
};

/* --svg: draw the buffer as it is now, under what happened since the last. */
static void map_draw(struct cli *c, struct map_state *s)
{
	struct svg_panel *p = calloc(1, sizeof(*p));
	struct dmalab_err keep = c->err;

	if (!p)
		return;
	s->panels++;
	snprintf(p->title, sizeof(p->title), "%d. %s%s", s->panels,
		 *s->since ? "after" : "before any step",
		 *s->since ? s->since : "");
	if (picture_panel(c, s->imp, s->handle, s->fd, &s->ds, p))
		snprintf(p->segs_note, sizeof(p->segs_note), "%s", c->err.msg);
	svg_panel(s->svg, p);
	svg_panel_free(p);
	free(p);
	*s->since = '\0';
	c->err = keep;
}

static void map_show_buffer(struct cli *c, struct map_state *s)
{
	struct dmalab_exp_attach_info att[MAP_MAX_ATTACH];
	struct dmalab_exp_info info;
	int exp = open_exp(c);

	if (exp < 0)
		return;
	if (!dmalab_exp_get_info(exp, s->fd, &info, att, MAP_MAX_ATTACH, NULL))
		show_exp_info(c, &info, NULL);
	close(exp);
}

static int map_sg(struct cli *c, struct map_state *s, struct devspec *d)
{
	struct dmalab_imp_sg_entry ents[MAP_MAX_ENTRIES];
	struct dmalab_imp_sg_info sg;
	int want = cli_flag(c, "entries");
	unsigned int i;

	if (dmalab_imp_get_sg_info(s->imp, d->attach_id, &sg, want ? ents : NULL,
				   MAP_MAX_ENTRIES, &c->err))
		return -1;
	show_sg(c, &sg, &d->info);
	if (!want)
		return 0;
	out_array_begin(c, "entries");
	for (i = 0; i < sg.entries_count; i++) {
		out_obj_begin(c);
		out_hex(c, "dma", ents[i].dma_addr);
		out_u64(c, "len", ents[i].dma_len);
		out_obj_end(c);
	}
	out_array_end(c);
	return 0;
}

static int map_verb_known(const char *verb, size_t len)
{
	static const char *const verbs[] = { "attach", "map", "unmap", "detach", NULL };
	int i;

	for (i = 0; verbs[i]; i++)
		if (strlen(verbs[i]) == len && !strncmp(verb, verbs[i], len))
			return 1;
	return 0;
}

/* One step "VERB:DEV" or "show"; prints one row, returns 0 or -1. */
static int map_step(struct cli *c, struct map_state *s, const char *step)
{
	const char *colon = strchr(step, ':');
	char verb[16];
	struct devspec *d;
	int ret = 0;

	out_obj_begin(c);
	if (!strcmp(step, "show")) {
		out_str(c, "step", "show");
		map_show_buffer(c, s);
		out_obj_end(c);
		if (s->svg)
			map_draw(c, s);
		return 0;
	}
	if (s->svg && strlen(s->since) + strlen(step) + 2 < sizeof(s->since))
		strcat(strcat(s->since, " "), step);
	snprintf(verb, sizeof(verb), "%.*s", colon ? (int)(colon - step) : 0, step);
	out_str(c, "step", verb);
	out_str(c, "dev", colon ? colon + 1 : "");
	if (!colon) {
		snprintf(c->err.msg, sizeof(c->err.msg),
			 "step '%s' is not VERB:DEV or show", step);
		goto fail;
	}
	if (devspec_resolve(c, s->imp, &s->ds, colon + 1, &d))
		goto fail;
	out_str(c, "name", d->info.name);
	if (!strcmp(verb, "attach")) {
		ret = dmalab_imp_attach_dev(s->imp, s->handle, d->dev_id,
					    &d->attach_id, &c->err);
		d->attached = !ret;
	} else if (!strcmp(verb, "map")) {
		ret = dmalab_imp_map_attach(s->imp, d->attach_id, s->dir, &c->err);
		d->mapped = !ret;
		if (!ret)
			ret = map_sg(c, s, d);
	} else if (!strcmp(verb, "unmap")) {
		ret = dmalab_imp_unmap_attach(s->imp, d->attach_id, &c->err);
		d->mapped = 0;
	} else if (!strcmp(verb, "detach")) {
		ret = dmalab_imp_detach(s->imp, d->attach_id, &c->err);
		d->attached = 0;
	} else {
		snprintf(c->err.msg, sizeof(c->err.msg),
			 "unknown step '%s' (attach, map, unmap, detach, show)", verb);
		goto fail;
	}
	if (ret)
		goto fail;
	out_bool(c, "ok", 1);
	out_obj_end(c);
	return 0;
fail:
	out_bool(c, "ok", 0);
	out_str(c, "error", c->err.msg);
	out_obj_end(c);
	s->failed = 1;
	return -1;
}

/* --svg: the last state too when no show step drew it; then the file. */
static int map_svg_save(struct cli *c, struct map_state *s)
{
	int ret;

	if (!s->svg)
		return 0;
	if (!s->panels || *s->since)
		map_draw(c, s);
	ret = svg_save(s->svg, cli_str(c, "svg", NULL));
	if (ret)
		return cli_fail(c, "--svg: %s: %s", cli_str(c, "svg", NULL),
				strerror(-ret));
	return 0;
}

static int map_run(struct cli *c)
{
	struct cli_opt *devs = cli_opt(c, "dev");
	struct map_state s;
	char *steps[2 * CLI_MAX_VALS + 1];
	char bufs[2 * CLI_MAX_VALS][80];
	int i, n = 0, dir, ret;
	uint64_t size;

	memset(&s, 0, sizeof(s));
	s.fd = cli_buf_fd(c, "fd");
	if (s.fd < 0)
		return 2;
	dir = cli_choice(c, "dir", dirs, 0);
	if (dir < 0)
		return 2;
	s.dir = dir;
	if (c->argc && devs->n)
		return cli_usage(c, "give either --dev or steps, not both");
	if (!c->argc && !devs->n)
		return cli_usage(c, "no device: give --dev DEV or steps such as attach:A map:A");
	for (i = 0; i < devs->n; i++) {
		snprintf(bufs[n], sizeof(bufs[n]), "attach:%s", devs->vals[i]);
		steps[n] = bufs[n];
		n++;
	}
	for (i = 0; i < devs->n; i++) {
		snprintf(bufs[n], sizeof(bufs[n]), "map:%s", devs->vals[i]);
		steps[n] = bufs[n];
		n++;
	}
	if (devs->n)
		steps[n++] = "show";
	s.imp = open_imp(c);
	if (s.imp < 0)
		return cli_lib_fail(c);
	if (dmalab_imp_import_fd(s.imp, s.fd, &s.handle, &size, &c->err)) {
		close(s.imp);
		return cli_lib_fail(c);
	}
	/* Wrong names are input errors: check every step before any output. */
	for (i = 0; i < (devs->n ? n : c->argc); i++) {
		const char *st = devs->n ? steps[i] : c->argv[i];
		const char *colon = strchr(st, ':');
		struct devspec *d;

		if (!strcmp(st, "show"))
			continue;
		if (!colon || !map_verb_known(st, colon - st)) {
			close(s.imp);
			return cli_usage(c, "step '%s' is not attach:DEV, map:DEV, unmap:DEV, detach:DEV or show",
					 st);
		}
		if (devspec_resolve(c, s.imp, &s.ds, colon + 1, &d)) {
			close(s.imp);
			return cli_usage(c, "%s", c->err.msg);
		}
	}
	if (cli_str(c, "svg", NULL)) {
		char title[200];

		snprintf(title, sizeof(title), "dmalab map:");
		for (i = 0; i < (devs->n ? n : c->argc); i++)
			if (strlen(title) + strlen(devs->n ? steps[i] : c->argv[i]) + 2 < sizeof(title))
				strcat(strcat(title, " "), devs->n ? steps[i] : c->argv[i]);
		s.svg = svg_new(title);
		if (!s.svg) {
			close(s.imp);
			return cli_fail(c, "--svg: out of memory");
		}
	}
	out_begin(c);
	out_i64(c, "fd", s.fd);
	out_u64(c, "size", size);
	out_str(c, "dir", dir_name(s.dir));
	out_array_begin(c, "steps");
	for (i = 0; i < (devs->n ? n : c->argc); i++)
		if (map_step(c, &s, devs->n ? steps[i] : c->argv[i]))
			break;
	out_array_end(c);
	out_end(c);
	ret = map_svg_save(c, &s);
	/* Closing the importer fd unmaps, detaches and releases everything. */
	close(s.imp);
	if (s.failed)
		return cli_fail(c, "%s", c->err.msg);
	return ret;
}

const struct cli_cmd cmd_map = {
	.name = "map",
	.usage = "[--fd N] (--dev DEV... | STEP...)",
	.summary = "import a buffer, attach it to devices, map it and show the sg_tables",
	.details = "DEV: A or B (edu devices 0 and 1), eduN, a device id or name, or\n"
		   "sim:BITS[@PHYS+SIZE] for a simulated device (with a bus window).\n"
		   "STEP: attach:DEV, map:DEV, unmap:DEV, detach:DEV or show (the\n"
		   "exporter's view of the buffer), run in order. With --dev, every\n"
		   "device is attached, then every one mapped, then shown.\n"
		   "--svg FILE draws the buffer at each show step (and at the end when\n"
		   "steps follow the last show): the physical address space with its\n"
		   "segments, each attached device's reach, and each device mapped here\n"
		   "with its sg entries' DMA addresses (behind an IOMMU: IOVA ranges).",
	.opts = map_opts,
	.run = map_run,
};
