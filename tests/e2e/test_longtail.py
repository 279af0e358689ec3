"""The long tail of decoding (issue 21, part A), compared line by line with
strace: calls that had no decoder (tests/progs/longtail_a.c makes each with
known arguments), extended attributes as `cp -a` copies them, netlink
messages of ip, ss and getaddrinfo, under the options that change how they
show (-v, -y, -yy, -x, -xx, -s, -T)."""

import json
import os
import re
import shutil
import tempfile
import unittest

from helpers import ScryTest, T, prog, run, run_scry

LONGTAIL_CALLS = (
    "setxattr,lsetxattr,fsetxattr,getxattr,lgetxattr,fgetxattr,listxattr,llistxattr,"
    "flistxattr,removexattr,lremovexattr,fremovexattr,fallocate,sync_file_range,vmsplice,"
    "tee,splice,mknod,mknodat,capget,capset,getpriority,setpriority,ioprio_get,ioprio_set,"
    "personality,getcpu,times,getrusage,kcmp,membarrier,process_vm_readv,"
    "process_vm_writev,mount,umount2,pivot_root,unshare,setns,sched_setaffinity,prlimit64")

# Netlink errors and odd buffers: an NLMSG_ERROR answering a request
# (ENODEV), one answering RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL (flags
# named by the kind of request), a second message cut short, and a first
# send before the socket is bound (its protocol unknown to strace too).
NETLINK_ERRORS = r"""
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
ifi = struct.pack("BxHiII", 0, 0, 99999, 0, 0)
s.send(struct.pack("IHHII", 16 + len(ifi), 18, 1 | 4, 7, 0) + ifi)
s.recv(4096)
ifa = struct.pack("BBBBI", 2, 24, 0, 0, 1)
s.send(struct.pack("IHHII", 16 + len(ifa), 20, 1 | 4 | 0x400 | 0x200, 8, 0) + ifa)
s.recv(4096)
s.send(struct.pack("IHHII", 16, 3, 1, 9, 0) + struct.pack("IHHII", 16, 1, 1, 10, 0)[:10])
"""


def normalise(text):
    """Numbers, addresses and the temporary directory's name vary between
    runs, and so does whether a clock_t has reached one tick (strace adds
    " /* 0.01 s */" to a non-zero one); the padding before " = " is
    compared as one space."""
    out = []
    for l in text.splitlines():
        if l.startswith("+++") or l.startswith("scry: backend"):
            continue
        l = re.sub(r"tmp\.[A-Za-z0-9]+", "tmp.R", l)
        l = re.sub(r" /\* [0-9.]+ s \*/", "", l)
        l = re.sub(r"\d+", "N", re.sub(r"0x[0-9a-f]+", "ADDR", l))
        out.append(re.sub(r"\) +=", ") =", l))
    return out


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class LongTail(ScryTest):
    maxDiff = None

    def compare(self, opts, argv, before=None, tries=1):
        """scry's lines equal strace's for the same command.  tries: for
        commands that print the machine's state (ss, ip), which others may
        change between the two runs, a difference must show that many
        times in a row."""
        for attempt in range(tries):
            if before:
                before()
            s = run(["strace"] + opts + argv, timeout=T(30))
            if before:
                before()
            r = run_scry(opts + ["--"] + argv, timeout=T(30))
            self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
            want = normalise(s.stderr)
            self.assertGreater(len(want), 1, s.stderr)
            if normalise(r.stderr) == want or attempt == tries - 1:
                break
        self.assertEqual(normalise(r.stderr), want)
        return r

    def test_calls_without_decoder(self):
        for opts in ([], ["-v"], ["-y"], ["-yy"], ["-x"], ["-xx"], ["-s", "2"], ["-T"]):
            with self.subTest(opts=opts):
                self.compare(opts + ["-e", "trace=" + LONGTAIL_CALLS], [prog("longtail_a")])

    def test_cp_a_copies_xattrs(self):
        d = tempfile.mkdtemp(prefix="scry-xattr-")
        self.addCleanup(shutil.rmtree, d, True)
        src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
        with open(src, "w") as f:
            f.write("x")
        try:
            os.setxattr(src, "user.k", b"v1")
            os.setxattr(src, "user.bin", b"\x00\x01bin\xff")
        except OSError as e:
            self.skipTest("no user xattrs here: %s" % e)

        def fresh():
            if os.path.exists(dst):
                os.unlink(dst)
        for opts in ([], ["-x"], ["-s", "3"]):
            with self.subTest(opts=opts):
                self.compare(opts + ["-e", "trace=openat,flistxattr,fgetxattr,fsetxattr,"
                                     "listxattr,getxattr,setxattr,lgetxattr,llistxattr"],
                             ["cp", "-a", src, dst], before=fresh)

    def test_netlink(self):
        """ip's, ss's and getaddrinfo's netlink requests and replies: the
        headers, structs and attributes strace decodes (without -v: the
        nested attributes -v would show are not decoded yet)."""
        commands = [["getent", "ahosts", "localhost"], ["ip", "addr"], ["ip", "route"],
                    ["ss", "-tan"], ["ss", "-xa"]]
        for argv in commands:
            if not shutil.which(argv[0]):
                continue
            for opts in ([], ["-s", "4"], ["-s", "0"], ["-x"], ["-xx"], ["-yy"]):
                with self.subTest(argv=argv, opts=opts):
                    r = self.compare(opts + ["-e", "trace=sendto,recvfrom,sendmsg,recvmsg"], argv, tries=3)
                    if opts != ["-s", "0"]:
                        self.assertIn("nlmsg_len=", r.stderr)

    def test_netlink_errors(self):
        for opts in ([], ["-x"], ["-s", "8"]):
            with self.subTest(opts=opts):
                r = self.compare(opts + ["-e", "trace=sendto,recvfrom"],
                                 ["python3", "-S", "-c", NETLINK_ERRORS])
                self.assertIn("NLMSG_ERROR", r.stderr)

    def test_values_are_typed(self):
        """JSON gets data, not strace's words: IOPRIO_PRIO_VALUE's class
        and data, capability names, the personality after the result."""
        out = os.path.join(self.tmp, "t.jsonl")
        r = run_scry(["-e", "trace=ioprio_set,ioprio_get,capget,personality,fallocate",
                      "--format", "jsonl", "-o", out, "--", prog("longtail_a")], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = {}
        with open(out) as f:
            for line in f:
                ev = json.loads(line)
                if ev.get("type") == "syscall":
                    calls.setdefault(ev["name"], []).append(ev)
        self.assertEqual(calls["ioprio_set"][0]["args"]["ioprio"],
                         {"class": "IOPRIO_CLASS_BE", "data": 4})
        cap = calls["capget"][0]["args"]["datap"]["permitted"]
        self.assertEqual(cap.get("CAP_CHOWN"), 1, cap)
        fl = [c for c in calls["fallocate"] if "FALLOC_FL_PUNCH_HOLE" in json.dumps(c)]
        self.assertEqual(len(fl), 1, calls["fallocate"])
        self.assertIn("PER_LINUX", json.dumps(calls["personality"][1]))


if __name__ == "__main__":
    unittest.main()
