"""Attach/detach cycles over every detach path, with signal accounting.

One target (tests/progs/stress_sigcount.c: four threads in syscalls all the
time, counting SIGUSR1 and SIGRTMIN+1 deliveries) is attached to and
detached from again and again, by each way scry can let go: SIGINT,
SIGTERM, SIGHUP to scry, --duration running out, and its output failing
(ENOSPC from a char device 1,7 made in the test's directory).  Signals are
sent to the target while scry attaches, while it is attached and while it
detaches.  After every cycle: the target and each of its threads run (not
T/t), TracerPid is 0, it makes progress, and it has received exactly the
signals sent, none lost and none added (DESIGN.md, rule 1)."""

import os
import signal
import time
import unittest

from stress import RNG, SCRY, StressTest, T, bpf_why_not, full_device, helpers, n

RT = signal.SIGRTMIN + 1
LIFETIME = 600       # the target's own limit; the test kills it before


class Target:
    """stress_sigcount and the signals sent to it."""

    def __init__(self, test):
        self.test = test
        self.counts_path = os.path.join(test.tmp, "sigcount.counts")
        self.t = test.target("stress_sigcount",
                             args=["{progress}", self.counts_path, str(LIFETIME), "4"])
        self.pid = self.t.pid
        self.usr1 = 0
        self.rt = 0

    def counts(self):
        try:
            with open(self.counts_path) as f:
                a, b = f.read().split()
            return int(a), int(b)
        except (OSError, ValueError):
            return None

    def send_rt(self, k):
        for _ in range(k):
            os.kill(self.pid, RT)
            self.rt += 1

    def send_usr1_and_wait(self, what):
        """One SIGUSR1, then waits for its delivery (a standard signal sent
        while another is pending would merge with it)."""
        os.kill(self.pid, signal.SIGUSR1)
        self.usr1 += 1
        self.assert_counts(what)

    def assert_counts(self, what):
        want = (self.usr1, self.rt)
        got = helpers.wait_for(lambda: self.counts() == want, T(5))
        c = self.counts()
        self.test.assertTrue(got, "%s: the target received (SIGUSR1, SIGRTMIN+1) = %r, "
                             "sent %r (state %r)" % (what, c, want, helpers.proc_state(self.pid)))

    def assert_no_extra(self, what):
        """Nothing more arrives later (a signal injected twice)."""
        time.sleep(0.3)
        self.test.assertEqual(self.counts(), (self.usr1, self.rt),
                              "%s: signals added after the fact" % what)


class DetachCycles(StressTest):
    limit = 200

    def cycle(self, tg, backend, how, out, i):
        what = "cycle %d (%s, %s)" % (i, backend, how)
        args = ["--backend", backend, "-o", out]
        if how == "duration":
            args += ["--duration", RNG.choice(["200ms", "400ms", "1"])]
        s = self.scry_bg(args + ["-p", str(tg.pid)])
        tg.send_rt(RNG.randrange(0, 6))            # while scry attaches
        if not s.wait_err(r"Attached successfully", T(10)):
            s.kill()
            self.fail("%s: scry did not attach (rc %r): %s" % (what, s.poll(), s.err()[-2000:]))
        if backend == "ptrace" and isinstance(how, signal.Signals):
            self.assertTraced(tg.pid)    # (--duration or ENOSPC may have ended it already)
        tg.send_usr1_and_wait(what + ", attached")
        tg.send_rt(RNG.randrange(1, 6))
        if isinstance(how, signal.Signals):
            time.sleep(RNG.uniform(0, 0.05))
            s.signal(how)
        tg.send_rt(RNG.randrange(1, 11))           # while scry detaches
        rc = s.wait(T(15))
        if rc is None:
            s.kill()
            self.fail("%s: scry did not end; stderr tail:\n%s" % (what, s.err()[-3000:]))
        helpers.check_sanitizer(s.err(), what)
        if how == "full":
            self.assertEqual(rc, 1, "%s: %s" % (what, s.err()[-2000:]))
            self.assertIn("No space left on device", s.err(), what)
        else:
            self.assertEqual(rc, 0, "%s: %s" % (what, s.err()[-2000:]))
            self.assertIn("Detached successfully", s.err(), what)
        self.assertRunningFree(tg.t)
        tg.assert_counts(what + ", after detach")
        tg.send_usr1_and_wait(what + ", after detach")

    def cycles(self, backend, paths, rounds):
        tg = Target(self)
        i = 0
        for _ in range(rounds):
            order = list(paths)
            RNG.shuffle(order)
            for how, out in order:
                i += 1
                self.cycle(tg, backend, how, out, i)
        tg.assert_no_extra("after %d cycles" % i)
        return i

    def every_path(self, backend):
        trace = os.path.join(self.tmp, "trace.txt")
        paths = [(signal.SIGINT, trace), (signal.SIGTERM, trace), (signal.SIGHUP, trace),
                 ("duration", trace)]
        self.cycles(backend, paths, n(8))

    def output_full(self, backend):
        full, why = full_device(self.tmp)
        if not full:
            self.skipTest(why)
        self.cycles(backend, [("full", full)], n(8))

    def test_ptrace_every_signal_and_duration(self):
        self.every_path("ptrace")

    def test_ptrace_output_full(self):
        self.output_full("ptrace")

    def test_bpf_every_signal_and_duration(self):
        if bpf_why_not():
            self.skipTest(bpf_why_not())
        self.every_path("bpf")

    def test_bpf_output_full(self):
        if bpf_why_not():
            self.skipTest(bpf_why_not())
        self.output_full("bpf")


if __name__ == "__main__":
    unittest.main()
