#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmalab-bench's workload sections (camera, jobs, share; bench/work_*.c)
# run in --quick mode and give every figure, with values that can be
# true: frames no faster than vivid's clock and CPU time within what the
# CPUs had, simulated jobs no faster than their 100 us completion
# interrupt, edu's 4 KiB job no faster than QEMU's 100 ms DMA timer,
# devices 1 to 16 each mapped, ours costing more for 16 than for 1.
# Peers are checked where the kernel has them (the bench's meta says
# which). One repetition keeps it short: it runs in every lane.
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
echo 1..8
started=$(date +%s)

out=$(dmalab-bench --quick --reps 1 --only camera,jobs,share 2>&1)
rc=$?
json=$(echo "$out" | sed -n '/^DMALAB-BENCH-JSON-BEGIN$/,/^DMALAB-BENCH-JSON-END$/p' | sed '1d;$d')
echo "$out" | grep '^bench: ' | sed 's/^/# /'
js() { echo "$json" | jq -e "$1" >/dev/null 2>&1; }

[ "$rc" = 0 ] && js '.records | length > 0'
t $? "bench_workloads_print_their_json"

# The sources to check: ours, and each peer the guest has; the camera
# compares ours with the system heap and vivid's own buffers.
whos='"ours"' camwhos='"ours", "vivid_mmap"'
for p in system_heap udmabuf vgem; do
	js ".meta.have_$p == \"1\"" || continue
	whos="$whos, \"$p\""
	[ $p = system_heap ] && camwhos="$camwhos, \"$p\""
done
echo "# sources checked: $whos"
of() { echo "[.records[] | select(.test == \"$1\" and (.who | IN($2)))$3]"; }

if [ -d /sys/module/vivid ]; then
	cpus=$(echo "$json" | jq -r '.meta.cpus_online')
	fps=$(of work_camera "$camwhos" ' | select(.metric == "fps")')
	cpu=$(of work_camera "$camwhos" ' | select(.metric == "cpu_per_frame")')
	echo "$json" | jq -c "$(of work_camera "$camwhos")[] | {who, metric, median, nominal_fps}" | sed 's/^/# /'
	js "$fps | length == ([$camwhos] | length) and
	    all(.median > 0 and .median <= .nominal_fps * 1.5)"
	t $? "camera_fps_positive_and_within_vivids_clock"
	js "([${fps}[].median] | min) as \$f | $cpu |
	    length == ([$camwhos] | length) and
	    all(.median > 0 and .median <= $cpus * 1e9 / \$f * 1.5)"
	t $? "camera_cpu_per_frame_positive_and_within_the_cpus"
else
	skip camera_fps_positive_and_within_vivids_clock "vivid is not loaded"
	skip camera_cpu_per_frame_positive_and_within_the_cpus "vivid is not loaded"
fi

js "$(of work_jobs "$whos" ' | select(.device == "sim64" and .metric == "jobs_per_s")') |
    length == 8 * ([$whos] | length) and
    ([.[].size] | unique) == [4096, 65536, 1048576, 16777216] and
    ([.[].op] | unique) == [\"copy\", \"fill\"] and
    all(.median > 0 and .max < 10000)"
t $? "jobs_per_second_for_fill_and_copy_4K_to_16M_below_the_100us_interrupt"
js "$(of work_jobs "$whos" ' | select(.device == "sim64" and .metric == "submit_to_poll_wakeup")') |
    length == 8 * ([$whos] | length) and all(.min >= 100000 and .max < 1e10)"
t $? "jobs_submit_to_poll_wakeup_at_least_the_100us_interrupt"

if js '.meta.edu_b'; then
	js "$(of work_jobs '"ours"' ' | select(.device == "edu_b")') |
	    length == 1 and .[0].n == 1 and .[0].median >= 1e8"
	t $? "edu_job_reported_once_at_QEMUs_100ms_pace"
else
	skip edu_job_reported_once_at_QEMUs_100ms_pace "no edu_b device"
fi

share=$(of work_share "$whos")
js "$share | length == 15 * ([$whos] | length) and
    ([.[].devices] | unique) == [1, 2, 4, 8, 16] and all(.median > 0)"
t $? "share_maps_1_to_16_devices_with_every_figure"
echo "$json" | jq -c "${share}[] | select(.metric == \"map_all\" and (.devices | IN(1, 16))) |
	{who, devices, min, median}" | sed 's/^/# /'
# Ours maps per attachment (vgem's cost is mostly per round: it pins at the
# first attach). Minima: a slow spell of the host only ever adds time.
js "$share | map(select(.who == \"ours\" and .metric == \"map_all\")) |
    INDEX(.devices | tostring) | .[\"16\"].min > .[\"1\"].min"
t $? "share_mapping_ours_to_16_devices_costs_more_than_to_1"
echo "# took $(($(date +%s) - started)) s"
