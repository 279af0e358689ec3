/*
 * The output formats: text (strace's), JSON, JSON Lines, CSV, Chrome trace
 * and SQLite (docs/FORMATS.md describes every schema), found in one table
 * (formats.c) by name, alias or file extension.
 *
 * Every format is a sink (struct scry_sink, scry.h): its row's open()
 * makes one, and the caller feeds it and ends it through the sink alone:
 *
 *	const struct output_format *f = output_format_find("json");
 *	struct output_opts oo = OUTPUT_OPTS_INIT;
 *	oo.fd = fd;                              // or oo.path for sqlite
 *	struct scry_sink sink;
 *	if (output_format_open(f, &sink, &oo, err, sizeof(err)) < 0) ...
 *	scry_session_add_sink(s, &sink);
 *	r = scry_session_run(s);
 *	struct scry_sink_end end = { .summary = &stats_or_NULL, .summary_opts = &summary_opts, .lost_events = lost };
 *	werr = scry_sink_finish(&sink, &end);
 *	scry_sink_free(&sink);
 *
 * Adding a format is one file and one row (docs/ARCHITECTURE.md, "Add an
 * output format").
 *
 * Errors: the first write error (ENOSPC, EPIPE, a SQLite error as -EIO) is
 * returned, once, from the sink's event() or flush(), so that the session
 * detaches; from then on nothing more is written, except that finish()
 * closes the document as well as it can.  finish() returns that same first
 * error (or one of its own), so the caller prints one message from
 * whichever it sees first.
 *
 * Every output is whole when finish() has run, however the run ended: the
 * JSON document closed, the CSV and JSON Lines cut at whole rows (a failed
 * write of a regular file is truncated back to the last whole row), the
 * database committed.
 *
 * Filters (-e trace=, status=, signal=) are not the formats' business: the
 * caller puts a filter stage (filter/stage.h) in front of them.
 */
#ifndef SCRY_OUTPUT_FORMATS_H
#define SCRY_OUTPUT_FORMATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scry/scry.h"
#include "stats/stats.h"

/*
 * The options and the text layout are public (scry/output.h: struct
 * scry_output_opts, struct scry_text_layout, enum scry_text_ts); the
 * formats were written with these names, which stay theirs.
 */
#include "scry/output.h"
#define text_ts scry_text_ts
#define TS_NONE SCRY_TS_NONE
#define TS_TIME SCRY_TS_TIME
#define TS_USEC SCRY_TS_USEC
#define TS_EPOCH SCRY_TS_EPOCH
#define text_layout scry_text_layout
#define output_opts scry_output_opts
#define OUTPUT_OPTS_INIT SCRY_OUTPUT_OPTS_INIT

/* What the caller needs to know of a format (output_format.flags). */
enum output_format_flags {
	/* strace's text: written to stderr unless -o, -ff makes a file per
	 * process, and a summary is a text table beside it */
	OUTPUT_FMT_TEXT = SCRY_FORMAT_TEXT,
	/* opens output_opts.path itself (needs -o): sqlite */
	OUTPUT_FMT_OWN_FILE = SCRY_FORMAT_OWN_FILE,
	/* with -c the file is the summary table alone; with -C the summary
	 * is shown as text: csv */
	OUTPUT_FMT_SUMMARY_TABLE = SCRY_FORMAT_SUMMARY_TABLE,
};

/* One row of the table of formats (the public struct scry_format is one). */
struct output_format {
	const char *name;                  /* "jsonl": --format NAME */
	const char *const *aliases;        /* NULL-terminated, or NULL */
	const char *const *extensions;     /* of -o FILE: ".jsonl", NULL-terminated, or NULL */
	unsigned flags;                    /* enum output_format_flags */
	/*
	 * Makes the sink and writes the header.  On failure returns a
	 * negative errno and writes into err what was wrong, without the path
	 * ("No space left on device", "it is a directory; ..."): the caller
	 * says which output it was.
	 */
	int (*open)(struct scry_sink *sink, const struct output_format *fmt,
		    const struct output_opts *opts, char *err, size_t errlen);
};

/* By name or alias, case-insensitive; NULL if none. */
const struct output_format *output_format_find(const char *name);
/* By the -o file's extension (.trace.json is still JSON); text when none
 * matches (or path is NULL). */
const struct output_format *output_format_from_path(const char *path);
/* "text, json, jsonl, csv, chrome, sqlite or html", for messages (cut at len). */
void output_format_names(char *buf, size_t len);
/* The row's open(), with err set to "" and *sink zeroed first. */
int output_format_open(const struct output_format *fmt, struct scry_sink *sink,
		       const struct output_opts *opts, char *err, size_t errlen);

/* ---- the structured formats as struct output (encode.h) ---- */

struct output;

/*
 * Opens a structured format (not text) as a struct output, for callers
 * that replay recorded calls into it (scry report) or look at it (tests).
 * output_as_sink() gives its sink; output_finish() and output_free() are
 * its sink's finish() and free().
 */
int output_open(struct output **out, const struct output_format *fmt, const struct output_opts *opts,
		char *err, size_t errlen);
void output_as_sink(struct output *o, struct scry_sink *sink);
/* The struct output a sink of a structured format is, or NULL. */
struct output *output_of_sink(const struct scry_sink *sink);
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
