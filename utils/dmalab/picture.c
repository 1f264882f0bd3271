// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab tool: what a picture of a buffer shows (svg.h), gathered from the
 * exporter's INFO (placement, each attached device's reach) and the
 * importer (sg entries).
 *
 * INFO gives only the extent of the pages, not the segments. They are
 * listed by mapping the buffer, for a moment and to read, to a simulated
 * 64-bit device outside any IOMMU: its DMA addresses are the physical ones,
 * in buffer order, and it reaches every page, so nothing moves for it. A
 * buffer without pages yet is not probed (mapping would allocate them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svg.h"

#define PICTURE_MAX_ENTRIES	4096

/* The entries of a mapped attachment, in @out (malloc'd); 0 or -1. */
static int sg_entries(struct cli *c, int imp, uint32_t attach_id,
		      struct svg_range **out, unsigned int *n)
{
	struct dmalab_imp_sg_entry *e;
	struct dmalab_imp_sg_info sg;
	struct svg_range *r;
	unsigned int i, cap;

	if (dmalab_imp_get_sg_info(imp, attach_id, &sg, NULL, 0, &c->err))
		return -1;
	cap = sg.nents < PICTURE_MAX_ENTRIES ? sg.nents : PICTURE_MAX_ENTRIES;
	e = calloc(cap ? cap : 1, sizeof(*e));
	r = calloc(cap ? cap : 1, sizeof(*r));
	if (!e || !r ||
	    dmalab_imp_get_sg_info(imp, attach_id, &sg, e, cap, &c->err)) {
		if (!e || !r)
			snprintf(c->err.msg, sizeof(c->err.msg), "out of memory");
		free(e);
		free(r);
		return -1;
	}
	for (i = 0; i < sg.entries_count; i++) {
		r[i].addr = e[i].dma_addr;
		r[i].len = e[i].dma_len;
	}
	free(e);
	*out = r;
	*n = sg.entries_count;
	return 0;
}

/* The buffer's physical segments, through a probe device; 0 or -1. */
static int probe_segments(struct cli *c, int imp, uint32_t handle,
			  struct svg_panel *p)
{
	struct dmalab_imp_sim_create sim;
	struct svg_range *r;
	uint32_t attach;
	unsigned int i, n = 0;
	int ret;

	memset(&sim, 0, sizeof(sim));
	sim.dma_bits = 64;
	if (dmalab_imp_sim_create(imp, &sim, &c->err))
		return -1;
	ret = dmalab_imp_attach_dev(imp, handle, sim.dev_id, &attach, &c->err);
	if (!ret) {
		ret = dmalab_imp_map_attach(imp, attach, DMALAB_IMP_DIR_TO_DEVICE,
					    &c->err);
		if (!ret) {
			ret = sg_entries(c, imp, attach, &p->segs, &p->nr_segs);
			dmalab_imp_unmap_attach(imp, attach, NULL);
		}
		dmalab_imp_detach(imp, attach, NULL);
	}
	dmalab_imp_sim_destroy(imp, sim.dev_id, NULL);
	if (ret)
		return -1;
	/* Entries are cut to the probe's segment limit: join them again. */
	r = p->segs;
	for (i = 0; i < p->nr_segs; i++) {
		if (n && r[n - 1].addr + r[n - 1].len == r[i].addr)
			r[n - 1].len += r[i].len;
		else
			r[n++] = r[i];
	}
	p->nr_segs = n;
	return 0;
}

/* This process's devspec for an attached device of that name, or NULL. */
static const struct devspec *find_dev(const struct devspecs *ds,
				      const char *name)
{
	int i;

	for (i = 0; ds && i < ds->n; i++)
		if (ds->d[i].attached &&
		    !strncmp(ds->d[i].info.name, name, DMALAB_EXP_NAME_LEN - 1))
			return &ds->d[i];
	return NULL;
}

/**
 * picture_panel() - gather one panel's contents
 * @c: the command
 * @imp: fd of /dev/dmalab_imp
 * @handle: the buffer, imported into @imp
 * @buf_fd: the buffer's fd
 * @ds: the devices this process attached (their sg entries are drawn), or
 *	NULL
 * @p: receives the panel; its title is left as it was
 *
 * Return: 0, or -1 with c->err.msg set when the exporter cannot describe
 * the buffer (another exporter's, or no dmalab_exp).
 */
int picture_panel(struct cli *c, int imp, uint32_t handle, int buf_fd,
		  const struct devspecs *ds, struct svg_panel *p)
{
	struct dmalab_exp_attach_info att[16];
	unsigned int i;
	int exp, ret;

	exp = open_exp(c);
	if (exp < 0)
		return -1;
	ret = dmalab_exp_get_info(exp, buf_fd, &p->info, att, 16, &c->err);
	close(exp);
	if (ret)
		return -1;
	p->nr_devs = p->info.attach_count;
	for (i = 0; i < p->nr_devs; i++) {
		const struct dmalab_exp_attach_info *a = &att[i];
		const struct devspec *d = find_dev(ds, a->dev_name);
		struct svg_dev *v = &p->devs[i];

		if (d && strcmp(d->spec, a->dev_name))
			snprintf(v->label, sizeof(v->label), "%.40s: %.31s", d->spec,
				 a->dev_name);
		else
			snprintf(v->label, sizeof(v->label), "%.31s", a->dev_name);
		v->reach_lo = a->range_lo;
		v->reach_hi = a->range_hi;
		v->iommu = !!(a->flags & DMALAB_EXP_ATTACH_IOMMU);
		v->copy = !!(a->flags & DMALAB_EXP_ATTACH_COPY);
		v->mapped = !!(a->flags & DMALAB_EXP_ATTACH_MAPPED);
		v->nents = a->nr_sg;
		if (d && d->mapped && v->mapped &&
		    sg_entries(c, imp, d->attach_id, &v->ents, &v->nr_ents))
			v->ents = NULL;
	}
	if (!(p->info.state & DMALAB_EXP_STATE_ALLOCATED))
		snprintf(p->segs_note, sizeof(p->segs_note),
			 "no pages yet: a deferred buffer gets them at its first use");
	else if (p->info.state & DMALAB_EXP_STATE_PHYS_HIDDEN)
		snprintf(p->segs_note, sizeof(p->segs_note),
			 "%u physical segments: their addresses need root",
			 p->info.nr_segments);
	else if (probe_segments(c, imp, handle, p))
		snprintf(p->segs_note, sizeof(p->segs_note),
			 "%u physical segments, not listed: %.250s",
			 p->info.nr_segments, c->err.msg);
	return 0;
}

/**
 * svg_panel_free() - free what picture_panel() allocated
 * @p: the panel
 */
void svg_panel_free(struct svg_panel *p)
{
	unsigned int i;

	free(p->segs);
	p->segs = NULL;
	for (i = 0; i < p->nr_devs; i++) {
		free(p->devs[i].ents);
		p->devs[i].ents = NULL;
	}
}
