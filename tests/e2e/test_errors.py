"""Bad input and failures: one clear line on stderr, the documented exit
status, and nothing attached or launched half-way."""

import os
import re
import signal
import subprocess

from helpers import (ScryTest, T, SCRY, prog, run, run_scry, tracer_pid,
                     proc_status, wait_for)


class BadInput(ScryTest):

    def assertUsageError(self, r, mention=None, status=2):
        self.assertEqual(r.returncode, status, "wanted exit status %d; stderr: %r" % (status, r.stderr))
        self.assertTrue(r.stderr.strip(), "no message on stderr")
        self.assertRegex(r.stderr, r"(?m)^scry: ", "message should start with 'scry: '")
        if mention:
            self.assertIn(mention, r.stderr)
        self.assertNotIn("Attaching", r.stderr)
        self.assertNotRegex(r.stderr, r"(?m)^execve\(", "something was launched")

    def test_no_such_pid(self):
        self.assertFalse(os.path.exists("/proc/999999"))
        r = run_scry(["-p", "999999"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("scry: cannot attach to process 999999: No such process", r.stderr)

    def test_no_such_command(self):
        r = run_scry(["--", "nosuchcmd"])
        self.assertEqual(r.returncode, 127, r.stderr)
        self.assertIn("scry: cannot run 'nosuchcmd': No such file or directory", r.stderr)

    def test_attach_to_itself_refused(self):
        # The shell's pid becomes scry's own pid through exec.
        r = run(["sh", "-c", 'exec "$0" -p $$', SCRY], timeout=T(5))
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"(?i)itself|own process|self", r.stderr)
        self.assertNotIn("Attached successfully", r.stderr)

    def test_attach_to_parent_refused(self):
        r = run(["sh", "-c", '"$0" -p $$; exit $?', SCRY], timeout=T(5))
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"(?i)parent", r.stderr)
        self.assertNotIn("Attached successfully", r.stderr)

    def test_unknown_option(self):
        marker = os.path.join(self.tmp, "ran")
        r = run_scry(["--no-such-option", "--", "sh", "-c", "touch " + marker])
        self.assertUsageError(r, "no-such-option")
        self.assertFalse(os.path.exists(marker), "the command ran despite the bad option")

    def test_unknown_short_option(self):
        r = run_scry(["-J", "--", "true"])
        self.assertUsageError(r)

    def test_missing_argument(self):
        r = run_scry(["-p"])
        self.assertUsageError(r)

    def test_missing_argument_o(self):
        r = run_scry(["-o"])
        self.assertUsageError(r)

    def test_bad_pid_argument(self):
        r = run_scry(["-p", "abc"])
        self.assertUsageError(r, "abc")

    def test_bad_duration(self):
        r = run_scry(["--duration", "soon", "--", "true"])
        self.assertUsageError(r, "soon")

    def test_nothing_to_do(self):
        r = run_scry([])
        self.assertUsageError(r)

    def test_unwritable_output_launch(self):
        # not a usage error: the output cannot be written (status 1, scry(1))
        marker = os.path.join(self.tmp, "ran")
        r = run_scry(["-o", "/nonexistent/dir/x", "--", "sh", "-c", "touch " + marker])
        self.assertUsageError(r, "/nonexistent/dir/x", status=1)
        self.assertFalse(os.path.exists(marker), "the command ran despite the bad -o")

    def test_unwritable_output_attach(self):
        t = self.target("sleeper")
        r = run_scry(["-o", "/nonexistent/dir/x", "-p", str(t.pid)])
        self.assertUsageError(r, "/nonexistent/dir/x", status=1)
        self.assertEqual(tracer_pid(t.pid), 0)
        self.assertRunningFree(t)


class Permission(ScryTest):

    def nobody_argv(self):
        for argv in (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                     ["runuser", "-u", "nobody", "--"]):
            if subprocess.run(["which", argv[0]], capture_output=True).returncode == 0:
                return argv
        self.skipTest("neither setpriv nor runuser")

    def test_eperm_other_users_process(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run a root-owned target and switch to nobody")
        t = self.target("sleeper")
        r = run(self.nobody_argv() + [SCRY, "-p", str(t.pid)], timeout=T(5))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot attach to process %d: Operation not permitted" % t.pid, r.stderr)
        self.assertRegex(r.stderr, r"owned by|belongs to user|ptrace_scope|already traced",
                         "the message should say why")
        self.assertNotIn("Attached successfully", r.stderr)
        self.assertRunningFree(t)

    def test_already_traced(self):
        t = self.target("sleeper")
        st = self.spawn(["strace", "-qq", "-o", os.devnull, "-p", str(t.pid)], name="strace")
        ok = wait_for(lambda: tracer_pid(t.pid) == st.pid, T(5))
        if not ok:
            self.skipTest("strace could not attach: " + st.err())
        r = run_scry(["-p", str(t.pid)], timeout=T(5))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot attach to process %d" % t.pid, r.stderr)
        self.assertIn(str(st.pid), r.stderr, "the message should name the tracer's pid")
        self.assertIn("strace", r.stderr, "the message should name the tracer")
        self.assertEqual(tracer_pid(t.pid), st.pid, "scry disturbed the other tracer")
        st.signal(signal.SIGINT)
        self.assertIsNotNone(st.wait(T(5)))
        self.assertRunningFree(t)
