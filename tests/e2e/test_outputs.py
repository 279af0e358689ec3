"""Output files: nothing lost, nothing destroyed (issue 19).

What is at an output path is never replaced unless it is a regular file;
new files are private (0600); a full disk or device is one line on stderr,
exit status 1, and a text trace that ends with a whole line; -s up to its
documented bound shows whole buffers, as strace does.

The real /dev/full and /dev/null are never used: devices with their numbers
(1,7 and 1,3) are made with mknod in the test's own directory, and a full
filesystem is a 64 KiB tmpfs mounted there.
"""

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import unittest

from helpers import ScryTest, T, SCRY, prog, run, run_scry

SQLITE_REFUSED = re.compile(r"^scry: cannot write '[^']+': it is a (character device|FIFO|directory); "
                            r"the sqlite format writes a database")


def is_root():
    return os.geteuid() == 0


class Outputs(ScryTest):

    def mknod(self, name, major, minor):
        """A character device like /dev/null (1,3) or /dev/full (1,7), in
        the test's directory."""
        if not is_root():
            self.skipTest("mknod needs root")
        path = os.path.join(self.tmp, name)
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        except OSError as e:
            self.skipTest("cannot mknod here: %s" % e)
        return path

    def assertCharDevice(self, path, major, minor):
        st = os.lstat(path)
        self.assertTrue(stat.S_ISCHR(st.st_mode), "%s is no longer a character device: %o"
                        % (path, st.st_mode))
        self.assertEqual((os.major(st.st_rdev), os.minor(st.st_rdev)), (major, minor))

    def assertOneLine(self, stderr, pattern):
        lines = [l for l in stderr.splitlines() if l.startswith("scry")]
        self.assertEqual(len(lines), 1, "wanted one message line:\n" + stderr)
        self.assertRegex(lines[0], pattern)

    def marker_cmd(self):
        marker = os.path.join(self.tmp, "ran")
        return marker, ["sh", "-c", "touch " + marker]

    # ------------------------------------------------ sqlite: item 1

    def refused(self, path, what):
        marker, cmd = self.marker_cmd()
        r = run_scry(["--format", "sqlite", "-o", path, "--"] + cmd)
        self.assertEqual(r.returncode, 1, "%s: %s" % (what, r.stderr))
        self.assertOneLine(r.stderr, SQLITE_REFUSED)
        self.assertIn(path, r.stderr)
        self.assertFalse(os.path.exists(marker), "%s: the command ran" % what)
        for suffix in ("-wal", "-shm", "-journal"):
            self.assertFalse(os.path.lexists(path + suffix), "%s: made %s" % (what, path + suffix))

    def test_sqlite_never_replaces_a_device(self):
        for name, (ma, mi) in (("null", (1, 3)), ("full", (1, 7))):
            dev = self.mknod(name, ma, mi)
            self.refused(dev, name)
            self.assertCharDevice(dev, ma, mi)
            # through a symlink too: the link and the device both stay
            link = os.path.join(self.tmp, name + "-link.db")
            os.symlink(dev, link)
            self.refused(link, name + " link")
            self.assertTrue(os.path.islink(link))
            self.assertEqual(os.readlink(link), dev)
            self.assertCharDevice(dev, ma, mi)

    def test_sqlite_never_replaces_a_fifo_or_directory(self):
        fifo = os.path.join(self.tmp, "fifo.db")
        os.mkfifo(fifo)
        self.refused(fifo, "fifo")
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        d = os.path.join(self.tmp, "dir.db")
        os.mkdir(d)
        with open(os.path.join(d, "keep"), "w") as f:
            f.write("keep")
        self.refused(d, "directory")
        self.assertTrue(stat.S_ISDIR(os.lstat(d).st_mode))
        self.assertEqual(os.listdir(d), ["keep"])

    def test_sqlite_writes_through_a_symlink(self):
        """A symlink to a regular file is written through, as -o is for
        the other formats: the link stays, its target becomes the database."""
        real = os.path.join(self.tmp, "real.db")
        with open(real, "w") as f:
            f.write("not a database, " * 100)
        os.chmod(real, 0o640)
        link = os.path.join(self.tmp, "link.db")
        os.symlink("real.db", link)
        r = run_scry(["--format", "sqlite", "-o", link, "--", prog("calls")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(link), "the symlink was replaced")
        self.assertEqual(os.readlink(link), "real.db")
        self.assertEqual(os.lstat(real).st_mode & 0o777, 0o640, "an existing file keeps its mode")
        db = sqlite3.connect(real)
        try:
            n = db.execute("SELECT count(*) FROM syscalls WHERE name='getpid'").fetchone()[0]
        finally:
            db.close()
        self.assertEqual(n, 1)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["link.db", "real.db"])

    # ------------------------------------------------ modes: item 1

    def test_new_output_files_are_private(self):
        old = os.umask(0o022)
        try:
            outs = {}
            for fmt, name in (("text", "t.txt"), ("json", "t.json"), ("jsonl", "t.jsonl"),
                              ("csv", "t.csv"), ("chrome", "t.trace"), ("sqlite", "t.db")):
                path = os.path.join(self.tmp, name)
                r = run_scry(["--format", fmt, "-o", path, "--", prog("calls")])
                self.assertEqual(r.returncode, 0, "%s: %s" % (fmt, r.stderr))
                outs[fmt] = path
            summary = os.path.join(self.tmp, "summary.txt")
            r = run_scry(["-c", "-o", summary, "--backend", "ptrace", "--", prog("calls")])
            self.assertEqual(r.returncode, 0, r.stderr)
            outs["-c"] = summary
            ff = os.path.join(self.tmp, "per")
            r = run_scry(["-ff", "-o", ff, "--", "sh", "-c", prog("calls") + "; true"])
            self.assertEqual(r.returncode, 0, r.stderr)
            per = [os.path.join(self.tmp, n) for n in os.listdir(self.tmp) if n.startswith("per.")]
            self.assertGreaterEqual(len(per), 2, os.listdir(self.tmp))
            for i, p in enumerate(per):
                outs["-ff %d" % i] = p
            for fmt in ("text", "json"):
                path = os.path.join(self.tmp, "report." + fmt)
                r = run_scry(["report", "--format", fmt, "-o", path, outs["sqlite"]])
                self.assertEqual(r.returncode, 0, r.stderr)
                outs["report " + fmt] = path
            path = os.path.join(self.tmp, "report-c.txt")
            r = run_scry(["report", "-c", "-o", path, outs["sqlite"]])
            self.assertEqual(r.returncode, 0, r.stderr)
            outs["report -c"] = path
        finally:
            os.umask(old)
        for what, path in outs.items():
            self.assertGreater(os.path.getsize(path), 0, what)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600,
                             "%s: %s has mode %o" % (what, path, os.stat(path).st_mode & 0o777))

    # ------------------------------------------------ full device: items 3, 14

    def test_summary_to_a_full_device_is_an_error(self):
        full = self.mknod("full", 1, 7)
        r = run_scry(["-c", "--backend", "ptrace", "-o", full, "--", prog("exitcode"), "0"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertOneLine(r.stderr, r"^scry: cannot write the summary to %s: No space left on device$"
                           % re.escape(full))
        self.assertCharDevice(full, 1, 7)

    def test_structured_output_to_a_full_device_one_clean_line(self):
        full = self.mknod("full", 1, 7)
        for fmt in ("json", "jsonl", "csv", "chrome"):
            r = run_scry(["--format", fmt, "-o", full, "--", prog("exitcode"), "0"])
            self.assertEqual(r.returncode, 1, "%s: %s" % (fmt, r.stderr))
            self.assertOneLine(r.stderr, r"^scry: cannot write '%s': No space left on device$"
                               % re.escape(full))
            self.assertCharDevice(full, 1, 7)

    def test_text_to_a_null_device_is_written_through(self):
        null = self.mknod("null", 1, 3)
        r = run_scry(["-o", null, "--", prog("exitcode"), "0"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertCharDevice(null, 1, 3)

    def test_unwritable_output_is_status_1(self):
        marker, cmd = self.marker_cmd()
        for args in (["-o", "/nonexistent/dir/x"], ["-ff", "-o", "/nonexistent/dir/x"]):
            r = run_scry(args + ["--"] + cmd)
            self.assertEqual(r.returncode, 1, "%s: %s" % (args, r.stderr))
            self.assertOneLine(r.stderr, r"^scry: cannot write '/nonexistent/dir/x[^']*': .*"
                               r"No such file or directory$")
            self.assertFalse(os.path.exists(marker), "the command ran despite the bad -o")

    # ------------------------------------------------ ENOSPC: item 6

    def small_fs(self):
        """A 64 KiB tmpfs in the test's directory: a filesystem that fills up."""
        if not is_root() or not shutil.which("mount"):
            self.skipTest("mounting a tmpfs needs root")
        mnt = os.path.join(self.tmp, "small")
        os.mkdir(mnt)
        r = run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", mnt], timeout=T(10))
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs: " + r.stderr.strip())
        self.addCleanup(lambda: run(["umount", "-l", mnt], timeout=T(10)))
        return mnt

    def assertWholeLines(self, path, what):
        with open(path, "rb") as f:
            data = f.read()
        if not data:
            return 0
        self.assertTrue(data.endswith(b"\n"), "%s ends mid-line: %r" % (what, data[-120:]))
        last = data[:-1].rsplit(b"\n", 1)[-1]
        self.assertRegex(last.decode(errors="replace"), r"(\) += .+|\+\+\+ .* \+\+\+)$",
                         "%s: the last line is not a whole one" % what)
        return len(data)

    def test_text_cut_by_enospc_ends_with_a_whole_line(self):
        mnt = self.small_fs()
        # several line lengths, so that the disk fills at different places
        for bs in (100, 37, 1000):
            for f in os.listdir(mnt):
                os.unlink(os.path.join(mnt, f))
            out = os.path.join(mnt, "t.txt")
            r = run_scry(["-o", out, "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=%d" % bs,
                          "count=3000", "status=none"], timeout=T(60))
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertOneLine(r.stderr, r"^scry: cannot write the trace to %s: No space left on device$"
                               % re.escape(out))
            self.assertGreater(self.assertWholeLines(out, "-o bs=%d" % bs), 32 * 1024)

    def test_text_per_process_cut_by_enospc_ends_with_whole_lines(self):
        mnt = self.small_fs()
        base = os.path.join(mnt, "t")
        r = run_scry(["-ff", "-o", base, "--", "sh", "-c",
                      "dd if=/dev/zero of=/dev/null bs=100 count=3000 status=none; true"],
                     timeout=T(60))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("No space left on device", r.stderr)
        files = os.listdir(mnt)
        self.assertGreaterEqual(len(files), 1)
        total = sum(self.assertWholeLines(os.path.join(mnt, f), f) for f in files)
        self.assertGreater(total, 32 * 1024)

    # ------------------------------------------------ -s: items 6, 14

    def test_string_limit_shows_a_70000_byte_buffer(self):
        src = os.path.join(self.tmp, "data")
        data = bytes((i * 7 + i // 256) % 256 for i in range(70000))
        with open(src, "wb") as f:
            f.write(data)
        argv = ["dd", "if=" + src, "of=/dev/null", "bs=70000", "count=1", "status=none"]
        out = os.path.join(self.tmp, "scry.txt")
        r = run_scry(["-s", "70000", "-e", "trace=write", "-o", out, "--"] + argv, timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            text = f.read()
        m = re.search(r'^write\(1, "(.*)", 70000\) += 70000$', text, re.M)
        self.assertTrue(m, text[:300])
        self.assertFalse(m.group(1).endswith('"...'), "cut short")
        shown = m.group(1).encode().decode("unicode_escape").encode("latin-1")
        self.assertEqual(len(shown), 70000)
        self.assertEqual(shown, data)
        if shutil.which("strace"):
            ref = os.path.join(self.tmp, "strace.txt")
            s = run(["strace", "-s", "70000", "-e", "trace=write", "-o", ref, "--"] + argv,
                    timeout=T(30))
            self.assertEqual(s.returncode, 0, s.stderr)
            with open(ref) as f:
                want = [l for l in f.read().splitlines() if l.startswith("write(")]
            have = [l for l in text.splitlines() if l.startswith("write(")]
            self.assertEqual(have, want)

    def test_string_limit_out_of_range_says_the_range(self):
        for v in ("2147483647", "1048577", "-1"):
            r = run_scry(["-s", v, "--", "true"])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("invalid -s value '%s'" % v, r.stderr)
            self.assertIn("from 0 to 1048576", r.stderr)
        r = run_scry(["-s", "1048576", "-o", os.path.join(self.tmp, "t"), "--", "true"])
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
