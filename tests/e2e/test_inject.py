"""Fault injection (-e inject=, -e fault=; issue 18): each injection is
checked from inside the target (tests/progs/inject.c reports what its calls
returned) and in scry's output, and against strace on the same program."""

import json
import os
import re
import shutil

from helpers import ScryTest, T, SCRY, prog, run, run_scry, syscall_lines
from test_strace_diff import call_sequence

# The issue's cases, plus a poke: openat fails on its 3rd call with ENOSPC,
# the program's write returns 42, nanosleep is delayed by 100 ms, the 2nd
# getpid brings SIGUSR1, read's buffer is overwritten after the call.
ISSUE = ["-e", "inject=openat:error=ENOSPC:when=3",
         "-e", "inject=write:retval=42:when=1",
         "-e", "inject=nanosleep:delay_enter=100ms",
         "-e", "inject=getpid:signal=SIGUSR1:when=2",
         "-e", "inject=read:poke_exit=@arg2=41424344:when=2"]
TRACE = ["-e", "trace=openat,write,nanosleep,getpid,read"]


def report(stdout):
    """The target's own report: {"write": "42", "openat /dev/null": "-28", ...}."""
    out = {}
    for line in stdout.splitlines():
        k, _, v = line.rpartition("=")
        out[k] = v
    return out


def normalize(text):
    """strace text with run-to-run differences (pids, addresses) masked."""
    text = re.sub(r"^(getpid\(\)\s+= )\d+", r"\1PID", text, flags=re.M)
    text = re.sub(r"0x[0-9a-f]+", "ADDR", text)
    text = re.sub(r"si_pid=\d+", "si_pid=PID", text)
    return [l for l in text.splitlines() if not l.startswith(("+++", "strace: "))]


class Inject(ScryTest):
    maxDiff = None

    def check_program(self, out):
        """What the target saw: each injection happened, once."""
        r = report(out)
        failed = {k: v for k, v in r.items() if k.startswith("openat ") and v != "3"}
        self.assertEqual(list(failed.values()), ["-28"], out)       # -ENOSPC, once
        self.assertEqual(r["write"], "42", out)
        self.assertGreaterEqual(float(r["nanosleep_ms"]), 100.0, out)
        self.assertEqual(r["getpid 1 usr1"], "0", out)
        self.assertEqual(r["getpid 2 usr1"], "1", out)
        self.assertIn("read=4 buf=", out)
        return next(iter(failed))[len("openat "):]

    def test_issue_cases(self):
        r = run_scry(TRACE + ISSUE + [prog("inject")], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("buf=41424344", r.stdout)
        path = self.check_program(r.stdout)
        # scry marks each one as strace does
        opens = syscall_lines(r.stderr, "openat")
        self.assertTrue(opens[2].startswith('openat(AT_FDCWD, "%s", ' % path), opens)
        self.assertTrue(opens[2].endswith("= -1 ENOSPC (No space left on device) (INJECTED)"), opens)
        self.assertEqual([l for l in opens if "INJECTED" in l], [opens[2]])
        writes = [l for l in syscall_lines(r.stderr, "write") if '"hello"' in l]
        self.assertEqual(len(writes), 1, r.stderr)
        self.assertTrue(writes[0].endswith("= 42 (INJECTED)"), writes)
        sleeps = syscall_lines(r.stderr, "nanosleep")
        self.assertEqual(len(sleeps), 1, r.stderr)
        self.assertTrue(sleeps[0].endswith("= 0 (DELAYED)"), sleeps)
        lines = r.stderr.splitlines()
        pids = [i for i, l in enumerate(lines) if l.startswith("getpid()")]
        self.assertEqual(len(pids), 2, r.stderr)
        self.assertNotIn("INJECTED", lines[pids[1]])        # signal= marks nothing
        self.assertTrue(lines[pids[1] + 1].startswith("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL}"),
                        r.stderr)
        self.assertNotIn("SIGUSR1", "\n".join(lines[:pids[1]]))
        self.assertIn('read(3, "ABCD", 4)', r.stderr)
        self.assertIn('= 4 (INJECTED: args)', r.stderr)

    def test_untraced_calls_injected_not_shown(self):
        """-e trace=openat: a filtered launch, whose seccomp filter must stop
        the calls to tamper with too; they are tampered with, not shown."""
        args = [a for a in ISSUE if "signal=" not in a]
        args = [x for i, x in enumerate(args) if not (x == "-e" and i + 1 < len(args) and args[i + 1] == "-e")]
        r = run_scry(["-v", "-e", "trace=openat"] + args + [prog("inject")], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = report(r.stdout)
        self.assertEqual(rep["write"], "42", r.stdout)
        self.assertGreaterEqual(float(rep["nanosleep_ms"]), 100.0, r.stdout)
        self.assertIn("buf=41424344", r.stdout)
        self.assertIn("ENOSPC (No space left on device) (INJECTED)", r.stderr)
        for name in ("write", "nanosleep", "read", "getpid"):
            self.assertEqual(syscall_lines(r.stderr, name), [], r.stderr)

    def test_no_seccomp_same(self):
        r = run_scry(["--no-seccomp"] + TRACE + ISSUE + [prog("inject")], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_program(r.stdout)

    def test_against_strace(self):
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        argv = TRACE + ISSUE + [prog("inject")]
        ref = run(["strace"] + argv, timeout=T(20))
        got = run_scry(argv, timeout=T(20))
        self.assertEqual(got.returncode, ref.returncode, got.stderr)
        self.assertEqual(report(got.stdout).keys(), report(ref.stdout).keys())
        self.assertEqual(call_sequence(got.stderr), call_sequence(ref.stderr))
        self.assertEqual(normalize(got.stderr), normalize(ref.stderr))

    def test_retval_warnings_as_strace(self):
        """A retval= that reads as an error, or is clipped for 32-bit
        calls: strace's warning, once per rule, and the call still runs."""
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        rules = ["-e", "inject=getpid:retval=-1", "-e", "inject=getppid:retval=-4095:when=2",
                 "-e", "inject=gettid:retval=4294967295", "-e", "inject=getuid:retval=5000000000",
                 "-e", "inject=getgid:retval=-5000", "-e", "inject=geteuid:retval=7",
                 "-e", "inject=getegid:retval=-1"]
        ref = run(["strace", "-o", os.devnull] + rules + ["true"], timeout=T(20))
        got = run_scry(["-o", os.devnull] + rules + ["true"], timeout=T(20))
        self.assertEqual(got.returncode, 0, got.stderr)
        want = [l.replace("strace: ", "scry: ", 1) for l in ref.stderr.splitlines()]
        self.assertEqual(len(want), 6, ref.stderr)
        self.assertEqual(got.stderr.splitlines(), want)

    def test_fault_when_per_process(self):
        """fault= defaults to ENOSYS; when= counts per tracee (strace)."""
        p = prog("inject")
        argv = ["-f", "-e", "trace=getpid", "-e", "fault=getpid:when=2+", "sh", "-c", "%s; %s" % (p, p)]
        r = run_scry(argv, timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        per_pid = {}
        for line in syscall_lines(r.stderr, "getpid"):
            m = re.match(r"^(?:\[pid\s+(\d+)\] )?getpid\(\)\s+= (.*)$", line)
            per_pid.setdefault(m.group(1), []).append(m.group(2))
        self.assertGreaterEqual(len(per_pid), 2, r.stderr)
        for pid, results in per_pid.items():
            self.assertNotIn("INJECTED", results[0], r.stderr)
            for res in results[1:]:
                self.assertEqual(res, "-1 ENOSYS (Function not implemented) (INJECTED)", r.stderr)
        if shutil.which("strace"):
            ref = run(["strace"] + argv, timeout=T(20))
            def getpids(text):
                return [l for l in normalize(re.sub(r"\[pid\s+\d+\] ", "", text)) if l.startswith("getpid")]
            self.assertEqual(getpids(r.stderr), getpids(ref.stderr))

    def test_delay_holds_one_thread_only(self):
        """While one thread is delayed, the others are traced on (the loop
        is not blocked): the main thread's getuid calls come in between."""
        r = run_scry(["-e", "trace=getppid,getuid", "-e", "inject=getppid:delay_enter=1s",
                      prog("inject"), "threads"], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        start = next(i for i, l in enumerate(lines) if "getppid(" in l)
        end = next(i for i, l in enumerate(lines) if "getppid resumed" in l or
                   ("getppid(" in l and "DELAYED" in l))
        self.assertIn("(DELAYED)", lines[end])
        between = [l for l in lines[start + 1:end] if "getuid()" in l]
        self.assertGreater(len(between), 2, "\n".join(lines[start:end + 1])[-2000:])

    def test_structured_outputs(self):
        db = os.path.join(self.tmp, "t.db")
        jl = os.path.join(self.tmp, "t.jsonl")
        for out in (db, jl):
            r = run_scry(["-o", out, "-e", "trace=getpid,read", "-e", "inject=getpid:error=EPERM:when=1",
                          "-e", "inject=read:poke_exit=@arg2=41:delay_exit=1ms:when=2", prog("inject")],
                         timeout=T(20))
            self.assertEqual(r.returncode, 0, r.stderr)
        calls = [json.loads(l) for l in open(jl) if '"syscall"' in l]
        inj = [(c["name"], c["injected"]) for c in calls if "injected" in c]
        self.assertEqual(inj, [("getpid", ["result"]), ("read", ["args", "delay"])])
        self.assertEqual(sum(1 for c in calls if c["name"] == "getpid" and "injected" not in c), 1)
        import sqlite3
        con = sqlite3.connect(db)
        rows = con.execute("SELECT name, injected, ret_text FROM syscalls WHERE injected IS NOT NULL"
                           " ORDER BY id").fetchall()
        con.close()
        self.assertEqual(rows, [("getpid", "result", "-1 EPERM (Operation not permitted) (INJECTED)"),
                                ("read", "args,delay", "4 (INJECTED: args) (DELAYED)")])
        rep = run_scry(["report", db])
        self.assertIn("= -1 EPERM (Operation not permitted) (INJECTED)", rep.stdout)

    def test_csv_injected_column(self):
        """CSV: an injected column at the end, only when -e inject= is given."""
        import csv
        path = os.path.join(self.tmp, "t.csv")
        r = run_scry(["-o", path, "-e", "trace=getpid,read", "-e", "inject=getpid:error=EPERM:when=1",
                      "-e", "inject=read:poke_exit=@arg2=41:delay_exit=1ms:when=2", prog("inject")],
                     timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.reader(open(path, newline="")))
        self.assertEqual(rows[0], ["ts", "pid", "tid", "syscall", "arguments", "result", "errno",
                                   "duration_us", "injected"])
        self.assertTrue(all(len(row) == 9 for row in rows), rows)
        inj = [(row[3], row[5], row[6], row[8]) for row in rows[1:] if row[8]]
        self.assertEqual(inj, [("getpid", "-1", "EPERM", "result"), ("read", "4", "", "args,delay")])
        self.assertEqual(sum(1 for row in rows if row[3] == "getpid" and not row[8]), 1)
        self.assertIn("<exit>", [row[3] for row in rows])      # process events: the column empty
        # without -e inject= the columns stay as they were
        r = run_scry(["-o", path, "-e", "trace=getpid", prog("inject")], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.reader(open(path, newline="")))
        self.assertEqual(rows[0][-1], "duration_us")
        self.assertTrue(all(len(row) == 8 for row in rows), rows)

    def test_report_keeps_injected(self):
        """scry report DB --format csv/jsonl/sqlite/text: what was injected
        comes through, and the text marks are not doubled."""
        import csv
        import sqlite3
        db = os.path.join(self.tmp, "t.db")
        r = run_scry(["-o", db, "-e", "trace=getpid,read", "-e", "inject=getpid:error=EPERM:when=1",
                      "-e", "inject=read:poke_exit=@arg2=41:delay_exit=1ms:when=2", prog("inject")],
                     timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(self.tmp, "r.csv")
        r = run_scry(["report", db, "--format", "csv", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.reader(open(out, newline="")))
        self.assertEqual(rows[0][-1], "injected")
        self.assertEqual([(row[3], row[-1]) for row in rows[1:] if row[-1]],
                         [("getpid", "result"), ("read", "args,delay")])
        r = run_scry(["report", db, "--format", "jsonl"])
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = [json.loads(l) for l in r.stdout.splitlines() if '"syscall"' in l]
        self.assertEqual([(c["name"], c["injected"]) for c in calls if "injected" in c],
                         [("getpid", ["result"]), ("read", ["args", "delay"])])
        r = run_scry(["report", db])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("(INJECTED)"), 1, r.stdout)
        self.assertEqual(r.stdout.count("(INJECTED: args) (DELAYED)"), 1, r.stdout)
        self.assertNotIn("(DELAYED) (INJECTED", r.stdout)
        db2 = os.path.join(self.tmp, "r.db")
        r = run_scry(["report", db, "--format", "sqlite", "-o", db2])
        self.assertEqual(r.returncode, 0, r.stderr)
        con = sqlite3.connect(db2)
        rows = con.execute("SELECT name, injected, ret_text FROM syscalls WHERE injected IS NOT NULL"
                           " ORDER BY id").fetchall()
        con.close()
        self.assertEqual(rows, [("getpid", "result", "-1 EPERM (Operation not permitted) (INJECTED)"),
                                ("read", "args,delay", "4 (INJECTED: args) (DELAYED)")])

    def test_bpf_refused(self):
        marker = os.path.join(self.tmp, "ran")
        for backend in ("bpf",):
            r = run_scry(["--backend", backend, "-e", "inject=getpid:error=EPERM", "touch", marker])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertIn("needs the ptrace backend", r.stderr)
        self.assertFalse(os.path.exists(marker))

    def test_auto_chooses_ptrace(self):
        """-c alone would count with bpf; with injection it must be ptrace."""
        r = run_scry(["-c", "-v", "-e", "fault=getpid:when=1", prog("inject")], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("backend: ptrace", r.stderr)
        self.assertRegex(r.stderr, r"\ngetpid\s+2\s+1\s")


BAD = [
    ("inject=getpid", "nothing to inject"),
    ("inject=getpid:error=ENOFOO", "unknown errno 'ENOFOO'"),
    ("inject=getpid:error=0", "out of range"),
    ("inject=getpid:error=4096", "out of range"),
    ("inject=getpid:retval=x", "retval=x"),
    ("inject=getpid:error=EPERM:retval=1", "at most one of them"),
    ("inject=getpid:signal=SIGFOO", "unknown signal 'SIGFOO'"),
    ("inject=getpid:signal=0", "unknown signal '0'"),
    ("inject=getpid:signal=SIGUSR1:signal=SIGUSR2", "signal= given more than once"),
    ("inject=getpid:error=EPERM:when=0", "invalid when=0"),
    ("inject=getpid:error=EPERM:when=3..2", "invalid when=3..2"),
    ("inject=getpid:error=EPERM:when=x", "invalid when=x"),
    ("inject=getpid:error=EPERM:when=1+0", "invalid when=1+0"),
    ("inject=getpid:error=EPERM:when=65536", "invalid when=65536"),
    ("inject=getpid:error=EPERM:when=1..65535", "invalid when=1..65535"),
    ("inject=getpid:delay_enter=x", "invalid delay_enter=x"),
    ("inject=getpid:delay_exit=-1", "invalid delay_exit=-1"),
    ("inject=getpid:delay_enter=5min", "invalid delay_enter=5min"),
    ("inject=getpid:syscall=openat:error=EPERM", "side effects"),
    ("inject=getpid:syscall=nosuch:error=EPERM", "unknown syscall 'nosuch' in syscall="),
    ("inject=getpid:syscall=gettid", "syscall= needs error= or retval="),
    ("inject=read:poke_enter=@arg9=00", "invalid poke_enter item '@arg9=00'"),
    ("inject=read:poke_enter=arg1=00", "invalid poke_enter item"),
    ("inject=read:poke_enter=@arg1=0", "not whole bytes"),
    ("inject=read:poke_exit=@arg1=zz", "not hex"),
    ("inject=getpid:foo=1", "unknown option 'foo='"),
    ("inject=getpid:error", "'error' is not KEY=VALUE"),
    ("inject=nosuch:error=EPERM", "unknown syscall 'nosuch' in -e inject=nosuch"),
    ("inject=getpdi:error=EPERM", "unknown syscall 'getpdi' in -e inject=getpdi (did you mean 'getpid'?)"),
    ("inject=:error=EPERM", "no syscall set"),
    ("fault=getpid:retval=1", "fault= takes only error= and when="),
    ("fault=getpid:signal=SIGUSR1", "fault= takes only error= and when="),
]


class BadInput(ScryTest):
    def test_each_malformed_spec(self):
        marker = os.path.join(self.tmp, "ran")
        for spec, why in BAD:
            with self.subTest(spec=spec):
                r = run_scry(["-e", spec, "touch", marker])
                self.assertEqual(r.returncode, 2, r.stderr)
                lines = r.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertTrue(lines[0].startswith("scry: "), lines[0])
                self.assertIn(why, lines[0])
                # the whole spec, or the set where the set is wrong
                self.assertIn("-e " + (spec if "syscall '" not in why else spec.split(":")[0]), lines[0])
                self.assertFalse(os.path.exists(marker))

    def test_long_options(self):
        """strace's --inject= and --fault= spellings."""
        r = run_scry(["--fault=getpid:when=1", "-e", "trace=getpid", prog("inject")], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("= -1 ENOSYS (Function not implemented) (INJECTED)", r.stderr)
        r = run_scry(["--inject=getpid", "true"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("nothing to inject", r.stderr)
        self.assertIn("in -e inject=getpid", r.stderr)
