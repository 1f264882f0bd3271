#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab conform against the kernel's own exporters: vgem (DRM PRIME),
# vivid (VIDIOC_EXPBUF), and on 6.12 the system heap and udmabuf (absent
# from Debian's 6.1). What the contract requires of every exporter is
# asserted; what a peer does not support, or gets wrong in a way already
# known (listed below, with the reason), is recorded as TAP comments.
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
verdict() { echo "$out" | sed -n "s/.*\"name\":\"$1\",\"verdict\":\"\([^\"]*\)\".*/\1/p"; }
all_pass() {
	for c in "$@"; do [ "$(verdict "$c")" = pass ] || return 1; done
}

# Known deviations of the peers (the README's Conformance section explains):
# vgem and vivid ignore the mmap offset of their dma-buf (drm_gem_shmem's
# fault handler and vb2's remap_vmalloc_range start at the object's start).
known() {
	case $1 in
	vgem | vivid) echo "mmap_at_offsets" ;;
	esac
}

per_peer=6
echo "1..$((4 * per_peer))"
for peer in vgem vivid heap udmabuf; do
	out=$(dmalab conform --from "$peer" --json 2>&1)
	rc=$?
	if echo "$out" | grep -q "no $peer buffer on this kernel"; then
		case $peer-$(uname -r) in
		heap-6.1.* | udmabuf-6.1.*)
			for i in $(seq $per_peer); do
				skip "${peer}_conformance_$i" "no $peer in Linux 6.1 (added to Debian's kernels with 6.12)"
			done
			continue ;;
		esac
	fi
	echo "$out" | grep -o '"name":"[^"]*","verdict":"[fn][^"]*","detail":"[^"]*"' |
		sed "s/^/# $peer: /"
	echo "$out" | grep -v '^{' | sed "s/^/# $peer: /"
	echo "$out" | grep -q '^{'
	t $? "${peer}_buffer_is_checked"
	all_pass lseek_end_gives_size size_is_page_multiple lseek_set_0_works lseek_other_refused
	t $? "${peer}_size_and_lseek_follow_the_contract"
	all_pass mmap_whole_buffer mmap_beyond_size_refused && [ "$(verdict mmap_private)" = pass ]
	t $? "${peer}_mmap_works_keeps_its_bounds_and_private_stays_private"
	all_pass sync_every_direction sync_bad_flags_refused
	t $? "${peer}_dma_buf_sync_accepts_every_direction_refuses_bad_flags"
	all_pass vmap_equals_mmap dma_round_trip poll_waits_for_device_job \
		export_sync_file_waits_for_job sync_start_waits_for_job
	t $? "${peer}_vmap_dma_round_trip_and_fences_work"
	unexpected=
	for b in $(echo "$out" | grep -o '"name":"[a-z0-9_]*","verdict":"fail"' |
		   sed 's/"name":"\([^"]*\)".*/\1/'); do
		echo " $(known "$peer") " | grep -q " $b " || unexpected="$unexpected $b"
	done
	[ -z "$unexpected" ] && [ $rc -le 1 ]
	t $? "${peer}_fails_nothing_beyond_its_known_deviations${unexpected:+ (also:$unexpected)}"
done
