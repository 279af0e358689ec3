/*
 * The built-in sinks: the output formats (strace's text, JSON, JSON Lines,
 * CSV, Chrome trace, SQLite, HTML; docs/FORMATS.md describes every
 * schema) and the summary (strace -c's counters and percentiles).
 *
 * A format is found by name or by a file's extension, and opened into a
 * struct scry_sink (scry.h) that the caller adds to a session and ends
 * through the sink alone:
 *
 *	const struct scry_format *f = scry_format_find("jsonl");
 *	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
 *	oo.fd = 1;                               // or oo.path for sqlite, html
 *	struct scry_sink sink;
 *	char err[256];
 *	if (scry_format_open(f, &sink, &oo, err, sizeof(err)) < 0)
 *		fprintf(stderr, "jsonl: %s\n", err);
 *	scry_session_add_sink(s, &sink);          // or behind a filter stage
 *	r = scry_session_run(s);
 *	struct scry_sink_end end = { &summary.stats, NULL, scry_session_lost(s) };
 *	werr = scry_sink_finish(&sink, &end);
 *	scry_sink_free(&sink);
 *
 * Filters (-e trace=, status=, signal=) are not the formats' business: put
 * a filter stage (scry/filter.h) in front of them.
 *
 * Ownership: a format writes to opts.fd, which it does not own or close
 * (the caller closes it after scry_sink_free()); the formats that open
 * their file themselves (SCRY_FORMAT_OWN_FILE: sqlite, html) own it.  The
 * strings and arrays in opts are copied or used only while opening.  The
 * formats' rows are static.
 *
 * Threads: a sink is called by one thread at a time (the session's tracer
 * thread while a run goes on); scry_sink_finish() and scry_sink_free()
 * after the run, from the caller's.
 *
 * Errors: the first write error (ENOSPC, EPIPE, a SQLite error as -EIO) is
 * returned, once, from the sink's event() or flush(), so that the session
 * detaches; from then on nothing more is written, except that finish()
 * closes the document as well as it can.  finish() returns that same first
 * error (or one of its own), so the caller prints one message from
 * whichever it sees first.  Every output is whole when finish() has run,
 * however the run ended: the JSON document closed, CSV and JSON Lines cut
 * at whole rows, the database committed.
 */
#ifndef SCRY_PUBLIC_OUTPUT_H
#define SCRY_PUBLIC_OUTPUT_H

#include "scry/export.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scry/scry.h"
#include "scry/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* strace's -t, -tt, -ttt */
enum scry_text_ts { SCRY_TS_NONE, SCRY_TS_TIME, SCRY_TS_USEC, SCRY_TS_EPOCH };

/* The text format's layout: strace's options. */
struct scry_text_layout {
	const char *per_process; /* -ff: write FILE.TID per thread; NULL otherwise */
	int to_file;             /* -o was given: prefix "PID " instead of "[pid PID] " */
	int follow;              /* -f: with to_file, always prefix the pid */
	int align;               /* column of " = " (strace's -a, default 40) */
	enum scry_text_ts timestamps; /* -t, -tt, -ttt */
	int relative;            /* -r */
	int show_time;           /* -T */
	int interactive;         /* flush every batch (terminal or pipe) */
	/* Calls are shown when they return, entry and exit on one line: a
	 * status filter (-e status=, -z, -Z) withholds the entries, which it
	 * cannot judge (strace does the same). */
	int entries_at_exit;
	int syscall_numbers;     /* -n: "[ 257] " */
	int instruction_pointer; /* -i: "[00007f...] " */
	int pid_comm;            /* -Y: "PID<comm>" in the pid prefix */
	int quiet_exit;          /* -e quiet=exit (-qq): no "+++ exited with" */
	int append;              /* -A: -ff files are appended to */
	int stack_trace;         /* -k: the call's frames after its line */
	int source;              /* --source: "   [FILE:LINE in FUNCTION]" ends the line */
};

/* What the formats are opened with; each takes what it needs. */
struct scry_output_opts {
	int fd;                  /* where the format writes; not owned */
	const char *path;        /* the -o file; SCRY_FORMAT_OWN_FILE formats
				  * (sqlite, html) open it themselves (a
				  * regular file there is emptied, anything
				  * else refused) */
	char *const *argv;       /* the traced command (launch), or NULL */
	const pid_t *pids;       /* the attached pids (-p), npids of them */
	int npids;
	int summary;             /* 0: calls; 1 (-c): only the summary; 2 (-C): both */
	int string_limit;        /* -s, recorded in the metadata */
	char *const *scry_argv;  /* the program's own command line, for metadata; or NULL */
	/* Converting a recorded trace: /proc is not read, and start_ns (if
	 * not 0) is the recorded start.  scry_tracedb_output_opts()
	 * (scry/tracedb.h) sets them; leave 0 otherwise. */
	int replay;
	uint64_t start_ns;
	/* -k, --source: calls carry stacks (scry_call.stack); the formats
	 * with fixed columns (CSV) add theirs only then */
	int stacks;
	/* -e inject= rules given: CSV adds its injected column only then */
	int inject;
	struct scry_text_layout text;  /* the text format's layout */
	const char *backend;      /* "ptrace"/"bpf", recorded in the metadata; or NULL */
};
/* fd -1, 32 bytes of strings, everything else 0/NULL (as scry.h's
 * SCRY_CONFIG_INIT, designated: C, or C++20) */
#define SCRY_OUTPUT_OPTS_INIT { .fd = -1, .string_limit = 32 }

/* One output format (a static row of libscry's table). */
struct scry_format;

/* What the caller needs to know of a format (scry_format_flags()). */
enum scry_format_flag {
	/* strace's text: scry writes it to stderr unless -o, -ff makes a
	 * file per process, and a summary is a text table beside it */
	SCRY_FORMAT_TEXT = 1u << 0,
	/* opens scry_output_opts.path itself (needs a path): sqlite, html */
	SCRY_FORMAT_OWN_FILE = 1u << 1,
	/* with -c the file is the summary table alone; with -C the summary
	 * is shown as text: csv */
	SCRY_FORMAT_SUMMARY_TABLE = 1u << 2,
};

/* By name or alias ("jsonl", "ndjson"), case-insensitive; NULL if none. */
SCRY_API const struct scry_format *scry_format_find(const char *name);
/* By a file's extension (".jsonl"; ".trace.json" is JSON); text when none
 * matches (or path is NULL). */
SCRY_API const struct scry_format *scry_format_from_path(const char *path);
/* "jsonl" */
SCRY_API const char *scry_format_name(const struct scry_format *f);
/* enum scry_format_flag bits */
SCRY_API unsigned scry_format_flags(const struct scry_format *f);
/* "text, json, jsonl, csv, chrome, sqlite or html", for messages (cut at len). */
SCRY_API void scry_format_names(char *buf, size_t len);

/*
 * Makes the format's sink into *sink (zeroed first) and writes the
 * document's header.  On failure returns a negative errno and writes into
 * err (when errlen > 0) what was wrong, without the path ("No space left
 * on device", "it is a directory; ..."): the caller says which output it
 * was.  Finish the sink with scry_sink_finish() (its summary from
 * end->summary when opts.summary asked for one) and free it with
 * scry_sink_free().
 */
SCRY_API int scry_format_open(const struct scry_format *f, struct scry_sink *sink,
			      const struct scry_output_opts *opts, char *err, size_t errlen);

/* ---- the summary sink: strace -c's counters ---- */

/*
 * Feeds every finished call it is given into stats (latency: duration_ns,
 * or cpu_ns with cpu_time set), the counts the bpf backend made in the
 * kernel by call site too.  It counts every call: put it behind a filter
 * stage to count only what a filter shows.
 *
 *	struct scry_summary_sink ss;
 *	scry_summary_sink_init(&ss, 0);
 *	struct scry_sink sink;
 *	scry_summary_sink_as_sink(&ss, &sink);
 *	scry_session_add_sink(s, &sink);
 *	scry_session_run(s);
 *	... scry_stats_print_text(&ss.stats, stderr, &opts), or read ss.stats
 *	scry_sink_free(&sink);                  // or scry_summary_sink_release()
 *
 * The struct is the caller's memory; it owns stats and the site tables.
 * An error (-ENOMEM) is returned from the event that met it, which ends
 * the run, and kept in err.
 */
struct scry_summary_sink {
	struct scry_stats stats;
	int cpu_time;                       /* count cpu_ns, not duration_ns */
	int err;
	/* NULL unless asked (scry_summary_sink_by_site()): rows by
	 * (syscall, call site) and by function, from each call's stack;
	 * scry_sites_print_text() shows them */
	struct scry_sites *sites;
	struct scry_sites *functions;
};

/* Counts wall-clock durations; set cpu_time after init to count CPU time. */
SCRY_API void scry_summary_sink_init(struct scry_summary_sink *ss, int per_process);
SCRY_API void scry_summary_sink_release(struct scry_summary_sink *ss);
/* Also count by call site (with stacks: --source -c, -k -c) and/or by
 * function (--by-function).  0 or -ENOMEM. */
SCRY_API int scry_summary_sink_by_site(struct scry_summary_sink *ss, int sites, int functions);
/* Forgets every row (--interval), the call-site ones too. */
SCRY_API void scry_summary_sink_reset(struct scry_summary_sink *ss);
/* Its sink; the sink's free() is scry_summary_sink_release(). */
SCRY_API void scry_summary_sink_as_sink(struct scry_summary_sink *ss, struct scry_sink *sink);

/* ---- one call as strace's text (scry top's list of failing calls, issue 12) ---- */

/*
 * The call as the text format shows it, without the pid, time or stack
 * prefixes: "openat(AT_FDCWD, \"/nonexistent\", O_RDONLY) = -1 ENOENT (No
 * such file or directory)", a resumed restart_syscall as
 * "restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0",
 * and " (INJECTED)" after a result -e inject= made.  The arguments come
 * from the typed values (none with scry_config.no_decode: "getpid() =
 * 1234"); a call that has not returned (SCRY_EV_CALL_ENTER, or t_exit_ns
 * 0) ends in "= ?".  Written into buf (len bytes, NUL-terminated when
 * len > 0, cut to fit); returns the length of the whole text, as
 * snprintf() does (a result >= len means it was cut), or -ENOMEM (buf
 * then "").  Call it from a sink's event(): c's pointers are the event's.
 */
SCRY_API int scry_call_text(const struct scry_call *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
