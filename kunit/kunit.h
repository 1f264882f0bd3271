/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmalab_kunit: KUnit suites of the exporter's logic and of a buffer of
 * ours as an importer sees it. The suites live one per file.
 */
#ifndef _DMALAB_KUNIT_H
#define _DMALAB_KUNIT_H

#include <kunit/test.h>

extern struct kunit_suite dmalab_kunit_sgt_suite;
extern struct kunit_suite dmalab_kunit_reach_suite;
extern struct kunit_suite dmalab_kunit_place_suite;
extern struct kunit_suite dmalab_kunit_import_suite;

#endif /* _DMALAB_KUNIT_H */
