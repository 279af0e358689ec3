"""Storms with exact counts: many processes, many threads.

- A fork storm under -f (tests/progs/stress_forkstorm.c: N children, 50
  alive at once, child i calls getppid once and exits i % 100): the trace
  holds exactly N forks, N successful clones returning those pids, N getppid
  calls from N distinct children, N + 1 exits with the statuses the program
  saw, and no lost events; under -c exactly N getppid calls.
- A 1,000-thread process (tests/progs/stress_threads.c: every thread calls
  getppid CALLS times after a gate opens): -c counts exactly 1000 * CALLS,
  launched under -f and attached (scry attaches to every thread before the
  gate opens), with ptrace and with bpf.
- A process that kills its own group while two threads make threads and
  processes (tests/progs/stress_groupkill.c), traced -f 300 times: every
  trace ends (the session once waited forever for a "task" whose pid was
  its killed creator's exit code, read as the clone event's message, about
  once in 100 runs), with 137 and the last task's end."""

import collections
import json
import os
import unittest

from stress import StressTest, T, bpf_why_not, helpers, n
from helpers import prog

from test_stats import summary_rows


def getppid_calls(text):
    row = summary_rows(text).get("getppid")
    return int(row["Calls"]) if row else 0


class ForkStorm(StressTest):
    limit = 150

    def trace_storm(self, backend, count):
        out = os.path.join(self.tmp, "storm.jsonl")
        p = self.scry_fg(["--backend", backend, "-f", "--format", "jsonl", "-o", out, "--",
                          prog("stress_forkstorm"), str(count)], T(120))
        self.assertEqual(p.rc, 0, p.err()[-2000:])
        self.assertIn("reaped %d" % count, p.out())
        with open(out) as f:
            rows = [json.loads(line) for line in f]
        self.assertEqual(rows[-1].get("type"), "end", rows[-1])
        self.assertEqual(rows[-1].get("lost_events"), 0, "%s lost events" % backend)
        root = next(r["pid"] for r in rows if r.get("type") == "exec")
        forks = [r for r in rows if r.get("type") == "fork"]
        children = {r["pid"] for r in forks}
        self.assertEqual(len(forks), count, "fork events")
        self.assertEqual(len(children), count, "distinct children")
        self.assertEqual({r["parent"] for r in forks}, {root})
        clones = [r for r in rows if r.get("type") == "syscall" and r["name"] == "clone"
                  and r["return"] and r["return"]["value"] > 0]
        self.assertEqual(sorted(r["return"]["value"] for r in clones), sorted(children),
                         "successful clones and the fork events disagree")
        getppid = [r for r in rows if r.get("type") == "syscall" and r["name"] == "getppid"]
        self.assertEqual(len(getppid), count, "getppid calls")
        self.assertEqual({r["pid"] for r in getppid}, children)
        self.assertTrue(all(r["return"]["value"] == root for r in getppid))
        exits = [r for r in rows if r.get("type") == "exit"]
        self.assertEqual(len(exits), count + 1, "exit events")
        want = collections.Counter(i % 100 for i in range(count))
        want[0] += 1       # the parent
        self.assertEqual(collections.Counter(r["status"] for r in exits), want,
                         "exit statuses")
        self.assertEqual({r["pid"] for r in exits}, children | {root})

    def count_storm(self, backend, count):
        p = self.scry_fg(["--backend", backend, "-f", "-c", "-e", "trace=getppid", "--",
                          prog("stress_forkstorm"), str(count)], T(120))
        self.assertEqual(p.rc, 0, p.err()[-2000:])
        self.assertEqual(getppid_calls(p.err()), count, p.err()[-2000:])

    def test_ptrace_trace(self):
        self.trace_storm("ptrace", n(1000))

    def test_ptrace_count(self):
        self.count_storm("ptrace", n(2000))

    def test_bpf_trace(self):
        if bpf_why_not():
            self.skipTest(bpf_why_not())
        self.trace_storm("bpf", n(1000))

    def test_bpf_count(self):
        if bpf_why_not():
            self.skipTest(bpf_why_not())
        self.count_storm("bpf", n(2000))


THREADS = 1000
CALLS = 10


class ThousandThreads(StressTest):
    limit = 120

    def launched(self, backend):
        p = self.scry_fg(["--backend", backend, "-f", "-c", "--", prog("stress_threads"),
                          str(THREADS), str(CALLS)], T(90))
        self.assertEqual(p.rc, 0, p.err()[-2000:])
        self.assertIn("done %d" % THREADS, p.out())
        self.assertEqual(getppid_calls(p.err()), THREADS * CALLS, p.err()[-2000:])

    def attached(self, backend):
        fifo = os.path.join(self.tmp, "gate")
        os.mkfifo(fifo)
        t = self.target("stress_threads", args=[str(THREADS), str(CALLS), fifo], progress=False)
        self.assertEqual(len(helpers.thread_ids(t.pid)), THREADS + 1)
        s = self.scry_bg(["--backend", backend, "-c", "-p", str(t.pid)])
        if not s.wait_err(r"Attached successfully", T(60)):
            s.kill()
            self.fail("scry did not attach to %d threads: %s" % (THREADS + 1, s.err()[-2000:]))
        if backend == "ptrace":
            untraced = [tid for tid in helpers.thread_ids(t.pid) if not helpers.tracer_pid(tid)]
            self.assertEqual(untraced, [], "threads not traced after 'Attached successfully'")
        with open(fifo, "w") as f:       # opens the gate
            f.write("x")
        self.assertEqual(t.wait(T(60)), 0, "target: %s" % t.err())
        self.assertIn("done %d" % THREADS, t.out())
        rc = s.wait(T(30))
        if rc is None:
            s.kill()
            self.fail("scry did not end with its target: %s" % s.err()[-2000:])
        helpers.check_sanitizer(s.err())
        self.assertEqual(rc, 0, s.err()[-2000:])
        self.assertEqual(getppid_calls(s.err()), THREADS * CALLS, s.err()[-2000:])

    def test_ptrace_launched(self):
        self.launched("ptrace")

    def test_ptrace_attached(self):
        self.attached("ptrace")

    def test_bpf_launched(self):
        if bpf_why_not():
            self.skipTest(bpf_why_not())
        self.launched("bpf")

    def test_bpf_attached(self):
        if bpf_why_not():
            self.skipTest(bpf_why_not())
        self.attached("bpf")


if __name__ == "__main__":
    unittest.main()


class GroupKilledWhileCloning(StressTest):
    limit = 400

    def test_every_trace_ends(self):
        runs = n(300)
        for i in range(runs):
            us = 300 + (i % 11) * 400
            p = self.scry_fg(["-f", "-o", os.path.join(self.tmp, "t.txt"), "--",
                              prog("stress_groupkill"), str(us)], T(20))
            self.assertEqual(p.rc, 137, "run %d: %s" % (i, p.err()[-2000:]))
            with open(os.path.join(self.tmp, "t.txt")) as f:
                lines = f.read().splitlines()
            self.assertTrue(lines and lines[-1].endswith("+++ killed by SIGKILL +++"),
                            "run %d: ends with %r" % (i, lines[-1:]))
