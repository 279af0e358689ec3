/*
 * Unit tests for the -e inject= / -e fault= parser (src/filter/inject.c):
 * every field, each when= form, and the errors (the list is left as it was
 * after one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "filter/inject.h"
#include "syscalls/syscalls.h"

static const struct scry_syscall_table *X86 = &scry_table_x86_64;

static long nr_of(const char *name)
{
	long nr = scry_syscall_lookup(X86, name);

	assert_true(nr >= 0);
	return nr;
}

static int in_set(const struct scry_inject *in, const char *name)
{
	long nr = nr_of(name);

	return (size_t)nr / 64 < in->set_words && (in->set[nr / 64] >> (nr % 64)) & 1;
}

static int nset(const struct scry_inject *in)
{
	int n = 0;

	for (size_t w = 0; w < in->set_words; w++)
		n += __builtin_popcountll(in->set[w]);
	return n;
}

/* Parses one expression into a fresh list, which must take it. */
static struct scry_inject_list one(const char *qual, const char *spec)
{
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	char err[512];
	int r = scry_inject_parse(&l, X86, qual, spec, err, sizeof(err));

	if (r < 0)
		fail_msg("-e %s=%s: %d %s", qual, spec, r, err);
	assert_int_equal(l.n, 1);
	return l;
}

static void test_error_and_set(void **state)
{
	(void)state;
	struct scry_inject_list l = one("inject", "openat,read:error=ENOSPC");
	const struct scry_inject *in = &l.v[0];

	assert_true(in_set(in, "openat"));
	assert_true(in_set(in, "read"));
	assert_false(in_set(in, "write"));
	assert_int_equal(nset(in), 2);
	assert_int_equal(in->error, ENOSPC);
	assert_false(in->has_retval);
	assert_int_equal(in->signo, 0);
	assert_int_equal(in->syscall, -1);
	assert_int_equal(in->npokes, 0);
	assert_true(in->delay_enter_ns == 0 && in->delay_exit_ns == 0);
	/* no when=: every invocation */
	assert_int_equal(in->first, 1);
	assert_int_equal(in->step, 1);
	assert_int_equal(in->last, 0);
	scry_inject_list_release(&l);

	l = one("inject", "getpid:error=13");
	assert_int_equal(l.v[0].error, EACCES);
	scry_inject_list_release(&l);

	/* a class, a regex */
	l = one("inject", "%file:error=EPERM");
	assert_true(in_set(&l.v[0], "openat"));
	assert_true(in_set(&l.v[0], "unlink"));
	assert_false(in_set(&l.v[0], "getpid"));
	scry_inject_list_release(&l);
	l = one("inject", "/^getp:error=EPERM");
	assert_true(in_set(&l.v[0], "getpid"));
	assert_true(in_set(&l.v[0], "getppid"));
	assert_false(in_set(&l.v[0], "gettid"));
	scry_inject_list_release(&l);
}

static void test_retval(void **state)
{
	(void)state;
	static const struct { const char *spec; int64_t want; } cases[] = {
		{ "getpid:retval=42", 42 },
		{ "getpid:retval=0", 0 },
		{ "getpid:retval=-1", -1 },
		{ "getpid:retval=0x10", 16 },
		{ "getpid:retval=18446744073709551615", -1 },
		{ "getpid:retval=-9223372036854775808", INT64_MIN },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scry_inject_list l = one("inject", cases[i].spec);

		assert_true(l.v[0].has_retval);
		assert_int_equal(l.v[0].error, 0);
		assert_true(l.v[0].retval == cases[i].want);
		scry_inject_list_release(&l);
	}
}

static void test_signal_syscall_delays(void **state)
{
	(void)state;
	struct scry_inject_list l = one("inject", "getpid:signal=SIGUSR1");

	assert_int_equal(l.v[0].signo, 10);
	scry_inject_list_release(&l);
	l = one("inject", "getpid:signal=USR2");
	assert_int_equal(l.v[0].signo, 12);
	scry_inject_list_release(&l);
	l = one("inject", "getpid:signal=9");
	assert_int_equal(l.v[0].signo, 9);
	scry_inject_list_release(&l);

	l = one("inject", "unlink:syscall=gettid:retval=0");
	assert_int_equal(l.v[0].syscall, nr_of("gettid"));
	assert_true(l.v[0].has_retval && l.v[0].retval == 0);
	scry_inject_list_release(&l);

	static const struct { const char *d; uint64_t ns; } delays[] = {
		{ "100", 100000 }, { "100us", 100000 }, { "100ms", 100000000 }, { "2.5s", 2500000000ull },
		{ "10ns", 10 }, { "0", 0 },
	};
	for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "nanosleep:delay_enter=%s:delay_exit=%s", delays[i].d, delays[i].d);
		l = one("inject", spec);
		assert_true(l.v[0].delay_enter_ns == delays[i].ns);
		assert_true(l.v[0].delay_exit_ns == delays[i].ns);
		scry_inject_list_release(&l);
	}
	l = one("inject", "nanosleep:delay_exit=1ms");
	assert_true(l.v[0].delay_enter_ns == 0 && l.v[0].delay_exit_ns == 1000000);
	scry_inject_list_release(&l);
}

static void test_pokes(void **state)
{
	(void)state;
	struct scry_inject_list l = one("inject", "read:poke_enter=@arg2=0000DEAD,@arg1=ff:poke_exit=@arg6=41");
	const struct scry_inject *in = &l.v[0];
	static const uint8_t dead[] = { 0, 0, 0xde, 0xad };

	assert_int_equal(in->npokes, 3);
	assert_int_equal(in->pokes[0].arg, 1);
	assert_int_equal(in->pokes[0].at_exit, 0);
	assert_int_equal(in->pokes[0].len, 4);
	assert_memory_equal(in->pokes[0].data, dead, 4);
	assert_int_equal(in->pokes[1].arg, 0);
	assert_int_equal(in->pokes[1].len, 1);
	assert_int_equal(in->pokes[1].data[0], 0xff);
	assert_int_equal(in->pokes[2].arg, 5);
	assert_int_equal(in->pokes[2].at_exit, 1);
	assert_int_equal(in->pokes[2].data[0], 0x41);
	scry_inject_list_release(&l);
}

static void test_when_forms(void **state)
{
	(void)state;
	static const struct { const char *when; unsigned first, last, step; } cases[] = {
		{ "3", 3, 3, 0 },                  /* FIRST: that one only */
		{ "2..5", 2, 5, 1 },               /* FIRST..LAST: each of them */
		{ "3..3", 3, 3, 1 },
		{ "2+3", 2, 0, 3 },                /* FIRST+STEP: 2, 5, 8, ... */
		{ "2..11+3", 2, 11, 3 },           /* FIRST..LAST+STEP: 2, 5, 8, 11 */
		{ "4+", 4, 0, 1 },                 /* FIRST+: from FIRST on */
		{ "1..65534+65535", 1, 65534, 65535 },
		{ "65535", 65535, 65535, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "getpid:error=EPERM:when=%s", cases[i].when);
		struct scry_inject_list l = one("inject", spec);
		if (l.v[0].first != cases[i].first || l.v[0].last != cases[i].last || l.v[0].step != cases[i].step)
			fail_msg("when=%s: first %u last %u step %u", cases[i].when, l.v[0].first, l.v[0].last,
				 l.v[0].step);
		scry_inject_list_release(&l);
	}
	/* the last when= wins */
	struct scry_inject_list l = one("inject", "getpid:when=2:error=EPERM:when=7+");
	assert_int_equal(l.v[0].first, 7);
	assert_int_equal(l.v[0].step, 1);
	assert_int_equal(l.v[0].last, 0);
	scry_inject_list_release(&l);
}

static void test_fault(void **state)
{
	(void)state;
	struct scry_inject_list l = one("fault", "getpid");

	assert_int_equal(l.v[0].error, ENOSYS);     /* strace's default */
	assert_false(l.v[0].has_retval);
	scry_inject_list_release(&l);
	l = one("fault", "getpid:error=EIO:when=3");
	assert_int_equal(l.v[0].error, EIO);
	assert_int_equal(l.v[0].first, 3);
	scry_inject_list_release(&l);
}

static void test_list_appends(void **state)
{
	(void)state;
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	char err[256];

	assert_int_equal(scry_inject_parse(&l, X86, "inject", "getpid:error=EPERM", err, sizeof(err)), 0);
	assert_int_equal(scry_inject_parse(&l, X86, "fault", "read:when=2", err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[1].error, ENOSYS);
	uint64_t words[SCRY_CALL_BITMAP_WORDS] = { 0 };
	scry_inject_add_sets(&l, words, SCRY_CALL_BITMAP_WORDS);
	long a = nr_of("getpid"), b = nr_of("read");
	assert_true((words[a / 64] >> (a % 64)) & 1);
	assert_true((words[b / 64] >> (b % 64)) & 1);
	/* and their i386 twins, so that an ia32 process's getpid (20) and
	 * read (3) stop under --seccomp-bpf too (issue 21) */
	long a32 = SCRY_FILTER_I386_BASE + 20, b32 = SCRY_FILTER_I386_BASE + 3;
	assert_true((words[a32 / 64] >> (a32 % 64)) & 1);
	assert_true((words[b32 / 64] >> (b32 % 64)) & 1);
	int n = 0;
	for (size_t w = 0; w < SCRY_CALL_BITMAP_WORDS; w++)
		n += __builtin_popcountll(words[w]);
	assert_int_equal(n, 4);
	/* a bad one leaves the list as it was */
	assert_int_equal(scry_inject_parse(&l, X86, "inject", "getpid", err, sizeof(err)), -EINVAL);
	assert_int_equal(l.n, 2);
	scry_inject_list_release(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct { const char *qual, *spec, *why; } bad[] = {
		{ "inject", "getpid", "nothing to inject" },
		{ "inject", "getpid:when=2", "nothing to inject" },
		{ "inject", "", "no syscall set" },
		{ "inject", ":error=EPERM", "no syscall set" },
		{ "fault", ":when=3", "no syscall set (expected e.g. -e fault=openat:when=3)" },
		{ "inject", "nosuch:error=EPERM", "unknown syscall 'nosuch'" },
		{ "inject", "getpid:error=ENOFOO", "unknown errno 'ENOFOO'" },
		{ "inject", "getpid:error=0", "out of range" },
		{ "inject", "getpid:error=4096", "out of range" },
		{ "inject", "getpid:error=", "unknown errno ''" },
		{ "inject", "getpid:retval=", "empty retval=" },
		{ "inject", "getpid:retval=1x", "retval=1x is not an integer" },
		{ "inject", "getpid:retval=18446744073709551616", "fits in 64 bits" },
		{ "inject", "getpid:retval=-9223372036854775809", "fits in 64 bits" },
		{ "inject", "getpid:error=EPERM:retval=1", "at most one of them" },
		{ "inject", "getpid:error=EPERM:error=EIO", "at most one of them" },
		{ "inject", "getpid:signal=SIGFOO", "unknown signal 'SIGFOO'" },
		{ "inject", "getpid:signal=65", "unknown signal '65'" },
		{ "inject", "getpid:signal=1:signal=2", "signal= given more than once" },
		{ "inject", "getpid:syscall=gettid", "syscall= needs error= or retval=" },
		{ "inject", "getpid:syscall=unlink:error=EPERM", "side effects" },
		{ "inject", "getpid:syscall=nosuch:error=EPERM", "unknown syscall 'nosuch' in syscall=" },
		{ "inject", "getpid:syscall=gettid:syscall=getppid:retval=0", "syscall= given more than once" },
		{ "inject", "getpid:delay_enter=x", "invalid delay_enter=x" },
		{ "inject", "getpid:delay_exit=-1", "invalid delay_exit=-1" },
		{ "inject", "getpid:delay_enter=5min", "invalid delay_enter=5min" },
		{ "inject", "getpid:delay_enter= 5", "invalid delay_enter= 5" },
		{ "inject", "getpid:delay_enter=1e30s", "invalid delay_enter=1e30s" },
		{ "inject", "getpid:delay_enter=1:delay_enter=2", "delay_enter= given more than once" },
		{ "inject", "read:poke_enter=@arg7=00", "invalid poke_enter item '@arg7=00'" },
		{ "inject", "read:poke_enter=@arg0=00", "invalid poke_enter item" },
		{ "inject", "read:poke_enter=@arg12=00", "invalid poke_enter item" },
		{ "inject", "read:poke_exit=arg1=00", "invalid poke_exit item" },
		{ "inject", "read:poke_exit=@arg1", "invalid poke_exit item" },
		{ "inject", "read:poke_enter=@arg1=0", "not whole bytes" },
		{ "inject", "read:poke_enter=@arg1=", "not whole bytes" },
		{ "inject", "read:poke_enter=@arg1=zz", "not hex" },
		{ "inject", "read:poke_enter=@arg1=00:poke_enter=@arg2=00", "poke_enter= given more than once" },
		{ "inject", "read:poke_enter=@arg1=00,@arg1=00,@arg1=00,@arg1=00,@arg1=00,@arg1=00,@arg1=00,"
			    "@arg1=00,@arg1=00", "more than 8 pokes" },
		{ "inject", "getpid:error=EPERM:when=0", "invalid when=0" },
		{ "inject", "getpid:error=EPERM:when=", "invalid when=" },
		{ "inject", "getpid:error=EPERM:when=x", "invalid when=x" },
		{ "inject", "getpid:error=EPERM:when=3..2", "invalid when=3..2" },
		{ "inject", "getpid:error=EPERM:when=2..", "invalid when=2.." },
		{ "inject", "getpid:error=EPERM:when=..2", "invalid when=..2" },
		{ "inject", "getpid:error=EPERM:when=1+0", "invalid when=1+0" },
		{ "inject", "getpid:error=EPERM:when=1+2x", "invalid when=1+2x" },
		{ "inject", "getpid:error=EPERM:when=+2", "invalid when=+2" },
		{ "inject", "getpid:error=EPERM:when=-1", "invalid when=-1" },
		{ "inject", "getpid:error=EPERM:when=65536", "invalid when=65536" },
		{ "inject", "getpid:error=EPERM:when=1..65535", "invalid when=1..65535" },
		{ "inject", "getpid:error=EPERM:when=1+65536", "invalid when=1+65536" },
		{ "inject", "getpid:foo=1", "unknown option 'foo='" },
		{ "inject", "getpid:error", "'error' is not KEY=VALUE" },
		{ "fault", "getpid:retval=1", "fault= takes only error= and when=" },
		{ "fault", "getpid:signal=SIGUSR1", "fault= takes only error= and when=" },
		{ "fault", "getpid:delay_enter=1", "fault= takes only error= and when=" },
		{ "fault", "getpid:poke_enter=@arg1=00", "fault= takes only error= and when=" },
		{ "fault", "getpid:syscall=gettid", "fault= takes only error= and when=" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
		char err[512] = "x";
		int r = scry_inject_parse(&l, X86, bad[i].qual, bad[i].spec, err, sizeof(err));

		if (r != -EINVAL || l.n != 0 || !strstr(err, bad[i].why))
			fail_msg("-e %s=%s: %d n=%d '%s' (wanted '%s')", bad[i].qual, bad[i].spec, r, l.n, err,
				 bad[i].why);
		/* one line, naming the expression given */
		char whole[640];
		snprintf(whole, sizeof(whole), "-e %s=", bad[i].qual);
		if (!strstr(err, whole) || strchr(err, '\n'))
			fail_msg("-e %s=%s: '%s' does not name it on one line", bad[i].qual, bad[i].spec, err);
		scry_inject_list_release(&l);
	}
	/* err may be absent */
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	assert_int_equal(scry_inject_parse(&l, X86, "inject", "getpid", NULL, 0), -EINVAL);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_and_set),
		cmocka_unit_test(test_retval),
		cmocka_unit_test(test_signal_syscall_delays),
		cmocka_unit_test(test_pokes),
		cmocka_unit_test(test_when_forms),
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_list_appends),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
