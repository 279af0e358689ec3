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

    def test_sites_past_the_short_window(self):
        """stack_mid's two sites lie past the kernel's short key (half a
        KiB of frame without lines between the call and them): their short
        key is one for both, so its calls must wait for user space's
        verdict and take the whole window's key, never be counted under
        the short one (they would come out as "?", or as one site's)."""
        n = 20000
        rows, text = self.table(["-e", "trace=getppid", prog("stack_mid"), str(n)])
        src = "stack_mid.c"
        a = ("getppid", "%s:%d in mid_a" % (src, marker_line(src, "MID:a */")))
        b = ("getppid", "%s:%d in mid_b" % (src, marker_line(src, "MID:b */")))
        self.assertEqual(rows, {a: n, b: n}, text)

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


class ShortLived(ScryTest):
    """The bpf lifetime race: a process that exits (or execs) before the
    reader reaches its calls.  The unwinder used to read /proc/PID/maps when
    it got to a call, by then gone (or the next image's), so those calls
    came out as [?]; the kernel now sends each process's code mappings
    (systrace.bpf.c scry_maps_check()) ahead of the calls that saw them."""

    SRC = "stack_short.c"
    N = 30

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("bpf needs root")
        r = run_scry(["--backend", "bpf", "--source", "-c", "-e", "trace=getppid", prog("stack_sites"), "1"],
                     timeout=T(30))
        if r.returncode != 0 or "System Calls by Call Site" not in r.stderr:
            self.skipTest("bpf with --source unavailable here: %s" % r.stderr.strip()[-300:])

    def trace(self, opt, extra=(), calls="getppid,umask,getuid"):
        out = os.path.join(self.tmp, "trace")
        r = run_scry(["--backend", "bpf", "-f", opt, "-e", "trace=" + calls, "-o", out,
                      prog("stack_short"), str(self.N)] + list(extra), timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("lost", r.stderr)
        return open(out).read().splitlines()

    def want(self):
        return {"getppid": ("%s:%d in short_a" % (self.SRC, marker_line(self.SRC, "SHORT:getppid */")), "short_a"),
                "umask": ("%s:%d in short_b" % (self.SRC, marker_line(self.SRC, "SHORT:umask */")), "short_b"),
                "getuid": ("stack_exec.c:%d in after_exec" % marker_line("stack_exec.c", "STACK:getuid */"),
                           "after_exec"),
                "execve": ("%s:%d in main" % (self.SRC, marker_line(self.SRC, "SHORT:execl */")), "main")}

    def check_source(self, lines, names):
        want = self.want()
        seen = {n: 0 for n in names}
        for l in lines:
            m = re.match(r"^\d+\s+(getppid|umask|getuid|execve)\(", l)
            if not m or m.group(1) not in names:
                continue
            name = m.group(1)
            src = re.search(r"   \[(?:\S*/)?(\S+:\d+ in \S+)\]$", l)
            self.assertTrue(src and src.group(1) == want[name][0], "%s\n(want %s)" % (l, want[name][0]))
            seen[name] += 1
        self.assertEqual(seen, {n: self.N for n in names}, "\n".join(lines))

    def test_source_of_children_that_exit_at_once(self):
        self.check_source(self.trace("--source"), ("getppid", "umask"))

    def test_stack_of_children_that_exit_at_once(self):
        """-k: each call's frames reach the function of its line and main,
        in the executable's own path."""
        lines = self.trace("-k")
        exe = os.path.realpath(prog("stack_short"))
        want = self.want()
        n = 0
        for i, l in enumerate(lines):
            m = re.match(r"^\d+\s+(getppid|umask)\(", l)
            if not m:
                continue
            n += 1
            fr = []
            for f in lines[i + 1:]:
                if not f.startswith(" > "):
                    break
                fr.append(f)
            fns = [re.sub(r"^ > (\S+?)\((\w*).*$", r"\1 \2", f) for f in fr]
            self.assertIn("%s %s" % (exe, want[m.group(1)][1]), fns, "\n".join([l] + fr))
            self.assertIn("%s main" % exe, fns, "\n".join([l] + fr))
        self.assertEqual(n, 2 * self.N, "\n".join(lines))

    def test_calls_before_an_exec_keep_the_old_image(self):
        """Children that exec stack_exec right after their calls: those
        calls are named from stack_short.c, the new image's from
        stack_exec.c."""
        self.check_source(self.trace("--source", ["exec", prog("stack_exec")]), ("getppid", "umask", "getuid"))

    def test_the_execve_itself_names_the_old_image(self):
        """The execve's own record reaches user space after the new image
        replaced the old one: its stack (taken at entry, in the old image)
        must be named from the old image's mappings (the kernel sends the
        call ahead of the EXEC record)."""
        lines = self.trace("--source", ["exec", os.path.realpath(prog("stack_exec"))], calls="execve")
        # the launched command's own execve is scry's (its launcher's stack)
        self.check_source([l for l in lines if re.search(r'execve\("[^"]*/stack_exec"', l)], ("execve",))
