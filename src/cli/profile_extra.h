/*
 * scry profile's options for the collectors beside the CPU sampler (issue
 * 14): off-CPU time and thread states (--off-cpu), counters (--counters,
 * --interval), and scry report's side of a profile database.  The
 * collectors themselves are the library's (scry/profile.h); this file
 * says what the options mean and turns a database back into a report.
 */
#ifndef SCRY_CLI_PROFILE_EXTRA_H
#define SCRY_CLI_PROFILE_EXTRA_H

#include <stdint.h>

#include "scry/profile.h"

enum px_offcpu { PX_OFFCPU_AUTO = 0, PX_OFFCPU_BPF, PX_OFFCPU_PROC, PX_OFFCPU_NO };

struct px_opts {
	enum px_offcpu offcpu;
	unsigned proc_hz;	/* /proc sampling rate (0: 97) */
	const char *counters;	/* NULL: no counters; "" the default set */
	uint64_t interval_ns;	/* --interval: counter lines every interval */
};

/* Option values: 0, or 2 after one line on stderr (a usage error). */
int px_parse_offcpu(struct px_opts *o, const char *arg);	/* NULL: --off-cpu alone */
int px_parse_metric(const char *arg, enum scry_profile_metric *m);
/* Checks the counter list now (before anything starts). */
int px_check_counters(const struct px_opts *o);

/* scry report on a profile database, or on a trace's samples */
#include "profile_report.h"

#endif
