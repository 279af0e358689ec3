/*
 * The filter stage: the one place where events are judged by -e trace=,
 * status= and signal= on their way to the sinks.  It is a sink itself
 * (struct scry_sink) that passes what the filter shows on to the sinks
 * behind it, in order:
 *
 *	struct filter_stage st;
 *	filter_stage_init(&st, &filter);
 *	filter_stage_add(&st, &text_sink);        // and json, summary, ...
 *	struct scry_sink sink;
 *	filter_stage_as_sink(&st, &sink);
 *	scry_session_add_sink(s, &sink);
 *
 * The engine has dropped the calls outside the trace set already, before
 * decoding them (scry_config.syscall_bitmap); the stage judges what only
 * the result tells (status=, -z, -Z: at exit, so that with a status filter
 * a call's entry is withheld and it reaches the sinks at its exit) and the
 * signals (signal=).  It judges the number again too, for numbers beyond
 * the bitmap.  Other events (exits, new tasks, execs, detaches, stops) all
 * pass.
 *
 * finish() and free() reach every sink behind the stage; the stage owns
 * nothing (free() frees the sinks, not the stage).
 */
#ifndef SCRY_FILTER_STAGE_H
#define SCRY_FILTER_STAGE_H

#include <stdbool.h>

#include "filter/filter.h"
#include "scry/scry.h"

#define FILTER_STAGE_MAX 8

struct filter_stage {
	const struct scry_filter *filter;   /* NULL: everything passes */
	struct scry_sink next[FILTER_STAGE_MAX];
	int n;
	int err;                            /* the first sink error */
};

/* Whether ev is shown under f (NULL: everything is). */
bool filter_event_shown(const struct scry_filter *f, const struct scry_event *ev);

void filter_stage_init(struct filter_stage *st, const struct scry_filter *f);
/* 0, or -ENOSPC beyond FILTER_STAGE_MAX sinks.  The sink is copied. */
int filter_stage_add(struct filter_stage *st, const struct scry_sink *sink);
void filter_stage_as_sink(struct filter_stage *st, struct scry_sink *sink);

#endif
