"""Issue 21: 32-bit (ia32) processes make i386 calls (close is 6, not 3).
scry decodes them by the `arch` PTRACE_GET_SYSCALL_INFO reports, with the
i386 table (src/syscalls/table_i386.c), and must print what strace prints
for tests/progs/ia32_calls.c, a static -m32 program.  Skipped where the
kernel cannot run 32-bit code (ia32 emulation off: exec fails ENOEXEC)."""

import os
import re
import shutil
import subprocess
import unittest

from helpers import PROGS, PROGS_SRC, ScryTest, T, run, run_scry

CALLS = "openat,dup,close,write,getpid"

SUBS = [
    (re.compile(r"^getpid\(\) += \d+"), "getpid() = PID"),
    (re.compile(r"<\d+\.\d+>$"), "<T>"),                             # -T
    (re.compile(r"\) +="), ") ="),                                   # padding
]


def normalise(text):
    out = []
    for line in text.splitlines():
        # strace's "[ Process PID=N runs in 32 bit mode. ]"; scry: errors
        if line.startswith(("+++", "scry: ", "[ Process PID=")):
            continue
        for rx, rep in SUBS:
            line = rx.sub(rep, line)
        out.append(line)
    return out


def ia32_prog():
    """tests/progs/ia32_calls.c built as the Makefile builds it (-m32
    -static; helpers.prog() would build it 64-bit), or None."""
    path = os.path.join(PROGS, "ia32_calls")
    src = os.path.join(PROGS_SRC, "ia32_calls.c")
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(src):
        os.makedirs(PROGS, exist_ok=True)
        subprocess.run(["gcc", "-D_GNU_SOURCE", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                        "-O1", "-m32", "-static", "-o", path, src], check=False)
    try:
        with open(path, "rb") as f:
            head = f.read(5)
    except OSError:
        return None
    return path if head == b"\x7fELF\x01" else None     # ELFCLASS32


def can_run_ia32():
    path = ia32_prog()
    if not path:
        return False
    try:
        return subprocess.run([path], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except OSError:     # ENOEXEC: the kernel runs no 32-bit code
        return False


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
@unittest.skipUnless(can_run_ia32(), "this kernel cannot run 32-bit (ia32) programs")
class Ia32(ScryTest):
    maxDiff = None

    def compare(self, opts):
        argv = [ia32_prog()]
        s = run(["strace"] + opts + ["-e", "trace=" + CALLS] + argv, timeout=T(20))
        r = run_scry(opts + ["-e", "trace=" + CALLS, "--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
        want, have = normalise(s.stderr), normalise(r.stderr)
        self.assertIn("close(3) = 0", want)
        self.assertEqual(have, want)

    def test_same_as_strace(self):
        for opts in ([], ["-y"], ["-T"]):
            with self.subTest(opts=opts):
                self.compare(opts)

    def test_i386_names(self):
        """Calls of the i386 table only are named by it: the program's
        lseek is _llseek (140), where the x86_64 table has getpriority;
        close is 6, where x86_64 has lstat."""
        r = run_scry(["--", ia32_prog()], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertIn("_llseek(3, ", r.stderr)
        self.assertIn("close(3) = 0", re.sub(r"\) +=", ") =", r.stderr))
        for wrong in ("getpriority(", "lstat(", "preadv(", "ioprio_get("):
            self.assertNotIn(wrong, r.stderr)


if __name__ == "__main__":
    unittest.main()
