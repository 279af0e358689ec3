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
 * Usage:
 *
 *	struct scry_stats st;
 *	scry_stats_init(&st, 0);
 *	scry_stats_add(&st, pid, nr, ns, is_error);      // per call
 *	const struct scry_stats_row *r = scry_stats_lookup(&st, 0, nr);
 *	uint64_t p99 = scry_stats_row_percentile(r, 99); // ns
 *	struct scry_summary_opts so = SCRY_SUMMARY_OPTS_INIT;
 *	scry_stats_print_text(&st, stderr, &so);        // strace -c's table
 *	scry_stats_release(&st);
 *
 * A summary sink (scry/output.h) fills one from the calls of a session.
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
#ifndef SCRY_PUBLIC_STATS_H
#define SCRY_PUBLIC_STATS_H

#include "scry/export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scry_hist;    /* a row's latency histogram (opaque) */
struct scry_sites;   /* rows by call site or function (opaque; scry_sites_print_text()) */

struct scry_stats_row {
	int pid;		/* 0 unless the stats are per process */
	int nr;			/* syscall number */
	uint64_t calls;
	uint64_t errors;
	uint64_t total_ns;
	uint64_t min_ns;	/* meaningful only when calls > 0 */
	uint64_t max_ns;
	struct scry_hist *hist;	/* owned; never NULL in a stored row */
	/*
	 * Sampled latency (the bpf backend's -c, see src/bpf/syscount.h):
	 * calls counted but not timed, and the sum of w * w over the timed
	 * calls that stood for w > 1 calls each.  Both 0 when every call was
	 * timed.  A sampled row's histogram holds the weights (its count
	 * estimates calls), min_ns and max_ns are the timed calls', and
	 * total_ns is scaled to calls (scry_stats_row_unsample()).
	 */
	uint64_t untimed;
	uint64_t weight_sq;
};

struct scry_stats {
	int per_process;
	struct scry_stats_row *rows;	/* in order of first appearance */
	size_t nr_rows, alloc_rows;
	uint32_t *index;		/* open addressing: row index + 1, 0 = empty */
	size_t index_size;		/* a power of two, or 0 */
	size_t mem_bytes;		/* bytes currently allocated by this struct */
};

/* Cannot fail; allocates nothing until the first scry_stats_add(). */
SCRY_API void scry_stats_init(struct scry_stats *st, int per_process);

/* Frees everything; the struct may be initialised again. */
SCRY_API void scry_stats_release(struct scry_stats *st);

/*
 * Records one call: latency ns (already corrected, see above), is_error
 * when it returned an error.  pid is ignored unless per-process.
 * Returns 0, or -ENOMEM when a new key cannot be stored (nothing recorded).
 */
SCRY_API int scry_stats_add(struct scry_stats *st, int pid, int nr, uint64_t ns, int is_error);

/* Forgets every row (for --interval); frees their memory. */
SCRY_API void scry_stats_reset(struct scry_stats *st);

/*
 * dst += src.  When dst is not per process, src's processes are folded
 * together; when dst is per process and src is not, src's rows keep pid 0.
 * Returns 0 or -ENOMEM (dst then holds part of src).
 */
SCRY_API int scry_stats_merge(struct scry_stats *dst, const struct scry_stats *src);

/* Adds one row (counts, extremes and histogram) into dst, keyed by the
 * row's (pid, nr) as dst keys them (the bpf backend's rows arrive so). */
SCRY_API int scry_stats_add_row(struct scry_stats *dst, const struct scry_stats_row *row);

/* Rows, in order of first appearance; i < scry_stats_nr_rows(). */
SCRY_API size_t scry_stats_nr_rows(const struct scry_stats *st);
SCRY_API const struct scry_stats_row *scry_stats_row_at(const struct scry_stats *st, size_t i);

/* The row of (pid, nr) (pid ignored unless per process), or NULL. */
SCRY_API const struct scry_stats_row *scry_stats_lookup(const struct scry_stats *st, int pid, int nr);

/* Bytes allocated by st right now (rows, index, histograms). */
SCRY_API size_t scry_stats_memory(const struct scry_stats *st);

/* Average latency in ns (0 for an empty row). */
SCRY_API uint64_t scry_stats_row_avg(const struct scry_stats_row *row);

/*
 * The p-th percentile of a row (p in 0..100), by nearest rank: the exact
 * min_ns or max_ns when the rank is the first or the last, else from the
 * histogram (within 0.78 %), clamped to [min_ns, max_ns].
 */
SCRY_API uint64_t scry_stats_row_percentile(const struct scry_stats_row *row, double p);

/* Whether a row's latencies come from a sample (not every call timed). */
SCRY_API int scry_stats_row_sampled(const struct scry_stats_row *row);

/*
 * For a sampled row whose total_ns is the weighted sum of its timed calls'
 * latencies: scales total_ns by calls / (sum of the weights), the windows
 * still open when the counters were read having counted calls not yet
 * weighed.  A row with no call timed gets total 0.  Other rows unchanged.
 */
SCRY_API void scry_stats_row_unsample(struct scry_stats_row *row);

/*
 * The error bound of a sampled row's percentiles, in percent of rank
 * (0 for an unsampled row): with 99.9 % confidence, for each percentile p
 * the value reported lies, within the histogram's 0.78 %, between the
 * exact (p - R)-th and (p + R)-th percentiles.  R = 100 * (sqrt(S * ln(2 /
 * 0.001) / 2) + |calls - weights|) / calls, S = weight_sq: Hoeffding's
 * bound for a sum of independent window errors, window i's lying in a
 * range of w_i (one call drawn from each window of w_i calls, so its
 * error at any value is w_i * [drawn <= v] - [window's calls <= v]),
 * plus the calls of windows still open.  Capped at 100.
 */
SCRY_API double scry_stats_row_rank_bound(const struct scry_stats_row *row);

/*
 * Summaries: the -c table and its JSON and CSV forms.
 */

enum scry_sort_key {
	SCRY_SORT_TIME = 0,	/* total time, descending (the default) */
	SCRY_SORT_CALLS,	/* descending */
	SCRY_SORT_AVG,		/* descending */
	SCRY_SORT_P99,		/* descending */
	SCRY_SORT_ERRORS,	/* descending */
	SCRY_SORT_NAME,		/* ascending */
};

enum scry_latency {
	SCRY_LATENCY_WALL = 0,	/* entry to exit, wall clock */
	SCRY_LATENCY_CPU,	/* system CPU time (strace -c's default) */
};

enum scry_column {
	SCRY_COL_NAME = 0,
	SCRY_COL_CALLS,
	SCRY_COL_ERRORS,
	SCRY_COL_TOTAL,
	SCRY_COL_AVG,
	SCRY_COL_P50,
	SCRY_COL_P90,
	SCRY_COL_P99,
	SCRY_COL_MAX,
	SCRY_COL_MIN,
	SCRY_COL_PERCENT,
	SCRY_COL__COUNT
};

/* Columns of the text table, in the order shown. */
struct scry_columns {
	unsigned int n;				/* 0: the default set */
	unsigned char col[SCRY_COL__COUNT];	/* enum scry_column values */
};

struct scry_summary_opts {
	/* Name of syscall nr; NULL callback or NULL result shows "syscall_0x1b6"
	 * (scry_call_name(), as every output names it). */
	const char *(*name)(int nr, void *ctx);
	void *ctx;
	double seconds;			/* elapsed time; < 0 leaves it out */
	enum scry_latency latency;
	enum scry_sort_key sort;
	struct scry_columns columns;	/* text only; JSON and CSV have all */
	const char *note;		/* a line under the heading, or NULL */
	int per_process;		/* a table per pid, then the total */
	/* issue 13 (stats/sites.h), NULL when not asked: the rows by
	 * (syscall, call site) and by function, which JSON gives as
	 * "call_sites" and "functions" beside "syscalls" and CSV as its
	 * table instead of the one by syscall (the text tables are
	 * scry_sites_print_text()'s) */
	const struct scry_sites *sites;
	const struct scry_sites *functions;
	/* Latency sampled 1 in up to this many calls (the bpf backend's -c
	 * without --exact-latency): the text heading says so with the
	 * rank bound of the sampled rows; JSON adds "latency_sampling" and
	 * per row "timed" and "rank_bound_pct"; CSV the columns timed and
	 * rank_bound_pct.  0: every call timed. */
	unsigned sample_max_n;
};
/* The defaults: the default columns, sorted by time, no elapsed time
 * shown, and no name callback (calls shown as "syscall_0x101"): set
 * name to a function that returns scry_syscall_name(scry_native_table(),
 * nr). */
#define SCRY_SUMMARY_OPTS_INIT { .seconds = -1.0 }

/*
 * Parses -U's comma-separated column list: calls, errors, total, avg, p50,
 * p90, p99, max, min, percent, name, and strace's spellings (count, error,
 * total-time, time-total, avg-time, time-avg, min-time, max-time,
 * time-percent, percent-time, syscall, syscall-name).  Repeats are
 * ignored.  On an unknown or empty name returns -EINVAL and, when bad is
 * not NULL, copies that name (NUL-terminated, truncated to badsz) into
 * bad for the usage message.
 */
SCRY_API int scry_summary_parse_columns(const char *spec, struct scry_columns *out,
			       char *bad, size_t badsz);

/* Parses -S: time, calls, avg, p99, errors, name (and strace's aliases). */
SCRY_API int scry_summary_parse_sort(const char *s, enum scry_sort_key *out);

/* A duration as the text table shows it (123ns, 4.56µs, 1.234ms, 12.345s):
 * for other tables that must read the same (the HTML report's). */
SCRY_API void scry_summary_format_ns(char *buf, size_t sz, uint64_t ns);

/* Writes the human-readable table(s).  0, -ENOMEM or -EIO. */
SCRY_API int scry_stats_print_text(const struct scry_stats *st, FILE *out,
			  const struct scry_summary_opts *opts);

/*
 * Writes one JSON object and a newline:
 *   {"seconds":S,"latency":"wall"|"cpu","note":"..."?,
 *    "syscalls":[{"name","nr","calls","errors","total_ns","avg_ns","min_ns",
 *                 "max_ns","p50_ns","p90_ns","p99_ns","percent"}...],
 *    "total":{same fields less name and nr},
 *    "processes":[{"pid":P,"syscalls":[...],"total":{...}}...]?}
 * "syscalls" and "total" cover every process; "processes" is there when
 * opts->per_process and the stats are per process.  Rows are sorted by
 * opts->sort.  0, -ENOMEM or -EIO.
 */
SCRY_API int scry_stats_print_json(const struct scry_stats *st, FILE *out,
			  const struct scry_summary_opts *opts);

/*
 * Writes CSV (RFC 4180 quoting; lines end in \n, not CRLF):
 *   [pid,]syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent
 * one row per syscall (per pid and syscall with opts->per_process), no
 * total row, times in microseconds with 3 decimals.  0, -ENOMEM or -EIO.
 */
SCRY_API int scry_stats_print_csv(const struct scry_stats *st, FILE *out,
			 const struct scry_summary_opts *opts);

/*
 * The rows by call site (--source -c) or by function (--by-function) of a
 * summary sink (scry/output.h), as a text table sorted by opts->sort:
 *   calls:     Syscall Calls Errors Total p50 p90 p99 Max  Call site
 *   functions: Function Calls Errors Total %Time p50 p90 p99 Max  Object
 * 0, -ENOMEM or -EIO.
 */
SCRY_API int scry_sites_print_text(const struct scry_sites *s, FILE *out,
				   const struct scry_summary_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
