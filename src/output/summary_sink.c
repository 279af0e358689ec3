#include "output/summary_sink.h"

#include <string.h>

static int summary_event(void *ctx, const struct scry_event *ev)
{
	struct summary_sink *ss = ctx;
	if (ev->type != SCRY_EV_CALL_EXIT || !ev->u.call.t_exit_ns)
		return 0;   /* unfinished calls have no latency to count */
	const struct scry_call *c = &ev->u.call;
	int r = scry_stats_add(&ss->stats, ev->pid, (int)c->nr, ss->cpu_time ? c->cpu_ns : c->duration_ns, c->is_error);
	return r < 0 ? r : 0;
}

static void summary_free(void *ctx)
{
	summary_sink_release(ctx);
}

void summary_sink_init(struct summary_sink *ss, int per_process)
{
	scry_stats_init(&ss->stats, per_process);
	ss->err = 0;
	ss->cpu_time = 0;
}

void summary_sink_release(struct summary_sink *ss)
{
	scry_stats_release(&ss->stats);
}

void summary_sink_as_sink(struct summary_sink *ss, struct scry_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->event = summary_event;
	sink->ctx = ss;
	sink->free = summary_free;
}
