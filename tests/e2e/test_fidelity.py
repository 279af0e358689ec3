"""The fidelity floor: the share of strace's output lines that scry
reproduces exactly over bench/fidelity's corpus (the goal is 95 %)."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from helpers import ScryTest, T, SCRY

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Raise this as decoders improve; never lower it to make a change pass.
FLOOR_PERCENT = 98.0


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class Fidelity(ScryTest):

    def test_floor(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "f.json")
            env = dict(os.environ, SCRY_BIN=SCRY)
            r = subprocess.run([os.path.join(ROOT, "bench", "fidelity"), "--json", out],
                               env=env, capture_output=True, text=True, timeout=T(120))
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                res = json.load(f)
        self.assertGreater(res["total"], 1000, "the corpus did not run: %s" % r.stdout)
        self.assertGreaterEqual(res["percent"], FLOOR_PERCENT, r.stdout)
