"""Documents that survive interruptions, databases that do not lie.

- Interrupted documents: scry traces a busy program (attached, or launched;
  ptrace, or bpf when available) into each structured format, and gets
  SIGINT, SIGTERM or SIGHUP at a random moment; every file must be whole
  afterwards (DESIGN.md, rule 3): JSON and Chrome documents parse, every
  JSON Lines line parses and the last is the end line, CSV has whole rows of
  one width, SQLite passes PRAGMA integrity_check.
- Damaged databases: one page of a real trace database is zeroed at a
  random place; `scry report -c` must print the undamaged database's
  summary exactly, or exit 1 with one line on stderr; never crash, never
  exit 0 with other totals."""

import csv
import json
import os
import signal
import sqlite3
import time
import unittest

from stress import RNG, StressTest, T, bpf_why_not, helpers, n
from helpers import prog

FORMATS = ["json", "jsonl", "csv", "chrome", "sqlite"]
CSV_HEADER = ["ts", "pid", "tid", "syscall", "arguments", "result", "errno", "duration_us"]


def check_json(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    assert isinstance(doc.get("syscalls"), list), "no syscalls array"
    assert "lost_events" in doc, "no lost_events: the document was not closed by scry"


def check_jsonl(path):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    assert lines[-1] == b"", "the last line is cut: %r" % lines[-1][-200:]
    rows = []
    for i, line in enumerate(lines[:-1]):
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            raise AssertionError("line %d is not JSON (%s): %r" % (i + 1, e, line[:300]))
    assert rows and rows[0].get("type") == "header", "no header line"
    assert rows[-1].get("type") == "end", "no end line: %r" % rows[-1]


def check_csv(path):
    with open(path, newline="") as f:
        text = f.read()
    assert text.endswith("\n"), "the last row is cut: %r" % text[-200:]
    rows = list(csv.reader(text.splitlines(True)))
    assert rows and rows[0] == CSV_HEADER, "header %r" % (rows[:1],)
    for i, r in enumerate(rows):
        assert len(r) == len(CSV_HEADER), "row %d has %d cells: %r" % (i + 1, len(r), r)


def check_chrome(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    assert isinstance(doc.get("traceEvents"), list), "no traceEvents array"


def check_sqlite(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        ok = db.execute("PRAGMA integrity_check").fetchall()
        assert ok == [("ok",)], "integrity_check: %r" % ok[:5]
        db.execute("SELECT count(*) FROM syscalls").fetchone()
    finally:
        db.close()


CHECKS = {"json": check_json, "jsonl": check_jsonl, "csv": check_csv,
          "chrome": check_chrome, "sqlite": check_sqlite}


class InterruptedDocuments(StressTest):
    limit = 200

    def one(self, fmt, i):
        backends = ["ptrace"] + ([] if bpf_why_not() else ["bpf"])
        backend = RNG.choice(backends)
        mode = RNG.choice(["attach", "launch"])
        sig = RNG.choice([signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
        delay = RNG.uniform(0, 0.4)
        what = "%s #%d: %s, %s, %s after %.3f s" % (fmt, i, backend, mode, sig.name, delay)
        out = os.path.join(self.tmp, "doc%d.%s" % (i, fmt))
        args = ["--backend", backend, "--format", fmt, "-o", out]
        progress = os.path.join(self.tmp, "launched%d.progress" % i)
        if mode == "attach":
            t = self.target("busy", lifetime=60)
            s = self.scry_bg(args + ["-p", str(t.pid)])
            if not s.wait_err(r"Attached successfully", T(15)):
                s.kill()
                self.fail("%s: scry did not attach: %s" % (what, s.err()[-2000:]))
        else:
            s = self.scry_bg(args + ["--", prog("busy"), progress, "20"])
            m = s.wait_out(r"^(\d+)$", T(10))
            self.assertTrue(m, "%s: the launched program did not start: %s" % (what, s.err()[-2000:]))
            self.addCleanup(helpers.kill_quietly, int(m.group(1)))
        time.sleep(delay)
        s.signal(sig)
        rc = s.wait(T(15))
        if rc is None:
            s.kill()
            self.fail("%s: scry did not end: %s" % (what, s.err()[-2000:]))
        helpers.check_sanitizer(s.err(), what)
        self.assertGreaterEqual(rc, 0, "%s: scry was killed (%d): %s" % (what, rc, s.err()[-2000:]))
        try:
            CHECKS[fmt](out)
        except (AssertionError, ValueError, OSError, sqlite3.Error) as e:
            self.fail("%s: the file is not whole: %s (rc %d; stderr: %s)"
                      % (what, e, rc, s.err()[-1000:]))
        if mode == "attach":
            self.assertRunningFree(t)

    def test_every_format(self):
        rounds = n(8)
        order = [f for f in FORMATS for _ in range(rounds)]
        RNG.shuffle(order)
        for i, fmt in enumerate(order):
            self.one(fmt, i)


def sqlite_page_size(data):
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


class DamagedDatabases(StressTest):
    """Expected to fail until `scry report` checks the database's
    integrity (issue 19): today it reads what it can of a damaged
    database and prints other totals with exit status 0."""
    limit = 150

    def test_zeroed_page(self):
        db = os.path.join(self.tmp, "trace.db")
        p = self.scry_fg(["-f", "-o", db, "--", prog("known_calls"), "3000", "500", "3", "4"], T(60))
        self.assertEqual(p.rc, 0, p.err()[-2000:])
        good = self.scry_fg(["report", "-c", db], T(30))
        self.assertEqual(good.rc, 0, good.err())
        self.assertIn("getppid", good.out())
        with open(db, "rb") as f:
            data = f.read()
        page = sqlite_page_size(data)
        pages = len(data) // page
        self.assertGreater(pages, 50, "a database of %d pages is too small to damage" % pages)
        bad = []
        tries = n(30)
        for k in range(tries):
            i = RNG.randrange(pages)
            broken = bytearray(data)
            broken[i * page:(i + 1) * page] = bytes(page)
            path = os.path.join(self.tmp, "damaged%d.db" % k)
            with open(path, "wb") as f:
                f.write(broken)
            r = self.scry_fg(["report", "-c", path], T(30), name="report")
            os.unlink(path)
            lines = [l for l in r.err().splitlines() if l.strip()]
            if r.rc == 0 and r.out() == good.out():
                continue                  # the page held nothing the summary reads
            if r.rc == 1 and len(lines) == 1:
                continue                  # the damage was found and said
            bad.append("page %d of %d: exit %r, %s, stderr %r"
                       % (i, pages, r.rc,
                          "the same summary" if r.out() == good.out() else "another summary",
                          r.err()[-300:]))
        if bad:
            self.fail("%d of %d damaged databases gave no error and other totals, "
                      "or crashed:\n%s" % (len(bad), tries, "\n".join(bad)))


if __name__ == "__main__":
    unittest.main()
