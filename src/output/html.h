/*
 * The HTML report (issue 15): one self-contained page made from a trace
 * database (--format sqlite's schema, docs/FORMATS.md), for
 * `scry report --html -o report.html TRACE.db` and `--format html -o
 * report.html` on a live run (which records into a temporary database,
 * then writes the page from it).
 *
 * The page has its script and style inline (src/output/html/report.js and
 * report.css, embedded at build time by scripts/embed-asset), a
 * Content-Security-Policy that allows only those two (by their SHA-256,
 * computed here) and data: images, and the trace's data as one JSON block
 * (<script type="application/json">, which is never executed; every string
 * escaped by util/escape.h's rule, so '<' is \u003c and "</script>" cannot
 * occur in it).  Bytes that are not UTF-8 are shown as \xNN text.
 *
 * Size and time are bounded whatever the trace: the C side aggregates
 * (summary, histograms, a timeline of HTML_TIME_BUCKETS buckets per
 * thread, errors grouped, stacks merged into one tree), and ships at most
 * max_calls calls one by one (the first ones, by time); the page says how
 * many it has and how many there were.  Memory: the summary's histograms,
 * HTML_TIME_BUCKETS cells for each of at most HTML_MAX_LANES threads, the
 * capped lists, and the output buffer (a few MB).
 *
 * Errors: 0, or a negative errno with a sentence (without the path) in
 * err: a database error is -EIO, a write error its errno.  Nothing is
 * printed.
 */
#ifndef SCRY_OUTPUT_HTML_H
#define SCRY_OUTPUT_HTML_H

#include <sqlite3.h>
#include <stddef.h>

#define HTML_TIME_BUCKETS 1000
#define HTML_MAX_LANES 2000
#define HTML_MAX_CALLS_DEFAULT 20000

struct html_report_opts {
	const char *source;      /* what the page came from (the database's name), or NULL */
	unsigned max_calls;      /* calls shipped one by one; 0: HTML_MAX_CALLS_DEFAULT */
};

struct strbuf;

/* Writes the page for db (opened read-only by the caller) to fd. */
int html_report_write(sqlite3 *db, int fd, const struct html_report_opts *opts, char *err, size_t errlen);

/*
 * The same page, appended to page, written nowhere: for a caller that
 * opens (and so empties) its output only once the page is made, so that
 * a database found damaged half-way costs nothing.  On a database error
 * (-EIO), *db_rc (if not NULL) is SQLite's code (SQLITE_CORRUPT, ...).
 */
int html_report_page(sqlite3 *db, struct strbuf *page, const struct html_report_opts *opts, int *db_rc,
		     char *err, size_t errlen);

/*
 * Opens path for the page: a regular file (emptied) or a new one (0600).
 * A directory, device, FIFO or socket there is refused, never replaced.
 * The file descriptor in *fd, or a negative errno and err.
 */
int html_open_path(const char *path, int *fd, char *err, size_t errlen);

#endif
