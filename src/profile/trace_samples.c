/*
 * CPU samples beside a trace.  See profile/trace_samples.h.
 *
 * Threads: the profiler (sampler, unwinder, profile) belongs to a thread
 * of its own from trace_samples_start() to trace_samples_stop(): it
 * drains the rings and unwinds each sample (the first ones load the
 * modules' symbols and unwind tables, half a second or more), so the
 * tracer's loop, whose tracees wait at their stops, never does.  Each
 * finished sample is a queued item, a copy of its event and frames (the
 * strings they point to are the profile's, interned, never moved or
 * freed before the profile); trace_samples_poll(), on the loop's thread,
 * takes the queue and hands the items to the sinks in their order.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "profile/profiler.h"
#include "profile/trace_samples.h"

#define MAXFRAMES 256
/* How long the sampler thread waits for records between drains (ms): the
 * rings wake it earlier when a quarter full. */
#define DRAIN_MS 50

/* One unwound sample, waiting for the loop. */
struct item {
	struct item *next;
	struct scry_event ev;     /* u.sample.stack: NULL, or &st below */
	struct scry_stack st;
	uint32_t thread, stack;   /* the profile's ids (to take it back) */
	struct scry_frame frames[];
};

struct trace_samples {
	struct profiler *pr;
	int64_t mono_to_real;     /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
	int err;                  /* the sink's first error */
	uint64_t delivered;
	uint64_t after;           /* what trace_samples_stop()'s cut left out */
	struct scry_frame frames[MAXFRAMES];
	/* the sampler thread and the queue it fills */
	pthread_t th;
	int have_thread;
	pthread_mutex_t mu;
	int quit;                 /* (under mu) */
	int thread_err;           /* (under mu) the profiler's error there */
	int queue_err;            /* (under mu) an item could not be queued */
	struct item *head, **tail;  /* (under mu) */
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One sample, counted into the profile by the profiler, queued as an
 * event (on the sampler thread, or at the stop on the caller's). */
static void on_sample(void *ctx, const struct sampler_sample *s, uint32_t thread, uint32_t stack)
{
	struct trace_samples *t = ctx;
	uint64_t ts = (uint64_t)((int64_t)s->time + t->mono_to_real);
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
	struct item *it = malloc(sizeof(*it) + n * sizeof(struct scry_frame));
	if (!it) {
		pthread_mutex_lock(&t->mu);
		if (!t->queue_err)
			t->queue_err = -ENOMEM;
		pthread_mutex_unlock(&t->mu);
		return;
	}
	memset(it, 0, sizeof(*it));
	memcpy(it->frames, t->frames, n * sizeof(struct scry_frame));
	it->thread = thread;
	it->stack = stack;
	/* truncated: 1 at the depth limit, 2 when the user stack did not
	 * reach a root frame (the unwinder stopped early) */
	int user = k && !(k->flags & PROF_STACK_NOUSER);
	struct scry_stack st = { n, it->frames, -1,
				 !user ? 0 : (k->flags & PROF_STACK_TRUNCATED) ? 1 : (k->flags & PROF_STACK_COMPLETE) ? 0 : 2 };
	for (unsigned i = 0; i < n; i++)
		if (!(it->frames[i].flags & (SCRY_FRAME_KERNEL | SCRY_FRAME_RUNTIME))) {
			st.source = (int)i;
			break;
		}
	it->st = st;
	const struct prof_thread *th = prof_thread(p, thread);
	struct scry_event *ev = &it->ev;
	ev->type = SCRY_EV_SAMPLE;
	ev->pid = th ? th->pid : s->pid;
	ev->tid = th ? th->tid : s->tid;
	ev->ts_ns = ts;
	ev->last_nr = -1;
	ev->ip = s->ip;
	ev->u.sample.cpu = s->cpu;
	ev->u.sample.period_ns = s->period;
	ev->u.sample.stack = n ? &it->st : NULL;
	pthread_mutex_lock(&t->mu);
	*t->tail = it;
	t->tail = &it->next;
	pthread_mutex_unlock(&t->mu);
}

/* The queue so far, taken out of t. */
static struct item *take_queue(struct trace_samples *t)
{
	pthread_mutex_lock(&t->mu);
	struct item *q = t->head;
	t->head = NULL;
	t->tail = &t->head;
	pthread_mutex_unlock(&t->mu);
	return q;
}

/* Hands the items to sink in their order (none after its first error;
 * sink NULL: none) and frees them.  end_ns (0: none): an item after it is
 * outside the trace; it is counted in t->after and taken out of the
 * profile, so that no output has it. */
static void deliver(struct trace_samples *t, struct item *q, const struct scry_sink *sink, uint64_t end_ns)
{
	while (q) {
		struct item *it = q;
		q = it->next;
		if (end_ns && it->ev.ts_ns > end_ns) {
			t->after++;
			struct prof *p = profiler_profile(t->pr);
			if (prof_remove(p, it->thread, it->stack, PROF_CPU, 1) == 0 && prof_stats(p)->samples)
				prof_stats(p)->samples--;
		} else if (sink && !t->err) {
			int r = sink->event(sink->ctx, &it->ev);
			if (r < 0)
				t->err = r;
			else
				t->delivered++;
		}
		free(it);
	}
}

/* The sampler thread: drains and unwinds until told to quit. */
static void *sampler_main(void *arg)
{
	struct trace_samples *t = arg;
	for (;;) {
		pthread_mutex_lock(&t->mu);
		int quit = t->quit;
		pthread_mutex_unlock(&t->mu);
		if (quit)
			break;
		int r = profiler_poll(t->pr, DRAIN_MS);
		if (r < 0) {
			pthread_mutex_lock(&t->mu);
			t->thread_err = r;
			pthread_mutex_unlock(&t->mu);
			break;
		}
	}
	return NULL;
}

/* The thread stops (it has handed over all it unwound). */
static void join_thread(struct trace_samples *t)
{
	if (!t->have_thread)
		return;
	pthread_mutex_lock(&t->mu);
	t->quit = 1;
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->th, NULL);
	t->have_thread = 0;
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
	pthread_mutex_init(&t->mu, NULL);
	t->tail = &t->head;
	struct profiler_hooks h = { on_sample, t };
	profiler_set_hooks(t->pr, &h);
	*out = t;
	return 0;
}

void trace_samples_free(struct trace_samples *t)
{
	if (!t)
		return;
	join_thread(t);
	deliver(t, take_queue(t), NULL, 0);
	profiler_free(t->pr);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

int trace_samples_add(struct trace_samples *t, pid_t pid) { return profiler_attach(t->pr, pid); }
int trace_samples_add_held(struct trace_samples *t, pid_t pid) { return profiler_attach_held(t->pr, pid); }

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
	int err = profiler_start(t->pr);
	if (err < 0)
		return err;
	/* the thread takes no signal: they are the session's (its handlers
	 * run on the threads that expect them) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&t->th, NULL, sampler_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err < 0)
		return err;
	t->have_thread = 1;
	return 0;
}

/* The first error of the sinks, the sampler thread, or the queue. */
static int first_err(struct trace_samples *t, int r)
{
	pthread_mutex_lock(&t->mu);
	int e = t->err ? t->err : t->thread_err ? t->thread_err : t->queue_err ? t->queue_err : r;
	pthread_mutex_unlock(&t->mu);
	return e;
}

int trace_samples_poll(struct trace_samples *t, const struct scry_sink *sink)
{
	int r = 0;
	if (!t->have_thread)    /* (not started: nothing to take but what is there) */
		r = profiler_poll(t->pr, 0);
	deliver(t, take_queue(t), sink, 0);
	return first_err(t, r);
}

int trace_samples_stop(struct trace_samples *t, const struct scry_sink *sink, uint64_t end_ns)
{
	join_thread(t);
	/* what the rings still hold is unwound here, into the queue */
	int r = profiler_stop(t->pr);
	deliver(t, take_queue(t), sink, end_ns);
	return first_err(t, r);
}

const struct prof *trace_samples_profile(struct trace_samples *t) { return profiler_profile(t->pr); }

uint64_t trace_samples_delivered(const struct trace_samples *t) { return t->delivered; }

uint64_t trace_samples_after(const struct trace_samples *t) { return t->after; }
