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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OPTS_BASE (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACECLONE)
#define OPTS_FORK (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK)

static long xptrace(int req, pid_t pid, void *addr, void *data)
{
	return ptrace((enum __ptrace_request)req, pid, addr, data);
}

static unsigned long options_for(const struct scry_session *s, int launched)
{
	unsigned long o = OPTS_BASE;
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

/* Say why the kernel refused to let us trace pid, as precisely as /proc allows. */
static void explain_eperm(pid_t pid, struct scry_attach_error *why)
{
	char v[128];
	if (proc_status_field(pid, "TracerPid", v, sizeof(v)) == 0 && atoi(v) != 0) {
		char comm[64];
		proc_comm(atoi(v), comm, sizeof(comm));
		snprintf(why->reason, sizeof(why->reason),
			 "it is already traced by process %d (%s)", atoi(v), comm);
		return;
	}
	uid_t me = geteuid();
	if (proc_status_field(pid, "Uid", v, sizeof(v)) == 0) {
		unsigned ruid = 0, euid = 0;
		sscanf(v, "%u %u", &ruid, &euid);
		if (me != 0 && (ruid != me || euid != me)) {
			snprintf(why->reason, sizeof(why->reason),
				 "it belongs to user %u and scry runs as user %u; run scry as root or as that user",
				 euid, (unsigned)me);
			return;
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
			return;
		}
	}
	snprintf(why->reason, sizeof(why->reason),
		 "the process is not dumpable or a security module forbids it");
}

/* ---- attach ---- */

static int seize_thread(struct scry_session *s, pid_t tid, pid_t tgid)
{
	if (tracee_get(s, tid))
		return 0;
	if (xptrace(PTRACE_SEIZE, tid, NULL, (void *)options_for(s, 0)) < 0)
		return -errno;
	tracee_add(s, tid, tgid, 0);
	/* Stop it once so that we can start syscall tracing from a stop. */
	xptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
	return 0;
}

static int ptrace_attach_all(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	pid_t tgid = session_attach_target(s, pid, why);
	if (tgid < 0)
		return tgid;
	int r = seize_thread(s, pid, tgid);
	if (r < 0) {
		why->err = -r;
		if (r == -EPERM)
			explain_eperm(pid, why);
		return r;
	}
	/*
	 * Threads may be created while we walk the list; threads made by ones
	 * already seized are auto-attached (PTRACE_O_TRACECLONE), so repeat the
	 * walk until it finds nothing new.
	 */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int pass = 0; pass < 100; pass++) {
		DIR *d = opendir(path);
		if (!d)
			break;
		int added = 0;
		struct dirent *de;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			if (tid <= 0 || tracee_get(s, tid))
				continue;
			if (seize_thread(s, tid, tgid) == 0)
				added++;
		}
		closedir(d);
		if (!added)
			break;
	}
	return 0;
}

/* ---- launch ---- */

/* In the child, before exec: the seccomp filter of a filtered launch. */
static int launch_setup(void *ctx)
{
	struct scry_session *s = ctx;
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
	tracee_add(s, pid, pid, T_LAUNCHED | (s->cfg.hide_until_exec ? T_HIDDEN : 0));
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
	long nr;
	uint64_t args[6];
	int64_t rval;
	int is_error;
};

/* Fallback for kernels without PTRACE_GET_SYSCALL_INFO (before 5.3). */
static int get_stop_regs(struct tracee *t, struct syscall_stop *st)
{
#if defined(__x86_64__)
	struct user_regs_struct r;
	if (xptrace(PTRACE_GETREGS, t->tid, NULL, &r) < 0)
		return -errno;
	if (!(t->flags & T_IN_SYSCALL)) {
		st->op = PTRACE_SYSCALL_INFO_ENTRY;
		st->nr = (long)r.orig_rax;
		uint64_t a[6] = { r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9 };
		memcpy(st->args, a, sizeof(a));
	} else {
		st->op = PTRACE_SYSCALL_INFO_EXIT;
		st->rval = (int64_t)r.rax;
		st->is_error = st->rval < 0 && st->rval >= -4095;
	}
	return 0;
#else
	(void)t; (void)st;
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
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				st->nr = (long)info.entry.nr;
				memcpy(st->args, info.entry.args, sizeof(st->args));
			} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
				st->rval = info.exit.rval;
				st->is_error = info.exit.is_error;
			} else if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
				st->op = PTRACE_SYSCALL_INFO_ENTRY;
				st->nr = (long)info.seccomp.nr;
				memcpy(st->args, info.seccomp.args, sizeof(st->args));
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
	return get_stop_regs(t, st);
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
}

static int call_is(const struct scry_session *s, long nr, const char *name)
{
	const struct scry_syscall_info *i = scry_syscall_get(s->table, nr);
	return i && !strcmp(i->name, name);
}

static void dctx_init(struct scry_session *s, struct tracee *t, struct dctx *d, struct scry_values *out)
{
	memset(d, 0, sizeof(*d));
	d->pid = t->tgid;
	d->tid = t->tid;
	d->nr = t->nr;
	d->info = scry_syscall_get(s->table, t->nr);
	d->args = t->args;
	d->limit = s->cfg.string_limit;
	d->verbose = s->cfg.verbose;
	d->xflag = s->cfg.xflag;
	d->fd_paths = s->cfg.fd_paths;
	d->out = out;
	d->rfmt = t->rfmt;
	d->rxlat = t->rxlat;
	d->rword = t->rword;
	d->rzero = t->rzero;
	d->rfield = t->rfield;
	d->state = t->dstate;
	d->sp = t->sp;
}

static void call_event(struct scry_session *s, struct tracee *t, struct scry_event *ev, enum scry_event_type type)
{
	fill_event(ev, type, t);
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	struct scry_call *c = &ev->u.call;
	c->nr = t->nr;
	c->name = info ? info->name : NULL;
	memcpy(c->args, t->args, sizeof(t->args));
	c->t_enter_ns = t->t_enter_ns;
	c->entry_args = s->cfg.no_decode ? NULL : &t->vals;
	c->exit_args = NULL;
	c->more_at_exit = t->dec_more == 3 ? 0 : t->dec_more;
	c->ret_text = "";
}

/*
 * -P: does this call touch one of the paths, by a path argument or by an fd
 * argument open on it?  (strace's rule; the paths come with their
 * canonical forms from the caller.)
 */
static int touches_path(struct scry_session *s, struct tracee *t)
{
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	if (!info)
		return 0;
	char buf[PATH_MAX];
	for (int i = 0; i < info->nargs; i++) {
		ssize_t n = -1;
		if (info->argtypes[i] == SCRY_ARG_PATH) {
			n = mem_read(t->tid, t->args[i], buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = '\0';
				n = (ssize_t)strlen(buf);
			}
		} else if (info->argtypes[i] == SCRY_ARG_FD && (int)t->args[i] >= 0) {
			char link[64];
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)t->tid, (int)t->args[i]);
			n = readlink(link, buf, sizeof(buf) - 1);
			if (n > 0)
				buf[n] = '\0';
		}
		if (n <= 0)
			continue;
		for (int k = 0; k < s->cfg.ntrace_paths; k++)
			if (!strcmp(buf, s->cfg.trace_paths[k]))
				return 1;
	}
	return 0;
}

static void on_entry(struct scry_session *s, struct tracee *t, const struct syscall_stop *st)
{
	t->flags |= T_IN_SYSCALL;
	t->flags &= ~T_ENTRY_SHOWN;
	t->nr = st->nr;
	t->sp = st->sp;
	memcpy(t->args, st->args, sizeof(t->args));
	t->t_enter_mono = scry_now_mono();
	t->t_enter_ns = scry_now_real();
	if (s->cfg.cpu_time)
		t->t_enter_cpu = thread_cpu_ns(t);
	if ((t->flags & T_HIDDEN) && !(t->flags & T_MUTED) &&
	    (call_is(s, t->nr, "execve") || call_is(s, t->nr, "execveat")))
		t->flags &= ~T_HIDDEN;
	if (t->flags & T_HIDDEN)
		return;
	if (s->cfg.ntrace_paths && !touches_path(s, t))
		return;     /* not shown, and its exit neither (no T_ENTRY_SHOWN) */
	t->dec_more = 0;
	t->rfmt = R_INT;
	t->rxlat = NULL;
	t->dstate = 0;
	scry_values_reset(&t->vals);
	if (!s->cfg.no_decode) {
		struct dctx d;
		dctx_init(s, t, &d, &t->vals);
		decoder_fn fn = t->nr >= 0 && (unsigned long)t->nr < s->table->ncalls ? s->decoders[t->nr] : decode_generic;
		int r = fn(&d);
		t->dec_more = r == DEC_MORE ? (d.exit_starts_comment ? 2 : 1) : r == DEC_AFTER ? 3 : 0;
		t->rfmt = d.rfmt;
		t->rxlat = d.rxlat;
		t->rword = d.rword;
		t->rzero = d.rzero;
		t->rfield = d.rfield;
		t->dstate = d.state;
	}
	struct scry_event ev;
	call_event(s, t, &ev, SCRY_EV_CALL_ENTER);
	ev.ts_ns = t->t_enter_ns;
	t->flags |= T_ENTRY_SHOWN;
	session_emit(s, &ev);
}

/* A call that will never return (exit, exec that replaced it, death). */
static void finish_unfinished(struct scry_session *s, struct tracee *t)
{
	if (!(t->flags & T_IN_SYSCALL))
		return;
	t->flags &= ~T_IN_SYSCALL;
	if (!(t->flags & T_ENTRY_SHOWN))
		return;
	struct scry_event ev;
	call_event(s, t, &ev, SCRY_EV_CALL_EXIT);
	scry_values_reset(&s->exit_vals);
	ev.u.call.exit_args = s->cfg.no_decode ? NULL : &s->exit_vals;
	ev.u.call.ret_text = "?";
	session_emit(s, &ev);
}

static void on_exit_stop(struct scry_session *s, struct tracee *t, const struct syscall_stop *st)
{
	if (!(t->flags & T_IN_SYSCALL))
		return;        /* attached in the middle of a call: no entry seen */
	t->flags &= ~T_IN_SYSCALL;
	if (!(t->flags & T_ENTRY_SHOWN))
		return;
	uint64_t now = scry_now_mono();
	struct scry_event ev;
	call_event(s, t, &ev, SCRY_EV_CALL_EXIT);
	struct scry_call *c = &ev.u.call;
	c->ret = st->rval;
	c->is_error = st->is_error;
	c->t_exit_ns = t->t_enter_ns + (now - t->t_enter_mono);
	uint64_t raw = now - t->t_enter_mono;
	uint64_t oh = stop_overhead(s, t, raw);
	c->duration_ns = raw > oh ? raw - oh : 0;
	if (s->cfg.cpu_time) {
		uint64_t cpu = thread_cpu_ns(t);
		c->cpu_ns = cpu > t->t_enter_cpu ? cpu - t->t_enter_cpu : 0;
	}
	if (!s->cfg.no_decode) {
		struct dctx d;
		scry_values_reset(&s->exit_vals);
		dctx_init(s, t, &d, &s->exit_vals);
		d.exiting = 1;
		d.ret = st->rval;
		d.failed = st->is_error;
		if (t->dec_more)
			s->decoders[t->nr](&d);
		strbuf_reset(&s->ret_text);
		render_result(&s->ret_text, &d);
		c->exit_args = &s->exit_vals;
		c->ret_text = s->ret_text.buf;
	}
	session_emit(s, &ev);
}

static void on_syscall_stop(struct scry_session *s, struct tracee *t)
{
	struct syscall_stop st;
	memset(&st, 0, sizeof(st));
	if (get_stop(s, t, &st) == 0) {
		if (st.op == PTRACE_SYSCALL_INFO_ENTRY && (t->flags & T_SECCOMP_ENTRY)) {
			/* The entry stop that follows a seccomp stop (kernels
			 * since 4.8): the call was recorded at the seccomp stop. */
			t->flags &= ~T_SECCOMP_ENTRY;
		} else if (st.op == PTRACE_SYSCALL_INFO_ENTRY)
			on_entry(s, t, &st);
		else if (st.op == PTRACE_SYSCALL_INFO_EXIT)
			on_exit_stop(s, t, &st);
	}
	resume(s, t, 0);
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
	c->held_status = status;
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

static void on_new_task(struct scry_session *s, struct tracee *parent, pid_t child)
{
	pid_t tgid = proc_tgid(child);
	struct tracee *c = tracee_get(s, child);
	int held = c && (c->flags & T_AWAIT_PARENT);
	if (held)
		unhold(s, c);
	if (!c) {
		c = tracee_add(s, child, tgid, parent->flags & (T_LAUNCHED | T_HIDDEN | T_MUTED | T_UNSHOWN));
	} else {
		c->tgid = tgid;
		c->flags |= parent->flags & (T_LAUNCHED | T_HIDDEN | T_MUTED);
		if (parent->flags & T_UNSHOWN)
			tracee_set_unshown(s, c);
	}
	announce_task(s, parent, c);
	if (held)
		handle_status(s, child, c->held_status);
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
		if (xptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) == 0)
			ev.u.signal.info = si;
		else
			ev.u.signal.info.si_signo = sig;
		strbuf_reset(&s->scratch);
		decode_siginfo(&ev.u.signal.info, &s->scratch);
		ev.u.signal.text = s->scratch.buf;
		session_emit(s, &ev);
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
		resume(s, t, 0);
		return;
	}
	default:   /* PTRACE_EVENT_EXIT and others */
		resume(s, t, 0);
		return;
	}
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

static void detach_all(struct scry_session *s)
{
	s->detached = 1;
	/* held children are at a stop that will not be reported again */
	release_orphans(s, 0, 1);
	tracee_each(s, interrupt_one, NULL);
	/* Whatever started the detach (a signal, a sink's error), the wait
	 * below must wake up to check its deadline. */
	struct itimerval kick = { { 0, 20000 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &kick, NULL);
	uint64_t deadline = scry_now_mono() + 5ull * 1000000000u;
	while (s->count > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR) {
				if (scry_now_mono() > deadline)
					break;
				continue;
			}
			break;    /* ECHILD: nothing left that can report */
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

static int ptrace_run(struct scry_session *s)
{
	struct { pid_t pid; int status; } batch[BATCH];
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
	struct itimerval it;
	it.it_interval.tv_sec = (time_t)(period / 1000000000u);
	it.it_interval.tv_usec = (suseconds_t)(period % 1000000000u / 1000);
	it.it_value = it.it_interval;
	if (!s->detach_requested)
		setitimer(ITIMER_REAL, &it, NULL);
	while (s->count > 0 && !s->detach_requested) {
		if (next_tick && scry_now_mono() >= next_tick) {
			next_tick += s->cfg.tick_ns;
			s->cfg.tick(s->cfg.tick_ctx);
		}
		session_flush(s);
		/* Held children alone would wait for events nobody can send. */
		if (s->nheld && s->nheld == s->count)
			release_orphans(s, 0, 1);
		int status;
		pid_t pid = waitpid(-1, &status, __WALL);
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
		/* (With one tracee there is nobody to starve: save the call.) */
		while (s->count > 1 && n < BATCH && (pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0) {
			batch[n].pid = pid;
			batch[n++].status = status;
		}
		for (int i = 0; i < n; i++)
			handle_status(s, batch[i].pid, batch[i].status);
	}
	if (s->count > 0)
		detach_all(s);
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
	.attach = ptrace_attach_all,
	.launch = ptrace_launch,
	.run = ptrace_run,
	.calibrate = ptrace_calibrate,
	.read_stats = NULL,
	.release = NULL,
};
