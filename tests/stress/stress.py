"""Shared pieces of the stress suite (see tests/stress/run).

Builds on tests/e2e/helpers.py (the same SCRY_BUILD, target programs,
/proc readers and ScryTest base, whose cleanup kills every process a test
started).  Adds:

- SCALE: SCRY_STRESS_SCALE multiplies every iteration count (default 1;
  0.2 for a quick look, 3 for a long soak);
- RNG: one random.Random seeded from SCRY_STRESS_SEED (printed by the
  runner, so a failing run can be repeated with the same choices);
- StressTest.run_fg(): runs a command to completion, registered with the
  test like a background process, so that the runner's time bound, which
  interrupts a test with TimeBound, never leaves it running;
- bpf_why_not(), full_device(): what the suite needs from the machine,
  and a reason when it is missing.
"""

import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import helpers  # noqa: E402
from helpers import SCRY, ScryTest, T, have_scry  # noqa: E402,F401

SCALE = float(os.environ.get("SCRY_STRESS_SCALE", "1"))
SEED = int(os.environ.get("SCRY_STRESS_SEED") or random.SystemRandom().randrange(1 << 31))
os.environ["SCRY_STRESS_SEED"] = str(SEED)   # the runner prints it
RNG = random.Random(SEED)


def n(count, least=1):
    """An iteration count, scaled by SCRY_STRESS_SCALE."""
    return max(least, int(round(count * SCALE)))


class TimeBound(Exception):
    """Raised inside a test when the runner's time bound for it runs out."""


_bpf_why_not = None


def bpf_why_not():
    """None when `--backend bpf` works here, else why not (cached)."""
    global _bpf_why_not
    if _bpf_why_not is not None:
        return _bpf_why_not or None
    why = ""
    if os.geteuid() != 0:
        why = "the bpf backend needs root"
    elif have_scry():
        try:
            p = subprocess.run([SCRY, "--backend", "bpf", "-c", "--", "true"],
                               capture_output=True, text=True, timeout=T(30))
            if p.returncode != 0:
                why = "bpf backend unusable here: %s" % p.stderr.strip()[-300:]
        except (OSError, subprocess.TimeoutExpired) as e:
            why = "cannot probe the bpf backend: %s" % e
    _bpf_why_not = why
    return why or None


def full_device(directory):
    """Makes a char device 1,7 (what /dev/full is) named 'full' in
    directory, so that scry's output fails with ENOSPC, without touching
    the real /dev/full.  Returns (path, None) or (None, why not)."""
    path = os.path.join(directory, "full")
    try:
        os.mknod(path, 0o666 | 0o020000, os.makedev(1, 7))
    except OSError as e:
        return None, "cannot make a full device (mknod 1,7) in %s: %s" % (directory, e)
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return None, "cannot open the full device %s (nodev mount?): %s" % (path, e)
    try:
        os.write(fd, b"x")
        return None, "%s accepted a write: not a full device" % path
    except OSError as e:
        if e.errno != 28:
            return None, "%s: write failed with %s, not ENOSPC" % (path, e)
    finally:
        os.close(fd)
    return path, None


class StressTest(ScryTest):

    def run_fg(self, argv, timeout, name="fg"):
        """Runs argv to completion (stdout and stderr to files); returns the
        Proc (rc in .rc, text via .out() and .err()), or fails the test
        when it has not ended within timeout seconds (it is then killed)."""
        p = self.spawn(argv, name=name)
        if p.wait(timeout) is None:
            p.kill()
            self.fail("did not end within %.0f s: %s\nstderr tail:\n%s"
                      % (timeout, " ".join(argv), p.err()[-2000:]))
        if argv[0] == SCRY:
            helpers.check_sanitizer(p.err(), "scry " + " ".join(argv[1:]))
        return p

    def scry_fg(self, args, timeout, name="scry"):
        return self.run_fg([SCRY] + list(args), timeout, name)

    def assertFreeThreads(self, target, what, timeout=None):
        """Like assertRunningFree, for a target whose threads come and go
        (exec by a non-leader kills the others): each thread's State and
        TracerPid come from one read of its status, and a thread that is
        gone is no failure.  Then the progress counter must move on."""
        def stuck():
            out = []
            for tid in [target.pid] + helpers.thread_ids(target.pid):
                st = helpers.proc_status(tid)
                if st and (st["State"][:1] in ("T", "t") or st["TracerPid"] != "0"):
                    out.append("%d: State %s, TracerPid %s" % (tid, st["State"], st["TracerPid"]))
            return out
        helpers.wait_for(lambda: not stuck(), timeout or T(3))
        left = stuck()
        self.assertFalse(left, "%s: threads left stopped or traced: %s" % (what, left))
        # (a process whose non-leader thread execs shows State Z for a
        # moment, while the old leader waits to be replaced: only the
        # target's own exit, which this test reaps, means it died)
        helpers.wait_for(lambda: helpers.pid_alive(target.pid) or target.poll() is not None,
                         timeout or T(3))
        self.assertIsNone(target.poll(), "%s: the target died (status %r)" % (what, target.poll()))
        self.assertTrue(target.wait_progress(2, timeout or T(3)),
                        "%s: the target makes no progress (counter %r, State %r)"
                        % (what, target.progress(), helpers.proc_state(target.pid)))
