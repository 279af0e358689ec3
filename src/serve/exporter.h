/*
 * The Prometheus exporter behind `scry serve`: counts system calls in the
 * kernel (the bpf backend, syscount.bpf.c) for a set of processes that it
 * re-resolves as they come and go, and renders the totals as Prometheus
 * metrics (text exposition format 0.0.4, or OpenMetrics 1.0).
 *
 *	struct scry_exporter *e;
 *	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
 *	char why[256];
 *	o.comm = "nginx";
 *	if (scry_exporter_open(&e, &o, why, sizeof(why)) < 0) ... say why
 *	every second:   scry_exporter_tick(e, why, sizeof(why));
 *	on a scrape:    scry_exporter_render(e, openmetrics, &sb);
 *	at the end:     scry_exporter_close(e);
 *
 * Exact counting: each tick and each render moves the kernel's counts into
 * the exporter's own counters with scry_bpf_read_reset_errnos() (the two
 * epochs of --interval: no call is lost or counted twice between reads).
 * The counters only grow, as Prometheus counters must.
 *
 * Targets (any combination; a process matching any of them counts, and
 * scry_targets counts it once):
 *   pids     -p: those processes (with follow_forks, their children too);
 *   comm     processes named exactly so (the kernel's 15-byte comm of the
 *            thread group leader), matched in the kernel at each thread's
 *            first call: a process that lives a millisecond counts;
 *   pgrep    processes whose name matches a POSIX extended regex, looked
 *            for in /proc at each tick (one that lives less than a tick
 *            may be missed: use comm for exactness);
 *   cgroup   processes in a cgroup v2 directory or below it, matched in the
 *            kernel by cgroup id; the subtree is re-read at each tick;
 *   all      every process but scry itself.
 *
 * Labels (opts.labels): syscall always; errno on the error counter; pid,
 * comm, cgroup when asked, read from /proc when a process's first counts
 * are (the comm of one that has exited by then: the name it exited with,
 * kept by the kernel).  The number of distinct (pid, comm, cgroup)
 * label sets is capped at opts.max_label_sets: later ones are counted
 * under the label set whose values are all "other", and
 * scry_label_set_overflows_total says how many rows went there.  So memory
 * is bounded by max_label_sets x syscalls x errnos whatever the run time.
 *
 * Latency histogram: scry's log-linear buckets (stats/hist.h) are summed
 * into `le` buckets whose bounds are bucket bounds of scry's too, so the
 * conversion is exact: with N buckets per octave (opts.buckets_per_octave:
 * 1, 2, 4, 8, 16, 32 or 64) the bounds are 2^k * (1 + m/N) ns for k from
 * 7 to 33 and m < N, and 2^34 ns; an `le` label is the largest whole
 * nanosecond below such a bound, in seconds ("0.000000127"), since
 * latencies are whole nanoseconds.
 *
 * Errors: 0 or a negative errno, with one line in why where it helps.
 * Nothing here prints or exits.  Thread safe: every function takes the
 * exporter's lock (the HTTP server renders from its threads while the main
 * loop ticks).
 */
#ifndef SCRY_SERVE_EXPORTER_H
#define SCRY_SERVE_EXPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

enum scry_exporter_label {
	SCRY_EXPORTER_LABEL_PID = 1,
	SCRY_EXPORTER_LABEL_COMM = 2,
	SCRY_EXPORTER_LABEL_CGROUP = 4,
};

struct scry_exporter_opts {
	const int *pids;		/* -p */
	size_t npids;
	int follow_forks;		/* -f */
	const char *comm;		/* at most 15 bytes */
	const char *pgrep;		/* POSIX ERE on the process name */
	const char *cgroup;		/* absolute, or relative to the cgroup2 mount */
	int all;
	const uint64_t *nrs;		/* -e trace=SET bitmap, NULL: every syscall */
	size_t nr_words;
	unsigned int labels;		/* enum scry_exporter_label bits */
	size_t max_label_sets;		/* 0: SCRY_EXPORTER_MAX_LABEL_SETS */
	unsigned int buckets_per_octave;	/* 0: 1 */
};
#define SCRY_EXPORTER_OPTS_INIT { NULL, 0, 0, NULL, NULL, NULL, 0, NULL, 0, 0, 0, 0 }
#define SCRY_EXPORTER_MAX_LABEL_SETS 1000

struct scry_exporter;

/* Checks the options (-EINVAL and why), loads the programs and adds the
 * first targets.  -ESRCH when a -p process does not exist. */
int scry_exporter_open(struct scry_exporter **out, const struct scry_exporter_opts *o,
		       char *why, size_t len);

/*
 * An exporter fed by the caller rather than by the kernel's counters (scry
 * serve --backend ptrace): only -p targets (the caller traces them; -EINVAL
 * and why for --comm, --pgrep, --cgroup, --all).  Its calls come through
 * scry_exporter_feed_call(), its processes through _feed_process();
 * tick and render then work as for the bpf exporter.
 */
int scry_exporter_open_fed(struct scry_exporter **out, const struct scry_exporter_opts *o,
			   char *why, size_t len);

/* One call of process pid that returned after ns; err: its errno (> 0) if
 * it failed, else 0.  0 or -ENOMEM. */
int scry_exporter_feed_call(struct scry_exporter *e, int pid, int nr, uint64_t ns, int err);

/* Process pid is traced now (alive) or no longer: scry_targets.  0 or
 * -ENOMEM. */
int scry_exporter_feed_process(struct scry_exporter *e, int pid, int alive);

/* Unloads everything from the kernel and frees e.  NULL is fine. */
void scry_exporter_close(struct scry_exporter *e);

/* Re-resolves the targets (pgrep, cgroup subtree), forgets processes that
 * are gone and moves the kernel's counts into the exporter's.  Call it at
 * least once a second so that the kernel's maps never fill. */
int scry_exporter_tick(struct scry_exporter *e, char *why, size_t len);

/* Moves the kernel's counts over, then appends every metric to out in the
 * text format 0.0.4, or OpenMetrics 1.0 (ending in "# EOF"). */
int scry_exporter_render(struct scry_exporter *e, int openmetrics, struct strbuf *out);

/* The content type of a render. */
const char *scry_exporter_content_type(int openmetrics);

/* scry's -c JSON summary (stats.h) of everything counted so far, all
 * labels folded, appended to out.  0 or -ENOMEM. */
int scry_exporter_summary_json(struct scry_exporter *e, struct strbuf *out);

/* Processes counted right now (as the last tick found them). */
size_t scry_exporter_targets(struct scry_exporter *e);

/*
 * The `le` buckets of buckets_per_octave n (1, 2, 4, ... 64; else
 * -EINVAL): their inclusive upper bounds in ns into le[] (at most
 * SCRY_EXPORTER_MAX_LE), and how many there are.
 */
#define SCRY_EXPORTER_MAX_LE (27 * 64 + 1)
int scry_exporter_le_bounds(unsigned int n, uint64_t *le);

/*
 * Adds histogram h's counts to counts[j], j the `le` bucket (of bounds le,
 * nle of them) each of scry's buckets falls into whole; values above the
 * last bound go to counts[nle] (only +Inf holds them).  Exact, because
 * each bound + 1 is where one of scry's buckets begins.
 */
struct scry_hist;
void scry_exporter_le_counts(const struct scry_hist *h, const uint64_t *le, size_t nle,
			     uint64_t *counts);

#endif
