"""--source -c under --backend bpf (issue 13): the kernel counts the calls
of each call site it has seen, keyed on the registers and the first bytes
of the stack (systrace.bpf.c site_enter()); user space unwinds each key's
first call only.  These tests check what the table says against the known
lines of tests/progs/stack_sites.c (SITE:<name>) and stack_deep.c
(DEEP:<name>): every call counted once, under its own line, and two sites
never under one key (stack_deep's sites differ only far up the stack).
"""

import os
import re

from helpers import BUILD, ROOT, ScryTest, T, prog, run_scry

ROW = re.compile(r"^(\w+)\s+(\d+)\s+(\d+)\s.*?  (\?|\S+:\d+ in \S+)$")


def marker_line(src, marker):
    with open(os.path.join(ROOT, "tests", "progs", src)) as f:
        for i, line in enumerate(f, 1):
            if marker in line:
                return i
    raise AssertionError("%s not in %s" % (marker, src))


class CountedBySite(ScryTest):
    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("bpf needs root")
        r = run_scry(["--backend", "bpf", "--source", "-c", "-e", "trace=getppid", prog("stack_sites"), "1"],
                     timeout=T(30))
        if r.returncode != 0 or "System Calls by Call Site" not in r.stderr:
            self.skipTest("bpf with --source unavailable here: %s" % r.stderr.strip()[-300:])

    def table(self, args):
        out = os.path.join(self.tmp, "summary")
        r = run_scry(["--backend", "bpf", "--source", "-c", "-o", out] + args, timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        text = open(out).read()
        self.assertNotIn("lost", text + r.stderr)
        rows = {}
        total = None
        for l in text.splitlines():
            m = ROW.match(l)
            if m and m.group(1) != "total":
                key = (m.group(1), re.sub(r"^.*/", "", m.group(4)))
                self.assertNotIn(key, rows, text)
                rows[key] = int(m.group(2))
            t = re.match(r"^total\s+(\d+)\s", l)
            if t:
                total = int(t.group(1))
        self.assertEqual(total, sum(rows.values()), text)
        return rows, text

    def test_sites_of_a_running_program(self):
        """Each of stack_sites' lines gets its own calls, in the ratio one
        round makes them; nothing is left unnamed."""
        rows, text = self.table(["-f", "-e", "trace=fsync,getppid,umask", prog("stack_sites"), "0", "loop", "1"])
        src = "stack_sites.c"
        a = ("fsync", "%s:%d in flush_logs" % (src, marker_line(src, "SITE:fsync_a */")))
        b = ("fsync", "%s:%d in rotate_logs" % (src, marker_line(src, "SITE:fsync_b */")))
        g = ("getppid", "%s:%d in depth" % (src, marker_line(src, "SITE:getppid */")))
        u = ("umask", "%s:%d in thread_fn" % (src, marker_line(src, "SITE:umask */")))
        self.assertEqual(set(rows), {a, b, g, u}, text)
        k = rows[b]
        self.assertGreater(k, 0, text)
        self.assertEqual((rows[a], rows[g], rows[u]), (2 * k, k, k), text)

    def test_deep_sites_never_merged(self):
        """stack_deep's two fprintf sites look alike near the stack pointer
        (vfprintf's buffer): their key cannot tell them apart, so no call
        of one may be counted as the other's; the shallow site is exact."""
        n = 300
        rows, text = self.table(["-e", "trace=write", prog("stack_deep"), str(n), "1"])
        src = "stack_deep.c"
        one = ("write", "%s:%d in site_one" % (src, marker_line(src, "DEEP:one */")))
        two = ("write", "%s:%d in site_two" % (src, marker_line(src, "DEEP:two */")))
        sh = ("write", "%s:%d in shallow" % (src, marker_line(src, "DEEP:shallow */")))
        unknown = ("write", "?")
        self.assertLessEqual(set(rows), {one, two, sh, unknown}, text)
        self.assertEqual(rows.get(sh), n, text)
        self.assertLessEqual(rows.get(one, 0), n, text)
        self.assertLessEqual(rows.get(two, 0), n, text)
        self.assertEqual(rows.get(one, 0) + rows.get(two, 0) + rows.get(unknown, 0), 2 * n, text)

    def test_many_calls_one_key_per_site(self):
        """bench/stackcalls: 100k writes from three sites, with loop
        counters past 64 Ki on the stack; a counter is no code address, so
        the keys stay put: every call counted under its line, none lost."""
        bench = os.path.join(BUILD, "bench", "stackcalls")
        if not os.path.exists(bench):
            self.skipTest("bench/stackcalls not built")
        rows, text = self.table(["-e", "trace=write", bench, "100000"])
        src = os.path.join(ROOT, "bench", "stackcalls.c")
        want = {}
        with open(src) as f:
            for i, line in enumerate(f, 1):
                m = re.search(r"void (site_[abc])\(void\)", line)
                if m:
                    want[("write", "stackcalls.c:%d in %s" % (i, m.group(1)))] = None
        self.assertEqual(set(rows), set(want), text)
        self.assertEqual(sorted(rows.values()), [33333, 33333, 33334], text)
