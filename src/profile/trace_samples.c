/*
 * CPU samples beside a trace.  See profile/trace_samples.h.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "profile/profiler.h"
#include "profile/trace_samples.h"

#define MAXFRAMES 256

struct trace_samples {
	struct profiler *pr;
	int64_t mono_to_real;     /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
	const struct scry_sink *sink;   /* during a poll */
	int err;                  /* the sink's first error */
	uint64_t delivered;
	uint64_t end_ns, after;   /* trace_samples_stop()'s cut, and what it cut */
	struct scry_frame frames[MAXFRAMES];
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One sample, counted into the profile by the profiler, as an event. */
static void on_sample(void *ctx, const struct sampler_sample *s, uint32_t thread, uint32_t stack)
{
	struct trace_samples *t = ctx;
	if (!t->sink || t->err)
		return;
	uint64_t ts = (uint64_t)((int64_t)s->time + t->mono_to_real);
	if (t->end_ns && ts > t->end_ns) {
		t->after++;
		return;
	}
	const struct prof *p = profiler_profile(t->pr);
	const struct prof_stack *k = prof_stack(p, stack);
	unsigned n = 0;
	for (uint32_t i = 0; k && i < k->n && n < MAXFRAMES; i++) {
		const struct prof_frame *pf = prof_frame(p, k->frames[i]);
		if (!pf)
			continue;
		struct scry_frame *f = &t->frames[n++];
		memset(f, 0, sizeof(*f));
		int kernel = !!(pf->flags & PROF_FRAME_KERNEL);
		f->addr = pf->addr;
		f->object = pf->object;
		f->object_offset = kernel || !pf->object ? 0 : pf->offset;
		f->function = pf->function;
		f->offset = pf->fstart_offset;
		f->flags = (pf->flags & 0xffffu) | (kernel ? SCRY_FRAME_KERNEL : 0);
	}
	/* truncated: 1 at the depth limit, 2 when the user stack did not
	 * reach a root frame (the unwinder stopped early) */
	int user = k && !(k->flags & PROF_STACK_NOUSER);
	struct scry_stack st = { n, t->frames, -1,
				 !user ? 0 : (k->flags & PROF_STACK_TRUNCATED) ? 1 : (k->flags & PROF_STACK_COMPLETE) ? 0 : 2 };
	for (unsigned i = 0; i < n; i++)
		if (!(t->frames[i].flags & (SCRY_FRAME_KERNEL | SCRY_FRAME_RUNTIME))) {
			st.source = (int)i;
			break;
		}
	const struct prof_thread *th = prof_thread(p, thread);
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_SAMPLE;
	ev.pid = th ? th->pid : s->pid;
	ev.tid = th ? th->tid : s->tid;
	ev.ts_ns = ts;
	ev.last_nr = -1;
	ev.ip = s->ip;
	ev.u.sample.cpu = s->cpu;
	ev.u.sample.period_ns = s->period;
	ev.u.sample.stack = n ? &st : NULL;
	int r = t->sink->event(t->sink->ctx, &ev);
	if (r < 0)
		t->err = r;
	else
		t->delivered++;
}

int trace_samples_new(struct trace_samples **out, const struct trace_samples_config *cfg,
		      void (*note)(void *ctx, const char *line), void *note_ctx)
{
	struct trace_samples *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	struct profiler_config pc = {
		.sampler = { .freq = cfg->freq, .call_graph = SAMPLER_DWARF, .stack_size = 8192,
			     .kernel = cfg->kernel },
		.follow = cfg->follow,
	};
	int err = profiler_new(&t->pr, &pc, note, note_ctx);
	if (err) {
		free(t);
		return err;
	}
	struct profiler_hooks h = { on_sample, t };
	profiler_set_hooks(t->pr, &h);
	*out = t;
	return 0;
}

void trace_samples_free(struct trace_samples *t)
{
	if (!t)
		return;
	profiler_free(t->pr);
	free(t);
}

int trace_samples_add(struct trace_samples *t, pid_t pid) { return profiler_attach(t->pr, pid); }

int trace_samples_probe(void)
{
	/* the event the sampler opens, on this process (its children are
	 * as much ours), user mode only as paranoid 2 allows */
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int trace_samples_start(struct trace_samples *t)
{
	t->mono_to_real = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	return profiler_start(t->pr);
}

int trace_samples_poll(struct trace_samples *t, const struct scry_sink *sink)
{
	t->sink = sink;
	int r = profiler_poll(t->pr, 0);
	t->sink = NULL;
	return t->err ? t->err : r;
}

int trace_samples_stop(struct trace_samples *t, const struct scry_sink *sink, uint64_t end_ns)
{
	t->sink = sink;
	t->end_ns = end_ns;
	int r = profiler_stop(t->pr);
	t->sink = NULL;
	return t->err ? t->err : r;
}

const struct prof *trace_samples_profile(struct trace_samples *t) { return profiler_profile(t->pr); }

uint64_t trace_samples_delivered(const struct trace_samples *t) { return t->delivered; }

uint64_t trace_samples_after(const struct trace_samples *t) { return t->after; }
