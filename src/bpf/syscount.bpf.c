// SPDX-License-Identifier: GPL-2.0
/*
 * syscount: count and time the system calls of the traced processes, in the
 * kernel, without stopping them (scry's bpf backend, statistics mode).
 *
 *   sys_enter           traced tgid and syscall?  remember (time, nr) in the
 *                       thread's task storage
 *   sys_exit            a remembered entry?  add the latency to the row of
 *                       (tgid or 0, nr) and to its histogram bucket
 *                       (with -e trace=SET, the same two programs hang on
 *                       the tracepoints of those syscalls only)
 *   sched_process_exec  a launched command is traced from its exec on
 *   sched_process_fork  with follow_forks, a child of a traced process is
 *                       traced before it runs: none of its calls is missed
 *   sched_process_exit  the last thread of a traced process is gone: forget it
 *
 * A traced thread pays two task-storage lookups, two clock reads and two
 * map updates per call (with sample_latency, once a (thread, syscall) is
 * hot, the clock reads and the histogram update only at one call in N);
 * untraced processes one hash lookup (sys_enter) and
 * two empty task-storage lookups.  Measured costs are in bench/README.md.  Entry points are thin; user space
 * (bpf_backend.c) does the rest.
 *
 * The rows are per-CPU and the programs of the syscall tracepoints run with
 * preemption disabled, so plain increments are exact.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "stats/hist.h"
#include "syscount.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool follow_forks = false;
const volatile bool per_process = false;
const volatile bool filter_nrs = false;	/* false: count every syscall */
/* execve and execveat on this architecture (set by user space) */
const volatile long exec_nr = -1;
const volatile long execat_nr = -1;

/*
 * Processes traced without being in traced_pids (scry serve): every one
 * (match_all), those whose name (the group leader's comm) is match_comm,
 * those in a cgroup of traced_cgroups; never scry itself (self_tgid, in
 * scry's pid namespace).  Checked at a thread's first call, which then has
 * task storage and stays counted until it exits.
 */
const volatile bool match_any = false;	/* any of the three below */
const volatile bool match_all = false;
const volatile bool match_cgroups = false;
const volatile char match_comm[16] = {};
const volatile __u32 self_tgid = 0;
/* Count errors by errno too (scry_errs). */
const volatile bool count_errnos = false;
/* Keep the name of each counted process as it exits (scry_comms): scry
 * serve's comm label of a process gone before its counts were read. */
const volatile bool keep_comms = false;
/* Time one call in N per hot (thread, syscall) (syscount.h); else all. */
const volatile bool sample_latency = false;

/* Updates that found a map full: reported by scry_bpf_lost(). */
__u64 lost = 0;
/* Processes that exec'd a 32-bit (ia32) program, counted no more (their
 * i386 numbers would be counted as the x86_64 calls of those numbers),
 * and the last of them (user space says so). */
__u64 ia32_execs = 0;
__u32 ia32_pid = 0;
/* The counting period (0 or 1); user space flips it (struct scry_bpf_key). */
__u32 epoch = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRY_BPF_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} traced_pids SEC(".maps");

static __always_inline void scry_pidns_lost(void)
{
	__sync_fetch_and_add(&lost, 1);
}

#define SCRY_PIDNS_MAX_PIDS SCRY_BPF_MAX_PIDS
#include "pidns.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCRY_BPF_MAX_NR);
	__type(key, __u32);
	__type(value, __u8);
} traced_nrs SEC(".maps");

/* cgroup v2 ids (bpf_get_current_cgroup_id()) whose processes count */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRY_BPF_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, __u8);
} traced_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SCRY_BPF_MAX_ERRS);
	__type(key, struct scry_bpf_ekey);
	__type(value, __u64);
} scry_errs SEC(".maps");


struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scry_bpf_start);
} scry_starts SEC(".maps");

/* Instead of scry_starts with sample_latency: the sampler's state too. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scry_bpf_sstart);
} scry_samp SEC(".maps");

/* The syscall's slot in scry_hslots + 1 (0: none yet); claimed by the
 * program at the syscall's first call, from hslots_used. */
const volatile __u32 hist_slots = 0;	/* slots per epoch (set before load) */
__u32 hslots_used = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCRY_BPF_MAX_NR);
	__type(key, __u32);
	__type(value, __u32);
} hslot_of SEC(".maps");

/* index epoch * hist_slots + slot (max_entries set before load) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * SCRY_BPF_HIST_SLOTS);
	__type(key, __u32);
	__type(value, struct scry_bpf_hist);
} scry_hslots SEC(".maps");

/* The rows of a whole-session count (not per process): index
 * epoch * SCRY_BPF_MAX_NR + nr. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * SCRY_BPF_MAX_NR);
	__type(key, __u32);
	__type(value, struct scry_bpf_val);
} scry_rows SEC(".maps");

/* The other rows: per process, or of a number past SCRY_BPF_MAX_NR. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SCRY_BPF_MAX_KEYS);
	__type(key, struct scry_bpf_key);
	__type(value, struct scry_bpf_val);
} scry_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SCRY_BPF_MAX_BUCKETS);
	__type(key, struct scry_bpf_hkey);
	__type(value, __u64);
} scry_hist SEC(".maps");

/*
 * The record of syscalls:sys_enter_NAME and syscalls:sys_exit_NAME, the
 * per-syscall tracepoints (their "format" files in tracefs).
 */
struct scry_sc_enter {
	__u64 common;
	int nr;
	int pad;
	__u64 args[6];
};

struct scry_sc_exit {
	__u64 common;
	int nr;
	int pad;
	long ret;
};

/* The current process's id as scry knows it (its pid namespace's). */
static __always_inline __u32 cur_tgid_for_user(void)
{
	__u32 tgid, tid;

	cur_ids(&tgid, &tid);
	return tgid;
}

/* The syscall number in the registers at sys_exit. */
static __always_inline long scry_regs_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return (long)regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return (long)regs->syscallno;
#else
	return -1;
#endif
}

/* Whether the current process counts although it is not in traced_pids. */
static __always_inline bool match_other(struct task_struct *task)
{
	if (!match_any)
		return false;
	if (cur_tgid_for_user() == self_tgid)
		return false;
	if (match_all)
		return true;
	if (match_comm[0]) {
		char comm[16] = {};
		bool same = true;

		BPF_CORE_READ_STR_INTO(&comm, task, group_leader, comm);
#pragma unroll
		for (int i = 0; i < 16; i++) {
			if (comm[i] != match_comm[i]) {
				same = false;
				break;
			}
			if (!comm[i])
				break;
		}
		if (same)
			return true;
	}
	if (match_cgroups) {
		__u64 id = bpf_get_current_cgroup_id();

		if (bpf_map_lookup_elem(&traced_cgroups, &id))
			return true;
	}
	return false;
}

/* The thread's entry record: in scry_samp when sampling (with the
 * sampler's slots), else in scry_starts.  flags: 0 or _F_CREATE. */
static __always_inline struct scry_bpf_start *start_of(struct task_struct *task, __u64 flags)
{
	if (sample_latency)
		return bpf_task_storage_get(&scry_samp, task, 0, flags);
	return bpf_task_storage_get(&scry_starts, task, 0, flags);
}

/*
 * Whether this call of (thread, id) is timed (syscount.h, "Adaptive
 * latency sampling"): one call per window of N, at the window's drawn
 * position.  Sets st->w and st->ts.
 */
static __always_inline void sample_enter(struct scry_bpf_sstart *ss, long id)
{
	struct scry_bpf_sslot *sl = &ss->slot[(__u32)id & (SCRY_BPF_SAMPLE_SLOTS - 1)];
	__u16 tag = (__u16)id + 1;
	__u32 n, pos;
	__u64 now;

	if (sl->nr != tag) {	/* a new syscall in this slot: rare again */
		sl->nr = tag;
		sl->seen = 0;
		sl->next = 0;
		sl->left = 0;
		sl->last = 0;
	}
	if (sl->seen < SCRY_BPF_SAMPLE_WARM)
		sl->seen++;
	if (!sl->left) {	/* a new window, its N decided before it */
		__u8 sh = sl->next;

		if (sh > SCRY_BPF_SAMPLE_SHIFT_MAX)
			sh = SCRY_BPF_SAMPLE_SHIFT_MAX;
		sl->shift = sh;
		sl->left = (__u8)(1u << sh);
		sl->pick = sh ? (__u8)(bpf_get_prandom_u32() & ((1u << sh) - 1)) : 0;
	}
	n = 1u << (sl->shift & 7);
	pos = n - sl->left;
	sl->left--;
	if (pos != sl->pick) {
		ss->st.w = 0;
		return;
	}
	now = bpf_ktime_get_ns();
	if (sl->last) {
		__u64 gap = now - sl->last;

		if (gap < SCRY_BPF_SAMPLE_HOT_NS && sl->seen >= SCRY_BPF_SAMPLE_WARM &&
		    sl->next < SCRY_BPF_SAMPLE_SHIFT_MAX)
			sl->next++;
		else if (gap > SCRY_BPF_SAMPLE_COLD_NS && sl->next)
			sl->next--;
	}
	sl->last = now;
	ss->st.w = (__u16)n;
	ss->st.ts = now;
}

/* task runs 32-bit (ia32) code: the i386 entry saved __USER32_CS */
static __always_inline bool task_ia32(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	return regs && BPF_CORE_READ(regs, cs) == 0x23;
#else
	return false;
#endif
}

static __always_inline int on_enter(long id, bool check_nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct scry_bpf_start *s;

	if (check_nr && filter_nrs) {
		__u32 nr = (__u32)id;
		__u8 *on = bpf_map_lookup_elem(&traced_nrs, &nr);

		if (!on || !*on)
			return 0;
	}
	/*
	 * A traced thread has task storage from its first counted call on:
	 * then one cheap lookup is all (the hash of processes costs more
	 * than the rest of the program).
	 */
	s = start_of(task, 0);
	if (!s) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		__u8 *state = cur_state(tgid);

		/*
		 * A launched child is in the map before its exec, while it
		 * still runs scry's code (a read on the release pipe): only
		 * from the exec on is it the user's program.
		 */
		if (!state) {
			if (!match_other(task))
				return 0;
		} else if (*state == SCRY_BPF_UNTIL_EXEC) {
			if (id != exec_nr && id != execat_nr)
				return 0;
			*state = SCRY_BPF_TRACED;
		}
		/* a 32-bit thread's calls are never counted (i386 numbers):
		 * it gets no storage, so this is checked at each of its calls */
		if (task_ia32(task))
			return 0;
		s = start_of(task, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!s) {
			__sync_fetch_and_add(&lost, 1);
			return 0;
		}
	}
	s->nr = (__u32)id;
	s->on = 1;
	if (sample_latency) {
		sample_enter((struct scry_bpf_sstart *)s, id);
		return 0;
	}
	s->w = 1;
	s->ts = bpf_ktime_get_ns();
	return 0;
}

/* The counters of the row of key: a slot of scry_rows, else scry_stats. */
static __always_inline struct scry_bpf_val *row_of(struct scry_bpf_key *key)
{
	struct scry_bpf_val *v;

	if (!per_process && key->nr < SCRY_BPF_MAX_NR) {
		/* a per-CPU array: the verifier inlines this lookup */
		__u32 idx = key->epoch * SCRY_BPF_MAX_NR + key->nr;

		return bpf_map_lookup_elem(&scry_rows, &idx);
	}
	v = bpf_map_lookup_elem(&scry_stats, key);
	if (!v) {
		struct scry_bpf_val zero = {};

		bpf_map_update_elem(&scry_stats, key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&scry_stats, key);
	}
	return v;
}

/*
 * Adds w to bucket idx in the row's histogram slot, claiming one at the
 * syscall's first call while there are some left.  0: no slot, use the
 * hash.
 */
static __always_inline int bump_slot(const struct scry_bpf_key *key, __u32 idx, __u64 w)
{
	struct scry_bpf_hist *h;
	__u32 nr = key->nr, *slot, at;

	if (per_process || !hist_slots || nr >= SCRY_BPF_MAX_NR)
		return 0;
	slot = bpf_map_lookup_elem(&hslot_of, &nr);
	if (!slot)
		return 0;
	if (!*slot) {
		__u32 n;

		/* all taken: no atomic on a shared line at every call (and
		 * no counter that could wrap round to a taken slot) */
		if (*(volatile __u32 *)&hslots_used >= hist_slots)
			return 0;
		n = __sync_fetch_and_add(&hslots_used, 1);
		if (n >= hist_slots)
			return 0;
		/* another CPU may have claimed one for this call meanwhile:
		 * then slot n stays unused */
		__sync_val_compare_and_swap(slot, 0, n + 1);
	}
	at = *slot;
	if (!at || at > hist_slots)
		return 0;
	at = key->epoch * hist_slots + at - 1;
	h = bpf_map_lookup_elem(&scry_hslots, &at);
	if (!h || idx >= SCRY_HIST_BUCKETS)
		return 0;
	h->b[idx] += w;
	return 1;
}

static __always_inline void count_errno(const struct scry_bpf_key *key, __u32 err)
{
	struct scry_bpf_ekey ek = { .key = *key, .err = err, .pad = 0 };
	__u64 *n, one = 1;

	n = bpf_map_lookup_elem(&scry_errs, &ek);
	if (n) {
		(*n)++;
		return;
	}
	if (!bpf_map_update_elem(&scry_errs, &ek, &one, BPF_NOEXIST))
		return;
	n = bpf_map_lookup_elem(&scry_errs, &ek);
	if (n)
		(*n)++;
	else
		__sync_fetch_and_add(&lost, 1);
}

static __always_inline int on_exit(long ret)
{
	struct scry_bpf_start *s;
	struct scry_bpf_key key;
	struct scry_bpf_hkey hkey;
	struct scry_bpf_val *v;
	__u64 ns = 0, *n, w;
	__u32 idx;

	/* no task storage: not a traced thread (the common, cheap case) */
	s = start_of(bpf_get_current_task_btf(), 0);
	if (!s || !s->on)
		return 0;
	s->on = 0;
	w = s->w;
	if (w)
		ns = bpf_ktime_get_ns() - s->ts;

	key.tgid = per_process ? cur_tgid_for_user() : 0;
	key.nr = s->nr;
	key.epoch = *(volatile __u32 *)&epoch & 1;
	key.pad = 0;

	/* every call counts, timed or not */
	v = row_of(&key);
	if (!v) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	v->count++;
	if (ret < 0 && ret >= -4095) {
		v->errors++;
		if (count_errnos)
			count_errno(&key, (__u32)-ret);
	}
	if (!w)
		return 0;
	/* a timed call stands for w calls (w = 1 unless sampled) */
	if (!v->timed || ns < v->min_ns)
		v->min_ns = ns;
	if (ns > v->max_ns)
		v->max_ns = ns;
	v->timed++;
	v->total_ns += ns * w;
	if (w > 1)
		v->wsq += w * w;

	idx = scry_hist_bucket(ns);
	if (idx >= SCRY_HIST_BUCKETS)	/* cannot happen; tells the verifier */
		idx = SCRY_HIST_BUCKETS - 1;
	if (bump_slot(&key, idx, w))
		return 0;
	hkey.key = key;
	hkey.bucket = idx;
	hkey.pad = 0;
	n = bpf_map_lookup_elem(&scry_hist, &hkey);
	if (!n) {
		if (!bpf_map_update_elem(&scry_hist, &hkey, &w, BPF_NOEXIST))
			return 0;
		/* -EEXIST (another CPU made it) or the map is full */
		n = bpf_map_lookup_elem(&scry_hist, &hkey);
		if (!n) {
			__sync_fetch_and_add(&lost, 1);
			return 0;
		}
	}
	*n += w;
	return 0;
}

/* Every system call of every process: the raw tracepoints. */
SEC("tp_btf/sys_enter")
int BPF_PROG(scry_sys_enter, struct pt_regs *regs, long id)
{
	return on_enter(id, true);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(scry_sys_exit, struct pt_regs *regs, long ret)
{
	/*
	 * With a filter, a call of no interest ends here, before the task
	 * storage lookup.  The number is in the registers, except after
	 * rt_sigreturn, which restores them (-1): that one goes on.
	 */
	long nr = scry_regs_nr(regs);

	if (filter_nrs && nr >= 0) {
		__u32 k = (__u32)nr;
		__u8 *on = bpf_map_lookup_elem(&traced_nrs, &k);

		if (!on || !*on)
			return 0;
	}
	return on_exit(ret);
}

/*
 * Only the calls of -e trace=SET: user space attaches these to the
 * syscalls:sys_{enter,exit}_NAME tracepoint of each, so that the calls of
 * no interest run no program at all (bpf_attach_syscalls()).
 */
SEC("tracepoint")
int scry_nr_enter(struct scry_sc_enter *ctx)
{
	return on_enter(ctx->nr, false);
}

SEC("tracepoint")
int scry_nr_exit(struct scry_sc_exit *ctx)
{
	return on_exit(ctx->ret);
}

/* The launched command's exec, when execve itself is not counted. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(scry_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u8 *state = cur_state(tgid);	/* p is the current task */

	if (state && *state == SCRY_BPF_UNTIL_EXEC)
		*state = SCRY_BPF_TRACED;
	/* a 32-bit program (its image starts in the 32-bit code segment):
	 * its calls are counted no more (on_enter()), nor its children's */
	if (task_ia32(p) && (state || match_other(p))) {
		bpf_task_storage_delete(&scry_starts, p);
		bpf_task_storage_delete(&scry_samp, p);
		if (state)
			bpf_map_delete_elem(&traced_pids, &tgid);
		__sync_fetch_and_add(&ia32_execs, 1);
		ia32_pid = tgid;
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(scry_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid, ctgid;
	__u8 one = SCRY_BPF_TRACED;

	if (!follow_forks)
		return 0;
	ptgid = BPF_CORE_READ(parent, tgid);
	ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid)	/* a thread: its tgid is already traced */
		return 0;
	if (!cur_state(ptgid))	/* the parent is the current task */
		return 0;
	if (bpf_map_update_elem(&traced_pids, &ctgid, &one, BPF_ANY))
		__sync_fetch_and_add(&lost, 1);
	return 0;
}

/* keep_comms: tgid as the counted rows have it -> the name it exited with
 * (after its exec, unlike the name at its first call); the oldest go. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SCRY_BPF_MAX_COMMS);
	__type(key, __u32);
	__type(value, char[16]);
} scry_comms SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(scry_exit, struct task_struct *task)
{
	__u32 tgid;

	/* signal->live drops to 0 before this tracepoint when the last
	 * thread of the group exits (do_exit: group_dead) */
	if (BPF_CORE_READ(task, signal, live.counter))
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	bpf_map_delete_elem(&traced_pids, &tgid);
	/* a counted thread (it has task storage): keep its process's name
	 * (the exiting task is the current one) */
	if (keep_comms && bpf_task_storage_get(&scry_starts, task, 0, 0)) {
		char comm[16] = {};
		__u32 key = cur_tgid_for_user();

		BPF_CORE_READ_STR_INTO(&comm, task, group_leader, comm);
		bpf_map_update_elem(&scry_comms, &key, &comm, BPF_ANY);
	}
	return 0;
}
