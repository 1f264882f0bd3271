#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab ps lists the buffers this test's processes hold exactly (one
# held by fd, one shared by two processes), filters by pid and exporter;
# info, verify and conform take a holder's buffer with --pid (pidfd_getfd):
# conform is read-only unless --write, and the holder finds its bytes
# unchanged afterwards (and changed after --write). The holders wait in
# the shell's own read, so no short-lived child shares their buffer.
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo 1..17
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# In the holder: $1 name, $2 pattern seed, $3 the test's folder, $4 "shared"
# for a second process (a forked subshell) holding the buffer too.
# shellcheck disable=SC2016
script='dmalab fill --pattern "seq:$2" >/dev/null || exit 9
child=
if [ "$4" = shared ]; then { read -r x <"$3/$1.go2"; } & child=$!; fi
echo "$$ $DMABUF_FD $child" >"$3/$1.ready"
read -r x <"$3/$1.go"
[ -z "$child" ] || { echo go >"$3/$1.go2"; wait "$child"; }
dmalab verify --pattern "seq:$2" >/dev/null'

# holder NAME SIZE SEED [shared]: start it, wait until it is ready.
holder() {
	mkfifo "$dir/$1.go" "$dir/$1.go2"
	dmalab alloc "$2" --name "$1" --exec sh -c "$script" holder "$1" "$3" "$dir" "$4" &
	i=0
	while [ ! -s "$dir/$1.ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
# release NAME PID: let it verify its bytes and end; its exit status (verify's).
release() { echo go >"$dir/$1.go"; wait "$2"; }
js() { echo "$out" | jq -e "$1" >/dev/null 2>&1; }

holder ps-a 64K 5
read -r pa fda _ <"$dir/ps-a.ready"
holder ps-b 1M 6 shared
read -r pb fdb cb <"$dir/ps-b.ready"
echo "# holders: ps-a pid $pa fd $fda; ps-b pid $pb fd $fdb, shared with pid $cb"

out=$(dmalab ps --pid "$pa" --json 2>&1)
echo "# $out"
js ".buffer_count == 1 and .total_bytes == 65536 and .unreadable_count == 0 and
    (.buffers[0] | .size == 65536 and .size_known and .exporter == \"dmalab_exp\" and
     .name == \"ps-a\" and .processes == 1 and .fds == 1 and .maps == 0 and
     .holders == [{pid: $pa, command: \"sh\", via: \"fd\", fd: $fda}])"
t $? "ps_lists_one_buffer_held_by_fd_exactly"
js ".processes == [{pid: $pa, command: \"sh\", uid: 0, buffers: 1, fds: 1, maps: 0, bytes: 65536, pss: 65536}]"
t $? "ps_totals_of_its_holder"

out=$(dmalab ps --pid "$pb" --pid "$cb" --json 2>&1)
js ".buffer_count == 1 and .total_bytes == 1048576 and
    (.buffers[0] | .size == 1048576 and .name == \"ps-b\" and .processes == 2 and .fds == 2 and
     ([.holders[].pid] | sort) == ([$pb, $cb] | sort))"
t $? "ps_shared_buffer_counts_both_processes"
js "([.processes[] | .pss] == [524288, 524288]) and ([.processes[] | .bytes] == [1048576, 1048576])"
t $? "ps_shared_buffer_splits_the_proportional_share"

out=$(dmalab ps --pid "$pa" --pid "$pb" --pid "$cb" --sort pid --json 2>&1)
js ".buffer_count == 2 and .total_bytes == 1114112 and
    .exporters == [{exporter: \"dmalab_exp\", buffers: 2, bytes: 1114112}] and
    [.processes[].pid] == ([$pa, $pb, $cb] | sort)"
t $? "ps_totals_per_exporter_and_sort_by_pid"

out=$(dmalab ps --pid "$pa" --exporter no-such-exporter --json 2>&1)
js ".buffer_count == 0 and .processes == []"
t $? "ps_exporter_filter_leaves_out_other_exporters"

out=$(dmalab ps --pid "$pa" 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "dmalab_exp *ps-a *1  $pa sh (fd $fda)$" &&
	echo "$out" | grep -q "^dmalab_exp *1 *64K$"
t $? "ps_text_shows_holder_and_exporter_total"

dmalab ps --sort nothing >/dev/null 2>&1
t $(($? != 2)) "ps_refuses_an_unknown_sort_key"

out=$(dmalab info --pid "$pa" --fd "$fda" --json 2>&1)
js ".pid == $pa and .pid_fd == $fda and .exporter == \"dmalab_exp\" and .size == 65536 and .name == \"ps-a\""
t $? "info_takes_the_buffer_of_another_process"

dmalab verify --pid "$pa" --fd "$fda" --pattern seq:5 >/dev/null 2>&1
t $? "verify_reads_the_buffer_of_another_process"

out=$(dmalab conform --pid "$pa" --fd "$fda" --json 2>&1)
rc=$?
echo "$out" | jq -r '.checks[]? | "# \(.name): \(.verdict): \(.detail)"' 2>/dev/null
[ $rc = 0 ] && js ".failed == 0 and .skipped >= 5 and .passed >= 6 and
    ([.checks[] | select(.verdict == \"skipped\") | .detail] | unique ==
     [\"read-only: the buffer belongs to pid $pa; --write to include\"])"
t $? "conform_by_pid_is_read_only_and_says_what_it_skipped"

dmalab verify --pid "$pa" --fd "$fda" --pattern seq:5 >/dev/null 2>&1
t $? "conform_by_pid_leaves_the_bytes_unchanged_seen_from_outside"
# The holder is the alloc process itself (--exec runs sh in its place).
release ps-a "$pa"
t $? "conform_by_pid_leaves_the_bytes_unchanged_for_their_owner"

out=$(dmalab conform --pid "$pb" --fd "$fdb" --write --json 2>&1)
js ".skipped == 0 and .failed == 0"
t $? "conform_by_pid_with_write_runs_every_check"
release ps-b "$pb"
t $(($? != 1)) "conform_with_write_changed_the_owners_bytes"

dmalab conform --fd 0 --write >/dev/null 2>&1
t $(($? != 2)) "conform_write_without_pid_is_refused"

out=$(dmalab info --pid 4000000 --fd 3 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "pidfd_open of pid 4000000"
t $? "info_by_pid_of_no_process_fails_and_says_so"
wait
