/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmalab tool: pictures of a buffer (svg.c draws them, picture.c gathers
 * what they show). One picture holds panels stacked top to bottom, one per
 * moment (dmalab map: one per show step), so that a migration or a device
 * copy is seen before and after.
 */
#ifndef DMALAB_SVG_H
#define DMALAB_SVG_H

#include <stdint.h>

#include "cli.h"
#include "devspec.h"

/* An address range: a physical segment, or an sg entry's DMA range. */
struct svg_range {
	uint64_t addr;
	uint64_t len;
};

/**
 * struct svg_dev - one device attached to the buffer
 * @label: its name as drawn
 * @reach_lo: lowest physical address it reaches
 * @reach_hi: highest (inclusive)
 * @iommu: behind a translating IOMMU: its DMA addresses are IOVAs
 * @copy: served by its own copy of the contents
 * @mapped: a mapping is live
 * @nents: entries of that mapping's sg_table (the exporter's count)
 * @ents: the entries in order, NULL when this process cannot know them
 * @nr_ents: entries in @ents
 */
struct svg_dev {
	char label[96];
	uint64_t reach_lo;
	uint64_t reach_hi;
	int iommu;
	int copy;
	int mapped;
	uint32_t nents;
	struct svg_range *ents;
	unsigned int nr_ents;
};

/**
 * struct svg_panel - the buffer at one moment
 * @title: what happened before this moment
 * @info: the exporter's INFO of the buffer
 * @segs: its physical segments in buffer order, NULL when not known
 * @nr_segs: entries in @segs
 * @segs_note: why @segs is NULL
 * @devs: the attached devices, in the exporter's order
 * @nr_devs: entries in @devs
 */
struct svg_panel {
	char title[240];
	struct dmalab_exp_info info;
	struct svg_range *segs;
	unsigned int nr_segs;
	char segs_note[320];
	struct svg_dev devs[16];
	unsigned int nr_devs;
};

struct svg;

/* A new picture headed @title; NULL when out of memory. */
struct svg *svg_new(const char *title);
/* Draw one panel below the previous ones. */
void svg_panel(struct svg *s, const struct svg_panel *p);
/* Add the legend, write the picture to @path and free it; 0 or -errno. */
int svg_save(struct svg *s, const char *path);

/*
 * picture.c: fill @p for the buffer @buf_fd, imported into @imp as
 * @handle; @ds gives the sg entries of the devices this process mapped
 * (NULL: none). Returns 0, or -1 with c->err.msg set when the exporter
 * cannot describe the buffer. svg_panel_free() releases what it allocated.
 */
int picture_panel(struct cli *c, int imp, uint32_t handle, int buf_fd,
		  const struct devspecs *ds, struct svg_panel *p);
void svg_panel_free(struct svg_panel *p);

#endif /* DMALAB_SVG_H */
