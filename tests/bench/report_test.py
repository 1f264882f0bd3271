#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py's statistics and verdicts on synthetic samples whose
answer is known, the same cases as tests/bench/verdict.c (the guest's C),
and a report written from a synthetic run. Runs on the host:

    python3 tests/bench/report_test.py
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "..", "bench", "report.py")
sys.path.insert(0, os.path.dirname(REPORT))
import report  # noqa: E402

PAIRS = 40


def make_pairs(n, centre, spread):
    """As tests/bench/verdict.c: ratios centre + spread * u, u even over
    [-1, 1] shuffled; peer times wander, which the pairing cancels."""
    ours, peer = [], []
    for i in range(n):
        j = (i * 17) % n
        u = -1 + 2.0 * j / (n - 1) if n > 1 else 0
        p = 1000.0 * (1 + (i % 5) * 0.3)
        peer.append(p)
        ours.append(p * (centre + spread * u))
    return ours, peer


def verdict(centre, spread, n, op, limit):
    ci = report.ratio_ci(*make_pairs(n, centre, spread))
    return report.verdict_of(ci, op, limit), ci


class Statistics(unittest.TestCase):
    def test_ranks_match_the_binomial_table(self):
        for n, k in ((5, 0), (6, 1), (8, 1), (10, 2), (20, 6), (100, 40)):
            self.assertEqual(k, report.ci_rank(n), n)
        self.assertTrue(466 <= report.ci_rank(1000) <= 471)

    def test_met_missed_not_decided(self):
        self.assertEqual("met", verdict(0.90, 0.03, PAIRS, "<=", 1.0)[0])
        self.assertEqual("missed", verdict(1.20, 0.05, PAIRS, "<=", 1.0)[0])
        v, ci = verdict(1.01, 0.10, PAIRS, "<=", 1.0)
        self.assertEqual("not decided", v)
        # The guest's C gives 445 for the same pairs.
        self.assertEqual(445, report.reps_needed(ci, 1.0))

    def test_bandwidth_targets_look_the_other_way(self):
        self.assertEqual("met", verdict(1.02, 0.02, PAIRS, ">=", 0.95)[0])
        self.assertEqual("missed", verdict(0.80, 0.05, PAIRS, ">=", 0.95)[0])
        self.assertEqual("not decided",
                         verdict(0.95, 0.05, PAIRS, ">=", 0.95)[0])

    def test_five_pairs_give_no_interval(self):
        v, ci = verdict(0.5, 0.01, 5, "<=", 1.0)
        self.assertEqual("not decided", v)
        self.assertEqual(report.CI_MIN_PAIRS, report.reps_needed(ci, 1.0))
        self.assertEqual("met", verdict(0.5, 0.01, 6, "<=", 1.0)[0])

    def test_interval_is_the_order_statistics_of_the_ratios(self):
        ci = report.ratio_ci([10 - i for i in range(10)], [10] * 10)
        self.assertEqual((0.2, 0.9, 0.55), (ci["lo"], ci["hi"], ci["med"]))

    def test_pairs_needed_and_a_median_on_the_limit(self):
        ci = {"n": 10, "ok": True, "med": 1.02, "lo": 0.98, "hi": 1.06}
        self.assertEqual(41, report.reps_needed(ci, 1.0))
        ci["med"] = 1.0
        self.assertEqual(-1, report.reps_needed(ci, 1.0))

    def test_missing_peer_is_no_verdict(self):
        ci = report.ratio_ci([1, 2], [])
        self.assertEqual("n/a", report.verdict_of(ci, "<=", 1.0))


def record(who, size, samples, metric="alloc_zero_free"):
    s = sorted(samples)
    return {"test": "alloc", "who": who, "size": size, "metric": metric,
            "unit": "ns", "median": s[len(s) // 2], "min": s[0],
            "max": s[-1], "n": len(s), "samples": samples}


def target(who, peer, size, limit):
    return {"test": "alloc", "params": {"size": size}, "metric":
            "alloc_zero_free", "who": who, "peer": peer, "op": "<=",
            "limit": limit, "exact": False, "seconds": 8.0}


class Report(unittest.TestCase):
    def run_report(self, raw):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "raw.json"), "w") as f:
                json.dump(raw, f)
            subprocess.run([sys.executable, REPORT, "--raw",
                            os.path.join(d, "raw.json"), "--out", d,
                            "--accel", "tcg", "--load-before", "1.00",
                            "--load-after", "2.00", "--seconds", "125"],
                           check=True, stdout=subprocess.DEVNULL)
            out = {}
            for name in os.listdir(d):
                with open(os.path.join(d, name)) as f:
                    out[name] = f.read()
            return out

    def test_a_run_gives_each_verdict_its_interval_and_a_ratio_plot(self):
        mib = 1 << 20
        heap, _ = make_pairs(PAIRS, 1, 0)
        recs, targets = [], []
        # 1 MiB met, 16 MiB missed, 256 MiB not decided against the heap.
        for size, centre, spread in ((mib, 0.9, 0.03), (16 * mib, 1.2, 0.05),
                                     (256 * mib, 1.01, 0.10)):
            ours, peer = make_pairs(PAIRS, centre, spread)
            recs += [record("ours", size, ours),
                     record("system_heap", size, peer)]
            targets.append(target("ours", "system_heap", size, 1.0))
        raw = {"meta": {"kernel": "6.12.0 #1", "cpus_online": "2",
                        "mem_total_kib": "5242880"},
               "records": recs, "targets": targets}
        out = self.run_report(raw)
        table = out["targets.md"]
        rows = [r for r in table.splitlines() if r.startswith("| 1 MiB") or
                r.startswith("| 16 MiB") or r.startswith("| 256 MiB")]
        self.assertEqual(3, len(rows), table)
        self.assertTrue(rows[0].endswith("| met |"), rows[0])
        self.assertIn("**missed**", rows[1])
        self.assertIn("not decided: ~445 pairs (~89 s)", rows[2])
        self.assertIn("(40)", rows[0])
        self.assertIn("met 1, missed 1, not decided 1", table)
        self.assertIn("load average before/after: 1.00 / 2.00", table)
        self.assertIn("run took 2 min 05 s", table)
        svg = ET.fromstring(out["ratios-alloc.svg"])
        self.assertTrue(svg.tag.endswith("svg"))
        self.assertIn("ours / system_heap", out["ratios-alloc.svg"])
        res = json.loads(out["results.json"])
        self.assertEqual(["met", "missed", "not decided"],
                         [t["verdict"] for t in res["targets"]])

    def test_older_json_without_samples_or_targets_still_reads(self):
        r = record("ours", 1 << 20, [5.0])
        del r["samples"]
        out = self.run_report({"meta": {}, "records": [r]})
        self.assertIn("| 1 MiB, ours / system_heap |", out["table.md"])
        self.assertIn("Targets: 0", out["table.md"])


class TapResult(unittest.TextTestResult):
    """One TAP line per test, for vm/check's stream."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.n = 0

    def tap(self, test, ok, why=""):
        self.n += 1
        name = test.id().rsplit(".", 1)[-1]
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        for line in why.splitlines():
            print("# " + line)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.tap(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.tap(test, False, self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self.tap(test, False, self._exc_info_to_string(err, test))


if __name__ == "__main__":
    if sys.argv[1:] == ["--tap"]:
        suite = unittest.defaultTestLoader.loadTestsFromModule(
            sys.modules[__name__])
        print("1..%d" % suite.countTestCases())
        with open(os.devnull, "w") as quiet:
            res = unittest.TextTestRunner(stream=quiet,
                                          resultclass=TapResult).run(suite)
        sys.exit(0 if res.wasSuccessful() else 1)
    unittest.main(verbosity=2)
