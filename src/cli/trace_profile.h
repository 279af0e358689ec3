/*
 * scry --profile: the sampler beside a trace (scry/profile.h's trace
 * sampler), for the command's main.c: the options' meaning and the
 * messages.
 */
#ifndef SCRY_CLI_TRACE_PROFILE_H
#define SCRY_CLI_TRACE_PROFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "scry/scry.h"
#include "option_values.h"

struct trace_profile;

/* Before anything is traced: the sampler, with the -p processes in it, so
 * that a process that cannot be sampled is said before any attach; for a
 * command, whether perf events are permitted at all.  backend is the
 * session's ("ptrace" samples user mode only).  0 or an exit status (a
 * line said why); *out is NULL without --profile. */
int trace_profile_open(struct trace_profile **out, const struct options *o, const char *backend);

/* After the attach and launch: the command (child, or 0) joins and the
 * window opens.  0 or an exit status. */
int trace_profile_start(struct trace_profile *t, pid_t child);

/* The samples taken since the last call, to the sinks: 0 or a negative
 * errno (a sink's error). */
int trace_profile_poll(struct trace_profile *t, struct scry_sink *sinks);

/* The window closes: the last samples before last_ts go to sinks (NULL:
 * none go).  0 or a negative errno. */
int trace_profile_stop(struct trace_profile *t, struct scry_sink *sinks, uint64_t last_ts);

/* The counts every output's end carries. */
void trace_profile_end(struct trace_profile *t, unsigned profile_hz, struct scry_sink_end *end);

/* The text report at the end of the trace, into out (NULL: into a dup of
 * outfd), and the lines on losses.  0, or 1 when it could not be written. */
int trace_profile_report(struct trace_profile *t, const struct options *o, const char *backend, FILE *out,
			 int outfd, int status_now);

void trace_profile_free(struct trace_profile *t);

#endif
