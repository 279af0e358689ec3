/*
 * The sampling profiler: what `scry profile` and `scry --profile` do.  A
 * profiler samples the stacks of every thread of some processes (or of a
 * command it launches) with perf events, without ever stopping them,
 * unwinds them (DWARF CFI or frame pointers), and counts them into a
 * profile: (thread, stack) -> CPU samples, plus, with the off-CPU
 * collector, nanoseconds blocked.  The profile is then read (entries,
 * stacks, frames) or written as a text report, folded stacks, speedscope,
 * pprof, a Chrome trace or a SQLite database.
 *
 * Usage:
 *
 *	struct scry_profiler_config cfg = SCRY_PROFILER_CONFIG_INIT;
 *	cfg.freq = 999;
 *	struct scry_profiler *pr;
 *	struct scry_profile_error why;
 *	scry_profiler_new(&pr, &cfg, &why);
 *	scry_profiler_launch(pr, argv, &child);    // or _attach(pr, pid, &why)
 *	scry_profiler_start(pr, &why);             // the window opens
 *	while (!done && scry_profiler_alive(pr))
 *		scry_profiler_poll(pr, 100);       // samples are counted here
 *	scry_profiler_stop(pr);                    // the window closes
 *	const struct scry_profile *p = scry_profiler_profile(pr);
 *	struct scry_profile_write_opts wo = SCRY_PROFILE_WRITE_OPTS_INIT;
 *	scry_profile_write(p, SCRY_PROFILE_TEXT, stdout, &wo);
 *	waitpid(child, &status, 0);                // a launched command is yours
 *	scry_profiler_free(pr);                    // p goes with it
 *
 * Errors: functions return 0 or a negative errno.  Those that can fail for
 * a reason the user must act on (permissions, the kernel, a bad counter
 * name) fill a struct scry_profile_error: the errno, which part failed and
 * one line of reason.  Nothing here prints, exits or aborts; notes (a
 * frequency clamped to the kernel's maximum, no kernel stacks, the off-CPU
 * collector falling back to /proc) go to the note callback, one line each,
 * once; the writers write only to the FILE * or path they are given.
 *
 * Ownership and lifetimes: a profiler owns its profile
 * (scry_profiler_profile()); it lives until scry_profiler_free().  A
 * profile read from a database (scry_profile_read_sqlite()) is the
 * caller's: scry_profile_free().  Strings a profile hands out (function,
 * object, comm) are owned by it and live as long as it.  Strings in a
 * config are copied by scry_profiler_new().
 *
 * Threads: one thread at a time calls a profiler's functions; the note
 * callback runs on that thread, inside those calls.  A profile may be
 * read from several threads at once (nothing writes it) once
 * scry_profiler_stop() has returned.
 *
 * What a profiler takes from the process and the system:
 *  - perf events: one file descriptor per (thread x CPU) of the targets,
 *    plus a ring buffer per CPU (mmap_pages pages, locked memory counted
 *    against RLIMIT_MEMLOCK or kernel.perf_event_mlock_kb).  A program
 *    that profiles many threads raises its RLIMIT_NOFILE first (-EMFILE
 *    otherwise); the library does not change limits.
 *  - with off-CPU bpf (SCRY_PROFILE_OFFCPU_BPF or _AUTO where bpf works):
 *    bpf programs on sched_switch and the process fork/exit tracepoints,
 *    their maps and a ring buffer, and one thread of the library's that
 *    drains it, from scry_profiler_start() to scry_profiler_stop().
 *  - with off-CPU by /proc (_PROC, or _AUTO without bpf): one thread of the
 *    library's that reads /proc/PID/task at proc_hz over the same window.
 *  - counters: one counting perf event per (thread x counter).
 *  - a launched command is a child of the process, held before its exec
 *    until scry_profiler_start(); SIGPIPE, SIGINT, SIGTERM and SIGHUP are
 *    set back to their defaults in it.  The caller reaps it (waitpid() by
 *    its pid) and may signal it; scry_profiler_free() before the start
 *    kills it and reaps it.
 *  - no signal handler, no timer, no wait for any child but the gate of a
 *    launched command; no global state: profilers are independent.
 *  - the targets are never stopped (no ptrace).
 *
 * Permissions: sampling another process needs kernel.perf_event_paranoid
 * <= 2 for one's own processes (user stacks only above 1), or root /
 * CAP_PERFMON; scry_profile_perf_paranoid() reads the setting.
 */
#ifndef SCRY_PUBLIC_PROFILE_H
#define SCRY_PUBLIC_PROFILE_H

#include "scry/export.h"
#include "scry/scry.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scry_profiler;	/* one sampling run (opaque) */
struct scry_profile;	/* what was collected (opaque) */

enum scry_profile_callgraph {
	SCRY_PROFILE_DWARF = 0,	/* copies of the user stack, unwound with DWARF
				   CFI: works without frame pointers */
	SCRY_PROFILE_FP = 1,	/* the kernel walks frame pointers: cheaper, but
				   code built without them loses frames */
};

enum scry_profile_offcpu {
	SCRY_PROFILE_OFFCPU_AUTO = 0,	/* bpf where it works, else /proc (a note says so) */
	SCRY_PROFILE_OFFCPU_BPF,	/* sched_switch: exact; an error where bpf cannot run */
	SCRY_PROFILE_OFFCPU_PROC,	/* /proc sampling at proc_hz */
	SCRY_PROFILE_OFFCPU_NO,		/* CPU samples only */
};

/* What an entry's values count. */
enum scry_profile_metric {
	SCRY_PROFILE_CPU = 0,		/* on-CPU samples (a count) */
	SCRY_PROFILE_OFFCPU_SLEEP_NS,	/* blocked in S (interruptible sleep) */
	SCRY_PROFILE_OFFCPU_DISK_NS,	/* blocked in D (uninterruptible) */
	SCRY_PROFILE_OFFCPU_RUNQ_NS,	/* preempted: runnable, waiting for a CPU */
	SCRY_PROFILE_OFFCPU_OTHER_NS,	/* stopped, traced, ... */
	SCRY_PROFILE_NMETRICS
};

enum scry_profile_format {
	SCRY_PROFILE_TEXT = 0,	/* the report: hottest functions, per thread, then
				   the thread view and counters when collected */
	SCRY_PROFILE_FOLDED,	/* one line per stack, flamegraph.pl's input */
	SCRY_PROFILE_SPEEDSCOPE,/* speedscope's JSON file format */
	SCRY_PROFILE_PPROF,	/* gzipped profile.proto (go tool pprof) */
	SCRY_PROFILE_SQLITE,	/* a database: scry_profile_write_sqlite() only */
	SCRY_PROFILE_CHROME,	/* the samples on a timeline (Chrome trace JSON);
				   needs cfg.timeline */
};

/* Which part of a profiler an error came from. */
enum scry_profile_part {
	SCRY_PROFILE_PART_SAMPLER = 0,	/* the perf events (attach, launch, start) */
	SCRY_PROFILE_PART_OFFCPU_BPF,	/* the off-CPU collector's bpf programs */
	SCRY_PROFILE_PART_OFFCPU_PROC,	/* the /proc sampler */
	SCRY_PROFILE_PART_COUNTERS,	/* cfg.counters */
};

/* Why a call failed, for a message the user can act on. */
struct scry_profile_error {
	int err;			/* positive errno */
	enum scry_profile_part part;
	char reason[256];		/* "" or one line, e.g. "no BTF in this kernel" */
};

struct scry_profiler_config {
	unsigned freq;			/* samples per second per thread on CPU;
					   above the kernel's maximum: clamped, with a note */
	enum scry_profile_callgraph call_graph;
	unsigned stack_size;		/* DWARF: user stack bytes copied per sample
					   (a multiple of 8, 64..65000) */
	int kernel;			/* kernel stacks: -1 where permitted, 0 never,
					   1 required */
	unsigned mmap_pages;		/* ring buffer pages per CPU, a power of 2 that
					   holds two samples; 0: 1024, fewer where the
					   mlock limit says so */
	int follow;			/* children forked after the start too */
	unsigned max_frames;		/* per stack, user + kernel (0: 127) */
	enum scry_profile_offcpu offcpu;
	unsigned proc_hz;		/* /proc sampling rate (0: 97) */
	const char *counters;		/* NULL: none; "" the default set; else a
					   comma-separated list of perf counter names
					   (task-clock, context-switches, cycles, ...) */
	uint64_t interval_ns;		/* with counters: a line per process and
					   counter every interval_ns to interval_out */
	FILE *interval_out;		/* not owned; NULL: no interval lines */
	int timeline;			/* keep every sample's time (for
					   SCRY_PROFILE_CHROME; 16 bytes a sample,
					   up to 4M samples) */
	void (*note)(void *ctx, const char *line);	/* NULL: notes dropped */
	void *note_ctx;
};
/* 99 Hz, DWARF with 8 KiB stack copies, kernel stacks where permitted, no
 * off-CPU collector, no counters. */
#define SCRY_PROFILER_CONFIG_INIT { .freq = 99, .stack_size = 8192, .kernel = -1, \
				    .offcpu = SCRY_PROFILE_OFFCPU_NO }

/*
 * Checks a config without opening anything: the counter names (-EINVAL,
 * part COUNTERS, the unknown name and the known ones in the reason), the
 * numbers (-EINVAL).  scry_profiler_new() checks the same.
 */
SCRY_API int scry_profiler_check(const struct scry_profiler_config *cfg, struct scry_profile_error *why);

/* A profiler with nothing sampled yet.  0, -EINVAL (as _check()), -ENOMEM. */
SCRY_API int scry_profiler_new(struct scry_profiler **out, const struct scry_profiler_config *cfg,
			       struct scry_profile_error *why);

/*
 * Stops everything still running, closes every event, frees the profile.
 * A launched command that was never released (no scry_profiler_start())
 * is killed and reaped; one that runs is left to the caller.  NULL: nothing.
 */
SCRY_API void scry_profiler_free(struct scry_profiler *pr);

/*
 * Samples process pid: every thread, and threads born later.  -ESRCH (no
 * such process), -EACCES/-EPERM (another user's process, or
 * perf_event_paranoid), -EMFILE (out of descriptors), -ENOENT (no perf
 * events in this kernel), -EBUSY (after the start, or after a launch).
 */
SCRY_API int scry_profiler_attach(struct scry_profiler *pr, pid_t pid, struct scry_profile_error *why);

/*
 * Starts argv[0] (found on PATH) held before its exec; its samples start
 * at the exec, once scry_profiler_start() releases it.  *child: its pid.
 * -ENOENT/-EACCES when it cannot be run (nothing is started then), or what
 * _attach() returns.  One command per profiler, and not with attached
 * processes (-EBUSY): a command's events start at its exec, attached
 * processes' at the start.  Its signals: SIGPIPE at its default (unless it
 * was ignored when libscry was loaded); the others as the program had them
 * when libscry was loaded (ignored ones ignored, as under nohup or in a
 * shell's background job), handlers reset by exec.
 */
SCRY_API int scry_profiler_launch(struct scry_profiler *pr, char *const argv[], pid_t *child,
				  struct scry_profile_error *why);

/*
 * Loads the collectors beside the sampler (off-CPU, counters) for the
 * targets so far, so that the slow part is done before the window opens.
 * scry_profiler_start() calls it when it was not called.  0, or a negative
 * errno with why: off-CPU bpf asked for and not possible (part
 * OFFCPU_BPF), a counter that cannot be opened (COUNTERS).  With
 * SCRY_PROFILE_OFFCPU_AUTO a bpf failure is a note, and /proc is sampled.
 */
SCRY_API int scry_profiler_prepare(struct scry_profiler *pr, struct scry_profile_error *why);

/* The window opens: the sampler, the collectors and a launched command
 * start.  0 or a negative errno with why. */
SCRY_API int scry_profiler_start(struct scry_profiler *pr, struct scry_profile_error *why);

/*
 * Waits up to timeout_ms for samples and counts every one that arrived
 * (unwound and symbolized here, on the caller's thread); writes the
 * counters' interval lines when due.  0 or a negative errno (the sampler
 * failed; the run should end).  Call it often: a ring buffer that fills
 * loses samples (counted in the stats, never silent).
 */
SCRY_API int scry_profiler_poll(struct scry_profiler *pr, int timeout_ms);

/* 1 while some target still runs (not gone, not a zombie), else 0. */
SCRY_API int scry_profiler_alive(struct scry_profiler *pr);

/*
 * The window closes: off-CPU first, then the samples; what is left in
 * the buffers is counted, the collectors' stacks and thread states are
 * added, the stats filled.  A second call does nothing.  0, or -ENOMEM
 * when the off-CPU part could not all be kept (the profile is still
 * valid).  The targets are not touched.
 */
SCRY_API int scry_profiler_stop(struct scry_profiler *pr);

/* The profile (owned by pr, valid until scry_profiler_free()); complete
 * after scry_profiler_stop().  NULL before the first attach or launch. */
SCRY_API const struct scry_profile *scry_profiler_profile(struct scry_profiler *pr);

/*
 * Reading a profile.  Frames, stacks and threads are deduplicated and
 * numbered from 0; an entry is one (thread, stack) with its values.
 */

/* Run-wide counts (every output reports them: nothing lost silently). */
struct scry_profile_stats {
	uint64_t samples;	/* CPU samples kept */
	uint64_t lost;		/* samples the kernel dropped (ring buffer full) */
	uint64_t throttled;	/* times the kernel throttled the events */
	uint64_t other;		/* samples of processes not followed (no follow) */
	uint64_t user_stacks;	/* samples with a user stack attempted */
	uint64_t complete;	/* ... that reached a root frame */
	uint64_t unwind_errors;	/* ... where the unwinder failed at once */
	unsigned freq;		/* Hz used */
	unsigned freq_asked;	/* Hz asked for (> freq: clamped) */
	unsigned stack_size;	/* bytes of stack copied (DWARF), 0 with fp */
	enum scry_profile_callgraph call_graph;
	int kernel;		/* kernel stacks were sampled */
	uint64_t duration_ns;	/* how long sampling ran */
	uint64_t start_ns;	/* CLOCK_REALTIME when it began */
};
SCRY_API void scry_profile_stats(const struct scry_profile *p, struct scry_profile_stats *out);

struct scry_profile_entry {
	pid_t pid, tid;
	const char *comm;	/* the thread's last name seen (owned by the profile) */
	uint32_t thread;	/* thread id in the profile */
	uint32_t stack;		/* stack id: scry_profile_stack() */
	uint64_t v[SCRY_PROFILE_NMETRICS];	/* by enum scry_profile_metric */
};
SCRY_API size_t scry_profile_nentries(const struct scry_profile *p);
/* Entry i < scry_profile_nentries() into *out: 0, or -ERANGE. */
SCRY_API int scry_profile_entry(const struct scry_profile *p, size_t i, struct scry_profile_entry *out);

/* scry_profile_stack()'s flags */
#define SCRY_PROFILE_STACK_COMPLETE  (1u << 0)	/* the user stack reached a root frame */
#define SCRY_PROFILE_STACK_TRUNCATED (1u << 1)	/* the unwinder stopped early */
#define SCRY_PROFILE_STACK_NOUSER    (1u << 2)	/* no user stack */

/*
 * Stack id: its number of frames, with *frames pointing at their ids,
 * LEAF FIRST (kernel frames before the user frames of the same stack),
 * owned by the profile; *flags (may be NULL) SCRY_PROFILE_STACK_*.
 * -ERANGE for an id out of range.
 */
SCRY_API long scry_profile_stack(const struct scry_profile *p, uint32_t id, const uint32_t **frames,
				 uint32_t *flags);

struct scry_profile_frame {
	const char *function;	/* demangled name, or NULL */
	const char *object;	/* path, "[kernel.kallsyms]", a module, or NULL */
	const char *build_id;	/* lowercase hex, or NULL when unknown */
	uint64_t offset;	/* file offset in object; the address for a kernel
				   frame or one without an object */
	uint64_t addr;		/* the first address it was seen at */
	uint32_t flags;		/* SCRY_FRAME_* of scry/stack.h (KERNEL, RUNTIME, ...) */
};
/* Frame id into *out (strings owned by the profile): 0, or -ERANGE. */
SCRY_API int scry_profile_frame(const struct scry_profile *p, uint32_t id, struct scry_profile_frame *out);

/* A frame's name as the outputs show it, into buf: "function",
 * "object+0xoff" or "0xaddr"; a kernel frame's ends in "_[k]".  buf. */
SCRY_API const char *scry_profile_frame_name(const struct scry_profile *p, uint32_t id, char *buf,
					     size_t len);

/*
 * Writing a profile.  Each writer returns 0, or -EIO (a write failed:
 * ferror() or errno), -ENOMEM.
 */
struct scry_profile_write_opts {
	enum scry_profile_metric metric;	/* what folded, speedscope show */
	unsigned top;				/* functions in the text report (0: 15) */
	const char *title;			/* the command, "pid N", or NULL */
};
#define SCRY_PROFILE_WRITE_OPTS_INIT { SCRY_PROFILE_CPU, 0, NULL }

/* Any format but SQLITE (-EINVAL) to f (not closed; flush it yourself). */
SCRY_API int scry_profile_write(const struct scry_profile *p, enum scry_profile_format fmt, FILE *f,
				const struct scry_profile_write_opts *o);

/* The counter table (the text report's last part: what the other formats
 * cannot hold).  Nothing when no counters were collected. */
SCRY_API int scry_profile_write_counters(const struct scry_profile *p, FILE *f);

/*
 * A new database at path (docs/FORMATS.md has the schema), which must not
 * exist (-EEXIST): write a temporary name and rename it over.  0 or a
 * negative errno, with SQLite's message in why.
 */
SCRY_API int scry_profile_write_sqlite(const struct scry_profile *p, const char *title, const char *path,
				       char *why, size_t len);

/* What the database at path holds: 1 a profile (scry profile --format
 * sqlite), 2 a trace with a profile (scry --profile), 0 neither, or a
 * negative errno when it cannot be opened. */
SCRY_API int scry_profile_db_kind(const char *path);

/*
 * Reads the profile of a database (either kind) into *out, the caller's:
 * scry_profile_free().  Its title (the command or "pid N") is copied into
 * title (may be NULL).  0 or a negative errno with SQLite's message in why.
 */
SCRY_API int scry_profile_read_sqlite(struct scry_profile **out, const char *path, char *title,
				      size_t tlen, char *why, size_t len);

/* Frees a profile from scry_profile_read_sqlite() (one that belongs to a
 * profiler or trace sampler is left alone).  NULL: nothing. */
SCRY_API void scry_profile_free(struct scry_profile *p);

/* kernel.perf_event_paranoid (-1..4), for a message; 2 when unreadable. */
SCRY_API int scry_profile_perf_paranoid(void);

/*
 * CPU samples beside a trace (scry --profile): the processes a session
 * traces are sampled over its window, and each sample becomes one
 * SCRY_EV_SAMPLE event handed to sinks, on the trace's clock
 * (CLOCK_REALTIME), with its stack (scry_event.u.sample).  The profile is
 * kept too, for a report at the end.
 *
 *	scry_trace_sampler_new -> _add (each attached pid; a launched command
 *	once the session launched it) -> _start -> _poll (often: from the
 *	session's tick() on its thread, or from the caller's between runs)
 *	-> _stop -> scry_trace_sampler_profile()
 *
 * With the ptrace backend give kernel = 0: a ptrace stop is kernel work
 * the tracer causes, which must not be charged to the program.  What it
 * takes from the process is what a profiler's sampler takes (perf events,
 * their locked ring buffers) and one thread of the library's, from
 * _start to _stop, which reads the rings and unwinds the samples (the
 * caller's thread only hands finished events to the sink in _poll, so a
 * traced program's stops never wait on unwinding); it blocks every
 * signal.  No signal handler, no timer, no wait.  One thread at a time
 * calls the functions; the note callback runs inside them or on the
 * library's thread.
 */
struct scry_trace_sampler;

struct scry_trace_sampler_config {
	unsigned freq;			/* Hz */
	int follow;			/* children too */
	int kernel;			/* kernel stacks: -1 where permitted, 0 never */
	void (*note)(void *ctx, const char *line);	/* NULL: notes dropped */
	void *note_ctx;
};

/* 0, -EINVAL, -ENOMEM. */
SCRY_API int scry_trace_sampler_new(struct scry_trace_sampler **out, const struct scry_trace_sampler_config *cfg);
SCRY_API void scry_trace_sampler_free(struct scry_trace_sampler *t);
/* As scry_profiler_attach(): -ESRCH, -EACCES/-EPERM, -EMFILE, -ENOENT. */
SCRY_API int scry_trace_sampler_add(struct scry_trace_sampler *t, pid_t pid);
/* The same for a launched command still held before its exec (the bpf
 * backend's launch gate): its modules now are the launcher's, so none are
 * read until its first samples, after the exec. */
SCRY_API int scry_trace_sampler_add_held(struct scry_trace_sampler *t, pid_t pid);
/* Whether this process may sample a command it is about to launch: 0, or
 * what scry_trace_sampler_add() would return.  Opens nothing that stays. */
SCRY_API int scry_trace_sampler_probe(void);
/* The window opens. */
SCRY_API int scry_trace_sampler_start(struct scry_trace_sampler *t);
/* The samples taken since the last call, to sink (event() only) as
 * SCRY_EV_SAMPLE events: 0, the sink's first error, or the sampler's. */
SCRY_API int scry_trace_sampler_poll(struct scry_trace_sampler *t, const struct scry_sink *sink);
/* The window closes; what is left goes to sink (NULL: counted in the
 * profile only), but for samples after end_ns (CLOCK_REALTIME; 0: no
 * bound): the trace had ended.  0 or the first error. */
SCRY_API int scry_trace_sampler_stop(struct scry_trace_sampler *t, const struct scry_sink *sink,
				     uint64_t end_ns);
/* Samples handed to sinks so far. */
SCRY_API uint64_t scry_trace_sampler_delivered(const struct scry_trace_sampler *t);
/* Every sample so far, owned by t (valid until scry_trace_sampler_free()). */
SCRY_API const struct scry_profile *scry_trace_sampler_profile(struct scry_trace_sampler *t);

#ifdef __cplusplus
}
#endif
#endif
