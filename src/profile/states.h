/*
 * Thread states: how each thread of the profiled processes spent the run
 * (running, runnable but waiting for a CPU, sleeping, uninterruptible),
 * where it waited (syscalls, kernel wait channel) and, for the thread
 * view, its hottest functions.  Filled by the off-CPU collector (exact,
 * from sched_switch: offcpu.c) or, without bpf, by sampling
 * /proc/PID/task/TID/{stat,syscall,wchan} at a fixed rate (this file's
 * sampler), which also gives the wait points' user stacks (unwound from
 * the sp and pc /proc/TID/syscall shows, while the thread waits).
 *
 * The library never prints; functions return 0 or a negative errno.
 */
#ifndef SCRY_PROFILE_STATES_H
#define SCRY_PROFILE_STATES_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "profile/profile.h"

enum tstate_kind {
	TS_RUNNING = 0,		/* on a CPU */
	TS_RUNNABLE,		/* R but waiting for a CPU (preempted) */
	TS_SLEEPING,		/* S */
	TS_DISK,		/* D */
	TS_OTHER,		/* T, t, ... */
	TS_NKINDS
};

#define TS_NWAITS 8		/* syscalls kept per thread (the longest) */

struct tstate_wait {
	long nr;		/* syscall, -1: none (preempted, page fault, ...) */
	uint64_t ns;
	uint64_t count;		/* times it blocked there (bpf), or sweeps that saw it */
	char where[48];		/* the kernel function it waited in (wchan), or "" */
};

struct tstate {
	pid_t pid, tid;
	char comm[16];
	uint64_t ns[TS_NKINDS];
	uint64_t switches;	/* times it left the CPU (bpf), 0 when unknown */
	struct tstate_wait waits[TS_NWAITS];
	unsigned nwaits;
	int gone;		/* exited during the run */
};

struct tstates {
	struct tstate *t;
	size_t n, alloc;
	uint64_t duration_ns;
	const char *source;	/* "sched_switch" or "/proc sampling at N Hz" */
	char source_buf[48];
};

void tstates_init(struct tstates *ts);
void tstates_release(struct tstates *ts);
/* The row of thread tid, made on first use (NULL: no memory). */
struct tstate *tstates_get(struct tstates *ts, pid_t pid, pid_t tid);
/* Adds ns blocked in syscall nr (where: wchan or NULL) to t's waits. */
void tstate_add_wait(struct tstate *t, long nr, const char *where, uint64_t ns, uint64_t count);

/* Maps a /proc state letter to a kind ('R' -> TS_RUNNING: /proc cannot
 * tell running from runnable). */
enum tstate_kind tstate_kind_of(char st);

/*
 * The /proc sampler (the fallback without bpf): a thread of scry's that
 * sweeps every thread of the processes at hz, adding 1/hz to the state
 * each is in, and, for waits, the syscall, wchan and the user stack (once
 * per (thread, syscall, pc, sp) when stacks is set).  follow: children of
 * the processes too.
 */
struct states_sampler;
int states_sampler_start(struct states_sampler **out, const pid_t *pids, size_t npids, unsigned hz,
			 int follow, int stacks);
int states_sampler_add(struct states_sampler *s, pid_t pid);
/* Stops the sampler and moves its table into *ts and its waits, with their
 * stacks, into p as PROF_OFFCPU_* values (p may be NULL); frees s. */
int states_sampler_stop(struct states_sampler *s, struct tstates *ts, struct prof *p);

/* One sweep of /proc/PID/task now: the state of each thread, its syscall
 * and wchan (for offcpu.c: the threads that never ran during the run). */
struct tstate_snap {
	pid_t tid;
	char state;
	long nr;
	uint64_t sp, pc;
	char wchan[48];
	char comm[16];
};
/* Fills up to max snapshots of pid's threads; returns how many or -errno. */
int states_snapshot(pid_t pid, struct tstate_snap *out, size_t max);

/*
 * The thread view (text): per thread its name, % running / runnable /
 * sleeping / D, its hottest functions (from p's PROF_CPU samples, when p
 * is not NULL) and the syscalls it waits in.
 */
int tstates_write_text(const struct tstates *ts, const struct prof *p, FILE *f);

#endif
