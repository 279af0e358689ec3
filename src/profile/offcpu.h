/*
 * Off-CPU time from the scheduler (offcpu.bpf.c on tp_btf/sched_switch):
 * for every thread of the profiled processes, exact time on the CPU,
 * runnable-but-waiting, sleeping (S) and uninterruptible (D), split by
 * wait point: the syscall it waits in, the kernel stack (symbolized from
 * /proc/kallsyms) and the user stack (registers and the top 8 KiB of the
 * stack copied once per wait point, unwound with src/unwind like the
 * sampler's DWARF samples).
 *
 * Its own thread drains the ring buffer and unwinds while the run goes
 * on; offcpu_finish() reads the maps once at the end into a struct prof
 * (PROF_OFFCPU_* values) and a thread table (profile/states.h).
 *
 * The library never prints; functions return 0 or a negative errno and
 * fill why with one line when the kernel or our privileges are the cause.
 */
#ifndef SCRY_PROFILE_OFFCPU_H
#define SCRY_PROFILE_OFFCPU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "profile/states.h"

struct offcpu;

struct offcpu_stats {
	uint64_t captures;	/* user stacks captured (one per wait point) */
	uint64_t lost_keys;	/* waits not counted: the wait map was full */
	uint64_t lost_caps;	/* stacks not captured: the ring was full */
	uint64_t lost_tasks;	/* threads not tracked: the task map was full */
};

/* -ENOTSUP/-EPERM and why when bpf cannot be used here (built without it,
 * no BTF, no privileges). */
int offcpu_open(struct offcpu **out, int follow_forks, char *why, size_t len);
/* Profiles process pid (all its threads) from offcpu_start() on. */
int offcpu_add_pid(struct offcpu *oc, pid_t pid);
/* Attaches; from now on waits count. */
int offcpu_start(struct offcpu *oc, char *why, size_t len);
/* Detaches: waits after this do not count (the profile's window ends).
 * offcpu_finish() calls it when it was not called before. */
void offcpu_stop(struct offcpu *oc);
/* Detaches, reads the maps and adds to p (may be NULL) and ts (a thread
 * row per thread seen, plus those /proc shows that never ran). */
int offcpu_finish(struct offcpu *oc, struct prof *p, struct tstates *ts, struct offcpu_stats *st);
void offcpu_free(struct offcpu *oc);

#endif
