"""The HTML report's data (issue 15 / the report's speed work): the JSON
block `scry report --html` embeds for a fixed synthetic database is the
same, section by section and byte for byte, as the generator's output
before it was rewritten into one pass (tests/e2e/golden/html_data.json,
made by that older generator).  The database has the real schema (taken
from a recording) and rows that exercise the corners: calls whose ids are
not in time order, NULL durations and CPU times, unfinished calls,
threads only the calls name, unknown and negative syscall numbers, a NULL
name, more calls than the page ships, more error groups than it lists,
paths with quotes, bytes that are not UTF-8 and "</script>", stacks for
the flame graph and the source table, and both latency kinds.

SCRY_HTML_GOLDEN_UPDATE=1 rewrites the golden file (only ever from a
generator whose output is known right).
"""

import hashlib
import json
import os
import platform
import random
import sqlite3

from helpers import ScryTest, T, prog, run_scry

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "html_data.json")
GOLDEN_ARCH = "x86_64"          # the syscall classes come from the native table
BLOCK = '<script type="application/json" id="scry-data">'

T0 = 1_790_000_000_000_000_000
NCALLS = 24000                  # more than the 20000 shipped one by one
CALLS = [(0, "read", '3, "hello\\n"..., 4096', "6"), (1, "write", '1, "</script><b>x</b>", 17', "17"),
         (257, "openat", 'AT_FDCWD, "/srv/f%d", O_RDONLY', "3"), (3, "close", "3", "0"),
         (262, "newfstatat", 'AT_FDCWD, "/etc/q\\"uote%d", {st_mode=S_IFREG|0644, ...}, 0', "0"),
         (9, "mmap", "NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0", "0x7f0000000000"),
         (202, "futex", "0x7f00deadbeef, FUTEX_WAIT_PRIVATE, 0, NULL", "0"),
         (44, "sendto", '5, "GET / HTTP/1.1\\r\\n"..., 512, 0, NULL, 0', "512"),
         (61, "wait4", "-1, NULL, 0, NULL", "1234"), (13, "rt_sigaction", "SIGINT, NULL, NULL, 8", "0"),
         (4000, "syscall_4000", "0x1, 0x2", "0"), (-1, None, "", "?")]
ERRNOS = [(2, "ENOENT"), (13, "EACCES"), (11, "EAGAIN"), (4, None)]


def make_db(path, schema_from):
    """The fixed database: scry's own schema (from a recording), emptied,
    then filled from a seeded generator."""
    con = sqlite3.connect(path)
    src = sqlite3.connect(schema_from)
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                              " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"):
        con.execute(sql)
    src.close()
    rnd = random.Random(15)
    span = NCALLS * 10_000
    meta = {"format_version": "2", "command": "golden \xff-free <script>x</script>", "backend": "ptrace",
            "start_ns": T0 + 5000, "end_ns": T0 + span, "lost_events": 3, "scry_version": "0.1.0",
            "host": "h", "kernel": "k", "summary_latency": "wall"}
    con.executemany("INSERT INTO metadata VALUES(?,?)", meta.items())
    pids = [100, 200, 300, 400]
    for i, pid in enumerate(pids):
        con.execute("INSERT INTO processes VALUES(?,?,?,?,?,?,?)",
                    (pid, 100 if i else None, "/usr/bin/w%d" % i, T0 + i, T0 + span - i if i != 2 else None,
                     i if i != 3 else None, "SIGKILL" if i == 3 else None))
        for t in range(3 if pid != 400 else 1):
            con.execute("INSERT INTO threads VALUES(?,?,?,?)", (pid + t, pid, T0, T0 + span))
    # threads 501, 502 appear only in calls (501 with two pids)
    tids = [(p, p + t) for p in pids for t in range(3 if p != 400 else 1)] + [(500, 501), (500, 502), (200, 501)]
    con.executemany("INSERT INTO events(ts_ns,pid,tid,type,value,detail) VALUES(?,?,?,?,?,?)",
                    [(T0 + 7000, 200, 200, "exec", None, "/usr/bin/w1 \"a\""),
                     (T0 + 9000, 100, 100, "fork", 200, None), (T0 + span + 50_000, 300, 300, "exit", 0, None)])
    # frames and stacks: 600 source lines (more than the 500 listed)
    frames, stacks, sf = [], [], []
    for f in range(1, 700):
        frames.append((f, 0x400000 + f, "/usr/bin/w%d" % (f % 3), f * 16, ("fn%d" % (f % 40)) if f % 7 else None,
                       f % 16, "src%d.c" % (f % 11) if f % 5 else None, f if f % 5 else None, 0))
    for s in range(1, 650):
        depth = 1 + s % 4
        stacks.append((s, depth, depth - 1, 0))
        for d in range(depth):
            sf.append((s, d, 1 + (s * 7 + d * 13) % 699 if d < depth - 1 else 1 + (s % 699)))
    con.executemany("INSERT INTO frames VALUES(?,?,?,?,?,?,?,?,?)", frames)
    con.executemany("INSERT INTO stacks VALUES(?,?,?,?)", stacks)
    con.executemany("INSERT INTO stack_frames VALUES(?,?,?)", sf)
    rows = []
    for i in range(NCALLS):
        nr, name, args, ret = CALLS[rnd.randrange(len(CALLS))]
        pid, tid = tids[rnd.randrange(len(tids))]
        # ids not in time order: each call is written when it ends
        ts = T0 + i * 10_000 + rnd.randrange(40_000) - 2000
        dur = int(rnd.lognormvariate(8, 1.8)) if rnd.random() > 0.01 else None
        cpu = (dur // 3 if dur else 0) if rnd.random() > 0.05 else None
        unfinished = 1 if rnd.random() < 0.003 else 0
        err = None
        if rnd.random() < 0.08:
            err = ERRNOS[rnd.randrange(len(ERRNOS))]
            # 1100+ groups: many distinct paths, a few heavy ones
            path = "/e/%d" % (rnd.randrange(1400) if rnd.random() < 0.7 else rnd.randrange(5))
            args = 'AT_FDCWD, "%s", O_RDONLY' % path if rnd.random() < 0.9 else "NULL"
            ret = "-1 %s (x)" % (err[1] or "ERRNO_%d" % err[0])
        text = args.replace("%d", str(i % 300)).encode()
        if i % 997 == 0:
            text += b' "\xff\xfe bad \xc3("'
        if i % 1999 == 0:
            text += b"x" * 600           # longer than the 400 bytes shipped
        stack = 1 + rnd.randrange(649) if rnd.random() < 0.3 else None
        rows.append((ts, pid, tid, nr, name, -err[0] if err else 0, err[0] if err else None,
                     err[1] if err else None, dur, cpu, "{}", text.decode("utf-8", "surrogateescape")
                     if i % 997 else sqlite3.Binary(text), ret, unfinished, stack))
    con.executemany("INSERT INTO syscalls(ts_ns,pid,tid,nr,name,ret,errno,errno_name,duration_ns,cpu_ns,"
                    "args_json,args_text,ret_text,unfinished,stack_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows)
    con.commit()
    con.close()


def digest(v):
    return hashlib.sha256(json.dumps(v, sort_keys=True).encode()).hexdigest()


def normalise(block):
    """The block without its first member (the database's path), as the
    sha256 of its bytes and as its parsed sections, the long lists cut to
    their length, digest and first rows."""
    data = json.loads(block)
    rest = block[block.index(',"header":'):]
    out = {"bytes_sha256": hashlib.sha256(rest.encode()).hexdigest()}
    for k, v in data.items():
        if k == "source":
            continue
        if k == "calls":
            v = dict(v, rows={"n": len(v["rows"]), "sha256": digest(v["rows"]), "head": v["rows"][:8]})
        elif k == "timeline":
            v = dict(v, lanes=[dict(l, cells={"n": len(l["cells"]), "sha256": digest(l["cells"]),
                                              "head": l["cells"][:4]}) for l in v["lanes"]])
        elif k == "summary":
            v = dict(v, rows=[dict(r, hist={"n": len(r["hist"]), "sha256": digest(r["hist"])}) if "hist" in r else r
                              for r in v["rows"]])
        elif k == "errors" and isinstance(v, list) and len(v) > 40:
            v = {"n": len(v), "sha256": digest(v), "head": v[:40]}
        elif k == "sources" and isinstance(v, list) and len(v) > 20:
            v = {"n": len(v), "sha256": digest(v), "head": v[:20]}
        elif k == "flame" and v:
            v = {"sha256": digest(v), "v": v["v"], "t": v["t"]}
        out[k] = v
    return out


class HtmlData(ScryTest):

    def report(self, db):
        page = os.path.join(self.tmp, "p.html")
        r = run_scry(["report", "--html", "-o", page, db], timeout=T(120))
        self.assertEqual(r.returncode, 0, r.stderr)
        html = open(page, encoding="utf-8").read()
        start = html.index(BLOCK) + len(BLOCK)
        return normalise(html[start:html.index("</script>", start)])

    def test_embedded_data_is_unchanged(self):
        if platform.machine() != GOLDEN_ARCH:
            self.skipTest("the golden file is made on %s" % GOLDEN_ARCH)
        rec = os.path.join(self.tmp, "schema.db")
        r = run_scry(["-f", "-o", rec, "--", "/bin/true"], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        db = os.path.join(self.tmp, "g.db")
        make_db(db, rec)
        got = {"wall": self.report(db)}
        con = sqlite3.connect(db)
        con.execute("UPDATE metadata SET value = 'cpu' WHERE key = 'summary_latency'")
        con.commit()
        con.close()
        got["cpu"] = self.report(db)
        # the data covers what it is meant to
        w = got["wall"]
        self.assertEqual(w["calls"]["rows"]["n"], 20000)
        self.assertGreater(w["error_groups"], 1000)
        self.assertEqual(w["errors"]["n"], 1000)
        self.assertEqual(w["sources"]["n"], 500)
        self.assertEqual(len(w["timeline"]["lanes"]), 12)   # 10 threads + 2 only in calls
        if os.environ.get("SCRY_HTML_GOLDEN_UPDATE"):
            with open(GOLDEN, "w") as f:
                json.dump(got, f, indent=1, sort_keys=True)
                f.write("\n")
        with open(GOLDEN) as f:
            want = json.load(f)
        for variant in ("wall", "cpu"):
            # section by section first (the clearer message), then the bytes
            for k in sorted(set(want[variant]) | set(got[variant]), key=lambda k: (k == "bytes_sha256", k)):
                self.assertEqual(got[variant].get(k), want[variant].get(k),
                                 "%s: the page's %r data changed" % (variant, k))

    def test_damaged_database_keeps_the_output_file(self):
        # The page is made in memory and its file opened only then (no
        # quick_check of the whole file first): zero each page of a real
        # trace in turn; scry report --html either writes the very page
        # the whole database gives or exits 1 with one line and leaves
        # the file it was given as it was.
        out = os.path.join(self.tmp, "t.db")
        r = run_scry(["-f", "-o", out, "--", prog("known_calls"), "600", "150", "0", "1"], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            data = f.read()
        page = int.from_bytes(data[16:18], "big")
        page = 65536 if page == 1 else page
        npages = len(data) // page
        self.assertGreater(npages, 20, "the trace is too small to damage page by page")
        whole = os.path.join(self.tmp, "whole.html")
        r = run_scry(["report", "--html", "-o", whole, out])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(whole, "rb") as f:
            want = f.read()
        os.mkdir(os.path.join(self.tmp, "bad"))
        bad = os.path.join(self.tmp, "bad", "t.db")      # the same name on the page
        keep = os.path.join(self.tmp, "keep.html")
        refused = 0
        for i in range(1, npages):
            with open(bad, "wb") as f:
                f.write(data[:i * page] + bytes(page) + data[(i + 1) * page:])
            with open(keep, "w") as f:
                f.write("precious\n")
            r = run_scry(["report", "--html", "-o", keep, bad])
            what = "page %d of %d zeroed: %s" % (i, npages, r.stderr)
            with open(keep, "rb") as f:
                got = f.read()
            if r.returncode == 0:
                self.assertEqual(got, want, what)
            else:
                refused += 1
                self.assertEqual(r.returncode, 1, what)
                self.assertEqual(len(r.stderr.splitlines()), 1, what)
                self.assertIn("'%s' is damaged" % bad, r.stderr)
                self.assertEqual(got, b"precious\n", what)
        # (most pages hold calls: their loss must have been seen)
        self.assertGreater(refused, npages // 2)
