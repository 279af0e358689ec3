"""Differential test: for the same programs, the system call names and return
values that scry prints equal those strace prints.

Each line is reduced to (name, result): a number, "-1 ERRNO", "?", or a
placeholder for values that differ from run to run (addresses, pids)."""

import difflib
import re
import shutil
import unittest

from helpers import ScryTest, T, SCRY, prog, run

LINE = re.compile(r"^(?:\[pid\s+(\d+)\] )?(\w+)\((.*)\)\s+= (.*)$")
UNFINISHED = re.compile(r"^(?:\[pid\s+(\d+)\] )?(\w+)\(.*<unfinished \.\.\.>$")
RESUMED = re.compile(r"^(?:\[pid\s+(\d+)\] )?<\.\.\. (\w+) resumed>.*\)\s+= (.*)$")

# Calls whose result is a pid or thread id: differs between two runs.
PID_RESULT = {"getpid", "gettid", "getppid", "set_tid_address", "clone", "clone3",
              "fork", "vfork", "wait4", "waitid", "getpgid", "getpgrp", "getsid"}


def normalize_result(name, ret):
    ret = ret.strip()
    m = re.match(r"(-1) (E[A-Z0-9]+)\b", ret)
    if m:
        return "-1 " + m.group(2)
    m = re.match(r"\? (ERESTART\w+)", ret)
    if m:
        return "? " + m.group(1)
    tok = ret.split()[0] if ret else ret
    if tok.startswith("0x"):
        return "ADDR"
    if name in PID_RESULT and tok.isdigit():
        return "PID"
    return tok


def call_sequence(text):
    """[(name, result)] in order of completion, from strace-syntax text."""
    seq = []
    pending = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m and " resumed>" not in line:
            seq.append((m.group(2), normalize_result(m.group(2), m.group(4))))
            continue
        m = UNFINISHED.match(line)
        if m:
            pending[m.group(1)] = m.group(2)
            continue
        m = RESUMED.match(line)
        if m:
            pending.pop(m.group(1), None)
            seq.append((m.group(2), normalize_result(m.group(2), m.group(3))))
    return seq


class StraceDiff(ScryTest):
    maxDiff = None

    def setUp(self):
        super().setUp()
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")

    def compare(self, argv):
        ref = run(["strace", "-qq", "-f", "--"] + argv, timeout=T(10))
        got = run([SCRY, "-f", "--"] + argv, timeout=T(10))
        self.assertEqual(got.returncode, ref.returncode, got.stderr[-2000:])
        self.assertEqual(got.stdout, ref.stdout)
        want = call_sequence(ref.stderr)
        have = call_sequence(got.stderr)
        self.assertGreater(len(want), 5, "strace printed too little:\n" + ref.stderr)
        if have != want:
            diff = "\n".join(difflib.unified_diff(
                ["%s = %s" % c for c in want], ["%s = %s" % c for c in have],
                "strace", "scry", lineterm=""))
            self.fail("scry and strace differ for %s:\n%s" % (argv, diff))

    def test_calls(self):
        self.compare([prog("calls")])

    def test_true(self):
        self.compare(["/bin/true"])

    def test_ls_root(self):
        self.compare(["ls", "/"])


class Parser(unittest.TestCase):
    """The reduction itself, on strace's own text."""

    def test_reduce(self):
        text = "\n".join([
            'execve("/bin/true", ["/bin/true"], 0x7ffd /* 37 vars */) = 0',
            'brk(NULL)                               = 0x55d0c2a6f000',
            'openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory)',
            '[pid  6574] read(3, <unfinished ...>',
            '[pid  6573] getpid()                   = 6573',
            '[pid  6574] <... read resumed>"a", 1) = 1',
            'exit_group(0)                           = ?',
            '+++ exited with 0 +++',
            '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---',
        ])
        self.assertEqual(call_sequence(text), [
            ("execve", "0"), ("brk", "ADDR"), ("openat", "-1 ENOENT"),
            ("getpid", "PID"), ("read", "1"), ("exit_group", "?")])
