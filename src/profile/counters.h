/*
 * Counters (scry profile --counters LIST, the analogue of rocprofv3's
 * --pmc): perf events in counting mode, one per thread of the profiled
 * processes (new threads found by rescanning /proc/PID/task), read at the
 * end of the run and, with --interval, every interval; reported per
 * thread and per process.
 *
 * Software events (task-clock, context-switches, page-faults, ...) work
 * everywhere perf_event_open does; hardware ones (cycles, instructions,
 * cache and branch misses) only where a PMU exists: elsewhere each is left
 * out with one reason (counters_notes()), and the rest are counted.
 *
 * The library never prints; functions return 0 or a negative errno.
 */
#ifndef SCRY_PROFILE_COUNTERS_H
#define SCRY_PROFILE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define COUNTERS_MAX 16
#define COUNTERS_DEFAULT "task-clock,context-switches,page-faults,cpu-migrations,cycles,instructions"

struct counters;

/* Parses LIST (comma-separated names; "help" is not a name) and opens
 * nothing yet: -EINVAL and why (the unknown name and the known ones). */
int counters_new(struct counters **out, const char *list, char *why, size_t len);
void counters_free(struct counters *c);

/* Counts process pid's threads from now on (and its new threads at each
 * counters_rescan()). */
int counters_add_pid(struct counters *c, pid_t pid);
/* Picks up threads that appeared, closes (after a last read) those gone;
 * with counters_follow(), processes whose parent is counted too. */
int counters_rescan(struct counters *c);
/* -f: children (forked after the start) are counted too, from the rescan
 * that finds them (one that lives less than the time between two
 * rescans is missed). */
void counters_follow(struct counters *c, int on);

/* Counters that could not be counted: one line each, "" when none
 * (e.g. "cycles, instructions: not counted: no hardware PMU on this
 * machine (perf_event_open: ENOENT)"). */
const char *counters_notes(const struct counters *c);

unsigned counters_n(const struct counters *c);	/* counted ones */
const char *counters_name(const struct counters *c, unsigned i);

/* Per-thread values now (scaled when the kernel multiplexed them). */
struct counters_row {
	pid_t pid, tid;
	char comm[16];
	int gone;
	uint64_t v[COUNTERS_MAX];
};
/* Reads every counter; *rows: the table (owned by c, valid until the next
 * call); returns the number of rows or -errno. */
long counters_read(struct counters *c, const struct counters_row **rows);

/* The table as text: per thread, then a total per process. */
int counters_write_text(struct counters *c, FILE *f, double seconds);
/* With --interval: one line per process and counter with the change since
 * the last call (or the start), prefixed by the elapsed seconds. */
int counters_write_interval(struct counters *c, FILE *f, double elapsed);

#endif
