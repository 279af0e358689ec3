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
#include "bpf/syscount.h"

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

/* A process that exec'd a 32-bit program is counted no more (the kernel
 * side's i386 numbers would be taken for x86_64 ones): said at each look
 * that finds more of them, with the last one's pid, as the trace mode says
 * it (cfg.personality). */
static void bpf_say_ia32(struct scry_session *s, struct scry_bpf *b, uint64_t *said)
{
	pid_t pid = 0;
	uint64_t n = scry_bpf_ia32_execs(b, &pid);
	if (n == *said)
		return;
	*said = n;
	if (s->cfg.personality)
		s->cfg.personality(s->cfg.personality_ctx, pid, SCRY_PERSONALITY_UNTRACED);
}

static int bpf_run(struct scry_session *s)
{
	struct scry_bpf *b = s->backend_data;
	uint64_t next_tick = s->cfg.tick && s->cfg.tick_ns ? scry_now_mono() + s->cfg.tick_ns : 0;
	uint64_t ia32_said = 0;
	for (;;) {
		bpf_say_ia32(s, b, &ia32_said);
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
	bpf_say_ia32(s, b, &ia32_said);
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


_Static_assert(SCRY_BPF_SAMPLE_MAX_N == SCRY_BPF_SAMPLE_MAX, "one sampling limit");
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
	o.sample_latency = s->cfg.bpf_sample_latency;
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

/* cfg.stack_sites_counted: a call-site key whose first call was seen,
 * with that call's stack (NULL: the key does not decide the call site) */
struct site_seen {
	pid_t tgid;
	long nr;
	struct scry_bpf_site_key key;
	struct scry_stack stack;
	struct scry_frame *frames;      /* owned */
};

struct bpf_tracer {
	struct scry_bpf_trace *t;
	int sites;                      /* counting by call site in the kernel */
	struct site_seen *seen;
	size_t nseen, aseen;
};

/* Bytes of stack a call-site key hashes (see site_hash() in systrace.bpf.c):
 * the frames from a syscall wrapper up to its caller's line fit in them
 * in ordinary code; a site deeper than that sends every call. */
#define SITE_BYTES 1024

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

/* The stack copy of e, only its first len bytes from sp (what its key
 * hashed): the unwinder sees nothing beyond them. */
struct window {
	const struct scry_bpf_call_event *e;
	uint64_t lo, hi;
};

static ssize_t window_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct window *w = ctx;
	if (addr < w->lo || addr >= w->hi)
		return -1;
	if (len > w->hi - addr)
		len = (size_t)(w->hi - addr);
	return scry_bpf_call_read_entry(w->e, addr, buf, len);
}

static int seen_cmp(const void *a, const void *b)
{
	const struct site_seen *x = a, *y = b;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	if (x->key.exec != y->key.exec)
		return x->key.exec < y->key.exec ? -1 : 1;
	if (x->key.len != y->key.len)
		return x->key.len < y->key.len ? -1 : 1;
	if (x->key.hash != y->key.hash)
		return x->key.hash < y->key.hash ? -1 : 1;
	return 0;
}

/*
 * The first call of a call-site key, just unwound by the engine (st): is
 * the key sound for it, i.e. does unwinding with only the key's bytes of
 * stack reach the same frames up to the one --source names?  Then its later
 * calls (counted in the kernel) are that site's, and st is kept for them;
 * else the kernel is told to send each call of the key from now on.
 */
static void site_first(struct scry_session *s, struct bpf_tracer *bt, const struct scry_bpf_call_event *e,
		       const struct raw_regs *regs, const struct scry_stack *st)
{
	int sound = 0;
	if (st && st->source >= 0 && (unsigned)st->source < st->nframes && s->unwind) {
		unsigned want = (unsigned)st->source + 1;
		struct scry_frame *fr = calloc(want, sizeof(*fr));
		struct scry_stack w;
		struct window win = { e, e->stack.addr, e->stack.addr + e->site_len };
		if (fr && unwinder_unwind(s->unwind, e->tgid, e->tid, regs->have, regs->r, window_read, &win, 0,
					  fr, want, &w) == 0 && w.nframes == want) {
			/* and the return addresses are ones the key hashed:
			 * not below the text (the kernel's bound) */
			sound = 1;
			for (unsigned i = 0; i < want && sound; i++)
				sound = fr[i].addr == st->frames[i].addr && (i == 0 || fr[i].addr >= e->site_code);
		}
		free(fr);
	}
	if (!sound) {
		/* (its calls counted meanwhile go out as from no known site) */
		scry_bpf_trace_site_set(bt->t, e->tgid, e->nr, &e->site, 0);
		return;
	}
	if (bt->nseen == bt->aseen) {
		size_t n = bt->aseen ? bt->aseen * 2 : 32;
		struct site_seen *p = realloc(bt->seen, n * sizeof(*p));
		if (!p) {
			scry_bpf_trace_site_set(bt->t, e->tgid, e->nr, &e->site, 0);
			return;
		}
		bt->seen = p;
		bt->aseen = n;
	}
	struct site_seen *ss = &bt->seen[bt->nseen];
	memset(ss, 0, sizeof(*ss));
	ss->tgid = e->tgid;
	ss->nr = e->nr;
	ss->key = e->site;
	/* (the strings are the unwinder's, kept until the session ends) */
	if (!(ss->frames = malloc(st->nframes * sizeof(*ss->frames)))) {
		scry_bpf_trace_site_set(bt->t, e->tgid, e->nr, &e->site, 0);
		return;
	}
	memcpy(ss->frames, st->frames, st->nframes * sizeof(*ss->frames));
	ss->stack = *st;
	ss->stack.frames = ss->frames;
	bt->nseen++;
	/* a short key waits for this (SCRY_TRACE_SITE_PENDING); a whole
	 * window's is counted already */
	scry_bpf_trace_site_set(bt->t, e->tgid, e->nr, &e->site, 1);
}

struct counted_ctx {
	struct scry_session *s;
	struct bpf_tracer *bt;
};

/* One key's counted calls to the sinks, with the stack of its first. */
static int site_counted(void *ctx, const struct scry_bpf_site *site)
{
	struct counted_ctx *cc = ctx;
	struct site_seen look = { .tgid = site->tgid, .nr = site->nr, .key = site->key };
	const struct site_seen *ss = cc->bt->nseen ?
		bsearch(&look, cc->bt->seen, cc->bt->nseen, sizeof(look), seen_cmp) : NULL;
	const struct scry_syscall_info *info = scry_syscall_get(cc->s->table, site->nr);
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_CALLS_COUNTED;
	ev.pid = site->tgid;
	ev.ts_ns = scry_now_real();
	ev.last_nr = site->nr;
	ev.u.counted.nr = site->nr;
	ev.u.counted.name = info ? info->name : NULL;
	ev.u.counted.stack = ss && ss->frames ? &ss->stack : NULL;
	ev.u.counted.calls = site->calls;
	ev.u.counted.errors = site->errors;
	ev.u.counted.total_ns = site->total_ns;
	ev.u.counted.min_ns = site->min_ns;
	ev.u.counted.max_ns = site->max_ns;
	ev.u.counted.hist = site->hist;
	ev.u.counted.nbuckets = site->nbuckets;
	return session_emit(cc->s, &ev);
}

#define FP_MAX 127     /* systrace.h's SCRY_TRACE_FP_MAX */

/*
 * --stack-mode fp: the callchain the kernel walked along the frame pointers
 * into pcs[] (the pc first), with the word that was at sp inserted second
 * when the kernel found it points into code and the chain does not have it
 * already: at a syscall's entry a wrapper that pushes no frame (a leaf, as
 * the C library's are) has its return address there, and the chain, which
 * starts at the caller's frame pointer, misses the caller.  The count.
 */
static unsigned fp_chain(const struct scry_bpf_call_event *e, uint64_t *pcs)
{
	size_t nw = e->stack.bytes ? e->stack.len / 8 : 0;
	uint64_t spword = 0;
	unsigned n = 0;
	if (nw)
		memcpy(&spword, e->stack.bytes, 8);
	for (size_t i = 1; i < nw && n < FP_MAX; i++)
		memcpy(&pcs[n++], (const char *)e->stack.bytes + 8 * i, 8);
	if (!n) {
		/* nothing walked (no user stack readable): the pc alone */
#if defined(__aarch64__)
		pcs[n++] = e->regs[32];
#else
		pcs[n++] = e->regs[16];     /* rip, as DWARF numbers it */
#endif
		return n;
	}
	for (unsigned i = 1; i < n && spword; i++)
		if (pcs[i] == spword)
			spword = 0;
	if (spword) {
		memmove(&pcs[2], &pcs[1], (n - 1) * sizeof(*pcs));
		pcs[1] = spword;
		n++;
	}
	return n;
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
	uint64_t pcs[FP_MAX + 1];
	if (s->cfg.stack_depth > 0 && e->has_stack) {
		_Static_assert(sizeof(regs.r) == sizeof(e->regs), "raw_regs is the kernel's register set");
		regs.have = e->regs_have;
		memcpy(regs.r, e->regs, sizeof(regs.r));
		rc.regs = &regs;
		if (e->stack_fp) {
			rc.pcs = pcs;
			rc.npcs = fp_chain(e, pcs);
		}
	}
	int r = engine_enter(s, t, &rc);
	if (r <= 0)
		return r;
	struct bpf_tracer *bt = s->backend_data;
	if (bt->sites && e->site_new && rc.regs)
		site_first(s, bt, e, &regs, t->call.has_stack ? &t->call.stack : NULL);
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

/*
 * The process's code mappings at this point of the stream (with stacks):
 * its calls that follow are unwound with them, even when the process has
 * exited or exec'd by the time they are read.
 */
static void on_bpf_maps(struct scry_session *s, const struct scry_bpf_proc_event *e)
{
	if (s->cfg.stack_depth <= 0)
		return;
	if (!s->unwind) {
		if (unwinder_new(&s->unwind) < 0)
			return;
		unwinder_set_nodebug(s->unwind, s->cfg.stack_nodebug, s->cfg.stack_nodebug_ctx);
	}
	unwinder_set_maps(s->unwind, e->tgid, e->maps, e->maps_len);
}

static int on_bpf_proc(void *ctx, const struct scry_bpf_proc_event *e)
{
	struct scry_session *s = ctx;
	if (e->type == SCRY_BPF_PROC_MAPS) {
		on_bpf_maps(s, e);
		return 0;
	}
	struct tracee *t = tracee_of(s, e->tid, e->tgid);
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.pid = e->tgid;
	ev.tid = e->tid;
	ev.ts_ns = e->ts_ns;
	switch (e->type) {
	case SCRY_BPF_PROC_EXEC: {
		ev.type = SCRY_EV_EXEC;
		ev.u.exec.old_tid = e->old_tid;
		ev.u.exec.filename = e->filename;
		int r = session_emit(s, &ev);
		if (!e->ia32 || r < 0)
			return r;
		/* a 32-bit program: the kernel side traces it no more (its
		 * i386 calls would be named, filtered and captured as x86_64
		 * ones); the caller says so, the sinks see it let go */
		if (s->cfg.personality)
			s->cfg.personality(s->cfg.personality_ctx, e->tgid, SCRY_PERSONALITY_UNTRACED);
		ev.type = SCRY_EV_DETACHED;
		r = session_emit(s, &ev);
		tracee_remove(s, t);
		return r;
	}
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
	case SCRY_BPF_PROC_MAPS:
		break;   /* (above) */
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
		/* the kernel wakes us only once an eighth of the ring waits
		 * (wake_flags() in systrace.bpf.c): the rest is read on this
		 * timer, so a call's line is out within ~50 ms (a file's
		 * within the text sink's 100 ms more) */
		int timeout = 50;
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
	if (bt->sites && !s->sink_err) {
		struct counted_ctx cc = { s, bt };
		if (bt->nseen)
			qsort(bt->seen, bt->nseen, sizeof(*bt->seen), seen_cmp);
		int r = scry_bpf_trace_sites(bt->t, site_counted, &cc);
		if (r < 0 && !s->sink_err)
			s->sink_err = r;
	}
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
		for (size_t i = 0; i < bt->nseen; i++)
			free(bt->seen[i].frames);
		free(bt->seen);
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
		o.stack_fp = s->cfg.stack_mode == SCRY_STACK_FP;
		/* the unwinder reads the process's maps when it meets the
		 * call: wake at every record, to meet it while it lives */
		o.wakeup_bytes = 1;
		/* a summary by call site only: count known sites in the
		 * kernel (not per interval, nor with -P, which needs each
		 * call's paths) */
		if (s->cfg.stack_sites_counted && s->cfg.stack_lines && !s->cfg.tick && !s->cfg.ntrace_paths &&
		    !o.stack_fp)
			o.site_bytes = SITE_BYTES;
	}
	struct bpf_tracer *bt = calloc(1, sizeof(*bt));
	if (!bt)
		return -ENOMEM;
	bt->sites = o.site_bytes > 0;
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

