/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libdmalab internals shared by the library's files. */
#ifndef DMALAB_INTERNAL_H
#define DMALAB_INTERNAL_H

#include "dmalab.h"

#define DMALAB_HIDDEN __attribute__((visibility("hidden")))

/*
 * Library calls take an open device fd, or -1 to open one for the call
 * alone: keep *@fd if it is open, else open one with @open_fn and store it
 * in *@fd and *@own, which the caller closes. Returns 0 or @open_fn's
 * negative error.
 */
/*
 * What to tell a user whose open of a driver's device failed with @code:
 * the group it needs, or the module @module that must be loaded.
 */
const char *dmalab_open_hint(int code, const char *module);

static inline int dmalab_fd_or_open(int *fd, int *own,
				    int (*open_fn)(struct dmalab_err *err),
				    struct dmalab_err *err)
{
	*own = -1;
	if (*fd >= 0)
		return 0;
	*own = open_fn(err);
	if (*own < 0)
		return *own;
	*fd = *own;
	return 0;
}

#define DMALAB_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* DMALAB_INTERNAL_H */
