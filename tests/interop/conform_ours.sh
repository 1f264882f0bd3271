#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab conform against our exporter, for every placement and timing: no
# check may fail. Where the placement lets every device reach the buffer
# (an address limit the 28-bit edu meets, migration, copies) every check
# must pass; elsewhere the 28-bit device may only be "not supported".
# Without an IOMMU a scattered buffer lies beyond the 28-bit edu's reach.
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
# Checks that did not pass, and errors, as TAP comments.
notpass() {
	echo "$out" | grep -o '"name":"[^"]*","verdict":"[fn][^"]*","detail":"[^"]*"' |
		sed 's/^/# /'
	echo "$out" | grep -v '^{' | sed 's/^/# /'
}
verdict() { echo "$out" | sed -n "s/.*\"name\":\"$1\",\"verdict\":\"\([^\"]*\)\".*/\1/p"; }

# label|alloc arguments|all must pass
configs="scatter|64K|no
scatter_4m|4M|no
contig|64K --placement contig|no
below_4g|256K --addr-bits 32|no
below_256m|64K --addr-bits 28|yes
deferred|64K --timing deferred|no
deferred_migrate|64K --timing deferred --migrate|yes
migrate|64K --migrate|yes
copy|64K --copy|yes"

echo "1..$(($(echo "$configs" | wc -l) * 3 + 1))"
while IFS='|' read -r label args all; do
	# shellcheck disable=SC2086
	out=$(dmalab alloc $args --exec dmalab conform --json 2>&1)
	rc=$?
	notpass
	echo "$out" | grep -q '"failed":0,' && [ $rc = 0 ]
	t $? "ours_${label}_fails_no_check"
	[ "$(verdict dma_round_trip)" = pass ] &&
		[ "$(verdict poll_waits_for_device_job)" = pass ] &&
		[ "$(verdict vmap_equals_mmap)" = pass ]
	t $? "ours_${label}_vmap_dma_and_fences_pass"
	if [ "$all" = yes ]; then
		echo "$out" | grep -q '"unsupported":0}'
		t $? "ours_${label}_passes_every_check"
	else
		# Only a device that cannot reach the pages may be unsupported.
		! echo "$out" | grep -o '"name":"[a-z0-9_]*","verdict":"not supported"' |
			grep -qv '"name":"sg_edu0"'
		t $? "ours_${label}_unsupported_only_for_the_28_bit_device"
	fi
done <<EOF
$configs
EOF

out=$(dmalab conform --fd 0 </dev/null 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "is it a dma-buf"
t $? "conform_refuses_a_file_that_is_not_a_dma_buf"
