"""Issue 21's option remainders, compared line by line with strace on
tests/progs/longtail_c.c: -y shows a memfd (and any unlinked file) as
"3</memfd:x>(deleted)", and -v shows getdents64's d_name in full whatever
-s says."""

import os
import re
import shutil
import tempfile
import unittest

from helpers import ScryTest, T, prog, run, run_scry

CALLS = "memfd_create,write,close,getdents64"

SUBS = [
    (re.compile(r"0x[0-9a-f]{5,}"), "ADDR"),
    (re.compile(r"d_ino=\d+"), "d_ino=N"),
    (re.compile(r"d_off=\d+"), "d_off=N"),
    (re.compile(r"<\d+\.\d+>$"), "<T>"),
    (re.compile(r"\) +="), ") ="),
]


def normalise(text):
    out = []
    for line in text.splitlines():
        if line.startswith(("+++", "scry: ")):
            continue
        for rx, rep in SUBS:
            line = rx.sub(rep, line)
        out.append(line)
    return out


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class LongtailC(ScryTest):
    maxDiff = None

    def compare(self, opts):
        # the same directory for both (its name shows under -y), emptied
        with tempfile.TemporaryDirectory() as d:
            argv = [prog("longtail_c"), d]
            s = run(["strace"] + opts + ["-e", "trace=" + CALLS] + argv, timeout=T(20))
            for name in os.listdir(d):
                os.unlink(os.path.join(d, name))
            r = run_scry(opts + ["-e", "trace=" + CALLS, "--"] + argv, timeout=T(20))
        self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
        want, have = normalise(s.stderr), normalise(r.stderr)
        self.assertGreater(len(want), 4, "strace printed too little:\n" + s.stderr)
        self.assertEqual(have, want)
        return have

    def test_memfd_deleted(self):
        for opts in (["-y"], ["-yy"]):
            with self.subTest(opts=opts):
                have = self.compare(opts)
                self.assertIn("close(3</memfd:x>(deleted)) = 0", have)

    def test_getdents_names_in_full(self):
        for opts in (["-v", "-s", "8"], ["-v"], ["-s", "8"]):
            with self.subTest(opts=opts):
                have = "\n".join(self.compare(opts))
                if "-v" in opts:
                    self.assertIn('d_name="a_directory_entry_name_longer_than_the_limit"', have)


if __name__ == "__main__":
    unittest.main()
