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

    @unittest.skipIf(os.geteuid() != 0, "the bpf backend needs root")
    def test_bpf_lets_32bit_exec_go(self):
        """A traced 64-bit shell that execs the 32-bit program under bpf:
        the execve shows, then one line says the process is no longer
        traced, and none of its i386 calls is shown under an x86_64 name
        (its close, 6, as lstat); the command still runs to its end."""
        probe = run_scry(["--backend", "bpf", "-c", "--", "true"], timeout=T(30))
        if probe.returncode != 0:
            self.skipTest("bpf backend unusable here: " + probe.stderr.strip()[-200:])
        r = run_scry(["--backend", "bpf", "-f", "--", "sh", "-c", "exec " + ia32_prog()],
                     timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertIn("ia32\n", r.stdout)
        self.assertIn("execve(", r.stderr)
        self.assertEqual(r.stderr.count("is no longer traced (use --backend ptrace)"), 1, r.stderr)
        for wrong in ("lstat(", "getpriority(", "close(3)"):
            self.assertNotIn(wrong, r.stderr)


# status=none: dd's own report would share scry's stderr, and once in a
# CI run it landed inside a trace line ("lseek(0, 1, SEEK_CUR1+0 records
# in ... ) = 0")
DD = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=1", "skip=1", "status=none"]


@unittest.skipUnless(os.uname().machine == "x86_64", "i386 calls exist on x86_64 only")
class Ia32Names(ScryTest):
    """What needs no 32-bit process: the i386 names in -e trace= lists
    (strace accepts a name of any personality) and their seccomp program,
    and that a 64-bit process's calls, read with PTRACE_GET_SYSCALL_INFO's
    arch, stay x86_64 calls and say no personality change."""

    def test_i386_names_in_trace_lists(self):
        for extra in ([], ["--seccomp-bpf"], ["-f", "--seccomp-bpf"]):
            with self.subTest(extra=extra):
                r = run_scry(extra + ["-e", "trace=_llseek,lseek,mmap2,stat64", "--"] + DD,
                             timeout=T(20))
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])
                # dd's skip= seeks its input: the x86_64 lseek, by its name
                self.assertIn("lseek(0, 1, SEEK_CUR)", re.sub(r"\) +=", ") =", r.stderr))
                self.assertNotIn("_llseek(", r.stderr)
                self.assertNotIn("mmap2(", r.stderr)

    def test_i386_name_alone(self):
        """A list of i386 calls only traces nothing of a 64-bit process
        (and is no usage error): not even its x86_64 number's namesake."""
        for extra in ([], ["--seccomp-bpf"]):
            with self.subTest(extra=extra):
                r = run_scry(extra + ["-e", "trace=_llseek", "--"] + DD, timeout=T(20))
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])
                self.assertEqual([l for l in r.stderr.splitlines() if "(" in l and "=" in l], [])
                self.assertNotIn("getpriority(", r.stderr)   # x86_64's 140
        r = run_scry(["-e", "trace=_llseekk", "--", "true"], timeout=T(20))
        self.assertEqual(r.returncode, 2)
        self.assertIn("_llseek", r.stderr)                   # the suggestion

    @unittest.skipUnless(ia32_prog(), "no 32-bit test program (gcc -m32)")
    def test_bpf_refuses_ia32_program(self):
        """bpf names calls by the x86_64 table: a 32-bit program is refused
        under --backend bpf (before anything runs) and gets ptrace under
        auto, even for -c, which bpf would count in the kernel."""
        r = run_scry(["--backend", "bpf", "-c", "--", ia32_prog()], timeout=T(20))
        self.assertEqual(r.returncode, 2, r.stderr[-2000:])
        self.assertIn("32-bit (ia32) program", r.stderr)
        self.assertIn("--backend ptrace", r.stderr)
        r = run_scry(["-v", "-c", "--", ia32_prog()], timeout=T(20))
        self.assertIn("scry: backend: ptrace (auto: a 32-bit (ia32) program", r.stderr)

    def test_no_personality_change(self):
        r = run_scry(["-f", "-e", "trace=close,lseek", "--"] + DD, timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertNotIn("[ Process PID=", r.stderr)
        self.assertNotIn("32 bit", r.stderr)
        self.assertIn("close(", r.stderr)


if __name__ == "__main__":
    unittest.main()
