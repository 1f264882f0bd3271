#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab and our DMA-BUF heaps: alloc --heap gives the exporter's buffer
# placed as the heap's name says and hands it on with --exec; conform
# --from heap:NAME checks a heap's buffer, ours or the system heap's; the
# exporter's own placement options are refused with --heap. Skipped where
# the kernel cannot have our heaps (no dma_heap_add() export).
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
if [ ! -e /sys/module/dmalab_heap ]; then
	echo "1..1"
	echo "ok 1 - heap_tool # SKIP no dmalab heaps: this kernel does not export dma_heap_add()"
	exit 0
fi
echo 1..7

out=$(dmalab alloc 1M --heap dmalab-dma32 --json 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q '"heap":"dmalab-dma32"' &&
	echo "$out" | grep -q '"addr_bits":32' &&
	echo "$out" | grep -q '"size":1048576'
t $? "alloc_heap_shows_the_exporters_buffer_with_the_heaps_limit"

out=$(dmalab alloc 64K --heap dmalab-contig --exec sh -c 'dmalab info --json' 2>&1)
echo "$out" | grep -q '"exporter":"dmalab_exp"' &&
	echo "$out" | grep -q '"placement":"contig"'
t $? "alloc_heap_exec_hands_the_buffer_on"

out=$(dmalab alloc 64K --heap system --json 2>&1)
echo "$out" | grep -q '"exporter":"system"' &&
	echo "$out" | grep -q '"size":65536'
t $? "alloc_heap_system_shows_size_and_exporter"

out=$(dmalab alloc 64K --heap dmalab-scatter --placement contig 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q -- '--placement does not go with --heap'
t $? "alloc_heap_refuses_the_exporters_placement_options"

out=$(dmalab alloc 64K --heap no-such-heap 2>&1)
rc=$?
[ $rc != 0 ] && echo "$out" | grep -q 'no-such-heap'
t $? "alloc_heap_names_a_missing_heap"

for h in dmalab-scatter system; do
	out=$(dmalab conform --from "heap:$h" --json 2>&1)
	rc=$?
	echo "$out" | grep -o '"name":"[^"]*","verdict":"fail[^"]*","detail":"[^"]*"' | sed 's/^/# /'
	[ $rc = 0 ] && echo "$out" | grep -q '"failed":0,'
	t $? "conform_from_heap_${h}_fails_no_check"
done
