"""The HTML report (issue 15): `scry report --html` and `--format html`,
loaded in headless Chromium through the DevTools protocol (over
--remote-debugging-pipe, standard library only), with the network shut
off: no console error, no request beyond the file, the summary rows equal
`scry report -c`'s, one timeline lane per thread, the process tree, and
hostile names shown as text and never run.  Screenshots are kept under
$SCRY_BUILD/html-screenshots/ (CI keeps them as artifacts).
"""

import base64
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time

from helpers import BUILD, PROGS, SCRY, ScryTest, T, prog, run_scry

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SHOTS = os.path.join(BUILD, "html-screenshots")


class Browser:
    """One headless Chromium, driven over the DevTools pipe (fd 3: our
    commands, fd 4: its answers, each message ending in a NUL)."""

    def __init__(self, tmp):
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp)
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        args = [CHROMIUM, "--headless=new", "--disable-gpu", "--no-sandbox", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,1000", "about:blank"]

        def fds():
            # (through fds above 4 first: a pipe may already be 3 or 4,
            # and dup2 onto itself would keep its close-on-exec flag)
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            a, b = os.dup2(a, 100), os.dup2(b, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)
        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=False, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.send("Browser.close", session=False, wait=False)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=T(10))
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)

    def read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise AssertionError("chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise AssertionError("chromium closed its DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=True, wait=True, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        if not wait:
            return None
        deadline = time.time() + T(timeout)
        while True:
            m = self.read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise AssertionError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + T(timeout)
        for m in self.events:
            if m.get("method") == method:
                return m
        while True:
            m = self.read_message(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m

    def open(self, path):
        t = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.send("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(domain + ".enable")
        self.events = []
        self.send("Page.navigate", {"url": "file://" + os.path.abspath(path)})
        self.wait_event("Page.loadEventFired", timeout=60)

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        if "exceptionDetails" in r:
            raise AssertionError("evaluating %s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def problems(self):
        """Console errors, exceptions, CSP violations, and any request that
        left the file."""
        out = []
        for m in self.events:
            meth, p = m.get("method"), m.get("params", {})
            if meth == "Runtime.exceptionThrown":
                out.append("exception: %s" % json.dumps(p.get("exceptionDetails"))[:500])
            elif meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append("console.%s: %s" % (p["type"], json.dumps(p.get("args"))[:500]))
            elif meth == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append("log: %s" % p["entry"].get("text"))
            elif meth == "Network.requestWillBeSent":
                url = p.get("request", {}).get("url", "")
                if not url.startswith(("file:", "data:", "about:")):
                    out.append("request: %s" % url)
        return out

    def screenshot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path = os.path.join(SHOTS, name + ".png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path


def summary_rows(text):
    """The rows of `scry report -c`'s table, as lists of cells."""
    rows, inside = [], False
    for line in text.splitlines():
        if line.startswith("Syscall"):
            inside = True
            continue
        if not inside or set(line) <= set("-= ") or line.startswith("total"):
            continue
        rows.append(line.split())
    return rows


class HtmlReport(ScryTest):

    def setUp(self):
        super().setUp()
        if not CHROMIUM:
            if os.environ.get("SCRY_E2E_SKIP_MISSING"):
                self.skipTest("chromium is not installed (scripts/install-deps installs it)")
            self.fail("chromium is not installed (scripts/install-deps installs it)")
        self.browser = None
        self.addCleanup(self._close_browser)

    def _close_browser(self):
        if self.browser:
            self.browser.close()

    def load(self, page):
        self.browser = Browser(self.tmp)
        self.browser.open(page)
        self.assertEqual(self.browser.eval("document.documentElement.getAttribute('data-scry-ready')"), "1",
                         "the page's script did not run to its end: %s" % self.browser.problems())
        return self.browser

    def record(self, args, name="t.db"):
        db = os.path.join(self.tmp, name)
        r = run_scry(["-f", "-o", db, "--"] + args, timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        return db

    def test_report_matches_summary_and_has_a_lane_per_thread(self):
        db = self.record([prog("threads8"), os.path.join(self.tmp, "progress"), "1"])
        page = os.path.join(self.tmp, "r.html")
        r = run_scry(["report", "--html", "-o", page, db], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(page).st_mode), 0o600)
        html = open(page, encoding="utf-8").read()
        self.assertIn("Content-Security-Policy", html)
        self.assertIn("script-src 'sha256-", html)
        self.assertNotIn("http://", html.split("<script type=\"application/json\"")[0])
        b = self.load(page)
        self.assertEqual(b.problems(), [])
        # the summary table's rows are scry report -c's, cell for cell
        text = run_scry(["report", "-c", db]).stdout
        want = sorted(summary_rows(text))
        got = b.eval("Array.from(document.querySelectorAll('#summary tbody tr'))"
                     ".map(r => Array.from(r.cells).map(c => c.textContent))")
        self.assertTrue(want, text)
        self.assertEqual(sorted(got), want)
        # one lane per thread the database knows, grouped under its process
        con = sqlite3.connect(db)
        tids = {t for (t,) in con.execute("SELECT tid FROM threads UNION SELECT tid FROM syscalls")}
        pids = {p for (p,) in con.execute("SELECT pid FROM threads UNION SELECT pid FROM syscalls")}
        con.close()
        self.assertGreaterEqual(len(tids), 9)   # main + 8 workers
        lanes = b.eval("Array.from(document.querySelectorAll('#lanes .lane')).map(e => +e.dataset.tid)")
        self.assertEqual(sorted(lanes), sorted(tids))
        groups = b.eval("Array.from(document.querySelectorAll('#lanes .lane-group')).map(e => +e.dataset.pid)")
        self.assertEqual(sorted(groups), sorted(pids))
        self.assertGreater(b.eval("document.getElementById('timeline-canvas').height"), 0)
        # the filter box narrows the table
        n = b.eval("(() => { const f = document.getElementById('summary-filter'); f.value = 'nanosleep';"
                   " f.dispatchEvent(new Event('input'));"
                   " return document.querySelectorAll('#summary tbody tr').length; })()")
        self.assertEqual(n, len([r for r in want if "nanosleep" in r[0]]))
        self.assertTrue(os.path.getsize(b.screenshot("report-threads8")) > 0)

    def test_live_format_html_has_the_process_tree(self):
        page = os.path.join(self.tmp, "live.html")
        env = dict(os.environ, TMPDIR=self.tmp)
        r = run_scry(["-f", "--format", "html", "-o", page, "--", prog("forker"), "many"], timeout=T(60), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        # the temporary database is gone
        self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith("scry-html-")], [])
        b = self.load(page)
        self.assertEqual(b.problems(), [])
        procs = b.eval("Array.from(document.querySelectorAll('#process-table tbody tr'))"
                       ".map(r => [r.cells[0].textContent, r.cells[8].textContent])")
        self.assertEqual(len(procs), 21)      # forker and its 20 children
        statuses = sorted(s for _, s in procs)
        self.assertEqual(statuses, sorted(["exit %d" % i for i in range(20)] + ["exit 0"]))
        self.assertEqual(b.eval("document.querySelector('#header').textContent.includes('ptrace')"), True)
        b.screenshot("live-forker")

    def test_hostile_names_stay_text(self):
        names = [b"<script>window.__pwned=1</script>",
                 b"\"><img src=x onerror=\"window.__pwned=2\">",
                 b"';window.__pwned=3;//",
                 b"</script><script>window.__pwned=4</script>",
                 b"bad\xff\xfeutf8\xc3("]
        paths = [os.path.join(self.tmp.encode(), b"no-" + n.replace(b"/", b"_")) for n in names]
        db = os.path.join(self.tmp, "h.db")
        r = subprocess.run([SCRY.encode(), b"-f", b"-o", db.encode(), b"--", b"/bin/cat"] + paths,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=T(60))
        self.assertEqual(r.returncode, 1, r.stderr)     # cat: every file is missing
        page = os.path.join(self.tmp, "h.html")
        r = run_scry(["report", "--html", "-o", page, db])
        self.assertEqual(r.returncode, 0, r.stderr)
        b = self.load(page)
        self.assertEqual(b.eval("typeof window.__pwned"), "undefined")
        self.assertEqual(b.eval("document.querySelectorAll('img').length"), 0)
        self.assertEqual(b.eval("document.querySelectorAll('script').length"), 2)
        self.assertEqual(b.problems(), [])
        # shown as text: the paths in the errors table as strace writes
        # them (quotes escaped, bad bytes in octal) ...
        errs = b.eval("Array.from(document.querySelectorAll('#error-table tbody tr')).map(r => r.cells[2].textContent)")
        for n in names[:4]:
            shown = n.replace(b"/", b"_").replace(b'"', b'\\"').decode()
            self.assertTrue(any(e.endswith("no-" + shown) for e in errs), (shown, errs))
        self.assertTrue(any(e.endswith("no-bad\\377\\376utf8\\303(") for e in errs), errs)
        # ... and the raw command line in the header, each byte that is not
        # UTF-8 as \xNN
        header = b.eval("document.getElementById('header').textContent")
        self.assertIn("<script>window.__pwned=1<_script>", header)
        self.assertIn("no-bad\\xff\\xfeutf8\\xc3(", header)
        b.screenshot("hostile")

    def test_output_that_is_not_a_regular_file_is_refused(self):
        db = self.record(["/bin/true"])
        d = os.path.join(self.tmp, "dir.html")
        os.mkdir(d)
        fifo = os.path.join(self.tmp, "fifo.html")
        os.mkfifo(fifo)
        for path in (d, fifo):
            r = run_scry(["report", "--html", "-o", path, db])
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertIn("give a regular file or a new path", r.stderr)
        self.assertTrue(os.path.isdir(d))
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        r = run_scry(["report", "--html", db])
        self.assertEqual(r.returncode, 2)
        self.assertIn("-o FILE.html", r.stderr)
        r = run_scry(["--format", "html", "--", "/bin/true"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("-o FILE.html", r.stderr)

    def test_stacks_make_a_flame_graph_and_the_source_table(self):
        db = os.path.join(self.tmp, "s.db")
        r = run_scry(["-f", "--source", "-o", db, "--", os.path.join(PROGS, "stack_main")], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        page = os.path.join(self.tmp, "s.html")
        r = run_scry(["report", "--html", "-o", page, db], timeout=T(60))
        self.assertEqual(r.returncode, 0, r.stderr)
        b = self.load(page)
        self.assertEqual(b.problems(), [])
        con = sqlite3.connect(db)
        calls = con.execute("SELECT count(*) FROM syscalls WHERE stack_id IS NOT NULL AND unfinished = 0").fetchone()[0]
        sources = con.execute("SELECT count(*) FROM summary_by_source").fetchone()[0]
        con.close()
        self.assertGreater(calls, 0)
        # the root frame covers every call that has a stack
        root = b.eval("document.querySelector('#flame rect title').textContent")
        self.assertTrue(root.startswith("all\n%d calls" % calls), root)
        self.assertGreater(b.eval("document.querySelectorAll('#flame rect').length"), 3)
        self.assertEqual(b.eval("document.querySelectorAll('#source-table tbody tr').length"), min(sources, 500))
        b.screenshot("stacks")
