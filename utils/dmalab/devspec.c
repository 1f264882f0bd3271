// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab tool: device names on the command line. "A", "B", "eduN", an id or
 * a device name go to dmalab_imp_find_dev(); "sim:BITS[@PHYS+SIZE]" creates
 * a simulated device (with a bus window when PHYS+SIZE is given), once per
 * distinct spelling within one invocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devspec.h"

static int __attribute__((format(printf, 2, 3)))
devspec_err(struct cli *c, const char *fmt, ...)
{
	char msg[sizeof(c->err.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(c->err.msg, msg, sizeof(msg));
	return -1;
}

static int devspec_sim(struct cli *c, int imp, const char *spec,
		       uint32_t *dev_id)
{
	struct dmalab_imp_sim_create s;
	char buf[128], *at, *plus, *end;
	unsigned long bits;
	uint64_t start, size;

	memset(&s, 0, sizeof(s));
	snprintf(buf, sizeof(buf), "%s", spec + 4);
	at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	bits = strtoul(buf, &end, 10);
	if (!*buf || *end || bits < 24 || bits > 64)
		return devspec_err(c, "device '%s': sim:BITS needs BITS in 24..64", spec);
	s.dma_bits = bits;
	if (at) {
		plus = strchr(at, '+');
		if (!plus)
			return devspec_err(c, "device '%s': a window is written @PHYS+SIZE", spec);
		*plus++ = '\0';
		if (dmalab_parse_size(at, &start, &c->err) ||
		    dmalab_parse_size(plus, &size, &c->err))
			return devspec_err(c, "device '%s': %s", spec, c->err.msg);
		s.win_phys_start = start;
		s.win_size = size;
		s.win_dma_start = s.win_phys_start;
		s.flags = DMALAB_IMP_SIM_WINDOW;
	}
	if (dmalab_imp_sim_create(imp, &s, &c->err))
		return -1;
	*dev_id = s.dev_id;
	return 0;
}

int devspec_resolve(struct cli *c, int imp, struct devspecs *ds,
		    const char *spec, struct devspec **out)
{
	struct devspec *d;
	int i, ret;

	for (i = 0; i < ds->n; i++) {
		if (!strcmp(ds->d[i].spec, spec)) {
			*out = &ds->d[i];
			return 0;
		}
	}
	if (ds->n == DEVSPEC_MAX)
		return devspec_err(c, "at most %d devices per command", DEVSPEC_MAX);
	d = &ds->d[ds->n];
	memset(d, 0, sizeof(*d));
	d->spec = spec;
	if (!strncmp(spec, "sim:", 4))
		ret = devspec_sim(c, imp, spec, &d->dev_id);
	else if (dmalab_imp_find_dev(imp, spec, &d->dev_id, &c->err))
		ret = -1;
	else
		ret = 0;
	if (ret)
		return ret;
	if (dmalab_imp_get_dev_info(imp, d->dev_id, &d->info, &c->err))
		return -1;
	ds->n++;
	*out = d;
	return 0;
}
