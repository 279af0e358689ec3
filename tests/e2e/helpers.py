"""Shared helpers for scry's end-to-end tests (python3 standard library only).

Paths come from SCRY_BUILD (default "build", relative to the repository
root): the scry binary is $SCRY_BUILD/scry and the target programs are
$SCRY_BUILD/progs/NAME, built from tests/progs/NAME.c (compiled here if
missing).  SCRY_BIN overrides the binary (handy for pointing a few tests at
strace while developing); SCRY_E2E_SKIP_MISSING=1 skips, rather than fails,
the tests that need scry when it is not built; SCRY_E2E_TIMEOUT_SCALE
multiplies every timeout.

Everything that starts a process registers it with the test case, and the
test case kills it (its whole process group) in cleanup, even when the test
failed half-way: no target may outlive the run.
"""

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SCRY_BUILD", "build"))
SCRY = os.environ.get("SCRY_BIN") or os.path.join(BUILD, "scry")
PROGS = os.path.join(BUILD, "progs")
PROGS_SRC = os.path.join(ROOT, "tests", "progs")

# The tests expect a terminal's foreground job's signals.  A CI runner or a
# shell's background job (`make check &`, nohup) starts them with SIGINT,
# SIGQUIT or SIGHUP ignored, which every command they launch would inherit
# -- through scry too, which passes ignored signals on, as strace does -- and
# a test that ends a command with Ctrl+C would wait for it in vain.
for _sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
    if signal.getsignal(_sig) == signal.SIG_IGN:
        signal.signal(_sig, signal.default_int_handler if _sig == signal.SIGINT else signal.SIG_DFL)

# Slow machines (2 cores, sanitizers) get more time; everything polls, so the
# scale only matters when something is wrong.
SCALE = float(os.environ.get("SCRY_E2E_TIMEOUT_SCALE", "1"))
if "asan" in os.path.basename(BUILD):
    SCALE *= 2


def T(seconds):
    """A timeout, scaled for slow builds."""
    return seconds * SCALE


# ---------------------------------------------------------------- programs

def prog(name):
    """Path of target program NAME, compiling it if missing or stale."""
    path = os.path.join(PROGS, name)
    src = os.path.join(PROGS_SRC, name + ".c")
    hdr = os.path.join(PROGS_SRC, "common.h")
    newest = max(os.path.getmtime(p) for p in (src, hdr) if os.path.exists(p))
    if not os.path.exists(path) or os.path.getmtime(path) < newest:
        os.makedirs(PROGS, exist_ok=True)
        subprocess.run(["gcc", "-D_GNU_SOURCE", "-std=gnu11", "-Wall", "-Wextra",
                        "-Werror", "-O1", "-g", "-o", path, src, "-pthread"],
                       check=True)
    return path


def have_scry():
    return os.access(SCRY, os.X_OK)


# ---------------------------------------------------------------- /proc

def proc_status(pid):
    """Fields of /proc/PID/status as a dict, or None if the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def proc_state(pid):
    """One-letter state (R, S, T, t, Z, ...) or None if gone."""
    st = proc_status(pid)
    return st["State"].split()[0] if st else None


def tracer_pid(pid):
    st = proc_status(pid)
    return int(st["TracerPid"]) if st else None


def pid_alive(pid):
    st = proc_state(pid)
    return st is not None and st not in ("Z", "X")


def thread_ids(pid):
    try:
        return sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except FileNotFoundError:
        return []


def wait_for(pred, timeout, interval=0.01):
    """Polls pred() until it returns something true; returns that, or the
    last (false) value after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def read_progress(path):
    try:
        with open(path) as f:
            s = f.read().strip()
        return int(s) if s else None
    except (FileNotFoundError, ValueError):
        return None


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def kill_quietly(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------- processes

class Proc:
    """A background process whose stdout and stderr go to files, so that a
    chatty tracer can never block on a full pipe; read them with .out() and
    .err() at any time."""

    def __init__(self, argv, tmpdir, name, stdin=subprocess.DEVNULL, env=None,
                 preexec_fn=None):
        self.argv = list(argv)
        self.out_path = os.path.join(tmpdir, name + ".out")
        self.err_path = os.path.join(tmpdir, name + ".err")
        with open(self.out_path, "wb") as o, open(self.err_path, "wb") as e:
            self.popen = subprocess.Popen(self.argv, stdin=stdin, stdout=o, stderr=e,
                                          env=env, start_new_session=True,
                                          preexec_fn=preexec_fn)
        self.pid = self.popen.pid
        self.rc = None

    def out(self):
        return read_text(self.out_path)

    def err(self):
        return read_text(self.err_path)

    def poll(self):
        if self.rc is None:
            self.rc = self.popen.poll()
        return self.rc

    def running(self):
        return self.poll() is None

    def wait(self, timeout):
        """Exit status (negative: killed by that signal), or None on timeout."""
        try:
            self.rc = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.rc

    def signal(self, sig):
        if self.poll() is None:
            kill_quietly(self.pid, sig)

    def wait_err(self, pattern, timeout):
        """Waits until stderr matches regex pattern; returns the match or None."""
        rx = re.compile(pattern, re.M)
        return wait_for(lambda: rx.search(self.err()), timeout, 0.02)

    def wait_out(self, pattern, timeout):
        rx = re.compile(pattern, re.M)
        return wait_for(lambda: rx.search(self.out()), timeout, 0.02)

    def kill(self):
        """Kills the process and its process group, and reaps it."""
        if self.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                kill_quietly(self.pid)
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


class Target(Proc):
    """A target program started in the background (not traced).  It prints
    its pid on its first line of stdout; progress goes to self.progress_path
    ("{progress}" in args is replaced by that path)."""

    def __init__(self, tmpdir, name, args=(), lifetime=30, progress=True, **kw):
        self.progress_path = os.path.join(tmpdir, name + ".progress") if progress else "-"
        argv = [prog(name.split(".")[0])]
        if args:
            argv += [a.replace("{progress}", self.progress_path) for a in args]
        else:
            argv += [self.progress_path, str(lifetime)]
        super().__init__(argv, tmpdir, name, **kw)

    def wait_started(self, timeout=None):
        m = self.wait_out(r"^(?:pid )?(\d+)$", timeout or T(5))
        if not m:
            raise AssertionError("%s did not start: stdout %r stderr %r"
                                 % (self.argv, self.out(), self.err()))
        return self

    def progress(self):
        return read_progress(self.progress_path)

    def wait_progress(self, steps=2, timeout=None):
        """True once the counter has advanced by steps from its current value."""
        start = wait_for(lambda: self.progress() is not None, timeout or T(3))
        if start is None or start is False:
            return False
        base = self.progress()
        return bool(wait_for(lambda: (self.progress() or 0) >= base + steps,
                             timeout or T(3)))


def run(argv, timeout=None, input=None, env=None, **kw):
    """Runs argv to completion (in its own process group, killed as a whole
    on timeout).  Returns CompletedProcess with text stdout/stderr; on timeout
    raises AssertionError carrying what it printed."""
    timeout = timeout or T(10)
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, start_new_session=True, **kw)
    try:
        out, err = p.communicate(input=input.encode() if isinstance(input, str) else input,
                                 timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        raise AssertionError("timed out after %ss: %s\nstdout: %s\nstderr (tail): %s"
                             % (timeout, argv, out.decode(errors="replace")[-2000:],
                                err.decode(errors="replace")[-4000:]))
    return subprocess.CompletedProcess(argv, p.returncode,
                                       out.decode(errors="replace"),
                                       err.decode(errors="replace"))


SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |"
                              r"WARNING: AddressSanitizer")


def check_sanitizer(text, what="scry"):
    m = SANITIZER_REPORT.search(text)
    if m:
        start = max(0, m.start() - 200)
        raise AssertionError("%s: sanitizer report:\n%s" % (what, text[start:start + 3000]))


def run_scry(args, timeout=None, **kw):
    r = run([SCRY] + list(args), timeout=timeout, **kw)
    check_sanitizer(r.stderr, "scry " + " ".join(args))
    return r


# ---------------------------------------------------------------- trace text

PID_PREFIX = re.compile(r"^\[pid\s+(\d+)\] ", re.M)


def prefixed_pids(text):
    """Set of N in the '[pid N] ' line prefixes of a trace."""
    return {int(m.group(1)) for m in PID_PREFIX.finditer(text)}


def syscall_lines(text, name):
    """Trace lines for syscall name (with or without a pid prefix)."""
    rx = re.compile(r"^(?:\[pid\s+\d+\] )?(?:<\.\.\. )?%s[ (]" % re.escape(name))
    return [l for l in text.splitlines() if rx.match(l)]


def returned_pids(text):
    """Return values of the calls that create processes and threads."""
    rx = re.compile(r"^(?:\[pid\s+\d+\] )?(?:<\.\.\. )?(?:clone3?|fork|vfork)\b.*= (\d+)\s*$", re.M)
    return {int(m.group(1)) for m in rx.finditer(text)}


# ---------------------------------------------------------------- pty

def openpty_raw():
    """A pseudo-terminal pair (master, slave) for giving scry a terminal stdin."""
    return pty.openpty()


def pty_write(master_fd, data):
    os.write(master_fd, data)


def drain_pty(master_fd):
    """Reads whatever the pty master has, without blocking."""
    chunks = []
    while True:
        r, _, _ = select.select([master_fd], [], [], 0)
        if not r:
            break
        try:
            b = os.read(master_fd, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


# ---------------------------------------------------------------- test base

class ScryTest(unittest.TestCase):
    """Base class: a temporary directory per test, and cleanup that kills
    every process the test started, whatever happened."""

    needs_scry = True

    def setUp(self):
        if self.needs_scry and not have_scry():
            if os.environ.get("SCRY_E2E_SKIP_MISSING"):
                self.skipTest("%s not built" % SCRY)
            self.fail("%s is not built (run make first)" % SCRY)
        self.tmp = tempfile.mkdtemp(prefix="scry-e2e-")
        os.chmod(self.tmp, 0o755)
        self._procs = []
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        # Tracers first, so that their targets are detached before being killed.
        for p in reversed(self._procs):
            p.kill()
        try:
            for p in self._procs:
                if p.argv and p.argv[0] == SCRY:
                    check_sanitizer(p.err(), "scry " + " ".join(p.argv[1:]))
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- starting things

    def target(self, name, args=(), lifetime=30, **kw):
        """Starts target program name (e.g. "sleeper") in the background and
        waits until it has printed its pid."""
        t = Target(self.tmp, "%s.%d" % (name, len(self._procs)), args=args,
                   lifetime=lifetime, **kw)
        self._procs.append(t)
        return t.wait_started()

    def spawn(self, argv, name="proc", **kw):
        p = Proc(argv, self.tmp, "%s.%d" % (name, len(self._procs)), **kw)
        self._procs.append(p)
        return p

    def scry_bg(self, args, **kw):
        """Starts scry in the background; stdout/stderr go to files."""
        return self.spawn([SCRY] + list(args), name="scry", **kw)

    def attach(self, pid_args, extra=(), **kw):
        """Starts `scry [extra] -p PID` and waits for the attach message."""
        if isinstance(pid_args, int):
            pid_args = ["-p", str(pid_args)]
        s = self.scry_bg(list(extra) + list(pid_args), **kw)
        if not s.wait_err(r"Attached successfully\. Press Ctrl\+C to detach\.", T(5)):
            s.kill()
            self.fail("scry %s did not report attaching (rc=%r); stderr:\n%s"
                      % (" ".join(pid_args), s.poll(), s.err()[-3000:]))
        return s

    def run_traced_a_while(self, target, steps=2):
        """Waits until target is traced and has made progress under trace,
        so that it has made system calls while attached."""
        self.assertTraced(target.pid)
        self.assertTrue(target.wait_progress(steps, T(3)),
                        "target %d makes no progress while traced (State %r)"
                        % (target.pid, proc_state(target.pid)))

    # -- checks

    def assertTraced(self, pid, timeout=None):
        ok = wait_for(lambda: (tracer_pid(pid) or 0) != 0, timeout or T(3))
        self.assertTrue(ok, "pid %d is not traced (status %r)" % (pid, proc_status(pid)))

    def assertRunningFree(self, target, timeout=None):
        """The target is alive, not stopped, not traced, and its progress
        counter keeps increasing."""
        pid = target.pid
        timeout = timeout or T(3)
        ok = wait_for(lambda: proc_state(pid) not in ("T", "t") and tracer_pid(pid) == 0,
                      timeout)
        st = proc_status(pid)
        self.assertIsNotNone(st, "target %d is gone (rc=%r)" % (pid, target.poll()))
        self.assertTrue(ok, "target %d not free after detach: State=%r TracerPid=%r"
                        % (pid, st.get("State"), st.get("TracerPid")))
        self.assertTrue(pid_alive(pid), "target %d died: State %r" % (pid, st.get("State")))
        for tid in thread_ids(pid):
            tst = proc_state(tid)
            tp = tracer_pid(tid)
            if tst is not None:
                self.assertNotIn(tst, ("T", "t"), "thread %d left stopped" % tid)
                self.assertEqual(tp, 0, "thread %d still traced" % tid)
        if target.progress_path != "-":
            self.assertTrue(target.wait_progress(2, timeout),
                            "target %d makes no progress after detach (counter %r, State %r)"
                            % (pid, target.progress(), proc_state(pid)))

    def assertDetachMessages(self, scry_proc, pids):
        err = scry_proc.err()
        for pid in pids:
            self.assertIn("Detaching from process %d..." % pid, err)
        # The plural, when several processes were attached, is fine too.
        self.assertRegex(err, r"Detached successfully\. (Process continues|Processes continue) running\.")

    def assertScryExits(self, scry_proc, timeout=None, want=0):
        rc = scry_proc.wait(timeout or T(5))
        if rc is None:
            scry_proc.kill()
            self.fail("scry did not exit; stderr tail:\n%s" % scry_proc.err()[-3000:])
        if want is not None:
            self.assertEqual(rc, want, "scry exit status; stderr tail:\n%s"
                             % scry_proc.err()[-3000:])
        return rc


def normalise_trace(text, subs):
    """A trace's lines for a comparison with strace's: the +++ lines and
    scry's own messages left out, each (regex, replacement) of subs
    applied in turn (the numbers and addresses that differ between runs)."""
    out = []
    for line in text.splitlines():
        if line.startswith(("+++", "scry: ")):
            continue
        for rx, rep in subs:
            line = rx.sub(rep, line)
        out.append(line)
    return out


def own_calls(path):
    """{syscall: calls} from a `scry -c -o path` table (how the tests count
    what an inner scry itself does, traced by scry's bpf backend)."""
    counts = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(\w+)\s+(\d+)\s+(\d+)\s+\S", line)
            if m:
                counts[m.group(1)] = int(m.group(2))
    return counts
