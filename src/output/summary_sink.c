#include "output/summary_sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/stackfmt.h"

/* --by-function: each function once per call, however often the stack
 * holds it (recursion) */
static int seen_before(const struct scry_stack *st, unsigned i)
{
	const struct scry_frame *f = &st->frames[i];
	for (unsigned k = 0; k < i; k++) {
		const struct scry_frame *g = &st->frames[k];
		if (!g->function)
			continue;
		if ((g->function == f->function || !strcmp(g->function, f->function)) &&
		    (g->object == f->object || (g->object && f->object && !strcmp(g->object, f->object))))
			return 1;
	}
	return 0;
}

static int add_functions(struct scry_sites *fs, const struct scry_call *c, uint64_t ns)
{
	scry_sites_count_call(fs, ns, c->is_error);
	const struct scry_stack *st = c->stack;
	if (!st || !st->frames)
		return 0;
	for (unsigned i = 0; i < st->nframes; i++) {
		const struct scry_frame *f = &st->frames[i];
		if (!f->function || seen_before(st, i))
			continue;
		int r = scry_sites_add(fs, -1, f->function, f->object, ns, c->is_error);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Calls the bpf backend counted in the kernel by call site. */
static int summary_counted(struct scry_summary_sink *ss, const struct scry_event *ev)
{
	const __typeof__(ev->u.counted) *c = &ev->u.counted;
	if (!c->calls)
		return 0;
	struct scry_hist *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (unsigned b = 0; c->hist && b < c->nbuckets && b < SCRY_HIST_BUCKETS; b++) {
		h->buckets[b] = c->hist[b];
		h->count += c->hist[b];
	}
	struct scry_stats_row row = {
		.pid = ev->pid, .nr = (int)c->nr, .calls = c->calls, .errors = c->errors,
		.total_ns = c->total_ns, .min_ns = c->min_ns, .max_ns = c->max_ns, .hist = h,
	};
	int r = scry_stats_add_row(&ss->stats, &row);
	if (r >= 0 && ss->sites) {
		struct strbuf label = STRBUF_INIT;
		stack_add_source_label(&label, c->stack);
		r = scry_sites_add_row(ss->sites, label.buf, NULL, &row);
		strbuf_release(&label);
	}
	free(h);
	return r < 0 ? r : 0;
}

static int summary_event(void *ctx, const struct scry_event *ev)
{
	struct scry_summary_sink *ss = ctx;
	if (ev->type == SCRY_EV_CALLS_COUNTED)
		return summary_counted(ss, ev);
	if (ev->type != SCRY_EV_CALL_EXIT || !ev->u.call.t_exit_ns)
		return 0;   /* unfinished calls have no latency to count */
	const struct scry_call *c = &ev->u.call;
	uint64_t ns = ss->cpu_time ? c->cpu_ns : c->duration_ns;
	/* a call made in 32-bit mode has its own row (and table: summary.c),
	 * by its i386 number, as strace counts each personality apart */
	int r = scry_stats_add(&ss->stats, ev->pid, (int)(c->compat_nr ? c->compat_nr : c->nr), ns,
			       c->is_error);
	if (r >= 0 && ss->sites) {
		struct strbuf label = STRBUF_INIT;
		stack_add_source_label(&label, c->stack);
		scry_sites_count_call(ss->sites, ns, c->is_error);
		r = scry_sites_add(ss->sites, (int)c->nr, label.buf, NULL, ns, c->is_error);
		strbuf_release(&label);
	}
	if (r >= 0 && ss->functions)
		r = add_functions(ss->functions, c, ns);
	return r < 0 ? r : 0;
}

static void summary_free(void *ctx)
{
	scry_summary_sink_release(ctx);
}

void scry_summary_sink_init(struct scry_summary_sink *ss, int per_process)
{
	scry_stats_init(&ss->stats, per_process);
	ss->err = 0;
	ss->cpu_time = 0;
	ss->sites = ss->functions = NULL;
}

int scry_summary_sink_by_site(struct scry_summary_sink *ss, int sites, int functions)
{
	if (sites && !ss->sites) {
		if (!(ss->sites = malloc(sizeof(*ss->sites))))
			return -ENOMEM;
		scry_sites_init(ss->sites, SCRY_SITES_CALLS, SCRY_SITES_CAP_DEFAULT);
	}
	if (functions && !ss->functions) {
		if (!(ss->functions = malloc(sizeof(*ss->functions))))
			return -ENOMEM;
		scry_sites_init(ss->functions, SCRY_SITES_FUNCTIONS, SCRY_SITES_CAP_DEFAULT);
	}
	return 0;
}

void scry_summary_sink_reset(struct scry_summary_sink *ss)
{
	scry_stats_reset(&ss->stats);
	if (ss->sites)
		scry_sites_reset(ss->sites);
	if (ss->functions)
		scry_sites_reset(ss->functions);
}

void scry_summary_sink_release(struct scry_summary_sink *ss)
{
	scry_stats_release(&ss->stats);
	if (ss->sites) {
		scry_sites_release(ss->sites);
		free(ss->sites);
		ss->sites = NULL;
	}
	if (ss->functions) {
		scry_sites_release(ss->functions);
		free(ss->functions);
		ss->functions = NULL;
	}
}

void scry_summary_sink_as_sink(struct scry_summary_sink *ss, struct scry_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->event = summary_event;
	sink->ctx = ss;
	sink->free = summary_free;
}
