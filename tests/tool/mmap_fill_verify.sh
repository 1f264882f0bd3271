#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fill and verify through mmap of the dma-buf fd and of /dev/dmalab_exp, and
# the importer's kernel vmap sees the same bytes. The steps run in one
# buffer and each reports its own exit status; a test passes only on its
# own steps' statuses, and one that needs the buffer left by a failed test
# skips, naming it.
echo 1..7
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2 ($3)"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# shellcheck disable=SC2016 # the inner shell expands its own variables
out=$(dmalab alloc 256K --exec sh -c '
	s() { k=$1; shift; "$@" >/dev/null 2>&1; echo "step $k $?"; }
	s 1 dmalab fill --pattern seq:3
	s 2 dmalab verify --pattern seq:3
	s 3 dmalab verify --via dev --pattern seq:3
	s 4 dmalab vmap --pattern seq:3
	s 5 dmalab fill --offset 4K --len 100 --pattern 0xee
	s 6 dmalab verify --offset 4K --len 100 --pattern 0xee
	s 7 dmalab verify --offset 4196 --len 1000 --pattern seq:3
	s 8 dmalab verify --pattern seq:3' 2>/dev/null)
rc=$?
# Exit status of step $1, or "not run" (dmalab alloc failed: status $rc).
st() {
	s=$(echo "$out" | sed -n "s/^step $1 \([0-9]*\)\$/\1/p")
	echo "${s:-not run}"
}
# 0 when every step named succeeded; $why says what each gave.
steps() {
	why='' r=0
	for k; do
		why="$why${why:+, }step $k: $(st "$k")"
		[ "$(st "$k")" = 0 ] || r=1
	done
	[ $rc = 0 ] || why="$why; dmalab alloc: status $rc"
	return $r
}

steps 1 2; filled=$?
t $filled "fill_then_verify_through_the_dmabuf_mmap" "$why"
need="needs the seq:3 contents of test 1, which failed"
if [ $filled = 0 ]; then steps 3; t $? "verify_through_the_exporter_device_mmap" "$why"
else skip "verify_through_the_exporter_device_mmap" "$need"; fi
if [ $filled = 0 ]; then steps 4; t $? "kernel_vmap_reads_what_mmap_wrote" "$why"
else skip "kernel_vmap_reads_what_mmap_wrote" "$need"; fi
steps 5 6; ranged=$?
t $ranged "fill_and_verify_a_range_at_an_offset" "$why"
[ $filled = 0 ] && [ $ranged != 0 ] &&
	need="needs the range fill of test 4, which failed"
if [ $filled = 0 ] && [ $ranged = 0 ]; then
	steps 7; t $? "bytes_after_a_range_fill_are_untouched" "$why"
	steps 8; [ "$(st 8)" = 1 ]; t $? "verify_fails_after_the_contents_changed" "$why, 1 expected"
else
	skip "bytes_after_a_range_fill_are_untouched" "$need"
	skip "verify_fails_after_the_contents_changed" "$need"
fi

err=$(dmalab alloc 8K --exec sh -c 'dmalab fill --pattern 1 >/dev/null; dmalab verify --pattern 2' 2>&1 >/dev/null)
[ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q 'first at offset 0: expected 0x02, found 0x01'
t $? "verify_mismatch_is_one_line_naming_offset_and_bytes" "$err"
