/*
 * Syscall statistics: counters and a latency histogram per syscall, or per
 * (pid, syscall) in per-process mode, and the summaries made from them
 * (text table, JSON, CSV).
 *
 * Memory is bounded by the number of distinct keys seen, never by the
 * number of calls: a row is 56 bytes plus one struct scry_hist
 * (18.5 KiB) allocated the first time its key is added.  A million calls to
 * one syscall use the same memory as one call (scry_stats_memory() tells).
 *
 * What a latency means is the caller's business: scry_stats_add() records
 * the number it is given.  Under ptrace the caller subtracts the measured
 * stop overhead first (clamping at 0) and says so in
 * scry_summary_opts.note; with --cpu-time it passes system CPU time and sets
 * opts.latency to SCRY_LATENCY_CPU.
 *
 * Errors: functions that can fail return 0 or a negative errno (-ENOMEM,
 * -EINVAL, -EIO for a failed write).  Nothing here prints unless asked to,
 * and then only to the FILE * it is given.
 *
 * Ownership: struct scry_stats owns its rows and their histograms;
 * scry_stats_release() frees them.  Row pointers returned by the accessors
 * are valid until the next scry_stats_add(), _merge(), _reset() or
 * _release() on that struct.  Not thread safe: one struct per thread, or a
 * lock around it; scry_stats_merge() combines them.
 */
#ifndef SCRY_STATS_STATS_H
#define SCRY_STATS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats/hist.h"

/* The statistics are public: scry/stats.h declares them. */
#include "scry/stats.h"

#endif /* SCRY_STATS_STATS_H */
