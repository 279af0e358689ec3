/*
 * Unit tests of the bpf backend's trace mode (src/bpf/bpf_trace.c,
 * src/bpf/systrace.bpf.c).  They need root (or CAP_BPF + CAP_PERFMON),
 * kernel BTF and a build with the systrace skeleton; elsewhere every test
 * but the pure one (scry_bpf_call_read) is skipped with the reason.
 *
 * Workloads run in children: either this binary again (/proc/self/exe
 * --child NAME, through scry_bpf_trace_launch(), traced from its execve)
 * or forked children that wait on a pipe until their pid is traced.  The
 * calls they make through syscall(2) are known exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "bpf/bpf_trace.h"

enum { N_GETPPID = 500, N_STORM = 100000, N_GRANDCHILD = 77 };

static char skip_reason[256];
static int can_trace;

/* ---- workloads (run in children) ---- */

/* open /etc/hostname, read it, write "hello" to /dev/null, connect a UDP
 * socket to 127.0.0.1:9, N_GETPPID getppid, exit(3) */
static void known_calls(void)
{
	struct sockaddr_in sin;
	char buf[64];
	long fd, s;

	fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	if (fd >= 0) {
		if (syscall(SYS_read, fd, buf, sizeof(buf)) < 0)
			_exit(10);
		syscall(SYS_close, fd);
	}
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY);
	if (syscall(SYS_write, fd, "hello", 5) != 5)
		_exit(11);
	s = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (syscall(SYS_connect, s, &sin, sizeof(sin)))
		_exit(12);
	for (int i = 0; i < N_GETPPID; i++)
		syscall(SYS_getppid);
	syscall(SYS_exit_group, 3);
}

static void storm(void)
{
	for (int i = 0; i < N_STORM; i++)
		syscall(SYS_getppid);
}

static void grandchild(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < N_GRANDCHILD; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * The stack workload: getppid with a marker on the stack, its address in
 * the first argument register and the case in the second (the kernel
 * ignores getppid's arguments).  Case 1 on the main thread below a 20 KB
 * frame (more stack above sp than any copy takes); case 2 on a thread
 * whose stack is a mapping of ours with a hole after it: its end, in the
 * third argument, is where the copy must stop; case 3 on that thread
 * below a frame whose pages were never touched, its caller's marker's
 * address in the third argument: the copy goes on past the hole.
 */
#define STACK_MAGIC 0x5c12a7ac4u
enum { STK_DEEP = 1, STK_SHORT = 2, STK_HOLE = 3, STK_THREAD_BYTES = 64 * 1024 };

static __attribute__((noinline, no_sanitize("address"))) void stack_call(long which, uint64_t end,
									  long extra)
{
	volatile uint64_t marker = STACK_MAGIC;

	syscall(SYS_getppid, &marker, which, end, extra);
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void deep_frame(void)
{
	volatile char pad[20000];

	for (size_t i = 0; i < sizeof(pad); i += 512)	/* every page present */
		pad[i] = 1;
	stack_call(STK_DEEP, 0, 0);
	__asm__ volatile("" : : "r"(pad) : "memory");
}

/* A frame with three pages it never touches, between the call and its
 * caller's marker (on a fresh stack: those pages are not present; not
 * instrumented, so that ASan keeps the array on this stack, untouched). */
static __attribute__((noinline, no_sanitize("address"))) void hole_frame(uint64_t caller_marker)
{
	volatile char pad[3 * 4096];

	uintptr_t page = (uintptr_t)(caller_marker - 4096) & ~(uintptr_t)4095;
	unsigned char in_core = 1;

	pad[sizeof(pad) - 1] = 1;
	/* a runtime (a sanitizer's) may have used this stack this deep
	 * before: then the page is there and no hole is expected */
	if (mincore((void *)page, 4096, &in_core))
		in_core = 1;
	stack_call(STK_HOLE, caller_marker, !(in_core & 1));
	__asm__ volatile("" : : "r"(pad) : "memory");
}

static __attribute__((no_sanitize("address"))) void *short_stack_thread(void *end)
{
	volatile uint64_t marker = STACK_MAGIC + 1;

	stack_call(STK_SHORT, (uint64_t)(uintptr_t)end, 0);
	hole_frame((uint64_t)(uintptr_t)&marker);
	return NULL;
}

static void stack_workload(void)
{
	/* the thread's stack, then a page that cannot be read */
	char *m = mmap(NULL, STK_THREAD_BYTES + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_attr_t a;
	pthread_t th;

	deep_frame();
	if (m == MAP_FAILED || mprotect(m + STK_THREAD_BYTES, 4096, PROT_NONE))
		_exit(20);
	pthread_attr_init(&a);
	if (pthread_attr_setstack(&a, m, STK_THREAD_BYTES) ||
	    pthread_create(&th, &a, short_stack_thread, m + STK_THREAD_BYTES))
		_exit(21);
	pthread_join(th, NULL);
}

/* A child that runs fn once released through the returned pipe fd. */
static pid_t fork_waiting(int *release_fd, void (*fn)(void))
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 0)
			_exit(99);
		fn();
		_exit(0);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

static struct scry_bpf_trace *open_or_fail(const struct scry_bpf_trace_opts *o)
{
	struct scry_bpf_trace *t = NULL;
	char why[256] = "";
	int r = scry_bpf_trace_open(&t, o, why, sizeof(why));

	if (r)
		fail_msg("scry_bpf_trace_open: %s (%s)", strerror(-r), why);
	return t;
}

/* ---- what the callbacks saw ---- */

struct seen {
	pid_t pid;			/* the traced child */
	long calls, getppid, getppid_grandchild;
	pid_t grandchild;
	int open_ok, read_ok, write_ok, connect_ok, exit_group_unfinished;
	long hostname_fd;
	char hostname[64];
	ssize_t hostname_len;
	int exec_seen, exit_seen, exit_code;
	int exec_ia32;			/* an EXEC record said 32-bit */
	int order_ok;
	pid_t sigchld_from;		/* si_pid of a SIGCHLD the child took */
};

static int on_call(void *ctx, const struct scry_bpf_call_event *e)
{
	struct seen *s = ctx;
	char buf[300];
	ssize_t n;

	s->calls++;
	if (e->t_exit_mono && e->t_exit_mono < e->t_enter_mono)
		s->order_ok = 0;
	if (e->nr == SYS_getppid) {
		if (e->tgid == s->pid)
			s->getppid++;
		else if (s->grandchild && e->tgid == s->grandchild)
			s->getppid_grandchild++;
		return 0;
	}
	if (e->tgid != s->pid)
		return 0;
	switch (e->nr) {
	case SYS_openat:
		n = scry_bpf_call_read(e, e->args[1], buf, sizeof(buf));
		if (n == sizeof("/etc/hostname") && !memcmp(buf, "/etc/hostname", (size_t)n)) {
			s->open_ok = 1;
			s->hostname_fd = (long)e->ret;
		}
		break;
	case SYS_read:
		if (e->args[0] == (uint64_t)s->hostname_fd && e->ret > 0) {
			size_t want = e->ret < 32 ? (size_t)e->ret : 32;

			n = scry_bpf_call_read(e, e->args[1], buf, sizeof(buf));
			s->read_ok = n == (ssize_t)want && s->hostname_len >= (ssize_t)want &&
				     !memcmp(buf, s->hostname, want) &&
				     e->reg[SCRY_BPF_REG_BUF].len == want;
		}
		break;
	case SYS_write:
		n = scry_bpf_call_read(e, e->args[1], buf, sizeof(buf));
		if (n == 5 && !memcmp(buf, "hello", 5) && e->ret == 5)
			s->write_ok = 1;
		break;
	case SYS_connect: {
		struct sockaddr_in sin;

		n = scry_bpf_call_read(e, e->args[1], &sin, sizeof(sin));
		s->connect_ok = n == (ssize_t)sizeof(sin) && sin.sin_family == AF_INET &&
				ntohs(sin.sin_port) == 9 && sin.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
				e->ret == 0;
		break;
	}
	case SYS_exit_group:
		s->exit_group_unfinished = e->unfinished && e->args[0] == 3;
		break;
	}
	return 0;
}

static int on_proc(void *ctx, const struct scry_bpf_proc_event *e)
{
	struct seen *s = ctx;

	switch (e->type) {
	case SCRY_BPF_PROC_EXEC:
		if (e->tgid == s->pid && e->filename && e->filename[0] == '/')
			s->exec_seen = 1;
		if (e->ia32)
			s->exec_ia32 = 1;
		break;
	case SCRY_BPF_PROC_EXIT:
		if (e->tgid == s->pid && e->group_dead) {
			s->exit_seen = 1;
			s->exit_code = e->exit_code;
		}
		break;
	case SCRY_BPF_PROC_FORK:
		if (e->tgid == s->pid && !e->is_thread && e->followed)
			s->grandchild = e->child_tgid;
		break;
	case SCRY_BPF_PROC_SIGNAL: {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		memcpy(&si, e->siginfo, e->siginfo_bytes < sizeof(si) ? e->siginfo_bytes : sizeof(si));
		if (e->tgid == s->pid && e->sig == SIGCHLD && si.si_signo == SIGCHLD &&
		    si.si_code == CLD_EXITED)
			s->sigchld_from = si.si_pid;
		break;
	}
	case SCRY_BPF_PROC_MAPS:	/* (only with stacks) */
		break;
	}
	return 0;
}

/* ---- tests ---- */

static void test_call_read(void **state)
{
	struct scry_bpf_call_event e;
	char out[16];

	memset(&e, 0, sizeof(e));
	e.reg[SCRY_BPF_REG_STR0].addr = 0x1000;
	e.reg[SCRY_BPF_REG_STR0].bytes = "abc";
	e.reg[SCRY_BPF_REG_STR0].len = 4;
	e.reg[SCRY_BPF_REG_BUF].addr = 0x2000;
	e.reg[SCRY_BPF_REG_BUF].bytes = "0123456789";
	e.reg[SCRY_BPF_REG_BUF].len = 10;

	assert_int_equal(scry_bpf_call_read(&e, 0x1000, out, sizeof(out)), 4);
	assert_string_equal(out, "abc");
	assert_int_equal(scry_bpf_call_read(&e, 0x1001, out, 2), 2);
	assert_memory_equal(out, "bc", 2);
	assert_int_equal(scry_bpf_call_read(&e, 0x2004, out, sizeof(out)), 6);
	assert_memory_equal(out, "456789", 6);
	assert_int_equal(scry_bpf_call_read(&e, 0x200a, out, 1), -EFAULT);
	assert_int_equal(scry_bpf_call_read(&e, 0xfff, out, 4), -EFAULT);
	assert_int_equal(scry_bpf_call_read(&e, 0x3000, out, 4), -EFAULT);
	assert_int_equal(scry_bpf_call_read(&e, 0x3000, out, 0), 0);
}

static void test_call_read_entry(void **state)
{
	struct scry_bpf_call_event e;
	char out[16];

	memset(&e, 0, sizeof(e));
	e.reg[SCRY_BPF_REG_OUT].addr = 0x7000;
	e.reg[SCRY_BPF_REG_OUT].bytes = "OUT";
	e.reg[SCRY_BPF_REG_OUT].len = 3;
	e.has_stack = 1;
	e.stack.addr = 0x6ff8;
	e.stack.bytes = "0123456789abcdef";
	e.stack.len = 16;

	/* a call's own captures come first, the stack copy after them */
	assert_int_equal(scry_bpf_call_read_entry(&e, 0x7000, out, 3), 3);
	assert_memory_equal(out, "OUT", 3);
	assert_int_equal(scry_bpf_call_read_entry(&e, 0x6ffa, out, 4), 4);
	assert_memory_equal(out, "2345", 4);
	assert_int_equal(scry_bpf_call_read_entry(&e, 0x7003, out, sizeof(out)), 5);
	assert_memory_equal(out, "bcdef", 5);
	assert_int_equal(scry_bpf_call_read_entry(&e, 0x7008, out, 1), -EFAULT);
	assert_int_equal(scry_bpf_call_read_entry(&e, 0x6ff7, out, 1), -EFAULT);
	/* the stack as it was at entry is not what the call left there */
	assert_int_equal(scry_bpf_call_read(&e, 0x6ffa, out, 4), -EFAULT);
	e.has_stack = 0;
	assert_int_equal(scry_bpf_call_read_entry(&e, 0x6ffa, out, 4), -EFAULT);
}

struct stack_seen {
	pid_t pid;
	size_t want;		/* stack_bytes */
	int deep, other_with_stack, other_without;
	int shorter;		/* 1: the copy right; 2: and cut at the end */
	int hole;		/* 1: the hole right; 2: and the bytes past it */
	char why[256];
};

static void stack_check(struct stack_seen *ss, const struct scry_bpf_call_event *e, int *ok)
{
	uint64_t marker = 0;
	ssize_t n;

	*ok = 0;
	if (!e->has_stack || e->stack.fault || e->stack.addr != e->sp || !e->stack.bytes) {
		snprintf(ss->why, sizeof(ss->why), "case %d: no stack (has %d fault %d at %#llx, sp %#llx)",
			 (int)e->args[1], e->has_stack, e->stack.fault,
			 (unsigned long long)e->stack.addr, (unsigned long long)e->sp);
		return;
	}
#if defined(__x86_64__)
	/* DWARF's rsp and rip; rdi and rsi hold the first two arguments */
	if (e->regs_have != (1ull << 17) - 1 || e->regs[7] != e->sp || e->regs[5] != e->args[0] ||
	    e->regs[4] != e->args[1] || !e->regs[16]) {
		snprintf(ss->why, sizeof(ss->why), "case %d: registers wrong (have %#llx)",
			 (int)e->args[1], (unsigned long long)e->regs_have);
		return;
	}
#endif
	n = scry_bpf_call_read_entry(e, e->args[0], &marker, sizeof(marker));
	if (n != sizeof(marker) || marker != STACK_MAGIC) {
		snprintf(ss->why, sizeof(ss->why), "case %d: marker at %#llx not in the copy (%zd, %#llx)",
			 (int)e->args[1], (unsigned long long)e->args[0], n, (unsigned long long)marker);
		return;
	}
	*ok = 1;
}

static int on_stack_call(void *ctx, const struct scry_bpf_call_event *e)
{
	struct stack_seen *ss = ctx;
	int ok;

	if (e->tgid != ss->pid)
		return 0;
	if (e->nr != SYS_getppid || e->args[1] < STK_DEEP || e->args[1] > STK_HOLE) {
		if (e->has_stack)
			ss->other_with_stack++;
		else
			ss->other_without++;
		return 0;
	}
	stack_check(ss, e, &ok);
	if (!ok)
		return 0;
	if (e->args[1] == STK_HOLE) {
		uint64_t marker = 0;
		char c;

		/* the untouched pages are no bytes at all; the caller's
		 * marker above them is there */
		int absent = (int)e->args[3];	/* the page is not in memory */

		if (absent && !e->stack_holes)
			snprintf(ss->why, sizeof(ss->why), "hole: no hole (%u bytes)", e->stack.len);
		else if (absent && scry_bpf_call_read_entry(e, e->args[2] - 4096, &c, 1) != -EFAULT)
			snprintf(ss->why, sizeof(ss->why), "hole: a page never touched was served");
		else if (e->args[2] + 8 - e->sp <= ss->want &&
			 (scry_bpf_call_read_entry(e, e->args[2], &marker, 8) != 8 ||
			  marker != STACK_MAGIC + 1))
			snprintf(ss->why, sizeof(ss->why), "hole: the caller's marker is not past it");
		else
			ss->hole = 1 + (e->args[2] + 8 - e->sp <= ss->want);
	} else if (e->args[1] == STK_DEEP) {
		if (e->stack.len == ss->want)
			ss->deep = 1;
		else
			snprintf(ss->why, sizeof(ss->why), "deep: %u bytes, not %zu", e->stack.len, ss->want);
	} else {
		/* up to the end of the mapping and not a byte of what
		 * cannot be read past it, and not nothing because the whole
		 * copy did not fit */
		uint64_t left = e->args[2] - e->sp;
		uint64_t top = 0;
		char c;

		if (left >= STK_THREAD_BYTES)
			snprintf(ss->why, sizeof(ss->why), "short: sp %#llx is %llu bytes from the end",
				 (unsigned long long)e->sp, (unsigned long long)left);
		else if (left >= ss->want)
			ss->shorter = e->stack.len == ss->want;
		else if (scry_bpf_call_read_entry(e, e->args[2] - 8, &top, 8) != 8)
			snprintf(ss->why, sizeof(ss->why), "short: the last bytes before the end are not served");
		else if (scry_bpf_call_read_entry(e, e->args[2], &c, 1) != -EFAULT)
			snprintf(ss->why, sizeof(ss->why), "short: the unreadable page after the end was served");
		else
			ss->shorter = 2;
	}
	return 0;
}

/* Each call carries the registers and a stack copy of the size asked,
 * cut where the stack's mapping ends. */
static int stack_run(size_t bytes)
{
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	char *argv[] = { "/proc/self/exe", "--child", "stack", NULL };
	struct scry_bpf_trace *t;
	struct stack_seen ss;
	int status;

	memset(&ss, 0, sizeof(ss));
	ss.want = bytes;
	o.stack_bytes = bytes;
	t = open_or_fail(&o);
	assert_int_equal(scry_bpf_trace_launch(t, argv, &ss.pid), 0);
	assert_int_equal(scry_bpf_trace_wait(t, 30000, on_stack_call, NULL, &ss), 0);
	status = scry_bpf_trace_launched_status(t);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!ss.deep || !ss.shorter || (bytes > 4096 && !ss.hole))
		fail_msg("stack_bytes %zu: %s", bytes, ss.why);
	assert_true(ss.other_with_stack > 0);
	assert_int_equal(ss.other_without, 0);
	assert_int_equal(scry_bpf_trace_lost(t), 0);
	assert_int_equal(scry_bpf_trace_stacks_lost(t), 0);
	scry_bpf_trace_close(t);
	return ss.shorter == 2 && (bytes < 16384 || ss.hole == 2);
}

static void test_stack_capture(void **state)
{
	if (!can_trace)
		skip();
	stack_run(4096);
	stack_run(8192);
	/* the thread's stack (glibc puts its TLS at the top) ends less than
	 * 16 KiB above sp: that copy must stop at the end, not fail whole;
	 * and it reaches past the three untouched pages */
	assert_true(stack_run(16384));
}

/* Without stack_bytes no call carries one. */
static int on_no_stack_call(void *ctx, const struct scry_bpf_call_event *e)
{
	struct stack_seen *ss = ctx;

	if (e->tgid == ss->pid && e->has_stack)
		ss->other_with_stack++;
	else if (e->tgid == ss->pid)
		ss->other_without++;
	return 0;
}

static void test_no_stack(void **state)
{
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	char *argv[] = { "/proc/self/exe", "--child", "stack", NULL };
	struct scry_bpf_trace *t;
	struct stack_seen ss;

	if (!can_trace)
		skip();
	memset(&ss, 0, sizeof(ss));
	t = open_or_fail(&o);
	assert_int_equal(scry_bpf_trace_launch(t, argv, &ss.pid), 0);
	assert_int_equal(scry_bpf_trace_wait(t, 30000, on_no_stack_call, NULL, &ss), 0);
	assert_true(ss.other_without > 0);
	assert_int_equal(ss.other_with_stack, 0);
	scry_bpf_trace_close(t);
}

static void test_known_calls(void **state)
{
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	char *argv[] = { "/proc/self/exe", "--child", "known", NULL };
	struct scry_bpf_trace *t;
	struct seen s;
	int fd, status;

	if (!can_trace)
		skip();
	memset(&s, 0, sizeof(s));
	s.order_ok = 1;
	s.hostname_fd = -1;
	fd = open("/etc/hostname", O_RDONLY);
	if (fd >= 0) {
		s.hostname_len = read(fd, s.hostname, sizeof(s.hostname));
		close(fd);
	}
	t = open_or_fail(&o);
	assert_int_equal(scry_bpf_trace_launch(t, argv, &s.pid), 0);
	assert_int_equal(scry_bpf_trace_wait(t, 30000, on_call, on_proc, &s), 0);
	status = scry_bpf_trace_launched_status(t);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);

	assert_int_equal(s.getppid, N_GETPPID);
	if (s.hostname_len > 0) {
		assert_true(s.open_ok);
		assert_true(s.read_ok);
	}
	assert_true(s.write_ok);
	assert_true(s.connect_ok);
	assert_true(s.exit_group_unfinished);
	assert_true(s.exec_seen);
	/* a 64-bit image is not taken for a 32-bit one (which bpf lets go) */
	assert_false(s.exec_ia32);
	assert_true(s.exit_seen);
	assert_true(WIFEXITED(s.exit_code) && WEXITSTATUS(s.exit_code) == 3);
	assert_true(s.order_ok);
	assert_int_equal(scry_bpf_trace_lost(t), 0);
	scry_bpf_trace_close(t);
}

static void test_lost(void **state)
{
	uint64_t bits[1024 / 64] = { 0 };
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	struct scry_bpf_trace *t;
	uint64_t lost_calls, lost_procs;
	struct seen s;
	int rel, status;

	if (!can_trace)
		skip();
	bits[SYS_getppid / 64] |= 1ull << (SYS_getppid % 64);
	o.nrs = bits;
	o.nr_words = 1024 / 64;
	o.ringbuf_bytes = 4096;
	t = open_or_fail(&o);
	memset(&s, 0, sizeof(s));
	s.pid = fork_waiting(&rel, storm);
	assert_int_equal(scry_bpf_trace_add_pid(t, s.pid), 0);
	close(rel);
	/* no reading while it runs: the ring must overflow */
	assert_int_equal(waitpid(s.pid, &status, 0), s.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(scry_bpf_trace_wait(t, 10000, on_call, on_proc, &s), 0);
	scry_bpf_trace_lost_split(t, &lost_calls, &lost_procs);
	assert_true(lost_calls > 0);
	assert_int_equal(s.calls, s.getppid);
	assert_int_equal((uint64_t)s.getppid + lost_calls, N_STORM);
	assert_int_equal(scry_bpf_trace_lost(t), lost_calls + lost_procs);
	scry_bpf_trace_close(t);
}

static void test_follow_forks(void **state)
{
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	struct scry_bpf_trace *t;
	struct seen s;
	int rel, status;

	if (!can_trace)
		skip();
	o.follow_forks = 1;
	t = open_or_fail(&o);
	memset(&s, 0, sizeof(s));
	s.pid = fork_waiting(&rel, grandchild);
	assert_int_equal(scry_bpf_trace_add_pid(t, s.pid), 0);
	close(rel);
	assert_int_equal(scry_bpf_trace_wait(t, 30000, on_call, on_proc, &s), 0);
	assert_int_equal(waitpid(s.pid, &status, 0), s.pid);
	assert_true(s.grandchild > 0);
	assert_int_equal(s.getppid_grandchild, N_GRANDCHILD);
	/* the grandchild's exit: SIGCHLD to the child, at its default
	 * (ignored) action, and still reported */
	assert_int_equal(s.sigchld_from, s.grandchild);
	assert_int_equal(scry_bpf_trace_lost(t), 0);
	scry_bpf_trace_close(t);
}

/* ids of the loaded programs whose names start with scry_trace */
static void our_progs(char *out, size_t len)
{
	FILE *f = popen("bpftool prog show 2>/dev/null | grep 'name scry_trace' | cut -d: -f1", "r");
	size_t n = 0;
	char line[64];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n + strlen(line) + 2 < len) {
		line[strcspn(line, "\n")] = '\0';
		n += (size_t)snprintf(out + n, len - n, "[%s]", line);
	}
	pclose(f);
}

static void test_close_unloads(void **state)
{
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	char before[4096], during[4096], after[4096];
	struct scry_bpf_trace *t;
	int left = 1;

	if (!can_trace || system("bpftool version >/dev/null 2>&1") != 0)
		skip();
	our_progs(before, sizeof(before));
	t = open_or_fail(&o);
	our_progs(during, sizeof(during));
	assert_string_not_equal(during, before);
	scry_bpf_trace_close(t);
	/* programs are freed after an RCU grace period: give it 2 s */
	for (int i = 0; i < 100 && left; i++) {
		left = 0;
		our_progs(after, sizeof(after));
		for (const char *p = during; (p = strchr(p, '[')); p++) {
			char id[32];
			size_t n = strcspn(p, "]") + 1;

			if (n >= sizeof(id))
				continue;
			memcpy(id, p, n);
			id[n] = '\0';
			if (!strstr(before, id) && strstr(after, id))
				left = 1;
		}
		if (left)
			usleep(20000);
	}
	if (left)
		fail_msg("bpftool prog show still lists a scry_trace program 2 s after close: %s", after);
}

/*
 * The code mappings sent as differences: a python3 that imports C
 * extensions one after the other (a dlopen each) gets one MAPS record per
 * change, and each but the first carries only the mappings added.  What
 * user space builds from them must be the process's code mappings: at the
 * end python3 writes its /proc/self/maps, and every file with an
 * executable mapping there (and the vDSO) must be in the last view, line
 * for line, and nothing else.
 */
struct maps_view_seen {
	pid_t pid;
	int records;
	size_t whole;		/* lines whole records would have carried */
	char *last;		/* the last view's text */
};

static int on_maps_proc(void *ctx, const struct scry_bpf_proc_event *e)
{
	struct maps_view_seen *mv = ctx;

	if (e->type != SCRY_BPF_PROC_MAPS || e->tgid != mv->pid)
		return 0;
	mv->records++;
	for (size_t i = 0; i < e->maps_len; i++)
		mv->whole += e->maps[i] == '\n';
	free(mv->last);
	mv->last = strndup(e->maps, e->maps_len);
	return 0;
}

static int on_any_call(void *ctx, const struct scry_bpf_call_event *e)
{
	return 0;
}

/* The lines of text (maps format) as "range perms offset dev inode path",
 * spaces normalised, sorted; only those of files with an executable
 * mapping, and [vdso]. */
static size_t code_lines(const char *text, char lines[][400], size_t max)
{
	char exe[64][300];
	size_t nexe = 0, n = 0;

	for (int pass = 0; pass < 2; pass++) {
		const char *l = text;
		while (l && *l) {
			const char *end = strchr(l, '\n');
			char range[64], perms[8], off[32], dev[16], ino[32], path[300] = "";
			char line[512];
			size_t len = end ? (size_t)(end - l) : strlen(l);
			snprintf(line, sizeof(line), "%.*s", (int)len, l);
			l = end ? end + 1 : NULL;
			if (sscanf(line, "%63s %7s %31s %15s %31s %299[^\n]", range, perms, off, dev, ino, path) < 5)
				continue;
			char *p = path;
			while (*p == ' ')
				p++;
			if (!*p || (*p != '/' && strcmp(p, "[vdso]")))
				continue;
			if (pass == 0) {
				if (strchr(perms, 'x') && nexe < 64)
					snprintf(exe[nexe++], sizeof(exe[0]), "%s", p);
				continue;
			}
			int code = 0;
			for (size_t i = 0; i < nexe && !code; i++)
				code = !strcmp(exe[i], p);
			unsigned long long lo = 0, hi = 0;
			sscanf(range, "%llx-%llx", &lo, &hi);	/* (/proc pads to 8 digits) */
			if (code && n < max)
				snprintf(lines[n++], 400, "%llx-%llx %s %s %s %s %s", lo, hi, perms, off, dev, ino, p);
		}
	}
	qsort(lines, n, sizeof(lines[0]), (int (*)(const void *, const void *))strcmp);
	return n;
}

static void test_maps_differences(void **state)
{
	static char want[512][400], got[512][400];
	char dump[] = "/tmp/scry-test-maps-XXXXXX";
	char script[] = "import sys, _json, _decimal, _bz2, _lzma, _hashlib, _ssl, _sqlite3, _ctypes, "
			"_asyncio, _queue, _uuid, _zoneinfo, mmap, resource, termios\n"
			"d = open('/proc/self/maps').read()\n"
			"open(sys.argv[1], 'w').write(d)\n";
	char *argv[] = { "/usr/bin/python3", "-I", "-S", "-c", script, dump, NULL };
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	struct maps_view_seen mv = { 0 };
	struct scry_bpf_trace *t;
	uint64_t records, entries, bytes;
	char text[1 << 16];
	int fd, status;
	ssize_t n;

	if (!can_trace || access(argv[0], X_OK))
		skip();
	fd = mkstemp(dump);
	assert_true(fd >= 0);
	close(fd);
	o.stack_bytes = 1024;
	t = open_or_fail(&o);
	assert_int_equal(scry_bpf_trace_launch(t, argv, &mv.pid), 0);
	assert_int_equal(scry_bpf_trace_wait(t, 60000, on_any_call, on_maps_proc, &mv), 0);
	status = scry_bpf_trace_launched_status(t);
	scry_bpf_trace_maps_sent(t, &records, &entries, &bytes);
	scry_bpf_trace_close(t);
	fd = open(dump, O_RDONLY);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	unlink(dump);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		skip();		/* (a python3 without these modules) */
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(mv.last);
	size_t nw = code_lines(text, want, 512), ng = code_lines(mv.last, got, 512);
	for (size_t i = 0; i < nw || i < ng; i++)
		if (i >= nw || i >= ng || strcmp(want[i], got[i]))
			fail_msg("the mappings built from the records differ at line %zu:\n  /proc: %s\n  built: %s",
				 i, i < nw ? want[i] : "(none)", i < ng ? got[i] : "(none)");
	print_message("python3 importing 16 C extensions: %d MAPS records, %llu mappings in %llu bytes sent "
		      "(whole records: %zu mappings)\n", mv.records, (unsigned long long)entries,
		      (unsigned long long)bytes, mv.whole);
	assert_true(mv.records >= 10);
	assert_int_equal((uint64_t)mv.records, records);
	/* each record carries what was added, not the whole list again */
	assert_true(entries * 10 < mv.whole);
	free(mv.last);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_read),
		cmocka_unit_test(test_known_calls),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_follow_forks),
		cmocka_unit_test(test_close_unloads),
		cmocka_unit_test(test_call_read_entry),
		cmocka_unit_test(test_stack_capture),
		cmocka_unit_test(test_no_stack),
		cmocka_unit_test(test_maps_differences),
	};
	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
	struct scry_bpf_trace *t;

	if (argc > 2 && !strcmp(argv[1], "--child")) {
		if (!strcmp(argv[2], "known"))
			known_calls();
		else if (!strcmp(argv[2], "stack"))
			stack_workload();
		return 0;
	}
	o.ringbuf_bytes = 4096;
	if (scry_bpf_trace_open(&t, &o, skip_reason, sizeof(skip_reason)) == 0) {
		can_trace = 1;
		scry_bpf_trace_close(t);
	} else {
		printf("test_bpf_trace: SKIPPED (%zu of %zu tests): %s\n",
		       sizeof(tests) / sizeof(tests[0]) - 1, sizeof(tests) / sizeof(tests[0]),
		       skip_reason);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
