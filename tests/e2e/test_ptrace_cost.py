"""What a ptrace trace costs in the tracer's own requests (issue 20): the
tracer's calls are counted with scry's bpf backend (`scry --backend bpf -c
-- scry ...` sees the inner scry's tracer thread, as test_engine.py explains),
so the measure is a count, not a time.  The inner scry and its target are
processes this test started."""

import os
import unittest

from helpers import ScryTest, T, SCRY, own_calls, prog, run, syscall_lines


NO_LEAK_CHECK = dict(os.environ, ASAN_OPTIONS=":".join(
    filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"])))


@unittest.skipUnless(os.geteuid() == 0, "counting scry's own calls with bpf needs root")
class TracerRequests(ScryTest):

    def inner(self, opts, target, trace="ptrace"):
        table = os.path.join(self.tmp, "own.txt")
        out = os.path.join(self.tmp, "inner.txt")
        r = run([SCRY, "--backend", "bpf", "-c", "-o", table, "-e", "trace=" + trace, "--",
                 SCRY, "--backend", "ptrace", "-o", out] + opts + ["--"] + target,
                timeout=T(60), env=NO_LEAK_CHECK)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            return own_calls(table), f.read()

    def test_filtered_call_exit_costs_no_request(self):
        """A call outside -e trace= stops twice without a seccomp filter;
        its exit stop needs neither the result nor which stop it is, so
        it costs only the restart: 3 requests a call, not 4."""
        n = 3000
        calls, text = self.inner(["--no-seccomp", "-e", "trace=openat"],
                                 [prog("known_calls"), str(n), "3", "0"])
        # the traced calls are all there, results included
        lines = [l for l in syscall_lines(text, "openat") if "scry-known" in l]
        self.assertEqual(len(lines), 3, text)
        for l in lines:
            self.assertRegex(l, r"= -1 ENOENT \(No such file or directory\)$")
        # n getppid: 2n stops, a restart each, and one GET_SYSCALL_INFO at
        # the entries only (4n before); the program's start adds ~100 calls
        self.assertGreater(calls.get("ptrace", 0), 3 * n, calls)
        self.assertLess(calls.get("ptrace", 0), 3 * n + 1000, calls)

    def test_filtered_exit_keeps_results_in_step(self):
        """The exits not asked for stay in step with the entries through
        calls that fail and calls that sleep: the traced calls show the
        same lines as under the seccomp filter, which stops at them only."""
        target = [prog("known_calls"), "200", "4", "2"]
        shown = lambda t: [l for l in t.splitlines() if "scry-known" in l or "nanosleep(" in l]
        _, stops = self.inner(["--no-seccomp", "-e", "trace=openat,nanosleep"], target, trace="wait4")
        _, filtered = self.inner(["-e", "trace=openat,nanosleep"], target, trace="wait4")
        lines = shown(stops)
        self.assertEqual(len(lines), 6, stops)
        self.assertEqual(len([l for l in lines if l.endswith("= 0")]), 2, stops)
        self.assertEqual(len([l for l in lines if "ENOENT" in l]), 4, stops)
        self.assertEqual(lines, shown(filtered))


if __name__ == "__main__":
    unittest.main()
