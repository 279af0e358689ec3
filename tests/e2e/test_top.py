"""scry top (issue 16), driven in tmux: the selector and its search, the live
view of a test service (tests/progs/top_service.c: a thread blocked in read,
one looping on calls), the filter, saving a database for scry report, and
every way out (d, q, Ctrl+C, SIGTERM, the terminal closing) leaving the
service untouched.

Every tmux here runs on a server of its own (-L), which the test kills.  The
only processes scry top attaches to are the test's own services, found in
the selector by a word unique to this run."""

import os
import re
import shutil
import signal
import subprocess
import unittest
import uuid

from helpers import (SCRY, ScryTest, T, check_sanitizer, kill_quietly, pid_alive, proc_state,
                     read_text, run, run_scry, tracer_pid, wait_for)

HAVE_TMUX = shutil.which("tmux") is not None


def parse_for(text):
    """Seconds of a FOR cell: "2.31s", ">=1.5s", "12.3us"."""
    m = re.fullmatch(r"(?:>=)?([0-9.]+)(ns|us|ms|s)", text)
    assert m, "not a duration: %r" % text
    return float(m.group(1)) * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)]


class Tmux:
    """One tmux server and session running `scry top ARGS` under a shell
    that writes its exit status to a file (tmux itself learns it late, or
    not at all, when a pane's command ends at once)."""

    def __init__(self, test, args, width=80, height=24, env=()):
        self.test = test
        self.sock = "scry-e2e-top-%d-%s" % (os.getpid(), uuid.uuid4().hex[:8])
        self.rcfile = os.path.join(test.tmp, "top.rc.%s" % self.sock[-8:])
        self.errfile = os.path.join(test.tmp, "top.err.%s" % self.sock[-8:])
        envs = " ".join(env) if env else "-u NO_COLOR"
        # (the shell catches the signals, so that it outlives scry top
        # and writes its status; scry top gets them at their defaults)
        inner = "trap true INT TERM HUP; env %s %s top %s 2>%s; echo $? > %s" % (
            envs, SCRY, " ".join(args), self.errfile, self.rcfile)
        self.tmux("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height),
                  "sh -c '%s'" % inner)
        test.addCleanup(self.close)
        shell = int(self.tmux("list-panes", "-t", "t", "-F", "#{pane_pid}").split()[0])

        def child():
            try:
                with open("/proc/%d/task/%d/children" % (shell, shell)) as f:
                    return int(f.read().split()[0])
            except (OSError, IndexError, ValueError):
                return None
        self.pid = wait_for(child, T(5))
        assert self.pid, "scry top did not start: %s" % read_text(self.errfile)

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", os.devnull] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=T(10))
        if check and r.returncode:
            raise AssertionError("tmux %s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def literal(self, text):
        self.tmux("send-keys", "-t", "t", "-l", text)

    def screen(self, escapes=False):
        return self.tmux("capture-pane", "-p", "-t", "t", *(["-e"] if escapes else []), check=False)

    def wait(self, pattern, timeout=None):
        rx = re.compile(pattern, re.M)
        m = wait_for(lambda: rx.search(self.screen()), timeout or T(10), 0.1)
        if not m:
            raise AssertionError("screen never showed %r; it shows:\n%s\nstderr: %s"
                                 % (pattern, self.screen(), read_text(self.errfile)))
        return m

    def dead_status(self, timeout=None):
        """scry top's exit status once it has ended, or None."""
        rc = wait_for(lambda: read_text(self.rcfile).strip(), timeout or T(10), 0.05)
        return int(rc) if rc else None

    def err(self):
        return read_text(self.errfile)

    def close(self):
        self.tmux("kill-server", check=False)
        if self.pid and pid_alive(self.pid):
            # (only ever our own scry top)
            kill_quietly(self.pid)
        check_sanitizer(read_text(self.errfile), "scry top")


def table(screen):
    """{syscall: [cells]} of the syscall table."""
    rows, inside = {}, False
    for line in screen.splitlines():
        if line.startswith("SYSCALL"):
            inside = True
            continue
        if line.startswith("TID"):
            break
        if inside and line.strip() and not line.startswith("("):
            cells = line.split()
            rows[cells[0]] = cells[1:]
    return rows


def thread_row(screen, name):
    for line in screen.splitlines():
        cells = line.split()
        if len(cells) >= 2 and cells[1] == name:
            return cells
    return None


@unittest.skipUnless(HAVE_TMUX, "no tmux")
class Top(ScryTest):
    def service(self):
        self.tag = "topsvc%s" % uuid.uuid4().hex[:10]
        return self.target("top_service", args=["{progress}", "60", self.tag])

    def assertFree(self, svc):
        """Untouched: not traced, not stopped, still making progress."""
        self.assertRunningFree(svc, T(5))

    def test_select_attach_filter_save_detach(self):
        svc = self.service()
        # a second one, traced by a plain scry: the selector says so
        other_tag = "othersvc%s" % uuid.uuid4().hex[:10]
        other = self.target("top_service", args=["{progress}", "60", other_tag])
        tracer = self.attach(other.pid, extra=["-o", os.devnull])
        db = os.path.join(self.tmp, "saved.db")
        tm = Tmux(self, ["-d", "0.5", "-o", db], 132, 40)
        tm.wait(r"choose a process")
        # a kernel thread carries its note, and Enter refuses it
        tm.keys("/")
        tm.literal("[kthreadd]")
        tm.wait(r"kernel thread\s+\[kthreadd\]")
        tm.keys("Enter", "Enter")
        tm.wait(r"cannot attach to \d+: kernel thread")
        # the traced one says by whom
        tm.keys("/")
        tm.literal(other_tag)
        tm.wait(r"^\s*%d .*traced by %d" % (other.pid, tracer.pid))
        tm.keys("Escape")
        # search ours, by its unique word, and attach
        tm.keys("/")
        tm.literal(self.tag)
        tm.wait(r"\(1 match;")
        tm.keys("Enter")
        tm.wait(r"^1 process matching \"%s\"" % self.tag)
        tm.wait(r"^\s*%d \S+ +2 " % svc.pid)
        tm.keys("Enter")
        tm.wait(r"scry top  pid %d " % svc.pid)
        # its calls, its errors, and the reader blocked in read for longer and longer
        tm.wait(r"^getppid\s+\d+")
        tm.wait(r"openat\(AT_FDCWD, \"/nonexistent/top_service\", O_RDONLY\) = -1 ENOENT")
        first = thread_row(tm.wait(r"blocked_reader\s+S\s+\S+\s+read\s+\S+s$").string, "blocked_reader")
        t1 = parse_for(first[-1])
        wait_for(lambda: parse_for(thread_row(tm.screen(), "blocked_reader")[-1]) > t1 + 0.4, T(10), 0.1)
        t2 = parse_for(thread_row(tm.screen(), "blocked_reader")[-1])
        self.assertGreater(t2, t1, tm.screen())
        self.assertIn("looper", tm.screen())
        # the filter: only getppid is counted from now on
        tm.keys("e")
        tm.wait(r"^filter \(-e syntax")
        tm.literal("trace=getppid")
        tm.keys("Enter")
        tm.wait(r"filter: trace=getppid ")
        tm.wait(r"^getppid\s+\d+")
        rows = table(tm.screen())
        self.assertEqual(set(rows), {"getppid"}, tm.screen())
        self.assertNotIn("ENOENT", tm.screen())
        # save a while of it, and read it back
        tm.keys("s")
        tm.wait(r"\[REC %s\]" % re.escape(db[:40]))
        self.assertTrue(svc.wait_progress(5, T(5)))
        tm.keys("s")
        m = tm.wait(r"saved (\d+) calls to %s" % re.escape(db[:30]))
        self.assertGreater(int(m.group(1)), 0)
        r = run_scry(["report", db])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout + r.stderr, r"(?m)^(\[pid +\d+\] )?getppid\(\) += \d+")
        self.assertRegex(r.stdout + r.stderr, r"openat\(AT_FDCWD, \"/nonexistent/top_service\", O_RDONLY\) = -1 ENOENT")
        # d: detach; the service goes on as before, and scry top is back in the selector
        tm.keys("d")
        tm.wait(r"detached from %d: it goes on" % svc.pid)
        self.assertFree(svc)
        tm.keys("q")
        self.assertEqual(tm.dead_status(), 0)
        self.assertFree(svc)

    def test_closed_terminal_ptrace(self):
        """kill the tmux session under an attached ptrace top: it detaches, nothing stays stopped."""
        svc = self.service()
        tm = Tmux(self, ["--backend", "ptrace", "-p", str(svc.pid)])
        m = tm.wait(r"backend: ptrace|Attach\? \(with ptrace\) \[y/N\]")
        if "Attach?" in m.group(0):
            tm.keys("y")     # (the loaded machine made the service look busy)
        tm.wait(r"backend: ptrace \(2 stops per call")
        self.assertTraced(svc.pid)
        tm.wait(r"^getppid\s+\d+")
        tm.tmux("kill-session", "-t", "t")
        self.assertTrue(wait_for(lambda: not pid_alive(tm.pid), T(10)),
                        "scry top %d still there after its terminal closed" % tm.pid)
        self.assertFree(svc)

    def test_ctrl_c_and_sigterm(self):
        svc = self.service()
        tm = Tmux(self, ["-p", str(svc.pid)])
        tm.wait(r"^getppid\s+\d+")
        tm.keys("C-c")
        self.assertEqual(tm.dead_status(), 128 + signal.SIGINT)
        self.assertFree(svc)
        tm.close()
        tm = Tmux(self, ["--backend", "ptrace", "-p", str(svc.pid)])
        m = tm.wait(r"backend: ptrace|Attach\? \(with ptrace\) \[y/N\]")
        if "Attach?" in m.group(0):
            tm.keys("y")
        tm.wait(r"^getppid\s+\d+")
        self.assertTraced(svc.pid)
        os.kill(tm.pid, signal.SIGTERM)
        self.assertEqual(tm.dead_status(), 128 + signal.SIGTERM)
        self.assertFree(svc)

    def test_pause_follow_quit(self):
        svc = self.service()
        tm = Tmux(self, ["-d", "0.3", "-p", str(svc.pid)])
        tm.wait(r"^getppid\s+\d+")
        tm.keys("p")
        tm.wait(r"\[PAUSED\]")
        before = table(tm.screen())["getppid"]
        self.assertTrue(svc.wait_progress(5, T(5)))
        self.assertEqual(table(tm.screen())["getppid"], before, "the paused screen changed")
        tm.keys("p")
        wait_for(lambda: table(tm.screen()).get("getppid") != before, T(5), 0.1)
        self.assertNotEqual(table(tm.screen())["getppid"], before, "unpaused, the screen is still")
        # f: attached again, following children
        tm.keys("f")
        tm.wait(r"\[-f\]")
        tm.wait(r"^getppid\s+\d+")
        tm.keys("q")
        self.assertEqual(tm.dead_status(), 0)
        self.assertFree(svc)

    def test_sizes_and_no_color(self):
        svc = self.service()
        tm = Tmux(self, ["-p", str(svc.pid)], 80, 24, env=["NO_COLOR=1"])
        tm.wait(r"^getppid\s+\d+")
        tm.wait(r"^q quit  d detach")
        lines = tm.screen().splitlines()
        self.assertLessEqual(max(len(l) for l in lines), 80)
        raw = tm.screen(escapes=True)
        self.assertIsNone(re.search(r"\x1b\[[0-9;]*(3[0-7]|4[0-7])m", raw), "colours under NO_COLOR: %r" % raw[:400])
        # a larger terminal: the layout follows (KEY_RESIZE)
        tm.tmux("resize-window", "-t", "t", "-x", "160", "-y", "50")
        tm.wait(r"blocked_reader")
        self.assertTrue(wait_for(lambda: len(tm.screen().splitlines()) >= 49 and
                                 re.search(r"(?m)^q quit", tm.screen().splitlines()[-1] if tm.screen().splitlines() else ""),
                                 T(5), 0.1), tm.screen())
        tm.keys("q")
        self.assertEqual(tm.dead_status(), 0)
        # without NO_COLOR the same screen has colours (so the check above can fail)
        tm2 = Tmux(self, ["-p", str(svc.pid)], 80, 24)
        tm2.wait(r"^getppid\s+\d+")
        self.assertRegex(tm2.screen(escapes=True), r"\x1b\[[0-9;]*(3[0-7]|4[0-7])m")
        tm2.keys("q")
        self.assertEqual(tm2.dead_status(), 0)
        self.assertFree(svc)

    def test_ptrace_asks_before_a_busy_process(self):
        busy = self.target("busy")
        tm = Tmux(self, ["--backend", "ptrace", "-p", str(busy.pid)])
        tm.wait(r"ptrace stops pid %d twice per system call.*" % busy.pid)
        tm.wait(r"Attach\? \(with ptrace\) \[y/N\]")
        self.assertEqual(tracer_pid(busy.pid), 0)
        tm.keys("n")
        tm.wait(r"not attached to %d" % busy.pid)
        self.assertEqual(tracer_pid(busy.pid), 0)
        tm.keys("q")
        self.assertEqual(tm.dead_status(), 0)

    def test_usage(self):
        for args, rx in ((["-d", "0"], r"-d 0: give the refresh in seconds"),
                         (["-p", "x"], r"-p x: not a process id"),
                         (["-e", "trace=nosuchcall"], r"-e trace=nosuchcall: "),
                         (["--backend", "dtrace"], r"--backend dtrace: give auto, bpf or ptrace"),
                         (["--bogus"], r"unknown option '--bogus'"),
                         ([], r"needs a terminal")):
            r = run_scry(["top"] + args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertRegex(r.stderr, "scry top: " + rx)
            self.assertEqual(len(r.stderr.strip().splitlines()[:1]), 1)


if __name__ == "__main__":
    unittest.main()
