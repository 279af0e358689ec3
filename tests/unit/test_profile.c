/*
 * Unit tests of scry profile's model (src/profile/profile.c) and its
 * text, folded and speedscope writers (src/profile/prof_out.c): frames,
 * stacks and threads are deduplicated by their keys, values add up per
 * (thread, stack) and per thread, names are what the outputs show, and the
 * writers print exactly the stacks and the lost samples (Rule 7).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile/profile.h"
#include "profile/prof_sqlite.h"

#include <sqlite3.h>
#include <unistd.h>

static struct scry_frame uframe(const char *fn, const char *obj, uint64_t off, uint64_t addr)
{
	struct scry_frame f;
	memset(&f, 0, sizeof(f));
	f.function = fn;
	f.object = obj;
	f.object_offset = off;
	f.addr = addr;
	return f;
}

/* The profile the writer tests read: two threads named "w" and one "x",
 * main -> a (leaf) 3 + 2 samples (two tids, one name), main -> b 1,
 * and one kernel frame under b for "x". */
static struct prof *sample_profile(void)
{
	struct prof *p;
	assert_int_equal(prof_new(&p), 0);
	struct scry_frame fm = uframe("main", "/bin/t", 0x100, 0x5000100);
	struct scry_frame fa = uframe("a", "/bin/t", 0x200, 0x5000200);
	struct scry_frame fb = uframe("b", "/bin/t", 0x300, 0x5000300);
	struct scry_frame fk = uframe("do_sys", "[kernel.kallsyms]", 0, 0xffffffff81000000ull);
	uint32_t m = prof_frame_id(p, &fm, 0), a = prof_frame_id(p, &fa, 0), b = prof_frame_id(p, &fb, 0);
	uint32_t k = prof_frame_id(p, &fk, PROF_FRAME_KERNEL);
	uint32_t sa[] = { a, m }, sb[] = { b, m }, skb[] = { k, b, m };
	uint32_t st_a = prof_stack_id(p, sa, 2, PROF_STACK_COMPLETE);
	uint32_t st_b = prof_stack_id(p, sb, 2, PROF_STACK_COMPLETE);
	uint32_t st_kb = prof_stack_id(p, skb, 3, PROF_STACK_COMPLETE);
	uint32_t t1 = prof_thread_id(p, 10, 10, "w"), t2 = prof_thread_id(p, 10, 11, "w");
	uint32_t t3 = prof_thread_id(p, 10, 12, "x");
	assert_int_equal(prof_add(p, t1, st_a, PROF_CPU, 3), 0);
	assert_int_equal(prof_add(p, t2, st_a, PROF_CPU, 2), 0);
	assert_int_equal(prof_add(p, t1, st_b, PROF_CPU, 1), 0);
	assert_int_equal(prof_add(p, t3, st_kb, PROF_CPU, 4), 0);
	assert_int_equal(prof_add(p, t3, st_b, PROF_OFFCPU_SLEEP_NS, 5000), 0);
	struct prof_stats *s = prof_stats(p);
	s->samples = 10;
	s->freq = s->freq_asked = 99;
	s->duration_ns = 2000000000ull;
	return p;
}

static char *render(const struct prof *p, int (*w)(const struct prof *, FILE *, const struct prof_out_opts *),
		    enum prof_metric m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct prof_out_opts o = { m, 0, "t" };
	assert_int_equal(w(p, f, &o), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_frames_dedup_by_key(void **state)
{
	(void)state;
	struct prof *p;
	assert_int_equal(prof_new(&p), 0);
	struct scry_frame f1 = uframe("a", "/lib/x.so", 0x10, 0x7f0010);
	/* the same (object, offset) mapped elsewhere in another process */
	struct scry_frame f2 = uframe("a", "/lib/x.so", 0x10, 0x7e0010);
	struct scry_frame f3 = uframe("a", "/lib/x.so", 0x14, 0x7f0014);
	struct scry_frame f4 = uframe("a", "/lib/y.so", 0x10, 0x7f0010);
	uint32_t i1 = prof_frame_id(p, &f1, 0);
	assert_int_not_equal(i1, PROF_NONE);
	assert_int_equal(prof_frame_id(p, &f2, 0), i1);
	assert_int_not_equal(prof_frame_id(p, &f3, 0), i1);
	assert_int_not_equal(prof_frame_id(p, &f4, 0), i1);
	assert_int_equal(prof_nframes(p), 3);
	/* kernel and unknown frames by address */
	struct scry_frame k1 = uframe("f", "[kernel.kallsyms]", 0, 0xffffffff81000010ull);
	struct scry_frame k2 = uframe("f", "[kernel.kallsyms]", 0, 0xffffffff81000020ull);
	uint32_t ik = prof_frame_id(p, &k1, PROF_FRAME_KERNEL);
	assert_int_equal(prof_frame_id(p, &k1, PROF_FRAME_KERNEL), ik);
	assert_int_not_equal(prof_frame_id(p, &k2, PROF_FRAME_KERNEL), ik);
	struct scry_frame u1 = uframe(NULL, NULL, 0, 0x1234);
	uint32_t iu = prof_frame_id(p, &u1, 0);
	assert_int_equal(prof_frame_id(p, &u1, 0), iu);
	/* the frame's strings are copies */
	char fn[8] = "zz", obj[16] = "/lib/z.so";
	struct scry_frame fz = uframe(fn, obj, 1, 2);
	uint32_t iz = prof_frame_id(p, &fz, 0);
	strcpy(fn, "QQ");
	strcpy(obj, "/x");
	assert_string_equal(prof_frame(p, iz)->function, "zz");
	assert_string_equal(prof_frame(p, iz)->object, "/lib/z.so");
	prof_free(p);
}

static void test_frame_names(void **state)
{
	(void)state;
	struct prof *p;
	assert_int_equal(prof_new(&p), 0);
	char buf[128];
	struct scry_frame f = uframe("work", "/bin/t", 0x10, 0x10);
	assert_string_equal(prof_frame_name(p, prof_frame_id(p, &f, 0), buf, sizeof(buf)), "work");
	struct scry_frame k = uframe("schedule", "[kernel.kallsyms]", 0, 0xffffffff81000000ull);
	assert_string_equal(prof_frame_name(p, prof_frame_id(p, &k, PROF_FRAME_KERNEL), buf, sizeof(buf)),
			    "schedule_[k]");
	struct scry_frame s = uframe(NULL, "/usr/lib/libz.so.1", 0x1a2b, 0x7f001a2b);
	const char *n = prof_frame_name(p, prof_frame_id(p, &s, 0), buf, sizeof(buf));
	assert_non_null(strstr(n, "libz.so.1"));
	assert_non_null(strstr(n, "+0x1a2b"));
	struct scry_frame u = uframe(NULL, NULL, 0, 0xdeadbeef);
	assert_string_equal(prof_frame_name(p, prof_frame_id(p, &u, 0), buf, sizeof(buf)), "0xdeadbeef");
	prof_free(p);
}

static void test_stacks_threads_and_values(void **state)
{
	(void)state;
	struct prof *p;
	assert_int_equal(prof_new(&p), 0);
	struct scry_frame fa = uframe("a", "/bin/t", 1, 1), fb = uframe("b", "/bin/t", 2, 2);
	uint32_t a = prof_frame_id(p, &fa, 0), b = prof_frame_id(p, &fb, 0);
	uint32_t ab[] = { a, b }, ba[] = { b, a };
	uint32_t s1 = prof_stack_id(p, ab, 2, 0);
	assert_int_equal(prof_stack_id(p, ab, 2, 0), s1);
	assert_int_not_equal(prof_stack_id(p, ba, 2, 0), s1);       /* order matters */
	assert_int_not_equal(prof_stack_id(p, ab, 1, 0), s1);
	const struct prof_stack *st = prof_stack(p, s1);
	assert_int_equal(st->n, 2);
	assert_int_equal(st->frames[0], a);
	assert_int_equal(st->frames[1], b);
	/* threads: "?" until named, renamed in place */
	uint32_t t = prof_thread_id(p, 5, 6, NULL);
	assert_string_equal(prof_thread(p, t)->comm, "?");
	assert_int_equal(prof_thread_find(p, 5, 6), t);
	assert_int_equal(prof_thread_find(p, 5, 7), PROF_NONE);
	prof_thread_set_comm(p, 5, 6, "worker");
	assert_string_equal(prof_thread(p, t)->comm, "worker");
	assert_int_equal(prof_thread_id(p, 5, 6, NULL), t);
	assert_int_equal(prof_nthreads(p), 1);
	/* values add per (thread, stack) and per thread and metric */
	assert_int_equal(prof_add(p, t, s1, PROF_CPU, 2), 0);
	assert_int_equal(prof_add(p, t, s1, PROF_CPU, 3), 0);
	assert_int_equal(prof_add(p, t, s1, PROF_OFFCPU_DISK_NS, 700), 0);
	assert_int_equal(prof_nentries(p), 1);
	const struct prof_entry *e = prof_entry(p, 0);
	assert_int_equal(e->v[PROF_CPU], 5);
	assert_int_equal(e->v[PROF_OFFCPU_DISK_NS], 700);
	assert_int_equal(prof_thread(p, t)->total[PROF_CPU], 5);
	assert_int_equal(prof_thread(p, t)->total[PROF_OFFCPU_DISK_NS], 700);
	prof_free(p);
}

static void test_folded_exact(void **state)
{
	(void)state;
	struct prof *p = sample_profile();
	char *out = render(p, prof_write_folded, PROF_CPU);
	/* root first; threads of one name merged; kernel frames _[k] */
	assert_non_null(strstr(out, "w;main;a 5\n"));
	assert_non_null(strstr(out, "w;main;b 1\n"));
	assert_non_null(strstr(out, "x;main;b;do_sys_[k] 4\n"));
	assert_null(strstr(out, "lost"));
	size_t lines = 0;
	for (const char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 3);
	free(out);
	/* another metric: only what it counts */
	out = render(p, prof_write_folded, PROF_OFFCPU_SLEEP_NS);
	assert_string_equal(out, "x;main;b 5000\n");
	free(out);
	/* lost samples are a line of their own */
	prof_stats(p)->lost = 7;
	out = render(p, prof_write_folded, PROF_CPU);
	assert_non_null(strstr(out, "[scry];[lost samples] 7\n"));
	free(out);
	prof_free(p);
}

static void test_speedscope_shape(void **state)
{
	(void)state;
	struct prof *p = sample_profile();
	prof_stats(p)->lost = 3;
	char *out = render(p, prof_write_speedscope, PROF_CPU);
	assert_non_null(strstr(out, "\"$schema\":\"https://www.speedscope.app/file-format-schema.json\""));
	assert_non_null(strstr(out, "\"shared\""));
	assert_non_null(strstr(out, "{\"name\":\"main\""));
	assert_non_null(strstr(out, "{\"name\":\"do_sys_[k]\""));
	assert_non_null(strstr(out, "\"type\":\"sampled\""));
	assert_non_null(strstr(out, "lost samples"));
	/* balanced brackets outside strings */
	int depth = 0, in_str = 0;
	for (const char *c = out; *c; c++) {
		if (in_str) {
			if (*c == '\\' && c[1])
				c++;
			else if (*c == '"')
				in_str = 0;
			continue;
		}
		if (*c == '"')
			in_str = 1;
		else if (*c == '{' || *c == '[')
			depth++;
		else if (*c == '}' || *c == ']')
			assert_true(--depth >= 0);
	}
	assert_int_equal(depth, 0);
	assert_false(in_str);
	free(out);
	prof_free(p);
}

static void test_text_report(void **state)
{
	(void)state;
	struct prof *p = sample_profile();
	prof_stats(p)->lost = 2;
	char *out = render(p, prof_write_text, PROF_CPU);
	assert_non_null(strstr(out, "# lost: 2 samples"));
	assert_non_null(strstr(out, "over 2.00 s"));
	/* a is the hottest leaf: 5 of 10 samples */
	const char *a = strstr(out, "  a (");
	const char *b = strstr(out, "  b (");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	free(out);
	prof_free(p);
}

/* scry --profile: a profile inside a trace's database (prof_sqlite_add
 * with the "profile." prefix) reads back as the profile, its keys apart
 * from the trace's own "samples"/"start_ns"-like keys. */
static void test_profile_inside_a_trace_db(void **state)
{
	(void)state;
	char path[] = "/tmp/scry-test-profile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* the trace's own tables and keys, which must stay the trace's */
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE metadata(key TEXT PRIMARY KEY, value);"
				      "CREATE TABLE syscalls(id INTEGER PRIMARY KEY);"
				      "INSERT INTO metadata VALUES('start_ns', 7), ('samples', 12345);",
				      NULL, NULL, NULL), SQLITE_OK);
	struct prof *p = sample_profile();
	char why[256] = "";
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(prof_sqlite_add(db, p, NULL, NULL, "profile.", why, sizeof(why)), 0);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(prof_sqlite_is_profile(path), 2);
	struct prof *q;
	struct tstates ts;
	char title[64];
	assert_int_equal(prof_read_sqlite(path, &q, &ts, title, sizeof(title), why, sizeof(why)), 0);
	assert_int_equal(prof_stats_const(q)->samples, 10);      /* not the trace's 12345 */
	assert_int_equal(prof_stats_const(q)->freq, 99);
	assert_int_equal(prof_stats_const(q)->duration_ns, 2000000000ull);
	char *a = render(p, prof_write_folded, PROF_CPU), *b = render(q, prof_write_folded, PROF_CPU);
	assert_string_equal(a, b);
	free(a);
	free(b);
	prof_free(q);
	tstates_release(&ts);
	prof_free(p);
	/* a profile's own database stays kind 1 */
	unlink(path);
	p = sample_profile();
	assert_int_equal(prof_write_sqlite(p, NULL, "t", path, why, sizeof(why)), 0);
	assert_int_equal(prof_sqlite_is_profile(path), 1);
	prof_free(p);
	unlink(path);
}

static void test_write_failure_reported(void **state)
{
	(void)state;
	struct prof *p = sample_profile();
	char tiny[8];
	struct prof_out_opts o = { PROF_CPU, 0, "t" };
	int (*const w[])(const struct prof *, FILE *, const struct prof_out_opts *) = {
		prof_write_folded, prof_write_speedscope, prof_write_text,
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		FILE *f = fmemopen(tiny, sizeof(tiny), "w");
		assert_non_null(f);
		setvbuf(f, NULL, _IONBF, 0);
		int r = w[i](p, f, &o);
		fclose(f);
		assert_int_equal(r, -EIO);
	}
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_dedup_by_key),
		cmocka_unit_test(test_frame_names),
		cmocka_unit_test(test_stacks_threads_and_values),
		cmocka_unit_test(test_folded_exact),
		cmocka_unit_test(test_speedscope_shape),
		cmocka_unit_test(test_text_report),
		cmocka_unit_test(test_write_failure_reported),
		cmocka_unit_test(test_profile_inside_a_trace_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
