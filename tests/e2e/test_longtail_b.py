"""Issue 21, part B: SysV IPC, POSIX message queues, socket and block ioctls,
control messages and the flag decorations, compared line by line with
strace on tests/progs/longtail_b.c (one call of each, with known arguments),
under the options that change how they print: none, -v, -y, -yy, -x, -T."""

import re
import shutil
import unittest

from helpers import normalise_trace, ScryTest, T, prog, run, run_scry

CALLS = ("shmget,shmat,shmctl,shmdt,semget,semctl,semop,semtimedop,msgget,msgsnd,"
         "msgrcv,msgctl,mq_open,mq_timedsend,mq_timedreceive,mq_notify,mq_getsetattr,"
         "mq_unlink,ioctl,sendmsg,recvmsg,getsockopt,setsockopt,rt_sigaction,epoll_ctl,"
         "fcntl")

# What differs between two runs of the same program, nothing else:
SUBS = [
    (re.compile(r"0x[0-9a-f]{5,}"), "ADDR"),                         # addresses
    (re.compile(r"^((?:shm|sem|msg)[a-z]+)\(\d+"), r"\1(ID"),        # IPC ids
    (re.compile(r"^((?:shm|sem|msg)get\(.*\)) += \d+( <[\d.]+>)?$"), r"\1 = ID\2"),
    (re.compile(r"\b(\w+_[acdorst]time|\w+_[cl]pid|msg_l[sr]pid|pid)=\d+"), r"\1=N"),
    (re.compile(r"scry-longtail-\d+"), "scry-longtail-PID"),         # the mq's name
    (re.compile(r":\[\d+(->\d+)?\]"), ":[INO]"),                   # -yy inodes
    # strace 6.1's -yy has no device numbers after a device's path; later
    # ones (and scry) have: "</dev/loop0<block 7:0>>"
    (re.compile(r"<(char|block) \d+:\d+>>"), ">"),
    (re.compile(r"<\d+\.\d+>$"), "<T>"),                             # -T
    (re.compile(r"\) +="), ") ="),                                   # padding
]


def normalise(text):
    return normalise_trace(text, SUBS)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class LongtailB(ScryTest):
    maxDiff = None

    def compare(self, opts):
        argv = [prog("longtail_b")]
        s = run(["strace"] + opts + ["-e", "trace=" + CALLS] + argv, timeout=T(20))
        r = run_scry(opts + ["-e", "trace=" + CALLS, "--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
        want, have = normalise(s.stderr), normalise(r.stderr)
        self.assertGreater(len(want), 40, "strace printed too little:\n" + s.stderr)
        self.assertEqual(have, want)

    def test_plain(self):
        self.compare([])

    def test_options(self):
        for opts in (["-v"], ["-y"], ["-yy"], ["-x"], ["-T"], ["-s", "3"]):
            with self.subTest(opts=opts):
                self.compare(opts)

    def test_each_call_decoded(self):
        """The calls this file is about are all there, decoded, not raw:
        one line each that strace also printed (a guard against a corpus
        that silently stops making them)."""
        r = run_scry(["-e", "trace=" + CALLS, "--", prog("longtail_b")], timeout=T(20))
        text = r.stderr
        for needle in ["shmget(IPC_PRIVATE, 8192, IPC_CREAT|0600)",
                       "shmat(", "SHM_RDONLY)",
                       "shmctl(", "IPC_STAT, {shm_perm={uid=",
                       "semop(", "[{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1)",
                       "msgsnd(", "{mtype=7, mtext=\"hello\"}, 5, 0)",
                       "mq_timedsend(", "\"ping\", 4, 3, {tv_sec=0, tv_nsec=0})",
                       "mq_notify(", "{sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}",
                       "SIOCGIFINDEX, {ifr_name=\"lo\", ifr_ifindex=1}",
                       "SO_ERROR, [ECONNREFUSED]",
                       "SOL_NETLINK, NETLINK_EXT_ACK, [1], 4",
                       "sa_flags=SA_RESTORER|SA_INTERRUPT",
                       "cmsg_type=SCM_RIGHTS",
                       "cmsg_type=SCM_CREDENTIALS"]:
            self.assertIn(needle, text)
        self.assertRegex(text, r"shmat\(\d+, NULL, SHM_RDONLY\) += 0x[0-9a-f]+\n")
        self.assertRegex(text, r"epoll_ctl\(\d+, EPOLL_CTL_DEL, \d+, 0x[0-9a-f]+\)")


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class QuietTwice(ScryTest):
    """-qq hides "+++ exited with N +++" (a child's and the leader's), as
    strace's does, and keeps "+++ killed by SIG +++"."""

    def test_qq(self):
        argv = ["sh", "-c", "sh -c 'exit 3'; sh -c 'kill -9 $$'; exit 0"]
        opts = ["-qq", "-f", "-e", "trace=none"]
        s = run(["strace"] + opts + argv, timeout=T(20))
        r = run_scry(opts + ["--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr)
        strip = lambda t: [l for l in (re.sub(r"^\[pid\s+\d+\] ", "", l)
                                       for l in t.splitlines()) if l.startswith("+++")]
        self.assertEqual(strip(r.stderr), strip(s.stderr))
        self.assertIn("+++ killed by SIGKILL +++", r.stderr)
        self.assertNotIn("exited with", r.stderr)


if __name__ == "__main__":
    unittest.main()
