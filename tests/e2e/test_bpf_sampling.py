"""bpf -c's adaptive latency sampling (src/bpf/syscount.h): every call is
counted exactly, a hot (thread, syscall) is timed 1 in up to 64 calls with
each timed call weighing the calls it stands for, and the summary states
the percentiles' error bound; --exact-latency times every call.

The workload (tests/progs/latmix.c) has a known distribution: of ppoll's
calls 70 % return at once, 28 % sleep 20 µs, 2 % 300 µs, in a fixed
order with period 100, so p50 is one of the first kind and p90 one of the
second, at least 8 % of the calls from where the kind changes.  The
stated bound (a percentile lies between the exact ones R % of the calls
either side) is asserted to be under that margin, so the sampled run's
p50 and p90 must fall in the same kind as the exact run's; the latencies
themselves differ between two runs on a loaded machine, the kinds do not.

Needs root and a working bpf backend, as test_bpf.py."""

import csv
import io
import os
import re
import unittest

from helpers import SCRY, ScryTest, T, prog, run_scry
from test_bpf import WHY_NOT
from test_stats import parse_duration, summary_rows

CYCLES = 600
HEADER = re.compile(r"^latency sampled 1 in up to (\d+) per thread and syscall "
                    r"\((\d+) of (\d+) calls timed.*percentiles within ±([0-9.]+) % of the "
                    r"exact ones at a rank at most ±([0-9.]+) % away \(99\.9 % confidence\)$", re.M)


def us(text):
    return parse_duration(text) * 1e6


@unittest.skipIf(WHY_NOT, WHY_NOT or "")
class BpfSampling(ScryTest):

    def scry_c(self, *extra, target=("latmix", str(CYCLES))):
        r = run_scry(["--backend", "bpf", "-c"] + list(extra) + ["--", prog(target[0])] + list(target[1:]),
                     timeout=T(120))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_sampled_percentiles_within_stated_bound_of_exact(self):
        sampled = self.scry_c().stderr
        exact = self.scry_c("--exact-latency").stderr
        m = HEADER.search(sampled)
        self.assertTrue(m, "no sampling line in the heading:\n" + sampled[:2000])
        max_n, timed, calls, bucket, bound = int(m[1]), int(m[2]), int(m[3]), float(m[4]), float(m[5])
        self.assertEqual(max_n, 64)
        self.assertEqual(bucket, 0.78)
        self.assertNotIn("latency sampled", exact)
        s, e = summary_rows(sampled), summary_rows(exact)

        # counts exact and identical: every call counted, timed or not
        n = 100 * CYCLES
        for rows in (s, e):
            self.assertEqual(int(rows["ppoll"]["Calls"]), n)
            self.assertEqual(int(rows["ppoll"]["Errors"]), 0)
            self.assertEqual(int(rows["close"]["Errors"]), n)
        self.assertEqual({k: (v["Calls"], v["Errors"]) for k, v in s.items() if k != "execve"},
                         {k: (v["Calls"], v["Errors"]) for k, v in e.items() if k != "execve"})
        self.assertEqual(calls, sum(int(v["Calls"]) for k, v in s.items() if k != "total"))
        # the storm of close(-1) and ppoll's cheap stretches were sampled
        self.assertLess(timed * 2, calls)

        # the bound leaves p50 and p90 inside their kind of call
        self.assertLess(bound, 8.0, "the stated bound is too wide for this check")
        for name, rows in (("sampled", s), ("exact", e)):
            p50, p90 = us(rows["ppoll"]["p50"]), us(rows["ppoll"]["p90"])
            self.assertLess(p50, 20.0, "%s p50 is not among the calls that return at once" % name)
            self.assertGreaterEqual(p90 * 1.0078, 20.0, "%s p90 is not among the 20 µs sleeps" % name)
        # (the total time stays an estimate of the whole: scaled, not the
        # sample's sum, which would be about timed/calls of it)
        tot_s, tot_e = us(s["ppoll"]["Total_Time"]), us(e["ppoll"]["Total_Time"])
        self.assertGreater(tot_s, 28 * CYCLES * 20.0)
        self.assertGreater(tot_e, 28 * CYCLES * 20.0)

    def test_csv_has_the_sample_and_its_bound(self):
        out = os.path.join(self.tmp, "s.csv")
        self.scry_c("--format", "csv", "-o", out, target=("latmix", "100"))
        rows = {r["syscall"]: r for r in csv.DictReader(open(out))}
        self.assertEqual(int(rows["close"]["errors"]), 100 * 100)
        self.assertLess(int(rows["close"]["timed"]), int(rows["close"]["calls"]))
        self.assertGreater(float(rows["close"]["rank_bound_pct"]), 0.0)
        # a call made once is timed: no bound
        self.assertEqual(rows["execve"]["timed"], "1")
        self.assertEqual(float(rows["execve"]["rank_bound_pct"]), 0.0)

    def test_exact_latency_times_every_call(self):
        out = os.path.join(self.tmp, "e.csv")
        self.scry_c("--exact-latency", "--format", "csv", "-o", out, target=("latmix", "100"))
        text = open(out).read()
        self.assertTrue(text.startswith("syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent\n"),
                        text[:200])
        rows = {r["syscall"]: r for r in csv.DictReader(io.StringIO(text))}
        self.assertEqual(int(rows["close"]["errors"]), 100 * 100)
        self.assertNotIn("timed", rows["close"])


if __name__ == "__main__":
    unittest.main()
