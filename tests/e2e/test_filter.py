"""-e filtering, and the seccomp filter that keeps excluded calls in the
kernel for launched commands."""

import re
import shutil

from helpers import ScryTest, T, prog, run, run_scry, syscall_lines


def finished(text, name):
    """Lines that show name's result (a split call counts once)."""
    return [l for l in syscall_lines(text, name) if not l.endswith("<unfinished ...>")]


class Filter(ScryTest):

    def names(self, text):
        return {m.group(1) for m in re.finditer(r"(?m)^(?:\[pid +\d+\] )?([a-z0-9_]+)\(", text)}

    def test_trace_names_only(self):
        for extra in ([], ["--no-seccomp"]):
            with self.subTest(extra=extra):
                r = run_scry(extra + ["-e", "trace=openat,getppid", "--",
                                      prog("known_calls"), "3", "2", "0"], timeout=T(10))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.names(r.stderr), {"openat", "getppid"}, r.stderr)
                self.assertEqual(len(finished(r.stderr, "getppid")), 3)
                failed = [l for l in finished(r.stderr, "openat") if "ENOENT" in l]
                self.assertEqual(len(failed), 2)

    def test_class_and_negation(self):
        r = run_scry(["-e", "trace=file,!/stat/", "--", prog("calls")], timeout=T(10))
        self.assertEqual(r.returncode, 0, r.stderr)
        names = self.names(r.stderr)
        self.assertIn("openat", names)
        self.assertIn("execve", names)
        self.assertFalse([n for n in names if "stat" in n], names)
        self.assertNotIn("read", names)

    def test_status_failed(self):
        r = run_scry(["-Z", "--", prog("known_calls"), "3", "2", "0"], timeout=T(10))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stderr.splitlines() if re.match(r"[a-z0-9_]+\(", l)]
        self.assertTrue(lines)
        self.assertTrue(all(" = -1 " in l for l in lines), lines)

    def test_seccomp_children_not_followed_still_work(self):
        # Without -f, children inherit the filter but are not shown; they
        # must run normally (execve, exit_group) all the same.
        r = run_scry(["-e", "trace=openat", "--", "sh", "-c", "cat /etc/hostname; exit 5"], timeout=T(10))
        self.assertEqual(r.returncode, 5, r.stderr)
        with open("/etc/hostname") as f:
            self.assertIn(f.read().strip(), r.stdout)
        self.assertNotIn("[pid", r.stderr)

    def test_seccomp_follow(self):
        r = run_scry(["-f", "-e", "trace=execve,getppid", "--",
                      prog("known_calls"), "4", "0", "0", "2"], timeout=T(10))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(finished(r.stderr, "getppid")), 12, r.stderr)
        self.assertEqual(len(set(re.findall(r"(?m)^\[pid +(\d+)\] (?:<\.\.\. )?getppid", r.stderr))), 3)

    def test_bad_specs(self):
        r = run_scry(["-e", "trace=opne", "--", "true"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("scry: unknown syscall 'opne' in -e trace=opne (did you mean 'open'?)", r.stderr)
        r = run_scry(["-e", "trace=/[/", "--", "true"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("invalid regex", r.stderr)

    def test_seccomp_many_unfollowed_forks(self):
        # A child's first stop can come before its parent's fork event; it
        # must still be kept, or its traced calls fail with ENOSYS.
        script = "for i in 1 2 3 4 5 6 7 8 9 10; do (sh -c 'exit 0') & done; wait; echo done"
        for _ in range(3):
            r = run_scry(["-e", "trace=openat", "--", "sh", "-c", script], timeout=T(20))
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
            self.assertIn("done", r.stdout)
            self.assertNotIn("Function not implemented", r.stderr)

    def test_trace_path(self):
        # -P keeps the calls that name the path or use an fd open on it,
        # exactly as strace -P does.
        argv = ["cat", "/etc/hostname", "/etc/os-release"]
        r = run_scry(["-P", "/etc/hostname", "--"] + argv, timeout=T(10))
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [m.group(1) for m in re.finditer(r"(?m)^([a-z0-9_]+)\(", r.stderr)]
        self.assertIn("openat", names)
        self.assertIn("read", names)
        self.assertIn("close", names)
        self.assertNotIn("os-release", r.stderr)
        self.assertNotIn("execve", names)
        if shutil.which("strace"):
            s = run(["strace", "-P", "/etc/hostname"] + argv, timeout=T(10))
            want = [m.group(1) for m in re.finditer(r"(?m)^([a-z0-9_]+)\(", s.stderr)]
            self.assertEqual(names, want)
