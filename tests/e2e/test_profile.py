"""scry profile: the sampling profiler (src/profile/, src/cli/profile.c).

The accuracy target tests/progs/prof_split.c is built -O2 without frame
pointers (Makefile's prof_% rule); its threads split their CPU time in
known proportions, measured on each thread's CPU clock.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import (BUILD, PROGS, ROOT, SCRY, T, ScryTest, check_sanitizer,  # noqa: E402
                     pid_alive, run, run_scry, wait_for)

TRUTH = {"cpu_abc": {"work_a": 60, "work_b": 30, "work_c": 10},
         "cpu_de": {"work_d": 50, "work_e": 50}}


def prof_prog(name):
    """tests/progs/prof_NAME.c built as the Makefile builds it (-O2, no frame pointers)."""
    path = os.path.join(PROGS, name)
    src = os.path.join(ROOT, "tests", "progs", name + ".c")
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(src):
        os.makedirs(PROGS, exist_ok=True)
        subprocess.run(["gcc", "-D_GNU_SOURCE", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2",
                        "-fomit-frame-pointer", "-g", "-o", path, src, "-pthread"], check=True)
    return path


def folded_shares(text):
    """{comm: {function: inclusive % of that comm's samples}} from folded stacks."""
    totals, incl = {}, {}
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        comm, n = frames[0], int(count)
        totals[comm] = totals.get(comm, 0) + n
        d = incl.setdefault(comm, {})
        for fn in set(frames[1:]):
            d[fn] = d.get(fn, 0) + n
    return {c: {f: 100.0 * v / totals[c] for f, v in d.items()} for c, d in incl.items()}, totals


def perf_shares(script):
    """The same from `perf script -F comm,ip,sym` (frames indented under a comm line)."""
    totals, incl, cur = {}, {}, None
    for line in script.splitlines() + [""]:
        if line and not line[0].isspace():
            cur = (line.split()[0], set())
        elif line.strip() and cur:
            parts = line.split()
            if len(parts) >= 2:
                cur[1].add(re.sub(r"\+0x[0-9a-f]+$", "", parts[1]))
        elif cur:
            comm, fns = cur
            totals[comm] = totals.get(comm, 0) + 1
            d = incl.setdefault(comm, {})
            for fn in fns:
                d[fn] = d.get(fn, 0) + 1
            cur = None
    return {c: {f: 100.0 * v / totals[c] for f, v in d.items()} for c, d in incl.items()}, totals


class Profile(ScryTest):

    def split_target(self, lifetime=60):
        t = self.target("prof_split", args=("{progress}", str(lifetime)))
        # the Target helper compiled prof_split -O1 if it was missing: use ours
        return t

    def start_split(self, lifetime=60):
        path = prof_prog("prof_split")
        p = self.spawn([path, "-", str(lifetime)], name="prof_split")
        m = p.wait_out(r"^(\d+)$", T(5))
        self.assertTrue(m, "prof_split did not start: %r" % p.err())
        return p, int(m.group(1))

    def profile(self, args, timeout=None):
        r = run_scry(["profile"] + list(args), timeout=timeout or T(60))
        return r

    def assertShares(self, shares, totals, who):
        for comm, fns in TRUTH.items():
            self.assertGreater(totals.get(comm, 0), 100, "%s: too few samples of %s: %r" % (who, comm, totals))
            for fn, want in fns.items():
                got = shares[comm].get(fn, 0.0)
                self.assertLess(abs(got - want), 5.0,
                                "%s: %s in %s: %.1f%%, truth %d%% (all: %r)" % (who, fn, comm, got, want, shares[comm]))

    def test_accuracy_dwarf_against_truth_and_perf(self):
        """-O2 code without frame pointers: DWARF stacks give each function's
        share within 5 points of the truth, as perf record --call-graph dwarf."""
        p, pid = self.start_split()
        out = os.path.join(self.tmp, "split.folded")
        r = self.profile(["-p", str(pid), "--duration", "4", "-F", "999", "--format", "folded", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"(\d+) samples at 999 Hz, (\d+) lost, ([\d.]+)% of stacks reached a root frame", r.stderr)
        self.assertTrue(m, r.stderr)
        self.assertGreater(float(m.group(3)), 90.0, "dwarf stacks incomplete: " + r.stderr)
        with open(out) as f:
            shares, totals = folded_shares(f.read())
        self.assertShares(shares, totals, "scry")
        self.assertTrue(pid_alive(pid), "the target did not survive being profiled")
        if not shutil.which("perf"):
            return
        data = os.path.join(self.tmp, "perf.data")
        pr = run(["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf", "-o", data,
                  "-p", str(pid), "--", "sleep", "4"], timeout=T(60))
        if pr.returncode != 0:
            self.skipTest("perf record failed: " + pr.stderr[-500:])
        ps = run(["perf", "script", "-i", data, "-F", "comm,ip,sym"], timeout=T(120))
        pshares, ptotals = perf_shares(ps.stdout)
        self.assertShares(pshares, ptotals, "perf")
        for comm, fns in TRUTH.items():
            for fn in fns:
                print("  %s %s: scry %.1f%%, perf %.1f%%, truth %d%%"
                      % (comm, fn, shares[comm].get(fn, 0), pshares[comm].get(fn, 0), fns[fn]), file=sys.stderr)

    def test_fp_reports_complete_share(self):
        """fp callchains on -O2 code rarely reach a root: the share is reported, never hidden."""
        p, pid = self.start_split()
        r = self.profile(["-p", str(pid), "--duration", "2", "--call-graph", "fp"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"# stacks: fp, [\d.]+% reached a root frame \(\d+ of \d+\)")
        self.assertRegex(r.stdout, r"# lost: \d+ samples")
        self.assertIn("work_", r.stdout)

    def test_text_report_per_thread(self):
        p, pid = self.start_split()
        r = self.profile(["-p", str(pid), "--duration", "2", "-F", "499"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Hottest functions", r.stdout)
        self.assertRegex(r.stdout, r"cpu_abc pid %d tid \d+: \d+ samples" % pid)
        self.assertRegex(r.stdout, r"cpu_de pid %d tid \d+: \d+ samples" % pid)
        self.assertRegex(r.stdout, r"work_a \(prof_split\)")

    def test_speedscope_validates(self):
        p, pid = self.start_split()
        out = os.path.join(self.tmp, "p.speedscope.json")
        r = self.profile(["-p", str(pid), "--duration", "2", "-F", "499", "--format", "speedscope", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        validate_speedscope(self, doc)
        names = {fr["name"] for fr in doc["shared"]["frames"]}
        self.assertTrue({"work_a", "work_d"} <= names, names)
        prof = [x for x in doc["profiles"] if x["name"].startswith("cpu_abc")]
        self.assertTrue(prof)
        # stacks go root first: the leaf of a work_a sample is work_a or below it
        fr = doc["shared"]["frames"]
        self.assertTrue(any(fr[s[0]]["name"] in ("clone3", "__clone3", "clone", "start_thread")
                            for s in prof[0]["samples"]), "speedscope stacks are not root first")
        self.assertRegex(doc["name"], r"\d+ lost")

    def test_launch_command_exit_status_and_folded(self):
        path = prof_prog("prof_split")
        r = self.profile(["--format", "folded", "-F", "499", "--", path, "-", "2"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^cpu_abc;.*work_a \d+$")
        r = self.profile(["--", "sh", "-c", "exit 7"])
        self.assertEqual(r.returncode, 7, r.stderr)

    def test_flamegraph_renders_folded(self):
        fg = shutil.which("flamegraph.pl") or shutil.which("flamegraph")
        if not fg:
            self.skipTest("flamegraph.pl not installed")
        p, pid = self.start_split()
        out = os.path.join(self.tmp, "f.folded")
        self.assertEqual(self.profile(["-p", str(pid), "--duration", "2", "--format", "folded", "-o", out]).returncode, 0)
        svg = run([fg, out])
        self.assertEqual(svg.returncode, 0, svg.stderr)
        self.assertIn("work_a", svg.stdout)

    # ---- bad input

    def test_no_such_pid(self):
        r = self.profile(["-p", "999999999"])
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"^scry profile: no process 999999999 \(give the id of a running process\)\n$")

    def test_usage_errors(self):
        for args, pat in ((["-F", "0", "-p", "1"], r"-F '0'"), (["--format", "xml", "-p", "1"], r"--format 'xml'"),
                          ([], r"nothing to sample"), (["--call-graph", "lbr", "-p", "1"], r"give dwarf or fp"),
                          (["--mmap-pages", "3", "-p", "1"], r"power of 2")):
            r = self.profile(args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertRegex(r.stderr, pat)

    def test_freq_clamped_with_a_line(self):
        p, pid = self.start_split()
        with open("/proc/sys/kernel/perf_event_max_sample_rate") as f:
            mx = int(f.read())
        r = self.profile(["-p", str(pid), "--duration", "1", "-F", str(mx * 10)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("-F %d is above the kernel's limit" % (mx * 10), r.stderr)
        self.assertRegex(r.stdout, r"at %d Hz \(asked %d, clamped\)" % (mx, mx * 10))

    def test_pid_exits_during_sampling(self):
        p, pid = self.start_split(lifetime=1.5)
        out = os.path.join(self.tmp, "gone.json")
        r = self.profile(["-p", str(pid), "--duration", "30", "--format", "speedscope", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("scry profile: the process ended", r.stderr)
        with open(out) as f:
            validate_speedscope(self, json.load(f))

    def test_full_ring_buffer_lost_counted(self):
        """A full ring (scry held with SIGSTOP while the target runs): the lost
        samples are counted on stderr and in the output."""
        p, pid = self.start_split()
        out = os.path.join(self.tmp, "lost.folded")
        s = self.scry_bg(["profile", "-p", str(pid), "--duration", "4", "--mmap-pages", "4",
                          "--stack-size", "4096", "-F", "999", "--format", "folded", "-o", out])
        wait_for(lambda: os.path.exists("/proc/%d" % s.pid), T(2))
        import time
        time.sleep(1)
        os.kill(s.pid, signal.SIGSTOP)
        time.sleep(1.5)
        os.kill(s.pid, signal.SIGCONT)
        self.assertEqual(s.wait(T(30)), 0, s.err())
        m = re.search(r", (\d+) lost,", s.err())
        self.assertTrue(m and int(m.group(1)) > 0, s.err())
        self.assertIn("samples lost: the ring buffer was full", s.err())
        with open(out) as f:
            self.assertRegex(f.read(), r"(?m)^\[scry\];\[lost samples\] %s$" % m.group(1))

    def test_ring_smaller_than_a_sample_refused(self):
        r = self.profile(["-p", "1", "--mmap-pages", "1"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--mmap-pages 1 holds less than two samples", r.stderr)

    def test_other_users_process(self):
        """Not root: another user's process gets one clear line."""
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to run scry as another user")
        p, pid = self.start_split()
        r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SCRY, "profile",
                 "-p", str(pid), "--duration", "1"])
        if "Permission denied" in r.stderr and "exec" in r.stderr:
            self.skipTest("scry not executable by nobody here")
        check_sanitizer(r.stderr)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot sample process %d: it belongs to another user (uid 0)" % pid, r.stderr)

    def test_output_not_regular_kept_and_regular_replaced_whole(self):
        p, pid = self.start_split()
        r = self.profile(["-p", str(pid), "--duration", "1", "-o", "/dev/null"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists("/dev/null") and not os.path.isfile("/dev/null"))
        r = self.profile(["-p", str(pid), "--duration", "1", "-o", self.tmp])
        self.assertEqual(r.returncode, 1)
        self.assertIn("it is a directory", r.stderr)


def speedscope_schema_path():
    """speedscope's own file-format-schema.json, shipped in its npm package
    (scripts/install-deps installs it); SCRY_SPEEDSCOPE_SCHEMA names another."""
    cands = [os.environ.get("SCRY_SPEEDSCOPE_SCHEMA", "")]
    npm = shutil.which("npm")
    if npm:
        r = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60)
        cands.append(os.path.join(r.stdout.strip(), "speedscope", "dist", "release", "file-format-schema.json"))
    cands.append("/usr/lib/node_modules/speedscope/dist/release/file-format-schema.json")
    return next((c for c in cands if c and os.path.isfile(c)), None)


_SCHEMA = []


def speedscope_schema():
    if not _SCHEMA:
        path = speedscope_schema_path()
        doc = None
        if path:
            with open(path) as f:
                doc = json.load(f)
        _SCHEMA.append(doc)
    return _SCHEMA[0]


def validate_speedscope(test, doc):
    """Against speedscope's file format schema (file-format-schema.json, the
    parts a sampled file uses), with jsonschema when installed."""
    schema = {
        "type": "object",
        "required": ["$schema", "profiles", "shared"],
        "properties": {
            "$schema": {"enum": ["https://www.speedscope.app/file-format-schema.json"]},
            "shared": {"type": "object", "required": ["frames"], "properties": {
                "frames": {"type": "array", "items": {
                    "type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "file": {"type": "string"},
                        "line": {"type": "number"}, "col": {"type": "number"}}}}}},
            "profiles": {"type": "array", "items": {
                "type": "object",
                "required": ["endValue", "name", "samples", "startValue", "type", "unit", "weights"],
                "properties": {
                    "type": {"enum": ["sampled"]}, "name": {"type": "string"},
                    "unit": {"enum": ["bytes", "microseconds", "milliseconds", "nanoseconds", "none", "seconds"]},
                    "startValue": {"type": "number"}, "endValue": {"type": "number"},
                    "samples": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
                    "weights": {"type": "array", "items": {"type": "number"}}}}},
            "name": {"type": "string"}, "activeProfileIndex": {"type": "number"},
            "exporter": {"type": "string"},
        },
    }
    try:
        import jsonschema
        jsonschema.validate(doc, schema)
        published = speedscope_schema()
        if published:
            jsonschema.validate(doc, published)
    except ImportError:
        pass
    # what the schema cannot say: indexes in range, one weight per sample
    nframes = len(doc["shared"]["frames"])
    for p in doc["profiles"]:
        test.assertEqual(len(p["samples"]), len(p["weights"]))
        for s in p["samples"]:
            test.assertTrue(all(0 <= i < nframes and i == int(i) for i in s), s)
        test.assertEqual(sum(p["weights"]), p["endValue"] - p["startValue"])
