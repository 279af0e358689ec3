/*
 * Shared between syscount.bpf.c (the kernel side) and bpf_backend.c (user
 * space): map sizes, keys and values of the statistics maps.  The latency
 * histogram uses the bucket layout of src/stats/hist.h, so user space merges
 * the kernel's buckets into struct scry_hist one for one.
 *
 * Measured since (bench/README.md): a hash lookup per call costs ~50 ns, a
 * per-CPU array lookup nothing (the verifier inlines it).  So the first
 * syscalls a whole-session count sees (not per process) each claim a slot
 * of scry_hslots, a per-CPU array of whole histograms, as many as
 * SCRY_BPF_HIST_BUDGET allows for the CPUs (at most SCRY_BPF_HIST_SLOTS);
 * the others, and per-process rows, keep the hash below.
 *
 * Layout decision (measured, see bpf_backend.c): the histogram is NOT part of
 * the per-key value.  A value with all SCRY_HIST_BUCKETS counters is 18.5 KiB
 * per CPU per key, which fits a per-CPU hash (limit 32 KiB) but costs
 * 18.5 KiB x CPUs for every (process, syscall) seen, and preallocating
 * SCRY_BPF_MAX_KEYS of them is out of the question.  Instead scry_hist is a
 * per-CPU hash keyed by (key, bucket): a syscall's latencies fill a few dozen
 * buckets, so memory follows what is used, at the price of a second hash
 * update per call.
 */
#ifndef SCRY_BPF_SYSCOUNT_H
#define SCRY_BPF_SYSCOUNT_H

#ifndef __bpf__
#include <linux/types.h>
#endif
#include "stats/hist.h"

#define SCRY_BPF_MAX_NR		1024	/* traced_nrs entries: syscall numbers */
#define SCRY_BPF_MAX_PIDS	16384	/* traced processes (tgids) */
#define SCRY_BPF_MAX_KEYS	16384	/* (process, syscall) rows */
#define SCRY_BPF_MAX_BUCKETS	65536	/* non-empty (row, bucket) pairs */
#define SCRY_BPF_HIST_SLOTS	64	/* at most this many whole histograms
					 * per epoch in a per-CPU array */
#define SCRY_BPF_HIST_BUDGET	(32u << 20)	/* bytes for them, all CPUs */
#define SCRY_BPF_MAX_ERRS	8192	/* (row, errno) pairs (count_errnos) */
#define SCRY_BPF_MAX_CGROUPS	1024	/* matched cgroup ids (match_cgroups) */
#define SCRY_BPF_MAX_COMMS	8192	/* names of exited processes (keep_comms) */

/* Values of traced_pids. */
#define SCRY_BPF_TRACED		1	/* every call counts */
#define SCRY_BPF_UNTIL_EXEC	2	/* launched, not exec'd yet: only the
					 * exec counts (as ptrace -c) */

/*
 * A row: tgid is 0 unless the statistics are per process.  epoch is the
 * counting period the call ended in: user space flips the program's epoch,
 * waits for the programs in flight, then reads and deletes the old epoch's
 * rows, so that an --interval loses no call (see scry_bpf_read_reset()).
 */
struct scry_bpf_key {
	__u32 tgid;
	__u32 nr;
	__u32 epoch;
	__u32 pad;
};

/* One CPU's share of a row; user space sums them. */
struct scry_bpf_val {
	__u64 count;		/* every call: exact */
	__u64 errors;		/* every call: exact */
	__u64 total_ns;		/* sum of w * latency over the timed calls */
	__u64 min_ns;		/* of the timed calls; meaningful when timed > 0 */
	__u64 max_ns;
	__u64 timed;		/* calls timed (== count unless sampled) */
	__u64 wsq;		/* sum of w * w over the timed calls with w > 1 */
};

/*
 * Adaptive latency sampling (sample_latency; scry -c without
 * --exact-latency).  Every call is counted; per (thread, syscall) the calls
 * are cut into windows of N consecutive calls, and one call of each window,
 * at a position drawn at random when the window starts, is timed and
 * weighs w = N: it adds w to its histogram bucket and w * latency to the
 * total.  N is 1 for the first SCRY_BPF_SAMPLE_WARM calls of a (thread,
 * syscall) and while it is rare; it doubles (at most to SCRY_BPF_SAMPLE_MAX)
 * when the time between two timed entries was under SCRY_BPF_SAMPLE_HOT_NS,
 * and halves when it was over SCRY_BPF_SAMPLE_COLD_NS: a window of N calls
 * then lasts between the two (32-128 µs), so timing costs about one clock
 * pair (~0.1 µs) per (thread, syscall) per 32 µs or more, whatever the
 * rate, unless the rate is above 64 calls per 32 µs.  N is decided
 * before its window starts, never by the window's own calls, so each
 * window's timed call is a fair draw from it (docs/FORMATS.md derives the
 * error bound printed in the summary).
 */
#define SCRY_BPF_SAMPLE_SHIFT_MAX	6
#define SCRY_BPF_SAMPLE_MAX	(1u << SCRY_BPF_SAMPLE_SHIFT_MAX)	/* 64 */
#define SCRY_BPF_SAMPLE_WARM	256	/* calls always timed first */
#define SCRY_BPF_SAMPLE_HOT_NS	32000
#define SCRY_BPF_SAMPLE_COLD_NS	128000
#define SCRY_BPF_SAMPLE_SLOTS	64	/* per thread, by nr % 64 (tagged) */

struct scry_bpf_hkey {
	struct scry_bpf_key key;
	__u32 bucket;		/* scry_hist_bucket(latency) */
	__u32 pad;
};

/* A row's errors by errno (scry serve: count_errnos). */
struct scry_bpf_ekey {
	struct scry_bpf_key key;
	__u32 err;		/* positive errno */
	__u32 pad;
};

/* Per thread, from sys_enter to sys_exit (task storage). */
/* One slot of scry_hslots: a whole histogram, one CPU's share. */
struct scry_bpf_hist {
	__u64 b[SCRY_HIST_BUCKETS];
};

/* One (thread, syscall) of the sampler: slot nr % SCRY_BPF_SAMPLE_SLOTS. */
struct scry_bpf_sslot {
	__u64 last;		/* entry time of its last timed call (0: none) */
	__u16 nr;		/* syscall number + 1 (0: empty slot) */
	__u16 seen;		/* calls so far, saturating at SCRY_BPF_SAMPLE_WARM */
	__u8 shift;		/* log2 N of the current window */
	__u8 next;		/* log2 N of the next window */
	__u8 left;		/* calls left in the current window */
	__u8 pick;		/* position of the timed call in it */
};

struct scry_bpf_start {
	__u64 ts;		/* bpf_ktime_get_ns() at entry of a timed call */
	__u32 nr;
	__u16 w;		/* the timed call's weight; 0: not timed */
	__u8 on;		/* in a counted call */
	__u8 pad;
};

/* The same with the sampler's slots (task storage scry_samp, used instead
 * of scry_starts with sample_latency: ~1 KiB per traced thread). */
struct scry_bpf_sstart {
	struct scry_bpf_start st;
	struct scry_bpf_sslot slot[SCRY_BPF_SAMPLE_SLOTS];
};

#endif /* SCRY_BPF_SYSCOUNT_H */
