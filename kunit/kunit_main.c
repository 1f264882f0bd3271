// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_kunit: the exporter's KUnit suites, run when the module loads, as
 * the study note's importer ran its tests at module init. Results go to the
 * kernel log and to debugfs (kunit/<suite>/results) in KTAP; the guest's
 * test tests/kunit/suites.sh loads the module and reports them.
 */
#include <linux/module.h>

#include <dmalab/compat.h>

#include "kunit.h"

kunit_test_suites(&dmalab_kunit_sgt_suite, &dmalab_kunit_reach_suite,
		  &dmalab_kunit_place_suite, &dmalab_kunit_import_suite);

MODULE_DESCRIPTION("KUnit suites of the dmalab exporter");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMALAB_VERSION);
DMALAB_IMPORT_NS_KUNIT();
DMALAB_IMPORT_NS_DMA_BUF();
