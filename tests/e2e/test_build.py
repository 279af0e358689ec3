"""The build itself: objects are rebuilt when the flags they were built
with change (a tree built before -fvisibility=hidden kept exporting private
symbols until `make clean`)."""

import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class FlagChanges(unittest.TestCase):
    def make(self, b, *args):
        return subprocess.run(["make", "-s", "B=" + b] + list(args), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_an_object_is_rebuilt_when_the_flags_change(self):
        b = tempfile.mkdtemp(prefix="scry-build-")
        try:
            obj = os.path.join(b, "obj", "src", "util", "strbuf.o")
            r = self.make(b, obj)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(obj))
            # built with these flags: up to date
            self.assertEqual(self.make(b, "-q", obj).returncode, 0)
            # other flags: out of date, and rebuilt with them
            self.assertEqual(self.make(b, "-q", "CFLAGS=-O1 -g", obj).returncode, 1)
            r = self.make(b, "CFLAGS=-O1 -g", obj)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.make(b, "-q", "CFLAGS=-O1 -g", obj).returncode, 0)
            with open(os.path.join(b, "build-flags")) as f:
                self.assertIn("-O1", f.read())
        finally:
            shutil.rmtree(b, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()


class ManPage(unittest.TestCase):
    """Every long option of every command has its entry in docs/scry.1
    (19 of the main command's were only in docs/STRACE.md once, and two
    of scry profile's nowhere)."""

    def test_every_long_option_is_in_the_man_page(self):
        import re
        with open(os.path.join(ROOT, "docs", "scry.1")) as f:
            man = f.read()
        missing = []
        for name in ("options.c", "profile.c", "serve.c", "top.c", "report.c"):
            with open(os.path.join(ROOT, "src", "cli", name)) as f:
                src = f.read()
            opts = set(re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument', src))
            self.assertTrue(opts or name != "options.c", "no option table found in " + name)
            for o in sorted(opts):
                if ("\\-\\-" + o.replace("-", "\\-")) not in man:
                    missing.append("%s: --%s" % (name, o))
        self.assertEqual(missing, [])
