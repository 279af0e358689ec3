/*
 * Unit tests for the -e expression language (src/filter/filter.c) and the
 * seccomp program made from it (src/filter/seccomp.c).
 *
 * The seccomp programs are checked twice: by a small classic-BPF
 * interpreter below, against the filter's bitmap for every number, and once
 * for real in a forked child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "filter/filter.h"
#include "filter/seccomp.h"
#include "syscalls/syscalls.h"

static const struct scry_syscall_table *X86 = &scry_table_x86_64;

static long nr_of(const char *name)
{
	long nr = scry_syscall_lookup(X86, name);

	assert_true(nr >= 0);
	return nr;
}

static bool traced(const struct scry_filter *f, const char *name)
{
	return scry_filter_traced(f, nr_of(name));
}

/* A filter on the x86_64 table after the given -e arguments (NULL-ended). */
static void parse_all(struct scry_filter *f, ...)
{
	char err[256];
	va_list ap;
	const char *e;

	scry_filter_init(f, X86);
	va_start(ap, f);
	while ((e = va_arg(ap, const char *))) {
		int rc = scry_filter_parse(f, e, err, sizeof(err));

		if (rc)
			fail_msg("'%s': %s", e, err);
	}
	va_end(ap);
}

static unsigned int count_traced(const struct scry_filter *f)
{
	unsigned int n = 0;

	for (unsigned int nr = 0; nr < X86->ncalls; nr++)
		if (X86->calls[nr].name && scry_filter_traced(f, nr))
			n++;
	return n;
}

static unsigned int count_class(unsigned int bit)
{
	unsigned int n = 0;

	for (unsigned int nr = 0; nr < X86->ncalls; nr++)
		if (X86->calls[nr].name && (X86->calls[nr].classes & bit))
			n++;
	return n;
}

static unsigned int count_names(void)
{
	unsigned int n = 0;

	for (unsigned int nr = 0; nr < X86->ncalls; nr++)
		n += X86->calls[nr].name != NULL;
	return n;
}

static void assert_same_set(const struct scry_filter *a, const struct scry_filter *b)
{
	for (long nr = -1; nr < SCRY_FILTER_MAX_NR + 2; nr++)
		assert_int_equal(scry_filter_traced(a, nr), scry_filter_traced(b, nr));
}

/* ---- defaults ------------------------------------------------------------- */

static void test_default_is_all(void **state)
{
	struct scry_filter f;

	scry_filter_init(&f, X86);
	assert_true(scry_filter_is_all(&f));
	assert_true(scry_filter_traces_all(&f));
	assert_true(traced(&f, "read"));
	assert_true(scry_filter_traced(&f, -1));
	assert_true(scry_filter_traced(&f, 100000));
	assert_true(scry_filter_status_ok(&f, 0, 0));
	assert_true(scry_filter_status_ok(&f, 1, 0));
	assert_true(scry_filter_status_ok(&f, 0, 1));
	assert_true(scry_filter_status_has(&f, SCRY_STATUS_DETACHED));
	for (int sig = 1; sig <= 64; sig++)
		assert_true(scry_filter_signal_ok(&f, sig));
}

/* ---- trace= ----------------------------------------------------------------- */

static void test_names(void **state)
{
	struct scry_filter f;

	parse_all(&f, "trace=open,close", NULL);
	assert_true(traced(&f, "open"));
	assert_true(traced(&f, "close"));
	assert_false(traced(&f, "read"));
	assert_false(traced(&f, "openat"));
	assert_false(scry_filter_traced(&f, -1));
	assert_false(scry_filter_traced(&f, 5000));
	assert_int_equal(count_traced(&f), 2);
	assert_false(scry_filter_is_all(&f));
	assert_false(scry_filter_traces_all(&f));

	/* no qualifier means trace; "t" is short for it */
	parse_all(&f, "openat", NULL);
	assert_true(traced(&f, "openat"));
	assert_int_equal(count_traced(&f), 1);
	parse_all(&f, "t=read", NULL);
	assert_true(traced(&f, "read"));
	assert_int_equal(count_traced(&f), 1);

	/* numbers, as strace accepts them */
	parse_all(&f, "trace=2", NULL);
	assert_true(traced(&f, "open"));
	assert_int_equal(count_traced(&f), 1);

	/* empty items are skipped, as strace's strtok does */
	parse_all(&f, "trace=open,,close,", NULL);
	assert_int_equal(count_traced(&f), 2);

	/* --trace=SPEC */
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_trace_spec(&f, "write", NULL, 0), 0);
	assert_true(traced(&f, "write"));
	assert_int_equal(count_traced(&f), 1);
}

static void test_classes(void **state)
{
	static const char *const pairs[][2] = {
		{ "trace=%file", "trace=file" },
		{ "trace=%network", "trace=network" },
		{ "trace=%net", "trace=network" },
		{ "trace=%process", "trace=process" },
		{ "trace=%memory", "trace=memory" },
		{ "trace=%signal", "trace=signal" },
		{ "trace=%desc", "trace=desc" },
		{ "trace=%ipc", "trace=ipc" },
	};
	struct scry_filter a, b;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		parse_all(&a, pairs[i][0], NULL);
		parse_all(&b, pairs[i][1], NULL);
		assert_same_set(&a, &b);
		assert_true(count_traced(&a) > 0);
	}

	parse_all(&a, "trace=%file", NULL);
	assert_int_equal(count_traced(&a), count_class(SCRY_CLASS_FILE));
	assert_true(traced(&a, "open"));
	assert_true(traced(&a, "openat"));
	assert_true(traced(&a, "stat"));
	assert_false(traced(&a, "read"));
	assert_false(traced(&a, "fstat"));

	parse_all(&a, "trace=%network", NULL);
	assert_true(traced(&a, "connect"));
	assert_true(traced(&a, "socket"));
	assert_false(traced(&a, "open"));

	parse_all(&a, "trace=%%stat", NULL);
	assert_true(traced(&a, "stat"));
	assert_true(traced(&a, "fstat"));
	assert_true(traced(&a, "lstat"));
	assert_true(traced(&a, "newfstatat"));
	assert_true(traced(&a, "statx"));
	assert_false(traced(&a, "statfs"));

	parse_all(&a, "trace=%stat", NULL);
	assert_true(traced(&a, "stat"));
	assert_false(traced(&a, "fstat"));

	parse_all(&a, "trace=%fstat", NULL);
	assert_true(traced(&a, "fstat"));
	assert_true(traced(&a, "newfstatat"));
	assert_false(traced(&a, "stat"));

	parse_all(&a, "trace=%lstat", NULL);
	assert_true(traced(&a, "lstat"));
	assert_int_equal(count_traced(&a), count_class(SCRY_CLASS_LSTAT));

	/* the rest of strace's classes exist and select something */
	static const char *const others[] = {
		"trace=%creds", "trace=%clock", "trace=%statfs", "trace=%fstatfs",
		"trace=%%statfs", "trace=%pure",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		parse_all(&a, others[i], NULL);
		assert_true(count_traced(&a) > 0);
	}
	parse_all(&a, "trace=%pure", NULL);
	assert_true(traced(&a, "getppid"));

	/* a bare "stat" is the syscall, not the class */
	parse_all(&a, "trace=stat", NULL);
	assert_int_equal(count_traced(&a), 1);
}

static void test_negation(void **state)
{
	struct scry_filter f;
	unsigned int names = count_names();

	/* '!' on the whole list */
	parse_all(&f, "trace=!open,close", NULL);
	assert_false(traced(&f, "open"));
	assert_false(traced(&f, "close"));
	assert_true(traced(&f, "read"));
	assert_true(scry_filter_traced(&f, -1));
	assert_true(scry_filter_traced(&f, 9999));
	assert_int_equal(count_traced(&f), names - 2);

	/* only negated items: start from all */
	parse_all(&f, "trace=!close", NULL);
	assert_false(traced(&f, "close"));
	assert_true(traced(&f, "open"));
	assert_int_equal(count_traced(&f), names - 1);

	parse_all(&f, "!%file", NULL);
	assert_false(traced(&f, "open"));
	assert_true(traced(&f, "read"));

	/* the seed's query: file calls except the fstat family */
	parse_all(&f, "trace=file,!/fstat/", NULL);
	assert_true(traced(&f, "openat"));
	assert_true(traced(&f, "open"));
	assert_true(traced(&f, "stat"));
	assert_false(traced(&f, "newfstatat"));
	assert_false(traced(&f, "fstat"));
	assert_false(traced(&f, "read"));
	assert_false(scry_filter_traced(&f, -1));

	/* '!' on the list and on items: everything but (file minus fstat*) */
	parse_all(&f, "trace=!file,!/fstat/", NULL);
	assert_false(traced(&f, "openat"));
	assert_true(traced(&f, "newfstatat"));
	assert_true(traced(&f, "read"));

	/* "!!" negates twice */
	parse_all(&f, "trace=!!open", NULL);
	assert_int_equal(count_traced(&f), 1);
	assert_true(traced(&f, "open"));
}

static void test_regex(void **state)
{
	struct scry_filter f;

	parse_all(&f, "trace=/^read/", NULL);
	assert_true(traced(&f, "read"));
	assert_true(traced(&f, "readv"));
	assert_true(traced(&f, "readlink"));
	assert_true(traced(&f, "readlinkat"));
	assert_false(traced(&f, "pread64"));
	assert_false(traced(&f, "write"));

	/* strace's unterminated form */
	parse_all(&f, "trace=/^(open|close)$", NULL);
	assert_true(traced(&f, "open"));
	assert_true(traced(&f, "close"));
	assert_false(traced(&f, "openat"));
	assert_int_equal(count_traced(&f), 2);

	parse_all(&f, "trace=/stat", NULL);
	assert_true(traced(&f, "stat"));
	assert_true(traced(&f, "statfs"));
	assert_true(traced(&f, "newfstatat"));
	assert_false(traced(&f, "open"));

	parse_all(&f, "trace=!/^rt_sig/", NULL);
	assert_false(traced(&f, "rt_sigaction"));
	assert_true(traced(&f, "read"));
}

static void test_optional(void **state)
{
	struct scry_filter f;
	char err[256];

	parse_all(&f, "trace=?nosuchcall,open", NULL);
	assert_true(traced(&f, "open"));
	assert_int_equal(count_traced(&f), 1);

	parse_all(&f, "trace=?open", NULL);
	assert_true(traced(&f, "open"));

	parse_all(&f, "trace=?%nosuchclass,close", NULL);
	assert_int_equal(count_traced(&f), 1);

	parse_all(&f, "trace=open,!?nosuchcall,!close", NULL);
	assert_int_equal(count_traced(&f), 1);
	assert_true(traced(&f, "open"));

	/* a leading '!' negates the list, so this is all calls */
	parse_all(&f, "trace=!?nosuchcall", NULL);
	assert_true(scry_filter_traces_all(&f));

	/* "fork" exists on x86_64 only */
	scry_filter_init(&f, &scry_table_aarch64);
	assert_int_equal(scry_filter_parse(&f, "trace=?fork,clone", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, scry_syscall_lookup(&scry_table_aarch64, "clone")));
	assert_int_equal(scry_filter_parse(&f, "trace=fork", err, sizeof(err)), -EINVAL);
}

static void test_all_none(void **state)
{
	struct scry_filter f;

	parse_all(&f, "trace=none", NULL);
	assert_int_equal(count_traced(&f), 0);
	assert_false(scry_filter_traced(&f, -1));
	assert_false(scry_filter_traced(&f, 4000));

	parse_all(&f, "trace=all", NULL);
	assert_true(scry_filter_is_all(&f));

	parse_all(&f, "trace=!none", NULL);
	assert_true(scry_filter_traces_all(&f));

	parse_all(&f, "trace=!all", NULL);
	assert_int_equal(count_traced(&f), 0);

	/* "all" and "none" set the whole set, whatever came before */
	parse_all(&f, "trace=open", "trace=all", NULL);
	assert_true(scry_filter_traces_all(&f));
	parse_all(&f, "trace=open", "trace=none", NULL);
	assert_int_equal(count_traced(&f), 0);

	/* as items */
	parse_all(&f, "trace=all,!open", NULL);
	assert_false(traced(&f, "open"));
	assert_true(traced(&f, "read"));
	assert_true(scry_filter_traced(&f, -1));
	parse_all(&f, "trace=none,open", NULL);
	assert_int_equal(count_traced(&f), 1);
}

static void test_combine(void **state)
{
	struct scry_filter f;

	/* later lists add */
	parse_all(&f, "trace=open", "trace=close", NULL);
	assert_true(traced(&f, "open"));
	assert_true(traced(&f, "close"));
	assert_int_equal(count_traced(&f), 2);

	parse_all(&f, "open", "t=open", NULL);
	assert_int_equal(count_traced(&f), 1);

	/* and remove their negated items */
	parse_all(&f, "trace=file", "trace=!/stat/", NULL);
	assert_true(traced(&f, "openat"));
	assert_false(traced(&f, "stat"));
	assert_false(traced(&f, "newfstatat"));
	assert_false(traced(&f, "read"));

	parse_all(&f, "trace=!open", "trace=!close", NULL);
	assert_false(traced(&f, "open"));
	assert_false(traced(&f, "close"));
	assert_true(traced(&f, "read"));

	parse_all(&f, "trace=!open", "trace=open", NULL);
	assert_true(scry_filter_traces_all(&f));

	parse_all(&f, "trace=%network", "trace=read,write", NULL);
	assert_true(traced(&f, "connect"));
	assert_true(traced(&f, "read"));
	assert_false(traced(&f, "open"));

	/* status= and signal= do not touch the syscall set */
	parse_all(&f, "trace=open", "status=failed", "signal=none", NULL);
	assert_int_equal(count_traced(&f), 1);
	/* --trace= combines with -e trace= */
	assert_int_equal(scry_filter_trace_spec(&f, "close", NULL, 0), 0);
	assert_int_equal(count_traced(&f), 2);
}

/* ---- status=, -z, -Z -------------------------------------------------------- */

static void test_status(void **state)
{
	struct scry_filter f;

	parse_all(&f, "status=failed", NULL);
	assert_true(scry_filter_status_ok(&f, 1, 0));
	assert_false(scry_filter_status_ok(&f, 0, 0));
	assert_false(scry_filter_status_ok(&f, 0, 1));
	assert_false(scry_filter_status_ok(&f, 1, 1));
	assert_false(scry_filter_is_all(&f));
	assert_true(scry_filter_traces_all(&f));

	parse_all(&f, "status=successful,unfinished", NULL);
	assert_true(scry_filter_status_ok(&f, 0, 0));
	assert_true(scry_filter_status_ok(&f, 1, 1));
	assert_false(scry_filter_status_ok(&f, 1, 0));
	assert_false(scry_filter_status_has(&f, SCRY_STATUS_UNAVAILABLE));

	parse_all(&f, "status=!failed", NULL);
	assert_false(scry_filter_status_ok(&f, 1, 0));
	assert_true(scry_filter_status_ok(&f, 0, 0));
	assert_true(scry_filter_status_has(&f, SCRY_STATUS_DETACHED));
	assert_true(scry_filter_status_has(&f, SCRY_STATUS_UNAVAILABLE));

	parse_all(&f, "status=unavailable,detached", NULL);
	assert_int_equal(f.status, SCRY_STATUS_UNAVAILABLE | SCRY_STATUS_DETACHED);

	parse_all(&f, "status=none", NULL);
	assert_int_equal(f.status, 0);
	parse_all(&f, "status=failed", "status=all", NULL);
	assert_int_equal(f.status, SCRY_STATUS_ALL);
	assert_true(scry_filter_is_all(&f));

	/* later lists replace */
	parse_all(&f, "status=failed", "status=successful", NULL);
	assert_int_equal(f.status, SCRY_STATUS_SUCCESSFUL);

	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_status_spec(&f, "failed", NULL, 0), 0);
	assert_int_equal(f.status, SCRY_STATUS_FAILED);

	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_set_status_z(&f, 0), 0);       /* -z */
	assert_true(scry_filter_status_ok(&f, 0, 0));
	assert_false(scry_filter_status_ok(&f, 1, 0));
	assert_false(scry_filter_status_ok(&f, 0, 1));
	assert_int_equal(scry_filter_set_status_z(&f, 1), 0);       /* -Z */
	assert_false(scry_filter_status_ok(&f, 0, 0));
	assert_true(scry_filter_status_ok(&f, 1, 0));
	assert_false(scry_filter_status_ok(&f, 0, 1));
}

/* ---- signal= ------------------------------------------------------------------ */

static void test_signals(void **state)
{
	static const char *const usr1[] = {
		"signal=SIGUSR1", "signal=USR1", "signal=10", "signals=SIGUSR1", "s=USR1",
	};
	struct scry_filter f;

	for (size_t i = 0; i < sizeof(usr1) / sizeof(usr1[0]); i++) {
		parse_all(&f, usr1[i], NULL);
		assert_true(scry_filter_signal_ok(&f, SIGUSR1));
		assert_false(scry_filter_signal_ok(&f, SIGUSR2));
		assert_false(scry_filter_signal_ok(&f, SIGCHLD));
		assert_false(scry_filter_signal_ok(&f, 0));
		assert_false(scry_filter_signal_ok(&f, 65));
		assert_true(scry_filter_traces_all(&f));
		assert_false(scry_filter_is_all(&f));
	}

	parse_all(&f, "signal=!SIGCHLD", NULL);
	assert_false(scry_filter_signal_ok(&f, SIGCHLD));
	assert_true(scry_filter_signal_ok(&f, SIGSEGV));
	assert_true(scry_filter_signal_ok(&f, 64));

	parse_all(&f, "signal=SIGSEGV,SIGBUS,SIGRTMIN", NULL);
	assert_true(scry_filter_signal_ok(&f, SIGSEGV));
	assert_true(scry_filter_signal_ok(&f, SIGBUS));
	assert_true(scry_filter_signal_ok(&f, 32));
	assert_false(scry_filter_signal_ok(&f, SIGINT));

	parse_all(&f, "signal=none", NULL);
	assert_int_equal(f.signals, 0);
	assert_false(scry_filter_signal_ok(&f, SIGINT));
	parse_all(&f, "signal=none", "signals=all", NULL);
	assert_true(scry_filter_is_all(&f));
	assert_true(scry_filter_signal_ok(&f, 0));
}

/* ---- errors ---------------------------------------------------------------------- */

static void assert_error(const char *expr, const char *want)
{
	struct scry_filter f, before;
	char err[256];

	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=read", err, sizeof(err)), 0);
	before = f;
	memset(err, 'x', sizeof(err));
	assert_int_equal(scry_filter_parse(&f, expr, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	/* nothing applied half-way */
	assert_memory_equal(&f, &before, sizeof(f));
}

static void test_errors(void **state)
{
	assert_error("trace=opne", "unknown syscall 'opne' in -e trace=opne (did you mean 'open'?)");
	assert_error("opne", "unknown syscall 'opne' in -e opne (did you mean 'open'?)");
	assert_error("trace=open,clsoe", "unknown syscall 'clsoe' in -e trace=open,clsoe (did you mean 'close'?)");
	assert_error("trace=!opne", "unknown syscall 'opne' in -e trace=!opne (did you mean 'open'?)");
	assert_error("trace=!open,opne", "unknown syscall 'opne' in -e trace=!open,opne (did you mean 'open'?)");
	assert_error("trace=openatt", "unknown syscall 'openatt' in -e trace=openatt (did you mean 'openat'?)");
	/* a prefix of a longer name */
	assert_error("trace=clock_nano", "unknown syscall 'clock_nano' in -e trace=clock_nano (did you mean 'clock_nanosleep'?)");
	/* nothing close: no suggestion */
	assert_error("trace=xyzzyplugh", "unknown syscall 'xyzzyplugh' in -e trace=xyzzyplugh");
	assert_error("trace=99999", "unknown syscall '99999' in -e trace=99999");
	assert_error("trace=%foo", "unknown syscall class '%foo' in -e trace=%foo");
	assert_error("trace=open,%foo", "unknown syscall class '%foo' in -e trace=open,%foo");

	/* regerror's text is the C library's */
	{
		regex_t re;
		char msg[128], want[256];
		int rc = regcomp(&re, "[", REG_EXTENDED | REG_NOSUB);

		assert_int_not_equal(rc, 0);
		regerror(rc, &re, msg, sizeof(msg));
		snprintf(want, sizeof(want), "invalid regex '/[/' in -e trace=/[/: %s", msg);
		assert_error("trace=/[/", want);
		snprintf(want, sizeof(want), "invalid regex '/[/' in -e trace=file,!/[/: %s", msg);
		assert_error("trace=file,!/[/", want);
	}

	assert_error("foo=bar", "invalid -e qualifier 'foo' in -e foo=bar");
	assert_error("=open", "invalid -e qualifier '' in -e =open");
	assert_error("abbrev=none", "invalid -e qualifier 'abbrev' in -e abbrev=none");

	assert_error("trace=", "empty syscall list in -e trace= (use trace=none to trace nothing)");
	assert_error("trace=,", "empty syscall list in -e trace=, (use trace=none to trace nothing)");
	assert_error("trace=!", "empty syscall list in -e trace=! (use trace=none to trace nothing)");
	assert_error("trace=open,!", "empty syscall item in -e trace=open,!");
	assert_error("trace=?", "empty syscall item in -e trace=?");
	assert_error("", "empty -e expression (expected, e.g., -e trace=open,close)");

	assert_error("status=sucessful", "unknown status 'sucessful' in -e status=sucessful "
		     "(expected successful, failed, unfinished, unavailable or detached)");
	assert_error("status=", "empty status list in -e status=");
	assert_error("signal=SIGFOO", "unknown signal 'SIGFOO' in -e signal=SIGFOO");
	assert_error("signal=99", "unknown signal '99' in -e signal=99");
}

static void test_errors_other_entry_points(void **state)
{
	struct scry_filter f;
	char err[256], small[16];

	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_trace_spec(&f, "opne", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown syscall 'opne' in --trace=opne (did you mean 'open'?)");
	assert_int_equal(scry_filter_status_spec(&f, "nope", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown status 'nope' in --status=nope "
			    "(expected successful, failed, unfinished, unavailable or detached)");
	assert_true(scry_filter_is_all(&f));

	/* a short or absent buffer is fine */
	assert_int_equal(scry_filter_parse(&f, "trace=opne", small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(scry_filter_parse(&f, "trace=opne", NULL, 0), -EINVAL);
	assert_int_equal(scry_filter_parse(&f, "trace=/[/", NULL, 0), -EINVAL);
	assert_true(scry_filter_is_all(&f));
}

/* ---- seccomp: the generated program, run by a small BPF interpreter ------------- */

/* Kernel checks we rely on: forward jumps inside the program, RET at the end. */
static void bpf_validate(const struct sock_filter *p, unsigned len)
{
	assert_true(len > 0 && len <= BPF_MAXINSNS);
	assert_int_equal(BPF_CLASS(p[len - 1].code), BPF_RET);
	for (unsigned pc = 0; pc < len; pc++) {
		if (BPF_CLASS(p[pc].code) != BPF_JMP)
			continue;
		if (BPF_OP(p[pc].code) == BPF_JA) {
			assert_true(pc + 1 + p[pc].k < len);
		} else {
			assert_true(pc + 1 + p[pc].jt < len);
			assert_true(pc + 1 + p[pc].jf < len);
		}
	}
}

/* The verdict of prog for d; *steps: instructions executed. */
static uint32_t bpf_run(const struct sock_filter *p, unsigned len, const struct seccomp_data *d,
			unsigned *steps)
{
	uint32_t A = 0;
	unsigned pc = 0;

	*steps = 0;
	while (pc < len) {
		const struct sock_filter *i = &p[pc];

		++*steps;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(i->k % 4 == 0 && i->k + 4 <= sizeof(*d));
			memcpy(&A, (const char *)d + i->k, 4);
			pc++;
			break;
		case BPF_JMP | BPF_JA:
			pc += 1 + i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (A == i->k ? i->jt : i->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (A >= i->k ? i->jt : i->jf);
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += 1 + (A > i->k ? i->jt : i->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((A & i->k) ? i->jt : i->jf);
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			fail_msg("unexpected BPF opcode 0x%x at %u", i->code, pc);
		}
	}
	fail_msg("ran off the end of the program");
	return 0;
}

static bool always_traced(const struct scry_syscall_table *t, long nr)
{
	static const char *const names[] = {
		"execve", "execveat", "fork", "vfork", "clone", "clone3", "exit", "exit_group",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (nr >= 0 && scry_syscall_lookup(t, names[i]) == nr)
			return true;
	return false;
}

/* The program for f must agree with f for every number; returns its length. */
static unsigned check_program(const struct scry_filter *f)
{
	const struct scry_syscall_table *t = f->table;
	bool x86 = !strcmp(t->arch, "x86_64");
	uint32_t arch = x86 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
	struct sock_filter *prog;
	struct seccomp_data d;
	unsigned len, steps, max_steps = 0;

	assert_int_equal(scry_filter_seccomp_program(f, &prog, &len), 0);
	bpf_validate(prog, len);

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	for (long nr = -1; nr < SCRY_FILTER_MAX_NR + 64; nr++) {
		bool want = always_traced(t, nr) ||
			(nr < (long)t->ncalls ? scry_filter_traced(f, nr) : f->trace_other);

		if (x86 && nr < 0)
			want = true;            /* x32 range */
		d.nr = (int)nr;
		if (bpf_run(prog, len, &d, &steps) != (want ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW))
			fail_msg("%s: nr %ld: program says %s", t->arch, nr, want ? "allow" : "trace");
		if (steps > max_steps)
			max_steps = steps;
	}
	/* huge numbers are "others" */
	d.nr = 1 << 20;
	assert_int_equal(bpf_run(prog, len, &d, &steps),
			 f->trace_other ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW);
	if (x86) {
		/* x32 calls always stop */
		for (long nr = 0; nr < 600; nr += 7) {
			d.nr = (int)(0x40000000 | nr);
			assert_int_equal(bpf_run(prog, len, &d, &steps), SECCOMP_RET_TRACE);
		}
	}
	/* x86_64: an ia32 process's calls by their i386 numbers, the filter's
	 * bits SCRY_FILTER_I386_BASE + nr; beyond the i386 table they stop */
	if (x86) {
		const struct scry_syscall_table *t32 = &scry_table_i386;

		d.arch = AUDIT_ARCH_I386;
		for (long nr = -1; nr < 600; nr++) {
			bool want = nr < 0 || nr >= (long)t32->ncalls || always_traced(t32, nr) ||
				scry_filter_traced(f, SCRY_FILTER_I386_BASE + nr);

			d.nr = (int)nr;
			if (bpf_run(prog, len, &d, &steps) != (want ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW))
				fail_msg("i386: nr %ld: program says %s", nr, want ? "allow" : "trace");
		}
	}
	/* another ABI (arm on aarch64, anything unknown) always stops */
	d.arch = x86 ? AUDIT_ARCH_ARM : AUDIT_ARCH_I386;
	for (long nr = 0; nr < 500; nr++) {
		d.nr = (int)nr;
		assert_int_equal(bpf_run(prog, len, &d, &steps), SECCOMP_RET_TRACE);
	}
	/* a balanced tree: a short path for every call */
	assert_true(max_steps <= 24);
	free(prog);
	return len;
}

static void test_seccomp_programs(void **state)
{
	static const char *const specs[] = {
		"trace=all", "trace=none", "trace=openat", "trace=file", "trace=!close",
		"trace=%network,read", "trace=file,!/fstat/", "trace=!%file", "trace=%%stat",
		"trace=/^[a-m]/", "trace=getppid",
	};
	/* i386-only names (ia32 processes), alone and with others */
	static const char *const specs_x86[] = {
		"trace=_llseek", "trace=close,mmap2,stat64", "trace=!_llseek", "trace=/64$/",
		"trace=%stat", "trace=!%file",
	};
	const struct scry_syscall_table *tables[] = { &scry_table_x86_64, &scry_table_aarch64 };
	struct scry_filter f;
	char err[256];

	for (size_t ti = 0; ti < 2; ti++) {
		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
			scry_filter_init(&f, tables[ti]);
			assert_int_equal(scry_filter_parse(&f, specs[i], err, sizeof(err)), 0);
			check_program(&f);
		}
	}

	for (size_t i = 0; i < sizeof(specs_x86) / sizeof(specs_x86[0]); i++) {
		scry_filter_init(&f, X86);
		assert_int_equal(scry_filter_parse(&f, specs_x86[i], err, sizeof(err)), 0);
		check_program(&f);
	}

	/* "trace=all" needs no comparisons at all */
	scry_filter_init(&f, X86);
	assert_true(check_program(&f) <= 8);
}

/* What an ia32 process's call does under the program for spec. */
static uint32_t verdict_of(const char *spec, uint32_t arch, int nr)
{
	struct scry_filter f;
	struct sock_filter *prog;
	struct seccomp_data d;
	unsigned len, steps;
	char err[256];
	uint32_t v;

	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, spec, err, sizeof(err)), 0);
	assert_int_equal(scry_filter_seccomp_program(&f, &prog, &len), 0);
	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = nr;
	v = bpf_run(prog, len, &d, &steps);
	free(prog);
	return v;
}

/* Issue 21: an ia32 process's calls are judged by their i386 numbers: its
 * close (6) by "close", not as x86_64's lstat; its _llseek (140) by
 * "_llseek", which x86_64 does not have (140 is getpriority there). */
static void test_seccomp_ia32(void **state)
{
	const uint32_t I386 = AUDIT_ARCH_I386, X = AUDIT_ARCH_X86_64;

	assert_int_equal(verdict_of("trace=close", I386, 6), SECCOMP_RET_TRACE);
	assert_int_equal(verdict_of("trace=close", I386, 3), SECCOMP_RET_ALLOW);   /* read */
	assert_int_equal(verdict_of("trace=close", X, 3), SECCOMP_RET_TRACE);
	assert_int_equal(verdict_of("trace=close", X, 6), SECCOMP_RET_ALLOW);      /* lstat */
	assert_int_equal(verdict_of("trace=_llseek", I386, 140), SECCOMP_RET_TRACE);
	assert_int_equal(verdict_of("trace=_llseek", X, 140), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict_of("trace=_llseek", I386, 19), SECCOMP_RET_ALLOW); /* lseek */
	assert_int_equal(verdict_of("trace=!close", I386, 6), SECCOMP_RET_ALLOW);
	/* socketcall stops for the socket calls it makes */
	assert_int_equal(verdict_of("trace=connect", I386, 102), SECCOMP_RET_TRACE);
	assert_int_equal(verdict_of("trace=close", I386, 102), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict_of("trace=!close", I386, 140), SECCOMP_RET_TRACE);
	/* the calls that follow processes stop whatever the filter says */
	assert_int_equal(verdict_of("trace=close", I386, 11), SECCOMP_RET_TRACE);  /* execve */
	assert_int_equal(verdict_of("trace=close", I386, 252), SECCOMP_RET_TRACE); /* exit_group */
	assert_int_equal(verdict_of("trace=close", I386, 120), SECCOMP_RET_TRACE); /* clone */
	/* beyond the i386 table: the tracer decides */
	assert_int_equal(verdict_of("trace=close", I386, 5000), SECCOMP_RET_TRACE);
	assert_int_equal(verdict_of("trace=close", I386, -1), SECCOMP_RET_TRACE);
}

/* The filter: names and classes select i386 calls by their i386 numbers
 * (bit SCRY_FILTER_I386_BASE + nr), which the engine uses for ia32 calls
 * without an x86_64 twin (scry_call.nr SCRY_NR_I386 + nr). */
static void test_trace_ia32(void **state)
{
	struct scry_filter f;
	char err[256];

	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=_llseek,close", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 140));
	assert_true(scry_filter_traced(&f, SCRY_FILTER_I386_BASE + 6));   /* i386 close */
	assert_true(scry_filter_traced(&f, 3));                           /* x86_64 close */
	assert_false(scry_filter_traced(&f, 140));                        /* getpriority */
	assert_false(scry_filter_traced(&f, SCRY_NR_I386 + 192));         /* mmap2 */
	assert_false(scry_filter_traced(&f, SCRY_NR_I386 + 3));           /* i386 read */
	/* a class: stat64 is %stat, _llseek is not */
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=%stat", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 195));
	assert_false(scry_filter_traced(&f, SCRY_NR_I386 + 140));
	/* negated: everything else, i386 calls included */
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=!_llseek", err, sizeof(err)), 0);
	assert_false(scry_filter_traced(&f, SCRY_NR_I386 + 140));
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 192));
	assert_true(scry_filter_traced(&f, 140));
	/* a regex */
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=/^mmap/", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 192));
	assert_true(scry_filter_traced(&f, 9));
	/* an ia32 process's socketcall is traced when a socket call it makes
	 * (shown by that call's name) is */
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=connect", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 102));
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=close", err, sizeof(err)), 0);
	assert_false(scry_filter_traced(&f, SCRY_NR_I386 + 102));
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=!connect", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 102));   /* socket, bind, ... */
	scry_filter_init(&f, X86);
	assert_int_equal(scry_filter_parse(&f, "trace=%network", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + 102));
	/* aarch64 has no i386 calls: the name is unknown there */
	scry_filter_init(&f, &scry_table_aarch64);
	assert_int_equal(scry_filter_parse(&f, "trace=_llseek", err, sizeof(err)), -EINVAL);
}

/* Every other number (the most ranges possible) and random sets. */
static void test_seccomp_worst_cases(void **state)
{
	const struct scry_syscall_table *tables[] = { &scry_table_x86_64, &scry_table_aarch64 };
	size_t cap = 8 * 1024;
	char *spec = malloc(cap), err[256];
	struct scry_filter f;
	uint32_t rnd = 12345;

	assert_non_null(spec);
	for (size_t ti = 0; ti < 2; ti++) {
		const struct scry_syscall_table *t = tables[ti];

		for (int round = 0; round < 22; round++) {
			size_t n = (size_t)snprintf(spec, cap, "trace=%s", round == 1 ? "!" : "");
			bool any = false;

			for (unsigned nr = 0; nr < t->ncalls; nr++) {
				bool in;

				if (!t->calls[nr].name)
					continue;
				if (round < 2) {
					in = nr % 2;
				} else {
					rnd = rnd * 1103515245u + 12345u;
					in = (rnd >> 16) % (round % 5 + 2) == 0;
				}
				if (!in)
					continue;
				n += (size_t)snprintf(spec + n, cap - n, "%s%u", any ? "," : "", nr);
				any = true;
				assert_true(n < cap);
			}
			scry_filter_init(&f, t);
			if (scry_filter_parse(&f, spec, err, sizeof(err)))
				fail_msg("%s", err);
			assert_true(check_program(&f) < 1500);
		}
	}
	free(spec);
}

/* ---- seccomp: for real --------------------------------------------------------- */

static void test_seccomp_install(void **state)
{
	struct scry_filter f;
	struct sock_filter *prog;
	unsigned len;
	int fds[2], res[4] = { -1, -1, -1, -1 }, status;
	char err[256];
	pid_t pid;
	ssize_t n;

	scry_filter_init(&f, scry_native_table());
	assert_int_equal(scry_filter_parse(&f, "trace=getppid", err, sizeof(err)), 0);
	assert_int_equal(scry_filter_seccomp_program(&f, &prog, &len), 0);
	assert_int_equal(pipe(fds), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Without a tracer, SECCOMP_RET_TRACE fails the call with ENOSYS. */
		int out[4] = { 0, -1, -1, -1 };

		close(fds[0]);
		out[0] = scry_filter_seccomp_install(prog, len);
		if (out[0] == 0) {
			errno = 0;
			out[1] = syscall(SYS_getppid) == -1 ? errno : 0;
			errno = 0;
			out[2] = syscall(SYS_getpid) > 0 ? 0 : errno;
			/* always traced, so it fails too and we get to report */
			errno = 0;
			out[3] = syscall(SYS_exit_group, 7) == -1 ? errno : 0;
		}
		if (write(fds[1], out, sizeof(out)) != (ssize_t)sizeof(out))
			syscall(SYS_kill, syscall(SYS_getpid), SIGABRT);
		/* exit and exit_group stop for the tracer, and there is none */
		syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
		for (;;)
			pause();
	}
	free(prog);
	close(fds[1]);
	n = read(fds[0], res, sizeof(res));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(n, sizeof(res));
	if (res[0] == -ENOSYS || res[0] == -EINVAL || res[0] == -EACCES) {
		skip();   /* no seccomp filters here */
	}
	assert_int_equal(res[0], 0);
	assert_int_equal(res[1], ENOSYS);  /* getppid: traced */
	assert_int_equal(res[2], 0);       /* getpid: allowed */
	assert_int_equal(res[3], ENOSYS);  /* exit_group: always traced */
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void test_seccomp_install_errors(void **state)
{
	struct sock_filter one = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	assert_int_equal(scry_filter_seccomp_install(&one, 0), -EINVAL);
	assert_int_equal(scry_filter_seccomp_install(&one, BPF_MAXINSNS + 1), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_all),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_optional),
		cmocka_unit_test(test_all_none),
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_errors_other_entry_points),
		cmocka_unit_test(test_seccomp_programs),
		cmocka_unit_test(test_seccomp_ia32),
		cmocka_unit_test(test_trace_ia32),
		cmocka_unit_test(test_seccomp_worst_cases),
		cmocka_unit_test(test_seccomp_install),
		cmocka_unit_test(test_seccomp_install_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
