# SPDX-License-Identifier: GPL-2.0
"""The tables of the workloads users run (dmalab-bench's sections camera,
jobs and share: bench/work_*.c), ours against each peer on the same kernel.
Called by report.py's build_table(); docs/workloads.md says how to read them.
"""

PEERS = ("system_heap", "udmabuf", "vgem")


def _ok(r):
    return r is not None and "error" not in r


def add_workloads(t, R, human_size):
    """Append the workload sections to Table @t from Records @R."""
    t.section("Camera pipeline: vivid captures N frames into each source's "
              "buffers (fps: higher is better; CPU per frame: all CPUs' "
              "task time)")
    for w in R.values("work_camera", "width"):
        for h in R.values("work_camera", "height", width=w):
            for metric, what in (("fps", "frames per second"),
                                 ("cpu_per_frame", "CPU time per frame")):
                ours = R.get("work_camera", "ours", metric, width=w, height=h)
                for peer in ("system_heap", "vivid_mmap"):
                    t.row("%dx%d %s, ours / %s" % (w, h, what, peer), ours,
                          R.get("work_camera", peer, metric, width=w,
                                height=h))

    t.section("Device jobs on sim64 (jobs/s: higher is better; latency: "
              "submit to poll() wakeup on the written dma-buf)")
    for op in R.values("work_jobs", "op", device="sim64"):
        for s in sorted(R.values("work_jobs", "size", op=op, device="sim64")):
            for metric, what in (("jobs_per_s", "jobs/s"),
                                 ("submit_to_poll_wakeup", "latency")):
                ours = R.get("work_jobs", "ours", metric, op=op, size=s,
                             device="sim64")
                for peer in PEERS:
                    t.row("%s %s %s, ours / %s" % (human_size(s), op, what,
                                                   peer), ours,
                          R.get("work_jobs", peer, metric, op=op, size=s,
                                device="sim64"))
    edu = R.get("work_jobs", "ours", "submit_to_poll_wakeup", device="edu_b")
    if edu is not None:
        t.row("edu_b 4 KiB fill latency, once (QEMU's edu: 100 ms per 2 KiB "
              "transfer; not a throughput)", edu, None)

    t.section("Sharing: one 8 MiB buffer mapped by N devices (map all: "
              "attach + map to each; sync: one SYNC start+end with all mapped)")
    for k in sorted(R.values("work_share", "devices")):
        for metric, what in (("map_all", "map all"),
                             ("sync_pair_all_mapped", "sync, all mapped"),
                             ("unmap_all", "unmap all")):
            ours = R.get("work_share", "ours", metric, devices=k)
            for peer in PEERS:
                b = R.get("work_share", peer, metric, devices=k)
                if _ok(ours) or _ok(b):
                    t.row("%d device(s), %s, ours / %s" % (k, what, peer),
                          ours, b)
