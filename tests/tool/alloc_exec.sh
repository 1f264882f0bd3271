#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab alloc --exec hands the buffer to a program: DMABUF_FD names an open
# dma-buf of the size asked, and the program's exit status comes back.
echo 1..5
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

out=$(dmalab alloc 64K --exec sh -c 'echo "fd=$DMABUF_FD"; dmalab info --json' 2>&1)
echo "$out" | grep -q '^fd=[0-9][0-9]*$'
t $? "exec_sets_DMABUF_FD_to_a_number"
echo "$out" | grep -q '"size":65536,'
t $? "exec_fd_is_a_dmabuf_of_the_size_asked"
echo "$out" | grep -q '"exporter":"dmalab_exp"'
t $? "exec_fd_comes_from_dmalab_exp"

dmalab alloc 4K --exec sh -c 'exit 7' 2>/dev/null
t $(($? != 7)) "exec_returns_the_program_status"

dmalab alloc 1M --placement contig --name tool-test --exec sh -c \
	'dmalab list --json' >/tmp/alloc_exec.list 2>&1
grep -q '"name":"tool-test"' /tmp/alloc_exec.list &&
	grep -q '"placement":"contig"' /tmp/alloc_exec.list
t $? "list_shows_the_named_contig_buffer_while_held"
