"""Issue 21's second corpus: the fd kinds programs make (timerfd, eventfd,
signalfd, inotify, epoll over them), compared line by line with strace on
tests/progs/longtail_fds.c under the options that change how they print:
none, -v, -y, -yy, -x, -xx, -T (bench/fidelity runs it too)."""

import os
import re
import shutil
import unittest

from helpers import normalise_trace, ScryTest, SCRY, T, prog, run, run_scry

CALLS = ("timerfd_create,timerfd_settime,timerfd_gettime,eventfd2,signalfd4,setitimer,"
         "inotify_init1,inotify_add_watch,inotify_rm_watch,epoll_create1,epoll_ctl,"
         "epoll_wait,pselect6,read,write,close,rt_sigprocmask,openat,unlink,rmdir,mkdir")

# What differs between two runs of the same program, nothing else:
SUBS = [
    (re.compile(r"0x[0-9a-f]{5,}"), "ADDR"),                          # addresses
    (re.compile(r"/tmp/scry-fds-[A-Za-z0-9]{6}"), "/tmp/scry-fds-X"),  # mkdtemp
    (re.compile(r":\[\d+(->\d+)?\]"), ":[INO]"),                    # -yy inodes
    (re.compile(r"<\d+\.\d+>$"), "<T>"),                              # -T
    (re.compile(r"\b(tv_sec|tv_nsec)=\d+"), r"\1=N"),                 # timerfd_gettime's remainder
    (re.compile(r"\) +="), ") ="),                                    # padding
]


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class LongtailFds(ScryTest):
    maxDiff = None

    def compare(self, opts):
        argv = [prog("longtail_fds"), os.path.join(self.tmp, "watched")]
        s = run(["strace"] + opts + ["-e", "trace=" + CALLS] + argv, timeout=T(20))
        r = run_scry(opts + ["-e", "trace=" + CALLS, "--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
        self.assertEqual(s.returncode, 0, s.stderr[-2000:])
        want, have = normalise_trace(s.stderr, SUBS), normalise_trace(r.stderr, SUBS)
        # the program's own calls, from its first timerfd on (the loader's
        # reads and closes before it are the same in both, but not the point)
        start = [i for i, line in enumerate(want) if line.startswith("timerfd_create(")]
        self.assertTrue(start, "strace printed no timerfd_create:\n" + s.stderr)
        self.assertGreater(len(want) - start[0], 25, "strace printed too little:\n" + s.stderr)
        self.assertEqual(have, want)

    def test_options(self):
        for opts in ([], ["-v"], ["-y"], ["-yy"], ["-x"], ["-xx"], ["-T"]):
            with self.subTest(opts=opts):
                self.compare(opts)

    def test_each_kind_decoded(self):
        """The calls this file is about are decoded, not raw (a guard
        against a corpus that stopped making them)."""
        r = run_scry(["-yy", "-e", "trace=" + CALLS, "--", prog("longtail_fds")], timeout=T(20))
        # (its own /tmp/scry-fds-XXXXXX: the program's default, as bench/fidelity runs it)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        for want in (r"timerfd_create\(CLOCK_MONOTONIC, TFD_CLOEXEC\)\s+= 3<anon_inode:\[timerfd\]>",
                     r"timerfd_settime\(4<anon_inode:\[timerfd\]>, TFD_TIMER_ABSTIME, \{it_interval=",
                     r"eventfd2\(0, EFD_SEMAPHORE\|EFD_CLOEXEC\)\s+= 5<anon_inode:\[eventfd\]>",
                     r"signalfd4\(-1, \[ALRM\], 8, SFD_CLOEXEC\)\s+= 6<anon_inode:\[signalfd\]>",
                     r"inotify_add_watch\(7<anon_inode:inotify>, \"/tmp/scry-fds-\w+\", IN_CREATE\|IN_DELETE\|IN_ONLYDIR\)\s+= 1",
                     r"epoll_wait\(8<anon_inode:\[eventpoll\]>, \[\{events=EPOLLIN, data=\{u32=7, u64=7\}\}\], 8, 0\)\s+= 1",
                     r"pselect6\(8, \[5<anon_inode:\[eventfd\]> 7<anon_inode:inotify>\], NULL, NULL, \{tv_sec=0, tv_nsec=0\}, \{sigmask=NULL, sigsetsize=8\}\)\s+= 1 \(in \[7\], left \{tv_sec=0, tv_nsec=0\}\)"):
            self.assertRegex(r.stderr, want)


@unittest.skipUnless(shutil.which("strace") and shutil.which("script"), "strace or script is not installed")
class PtyPeer(ScryTest):

    def test_tiocgptpeer_result_as_strace_prints_it(self):
        """script(1) opens its pty's other end with TIOCGPTPEER: the result
        is a number under -y, as strace 6.1 prints it (scry added the
        path; found by bench/fidelity --passes, -y)."""
        argv = ["script", "-qec", "true", "/dev/null"]
        s = run(["strace", "-f", "-y", "-e", "trace=ioctl"] + argv, timeout=T(20))
        r = run_scry(["-f", "-y", "-e", "trace=ioctl", "--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])

        def peer(text):
            return [re.sub(r"^\[pid +\d+\] ", "", line) for line in text.splitlines() if "TIOCGPTPEER" in line]
        want = [re.sub(r"\) +=", ") =", line) for line in peer(s.stderr)]
        self.assertTrue(want, "strace printed no TIOCGPTPEER:\n" + s.stderr)
        self.assertEqual([re.sub(r"\) +=", ") =", line) for line in peer(r.stderr)], want)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class SocketsAsFirstSeen(ScryTest):
    """-yy names a socket as its first lookup found it, as strace does: a
    TCP socket bound then connected stays "TCP:[127.0.0.1:P]", and the
    surviving end of a socketpair keeps "->PEER" after the peer closed
    (scry asked the kernel each time: the peer was gone, a later lookup
    of the connected socket sometimes came back bare).  Found by
    bench/fidelity --passes (-yy, py-socket)."""

    SCRIPT = ("import socket\n"
              "a, b = socket.socketpair(); a.send(b'hi'); b.recv(2)\n"
              "a.getsockname(); a.close(); b.getsockname(); b.getpeername(); b.close()\n"
              "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
              "c = socket.socket(); c.bind(('127.0.0.1', 0)); c.getsockname()\n"
              "c.connect(s.getsockname()); c.getsockname(); c.close(); s.close()\n")
    SUBS = [(re.compile(r"\[\d{5,}(->\d{5,})?"), lambda m: "[INO" + ("->INO" if m.group(1) else "")),
            (re.compile(r":\d{4,5}\b"), ":PORT"),
            (re.compile(r"htons\(\d+\)"), "htons(PORT)"),
            (re.compile(r"0x[0-9a-f]{5,}"), "ADDR"),
            (re.compile(r"\) +="), ") =")]

    def test_yy_sockets_against_strace(self):
        import sys
        calls = ["-yy", "-e", "trace=getsockname,getpeername,close,connect,sendto,recvfrom"]
        argv = [sys.executable, "-S", "-c", self.SCRIPT]
        s = run(["strace"] + calls + argv, timeout=T(20))
        r = run_scry(calls + ["--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])

        def lines(text):
            out = normalise_trace(text, self.SUBS)
            return out[next(i for i, line in enumerate(out) if line.startswith("sendto(")):]
        want = lines(s.stderr)
        self.assertIn("close(3<UNIX-STREAM:[INO->INO]>) = 0", want)
        self.assertIn("getpeername(4<UNIX-STREAM:[INO->INO]>, {sa_family=AF_UNIX}, [110 => 2]) = 0", want)
        self.assertEqual(lines(r.stderr), want)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class CopyReflink(ScryTest):

    def test_ficlone_source_as_strace_prints_it(self):
        """cp tries ioctl(dst, FICLONE, src) first: strace 6.1 prints the
        source fd as a number under -y, scry gave its path (found by
        bench/fidelity --passes, -y)."""
        src = os.path.join(self.tmp, "src")
        with open(src, "w") as f:
            f.write("x\n")
        out = []
        for tool in (["strace"], [SCRY]):
            dst = os.path.join(self.tmp, "dst")
            r = run(tool + ["-y", "-e", "trace=ioctl", "cp", src, dst], timeout=T(20))
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
            out.append([re.sub(r"\) +=", ") =", line) for line in r.stderr.splitlines() if "FICLONE" in line])
            os.unlink(dst)
        self.assertTrue(out[0], "cp made no FICLONE ioctl under strace")
        self.assertEqual(out[1], out[0])
