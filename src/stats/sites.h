/*
 * Summaries keyed by where calls come from (issue 13): one row per
 * (syscall, call site) for `--source -c` and `-k -c`, or one row per
 * function for --by-function, each with the counters and latency
 * histogram of struct scry_stats_row.
 *
 * The key is a label the caller makes (output/stackfmt.h names call sites
 * "file:line in function") plus an optional second string (the object of
 * a function).  Memory is bounded: at most cap rows (each 18.5 KiB of
 * histogram); the calls of keys beyond the cap are counted in one last row,
 * "(other call sites)" / "(other functions)", and scry_sites.overflow
 * tells that it happened, so totals stay whole and the table says so.
 *
 * Errors: 0 or a negative errno (-ENOMEM, -EIO for a failed write); prints
 * only to the FILE * it is given.
 */
#ifndef SCRY_STATS_SITES_H
#define SCRY_STATS_SITES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats/stats.h"

#define SCRY_SITES_CAP_DEFAULT 1024

enum scry_sites_kind {
	SCRY_SITES_CALLS = 0,   /* rows by (syscall, call site) */
	SCRY_SITES_FUNCTIONS,   /* rows by function, inclusive over the stack */
};

struct scry_site_row {
	struct scry_stats_row r;  /* r.nr: the syscall (-1 for functions and the overflow row) */
	char *label;              /* owned */
	char *extra;              /* owned, or NULL */
	int overflow;             /* the row of the keys beyond the cap */
};

struct scry_sites {
	enum scry_sites_kind kind;
	size_t cap;
	struct scry_site_row *rows;
	size_t n, alloc;
	uint32_t *index;          /* open addressing: row + 1, 0 empty */
	size_t index_size;
	int overflow;             /* some key found no row of its own */
	/* each call once (a function row counts every call whose stack
	 * holds it, so the rows add up to more than this) */
	uint64_t calls, errors, total_ns;
};

void scry_sites_init(struct scry_sites *s, enum scry_sites_kind kind, size_t cap);
void scry_sites_release(struct scry_sites *s);
void scry_sites_reset(struct scry_sites *s);

/* One call in the key (label, extra); does not touch s->calls. */
int scry_sites_add(struct scry_sites *s, int nr, const char *label, const char *extra,
		   uint64_t ns, int is_error);
/* Many calls at once (counted elsewhere: the bpf backend's kernel
 * counts), into the key (label, extra) and the totals; src->nr is the
 * syscall.  0 or -ENOMEM. */
int scry_sites_add_row(struct scry_sites *s, const char *label, const char *extra,
		       const struct scry_stats_row *src);
/* One call, once, for the totals. */
void scry_sites_count_call(struct scry_sites *s, uint64_t ns, int is_error);

/*
 * The table, sorted by opts->sort (name: by label), with a total row:
 *   calls:     Syscall Calls Errors Total p50 p90 p99 Max  Call site
 *   functions: Function Calls Errors Total %Time p50 p90 p99 Max  Object
 * opts->name names syscalls.  0, -ENOMEM or -EIO.
 */
SCRY_API int scry_sites_print_text(const struct scry_sites *s, FILE *out, const struct scry_summary_opts *opts);

/*
 * The same rows, sorted as the text table, as a JSON array of
 *   {"syscall","nr","call_site", counters}        (calls)
 *   {"function","object", counters}               (functions)
 * where counters are calls, errors, total_ns, avg_ns, min_ns, max_ns,
 * p50_ns, p90_ns, p99_ns, percent (of the table's time) and "other":true
 * marks the row of the keys beyond the cap.  0, -ENOMEM or -EIO.
 */
int scry_sites_print_json(const struct scry_sites *s, FILE *out, const struct scry_summary_opts *opts);

/*
 * The same rows as CSV lines (no header) of the columns
 *   kind,name,where,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent
 * kind "call_site" (name: the syscall, where: FILE:LINE in FUNCTION) or
 * "function" (name: the function, where: its object).
 */
#define SCRY_SITES_CSV_HEADER \
	"kind,name,where,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent\n"
int scry_sites_print_csv(const struct scry_sites *s, FILE *out, const struct scry_summary_opts *opts);

#endif
