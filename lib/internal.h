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

#define DMALAB_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* DMALAB_INTERNAL_H */
