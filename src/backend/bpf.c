/*
 * The bpf backend: counts and times calls in the kernel (src/bpf/) without
 * stopping anyone.  It serves statistics (-c) only; the session's sinks see
 * no calls, and scry_session_read_stats() gives the kernel's counts.
 */
#include "core/internal.h"
#include "core/engine.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "bpf/bpf_backend.h"
#include "bpf/bpf_common.h"

/* What session_attach_target() checks, and that pid has not exited. */
static pid_t attach_target(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	pid_t tgid = session_attach_target(s, pid, why);
	if (tgid < 0)
		return tgid;
	int r = bpf_attach_check(pid, why->reason, sizeof(why->reason));
	if (r < 0) {
		why->err = -r;
		return r;
	}
	return tgid;
}

static int bpf_attach(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	/* a thread id stands for its process: bpf traces whole processes */
	pid_t tgid = attach_target(s, pid, why);
	if (tgid < 0)
		return tgid;
	int r = scry_bpf_add_pid(s->backend_data, tgid);
	if (r < 0)
		why->err = -r;
	return r;
}

static int bpf_launch(struct scry_session *s, char *const argv[], pid_t *pid_out)
{
	pid_t pid = 0;
	int r = scry_bpf_launch(s->backend_data, argv, &pid);
	if (r < 0)
		return r;
	if (!s->launched_pid)
		s->launched_pid = pid;
	if (pid_out)
		*pid_out = pid;
	return 0;
}

static int bpf_run(struct scry_session *s)
{
	struct scry_bpf *b = s->backend_data;
	uint64_t next_tick = s->cfg.tick && s->cfg.tick_ns ? scry_now_mono() + s->cfg.tick_ns : 0;
	for (;;) {
		if (s->detach_requested) {
			s->detached = 1;
			break;
		}
		int timeout = 100;
		if (next_tick) {
			uint64_t now = scry_now_mono();
			if (now >= next_tick) {
				s->cfg.tick(s->cfg.tick_ctx);
				/* A tick that took longer than the interval (reading
				 * the maps on a loaded machine) skips the ticks it
				 * covered; the loop still looks at its tracees below,
				 * or it would never see them end. */
				next_tick += s->cfg.tick_ns;
				now = scry_now_mono();
				if (next_tick <= now)
					next_tick = now + s->cfg.tick_ns;
			}
			uint64_t left = next_tick > now ? (next_tick - now) / 1000000u + 1 : 0;
			if (left < (uint64_t)timeout)
				timeout = (int)left;
		}
		int r = scry_bpf_wait(b, timeout);
		if (r == 0)
			break;       /* every traced process is gone */
		if (r != -ETIMEDOUT && r != -EINTR)
			return r;
	}
	s->launched_status = scry_bpf_launched_status(b);
	/* A detach leaves a launched command running, as with ptrace; a
	 * forwarded signal (SIGTERM, SIGHUP) ends it as scry was asked. */
	int ksig = s->kill_launched_sig;
	if (ksig && s->launched_pid && s->launched_status == -1)
		kill(s->launched_pid, ksig);
	return 0;
}

static int bpf_read_stats(struct scry_session *s, struct scry_stats *out, int reset)
{
	return reset ? scry_bpf_read_reset(s->backend_data, out) : scry_bpf_read(s->backend_data, out);
}

static void bpf_release(struct scry_session *s)
{
	scry_bpf_close(s->backend_data);
	s->backend_data = NULL;
}


_Static_assert((int)SCRY_BPF_HOOKS_AUTO == (int)BPF_HOOKS_AUTO && (int)SCRY_BPF_HOOKS_RAW == (int)BPF_HOOKS_RAW &&
	       (int)SCRY_BPF_HOOKS_SYSCALLS == (int)BPF_HOOKS_SYSCALLS, "one set of hook modes");

static int bpf_setup(struct scry_session *s, char *why, size_t whylen)
{
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	o.follow_forks = s->cfg.follow_forks;
	o.per_process = s->cfg.per_process;
	o.nrs = s->cfg.syscall_bitmap;
	o.nr_words = s->cfg.syscall_bitmap_words;
	o.child_default_signals = s->cfg.child_default_signals;
	o.hooks = s->cfg.bpf_hooks;
	struct scry_bpf *b;
	int r = scry_bpf_open(&b, &o, why, whylen);
	if (r < 0)
		return r;
	s->backend_data = b;
	if (why && whylen)
		scry_bpf_describe(b, why, whylen);
	return 0;
}

/* ---- trace mode: every call through a ring buffer ---- */

#include "bpf/bpf_trace.h"

struct bpf_tracer {
	struct scry_bpf_trace *t;
};

/* Decoders read the bytes the kernel captured with the call. */
static ssize_t captured_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return scry_bpf_call_read(ctx, addr, buf, len);
}

/* At entry also the stack copy (-k, --source): the unwinder reads it. */
static ssize_t captured_read_entry(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return scry_bpf_call_read_entry(ctx, addr, buf, len);
}

static struct tracee *tracee_of(struct scry_session *s, pid_t tid, pid_t tgid)
{
	struct tracee *t = tracee_get(s, tid);
	return t ? t : tracee_add(s, tid, tgid, 0);
}

/* One event from the kernel is a whole call: its entry, then its exit. */
static int on_bpf_call(void *ctx, const struct scry_bpf_call_event *e)
{
	struct scry_session *s = ctx;
	struct tracee *t = tracee_of(s, e->tid, e->tgid);
	struct raw_call rc = {
		.nr = e->nr,
		.args = e->args,
		.sp = e->sp,
		.t_enter_ns = e->t_enter_ns,
		.envc1 = e->envc >= 0 ? e->envc + 1 : 0,
		.mem = captured_read_entry,
		.mem_ctx = (void *)e,
	};
	struct raw_regs regs;
	if (s->cfg.stack_depth > 0 && e->has_stack) {
		_Static_assert(sizeof(regs.r) == sizeof(e->regs), "raw_regs is the kernel's register set");
		regs.have = e->regs_have;
		memcpy(regs.r, e->regs, sizeof(regs.r));
		rc.regs = &regs;
	}
	int r = engine_enter(s, t, &rc);
	if (r <= 0)
		return r;
	if (e->unfinished)
		return engine_unfinished(s, t, e->t_exit_ns);
	struct raw_result rr = {
		.ret = e->ret,
		.is_error = e->ret < 0 && e->ret >= -4095,
		.t_exit_ns = e->t_exit_ns,
		/* kernel timestamps: no stops, nothing to subtract */
		.duration_ns = e->t_exit_mono > e->t_enter_mono ? e->t_exit_mono - e->t_enter_mono : 0,
		.mem = captured_read,
		.mem_ctx = (void *)e,
	};
	return engine_exit(s, t, &rr);
}

static int on_bpf_proc(void *ctx, const struct scry_bpf_proc_event *e)
{
	struct scry_session *s = ctx;
	struct tracee *t = tracee_of(s, e->tid, e->tgid);
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.pid = e->tgid;
	ev.tid = e->tid;
	ev.ts_ns = e->ts_ns;
	switch (e->type) {
	case SCRY_BPF_PROC_EXEC:
		ev.type = SCRY_EV_EXEC;
		ev.u.exec.old_tid = e->old_tid;
		ev.u.exec.filename = e->filename;
		return session_emit(s, &ev);
	case SCRY_BPF_PROC_FORK:
		if (!e->followed)
			return 0;
		tracee_of(s, e->child_tid, e->child_tgid);
		ev.type = SCRY_EV_NEW_TASK;
		ev.pid = e->child_tgid;
		ev.tid = e->child_tid;
		ev.u.task.parent = e->tid;
		ev.u.task.is_thread = e->is_thread;
		return session_emit(s, &ev);
	case SCRY_BPF_PROC_SIGNAL:
		ev.type = SCRY_EV_SIGNAL;
		ev.u.signal.signo = e->sig;
		memcpy(&ev.u.signal.info, e->siginfo,
		       e->siginfo_bytes < sizeof(siginfo_t) ? e->siginfo_bytes : sizeof(siginfo_t));
		return engine_signal(s, &ev);
	case SCRY_BPF_PROC_EXIT: {
		int st = e->exit_code;
		ev.type = WIFSIGNALED(st) ? SCRY_EV_KILLED : SCRY_EV_EXITED;
		ev.u.exit.status = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
		ev.u.exit.signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		ev.u.exit.core = WIFSIGNALED(st) ? WCOREDUMP(st) : 0;
		int r = session_emit(s, &ev);
		tracee_remove(s, t);
		return r;
	}
	}
	return 0;
}

/*
 * The threads of an attached process are traced, as under ptrace: they
 * count for the [pid N] prefix (strace's rule: more than one task traced)
 * before they make a call.  Those made from now on come as FORK records,
 * and each leaves with an EXIT record.
 */
static void add_threads(struct scry_session *s, pid_t tgid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)tgid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		char st;
		if (tid <= 0 || tracee_get(s, tid))
			continue;
		/* one that has exited sends no EXIT record */
		st = bpf_task_state(tid);
		if (st && st != 'Z' && st != 'X')
			tracee_add(s, tid, tgid, 0);
	}
	closedir(d);
}

static int bpft_attach(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	pid_t tgid = attach_target(s, pid, why);
	if (tgid < 0)
		return tgid;
	struct bpf_tracer *bt = s->backend_data;
	int r = scry_bpf_trace_add_pid(bt->t, tgid);
	if (r < 0) {
		why->err = -r;
		return r;
	}
	add_threads(s, tgid);
	return 0;
}

static int bpft_launch(struct scry_session *s, char *const argv[], pid_t *pid_out)
{
	struct bpf_tracer *bt = s->backend_data;
	pid_t pid = 0;
	int r = scry_bpf_trace_launch(bt->t, argv, &pid);
	if (r < 0)
		return r;
	if (!s->launched_pid)
		s->launched_pid = pid;
	if (pid_out)
		*pid_out = pid;
	return 0;
}

static int bpft_run(struct scry_session *s)
{
	struct bpf_tracer *bt = s->backend_data;
	uint64_t next_tick = s->cfg.tick && s->cfg.tick_ns ? scry_now_mono() + s->cfg.tick_ns : 0;
	while (!s->detach_requested && !s->sink_err && scry_bpf_trace_running(bt->t)) {
		int timeout = 100;
		if (next_tick) {
			uint64_t now = scry_now_mono();
			if (now >= next_tick) {
				next_tick += s->cfg.tick_ns;
				s->cfg.tick(s->cfg.tick_ctx);
			}
		}
		int r = scry_bpf_trace_poll(bt->t, timeout, on_bpf_call, on_bpf_proc, s);
		if (r < 0 && r != -EINTR && r != -ETIMEDOUT)
			return r;
		session_flush(s);
	}
	if (s->detach_requested)
		s->detached = 1;
	/* what the kernel still holds */
	scry_bpf_trace_poll(bt->t, 0, on_bpf_call, on_bpf_proc, s);
	session_flush(s);
	s->launched_status = scry_bpf_trace_launched_status(bt->t);
	int ksig = s->kill_launched_sig;
	if (ksig && s->launched_pid && s->launched_status == -1)
		kill(s->launched_pid, ksig);
	return s->sink_err;
}

static void bpft_release(struct scry_session *s)
{
	struct bpf_tracer *bt = s->backend_data;
	if (bt) {
		scry_bpf_trace_close(bt->t);
		free(bt);
	}
	s->backend_data = NULL;
}


static int bpft_setup(struct scry_session *s, char *why, size_t whylen)
{
	struct scry_bpf_trace_opts o;
	memset(&o, 0, sizeof(o));
	o.follow_forks = s->cfg.follow_forks;
	o.nrs = s->cfg.syscall_bitmap;
	o.nr_words = s->cfg.syscall_bitmap_words;
	o.ringbuf_bytes = s->cfg.bpf_buffer;
	o.string_limit = s->cfg.string_limit;
	o.table = s->table;
	o.child_default_signals = s->cfg.child_default_signals;
	o.hooks = s->cfg.bpf_hooks;
	if (s->cfg.stack_depth > 0) {
		o.stack_bytes = s->cfg.bpf_stack_bytes ? s->cfg.bpf_stack_bytes : 8192;
		/* the unwinder reads the process's maps when it meets the
		 * call: wake at every record, to meet it while it lives */
		o.wakeup_bytes = 1;
	}
	struct bpf_tracer *bt = calloc(1, sizeof(*bt));
	if (!bt)
		return -ENOMEM;
	int r = scry_bpf_trace_open(&bt->t, &o, why, whylen);
	if (r < 0) {
		free(bt);
		return r;
	}
	s->backend_data = bt;
	if (why && whylen)
		scry_bpf_trace_describe(bt->t, why, whylen);
	return 0;
}

static uint64_t bpf_lost(const struct scry_session *s)
{
	return scry_bpf_lost(s->backend_data);
}

static uint64_t bpft_lost(const struct scry_session *s)
{
	return scry_bpf_trace_lost(((struct bpf_tracer *)s->backend_data)->t);
}

/* Counting in the kernel: statistics only, no call reaches the sinks. */
const struct backend_ops bpf_counts_backend = {
	.name = "bpf",
	.kind = SCRY_BACKEND_BPF,
	.counts_only = 1,
	.setup = bpf_setup,
	.attach = bpf_attach,
	.launch = bpf_launch,
	.run = bpf_run,
	.read_stats = bpf_read_stats,
	.lost = bpf_lost,
	.release = bpf_release,
};

/* Every call through a ring buffer, decoded by the engine. */
const struct backend_ops bpf_trace_backend = {
	.name = "bpf",
	.kind = SCRY_BACKEND_BPF,
	.counts_only = 0,
	.setup = bpft_setup,
	.attach = bpft_attach,
	.launch = bpft_launch,
	.run = bpft_run,
	.read_stats = NULL,     /* calls reach the sinks one by one */
	.lost = bpft_lost,
	.release = bpft_release,
};

