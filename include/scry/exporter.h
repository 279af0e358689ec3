/*
 * A Prometheus exporter: counters and latency histograms of system calls,
 * by syscall (and errno, and optionally pid, comm, cgroup), rendered as
 * the Prometheus text exposition format 0.0.4 or OpenMetrics 1.0.  It is
 * what `scry serve` serves; the HTTP server is the caller's (scry serve's
 * is libmicrohttpd, which libscry does not link).
 *
 * Two ways to fill one:
 *
 *  - In the kernel (scry_exporter_open()): the bpf backend counts the
 *    calls of the targets (below) without stopping them, and the exporter
 *    re-resolves the targets as processes come and go.  Needs root or
 *    CAP_BPF (-EPERM otherwise, -ENOTSUP without a bpf build).
 *
 *  - Fed by the caller (scry_exporter_open_fed()): the calls come from a
 *    session of the caller's (any backend whose calls reach the sinks),
 *    through the exporter's own sink or one call at a time:
 *
 *	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
 *	struct scry_exporter *e;
 *	char why[256];
 *	o.pids = &pid;                  // the processes the session traces
 *	o.npids = 1;
 *	if (scry_exporter_open_fed(&e, &o, why, sizeof(why)) < 0)
 *		... say why, and stop
 *	struct scry_sink sink;
 *	scry_exporter_as_sink(e, &sink);
 *	scry_session_add_sink(s, &sink);
 *	scry_session_launch(s, argv, &pid);   // or _attach()
 *	scry_exporter_feed_process(e, pid, 1);
 *	scry_session_run(s);                 // (from a thread of its own, if you serve meanwhile)
 *
 *	char *text;
 *	size_t len;
 *	if (scry_exporter_render(e, 0, &text, &len) == 0) {
 *		fwrite(text, 1, len, stdout);       // or an HTTP response with
 *		free(text);                         // scry_exporter_content_type(0)
 *	}
 *	scry_exporter_close(e);
 *
 * Exactness: each tick and each render moves the kernel's counts (or the
 * calls fed since the last one) into the exporter's own counters, which
 * only grow, as Prometheus counters must; no call is lost or counted twice
 * between reads.
 *
 * Targets (scry_exporter_opts; any combination for the bpf exporter, a
 * process matching any of them counts, and scry_targets counts it once):
 *   pids     those processes (with follow_forks, their children too); the
 *            only targets of a fed exporter, whose caller traces them;
 *   comm     processes named exactly so (the kernel's 15-byte comm of the
 *            thread group leader), matched in the kernel at each thread's
 *            first call: a process that lives a millisecond counts;
 *   pgrep    processes whose name matches a POSIX extended regex, looked
 *            for in /proc at each tick (one that lives less than a tick
 *            may be missed: use comm for exactness);
 *   cgroup   processes in a cgroup v2 directory or below it, matched in the
 *            kernel by cgroup id; the subtree is re-read at each tick;
 *   all      every process but the caller's own.
 *
 * Labels: syscall always ("openat"; "syscall_0x1b6" for a number without
 * a name); errno on the error counter ("ENOENT"); pid, comm and cgroup
 * when opts.labels asks, read from /proc when a process's first counts
 * are (the comm of one that has exited by then: the name it exited with).
 * The number of distinct (pid, comm, cgroup) label sets is capped at
 * opts.max_label_sets: later ones are counted under the label set whose
 * values are all "other", and scry_label_set_overflows_total says how
 * many went there.  So memory is bounded by max_label_sets x syscalls x
 * errnos however long it runs.
 *
 * Latency histogram: scry's log-linear buckets summed into `le` buckets
 * whose bounds are bucket bounds of scry's too, so the conversion is
 * exact.  With N buckets per octave (opts.buckets_per_octave: 1, 2, 4, 8,
 * 16, 32 or 64) the bounds are 2^k * (1 + m/N) ns for k from 7 to 33 and
 * m < N, and 2^34 ns; an `le` label is the largest whole nanosecond below
 * such a bound, in seconds ("0.000000127").
 *
 * Besides the three syscall families, a render has the exporter's own
 * health: scry_targets (processes counted now), scry_events_lost_total,
 * scry_collect_duration_seconds, scry_collect_errors_total,
 * scry_cpu_seconds_total, scry_bpf_run_seconds_total, scry_bpf_runs_total,
 * scry_label_sets, scry_label_sets_limit, scry_label_set_overflows_total,
 * process_resident_memory_bytes, scry_heap_in_use_bytes and
 * process_open_fds (of the calling process); docs/scry.1 (SERVE) says
 * what each means.
 *
 * Ownership: the exporter is the caller's from open to
 * scry_exporter_close(); it copies what it keeps of the options (opts and
 * its strings and arrays may go once open returns).  A render or a
 * summary is a malloc()ed buffer the caller frees with free().
 *
 * Threads: every function may be called from any thread, at the same time
 * as the others (each takes the exporter's lock): an HTTP server renders
 * from its threads while the main loop ticks and a session's thread feeds
 * it.  Only scry_exporter_close() must come after every other call has
 * returned.
 *
 * Errors: 0 or a negative errno; the functions that take why write one
 * line there (without a "scry: " prefix or a newline) when it helps, e.g.
 * "--comm 'a-name-too-long-for-comm': a process name has 1 to 15 bytes".
 * Nothing here prints, exits or installs a signal handler.
 */
#ifndef SCRY_PUBLIC_EXPORTER_H
#define SCRY_PUBLIC_EXPORTER_H

#include "scry/export.h"

#include <stddef.h>
#include <stdint.h>

#include "scry/scry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Extra labels on every series (scry_exporter_opts.labels). */
enum scry_exporter_label {
	SCRY_EXPORTER_LABEL_PID = 1,
	SCRY_EXPORTER_LABEL_COMM = 2,
	SCRY_EXPORTER_LABEL_CGROUP = 4,
};

struct scry_exporter_opts {
	const int *pids;		/* these processes (scry serve -p) */
	size_t npids;
	int follow_forks;		/* and their children (-f) */
	const char *comm;		/* bpf: processes so named, 1 to 15 bytes */
	const char *pgrep;		/* bpf: POSIX ERE on the process name */
	const char *cgroup;		/* bpf: absolute, or relative to the cgroup2 mount */
	int all;			/* bpf: every process */
	/* The calls to count: bit nr of nrs[nr / 64] set (scry_filter's
	 * trace bitmap, scry/filter.h).  NULL: every call. */
	const uint64_t *nrs;
	size_t nr_words;
	unsigned int labels;		/* enum scry_exporter_label bits */
	size_t max_label_sets;		/* 0: SCRY_EXPORTER_MAX_LABEL_SETS */
	unsigned int buckets_per_octave;	/* 0: 1 */
};
#define SCRY_EXPORTER_OPTS_INIT { NULL, 0, 0, NULL, NULL, NULL, 0, NULL, 0, 0, 0, 0 }
#define SCRY_EXPORTER_MAX_LABEL_SETS 1000

/* An exporter (opaque). */
struct scry_exporter;

/*
 * Counts in the kernel: checks the options (-EINVAL and why), loads the
 * bpf programs and adds the first targets.  -ESRCH when a pids process
 * does not exist; -EPERM without the privilege to load bpf programs.
 * *out is NULL on error.
 */
SCRY_API int scry_exporter_open(struct scry_exporter **out, const struct scry_exporter_opts *o,
				char *why, size_t len);

/*
 * Fed by the caller: only pids targets, which the caller traces (-EINVAL
 * and why for comm, pgrep, cgroup or all); none when it launches its
 * command after opening the exporter.  Its calls come through its sink
 * (scry_exporter_as_sink()) or scry_exporter_feed_call(), its processes
 * through scry_exporter_feed_process(); tick and render then work as for
 * the bpf exporter.  *out is NULL on error.
 */
SCRY_API int scry_exporter_open_fed(struct scry_exporter **out, const struct scry_exporter_opts *o,
				    char *why, size_t len);

/*
 * One call nr of process pid that returned after ns nanoseconds; err: its
 * errno (> 0) if it failed, else 0.  0 or -ENOMEM (the call is then not
 * counted).
 */
SCRY_API int scry_exporter_feed_call(struct scry_exporter *e, int pid, int nr, uint64_t ns, int err);

/* Process pid is counted now (alive), or no longer: scry_targets.  0 or
 * -ENOMEM. */
SCRY_API int scry_exporter_feed_process(struct scry_exporter *e, int pid, int alive);

/*
 * A sink (scry.h) that feeds a fed exporter from a session: each finished
 * call (SCRY_EV_CALL_EXIT: duration_ns, and the errno of a failed call),
 * each new process (SCRY_EV_NEW_TASK, not threads) and each end of a
 * process (SCRY_EV_EXITED, _KILLED, _DETACHED of its leader).  A session
 * announces no event for the processes it launches or attaches to: feed
 * those with scry_exporter_feed_process(e, pid, 1).  Its event() returns
 * -ENOMEM when a call cannot be counted, which ends the run.  The sink
 * does not own e, has no finish() or free(), and may be copied; e must
 * outlive the session's run.
 */
SCRY_API void scry_exporter_as_sink(struct scry_exporter *e, struct scry_sink *sink);

/*
 * Re-resolves the targets (pgrep, the cgroup subtree), forgets processes
 * that are gone and moves the kernel's counts into the exporter's.  Call
 * it about once a second (scry serve does): the kernel's maps must not
 * fill between ticks.  0, or a negative errno and why.
 */
SCRY_API int scry_exporter_tick(struct scry_exporter *e, char *why, size_t len);

/*
 * Moves the counts over, then renders every metric, in the text format
 * 0.0.4 or, with openmetrics, OpenMetrics 1.0 (ending in "# EOF"), into
 * *text (NUL-terminated, *len bytes without the NUL; the caller frees it).
 * 0 or -ENOMEM (*text NULL).  A failed read of the kernel's counters
 * still renders the counts so far (scry_collect_errors_total says it).
 */
SCRY_API int scry_exporter_render(struct scry_exporter *e, int openmetrics, char **text, size_t *len);

/* The content type of a render, for an HTTP reply ("text/plain;
 * version=0.0.4; charset=utf-8", or OpenMetrics'); a static string. */
SCRY_API const char *scry_exporter_content_type(int openmetrics);

/*
 * Everything counted so far, every label folded, as scry -c's JSON
 * summary (scry_stats_print_json(), scry/stats.h, sorted by name), into
 * *text as scry_exporter_render() does.  0 or -ENOMEM.
 */
SCRY_API int scry_exporter_summary_json(struct scry_exporter *e, char **text, size_t *len);

/* Processes counted right now (as the last tick found them). */
SCRY_API size_t scry_exporter_targets(struct scry_exporter *e);

/* Unloads everything from the kernel and frees e.  NULL is fine. */
SCRY_API void scry_exporter_close(struct scry_exporter *e);

#ifdef __cplusplus
}
#endif
#endif
