"""--follow-cpu (experimental, issue 20): while one thread is traced, scry
keeps its tracer thread (and only it) on the CPU that thread last ran on.
The target is a process this test started; the test moves it between CPUs
with its own sched_setaffinity and watches scry's threads follow, and checks
that scry never changed the target's affinity."""

import os
import unittest

from helpers import ScryTest, T, wait_for


def allowed(path):
    """The Cpus_allowed_list of /proc/.../status at path, or None."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("Cpus_allowed_list:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def task_masks(pid):
    """{tid: Cpus_allowed_list} of every thread of pid."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        m = allowed("/proc/%d/task/%s/status" % (pid, tid))
        if m is not None:
            out[int(tid)] = m
    return out


@unittest.skipUnless(len(os.sched_getaffinity(0)) >= 2, "needs two CPUs to follow between")
class FollowCpu(ScryTest):

    def start(self, opts):
        self.tgt = self.target("busy", args=["-", "60"], progress=False).wait_started()
        out = os.path.join(self.tmp, "trace.txt")
        scry = self.scry_bg(["-p", str(self.tgt.pid), "-o", out] + opts)
        self.assertTrue(scry.wait_err(r"Attached successfully", T(10)), scry.err())
        # the target's getppid calls reach the trace
        self.assertTrue(wait_for(lambda: os.path.exists(out) and "getppid()" in open(out).read(),
                                 T(10)), scry.err())
        return scry, out

    def cpus(self):
        return sorted(os.sched_getaffinity(0))[:2]

    def test_tracer_follows_tracee_whose_affinity_stays(self):
        a, b = self.cpus()
        scry, out = self.start(["--follow-cpu"])
        for cpu in (a, b, a):
            # the test moves its target; scry must follow with its own thread
            os.sched_setaffinity(self.tgt.pid, {cpu})
            want = str(cpu)
            ok = wait_for(lambda: want in task_masks(scry.pid).values(), T(10))
            masks = task_masks(scry.pid)
            self.assertTrue(ok, (cpu, masks))
            # one thread of scry's follows; the others keep scry's mask
            self.assertEqual(sum(1 for m in masks.values() if m == want), 1, masks)
            # and scry never touched the target's mask: the test's own
            self.assertEqual(allowed("/proc/%d/status" % self.tgt.pid), want)
        scry.signal(2)
        self.assertEqual(scry.wait(T(10)), 0, scry.err())
        self.assertEqual(allowed("/proc/%d/status" % self.tgt.pid), str(a))
        self.assertTrue(self.tgt.running())

    def test_default_leaves_affinity_alone(self):
        a, b = self.cpus()
        mine = allowed("/proc/self/status")
        scry, out = self.start([])
        os.sched_setaffinity(self.tgt.pid, {b})
        # the trace goes on with the target on b ...
        size = os.path.getsize(out)
        self.assertTrue(wait_for(lambda: os.path.getsize(out) > size + 200, T(10)))
        # ... and no thread of scry's was moved
        self.assertEqual(set(task_masks(scry.pid).values()), {mine})
        scry.signal(2)
        self.assertEqual(scry.wait(T(10)), 0, scry.err())


if __name__ == "__main__":
    unittest.main()
