/*
 * The samples as a Chrome trace.  See profile/prof_chrome.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile/prof_chrome.h"
#include "util/escape.h"
#include "util/strbuf.h"

struct tl_sample {
	uint64_t time;
	uint32_t thread, stack;
};

struct prof_timeline {
	struct tl_sample *s;
	size_t n, alloc, max;
	uint64_t dropped;
	uint64_t period;	/* the largest seen */
	int64_t real_minus_mono;	/* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
};

int prof_timeline_new(struct prof_timeline **out, size_t max)
{
	struct prof_timeline *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->max = max ? max : (size_t)4 << 20;
	struct timespec r, m;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	t->real_minus_mono = ((int64_t)r.tv_sec - (int64_t)m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
	*out = t;
	return 0;
}

void prof_timeline_free(struct prof_timeline *t)
{
	if (!t)
		return;
	free(t->s);
	free(t);
}

void prof_timeline_add(struct prof_timeline *t, uint64_t time, uint32_t thread, uint32_t stack, uint64_t period)
{
	if (thread == PROF_NONE || stack == PROF_NONE)
		return;
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 4096;
		if (na > t->max)
			na = t->max;
		struct tl_sample *ns = na > t->alloc ? realloc(t->s, na * sizeof(*ns)) : NULL;
		if (!ns) {
			t->dropped++;
			return;
		}
		t->s = ns;
		t->alloc = na;
	}
	t->s[t->n++] = (struct tl_sample){ time, thread, stack };
	if (period > t->period)
		t->period = period;
}

static int by_thread_time(const void *a, const void *b)
{
	const struct tl_sample *x = a, *y = b;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return (x->time > y->time) - (x->time < y->time);
}

#define MAX_DEPTH 256

struct open_frame { uint32_t frame; uint64_t start; };

static void add_us(struct strbuf *b, const char *key, uint64_t ns)
{
	strbuf_addf(b, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000, (unsigned)(ns % 1000));
}

static void close_to(struct strbuf *b, const struct prof *p, const struct prof_thread *th,
		     struct open_frame *open, unsigned *nopen, unsigned keep, uint64_t end, uint64_t t0)
{
	while (*nopen > keep) {
		const struct open_frame *o = &open[--*nopen];
		char name[512];
		const struct prof_frame *f = prof_frame(p, o->frame);
		strbuf_addstr(b, ",\n{\"ph\":\"X\",\"cat\":\"cpu\",\"name\":");
		json_add_str(b, prof_frame_name(p, o->frame, name, sizeof(name)));
		strbuf_addf(b, ",\"pid\":%d,\"tid\":%d", (int)th->pid, (int)th->tid);
		add_us(b, "ts", o->start - t0);
		add_us(b, "dur", end - o->start);
		strbuf_addstr(b, ",\"args\":{\"object\":");
		json_add_str(b, f ? f->object : NULL);
		strbuf_addstr(b, "}}");
	}
}

int prof_write_chrome(const struct prof *p, const struct prof_timeline *t, FILE *f,
		      const struct prof_out_opts *o)
{
	struct strbuf b = STRBUF_INIT;
	struct tl_sample *s = NULL;
	size_t n = t ? t->n : 0;
	if (n) {
		s = malloc(n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memcpy(s, t->s, n * sizeof(*s));
		qsort(s, n, sizeof(*s), by_thread_time);
	}
	uint64_t t0 = UINT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (s[i].time < t0)
			t0 = s[i].time;
	if (!n)
		t0 = 0;
	strbuf_addstr(&b, "{\"traceEvents\":[\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"tid\":0,"
			  "\"args\":{\"name\":\"scry profile\"}}");
	/* names of the processes and threads */
	for (uint32_t i = 0; i < prof_nthreads(p); i++) {
		const struct prof_thread *th = prof_thread(p, i);
		if (th->pid == th->tid) {
			strbuf_addf(&b, ",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
				    (int)th->pid, (int)th->tid);
			json_add_str(&b, th->comm);
			strbuf_addstr(&b, "}}");
		}
		strbuf_addf(&b, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
			    (int)th->pid, (int)th->tid);
		json_add_str(&b, th->comm);
		strbuf_addstr(&b, "}}");
	}
	uint64_t period = t && t->period ? t->period : 10000000;
	struct open_frame open[MAX_DEPTH];
	unsigned nopen = 0;
	uint64_t last_end = 0;
	const struct prof_thread *th = NULL;
	int err = 0;
	for (size_t i = 0; i <= n && !err; i++) {
		const struct prof_thread *cur = i < n ? prof_thread(p, s[i].thread) : NULL;
		int gap = i < n && s[i].time > last_end + period;
		if (th && (cur != th || gap || i == n))
			close_to(&b, p, th, open, &nopen, 0, last_end, t0);
		if (i == n)
			break;
		th = cur;
		const struct prof_stack *st = prof_stack(p, s[i].stack);
		/* root first */
		uint32_t path[MAX_DEPTH];
		unsigned depth = 0;
		for (uint32_t j = st ? st->n : 0; j > 0 && depth < MAX_DEPTH; j--)
			path[depth++] = st->frames[j - 1];
		unsigned keep = 0;
		while (keep < nopen && keep < depth && open[keep].frame == path[keep])
			keep++;
		close_to(&b, p, th, open, &nopen, keep, s[i].time, t0);
		for (unsigned d = keep; d < depth; d++)
			open[nopen++] = (struct open_frame){ path[d], s[i].time };
		last_end = s[i].time + period;
		if (b.len > 1 << 16) {
			if (fwrite(b.buf, 1, b.len, f) != b.len)
				err = -EIO;
			strbuf_reset(&b);
		}
	}
	const struct prof_stats *ps = prof_stats_const(p);
	int64_t start = n ? (int64_t)t0 + t->real_minus_mono : (int64_t)ps->start_ns;
	strbuf_addf(&b, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"start_ns\":%" PRId64
		    ",\"samples\":%" PRIu64 ",\"lost_samples\":%" PRIu64 ",\"samples_not_in_trace\":%" PRIu64
		    ",\"freq\":%u,\"title\":",
		    start, (uint64_t)n, ps->lost, t ? t->dropped : 0, ps->freq);
	json_add_str(&b, o && o->title ? o->title : NULL);
	strbuf_addstr(&b, "}}\n");
	if (!err && fwrite(b.buf, 1, b.len, f) != b.len)
		err = -EIO;
	strbuf_release(&b);
	free(s);
	if (!err && (fflush(f) || ferror(f)))
		err = -EIO;
	return err;
}
