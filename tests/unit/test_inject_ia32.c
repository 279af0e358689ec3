/*
 * -e inject= / -e fault= on the i386 calls of an ia32 process (issue 21):
 * a rule naming an i386-only call (_llseek) is applied to that call's
 * i386 number, and syscall=NAME replaces the call by NAME's i386 number.
 *
 * This machine runs no 32-bit code, so the stops are a real 64-bit child's
 * (traced here): its syscall-entry stop is handed to inject_enter() as an
 * ia32 process's _llseek (t->nr SCRY_NR_I386 + 140, t->pers PERS_IA32, as
 * the ptrace backend makes it).  What the rule writes into the child's
 * registers is real: the child sees the injected result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "backend/inject.h"
#include "core/internal.h"
#include "filter/inject.h"
#include "scry/filter.h"

#define I386_LLSEEK 140
#define I386_GETPID 20

/* A child stopped at the entry of its getppid(); it exits with 0 when that
 * call returned -1 with errno want_errno (0: returned want_ret). */
static pid_t child_at_entry(int want_errno, long want_ret)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		errno = 0;
		/* fd -1 in the first argument: where the test replaces the
		 * call by i386 getpid's number, 20, x86_64 runs writev(-1, ...),
		 * which fails without writing */
		long r = syscall(SYS_getppid, -1L, 0L, 0L);
		if (want_errno)
			_exit(r == -1 && errno == want_errno ? 0 : 1);
		_exit(r == want_ret ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	assert_int_equal(ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD), 0);
	/* on to getppid's entry stop, past the calls raise() makes after
	 * the stop */
	for (;;) {
		assert_int_equal(ptrace(PTRACE_SYSCALL, pid, NULL, NULL), 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80));
		long nr = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user_regs_struct, orig_rax), NULL);
		if (nr == SYS_getppid)
			return pid;
		/* another call's entry: run it to its exit stop */
		assert_int_equal(ptrace(PTRACE_SYSCALL, pid, NULL, NULL), 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
	}
}

static int child_status(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static long run_rule_args(const char *qual, const char *spec, long nr32, const uint64_t *args,
			  int want_errno, long want_ret, int *status, unsigned *done);

/* One ia32 call under rule spec: entry and exit stops of the child's call
 * handed to inject_enter()/inject_exit() as i386 call nr32; the number the
 * call was replaced with; the child's exit status in *status. */
static long run_rule(const char *qual, const char *spec, long nr32, int want_errno, long want_ret,
		     int *status, unsigned *done)
{
	return run_rule_args(qual, spec, nr32, NULL, want_errno, want_ret, status, done);
}

/* The same with the call's arguments args (NULL: none). */
static long run_rule_args(const char *qual, const char *spec, long nr32, const uint64_t *args,
			  int want_errno, long want_ret, int *status, unsigned *done)
{
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	char err[256];
	if (scry_inject_parse(&l, &scry_table_x86_64, qual, spec, err, sizeof(err)) < 0)
		fail_msg("-e %s=%s: %s", qual, spec, err);
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.inject = l.v;
	cfg.ninject = l.n;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);

	pid_t pid = child_at_entry(want_errno, want_ret);
	struct tracee t;
	memset(&t, 0, sizeof(t));
	t.tid = t.tgid = pid;
	t.pers = PERS_IA32;
	t.nr = scry_compat_nr(SCRY_AUDIT_ARCH_I386, nr32);
	if (args)
		memcpy(t.args, args, sizeof(t.args));
	struct inject_stop is;
	inject_enter(s, &t, &is);
	long nr = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user_regs_struct, orig_rax), NULL);
	assert_int_equal(ptrace(PTRACE_SYSCALL, pid, NULL, NULL), 0);
	int st = child_status(pid);
	assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80));
	int64_t rval = 0;
	int is_error = 0;
	inject_exit(s, &t, &rval, &is_error, &is);
	*done = t.inj_done;
	assert_int_equal(ptrace(PTRACE_DETACH, pid, NULL, NULL), 0);
	*status = child_status(pid);
	free(t.inj_seen);
	scry_session_free(s);
	scry_inject_list_release(&l);
	return nr;
}

/* -e inject=_llseek:error=EIO: the parser sets _llseek's i386 bit, and an
 * ia32 process's _llseek fails with EIO without running. */
static void test_inject_i386_only_call(void **state)
{
	(void)state;
	int status;
	unsigned done;
	long nr = run_rule("inject", "_llseek:error=EIO", I386_LLSEEK, EIO, 0, &status, &done);
	assert_int_equal(nr, -1);                 /* the kernel ran nothing */
	assert_true(done & SCRY_INJECTED_RESULT);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* the child saw -1 EIO */
}

/* -e fault=_llseek:when=2: the first invocation runs, the second fails
 * with ENOSYS (fault='s default). */
static void test_fault_i386_when(void **state)
{
	(void)state;
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	char err[256];
	assert_int_equal(scry_inject_parse(&l, &scry_table_x86_64, "fault", "_llseek:when=2", err, sizeof(err)), 0);
	long bit = SCRY_FILTER_I386_BASE + I386_LLSEEK;
	assert_true((l.v[0].set[bit / 64] >> (bit % 64)) & 1);
	/* the native calls are left alone: x86_64 140 (getpriority) is not it */
	assert_false((l.v[0].set[140 / 64] >> (140 % 64)) & 1);
	scry_inject_list_release(&l);

	int status;
	unsigned done;
	/* the rule's counts live in the tracee: one run_rule() is one tracee,
	 * so when=1 is the first invocation */
	long nr = run_rule("fault", "_llseek:when=1", I386_LLSEEK, ENOSYS, 0, &status, &done);
	assert_int_equal(nr, -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* when=2 leaves the first alone: the child's getppid runs */
	nr = run_rule("fault", "_llseek:when=2", I386_LLSEEK, 0, getpid(), &status, &done);
	assert_int_equal(nr, SYS_getppid);
	assert_int_equal(done, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* syscall=getpid in an ia32 process: replaced by i386 getpid (20), not by
 * x86_64's getpid number (39, i386 mkdir). */
static void test_inject_syscall_i386_number(void **state)
{
	(void)state;
	int status;
	unsigned done;
	long nr = run_rule("inject", "_llseek:syscall=getpid:retval=7", I386_LLSEEK, 0, 7, &status, &done);
	assert_int_equal(nr, I386_GETPID);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A rule on a native call does not reach the ia32 call of its number. */
static void test_native_rule_not_i386(void **state)
{
	(void)state;
	int status;
	unsigned done;
	long nr = run_rule("inject", "getpriority:error=EIO", I386_LLSEEK, 0, getpid(), &status, &done);
	assert_int_equal(nr, SYS_getppid);
	assert_int_equal(done, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int has_bit(const char *spec, long bit)
{
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	char err[256];
	if (scry_inject_parse(&l, &scry_table_x86_64, "inject", spec, err, sizeof(err)) < 0)
		fail_msg("-e inject=%s: %s", spec, err);
	int r = (int)((l.v[0].set[bit / 64] >> (bit % 64)) & 1);
	scry_inject_list_release(&l);
	return r;
}

/* socketcall: tampered with by its own name; a rule on connect (which an
 * ia32 process makes through socketcall) does not fail every socketcall
 * (send, recv, ...), though -e trace=connect traces socketcall. */
static void test_socketcall_by_name_only(void **state)
{
	(void)state;
	long bit = SCRY_FILTER_I386_BASE + SCRY_I386_SOCKETCALL;
	assert_true(has_bit("socketcall:error=EIO", bit));
	assert_false(has_bit("connect:error=EIO", bit));
	assert_false(has_bit("send:error=EIO", bit));
	assert_false(has_bit("semtimedop:error=EIO", SCRY_FILTER_I386_BASE + SCRY_I386_IPC));
	assert_false(has_bit("%network:error=EIO", bit));
	assert_true(has_bit("_llseek,getpid:error=EIO", SCRY_FILTER_I386_BASE + I386_LLSEEK));
}

/* The calls a rule applies to must stop (--seccomp-bpf): a rule on
 * connect, send or semtimedop adds socketcall or ipc, through which an
 * ia32 process makes them, to the calls that stop; one on open neither. */
static int stops(const char *spec, long bit)
{
	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
	char err[256];
	uint64_t words[SCRY_FILTER_MAX_NR / 64] = { 0 };
	if (scry_inject_parse(&l, &scry_table_x86_64, "inject", spec, err, sizeof(err)) < 0)
		fail_msg("-e inject=%s: %s", spec, err);
	scry_inject_add_sets(&l, words, SCRY_FILTER_MAX_NR / 64);
	scry_inject_list_release(&l);
	return (int)((words[bit / 64] >> (bit % 64)) & 1);
}

static void test_subcall_rules_stop(void **state)
{
	(void)state;
	long sock = SCRY_FILTER_I386_BASE + SCRY_I386_SOCKETCALL, ipc = SCRY_FILTER_I386_BASE + SCRY_I386_IPC;
	assert_true(stops("connect:error=EIO", sock));
	assert_false(stops("connect:error=EIO", ipc));
	assert_true(stops("send:error=EIO", sock));
	assert_true(stops("semtimedop:error=EIO", ipc));
	assert_false(stops("semtimedop:error=EIO", sock));
	assert_false(stops("openat:error=EIO", sock));
	assert_false(stops("openat:error=EIO", ipc));
}

/* A rule on a call an ia32 process makes through socketcall or ipc
 * (connect, send, semtimedop) applies to that call: which call it is
 * (socketcall's first argument) and its arguments (read from the process)
 * are known at entry.  The words are in a page the child shares (mapped
 * before its fork). */
static void test_subcall_rules(void **state)
{
	(void)state;
	uint32_t *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	low[0] = 5, low[1] = (uint32_t)(uintptr_t)(low + 64), low[2] = 16, low[3] = 0;
	const uint64_t connect[6] = { 3 /* SYS_CONNECT */, (uint32_t)(uintptr_t)low };
	const uint64_t send[6] = { 9 /* SYS_SEND */, (uint32_t)(uintptr_t)low };
	const uint64_t semtimedop[6] = { 4 /* SEMTIMEDOP */, 5, 1, 0, (uint32_t)(uintptr_t)(low + 64), 0 };
	int status;
	unsigned done;
	/* connect's rule fails a socketcall's connect, without running it */
	long nr = run_rule_args("inject", "connect:error=ECONNREFUSED", SCRY_I386_SOCKETCALL, connect,
				ECONNREFUSED, 0, &status, &done);
	assert_int_equal(nr, -1);
	assert_true(done & SCRY_INJECTED_RESULT);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* and leaves a socketcall's send alone */
	nr = run_rule_args("inject", "connect:error=ECONNREFUSED", SCRY_I386_SOCKETCALL, send, 0, getpid(),
			   &status, &done);
	assert_int_equal(nr, SYS_getppid);
	assert_int_equal(done, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* send, which i386 has only through socketcall, by its name */
	nr = run_rule_args("inject", "send:error=EPIPE", SCRY_I386_SOCKETCALL, send, EPIPE, 0, &status, &done);
	assert_int_equal(nr, -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* %network: every socketcall's call is in it */
	nr = run_rule_args("fault", "%network:error=EACCES", SCRY_I386_SOCKETCALL, send, EACCES, 0, &status,
			   &done);
	assert_int_equal(nr, -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* ipc's semtimedop by its name */
	nr = run_rule_args("inject", "semtimedop:error=EAGAIN", SCRY_I386_IPC, semtimedop, EAGAIN, 0,
			   &status, &done);
	assert_int_equal(nr, -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* a rule naming socketcall itself still applies */
	nr = run_rule_args("inject", "socketcall:error=EIO", SCRY_I386_SOCKETCALL, connect, EIO, 0, &status,
			   &done);
	assert_int_equal(nr, -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	munmap(low, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_i386_only_call),
		cmocka_unit_test(test_fault_i386_when),
		cmocka_unit_test(test_inject_syscall_i386_number),
		cmocka_unit_test(test_native_rule_not_i386),
		cmocka_unit_test(test_socketcall_by_name_only),
		cmocka_unit_test(test_subcall_rules),
		cmocka_unit_test(test_subcall_rules_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
