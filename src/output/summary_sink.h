/*
 * The statistics sink: feeds finished calls into a struct scry_stats.  It
 * counts every call it is given: filters (-e trace=, status=) are the
 * filter stage's (filter/stage.h), in front of it.
 */
#ifndef SCRY_OUTPUT_SUMMARY_SINK_H
#define SCRY_OUTPUT_SUMMARY_SINK_H

#include "scry/scry.h"
#include "stats/stats.h"
#include "stats/sites.h"

struct summary_sink {
	struct scry_stats stats;
	int cpu_time;                       /* count cpu_ns, not duration_ns */
	int err;
	/* issue 13, NULL unless asked: rows by (syscall, call site) and by
	 * function, from each call's stack (summary_sink_by_site()) */
	struct scry_sites *sites;
	struct scry_sites *functions;
};

/* Counts wall-clock durations; set cpu_time after init to count CPU time. */
void summary_sink_init(struct summary_sink *ss, int per_process);
void summary_sink_release(struct summary_sink *ss);
/* Also count by call site (--source -c, -k -c) and/or by function
 * (--by-function).  0 or -ENOMEM. */
int summary_sink_by_site(struct summary_sink *ss, int sites, int functions);
/* Forgets every row (--interval), the call-site ones too. */
void summary_sink_reset(struct summary_sink *ss);
/* Its sink; the sink's free() is summary_sink_release(). */
void summary_sink_as_sink(struct summary_sink *ss, struct scry_sink *sink);

#endif
