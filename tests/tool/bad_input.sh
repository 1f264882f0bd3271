#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Wrong input: a non-zero exit and exactly one line on stderr that names what
# is wrong; nothing on stdout.
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# bad NAME WORD CMD...: CMD fails, prints nothing, one stderr line with WORD.
bad() {
	name=$1 word=$2
	shift 2
	"$@" >/tmp/bad.out 2>/tmp/bad.err
	rc=$?
	if [ $rc != 0 ] && [ ! -s /tmp/bad.out ] && [ "$(wc -l </tmp/bad.err)" = 1 ] &&
	   grep -q -- "$word" /tmp/bad.err; then
		t 0 "$name"
	else
		t 1 "$name"
		echo "# rc=$rc stderr: $(cat /tmp/bad.err) stdout: $(head -c 200 /tmp/bad.out)"
	fi
}

echo 1..22
bad unknown_command_is_named frob dmalab frob
bad unknown_option_is_named --bogus dmalab alloc 4K --bogus
bad size_with_unknown_suffix_is_named "'4X'" dmalab alloc 4X
bad missing_size_is_named SIZE dmalab alloc
bad unaligned_size_is_refused "page size" dmalab alloc 1000
bad placement_must_be_known "'foo'" dmalab alloc 4K --placement foo
bad addr_bits_out_of_range addr-bits dmalab alloc 4K --addr-bits 8
bad no_fd_names_DMABUF_FD DMABUF_FD env -u DMABUF_FD dmalab fill
bad fd_not_a_number "'x'" dmalab info --fd x
bad closed_fd_is_named "fd 99" dmalab info --fd 99
bad offset_beyond_buffer "offset" dmalab alloc 8K --exec dmalab verify --offset 8K
bad pattern_must_be_a_byte "'300'" dmalab alloc 8K --exec dmalab fill --pattern 300
bad unknown_device_is_named "'Z9'" dmalab alloc 8K --exec dmalab map --dev Z9
bad dma_needs_an_operation "copy, fill or checksum" dmalab dma
bad help_of_unknown_command_fails bogus dmalab help bogus
bad info_of_a_file_that_is_not_a_dmabuf "not a dma-buf" dmalab info --fd 0 </init
bad unknown_short_option_is_named "'-x'" dmalab alloc 4K -x
bad option_without_its_value_is_named "needs a value" dmalab alloc 4K --placement
bad equals_form_is_read_and_checked "'foo'" dmalab alloc 4K --placement=foo
bad short_form_is_read_and_checked "'foo'" dmalab alloc 4K -P foo
bad flag_given_a_value_is_refused "takes no value" dmalab stats --json=1

# The tool names its version, the library's UAPI and each module's.
ver=$(dmalab version --json | jq -r .dmalab)
dmalab --version 2>/dev/null | grep -q "^dmalab  *$ver\$" && [ -n "$ver" ]
t $? version_option_prints_the_tool_version
