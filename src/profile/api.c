/*
 * The public profiling API (include/scry/profile.h): thin entry points
 * over the profiler (profiler.h), the collectors beside it (offcpu.h,
 * states.h, counters.h), the outputs (profile.h, pprof.h, prof_chrome.h,
 * prof_sqlite.h) and the trace sampler (trace_samples.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scry/profile.h"
#include "profile/counters.h"
#include "profile/offcpu.h"
#include "profile/pprof.h"
#include "profile/prof_chrome.h"
#include "profile/prof_sqlite.h"
#include "profile/profile.h"
#include "profile/profiler.h"
#include "profile/sampler.h"
#include "profile/states.h"
#include "profile/trace_samples.h"

/* The public enums are the internal ones: cast, never translated. */
_Static_assert((int)SCRY_PROFILE_CPU == (int)PROF_CPU &&
	       (int)SCRY_PROFILE_OFFCPU_SLEEP_NS == (int)PROF_OFFCPU_SLEEP_NS &&
	       (int)SCRY_PROFILE_OFFCPU_DISK_NS == (int)PROF_OFFCPU_DISK_NS &&
	       (int)SCRY_PROFILE_OFFCPU_RUNQ_NS == (int)PROF_OFFCPU_RUNQ_NS &&
	       (int)SCRY_PROFILE_OFFCPU_OTHER_NS == (int)PROF_OFFCPU_OTHER_NS &&
	       (int)SCRY_PROFILE_NMETRICS == (int)PROF_NMETRICS, "metrics");
_Static_assert((int)SCRY_PROFILE_DWARF == (int)SAMPLER_DWARF && (int)SCRY_PROFILE_FP == (int)SAMPLER_FP,
	       "call graphs");
_Static_assert(SCRY_PROFILE_STACK_COMPLETE == PROF_STACK_COMPLETE &&
	       SCRY_PROFILE_STACK_TRUNCATED == PROF_STACK_TRUNCATED &&
	       SCRY_PROFILE_STACK_NOUSER == PROF_STACK_NOUSER, "stack flags");

struct scry_profile {
	const struct prof *p;
	struct prof *own;		/* read back from a database: freed with it */
	int owned;			/* scry_profile_free() frees this one */
	struct tstates ts;
	int have_states;
	struct prof_timeline *tl;
	struct counters *cn;		/* the profiler's (not owned here) */
	uint64_t t0, t_end;		/* the window, CLOCK_MONOTONIC */
};

struct scry_profiler {
	struct scry_profiler_config cfg;
	char *counters;			/* cfg.counters, copied */
	struct profiler *pr;
	struct scry_profile prof;
	struct offcpu *oc;
	struct states_sampler *ss;
	pid_t *pids;			/* the targets, for the collectors */
	size_t npids;
	uint64_t next_tick;
	int launched, prepared, started, stopped;
};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int fail(struct scry_profile_error *why, int err, enum scry_profile_part part, const char *reason)
{
	if (why) {
		why->err = -err;
		why->part = part;
		snprintf(why->reason, sizeof(why->reason), "%s", reason ? reason : "");
	}
	return err;
}

static void note(const struct scry_profiler *x, const char *line)
{
	if (x->cfg.note)
		x->cfg.note(x->cfg.note_ctx, line);
}

static void profile_release(struct scry_profile *p)
{
	prof_timeline_free(p->tl);
	p->tl = NULL;
	tstates_release(&p->ts);
	if (p->own)
		prof_free(p->own);
	p->own = NULL;
}

int scry_profiler_check(const struct scry_profiler_config *cfg, struct scry_profile_error *why)
{
	if (why)
		memset(why, 0, sizeof(*why));
	if (!cfg || !cfg->freq || (cfg->call_graph != SCRY_PROFILE_DWARF && cfg->call_graph != SCRY_PROFILE_FP) ||
	    (cfg->call_graph == SCRY_PROFILE_DWARF && (cfg->stack_size < 64 || cfg->stack_size > 65000 ||
						       cfg->stack_size % 8)) ||
	    (cfg->mmap_pages & (cfg->mmap_pages - 1)) || cfg->kernel < -1 || cfg->kernel > 1 ||
	    (unsigned)cfg->offcpu > SCRY_PROFILE_OFFCPU_NO)
		return fail(why, -EINVAL, SCRY_PROFILE_PART_SAMPLER, "");
	if (cfg->counters) {
		struct counters *c;
		char msg[512] = "";
		int err = counters_new(&c, cfg->counters, msg, sizeof(msg));
		if (err < 0)
			return fail(why, err, SCRY_PROFILE_PART_COUNTERS, msg);
		counters_free(c);
	}
	return 0;
}

static void prof_note(void *ctx, const char *line)
{
	note(ctx, line);
}

int scry_profiler_new(struct scry_profiler **out, const struct scry_profiler_config *cfg,
		      struct scry_profile_error *why)
{
	*out = NULL;
	int err = scry_profiler_check(cfg, why);
	if (err < 0)
		return err;
	struct scry_profiler *x = calloc(1, sizeof(*x));
	if (!x)
		return fail(why, -ENOMEM, SCRY_PROFILE_PART_SAMPLER, "");
	x->cfg = *cfg;
	tstates_init(&x->prof.ts);
	if (cfg->counters && !(x->counters = strdup(cfg->counters))) {
		free(x);
		return fail(why, -ENOMEM, SCRY_PROFILE_PART_COUNTERS, "");
	}
	x->cfg.counters = x->counters;
	*out = x;
	return 0;
}

void scry_profiler_free(struct scry_profiler *x)
{
	if (!x)
		return;
	if (x->ss) {
		struct tstates tmp;
		states_sampler_stop(x->ss, &tmp, NULL);
		tstates_release(&tmp);
	}
	offcpu_free(x->oc);
	counters_free(x->prof.cn);
	profile_release(&x->prof);
	profiler_free(x->pr);
	free(x->pids);
	free(x->counters);
	free(x);
}

/*
 * The sampler is made at the first attach or launch: a launched command's
 * events start at its exec (enable_on_exec), attached processes' at the
 * start, and that is fixed when the events are made.
 */
static int make_profiler(struct scry_profiler *x, int launch, struct scry_profile_error *why)
{
	if (x->pr)
		return x->launched || launch ? fail(why, -EBUSY, SCRY_PROFILE_PART_SAMPLER, "") : 0;
	const struct scry_profiler_config *cfg = &x->cfg;
	struct profiler_config pc = {
		.sampler = { .freq = cfg->freq, .call_graph = (enum sampler_callgraph)cfg->call_graph,
			     .stack_size = cfg->stack_size, .kernel = cfg->kernel, .mmap_pages = cfg->mmap_pages,
			     .enable_on_exec = launch },
		.follow = cfg->follow,
		.max_frames = cfg->max_frames,
	};
	int err = profiler_new(&x->pr, &pc, prof_note, x);
	if (err < 0) {
		x->pr = NULL;
		return fail(why, err, SCRY_PROFILE_PART_SAMPLER, "");
	}
	x->launched = launch;
	x->prof.p = profiler_profile(x->pr);
	return 0;
}

int scry_profiler_attach(struct scry_profiler *x, pid_t pid, struct scry_profile_error *why)
{
	if (why)
		memset(why, 0, sizeof(*why));
	if (x->started)
		return fail(why, -EBUSY, SCRY_PROFILE_PART_SAMPLER, "");
	/* room first: a target sampled must be one the collectors know */
	pid_t *n = realloc(x->pids, (x->npids + 1) * sizeof(*n));
	if (!n)
		return fail(why, -ENOMEM, SCRY_PROFILE_PART_SAMPLER, "");
	x->pids = n;
	int err = make_profiler(x, 0, why);
	if (err < 0)
		return err;
	err = profiler_attach(x->pr, pid);
	if (err < 0)
		return fail(why, err, SCRY_PROFILE_PART_SAMPLER, "");
	x->pids[x->npids++] = pid;
	return 0;
}

int scry_profiler_launch(struct scry_profiler *x, char *const argv[], pid_t *child,
			 struct scry_profile_error *why)
{
	if (why)
		memset(why, 0, sizeof(*why));
	if (x->started)
		return fail(why, -EBUSY, SCRY_PROFILE_PART_SAMPLER, "");
	pid_t *n = realloc(x->pids, (x->npids + 1) * sizeof(*n));
	if (!n)
		return fail(why, -ENOMEM, SCRY_PROFILE_PART_SAMPLER, "");
	x->pids = n;
	int err = make_profiler(x, 1, why);
	if (err < 0)
		return err;
	err = profiler_launch(x->pr, argv, child);
	if (err < 0)
		return fail(why, err, SCRY_PROFILE_PART_SAMPLER, "");
	x->pids[x->npids++] = *child;
	return 0;
}

/* bpf cannot be used: OFFCPU_BPF fails, AUTO falls back to /proc
 * sampling, saying so once. */
static int offcpu_fallback(struct scry_profiler *x, int err, const char *reason,
			   struct scry_profile_error *why)
{
	char buf[256], line[300];
	snprintf(buf, sizeof(buf), "%s", reason[0] ? reason : strerror(-err));
	offcpu_free(x->oc);
	x->oc = NULL;
	if (x->cfg.offcpu == SCRY_PROFILE_OFFCPU_BPF)
		return fail(why, err, SCRY_PROFILE_PART_OFFCPU_BPF, buf);
	snprintf(line, sizeof(line), "off-CPU: /proc sampling (bpf: %s)", buf);
	note(x, line);
	return 0;
}

static void on_sample(void *ctx, const struct sampler_sample *s, uint32_t thread, uint32_t stack)
{
	prof_timeline_add(ctx, s->time, thread, stack, s->period);
}

int scry_profiler_prepare(struct scry_profiler *x, struct scry_profile_error *why)
{
	if (why)
		memset(why, 0, sizeof(*why));
	if (x->prepared)
		return 0;
	x->prepared = 1;
	char reason[512] = "";
	int err = 0;
	int follow = x->cfg.follow;
	if (x->cfg.offcpu == SCRY_PROFILE_OFFCPU_AUTO || x->cfg.offcpu == SCRY_PROFILE_OFFCPU_BPF) {
		err = offcpu_open(&x->oc, follow, reason, sizeof(reason));
		for (size_t i = 0; !err && i < x->npids; i++)
			err = offcpu_add_pid(x->oc, x->pids[i]);
		if (err && (err = offcpu_fallback(x, err, reason, why)) < 0)
			return err;
	}
	if (x->cfg.counters) {
		reason[0] = 0;
		err = counters_new(&x->prof.cn, x->cfg.counters, reason, sizeof(reason));
		if (!err)
			counters_follow(x->prof.cn, follow);
		for (size_t i = 0; !err && i < x->npids; i++)
			err = counters_add_pid(x->prof.cn, x->pids[i]);
		if (err) {
			counters_free(x->prof.cn);
			x->prof.cn = NULL;
			return fail(why, err, SCRY_PROFILE_PART_COUNTERS, reason[0] ? reason : strerror(-err));
		}
		if (counters_notes(x->prof.cn)[0])
			note(x, counters_notes(x->prof.cn));
	}
	if (x->cfg.timeline) {
		if (prof_timeline_new(&x->prof.tl, 0) < 0) {
			note(x, "out of memory: the trace will have no samples");
		} else {
			struct profiler_hooks h = { on_sample, x->prof.tl };
			profiler_set_hooks(x->pr, &h);
		}
	}
	return 0;
}

int scry_profiler_start(struct scry_profiler *x, struct scry_profile_error *why)
{
	if (why)
		memset(why, 0, sizeof(*why));
	if (x->started)
		return fail(why, -EBUSY, SCRY_PROFILE_PART_SAMPLER, "");
	if (!x->pr)
		return fail(why, -ESRCH, SCRY_PROFILE_PART_SAMPLER, "nothing to sample: attach or launch first");
	int err = scry_profiler_prepare(x, why);
	if (err < 0)
		return err;
	x->started = 1;
	err = profiler_start(x->pr);
	if (err < 0)
		return fail(why, err, SCRY_PROFILE_PART_SAMPLER, "");
	char reason[256] = "";
	if (x->oc && (err = offcpu_start(x->oc, reason, sizeof(reason))) != 0 &&
	    (err = offcpu_fallback(x, err, reason, why)) < 0)
		return err;
	if (!x->oc && x->cfg.offcpu != SCRY_PROFILE_OFFCPU_NO) {
		err = states_sampler_start(&x->ss, x->pids, x->npids, x->cfg.proc_hz ? x->cfg.proc_hz : 97,
					   x->cfg.follow, 1);
		if (err)
			return fail(why, err, SCRY_PROFILE_PART_OFFCPU_PROC, strerror(-err));
	}
	x->prof.t0 = now_ns();
	x->next_tick = x->cfg.interval_ns && x->cfg.interval_out ? x->prof.t0 + x->cfg.interval_ns : 0;
	return 0;
}

int scry_profiler_poll(struct scry_profiler *x, int timeout_ms)
{
	if (!x->started)
		return -EINVAL;
	int err = profiler_poll(x->pr, timeout_ms);
	if (err < 0 || !x->prof.cn)
		return err;
	uint64_t now = now_ns();
	if (x->next_tick && now >= x->next_tick) {
		counters_write_interval(x->prof.cn, x->cfg.interval_out, (double)(now - x->prof.t0) / 1e9);
		while (x->next_tick <= now)
			x->next_tick += x->cfg.interval_ns;
	} else if (!x->next_tick) {
		counters_rescan(x->prof.cn);	/* threads that came */
	}
	return 0;
}

int scry_profiler_alive(struct scry_profiler *x)
{
	return x->pr ? profiler_alive(x->pr) : 0;
}

int scry_profiler_stop(struct scry_profiler *x)
{
	if (x->stopped)
		return 0;
	x->stopped = 1;
	/* off-CPU first, then the samples */
	if (x->oc)
		offcpu_stop(x->oc);
	if (!x->prof.t_end)
		x->prof.t_end = now_ns();
	if (!x->pr)
		return 0;
	profiler_stop(x->pr);
	struct prof *p = profiler_profile(x->pr);
	int err = 0;
	if (x->prof.cn)
		counters_rescan(x->prof.cn);	/* the last values of threads that ended */
	if (x->oc) {
		struct offcpu_stats st;
		err = offcpu_finish(x->oc, p, &x->prof.ts, &st);
		x->prof.have_states = 1;
		if (st.lost_keys || st.lost_caps || st.lost_tasks) {
			char line[256];
			snprintf(line, sizeof(line), "off-CPU: %llu waits not counted (map full), %llu stacks not "
				 "captured (ring full), %llu threads not tracked",
				 (unsigned long long)st.lost_keys, (unsigned long long)st.lost_caps,
				 (unsigned long long)st.lost_tasks);
			note(x, line);
		}
	} else if (x->ss) {
		err = states_sampler_stop(x->ss, &x->prof.ts, p);
		x->ss = NULL;
		x->prof.have_states = 1;
	}
	return err < 0 ? err : 0;
}

const struct scry_profile *scry_profiler_profile(struct scry_profiler *x)
{
	return x->pr ? &x->prof : NULL;
}

/* ---- reading ---- */

void scry_profile_stats(const struct scry_profile *p, struct scry_profile_stats *out)
{
	const struct prof_stats *s = prof_stats_const(p->p);
	memset(out, 0, sizeof(*out));
	out->samples = s->samples;
	out->lost = s->lost;
	out->throttled = s->throttled;
	out->other = s->other;
	out->user_stacks = s->user_stacks;
	out->complete = s->complete;
	out->unwind_errors = s->unwind_errors;
	out->freq = s->freq;
	out->freq_asked = s->freq_asked;
	out->stack_size = s->stack_size;
	out->call_graph = (enum scry_profile_callgraph)s->call_graph;
	out->kernel = s->kernel;
	out->duration_ns = s->duration_ns;
	out->start_ns = s->start_ns;
}

size_t scry_profile_nentries(const struct scry_profile *p)
{
	return prof_nentries(p->p);
}

int scry_profile_entry(const struct scry_profile *p, size_t i, struct scry_profile_entry *out)
{
	if (i >= prof_nentries(p->p))
		return -ERANGE;
	const struct prof_entry *e = prof_entry(p->p, i);
	const struct prof_thread *t = prof_thread(p->p, e->thread);
	memset(out, 0, sizeof(*out));
	out->pid = t->pid;
	out->tid = t->tid;
	out->comm = t->comm;
	out->thread = e->thread;
	out->stack = e->stack;
	memcpy(out->v, e->v, sizeof(out->v));
	return 0;
}

long scry_profile_stack(const struct scry_profile *p, uint32_t id, const uint32_t **frames, uint32_t *flags)
{
	if (id >= prof_nstacks(p->p))
		return -ERANGE;
	const struct prof_stack *s = prof_stack(p->p, id);
	*frames = s->frames;
	if (flags)
		*flags = s->flags;
	return (long)s->n;
}

int scry_profile_frame(const struct scry_profile *p, uint32_t id, struct scry_profile_frame *out)
{
	if (id >= prof_nframes(p->p))
		return -ERANGE;
	const struct prof_frame *f = prof_frame(p->p, id);
	memset(out, 0, sizeof(*out));
	out->function = f->function;
	out->object = f->object;
	out->build_id = f->build_id;
	out->offset = f->offset;
	out->addr = f->addr;
	/* PROF_FRAME_KERNEL is the internal spelling of SCRY_FRAME_KERNEL */
	out->flags = (f->flags & 0xffffu) | (f->flags & PROF_FRAME_KERNEL ? SCRY_FRAME_KERNEL : 0);
	return 0;
}

const char *scry_profile_frame_name(const struct scry_profile *p, uint32_t id, char *buf, size_t len)
{
	if (id >= prof_nframes(p->p)) {
		if (len)
			buf[0] = 0;
		return buf;
	}
	return prof_frame_name(p->p, id, buf, len);
}

/* ---- writing ---- */

static double window_s(const struct scry_profile *p)
{
	return (double)((p->t_end ? p->t_end : now_ns()) - p->t0) / 1e9;
}

int scry_profile_write(const struct scry_profile *p, enum scry_profile_format fmt, FILE *f,
		       const struct scry_profile_write_opts *o)
{
	struct prof_out_opts po = { PROF_CPU, 0, NULL };
	if (o) {
		if ((unsigned)o->metric >= SCRY_PROFILE_NMETRICS)
			return -EINVAL;
		po.metric = (enum prof_metric)o->metric;
		po.top = o->top;
		po.title = o->title;
	}
	int err;
	switch (fmt) {
	case SCRY_PROFILE_TEXT:
		err = prof_write_text(p->p, f, &po);
		/* the thread view, the counters */
		if (!err && p->have_states) {
			fputc('\n', f);
			err = tstates_write_text(&p->ts, p->p, f);
		}
		if (!err && p->cn) {
			fputc('\n', f);
			err = counters_write_text(p->cn, f, window_s(p));
		}
		return err;
	case SCRY_PROFILE_FOLDED:
		return prof_write_folded(p->p, f, &po);
	case SCRY_PROFILE_SPEEDSCOPE:
		return prof_write_speedscope(p->p, f, &po);
	case SCRY_PROFILE_PPROF:
		return prof_write_pprof(p->p, f, &po);
	case SCRY_PROFILE_CHROME:
		return prof_write_chrome(p->p, p->tl, f, &po);
	case SCRY_PROFILE_SQLITE:
	default:
		return -EINVAL;
	}
}

int scry_profile_write_counters(const struct scry_profile *p, FILE *f)
{
	if (!p->cn)
		return 0;
	return counters_write_text(p->cn, f, window_s(p));
}

int scry_profile_write_sqlite(const struct scry_profile *p, const char *title, const char *path, char *why,
			      size_t len)
{
	if (len)
		why[0] = 0;
	if (access(path, F_OK) == 0)
		return -EEXIST;
	return prof_write_sqlite(p->p, p->have_states ? &p->ts : NULL, title, path, why, len);
}

int scry_profile_db_kind(const char *path)
{
	return prof_sqlite_is_profile(path);
}

int scry_profile_read_sqlite(struct scry_profile **out, const char *path, char *title, size_t tlen, char *why,
			     size_t len)
{
	*out = NULL;
	if (len)
		why[0] = 0;
	struct scry_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	char tbuf[256] = "";
	int err = prof_read_sqlite(path, &p->own, &p->ts, tbuf, sizeof(tbuf), why, len);
	if (err) {
		free(p);
		return err < 0 ? err : -EIO;
	}
	p->p = p->own;
	p->owned = 1;
	p->have_states = p->ts.n != 0;
	if (title && tlen)
		snprintf(title, tlen, "%s", tbuf);
	*out = p;
	return 0;
}

void scry_profile_free(struct scry_profile *p)
{
	if (!p || !p->owned)
		return;
	profile_release(p);
	free(p);
}

int scry_profile_perf_paranoid(void)
{
	return sampler_paranoid();
}

/* ---- beside a trace ---- */

struct scry_trace_sampler {
	struct trace_samples *ts;
	struct scry_profile prof;
};

int scry_trace_sampler_new(struct scry_trace_sampler **out, const struct scry_trace_sampler_config *cfg)
{
	*out = NULL;
	if (!cfg->freq || cfg->kernel < -1 || cfg->kernel > 1)
		return -EINVAL;
	struct scry_trace_sampler *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	tstates_init(&t->prof.ts);
	struct trace_samples_config c = { .freq = cfg->freq, .follow = cfg->follow, .kernel = cfg->kernel };
	int err = trace_samples_new(&t->ts, &c, cfg->note, cfg->note_ctx);
	if (err < 0) {
		free(t);
		return err;
	}
	t->prof.p = trace_samples_profile(t->ts);
	*out = t;
	return 0;
}

void scry_trace_sampler_free(struct scry_trace_sampler *t)
{
	if (!t)
		return;
	trace_samples_free(t->ts);
	free(t);
}

int scry_trace_sampler_add(struct scry_trace_sampler *t, pid_t pid)
{
	return trace_samples_add(t->ts, pid);
}

int scry_trace_sampler_add_held(struct scry_trace_sampler *t, pid_t pid)
{
	return trace_samples_add_held(t->ts, pid);
}

int scry_trace_sampler_probe(void)
{
	return trace_samples_probe();
}

int scry_trace_sampler_start(struct scry_trace_sampler *t)
{
	return trace_samples_start(t->ts);
}

int scry_trace_sampler_poll(struct scry_trace_sampler *t, const struct scry_sink *sink)
{
	return trace_samples_poll(t->ts, sink);
}

int scry_trace_sampler_stop(struct scry_trace_sampler *t, const struct scry_sink *sink, uint64_t end_ns)
{
	return trace_samples_stop(t->ts, sink, end_ns);
}

uint64_t scry_trace_sampler_delivered(const struct scry_trace_sampler *t)
{
	return trace_samples_delivered(t->ts);
}

const struct scry_profile *scry_trace_sampler_profile(struct scry_trace_sampler *t)
{
	t->prof.p = trace_samples_profile(t->ts);
	return &t->prof;
}
