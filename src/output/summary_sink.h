/*
 * The statistics sink: feeds finished calls into a struct scry_stats.  It
 * counts every call it is given: filters (-e trace=, status=) are the
 * filter stage's (filter/stage.h), in front of it.
 */
#ifndef SCRY_OUTPUT_SUMMARY_SINK_H
#define SCRY_OUTPUT_SUMMARY_SINK_H

#include "scry/scry.h"
#include "stats/stats.h"

struct summary_sink {
	struct scry_stats stats;
	int cpu_time;                       /* count cpu_ns, not duration_ns */
	int err;
};

/* Counts wall-clock durations; set cpu_time after init to count CPU time. */
void summary_sink_init(struct summary_sink *ss, int per_process);
void summary_sink_release(struct summary_sink *ss);
/* Its sink; the sink's free() is summary_sink_release(). */
void summary_sink_as_sink(struct summary_sink *ss, struct scry_sink *sink);

#endif
