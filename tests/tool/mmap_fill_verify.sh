#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fill and verify through mmap of the dma-buf fd and of /dev/dmalab_exp, and
# the importer's kernel vmap sees the same bytes.
echo 1..7
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

dmalab alloc 256K --exec sh -c '
	dmalab fill --pattern seq:3 >/dev/null || exit 1
	dmalab verify --pattern seq:3 >/dev/null || exit 2
	dmalab verify --via dev --pattern seq:3 >/dev/null || exit 3
	dmalab vmap --pattern seq:3 >/dev/null || exit 4
	dmalab fill --offset 4K --len 100 --pattern 0xee >/dev/null || exit 5
	dmalab verify --offset 4K --len 100 --pattern 0xee >/dev/null || exit 6
	dmalab verify --offset 4196 --len 1000 --pattern seq:3 >/dev/null || exit 7
	dmalab verify --pattern seq:3 >/dev/null 2>&1 && exit 8
	exit 0' 2>/dev/null
rc=$?
t $((rc == 1 || rc == 2)) "fill_then_verify_through_the_dmabuf_mmap"
t $((rc == 3)) "verify_through_the_exporter_device_mmap"
t $((rc == 4)) "kernel_vmap_reads_what_mmap_wrote"
t $((rc == 5 || rc == 6)) "fill_and_verify_a_range_at_an_offset"
t $((rc == 7)) "bytes_after_a_range_fill_are_untouched"
t $((rc == 8)) "verify_fails_after_the_contents_changed"

err=$(dmalab alloc 8K --exec sh -c 'dmalab fill --pattern 1 >/dev/null; dmalab verify --pattern 2' 2>&1 >/dev/null)
[ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q 'first at offset 0: expected 0x02, found 0x01'
t $? "verify_mismatch_is_one_line_naming_offset_and_bytes"
