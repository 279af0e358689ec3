/* The filter stage (filter/stage.h). */
#include "filter/stage.h"

#include <errno.h>
#include <string.h>

bool scry_filter_event_shown(const struct scry_filter *f, const struct scry_event *ev)
{
	if (!f)
		return true;
	switch (ev->type) {
	case SCRY_EV_CALL_ENTER:
		/* a status filter judges the call at its exit */
		return scry_filter_traced(f, ev->u.call.nr) && f->status == SCRY_STATUS_ALL;
	case SCRY_EV_CALL_EXIT:
		return scry_filter_traced(f, ev->u.call.nr) &&
		       scry_filter_status_ok(f, ev->u.call.is_error, ev->u.call.t_exit_ns == 0);
	case SCRY_EV_SIGNAL:
		return scry_filter_signal_ok(f, ev->u.signal.signo);
	case SCRY_EV_CALLS_COUNTED:
		return scry_filter_traced(f, ev->u.counted.nr) && f->status == SCRY_STATUS_ALL;
	default:
		return true;
	}
}

void scry_filter_stage_init(struct scry_filter_stage *st, const struct scry_filter *f)
{
	memset(st, 0, sizeof(*st));
	st->filter = f;
}

int scry_filter_stage_add(struct scry_filter_stage *st, const struct scry_sink *sink)
{
	if (st->n >= SCRY_FILTER_STAGE_MAX)
		return -ENOSPC;
	st->next[st->n++] = *sink;
	return 0;
}

/* Every sink sees every event even after another failed; the first error
 * is the stage's. */
static int keep(struct scry_filter_stage *st, int r)
{
	if (r < 0 && !st->err) {
		st->err = r;
		return r;
	}
	return 0;
}

static int stage_event(void *ctx, const struct scry_event *ev)
{
	struct scry_filter_stage *st = ctx;
	if (!scry_filter_event_shown(st->filter, ev))
		return 0;
	int err = 0;
	for (int i = 0; i < st->n; i++) {
		int r = keep(st, st->next[i].event(st->next[i].ctx, ev));
		if (r && !err)
			err = r;
	}
	return err;
}

static int stage_flush(void *ctx)
{
	struct scry_filter_stage *st = ctx;
	int err = 0;
	for (int i = 0; i < st->n; i++) {
		if (!st->next[i].flush)
			continue;
		int r = keep(st, st->next[i].flush(st->next[i].ctx));
		if (r && !err)
			err = r;
	}
	return err;
}

static int stage_finish(void *ctx, const struct scry_sink_end *end)
{
	struct scry_filter_stage *st = ctx;
	int err = 0;
	for (int i = 0; i < st->n; i++) {
		int r = scry_sink_finish(&st->next[i], end);
		if (r < 0 && !err)
			err = r;
	}
	return err;
}

static void stage_free(void *ctx)
{
	struct scry_filter_stage *st = ctx;
	for (int i = 0; i < st->n; i++)
		scry_sink_free(&st->next[i]);
	st->n = 0;
}

void scry_filter_stage_as_sink(struct scry_filter_stage *st, struct scry_sink *sink)
{
	sink->event = stage_event;
	sink->flush = stage_flush;
	sink->ctx = st;
	sink->finish = stage_finish;
	sink->free = stage_free;
}
