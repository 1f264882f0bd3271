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


# The statistics of bench/verdict.c, recomputed from the samples the guest
# kept (docs/bench-method.md): the median of the paired ratios ours / peer,
# its distribution-free 95 % interval [x(k), x(n+1-k)] and the verdict.
CI_MIN_PAIRS = 6
CI_MAX_PAIRS = 1000


def ci_rank(n):
    """Largest k with 2 P(B <= k-1) <= 0.05, B ~ Binomial(n, 1/2); 0 if none."""
    if n < CI_MIN_PAIRS:
        return 0
    n = min(n, CI_MAX_PAIRS)
    total, cum, k = 2 ** n, 0, 0
    for i in range(n // 2):
        cum += math.comb(n, i)
        if 2 * cum / total > 0.05:
            break
        k = i + 1
    return k


def ratio_ci(ours, peer, exact=False):
    """dict(n, ok, med, lo, hi) of the pairs (ours[i], peer[i])."""
    pairs = list(zip(ours, peer))[:1 if exact else CI_MAX_PAIRS]
    r = sorted(a / b for a, b in pairs if b > 0)
    m = len(r)
    if not m:
        return {"n": 0, "ok": False, "med": None, "lo": None, "hi": None}
    med = r[m // 2] if m % 2 else (r[m // 2 - 1] + r[m // 2]) / 2
    k = ci_rank(m)
    ok = exact or k > 0
    lo, hi = (r[k - 1], r[m - k]) if k else (r[0], r[-1])
    return {"n": m, "ok": ok, "med": med, "lo": lo, "hi": hi}


def verdict_of(ci, op, limit):
    if not ci["n"]:
        return "n/a"
    if not ci["ok"]:
        return "not decided"
    lo, hi = ci["lo"], ci["hi"]
    if op == "<=":
        return "met" if hi <= limit else "missed" if lo > limit \
            else "not decided"
    return "met" if lo >= limit else "missed" if hi < limit \
        else "not decided"


def reps_needed(ci, limit):
    """Pairs an undecided target would take (interval ~ 1/sqrt(n)); -1: never."""
    if not ci["ok"]:
        return CI_MIN_PAIRS
    med = ci["med"]
    if med == limit:
        return -1
    half, dist = (ci["hi"] - med, limit - med) if med < limit else \
        (med - ci["lo"], med - limit)
    return min(int(ci["n"] * (half / dist) ** 2) + 1, 10 ** 9)


def samples_of(r):
    """A record's samples in repetition order (older JSON: the median only)."""
    if r is None or "error" in r:
        return []
    return r.get("samples") or [r["median"]]


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


def evaluate(R, t):
    """The report's own verdict of one target the guest declared."""
    a = R.get(t["test"], t["who"], t["metric"], **t["params"])
    b = R.get(t["test"], t["peer"], t["metric"], **t["params"])
    ci = ratio_ci(samples_of(a), samples_of(b), t.get("exact", False))
    v = verdict_of(ci, t["op"], t["limit"])
    e = dict(t, ours=a, peer_rec=b, ci=ci, verdict=v, guest_verdict=t.get(
        "verdict"), reps_needed=reps_needed(ci, t["limit"])
        if v == "not decided" else 0)
    # Seconds per pair in the guest, for the time an undecided one needs.
    e["s_per_pair"] = t["seconds"] / ci["n"] if t.get("seconds") and \
        ci["n"] else None
    return e


def duration(sec):
    if sec < 120:
        return "%.0f s" % sec
    return "%.0f min" % (sec / 60) if sec < 7200 else "%.0f h" % (sec / 3600)


def target_cells(e):
    """(interval, target, verdict) cells of an evaluated target."""
    ci = e["ci"]
    sign = "≤" if e["op"] == "<=" else "≥"
    target = "%s %.2f" % (sign, e["limit"])
    if not ci["n"]:
        return "–", target, "n/a"
    if e.get("exact"):
        iv = "%.2f (exact)" % ci["med"]
    else:
        iv = "%.3f [%.3f, %.3f] (%d)" % (ci["med"], ci["lo"], ci["hi"],
                                        ci["n"])
        if not ci["ok"]:
            iv = "%.3f, range [%.3f, %.3f] (%d: too few)" % (
                ci["med"], ci["lo"], ci["hi"], ci["n"])
    v = e["verdict"]
    if v == "missed":
        v = "**missed**"
    elif v == "not decided":
        need = e["reps_needed"]
        if need < 0:
            v = "not decided: the median is on the target"
        else:
            v = "not decided: ~%d pairs" % need
            if e["s_per_pair"]:
                v += " (~%s)" % duration(need * e["s_per_pair"])
    return iv, target, v


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
          "| (minima) | paired ratio [95 % interval] (pairs) | target "
          "| verdict |",
          "|---|---|---|---|---|---|---|---|"]


class Table:
    def __init__(self, evaluated):
        self.lines = []
        self.pending = []
        self.missed = []
        self.undecided = []
        self.targets = []
        # Targets by the identity of their two records.
        self.by_recs = {(id(e["ours"]), id(e["peer_rec"])): e
                        for e in evaluated if e["ours"] is not None}
        self.shown = set()

    def section(self, title):
        """Printed with the first row, so that sections not run vanish."""
        self.pending = ["", "**%s**" % title, ""] + HEADER

    def add(self, line):
        self.lines += self.pending
        self.pending = []
        self.lines.append(line)

    def row(self, name, a, b, e=None):
        """A ratio ours / peer; a target's interval and verdict if a
        section declared one for these two figures."""
        q = ratio(a, b)
        qm = ratio(a, b, "min")
        if e is None and a is not None:
            e = self.by_recs.get((id(a), id(b)))
        iv, target, verdict = target_cells(e) if e else ("", "", "")
        line = "| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, cell(a), cell(b), "–" if q is None else "%.2f" % q,
            "–" if qm is None else "%.2f" % qm, iv, target, verdict)
        self.add(line)
        if e:
            self.note(e, name, line)

    def note(self, e, name, line):
        self.shown.add(id(e))
        self.targets.append(line)
        ci = e["ci"]
        if e["verdict"] == "missed":
            self.missed.append("%s: %.3f [%.3f, %.3f] (target %s %.2f)" % (
                name, ci["med"], ci["lo"], ci["hi"],
                "≤" if e["op"] == "<=" else "≥", e["limit"]))
        elif e["verdict"] == "not decided":
            self.undecided.append("%s: %s" % (name, target_cells(e)[2]))


def target_name(e):
    p = e["params"]
    rest = " ".join(str(v) for k, v in sorted(p.items()) if k != "size")
    return " ".join(x for x in (human_size(p["size"]) if "size" in p else "",
                                e["test"], rest, e["metric"], "%s / %s" % (
                                    e["who"], e["peer"])) if x)


def other_targets(t, evaluated):
    """Targets of sections the table does not lay out itself."""
    rest = [e for e in evaluated if id(e) not in t.shown]
    if rest:
        t.section("Other targets")
    for e in rest:
        t.row(target_name(e), e["ours"], e["peer_rec"], e=e)


def build_table(R, meta, evaluated):
    t = Table(evaluated)
    sizes = sorted(R.values("alloc", "size"))

    t.section("Allocate + zero + free (median of the repetitions, min–max)")
    for s in sizes:
        ours = R.get("alloc", "ours", "alloc_zero_free", size=s)
        for peer in ("system_heap", "memset", "udmabuf", "vgem",
                     "anon_populate"):
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
                  R.get("alloc", "system_heap", "alloc_zero_free", size=s))
        contig = R.get("alloc", "ours_contig", "alloc_zero_free", size=s)
        if contig and "error" not in contig:
            t.row("%s, ours_contig / system_heap" % human_size(s), contig,
                  R.get("alloc", "system_heap", "alloc_zero_free", size=s))

    t.section("sg_table entries (sim64: simulated device, 64-bit mask, no "
              "segment limit; edu_b: %s)" % meta.get("edu_b", "absent"))
    for dev in R.values("sg", "device"):
        for s in sorted(R.values("sg", "size", device=dev)):
            ours = R.get("sg", "ours", "entries", size=s, device=dev)
            t.row("%s %s, ours / system_heap" % (human_size(s), dev), ours,
                  R.get("sg", "system_heap", "entries", size=s, device=dev))
            for peer in ("udmabuf", "vgem", "ours_contig"):
                t.row("%s %s, ours / %s" % (human_size(s), dev, peer), ours,
                      R.get("sg", peer, "entries", size=s, device=dev))
            v = R.get("sg", "system_heap", "violations", size=s, device=dev)
            if v and "error" not in v and v["median"]:
                t.add("| %s %s, system_heap entries beyond the "
                               "device's max segment size | | %d | | | | | |" %
                               (human_size(s), dev, v["median"]))

    t.section("mmap of the dma-buf vs anonymous memory")
    for s in R.values("mmap", "size"):
        for who in ("ours", "system_heap", "udmabuf", "vgem"):
            for metric in ("first_touch", "write_bw", "read_bw"):
                a = R.get("mmap", who, metric, size=s)
                for ref in ("anon", "anon_4k"):
                    t.row("%s %s, %s / %s" % (human_size(s), metric, who, ref),
                          a, R.get("mmap", ref, metric, size=s))
        # 2 MiB blocks mapped with PMDs (docs/huge-mappings.md).
        for who in ("ours_huge", "ours", "anon_thp"):
            t.row("%s pages_per_fault, %s / anon_4k" % (human_size(s), who),
                  R.get("mmap", who, "pages_per_fault", size=s),
                  R.get("mmap", "anon_4k", "pages_per_fault", size=s))
        for metric in ("write_bw", "read_bw"):
            t.row("%s %s, ours_huge / anon_thp" % (human_size(s), metric),
                  R.get("mmap", "ours_huge", metric, size=s),
                  R.get("mmap", "anon_thp", metric, size=s))

    t.section("Device mapping latency, ours / system heap")
    for s in R.values("attach", "size"):
        for dev in R.values("attach", "device", size=s):
            for metric in ("attach_map_unmap_detach", "map_unmap"):
                t.row("%s %s %s" % (human_size(s), dev, metric),
                      R.get("attach", "ours", metric, size=s, device=dev),
                      R.get("attach", "system_heap", metric, size=s,
                            device=dev))

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
    other_targets(t, evaluated)
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


MARK = {"met": "met (filled)", "missed": "missed (square)",
        "not decided": "not decided (hollow)", "n/a": "n/a"}
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
           "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]


def series_name(e, metrics):
    rest = [str(v) for k, v in sorted(e["params"].items()) if k != "size"]
    return " ".join([e["who"] + " / " + e["peer"]] +
                    ([e["metric"]] if len(metrics) > 1 else []) + rest)


def svg_ratio_plot(evaluated, test, path, title):
    """Ratio ours / peer against size, one series per pair of contenders:
    the median of the paired ratios, its 95 % interval as a bar, each
    target as a dashed line in its series' colour. False if nothing to plot."""
    pts = [e for e in evaluated if e["test"] == test and e["ci"]["n"] and
           "size" in e["params"]]
    if not pts:
        return False
    metrics = sorted({e["metric"] for e in pts})
    series = {}
    for e in pts:
        series.setdefault(series_name(e, metrics), []).append(e)
    W, H, L, Rm, T, B = 1000, 480, 70, 420, 40, 60
    xs = sorted({e["params"]["size"] for e in pts})
    ys = [e["ci"][k] for e in pts for k in ("lo", "hi")] + \
        [e["limit"] for e in pts]
    y0, y1 = min(ys), max(ys)
    pad = max((y1 - y0) * 0.08, 0.02)
    y0, y1 = y0 - pad, y1 + pad
    x0 = math.log10(xs[0])
    x1 = math.log10(xs[-1]) if len(xs) > 1 else x0 + 1
    slot = (W - L - Rm) / max(len(xs), 2) * 0.5

    def px(x, i):
        off = (i - (len(series) - 1) / 2) * min(10, slot / len(series))
        if len(xs) == 1:
            return (L + W - Rm) / 2 + off
        return L + 20 + (math.log10(x) - x0) / (x1 - x0) * \
            (W - L - Rm - 40) + off

    def py(y):
        return H - B - (y - y0) / (y1 - y0) * (H - T - B)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="14">%s</text>' % (L, title)]
    step = 10 ** math.floor(math.log10(max(y1 - y0, 1e-9)))
    if (y1 - y0) / step < 4:
        step /= 5 if (y1 - y0) / step < 2 else 2
    y = math.ceil(y0 / step) * step
    while y <= y1:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" '
                   'stroke="#ddd"/>' % (L, py(y), W - Rm, py(y)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.2f</text>' %
                   (L - 6, py(y) + 4, y))
        y += step
    for x in xs:
        X = px(x, (len(series) - 1) / 2)
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' %
                   (X, H - B + 18, human_size(x)))
    out.append('<text x="%d" y="%d" text-anchor="middle">buffer size</text>'
               % ((L + W - Rm) / 2, H - 15))
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" '
               'text-anchor="middle">ours / peer (median of paired ratios; '
               'bars: 95 %% interval)</text>' % ((T + H - B) / 2,
                                                 (T + H - B) / 2))
    # A target line in its series' colour; grey where several share it.
    owners = {}
    for i, (name, es) in enumerate(sorted(series.items())):
        for lim in {e["limit"] for e in es}:
            owners.setdefault(lim, []).append(PALETTE[i % len(PALETTE)])
    for lim, cs in sorted(owners.items()):
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" '
                   'stroke-dasharray="6,4"/>' % (L, py(lim), W - Rm, py(lim),
                                                 cs[0] if len(cs) == 1
                                                 else "#666"))
    for i, (name, es) in enumerate(sorted(series.items())):
        c = PALETTE[i % len(PALETTE)]
        es.sort(key=lambda e: e["params"]["size"])
        out.append('<polyline fill="none" stroke="%s" stroke-width="1.5" '
                   'points="%s"/>' % (c, " ".join(
                       "%.1f,%.1f" % (px(e["params"]["size"], i),
                                      py(e["ci"]["med"])) for e in es)))
        for e in es:
            X, ci = px(e["params"]["size"], i), e["ci"]
            out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" '
                       'stroke="%s" stroke-width="2"/>' %
                       (X, py(ci["lo"]), X, py(ci["hi"]), c))
            fill = c if e["verdict"] in ("met", "missed") else "white"
            if e["verdict"] == "missed":
                out.append('<rect x="%.1f" y="%.1f" width="8" height="8" '
                           'fill="%s" stroke="%s"/>' %
                           (X - 4, py(ci["med"]) - 4, fill, c))
            else:
                out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s" '
                           'stroke="%s" stroke-width="1.5"/>' %
                           (X, py(ci["med"]), fill, c))
        ly = T + 20 + i * 34
        lims = ", ".join("%s %.2f" % ("≤" if op == "<=" else "≥", lim)
                         for op, lim in sorted({(e["op"], e["limit"])
                                                for e in es}))
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                   'stroke-width="2"/>' % (W - Rm + 15, ly, W - Rm + 40, ly,
                                           c))
        out.append('<text x="%d" y="%d">%s</text>' % (W - Rm + 46, ly + 4,
                                                       name))
        out.append('<text x="%d" y="%d" fill="#555">target %s (dashed)'
                   '</text>' % (W - Rm + 46, ly + 18, lims))
    ly = T + 20 + len(series) * 34
    out.append('<text x="%d" y="%d" fill="#555">point: median; filled: met, '
               'square: missed, hollow: not decided</text>' % (W - Rm + 15,
                                                               ly))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def conditions(g, host):
    """The run's conditions: kernel, accelerator, host and its load."""
    dur = ""
    if host.get("seconds"):
        sec = int(float(host["seconds"]))
        dur = "; run took %d min %02d s" % (sec // 60, sec % 60)
    return ("Kernel %s; guest: QEMU q35, %s vCPUs, %s MiB RAM, accelerator "
            "%s (%s); host: %s, %s CPUs; load average before/after: %s / %s"
            "%s; started %s%s." %
            (g.get("kernel", "?").split(" ")[0], g.get("cpus_online", "?"),
             int(g.get("mem_total_kib", "0")) // 1024, host["accel"].upper(),
             host["qemu"], host["cpu"], host["cpus"], host["load_before"],
             host["load_after"], dur, host["started"] or "?",
             "; QUICK run" if host["quick"] else ""))


def summary(evaluated):
    count = {}
    for e in evaluated:
        count[e["verdict"]] = count.get(e["verdict"], 0) + 1
    return "Targets: %d; " % len(evaluated) + ", ".join(
        "%s %d" % (v, count.get(v, 0))
        for v in ("met", "missed", "not decided", "n/a")) + \
        " (verdicts from the 95 % interval of the paired ratios; " \
        "docs/bench-method.md)."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    for k in ("host-cpu", "host-cpus", "qemu", "accel", "started",
              "load-before", "load-after", "quick", "seconds"):
        ap.add_argument("--" + k, default="")
    a = ap.parse_args()
    with open(a.raw) as f:
        raw = json.load(f)
    host = {"cpu": a.host_cpu, "cpus": a.host_cpus, "qemu": a.qemu,
            "accel": a.accel, "started": a.started,
            "load_before": a.load_before, "load_after": a.load_after,
            "quick": a.quick == "1", "seconds": a.seconds}
    R = Records(raw["records"])
    # Older JSON has no targets: its table comes without verdicts.
    evaluated = [evaluate(R, t) for t in raw.get("targets", [])]
    keep = ("test", "params", "metric", "who", "peer", "op", "limit",
            "exact", "ci", "verdict", "guest_verdict", "reps_needed",
            "seconds", "budget_s")
    results = {"host": host, "guest": raw["meta"], "records": raw["records"],
               "targets": [{k: e[k] for k in keep if k in e}
                           for e in evaluated]}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    t = build_table(R, raw["meta"], evaluated)
    g = raw["meta"]
    head = [conditions(g, host), "", summary(evaluated)]
    lines = head + t.lines
    if t.missed:
        lines += ["", "Missed targets:", ""] + ["- " + m for m in t.missed]
    if t.undecided:
        lines += ["", "Targets not decided (pairs the interval would need, "
                  "from its width shrinking as 1/sqrt(n)):", ""] + \
            ["- " + m for m in t.undecided]
    disagree = [target_name(e) for e in evaluated
                if e["guest_verdict"] not in (None, e["verdict"])]
    if disagree:
        lines += ["", "The guest's verdict differs (a bug) for: " +
                  "; ".join(disagree)]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "targets.md"), "w") as f:
        f.write("\n".join(head + [""] + HEADER + t.targets) + "\n")
    kernel = g.get("kernel", "?").split(" ")[0]
    written = ["results.json", "table.md", "targets.md"]
    svg_plot(R, os.path.join(a.out, "alloc.svg"),
             "dma-buf allocate + zero + free, Linux %s, %s" %
             (kernel, host["accel"].upper()))
    written.append("alloc.svg")
    for test in sorted({e["test"] for e in evaluated}):
        name = "ratios-%s.svg" % test
        if svg_ratio_plot(evaluated, test, os.path.join(a.out, name),
                          "%s: ours / peer against the targets, Linux %s, "
                          "%s" % (test, kernel, host["accel"].upper())):
            written.append(name)
    sys.stdout.write(text)
    print("\nwritten: %s/{%s}" % (a.out, ",".join(written)))


if __name__ == "__main__":
    main()
