/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the project's test programs.
 *
 * Each test program is one executable that prints a TAP stream: a plan line
 * "1..N", then one "ok"/"not ok" line per test, named for the behaviour it
 * checks. The suite runner in the guest counts these lines; a program that
 * crashes or exits non-zero without finishing its plan counts as failed.
 */
#ifndef DMALAB_TESTS_TAP_H
#define DMALAB_TESTS_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_planned, tap_run, tap_failed;

static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* Report one test; @ok is the verdict, the format names the behaviour. */
static inline int tap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

/* A skip must say why; it counts as neither passed nor failed. */
static inline void tap_skip(const char *name, const char *why)
{
	tap_run++;
	printf("ok %d - %s # SKIP %s\n", tap_run, name, why);
	fflush(stdout);
}

/* Diagnostic line, shown in the log but not counted. */
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Exit status: non-zero when a test failed or the plan was not met. */
static inline int tap_exit(void)
{
	if (tap_run != tap_planned) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif /* DMALAB_TESTS_TAP_H */
