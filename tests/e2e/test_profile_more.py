"""scry profile: the window, usage errors, and bad input (issue 14's gaps).

Targets: tests/progs/prof_misc.c (threads by thousands, an exec into another
binary, clock_gettime through the vDSO), prof_split.c (spinning threads and
one blocked in read), busy.c (one spinning thread).
"""

import json
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import T, ScryTest, prog, run_scry  # noqa: E402
from test_profile import prof_prog, speedscope_schema, validate_speedscope  # noqa: E402


def folded(path):
    """[(frames root first, count)] of a folded file."""
    out = []
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            out.append((stack.split(";"), int(n)))
    return out


def db_meta(path):
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT key, value FROM metadata").fetchall()), con
    except Exception:
        con.close()
        raise


class ProfileMore(ScryTest):

    def profile(self, args, timeout=60):
        return run_scry(["profile"] + list(args), timeout=T(timeout))

    # ---- 1. the window is what --duration asked ----

    def test_samples_cover_the_duration_only(self):
        """-F 99 on one spinning thread for --duration 1s: the window starts
        when the events are enabled, so it holds about 99 samples and lasts
        1 s and a little, never the setup time too."""
        t = self.target("busy", args=("{progress}", "60"))
        db = os.path.join(self.tmp, "w.db")
        r = self.profile(["-p", str(t.pid), "--duration", "1s", "-F", "99", "--no-off-cpu",
                          "--format", "sqlite", "-o", db])
        self.assertEqual(r.returncode, 0, r.stderr)
        meta, con = db_meta(db)
        con.close()
        dur = int(meta["duration_ns"])
        self.assertGreaterEqual(dur, 1000000000, meta)
        self.assertLess(dur, 2000000000, meta)
        self.assertLess(int(meta["samples"]), 2 * 99, meta)
        self.assertTrue(t.running())

    def test_offcpu_window_inside_the_sample_window(self):
        """The off-CPU time is counted over the same window as the samples:
        a thread blocked the whole time waits at most the window, and the
        thread view's span is not longer than the profile's (before: the
        bpf program counted from its attach, during setup, and after the
        samples stopped)."""
        path = prof_prog("prof_split")
        p = self.spawn([path, "-", "60"], name="prof_split")
        m = p.wait_out(r"^(\d+)$", T(5))
        self.assertTrue(m, p.err())
        pid = int(m.group(1))
        for i in range(3):
            db = os.path.join(self.tmp, "o%d.db" % i)
            r = self.profile(["-p", str(pid), "--duration", "1s", "--off-cpu=auto", "--format", "sqlite",
                              "-o", db])
            self.assertEqual(r.returncode, 0, r.stderr)
            if "off-CPU: /proc sampling" in r.stderr:
                self.skipTest("bpf off-CPU not available here: " + r.stderr.splitlines()[0])
            meta, con = db_meta(db)
            try:
                dur = int(meta["duration_ns"])
                self.assertEqual(meta["states_source"], "sched_switch", meta)
                self.assertLessEqual(int(meta["states_duration_ns"]), dur, meta)
                rows = con.execute("SELECT sleeping_ns FROM prof_threads WHERE comm = 'reader'").fetchall()
                self.assertEqual(len(rows), 1, rows)
                self.assertGreater(rows[0][0], 0)
                self.assertLessEqual(rows[0][0], dur, (rows, meta))
            finally:
                con.close()

    # ---- 2. usage errors: one line, then the main command's hint ----

    def test_usage_errors_one_line_and_the_hint(self):
        for args, pat in ((["-F", "0", "-p", "1"], r"-F '0'"),
                          (["--format", "xml", "-p", "1"], r"--format 'xml'"),
                          (["--bogus"], r"unknown option '--bogus'"),
                          (["-p"], r"-p needs a value"),
                          (["--duration"], r"--duration needs a value"),
                          (["--metric", "x", "-p", "1"], r"--metric x"),
                          (["--off-cpu=x", "-p", "1"], r"--off-cpu=x"),
                          (["--counters", "nosuch", "-p", "1"], r"--counters"),
                          ([], r"nothing to sample")):
            r = self.profile(args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            lines = r.stderr.splitlines()
            self.assertEqual(len(lines), 2, (args, r.stderr))
            self.assertRegex(lines[0], r"^scry profile: .*" + pat, args)
            self.assertEqual(lines[1], "Try 'scry profile --help' for more information.", args)

    # ---- 6. the speedscope file against speedscope's published schema ----

    def test_speedscope_against_the_published_schema(self):
        """The whole file validates against file-format-schema.json as the
        speedscope npm package ships it (draft-07, every $ref followed), not
        only against the parts the other tests copied."""
        try:
            import jsonschema
        except ImportError:
            self.skipTest("python3-jsonschema not installed (scripts/install-deps installs it)")
        schema = speedscope_schema()
        if not schema:
            self.skipTest("speedscope's schema not found: npm install -g speedscope (scripts/install-deps)")
        out = os.path.join(self.tmp, "s.json")
        r = self.profile(["-F", "499", "--format", "speedscope", "-o", out, "--",
                          prof_prog("prof_split"), "-", "1"])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        jsonschema.Draft7Validator(schema).validate(doc)
        self.assertTrue(doc["profiles"])
        # and a file the schema must refuse, so the check is not vacuous
        bad = dict(doc, profiles=[dict(doc["profiles"][0], type="flame")])
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.Draft7Validator(schema).validate(bad)

    # ---- 4. bad input ----

    def test_threads_by_thousands(self):
        """2000 threads started and joined (8 at a time) while profiled: a
        valid speedscope file naming their function, lost samples counted.
        (-F 999: each thread runs ~1-2 ms, and an inherited cpu-clock event
        samples a thread only after a whole period of its own CPU time.)"""
        out = os.path.join(self.tmp, "churn.json")
        r = self.profile(["-F", "999", "--format", "speedscope", "-o", out, "--",
                          prof_prog("prof_misc"), "churn", "2000"], timeout=180)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"(\d+) samples at \d+ Hz, (\d+) lost", r.stderr)
        self.assertTrue(m, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        validate_speedscope(self, doc)
        names = {fr["name"] for fr in doc["shared"]["frames"]}
        self.assertIn("churn_work", names)
        # many threads, each its own profile
        self.assertGreater(len(doc["profiles"]), 20, [p["name"] for p in doc["profiles"]][:5])
        if int(m.group(2)):
            self.assertIn("samples lost", r.stderr)

    def test_exec_into_another_binary(self):
        """The process execs prof_split half-way: the old image's function
        and the new image's functions are both named (the unwinder forgets
        the old modules at the exec)."""
        out = os.path.join(self.tmp, "exec.folded")
        r = self.profile(["--no-off-cpu", "-F", "499", "--format", "folded", "-o", out, "--",
                          prof_prog("prof_misc"), "exec", "4", prof_prog("prof_split")], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        stacks = folded(out)
        before = sum(n for fr, n in stacks if "before_exec" in fr)
        after = sum(n for fr, n in stacks if {"work_a", "work_b", "work_c", "work_d", "work_e"} & set(fr))
        self.assertGreater(before, 0, stacks[:10])
        self.assertGreater(after, 0, stacks[:10])
        # after the exec, the new image's threads by their names
        self.assertTrue(any(fr[0] in ("cpu_abc", "cpu_de") for fr, n in stacks), stacks[:10])
        # no frame of the new image is named from the old one
        for fr, n in stacks:
            if fr[0] in ("cpu_abc", "cpu_de"):
                self.assertNotIn("before_exec", fr)
                self.assertNotIn("vdso_loop", fr)

    def test_vdso_leaf_symbolized(self):
        """clock_gettime in a loop runs in the vDSO: its frames are in the
        [vdso] module, __vdso_clock_gettime named (before: a bare address,
        the module was not reported to the unwinder)."""
        out = os.path.join(self.tmp, "vdso.folded")
        r = self.profile(["--no-off-cpu", "-F", "499", "--format", "folded", "-o", out, "--",
                          prof_prog("prof_misc"), "vdso", "2"], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        stacks = folded(out)
        # (kernel frames under a user leaf are an interrupt's, not calls:
        # a sample in libc's clock_gettime itself has no vDSO frame)
        user = [([f for f in fr if not f.endswith("_[k]")], n) for fr, n in stacks]
        inside = [(fr, n) for fr, n in user if "clock_gettime" in fr and fr[-1] != "clock_gettime"]
        self.assertTrue(inside, stacks)
        for fr, n in inside:
            below = fr[fr.index("clock_gettime") + 1:]
            self.assertEqual(below[0], "__vdso_clock_gettime", fr)
            for name in below:
                self.assertNotRegex(name, r"^0x[0-9a-f]+$", fr)
                self.assertTrue(name.startswith("__vdso_") or name.startswith("[vdso]+0x")
                                or name.endswith("_[k]"), fr)


    def test_jit_code_named_from_the_perf_map(self):
        """A loop in code made at run time (tests/progs/jit_calls.c), named
        in /tmp/perf-PID.map: its samples' leaf is that name (before: a bare
        address)."""
        out = os.path.join(self.tmp, "jit.folded")
        r = self.profile(["--no-off-cpu", "-F", "499", "--format", "folded", "-o", out, "--",
                          prog("jit_calls"), "spin", "1"], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        stacks = folded(out)
        total = sum(n for _, n in stacks)
        jit = sum(n for fr, n in stacks if fr[-1] == "jit_spin")
        self.assertGreater(total, 0, stacks)
        self.assertGreater(jit, total // 2, stacks)

    def test_short_launched_command_keeps_its_stacks(self):
        """A launched command that is gone before its samples are unwound
        (50 ms of CPU in spin_here): its modules come from the kernel's
        mmap records, in order with the samples, not from /proc read too
        late.  Before, none of its samples had a user stack (0 % reached a
        root frame).  Three runs: the old race lost in nearly every run."""
        for i in range(3):
            out = os.path.join(self.tmp, "short%d.folded" % i)
            r = self.profile(["--no-off-cpu", "-F", "999", "--format", "folded", "-o", out, "--",
                              prog("prof_spin"), "0.05"], timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            stacks = folded(out)
            total = sum(n for _, n in stacks)
            spin = sum(n for fr, n in stacks if "spin_here" in fr and "main" in fr)
            self.assertGreater(total, 0, r.stderr)
            self.assertGreater(spin, total // 2, (r.stderr, stacks))

if __name__ == "__main__":
    import unittest
    unittest.main()
