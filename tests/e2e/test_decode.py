"""Decoding options compared line by line with strace: -y, -yy, -x, -s."""

import os
import re
import shutil
import tempfile
import unittest

from helpers import ScryTest, T, prog, run, run_scry

SOCKETS = r"""
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.send(b"hi\x01\xff"); a.recv(10)
u, v = socket.socketpair(); u.send(b"x"); v.recv(1)
"""


def normalise(text):
    """Numbers and addresses vary between runs; so does the padding before
    " = " that follows them (a 7-digit pipe inode in one run, 6 in the next
    moves the result one column), so it is compared as one space."""
    lines = [l for l in text.splitlines() if not l.startswith("+++")]
    out = []
    for l in lines:
        l = re.sub(r"\d+", "N", re.sub(r"0x[0-9a-f]+", "ADDR", l))
        out.append(re.sub(r"\) +=", ") =", l))
    return out


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class LikeStrace(ScryTest):

    def compare(self, opts, argv):
        s = run(["strace"] + opts + argv, timeout=T(20))
        r = run_scry(opts + ["--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr)
        self.assertEqual(normalise(r.stderr), normalise(s.stderr))

    def test_yy_sockets(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(SOCKETS)
        try:
            for opts in (["-y"], ["-yy"], ["-x"], ["-xx"], ["-s", "2"], ["-s", "0"]):
                with self.subTest(opts=opts):
                    self.compare(opts + ["-e", "trace=accept4,sendto,recvfrom,socketpair"],
                                 ["/usr/bin/python3", "-S", f.name])
        finally:
            os.unlink(f.name)

    def test_y_files(self):
        self.compare(["-y", "-e", "trace=openat,read,close,fstat,newfstatat"],
                     ["cat", "/etc/hostname"])

    def test_statfs_and_groups(self):
        self.compare(["-e", "trace=statfs,fstatfs"], ["stat", "-f", "/"])
        self.compare(["-e", "trace=getgroups"], ["id"])

    def test_statfs_family(self):
        # statfs, fstatfs, and on x86_64 ustat ("makedev(0xfe, 0)") and
        # sysfs (every argument in hex), as strace shows them
        self.compare(["-e", "trace=statfs,fstatfs,ustat,sysfs"], [prog("statfs_family")])
        if os.uname().machine == "x86_64":
            r = run_scry(["-e", "trace=ustat,sysfs", "--", prog("statfs_family")], timeout=T(20))
            dev = r"makedev\((?:0x[0-9a-f]+|0), (?:0x[0-9a-f]+|0)\)"
            self.assertRegex(r.stderr, r"(?m)^ustat\(%s, 0x[0-9a-f]+\) += " % dev)
            self.assertRegex(r.stderr, r"(?m)^ustat\(%s, NULL\) += -1 EFAULT" % dev)
            self.assertRegex(r.stderr, r"(?m)^sysfs\(0x2, 0, 0x[0-9a-f]+\) += 0$")

    def test_preadv2_pwritev2_flags(self):
        script = ("import os\n"
                  "fd = os.open('/etc/hostname', os.O_RDONLY)\n"
                  "b = bytearray(8)\n"
                  "os.preadv(fd, [b], 0, os.RWF_NOWAIT)\n"
                  "w = os.open('/dev/null', os.O_WRONLY)\n"
                  "os.pwritev(w, [b'abc', b'de'], 0, os.RWF_DSYNC | os.RWF_HIPRI)\n"
                  "os.pwritev(w, [b'abc'], 5)\n")
        for opts in ([], ["-s", "2"]):
            with self.subTest(opts=opts):
                self.compare(opts + ["-e", "trace=preadv2,pwritev2"],
                             ["/usr/bin/python3", "-S", "-c", script])

    def test_mmsg_and_time_left(self):
        self.compare(["-e", "trace=sendmmsg,recvmmsg"], [prog("mmsg")])

    def test_umask_result_in_octal(self):
        self.compare(["-e", "trace=umask"], ["sh", "-c", "umask 027; umask >/dev/null"])
