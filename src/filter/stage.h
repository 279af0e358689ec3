/*
 * The filter stage: the one place where events are judged by -e trace=,
 * status= and signal= on their way to the sinks.  It is a sink itself
 * (struct scry_sink) that passes what the filter shows on to the sinks
 * behind it, in order:
 *
 *	struct scry_filter_stage st;
 *	scry_filter_stage_init(&st, &filter);
 *	scry_filter_stage_add(&st, &text_sink);        // and json, summary, ...
 *	struct scry_sink sink;
 *	scry_filter_stage_as_sink(&st, &sink);
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

/* Public: struct scry_filter_stage and its functions are in scry/filter.h. */
#include "filter/filter.h"
#include "scry/scry.h"

#endif
