#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Pictures (dmalab info --svg, dmalab map --svg): well-formed XML, one
# panel per show step, one block per physical segment of the buffer (tied
# to the addresses the tool's JSON gives), one row per attached device with
# its reach, and per device mapped here one block per sg entry with the DMA
# addresses the JSON lists.
echo 1..8
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
d=/tmp/svg-test
rm -rf $d && mkdir -p $d

# well_formed FILE: an XML declaration, then tags that nest and close, with
# quoted attributes and escaped text (busybox has no xmllint).
well_formed() {
	head -n 1 "$1" | grep -q '^<?xml version="1.0" encoding="UTF-8"?>$' || return 1
	awk 'BEGIN { RS = "<"; depth = 0; bad = 0; tops = 0 }
	NR == 1 { if ($0 != "") bad = 1; next }
	{
		i = index($0, ">")
		if (!i) { bad = 1; exit }
		tag = substr($0, 1, i - 1)
		txt = substr($0, i + 1)
		# Text: no stray ampersand.
		gsub(/&(lt|gt|amp|quot|apos);/, "", txt)
		if (txt ~ /&/) bad = 1
		if (tag ~ /^\?xml /) next
		if (tag ~ /^\//) {
			name = substr(tag, 2)
			if (depth == 0 || stack[depth] != name) { bad = 1; exit }
			depth--
			next
		}
		if (tag !~ /^[a-zA-Z][a-zA-Z0-9:-]*( [a-zA-Z_:][a-zA-Z0-9_:.-]*="[^"<]*")*\/?$/) {
			print "# bad tag: <" tag ">"
			bad = 1
			exit
		}
		split(tag, w, " ")
		name = w[1]
		sub(/\/$/, "", name)
		if (depth == 0) tops++
		if (tag !~ /\/$/) stack[++depth] = name
	}
	END { exit (bad || depth != 0 || tops != 1 || stack[1] != "svg") }' "$1"
}

# count PANEL CLASS FILE: elements of that class in the PANELth panel.
count() {
	awk -v p="$1" -v c="class=\"$2\"" '
		/<g class="panel">/ { k++ }
		k == p { s = $0; while ((i = index(s, c))) { m++; s = substr(s, i + 1) } }
		END { print m + 0 }' "$3"
}
# panel_text PANEL FILE: the lines of the PANELth panel.
panel_text() { awk -v p="$1" '/<g class="panel">/ { k++ } k == p' "$2"; }
dec() { printf '%d' "$1"; }
# seg_ends PANEL FILE: lowest segment address and highest last byte, in hex.
seg_ends() {
	_lo=
	_hi=
	for _p in $(panel_text "$1" "$2" |
		sed -n 's/.*<title>segment [0-9]*: offset [0-9]*, physical \(0x[0-9a-f]*\), \([0-9]*\) bytes<.*/\1:\2/p'); do
		_a=$(dec "${_p%:*}")
		_e=$((_a + ${_p#*:} - 1))
		{ [ -z "$_lo" ] || [ "$_a" -lt "$_lo" ]; } && _lo=$_a
		{ [ -z "$_hi" ] || [ "$_e" -gt "$_hi" ]; } && _hi=$_e
	done
	[ -z "$_lo" ] || printf '0x%x 0x%x\n' "$_lo" "$_hi"
}

# A scattered buffer as dmalab info draws it: its segments, no device.
info=$(dmalab alloc 2300K --exec dmalab info --json --svg $d/info.svg 2>$d/err)
rc=$?
[ $rc = 0 ] && well_formed $d/info.svg && [ "$(grep -c '<g class="panel">' $d/info.svg)" = 1 ]
t $? "info_svg_is_well_formed_with_one_panel"
[ $rc = 0 ] || sed 's/^/# /' $d/err

segs=$(echo "$info" | jq -r .segments)
lo=$(echo "$info" | jq -r .phys_lo)
hi=$(echo "$info" | jq -r .phys_hi)
echo "# info: $segs segments in $lo-$hi; drawn: $(count 1 segment $d/info.svg) segments, $(seg_ends 1 $d/info.svg)"
[ -n "$segs" ] && [ "$(count 1 segment $d/info.svg)" = "$segs" ] &&
	[ "$(count 1 phys-mark $d/info.svg)" = "$segs" ] &&
	[ "$(seg_ends 1 $d/info.svg)" = "$lo $hi" ] &&
	grep -q "physical segments\{0,1\}, phys $lo-$hi<" $d/info.svg &&
	[ "$(count 1 device $d/info.svg)" = "$(echo "$info" | jq -r .attachments)" ]
t $? "info_svg_has_each_segment_at_the_jsons_addresses"

# A buffer that allows copies, before and after two simulated devices map
# it to read: X reaches 64 GiB, Y only a window at 16 MiB.
x=sim:36
y=sim:32@16M+256M
m=$(dmalab alloc 1M --copy --exec dmalab map --json --entries --dir to-device \
	--svg $d/map.svg show attach:$x attach:$y map:$x map:$y show 2>$d/err)
rc=$?
[ $rc = 0 ] && well_formed $d/map.svg && [ "$(grep -c '<g class="panel">' $d/map.svg)" = 2 ]
t $? "map_svg_is_well_formed_with_a_panel_per_show"
[ $rc = 0 ] || sed 's/^/# /' $d/err

# show K KEY: KEY of the Kth show step in the JSON.
show() { echo "$m" | jq -r "[.steps[] | select(.step == \"show\")][$(($1 - 1))].$2"; }
ok=0
for k in 1 2; do
	echo "# panel $k: $(show $k segments) segments in $(show $k phys_lo)-$(show $k phys_hi); drawn: $(count $k segment $d/map.svg), $(seg_ends $k $d/map.svg)"
	[ "$(count $k segment $d/map.svg)" = "$(show $k segments)" ] &&
		[ "$(seg_ends $k $d/map.svg)" = "$(show $k phys_lo) $(show $k phys_hi)" ] || ok=1
done
[ "$(show 1 segments)" -ge 1 ]
t $((ok | $?)) "map_svg_segments_are_the_jsons_at_each_show"

# The device rows: none before, X and Y after, each with its reach.
[ "$(count 1 device $d/map.svg)" = 0 ] && [ "$(count 2 device $d/map.svg)" = 2 ] &&
	[ "$(count 2 device $d/map.svg)" = "$(show 2 attachments)" ] &&
	panel_text 2 $d/map.svg | grep -q "class=\"device-label\">$x: " &&
	panel_text 2 $d/map.svg | grep -q "class=\"device-label\">$y: " &&
	panel_text 2 $d/map.svg | grep -q ">reach 0x0-0xfffffffff[,<]" &&
	panel_text 2 $d/map.svg | grep -q ">reach 0x1000000-0x10ffffff[,<]"
t $? "map_svg_has_a_row_per_attached_device_with_its_reach"

# Device copies drawn as the exporter counts them.
copies=$(panel_text 2 $d/map.svg | grep -c 'served by its own copy')
echo "# copy_attachments $(show 2 copy_attachments), drawn $copies"
[ "$copies" = "$(show 2 copy_attachments)" ]
t $? "map_svg_marks_the_copy_served_devices"

# Each mapped device: a row of its sg entries, at the DMA addresses listed.
ok=0
for dev in $x $y; do
	want=$(echo "$m" | jq -r "[.steps[] | select(.step == \"map\" and .dev == \"$dev\")][0].entries[].dma")
	drawn=$(panel_text 2 $d/map.svg | sed -n "s/.*<title>$dev: [^ ]* sg entry [0-9]*: DMA \(0x[0-9a-f]*\),.*/\1/p")
	echo "# $dev: $(echo "$want" | grep -c .) entries listed, $(echo "$drawn" | grep -c .) drawn"
	[ -n "$want" ] && [ "$want" = "$drawn" ] || ok=1
done
[ "$(count 2 sg-row $d/map.svg)" = 2 ] && [ "$(count 2 sg-entry $d/map.svg)" = \
	"$(($(echo "$m" | jq '[.steps[] | select(.step == "map")][0].nents') + \
	    $(echo "$m" | jq '[.steps[] | select(.step == "map")][1].nents')))" ]
t $((ok | $?)) "map_svg_has_each_devices_sg_entries_at_their_dma_addresses"

err=$(dmalab alloc 4K --exec dmalab info --svg /nonexistent/dir/x.svg 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q "/nonexistent/dir/x.svg"
t $? "unwritable_svg_file_is_a_one_line_error"
