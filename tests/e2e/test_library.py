"""libscry as a product (issue 12): its ABI, its installed files, and the
examples in examples/ built against the INSTALLED library through pkg-config
and run.

    SCRY_BUILD=build python3 tests/e2e/run.py test_library.py
"""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import BUILD, ROOT, T  # noqa: E402

SANITIZED = os.path.basename(BUILD.rstrip("/")).endswith("asan")
SANFLAGS = ["-fsanitize=address,undefined"] if SANITIZED else []
HEADERS = sorted(glob.glob(os.path.join(ROOT, "include", "scry", "*.h")))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Abi(unittest.TestCase):

    def test_only_scry_symbols_exported(self):
        so = os.path.join(BUILD, "libscry.so")
        r = run(["nm", "-D", "--defined-only", so])
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [line.split()[-1] for line in r.stdout.splitlines() if line.strip()]
        self.assertTrue(any(n == "scry_session_new" for n in names), names[:20])
        others = [n for n in names if not n.startswith("scry_")]
        self.assertEqual(others, [], "exported without the scry_ prefix")

    def test_every_declared_function_exported(self):
        """SCRY_API on each function of include/scry/: none forgotten."""
        r = run(["nm", "-D", "--defined-only", os.path.join(BUILD, "libscry.so")])
        exported = {line.split()[-1] for line in r.stdout.splitlines() if line.strip()}
        import re
        declared = set()
        for h in HEADERS:
            with open(h) as f:
                declared |= set(re.findall(r"SCRY_API [^(;]*?\b(scry_\w+)\(", f.read()))
        self.assertTrue(declared)
        self.assertEqual(sorted(declared - exported), [])
        # and nothing exported that no header declares
        self.assertEqual(sorted(exported - declared), [])
        # what the scry command does is public (issue 12): the filter, the
        # formats, the summary sink, the statistics, the syscall names
        for name in ("scry_filter_parse", "scry_filter_stage_as_sink", "scry_inject_parse",
                     "scry_filter_seccomp_program", "scry_format_open", "scry_format_find",
                     "scry_summary_sink_as_sink", "scry_stats_row_percentile",
                     "scry_stats_print_text", "scry_syscall_name", "scry_backend_choose",
                     "scry_session_calibrate",
                     # and what scry serve and scry top use: the exporter,
                     # a call's name and text
                     "scry_exporter_open", "scry_exporter_open_fed", "scry_exporter_as_sink",
                     "scry_exporter_render", "scry_exporter_summary_json",
                     "scry_call_name", "scry_call_text",
                     # the profiler (scry/profile.h): scry profile, --profile
                     "scry_profiler_new", "scry_profiler_launch", "scry_profiler_attach",
                     "scry_profiler_start", "scry_profiler_poll", "scry_profiler_stop",
                     "scry_profile_write", "scry_profile_write_sqlite", "scry_profile_read_sqlite",
                     "scry_profile_stack", "scry_profile_frame", "scry_trace_sampler_new",
                     "scry_trace_sampler_poll",

                     # and scry report's reader (scry/tracedb.h)
                     "scry_tracedb_open", "scry_tracedb_replay", "scry_tracedb_replay_args",
                     "scry_tracedb_summarize", "scry_tracedb_print_text",
                     "scry_tracedb_write_html", "scry_tracedb_close"):
            self.assertIn(name, exported)

    def test_soname_and_versioned_file(self):
        real = os.path.realpath(os.path.join(BUILD, "libscry.so"))
        self.assertTrue(os.path.basename(real).startswith("libscry.so.0."), real)
        r = run(["readelf", "-d", real])
        self.assertIn("Library soname: [libscry.so.0]", r.stdout)
        self.assertEqual(os.path.realpath(os.path.join(BUILD, "libscry.so.0")), real)

    def test_each_header_alone(self):
        """Every installed header compiles on its own, in C and C++."""
        self.assertTrue(HEADERS)
        for h in HEADERS:
            for lang, cc in (("c", "cc"), ("c++", "c++")):
                src = '#include "scry/%s"\nint scry_test_unit;\n' % os.path.basename(h)
                r = run([cc, "-x", lang, "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                         "-I", os.path.join(ROOT, "include"), "-"], input=src)
                self.assertEqual(r.returncode, 0, "%s (%s): %s" % (h, lang, r.stderr))


class CommandOnPublicApi(unittest.TestCase):
    """The scry command makes its choices through the public API."""

    def test_auto_backend_says_why_ptrace(self):
        scry = os.path.join(BUILD, "scry")
        # -c, where auto would take bpf's counts but for an option
        for args, why in ((["--cpu-time", "-c"], "CPU times are measured at ptrace's stops"),
                          (["-i", "-c"], "-i, -n, -e read=, write=, raw=, -u, -D and --syscall-limit need it"),
                          (["-Z", "-c"], "a filter on results needs each call's result")):
            r = run([scry, "-v"] + args + ["true"], timeout=T(30))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("scry: backend: ptrace (auto: " + why + ")\n", r.stderr)
        # a backend that was asked for, or a launched command's full trace
        # (only ptrace can show it), is not explained
        for args in (["--backend", "ptrace", "-c"], ["-e", "trace=openat"]):
            r = run([scry, "-v"] + args + ["true"], timeout=T(30))
            self.assertIn("scry: backend: ptrace\n", r.stderr)


class CliOnPublicHeaders(unittest.TestCase):
    """Every file of src/cli compiles with the installed headers alone
    (-Iinclude, no -Isrc), as the Makefile builds them (CLI_PUBLIC)."""

    def test_cli_files_need_no_internal_header(self):
        import glob
        with open(os.path.join(ROOT, "Makefile")) as f:
            self.assertIn("CLI_PUBLIC := $(CLI_SRC)", f.read())
        files = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "src/cli/*.c")))
        for f in ("src/cli/main.c", "src/cli/serve.c", "src/cli/top.c", "src/cli/report.c",
                  "src/cli/profile.c", "src/cli/trace_profile.c"):
            self.assertIn(f, files)
        for f in files:
            r = run(["cc", "-std=gnu11", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                     "-Wno-unused-parameter",   # (the Makefile's warnings)
                     "-D_GNU_SOURCE", "-DSCRY_VERSION=\"0\"", "-I", os.path.join(ROOT, "include"),
                     os.path.join(ROOT, f)])
            self.assertEqual(r.returncode, 0, "%s: %s" % (f, r.stderr[-2000:]))


class Installed(unittest.TestCase):
    """make install into a temporary DESTDIR; examples built with pkg-config."""

    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="scry-install-")
        b = os.path.relpath(BUILD, ROOT)
        r = run(["make", "-s", "install", "DESTDIR=" + cls.dest, "PREFIX=/usr",
                 "B=" + b] + (["SANITIZE=1"] if SANITIZED else []), cwd=ROOT)
        if r.returncode != 0:
            raise AssertionError("make install failed: " + r.stderr[-2000:])
        cls.lib = os.path.join(cls.dest, "usr", "lib")
        cls.env = dict(os.environ,
                       PKG_CONFIG_PATH=os.path.join(cls.lib, "pkgconfig"),
                       PKG_CONFIG_SYSROOT_DIR=cls.dest)
        cls.bin = tempfile.mkdtemp(prefix="scry-examples-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)
        shutil.rmtree(cls.bin, ignore_errors=True)

    def pkg(self, *args):
        r = run(["pkg-config"] + list(args) + ["scry"], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.split()

    def build(self, name, static=False):
        out = os.path.join(self.bin, name + ("-static" if static else ""))
        src = os.path.join(ROOT, "examples", name + ".c")
        flags = self.pkg("--cflags") + (self.pkg("--libs", "--static") if static else self.pkg("--libs"))
        if static:   # the archive, not the .so, and what it needs
            flags = [f for f in flags if f != "-lscry"]
            flags = [os.path.join(self.lib, "libscry.a")] + flags
        cmd = ["cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o", out, src] + flags + SANFLAGS
        if not static:
            cmd.append("-Wl,-rpath," + self.lib)
        r = run(cmd)
        self.assertEqual(r.returncode, 0, " ".join(cmd) + "\n" + r.stderr)
        return out

    def test_installed_files(self):
        for rel in ("lib/libscry.so", "lib/libscry.so.0", "lib/libscry.a",
                    "lib/pkgconfig/scry.pc", "include/scry/scry.h", "include/scry/export.h",
                    "include/scry/filter.h", "include/scry/output.h", "include/scry/stats.h",
                    "include/scry/syscalls.h", "include/scry/exporter.h",
                    "include/scry/profile.h", "include/scry/tracedb.h"):
            self.assertTrue(os.path.exists(os.path.join(self.dest, "usr", rel)), rel)
        self.assertTrue(os.path.islink(os.path.join(self.lib, "libscry.so.0")))
        pc = open(os.path.join(self.lib, "pkgconfig", "scry.pc")).read()
        self.assertIn("Libs.private:", pc)
        self.assertIn("Requires.private:", pc)

    def test_count_calls(self):
        exe = self.build("count_calls")
        r = run([exe, "ls", "/"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("bin", r.stdout.split())       # ls's own output
        counts = {line.split()[1]: int(line.split()[0]) for line in r.stderr.splitlines()}
        self.assertIn("getdents64", counts, r.stderr)
        self.assertGreater(counts["getdents64"], 0)
        # the same against the static library, with the .private lines
        st = self.build("count_calls", static=True)
        r2 = run([st, "ls", "/"], timeout=T(30))
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertIn("getdents64", r2.stderr)

    def test_failing_jsonl(self):
        exe = self.build("failing_jsonl")
        target = subprocess.Popen([sys.executable, "-c",
                                   "import os, time\n"
                                   "while True:\n"
                                   "    try: os.stat('/nonexistent-scry-example')\n"
                                   "    except OSError: pass\n"
                                   "    time.sleep(0.02)\n"])
        try:
            r = run([exe, str(target.pid), "1"], timeout=T(30))
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = [json.loads(line) for line in r.stdout.splitlines()]
            stats = [o for o in lines if "stat" in o["call"] and o["errno"] == 2]
            self.assertTrue(stats, r.stdout[:2000])
            self.assertTrue(all(o["pid"] == target.pid for o in lines))
            self.assertIsNone(target.poll(), "the target did not live on")
            with open("/proc/%d/status" % target.pid) as f:
                self.assertIn("TracerPid:\t0\n", f.read())
        finally:
            target.kill()
            target.wait()

    def test_filter_summary(self):
        """The public filter, JSON Lines sink, filter stage and summary
        (scry/filter.h, output.h, stats.h) do what -e, -o FILE.jsonl and -c
        do: the calls the filter shows, in the file and in the counts."""
        exe = self.build("filter_summary")
        out = os.path.join(self.bin, "calls.jsonl")
        r = run([exe, "trace=openat,close", out, "cat", "/etc/hostname"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open("/etc/hostname") as f:
            self.assertTrue(r.stdout.startswith(f.read()))     # cat's own output
        with open(out) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(lines[0]["type"], "header")
        calls = [o for o in lines if o.get("type") == "syscall"]
        names = {}
        for o in calls:
            names[o["name"]] = names.get(o["name"], 0) + 1
        self.assertEqual(set(names), {"openat", "close"}, names)
        counts = {}
        for line in r.stdout.splitlines():
            if " calls=" in line:
                name, rest = line.split(" ", 1)
                fields = dict(kv.split("=") for kv in rest.split())
                counts[name] = int(fields["calls"])
                self.assertLessEqual(int(fields["p50_ns"]), int(fields["p99_ns"]))
        self.assertEqual(counts, names)
        # the status part of the language is the stage's: failed calls only
        r = run([exe, "status=failed", out, "ls", "/nonexistent-scry-example"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            calls = [json.loads(line) for line in f if '"type":"syscall"' in line]
        self.assertTrue(any(o["name"] == "statx" or "stat" in o["name"] for o in calls), calls[:5])
        self.assertTrue(all(o["return"]["value"] < 0 for o in calls), calls[:5])
        # a bad expression: the library's message, a usage error
        r = run([exe, "trace=no_such_call", out, "true"], timeout=T(30))
        self.assertEqual(r.returncode, 2)
        self.assertIn("no_such_call", r.stderr)

    def test_profile_hot(self):
        """scry/profile.h: a command profiled for a second, its hottest
        function named from the profile's entries, stacks and frames."""
        exe = self.build("profile_hot")
        spin = os.path.join(BUILD, "progs", "prof_spin")
        r = run([exe, spin, "30"], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        hot = [line for line in r.stdout.splitlines() if line.startswith("hottest: ")]
        self.assertEqual(len(hot), 1, r.stdout)
        self.assertTrue(hot[0].startswith("hottest: spin_here ("), hot[0])
        # (the command would spin 30 s: the example ends it after its
        # second, or the run's timeout fails the test)
        # a command that cannot be run: one line, nothing started
        r = run([exe, "/nonexistent-scry-example"], timeout=T(30))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "profile_hot: cannot profile '/nonexistent-scry-example': "
                         "No such file or directory\n")

    def test_latency_hist(self):
        exe = self.build("latency_hist")
        r = run([exe, "sh", "-c", "ls / >/dev/null; ls /usr >/dev/null"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        procs = [line for line in r.stdout.splitlines() if line.startswith("process ")]
        self.assertGreaterEqual(len(procs), 3, r.stdout)    # sh and two ls
        rows = [line for line in r.stdout.splitlines() if line.startswith("  < ")]
        self.assertTrue(rows)

    def test_metrics_once(self):
        """An exporter fed by a session (scry/exporter.h): the exposition of
        a command's calls, per process, consistent in itself (calls,
        histogram count and +Inf bucket agree; errors within calls), the
        failed openats by errno."""
        exe = self.build("metrics_once")
        missing = "/nonexistent-scry-metrics"
        r = run([exe, "sh", "-c", "ls / >/dev/null; cat %s 2>/dev/null; exit 0" % missing],
                timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("# EOF", r.stdout)
        series = {}
        for line in r.stdout.splitlines():
            if line and not line.startswith("#"):
                key, value = line.rsplit(" ", 1)
                series[key] = float(value)
        self.assertEqual(series["scry_targets"], 0)        # all gone at the end
        calls = {k: v for k, v in series.items() if k.startswith("scry_syscalls_total{")}
        pids = {k.split('pid="')[1].split('"')[0] for k in calls}
        self.assertGreaterEqual(len(pids), 3, pids)         # sh, ls, cat
        for k, v in calls.items():
            labels = k[len("scry_syscalls_total"):]
            self.assertGreater(v, 0, k)
            self.assertEqual(series["scry_syscall_duration_seconds_count" + labels], v, k)
            self.assertEqual(series["scry_syscall_duration_seconds_bucket" + labels[:-1]
                                    + ',le="+Inf"}'], v, k)
        errors = {k: v for k, v in series.items() if k.startswith("scry_syscall_errors_total{")}
        for k, v in errors.items():
            call = "scry_syscalls_total" + k[len("scry_syscall_errors_total"):].split(",errno=")[0] + "}"
            self.assertLessEqual(v, calls[call], k)
        # failed openats by errno (cat's of the missing file among them)
        enoent = [k for k in errors if 'syscall="openat"' in k and 'errno="ENOENT"' in k]
        self.assertTrue(enoent, sorted(errors)[:20])
        # OpenMetrics, when asked
        r = run([exe, "--openmetrics", "true"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.endswith("# EOF\n"), r.stdout[-200:])
        self.assertIn("# TYPE scry_syscalls counter", r.stdout)

    def test_stop_at_connect(self):
        exe = self.build("stop_at_connect")
        lsn = socket.socket()
        lsn.bind(("127.0.0.1", 0))
        lsn.listen(1)
        lsn.setblocking(False)
        port = lsn.getsockname()[1]
        try:
            code = ("import socket; s = socket.socket(); s.connect(('127.0.0.1', %d)); "
                    "print('connected')" % port)
            r = run([exe, str(port), sys.executable, "-c", code], timeout=T(30))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("connects to port %d: stopped" % port, r.stdout)
            self.assertNotIn("connected", r.stdout)
            with self.assertRaises(BlockingIOError):   # the call never ran
                lsn.accept()
            # another port: the command runs to its end
            r = run([exe, str(port), sys.executable, "-c", "print('fine')"], timeout=T(30))
            self.assertEqual(r.returncode, 1)
            self.assertIn("no connect to port", r.stdout)
        finally:
            lsn.close()

    def test_replay_slowest(self):
        """A recording read back through scry/tracedb.h: the 5 slowest
        calls, as the database has them (slowest first; among equals, the
        one that began first), each with its stored arguments and result."""
        import sqlite3
        exe = self.build("replay_slowest")
        db = os.path.join(self.bin, "trace.db")
        r = run([os.path.join(BUILD, "scry"), "-f", "--format", "sqlite", "-o", db, "sh", "-c",
                 "sleep 0.05; sleep 0.02; cat /nonexistent-scry-example; true"], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        con = sqlite3.connect(db)
        con.text_factory = bytes
        rows = con.execute("SELECT duration_ns, pid, name, coalesce(args_text, ''), coalesce(ret_text, '?')"
                           " FROM syscalls WHERE unfinished = 0"
                           " ORDER BY duration_ns DESC, ts_ns, id LIMIT 5").fetchall()
        con.close()
        self.assertEqual(len(rows), 5)
        want = [b"%10.3f ms  pid %d  %s(%s) = %s" % (ns / 1e6, pid, name, args, ret)
                for ns, pid, name, args, ret in rows]
        r = subprocess.run([exe, db], capture_output=True, timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), want)
        # a file that is no trace: the library's reason, no output
        bad = os.path.join(self.bin, "not-a-trace.db")
        with open(bad, "w") as f:
            f.write("hello\n" * 100)
        r = run([exe, bad], timeout=T(30))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("not a trace recorded by scry --format sqlite", r.stderr)


if __name__ == "__main__":
    unittest.main()
