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

/* struct scry_summary_sink and its functions are public: scry/output.h. */
#include "scry/output.h"

#endif
