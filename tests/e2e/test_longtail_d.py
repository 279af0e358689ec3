"""Issue 21's remainders, part D.

What decoding socket data costs the tracer: to know whether a send or
receive carries netlink messages, scry asks what socket the fd is.  It
asked at every call (a readlink, a getxattr of the socket's protocol name
and, for a netlink socket, a read of /proc/PID/net/netlink); it now
remembers the answer by (process, fd, inode), so a socket seen before costs
the readlink that gives its inode and nothing more.  Measured, as
test_engine.py measures, by counting the inner scry's own calls with scry's
bpf backend; and the text checked line by line against strace, with the
fd's socket replaced under the same number (dup2, close and a new socket)
so that a remembered answer that outlived its socket would show."""

import os
import platform
import re
import shutil
import tempfile
import unittest

from helpers import normalise_trace, ScryTest, T, SCRY, prog, read_text, run, run_scry, wait_for
from test_engine import own_calls

N = 1000


@unittest.skipUnless(os.geteuid() == 0, "counting scry's own calls with bpf needs root")
class SocketDataCost(ScryTest):

    def test_socket_kind_learnt_once_per_socket(self):
        table = os.path.join(self.tmp, "own.txt")
        out = os.path.join(self.tmp, "trace.txt")
        r = run([SCRY, "--backend", "bpf", "-c", "-o", table, "-e",
                 "trace=readlink,readlinkat,getxattr,lgetxattr,fgetxattr,openat,open", "--",
                 SCRY, "--backend", "ptrace", "-o", out, "-e", "trace=sendto,recvfrom", "--",
                 prog("sockloop"), str(N)],
                timeout=T(60),
                # (LeakSanitizer cannot run under ptrace)
                env=dict(os.environ, ASAN_OPTIONS=":".join(
                    filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"]))))
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = own_calls(table)
        with open(out) as f:
            text = f.read()
        # the calls were traced and decoded: N pings on the socketpair, N + 1
        # netlink messages (the last on a new netlink socket)
        self.assertEqual(len(re.findall(r'^sendto\(\d+, "ping", 4,', text, re.M)), N, text[-2000:])
        self.assertEqual(len(re.findall(r"^sendto\(\d+, \{nlmsg_len=16, nlmsg_type=NLMSG_NOOP,",
                                        text, re.M)), N + 1, text[-2000:])
        # Before (N = 1000): readlink 3003, getxattr 3003, openat 1024; after:
        # readlink 3003, getxattr 6, openat 26.  A getxattr at each of the 3N
        # calls and an open of
        # /proc/PID/net/netlink at each of the N netlink ones.  Now: one of
        # each per socket (four sockets; a few more for the sanitizers'
        # runtime and the loader).
        xattr = sum(calls.get(c, 0) for c in ("getxattr", "lgetxattr", "fgetxattr"))
        self.assertLess(xattr, 20, calls)
        opens = calls.get("openat", 0) + calls.get("open", 0)
        self.assertLess(opens, 200, calls)
        # the readlink giving the fd's inode stays, once a call
        links = calls.get("readlink", 0) + calls.get("readlinkat", 0)
        self.assertLessEqual(links, 3 * N + 50, calls)


SUBS = [
    (re.compile(r"0x[0-9a-f]{5,}"), "ADDR"),
    (re.compile(r"(nlmsg_pid|nl_pid|portid)=-?\d+"), r"\1=P"),
    (re.compile(r":\[\d+(->\d+)?\]"), ":[INO]"),
    (re.compile(r"ROUTE:-?\d+"), "ROUTE:P"),
    (re.compile(r"<\d+\.\d+>$"), "<T>"),
    (re.compile(r"\) +="), ") ="),
]


def normalise(text):
    return normalise_trace(text, SUBS)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class SocketDataText(ScryTest):
    maxDiff = None

    def test_sockloop_as_strace(self):
        argv = [prog("sockloop"), "3"]
        calls = "trace=socket,socketpair,sendto,recvfrom,dup2,close"
        for opts in ([], ["-v"], ["-x"], ["-y"], ["-yy"]):
            with self.subTest(opts=opts):
                s = run(["strace"] + opts + ["-e", calls] + argv, timeout=T(20))
                r = run_scry(opts + ["-e", calls, "--"] + argv, timeout=T(20))
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertGreater(len(want), 10, "strace printed too little:\n" + s.stderr)
                self.assertEqual(have, want)
                text = "\n".join(have)
                # after dup2 the number holds the AF_UNIX socket: bytes
                self.assertRegex(text, r'sendto\(\d+(<[^>]*>+)?, "[^"]+", 16, 0, NULL, 0\) = 16')
                # and a netlink socket again after that
                self.assertGreaterEqual(text.count("nlmsg_type=NLMSG_NOOP"), 4, text)


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class RestartSyscall(ScryTest):
    """A sleep interrupted by a signal that has no handler returns
    ERESTART_RESTARTBLOCK and the kernel resumes it as restart_syscall;
    strace names the call it resumes, "restart_syscall(<... resuming
    interrupted clock_nanosleep ...>)".  scry showed "restart_syscall()"."""
    maxDiff = None

    def test_restart_syscall_names_the_call(self):
        argv = [prog("restart")]
        calls = "trace=clock_nanosleep,restart_syscall,wait4"
        subs = [(re.compile(r"(si_pid=|wait4\(|\) = )\d{2,}"), r"\1N")]

        def norm(text):
            out = []
            for line in normalise(text):
                for rx, rep in subs:
                    line = rx.sub(rep, line)
                out.append(line)
            return out
        for opts in ([], ["-v"], ["-x"]):
            with self.subTest(opts=opts):
                s = run(["strace"] + opts + ["-e", calls] + argv, timeout=T(20))
                r = run_scry(opts + ["-e", calls, "--"] + argv, timeout=T(20))
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = norm(s.stderr), norm(r.stderr)
                self.assertEqual(have, want)
                self.assertIn("restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0",
                              have)

    def test_restart_syscall_after_attach(self):
        """Attached during the sleep, scry has not seen the call: it says
        "system call" (strace 6.1 names "read", syscall 0, which the
        process was not in)."""
        t = self.target("restart", args=["3000"], progress=False)
        # in the sleep (untraced, the child's SIGCHLD is discarded)
        nr = {"x86_64": "230", "aarch64": "115"}[platform.machine()]  # clock_nanosleep
        self.assertTrue(wait_for(lambda: read_text("/proc/%d/syscall" % t.pid)
                                 .split(" ")[0] == nr, T(5)))
        # (the bpf backend does not interrupt the sleep: no restart_syscall)
        r = run_scry(["--backend", "ptrace", "-p", str(t.pid), "-e", "trace=restart_syscall"],
                     timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertIn("restart_syscall(<... resuming interrupted system call ...>) = 0", r.stderr)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class LongtailD(ScryTest):
    """tests/progs/longtail_d.c's modes, line by line against strace."""
    maxDiff = None

    def compare(self, argv, calls, opts, subs=(), min_lines=3):
        s = run(["strace"] + opts + ["-e", "trace=" + calls] + argv, timeout=T(20))
        r = run_scry(opts + ["-e", "trace=" + calls, "--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])

        def norm(text):
            out = []
            for line in normalise(text):
                for rx, rep in subs:
                    line = rx.sub(rep, line)
                out.append(line)
            return out
        want, have = norm(s.stderr), norm(r.stderr)
        self.assertGreaterEqual(len(want), min_lines, "strace printed too little:\n" + s.stderr)
        self.assertEqual(have, want)
        return "\n".join(have)

    def test_termios_empty_flag_words(self):
        """A termios word without flags: strace prints it empty
        ("c_iflag=", "c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|"); scry printed 0
        and no trailing "|"."""
        for opts in ([], ["-v"], ["-x"], ["-y"], ["-yy"]):
            with self.subTest(opts=opts):
                have = self.compare([prog("longtail_d"), "termios"], "openat,ioctl", opts,
                                    [(re.compile(r"pts/\d+"), "pts/N"),
                                     (re.compile(r"(TIOCGPTN, )\[\d+\]"), r"\1[N]"),
                                     (re.compile(r"<char 136:\d+>"), "<char 136:N>")])
                if opts == ["-yy"]:
                    # -yy: a device with its kind and numbers, as strace 6.1
                    self.assertIn("ioctl(3</dev/ptmx<char 5:2>>, TIOCGPTN, [N]) = 0", have)
                    self.assertIn("ioctl(4</dev/pts/N<char 136:N>>, TCGETS, {", have)
                self.assertIn("TCSETS, {c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B0|CS8|, "
                              "c_lflag=", have)
                self.assertNotIn("c_iflag=0", have)

    def test_pidfd_getfd(self):
        """pidfd_getfd's targetfd is an fd of the pidfd's process, shown
        with its path there under -y; the result a new fd (scry showed
        targetfd with the caller's path, the result without one).  -yy
        adds a device's kind and numbers, "</dev/null<char 1:3>>"."""
        for opts in ([], ["-y"], ["-yy"]):
            with self.subTest(opts=opts):
                have = self.compare([prog("longtail_d"), "pidfd_getfd"], "pidfd_open,pidfd_getfd,close",
                                    opts, [(re.compile(r"\b(pid:|pidfd_open\()\d+"), r"\1N")])
                want = {(): "pidfd_getfd(3, 0, 0) = 4",
                        ("-y",): "pidfd_getfd(3<anon_inode:[pidfd]>, 0</dev/null>, 0) = 4</dev/null>",
                        ("-yy",): "pidfd_getfd(3<pid:N>, 0</dev/null<char 1:3>>, 0) = 4</dev/null<char 1:3>>",
                        }[tuple(opts)]
                self.assertIn(want, have)
                self.assertIn("pidfd_getfd(-1, 0, 0) = -1 EBADF", have)

    def test_fiemap(self):
        """FS_IOC_FIEMAP: the request at entry, what the kernel wrote after
        " => ", the extents under -v (scry showed the request as _IOC(...)
        and the argument as an address)."""
        with tempfile.TemporaryDirectory(dir=self.tmp) as d:
            path = os.path.join(d, "f")
            for opts in ([], ["-v"], ["-x"], ["-v", "-s", "0"]):
                with self.subTest(opts=opts):
                    have = self.compare([prog("longtail_d"), "fiemap", path], "ioctl", opts,
                                        [(re.compile(r"fe_physical=\d+"), "fe_physical=P")])
                    self.assertIn("ioctl(3, FS_IOC_FIEMAP, {fm_start=0, fm_length=18446744073709551615, "
                                  "fm_flags=0, fm_extent_count=4} => {fm_flags=0, fm_mapped_extents=", have)
                    self.assertIn("fm_flags=0x80 /* FIEMAP_FLAG_??? */, fm_extent_count=4}) = -1 EBADR",
                                  have)
                    if "-v" in opts:
                        self.assertIn("fe_flags=FIEMAP_EXTENT_LAST}]}) = 0", have)

    def test_cmsg(self):
        """recvmsg/sendmsg control messages: SO_TIMESTAMP*_OLD's times and
        the IP_* ones (IP_TTL, IP_TOS, IP_PKTINFO, IP_ORIGDSTADDR) decoded,
        every message shown whatever -s says (scry named SOL_IP's types in
        hex, showed no data, and cut the list at -s)."""
        subs = [(re.compile(r"\btv_(sec|usec|nsec)=\d+"), r"tv_\1=T"),
                (re.compile(r"htons\(\d+\)"), "htons(P)"),
                (re.compile(r"[0-9.]+:\d+\]"), "A]")]
        for opts in ([], ["-v"], ["-x"], ["-s", "2"], ["-s", "0"], ["-v", "-s", "0"], ["-yy"]):
            with self.subTest(opts=opts):
                have = self.compare([prog("longtail_d"), "cmsg"], "recvmsg,sendmsg", opts, subs)
                self.assertIn("cmsg_type=SO_TIMESTAMP_OLD, cmsg_data={tv_sec=T, tv_usec=T}}", have)
                self.assertIn("cmsg_type=SO_TIMESTAMPING_OLD, cmsg_data=[{tv_sec=T, tv_nsec=T}, ", have)
                self.assertIn('cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=if_nametoindex("lo"), '
                              'ipi_spec_dst=inet_addr("127.0.0.1"), ipi_addr=inet_addr("127.0.0.1")}}', have)
                self.assertIn("cmsg_type=IP_ORIGDSTADDR, cmsg_data={sa_family=AF_INET, ", have)
                if opts[-1:] != ["0"]:
                    self.assertIn("cmsg_type=IP_TTL, cmsg_data=[64]}", have)

    def test_siginfo_fault_codes(self):
        """The codes and fields strace 6.1 shows of fault signals:
        TRAP_PERF/TRAP_HWBKPT, SEGV_PKUERR's si_pkey, SEGV_BNDERR's bounds,
        BUS_MCEERR_AR/AO's si_addr_lsb (scry showed si_code=6 and no
        field after si_addr)."""
        for opts in ([], ["-x"]):
            with self.subTest(opts=opts):
                have = self.compare([prog("longtail_d"), "siginfo"], "none", opts)
                for needle in ("si_code=TRAP_PERF, si_addr=0x1000} ---",
                               "si_code=SEGV_PKUERR, si_addr=0x1000, si_pkey=5} ---",
                               "si_code=SEGV_BNDERR, si_addr=0x1000, si_lower=0x2000, si_upper=0x3000} ---",
                               "si_code=BUS_MCEERR_AR, si_addr=0x1000, si_addr_lsb=0xc} ---",
                               "si_code=BUS_MCEERR_AO, si_addr=0x1000, si_addr_lsb=0xc} ---",
                               "si_code=TRAP_HWBKPT, si_addr=0x1000} ---"):
                    self.assertIn(needle, have)

    def test_iovecs_at_s0(self):
        """readv/writev share the iovec decoder of vmsplice and
        process_vm_readv/writev (misc.c had its own copy); -s 0 shows "[...]"
        as strace does (readv/writev's showed the array's address)."""
        for opts in (["-s", "0"], ["-s", "1"], [], ["-v", "-s", "0"], ["-x"]):
            with self.subTest(opts=opts):
                have = self.compare([prog("io_dump")], "readv,writev", opts, min_lines=2)
                if opts == ["-s", "0"]:
                    self.assertRegex(have, r"writev\(\d+, \[\.\.\.\], 3\) = ")
                    self.assertRegex(have, r"readv\(\d+, \[\.\.\.\], 2\) = ")

    @unittest.skipUnless(shutil.which("ss"), "ss is not installed")
    def test_idiag_ext_names(self):
        """inet_diag_req_v2's idiag_ext as strace names it,
        "1<<(INET_DIAG_MEMINFO-1)|1<<(INET_DIAG_INFO-1)|..." (scry showed
        0xf).  Only ss's requests are compared: its replies list the
        machine's live sockets."""
        for opts in ([], ["-v"]):
            with self.subTest(opts=opts):
                have = self.compare(["ss", "-tmin"], "sendmsg", opts, min_lines=1)
                self.assertIn("idiag_ext=1<<(INET_DIAG_MEMINFO-1)|1<<(INET_DIAG_INFO-1)|"
                              "1<<(INET_DIAG_VEGASINFO-1)|1<<(INET_DIAG_CONG-1)|1<<(INET_DIAG_SKMEMINFO-1), ", have)
