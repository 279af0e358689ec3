/*
 * What the scry command does, through the public headers alone (issue 12):
 * the -e language, the syscall names, the formats' table, the backend
 * choice with its reason.  Compiled with the installed headers only
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

#include "scry/filter.h"
#include "scry/output.h"
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
		cmocka_unit_test(test_tracedb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
