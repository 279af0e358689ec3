/*
 * The structured outputs: JSON, JSON Lines, CSV, Chrome trace and SQLite
 * (docs/FORMATS.md describes every schema).
 *
 * All of them sit behind one interface:
 *
 *	struct output *out;
 *	struct output_opts oo = OUTPUT_OPTS_INIT;
 *	oo.fd = fd;                              // or oo.path for sqlite
 *	if (output_open(&out, FMT_JSON, &oo, err, sizeof(err)) < 0) ...
 *	struct scry_sink sink;
 *	output_as_sink(out, &sink);
 *	scry_session_add_sink(s, &sink);
 *	r = scry_session_run(s);
 *	werr = output_finish(out, &stats_or_NULL, &summary_opts, 0);
 *	output_free(out);
 *
 * Errors: the first write error (ENOSPC, EPIPE, a SQLite error as -EIO) is
 * returned, once, from the sink's event() or flush(), so that the session
 * detaches; from then on nothing more is written, except that
 * output_finish() closes the document as well as it can.  output_finish()
 * returns that same first error (or one of its own), so the caller prints
 * one message from whichever it sees first.
 *
 * Every output is whole when output_finish() has run, however the run
 * ended: the JSON document closed, the CSV and JSON Lines cut at whole rows
 * (a failed write of a regular file is truncated back to the last whole
 * row), the database committed.
 */
#ifndef SCRY_OUTPUT_FORMATS_H
#define SCRY_OUTPUT_FORMATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scry/scry.h"
#include "stats/stats.h"

struct scry_filter;

enum output_format { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_CSV, FMT_CHROME, FMT_SQLITE };

/* "text", "json", "jsonl" (also "json-lines", "ndjson"), "csv", "chrome"
 * (also "perfetto"), "sqlite" (also "db").  0, or -EINVAL. */
int output_format_parse(const char *name, enum output_format *out);
/* The name output_format_parse() takes for fmt. */
const char *output_format_name(enum output_format fmt);
/* By extension: .json, .jsonl/.ndjson, .csv, .db/.sqlite/.sqlite3,
 * .trace.json is still JSON; anything else (or NULL) is text. */
enum output_format output_format_from_path(const char *path);

struct output_opts {
	int fd;                  /* where json/jsonl/csv/chrome write; not owned */
	const char *path;        /* sqlite: the database (required; a regular
				  * file there is emptied, anything else refused) */
	char *const *argv;       /* the traced command (launch), or NULL */
	const pid_t *pids;       /* the attached pids (-p), npids of them */
	int npids;
	int summary;             /* 0: calls; 1 (-c): only the summary; 2 (-C): both */
	int string_limit;        /* -s, recorded in the metadata */
	const struct scry_filter *filter;   /* NULL: everything the session sends */
	char *const *scry_argv;  /* scry's own command line, for metadata; or NULL */
	/* Internal (scry report): converting a recorded trace.  /proc is not
	 * read, and start_ns (if not 0) is the recorded start. */
	int replay;
	uint64_t start_ns;
};
#define OUTPUT_OPTS_INIT { -1, NULL, NULL, NULL, 0, 0, 32, NULL, NULL, 0, 0 }

struct output;

/*
 * Opens an output of format fmt (not FMT_TEXT: that is output/text.h) and
 * writes its header.  On failure returns a negative errno and writes into
 * err what was wrong, without the path ("No space left on device", "it is
 * a directory; ..."): the caller says which output it was.
 */
int output_open(struct output **out, enum output_format fmt, const struct output_opts *opts,
		char *err, size_t errlen);
void output_as_sink(struct output *o, struct scry_sink *sink);
/*
 * Ends the output: calls still open are written as unfinished, then the
 * summary (when summary is not NULL and opts.summary asked for one) and
 * lost_events, and the document is closed / the database committed.
 * Returns 0 or the first error (see above).
 */
int output_finish(struct output *o, const struct scry_stats *summary,
		  const struct scry_summary_opts *sopts, uint64_t lost_events);
/* Frees; finishes first (without a summary) if output_finish() was not called. */
void output_free(struct output *o);

/*
 * scry report: feeds a recorded call (a CALL_EXIT event whose entry_args and
 * exit_args are NULL) with its stored strace text and typed arguments (JSON,
 * as the sqlite output stored them; NULL if none).  Returns what the sink's
 * event() would.
 */
int output_replay_call(struct output *o, const struct scry_event *ev,
		       const char *args_text, size_t text_len,
		       const char *args_json, size_t json_len);

#endif
