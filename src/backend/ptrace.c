/*
 * The ptrace backend: launch, attach, the event loop, detach.
 *
 * Rules (see DESIGN.md): PTRACE_SEIZE only, so group-stops are visible and
 * can be kept with PTRACE_LISTEN; one ptrace request per syscall stop
 * (PTRACE_GET_SYSCALL_INFO) plus the restart; every exit path detaches, and
 * a signal that arrives while we let go is passed on, never swallowed.
 */
#include "core/internal.h"
#include "core/launch.h"
#include "filter/seccomp.h"
#include "core/engine.h"
#include "backend/inject.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Every wait of the tracer thread (core/session.c) is for its own children
 * and tracees only: the host program's children keep their statuses.
 */
#define WAIT_OURS (__WALL | __WNOTHREAD)

#define OPTS_BASE (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE)
#define OPTS_FORK (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK)

static long xptrace(int req, pid_t pid, void *addr, void *data)
{
	return ptrace((enum __ptrace_request)req, pid, addr, data);
}

/*
 * A task we are tracing but cannot keep (no memory for its entry): detach
 * it at its stop, which it is at (stopped) or which comes soon (it was
 * just seized and interrupted, or auto-attached).
 */
static void let_go(pid_t tid, int stopped)
{
	int status;
	while (!stopped) {
		if (waitpid(tid, &status, WAIT_OURS) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (!WIFSTOPPED(status))
			return;      /* gone */
		stopped = 1;
	}
	xptrace(PTRACE_DETACH, tid, NULL, NULL);
}

static unsigned long options_for(const struct scry_session *s, int launched)
{
	unsigned long o = OPTS_BASE;
	/*
	 * Not for attached processes: a thread killed by an exec in another
	 * thread would stop at PTRACE_EVENT_EXIT (even for SIGKILL) and the
	 * exec, which holds the target's cred_guard_mutex, would wait for us
	 * to resume it while we wait for that mutex in PTRACE_SEIZE of the
	 * next thread: a deadlock (test_robust_attach.ExecDuringAttach).
	 * Nothing needs the stop: it is only ever resumed.
	 */
	if (launched)
		o |= PTRACE_O_TRACEEXIT;
	/* Children of a filtered launch inherit its seccomp filter and would
	 * get ENOSYS for its traced calls without a tracer: keep them all. */
	if (s->cfg.follow_forks || (launched && s->cfg.seccomp_len))
		o |= OPTS_FORK;
	if (launched && s->cfg.seccomp_len)
		o |= PTRACE_O_TRACESECCOMP;
	if (launched)
		o |= PTRACE_O_EXITKILL;
	return o;
}

/*
 * With a seccomp filter (cfg.seccomp), a tracee runs freely (PTRACE_CONT)
 * and stops only for the calls the filter traces; from such a stop it is
 * resumed with PTRACE_SYSCALL until that call's exit stop.
 */
static void resume(struct scry_session *s, struct tracee *t, int sig)
{
	int req = s->cfg.seccomp_len && !(t->flags & T_IN_SYSCALL) ? PTRACE_CONT : PTRACE_SYSCALL;
	/* ESRCH means it died under us; waitpid() will tell. */
	xptrace(req, t->tid, NULL, (void *)(long)sig);
}

/*
 * End a syscall stop or a seccomp stop as -e inject= asks (inject.h): with
 * its signal, except at a seccomp stop, where the kernel ignores a
 * restart's signal (it then waits for the call's next stop); after its
 * delay, keeping the thread stopped meanwhile while the loop goes on with
 * the others (T_DELAY_HELD, resumed by release_delayed()).
 */
static void end_stop(struct scry_session *s, struct tracee *t, int seccomp_stop)
{
	int sig = 0;
	if (!seccomp_stop) {
		sig = t->inj_sig;
		t->inj_sig = 0;
	}
	uint64_t delay = t->inj_delay_ns;
	t->inj_delay_ns = 0;
	if (delay) {
		t->flags |= T_DELAY_HELD;
		t->delay_until = scry_now_mono() + delay;
		t->delay_sig = sig;
		s->ndelayed++;
		return;
	}
	resume(s, t, sig);
}

static void unhold_delayed(struct scry_session *s, struct tracee *t)
{
	t->flags &= ~T_DELAY_HELD;
	s->ndelayed--;
}

/* Resume the delayed threads whose time has come (all: all of them);
 * returns the earliest time still waited for (UINT64_MAX: none). */
static uint64_t release_delayed(struct scry_session *s, int all)
{
	uint64_t now = scry_now_mono(), next = UINT64_MAX;
	for (size_t i = 0; i < s->cap && s->ndelayed; i++) {
		struct tracee *t = s->slots[i];
		if (!t || !(t->flags & T_DELAY_HELD))
			continue;
		if (all || t->delay_until <= now) {
			unhold_delayed(s, t);
			resume(s, t, t->delay_sig);
		} else if (t->delay_until < next) {
			next = t->delay_until;
		}
	}
	return next;
}

static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* ---- /proc helpers ---- */

static int proc_status_field(pid_t pid, const char *field, char *out, size_t outlen)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	size_t flen = strlen(field);
	int found = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			char *v = line + flen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, outlen, "%s", v);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static void proc_comm(pid_t pid, char *out, size_t outlen)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(out, outlen, "?");
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(out, (int)outlen, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/*
 * Say why the kernel refused to let us trace pid, as precisely as /proc
 * allows: 1 for a cause that lasts, 0 when only the generic guess is left.
 */
static int explain_eperm(pid_t pid, struct scry_attach_error *why)
{
	char v[128];
	if (proc_status_field(pid, "TracerPid", v, sizeof(v)) == 0 && atoi(v) != 0) {
		char comm[64];
		proc_comm(atoi(v), comm, sizeof(comm));
		snprintf(why->reason, sizeof(why->reason),
			 "it is already traced by process %d (%s)", atoi(v), comm);
		return 1;
	}
	uid_t me = geteuid();
	if (proc_status_field(pid, "Uid", v, sizeof(v)) == 0) {
		unsigned ruid = 0, euid = 0;
		sscanf(v, "%u %u", &ruid, &euid);
		if (me != 0 && (ruid != me || euid != me)) {
			snprintf(why->reason, sizeof(why->reason),
				 "it belongs to user %u and scry runs as user %u; run scry as root or as that user",
				 euid, (unsigned)me);
			return 1;
		}
	}
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f) {
		int scope = 0;
		if (fscanf(f, "%d", &scope) != 1)
			scope = 0;
		fclose(f);
		if (scope >= 1 && (scope >= 2 || me != 0)) {
			snprintf(why->reason, sizeof(why->reason),
				 "kernel.yama.ptrace_scope is %d%s; `sysctl kernel.yama.ptrace_scope=0` allows it",
				 scope, scope == 1 ? " (only descendants may be traced)" :
				 scope == 2 ? " (only root may trace)" : " (no tracing at all)");
			return 1;
		}
	}
	snprintf(why->reason, sizeof(why->reason),
		 "the process is not dumpable or a security module forbids it");
	return 0;
}

/* ---- attach ---- */

/*
 * An exec by a non-leader thread holds the target's cred_guard_mutex while
 * it kills the other threads and waits until they are released; a thread
 * we have seized is released only when we wait for it.  PTRACE_SEIZE of
 * the next thread needs that mutex and sleeps on it (and restarts after any
 * signal handler), so the tracer thread cannot do that wait itself.  While
 * a PTRACE_SEIZE takes longer than a moment, this thread waits for our
 * tracees instead (wait(2) serves every thread of the tracer's process)
 * and keeps what it got for the event loop; the exec then finishes and the
 * seize goes on.  (test_robust_attach.ExecDuringAttach)  It waits for the
 * target's threads one by one (not for any child: those of the host
 * program are not ours to take).
 */
struct reaper {
	struct scry_session *s;
	pid_t tgid;
	pthread_t th;
	_Atomic uint64_t seize_since;    /* scry_now_mono() at PTRACE_SEIZE, 0 outside one */
	_Atomic int stop;
	int started;
};

#define REAP_AFTER_NS 20000000u      /* a seize this long is waiting for an exec */

static int pending_push(struct scry_session *s, pid_t pid, int status)
{
	if (s->npending == s->cap_pending) {
		size_t cap = s->cap_pending ? s->cap_pending * 2 : 64;
		struct pending_status *n = realloc(s->pending, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->pending = n;
		s->cap_pending = cap;
	}
	s->pending[s->npending].pid = pid;
	s->pending[s->npending++].status = status;
	return 0;
}

static void *reaper_main(void *arg)
{
	struct reaper *r = arg;
	while (!atomic_load(&r->stop)) {
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
		uint64_t since = atomic_load(&r->seize_since);
		if (!since || scry_now_mono() - since < REAP_AFTER_NS)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", (int)r->tgid);
		DIR *d = opendir(path);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			int status;
			if (tid <= 0)
				continue;
			/* (Room first: a status taken and then dropped would be lost.) */
			if (pending_push(r->s, 0, 0) < 0)
				break;
			r->s->npending--;
			if (waitpid(tid, &status, __WALL | WNOHANG) == tid)
				pending_push(r->s, tid, status);
		}
		closedir(d);
	}
	return NULL;
}

static void reaper_start(struct reaper *r, struct scry_session *s, pid_t tgid)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->tgid = tgid;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* signals stay with the caller */
	r->started = pthread_create(&r->th, NULL, reaper_main, r) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void reaper_stop(struct reaper *r)
{
	if (!r->started)
		return;
	atomic_store(&r->stop, 1);
	pthread_join(r->th, NULL);
}

static int seize_thread(struct scry_session *s, struct reaper *r, pid_t tid, pid_t tgid)
{
	if (tracee_get(s, tid))
		return 0;
	atomic_store(&r->seize_since, scry_now_mono());
	long rc = xptrace(PTRACE_SEIZE, tid, NULL, (void *)options_for(s, 0));
	int e = errno;
	atomic_store(&r->seize_since, 0);
	if (rc < 0)
		return -e;
	/* Stop it once so that we can start syscall tracing from a stop. */
	if (xptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 && errno == ESRCH && tid != tgid) {
		/*
		 * Seized, yet not there: either it died and the reaper took its
		 * exit, or it was the thread whose exec our seize waited for,
		 * and has the leader's pid now.  Either way there is nothing
		 * to keep under this tid, and the leader's entry (seized
		 * first) stands for the exec'd thread: stop that one.
		 */
		xptrace(PTRACE_INTERRUPT, tgid, NULL, NULL);
		return -ESRCH;
	}
	if (!tracee_add(s, tid, tgid, s->cfg.attach_hidden_until_exec ? T_HIDDEN : 0)) {
		let_go(tid, 0);
		return -ENOMEM;
	}
	return 0;
}

/* A task's group and tracer, from one read of /proc/TID/status; 0 or a
 * negative errno (no such task). */
static int proc_task_ids(pid_t tid, pid_t *tgid, pid_t *tracer)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	*tgid = tid;
	*tracer = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Tgid:", 5)) {
			*tgid = (pid_t)atoi(line + 5);
		} else if (!strncmp(line, "TracerPid:", 10)) {
			*tracer = (pid_t)atoi(line + 10);
			break;
		}
	}
	fclose(f);
	return 0;
}

/* "Z" for a zombie, from /proc/PID/status; 0 if unknown. */
static char proc_state(pid_t pid)
{
	char v[64];
	return proc_status_field(pid, "State", v, sizeof(v)) == 0 ? v[0] : 0;
}

static int proc_threads(pid_t pid)
{
	char v[64];
	return proc_status_field(pid, "Threads", v, sizeof(v)) == 0 ? atoi(v) : 0;
}

/*
 * PTRACE_SEIZE of the main thread fails (EPERM) while it exits.  When
 * another thread execs, the main thread is killed, and the seize that
 * found it fails once the exec has taken its pid: unless the refusal has a
 * cause that lasts, try again for a while.  For good when the process has
 * exited and is not yet reaped, or when its main thread has exited and
 * other threads run on (the kernel refuses that): say so.
 */
static int seize_leader(struct scry_session *s, struct reaper *r, pid_t pid, pid_t tgid,
			struct scry_attach_error *why)
{
	uint64_t give_up = scry_now_mono() + 500000000u;
	for (;;) {
		int e = seize_thread(s, r, pid, tgid);
		if (e != -EPERM)
			return e;
		why->err = EPERM;
		char state = proc_state(pid);
		int threads = proc_threads(pid);
		if (state == 'Z' && threads <= 1) {
			snprintf(why->reason, sizeof(why->reason),
				 "it is a zombie: it has exited and its parent has not reaped it yet; "
				 "there is nothing left to trace");
			return -EPERM;
		}
		if (explain_eperm(pid, why))
			return -EPERM;
		if (scry_now_mono() > give_up || s->detach_requested) {
			if (state == 'Z')
				snprintf(why->reason, sizeof(why->reason),
					 "its main thread has exited (%d other thread%s still run%s), and the "
					 "kernel allows no attach to a process whose main thread is a zombie",
					 threads - 1, threads == 2 ? "" : "s", threads == 2 ? "s" : "");
			return -EPERM;
		}
		memset(why, 0, sizeof(*why));
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
	}
}

static int attach_threads(struct scry_session *s, struct reaper *r, pid_t pid, pid_t tgid,
			  struct scry_attach_error *why)
{
	int e = seize_leader(s, r, pid, tgid, why);
	if (e < 0) {
		why->err = -e;
		return e;
	}
	/*
	 * Threads may be created while we walk the list; threads made by ones
	 * already seized are auto-attached (PTRACE_O_TRACECLONE), so repeat the
	 * walk until it finds nothing new.  A detach requested meanwhile (a
	 * signal, --duration) ends the walk: the event loop lets go of what
	 * we have.
	 */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int pass = 0; pass < 100 && !s->detach_requested; pass++) {
		DIR *d = opendir(path);
		if (!d)
			break;
		int added = 0;
		struct dirent *de;
		while (!s->detach_requested && (de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			if (tid <= 0 || tracee_get(s, tid))
				continue;
			if (seize_thread(s, r, tid, tgid) == 0)
				added++;
		}
		closedir(d);
		if (!added)
			break;
	}
	return 0;
}

static int ptrace_attach_all(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	pid_t tgid = session_attach_target(s, pid, why);
	if (tgid < 0)
		return tgid;
	struct reaper r;
	reaper_start(&r, s, tgid);
	int e = attach_threads(s, &r, pid, tgid, why);
	reaper_stop(&r);
	return e;
}

/* ---- launch ---- */

/* In the child, before exec: the seccomp filter of a filtered launch. */
static int launch_setup(void *ctx)
{
	struct scry_session *s = ctx;
	if (s->cfg.set_ids && launch_set_ids(s->cfg.run_uid, s->cfg.run_gid, s->cfg.run_groups,
					     s->cfg.run_ngroups) < 0) {
		dprintf(2, "scry: cannot run as uid %d: %s\n", (int)s->cfg.run_uid, strerror(errno));
		return -1;
	}
	if (s->cfg.seccomp_len &&
	    scry_filter_seccomp_install(s->cfg.seccomp_prog, s->cfg.seccomp_len) < 0) {
		dprintf(2, "scry: cannot install the seccomp filter: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int ptrace_launch(struct scry_session *s, char *const argv[], pid_t *pid_out)
{
	int gate;
	pid_t pid = launch_gated(argv, s->cfg.child_default_signals, launch_setup, s, &gate);
	if (pid < 0)
		return pid;
	if (xptrace(PTRACE_SEIZE, pid, NULL, (void *)options_for(s, 1)) < 0) {
		int r = -errno;
		launch_abort(pid, gate);
		return r;
	}
	xptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
	if (!tracee_add(s, pid, pid, T_LAUNCHED | (s->cfg.hide_until_exec ? T_HIDDEN : 0))) {
		launch_abort(pid, gate);
		return -ENOMEM;
	}
	launch_release(gate);
	if (!s->launched_pid)
		s->launched_pid = pid;
	if (pid_out)
		*pid_out = pid;
	return 0;
}

/* ---- syscall stops ---- */

struct syscall_stop {
	int op;                  /* PTRACE_SYSCALL_INFO_* */
	uint64_t sp;
	uint64_t ip;             /* instruction pointer (strace's -i) */
	long nr;
	uint64_t args[6];
	int64_t rval;
	int is_error;
};

/* Fallback for kernels without PTRACE_GET_SYSCALL_INFO (before 5.3). */
/*
 * The ABI of the call at an entry stop (PTRACE_GET_SYSCALL_INFO's arch, or
 * the code segment): when a process's calls change from x86_64 to i386 or
 * back, cfg.personality says so once, as strace does.  A new tracee starts
 * in the ABI of the last call seen (strace's current_personality).
 */
static void note_personality(struct scry_session *s, struct tracee *t, int ia32)
{
	unsigned char p = ia32 ? PERS_IA32 : PERS_NATIVE;
	unsigned char was = t->pers ? t->pers : s->cur_pers ? s->cur_pers : PERS_NATIVE;

	s->cur_pers = p;
	t->pers = p;
	if (p != was && s->cfg.personality)
		s->cfg.personality(s->cfg.personality_ctx, t->tgid, ia32 ? "32 bit" : "64 bit");
}

/* __USER32_CS: a thread running 32-bit code (no PTRACE_GET_SYSCALL_INFO) */
#define USER32_CS 0x23

static int get_stop_regs(struct scry_session *s, struct tracee *t, struct syscall_stop *st)
{
#if defined(__x86_64__)
	struct user_regs_struct r;
	if (xptrace(PTRACE_GETREGS, t->tid, NULL, &r) < 0)
		return -errno;
	int ia32 = r.cs == USER32_CS;
	if (!(t->flags & T_IN_SYSCALL)) {
		st->op = PTRACE_SYSCALL_INFO_ENTRY;
		st->ip = r.rip;
		if (ia32) {
			/* i386: ebx, ecx, edx, esi, edi, ebp */
			st->nr = scry_compat_nr(SCRY_AUDIT_ARCH_I386, (long)(int32_t)r.orig_rax);
			uint64_t a[6] = { (uint32_t)r.rbx, (uint32_t)r.rcx, (uint32_t)r.rdx,
					  (uint32_t)r.rsi, (uint32_t)r.rdi, (uint32_t)r.rbp };
			memcpy(st->args, a, sizeof(a));
		} else {
			st->nr = (long)r.orig_rax;
			uint64_t a[6] = { r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9 };
			memcpy(st->args, a, sizeof(a));
		}
		note_personality(s, t, ia32);
	} else {
		st->op = PTRACE_SYSCALL_INFO_EXIT;
		st->rval = ia32 ? (int64_t)(int32_t)r.rax : (int64_t)r.rax;
		st->is_error = st->rval < 0 && st->rval >= -4095;
	}
	return 0;
#else
	(void)s; (void)t; (void)st;
	return -ENOSYS;
#endif
}

static int get_stop(struct scry_session *s, struct tracee *t, struct syscall_stop *st)
{
	if (s->have_syscall_info != 0) {
		struct __ptrace_syscall_info info;
		long n = xptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info);
		if (n > 0) {
			s->have_syscall_info = 1;
			st->op = info.op;
			st->sp = info.stack_pointer;
			st->ip = info.instruction_pointer;
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				st->nr = scry_compat_nr(info.arch, (long)info.entry.nr);
				memcpy(st->args, info.entry.args, sizeof(st->args));
				note_personality(s, t, info.arch == SCRY_AUDIT_ARCH_I386);
			} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
				st->rval = info.exit.rval;
				st->is_error = info.exit.is_error;
			} else if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
				st->op = PTRACE_SYSCALL_INFO_ENTRY;
				st->nr = scry_compat_nr(info.arch, (long)info.seccomp.nr);
				memcpy(st->args, info.seccomp.args, sizeof(st->args));
				note_personality(s, t, info.arch == SCRY_AUDIT_ARCH_I386);
			}
			return 0;
		}
		if (errno == ESRCH)
			return -ESRCH;
		if (s->have_syscall_info < 0 && (errno == EIO || errno == EINVAL))
			s->have_syscall_info = 0;
		else
			return -errno;
	}
	return get_stop_regs(s, t, st);
}

/*
 * The CPU time of a stopped thread, from /proc/PID/task/TID/schedstat (its
 * first field is the scheduler's sum_exec_runtime in ns).  Between a call's
 * entry and exit stops the thread runs only in the kernel, so the difference
 * is the call's system CPU time, to the nanosecond (strace's stime is
 * tick-based).  clock_gettime() on a thread CPU clock would be cheaper, but
 * the kernel only allows it within one's own thread group.
 */
static uint64_t thread_cpu_ns(struct tracee *t)
{
	char buf[96];
	if (t->sched_fd < 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)t->tgid, (int)t->tid);
		t->sched_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (t->sched_fd < 0)
			return 0;
	}
	ssize_t n = pread(t->sched_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/* The CPU a stopped thread last ran on: field 39 of /proc/PID/task/TID/stat. */
static int tracee_cpu(struct tracee *t)
{
	char buf[1024];
	if (t->stat_fd < 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)t->tgid, (int)t->tid);
		t->stat_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (t->stat_fd < 0)
			return -1;
	}
	ssize_t n = pread(t->stat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');   /* comm may hold spaces and parentheses */
	if (!p)
		return -1;
	/* After ")" come fields 3, 4, ...: skip to the 39th. */
	for (int field = 2; field < 39 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? atoi(p + 1) : -1;
}

/*
 * cfg.follow_cpu (experimental): a ptrace stop wakes the tracer, and the
 * restart wakes the tracee; when the two run on different CPUs each of
 * those is a cross-CPU wake-up (~30 µs a stop on these VMs against ~7 µs on
 * one CPU).  While a single thread is traced, the tracer thread (only it:
 * the tracee's affinity is never touched) is kept on the CPU the tracee
 * last ran on; the scheduler then wakes the tracee there too, as its waker
 * and its last CPU agree.  Where the tracee is is read from /proc (field 39
 * of its stat, one pread) only every FOLLOW_EVENTS events or FOLLOW_NS,
 * whichever comes first, so that a tracee the scheduler moves is followed
 * within a few milliseconds without a read per stop.  With more than one
 * tracee the tracer gets its own affinity back.
 */
#define FOLLOW_EVENTS 64
#define FOLLOW_NS 10000000u

struct follow {
	int on;
	int cpu;                 /* the one CPU the tracer is kept on; -1: none */
	int checked;             /* the single tracee's CPU was read once */
	unsigned events;
	uint64_t next_ns;
	cpu_set_t orig;          /* the tracer thread's own affinity */
};

static void follow_init(struct scry_session *s, struct follow *f)
{
	memset(f, 0, sizeof(*f));
	f->cpu = -1;
	f->on = s->cfg.follow_cpu && sched_getaffinity(0, sizeof(f->orig), &f->orig) == 0 &&
		CPU_COUNT(&f->orig) > 1;
}

static void follow_release(struct follow *f)
{
	if (f->cpu < 0)
		return;
	sched_setaffinity(0, sizeof(f->orig), &f->orig);
	f->cpu = -1;
}

/* After an event of tid's: follow it if it is the only tracee. */
static void follow_step(struct scry_session *s, struct follow *f, pid_t tid)
{
	if (!f->on)
		return;
	if (s->count != 1) {
		follow_release(f);
		f->checked = 0;
		return;
	}
	/* (a tracee whose CPU cannot be read is asked as seldom) */
	uint64_t now = scry_now_mono();
	if (f->checked && ++f->events < FOLLOW_EVENTS && now < f->next_ns)
		return;
	f->checked = 1;
	f->events = 0;
	f->next_ns = now + FOLLOW_NS;
	struct tracee *t = tracee_get(s, tid);
	if (!t)
		return;
	int cpu = tracee_cpu(t);
	if (cpu < 0 || cpu == f->cpu || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &f->orig))
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == 0)
		f->cpu = cpu;
}

/* The calibrated stop cost that applies to this call (see ptrace_calibrate). */
static uint64_t stop_overhead(struct scry_session *s, struct tracee *t, uint64_t raw)
{
	if (s->overhead_same_ns == s->overhead_cross_ns)
		return s->overhead_same_ns;
	/* Well under a cross-CPU stop pair (cross-CPU pairs vary, so the
	 * line is halfway): it cannot have been one, and the /proc read
	 * (most of ptrace -c's cost per call) is not needed. */
	uint64_t lo = s->overhead_same_ns < s->overhead_cross_ns ? s->overhead_same_ns : s->overhead_cross_ns;
	uint64_t hi = s->overhead_same_ns < s->overhead_cross_ns ? s->overhead_cross_ns : s->overhead_same_ns;
	if (raw < (lo + hi) / 2)
		return lo;
	int cpu = tracee_cpu(t);
	return cpu >= 0 && cpu == sched_getcpu() ? s->overhead_same_ns : s->overhead_cross_ns;
}

static void fill_event(struct scry_event *ev, enum scry_event_type type, struct tracee *t)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = t->tgid;
	ev->tid = t->tid;
	ev->ts_ns = scry_now_real();
	ev->last_nr = t->nr;
}

static int call_is(const struct scry_session *s, long nr, const char *name)
{
	const struct scry_syscall_info *i = scry_syscall_get(s->table, nr);
	return i && !strcmp(i->name, name);
}

/*
 * cfg.stack_depth: the thread's user registers at this entry stop, numbered
 * as DWARF numbers them (struct raw_regs), for the unwinder.  One extra
 * request, made only when stacks are wanted and the call is traced.
 */
static int stack_regs(struct scry_session *s, struct tracee *t, struct raw_regs *rr)
{
	/* (not a 32-bit process's: the unwinder knows x86_64 frames only) */
	if (s->cfg.stack_depth <= 0 || t->pers == PERS_IA32)
		return 0;
	long nr = t->nr;
	if (s->cfg.syscall_bitmap && nr >= 0 && (unsigned long)nr / 64 < s->cfg.syscall_bitmap_words &&
	    !((s->cfg.syscall_bitmap[nr / 64] >> (nr % 64)) & 1))
		return 0;
	memset(rr, 0, sizeof(*rr));
#if defined(__x86_64__)
	struct user_regs_struct r;
	if (xptrace(PTRACE_GETREGS, t->tid, NULL, &r) < 0)
		return 0;
	const uint64_t v[17] = { r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
				 r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip };
	memcpy(rr->r, v, sizeof(v));
	rr->have = (1ull << 17) - 1;
	return 1;
#elif defined(__aarch64__)
	struct user_regs_struct r;     /* glibc's: regs[31], sp, pc, pstate */
	struct iovec io = { &r, sizeof(r) };
	if (xptrace(PTRACE_GETREGSET, t->tid, (void *)1 /* NT_PRSTATUS */, &io) < 0)
		return 0;
	for (int i = 0; i < 31; i++)
		rr->r[i] = r.regs[i];
	rr->r[31] = r.sp;
	rr->r[32] = r.pc;
	rr->have = (1ull << 33) - 1;
	return 1;
#else
	return 0;
#endif
}

static void on_entry(struct scry_session *s, struct tracee *t, const struct syscall_stop *st)
{
	t->flags |= T_IN_SYSCALL;
	t->flags &= ~T_ENTRY_SHOWN;
	t->nr = st->nr;
	t->sp = st->sp;
	t->ip = st->ip;
	memcpy(t->args, st->args, sizeof(t->args));
	t->t_enter_mono = scry_now_mono();
	t->t_enter_ns = scry_now_real();
	if ((t->flags & T_HIDDEN) && !(t->flags & T_MUTED) &&
	    (call_is(s, t->nr, "execve") || call_is(s, t->nr, "execveat")))
		t->flags &= ~T_HIDDEN;
	if (s->inject_rule) {
		/* before the decoder reads the arguments: poke_enter shows */
		struct inject_stop is;
		inject_enter(s, t, &is);
		t->inj_sig = is.sig;
		t->inj_delay_ns = is.delay_ns;
	}
	if (t->flags & T_HIDDEN)
		return;
	struct raw_call rc = { .nr = t->nr, .args = t->args, .sp = t->sp, .t_enter_ns = t->t_enter_ns };
	struct raw_regs regs;
	if (stack_regs(s, t, &regs))
		rc.regs = &regs;
	engine_enter(s, t, &rc);
	/* (the thread is stopped: its CPU time is the same now as before
	 * the engine ran; a call the engine dropped costs no /proc read) */
	if (s->cfg.cpu_time && (t->flags & T_ENTRY_SHOWN))
		t->t_enter_cpu = thread_cpu_ns(t);
}

/* A call that will never return (exit, exec that replaced it, death). */
static void finish_unfinished(struct scry_session *s, struct tracee *t)
{
	if (!(t->flags & T_IN_SYSCALL))
		return;
	t->flags &= ~T_IN_SYSCALL;
	engine_unfinished(s, t, scry_now_real());
}

static void on_exit_stop(struct scry_session *s, struct tracee *t, const struct syscall_stop *st)
{
	if (!(t->flags & T_IN_SYSCALL))
		return;        /* attached in the middle of a call: no entry seen */
	t->flags &= ~T_IN_SYSCALL;
	if (!(t->flags & T_ENTRY_SHOWN))
		return;
	uint64_t now = scry_now_mono();
	uint64_t raw = now - t->t_enter_mono;
	uint64_t oh = stop_overhead(s, t, raw);
	struct raw_result rr = {
		.ret = st->rval,
		.is_error = st->is_error,
		.t_exit_ns = t->t_enter_ns + raw,
		.duration_ns = raw > oh ? raw - oh : 0,
		.injected = t->inj_done,
	};
	if (s->cfg.cpu_time) {
		uint64_t cpu = thread_cpu_ns(t);
		rr.cpu_ns = cpu > t->t_enter_cpu ? cpu - t->t_enter_cpu : 0;
	}
	engine_exit(s, t, &rr);
}

/*
 * The exit stop of a call that was not shown (outside -e trace=, before the
 * first exec, ...) needs nothing from the kernel: neither its result nor
 * which stop it is, since a thread inside a call we saw enter stops next at
 * that call's exit (the PTRACE_GETREGS fallback relies on the same).  One
 * ptrace request fewer for each filtered call (with --no-seccomp, or -p).
 */
static int exit_needs_nothing(const struct scry_session *s, const struct tracee *t)
{
	/* (with stacks the engine must see every exit: an unshown mmap or
	 * munmap changes the mappings the unwinder reads, engine_exit) */
	return (t->flags & (T_IN_SYSCALL | T_ENTRY_SHOWN | T_SECCOMP_ENTRY)) == T_IN_SYSCALL && !t->inj &&
	       !s->unwind;
}

static void on_syscall_stop(struct scry_session *s, struct tracee *t)
{
	struct syscall_stop st;
	memset(&st, 0, sizeof(st));
	if (exit_needs_nothing(s, t)) {
		t->flags &= ~T_IN_SYSCALL;
		t->inj_done = 0;
	} else if (get_stop(s, t, &st) == 0) {
		if (st.op == PTRACE_SYSCALL_INFO_ENTRY && (t->flags & T_SECCOMP_ENTRY)) {
			/* The entry stop that follows a seccomp stop (kernels
			 * since 4.8): the call was recorded at the seccomp stop. */
			t->flags &= ~T_SECCOMP_ENTRY;
		} else if (st.op == PTRACE_SYSCALL_INFO_ENTRY)
			on_entry(s, t, &st);
		else if (st.op == PTRACE_SYSCALL_INFO_EXIT) {
			/* (a call skipped at its seccomp stop has no entry stop) */
			t->flags &= ~T_SECCOMP_ENTRY;
			if (t->inj && (t->flags & T_IN_SYSCALL)) {
				struct inject_stop is;
				inject_exit(s, t, &st.rval, &st.is_error, &is);
				t->inj_delay_ns = is.delay_ns;
			}
			on_exit_stop(s, t, &st);
			t->inj = NULL;
			t->inj_done = 0;
		}
	}
	end_stop(s, t, 0);
}

/* ---- other stops ---- */

static void handle_status(struct scry_session *s, pid_t pid, int status);

/*
 * A new thread or process is reported twice, in an order the kernel does not
 * fix: its parent's fork/vfork/clone event names it, and it stops once by
 * itself.  When its own stop comes first, the child is kept at that stop
 * (T_AWAIT_PARENT) until the parent's event, so that it is announced once,
 * with its parent, and before any of its calls (a thread event with parent 0
 * and then the same thread again was test_thread_events_once's bug).
 */
static void hold_new_task(struct scry_session *s, pid_t pid, int status)
{
	/* unshown while held: not one of the tasks the events count yet */
	struct tracee *c = tracee_add(s, pid, proc_tgid(pid), T_AWAIT_PARENT | T_UNSHOWN);
	if (!c) {                /* out of memory: the session ends */
		let_go(pid, 1);
		return;
	}
	c->held_status = status;
	c->held_ns = scry_now_mono();
	s->nheld++;
}

/* Announce child (parent NULL: no longer knowable), or let it go if it is a
 * process nobody asked to follow. */
static void announce_task(struct scry_session *s, struct tracee *parent, struct tracee *c)
{
	/* CLONE_THREAD puts the new task in its creator's group, whose id is
	 * not its own tid; a new process leads its own group */
	int is_thread = parent ? c->tgid == parent->tgid : c->tgid != c->tid;
	if (!is_thread && !s->cfg.follow_forks) {
		/* Auto-attached by PTRACE_O_TRACECLONE but not asked for:
		 * let it go, silently, at its first stop. */
		/* Under a seccomp filter (launch only) every new process
		 * descends from the launched command and inherited the
		 * filter: keep it traced, never shown. */
		if (s->cfg.seccomp_len)
			c->flags |= T_HIDDEN | T_MUTED;
		else
			c->flags |= T_DETACHING | T_HIDDEN;
		tracee_set_unshown(s, c);
		return;
	}
	struct scry_event ev;
	fill_event(&ev, SCRY_EV_NEW_TASK, c);
	ev.u.task.parent = parent ? parent->tid : 0;
	ev.u.task.is_thread = is_thread;
	session_emit(s, &ev);
}

/* Stop holding c; the caller announces it and handles its kept stop. */
static void unhold(struct scry_session *s, struct tracee *c)
{
	c->flags &= ~(T_AWAIT_PARENT | T_UNSHOWN);
	s->nheld--;
	s->unshown--;
}

/*
 * A task that died before its first stop, reported before the clone event
 * that names it: kept here (a small ring: unrelated exits pass through it
 * too) so that the event finds it gone instead of waiting for it forever.
 */
static void remember_early_gone(struct scry_session *s, pid_t pid, int status)
{
	unsigned n = sizeof(s->early_gone) / sizeof(s->early_gone[0]);
	s->early_gone[s->nearly_gone % n].pid = pid;
	s->early_gone[s->nearly_gone % n].status = status;
	s->nearly_gone++;
}

/* The exit status kept for pid (and forgotten), or -1. */
static int take_early_gone(struct scry_session *s, pid_t pid)
{
	unsigned n = sizeof(s->early_gone) / sizeof(s->early_gone[0]);
	for (unsigned i = 0; i < n && i < s->nearly_gone; i++)
		if (s->early_gone[i].pid == pid) {
			s->early_gone[i].pid = 0;
			return s->early_gone[i].status;
		}
	return -1;
}

/* Is a status of pid among those collected and not yet handled? */
static int in_batch_rest(struct scry_session *s, pid_t pid)
{
	for (int i = 0; i < s->nbatch_rest; i++)
		if (s->batch_rest[i].pid == pid)
			return 1;
	return 0;
}

static void on_new_task(struct scry_session *s, struct tracee *parent, pid_t child)
{
	struct tracee *c = tracee_get(s, child);
	int held = c && (c->flags & T_AWAIT_PARENT);
	pid_t tgid = child, tracer = 0;
	int gone = -1;
	if (c) {
		tgid = proc_tgid(child);
	} else {
		int known = proc_task_ids(child, &tgid, &tracer);
		gone = s->nearly_gone ? take_early_gone(s, child) : -1;
		/*
		 * Not a task that will report to us: no such task, or not traced
		 * by this thread.  Seen: a creator killed at its clone event
		 * stop, whose event message, read after, was its exit code (9),
		 * taken for the new task's pid; the session then waited for task
		 * 9 forever.  (A new task that is already gone, its exit
		 * reported first, is in the early_gone ring, or collected and
		 * not yet handled: in the rest of the loop's batch.)
		 */
		if (gone == -1 && (known < 0 || tracer != (pid_t)syscall(SYS_gettid)) &&
		    !in_batch_rest(s, child))
			return;
	}
	if (c && !held)          /* announced already (as an orphan, or attached) */
		return;
	if (held)
		unhold(s, c);
	if (!c) {
		c = tracee_add(s, child, tgid, parent->flags & (T_LAUNCHED | T_HIDDEN | T_MUTED | T_UNSHOWN));
		if (!c) {        /* out of memory: the session ends */
			let_go(child, 0);
			return;
		}
	} else {
		c->tgid = tgid;
		c->flags |= parent->flags & (T_LAUNCHED | T_HIDDEN | T_MUTED);
		if (parent->flags & T_UNSHOWN)
			tracee_set_unshown(s, c);
	}
	announce_task(s, parent, c);
	if (held)
		handle_status(s, child, c->held_status);
	else if (gone != -1)     /* gone already, its exit reported first */
		handle_status(s, child, gone);
}

/*
 * A held child whose parent can no longer report it (the parent was killed
 * inside fork or clone, so its event never comes): announce it with parent
 * 0 and handle the stop it was kept at, unless it is gone (replay 0).
 */
static void release_orphan(struct scry_session *s, struct tracee *c, int replay)
{
	unhold(s, c);
	announce_task(s, NULL, c);
	if (replay)
		handle_status(s, c->tid, c->held_status);
}

static int tgid_has_unheld(struct scry_session *s, pid_t tgid)
{
	for (size_t i = 0; i < s->cap; i++) {
		struct tracee *t = s->slots[i];
		if (t && t->tgid == tgid && !(t->flags & T_AWAIT_PARENT))
			return 1;
	}
	return 0;
}

/*
 * A held child whose parent's event can no longer come: any held one
 * (any_held), else a process child whose parent has no traced thread left
 * (its PPid is then its new reaper, untraced) or exec'd (exec_tgid: exec
 * ends every other thread, and the execer's own events came before its
 * exec).  Held threads die with their group, which ends their wait.
 */
static struct tracee *orphan_held(struct scry_session *s, pid_t exec_tgid, int any_held)
{
	for (size_t i = 0; i < s->cap; i++) {
		struct tracee *t = s->slots[i];
		if (!t || !(t->flags & T_AWAIT_PARENT))
			continue;
		if (any_held)
			return t;
		if (t->tgid != t->tid)
			continue;
		char v[32];
		pid_t ppid = proc_status_field(t->tid, "PPid", v, sizeof(v)) == 0 ? (pid_t)atoi(v) : 0;
		if (exec_tgid ? ppid == exec_tgid : !tgid_has_unheld(s, ppid))
			return t;
	}
	return NULL;
}

static void release_orphans(struct scry_session *s, pid_t exec_tgid, int any_held)
{
	struct tracee *c;
	while (s->nheld && (c = orphan_held(s, exec_tgid, any_held)))
		release_orphan(s, c, 1);
}

/*
 * Is the group of held thread t dying: a SIGKILL pending for the whole
 * group (exit_group, a fatal signal), or its leader a zombie?  Seen: a
 * thread made by clone3 while its group was being killed stayed at its
 * first stop, with the group's SIGKILL pending and never delivered, its
 * creator killed before its clone event; held, it kept the zombie leader
 * from being reported, and the session waited forever.
 */
static int held_group_dying(struct tracee *t)
{
	char v[64];
	if (proc_status_field(t->tid, "ShdPnd", v, sizeof(v)) == 0 &&
	    (strtoull(v, NULL, 16) & (1ull << (SIGKILL - 1))))
		return 1;
	char st = proc_state(t->tgid);
	return st == 'Z' || st == 'X' || st == 0;
}

/* Held threads whose creator's event cannot come because their group is
 * dying: released (announced without a parent, resumed, and so dead).
 * Looked at every 50 ms at most, for tasks held at least that long: a live
 * creator's event comes within microseconds. */
static void release_dying_held(struct scry_session *s)
{
	uint64_t now = scry_now_mono();
	if (now < s->held_check_ns)
		return;
	s->held_check_ns = now + 50000000u;
	for (int again = 1; again && s->nheld;) {
		again = 0;
		for (size_t i = 0; i < s->cap; i++) {
			struct tracee *t = s->slots[i];
			if (t && (t->flags & T_AWAIT_PARENT) && t->tgid != t->tid &&
			    now - t->held_ns >= 50000000u && held_group_dying(t)) {
				release_orphan(s, t, 1);
				again = 1;
				break;
			}
		}
	}
}

static void on_exec(struct scry_session *s, struct tracee *t)
{
	unsigned long old = 0;
	xptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &old);
	pid_t oldtid = (pid_t)old;
	if (oldtid && oldtid != t->tid) {
		/*
		 * A non-leader thread exec'd: it now has the leader's tid, the
		 * old leader is gone without an exit report, and the execve
		 * that is in flight belongs to the thread that made it.
		 */
		struct tracee *execer = tracee_get(s, oldtid);
		if (execer) {
			finish_unfinished(s, t);
			tracee_remove(s, t);
			tracee_rekey(s, execer, execer->tgid);
			t = NULL;
			/* its /proc files were named by the old tid */
			if (execer->sched_fd >= 0) {
				close(execer->sched_fd);
				execer->sched_fd = -1;
			}
			if (execer->stat_fd >= 0) {
				close(execer->stat_fd);
				execer->stat_fd = -1;
			}
			t = execer;
		}
	}
	if (!(t->flags & T_MUTED))
		t->flags &= ~T_HIDDEN;
	if (!(t->flags & T_HIDDEN)) {
		struct scry_event ev;
		fill_event(&ev, SCRY_EV_EXEC, t);
		ev.u.exec.old_tid = oldtid;
		session_emit(s, &ev);
	}
	if (s->nheld)
		release_orphans(s, t->tgid, 0);
	resume(s, t, 0);
}

static void on_signal_stop(struct scry_session *s, struct tracee *t, int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (!(t->flags & T_HIDDEN)) {
		struct scry_event ev;
		fill_event(&ev, SCRY_EV_SIGNAL, t);
		ev.u.signal.signo = sig;
		struct __ptrace_syscall_info info;   /* -i: where it was */
		if (s->cfg.instruction_pointer &&
		    xptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) > 0)
			ev.ip = info.instruction_pointer;
		if (xptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) == 0)
			ev.u.signal.info = si;
		else
			ev.u.signal.info.si_signo = sig;
		engine_signal(s, &ev);
	}
	resume(s, t, sig);
}

static void on_gone(struct scry_session *s, struct tracee *t, int status)
{
	if (t->flags & T_AWAIT_PARENT)    /* killed with its group, parent too */
		release_orphan(s, t, 0);
	finish_unfinished(s, t);
	if (t->tid == s->launched_pid)
		s->launched_status = status;
	if (!(t->flags & T_HIDDEN) || t->tid == s->launched_pid) {
		struct scry_event ev;
		fill_event(&ev, WIFEXITED(status) ? SCRY_EV_EXITED : SCRY_EV_KILLED, t);
		ev.u.exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
		ev.u.exit.signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		ev.u.exit.core = WIFSIGNALED(status) ? WCOREDUMP(status) : 0;
		tracee_remove(s, t);
		ev.ntracees = (int)s->count + 1;
		for (int i = 0; i < s->nsinks; i++) {
			int r = s->sinks[i].event(s->sinks[i].ctx, &ev);
			if (r < 0 && !s->sink_err) {
				s->sink_err = r;
				s->detach_requested = 1;
			}
		}
	} else {
		tracee_remove(s, t);
	}
	/* the one that is gone may have been a held child's parent */
	if (s->nheld)
		release_orphans(s, 0, 0);
}

static void detach_one(struct scry_session *s, struct tracee *t, int sig);

static void handle_status(struct scry_session *s, pid_t pid, int status)
{
	struct tracee *t = tracee_get(s, pid);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (t)
			on_gone(s, t, status);
		else if (pid == s->launched_pid)
			s->launched_status = status;
		else
			remember_early_gone(s, pid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (!t) {
		/* An auto-attached child whose stop beat its parent's event. */
		hold_new_task(s, pid, status);
		return;
	}
	t->flags |= T_SEEN_STOP;
	if (t->flags & T_DELAY_HELD)     /* woken from its delay (killed) */
		unhold_delayed(s, t);
	int sig = WSTOPSIG(status);
	unsigned event = (unsigned)status >> 16;

	if (t->flags & T_DETACHING) {
		int pass = (!event && sig != (SIGTRAP | 0x80)) ? sig : 0;
		detach_one(s, t, pass);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(s, t);
		return;
	}
	switch (event) {
	case 0:
		on_signal_stop(s, t, sig);
		return;
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {
			/* A real group-stop: stay stopped until SIGCONT. */
			if (!(t->flags & (T_LISTENING | T_HIDDEN))) {
				struct scry_event ev;
				fill_event(&ev, SCRY_EV_STOPPED, t);
				ev.u.signal.signo = sig;
				session_emit(s, &ev);
			}
			t->flags |= T_LISTENING;
			xptrace(PTRACE_LISTEN, t->tid, NULL, NULL);
		} else {
			t->flags &= ~T_LISTENING;
			resume(s, t, 0);
		}
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: {
		unsigned long child = 0;
		if (xptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &child) == 0 && child)
			on_new_task(s, t, (pid_t)child);
		resume(s, t, 0);
		return;
	}
	case PTRACE_EVENT_EXEC:
		on_exec(s, t);
		return;
	case PTRACE_EVENT_SECCOMP: {
		struct syscall_stop st;
		memset(&st, 0, sizeof(st));
		if (get_stop(s, t, &st) == 0 && st.op == PTRACE_SYSCALL_INFO_ENTRY) {
			on_entry(s, t, &st);
			t->flags |= T_SECCOMP_ENTRY;
		}
		end_stop(s, t, 1);
		return;
	}
	default:   /* PTRACE_EVENT_EXIT and others */
		/* A thread that stops to exit will not return from the call
		 * it is in: strace shows "= ?" now, not when the thread is
		 * reaped (a group leader is reaped only after every other
		 * thread, so the exit_group it called came last). */
		if (event == PTRACE_EVENT_EXIT)
			finish_unfinished(s, t);
		resume(s, t, 0);
		return;
	}
}

/* ---- the waker ---- */

/*
 * The tracer thread blocks in waitpid() for its tasks, and only a status
 * ends that wait.  What else must wake it (a detach asked for by a signal
 * handler or another thread, the periodic flush, --interval's ticks, the end
 * of an injected delay, the detach's deadline) comes through a small child
 * process that the tracer thread traces: it sleeps in ppoll() on the
 * session's wake pipe until the next deadline or a byte, then raises a
 * signal, which stops it for us; the loop resumes it without the signal.
 * So the library installs no signal handler and arms no process timer, and
 * a host program's own alarm() and SIGALRM handler stay its own.  It costs
 * one stop a period (100 ms), as the old SIGALRM did.
 */
struct waker_shared {
	_Atomic uint64_t period_ns;   /* wake at least this often */
	_Atomic uint64_t next_ns;     /* and at this CLOCK_MONOTONIC time (0: none) */
};

struct waker {
	pid_t pid;                    /* 0: none */
	struct waker_shared *sh;
};

static _Noreturn void waker_main(struct scry_session *s, struct waker_shared *sh, int gate)
{
	/* async-signal-safe only: we are the child of a threaded process */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "scry-waker");
	signal(SIGUSR1, SIG_IGN);       /* traced, it still stops for it */
	sigset_t none;                  /* (the tracer thread blocks them all) */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char c;
	while (read(gate, &c, 1) < 0 && errno == EINTR)
		;
	int rd = s->wake_rd;
	/* keep no file of the host's open: a pipe's reader must see its end */
	if (rd > 0)
		syscall(SYS_close_range, 0u, (unsigned)rd - 1, 0u);
	syscall(SYS_close_range, (unsigned)rd + 1, ~0u, 0u);
	uint64_t last = scry_now_mono();
	for (;;) {
		uint64_t now = scry_now_mono();
		uint64_t due = last + atomic_load(&sh->period_ns);
		uint64_t next = atomic_load(&sh->next_ns);
		if (next && next < due)
			due = next;
		uint64_t in = due > now ? due - now : 0;
		struct timespec ts = { (time_t)(in / 1000000000u), (long)(in % 1000000000u) };
		struct pollfd p = { rd, POLLIN, 0 };
		int poked = ppoll(&p, 1, &ts, NULL) > 0;
		char buf[64];
		while (read(rd, buf, sizeof(buf)) > 0)
			;
		now = scry_now_mono();
		next = atomic_load(&sh->next_ns);
		if (poked || now >= last + atomic_load(&sh->period_ns) || (next && now >= next)) {
			last = now;
			raise(SIGUSR1);
		}
	}
}

/* Starts the waker (on the tracer thread); 0 or a negative errno. */
static int waker_start(struct scry_session *s, struct waker *w, uint64_t period_ns)
{
	w->pid = 0;
	w->sh = mmap(NULL, sizeof(*w->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->sh == MAP_FAILED) {
		w->sh = NULL;
		return -errno;
	}
	atomic_store(&w->sh->period_ns, period_ns);
	atomic_store(&w->sh->next_ns, 0);
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0) {
		int e = -errno;
		munmap(w->sh, sizeof(*w->sh));
		w->sh = NULL;
		return e;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(gate[1]);
		waker_main(s, w->sh, gate[0]);
	}
	int e = pid < 0 ? -errno : 0;
	close(gate[0]);
	if (pid > 0 && xptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_O_EXITKILL) < 0) {
		e = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, WAIT_OURS);
	}
	close(gate[1]);                /* it goes on, traced */
	if (e < 0) {
		munmap(w->sh, sizeof(*w->sh));
		w->sh = NULL;
		return e;
	}
	w->pid = pid;
	return 0;
}

static void waker_stop(struct waker *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, NULL, WAIT_OURS) < 0 && errno == EINTR)
			;
	}
	if (w->sh)
		munmap(w->sh, sizeof(*w->sh));
	w->pid = 0;
	w->sh = NULL;
}

/* Wake the tracer thread at this CLOCK_MONOTONIC time too (0: no need). */
static void waker_at(struct scry_session *s, struct waker *w, uint64_t when)
{
	if (!w->sh)
		return;
	uint64_t old = atomic_exchange(&w->sh->next_ns, when);
	if (when && (!old || when < old)) {
		ssize_t n = write(s->wake_wr, "t", 1);   /* sooner than it sleeps */
		(void)n;
	}
}

static void waker_period(struct scry_session *s, struct waker *w, uint64_t period_ns)
{
	if (!w->sh)
		return;
	atomic_store(&w->sh->period_ns, period_ns);
	ssize_t n = write(s->wake_wr, "p", 1);
	(void)n;
}

/*
 * A status of the waker: resume it (without its signal).  1 if pid was
 * the waker's; if it died (someone killed it), start another one.
 */
static int waker_status(struct scry_session *s, struct waker *w, pid_t pid, int status)
{
	if (pid != w->pid)
		return 0;
	if (WIFSTOPPED(status)) {
		xptrace(PTRACE_CONT, pid, NULL, NULL);
		return 1;
	}
	uint64_t period = atomic_load(&w->sh->period_ns);
	munmap(w->sh, sizeof(*w->sh));
	w->sh = NULL;
	w->pid = 0;
	waker_start(s, w, period);
	return 1;
}

/* ---- detach ---- */

static void detach_one(struct scry_session *s, struct tracee *t, int sig)
{
	xptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)sig);
	/* A call in flight is not finished: the sinks see DETACHED instead. */
	t->flags &= ~T_IN_SYSCALL;
	if (!(t->flags & T_HIDDEN)) {
		struct scry_event ev;
		fill_event(&ev, SCRY_EV_DETACHED, t);
		session_emit(s, &ev);
	}
	tracee_remove(s, t);
}

static void interrupt_one(struct scry_session *s, struct tracee *t, void *data)
{
	(void)s; (void)data;
	if (t->flags & T_DETACHING)
		return;
	t->flags |= T_DETACHING;
	xptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL);
}

static void detach_all(struct scry_session *s, struct waker *w)
{
	s->detached = 1;
	/* held children are at a stop that will not be reported again */
	release_orphans(s, 0, 1);
	/* delayed threads are stopped already: let them go on, and stop */
	if (s->ndelayed)
		release_delayed(s, 1);
	tracee_each(s, interrupt_one, NULL);
	/* Whatever started the detach (a signal, a sink's error), the wait
	 * below must wake up to check its deadline. */
	uint64_t deadline = scry_now_mono() + 5ull * 1000000000u;
	waker_period(s, w, 20000000u);
	while (s->count > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, WAIT_OURS);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;    /* ECHILD: nothing left that can report */
		}
		if (waker_status(s, w, pid, status)) {
			if (scry_now_mono() > deadline)
				break;
			continue;
		}
		struct tracee *t = tracee_get(s, pid);
		if (!t) {
			if (WIFSTOPPED(status)) {
				/* Auto-attached while we were letting go. */
				xptrace(PTRACE_DETACH, pid, NULL, NULL);
			} else if (pid == s->launched_pid) {
				s->launched_status = status;
			}
			continue;
		}
		handle_status(s, pid, status);
	}
	/* Anything left did not report in time: the kernel detaches it when we exit. */
}

/* ---- the loop ---- */

#define BATCH 64
#define DRAIN_EVERY 8

static int ptrace_run(struct scry_session *s)
{
	struct pending_status batch[BATCH];
	int drain_found = 1, since_drain = 0;
	uint64_t next_tick = 0;
	/*
	 * A periodic timer interrupts waitpid() so that the loop gets control
	 * even when every tracee is blocked: ticks (--interval) come on time
	 * and buffered output reaches a file within a fraction of a second.
	 */
	uint64_t period = 100000000u;
	if (s->cfg.tick && s->cfg.tick_ns) {
		next_tick = scry_now_mono() + s->cfg.tick_ns;
		if (s->cfg.tick_ns / 4 < period)
			period = s->cfg.tick_ns / 4 > 1000000u ? s->cfg.tick_ns / 4 : 1000000u;
	}
	struct waker w;
	int e = waker_start(s, &w, period);
	if (e < 0)
		session_fail(s, e);
	struct follow fol;
	follow_init(s, &fol);
	/* What the attach's reaper collected comes first, in its order. */
	for (size_t i = 0; i < s->npending; i++) {
		s->batch_rest = s->pending + i + 1;
		s->nbatch_rest = (int)(s->npending - i - 1);
		handle_status(s, s->pending[i].pid, s->pending[i].status);
	}
	s->nbatch_rest = 0;
	s->npending = 0;
	while (s->count > 0 && !s->detach_requested) {
		if (next_tick && scry_now_mono() >= next_tick) {
			next_tick += s->cfg.tick_ns;
			s->cfg.tick(s->cfg.tick_ctx);
		}
		session_flush(s);
		/* Held children alone would wait for events nobody can send. */
		if (s->nheld && s->nheld == s->count)
			release_orphans(s, 0, 1);
		else if (s->nheld)
			release_dying_held(s);
		if (s->ndelayed) {
			/* wake the wait below when the next delay ends */
			uint64_t next = release_delayed(s, 0);
			waker_at(s, &w, next != UINT64_MAX ? next : 0);
		} else if (w.sh && atomic_load(&w.sh->next_ns)) {
			waker_at(s, &w, 0);
		}
		int status;
		pid_t pid = waitpid(-1, &status, WAIT_OURS);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* Collect every other ready event before handling any, so that
		 * one busy tracee cannot starve the rest. */
		int n = 0;
		batch[n].pid = pid;
		batch[n++].status = status;
		/*
		 * (With one tracee there is nobody to starve: save the call.)
		 * A look that finds nobody else ready costs a waitpid() for
		 * nothing, and with threads that take turns it mostly does
		 * (a quarter of the requests per stop on bench/threads): after
		 * such a look, the next ones are made only once in DRAIN_EVERY
		 * events, so a tracee that becomes ready behind a busy one
		 * waits at most that many events.
		 */
		if (s->count > 1 && (drain_found || ++since_drain >= DRAIN_EVERY)) {
			since_drain = 0;
			while (n < BATCH && (pid = waitpid(-1, &status, WAIT_OURS | WNOHANG)) > 0) {
				batch[n].pid = pid;
				batch[n++].status = status;
			}
			drain_found = n > 1;
		}
		for (int i = 0; i < n; i++) {
			s->batch_rest = batch + i + 1;
			s->nbatch_rest = n - i - 1;
			if (!waker_status(s, &w, batch[i].pid, batch[i].status))
				handle_status(s, batch[i].pid, batch[i].status);
		}
		s->nbatch_rest = 0;
		follow_step(s, &fol, batch[n - 1].pid);
	}
	follow_release(&fol);
	if (s->count > 0)
		detach_all(s, &w);
	waker_stop(&w);
	int ksig = s->kill_launched_sig;
	if (ksig && s->launched_pid && s->launched_status == -1)
		kill(s->launched_pid, ksig);
	session_flush(s);
	return s->sink_err;
}

/* ---- calibration ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The time between an entry stop and an exit stop includes the two stops
 * themselves (tens of µs here), far more than a cheap call.  Measure it on a
 * child of our own making getppid() and keep the median minus the native
 * cost, so that durations can be corrected (what strace's -O does by hand).
 */
static int calibrate_one(struct scry_session *s, int child_cpu, uint64_t *out)
{
	enum { N = 200 };
	uint64_t native0 = scry_now_mono();
	for (int i = 0; i < 1000; i++)
		(void)getppid();
	uint64_t native = (scry_now_mono() - native0) / 1000;

	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(gate[0]);
		close(gate[1]);
		return -errno;
	}
	if (pid == 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(child_cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		close(gate[1]);
		char c;
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		for (int i = 0; i < N + 10; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	close(gate[0]);
	if (xptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		close(gate[1]);
		waitpid(pid, NULL, 0);
		return -e;
	}
	xptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
	close(gate[1]);
	uint64_t samples[N];
	int n = 0, in = 0;
	uint64_t t0 = 0;
	long getppid_nr = scry_syscall_lookup(s->table, "getppid");
	for (;;) {
		int status;
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		int sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80)) {
			uint64_t now = scry_now_mono();
			struct __ptrace_syscall_info info;
			if (xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) > 0) {
				if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
					in = (long)info.entry.nr == getppid_nr;
					t0 = now;
				} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && in && n < N) {
					samples[n++] = now - t0;
					in = 0;
				}
			} else {
				/* Without syscall info, toggle: entries and exits alternate. */
				if (!in) {
					in = 1;
					t0 = now;
				} else if (n < N) {
					samples[n++] = now - t0;
					in = 0;
				}
			}
			xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
		} else if ((unsigned)status >> 16) {
			xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
		} else {
			xptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
		}
	}
	if (n < N / 2)
		return -EAGAIN;
	qsort(samples, (size_t)n, sizeof(samples[0]), cmp_u64);
	uint64_t med = samples[n / 2];
	*out = med > native ? med - native : 0;
	return 0;
}

/*
 * The cost of a stop pair depends on where the tracee runs: on the tracer's
 * CPU the two hand over directly (about 8 µs here), on another CPU each
 * wake-up crosses CPUs (about 45 µs).  Measure both, with scry pinned to its
 * CPU for the measurement only; at each exit stop the tracee's CPU says
 * which one to subtract (see stop_overhead()).
 */
static int ptrace_calibrate(struct scry_session *s)
{
	cpu_set_t mine;
	if (sched_getaffinity(0, sizeof(mine), &mine) < 0)
		return -errno;
	int cur = sched_getcpu();
	if (cur < 0)
		return -errno;
	int other = -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (c != cur && CPU_ISSET(c, &mine)) {
			other = c;
			break;
		}
	cpu_set_t pin;
	CPU_ZERO(&pin);
	CPU_SET(cur, &pin);
	sched_setaffinity(0, sizeof(pin), &pin);
	uint64_t same = 0, cross = 0;
	int r = calibrate_one(s, cur, &same);
	if (!r && other >= 0)
		r = calibrate_one(s, other, &cross);
	else
		cross = same;
	sched_setaffinity(0, sizeof(mine), &mine);
	if (r < 0)
		return r;
	s->overhead_same_ns = same;
	s->overhead_cross_ns = cross;
	s->overhead_ns = same < cross ? same : cross;
	return 0;
}

const struct backend_ops ptrace_backend = {
	.name = "ptrace",
	.kind = SCRY_BACKEND_PTRACE,
	.attach = ptrace_attach_all,
	.launch = ptrace_launch,
	.run = ptrace_run,
	.calibrate = ptrace_calibrate,
	.read_stats = NULL,
	.release = NULL,
};
