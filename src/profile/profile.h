/*
 * The profile model: what `scry profile` collected, deduplicated, in the
 * style of value.h (flat arrays, ids instead of pointers, strings owned by
 * the profile).  Filled by the sampler (CPU samples) and by the off-CPU /
 * states collectors (time blocked), read by every profile output (text,
 * folded, speedscope, pprof, ...).
 *
 *   frame  (object, file offset) or, for a kernel or unknown frame, the
 *          address; with its function name, object path and build-id, so a
 *          recording can be symbolized again later.  Ids 0..nframes-1.
 *   stack  frame ids, LEAF FIRST (innermost first, as scry_stack), plus
 *          flags (PROF_STACK_*).  Ids 0..nstacks-1.  Kernel frames come
 *          before the user frames of the same stack.
 *   thread (pid, tid, comm).  Ids 0..nthreads-1.
 *   entry  (thread, stack) -> one value per metric (prof_metric), summed.
 *
 * Memory is bounded by the distinct frames, stacks and threads seen, never
 * by the number of samples.  Nothing here prints; functions return 0 or a
 * negative errno; ids are uint32_t, PROF_NONE when something failed.
 *
 * Thread safety: none; one writer, readers after it is done.
 */
#ifndef SCRY_PROFILE_H
#define SCRY_PROFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "scry/stack.h"

#define PROF_NONE UINT32_MAX

/* What an entry's values count.  Outputs show PROF_CPU (samples); the
 * off-CPU collector adds nanoseconds blocked, split by the state the thread
 * was in when it left the CPU. */
enum prof_metric {
	PROF_CPU = 0,             /* on-CPU samples (count) */
	PROF_OFFCPU_SLEEP_NS,     /* S: interruptible sleep */
	PROF_OFFCPU_DISK_NS,      /* D: uninterruptible */
	PROF_OFFCPU_RUNQ_NS,      /* R: preempted, runnable but waiting */
	PROF_OFFCPU_OTHER_NS,     /* T, t, ... */
	PROF_NMETRICS
};

/* prof_frame.flags: SCRY_FRAME_* and these */
#define PROF_FRAME_KERNEL (1u << 16)

struct prof_frame {
	const char *function;     /* demangled name, or NULL */
	const char *object;       /* path, "[kernel.kallsyms]", or NULL */
	const char *build_id;     /* lowercase hex, or NULL when unknown */
	uint64_t offset;          /* file offset in object; the address when
	                             object is NULL or a kernel frame */
	uint64_t addr;            /* the first address it was seen at */
	uint64_t fstart_offset;   /* offset - the function's start (0: none) */
	uint32_t flags;
};

/* prof_stack.flags */
#define PROF_STACK_COMPLETE  (1u << 0)   /* the user stack reached a root frame */
#define PROF_STACK_TRUNCATED (1u << 1)   /* the unwinder stopped early */
#define PROF_STACK_NOUSER    (1u << 2)   /* no user stack (kernel thread, or
					    none could be taken) */

struct prof_stack {
	uint32_t n;
	const uint32_t *frames;   /* leaf first */
	uint32_t flags;
};

struct prof_thread {
	pid_t pid, tid;
	const char *comm;         /* the last name seen */
	uint64_t total[PROF_NMETRICS];
};

struct prof_entry {
	uint32_t thread, stack;
	uint64_t v[PROF_NMETRICS];
};

/* Run-wide counts every output reports (Rule 7: nothing lost silently). */
struct prof_stats {
	uint64_t samples;         /* samples kept (of the targets) */
	uint64_t lost;            /* samples the kernel dropped (PERF_RECORD_LOST*) */
	uint64_t throttled;       /* PERF_RECORD_THROTTLE records */
	uint64_t other;           /* samples of processes not followed (no -f) */
	uint64_t user_stacks;     /* samples with a user stack attempted */
	uint64_t complete;        /* ... that reached a root frame */
	uint64_t unwind_errors;   /* ... where the unwinder failed at once */
	unsigned freq;            /* Hz used */
	unsigned freq_asked;      /* Hz asked for (> freq: clamped) */
	unsigned stack_size;      /* bytes of stack copied (dwarf) */
	int call_graph;           /* 0 dwarf, 1 fp */
	int kernel;               /* kernel stacks were sampled */
	uint64_t duration_ns;     /* how long sampling ran */
	uint64_t start_ns;        /* CLOCK_REALTIME when it began */
};

struct prof;

int prof_new(struct prof **out);
void prof_free(struct prof *p);

/* A string owned by the profile (interned): same text, same pointer. */
const char *prof_intern(struct prof *p, const char *s);

/* The id of a frame: user frames are keyed by (object, object_offset),
 * unknown and kernel ones by address.  The frame's strings are copied. */
uint32_t prof_frame_id(struct prof *p, const struct scry_frame *f, uint32_t extra_flags);
/* The id of a stack of n frame ids, leaf first. */
uint32_t prof_stack_id(struct prof *p, const uint32_t *frames, uint32_t n, uint32_t flags);
/* The id of thread (pid, tid); comm may be NULL (then "?" until known). */
uint32_t prof_thread_id(struct prof *p, pid_t pid, pid_t tid, const char *comm);
void prof_thread_set_comm(struct prof *p, pid_t pid, pid_t tid, const char *comm);
/* The id of thread (pid, tid) if known, else PROF_NONE. */
uint32_t prof_thread_find(const struct prof *p, pid_t pid, pid_t tid);
/* Adds value to metric m of (thread, stack). */
int prof_add(struct prof *p, uint32_t thread, uint32_t stack, enum prof_metric m, uint64_t value);
/* Takes value back from metric m of (thread, stack) (what prof_add added,
 * e.g. a sample found to be outside a window); never below 0.  -ENOENT
 * when there is no such entry. */
int prof_remove(struct prof *p, uint32_t thread, uint32_t stack, enum prof_metric m, uint64_t value);

uint32_t prof_nframes(const struct prof *p);
const struct prof_frame *prof_frame(const struct prof *p, uint32_t id);
uint32_t prof_nstacks(const struct prof *p);
const struct prof_stack *prof_stack(const struct prof *p, uint32_t id);
uint32_t prof_nthreads(const struct prof *p);
const struct prof_thread *prof_thread(const struct prof *p, uint32_t id);
size_t prof_nentries(const struct prof *p);
const struct prof_entry *prof_entry(const struct prof *p, size_t i);
struct prof_stats *prof_stats(struct prof *p);
const struct prof_stats *prof_stats_const(const struct prof *p);

/* A frame's display name into buf: "function" or "object+0xoff" or
 * "0xaddr"; kernel frames end in "_[k]" (as perf's folded output). */
const char *prof_frame_name(const struct prof *p, uint32_t id, char *buf, size_t len);

/* ---- outputs (src/profile/prof_out.c); 0 or -errno (write failed) ---- */

enum prof_format {
	PROF_FMT_TEXT,
	PROF_FMT_FOLDED,
	PROF_FMT_SPEEDSCOPE,
	PROF_FMT_PPROF,           /* pprof.h */
	PROF_FMT_SQLITE,          /* prof_sqlite.h */
	PROF_FMT_CHROME,          /* prof_chrome.h */
};

struct prof_out_opts {
	enum prof_metric metric;  /* what to show (PROF_CPU) */
	unsigned top;             /* functions listed in the text report (0: 15) */
	const char *title;        /* the command or "pid N" */
};

int prof_write_text(const struct prof *p, FILE *f, const struct prof_out_opts *o);
int prof_write_folded(const struct prof *p, FILE *f, const struct prof_out_opts *o);
int prof_write_speedscope(const struct prof *p, FILE *f, const struct prof_out_opts *o);

#endif
