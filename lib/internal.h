/* SPDX-License-Identifier: GPL-2.0 */
/* libdmalab internals: error reporting shared by the library's files. */
#ifndef DMALAB_INTERNAL_H
#define DMALAB_INTERNAL_H

#include "dmalab.h"

#define DMALAB_HIDDEN __attribute__((visibility("hidden")))

/*
 * Record -@code and a message in @err (if any); returns -@code so that
 * callers can write `return dmalab_fail(err, errno, "...")`. @code is a
 * positive errno.
 */
DMALAB_HIDDEN int dmalab_fail(struct dmalab_err *err, int code,
			      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A zeroed ioctl argument with its size field set. */
#define DMALAB_ARG(type, var) \
	type var; memset(&var, 0, sizeof(var)); var.size = sizeof(var)

#endif /* DMALAB_INTERNAL_H */
