"""scry profile: off-CPU time and thread states, counters, pprof (issue 14).

The target, tests/progs/prof_wait.c, has a thread blocked in read(2) on a
pipe (wait_in_read), one waiting for a mutex (wait_for_lock), the mutex's
holder sleeping in nanosleep (hold_lock), a feeder sleeping between writes
and one spinning on the CPU (spin_work).  The off-CPU view must name those
wait points and states, with bpf (sched_switch) and with the /proc
fallback; counters must be sane; the pprof file must be parsed by
`go tool pprof` and show the functions.
"""

import os
import re
import shutil
import subprocess
import unittest

from helpers import SCRY, ScryTest, T, prog, run, run_scry

GO = shutil.which("go")


def thread_rows(text):
    """{name: (run, runq, sleep, disk, other, [following lines])} of the
    thread view."""
    rows, cur = {}, None
    rx = re.compile(r"^  (\d+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)")
    for line in text.splitlines():
        m = rx.match(line)
        if m:
            cur = [float(m.group(i)) for i in range(3, 8)] + [[]]
            rows[m.group(2)] = cur
        elif cur is not None and line.startswith("      "):
            cur[5].append(line.strip())
        elif not line.startswith("  "):
            cur = None
    return rows


def pmu_present():
    return any(os.path.exists("/sys/bus/event_source/devices/" + d)
               for d in ("cpu", "cpu_core", "armv8_pmuv3_0"))


class ProfileOffCpu(ScryTest):
    def profile(self, args, duration="2s", timeout=60):
        t = self.target("prof_wait", args=("60",))
        r = run_scry(["profile", "-p", str(t.pid), "--duration", duration] + list(args),
                     timeout=T(timeout))
        self.assertTrue(t.running(), "the target must survive the profile")
        return t, r

    def need_bpf(self, r):
        if "off-CPU: /proc sampling" in r.stderr and "bpf" in r.stderr:
            self.skipTest("bpf off-CPU not available here: " + r.stderr.strip().splitlines()[0])

    def check_wait_view(self, text, source_rx):
        self.assertRegex(text, source_rx)
        rows = thread_rows(text)
        for name in ("reader", "locker", "holder", "feeder", "spinner"):
            self.assertIn(name, rows, text)
        reader, locker, holder, spinner = rows["reader"], rows["locker"], rows["holder"], rows["spinner"]
        # blocked threads sleep more than they run (how much they wait
        # for a CPU depends on the machine's load); the spinner never
        # sleeps: all its time is running or runnable
        for row in (reader, locker, holder):
            self.assertGreater(row[2], row[0], text)
        self.assertGreater(reader[2], 50.0, text)
        self.assertEqual(spinner[2], 0.0, text)
        self.assertEqual(spinner[3], 0.0, text)
        self.assertAlmostEqual(spinner[0] + spinner[1], 100.0, delta=0.2, msg=text)
        # where they wait: the syscall first among each one's waits
        waits = lambda row: " ".join(l for l in row[5] if l.startswith("waits:"))
        self.assertRegex(waits(reader), r"^waits: read\b", text)
        self.assertRegex(waits(locker), r"^waits: futex\b", text)
        self.assertRegex(waits(holder), r"^waits: (clock_)?nanosleep\b", text)
        self.assertEqual(waits(spinner), "", text)
        return rows

    def test_thread_view_bpf(self):
        t, r = self.profile(["--off-cpu"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.need_bpf(r)
        rows = self.check_wait_view(r.stdout, r"threads \(sched_switch, ")
        # the kernel function each waits in, from the kernel stack
        self.assertRegex(" ".join(rows["reader"][5]), r"read \[\w*pipe_read\]")
        self.assertRegex(" ".join(rows["locker"][5]), r"futex \[\w*futex\w*\]")
        # the spinner's hottest function, from the CPU samples
        self.assertRegex(" ".join(rows["spinner"][5]), r"hot: spin_work")

    def test_thread_view_proc_fallback(self):
        t, r = self.profile(["--off-cpu=proc"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_wait_view(r.stdout, r"threads \(/proc sampling at \d+ Hz, ")

    def test_off_cpu_stacks_folded(self):
        """The user stacks of the waits (DWARF-unwound from the copy taken at
        switch-out): each wait point under its function, with the kernel
        frames below."""
        for mode in ("bpf", "proc"):
            with self.subTest(mode=mode):
                out = os.path.join(self.tmp, "off-%s.folded" % mode)
                t, r = self.profile(["--off-cpu=" + mode, "--format", "folded", "--metric", "off-cpu-sleep",
                                     "-o", out])
                self.assertEqual(r.returncode, 0, r.stderr)
                if mode == "bpf":
                    self.need_bpf(r)
                with open(out) as f:
                    lines = f.read().splitlines()
                self.assertTrue(lines)
                for line in lines:
                    self.assertRegex(line, r"^\S.* \d+$")

                def stacks(fn):
                    return [l for l in lines if re.search(r"(^|;)%s(;|$)" % fn, l.rsplit(" ", 1)[0])]
                self.assertTrue(stacks("wait_in_read"), "\n".join(lines))
                self.assertTrue(stacks("wait_for_lock"), "\n".join(lines))
                self.assertTrue(stacks("hold_lock"), "\n".join(lines))
                self.assertFalse(stacks("spin_work"), "\n".join(lines))
                reader = [l for l in stacks("wait_in_read") if l.startswith("reader;")]
                self.assertTrue(reader, "\n".join(lines))
                if mode == "bpf":
                    self.assertTrue(any(re.search(r";\w*pipe_read_\[k\] \d+$", l) for l in reader),
                                    "\n".join(reader))

    def test_no_off_cpu_and_bad_value(self):
        """--no-off-cpu records no states; a bad --off-cpu value is one line
        and exit status 2."""
        t, r = self.profile(["--no-off-cpu"], duration="1s")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("threads (", r.stdout)
        r = run_scry(["profile", "--off-cpu=sometimes", "-p", str(t.pid)])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--off-cpu", r.stderr)
        # the error on one line, then the main command's hint
        self.assertEqual(r.stderr.strip().splitlines()[1:], ["Try 'scry profile --help' for more information."],
                         r.stderr)


class ProfileCounters(ScryTest):
    def test_per_thread_counters(self):
        t = self.target("prof_wait", args=("60",))
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "2s", "--no-off-cpu",
                      "--counters", "task-clock,context-switches,page-faults,cpu-migrations"],
                     timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout
        self.assertIn("counters (per thread, ", text)
        rows = {}
        for line in text.split("counters (per thread, ", 1)[1].splitlines()[2:]:
            f = line.split()
            if len(f) == 6:
                rows[f[1] if f[0] != "process" else "process"] = [float(x) for x in f[2:]]
        for name in ("reader", "feeder", "locker", "holder", "spinner", "process"):
            self.assertIn(name, rows, text)
        # the sleepers switch at every wait: 2 s of 20 ms naps is ~100
        self.assertGreater(rows["reader"][1], 10, text)
        self.assertGreater(rows["feeder"][1], 10, text)
        self.assertGreater(rows["holder"][1], 5, text)
        # the spinner runs; the reader hardly does
        self.assertGreater(rows["spinner"][0], rows["reader"][0], text)
        # the process row sums its threads
        for j in range(4):
            total = sum(v[j] for k, v in rows.items() if k != "process")
            self.assertAlmostEqual(rows["process"][j], total, delta=0.01 + total * 1e-6, msg=text)

    def test_counters_follow_children_with_f(self):
        """-f: a child the command forks is counted too, in a row of its
        own (the counters followed the first processes only); without -f
        it is not.  The launched command's row has its name after exec.
        The child lives 2 s: children are found at each rescan, between
        the polls, and under ASan one poll's unwinding can outlast a
        0.3 s child (missed once so in CI: a child that lives less than
        the rescan interval is missed, as scry.1 says)."""
        child = prog("prof_trace")
        for follow in (True, False):
            r = run_scry(["profile"] + (["-f"] if follow else []) +
                         ["--no-off-cpu", "--counters", "task-clock,context-switches", "--",
                          "sh", "-c", "%s - 0 2; true" % child], timeout=T(60))
            self.assertEqual(r.returncode, 0, r.stderr)
            text = r.stdout.split("counters (per thread, ", 1)[1]
            names = {}
            for line in text.splitlines()[2:]:
                f = line.split()
                if len(f) >= 4 and f[0] != "process":
                    names[f[1]] = float(f[2])
            self.assertIn("sh", names, text)
            if follow:
                self.assertIn("prof_trace", names, text)
                self.assertGreater(names["prof_trace"], names["sh"], text)
            else:
                self.assertNotIn("prof_trace", names, text)

    def test_page_faults_launched(self):
        """A command that touches N fresh pages counts at least N page
        faults (the kernel may count more: its own start, libc)."""
        n = 3000
        r = run_scry(["profile", "--no-off-cpu", "--counters", "page-faults,minor-faults", "--",
                      prog("prof_wait"), "pages", str(n)], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"^  process\s+\d+\s+(\d+)\s+(\d+)\s*$", r.stdout, re.M)
        self.assertTrue(m, r.stdout)
        self.assertGreaterEqual(int(m.group(1)), n, r.stdout)
        self.assertGreaterEqual(int(m.group(2)), n, r.stdout)

    def test_hardware_counters_or_reason(self):
        t = self.target("prof_wait", args=("60",))
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "1s", "--no-off-cpu",
                      "--counters", "task-clock,cycles,instructions"], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        if pmu_present():
            self.assertRegex(r.stdout, r"\bcycles\b.*\binstructions\b")
        else:
            self.assertRegex(r.stdout + r.stderr,
                             r"cycles, instructions: not counted: no hardware PMU on this machine")
            # and the software one is still counted
            self.assertRegex(r.stdout, r"task-clock\(ms\)")

    def test_interval(self):
        t = self.target("prof_wait", args=("60",))
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "2s", "--no-off-cpu",
                      "--counters", "context-switches", "--interval", "500ms"], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stderr.splitlines() if re.match(r"^\s*[\d.]+\s+%d\s+context-switches\s+\d+$" % t.pid, l)]
        self.assertGreaterEqual(len(lines), 2, r.stderr)
        self.assertTrue(all(int(l.split()[-1]) > 0 for l in lines), r.stderr)

    def test_bad_counter(self):
        r = run_scry(["profile", "--counters", "cycles,bogus", "-p", "1"])
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"unknown counter 'bogus'; known: task-clock")
        # the error on one line, then the main command's hint
        self.assertEqual(r.stderr.strip().splitlines()[1:], ["Try 'scry profile --help' for more information."],
                         r.stderr)


class ProfileSqlite(ScryTest):
    def test_sqlite_and_report(self):
        """--format sqlite: frames, stacks, threads once each; one row per
        (thread, stack); scry report gives the same text report back, thread
        view included."""
        t = self.target("prof_wait", args=("60",))
        db = os.path.join(self.tmp, "p.db")
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "2s", "--format", "sqlite", "-o", db],
                     timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        import sqlite3
        con = sqlite3.connect(db)
        q = lambda sql: con.execute(sql).fetchall()
        self.assertEqual(q("SELECT value FROM metadata WHERE key='kind'"), [("profile",)])
        nsamples = q("SELECT value FROM metadata WHERE key='samples'")[0][0]
        self.assertEqual(q("SELECT sum(cpu_samples) FROM prof_samples")[0][0], nsamples)
        self.assertGreater(nsamples, 0)
        # deduplicated: no stack twice, no frame twice
        self.assertEqual(q("SELECT count(*) FROM (SELECT group_concat(frame_id) g FROM "
                           "(SELECT * FROM prof_stack_frames ORDER BY stack_id, depth) "
                           "GROUP BY stack_id) GROUP BY g HAVING count(*) > 1"), [])
        self.assertEqual(q("SELECT count(*) FROM (SELECT 1 FROM prof_frames WHERE kernel = 0 "
                           "GROUP BY object, offset HAVING count(*) > 1)"), [(0,)])
        self.assertEqual(q("SELECT function FROM prof_functions LIMIT 1"), [("spin_work",)])
        names = {n for (n,) in q("SELECT comm FROM prof_threads")}
        self.assertTrue({"reader", "locker", "spinner"} <= names, names)
        con.close()
        rep = run_scry(["report", db], timeout=T(30))
        self.assertEqual(rep.returncode, 0, rep.stderr)
        self.assertIn("Hottest functions", rep.stdout)
        self.assertRegex(rep.stdout, r"(?m)^\s+[\d.]+\s+[\d.]+\s+\d+\s+spin_work \(prof_wait\)$")
        rows = thread_rows(rep.stdout)
        self.assertIn("reader", rows, rep.stdout)
        self.assertRegex(" ".join(rows["reader"][5]), r"waits: read\b")
        if GO:
            out = os.path.join(self.tmp, "from-db.pb.gz")
            rep = run_scry(["report", "--format", "pprof", "-o", out, db], timeout=T(30))
            self.assertEqual(rep.returncode, 0, rep.stderr)
            top = run([GO, "tool", "pprof", "-top", "-sample_index=samples", out], timeout=T(120),
                      env=dict(os.environ, HOME=self.tmp, GOCACHE=os.path.join(self.tmp, "gocache")))
            self.assertEqual(top.returncode, 0, top.stderr)
            self.assertIn("spin_work", top.stdout)

    def test_sqlite_needs_a_file(self):
        r = run_scry(["profile", "--format", "sqlite", "-p", "1"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("-o FILE.db", r.stderr)


class ProfileChrome(ScryTest):
    def test_samples_on_a_timeline(self):
        """--format chrome: each thread a track named after it, the samples
        as nested X slices (a flame chart over time): spin_work inside
        spinner on the spinner's track; lost samples said."""
        import json
        t = self.target("prof_wait", args=("60",))
        out = os.path.join(self.tmp, "p.json")
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "2s", "--no-off-cpu",
                      "--format", "chrome", "-o", out], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        self.assertIn("lost_samples", doc["otherData"])
        self.assertGreater(doc["otherData"]["start_ns"], 10**18)
        ev = doc["traceEvents"]
        names = {e["tid"]: e["args"]["name"] for e in ev
                 if e["ph"] == "M" and e["name"] == "thread_name"}
        spin_tid = [tid for tid, n in names.items() if n == "spinner"]
        self.assertEqual(len(spin_tid), 1, names)
        xs = [e for e in ev if e["ph"] == "X" and e["tid"] == spin_tid[0]]
        leaf = [e for e in xs if e["name"] == "spin_work"]
        outer = [e for e in xs if e["name"] == "spinner"]
        self.assertTrue(leaf and outer, xs[:20])
        for e in leaf:
            self.assertTrue(any(o["ts"] <= e["ts"] and e["ts"] + e["dur"] <= o["ts"] + o["dur"] + 1e-3
                                for o in outer), e)
        for e in ev:
            if e["ph"] == "X":
                self.assertGreaterEqual(e["ts"], 0)
                self.assertGreater(e["dur"], 0)


@unittest.skipUnless(GO, "go (go tool pprof) is not installed")
class ProfilePprof(ScryTest):
    def pprof(self, path, *args):
        r = run([GO, "tool", "pprof"] + list(args) + [path], timeout=T(120),
                env=dict(os.environ, HOME=self.tmp, GOCACHE=os.path.join(self.tmp, "gocache"),
                         PPROF_TMPDIR=self.tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_go_tool_pprof_reads_it(self):
        t = self.target("prof_wait", args=("60",))
        out = os.path.join(self.tmp, "p.pb.gz")
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "2s", "-F", "199",
                      "--format", "pprof", "-o", out], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(2), b"\x1f\x8b", "gzipped")
        top = self.pprof(out, "-top", "-sample_index=samples")
        self.assertRegex(top, r"Type: samples")
        self.assertRegex(top, r"(?m)^\s+\d+\s+[\d.]+%.*\bspin_work$")
        # the spinner's stack reaches its thread function
        traces = self.pprof(out, "-traces", "-sample_index=samples")
        self.assertRegex(traces, r"spin_work\n\s+spinner\n")
        self.assertRegex(traces, r"thread:\s+spinner\n")
        if "off_cpu_sleep" in self.pprof(out, "-raw"):
            top = self.pprof(out, "-top", "-cum", "-sample_index=off_cpu_sleep")
            for fn in ("wait_in_read", "wait_for_lock", "hold_lock"):
                self.assertRegex(top, r"(?m)\b%s$" % fn, top)
            self.assertNotRegex(top, r"(?m)\bspin_work$")

    def test_unwritable_output(self):
        t = self.target("prof_wait", args=("60",))
        r = run_scry(["profile", "-p", str(t.pid), "--duration", "1s", "--format", "pprof",
                      "-o", self.tmp], timeout=T(60))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("directory", r.stderr)
        self.assertTrue(os.path.isdir(self.tmp))


if __name__ == "__main__":
    unittest.main()
