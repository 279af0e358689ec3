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
import signal

from helpers import BUILD, ROOT, ScryTest, T, prog, run_scry, wait_for

ROW = re.compile(r"^(\w+)\s+(\d+)\s+(\d+)\s.*?  (\?|\S+:\d+ in \S+)$")


def marker_line(src, marker):
    with open(os.path.join(ROOT, "tests", "progs", src)) as f:
        for i, line in enumerate(f, 1):
            if marker in line:
                return i
    raise AssertionError("%s not in %s" % (marker, src))


class BpfStacks(ScryTest):
    """Skips where bpf stacks cannot run (not root, an old kernel)."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("bpf needs root")
        r = run_scry(["--backend", "bpf", "--source", "-c", "-e", "trace=getppid", prog("stack_sites"), "1"],
                     timeout=T(30))
        if r.returncode != 0 or "System Calls by Call Site" not in r.stderr:
            self.skipTest("bpf with --source unavailable here: %s" % r.stderr.strip()[-300:])


class CountedBySite(BpfStacks):
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


class ShortLived(BpfStacks):
    """The bpf lifetime race: a process that exits (or execs) before the
    reader reaches its calls.  The unwinder used to read /proc/PID/maps when
    it got to a call, by then gone (or the next image's), so those calls
    came out as [?]; the kernel now sends each process's code mappings
    (systrace.bpf.c scry_maps_check()) ahead of the calls that saw them."""

    SRC = "stack_short.c"
    N = 30

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


    def test_vdso_frames_of_children_that_exit_at_once(self):
        """A call made from inside the vDSO (clock_gettime of the process's
        CPU clock) by children gone before the reader reaches it: the first
        frame is named in the vDSO and the stack goes on through short_c to
        main.  The vDSO has no file: its image used to be read from the
        process only, so these frames came out as "[vdso]() [0x...]" and
        the unwinding stopped or guessed; every native process maps the same
        image, so the unwinder now falls back on its own."""
        lines = self.trace("-k", ["vdso"], calls="clock_gettime")
        exe = os.path.realpath(prog("stack_short"))
        n = 0
        for i, l in enumerate(lines):
            if not re.match(r"^\d+\s+clock_gettime\(CLOCK_PROCESS_CPUTIME_ID", l):
                continue
            n += 1
            fr = []
            for f in lines[i + 1:]:
                if not f.startswith(" > "):
                    break
                fr.append(f)
            text = "\n".join([l] + fr)
            self.assertTrue(fr and re.match(r"^ > \[vdso\]\((__vdso_)?clock_gettime\+0x[0-9a-f]+\)", fr[0]), text)
            fns = [re.sub(r"^ > (\S+?)\((\w*).*$", r"\1 \2", f) for f in fr]
            self.assertIn("%s short_c" % exe, fns, text)
            self.assertIn("%s main" % exe, fns, text)
        self.assertEqual(n, self.N, "\n".join(lines))


class LeaderExitsFirst(BpfStacks):
    """A process whose main thread calls pthread_exit() while another thread
    keeps calling (tests/progs/stack_leader.c): the mappings the kernel sent
    belong to the process, not to its main thread.  They used to be dropped
    with the main thread's exit record, and the thread's calls then fell back
    to /proc/PID/maps, which is empty once the main thread is a zombie: each
    call came out as [?].  The main thread's own exit is traced: the
    mappings are then last sent before its exit record (pthread_exit loads
    libgcc_s, which changes them), so nothing sends them again after it."""

    N = 20

    def test_source_after_the_main_thread_exits(self):
        out = os.path.join(self.tmp, "trace")
        r = run_scry(["--backend", "bpf", "-f", "--source", "-e", "trace=getppid,exit", "-o", out,
                      prog("stack_leader"), str(self.N)], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("lost", r.stderr)
        lines = open(out).read().splitlines()
        self.assertIn("+++ exited with 0 +++", "\n".join(lines))
        first = "stack_leader.c:%d in main" % marker_line("stack_leader.c", "LEADER:main */")
        after = "stack_leader.c:%d in after_leader" % marker_line("stack_leader.c", "LEADER:getppid */")
        calls = [l for l in lines if re.match(r"^\d+\s+getppid\(", l)]
        self.assertEqual(len(calls), self.N + 1, "\n".join(lines))
        for i, l in enumerate(calls):
            want = first if i == 0 else after
            src = re.search(r"   \[(?:\S*/)?(\S+:\d+ in \S+)\]$", l)
            self.assertTrue(src and src.group(1) == want, "%s\n(want %s)" % (l, want))


class FramePointers(BpfStacks):
    """--stack-mode fp: the kernel walks the frame pointers at each entry
    (bpf_get_task_stack) instead of copying the stack, and the same
    symbolizer names the addresses (tests/progs/stack_fp.c, FP:<name>).
    Debian's libc keeps no frame pointers, so the chain from a syscall
    wrapper misses the wrapper's caller: its return address at sp is put in
    second (the heuristic scry.1 states)."""

    SRC = "stack_fp.c"
    N = 20

    def lines_of(self, name, opt, extra=()):
        out = os.path.join(self.tmp, "trace")
        r = run_scry(["--backend", "bpf", "--stack-mode", "fp", opt, "-e", "trace=getppid,umask", "-o", out,
                      prog(name), str(self.N)] + list(extra), timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("lost", r.stderr)
        text = open(out).read()
        self.assertIn("+++ exited with 0 +++", text)
        return text.splitlines()

    def want(self):
        return {"getppid": "%s:%d in fp_leaf" % (self.SRC, marker_line(self.SRC, "FP:getppid */")),
                "umask": "%s:%d in fp_mid" % (self.SRC, marker_line(self.SRC, "FP:umask */"))}

    def check_source(self, lines):
        want = self.want()
        seen = {"getppid": 0, "umask": 0}
        for l in lines:
            m = re.match(r"^(?:\d+\s+)?(getppid|umask)\(", l)
            if not m:
                continue
            src = re.search(r"   \[(?:\S*/)?(\S+:\d+ in \S+)\]$", l)
            self.assertTrue(src and src.group(1) == want[m.group(1)], "%s\n(want %s)" % (l, want[m.group(1)]))
            seen[m.group(1)] += 1
        return seen

    def stacks(self, lines):
        """(call, [(object, function)...]) for each call line."""
        out = []
        for i, l in enumerate(lines):
            m = re.match(r"^(?:\d+\s+)?(getppid|umask)\(", l)
            if not m:
                continue
            fr = []
            for f in lines[i + 1:]:
                if not f.startswith(" > "):
                    break
                fm = re.match(r"^ > (\S+?)\((\w*)", f)
                self.assertTrue(fm, f)
                fr.append((fm.group(1), fm.group(2)))
            out.append((m.group(1), fr))
        return out

    def test_source_names_the_lines(self):
        seen = self.check_source(self.lines_of("stack_fp", "--source"))
        self.assertEqual(seen, {"getppid": self.N, "umask": self.N})

    def test_stack_reaches_main(self):
        """-k: the wrapper, the wrapper's caller (the word at sp), then the
        frame-pointer chain through the program's functions to main."""
        exe = os.path.realpath(prog("stack_fp"))
        want = {"getppid": ["getppid", "fp_leaf", "fp_mid", "fp_round", "main"],
                "umask": ["umask", "fp_mid", "fp_round", "main"]}
        st = self.stacks(self.lines_of("stack_fp", "-k"))
        self.assertEqual(len(st), 2 * self.N)
        for call, fr in st:
            self.assertEqual([f for _, f in fr[:len(want[call])]], want[call], fr)
            self.assertTrue(all(o == exe for o, _ in fr[1:len(want[call])]), fr)

    def test_attached(self):
        t = self.spawn([prog("stack_fp"), "0", "loop", "30"], name="fp")
        self.assertTrue(t.wait_out(r"^\d+$", T(5)))
        out = os.path.join(self.tmp, "trace")
        s = self.attach(t.pid, ["--backend", "bpf", "--stack-mode", "fp", "--source", "-e", "trace=getppid,umask",
                                "-o", out])
        want = self.want()

        def seen():
            text = open(out).read() if os.path.exists(out) else ""
            return all("[%s]" % w in text or "/%s]" % w in text for w in want.values())
        ok = wait_for(seen, T(10))
        s.signal(signal.SIGINT)
        s.wait(T(10))
        text = open(out).read()
        self.assertTrue(ok, text[-3000:] + s.err()[-2000:])
        # every line read whole (the last may have been cut by the detach)
        self.check_source(text.splitlines()[:-1])
        self.assertTrue(t.running(), "the target died")

    def test_without_frame_pointers(self):
        """A program built without frame pointers: fp mode gives what it
        can find (the wrapper and, from sp, its caller: --source is still
        right), every call keeps its line, nothing crashes."""
        lines = self.lines_of("stack_fp_nofp", "--source")
        self.assertEqual(self.check_source(lines), {"getppid": self.N, "umask": self.N})
        st = self.stacks(self.lines_of("stack_fp_nofp", "-k"))
        self.assertEqual(len(st), 2 * self.N)
        for call, fr in st:
            self.assertGreaterEqual(len(fr), 2, fr)
            self.assertEqual([f for _, f in fr[:2]], [call, "fp_leaf" if call == "getppid" else "fp_mid"], fr)
