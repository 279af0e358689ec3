"""Golden text: scry's strace-syntax output of a few deterministic test
programs, under every option variant of tests/text-stable, equals what is
stored in tests/golden/ (made by `tests/text-stable --update-golden`).

This is the cheap, self-contained form of the text-stability proof of issue
11: a refactor that changes one byte of these traces fails here, with the
diff.  When the change is intended, regenerate the files and commit their
diff with the change.  (`tests/text-stable --rev GITREV` compares the whole
fidelity corpus against an older build.)"""

import difflib
import importlib.machinery
import importlib.util
import os
import platform
import re
import shutil
import unittest

from helpers import ROOT, ScryTest, prog


def load_text_stable():
    path = os.path.join(ROOT, "tests", "text-stable")
    loader = importlib.machinery.SourceFileLoader("scry_text_stable", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


TS = load_text_stable()


class Golden(ScryTest):
    maxDiff = None

    def setUp(self):
        super().setUp()
        if platform.machine() != TS.GOLDEN_ARCH:
            self.skipTest("the golden files are made on %s" % TS.GOLDEN_ARCH)

    def check(self, name):
        entry = [g for g in TS.GOLDEN if g[0] == name][0]
        prog(entry[1][0])       # built if missing
        with open(TS.golden_path(name)) as f:
            want = f.read()
        got = TS.golden_text(*entry)
        if got != want:
            diff = "".join(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True),
                "tests/golden/%s.txt" % name, "scry now"))
            self.fail("scry's text output of %s changed (if intended: "
                      "tests/text-stable --update-golden, and commit the diff):\n%s"
                      % (name, diff))

    def test_known_calls(self):
        self.check("known_calls")

    def test_signals(self):
        self.check("signals")

    def test_mmsg(self):
        self.check("mmsg")

    def test_exitcode(self):
        self.check("exitcode")

    def test_every_golden_program_is_tested(self):
        self.assertEqual(sorted(g[0] for g in TS.GOLDEN),
                         sorted(n[len("test_"):] for n in dir(self)
                                if n.startswith("test_") and n != "test_every_golden_program_is_tested"))
        self.assertEqual(sorted(g[0] + ".txt" for g in TS.GOLDEN),
                         sorted(os.listdir(TS.GOLDEN_DIR)))


def L(prefix, call, result):
    """A trace line as scry and strace align it: "= " at column 40."""
    head = prefix + call + " "
    return head + " " * max(0, 40 - len(head)) + "= " + result + "\n"


class Normaliser(unittest.TestCase):
    """The normalisation removes run-to-run noise and nothing else."""

    def norm(self, trace, **kw):
        return TS.normalise(trace, **kw)[0]

    def test_pids_by_descent_and_joined_calls(self):
        a = (L("100   ", "clone(child_stack=NULL, flags=SIGCHLD)", "101") +
             "101   getppid( <unfinished ...>\n"
             "100   wait4(101, NULL, 0, NULL <unfinished ...>\n" +
             L("101   ", "<... getppid resumed>)", "100") +
             L("100   ", "<... wait4 resumed>)", "101"))
        b = (L("7     ", "clone(child_stack=NULL, flags=SIGCHLD)", "12345") +
             L("12345 ", "getppid()", "7") +
             L("7     ", "wait4(12345, NULL, 0, NULL)", "12345"))
        self.assertEqual(self.norm(a), self.norm(b))
        self.assertEqual(self.norm(b), [
            "P0 " + L("", "clone(child_stack=NULL, flags=SIGCHLD)", "P0.1").rstrip("\n"),
            "P0 " + L("", "wait4(P0.1, NULL, 0, NULL)", "P0.1").rstrip("\n"),
            "P0.1 " + L("", "getppid()", "P0").rstrip("\n")])

    def test_pids_only_where_pids_are(self):
        t = (L("8192  ", "clone(child_stack=NULL, flags=SIGCHLD)", "8193") +
             L("8192  ", "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024})", "0") +
             L("8192  ", "tgkill(8192, 8193, SIGUSR1)", "0") +
             L("8192  ", 'write(1, "8193", 8192)', "8192"))
        self.assertEqual([re.split(r" +=", l)[0] for l in self.norm(t)], [
            "P0 clone(child_stack=NULL, flags=SIGCHLD)", "P0 prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024})",
            "P0 tgkill(P0, P0.1, SIGUSR1)", 'P0 write(1, "8193", 8192)'])

    def test_keeps_differences(self):
        base = L("", 'openat(AT_FDCWD, "/etc/x", O_RDONLY)', "3")
        for changed in [L("", 'openat(AT_FDCWD, "/etc/x", O_RDONLY|O_CLOEXEC)', "3"),
                        L("", 'openat(AT_FDCWD, "/etc/x", O_RDONLY)', "3").replace("  =", "   ="),
                        L("", 'openat(AT_FDCWD, "/etc/y", O_RDONLY)', "3"),
                        L("", 'openat(AT_FDCWD, "/etc/x", O_RDONLY)', "4"),
                        L("", 'openat(AT_FDCWD, "/etc/x", O_RDONLY)', "3 <0.000001>")]:
            self.assertNotEqual(self.norm(base), self.norm(changed), changed)
        # -xx strings are compared as their bytes, but stay marked as hex
        hexed = self.norm(L("", r'read(3, "\x61\x0a", 2)', "2"))
        self.assertEqual(hexed, [L("", r'read(3, xx"a\n", 2)', "2").rstrip("\n")])
        self.assertNotEqual(hexed, self.norm(L("", r'read(3, "a\n", 2)', "2")))
        self.assertEqual(self.norm(L("", r'getrandom("\x22\x5c\x01", 3, 0)', "3")),
                         self.norm(L("", r'getrandom("\x41\x42\x43", 3, 0)', "3")))

    def test_padding_is_checked(self):
        bad = 'read(3, "x", 1) = 1\n'
        self.assertIn("[padding 0, rule says 24]", self.norm(bad)[0])

    def test_noise(self):
        a = (L("12:00:01.000001 ", 'read(3, "x", 1)', "1 <0.000012>") +
             L("12:00:01.000002 ", "socket(AF_UNIX, SOCK_STREAM, 0)", "4<UNIX:[1234->1235]>"))
        b = (L("13:59:59.999999 ", 'read(3, "x", 1)', "1 <1.000000>") +
             L("13:59:59.999999 ", "socket(AF_UNIX, SOCK_STREAM, 0)", "4<UNIX:[777->778]>"))
        self.assertEqual(self.norm(a), self.norm(b))
        self.assertNotIn("[padding", " ".join(self.norm(a)))
        self.assertEqual(self.norm(a)[1], "[ts] " + L("", "socket(AF_UNIX, SOCK_STREAM, 0)",
                                                     "4<UNIX:[I1->I2]>").rstrip("\n"))

    def test_interrupted_calls(self):
        plain = (L("", "nanosleep({tv_sec=0, tv_nsec=10000000}, NULL)", "0") +
                 L("", "exit_group(0)", "?"))
        restarted = (
            L("", "nanosleep({tv_sec=0, tv_nsec=10000000}, NULL)",
              "? ERESTART_RESTARTBLOCK (Interrupted by signal)") +
            "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5} ---\n" +
            L("", "restart_syscall(<... resuming interrupted nanosleep ...>)", "0") +
            L("", "exit_group(0)", "?"))
        reissued = (
            L("", "nanosleep({tv_sec=0, tv_nsec=10000000}, NULL)",
              "? ERESTARTSYS (To be restarted if SA_RESTART is set)") +
            "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5} ---\n" +
            L("", "rt_sigreturn({mask=[]})", "-1") +
            L("", "nanosleep({tv_sec=0, tv_nsec=10000000}, NULL)", "0") +
            L("", "exit_group(0)", "?"))
        self.assertEqual(self.norm(restarted), self.norm(plain))
        self.assertEqual(self.norm(reissued), self.norm(plain))
        # a restart_syscall line compares the same with or without the call it
        # resumes (scry names it now, as strace does; older traces do not)
        self.assertEqual(self.norm(restarted.replace(
            L("", "restart_syscall(<... resuming interrupted nanosleep ...>)", "0"),
            L("", "restart_syscall()", "0"))), self.norm(plain))
        self.assertNotEqual(self.norm(restarted.replace("interrupted nanosleep", "interrupted read")),
                            self.norm(plain))

    def test_summary_keeps_counts(self):
        s = ("System Call Summary (0.018 seconds, wall-clock latency):\n"
             "Syscall             Calls  Errors   Total Time    Avg Time       p50       p90       p99       Max   % Time\n"
             "openat                  3       1     47.4µs      15.8µs    13.8µs    21.4µs    21.4µs    21.4µs     1.63\n"
             "total                  33       2      2.904ms      88.0µs    6.69µs    62.7µs   1.465ms   1.465ms   100.00\n")
        self.assertIn("openat calls=3 errors=1", self.norm(s))
        self.assertNotEqual(self.norm(s), self.norm(s.replace("   3       1", "   4       1")))
        self.assertEqual(self.norm(s), self.norm(s.replace("47.4µs", "99.9µs")))


if __name__ == "__main__":
    unittest.main()
