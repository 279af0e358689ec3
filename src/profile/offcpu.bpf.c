// SPDX-License-Identifier: GPL-2.0
/*
 * offcpu: where the threads of the profiled processes wait, and for how
 * long, from the scheduler's sched_switch tracepoint (scry profile
 * --off-cpu; user side: offcpu.c).
 *
 *   sched_switch, prev traced   note when it left the CPU and where: its
 *                               state (runnable when preempted, S, D),
 *                               the syscall it is in (pt_regs orig_ax),
 *                               its kernel stack id and its user pc and
 *                               sp; add its time on the CPU.  The first
 *                               time a (thread, state, syscall, kernel
 *                               stack, user pc, user sp) key is seen, its
 *                               user registers and the top 8 KiB of its
 *                               user stack go to the ring buffer, once,
 *                               for user space to unwind with DWARF CFI
 *                               (-O2 code has no frame pointers).
 *   sched_switch, next traced   add the time since it left to its key
 *   sched_process_fork          a new thread of a traced process (and with
 *                               follow_forks, a new process) is tracked;
 *                               it waits runnable until it first runs
 *
 * Times are exact (blocked ns summed in the kernel), stacks are captured
 * once per key: a wait point hit a million times costs one copy.  Every
 * full map or ring is counted in lost[], never ignored.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "offcpu_bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool follow_forks = false;
/* bpf_ktime_get_ns() when the profile began (set before attaching) */
volatile __u64 start_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct offcpu_task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct offcpu_key);
	__type(value, struct offcpu_val);
} waits SEC(".maps");

/* keys whose stack was captured */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct offcpu_key);
	__type(value, __u8);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} kstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} caps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OFFCPU_NLOST);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &slot);
	if (n)
		(*n)++;
}

static __always_inline bool traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&pids, &tgid) != NULL;
}

static __always_inline __u32 state_of(bool preempt, unsigned int st)
{
	if (preempt || st == 0)
		return OFFCPU_RUNNABLE;
	if (st & 0x0002)	/* TASK_UNINTERRUPTIBLE (also KILLABLE, IDLE) */
		return OFFCPU_DISK;
	if (st & 0x0001)	/* TASK_INTERRUPTIBLE */
		return OFFCPU_SLEEPING;
	return OFFCPU_OTHER;
}

static __always_inline void user_regs(struct pt_regs *r, struct offcpu_cap *c)
{
#if defined(__TARGET_ARCH_x86)
	/* DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
	c->regs[0] = r->ax;
	c->regs[1] = r->dx;
	c->regs[2] = r->cx;
	c->regs[3] = r->bx;
	c->regs[4] = r->si;
	c->regs[5] = r->di;
	c->regs[6] = r->bp;
	c->regs[7] = r->sp;
	c->regs[8] = r->r8;
	c->regs[9] = r->r9;
	c->regs[10] = r->r10;
	c->regs[11] = r->r11;
	c->regs[12] = r->r12;
	c->regs[13] = r->r13;
	c->regs[14] = r->r14;
	c->regs[15] = r->r15;
	c->regs[16] = r->ip;
	c->have = (1ull << 17) - 1;
#else
	c->have = 0;	/* other architectures: no user stack (kernel stack and syscall only) */
#endif
}

/* The top of the user stack, as much as is mapped: the largest of 8, 4, 2,
 * 1 KiB, 512, 256 bytes that reads whole. */
static __always_inline unsigned int copy_stack(struct offcpu_cap *c, __u64 sp)
{
	if (!bpf_probe_read_user(c->stack, 8192, (void *)sp))
		return 8192;
	if (!bpf_probe_read_user(c->stack, 4096, (void *)sp))
		return 4096;
	if (!bpf_probe_read_user(c->stack, 2048, (void *)sp))
		return 2048;
	if (!bpf_probe_read_user(c->stack, 1024, (void *)sp))
		return 1024;
	if (!bpf_probe_read_user(c->stack, 512, (void *)sp))
		return 512;
	if (!bpf_probe_read_user(c->stack, 256, (void *)sp))
		return 256;
	return 0;
}

static __always_inline void capture(struct offcpu_key *k, struct pt_regs *regs)
{
	if (bpf_map_lookup_elem(&seen, k))
		return;
	struct offcpu_cap *c = bpf_ringbuf_reserve(&caps, sizeof(*c), 0);
	if (!c) {
		count_lost(OFFCPU_LOST_CAPS);
		return;		/* not marked seen: tried again next time */
	}
	c->key = *k;
	c->pad = 0;
	user_regs(regs, c);
	c->stack_len = c->have ? copy_stack(c, k->usp) : 0;
	bpf_ringbuf_submit(c, 0);
	__u8 one = 1;
	bpf_map_update_elem(&seen, k, &one, BPF_ANY);
}

static __always_inline void add_wait(struct offcpu_key *k, __u64 ns)
{
	struct offcpu_val *v = bpf_map_lookup_elem(&waits, k);
	if (v) {
		__sync_fetch_and_add(&v->ns, ns);
		__sync_fetch_and_add(&v->count, 1);
		return;
	}
	struct offcpu_val nv = { .ns = ns, .count = 1 };
	if (bpf_map_update_elem(&waits, k, &nv, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&waits, k);	/* another CPU made it */
		if (!v) {
			count_lost(OFFCPU_LOST_KEYS);
			return;
		}
		__sync_fetch_and_add(&v->ns, ns);
		__sync_fetch_and_add(&v->count, 1);
	}
}

static __always_inline struct offcpu_task *task_of(__u32 tid)
{
	struct offcpu_task *t = bpf_map_lookup_elem(&tasks, &tid);
	if (t)
		return t;
	struct offcpu_task nt = {};
	if (bpf_map_update_elem(&tasks, &tid, &nt, BPF_NOEXIST) &&
	    !(t = bpf_map_lookup_elem(&tasks, &tid))) {
		count_lost(OFFCPU_LOST_TASKS);
		return NULL;
	}
	return bpf_map_lookup_elem(&tasks, &tid);
}

static __always_inline __u64 since(__u64 ts, __u64 now)
{
	__u64 from = ts > start_ns ? ts : start_ns;
	return now > from ? now - from : 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(scry_offcpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 ptgid = prev->tgid, ntgid = next->tgid;

	if (traced(ptgid) && !(prev->flags & 0x00200000 /* PF_KTHREAD */)) {
		__u32 tid = prev->pid;
		struct offcpu_task *t = task_of(tid);
		if (t) {
			struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
			struct offcpu_key k = {};
			k.tid = tid;
			k.tgid = ptgid;
			k.state = state_of(preempt, prev_state);
#if defined(__TARGET_ARCH_x86)
			k.nr = (long long)regs->orig_ax;
#else
			k.nr = -1;
#endif
			if (k.nr < 0)
				k.nr = -1;
			if (k.state == OFFCPU_RUNNABLE && k.nr < 0) {
				/* preempted in user code: where it runs is the
				 * CPU profile's business; one key per thread */
				k.kstack = -1;
			} else {
				k.kstack = bpf_get_stackid(ctx, &kstacks, 0);
#if defined(__TARGET_ARCH_x86)
				k.uip = regs->ip;
				k.usp = regs->sp;
#endif
				capture(&k, regs);
			}
			t->on_ns += since(t->ts_in, now);
			t->switches++;
			t->ts_out = now;
			t->key = k;
			bpf_get_current_comm(t->comm, sizeof(t->comm));
		}
	}

	if (traced(ntgid)) {
		__u32 tid = next->pid;
		struct offcpu_task *t = bpf_map_lookup_elem(&tasks, &tid);
		if (t && t->ts_out) {
			add_wait(&t->key, since(t->ts_out, now));
		} else if (!t) {
			/* off the CPU since before the profile began: the state
			 * it was in is not known here (user space asked /proc
			 * at the start); the syscall is */
			struct offcpu_key k = {};
			k.tid = tid;
			k.tgid = ntgid;
			k.state = OFFCPU_UNKNOWN;
			k.kstack = -1;
#if defined(__TARGET_ARCH_x86)
			struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(next);
			k.nr = (long long)regs->orig_ax;
#else
			k.nr = -1;
#endif
			if (k.nr < 0)
				k.nr = -1;
			add_wait(&k, since(0, now));
			t = task_of(tid);
		}
		if (t) {
			t->ts_out = 0;
			t->ts_in = now;
		}
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(scry_offcpu_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	if (!traced(ptgid) && !traced(ctgid))
		return 0;
	if (ctgid != ptgid) {
		if (!follow_forks)
			return 0;
		__u8 one = 1;
		if (bpf_map_update_elem(&pids, &ctgid, &one, BPF_ANY))
			return 0;
	}
	/* a new thread or process waits runnable until it first runs */
	__u32 tid = child->pid;
	struct offcpu_task *t = task_of(tid);
	if (t) {
		struct offcpu_key k = {};
		k.tid = tid;
		k.tgid = ctgid;
		k.state = OFFCPU_RUNNABLE;
		k.kstack = -1;
		k.nr = -1;
		t->key = k;
		t->ts_out = bpf_ktime_get_ns();
		t->ts_in = t->ts_out;
	}
	return 0;
}
