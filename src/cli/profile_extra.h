/*
 * scry profile's collectors beside the CPU sampler (issue 14): off-CPU
 * time and thread states (--off-cpu, src/profile/offcpu.c with bpf, or
 * the /proc sampler, src/profile/states.c), counters (--counters,
 * --interval: src/profile/counters.c), and what they add to the report
 * (the thread view, the counter table).  profile.c calls these around
 * its sampling loop.
 */
#ifndef SCRY_CLI_PROFILE_EXTRA_H
#define SCRY_CLI_PROFILE_EXTRA_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "profile/states.h"

enum px_offcpu { PX_OFFCPU_AUTO = 0, PX_OFFCPU_BPF, PX_OFFCPU_PROC, PX_OFFCPU_NO };

struct px_opts {
	enum px_offcpu offcpu;
	unsigned proc_hz;	/* /proc sampling rate (0: 97) */
	const char *counters;	/* NULL: no counters; "" the default set */
	uint64_t interval_ns;	/* --interval: counter lines every interval */
};

/* Option values: 0, or 2 after one line on stderr (a usage error). */
int px_parse_offcpu(struct px_opts *o, const char *arg);	/* NULL: --off-cpu alone */
int px_parse_metric(const char *arg, enum prof_metric *m);
/* Checks the counter list now (before anything starts). */
int px_check_counters(const struct px_opts *o);

struct px;

/* Loads the collectors for pids (follow: their children too).  Returns 0,
 * or 1 after a line on stderr when one that was asked for explicitly
 * cannot run (--off-cpu=bpf without bpf); with auto, falls back saying so
 * once. */
int px_begin(struct px **out, const struct px_opts *o, const pid_t *pids, int npids, int follow);
/* Opens the window: the collectors px_begin() loaded start counting (pids
 * must still be valid).  0, or 1 after a line on stderr. */
int px_start(struct px *x);
/* Closes the window (px_end() calls it when it was not called). */
void px_stop(struct px *x);
/* Call from the sampling loop: prints the interval lines when due. */
void px_tick(struct px *x);
/* Stops the collectors and adds their stacks to p. */
int px_end(struct px *x, struct prof *p);
/* The thread view and the counter table (text). */
int px_write_text(struct px *x, const struct prof *p, FILE *f);
/* What the non-text formats cannot hold goes to stderr (counters). */
int px_write_side(struct px *x, FILE *f);
void px_free(struct px *x);
/* --format chrome: keep every sample's time (the profiler's hook). */
struct profiler;
int px_record_timeline(struct px *x, struct profiler *pr);
/* The samples on a timeline (prof_chrome.h). */
int px_write_chrome(struct px *x, const struct prof *p, FILE *f, const struct prof_out_opts *o);

/* The thread table (NULL when no states were recorded). */
const struct tstates *px_states(const struct px *x);

/* scry report on a profile database, or on a trace's samples */
#include "profile_report.h"

#endif
