/*
 * Unit tests for strace's remaining -e qualifiers (src/cli/strace_compat.c,
 * strace_qualifier()): read=/write= fd sets, raw=, abbrev=, verbose=,
 * quiet=, decode-fds=, and kvm='s refusal.  (The Makefile links this one
 * with the command's strace_compat.o.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/strace_compat.h"
#include "syscalls/syscalls.h"

static struct options *fresh(void)
{
	static struct options o;

	memset(&o, 0, sizeof(o));
	return &o;
}

/* expr must be taken (1) without an error */
static struct options *take(const char *expr)
{
	struct options *o = fresh();
	char err[512] = "";
	int r = strace_qualifier(o, expr, err, sizeof(err));

	if (r != 1)
		fail_msg("-e %s: %d '%s'", expr, r, err);
	return o;
}

static int has_fd(const uint64_t *set, int fd)
{
	return (set[fd / 64] >> (fd % 64)) & 1;
}

static int count(const uint64_t *set, size_t words)
{
	int n = 0;

	for (size_t i = 0; i < words; i++)
		n += __builtin_popcountll(set[i]);
	return n;
}

static int has_call(const uint64_t *set, const char *name)
{
	long nr = scry_syscall_lookup(scry_native_table(), name);

	assert_true(nr >= 0);
	return (set[nr / 64] >> (nr % 64)) & 1;
}

static void test_fd_sets(void **state)
{
	(void)state;
	struct options *o = take("read=1,2");

	assert_int_equal(o->dumps, 1);
	assert_true(has_fd(o->dump_read, 1) && has_fd(o->dump_read, 2));
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), 2);
	assert_int_equal(o->dump_read_other, 0);
	assert_int_equal(count(o->dump_write, DUMP_FD_WORDS), 0);

	o = take("write=3");
	assert_int_equal(o->dumps, 2);
	assert_true(has_fd(o->dump_write, 3));
	assert_int_equal(count(o->dump_write, DUMP_FD_WORDS), 1);
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), 0);

	o = take("read=all");
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), DUMP_FD_WORDS * 64);
	assert_int_equal(o->dump_read_other, 1);

	o = take("write=none");
	assert_int_equal(o->dumps, 2);
	assert_int_equal(count(o->dump_write, DUMP_FD_WORDS), 0);
	assert_int_equal(o->dump_write_other, 0);

	/* negation: every fd but those */
	o = take("read=!1");
	assert_false(has_fd(o->dump_read, 1));
	assert_true(has_fd(o->dump_read, 0) && has_fd(o->dump_read, 2) && has_fd(o->dump_read, 1023));
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), DUMP_FD_WORDS * 64 - 1);
	assert_int_equal(o->dump_read_other, 1);
	o = take("write=!all");
	assert_int_equal(count(o->dump_write, DUMP_FD_WORDS), 0);
	assert_int_equal(o->dump_write_other, 0);
	o = take("write=!none");
	assert_int_equal(count(o->dump_write, DUMP_FD_WORDS), DUMP_FD_WORDS * 64);
	assert_int_equal(o->dump_write_other, 1);
	o = take("read=!!5");
	assert_true(has_fd(o->dump_read, 5));
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), 1);

	/* an fd beyond the bitmap joins the others */
	o = take("read=7,4000");
	assert_true(has_fd(o->dump_read, 7));
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), 1);
	assert_int_equal(o->dump_read_other, 1);
	o = take("read=!4000");
	assert_int_equal(count(o->dump_read, DUMP_FD_WORDS), DUMP_FD_WORDS * 64);
	assert_int_equal(o->dump_read_other, 0);

	/* strace's other spellings */
	assert_true(has_fd(take("reads=4")->dump_read, 4));
	assert_true(has_fd(take("r=4")->dump_read, 4));
	assert_true(has_fd(take("writes=4")->dump_write, 4));
	assert_true(has_fd(take("w=4")->dump_write, 4));

	/* both: the second does not undo the first */
	o = fresh();
	char err[256];
	assert_int_equal(strace_qualifier(o, "read=1", err, sizeof(err)), 1);
	assert_int_equal(strace_qualifier(o, "write=2", err, sizeof(err)), 1);
	assert_int_equal(o->dumps, 3);
	assert_true(has_fd(o->dump_read, 1) && has_fd(o->dump_write, 2));
}

static void test_raw_abbrev_verbose(void **state)
{
	(void)state;
	struct options *o = take("raw=read,write");

	assert_int_equal(o->have_raw, 1);
	assert_true(has_call(o->raw, "read") && has_call(o->raw, "write"));
	assert_false(has_call(o->raw, "openat"));
	o = take("x=!read");
	assert_int_equal(o->have_raw, 1);
	assert_false(has_call(o->raw, "read"));
	assert_true(has_call(o->raw, "openat"));
	o = take("raw=%file");
	assert_true(has_call(o->raw, "openat"));
	assert_false(has_call(o->raw, "getpid"));

	o = take("abbrev=none");
	assert_int_equal(o->have_abbrev, 1);
	assert_int_equal(count(o->abbrev, SCRY_CALL_BITMAP_WORDS), 0);
	o = take("a=execve");
	assert_true(has_call(o->abbrev, "execve"));
	assert_false(has_call(o->abbrev, "read"));

	/* verbose=all is what scry does; anything less is refused */
	o = take("verbose=all");
	o = take("v=all");
	char err[512];
	o = fresh();
	assert_int_equal(strace_qualifier(o, "verbose=read", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-e verbose=read: scry always dereferences"));
}

static void test_quiet(void **state)
{
	(void)state;
	static const struct { const char *expr; int quiet, exit; } cases[] = {
		{ "quiet=attach", 1, 0 },
		{ "quiet=exit", 0, 1 },
		{ "quiet=attach,exit", 1, 1 },
		{ "quiet=all", 1, 1 },
		{ "quiet=none", 0, 0 },
		{ "quiet=!attach", 0, 1 },
		{ "quiet=!all", 0, 0 },
		{ "quiet=personality,path-resolution,thread-execve,superseded", 0, 0 },
		{ "silent=exit", 0, 1 },
		{ "silence=attach", 1, 0 },
		{ "q=exit", 0, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options *o = take(cases[i].expr);

		if (o->quiet != cases[i].quiet || o->quiet_exit != cases[i].exit)
			fail_msg("-e %s: quiet %d exit %d", cases[i].expr, o->quiet, o->quiet_exit);
	}
}

static void test_decode_fds(void **state)
{
	(void)state;
	static const struct { const char *expr; int fd_paths; } cases[] = {
		{ "decode-fds=path", 1 },
		{ "decode-fds=socket", 2 },
		{ "decode-fds=path,socket", 2 },
		{ "decode-fds=all", 2 },
		{ "decode-fds=none", 0 },
		{ "decode-fd=path", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options *o = fresh();
		char err[256];

		o->fd_paths = 7;       /* replaced, whatever it was */
		assert_int_equal(strace_qualifier(o, cases[i].expr, err, sizeof(err)), 1);
		if (o->fd_paths != cases[i].fd_paths)
			fail_msg("-e %s: fd_paths %d", cases[i].expr, o->fd_paths);
	}
}

static void test_errors(void **state)
{
	(void)state;
	static const struct { const char *expr, *why; } bad[] = {
		{ "read=", "empty fd list in -e read=" },
		{ "write=!", "empty fd list in -e write=" },
		{ "read=x", "invalid file descriptor 'x' in -e read=x" },
		{ "read=1,,x", "invalid file descriptor 'x'" },
		{ "write=-1", "invalid file descriptor '-1' in -e write=-1" },
		{ "read=1a", "invalid file descriptor '1a'" },
		{ "read=2147483648", "invalid file descriptor '2147483648'" },
		{ "raw=nosuch", "-e raw=nosuch" },
		{ "abbrev=nosuch", "-e abbrev=nosuch" },
		{ "verbose=!all", "scry always dereferences" },
		{ "quiet=foo", "unknown message kind 'foo' in -e quiet=foo" },
		{ "decode-fds=dev", "scry does not decode 'dev'" },
		{ "decode-fds=pidfd", "scry does not decode 'pidfd'" },
		{ "decode-fds=foo", "unknown fd detail 'foo' in -e decode-fds=foo" },
		{ "kvm=vcpu", "-e kvm=vcpu: scry does not decode KVM vcpu exits" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		int r = strace_qualifier(fresh(), bad[i].expr, err, sizeof(err));

		if (r != -1 || !strstr(err, bad[i].why) || strchr(err, '\n'))
			fail_msg("-e %s: %d '%s' (wanted '%s')", bad[i].expr, r, err, bad[i].why);
	}
}

static void test_not_ours(void **state)
{
	(void)state;
	/* the filter's expressions, left to it (0) and o untouched */
	static const char *const others[] = {
		"trace=read", "read", "signal=SIGINT", "status=failed", "reading=1", "inject=getpid:error=EPERM",
		"", "=1",
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct options *o = fresh();
		struct options zero;
		char err[64] = "";

		memset(&zero, 0, sizeof(zero));
		if (strace_qualifier(o, others[i], err, sizeof(err)) != 0 || memcmp(o, &zero, sizeof(zero)))
			fail_msg("-e %s was taken", others[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_sets),
		cmocka_unit_test(test_raw_abbrev_verbose),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_decode_fds),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_not_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
