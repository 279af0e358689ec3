/*
 * scry profile --format chrome: the CPU samples on a timeline, in the
 * Chrome Trace Event Format that Perfetto UI and chrome://tracing open.
 * Each thread is a track; consecutive samples that share a call path
 * become nested "X" slices (root outermost), so the track reads as a
 * flame chart over time; a gap of more than two periods closes every
 * slice.  Times are µs since the first sample (otherData.start_ns: its
 * CLOCK_REALTIME in ns, as scry's trace files have it).
 *
 * The timeline keeps 16 bytes per sample up to a bound; samples beyond
 * it are counted in otherData.samples_not_in_trace (never silent), as
 * are the lost ones (otherData.lost_samples).
 */
#ifndef SCRY_PROFILE_PROF_CHROME_H
#define SCRY_PROFILE_PROF_CHROME_H

#include <stdint.h>
#include <stdio.h>

#include "profile/profile.h"

struct prof_timeline;

/* max: samples kept (0: 4M). */
int prof_timeline_new(struct prof_timeline **out, size_t max);
void prof_timeline_free(struct prof_timeline *t);
/* time: CLOCK_MONOTONIC ns; period: ns of CPU it stands for. */
void prof_timeline_add(struct prof_timeline *t, uint64_t time, uint32_t thread, uint32_t stack, uint64_t period);

int prof_write_chrome(const struct prof *p, const struct prof_timeline *t, FILE *f,
		      const struct prof_out_opts *o);

#endif
