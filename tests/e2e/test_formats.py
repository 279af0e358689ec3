"""End-to-end tests of the structured outputs (docs/FORMATS.md): real
programs traced into every format and read back with jq, python3's json and
csv modules and sqlite3, including the seeds' jq queries, hostile file
names, `scry report`, and a Ctrl+C in the middle of an attached trace."""

import base64
import csv
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys

from helpers import ROOT, ScryTest, T, SCRY, prog, run, run_scry
from test_stats import summary_rows

# (no slash: it is one file name; the formula is =cmd|' /C calc'!A0 less its slash)
HOSTILE_NAME = b'f \xff\xfe"q\'\\\n\r\t\x01<script>&=cmd|\' C calc\'!A0 \xc3\xa9'


def cli_has_formats():
    try:
        r = subprocess.run([SCRY, "--help"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--format" in r.stdout + r.stderr


def dec(v):
    """The bytes of a JSON string value (docs/FORMATS.md, hostile bytes)."""
    if isinstance(v, dict):
        return base64.b64decode(v["base64"])
    return v.encode("utf-8")


def csv_cell(v):
    if v.startswith("'"):
        v = v[1:]
    if v.startswith("b64:"):
        return base64.b64decode(v[4:])
    return v.encode("utf-8")


def closed_port():
    """A loopback port nobody listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Formats(ScryTest):

    def setUp(self):
        super().setUp()
        if not cli_has_formats():
            self.skipTest("scry has no --format yet")
        self.py = shutil.which("python3") or sys.executable

    def jq(self, args, path):
        if not shutil.which("jq"):
            self.skipTest("jq is not installed")
        r = run(["jq"] + list(args) + [path], timeout=T(20))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def trace(self, fmt_args, cmd, want_rc=0):
        r = run_scry(list(fmt_args) + ["--"] + list(cmd), timeout=T(30))
        if want_rc is not None:
            self.assertEqual(r.returncode, want_rc, r.stderr[-3000:])
        return r

    def connect_prog(self, port):
        return [self.py, "-c",
                "import socket\ns=socket.socket()\nprint(s.connect_ex(('127.0.0.1', %d)))" % port]

    def hostile_prog(self, d):
        path = os.path.join(d.encode(), HOSTILE_NAME)
        code = ("import os\nfd=os.open(%r, os.O_CREAT|os.O_WRONLY, 0o600)\nos.write(fd, b'x')\n"
                "os.close(fd)\n" % path)
        return [self.py, "-c", code], path

    # ---------------------------------------------------------------- JSON

    def test_json_seed_queries(self):
        port = closed_port()
        out = os.path.join(self.tmp, "trace.json")
        self.trace(["--format", "json", "-o", out], self.connect_prog(port))
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        conns = [c for c in doc["syscalls"] if c["name"] == "connect"]
        self.assertTrue(conns, "no connect call in the trace")
        self.assertIn("sa_family=AF_INET", conns[-1]["args_text"],
                      "connect's sockaddr is not decoded (src/decode/net.c)")
        got = self.jq(["-c", '.syscalls[] | select(.name == "connect") | '
                       '{addr: .args.addr, result: .return.value}'], out)
        self.assertIn('{"addr":"127.0.0.1:%d","result":-111}' % port, got.splitlines())
        counts = json.loads(self.jq(['.syscalls | group_by(.name) | '
                                     'map({name: .[0].name, calls: length})'], out))
        by_name = {c["name"]: c["calls"] for c in counts}
        self.assertEqual(by_name.get("connect"), len(conns))
        self.assertEqual(sum(by_name.values()), len(doc["syscalls"]))
        self.assertEqual(conns[-1]["return"]["errno"], "ECONNREFUSED")
        for k in ("ts", "pid", "tid", "duration_ns", "args_text"):
            self.assertIn(k, conns[-1])
        self.assertTrue(any(e["type"] == "exec" for e in doc["events"]))
        self.assertTrue(any(e["type"] == "exit" for e in doc["events"]))
        self.assertEqual(doc["lost_events"], 0)

    TYPED_PROG = (
        "import ctypes, fcntl, os\n"
        "fd = os.open('/etc/hostname', os.O_RDONLY | os.O_CLOEXEC)\n"
        "fcntl.fcntl(fd, fcntl.F_GETFL)\n"
        "ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)\n"        # PR_GET_DUMPABLE
        "pid = os.fork()\n"
        "if pid == 0:\n    os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "try:\n    os.open('/nonexistent-scry/x', os.O_RDONLY)\n"
        "except OSError:\n    pass\n")

    def typed_calls(self, calls):
        opens = [c for c in calls if c["name"] == "openat"]
        host = [c for c in opens if c["args"]["filename"] == "/etc/hostname"]
        missing = [c for c in opens if c["args"]["filename"] == "/nonexistent-scry/x"]
        self.assertTrue(host and missing, [c["args_text"] for c in opens])
        return host[-1], missing[-1]

    def test_json_flags_and_results_are_data(self):
        """Flags are {"value": N, "names": [...]}, the result of a call carries
        its typed extras (a new fd's path under -y, the names of returned
        flags, an enum's name), and no value is a piece of strace syntax
        ("flags=...", "child_stack=NULL"): issue 11, item 2."""
        out = os.path.join(self.tmp, "typed.json")
        self.trace(["-f", "-y", "-e", "trace=openat,fcntl,prctl,clone,clone3",
                    "--format", "json", "-o", out], [self.py, "-c", self.TYPED_PROG])
        with open(out, encoding="utf-8") as f:
            calls = json.load(f)["syscalls"]
        host, missing = self.typed_calls(calls)
        self.assertEqual(host["args"]["flags"],
                         {"value": os.O_CLOEXEC, "names": ["O_RDONLY", "O_CLOEXEC"]}, host)
        self.assertIn("O_RDONLY|O_CLOEXEC", host["args_text"])
        fd = host["return"]["value"]
        self.assertGreaterEqual(fd, 0, host)
        self.assertEqual(host["return"], {"value": fd, "path": "/etc/hostname"}, host)
        self.assertEqual(missing["return"], {"value": -2, "errno": "ENOENT"}, missing)
        getfl = [c for c in calls if c["name"] == "fcntl" and c["args"].get("cmd") == "F_GETFL"
                 and c["args"].get("fd") == fd]
        self.assertTrue(getfl, [c["args_text"] for c in calls if c["name"] == "fcntl"])
        ret = getfl[-1]["return"]
        self.assertEqual(ret["names"][0], "O_RDONLY", ret)
        self.assertEqual(ret["value"] & os.O_ACCMODE, os.O_RDONLY, ret)
        dump = [c for c in calls if c["name"] == "prctl" and c["args"].get("option") == "PR_GET_DUMPABLE"]
        self.assertTrue(dump, [c["args_text"] for c in calls if c["name"] == "prctl"])
        self.assertEqual(dump[-1]["return"], {"value": 1, "name": "SUID_DUMP_USER"})
        forks = [c for c in calls if c["name"] in ("clone", "clone3")]
        self.assertTrue(forks, "no clone in the trace")
        for c in forks:
            flags = c["args"]["flags"] if c["name"] == "clone" else c["args"]["cl_args"]["flags"]
            self.assertIsInstance(flags, dict, c)
            self.assertEqual(set(flags), {"value", "names"}, c)
            if c["name"] == "clone":
                self.assertIn("SIGCHLD", flags["names"], c)
                self.assertIsNone(c["args"]["child_stack"], c)
                self.assertIn("child_stack=NULL, flags=", c["args_text"])

        def strace_fragments(v, path):
            if isinstance(v, dict):
                for k, x in v.items():
                    strace_fragments(x, path + "." + k)
            elif isinstance(v, list):
                for x in v:
                    strace_fragments(x, path + "[]")
            elif isinstance(v, str):
                self.assertFalse(re.match(r"^[a-z_]+=", v), "%s is strace text: %r" % (path, v))
        for c in calls:
            strace_fragments(c["args"], c["name"] + ".args")
            strace_fragments(c["return"], c["name"] + ".return")

    def test_args_text_of_an_argument_the_kernel_writes_back(self):
        """clone3's exit part starts with what the kernel wrote into its
        cl_args (" => {parent_tid=[N]}"): args_text (JSON, CSV, SQLite) had
        ",  => {...}" where the text output has " => {...}", because the
        layout came from more_at_exit; it now comes from the values."""
        code = "import threading\nt = threading.Thread(target=lambda: None)\nt.start()\nt.join()\n"
        out = os.path.join(self.tmp, "clone3.jsonl")
        self.trace(["-f", "-e", "trace=clone3", "--format", "jsonl", "-o", out], [self.py, "-c", code])
        text = self.trace(["-f", "-e", "trace=clone3"], [self.py, "-c", code]).stderr
        with open(out, encoding="utf-8") as f:
            calls = [json.loads(l) for l in f if '"clone3"' in l]
        calls = [c for c in calls if c.get("type") == "syscall"]
        if not calls:
            self.skipTest("this libc makes threads without clone3")
        lines = [l for l in text.splitlines() if "clone3(" in l]
        self.assertTrue(lines, text)
        pat = r"\{flags=[^}]*\} => \{parent_tid=\[\d+\]\}, 88"
        self.assertRegex(lines[-1], r"clone3\(" + pat + r"\) += \d+$")
        for c in calls:
            self.assertRegex(c["args_text"], "^" + pat + "$", c)
            # what the kernel wrote is data: {"out": {"parent_tid": [N]}}
            tid = int(re.search(r"parent_tid=\[(\d+)\]", c["args_text"]).group(1))
            self.assertEqual(c["args"]["cl_args_out"], {"out": {"parent_tid": [tid]}}, c)

    def test_json_in_out_pairs_and_multiples_are_data(self):
        """strace's forms around a value are data in JSON, the same text in
        args_text: a length the kernel changed ("[110 => 2]") is
        [{"in": 110, "out": 2}] (it was the string "[110 => 2]"), a limit
        shown as "2*1024" is the number 2048 (it was the string "2*1024"),
        and named constants keep their names (SIG_IGN)."""
        code = ("import resource, signal, socket\n"
                "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                "a.getsockname()\n"
                "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
                "if hard == resource.RLIM_INFINITY or hard >= 2048:\n"
                "    resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))\n"
                "signal.signal(signal.SIGUSR2, signal.SIG_IGN)\n"
                "signal.signal(signal.SIGUSR2, signal.SIG_DFL)\n")
        calls_of = "trace=getsockname,prlimit64,rt_sigaction"
        out = os.path.join(self.tmp, "forms.jsonl")
        self.trace(["-e", calls_of, "--format", "jsonl", "-o", out], [self.py, "-c", code])
        text = self.trace(["-e", calls_of], [self.py, "-c", code]).stderr
        with open(out, encoding="utf-8") as f:
            calls = [json.loads(l) for l in f]
        calls = [c for c in calls if c.get("type") == "syscall"]

        # getsockname of an unbound AF_UNIX socket: the kernel cuts the length
        self.assertRegex(text, r"getsockname\(\d+, \{sa_family=AF_UNIX\}, \[\d+ => 2\]\) = 0")
        gsn = [c for c in calls if c["name"] == "getsockname" and c["return"]["value"] == 0]
        self.assertTrue(gsn, calls)
        for c in gsn:
            m = re.search(r"\[(\d+) => (\d+)\]$", c["args_text"])
            self.assertTrue(m, c)
            self.assertEqual(c["args"]["addrlen"], [{"in": int(m.group(1)), "out": int(m.group(2))}], c)

        # every limit: the number in args, its strace form in args_text
        lims = [c for c in calls if c["name"] == "prlimit64" and c["return"]["value"] == 0]
        self.assertTrue(lims, calls)
        seen_kib = 0
        for c in lims:
            for key in ("new_limit", "old_limit"):
                lim = c["args"][key]
                if lim is None:
                    continue
                for field in ("rlim_cur", "rlim_max"):
                    v = lim[field]
                    if v == "RLIM64_INFINITY":
                        self.assertIn(field + "=RLIM64_INFINITY", c["args_text"], c)
                        continue
                    self.assertIsInstance(v, int, c)
                    if v > 1024 and v % 1024 == 0:
                        self.assertIn("%s=%d*1024" % (field, v // 1024), c["args_text"], c)
                        seen_kib += 1
                    else:
                        self.assertIn("%s=%d" % (field, v), c["args_text"], c)
        set_nofile = [c for c in lims if c["args"]["resource"] == "RLIMIT_NOFILE" and c["args"]["new_limit"]]
        if set_nofile:
            self.assertEqual(set_nofile[-1]["args"]["new_limit"]["rlim_cur"], 2048)
            self.assertIn("rlim_cur=2*1024", set_nofile[-1]["args_text"])
        self.assertTrue(seen_kib, "no limit shown as N*1024: %r" % lims)

        # rt_sigaction(SIGUSR2, {sa_handler=SIG_IGN, ...}): the constant's name
        acts = [c for c in calls if c["name"] == "rt_sigaction" and c["args"].get("signum") == "SIGUSR2"
                and isinstance(c["args"].get("act"), dict)]
        handlers = [c["args"]["act"].get("sa_handler") for c in acts]
        self.assertIn("SIG_IGN", handlers, acts)
        self.assertIn("SIG_DFL", handlers, acts)
        self.assertIn("{sa_handler=SIG_IGN, ", text)

    def test_json_composite_values_are_data(self):
        """Values strace writes in forms of their own are data in JSON, the
        same text in args_text: a wait status ("[{WIFEXITED(s) && ...}]") is
        {"exited": true, "status": 3}, a signal set ("[INT TERM]",
        "~[...]") is {"names": [...], "inverted": ...}, a socket type
        ("SOCK_STREAM|SOCK_CLOEXEC") and a file mode ("S_IFCHR|0666") are
        {"value": N, "names": [...]}, a device number ("makedev(0x1, 0x3)")
        is {"major": 1, "minor": 3}, and an unnamed ioctl request
        ("_IOC(...)") is {"dir", "type", "nr", "size"}.  Each was a string
        of strace text before (issue 11, item 2)."""
        code = ("import fcntl, os, signal, socket\n"
                "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})\n"
                "signal.pthread_sigmask(signal.SIG_SETMASK, signal.valid_signals())\n"
                "signal.pthread_sigmask(signal.SIG_SETMASK, set())\n"
                "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                "os.stat('/dev/null')\n"
                "r, w = os.pipe()\n"
                "try:\n"
                "    fcntl.ioctl(r, 0xc0109912)\n"
                "except OSError:\n"
                "    pass\n"
                "pid = os.fork()\n"
                "if pid == 0:\n"
                "    os._exit(3)\n"
                "os.waitpid(pid, 0)\n"
                "pid = os.fork()\n"
                "if pid == 0:\n"
                "    signal.pthread_sigmask(signal.SIG_SETMASK, set())\n"
                "    os.kill(os.getpid(), signal.SIGKILL)\n"
                "os.waitpid(pid, 0)\n")
        calls_of = "trace=rt_sigprocmask,socket,newfstatat,statx,stat,ioctl,wait4"
        out = os.path.join(self.tmp, "composite.jsonl")
        self.trace(["-f", "-v", "-e", calls_of, "--format", "jsonl", "-o", out], [self.py, "-c", code])
        with open(out, encoding="utf-8") as f:
            calls = [json.loads(l) for l in f]
        calls = [c for c in calls if c.get("type") == "syscall"]
        by = lambda name: [c for c in calls if c["name"] == name]

        # wait4: the status as an object, its strace text in args_text
        waits = [c for c in by("wait4") if c["return"]["value"] > 0]
        statuses = [c["args"]["wstatus"] for c in waits]
        self.assertIn({"exited": True, "status": 3}, statuses, waits)
        self.assertIn({"signaled": True, "signal": "SIGKILL", "core": False}, statuses, waits)
        texts = " ".join(c["args_text"] for c in waits)
        self.assertIn("[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]", texts)
        self.assertIn("[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]", texts)

        # rt_sigprocmask: the set's signals by name
        sets = [c for c in by("rt_sigprocmask") if isinstance(c["args"].get("set"), dict)]
        blocked = [c for c in sets if c["args"]["how"] == "SIG_BLOCK"
                   and c["args"]["set"] == {"names": ["SIGINT", "SIGTERM"], "inverted": False}]
        self.assertTrue(blocked, sets)
        self.assertIn("[INT TERM]", blocked[0]["args_text"])
        full = [c for c in sets if c["args"]["set"]["inverted"]]
        self.assertTrue(full, sets)
        for c in full:
            shown = c["args_text"].split("~[", 1)[1].split("]", 1)[0].split()
            self.assertEqual(c["args"]["set"]["names"], ["SIG" + n for n in shown], c)
        self.assertTrue([c for c in sets if c["args"]["set"] == {"names": [], "inverted": False}], sets)

        # socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, ...): python adds CLOEXEC
        socks = [c for c in by("socket") if c["args"]["family"] == "AF_INET"]
        self.assertTrue(socks, calls)
        self.assertEqual(socks[0]["args"]["type"],
                         {"value": socket.SOCK_STREAM | socket.SOCK_CLOEXEC,
                          "names": ["SOCK_STREAM", "SOCK_CLOEXEC"]}, socks[0])
        self.assertIn("SOCK_STREAM|SOCK_CLOEXEC", socks[0]["args_text"])

        # stat("/dev/null"): the mode and the device number
        st = os.stat("/dev/null")
        stats = [c for c in calls if "/dev/null" in c["args_text"] and c["return"]["value"] == 0]
        self.assertTrue(stats, calls)
        buf = [v for v in stats[0]["args"].values() if isinstance(v, dict) and
               ("st_mode" in v or "stx_mode" in v)]
        self.assertTrue(buf, stats[0])
        mode = buf[0].get("st_mode", buf[0].get("stx_mode"))
        self.assertEqual(mode, {"value": st.st_mode, "names": ["S_IFCHR"],
                                "perm": "0%03o" % stat.S_IMODE(st.st_mode)}, stats[0])
        self.assertIn("S_IFCHR|0%o" % stat.S_IMODE(st.st_mode), stats[0]["args_text"])
        rdev = buf[0].get("st_rdev", buf[0].get("stx_rdev"))
        if "st_rdev" in buf[0]:
            self.assertEqual(rdev, {"major": os.major(st.st_rdev), "minor": os.minor(st.st_rdev)},
                             stats[0])
            self.assertIn("st_rdev=makedev(%#x, %#x)" % (os.major(st.st_rdev), os.minor(st.st_rdev)),
                          stats[0]["args_text"])

        # an ioctl number without a name: its four fields
        ioc = [c for c in by("ioctl") if "_IOC(" in c["args_text"]]
        self.assertTrue(ioc, by("ioctl"))
        self.assertEqual(ioc[0]["args"]["request"],
                         {"dir": {"value": 3, "names": ["_IOC_READ", "_IOC_WRITE"]},
                          "type": 0x99, "nr": 0x12, "size": 0x10}, ioc[0])
        self.assertIn("_IOC(_IOC_READ|_IOC_WRITE, 0x99, 0x12, 0x10)", ioc[0]["args_text"])

    def test_json_siginfo_waits_and_sockaddrs_are_data(self):
        """The last forms that were strace text in JSON are data (issue 11):
        a signal's siginfo ("{si_signo=SIGCHLD, si_code=CLD_EXITED, ...}") is
        {"si_signo": "SIGCHLD", "si_code": "CLD_EXITED", "si_status": 3, ...};
        poll's answer is "revents" (it was "arg0"), a timeout "timeout",
        select's ready sets [3] (they were "[3]"), futex's wake op
        ("FUTEX_OP_ADD<<28|...") {"value", "names", "oparg", "cmparg"}, and a
        sockaddr keeps its short form with its fields beside it:
        "addr_fields": {"sin6_addr": "::1", ...} where the text has
        inet_pton(AF_INET6, "::1", &sin6_addr).  args_text and the text
        output are the strace text as before."""
        code = ("import ctypes, os, select, socket\n"
                "r, w = os.pipe()\n"
                "os.write(w, b'x')\n"
                "p = select.poll()\n"
                "p.register(r, select.POLLIN)\n"
                "p.poll(0)\n"
                "q = select.poll()\n"
                "q.register(w, select.POLLIN)\n"
                "q.poll(0)\n"
                "select.select([r], [], [], 0)\n"
                "u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                "u.bind(b'\\0scry-typed')\n"
                "try:\n"
                "    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
                "    s6.connect(('::1', 9))\n"
                "except OSError:\n"
                "    pass\n"
                "word = ctypes.c_int(0)\n"
                "ctypes.CDLL(None).syscall(202, ctypes.byref(word), 5, 1, 0, ctypes.byref(word),\n"
                "                          (1 << 28) | (1 << 12) | (4 << 24) | 2)\n"
                "pid = os.fork()\n"
                "if pid == 0:\n"
                "    os._exit(3)\n"
                "os.waitpid(pid, 0)\n"
                "print(r, pid)\n")
        calls_of = "trace=poll,ppoll,select,pselect6,bind,connect,futex,wait4"
        out = os.path.join(self.tmp, "typed.jsonl")
        r = self.trace(["-e", calls_of, "--format", "jsonl", "-o", out], [self.py, "-c", code])
        rfd, child = (int(x) for x in r.stdout.split())
        with open(out, encoding="utf-8") as f:
            lines = [json.loads(l) for l in f]
        calls = [c for c in lines if c.get("type") == "syscall"]
        by = lambda *names: [c for c in calls if c["name"] in names]

        # the SIGCHLD of the child that exited with 3
        sigs = [e for e in lines if e.get("type") == "signal" and e["signal"] == "SIGCHLD"]
        self.assertTrue(sigs, lines)
        info = sigs[-1]["info"]
        self.assertIsInstance(info, dict, sigs[-1])
        self.assertEqual({k: info[k] for k in ("si_signo", "si_code", "si_pid", "si_status")},
                         {"si_signo": "SIGCHLD", "si_code": "CLD_EXITED", "si_pid": child,
                          "si_status": 3}, info)
        for k in ("si_uid", "si_utime", "si_stime"):
            self.assertIsInstance(info[k], int, info)

        # poll: what the kernel answered, and a timeout
        polls = by("poll", "ppoll")
        ready = [c for c in polls if c["return"]["value"] == 1]
        self.assertTrue(ready, polls)
        self.assertEqual(ready[0]["args"]["revents"],
                         [{"fd": rfd, "revents": {"value": 1, "names": ["POLLIN"]}}], ready[0])
        idle = [c for c in polls if c["return"]["value"] == 0]
        self.assertTrue(idle, polls)
        self.assertEqual(idle[0]["args"]["timeout"], "Timeout", idle[0])

        # select: the sets are arrays of fds, in the request and the answer
        sel = [c for c in by("select", "pselect6") if c["return"]["value"] == 1]
        self.assertTrue(sel, by("select", "pselect6"))
        self.assertEqual(sel[0]["args"]["inp"], [rfd], sel[0])
        self.assertEqual(sel[0]["args"]["in"], [rfd], sel[0])
        self.assertIn("[%d]" % rfd, sel[0]["args_text"])

        # futex's wake op in its parts
        ops = [c for c in by("futex") if "FUTEX_WAKE_OP" in c["args_text"]]
        self.assertTrue(ops, by("futex"))
        self.assertEqual(ops[0]["args"]["val3"],
                         {"value": (1 << 28) | (1 << 12) | (4 << 24) | 2,
                          "names": ["FUTEX_OP_ADD", "FUTEX_OP_CMP_GT"], "oparg": 1, "cmparg": 2}, ops[0])
        self.assertIn("FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0x2", ops[0]["args_text"])

        # sockaddrs: the short form, and the fields beside it
        binds = [c for c in by("bind") if c["args"].get("addr") == "@scry-typed"]
        self.assertTrue(binds, by("bind"))
        self.assertEqual(binds[0]["args"]["addr_fields"],
                         {"sa_family": "AF_UNIX", "sun_path": "@scry-typed"}, binds[0])
        self.assertIn('sun_path=@"scry-typed"', binds[0]["args_text"])
        conns = [c for c in by("connect") if c["return"]["value"] == 0]
        if not conns:
            self.skipTest("no IPv6 loopback here")
        self.assertEqual(conns[0]["args"]["addr"], "[::1]:9", conns[0])
        self.assertEqual(conns[0]["args"]["addr_fields"],
                         {"sa_family": "AF_INET6", "sin6_port": 9, "sin6_flowinfo": 0,
                          "sin6_addr": "::1", "sin6_scope_id": 0}, conns[0])
        self.assertIn('inet_pton(AF_INET6, "::1", &sin6_addr)', conns[0]["args_text"])

    def test_sqlite_keeps_strace_text_of_results(self):
        """The SQLite columns stay what they were: args_text and ret_text the
        strace text (now rendered by the sink from the typed result),
        args_json the typed arguments."""
        db = os.path.join(self.tmp, "typed.db")
        self.trace(["-f", "-y", "-e", "trace=openat", "--format", "sqlite", "-o", db],
                   [self.py, "-c", self.TYPED_PROG])
        con = sqlite3.connect(db)
        try:
            rows = con.execute("SELECT args_json, args_text, ret, ret_text FROM syscalls "
                               "WHERE name = 'openat'").fetchall()
        finally:
            con.close()
        host = [r for r in rows if '"/etc/hostname"' in r[1]]
        missing = [r for r in rows if '"/nonexistent-scry/x"' in r[1]]
        self.assertTrue(host and missing, rows)
        args, text, ret, ret_text = host[-1]
        self.assertEqual(ret_text, "%d</etc/hostname>" % ret)
        self.assertTrue(text.endswith("O_RDONLY|O_CLOEXEC"), text)
        self.assertEqual(json.loads(args)["flags"]["names"], ["O_RDONLY", "O_CLOEXEC"])
        self.assertEqual(missing[-1][3], "-1 ENOENT (No such file or directory)")

    def test_json_by_extension_and_summary(self):
        out = os.path.join(self.tmp, "x.json")
        self.trace(["-C", "-o", out], [prog("exitcode"), "0"])
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertTrue(doc["syscalls"])
        self.assertIn("summary", doc)
        self.assertGreater(doc["summary"]["total"]["calls"], 0)

    def test_hostile_names_every_format(self):
        cmd, path = self.hostile_prog(self.tmp)
        for fmt in ("json", "jsonl", "csv", "chrome", "sqlite"):
            with self.subTest(fmt=fmt):
                out = os.path.join(self.tmp, "h." + fmt)
                self.trace(["--format", fmt, "-o", out, "-e", "trace=openat"], cmd)
                getattr(self, "check_hostile_" + fmt)(out, path)

    def opens(self, calls, path):
        return [c for c in calls if c["name"] == "openat" and dec(c["args"]["filename"]) == path]

    def check_hostile_json(self, out, path):
        with open(out, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn("<", text)
        self.assertEqual(len(self.opens(json.loads(text)["syscalls"], path)), 1)
        self.jq(["-e", ".syscalls | length > 0"], out)

    def check_hostile_jsonl(self, out, path):
        with open(out, encoding="utf-8") as f:
            lines = [json.loads(l) for l in f]
        self.assertEqual(lines[0]["type"], "header")
        self.assertEqual(lines[-1]["type"], "end")
        self.assertEqual(len(self.opens([l for l in lines if l["type"] == "syscall"], path)), 1)

    def check_hostile_csv(self, out, path):
        with open(out, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["ts", "pid", "tid", "syscall", "arguments", "result",
                                   "errno", "duration_us"])
        self.assertTrue(all(len(r) == 8 for r in rows))
        for r in rows[1:]:
            for cell in r:
                self.assertFalse(cell[:1] in ("=", "+", "@", "\t", "\r"), r)
        args = [csv_cell(r[4]) for r in rows if r[3] == "openat"]
        # the strace text escapes the name: its printable part shows
        self.assertTrue(any(b"<script>&=cmd|" in a for a in args), args)

    def check_hostile_chrome(self, out, path):
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        xs = [e for e in doc["traceEvents"] if e["ph"] == "X" and e["name"] == "openat"]
        self.assertTrue(xs)
        self.assertTrue(any(e["ph"] == "M" and e["name"] == "process_name" for e in doc["traceEvents"]))

    def check_hostile_sqlite(self, out, path):
        db = sqlite3.connect(out)
        db.text_factory = bytes
        rows = db.execute("SELECT args_json FROM syscalls WHERE name = 'openat'").fetchall()
        names = [dec(json.loads(r[0])["filename"]) for r in rows]
        self.assertIn(path, names)
        db.close()

    # ---------------------------------------------------------------- others

    def test_jsonl_live_and_filterable(self):
        port = closed_port()
        out = os.path.join(self.tmp, "t.jsonl")
        self.trace(["--format", "jsonl", "-o", out], self.connect_prog(port))
        got = self.jq(["-c", "select(.return.value < 0)"], out)
        self.assertTrue(any('"connect"' in l for l in got.splitlines()), got[:2000])

    # -------------------------------------------- the document on stdout

    SAY = "sh", "-c", "echo out-line; echo err-line >&2"
    NOTE = "standard output to standard error"

    def check_document(self, fmt, text):
        """text parses as a whole fmt document holding the echo's write."""
        if fmt in ("json", "chrome"):
            doc = json.loads(text)
            if fmt == "json":
                self.assertTrue(any(c["name"] == "write" for c in doc["syscalls"]), doc)
            else:
                self.assertTrue(any(e.get("name") == "write" for e in doc["traceEvents"]))
        elif fmt == "jsonl":
            lines = [json.loads(l) for l in text.splitlines()]
            self.assertEqual((lines[0]["type"], lines[-1]["type"]), ("header", "end"))
            self.assertTrue(any(l.get("name") == "write" for l in lines))
        else:
            rows = list(csv.reader(text.splitlines()))
            self.assertEqual(rows[0][:4], ["ts", "pid", "tid", "syscall"])
            self.assertTrue(all(len(r) == len(rows[0]) for r in rows), rows)
            self.assertTrue(any(r[3] == "write" for r in rows[1:]))

    def test_document_on_stdout_apart_from_the_commands(self):
        """`scry --format json -- CMD > trace.json` must parse: the command's
        stdout goes to scry's stderr, said once there."""
        for fmt in ("json", "jsonl", "csv", "chrome"):
            with self.subTest(fmt=fmt):
                r = self.trace(["--format", fmt], self.SAY)
                self.assertNotIn("out-line", r.stdout.splitlines())
                self.check_document(fmt, r.stdout)
                self.assertIn("out-line\n", r.stderr)
                self.assertIn("err-line\n", r.stderr)
                self.assertEqual(r.stderr.count(self.NOTE), 1, r.stderr[-2000:])

    def test_document_on_stdout_quiet_and_with_o(self):
        r = self.trace(["-q", "-f", "--format", "jsonl"], self.SAY)
        self.check_document("jsonl", r.stdout)
        self.assertIn("out-line\n", r.stderr)
        self.assertNotIn(self.NOTE, r.stderr)
        # with -o the command keeps its stdout, and nothing is said
        out = os.path.join(self.tmp, "t.json")
        r = self.trace(["--format", "json", "-o", out], self.SAY)
        self.assertEqual(r.stdout, "out-line\n")
        self.assertNotIn(self.NOTE, r.stderr)
        with open(out) as f:
            self.check_document("json", f.read())

    def test_document_on_stdout_through_a_pipe(self):
        """The seed's `renacer -f --format json -- make | gzip > trace.json.gz`
        and `| jq`, through a real shell pipeline."""
        if not shutil.which("jq"):
            self.skipTest("jq is not installed")
        gz = os.path.join(self.tmp, "trace.json.gz")
        cmd = ("'%s' -f --format json -- sh -c 'echo out-line; (echo child-line)' | gzip > '%s' && "
               "gzip -dc '%s' | jq -e '.syscalls | map(select(.name == \"write\")) | length >= 2'"
               % (SCRY, gz, gz))
        r = run(["sh", "-c", cmd], timeout=T(30))
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertEqual(r.stdout.strip(), "true")
        self.assertIn("out-line\n", r.stderr)
        self.assertIn("child-line\n", r.stderr)

    def test_readme_live_jq_prints_failed_calls_only(self):
        """The README's `scry -p PID --format jsonl | jq ...` line, run as
        written on a real attached trace: only failed calls come out (not
        the header, the events, the detach and end records)."""
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        m = re.search(r"^scry -p 12345 --format jsonl \| jq -c '([^']*)'", readme, re.M)
        self.assertTrue(m, "the README has no live jq example")
        loop = ("import os, time\nprint(os.getpid(), flush=True)\n"
                "while True:\n"
                "    try: os.stat('/nonexistent/scry-readme')\n"
                "    except OSError: pass\n"
                "    time.sleep(0.02)\n")
        t = self.spawn([self.py, "-c", loop], name="stat-loop")
        self.assertTrue(t.wait_out(r"^\d+$", T(5)), t.err())
        s = self.attach(t.pid, extra=["--format", "jsonl"])
        self.assertTrue(s.wait_out(r'"errno":"ENOENT"', T(5)), s.err()[-2000:])
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        self.assertIn('"type":"detached"', s.out())
        got = self.jq(["-c", m.group(1)], s.out_path).splitlines()
        self.assertTrue(got, "the README's filter printed nothing")
        for line in got:
            rec = json.loads(line)
            self.assertEqual(rec.get("type"), "syscall", line)
            self.assertLess(rec["return"]["value"], 0, line)
            self.assertIn("errno", rec["return"], line)

    def test_jsonl_to_stdout_is_live(self):
        t = self.target("busy")
        s = self.attach(t.pid, extra=["--format", "jsonl"])
        self.assertTrue(s.wait_out(r'"name":"getppid"', T(5)), "no line before detaching")
        s.signal(signal.SIGINT)
        self.assertScryExits(s)
        for line in s.out().splitlines():
            json.loads(line)
        self.assertRunningFree(t)

    def test_csv_summary_only(self):
        out = os.path.join(self.tmp, "s.csv")
        self.trace(["--format", "csv", "-c", "-o", out], [prog("exitcode"), "0"])
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        self.assertIn("syscall", rows[0])
        self.assertIn("calls", rows[0])
        self.assertTrue(len(rows) > 1)

    def test_chrome_opens_in_perfetto_shape(self):
        out = os.path.join(self.tmp, "t.chrome.json")
        self.trace(["--format", "chrome", "-f", "-o", out], [prog("forker")], want_rc=None)
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        ev = doc["traceEvents"]
        self.assertEqual(doc["displayTimeUnit"], "ns")
        xs = [e for e in ev if e["ph"] == "X"]
        self.assertTrue(xs)
        for e in xs:
            self.assertIsInstance(e["ts"], (int, float))
            self.assertGreaterEqual(e["dur"], 0)
            self.assertEqual(e["cat"], "syscall")
        self.assertTrue(any(e["ph"] == "i" for e in ev))

    def test_sqlite_and_report(self):
        out = os.path.join(self.tmp, "t.db")
        self.trace(["--format", "sqlite", "-o", out], [prog("calls")], want_rc=None)
        db = sqlite3.connect(out)
        meta = dict(db.execute("SELECT key, value FROM metadata"))
        for k in ("command", "host", "kernel", "scry_version", "start_ns"):
            self.assertIn(k, meta)
        n = db.execute("SELECT count(*) FROM syscalls").fetchone()[0]
        self.assertGreater(n, 5)
        self.assertTrue(db.execute("SELECT * FROM summary_by_syscall").fetchall())
        self.assertTrue(db.execute("SELECT * FROM summary_by_process").fetchall())
        self.assertTrue(db.execute("SELECT * FROM processes").fetchall())
        db.close()
        self.assertFalse(os.path.exists(out + "-wal") and os.path.getsize(out + "-wal"))

        r = run_scry(["report", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^(\[pid\s+\d+\] )?execve\(")
        self.assertIn("+++ exited with", r.stdout)
        r = run_scry(["report", "-c", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("total", r.stdout)
        for fmt in ("json", "jsonl", "csv", "chrome"):
            conv = os.path.join(self.tmp, "conv." + fmt)
            r = run_scry(["report", "--format", fmt, "-o", conv, out])
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.tmp, "conv.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(len(doc["syscalls"]), n)
        r = run_scry(["report", os.path.join(self.tmp, "conv.json")])
        self.assertNotEqual(r.returncode, 0)

    def test_summary_only_json_carries_the_calls(self):
        # The seed: `-c -e trace=connect --format json`, then
        # jq '.syscalls[] | select(.name == "connect") | ...' (issue 19 #12:
        # with -c the array was empty and jq printed nothing).
        port = closed_port()
        out = os.path.join(self.tmp, "connections.json")
        self.trace(["-c", "-e", "trace=connect", "--format", "json", "-o", out],
                   self.connect_prog(port))
        got = self.jq(["-c", '.syscalls[] | select(.name == "connect") | '
                       '{addr: .args.addr, result: .return.value}'], out)
        self.assertEqual(got.splitlines(), ['{"addr":"127.0.0.1:%d","result":-111}' % port])
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual([c["name"] for c in doc["syscalls"]], ["connect"])
        self.assertEqual(doc["summary"]["total"]["calls"], 1)
        self.assertEqual(doc["summary"]["total"]["errors"], 1)
        # the other formats that hold calls carry them with -c as well
        for fmt in ("jsonl", "chrome"):
            with self.subTest(fmt=fmt):
                out = os.path.join(self.tmp, "c." + fmt)
                self.trace(["-c", "-e", "trace=connect", "--format", fmt, "-o", out],
                           self.connect_prog(port))
                with open(out, encoding="utf-8") as f:
                    if fmt == "jsonl":
                        lines = [json.loads(l) for l in f]
                        calls = [l for l in lines if l.get("type") == "syscall"]
                        summary = [l for l in lines if l.get("type") == "summary"]
                        self.assertEqual(summary[0]["total"]["calls"], 1)
                    else:
                        doc = json.load(f)
                        calls = [e for e in doc["traceEvents"] if e["ph"] == "X"]
                        self.assertEqual(doc["otherData"]["summary"]["total"]["calls"], 1)
                self.assertEqual([c["name"] for c in calls], ["connect"])

    def test_summary_only_sqlite_records_the_calls(self):
        # docs/FORMATS.md: with -c the calls are still recorded.  Issue 19
        # #2: auto took bpf's in-kernel counts for -c and the database had
        # no call (scry report -c: total 0, exit 0); under ptrace the rows
        # had no arguments.
        out = os.path.join(self.tmp, "t.db")
        self.trace(["-c", "-v", "-o", out], [prog("known_calls"), "50", "7", "0"])
        db = sqlite3.connect(out)
        self.assertEqual(db.execute("SELECT count(*) FROM syscalls WHERE name='getppid'").fetchone()[0], 50)
        texts = [t for (t,) in db.execute(
            "SELECT args_text FROM syscalls WHERE name='openat' AND errno IS NOT NULL")]
        db.close()
        self.assertEqual(sum('"/nonexistent/scry-known"' in t for t in texts), 7, texts)
        r = run_scry(["report", "-c", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = summary_rows(r.stdout)
        self.assertEqual(rows["getppid"]["Calls"], "50")
        self.assertEqual(int(rows["openat"]["Errors"]), len(texts))

    def test_report_options_after_the_file(self):
        # issue 19 #14: `scry report t.db -c` said "give one TRACE.db"
        out = os.path.join(self.tmp, "t.db")
        self.trace(["-o", out], [prog("calls")])
        before = run_scry(["report", "-c", out])
        after = run_scry(["report", out, "-c"])
        self.assertEqual(before.returncode, 0, before.stderr)
        self.assertEqual(after.returncode, 0, after.stderr)
        self.assertIn("total", after.stdout)
        self.assertEqual(after.stdout, before.stdout)
        conv = os.path.join(self.tmp, "conv.json")
        r = run_scry(["report", out, "--format", "json", "-o", conv])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(conv, encoding="utf-8") as f:
            self.assertTrue(json.load(f)["syscalls"])
        r = run_scry(["report", out, "-o"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("'-o' needs an argument", r.stderr)

    def test_report_damaged_database_is_an_error(self):
        # issue 19 #4: a zeroed page gave exit 0 and wrong -c totals.  Zero
        # each page of a real trace in turn: scry report prints exactly what
        # it prints for the whole file, or exits 1 with one line, never a
        # shorter trace with exit 0.
        out = os.path.join(self.tmp, "t.db")
        self.trace(["-f", "-o", out], [prog("known_calls"), "600", "150", "0", "1"])
        with open(out, "rb") as f:
            data = f.read()
        page = int.from_bytes(data[16:18], "big")
        page = 65536 if page == 1 else page
        npages = len(data) // page
        self.assertGreater(npages, 20, "the trace is too small to damage page by page")
        for args in (["-c"], []):
            whole = run_scry(["report"] + args + [out])
            self.assertEqual(whole.returncode, 0, whole.stderr)
            detected = 0
            for i in range(npages):
                bad = os.path.join(self.tmp, "bad.db")
                with open(bad, "wb") as f:
                    f.write(data[:i * page] + bytes(page) + data[(i + 1) * page:])
                r = run_scry(["report"] + args + [bad])
                what = "report %s with page %d of %d zeroed" % (" ".join(args), i, npages)
                if r.returncode == 0:
                    self.assertEqual(r.stdout, whole.stdout, what + ": exit 0 with other output")
                    self.assertEqual(r.stderr, "", what)
                else:
                    self.assertEqual(r.returncode, 1, what + ": " + r.stderr)
                    self.assertEqual(len(r.stderr.splitlines()), 1, what + ": " + r.stderr)
                    self.assertIn("'%s'" % bad, r.stderr)
                    detected += 1
            # (most pages hold calls: their loss must have been seen)
            self.assertGreater(detected, npages // 2, args)

    def test_report_damaged_database_keeps_the_output_file(self):
        # scry report -o FILE emptied FILE before it found the database
        # damaged: the user lost FILE's old contents for an error.
        out = os.path.join(self.tmp, "t.db")
        self.trace(["-f", "-o", out], [prog("known_calls"), "600", "150", "0", "1"])
        with open(out, "rb") as f:
            data = f.read()
        page = int.from_bytes(data[16:18], "big")
        page = 65536 if page == 1 else page
        npages = len(data) // page
        bad = os.path.join(self.tmp, "bad.db")
        for args, ext in ((["-c"], "txt"), ([], "txt"), (["--format", "json"], "json"),
                          (["--format", "csv"], "csv")):
            keep = os.path.join(self.tmp, "keep." + ext)
            refused = 0
            for i in range(1, npages):
                with open(bad, "wb") as f:
                    f.write(data[:i * page] + bytes(page) + data[(i + 1) * page:])
                with open(keep, "w") as f:
                    f.write("precious\n")
                r = run_scry(["report"] + args + ["-o", keep, bad])
                if r.returncode != 0:
                    refused += 1
                    with open(keep) as f:
                        self.assertEqual(f.read(), "precious\n",
                                         "%s: page %d zeroed: %s" % (args, i, r.stderr))
            self.assertGreater(refused, npages // 2, args)

    def test_sqlite_needs_o(self):
        r = run_scry(["--format", "sqlite", "--", prog("exitcode"), "0"])
        self.assertEqual(r.returncode, 2)

    def test_sigint_attached_busy_leaves_whole_documents(self):
        for fmt in ("json", "jsonl", "csv", "chrome", "sqlite"):
            with self.subTest(fmt=fmt):
                t = self.target("busy")
                out = os.path.join(self.tmp, "busy." + fmt)
                s = self.attach(t.pid, extra=["--format", fmt, "-o", out])
                self.run_traced_a_while(t)
                s.signal(signal.SIGINT)
                self.assertScryExits(s)
                self.assertRunningFree(t)
                if fmt in ("json", "chrome"):
                    with open(out, encoding="utf-8") as f:
                        json.load(f)
                elif fmt == "jsonl":
                    with open(out, encoding="utf-8") as f:
                        lines = [json.loads(l) for l in f]
                    self.assertEqual(lines[-1]["type"], "end")
                elif fmt == "csv":
                    with open(out, newline="") as f:
                        rows = list(csv.reader(f))
                    self.assertTrue(all(len(r) == 8 for r in rows))
                    self.assertTrue(any(r[3] == "getppid" for r in rows))
                else:
                    db = sqlite3.connect(out)
                    self.assertGreater(db.execute(
                        "SELECT count(*) FROM syscalls WHERE name='getppid'").fetchone()[0], 0)
                    db.close()
                t.kill()

    def test_disk_full_reported_once(self):
        # never the real /dev/full: a device with its numbers, made here
        full = os.path.join(self.tmp, "full")
        try:
            os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        except OSError as e:
            self.skipTest("cannot mknod a full device: %s" % e)
        r = run_scry(["--format", "json", "-o", full, "--", prog("exitcode"), "0"])
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stderr.count("No space left"), 1, r.stderr)
