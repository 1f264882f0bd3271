#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn dmalab-bench's JSON into results.json, a ratio table and an SVG plot.

Called by bench/run; standard library only (no matplotlib).
"""
import argparse
import json
import math
import os
import sys

from report_work import add_workloads

SIZE_ORDER = ["ours", "ours_contig", "ours_heap", "system_heap", "udmabuf",
              "vgem", "anon_populate", "memset"]
COLOURS = {"ours": "#d62728", "ours_contig": "#ff9896", "ours_heap": "#e377c2",
           "system_heap": "#1f77b4", "udmabuf": "#2ca02c", "vgem": "#9467bd",
           "anon_populate": "#8c564b", "memset": "#7f7f7f"}


def human_size(n):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d B" % n


def human(v, unit):
    if unit == "ns" or unit == "ns_per_MiB":
        suffix = "/MiB" if unit == "ns_per_MiB" else ""
        for u, d in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
            if v >= d:
                return "%.3g %s%s" % (v / d, u, suffix)
        return "%.3g ns%s" % (v, suffix)
    if unit in ("fps", "per_s"):
        return ("%.0f" if v >= 100 else "%.3g") % v + \
            (" fps" if unit == "fps" else "/s")
    if unit == "MB_per_s":
        return "%.0f MB/s" % v
    if unit in ("entries", "bytes"):
        return "%d" % v if unit == "entries" else human_size(int(v))
    return "%.3g %s" % (v, unit)


class Records:
    def __init__(self, recs):
        self.recs = recs

    def get(self, test, who, metric, **params):
        for r in self.recs:
            if r["test"] != test or r["who"] != who or r["metric"] != metric:
                continue
            if all(r.get(k) == v for k, v in params.items()):
                return r
        return None

    def values(self, test, key, **params):
        seen = []
        for r in self.recs:
            if r["test"] == test and all(r.get(k) == v
                                         for k, v in params.items()):
                if key in r and r[key] not in seen:
                    seen.append(r[key])
        return seen


def cell(r):
    if r is None:
        return "–"
    if "error" in r:
        return "error: %s" % r["error"]
    if r["n"] > 1 and r["min"] != r["max"]:
        return "%s (%s–%s)" % (human(r["median"], r["unit"]),
                               human(r["min"], r["unit"]),
                               human(r["max"], r["unit"]))
    return human(r["median"], r["unit"])


def ratio(a, b, key="median"):
    if a is None or b is None or "error" in a or "error" in b:
        return None
    if b[key] == 0:
        return None if a[key] else 1.0
    return a[key] / b[key]


HEADER = ["| figure | ours | peer | ours / peer (medians) "
          "| ours / peer (minima) | target | |",
          "|---|---|---|---|---|---|---|"]


class Table:
    def __init__(self):
        self.lines = []
        self.pending = []
        self.missed = []
        self.targets = []

    def section(self, title):
        """Printed with the first row, so that sections not run vanish."""
        self.pending = ["", "**%s**" % title, ""] + HEADER

    def add(self, line):
        self.lines += self.pending
        self.pending = []
        self.lines.append(line)

    def row(self, name, a, b, op=None, limit=None):
        """op '<=' or '>=' against limit; None for an informational row."""
        q = ratio(a, b)
        verdict, target = "", ""
        if op:
            target = "%s %.2f" % ("≤" if op == "<=" else "≥", limit)
            if q is None:
                verdict = "n/a"
            elif (q <= limit) if op == "<=" else (q >= limit):
                verdict = "met"
            else:
                verdict = "**missed**"
                self.missed.append("%s: %.2f (target %s)" % (name, q, target))
        qm = ratio(a, b, "min")
        line = "| %s | %s | %s | %s | %s | %s | %s |" % (
            name, cell(a), cell(b), "–" if q is None else "%.2f" % q,
            "–" if qm is None else "%.2f" % qm, target, verdict)
        self.add(line)
        if op:
            self.targets.append(line)


def build_table(R, meta):
    t = Table()
    sizes = sorted(R.values("alloc", "size"))

    t.section("Allocate + zero + free (median of the repetitions, min–max)")
    for s in sizes:
        ours = R.get("alloc", "ours", "alloc_zero_free", size=s)
        big = s >= (1 << 20)
        for peer in ("system_heap", "memset"):
            limit = 1.0 if peer == "system_heap" else 1.25
            t.row("%s, ours / %s" % (human_size(s), peer), ours,
                  R.get("alloc", peer, "alloc_zero_free", size=s),
                  "<=" if big else None, limit)
        for peer in ("udmabuf", "vgem", "anon_populate"):
            t.row("%s, ours / %s" % (human_size(s), peer), ours,
                  R.get("alloc", peer, "alloc_zero_free", size=s))
        for metric in ("alloc_zero", "free"):
            t.row("%s, %s only, ours / system_heap" % (human_size(s), metric),
                  R.get("alloc", "ours", metric, size=s),
                  R.get("alloc", "system_heap", metric, size=s))
        # Our buffers through our DMA-BUF heap (kernels that have it).
        heap = R.get("alloc", "ours_heap", "alloc_zero_free", size=s)
        if heap and "error" not in heap:
            t.row("%s, ours_heap / system_heap" % human_size(s), heap,
                  R.get("alloc", "system_heap", "alloc_zero_free", size=s),
                  "<=" if big else None, 1.0)
        contig = R.get("alloc", "ours_contig", "alloc_zero_free", size=s)
        if contig and "error" not in contig:
            t.row("%s, ours_contig / system_heap" % human_size(s), contig,
                  R.get("alloc", "system_heap", "alloc_zero_free", size=s),
                  "<=" if big else None, 1.0)

    t.section("sg_table entries (sim64: simulated device, 64-bit mask, no "
              "segment limit; edu_b: %s)" % meta.get("edu_b", "absent"))
    for dev in R.values("sg", "device"):
        for s in sorted(R.values("sg", "size", device=dev)):
            ours = R.get("sg", "ours", "entries", size=s, device=dev)
            t.row("%s %s, ours / system_heap" % (human_size(s), dev), ours,
                  R.get("sg", "system_heap", "entries", size=s, device=dev),
                  "<=", 1.0)
            for peer in ("udmabuf", "vgem", "ours_contig"):
                t.row("%s %s, ours / %s" % (human_size(s), dev, peer), ours,
                      R.get("sg", peer, "entries", size=s, device=dev))
            v = R.get("sg", "system_heap", "violations", size=s, device=dev)
            if v and "error" not in v and v["median"]:
                t.add("| %s %s, system_heap entries beyond the "
                               "device's max segment size | | %d | | | | |" %
                               (human_size(s), dev, v["median"]))

    t.section("mmap of the dma-buf vs anonymous memory")
    for s in R.values("mmap", "size"):
        for who in ("ours", "system_heap", "udmabuf", "vgem"):
            gated = who == "ours"
            for metric, op, limit in (("first_touch", "<=", 1.0),
                                      ("write_bw", ">=", 0.95),
                                      ("read_bw", ">=", 0.95)):
                a = R.get("mmap", who, metric, size=s)
                for ref in ("anon", "anon_4k"):
                    t.row("%s %s, %s / %s" % (human_size(s), metric, who, ref),
                          a, R.get("mmap", ref, metric, size=s),
                          op if gated and ref == "anon" else None, limit)

    t.section("Device mapping latency, ours / system heap")
    for s in R.values("attach", "size"):
        for dev in R.values("attach", "device", size=s):
            for metric in ("attach_map_unmap_detach", "map_unmap"):
                t.row("%s %s %s" % (human_size(s), dev, metric),
                      R.get("attach", "ours", metric, size=s, device=dev),
                      R.get("attach", "system_heap", metric, size=s,
                            device=dev), "<=", 1.0)

    t.section("vmap + 4 KiB checksum + vunmap (importer ioctl), "
              "DMA_BUF_IOCTL_SYNC start+end")
    for s in R.values("vmap", "size"):
        for peer in ("system_heap", "udmabuf", "vgem"):
            t.row("%s vmap, ours / %s" % (human_size(s), peer),
                  R.get("vmap", "ours", "vmap_access_vunmap", size=s),
                  R.get("vmap", peer, "vmap_access_vunmap", size=s))
    for s in R.values("sync", "size"):
        for m in R.values("sync", "mapped", size=s):
            t.row("%s sync, %d mapped attachment(s), ours / system_heap" %
                  (human_size(s), m),
                  R.get("sync", "ours", "sync_pair", size=s, mapped=m),
                  R.get("sync", "system_heap", "sync_pair", size=s, mapped=m))

    t.section("Scaling, ours / system heap")
    for live in R.values("scale_buffers", "live"):
        for metric in ("create_each", "alloc_free_one_more", "free_each"):
            t.row("%d live 4 KiB buffers, %s" % (live, metric),
                  R.get("scale_buffers", "ours", metric, live=live),
                  R.get("scale_buffers", "system_heap", metric, live=live))
    for k in R.values("scale_attach", "attachments"):
        t.row("%d attachments, map+unmap of one" % k,
              R.get("scale_attach", "ours", "map_unmap", attachments=k),
              R.get("scale_attach", "system_heap", "map_unmap",
                    attachments=k))
    for n in R.values("scale_threads", "threads"):
        t.row("%d thread(s), wall time per 1 MiB alloc+free" % n,
              R.get("scale_threads", "ours", "wall_per_alloc_free",
                    threads=n),
              R.get("scale_threads", "system_heap", "wall_per_alloc_free",
                    threads=n))
    add_workloads(t, R, human_size)
    return t


def svg_plot(R, path, title):
    """Log-log plot of allocate+zero+free time against size."""
    W, H, L, Rm, T, B = 760, 480, 80, 170, 40, 60
    series = {}
    for r in R.recs:
        if r["test"] == "alloc" and r["metric"] == "alloc_zero_free" and \
                "error" not in r:
            series.setdefault(r["who"], []).append(
                (r["size"], r["median"], r["min"], r["max"]))
    if not series:
        return
    xs = [p[0] for s in series.values() for p in s]
    ys = [p[i] for s in series.values() for p in s for i in (2, 3)]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y0 = math.floor(math.log10(max(min(ys), 1)))
    y1 = math.ceil(math.log10(max(ys)))
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1

    def px(x):
        return L + (math.log10(x) - x0) / (x1 - x0) * (W - L - Rm)

    def py(y):
        return H - B - (math.log10(max(y, 1)) - y0) / (y1 - y0) * (H - T - B)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="14">%s</text>' % (L, title)]
    for e in range(int(y0), int(y1) + 1):
        y = py(10 ** e)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" '
                   'stroke="#ddd"/>' % (L, y, W - Rm, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' %
                   (L - 6, y + 4, human(10 ** e, "ns")))
    for x in sorted(set(xs)):
        X = px(x)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>'
                   % (X, T, X, H - B))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' %
                   (X, H - B + 18, human_size(x)))
    out.append('<text x="%d" y="%d" text-anchor="middle">buffer size</text>'
               % ((L + W - Rm) / 2, H - 15))
    out.append('<text x="18" y="%d" transform="rotate(-90 18 %d)" '
               'text-anchor="middle">allocate + zero + free (median; bars: '
               'min–max)</text>' % ((T + H - B) / 2, (T + H - B) / 2))
    order = [w for w in SIZE_ORDER if w in series] + \
        [w for w in series if w not in SIZE_ORDER]
    for i, who in enumerate(order):
        pts = sorted(series[who])
        c = COLOURS.get(who, "#000")
        dash = ' stroke-dasharray="5,3"' if who in ("memset",
                                                    "anon_populate") else ""
        out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s '
                   'points="%s"/>' % (c, dash, " ".join(
                       "%.1f,%.1f" % (px(p[0]), py(p[1])) for p in pts)))
        for p in pts:
            out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" '
                       'stroke="%s"/>' % (px(p[0]), py(p[2]), px(p[0]),
                                          py(p[3]), c))
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' %
                       (px(p[0]), py(p[1]), c))
        ly = T + 20 + i * 20
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                   'stroke-width="2"%s/>' % (W - Rm + 15, ly, W - Rm + 40, ly,
                                             c, dash))
        out.append('<text x="%d" y="%d">%s</text>' % (W - Rm + 46, ly + 4,
                                                       who))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    for k in ("host-cpu", "host-cpus", "qemu", "accel", "started",
              "load-before", "load-after", "quick"):
        ap.add_argument("--" + k, default="")
    a = ap.parse_args()
    with open(a.raw) as f:
        raw = json.load(f)
    host = {"cpu": a.host_cpu, "cpus": a.host_cpus, "qemu": a.qemu,
            "accel": a.accel, "started": a.started,
            "load_before": a.load_before, "load_after": a.load_after,
            "quick": a.quick == "1"}
    results = {"host": host, "guest": raw["meta"], "records": raw["records"]}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    R = Records(raw["records"])
    t = build_table(R, raw["meta"])
    g = raw["meta"]
    head = ["Kernel %s; guest: QEMU q35, %s vCPUs, %s MiB RAM, accelerator %s "
            "(%s); host: %s, %s CPUs; load average before/after: %s / %s%s." %
            (g.get("kernel", "?").split(" ")[0], g.get("cpus_online", "?"),
             int(g.get("mem_total_kib", "0")) // 1024, host["accel"].upper(),
             host["qemu"], host["cpu"], host["cpus"], host["load_before"],
             host["load_after"], "; QUICK run" if host["quick"] else "")]
    lines = head + t.lines
    if t.missed:
        lines += ["", "Missed targets:", ""] + ["- " + m for m in t.missed]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "targets.md"), "w") as f:
        f.write("\n".join(head + [""] + HEADER + t.targets) + "\n")
    svg_plot(R, os.path.join(a.out, "alloc.svg"),
             "dma-buf allocate + zero + free, Linux %s, %s" %
             (g.get("kernel", "?").split(" ")[0], host["accel"].upper()))
    sys.stdout.write(text)
    print("\nwritten: %s/{results.json,table.md,targets.md,alloc.svg}" %
          a.out)


if __name__ == "__main__":
    main()
