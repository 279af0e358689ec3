/*
 * CPU samples beside a trace (scry --profile): the profiler (profiler.h)
 * samples the traced processes for the trace's window, and each sample
 * becomes one SCRY_EV_SAMPLE event handed to the trace's sinks, so that
 * every output that knows samples (JSON, JSON Lines, Chrome trace,
 * SQLite) gets them on the calls' timeline, and those that do not ignore
 * them.  The profile is kept too, for the text report at the end.
 *
 *	trace_samples_new -> trace_samples_add (each traced process, also a
 *	launched one) -> trace_samples_start -> trace_samples_poll (often,
 *	e.g. from the session's tick) -> trace_samples_stop -> the profile
 *
 * Clocks: the sampler stamps samples with CLOCK_MONOTONIC; the trace's
 * events carry CLOCK_REALTIME.  The difference between the two, read at
 * the start, moves every sample onto the trace's clock.
 *
 * The ptrace backend: a ptrace stop is kernel work that the tracer causes
 * (the tracee enters the kernel at each call and waits, off the CPU, for
 * scry).  So with ptrace only user-mode CPU is sampled (kernel = 0): none
 * of that work can be charged to the program's own functions, and the
 * calls themselves are on the timeline already.
 *
 * Never prints: notes (clamped rate, throttling) go to the note callback.
 */
#ifndef SCRY_PROFILE_TRACE_SAMPLES_H
#define SCRY_PROFILE_TRACE_SAMPLES_H

#include <sys/types.h>

#include "scry/scry.h"
#include "profile/profile.h"

struct trace_samples_config {
	unsigned freq;            /* Hz */
	int follow;               /* -f: children too */
	int kernel;               /* kernel stacks: -1 where permitted, 0 never */
};

struct trace_samples;

int trace_samples_new(struct trace_samples **out, const struct trace_samples_config *cfg,
		      void (*note)(void *ctx, const char *line), void *note_ctx);
void trace_samples_free(struct trace_samples *t);
/* Samples process pid (every thread; later ones too).  As profiler_attach:
 * -ESRCH, -EACCES/-EPERM (perf_event_paranoid, another user), -EMFILE. */
int trace_samples_add(struct trace_samples *t, pid_t pid);
/* The same for a launched command still held before its exec (bpf's
 * launch gate): see profiler_attach_held(). */
int trace_samples_add_held(struct trace_samples *t, pid_t pid);
/* Whether this process may sample its own children (a command it is
 * about to launch): 0, or what trace_samples_add() would return. */
int trace_samples_probe(void);
/* The window opens. */
int trace_samples_start(struct trace_samples *t);
/* Hands the samples unwound since the last call to sink as SCRY_EV_SAMPLE
 * events, in the order they were taken per CPU ring.  The unwinding is
 * done by a thread of t's own (from trace_samples_start() to
 * trace_samples_stop()), never by the caller, whose thread only copies
 * events to the sink.  Returns 0, the sink's first error, or the
 * sampler's (negative errno). */
int trace_samples_poll(struct trace_samples *t, const struct scry_sink *sink);
/* The window closes: the sampler thread ends, and what is left goes to
 * sink (may be NULL: dropped but counted in the profile), but for samples
 * taken after end_ns (CLOCK_REALTIME; 0: none), when the trace had let go
 * already (the last event, e.g. the detach): they are counted in
 * trace_samples_after() and taken out of the profile, so that the text
 * report and the statistics are of the trace's window too.  0 or the
 * first error. */
int trace_samples_stop(struct trace_samples *t, const struct scry_sink *sink, uint64_t end_ns);
/* Samples left out for being after the trace's end. */
uint64_t trace_samples_after(const struct trace_samples *t);
/* Every sample so far (owned by t): the text report, the statistics. */
const struct prof *trace_samples_profile(struct trace_samples *t);
/* Samples handed to the sinks. */
uint64_t trace_samples_delivered(const struct trace_samples *t);

#endif
