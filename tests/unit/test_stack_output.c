/*
 * Unit tests of the consumers of stacks (issue 13): how every output shows
 * a call's stack (src/output/stackfmt.c, text.c, json.c, csv.c, chrome.c,
 * sqlite.c), and the summaries by call site and by function
 * (src/stats/sites.c, src/output/summary_sink.c).  The stacks are built by
 * hand here, in the shape include/scry/stack.h gives; tests/e2e/
 * test_stack.py checks the same against the unwinder on real programs.
 *
 * Documents are read back by python3 (json, csv, sqlite3 modules).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "output/encode.h"
#include "output/formats.h"
#include "output/stackfmt.h"
#include "output/summary_sink.h"
#include "output/text.h"
#include "stats/sites.h"

/* fsync() in libc, called from flush_logs() at logger.c:89, from main();
 * the libc frame is RUNTIME, so --source names flush_logs. */
static const struct scry_frame FR_LOG[] = {
	{ 0x7f00000fec4a, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xfec4a, "fsync", 0x3a, NULL, 0,
	  SCRY_FRAME_RUNTIME | SCRY_FRAME_NO_DEBUGINFO },
	{ 0x5500000011cd, "/opt/svc/logger", 0x11cd, "flush_logs", 0xe, "logger.c", 89, 0 },
	{ 0x5500000011fa, "/opt/svc/logger", 0x11fa, "main", 0x2a, "logger.c", 120, 0 },
};
static const struct scry_stack ST_LOG = { 3, FR_LOG, 1, 0 };

/* the same function reached from another line */
static const struct scry_frame FR_LOG2[] = {
	{ 0x7f00000fec4a, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xfec4a, "fsync", 0x3a, NULL, 0,
	  SCRY_FRAME_RUNTIME | SCRY_FRAME_NO_DEBUGINFO },
	{ 0x550000001200, "/opt/svc/logger", 0x1200, "flush_logs", 0x41, "logger.c", 95, 0 },
	{ 0x5500000011fa, "/opt/svc/logger", 0x11fa, "main", 0x2a, "logger.c", 120, 0 },
};
static const struct scry_stack ST_LOG2 = { 3, FR_LOG2, 1, 0 };

/* stripped: symbols from .dynsym only, no lines; an unknown (JIT) frame;
 * an inlined frame that strace would not show */
static const struct scry_frame FR_STRIPPED[] = {
	{ 0x7f00000f838f, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xf838f, "__write", 0x4f, NULL, 0,
	  SCRY_FRAME_RUNTIME },
	{ 0x55000000120f, "/opt/svc/stripped", 0x120f, NULL, 0, NULL, 0, SCRY_FRAME_NO_DEBUGINFO },
	{ 0x7e0000001000, NULL, 0, NULL, 0, NULL, 0, SCRY_FRAME_UNKNOWN },
	{ 0x550000001300, "/opt/svc/stripped", 0x1300, "helper", 0x10, NULL, 0,
	  SCRY_FRAME_INLINED | SCRY_FRAME_NO_DEBUGINFO },
	{ 0x550000001300, "/opt/svc/stripped", 0x1300, "outer", 0x30, NULL, 0, SCRY_FRAME_NO_DEBUGINFO },
};
static const struct scry_stack ST_STRIPPED = { 5, FR_STRIPPED, 1, 2 };

/* recursion: rec() three times, then main */
static const struct scry_frame FR_REC[] = {
	{ 0x7f00000f82ec, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0xf82ec, "read", 0x4c, NULL, 0, SCRY_FRAME_RUNTIME },
	{ 0x550000001100, "/opt/r", 0x1100, "rec", 0x20, "r.c", 7, 0 },
	{ 0x550000001110, "/opt/r", 0x1110, "rec", 0x30, "r.c", 9, 0 },
	{ 0x550000001110, "/opt/r", 0x1110, "rec", 0x30, "r.c", 9, 0 },
	{ 0x550000001200, "/opt/r", 0x1200, "main", 0x10, "r.c", 20, 0 },
};
static const struct scry_stack ST_REC = { 5, FR_REC, 1, 0 };

static const struct scry_stack ST_NONE = { 1, FR_LOG, -1, 2 };

static char *label(const struct scry_stack *st)
{
	struct strbuf b = STRBUF_INIT;
	stack_add_source_label(&b, st);
	return b.buf;
}

static void test_source_labels(void **state)
{
	char *s;
	s = label(&ST_LOG);
	assert_string_equal(s, "logger.c:89 in flush_logs");
	free(s);
	/* no line anywhere: the object and function of the frame named */
	s = label(&ST_STRIPPED);
	assert_string_equal(s, "/opt/svc/stripped+0x120f");
	free(s);
	struct scry_stack st = ST_STRIPPED;
	st.source = 0;
	s = label(&st);
	assert_string_equal(s, "/usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x4f)");
	free(s);
	st.source = 2;   /* unknown object, no line */
	s = label(&st);
	assert_string_equal(s, "?");
	free(s);
	s = label(&ST_NONE);
	assert_string_equal(s, "?");
	free(s);
	s = label(NULL);
	assert_string_equal(s, "?");
	free(s);
	st.source = 99;  /* out of range: never read */
	s = label(&st);
	assert_string_equal(s, "?");
	free(s);
}

static void test_frames_text(void **state)
{
	struct strbuf b = STRBUF_INIT;
	stack_add_frames_text(&b, &ST_LOG);
	assert_string_equal(b.buf,
		" > /usr/lib/x86_64-linux-gnu/libc.so.6(fsync+0x3a) [0xfec4a]\n"
		" > /opt/svc/logger(flush_logs+0xe) [0x11cd]\n"
		" > /opt/svc/logger(main+0x2a) [0x11fa]\n");
	strbuf_reset(&b);
	/* strace: "obj() [0xoff]" without a symbol; the inlined frame is
	 * left out, its physical frame shown */
	stack_add_frames_text(&b, &ST_STRIPPED);
	assert_string_equal(b.buf,
		" > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x4f) [0xf838f]\n"
		" > /opt/svc/stripped() [0x120f]\n"
		" > ? [0x7e0000001000]\n"
		" > /opt/svc/stripped(outer+0x30) [0x1300]\n");
	strbuf_reset(&b);
	stack_add_frames_text(&b, NULL);
	assert_int_equal(b.len, 0);
	strbuf_release(&b);
}

static void test_json_stack(void **state)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addstr(&b, "{\"x\":1");
	json_add_stack(&b, &ST_STRIPPED);
	strbuf_addch(&b, '}');
	assert_true(json_valid(b.buf, b.len));
	assert_non_null(strstr(b.buf, "\"stack_truncated\":\"error\""));
	assert_non_null(strstr(b.buf, "\"source\":{\"object\":\"/opt/svc/stripped\",\"object_offset\":4623,"
				      "\"function\":null,\"offset\":0}"));
	assert_non_null(strstr(b.buf, "{\"addr\":138538465103872,\"object\":null,\"object_offset\":0,"
				      "\"function\":null,\"offset\":0,\"file\":null,\"line\":null,\"unknown\":true}"));
	strbuf_reset(&b);
	strbuf_addstr(&b, "{\"x\":1");
	json_add_stack(&b, &ST_LOG);
	strbuf_addch(&b, '}');
	assert_true(json_valid(b.buf, b.len));
	assert_non_null(strstr(b.buf, "\"source\":{\"file\":\"logger.c\",\"line\":89,\"function\":\"flush_logs\"}"));
	strbuf_reset(&b);
	json_add_stack(&b, NULL);
	assert_int_equal(b.len, 0);
	strbuf_release(&b);
}

static struct scry_event call(long nr, const char *name, const struct scry_stack *st, uint64_t dur, int tid)
{
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_CALL_EXIT;
	ev.pid = 100;
	ev.tid = tid;
	ev.ntracees = 1;
	ev.ts_ns = 1700000000000002000ull;
	ev.u.call.nr = nr;
	ev.u.call.name = name;
	ev.u.call.t_enter_ns = 1700000000000001000ull;
	ev.u.call.t_exit_ns = 1700000000000001000ull + dur;
	ev.u.call.duration_ns = dur;
	ev.u.call.ret_text = "0";
	ev.u.call.stack = st;
	return ev;
}

static char *print_sites(const struct scry_sites *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct scry_summary_opts so;
	memset(&so, 0, sizeof(so));
	so.seconds = 1;
	assert_int_equal(scry_sites_print_text(s, f, &so), 0);
	fclose(f);
	return buf;
}

/* --source -c: rows by (syscall, line), sorted by time, totals whole */
static void test_summary_by_site(void **state)
{
	struct scry_summary_sink ss;
	scry_summary_sink_init(&ss, 0);
	assert_int_equal(scry_summary_sink_by_site(&ss, 1, 0), 0);
	struct scry_sink sink;
	scry_summary_sink_as_sink(&ss, &sink);
	struct scry_event ev = call(74, "fsync", &ST_LOG, 1000, 100);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(74, "fsync", &ST_LOG2, 50000, 100);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(0, "read", &ST_LOG, 10, 100);   /* same line, another call */
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(0, "read", NULL, 10, 100);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(ss.sites->n, 4);
	assert_int_equal(ss.sites->calls, 6);
	char *t = print_sites(ss.sites);
	const char *l95 = strstr(t, "logger.c:95 in flush_logs");
	const char *l89 = strstr(t, "logger.c:89 in flush_logs");
	assert_non_null(l95);
	assert_non_null(l89);
	assert_true(l95 < l89);   /* 50 µs before 3 µs */
	assert_non_null(strstr(t, "  ?\n"));
	assert_non_null(strstr(t, "total                  6"));
	assert_null(strstr(t, "other call sites"));
	free(t);
	scry_summary_sink_reset(&ss);
	assert_int_equal(ss.sites->n, 0);
	scry_summary_sink_release(&ss);
	scry_summary_sink_release(&ss);   /* (the filter stage's free() and main's) */
}

/* past the cap, new sites go to one row, and the table says so */
static void test_sites_cap(void **state)
{
	struct scry_sites s;
	scry_sites_init(&s, SCRY_SITES_CALLS, 4);
	char lbl[32];
	for (int i = 0; i < 10; i++) {
		snprintf(lbl, sizeof(lbl), "f.c:%d in f", i);
		scry_sites_count_call(&s, 100, 0);
		assert_int_equal(scry_sites_add(&s, 1, lbl, NULL, 100, 0), 0);
	}
	assert_int_equal(scry_sites_add(&s, 1, "f.c:0 in f", NULL, 100, 1), 0);   /* kept its row */
	assert_true(s.overflow);
	assert_int_equal(s.n, 4);
	uint64_t sum = 0;
	for (size_t i = 0; i < s.n; i++)
		sum += s.rows[i].r.calls;
	assert_int_equal(sum, 11);
	char *t = print_sites(&s);
	assert_non_null(strstr(t, "(other call sites)"));
	assert_non_null(strstr(t, "more than 3 call sites"));
	free(t);
	scry_sites_release(&s);
}

/* --by-function: inclusive, each function once per call (recursion) */
static void test_by_function(void **state)
{
	struct scry_summary_sink ss;
	scry_summary_sink_init(&ss, 0);
	assert_int_equal(scry_summary_sink_by_site(&ss, 0, 1), 0);
	struct scry_sink sink;
	scry_summary_sink_as_sink(&ss, &sink);
	struct scry_event ev = call(0, "read", &ST_REC, 1000, 100);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(74, "fsync", &ST_LOG, 3000, 100);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	struct scry_sites *fs = ss.functions;
	assert_int_equal(fs->calls, 2);
	assert_int_equal(fs->total_ns, 4000);
	int found_rec = 0, found_main = 0;
	for (size_t i = 0; i < fs->n; i++) {
		const struct scry_site_row *r = &fs->rows[i];
		if (!strcmp(r->label, "rec")) {
			found_rec = 1;
			assert_int_equal(r->r.calls, 1);
			assert_int_equal(r->r.total_ns, 1000);
		}
		/* main of /opt/r and main of /opt/svc/logger are two rows */
		if (!strcmp(r->label, "main") && !strcmp(r->extra, "/opt/svc/logger")) {
			found_main = 1;
			assert_int_equal(r->r.calls, 1);
			assert_int_equal(r->r.total_ns, 3000);
		}
	}
	assert_true(found_rec && found_main);
	assert_int_equal(fs->n, 6);   /* read, rec, main, fsync, flush_logs, main */
	char *t = print_sites(fs);
	assert_non_null(strstr(t, "Function"));
	assert_non_null(strstr(t, "75.00"));    /* flush_logs: 3000 of 4000 */
	free(t);
	scry_summary_sink_release(&ss);
}

/* ---- the formats ---- */

static int tmpfd(void)
{
	int fd = memfd_create("scry-test", 0);
	assert_true(fd >= 0);
	return fd;
}

static char *slurp(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *buf = malloc((size_t)end + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
	buf[end] = '\0';
	return buf;
}

static int python_check(int fd, const char *path, const char *script)
{
	pid_t pid = fork();
	if (pid == 0) {
		char p2[64];
		if (!path) {
			snprintf(p2, sizeof(p2), "/proc/%d/fd/%d", (int)getppid(), fd);
			path = p2;
		}
		execlp("python3", "python3", "-c", script, path, (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		fprintf(stderr, "python3 not found: check skipped\n");
		return 0;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static struct output *open_fmt(const char *fmt, int fd, const char *path)
{
	struct output_opts oo = OUTPUT_OPTS_INIT;
	oo.fd = fd;
	oo.path = path;
	oo.stacks = 1;
	struct output *o = NULL;
	char err[256];
	int r = output_open(&o, output_format_find(fmt), &oo, err, sizeof(err));
	if (r == -ENOTSUP)
		return NULL;
	assert_int_equal(r, 0);
	return o;
}

static void feed(struct output *o)
{
	struct scry_sink sink;
	output_as_sink(o, &sink);
	struct scry_event ev = call(74, "fsync", &ST_LOG, 1000, 101);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(1, "write", &ST_STRIPPED, 1000, 101);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(74, "fsync", &ST_LOG2, 1000, 101);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev = call(0, "read", NULL, 1000, 101);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
}

static void test_jsonl_stack(void **state)
{
	int fd = tmpfd();
	struct output *o = open_fmt("jsonl", fd, NULL);
	feed(o);
	assert_int_equal(output_finish(o, NULL, NULL, 0), 0);
	output_free(o);
	assert_int_equal(python_check(fd, NULL,
		"import json,sys\n"
		"L=[json.loads(l) for l in open(sys.argv[1])]\n"
		"S=[x for x in L if x['type']=='syscall']\n"
		"assert S[0]['source']=={'file':'logger.c','line':89,'function':'flush_logs'}, S[0]\n"
		"f=S[0]['stack'][1]\n"
		"assert (f['object'],f['function'],f['offset'],f['file'],f['line'],f['object_offset'])=="
		"('/opt/svc/logger','flush_logs',14,'logger.c',89,0x11cd), f\n"
		"assert S[0]['stack'][0]['runtime'] is True and len(S[0]['stack'])==3\n"
		"assert S[2]['source']=={'object':'/opt/svc/stripped','object_offset':0x120f,'function':None,'offset':0}\n"
		"assert S[2]['stack_truncated']=='error'\n"
		"assert 'stack' not in S[4] and 'source' not in S[4]\n"), 0);
	close(fd);
}

static void test_csv_source(void **state)
{
	int fd = tmpfd();
	struct output *o = open_fmt("csv", fd, NULL);
	feed(o);
	assert_int_equal(output_finish(o, NULL, NULL, 3), 0);
	output_free(o);
	assert_int_equal(python_check(fd, NULL,
		"import csv,sys\n"
		"R=list(csv.reader(open(sys.argv[1],newline='')))\n"
		"assert R[0]==['ts','pid','tid','syscall','arguments','result','errno','duration_us','source'], R[0]\n"
		"assert all(len(r)==9 for r in R), R\n"
		"assert R[1][8]=='logger.c:89 in flush_logs' and R[3][8]=='/opt/svc/stripped+0x120f', R\n"
		"assert R[4][8]=='logger.c:95 in flush_logs' and R[5][8]=='' and R[6][3]=='<lost>'\n"), 0);
	close(fd);
}

static void test_chrome_source(void **state)
{
	int fd = tmpfd();
	struct output *o = open_fmt("chrome", fd, NULL);
	feed(o);
	assert_int_equal(output_finish(o, NULL, NULL, 0), 0);
	output_free(o);
	assert_int_equal(python_check(fd, NULL,
		"import json,sys\n"
		"d=json.load(open(sys.argv[1]))\n"
		"X=[e for e in d['traceEvents'] if e.get('cat')=='syscall']\n"
		"assert X[0]['args']['source']=='logger.c:89 in flush_logs', X[0]\n"
		"assert X[0]['args']['stack'][1]=='/opt/svc/logger(flush_logs+0xe) [0x11cd]'\n"
		"assert 'source' not in X[4]['args']\n"), 0);
	close(fd);
}

/* frames and stacks once each; a stack_id per call; the view by line */
static void test_sqlite_stacks(void **state)
{
	char dir[] = "/tmp/scry-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/t.db", dir);
	struct output *o = open_fmt("sqlite", -1, path);
	if (!o) {
		rmdir(dir);
		skip();
	}
	feed(o);
	assert_int_equal(output_finish(o, NULL, NULL, 0), 0);
	output_free(o);
	assert_int_equal(python_check(-1, path,
		"import sqlite3,sys\n"
		"db=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True)\n"
		"ids=[r[0] for r in db.execute('select stack_id from syscalls order by id')]\n"
		"assert ids[0]==ids[1] and ids[0] is not None and len(set(ids[:4]))==3 and ids[4] is None, ids\n"
		/* FR_LOG and FR_LOG2 share fsync and main: 3+1 frames, +5 of FR_STRIPPED */
		"assert db.execute('select count(*) from frames').fetchone()[0]==9\n"
		"assert db.execute('select count(*) from stacks').fetchone()[0]==3\n"
		"assert db.execute('select count(*) from stack_frames').fetchone()[0]==11\n"
		"r=db.execute(\"select file,line,function from syscall_sources where syscall_id=1\").fetchone()\n"
		"assert r==('logger.c',89,'flush_logs'), r\n"
		"v=db.execute('select name,file,line,calls from summary_by_source order by calls desc').fetchall()\n"
		"assert v[0]==('fsync','logger.c',89,2), v\n"
		"assert db.execute(\"select value from metadata where key='format_version'\").fetchone()[0]=='2'\n"), 0);
	unlink(path);
	rmdir(dir);
}

/* strace -k's layout: the frames after the line that completes the call
 * (the resumed one), [FILE:LINE in FUNCTION] at the end of the line */
static void test_text_stack(void **state)
{
	int fd = tmpfd();
	struct output_opts oo = OUTPUT_OPTS_INIT;
	oo.fd = fd;
	oo.text.stack_trace = 1;
	oo.text.source = 1;
	oo.text.show_time = 1;
	struct scry_sink sink;
	char err[128];
	assert_int_equal(text_format_open(&sink, output_format_find("text"), &oo, err, sizeof(err)), 0);
	struct scry_event a = call(74, "fsync", &ST_LOG, 1000, 101);
	a.ntracees = 2;
	a.type = SCRY_EV_CALL_ENTER;
	assert_int_equal(sink.event(sink.ctx, &a), 0);
	struct scry_event b = call(1, "write", &ST_STRIPPED, 2000, 102);
	b.ntracees = 2;
	b.type = SCRY_EV_CALL_ENTER;
	assert_int_equal(sink.event(sink.ctx, &b), 0);
	b.type = SCRY_EV_CALL_EXIT;
	assert_int_equal(sink.event(sink.ctx, &b), 0);
	a.type = SCRY_EV_CALL_EXIT;
	assert_int_equal(sink.event(sink.ctx, &a), 0);
	assert_int_equal(scry_sink_finish(&sink, NULL), 0);
	scry_sink_free(&sink);
	char *t = slurp(fd);
	assert_string_equal(t,
		"[pid   101] fsync( <unfinished ...>\n"
		"[pid   102] write()                     = 0 <0.000002>   [/opt/svc/stripped+0x120f]\n"
		" > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x4f) [0xf838f]\n"
		" > /opt/svc/stripped() [0x120f]\n"
		" > ? [0x7e0000001000]\n"
		" > /opt/svc/stripped(outer+0x30) [0x1300]\n"
		"[pid   101] <... fsync resumed>)        = 0 <0.000001>   [logger.c:89 in flush_logs]\n"
		" > /usr/lib/x86_64-linux-gnu/libc.so.6(fsync+0x3a) [0xfec4a]\n"
		" > /opt/svc/logger(flush_logs+0xe) [0x11cd]\n"
		" > /opt/svc/logger(main+0x2a) [0x11fa]\n");
	free(t);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_labels),
		cmocka_unit_test(test_frames_text),
		cmocka_unit_test(test_json_stack),
		cmocka_unit_test(test_summary_by_site),
		cmocka_unit_test(test_sites_cap),
		cmocka_unit_test(test_by_function),
		cmocka_unit_test(test_jsonl_stack),
		cmocka_unit_test(test_csv_source),
		cmocka_unit_test(test_chrome_source),
		cmocka_unit_test(test_sqlite_stacks),
		cmocka_unit_test(test_text_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
