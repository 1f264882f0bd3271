/* SPDX-License-Identifier: GPL-2.0 */
/* dmalab tool: device names on the command line (devspec.c). */
#ifndef DMALAB_DEVSPEC_H
#define DMALAB_DEVSPEC_H

#include "cli.h"

#define DEVSPEC_MAX	8

/**
 * struct devspec - a device named on the command line
 * @spec: as written
 * @dev_id: importer device id
 * @info: its description
 * @attach_id: attachment of the command's buffer, when @attached
 * @attached: attached now
 * @mapped: mapped now
 */
struct devspec {
	const char *spec;
	uint32_t dev_id;
	struct dmalab_imp_dev_info info;
	uint32_t attach_id;
	int attached;
	int mapped;
};

struct devspecs {
	struct devspec d[DEVSPEC_MAX];
	int n;
};

/* Find or create the device @spec names; 0, or -1 with c->err.msg set. */
int devspec_resolve(struct cli *c, int imp, struct devspecs *ds,
		    const char *spec, struct devspec **out);

/* The fields of a mapping's sg_table summary (cmd_map.c). */
void show_sg(struct cli *c, const struct dmalab_imp_sg_info *sg,
	     const struct dmalab_imp_dev_info *dev);

#endif /* DMALAB_DEVSPEC_H */
