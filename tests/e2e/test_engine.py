"""The engine's order of work: a call outside -e trace= is dropped before
it is decoded, so scry reads no memory and resolves no fd for it.  Measured
by running scry itself under scry's bpf counting (`scry --backend bpf -c --
scry ...`: every thread of the inner scry is counted, its tracer thread
included, which `strace -p` would not follow and `strace -f` cannot, since
it would also take the inner scry's traced helper child).  The inner scry
is a process this test started; the target is too."""

import os
import unittest

from helpers import ScryTest, T, SCRY, own_calls, prog, run


@unittest.skipUnless(os.geteuid() == 0, "counting scry's own calls with bpf needs root")
class FilterFirst(ScryTest):

    def scry_own_calls(self, pid, opts):
        table = os.path.join(self.tmp, "own.txt")
        r = run([SCRY, "--backend", "bpf", "-c", "-o", table, "-e",
                 "trace=process_vm_readv,readlink,readlinkat,ptrace", "--",
                 SCRY, "--backend", "ptrace", "-p", str(pid), "--duration", "1"] + opts,
                timeout=T(20),
                # (LeakSanitizer cannot run under ptrace: the sanitized
                # build would fail at exit for that alone)
                env=dict(os.environ, ASAN_OPTIONS=":".join(
                    filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"]))))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Detached successfully", r.stderr)
        return own_calls(table), r.stderr

    def test_host_threads_not_woken_per_stop(self):
        """Every ptrace stop sends SIGCHLD to scry's process; the tracer
        thread blocks it, so the thread waiting in scry_session_run() was
        woken once per stop (a futex wake-up and a context switch each: a
        full trace of the storm cost 25 % more).  It blocks SIGCHLD while
        it waits: a few wake-ups in all, not thousands."""
        table = os.path.join(self.tmp, "own.txt")
        r = run([SCRY, "--backend", "bpf", "-c", "-o", table, "-e", "trace=futex,wait4", "--",
                 SCRY, "--backend", "ptrace", "-o", "/dev/null", "--", prog("known_calls"), "2000", "0", "0"],
                timeout=T(30),
                env=dict(os.environ, ASAN_OPTIONS=":".join(
                    filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"]))))
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = own_calls(table)
        # 2000 getppid calls: two stops each
        self.assertGreater(calls.get("wait4", 0), 4000, calls)
        self.assertLess(calls.get("futex", 0), 200, calls)

    def test_untraced_calls_cost_no_reads(self):
        t = self.target("preader", args=["30"], progress=False)
        for opts in (["-y", "-e", "trace=openat"],
                     ["-yy", "-e", "trace=openat"],
                     ["-P", "/etc/hostname", "-e", "trace=openat"]):
            with self.subTest(opts=opts):
                calls, err = self.scry_own_calls(t.pid, opts)
                # scry did stop at the target's pread64 calls: two ptrace
                # requests a stop at least, ~2000 stops a second
                self.assertGreater(calls.get("ptrace", 0), 200, calls)
                self.assertNotIn("pread64(", err)
                self.assertEqual(calls.get("process_vm_readv", 0), 0, calls)
                # -P resolves its own paths once at start (realpath); the
                # sanitizers' runtime reads /proc/self/exe once.  Before the
                # engine dropped untraced calls first: ~1,000 a second.
                startup = (4 if "-P" in opts else 0) + 2
                self.assertLessEqual(calls.get("readlink", 0) + calls.get("readlinkat", 0),
                                     startup, calls)
        # The same measure sees the reads when the calls are shown.
        calls, err = self.scry_own_calls(t.pid, ["-y", "-e", "trace=pread64"])
        self.assertIn("pread64(", err)
        self.assertGreater(calls.get("process_vm_readv", 0) + calls.get("readlink", 0), 100, calls)
        self.assertTrue(t.running())
