/*
 * Reading a recording back: a trace database that the sqlite format wrote
 * (`scry --format sqlite -o trace.db`, or scry_format_find("sqlite");
 * docs/FORMATS.md has its schema), as `scry report` reads it: its
 * metadata, its calls and process events replayed into any sink (the
 * built-in formats convert it, a sink of yours sees what a live run would
 * have handed it), the -c summary rebuilt, the strace text, the HTML page.
 *
 *	struct scry_tracedb *db;
 *	char err[256];
 *	int r = scry_tracedb_open(&db, "trace.db", err, sizeof(err));
 *	if (r < 0)
 *		fprintf(stderr, "trace.db: %s\n", err);
 *	struct scry_sink sink = { my_event, NULL, &my_state, NULL, NULL };
 *	r = scry_tracedb_replay(db, &sink, SCRY_TRACEDB_REPLAY_STACKS);
 *	if (r < 0 && scry_tracedb_error(db, &msg) < 0)
 *		fprintf(stderr, "trace.db: %s\n", msg);   // the database's fault
 *	scry_tracedb_close(db);
 *
 * What a replayed call is: one SCRY_EV_CALL_EXIT event per recorded call,
 * in the order the calls began (process events between them, in time
 * order), with nr, name, pid, tid, t_enter_ns, duration_ns, cpu_ns, ret,
 * is_error, injected and ret_text (the stored strace text of the result)
 * as recorded; the stack when SCRY_TRACEDB_REPLAY_STACKS asks for it and
 * the trace has one.  The arguments are not decoded again: entry_args,
 * exit_args and result are NULL, and scry_tracedb_replay_args() gives
 * their stored strace text and JSON.  A call that never returned has
 * t_exit_ns 0.  The built-in structured formats (scry_format_open():
 * json, jsonl, csv, chrome, sqlite) read the stored text and JSON
 * themselves when they are the sink given to the replay (not behind a
 * filter stage), so a converted trace has the arguments a live run would
 * have written; for strace's text use scry_tracedb_print_text(), as the
 * text format renders the typed values a replay does not have.
 *
 * Ownership and lifetime: the handle owns the database connection and
 * everything its functions hand out; strings returned as const (names,
 * the summary's note, the arrays scry_tracedb_output_opts() fills) live
 * until scry_tracedb_close().  Strings returned as char ** are malloc'ed:
 * the caller frees them.  A replayed event and everything it points to
 * (the stack, the stored texts, and the call's name too, which a live
 * run's sink may keep) is valid only until the sink's event() returns.
 *
 * Threads: a handle is used by one thread at a time (SQLite's connection
 * is not shared).  Two handles on the same file are independent.
 *
 * Errors: functions return 0 or a negative errno, and print nothing.  The
 * first error the database gave while reading (however many functions
 * later) is kept, so that a query that stopped early does not pass for a
 * shorter trace: every function returns it from then on, and
 * scry_tracedb_error() says what it was.  -EBADMSG: the file is damaged
 * (sqlite3's .recover can save what is left); -EIO: another database error
 * (locked, unreadable); -ENOMEM: out of memory.  Errors of a sink or of a
 * write are returned as they are, and are not the database's.
 */
#ifndef SCRY_PUBLIC_TRACEDB_H
#define SCRY_PUBLIC_TRACEDB_H

#include "scry/export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scry/output.h"
#include "scry/scry.h"
#include "scry/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An open trace database (opaque). */
struct scry_tracedb;

/*
 * Opens path read-only and checks that it is a trace recorded by scry's
 * sqlite format.  On failure *out is NULL, and err (when errlen > 0) says
 * what was wrong, without the path:
 *   -ENOENT, -EACCES, ...  the file cannot be read (strerror's text)
 *   -EINVAL    it is no scry trace ("not a trace recorded by scry --format
 *              sqlite (file is not a database)")
 *   -EBADMSG   it is one, damaged (SQLite's message)
 *   -ENOTSUP   libscry was built without SQLite
 *   -ENOMEM
 */
SCRY_API int scry_tracedb_open(struct scry_tracedb **out, const char *path, char *err, size_t errlen);

/* Closes the database and frees everything the handle gave out.  NULL is
 * a no-op. */
SCRY_API void scry_tracedb_close(struct scry_tracedb *db);

/*
 * The first database error met so far: 0 when none, else -EBADMSG,
 * -EIO or -ENOMEM (see above) with *msg (when msg is not NULL) SQLite's
 * message ("database disk image is malformed"), valid until close.
 */
SCRY_API int scry_tracedb_error(const struct scry_tracedb *db, const char **msg);

/*
 * Reads the whole file once to find damage before anything is written
 * from it (PRAGMA quick_check): 0, or the error it found (-EBADMSG).
 * Reads check anyway; this is for a caller about to empty an output file.
 */
SCRY_API int scry_tracedb_check(struct scry_tracedb *db);

/*
 * The value of key in the metadata table (docs/FORMATS.md: "argv[0]",
 * "start_ns", "lost_events", "scry_version", ...), malloc'ed into *value:
 * the caller frees it.  *value is NULL when the key is absent.  0 or the
 * database's error.
 */
SCRY_API int scry_tracedb_meta(struct scry_tracedb *db, const char *key, char **value);
/* The same, read as a decimal number (0 when absent). */
SCRY_API int scry_tracedb_meta_u64(struct scry_tracedb *db, const char *key, uint64_t *value);

/*
 * The name of syscall nr as the trace recorded it (the names of the
 * machine that recorded it), else this machine's, else NULL.  The first
 * call reads the names (a pass over the calls); a database error then is
 * kept (scry_tracedb_error()) and NULL or this machine's name returned.
 */
SCRY_API const char *scry_tracedb_syscall_name(struct scry_tracedb *db, long nr);

/* What a trace may hold, for scry_tracedb_has(). */
enum scry_tracedb_part {
	SCRY_TRACEDB_STACKS = 1,     /* calls with stacks (recorded with -k, --source) */
	SCRY_TRACEDB_INJECTED = 2,   /* calls tampered with (-e inject=) */
};

/* 1 when the trace holds part (enum scry_tracedb_part), else 0 (also on a
 * database error, which is kept).  Found out once, on the first ask. */
SCRY_API int scry_tracedb_has(struct scry_tracedb *db, int part);

/* ---- replaying the calls ---- */

/* scry_tracedb_replay() flags */
enum scry_tracedb_replay_flag {
	/* hand each call its recorded stack (scry_call.stack; a query per
	 * call: ask only when the sink uses them) */
	SCRY_TRACEDB_REPLAY_STACKS = 1u << 0,
	/* a trace recorded with --profile: its CPU samples too, as the
	 * SCRY_EV_SAMPLE events the live sinks got (with their stacks),
	 * among the calls by time */
	SCRY_TRACEDB_REPLAY_SAMPLES = 1u << 1,
};

/*
 * Feeds every recorded call and process event (SCRY_EV_EXITED, _KILLED,
 * _SIGNAL with its strace text and no values, _STOPPED, _NEW_TASK, _EXEC,
 * _DETACHED) to sink->event(), in time order (see the top of this file
 * for what a call holds).  The sink is not finished: that is the caller's
 * (scry_sink_finish(), with the summary and lost events it wants) as
 * after a live run.  Returns 0, the first error of the sink (which stops
 * the replay), or the database's.  May be called again: it starts over.
 */
SCRY_API int scry_tracedb_replay(struct scry_tracedb *db, const struct scry_sink *sink, unsigned flags);

/*
 * After a replay with SCRY_TRACEDB_REPLAY_SAMPLES: the sample fields of
 * the end to finish the sink with (sample_hz, samples handed over,
 * lost_samples as the recording had them), so every format reports the
 * same counts as after the live run.  end is untouched when the trace has
 * no samples.
 */
SCRY_API void scry_tracedb_sample_end(const struct scry_tracedb *db, struct scry_sink_end *end);

/*
 * During a replay, from the sink's event() for a call: the call's stored
 * strace text of its arguments ("AT_FDCWD, \"/etc\", O_RDONLY", not
 * NUL-terminated: text_len bytes) and its arguments as JSON (as the
 * "args" member of docs/FORMATS.md; NULL when none was stored).  Any
 * pointer may be NULL when not wanted.  -EINVAL outside a call's event().
 */
SCRY_API int scry_tracedb_replay_args(const struct scry_tracedb *db, const char **text, size_t *text_len,
				      const char **json, size_t *json_len);

/*
 * Fills what a format needs to convert this trace (scry_format_open()):
 * the recorded command (argv) and pids, start time, string limit, and
 * whether calls carry stacks and injections, and marks opts as a replay
 * (nothing is read from /proc).  The caller sets fd or path and summary.
 * The arrays belong to db.  0 or the database's error.
 */
SCRY_API int scry_tracedb_output_opts(struct scry_tracedb *db, struct scry_output_opts *opts);

/* ---- the summary ---- */

/*
 * The summary's options as the live run had them: the elapsed seconds,
 * wall or CPU latency, the note under the heading (owned by db), and
 * the names of the calls (scry_tracedb_syscall_name(); ctx is db).
 * Everything else is SCRY_SUMMARY_OPTS_INIT's.  0 or the database's error.
 */
SCRY_API int scry_tracedb_summary_opts(struct scry_tracedb *db, struct scry_summary_opts *so);

/*
 * Counts every call that returned into ss, as the summary sink counts a
 * live run (its cpu_time: cpu_ns rather than duration_ns), with the
 * call-site rows when scry_summary_sink_by_site() asked for them (not
 * the rows by function, which stay empty).  Reads
 * only what it counts: cheaper than a replay into the summary sink, and
 * in the order the calls were recorded.  0, -ENOMEM or the database's
 * error.
 */
SCRY_API int scry_tracedb_summarize(struct scry_tracedb *db, struct scry_summary_sink *ss);

/* ---- scry report's outputs ---- */

/* scry_tracedb_print_text() flags */
enum scry_tracedb_text_flag {
	SCRY_TRACEDB_TEXT_STACKS = 1u << 0,   /* -k: each call's frames after its line */
	SCRY_TRACEDB_TEXT_SOURCE = 1u << 1,   /* --source: "   [FILE:LINE in FUNCTION]" */
};

/*
 * Writes the trace as strace text to out: one line per call, whole, in
 * the order the calls began (never split into "<unfinished ...>" and
 * "<... resumed>"), with "[pid N] " when the trace has more than one
 * thread, and strace's lines for signals, stops, exits and kills.  0,
 * -EIO when out has an error, or the database's error.
 */
SCRY_API int scry_tracedb_print_text(struct scry_tracedb *db, FILE *out, unsigned flags);

/*
 * Writes the HTML report (one self-contained page; docs/FORMATS.md) to
 * path.  The page is made in memory first and path is opened, and so
 * emptied, only once it is whole: a damaged database costs the file
 * nothing.  A path that exists and is not a regular file (a directory, a
 * device, a FIFO) is refused before any work, never replaced; a new file
 * is made 0600.  0; the database's error (see scry_tracedb_error()); or
 * a write's negative errno with err (when errlen > 0) saying what was
 * wrong, without the path.
 */
SCRY_API int scry_tracedb_write_html(struct scry_tracedb *db, const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
