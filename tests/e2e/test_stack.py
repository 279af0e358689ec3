"""Where calls come from (issue 13): -k, --source, --stack-depth,
--by-function, and the stacks in every format, on programs whose calls come
from known lines (tests/progs/stack_sites.c marks each with SITE:<name>; the
demo service is the seeds' `scry -p PID --source -e trace=fsync`).

The tests that need frames skip, saying why, when the scry under test
unwinds nothing (a build without src/unwind); the option checks run always.
"""

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess

from helpers import (ROOT, BUILD, SCRY, ScryTest, T, prog, run, run_scry, wait_for)

SITES_SRC = os.path.join(ROOT, "tests", "progs", "stack_sites.c")
DEMO_SRC = os.path.join(ROOT, "demo", "service.c")


def site_line(name, path=SITES_SRC, marker=None):
    """The line number of SITE:name (or of marker) in path."""
    marker = marker or "SITE:%s */" % name
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if marker in line:
                return i
    raise AssertionError("%s not in %s" % (marker, path))


def source_rx(base, line, function):
    """[FILE:LINE in FUNCTION] with FILE ending in /base (DWARF may keep the
    path relative or absolute)."""
    return re.compile(r"   \[(?:\S*/)?%s:%d in %s\]$" % (re.escape(base), line, re.escape(function)))


FRAME = re.compile(r"^ > (?:(\S+)\((\S*?)(?:\+0x([0-9a-f]+))?\)|\?) \[0x([0-9a-f]+)\]$")


def frames_after(lines, i):
    """The ' > ...' lines after lines[i], parsed: (object, function, offset,
    bracket) tuples."""
    out = []
    for l in lines[i + 1:]:
        m = FRAME.match(l)
        if not m:
            if l.startswith(" > "):
                raise AssertionError("frame line not in strace -k's layout: %r" % l)
            break
        out.append((m.group(1), m.group(2) or None, m.group(3), m.group(4)))
    return out


class StackTest(ScryTest):
    _unwinds = None

    def sites(self):
        return prog("stack_sites")

    def need_unwinder(self):
        """Skips unless this scry unwinds (probed once)."""
        if StackTest._unwinds is None:
            r = run_scry(["-k", "-e", "trace=getppid", self.sites(), "1"], timeout=T(30))
            StackTest._unwinds = " > " in r.stderr
        if not StackTest._unwinds:
            self.skipTest("this scry unwinds no stacks (no src/unwind in the build)")


class Options(StackTest):
    def test_stack_depth_invalid(self):
        for bad in ("0", "-1", "x", "5000"):
            r = run_scry(["--stack-depth", bad, "true"])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("invalid --stack-depth '%s'" % bad, r.stderr)
            self.assertEqual(r.stderr.count("\n"), 2, r.stderr)   # the line and "Try ..."

    def test_help(self):
        r = run_scry(["--help"])
        for opt in ("-k, --stack-trace", "--source", "--stack-depth N", "--by-function"):
            self.assertIn(opt, r.stdout)

    def test_source_on_every_line(self):
        """--source ends every completed call line with a bracket, even
        when nothing could be found ([?])."""
        r = run_scry(["--source", "-e", "trace=fsync", self.sites(), "1"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.startswith("fsync(")]
        self.assertEqual(len(lines), 3, r.stderr)
        for l in lines:
            self.assertRegex(l, r"= 0   \[[^\]]+\]$")


class Source(StackTest):
    def test_exact_lines_launched(self):
        self.need_unwinder()
        r = run_scry(["--source", "-f", "-e", "trace=fsync,getppid,umask", self.sites(), "2"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        want = {
            "fsync": [source_rx("stack_sites.c", site_line("fsync_a"), "flush_logs")] * 2 +
                     [source_rx("stack_sites.c", site_line("fsync_b"), "rotate_logs")],
            "getppid": [source_rx("stack_sites.c", site_line("getppid"), "depth")],
            "umask": [source_rx("stack_sites.c", site_line("umask"), "thread_fn")],
        }
        for name, rxs in want.items():
            # (a line cut by another thread's is completed by its
            # "<... NAME resumed>" line, which carries the source)
            lines = [l for l in r.stderr.splitlines()
                     if re.match(r"(\[pid\s+\d+\] )?(%s\(|<\.\.\. %s resumed>)" % (name, name), l)
                     and not l.endswith("<unfinished ...>")]
            self.assertEqual(len(lines), len(rxs) * 2, "%s: %s" % (name, r.stderr))
            for i, l in enumerate(lines):
                self.assertRegex(l, rxs[i % len(rxs)], r.stderr)
        # the thread's line has its own [pid N] prefix (-f with threads)
        self.assertRegex(r.stderr, r"(?m)^\[pid\s+\d+\] umask\(022\)\s+= \d+   \[")

    def test_attached(self):
        self.need_unwinder()
        t = self.spawn([self.sites(), "0", "loop", "30"], name="sites")
        self.assertTrue(t.wait_out(r"^\d+$", T(5)))
        out = os.path.join(self.tmp, "trace")
        s = self.attach(t.pid, ["--source", "-f", "-e", "trace=fsync,umask", "-o", out])
        rx = source_rx("stack_sites.c", site_line("fsync_b"), "rotate_logs")
        rxu = source_rx("stack_sites.c", site_line("umask"), "thread_fn")
        def seen():
            lines = open(out).read().splitlines() if os.path.exists(out) else []
            return any(rx.search(l) for l in lines) and any(rxu.search(l) for l in lines)
        ok = wait_for(seen, T(10))
        s.signal(signal.SIGINT)
        s.wait(T(10))
        text = open(out).read()
        self.assertTrue(ok, text)
        self.assertTrue(any(rxu.search(l) for l in text.splitlines() if "umask(" in l), text)
        self.assertTrue(t.running(), "the target died")

    def test_attached_bpf(self):
        """--backend bpf copies the registers and the stack at entry and
        the same unwinder names the same lines (attached: the maps are
        there when the reader unwinds)."""
        self.need_unwinder()
        if os.geteuid() != 0:
            self.skipTest("bpf needs root")
        t = self.spawn([self.sites(), "0", "loop", "30"], name="sites")
        self.assertTrue(t.wait_out(r"^\d+$", T(5)))
        out = os.path.join(self.tmp, "trace")
        s = self.attach(t.pid, ["--backend", "bpf", "--source", "-f", "-e", "trace=fsync,umask", "-o", out])
        rx = source_rx("stack_sites.c", site_line("fsync_b"), "rotate_logs")
        rxu = source_rx("stack_sites.c", site_line("umask"), "thread_fn")
        def seen():
            lines = open(out).read().splitlines() if os.path.exists(out) else []
            return any(rx.search(l) for l in lines) and any(rxu.search(l) for l in lines)
        ok = wait_for(seen, T(10))
        s.signal(signal.SIGINT)
        s.wait(T(10))
        text = open(out).read()
        self.assertTrue(ok, text + s.err()[-2000:])
        self.assertTrue(t.running(), "the target died")

    def test_seed_demo_fsync(self):
        """The seed's command verbatim: scry -p PID --source -e trace=fsync."""
        self.need_unwinder()
        demo = os.path.join(BUILD, "demo", "service")
        if not os.access(demo, os.X_OK):
            self.skipTest("%s not built" % demo)
        d = self.spawn([demo, "30"], name="demo")
        self.assertTrue(wait_for(lambda: os.path.exists("/proc/%d/task" % d.pid) and
                                 len(os.listdir("/proc/%d/task" % d.pid)) >= 3, T(5)))
        s = self.scry_bg(["-p", str(d.pid), "--source", "-e", "trace=fsync"])
        line = site_line(None, DEMO_SRC, marker="fsync(fd);")
        rx = re.compile(r"fsync\(\d+\)\s+= 0   \[(?:\S*/)?service\.c:%d in logger\]" % line)
        ok = s.wait_err(rx.pattern, T(10))
        s.signal(signal.SIGINT)
        s.wait(T(10))
        self.assertTrue(ok, s.err())
        self.assertTrue(d.running(), "the demo died")


class StackTrace(StackTest):
    def test_layout_and_depth(self):
        self.need_unwinder()
        r = run_scry(["-k", "-e", "trace=getppid", self.sites(), "1"], timeout=T(30))
        lines = r.stderr.splitlines()
        i = next(i for i, l in enumerate(lines) if l.startswith("getppid("))
        fr = frames_after(lines, i)
        funcs = [f[1] for f in fr]
        self.assertGreaterEqual(len(fr), 5, r.stderr)
        # innermost first: libc's wrapper, depth x3, round_once, main
        self.assertEqual(funcs[1:6], ["depth", "depth", "depth", "round_once", "main"], r.stderr)
        self.assertTrue(fr[1][0].endswith("/stack_sites"), fr)
        r = run_scry(["-k", "--stack-depth", "2", "-e", "trace=getppid", self.sites(), "1"], timeout=T(30))
        lines = r.stderr.splitlines()
        i = next(i for i, l in enumerate(lines) if l.startswith("getppid("))
        self.assertEqual(len(frames_after(lines, i)), 2, r.stderr)

    def test_differential_strace_k(self):
        """The same frames as strace -k: objects and the offsets in
        brackets exactly, function names where strace takes them from the
        program's own symbol table (its libc names come from .dynsym and
        are wrong for static functions)."""
        self.need_unwinder()
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        argv = [self.sites(), "1"]
        ref = run(["strace", "-k", "-qq", "-e", "trace=fsync,getppid", "--"] + argv, timeout=T(30))
        got = run_scry(["-k", "-q", "-e", "trace=fsync,getppid", "--"] + argv, timeout=T(30))

        def stacks(text):
            lines = text.splitlines()
            return [(l.split("(")[0], frames_after(lines, i)) for i, l in enumerate(lines)
                    if re.match(r"(fsync|getppid)\(", l)]

        want, have = stacks(ref.stderr), stacks(got.stderr)
        self.assertEqual([w[0] for w in want], [h[0] for h in have])
        self.assertEqual(len(want), 4, ref.stderr)
        exe = os.path.realpath(argv[0])
        for (name, w), (_, h) in zip(want, have):
            n = min(len(w), len(h))
            self.assertGreaterEqual(n, 4, (w, h))
            self.assertLessEqual(abs(len(w) - len(h)), 1, (w, h))
            for fw, fh in zip(w[:n], h[:n]):
                self.assertEqual(os.path.realpath(fw[0]), os.path.realpath(fh[0]), (w, h))
                self.assertEqual(fw[3], fh[3], (w, h))
                if os.path.realpath(fw[0]) == exe and fw[1]:
                    self.assertEqual(fw[1], fh[1], (w, h))


class Summaries(StackTest):
    def test_source_c_rows_by_call_site(self):
        self.need_unwinder()
        r = run_scry(["--source", "-c", "-e", "trace=fsync,getppid", self.sites(), "4"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("System Calls by Call Site", r.stderr)
        rows = {}
        for l in r.stderr.splitlines():
            m = re.match(r"^(fsync|getppid)\s+(\d+)\s+(\d+)\s.*  (\S+:\d+ in \S+)$", l)
            if m:
                rows[(m.group(1), re.sub(r"^.*/", "", m.group(4)))] = int(m.group(2))
        self.assertEqual(rows, {
            ("fsync", "stack_sites.c:%d in flush_logs" % site_line("fsync_a")): 8,
            ("fsync", "stack_sites.c:%d in rotate_logs" % site_line("fsync_b")): 4,
            ("getppid", "stack_sites.c:%d in depth" % site_line("getppid")): 4,
        }, r.stderr)
        self.assertRegex(r.stderr, r"(?m)^total\s+16\s")

    def test_by_function(self):
        self.need_unwinder()
        r = run_scry(["--by-function", "-e", "trace=fsync,getppid", self.sites(), "3"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {}
        for l in r.stderr.splitlines():
            m = re.match(r"^(\S+)\s+(\d+)\s+(\d+)\s", l)
            if m and m.group(1) != "total" and l.rstrip().endswith("stack_sites"):
                rows[m.group(1)] = int(m.group(2))
        # 3 rounds: flush_logs 2 fsyncs each, rotate_logs 1, depth (recursing
        # three deep) 1 getppid, counted once per call
        self.assertEqual(rows.get("flush_logs"), 6, r.stderr)
        self.assertEqual(rows.get("rotate_logs"), 3, r.stderr)
        self.assertEqual(rows.get("depth"), 3, r.stderr)
        self.assertEqual(rows.get("round_once"), 12, r.stderr)
        self.assertEqual(rows.get("main"), 12, r.stderr)
        self.assertRegex(r.stderr, r"(?m)^total\s+12\s")


class Formats(StackTest):
    ARGS = ["-e", "trace=fsync", "--source"]

    def test_json_and_jsonl(self):
        self.need_unwinder()
        line = site_line("fsync_a")
        for fmt in ("json", "jsonl"):
            out = os.path.join(self.tmp, "t." + fmt)
            r = run_scry(["--format", fmt, "-o", out] + self.ARGS + [self.sites(), "1"], timeout=T(30))
            self.assertEqual(r.returncode, 0, r.stderr)
            if fmt == "json":
                calls = json.load(open(out))["syscalls"]
            else:
                calls = [x for x in map(json.loads, open(out)) if x["type"] == "syscall"]
            self.assertEqual(len(calls), 3)
            c = calls[0]
            self.assertEqual(c["source"]["line"], line)
            self.assertEqual(c["source"]["function"], "flush_logs")
            self.assertTrue(c["source"]["file"].endswith("stack_sites.c"))
            fr = [f for f in c["stack"] if f["function"] == "flush_logs"]
            self.assertTrue(fr, c["stack"])
            for key in ("addr", "object", "object_offset", "function", "offset", "file", "line"):
                self.assertIn(key, fr[0])
            self.assertTrue(fr[0]["object"].endswith("/stack_sites"))
            self.assertEqual(c["stack"][0]["function"], "fsync", c["stack"])

    def test_csv(self):
        self.need_unwinder()
        out = os.path.join(self.tmp, "t.csv")
        r = run_scry(["-o", out] + self.ARGS + [self.sites(), "1"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.reader(open(out, newline="")))
        self.assertEqual(rows[0][-1], "source")
        self.assertEqual(rows[0][:8], ["ts", "pid", "tid", "syscall", "arguments", "result", "errno",
                                       "duration_us"])
        calls = [r for r in rows[1:] if r[3] == "fsync"]
        self.assertEqual(len(calls), 3)
        self.assertRegex(calls[2][-1], r"stack_sites\.c:%d in rotate_logs$" % site_line("fsync_b"))

    def test_sqlite_and_report(self):
        self.need_unwinder()
        db = os.path.join(self.tmp, "t.db")
        r = run_scry(["--format", "sqlite", "-o", db, "-k"] + self.ARGS + [self.sites(), "3"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        con = sqlite3.connect(db)
        ids = [x[0] for x in con.execute("select stack_id from syscalls where name='fsync' order by id")]
        self.assertEqual(len(ids), 9)
        # flush_logs is called from two lines of round_once: two stacks
        # there, rotate_logs one.  (libc's fsync takes another path once
        # the process has had a thread: the first round's stacks differ in
        # their innermost frame from the later rounds', which are equal.)
        self.assertEqual(ids[3:6], ids[6:9])
        self.assertEqual(len(set(ids[3:])), 3)
        self.assertTrue(all(ids))
        n_frames = con.execute("select count(*) from frames").fetchone()[0]
        n_links = con.execute("select count(*) from stack_frames").fetchone()[0]
        self.assertLess(n_frames, n_links)   # shared frames stored once
        src = con.execute("select file, line, function from syscall_sources where name='fsync' "
                          "order by syscall_id").fetchall()
        self.assertEqual([(os.path.basename(f), l, fn) for f, l, fn in src][:3],
                         [("stack_sites.c", site_line("fsync_a"), "flush_logs")] * 2 +
                         [("stack_sites.c", site_line("fsync_b"), "rotate_logs")])
        con.close()
        rep = run_scry(["report", "--source", "-k", db])
        self.assertEqual(rep.returncode, 0, rep.stderr)
        lines = rep.stdout.splitlines()
        fl = [i for i, l in enumerate(lines) if re.match(r"(\[pid\s+\d+\] )?fsync\(", l)]
        self.assertEqual(len(fl), 9)
        self.assertRegex(lines[fl[0]], source_rx("stack_sites.c", site_line("fsync_a"), "flush_logs"))
        self.assertIn("flush_logs", [f[1] for f in frames_after(lines, fl[0])])
        rep = run_scry(["report", "-c", "--source", db])
        self.assertIn("System Calls by Call Site", rep.stdout)
        self.assertRegex(rep.stdout, r"(?m)^fsync\s+6\s.*stack_sites\.c:%d in flush_logs$" % site_line("fsync_a"))
        # converted to JSON, the summary has the rows by call site too
        js = os.path.join(self.tmp, "r.json")
        rep = run_scry(["report", "-c", "--source", "--format", "json", "-o", js, db])
        self.assertEqual(rep.returncode, 0, rep.stderr)
        rows = {(x["syscall"], re.sub(r"^.*/", "", x["call_site"])): x["calls"]
                for x in json.load(open(js))["summary"]["call_sites"]}
        self.assertEqual(rows, {
            ("fsync", "stack_sites.c:%d in flush_logs" % site_line("fsync_a")): 6,
            ("fsync", "stack_sites.c:%d in rotate_logs" % site_line("fsync_b")): 3,
        })

    def test_chrome(self):
        self.need_unwinder()
        out = os.path.join(self.tmp, "t.json")
        r = run_scry(["--format", "chrome", "-o", out] + self.ARGS + [self.sites(), "1"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = [e for e in json.load(open(out))["traceEvents"] if e.get("name") == "fsync"]
        self.assertEqual(len(ev), 3)
        self.assertRegex(ev[0]["args"]["source"], r"stack_sites\.c:%d in flush_logs$" % site_line("fsync_a"))


def built(name):
    """build/progs/NAME, built by make (the unwinder's targets are not
    compiled by helpers.prog)."""
    path = os.path.join(BUILD, "progs", name)
    if not os.access(path, os.X_OK):
        raise AssertionError("%s not built (make builds it)" % path)
    return path


def build_id(path):
    """The GNU build-id of path as readelf -n prints it."""
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    if not m:
        raise AssertionError("%s has no build-id:\n%s" % (path, out))
    return m.group(1)


class NoDebugInfo(StackTest):
    """An object without debug info is said once, not per line (issue 13:
    "say 'no debug info' once per object")."""
    CALLS = ["-f", "-e", "trace=getppid,getpgrp,getsid,umask"]

    def notices(self, text):
        return [l for l in text.splitlines() if l.startswith("scry: ") and "no debug info" in l]

    def test_once_per_object(self):
        self.need_unwinder()
        exe = built("stack_main_nodebug")
        r = run_scry(["--source"] + self.CALLS + [exe], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        # four calls whose stacks all hold the program's frames (main)
        self.assertEqual(len(re.findall(r"(?m)^(\[pid\s+\d+\] )?(getppid|getpgrp|getsid|umask)\(", r.stderr)),
                         4, r.stderr)
        said = self.notices(r.stderr)
        self.assertEqual([l for l in said if exe in l],
                         ["scry: %s: no debug info (build-id %s): its frames have no source lines "
                          "(build it with -g, or install its debug symbols)" % (exe, build_id(exe))], r.stderr)
        # the libraries beside it have lines: not said
        self.assertFalse([l for l in said if "libstack" in l], r.stderr)
        # -qq: quiet
        r = run_scry(["--source", "-qq"] + self.CALLS + [exe], timeout=T(30))
        self.assertEqual(self.notices(r.stderr), [], r.stderr)
        # -k alone shows no lines: nothing is missing
        r = run_scry(["-k"] + self.CALLS + [exe], timeout=T(30))
        self.assertEqual(self.notices(r.stderr), [], r.stderr)

    def test_separate_debug_file(self):
        """A program stripped of its DWARF, with its debug file beside it
        (.debug/NAME.debug, named by .gnu_debuglink, as distributions
        install them): lines come from the debug file and nothing is said;
        without the file the line names the build-id to fetch it by."""
        self.need_unwinder()
        exe = os.path.join(self.tmp, "stack_main")
        for f in ("stack_main", "libstacklib.so", "libstackplugin.so"):
            shutil.copy(built(f), os.path.join(self.tmp, f))
        os.mkdir(os.path.join(self.tmp, ".debug"))
        dbg = os.path.join(self.tmp, ".debug", "stack_main.debug")
        for cmd in (["objcopy", "--only-keep-debug", exe, dbg], ["strip", "-g", exe],
                    ["objcopy", "--add-gnu-debuglink=" + dbg, exe]):
            if not shutil.which(cmd[0]):
                self.skipTest("%s not installed" % cmd[0])
            subprocess.run(cmd, check=True, timeout=T(30))
        main_src = os.path.join(ROOT, "tests", "progs", "stack_main.c")
        want = source_rx("stack_main.c", site_line(None, main_src, "STACK:umask */"), "thread_fn")
        r = run_scry(["--source", "-f", "-e", "trace=umask", exe], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue([l for l in r.stderr.splitlines() if "umask(" in l and want.search(l)], r.stderr)
        self.assertEqual([l for l in self.notices(r.stderr) if exe in l], [], r.stderr)
        os.unlink(dbg)
        r = run_scry(["--source", "-f", "-e", "trace=umask", exe], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse([l for l in r.stderr.splitlines() if "umask(" in l and want.search(l)], r.stderr)
        self.assertEqual([l for l in self.notices(r.stderr) if exe in l],
                         ["scry: %s: no debug info (build-id %s): its frames have no source lines "
                          "(build it with -g, or install its debug symbols)" % (exe, build_id(exe))], r.stderr)

    def test_not_said_with_debug_info(self):
        self.need_unwinder()
        r = run_scry(["--source"] + self.CALLS + [built("stack_main")], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse([l for l in self.notices(r.stderr) if "stack_main" in l], r.stderr)


class Remapped(StackTest):
    """Code mapped where a known module was: stack_remap dlcloses library A
    and dlopens B, which the loader maps at A's address; B's call must be
    named B, not A (issue 13: "processes that mmap and munmap code")."""

    def libs(self):
        a, b = os.path.join(self.tmp, "libA.so"), os.path.join(self.tmp, "libB.so")
        for p in (a, b):
            shutil.copy(built("libstackplugin.so"), p)
        return a, b

    def check(self, extra):
        self.need_unwinder()
        a, b = self.libs()
        r = run_scry(["-k", "-e", "trace=getsid"] + extra + [prog("stack_remap"), a, b], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "same", "the loader put B elsewhere: nothing to test")
        lines = r.stderr.splitlines()
        calls = [i for i, l in enumerate(lines) if re.match(r"(\[pid\s+\d+\] )?getsid\(", l)]
        self.assertEqual(len(calls), 2, r.stderr)
        objs = [[f[0] for f in frames_after(lines, i) if f[1] == "plugin_inner"] for i in calls]
        self.assertEqual(objs, [[a], [b]], r.stderr)

    def test_seccomp_launch(self):
        # the seccomp filter lets munmap and mmap stop too
        self.check([])

    def test_every_call_stops(self):
        self.check(["--no-seccomp", "-f"])

    def test_bpf(self):
        """Under bpf the kernel sends the mappings again after the dlclose
        and dlopen (mm changed, code mappings differ): B's call is B's."""
        if os.geteuid() != 0:
            self.skipTest("bpf needs root")
        self.check(["--backend", "bpf"])


class Jit(StackTest):
    """Code a JIT made, in an anonymous executable mapping, named in
    /tmp/perf-PID.map (perf's convention): the frame is named from the map
    (issue 13's bad input "a JIT region"; issue 14's symbolization).  Before,
    it was "?" with no object."""

    def test_jit_frame_named_from_the_perf_map(self):
        self.need_unwinder()
        r = run_scry(["-k", "-e", "trace=getppid", prog("jit_calls"), "calls", "3"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        calls = [i for i, l in enumerate(lines) if l.startswith("getppid(")]
        self.assertEqual(len(calls), 6, r.stderr)     # 3 from the JIT, 3 from libc
        jit = [frames_after(lines, i)[0] for i in calls if frames_after(lines, i)[0][1] == "jit_getppid"]
        self.assertEqual(len(jit), 3, r.stderr)
        for obj, fn, off, _ in jit:
            self.assertRegex(obj, r"^/tmp/perf-\d+\.map$", r.stderr)
            self.assertEqual(int(off, 16), 7, r.stderr)     # after mov and syscall
        self.assertFalse(os.path.exists(jit[0][0]), "jit_calls left its map behind")


class StructuredSummaries(StackTest):
    """-c --source / --by-function in JSON, JSONL and CSV carry the rows by
    call site and by function, as the text summary does."""
    CALLS = ["-e", "trace=fsync,getppid"]

    def want_sites(self):
        return {
            ("fsync", "stack_sites.c:%d in flush_logs" % site_line("fsync_a")): 4,
            ("fsync", "stack_sites.c:%d in rotate_logs" % site_line("fsync_b")): 2,
            ("getppid", "stack_sites.c:%d in depth" % site_line("getppid")): 2,
        }

    def test_json_call_sites(self):
        self.need_unwinder()
        out = os.path.join(self.tmp, "s.json")
        r = run_scry(["--source", "-c", "--format", "json", "-o", out] + self.CALLS + [self.sites(), "2"],
                     timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        summ = json.load(open(out))["summary"]
        self.assertEqual(summ["total"]["calls"], 8)
        got = {(row["syscall"], re.sub(r"^.*/", "", row["call_site"])): row["calls"]
               for row in summ["call_sites"]}
        self.assertEqual(got, self.want_sites(), summ["call_sites"])
        self.assertNotIn("functions", summ)
        for row in summ["call_sites"]:
            self.assertLessEqual(row["p50_ns"], row["max_ns"])
        # sorted by time
        tot = [row["total_ns"] for row in summ["call_sites"]]
        self.assertEqual(tot, sorted(tot, reverse=True))

    def test_jsonl_both(self):
        self.need_unwinder()
        out = os.path.join(self.tmp, "s.jsonl")
        r = run_scry(["--source", "--by-function", "-c", "--format", "jsonl", "-o", out] + self.CALLS +
                     [self.sites(), "2"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        summ = [x for x in map(json.loads, open(out)) if x.get("type") == "summary"]
        self.assertEqual(len(summ), 1, open(out).read())
        got = {(row["syscall"], re.sub(r"^.*/", "", row["call_site"])): row["calls"]
               for row in summ[0]["call_sites"]}
        self.assertEqual(got, self.want_sites())
        fns = {row["function"]: row for row in summ[0]["functions"]}
        self.assertEqual(fns["flush_logs"]["calls"], 4)
        self.assertEqual(fns["depth"]["calls"], 2)
        self.assertEqual(fns["main"]["calls"], 8)
        self.assertTrue(fns["main"]["object"].endswith("/stack_sites"))
        self.assertEqual(fns["main"]["percent"], 100.0)

    def test_csv_by_function(self):
        self.need_unwinder()
        out = os.path.join(self.tmp, "s.csv")
        r = run_scry(["--by-function", "-o", out, "--format", "csv"] + self.CALLS + [self.sites(), "3"],
                     timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.reader(open(out, newline="")))
        self.assertEqual(rows[0], ["kind", "name", "where", "calls", "errors", "total_us", "avg_us",
                                   "p50_us", "p90_us", "p99_us", "max_us", "percent"])
        fns = {x[1]: x for x in rows[1:] if x[2].endswith("/stack_sites")}
        self.assertTrue(all(x[0] == "function" for x in rows[1:]), rows)
        self.assertEqual(int(fns["flush_logs"][3]), 6)
        self.assertEqual(int(fns["rotate_logs"][3]), 3)
        self.assertEqual(int(fns["round_once"][3]), 12)
        # --source -c: rows by call site
        r = run_scry(["--source", "-c", "-o", out, "--format", "csv"] + self.CALLS + [self.sites(), "2"],
                     timeout=T(30))
        rows = list(csv.reader(open(out, newline="")))
        got = {(x[1], re.sub(r"^.*/", "", x[2])): int(x[3]) for x in rows[1:] if x[0] == "call_site"}
        self.assertEqual(got, self.want_sites(), rows)


class Inlined(StackTest):
    """A call made from a function inlined into another: --source names the
    inlined function and its line; -k shows the physical frames only, as
    strace; JSON has the whole chain, each inlined frame marked."""
    MAIN_SRC = os.path.join(ROOT, "tests", "progs", "stack_main.c")

    def mark(self, what):
        return site_line(None, self.MAIN_SRC, marker="STACK:%s */" % what)

    def test_source_and_k(self):
        self.need_unwinder()
        r = run_scry(["-k", "--source", "-e", "trace=getpgid", built("stack_main")], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        i = next(i for i, l in enumerate(lines) if l.startswith("getpgid("))
        self.assertRegex(lines[i], source_rx("stack_main.c", self.mark("getpgid"), "inl_leaf"))
        funcs = [f[1] for f in frames_after(lines, i)]
        self.assertEqual(funcs[1:3], ["inl_outer", "main"], r.stderr)

    def test_json_chain(self):
        self.need_unwinder()
        out = os.path.join(self.tmp, "t.json")
        r = run_scry(["--format", "json", "-o", out, "--source", "-e", "trace=getpgid", built("stack_main")],
                     timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.load(open(out))["syscalls"][0]
        self.assertEqual(c["source"]["function"], "inl_leaf")
        self.assertEqual(c["source"]["line"], self.mark("getpgid"))
        own = [(f["function"], f["line"], f.get("inlined", False)) for f in c["stack"]
               if f["object"] and f["object"].endswith("/stack_main")][:4]
        self.assertEqual(own, [("inl_leaf", self.mark("getpgid"), True),
                               ("inl_mid", self.mark("inl_leaf"), True),
                               ("inl_outer", self.mark("inl_mid"), False),
                               ("main", own[3][1], False)], c["stack"])


class ChildrenAndExec(StackTest):
    """-f with children that exec other images (each its own modules), and
    an attached process that execs: every call is named from its image."""
    MAIN_SRC = os.path.join(ROOT, "tests", "progs", "stack_main.c")
    EXEC_SRC = os.path.join(ROOT, "tests", "progs", "stack_exec.c")

    def expect(self):
        return [
            source_rx("stack_main.c", site_line(None, self.MAIN_SRC, "STACK:getppid */"), "inner_static"),
            source_rx("stack_main.c", site_line(None, self.MAIN_SRC, "STACK:umask */"), "thread_fn"),
            source_rx("stack_exec.c", site_line(None, self.EXEC_SRC, "STACK:getuid */"), "after_exec"),
        ]

    def test_follow_forks_and_exec(self):
        self.need_unwinder()
        sh = "%s 1 & %s exec %s; wait" % (self.sites(), built("stack_main"), built("stack_exec"))
        r = run_scry(["--source", "-f", "-e", "trace=fsync,getppid,umask,getuid", "sh", "-c", sh],
                     timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        # (a call cut by another's line is completed by its resumed line)
        lines = [l for l in r.stderr.splitlines() if l.startswith("[pid ") and not l.endswith("<unfinished ...>")]
        want = self.expect() + [
            source_rx("stack_sites.c", site_line("fsync_a"), "flush_logs"),
            source_rx("stack_sites.c", site_line("fsync_b"), "rotate_logs"),
            source_rx("stack_sites.c", site_line("getppid"), "depth"),
        ]
        for rx in want:
            self.assertTrue(any(rx.search(l) for l in lines), "%s\n%s" % (rx.pattern, r.stderr))
        # nothing of ours named from another image
        for l in lines:
            if "in after_exec]" in l:
                self.assertRegex(l, r"getuid( resumed>)?\(?\)")
            if "stack_main.c:" in l:
                self.assertNotIn("getuid", l)

    def test_attached_then_exec(self):
        self.need_unwinder()
        flag = os.path.join(self.tmp, "go")
        sh = "while [ ! -e %s ]; do sleep 0.02; done; exec %s exec %s" % (
            flag, built("stack_main"), built("stack_exec"))
        t = self.spawn(["sh", "-c", sh], name="sh")
        out = os.path.join(self.tmp, "trace")
        s = self.attach(t.pid, ["--source", "-f", "-e", "trace=getppid,umask,getuid", "-o", out])
        open(flag, "w").close()
        self.assertEqual(t.wait(T(20)), 0)
        self.assertEqual(s.wait(T(20)), 0, s.err())
        text = open(out).read()
        for rx in self.expect():
            self.assertTrue(any(rx.search(l) for l in text.splitlines()), "%s\n%s" % (rx.pattern, text))


def dynsym(obj, cache={}):
    """{name: address} of obj's .dynsym functions (what strace -k's
    libunwind names frames by), from nm -D; {} when nm is missing."""
    if obj not in cache:
        cache[obj] = {}
        try:
            out = subprocess.run(["nm", "-D", "--defined-only", obj], capture_output=True, text=True).stdout
        except OSError:
            out = ""
        for l in out.splitlines():
            p = l.split()
            if len(p) == 3 and p[1] in "TtWwIi":
                cache[obj][p[2].split("@")[0]] = int(p[0], 16)
    return cache[obj]


class RealProgramsDifferential(StackTest):
    """scry -k against strace -k on real programs (issue 13's fidelity
    corpus): the same calls, the same frames (objects and file offsets
    exactly), and the same function names except where strace cannot know
    them: a static function missing from .dynsym, which strace names after
    the .dynsym symbol before it, and aliases at one address (open,
    __open64), which both name rightly."""
    CALLS = "openat,read,write,close,getppid,fstat,newfstatat"
    PROGRAMS = [
        ["ls", "-l", "/"],
        ["cat", "/etc/hostname"],
        ["sort", "/etc/passwd"],
        ["sh", "-c", "echo hi > /dev/null"],
        ["python3", "-S", "-c", "import os; os.getppid(); open('/etc/hostname').read()"],
    ]

    @staticmethod
    def stacks(text, names):
        out, cur = [], None
        for l in text.splitlines():
            m = FRAME.match(l)
            if m:
                if cur is not None:
                    cur[1].append((m.group(1), m.group(2) or None, m.group(4)))
                continue
            mm = re.match(r"(\w+)\(", l)
            cur = (mm.group(1), []) if mm and mm.group(1) in names else None
            if cur:
                out.append(cur)
        return out

    def test_corpus(self):
        self.need_unwinder()
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        names = self.CALLS.split(",")
        env = dict(os.environ, PYTHONHASHSEED="0", LC_ALL="C")
        n = dict(frames=0, objects=0, offsets=0, named=0, same=0, strace_wrong=0, alias=0)
        bad = []
        for argv in self.PROGRAMS:
            if not shutil.which(argv[0]):
                continue
            ref = run(["strace", "-k", "-qq", "-e", "trace=" + self.CALLS, "--"] + argv, timeout=T(60), env=env)
            got = run_scry(["-k", "-qq", "-e", "trace=" + self.CALLS, "--"] + argv, timeout=T(60), env=env)
            self.assertEqual(got.returncode, ref.returncode, got.stderr[-2000:])
            w, h = self.stacks(ref.stderr, names), self.stacks(got.stderr, names)
            self.assertEqual([x[0] for x in w], [x[0] for x in h], argv)
            self.assertGreater(len(w), 0, argv)
            for (call, fw), (_, fh) in zip(w, h):
                self.assertEqual(len(fw), len(fh), (argv, call, fw, fh))
                for a, b in zip(fw, fh):
                    n["frames"] += 1
                    same_obj = os.path.realpath(a[0] or "?") == os.path.realpath(b[0] or "?")
                    n["objects"] += same_obj
                    n["offsets"] += a[2] == b[2]
                    if not (same_obj and a[1] and b[1]):
                        continue
                    n["named"] += 1
                    if a[1] == b[1]:
                        n["same"] += 1
                        continue
                    syms = dynsym(os.path.realpath(a[0]))
                    if b[1] not in syms:
                        n["strace_wrong"] += 1      # static: strace took the .dynsym one before
                    elif a[1] in syms and syms[a[1]] == syms[b[1]]:
                        n["alias"] += 1
                    else:
                        bad.append((argv[0], call, a, b))
        self.assertGreater(n["frames"], 500)
        agree = 100.0 * (n["same"] + n["alias"]) / max(1, n["named"] - n["strace_wrong"])
        print("\n  strace -k differential: %d frames, objects %.1f%%, offsets %.1f%%, names %.1f%% "
              "(%d equal, %d aliases, %d static functions strace misnames, %d other)" % (
                  n["frames"], 100.0 * n["objects"] / n["frames"], 100.0 * n["offsets"] / n["frames"],
                  agree, n["same"], n["alias"], n["strace_wrong"], len(bad)))
        self.assertEqual(n["objects"], n["frames"])
        self.assertEqual(n["offsets"], n["frames"])
        self.assertEqual(bad, [])
