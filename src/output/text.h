/*
 * The text sink: strace's output format.
 *
 * Lines of different threads interleave as in strace: a call whose exit is
 * not the next event is closed with "<unfinished ...>" and completed later
 * with "<... NAME resumed>".
 */
#ifndef SCRY_OUTPUT_TEXT_H
#define SCRY_OUTPUT_TEXT_H

#include "scry/scry.h"
#include "core/strbuf.h"

struct scry_filter;

enum text_ts { TS_NONE, TS_TIME, TS_USEC, TS_EPOCH };

struct text_opts {
	int fd;                  /* where lines go (not owned), unless per_process */
	const char *per_process; /* -ff: write FILE.TID per thread; NULL otherwise */
	int to_file;             /* -o was given: prefix "PID " instead of "[pid PID] " */
	int follow;              /* -f: with to_file, always prefix the pid */
	int align;               /* column of " = " (strace's -a, default 40) */
	enum text_ts timestamps; /* -t, -tt, -ttt */
	int relative;            /* -r */
	int show_time;           /* -T */
	int interactive;         /* flush every batch (terminal or pipe) */
	const struct scry_filter *filter;   /* NULL: everything */
};

struct text_sink;

int text_sink_new(struct text_sink **out, const struct text_opts *opts);
/* Writes what is buffered and frees; returns the first write error or 0. */
int text_sink_free(struct text_sink *ts);
void text_sink_as_sink(struct text_sink *ts, struct scry_sink *sink);

#endif
