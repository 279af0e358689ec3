/*
 * What the scry command does, through the public headers alone (issue 12):
 * the -e language, the syscall names, the formats' table, the backend
 * choice with its reason; what scry top and scry serve use: a call's name
 * and its strace text (of real calls: a failed openat, a resumed
 * restart_syscall), the Prometheus exporter fed through its sink.  Compiled with the installed headers only
 * (scry/...), as a program that embeds libscry is.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libgen.h>
#include <limits.h>
#include <unistd.h>

#include "scry/exporter.h"
#include "scry/filter.h"
#include "scry/output.h"
#include "scry/profile.h"
#include "scry/scry.h"
#include "scry/stats.h"
#include "scry/syscalls.h"
#include "scry/tracedb.h"

#include <fcntl.h>
#include <unistd.h>

static void test_syscall_names(void **state)
{
	(void)state;
	const struct scry_syscall_table *t = scry_native_table();
	long nr = scry_syscall_lookup(t, "openat");
	assert_true(nr >= 0);
	assert_string_equal(scry_syscall_name(t, nr), "openat");
	assert_int_equal(scry_syscall_lookup(t, "no_such_call"), -1);
	assert_null(scry_syscall_name(t, -1));
	assert_null(scry_syscall_name(t, 100000));
	assert_string_equal(scry_signal_name(11), "SIGSEGV");
	assert_int_equal(scry_signal_lookup("INT"), 2);
	assert_string_equal(scry_errno_name(ENOENT), "ENOENT");
}

static void test_filter_language(void **state)
{
	(void)state;
	const struct scry_syscall_table *t = scry_native_table();
	struct scry_filter f;
	char err[256];
	scry_filter_init(&f, t);
	assert_true(scry_filter_is_all(&f));
	assert_int_equal(scry_filter_parse(&f, "trace=openat,close", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_true(scry_filter_traced(&f, scry_syscall_lookup(t, "openat")));
	assert_true(scry_filter_traced(&f, scry_syscall_lookup(t, "close")));
	assert_false(scry_filter_traced(&f, scry_syscall_lookup(t, "read")));
	assert_int_equal(scry_filter_parse(&f, "status=failed", err, sizeof(err)), 0);
	assert_true(scry_filter_status_ok(&f, 1, 0));
	assert_false(scry_filter_status_ok(&f, 0, 0));
	/* a bad expression: -EINVAL, one line, and f as it was */
	struct scry_filter before = f;
	assert_int_equal(scry_filter_parse(&f, "trace=no_such_call", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no_such_call"));
	assert_memory_equal(&f, &before, sizeof(f));

	/* the stage passes what the filter shows */
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_CALL_EXIT;
	ev.u.call.nr = scry_syscall_lookup(t, "openat");
	ev.u.call.t_exit_ns = 1;
	ev.u.call.is_error = 1;
	assert_true(scry_filter_event_shown(&f, &ev));
	ev.u.call.is_error = 0;
	assert_false(scry_filter_event_shown(&f, &ev));
}

static void test_formats(void **state)
{
	(void)state;
	const struct scry_format *f = scry_format_find("ndjson");
	assert_non_null(f);
	assert_string_equal(scry_format_name(f), "jsonl");
	assert_string_equal(scry_format_name(scry_format_from_path("x.trace.json")), "json");
	assert_string_equal(scry_format_name(scry_format_from_path("x.db")), "sqlite");
	assert_true(scry_format_flags(scry_format_find("sqlite")) & SCRY_FORMAT_OWN_FILE);
	assert_true(scry_format_flags(scry_format_find("strace")) & SCRY_FORMAT_TEXT);
	assert_null(scry_format_find("no-such-format"));
	char names[128];
	scry_format_names(names, sizeof(names));
	assert_non_null(strstr(names, "jsonl"));
	struct scry_sink sink;
	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
	char err[256];
	assert_int_equal(scry_format_open(NULL, &sink, &oo, err, sizeof(err)), -EINVAL);
}

static void test_backend_choice_says_why(void **state)
{
	(void)state;
	char why[200];
	struct scry_config cfg = SCRY_CONFIG_INIT;
	assert_int_equal(scry_backend_choose_why(&cfg, SCRY_NEED_COUNTS_ONLY, why, sizeof(why)),
			 SCRY_BACKEND_BPF);
	assert_non_null(strstr(why, "counts"));
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_COUNTS_ONLY), SCRY_BACKEND_BPF);
	cfg.cpu_time = 1;
	assert_int_equal(scry_backend_choose_why(&cfg, SCRY_NEED_COUNTS_ONLY, why, sizeof(why)),
			 SCRY_BACKEND_PTRACE);
	assert_non_null(strstr(why, "CPU"));
	cfg.cpu_time = 0;
	assert_int_equal(scry_backend_choose_why(&cfg, 0, why, sizeof(why)), SCRY_BACKEND_PTRACE);
	assert_non_null(strstr(why, "launched"));
	assert_int_equal(scry_backend_choose_why(&cfg, SCRY_NEED_RESULT_FILTER, why, sizeof(why)),
			 SCRY_BACKEND_PTRACE);
	assert_non_null(strstr(why, "result"));
	/* attached, every call: bpf shows them all, or says which it would not */
	int b = scry_backend_choose_why(&cfg, SCRY_NEED_ATTACH_ONLY, why, sizeof(why));
	assert_int_equal(b, scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY));
	assert_true(why[0] != '\0');
	/* why_len 0: nothing written */
	strcpy(why, "kept");
	scry_backend_choose_why(&cfg, 0, why, 0);
	assert_string_equal(why, "kept");
}

static const char *name_of(int nr, void *ctx)
{
	return scry_syscall_name(ctx, nr);
}

static void test_stats_and_table(void **state)
{
	(void)state;
	const struct scry_syscall_table *t = scry_native_table();
	int nr = (int)scry_syscall_lookup(t, "openat");
	struct scry_stats st;
	scry_stats_init(&st, 0);
	for (uint64_t ns = 1; ns <= 100; ns++)
		assert_int_equal(scry_stats_add(&st, 7, nr, ns * 1000, ns % 10 == 0), 0);
	const struct scry_stats_row *row = scry_stats_lookup(&st, 0, nr);
	assert_non_null(row);
	assert_int_equal(row->calls, 100);
	assert_int_equal(row->errors, 10);
	assert_int_equal(scry_stats_row_percentile(row, 0), 1000);
	assert_int_equal(scry_stats_row_percentile(row, 100), 100000);
	uint64_t p50 = scry_stats_row_percentile(row, 50);
	assert_true(p50 >= 49000 && p50 <= 51000);      /* the histogram's 0.78 % */
	struct scry_summary_opts so = SCRY_SUMMARY_OPTS_INIT;
	so.name = name_of;
	so.ctx = (void *)t;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(scry_stats_print_text(&st, f, &so), 0);
	fclose(f);
	assert_non_null(strstr(text, "openat"));
	assert_non_null(strstr(text, "100"));
	free(text);
	scry_stats_release(&st);

	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
	assert_int_equal(oo.fd, -1);
	assert_int_equal(oo.string_limit, 32);
	assert_int_equal(oo.text.timestamps, SCRY_TS_NONE);
}

/* ---- a call's name and text (scry top) ---- */

struct texts {
	const char *want;        /* the call whose text is kept */
	char text[512];
	int n;                   /* what scry_call_text() returned */
	char cut[12];            /* the same into a small buffer */
	int ncut;
};

static int keep_text(void *ctx, const struct scry_event *ev)
{
	struct texts *t = ctx;
	char b[SCRY_CALL_NAME_MAX];
	if (ev->type != SCRY_EV_CALL_EXIT || t->text[0] ||
	    strcmp(scry_call_name(ev->u.call.name, ev->u.call.nr, b), t->want))
		return 0;
	char text[sizeof(t->text)];
	int n = scry_call_text(&ev->u.call, text, sizeof(text));
	if (!strcmp(t->want, "openat") && !ev->u.call.is_error)
		return 0;                /* (the loader's, the locale's) */
	if (!strcmp(t->want, "openat") && ev->u.call.entry_args && !strstr(text, "/nonexistent"))
		return 0;
	memcpy(t->text, text, sizeof(text));
	t->n = n;
	t->ncut = scry_call_text(&ev->u.call, t->cut, sizeof(t->cut));
	return 0;
}

/* The text of the first call named want of a command (for openat: the
 * failed one of the file named /nonexistent..., or with no_decode the
 * first failed one). */
static void text_of(const char *want, char *const argv[], int no_decode, struct texts *t)
{
	struct scry_config cfg = SCRY_CONFIG_INIT;
	struct scry_session *s;
	memset(t, 0, sizeof(*t));
	t->want = want;
	cfg.no_decode = no_decode;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	struct scry_sink sink = { keep_text, NULL, t, NULL, NULL };
	assert_int_equal(scry_session_add_sink(s, &sink), 0);
	assert_int_equal(scry_session_launch(s, argv, NULL), 0);
	assert_int_equal(scry_session_run(s), 0);
	scry_session_free(s);
}

static void test_call_name_and_text(void **state)
{
	(void)state;
	char b[SCRY_CALL_NAME_MAX];
	assert_string_equal(scry_call_name("openat", 257, b), "openat");
	assert_string_equal(scry_call_name(NULL, 0x1b6, b), "syscall_0x1b6");
	assert_string_equal(scry_call_name(scry_syscall_name(scry_native_table(), 100000), 100000, b),
			    "syscall_0x186a0");

	struct texts t;
	char *cat[] = { "cat", "/nonexistent-scry-public-api", NULL };
	const char *want = "openat(AT_FDCWD, \"/nonexistent-scry-public-api\", O_RDONLY) = -1 ENOENT "
			   "(No such file or directory)";
	text_of("openat", cat, 0, &t);
	assert_string_equal(t.text, want);
	assert_int_equal(t.n, strlen(want));
	/* cut to fit, as snprintf() */
	assert_int_equal(t.ncut, strlen(want));
	assert_string_equal(t.cut, "openat(AT_F");     /* 11 bytes and the NUL */
	/* numbers only: no arguments, the result still named */
	text_of("openat", cat, 1, &t);
	assert_string_equal(t.text, "openat() = -1 ENOENT (No such file or directory)");

	/* the kernel resumes an interrupted sleep as restart_syscall: named
	 * by the call it resumes (tests/progs/restart) */
	char exe[PATH_MAX], prog[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(prog, sizeof(prog), "%s/../progs/restart", dirname(exe));
	char *restart[] = { prog, "300", NULL };
	text_of("restart_syscall", restart, 0, &t);
	assert_string_equal(t.text, "restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0");
}

/* ---- the Prometheus exporter, fed by a session's sink (scry serve) ---- */

/* The value of the line that begins with prefix and a space; -1 if none. */
static double metric(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void test_exporter_sink(void **state)
{
	(void)state;
	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
	struct scry_exporter *e;
	char why[256];
	/* bpf's targets with a fed exporter: refused, with why */
	o.comm = "nginx";
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), -EINVAL);
	assert_null(e);
	assert_non_null(strstr(why, "--comm"));
	o.comm = NULL;
	o.labels = SCRY_EXPORTER_LABEL_PID;
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), 0);

	struct scry_sink sink;
	scry_exporter_as_sink(e, &sink);
	assert_non_null(sink.event);
	assert_null(sink.finish);
	assert_null(sink.free);
	int pid = (int)getppid();
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_NEW_TASK;              /* a process... */
	ev.pid = ev.tid = pid;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev.tid = pid + 1;                        /* ...and a thread of it */
	ev.u.task.is_thread = 1;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(scry_exporter_targets(e), 1);
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_CALL_EXIT;
	ev.pid = ev.tid = pid;
	ev.u.call.nr = scry_syscall_lookup(scry_native_table(), "openat");
	ev.u.call.t_enter_ns = 1000;
	ev.u.call.t_exit_ns = 3000;
	ev.u.call.duration_ns = 2000;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev.u.call.ret = -ENOENT;
	ev.u.call.is_error = 1;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev.u.call.t_exit_ns = 0;                 /* never returned: not counted */
	assert_int_equal(sink.event(sink.ctx, &ev), 0);

	char *text;
	size_t len;
	char key[128];
	assert_int_equal(scry_exporter_render(e, 0, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	snprintf(key, sizeof(key), "scry_syscalls_total{syscall=\"openat\",pid=\"%d\"}", pid);
	assert_true(metric(text, key) == 2);
	snprintf(key, sizeof(key), "scry_syscall_errors_total{syscall=\"openat\",pid=\"%d\",errno=\"ENOENT\"}", pid);
	assert_true(metric(text, key) == 1);
	snprintf(key, sizeof(key), "scry_syscall_duration_seconds_sum{syscall=\"openat\",pid=\"%d\"}", pid);
	assert_true(metric(text, key) == 0.000004);
	assert_true(metric(text, "scry_targets") == 1);
	assert_null(strstr(text, "# EOF"));
	free(text);
	assert_int_equal(scry_exporter_render(e, 1, &text, &len), 0);
	assert_non_null(strstr(text, "\n# EOF\n"));
	free(text);
	assert_non_null(strstr(scry_exporter_content_type(1), "openmetrics"));
	assert_int_equal(scry_exporter_summary_json(e, &text, &len), 0);
	assert_non_null(strstr(text, "\"name\":\"openat\""));
	free(text);

	/* a thread's end is not the process's; the leader's is */
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_EXITED;
	ev.pid = pid;
	ev.tid = pid + 1;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(scry_exporter_targets(e), 1);
	ev.tid = pid;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(scry_exporter_targets(e), 0);
	scry_exporter_close(e);
	scry_exporter_close(NULL);
}

/* scry/profile.h's contract where no perf event is needed: a config
 * checked before anything opens, errors as values with a reason, nothing
 * printed, and a profile database that is not there. */
static void test_profiler_contract(void **state)
{
	(void)state;
	struct scry_profiler_config cfg = SCRY_PROFILER_CONFIG_INIT;
	struct scry_profile_error why;
	assert_int_equal(scry_profiler_check(&cfg, &why), 0);
	cfg.counters = "task-clock,no_such_counter";
	assert_int_equal(scry_profiler_check(&cfg, &why), -EINVAL);
	assert_int_equal(why.err, EINVAL);
	assert_int_equal(why.part, SCRY_PROFILE_PART_COUNTERS);
	assert_non_null(strstr(why.reason, "no_such_counter"));
	struct scry_profiler *pr = (struct scry_profiler *)&why;
	assert_int_equal(scry_profiler_new(&pr, &cfg, &why), -EINVAL);
	assert_null(pr);
	cfg.counters = "task-clock";
	cfg.freq = 0;
	assert_int_equal(scry_profiler_check(&cfg, &why), -EINVAL);
	cfg.freq = 99;
	cfg.stack_size = 100;		/* not a multiple of 8 */
	assert_int_equal(scry_profiler_check(&cfg, &why), -EINVAL);
	cfg.stack_size = 8192;
	cfg.mmap_pages = 3;		/* not a power of 2 */
	assert_int_equal(scry_profiler_check(&cfg, &why), -EINVAL);
	cfg.mmap_pages = 0;

	/* nothing attached: no profile, and a start says why */
	assert_int_equal(scry_profiler_new(&pr, &cfg, &why), 0);
	assert_null(scry_profiler_profile(pr));
	assert_int_equal(scry_profiler_alive(pr), 0);
	assert_int_equal(scry_profiler_start(pr, &why), -ESRCH);
	assert_int_equal(why.part, SCRY_PROFILE_PART_SAMPLER);
	assert_true(why.reason[0] != 0);
	assert_int_equal(scry_profiler_poll(pr, 0), -EINVAL);
	assert_int_equal(scry_profiler_stop(pr), 0);
	scry_profiler_free(pr);
	scry_profiler_free(NULL);

	/* a command that cannot be run: -ENOENT, nothing started */
	assert_int_equal(scry_profiler_new(&pr, &cfg, &why), 0);
	char *argv[] = { "/nonexistent-scry-profile-test", NULL };
	pid_t child = 0;
	assert_int_equal(scry_profiler_launch(pr, argv, &child, &why), -ENOENT);
	assert_int_equal(why.err, ENOENT);
	scry_profiler_free(pr);

	/* a database that is not there */
	struct scry_profile *p = (struct scry_profile *)&why;
	char title[64] = "x", msg[256];
	assert_true(scry_profile_read_sqlite(&p, "/nonexistent-scry-profile.db", title, sizeof(title), msg,
					     sizeof(msg)) < 0);
	assert_null(p);
	assert_true(scry_profile_db_kind("/nonexistent-scry-profile.db") < 0);
	scry_profile_free(NULL);
	int par = scry_profile_perf_paranoid();
	assert_true(par >= -1 && par <= 4);

	struct scry_trace_sampler_config tc = { 0, 0, 0, NULL, NULL };
	struct scry_trace_sampler *ts;
	assert_int_equal(scry_trace_sampler_new(&ts, &tc), -EINVAL);	/* freq 0 */
}

/* scry/tracedb.h: a trace written by the public sqlite format, read back */
struct seen {
	struct scry_tracedb *db;
	int n, calls, exits;
	uint64_t ns[4];
	int64_t ret[4];
	int is_error[4];
	char args[4][64];
	int args_rc;
};

static int seen_event(void *ctx, const struct scry_event *ev)
{
	struct seen *s = ctx;
	if (ev->type == SCRY_EV_CALL_EXIT && s->calls < 4) {
		const char *text;
		size_t len;
		s->args_rc |= scry_tracedb_replay_args(s->db, &text, &len, NULL, NULL);
		snprintf(s->args[s->calls], sizeof(s->args[0]), "%s(%.*s) = %s", ev->u.call.name, (int)len, text,
			 ev->u.call.ret_text);
		s->ret[s->calls] = ev->u.call.ret;
		s->is_error[s->calls] = ev->u.call.is_error;
		s->ns[s->calls++] = ev->u.call.duration_ns;
	}
	if (ev->type == SCRY_EV_EXITED && ev->u.exit.status == 3)
		s->exits++;
	s->n++;
	return 0;
}

static void test_tracedb(void **state)
{
	(void)state;
	char path[] = "/tmp/scry-test-tracedb-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct scry_tracedb *db = (void *)1;
	char err[256];
	/* no database there (an empty file), then no file at all */
	assert_int_equal(scry_tracedb_open(&db, path, err, sizeof(err)), -EINVAL);
	assert_null(db);
	assert_non_null(strstr(err, "not a trace recorded by scry"));
	unlink(path);
	assert_int_equal(scry_tracedb_open(&db, path, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, strerror(ENOENT));

	/* two calls and an exit, recorded */
	const struct scry_syscall_table *t = scry_native_table();
	long openat = scry_syscall_lookup(t, "openat"), getpid = scry_syscall_lookup(t, "getpid");
	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
	oo.path = path;
	struct scry_sink sink;
	assert_int_equal(scry_format_open(scry_format_find("sqlite"), &sink, &oo, err, sizeof(err)), 0);
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_CALL_EXIT;
	ev.pid = ev.tid = 4242;
	ev.ntracees = 1;
	ev.u.call.nr = openat;
	ev.u.call.name = "openat";
	ev.u.call.ret = -ENOENT;
	ev.u.call.is_error = 1;
	ev.u.call.t_enter_ns = 1000000000;
	ev.u.call.t_exit_ns = ev.ts_ns = 1000005000;
	ev.u.call.duration_ns = 5000;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	ev.u.call.nr = getpid;
	ev.u.call.name = "getpid";
	ev.u.call.ret = 4242;
	ev.u.call.is_error = 0;
	ev.u.call.t_enter_ns = 1000010000;
	ev.u.call.t_exit_ns = ev.ts_ns = 1000010700;
	ev.u.call.duration_ns = 700;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	memset(&ev.u, 0, sizeof(ev.u));
	ev.type = SCRY_EV_EXITED;
	ev.ts_ns = 1000020000;
	ev.u.exit.status = 3;
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(scry_sink_finish(&sink, NULL), 0);
	scry_sink_free(&sink);

	assert_int_equal(scry_tracedb_open(&db, path, err, sizeof(err)), 0);
	assert_non_null(db);
	char *v = NULL;
	assert_int_equal(scry_tracedb_meta(db, "format_version", &v), 0);
	assert_non_null(v);
	free(v);
	assert_int_equal(scry_tracedb_meta(db, "no such key", &v), 0);
	assert_null(v);
	assert_string_equal(scry_tracedb_syscall_name(db, openat), "openat");
	assert_int_equal(scry_tracedb_has(db, SCRY_TRACEDB_STACKS), 0);
	assert_int_equal(scry_tracedb_check(db), 0);

	/* the replay: the calls in order, with their stored text, then the exit */
	struct seen seen;
	memset(&seen, 0, sizeof(seen));
	seen.db = db;
	struct scry_sink mine = { seen_event, NULL, &seen, NULL, NULL };
	assert_int_equal(scry_tracedb_replay(db, &mine, 0), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.exits, 1);
	assert_int_equal(seen.args_rc, 0);
	assert_int_equal(seen.ns[0], 5000);
	assert_int_equal(seen.ns[1], 700);
	assert_non_null(strstr(seen.args[0], "openat("));
	/* (recorded without typed values: no text of the result) */
	assert_string_equal(seen.args[0], "openat() = ?");
	assert_string_equal(seen.args[1], "getpid() = ?");
	assert_int_equal(seen.ret[0], -ENOENT);
	assert_int_equal(seen.is_error[0], 1);
	assert_int_equal(seen.ret[1], 4242);
	assert_int_equal(seen.is_error[1], 0);
	/* outside a call's event(): nothing to give */
	const char *text;
	assert_int_equal(scry_tracedb_replay_args(db, &text, NULL, NULL, NULL), -EINVAL);

	/* the summary, and the text */
	struct scry_summary_sink ss;
	scry_summary_sink_init(&ss, 0);
	assert_int_equal(scry_tracedb_summarize(db, &ss), 0);
	const struct scry_stats_row *row = scry_stats_lookup(&ss.stats, 0, (int)openat);
	assert_non_null(row);
	assert_int_equal(row->calls, 1);
	assert_int_equal(row->errors, 1);
	assert_int_equal(row->total_ns, 5000);
	scry_summary_sink_release(&ss);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(scry_tracedb_print_text(db, f, 0), 0);
	fclose(f);
	assert_non_null(strstr(out, "getpid()"));
	assert_non_null(strstr(out, "= ?\n+++ exited with 3 +++\n"));
	free(out);
	const char *msg;
	assert_int_equal(scry_tracedb_error(db, &msg), 0);
	scry_tracedb_close(db);

	/* damaged: every page but the first overwritten */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	off_t size = lseek(fd, 0, SEEK_END);
	char junk[512];
	memset(junk, 0xa5, sizeof(junk));
	for (off_t o = 4096; o < size; o += (off_t)sizeof(junk))
		assert_int_equal(pwrite(fd, junk, sizeof(junk), o), (ssize_t)sizeof(junk));
	close(fd);
	int r = scry_tracedb_open(&db, path, err, sizeof(err));
	if (r == 0) {
		assert_int_equal(scry_tracedb_replay(db, &mine, 0), -EBADMSG);
		assert_int_equal(scry_tracedb_error(db, &msg), -EBADMSG);
		assert_true(msg[0] != '\0');
		/* kept: every read after says so */
		assert_int_equal(scry_tracedb_summarize(db, &ss), -EBADMSG);
		scry_tracedb_close(db);
	} else {
		assert_int_equal(r, -EBADMSG);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_filter_language),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_backend_choice_says_why),
		cmocka_unit_test(test_stats_and_table),
		cmocka_unit_test(test_call_name_and_text),
		cmocka_unit_test(test_exporter_sink),
		cmocka_unit_test(test_profiler_contract),
		cmocka_unit_test(test_tracedb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
