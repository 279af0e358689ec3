"""End-to-end tests of attaching to running processes and detaching from
them: after every way of detaching, the target is not stopped, not traced,
and keeps making progress."""

import os
import re
import signal
import time

from helpers import (ScryTest, T, SCRY, prog, prefixed_pids, syscall_lines,
                     tracer_pid, proc_state, pid_alive, wait_for, read_progress,
                     kill_quietly, openpty_raw, pty_write, thread_ids)


class Attach(ScryTest):

    def attach_and_detach(self, target, want_calls):
        s = self.attach(target.pid)
        self.assertIn("Attaching to process %d..." % target.pid, s.err())
        self.assertTraced(target.pid)
        self.run_traced_a_while(target)
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertDetachMessages(s, [target.pid])
        for name in want_calls:
            self.assertRegex(s.err(), r"(?m)^(\[pid\s+\d+\] )?%s\(" % name,
                             "no %s line in the trace" % name)
        self.assertRunningFree(target)
        return s

    def test_sleeping_process(self):
        t = self.target("sleeper")
        self.attach_and_detach(t, ["pwrite64"])

    def test_busy_process(self):
        t = self.target("busy")
        self.attach_and_detach(t, ["getppid", "pwrite64"])

    def test_eight_threads(self):
        t = self.target("threads8")
        tids = [int(x) for x in re.findall(r"(?m)^tid (\d+)$", t.out())]
        self.assertEqual(len(tids), 8, t.out())
        s = self.attach(t.pid)
        for tid in tids + [t.pid]:
            self.assertTraced(tid)
        self.run_traced_a_while(t, steps=40)  # each thread loops every 10 ms
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertDetachMessages(s, [t.pid])
        missing = set(tids) - prefixed_pids(s.err())
        self.assertFalse(missing, "threads never shown as [pid TID]: %s; seen %s"
                         % (sorted(missing), sorted(prefixed_pids(s.err()))))
        for tid in tids:
            self.assertRegex(s.err(), r"(?m)^\[pid\s+%d\] getppid\(" % tid)
        # The result may come on a "<... getppid resumed>" line when threads interleave.
        self.assertRegex(s.err(), r"(?m)^\[pid\s+\d+\] (getppid\(|<\.\.\. getppid resumed>)\)\s+= %d$"
                         % os.getpid())
        self.assertRunningFree(t)
        self.assertEqual(len(thread_ids(t.pid)), 9)

    def test_trace_is_live(self):
        """Lines appear while attached, not only when scry detaches (strace
        line-buffers its stderr; a user watching a service needs that)."""
        t = self.target("sleeper")
        s = self.attach(t.pid)
        self.assertTrue(s.wait_err(r"(?m)^pwrite64\(", T(3)),
                        "no trace line within 3 s of attaching; stderr so far:\n" + s.err())
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertRunningFree(t)

    def test_pid_list_forms(self):
        """-p "A B", -p A,B, -p A -p B, --pid and --attach all attach to both."""
        a = self.target("sleeper")
        b = self.target("sleeper")
        forms = [["-p", "%d %d" % (a.pid, b.pid)],
                 ["-p", "%d,%d" % (a.pid, b.pid)],
                 ["-p", str(a.pid), "-p", str(b.pid)],
                 ["--pid", str(a.pid), "--attach", str(b.pid)]]
        for form in forms:
            with self.subTest(form=form):
                s = self.scry_bg(form)
                ok = s.wait_err(r"Attached successfully", T(5))
                self.assertTrue(ok, "no attach with %s: %s" % (form, s.err()[-2000:]))
                for t in (a, b):
                    self.assertIn("Attaching to process %d..." % t.pid, s.err())
                    self.assertTraced(t.pid)
                s.signal(signal.SIGINT)
                self.assertScryExits(s)
                self.assertDetachMessages(s, [a.pid, b.pid])
                self.assertRunningFree(a)
                self.assertRunningFree(b)

    def test_target_exits_while_attached(self):
        t = self.target("sleeper", lifetime=1)
        s = self.attach(t.pid)
        self.assertEqual(t.wait(T(5)), 0)
        self.assertScryExits(s, T(5), want=None)
        self.assertIn("+++ exited with 0 +++", s.err())

    def test_stdin_eof_does_not_detach(self):
        """Only Enter on a terminal detaches: stdin at EOF (not a tty) must not."""
        t = self.target("sleeper")
        s = self.attach(t.pid)  # stdin is /dev/null
        time.sleep(0.5)
        self.assertTrue(s.running(), "scry exited with stdin at EOF: " + s.err()[-1000:])
        self.assertIn(tracer_pid(t.pid), thread_ids(s.pid), "not traced by scry")
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertRunningFree(t)


class Detach(ScryTest):
    """Every way of detaching leaves the target running as before."""

    def detach_by_signal(self, sig):
        t = self.target("sleeper")
        s = self.attach(t.pid)
        self.run_traced_a_while(t)
        s.signal(sig)
        self.assertScryExits(s)
        self.assertDetachMessages(s, [t.pid])
        self.assertIn("pwrite64(", s.err())
        self.assertRunningFree(t)

    def test_sigint(self):
        self.detach_by_signal(signal.SIGINT)

    def test_sigterm(self):
        self.detach_by_signal(signal.SIGTERM)

    def test_sighup(self):
        self.detach_by_signal(signal.SIGHUP)

    def test_sigint_busy_threads(self):
        t = self.target("threads8")
        s = self.attach(t.pid)
        self.run_traced_a_while(t, steps=40)
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertRunningFree(t)

    def test_enter_on_terminal(self):
        t = self.target("sleeper")
        master, slave = openpty_raw()
        try:
            s = self.attach(t.pid, stdin=slave)
            self.run_traced_a_while(t)
            pty_write(master, b"\n")
            self.assertScryExits(s)
            self.assertDetachMessages(s, [t.pid])
            self.assertRunningFree(t)
        finally:
            os.close(master)
            os.close(slave)

    def test_launch_mode_terminal_stdin_is_the_commands(self):
        """Enter detaches only in attach mode: a launched command keeps its
        terminal stdin, and scry must not eat the line."""
        master, slave = openpty_raw()
        try:
            s = self.scry_bg(["--", "sh", "-c", "read x; echo got=$x"], stdin=slave)
            time.sleep(0.3)  # time for scry to start watching stdin, if it wrongly would
            pty_write(master, b"hello\n")
            self.assertScryExits(s, T(5))
            self.assertIn("got=hello", s.out())
            self.assertNotIn("Detaching", s.err())
        finally:
            os.close(master)
            os.close(slave)

    def detach_after(self, args, seconds):
        t = self.target("sleeper")
        start = time.monotonic()
        s = self.attach(t.pid, extra=args)
        rc = s.wait(T(5) + seconds)
        elapsed = time.monotonic() - start
        if rc is None:
            self.fail("scry %s did not exit by itself" % args)
        self.assertEqual(rc, 0, s.err()[-2000:])
        self.assertGreaterEqual(elapsed, seconds * 0.9, "detached too early")
        self.assertLess(elapsed, seconds + T(2.5), "detached too late")
        self.assertDetachMessages(s, [t.pid])
        self.assertRunningFree(t)

    def test_duration_1(self):
        self.detach_after(["--duration", "1"], 1.0)

    def test_duration_500ms(self):
        self.detach_after(["--duration", "500ms"], 0.5)

    def test_attach_duration_msec(self):
        self.detach_after(["--attach-duration-msec", "500"], 0.5)

    def test_duration_launched_command_keeps_running(self):
        progress = os.path.join(self.tmp, "launched.progress")
        s = self.scry_bg(["--duration", "500ms", "--", prog("sleeper"), progress, "30"])
        m = s.wait_out(r"^(\d+)$", T(5))
        self.assertTrue(m, s.err()[-2000:])
        pid = int(m.group(1))
        self.addCleanup(kill_quietly, pid)
        rc = s.wait(T(5))
        self.assertIsNotNone(rc, "scry did not exit after --duration")
        self.assertTrue(pid_alive(pid), "launched command died with scry's duration")
        ok = wait_for(lambda: tracer_pid(pid) == 0 and proc_state(pid) not in ("T", "t"), T(3))
        self.assertTrue(ok, "launched command left traced/stopped: State %r TracerPid %r"
                        % (proc_state(pid), tracer_pid(pid)))
        p = read_progress(progress) or 0
        self.assertTrue(wait_for(lambda: (read_progress(progress) or 0) >= p + 2, T(3)),
                        "launched command makes no progress after scry left")

    def test_sigint_launch_mode_says_the_command_gets_it(self):
        """Ctrl+C in launch mode ends the command (it gets the signal after
        scry lets go): the messages must not say it continues running."""
        progress = os.path.join(self.tmp, "launched.progress")
        s = self.scry_bg(["--", prog("sleeper"), progress, "30"])
        m = s.wait_out(r"^(\d+)$", T(5))
        self.assertTrue(m, s.err()[-2000:])
        pid = int(m.group(1))
        self.addCleanup(kill_quietly, pid)
        self.assertTraced(pid)
        s.signal(signal.SIGINT)
        self.assertScryExits(s, want=128 + signal.SIGINT)
        err = s.err()
        self.assertIn("Process %d, which scry launched, was sent SIGINT" % pid, err)
        self.assertNotIn("continue", err)
        self.assertTrue(wait_for(lambda: not pid_alive(pid), T(5)),
                        "the launched command still runs: State %r" % proc_state(pid))

    def test_pid_and_command_name_only_those_still_there(self):
        """-p PID -- CMD traces both; once CMD has exited, Ctrl+C detaches
        from PID alone, and the messages name PID alone."""
        t = self.target("sleeper")
        s = self.attach(["-p", str(t.pid), "--", "sh", "-c", "echo cmd $$"])
        m = s.wait_out(r"^cmd (\d+)$", T(5))
        self.assertTrue(m, s.err()[-2000:])
        cmd = int(m.group(1))
        self.assertTrue(s.wait_err(r"(?m)^\[pid\s+%d\] \+\+\+ exited with 0 \+\+\+$" % cmd, T(5)),
                        "the command's exit is not in the trace:\n" + s.err()[-2000:])
        self.run_traced_a_while(t)
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertDetachMessages(s, [t.pid])
        self.assertNotIn("Detaching from process %d..." % cmd, s.err())
        self.assertIn("Detached successfully. Process continues running.", s.err())
        self.assertRunningFree(t)

    def test_scry_killed(self):
        """SIGKILL to scry cannot be caught: the kernel detaches, and the
        target must go on (no EXITKILL for attached processes)."""
        t = self.target("sleeper")
        s = self.attach(t.pid)
        self.run_traced_a_while(t)
        s.signal(signal.SIGKILL)
        self.assertEqual(s.wait(T(5)), -signal.SIGKILL)
        self.assertRunningFree(t, timeout=T(5))

    def test_scry_killed_busy_threads(self):
        t = self.target("threads8")
        s = self.attach(t.pid)
        self.run_traced_a_while(t, steps=40)
        s.signal(signal.SIGKILL)
        s.wait(T(5))
        self.assertRunningFree(t, timeout=T(5))
