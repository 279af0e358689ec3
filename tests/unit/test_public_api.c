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
#include "scry/profile.h"
#include "scry/scry.h"
#include "scry/stats.h"
#include "scry/syscalls.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_filter_language),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_backend_choice_says_why),
		cmocka_unit_test(test_stats_and_table),
		cmocka_unit_test(test_profiler_contract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
