/*
 * The built-in sinks under allocation failure: an allocation that fails
 * while a sink records an event is reported (-ENOMEM, which ends the
 * session), never swallowed into an output that silently lacks something.
 * The allocator is replaced in this program (as in test_contract.c):
 * malloc, calloc and realloc fail the Nth call once armed; every N in turn
 * is tried over 100 processes' exits, so that each allocation of the run
 * fails once.
 *
 * What used to happen (both fail without the fix): the set of processes already seen (idset_add) could
 * not grow, answered "seen", and the Chrome trace lost those processes'
 * names and the SQLite database their rows in `processes`, with no error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "scry/output.h"

#include "failalloc.h"
#ifdef HAVE_FAILER

#define NPROC 100

/* Feeds the exits of NPROC processes with the nth allocation failing; 1
 * if some event() said so (its error must be -ENOMEM), 0 if none did.
 * *failed: whether an allocation failed while they were fed. */
static int feed(struct scry_sink *sink, long nth, int *failed, int calls)
{
	int err = 0;
	long before = failed_count;
	fail_countdown = nth;
	for (int i = 0; i < NPROC && !err; i++) {
		struct scry_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = SCRY_EV_EXITED;
		ev.pid = ev.tid = 1000 + i;
		ev.ts_ns = 1000000000ull + (uint64_t)i;
		/* calls: first a call whose stack has a frame of its own (the
		 * same address, another function: only a whole key tells) */
		char fn[32];
		snprintf(fn, sizeof(fn), "function_%d", i);
		struct scry_frame fr = { 0x401000, "/bin/prog", 0x1000, fn, 0, NULL, 0, 0 };
		struct scry_stack stk = { 1, &fr, 0, 0 };
		struct scry_event call = ev;
		call.type = SCRY_EV_CALL_EXIT;
		call.u.call.nr = 39;
		call.u.call.name = "getpid";
		call.u.call.ret = 1000 + i;
		call.u.call.t_enter_ns = ev.ts_ns - 1;
		call.u.call.t_exit_ns = ev.ts_ns;
		call.u.call.stack = &stk;
		int r = calls ? sink->event(sink->ctx, &call) : 0;
		if (r >= 0)
			r = sink->event(sink->ctx, &ev);
		if (r < 0) {
			assert_int_equal(r, -ENOMEM);
			err = 1;   /* the session would detach now */
		}
	}
	fail_countdown = 0;
	*failed = failed_count != before;
	return err;
}

static int count_in_file(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 1 << 20);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	int count = 0;
	for (char *p = buf; (p = strstr(p, needle)); p++)
		count++;
	(void)n;
	free(buf);
	return count;
}

static void test_chrome(void **state)
{
	(void)state;
	int reported = 0;
	for (long nth = 1; nth <= 60; nth++) {
		char path[] = "/tmp/scry-enomem-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
		oo.fd = fd;
		oo.replay = 1;          /* names from the events, not /proc */
		struct scry_sink sink;
		char err[256];
		assert_int_equal(scry_format_open(scry_format_find("chrome"), &sink, &oo, err, sizeof(err)), 0);
		int failed;
		int said = feed(&sink, nth, &failed, 0);
		int fr = scry_sink_finish(&sink, NULL);
		scry_sink_free(&sink);
		close(fd);
		if (!said && fr == 0) {
			/* no error: then nothing is missing */
			assert_int_equal(count_in_file(path, "\"process_name\""), NPROC);
		} else {
			reported++;
		}
		unlink(path);
		if (!failed && !said)
			break;      /* nth is past the run's last allocation */
	}
	assert_true(reported > 0);
}

static int sql_count(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void test_sqlite(void **state)
{
	(void)state;
	int reported = 0;
	/* every allocation of the first 300, then every 7th (a database
	 * per try: thousands of tries would take minutes) */
	for (long nth = 1; nth <= 20000; nth += nth < 300 ? 1 : 7) {
		char dir[] = "/dev/shm/scry-enomem-XXXXXX";   /* (memory: 1000s of databases) */
		assert_non_null(mkdtemp(dir));
		char path[64];
		snprintf(path, sizeof(path), "%s/t.db", dir);
		struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
		oo.path = path;
		oo.replay = 1;
		struct scry_sink sink;
		char err[256];
		assert_int_equal(scry_format_open(scry_format_find("sqlite"), &sink, &oo, err, sizeof(err)), 0);
		int failed;
		int said = feed(&sink, nth, &failed, 1);
		int fr = scry_sink_finish(&sink, NULL);
		scry_sink_free(&sink);
		if (!said && fr == 0) {
			assert_int_equal(sql_count(path, "SELECT count(*) FROM processes"), NPROC);
			assert_int_equal(sql_count(path, "SELECT count(*) FROM events"), NPROC);
			assert_int_equal(sql_count(path, "SELECT count(DISTINCT function) FROM frames"), NPROC);
			assert_int_equal(sql_count(path, "SELECT count(*) FROM syscalls s JOIN stack_frames sf"
						   " ON sf.stack_id = s.stack_id JOIN frames f ON f.id = sf.frame_id"
						   " WHERE f.function = 'function_' || (s.pid - 1000)"
						   " AND s.ret = s.pid AND s.ret_text = '?'"), NPROC);
		} else {
			reported++;
		}
		char side[80];
		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
		rmdir(dir);
		if (!failed && !said)
			break;
	}
	printf("sqlite: %d of the run's allocations failed: reported\n", reported);
	assert_true(reported > 0);
}

#endif /* HAVE_FAILER */

int main(void)
{
#ifdef HAVE_FAILER
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chrome),
		cmocka_unit_test(test_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
#else
	printf("test_sink_enomem: skipped (ASan has its own allocator)\n");
	return 0;
#endif
}
