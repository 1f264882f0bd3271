// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: error messages, written into the caller's struct dmalab_err. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int dmalab_err_set(struct dmalab_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (code <= 0)
		code = EIO;
	if (!err)
		return -code;
	err->code = -code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(code));
	return -code;
}

const char *dmalab_open_hint(int code, const char *module)
{
	static __thread char hint[96];

	switch (code) {
	case EACCES:
	case EPERM:
		return " (the device is for group dmalab: add the user to it, then log in again)";
	case ENOENT:
	case ENODEV:
	case ENXIO:
		snprintf(hint, sizeof(hint), " (is %s loaded?)", module);
		return hint;
	default:
		return "";
	}
}
