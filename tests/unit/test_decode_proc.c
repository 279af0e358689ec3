/*
 * Unit tests for the memory, process and signal decoders: calls decoded on
 * buffers of this process (process_vm_readv works on one's own pid),
 * rendered to strace text and checked in their typed form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include <cmocka.h>

#include "decode/decode.h"

static decoder_fn *table;

static int setup(void **state)
{
	table = decoders_build(scry_native_table());
	return table ? 0 : -1;
}

static int teardown(void **state)
{
	free(table);
	return 0;
}

struct call {
	struct scry_values vs;
	struct strbuf text;
	struct dctx d;
	uint64_t args[6];
};

/* Decodes name(args) at entry and, when asked for, at exit with ret;
 * renders the whole argument list into c->text. */
static void decode(struct call *c, const char *name, int64_t ret, int failed,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const struct scry_syscall_table *t = scry_native_table();
	long nr = scry_syscall_lookup(t, name);
	assert_true(nr >= 0);
	memset(c, 0, sizeof(*c));
	struct scry_values init = SCRY_VALUES_INIT;
	c->vs = init;
	strbuf_init(&c->text, 0);
	uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	memcpy(c->args, a, sizeof(a));
	c->d.pid = c->d.tid = getpid();
	c->d.nr = nr;
	c->d.info = scry_syscall_get(t, nr);
	c->d.args = c->args;
	c->d.limit = 32;
	c->d.out = &c->vs;
	if (table[nr](&c->d) == DEC_MORE) {
		c->d.exiting = 1;
		c->d.ret = failed ? -ret : ret;
		c->d.failed = failed;
		table[nr](&c->d);
	}
	render_text_list(&c->text, &c->vs, 0, 1);
}

static void release(struct call *c)
{
	scry_values_release(&c->vs);
	strbuf_release(&c->text);
}

#define U(x) ((uint64_t)(uintptr_t)(x))

static void expect(const char *name, int64_t ret, int failed, const char *want,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct call c;
	decode(&c, name, ret, failed, a0, a1, a2, a3, a4, a5);
	assert_string_equal(c.text.buf, want);
	release(&c);
}

/* ---- memory ---- */

static void test_mmap(void **state)
{
	expect("mmap", 0, 0, "NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0",
	       0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	expect("mmap", 0, 0, "NULL, 4096, PROT_READ, MAP_SHARED|MAP_POPULATE, 3, 0x1000",
	       0, 4096, PROT_READ, MAP_SHARED | MAP_POPULATE, 3, 4096);
	expect("mmap", 0, 0, "NULL, 4096, PROT_NONE, MAP_SHARED_VALIDATE|MAP_SYNC, 3, 0",
	       0, 4096, 0, 0x03 | 0x80000, 3, 0);
	expect("mmap", 0, 0, "0x10000, 4096, 0x80 /* PROT_??? */, MAP_PRIVATE|MAP_ANONYMOUS|1<<MAP_HUGE_SHIFT, -1, 0",
	       0x10000, 4096, 0x80, 0x4000000 | MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	expect("mmap", 0, 0, "NULL, 4096, PROT_READ, 0xf /* MAP_??? */|MAP_ANONYMOUS, -1, 0",
	       0, 4096, PROT_READ, 0x0f | MAP_ANONYMOUS, (uint64_t)-1, 0);
	expect("mmap", 0, 0, "NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|0xf0, MAP_FILE, -1, 0",
	       0, 4096, 0xff, 0, (uint64_t)-1, 0);

	/* The typed form: prot is a FLAGS value with its table. */
	struct call c;
	decode(&c, "mmap", 0, 0, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, 5, 0);
	assert_int_equal(c.vs.n, 6);
	assert_int_equal(c.vs.v[2].type, SCRY_V_FLAGS);
	assert_string_equal(c.vs.v[2].name, "prot");
	assert_int_equal(c.vs.v[2].u, PROT_READ | PROT_EXEC);
	assert_int_equal(c.vs.v[4].type, SCRY_V_FD);
	assert_int_equal(c.vs.v[4].i, 5);
	assert_int_equal(c.d.rfmt, R_HEX);
	release(&c);
}

static void test_mem_misc(void **state)
{
	expect("munmap", 0, 0, "0x7f0000000000, 41723", 0x7f0000000000, 41723, 0, 0, 0, 0);
	expect("mprotect", 0, 0, "0x1000, 4096, PROT_NONE", 0x1000, 4096, 0, 0, 0, 0);
	expect("mprotect", 0, 0, "NULL, 4096, 0x10 /* PROT_??? */", 0, 4096, 0x10, 0, 0, 0);
	expect("madvise", 0, 0, "0x1000, 4096, MADV_DONTNEED", 0x1000, 4096, MADV_DONTNEED, 0, 0, 0);
	expect("madvise", 0, 0, "NULL, 4096, 0xffffffff /* MADV_??? */", 0, 4096, (uint64_t)-1, 0, 0, 0);
	expect("mlock2", 0, 0, "0x1000, 4096, MLOCK_ONFAULT", 0x1000, 4096, 1, 0, 0, 0);
	expect("mlock2", 0, 0, "NULL, 0, 0x6 /* MLOCK_??? */", 0, 0, 6, 0, 0, 0);
	expect("mlockall", 0, 0, "MCL_CURRENT|MCL_FUTURE", MCL_CURRENT | MCL_FUTURE, 0, 0, 0, 0, 0);
	expect("msync", 0, 0, "0x1000, 4096, MS_SYNC|MS_INVALIDATE", 0x1000, 4096, MS_SYNC | MS_INVALIDATE, 0, 0, 0);
	expect("msync", 0, 0, "NULL, 4096, MS_ASYNC|0xf0", 0, 4096, 0xf1, 0, 0, 0);
	expect("mremap", 0, 0, "0x1000, 8192, 16384, MREMAP_MAYMOVE", 0x1000, 8192, 16384, MREMAP_MAYMOVE, 0, 0);
	expect("mremap", 0, 0, "NULL, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP, 0x1234",
	       0, 4096, 8192, 7, 0x1234, 0);
	expect("mremap", 0, 0, "NULL, 4096, 8192, 0x8 /* MREMAP_??? */", 0, 4096, 8192, 8, 0x1234, 0);
	expect("brk", 0, 0, "NULL", 0, 0, 0, 0, 0, 0);

	unsigned char vec[3] = { 1, 0, 0x81 };
	expect("mincore", 0, 0, "0x1000, 12288, [1, 0, 1]", 0x1000, 12288, U(vec), 0, 0, 0);
	expect("mincore", 22, 1, "0x1, 8192, 0x2", 1, 8192, 2, 0, 0, 0);
}

/* ---- signals ---- */

struct k_sigaction {
	uint64_t handler, flags, restorer, mask;
};

static uint64_t sigbit(int sig)
{
	return 1ull << (sig - 1);
}

static void test_rt_sigaction(void **state)
{
	struct k_sigaction act = { 0x55000001234, SA_RESTART | 0x04000000, 0x7f0000005678, 0 };
	struct k_sigaction old = { 0, 0, 0, 0 };
	expect("rt_sigaction", 0, 0,
	       "SIGINT, {sa_handler=0x55000001234, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0000005678}, "
	       "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8",
	       SIGINT, U(&act), U(&old), 8, 0, 0);
	act.handler = 1;
	act.flags = SA_SIGINFO | SA_NOCLDSTOP;
	act.mask = sigbit(SIGTERM) | sigbit(35);
	expect("rt_sigaction", 0, 0, "SIGUSR1, {sa_handler=SIG_IGN, sa_mask=[TERM RT_3], sa_flags=SA_SIGINFO|SA_NOCLDSTOP}, NULL, 8",
	       SIGUSR1, U(&act), 0, 8, 0, 0);
	/* Unreadable memory gives the address; a failed call its old pointer. */
	expect("rt_sigaction", 14, 1, "SIGTERM, 0x1, 0x2, 8", SIGTERM, 1, 2, 8, 0, 0);
	expect("rt_sigaction", 22, 1, "99, NULL, NULL, 8", 99, 0, 0, 8, 0, 0);

	struct call c;
	decode(&c, "rt_sigaction", 0, 0, SIGINT, U(&act), 0, 8, 0, 0);
	assert_int_equal(c.vs.v[0].type, SCRY_V_ENUM);
	assert_int_equal(c.vs.v[0].i, SIGINT);
	assert_int_equal(c.vs.v[1].type, SCRY_V_STRUCT);
	assert_string_equal(c.vs.v[1].name, "act");
	assert_int_equal(c.vs.v[1].count, 3);
	assert_string_equal(c.vs.v[4].name, "sa_flags");
	assert_int_equal(c.vs.v[4].type, SCRY_V_FLAGS);
	release(&c);
}

static void test_rt_sigprocmask(void **state)
{
	uint64_t set = sigbit(SIGINT) | sigbit(SIGTERM), old = 0;
	expect("rt_sigprocmask", 0, 0, "SIG_BLOCK, [INT TERM], [], 8", SIG_BLOCK, U(&set), U(&old), 8, 0, 0);
	uint64_t full = ~0ull & ~sigbit(32) & ~sigbit(33);
	expect("rt_sigprocmask", 0, 0, "SIG_SETMASK, ~[RTMIN RT_1], NULL, 8", SIG_SETMASK, U(&full), 0, 8, 0, 0);
	expect("rt_sigprocmask", 0, 0, "0x7 /* SIG_??? */, NULL, NULL, 8", 7, 0, 0, 8, 0, 0);
	expect("rt_sigprocmask", 14, 1, "SIG_BLOCK, 0x1, 0x2, 8", SIG_BLOCK, 1, 2, 8, 0, 0);
	expect("rt_sigprocmask", 22, 1, "SIG_BLOCK, 0x1000, NULL, 16", SIG_BLOCK, 0x1000, 0, 16, 0, 0);
	uint64_t usr2 = sigbit(SIGUSR2);
	expect("rt_sigpending", 0, 0, "[USR2], 8", U(&usr2), 8, 0, 0, 0, 0);
	expect("rt_sigsuspend", 0, 0, "[], 8", U(&old), 8, 0, 0, 0, 0);
}

static void test_sigaltstack_signalfd(void **state)
{
	stack_t ss = { .ss_sp = (void *)0x5600000, .ss_flags = 0, .ss_size = 65536 };
	stack_t os = { .ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0 };
	expect("sigaltstack", 0, 0, "{ss_sp=0x5600000, ss_flags=0, ss_size=65536}, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}",
	       U(&ss), U(&os), 0, 0, 0, 0);
	uint64_t hup = sigbit(SIGHUP);
	expect("signalfd4", 3, 0, "-1, [HUP], 8, SFD_CLOEXEC|SFD_NONBLOCK", (uint64_t)-1, U(&hup), 8, 02000000 | 04000, 0, 0);
}

static void test_sigtimedwait(void **state)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR2;
	si.si_code = SI_TKILL;
	si.si_pid = 42;
	si.si_uid = 0;
	struct { int64_t s, ns; } ts = { 0, 1000 };
	uint64_t set = sigbit(SIGUSR2);
	struct call c;
	decode(&c, "rt_sigtimedwait", SIGUSR2, 0, U(&set), U(&si), U(&ts), 8, 0, 0);
	assert_string_equal(c.text.buf,
			    "[USR2], {si_signo=SIGUSR2, si_code=SI_TKILL, si_pid=42, si_uid=0}, {tv_sec=0, tv_nsec=1000}, 8");
	assert_int_equal(c.d.rfmt, R_ENUM);
	release(&c);
}

/* ---- process ---- */

static void test_clone(void **state)
{
	int ptid = 321;
	const struct scry_syscall_info *info = scry_syscall_get(scry_native_table(),
								 scry_syscall_lookup(scry_native_table(), "clone"));
	int tls_third = !strcmp(info->argnames[3], "tls");
	uint64_t ctid = 0x7f0000000a10, tls = 0;
	expect("clone", 123, 0, "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10",
	       CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD, 0, 0,
	       tls_third ? tls : ctid, tls_third ? ctid : tls, 0);
	expect("clone", 0, 0, "child_stack=NULL, flags=CLONE_SETTLS|CLONE_PARENT_SETTID|SIGCHLD, parent_tid=[321], tls=NULL",
	       CLONE_SETTLS | CLONE_PARENT_SETTID | SIGCHLD, 0, U(&ptid), 0, 0, 0);
	expect("clone", 22, 1, "child_stack=NULL, flags=CLONE_THREAD", CLONE_THREAD, 0, 0, 0, 0, 0);
	expect("clone", 22, 1, "child_stack=0x1000, flags=0", 0, 0x1000, 0, 0, 0, 0);

	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_VFORK;
	ca.exit_signal = SIGCHLD;
	expect("clone3", 77, 0, "{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 88",
	       U(&ca), 88, 0, 0, 0, 0);
	int pidfd = 3;
	ca.flags = CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
	ca.pidfd = U(&pidfd);
	char want[256];
	snprintf(want, sizeof(want), "{flags=CLONE_PIDFD|CLONE_CLEAR_SIGHAND, pidfd=%p, exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3]}, 88",
		 (void *)&pidfd);
	expect("clone3", 77, 0, want, U(&ca), 88, 0, 0, 0, 0);
	expect("clone3", 14, 1, "0x1, 88", 1, 88, 0, 0, 0, 0);
}

static void test_wait(void **state)
{
	int st = 3 << 8;
	char want[128];
	expect("wait4", 5, 0, "22439, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL", 22439, U(&st), 0, 0, 0, 0);
	st = SIGKILL;
	expect("wait4", 5, 0, "-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], __WALL, NULL", (uint64_t)-1, U(&st), __WALL, 0, 0, 0);
	st = SIGABRT | 0x80;
	expect("wait4", 5, 0, "5, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT && WCOREDUMP(s)}], 0, NULL", 5, U(&st), 0, 0, 0, 0);
	st = (SIGSTOP << 8) | 0x7f;
	expect("wait4", 5, 0, "5, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL", 5, U(&st), WUNTRACED, 0, 0, 0);
	snprintf(want, sizeof(want), "5, %p, WNOHANG|__WALL, NULL", (void *)&st);
	expect("wait4", 0, 0, want, 5, U(&st), WNOHANG | __WALL, 0, 0, 0);
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_usec = 165;
	st = 0;
	expect("wait4", 5, 0, "5, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, {ru_utime={tv_sec=0, tv_usec=165}, ru_stime={tv_sec=0, tv_usec=0}, ...}",
	       5, U(&st), 0, U(&ru), 0, 0);

	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 7;
	expect("waitid", 0, 0, "P_PID, 7, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7, si_uid=0, si_status=0, si_utime=0, si_stime=0}, WEXITED|WNOWAIT, NULL",
	       P_PID, 7, U(&si), WEXITED | WNOWAIT, 0, 0);
	expect("waitid", 9, 1, "P_PIDFD, 0, NULL, WNOHANG|WEXITED, NULL", 3, 0, 0, WEXITED | WNOHANG, 0, 0);
}

static void test_kill_prctl(void **state)
{
	expect("kill", 0, 0, "22940, SIGKILL", 22940, SIGKILL, 0, 0, 0, 0);
	expect("kill", 0, 0, "0, 0", 0, 0, 0, 0, 0, 0);
	expect("tgkill", 0, 0, "1, 2, SIGRT_8", 1, 2, 40, 0, 0, 0);
	expect("prctl", 0, 0, "PR_SET_NAME, \"hello\"", 15, U("hello"), 0, 0, 0, 0);
	char name[16] = "worker";
	expect("prctl", 0, 0, "PR_GET_NAME, \"worker\"", 16, U(name), 0, 0, 0, 0);
	expect("prctl", 0, 0, "PR_SET_PDEATHSIG, SIGTERM", 1, SIGTERM, 0, 0, 0, 0);
	int sig = SIGTERM;
	expect("prctl", 0, 0, "PR_GET_PDEATHSIG, [SIGTERM]", 2, U(&sig), 0, 0, 0, 0);
	expect("prctl", 0, 0, "PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0", 38, 1, 0, 0, 0, 0);
	expect("prctl", 0, 0, "PR_CAPBSET_READ, CAP_KILL", 23, 5, 0, 0, 0, 0);
	expect("prctl", 22, 1, "0x270f /* PR_??? */, 0x1, 0x2, 0x3, 0x4", 9999, 1, 2, 3, 4, 0);
	expect("prctl", 14, 1, "PR_SET_NAME, 0x1", 15, 1, 0, 0, 0, 0);
}

static void test_creds_limits(void **state)
{
	expect("setresuid", 0, 0, "-1, -1, -1", (uint32_t)-1, (uint32_t)-1, (uint32_t)-1, 0, 0, 0);
	expect("setuid", 0, 0, "1000", 1000, 0, 0, 0, 0, 0);
	uint32_t r = 0, e = 1000, s = 0;
	expect("getresuid", 0, 0, "[0], [1000], [0]", U(&r), U(&e), U(&s), 0, 0, 0);
	uint32_t gs[2] = { 4, 27 };
	expect("getgroups", 2, 0, "8, [4, 27]", 8, U(gs), 0, 0, 0, 0);
	expect("setgroups", 0, 0, "0, []", 0, U(gs), 0, 0, 0, 0);

	uint64_t rl[2] = { 8192 * 1024, ~0ull };
	expect("prlimit64", 0, 0, "0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}",
	       0, RLIMIT_STACK, 0, U(rl), 0, 0);
	rl[0] = rl[1] = 20000;
	expect("prlimit64", 0, 0, "0, RLIMIT_NOFILE, {rlim_cur=20000, rlim_max=20000}, NULL",
	       0, RLIMIT_NOFILE, U(rl), 0, 0, 0);
	rl[0] = 1024;
	rl[1] = 2048;
	expect("setrlimit", 0, 0, "RLIMIT_CORE, {rlim_cur=1024, rlim_max=2*1024}", RLIMIT_CORE, U(rl), 0, 0, 0, 0);
	expect("prctl", 22, 1, "PR_SET_PTRACER, PR_SET_PTRACER_ANY", 0x59616d61, 0xffffffff, 0, 0, 0, 0);
	expect("prlimit64", 22, 1, "0, 0x4d /* RLIMIT_??? */, NULL, 0x1000", 0, 77, 0, 0x1000, 0, 0);

	rl[0] = rl[1] = 20000;
	struct call c;
	decode(&c, "prlimit64", 0, 0, 0, RLIMIT_NOFILE, 0, U(rl), 0, 0);
	assert_int_equal(c.vs.v[1].type, SCRY_V_ENUM);
	assert_int_equal(c.vs.v[1].i, RLIMIT_NOFILE);
	assert_int_equal(c.vs.v[3].type, SCRY_V_STRUCT);
	assert_string_equal(c.vs.v[3].name, "old_limit");
	assert_int_equal(c.vs.v[4].type, SCRY_V_UINT);
	assert_int_equal(c.vs.v[4].u, 20000);
	release(&c);
}

static void test_sched(void **state)
{
	unsigned char mask[128] = { 3 };
	expect("sched_getaffinity", 32, 0, "0, 128, [0 1]", 0, 128, U(mask), 0, 0, 0);
	expect("sched_setaffinity", 0, 0, "0, 128, [0 1]", 0, 128, U(mask), 0, 0, 0);
	int prio = 0;
	expect("sched_setscheduler", 0, 0, "0, SCHED_BATCH, [0]", 0, SCHED_BATCH, U(&prio), 0, 0, 0);
	expect("sched_setscheduler", 0, 0, "0, 0x40000000 /* SCHED_??? */, [0]", 0, 0x40000000, U(&prio), 0, 0, 0);
	expect("sched_get_priority_max", 99, 0, "SCHED_FIFO", SCHED_FIFO, 0, 0, 0, 0, 0);
	expect("set_robust_list", 0, 0, "0x1234, 24", 0x1234, 24, 0, 0, 0, 0);
	expect("rseq", 0, 0, "0x7f0000000060, 0x20, 0, 0x53053053", 0x7f0000000060, 0x20, 0, 0x53053053, 0, 0);
#if defined(__x86_64__)
	uint64_t fs = 0x7f810d1fc740;
	expect("arch_prctl", 0, 0, "ARCH_GET_FS, [0x7f810d1fc740]", 0x1003, U(&fs), 0, 0, 0, 0);
	expect("arch_prctl", 0, 0, "ARCH_SET_FS, 0x7f810d1fc740", 0x1002, fs, 0, 0, 0, 0);
	expect("arch_prctl", 22, 1, "0x3001 /* ARCH_??? */, 0", 0x3001, 0, 0, 0, 0, 0);
#endif
}

static void test_exit_keeps_none(void **state)
{
	struct call c;
	decode(&c, "exit_group", 0, 0, 0, 0, 0, 0, 0, 0);
	assert_string_equal(c.text.buf, "0");
	assert_int_equal(c.d.rfmt, R_NONE);
	release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_mem_misc),
		cmocka_unit_test(test_rt_sigaction),
		cmocka_unit_test(test_rt_sigprocmask),
		cmocka_unit_test(test_sigaltstack_signalfd),
		cmocka_unit_test(test_sigtimedwait),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_kill_prctl),
		cmocka_unit_test(test_creds_limits),
		cmocka_unit_test(test_sched),
		cmocka_unit_test(test_exit_keeps_none),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
