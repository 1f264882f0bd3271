#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo (utils/dmalab-demo) says what is so: it runs to the end with
# every step passed, and each figure it prints is the one in the JSON of the
# tool run it came from (kept in $DEMO_JSON), or, for the devices' limits,
# in a run of `dmalab devices` of our own.
echo 1..11
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip_all() {
	while [ $n -lt 11 ]; do n=$((n + 1)); echo "ok $n - demo # SKIP $1"; done
	exit 0
}
# Device A (28 bits) is refused where the kernel has no ZONE_DMA and no
# IOMMU (WSL2's 6.18 configuration): the demo needs it throughout.
[ -e /sys/bus/pci/devices/0000:00:10.0 ] && ! grep -q 'zone      DMA$' /proc/zoneinfo &&
	[ ! -e /sys/bus/pci/devices/0000:00:10.0/iommu_group ] &&
	skip_all "edu device A needs a 28-bit DMA mask, which a kernel without ZONE_DMA gives only behind an IOMMU"
iommu=off
grep -q intel_iommu=on /proc/cmdline && iommu=on

jd=/tmp/demo-test.json
out=/tmp/demo-test.out
DEMO_JSON=$jd DEMO_RESULTS=/tmp/demo-test.results dmalab-demo >$out 2>&1
rc=$?
# fig SED-PATTERN: the first \1 of the pattern in the demo's output.
fig() { sed -n "s/$1/\1/p" $out | head -n 1; }
# j FILE FILTER: a value from the JSON of one of the demo's tool runs.
j() { jq -r "$2" "$jd/$1.json" 2>/dev/null; }
# same A B...: every argument is the first one, and it is not empty.
same() {
	[ -n "$1" ] || return 1
	_a=$1
	shift
	for _b; do [ "$_b" = "$_a" ] || { echo "# '$_b' is not '$_a'"; return 1; }; done
}
dec() { printf '%d' "$1"; }

[ $rc = 0 ] && grep -q '   6 of 6 steps passed$' $out
t $? "demo_exits_0_with_every_step_passed"
[ $rc = 0 ] || sed 's/^/# /' $out

vague=$(grep -nE '\((s|y/ies)\)|entr\(' $out)
[ -z "$vague" ] || echo "$vague" | sed 's/^/# /'
[ -z "$vague" ]
t $? "counts_are_words_not_placeholders"

# The limits the demo names are the importer's, asked anew.
devs=$(dmalab devices --json)
a_seg=$(echo "$devs" | jq -r '.devices[] | select(.alias == "edu0/A") | .max_seg')
b_seg=$(echo "$devs" | jq -r '.devices[] | select(.alias == "edu1/B") | .max_seg')
kb=$(cut -d, -f1 /sys/module/dmalab_imp/parameters/edu_max_seg_kb)
want_a=4294967295
[ -z "$kb" ] || [ "$kb" = 0 ] || want_a=$((kb * 1024))
echo "# device A max_seg_size $a_seg (edu_max_seg_kb '$kb'), B $b_seg"
same "$a_seg" "$want_a" "$(fig '^device A .*(max_seg_size \([0-9]*\)); device B.*')" &&
	same "$b_seg" "$(fig '^device A .*; device B .*(max_seg_size \([0-9]*\))$')"
t $? "device_limits_are_the_importers"

same "$(j 1-info .size)" "$(fig '^   dmalab_exp allocated \([0-9]*\) bytes .*')" &&
	same "$(j 1-info .segments)" "$(fig '.* They form \([0-9]*\) physically contiguous segment.*')" &&
	same "$(j 1-info .phys_lo)" "$(fig '^   between physical \(0x[0-9a-f]*\) and .*')" &&
	same "$(j 1-info .phys_hi)" "$(fig '^   between physical 0x[0-9a-f]* and \(0x[0-9a-f]*\)\.$')" &&
	same "$(j 1-fill .len)" "$(j 1-info .size)" "$(fig '^     wrote \([0-9]*\) bytes in .*')" &&
	same "$(j 1-fill .fnv1a64)" "$(fig '.*FNV-1a checksum \(0x[0-9a-f]*\)$')"
t $? "step1_size_segments_and_checksum_are_the_tools"

# The kernel's vmap read of the whole buffer is what was written by mmap.
same "$(j 1-fill .fnv1a64)" "$(j 2-vmap .kernel_fnv1a64)" "$(j 2-vmap .mmap_fnv1a64)" \
	"$(fig '^     kernel checksum \(0x[0-9a-f]*\) = .*')" \
	"$(fig '^     kernel checksum 0x[0-9a-f]* = user mmap checksum \(0x[0-9a-f]*\)$')"
t $? "step2_vmap_checksums_are_the_tools"

# The two blocks of the small buffer: the sg entries of a device outside
# any IOMMU, within the buffer's physical extent, not one after the other.
e0=$(j 2b-map '[.. | objects | select(has("dma") and has("len"))][0] | "\(.dma) \(.len)"')
e1=$(j 2b-map '[.. | objects | select(has("dma") and has("len"))][1].dma')
p0=${e0% *}
l0=${e0#* }
lo=$(j 2b-info .phys_lo)
hi=$(j 2b-info .phys_hi)
echo "# blocks at $p0 (+$l0) and $e1, buffer within $lo-$hi"
[ "$(j 2b-info .segments)" -ge 2 ] &&
	same "$p0" "$(fig '.* lie at physical \(0x[0-9a-f]*\), byte .*')" &&
	same "$((l0 - 1))" "$(fig '^     bytes 0-\([0-9]*\) lie at .*')" &&
	same "$e1" "$(fig '.*, byte [0-9]* on at physical \(0x[0-9a-f]*\)$')" &&
	[ "$(dec "$e1")" != $(($(dec "$p0") + l0)) ] &&
	[ "$(dec "$p0")" -ge "$(dec "$lo")" ] && [ "$(dec "$e1")" -ge "$(dec "$lo")" ] &&
	[ "$(dec "$p0")" -le "$(dec "$hi")" ] && [ "$(dec "$e1")" -le "$(dec "$hi")" ]
t $? "step2_two_blocks_are_the_buffers_sg_entries"

[ "$(j 2b-vmap .pattern_match)" = true ] &&
	same "$(j 2b-vmap .size)" "$(j 2b-info .size)" "$(fig '.* read all \([0-9]*\) bytes in one copy .*')" &&
	same "$(j 2b-vmap .kernel_read_fnv1a64)" "$(j 2b-vmap .mmap_fnv1a64)" \
		"$(fig '^   pattern, kernel checksum \(0x[0-9a-f]*\) = .*')" \
		"$(fig '^   pattern, kernel checksum 0x[0-9a-f]* = mmap checksum \(0x[0-9a-f]*\)\.$')"
t $? "step2_vmap_read_across_the_blocks_is_the_pattern"

# sg CHECKS: device $1's map step of 3a against the line the demo printed
# and its limit $2: nents entries listed, none longer than the limit, at
# least size / limit of them.
sg_ok() {
	_n=$(j 3a-map "[.steps[] | select(.step == \"map\" and .dev == \"$1\")][0].nents")
	_lens=$(j 3a-map "[.steps[] | select(.step == \"map\" and .dev == \"$1\")][0].entries[].len")
	_size=$(j 3a-map '[.steps[] | select(has("size"))][0].size')
	echo "# $1: sg entries $_n, limit $2, buffer $_size bytes"
	_long=$(j 3a-map "[.steps[] | select(.step == \"map\" and .dev == \"$1\")][0].longest")
	same "$_n" "$(fig "^     $1's sg_table: \([0-9]*\) entr.*")" "$(echo "$_lens" | grep -c .)" || return 1
	same "$_long" "$(fig "^     $1's sg_table: .*, the longest \([0-9]*\) bytes; .*")" \
		"$(echo "$_lens" | sort -n | tail -n 1)" || return 1
	for _l in $_lens; do [ "$_l" -le "$2" ] || { echo "# entry of $_l bytes"; return 1; }; done
	[ "$_n" -ge $(((_size + $2 - 1) / $2)) ] || return 1
	# Entries cut below the limit: the demo says why.
	_runs=$(j 3a-map "[.steps[] | select(.step == \"map\" and .dev == \"$1\")][0].runs")
	if [ "$_n" -gt "$_runs" ] && [ "$_long" -lt "$2" ]; then
		grep -A2 "^     $1's sg_table" $out | grep -q "cut shorter than max_seg_size" ||
			return 1
	fi
	case $_n in
	1) grep -q "^     $1's sg_table: 1 entry, the longest" $out ;;
	*) grep -q "^     $1's sg_table: $_n entries, the longest" $out ;;
	esac
}
sg_ok A "$a_seg"
t $? "step3_As_sg_table_is_the_tools_and_cut_to_its_limit"
sg_ok B "$b_seg"
t $? "step3_Bs_sg_table_is_the_tools_and_cut_to_its_limit"

# A DMA job: one range per buffer through the IOMMU, one per physical
# segment without; edu's 2 KiB transfers make the programmings.
rs=$(j 4-copy .src.nents)
rd=$(j 4-copy .dst.nents)
ss=$(j 4-src-info .segments)
sd=$(j 4-dst-info .segments)
len=$(j 4-copy .len)
echo "# iommu $iommu: $rs+$rd DMA ranges, $ss+$sd physical segments, $(j 4-copy .programmings) programmings"
same "$ss" "$(fig '^   lies in \([0-9]*\) physical segment.*')" &&
	same "$sd" "$(fig '.*, the destination in \([0-9]*\) physical segment.*')" &&
	same "$rs" "$(fig '^   went over \([0-9]*\) DMA range.*')" &&
	same "$rd" "$(fig '.* in the source and \([0-9]*\) DMA range.*')" &&
	same "$(j 4-copy .programmings)" $((2 * len / $(j 4-copy .max_xfer))) \
		"$(fig '^   \([0-9]*\) programmings either way.*')" &&
	if [ $iommu = on ]; then
		[ "$rs" = 1 ] && [ "$rd" = 1 ] && [ "$ss" -ge 2 ]
	else
		[ "$rs" = "$ss" ] && [ "$rd" = "$sd" ] && [ "$ss" -ge 2 ]
	fi
t $? "step4_dma_ranges_are_one_per_segment_or_one_through_the_iommu"

same "$(j 5-poll .wait_ms)" "$(fig '^     poll: busy .*signalled after \([0-9.]*\) ms;.*')" &&
	same "$(j 5-sync-file .wait_ms)" "$(fig '^     sync-file: busy .*signalled after \([0-9.]*\) ms;.*')" &&
	same "$(j 6-capture .frames)" "$(fig '^     \([0-9]*\) frames of .*')" &&
	same "$(j 6-capture .width)x$(j 6-capture .height)" "$(fig '^     [0-9]* frames of \([0-9]*x[0-9]*\) .*')" &&
	same "$(j 6-capture .copies)" "$(fig '.*The exporter made \([0-9]*\) cop.*')"
t $? "step5_and_6_figures_are_the_tools"
