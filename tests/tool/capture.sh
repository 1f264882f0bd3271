#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab capture: vivid captures into dmalab_exp buffers, vgem imports one
# and hands back the same dma-buf; no copy is made.
echo 1..3
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

out=$(dmalab capture --frames 2 --json 2>&1)
rc=$?
[ $rc = 0 ] || echo "# $out"
echo "$out" | grep -q '"frames":2,' && ! echo "$out" | grep -q '"nonzero_bytes":0,'
t $? "vivid_captures_non_zero_frames_into_our_buffers"
echo "$out" | grep -q '"vgem_same_dmabuf":true'
t $? "vgem_prime_import_keeps_the_same_dmabuf"
echo "$out" | grep -q '"copies":0,'
t $? "no_copy_is_made"
