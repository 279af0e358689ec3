"""End-to-end tests of the sinks as one family (docs/ARCHITECTURE.md, "Add
an output format"): every sink names a call the same way, every format is
found by its name, aliases and extensions in one table, and the filters
(-e status=, signal=) are applied once for all of them."""

import csv
import io
import json
import os
import sqlite3

from helpers import ScryTest, prog, run_scry
from test_stats import summary_rows

UNKNOWN = "syscall_0x3e7"   # strace's name for syscall 999


class UnknownCallName(ScryTest):
    """A syscall without a name is strace's "syscall_0x3e7" in every output:
    the trace, the -c table, and the JSON and CSV summaries (once it was
    syscall_999 in the summaries)."""

    def setUp(self):
        super().setUp()
        self.prog = prog("unknown_call")

    def test_text_trace_and_summary(self):
        r = run_scry(["-C", self.prog, "4"])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.startswith(UNKNOWN + "(")]
        self.assertEqual(len(lines), 4, r.stderr)
        rows = summary_rows(r.stderr)
        self.assertIn(UNKNOWN, rows, r.stderr)
        self.assertEqual(rows[UNKNOWN]["Calls"], "4", r.stderr)
        self.assertNotIn("syscall_999", r.stderr)
        self.assertNotIn("syscall_999", rows)

    def test_json_summary_and_calls(self):
        out = os.path.join(self.tmp, "t.json")
        r = run_scry(["-C", "-o", out, self.prog, "2"])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual([c["name"] for c in doc["syscalls"] if c["nr"] == 999], [UNKNOWN] * 2)
        names = {s["nr"]: s["name"] for s in doc["summary"]["syscalls"]}
        self.assertEqual(names[999], UNKNOWN)
        self.assertNotIn("syscall_999", names.values())

    def test_csv_summary(self):
        out = os.path.join(self.tmp, "t.csv")
        r = run_scry(["-c", "-o", out, self.prog, "2"])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertIn((UNKNOWN, "2"), [(x["syscall"], x["calls"]) for x in rows])
        self.assertNotIn("syscall_999", [x["syscall"] for x in rows])


class SummaryIntoTheOutputFile(ScryTest):
    """strace -C -o FILE and -c -o FILE write the summary into FILE (after
    the trace with -C) and nothing to stderr; scry put it on stderr."""

    def test_C_and_c_with_o(self):
        for flag in ("-C", "-c"):
            with self.subTest(flag=flag):
                out = os.path.join(self.tmp, "t%s.txt" % flag)
                r = run_scry([flag, "-o", out, prog("exitcode"), "0"])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNotIn("total", r.stderr)
                with open(out) as f:
                    text = f.read()
                rows = summary_rows(text)
                self.assertEqual(rows.get("execve", {}).get("Calls"), "1", text)
                if flag == "-C":
                    # the trace first, then the summary
                    self.assertLess(text.index("+++ exited with 0 +++"), text.index("Calls"))
