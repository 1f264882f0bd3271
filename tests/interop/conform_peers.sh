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
# No peer builds its sg_table for the attached device's segment limits:
# the system heap uses 1 MiB chunks (a 4 MiB buffer always breaks a 64 KiB
# limit), vgem, vivid and udmabuf merge whatever pages happen to be
# physically adjacent (drm_prime_pages_to_sg, sg_alloc_table_from_pages),
# so their tables break the limit or the 1 MiB boundary now and then.
known() {
	case $1 in
	vgem | vgem_4m | vivid) echo "mmap_at_offsets sg_sim_seg64k" ;;
	heap_4m | udmabuf | udmabuf_4m) echo "sg_sim_seg64k" ;;
	esac
}

# vmap must work, except where the peer has none: 6.1's udmabuf (only the
# debug kernel builds it) has no vmap op, and the checker says so.
vmap_ok() {
	all_pass vmap_equals_mmap && return 0
	case $1-$(uname -r) in
	udmabuf-6.1.*)
		[ "$(verdict vmap_equals_mmap)" = "not supported" ] &&
			echo "# $1: no vmap in this kernel's udmabuf" ;;
	*) false ;;
	esac
}

# exporter[@size]: 64 KiB buffers (vivid: one frame), and 4 MiB ones,
# where large page orders and segment limits show.
peers="vgem vivid heap udmabuf vgem@4M heap@4M udmabuf@4M"
per_peer=6
echo "1..$(($(echo $peers | wc -w) * per_peer))"
for spec in $peers; do
	from=${spec%@*}
	size=64K
	peer=$from
	case $spec in *@*)
		size=${spec#*@}
		peer=${from}_$(echo "$size" | tr 'M' 'm') ;;
	esac
	# udmabuf maps its pages for its own device at the first CPU access, in
	# that access's direction, and syncs later accesses in theirs: with
	# DMA-API debugging on, each sync of another direction is reported.
	if [ "$from" = udmabuf ] && [ -d /sys/kernel/debug/dma-api ]; then
		for i in $(seq $per_peer); do
			skip "${peer}_conformance_$i" "udmabuf syncs CPU access against its first access's direction: DMA-API debugging reports it (README)"
		done
		continue
	fi
	out=$(dmalab conform --from "$from" --size "$size" --json 2>&1)
	rc=$?
	if echo "$out" | grep -q "no $from buffer on this kernel"; then
		case $from-$(uname -r) in
		heap-6.1.* | udmabuf-6.1.*)
			for i in $(seq $per_peer); do
				skip "${peer}_conformance_$i" "no $from in Linux 6.1 (added to Debian's kernels with 6.12)"
			done
			continue ;;
		esac
		# A configuration without the driver (WSL2's has neither), when
		# the kernel says so; Debian's 6.12 and later must have both.
		opt=CONFIG_DMABUF_HEAPS_SYSTEM
		[ "$from" = udmabuf ] && opt=CONFIG_UDMABUF
		if [ -r /proc/config.gz ] && ! zcat /proc/config.gz | grep -q "^$opt=[ym]"; then
			for i in $(seq $per_peer); do
				skip "${peer}_conformance_$i" "this kernel is configured without $from ($opt)"
			done
			continue
		fi
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
	vmap_ok "$from" && all_pass dma_round_trip poll_waits_for_device_job \
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
