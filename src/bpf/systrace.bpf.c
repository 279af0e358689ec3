// SPDX-License-Identifier: GPL-2.0
/*
 * systrace: every system call of the traced processes as one record in a
 * ring buffer, with its arguments, result, times and bounded copies of the
 * memory the decoders need (scry's bpf backend, trace mode).
 *
 *   sys_enter           traced tgid and syscall?  start the record in the
 *                       thread's task storage: nr, args, entry time, the
 *                       strings, the write-side buffer and sockaddr
 *   sys_exit            a started record?  add the result, the exit time,
 *                       the read-side buffer and sockaddr; send it
 *                       (with -e trace=SET, the same two hang on the
 *                       tracepoints of those syscalls only)
 *   sched_process_exec  EXEC record (filename)
 *   sched_process_fork  FORK record; with follow_forks the child is traced
 *                       before it runs
 *   signal_deliver      SIGNAL record: a signal a traced thread takes
 *   signal_generate     SIGNAL record: one sent to it that it ignores
 *                       (ptrace shows those too)
 *   sched_process_exit  a call under way is sent as unfinished (exit_group,
 *                       a thread killed in a call); EXIT record with
 *                       task->exit_code; the last thread: forget the tgid
 *
 * The record is built in place in the task storage value (header, then the
 * captures packed one after the other) and copied to the ring buffer with
 * bpf_ringbuf_output() at exit, so the ring holds only the bytes used.  A
 * full ring buffer is counted in the per-CPU lost map, never ignored.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "stats/hist.h"
#include "systrace.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool follow_forks = false;
const volatile bool filter_nrs = false;	/* false: trace every syscall */
const volatile long exec_nr = -1;
const volatile long execat_nr = -1;
const volatile __u32 buf_limit = 32;	/* -s: bytes of data buffers */
/* wake the reader only once this many bytes wait in the ring (<= 1: at
 * every record, the kernel's own policy: when the reader had caught up) */
const volatile __u64 wakeup_bytes = 0;
/* -k, --source: bytes of user stack copied at each call's entry, with the
 * registers (0: none; at most SCRY_TRACE_STACK_MAX) */
const volatile __u32 stack_bytes = 0;
/* with stack_bytes, --stack-mode fp: the frame-pointer callchain instead
 * of the stack copy (cap_fp()) */
const volatile bool stack_fp = false;
/* --source -c: count calls in the kernel by a key of this many bytes of
 * stack (a multiple of 8, at most SCRY_TRACE_SITE_MAX; 0: send every call) */
const volatile __u32 site_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* set by user space before load */
} events SEC(".maps");

/* [0] call records, [1] process records that found the ring full or no
 * memory for the thread's storage; [2] calls sent without the stack they
 * should carry (no memory for the thread's stack copy); [3] site_bytes:
 * calls counted by call site whose latency found the histogram full
 * (their counts and times are whole, their percentiles leave them out) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRY_TRACE_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} traced_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCRY_TRACE_MAX_NR);
	__type(key, __u32);
	__type(value, struct scry_trace_plan);
} plans SEC(".maps");


/* The record under construction: header and data must be contiguous. */
struct slot {
	struct scry_trace_call ev;
	__u8 data[SCRY_TRACE_DATA_CAP];
	struct scry_trace_plan plan;
	__u32 off;
	__u32 active;
	/* an ignored signal the thread sent itself during the call: shown
	 * after the call, where ptrace shows it */
	__s32 psig;
	__u32 pad;
	__u64 pts;
	__u8 pinfo[SCRY_TRACE_SIGINFO];
	/* site_bytes: the call's key; counted at exit (no record) when
	 * site_count is set */
	struct scry_trace_site_key skey;
	__u32 site_count;
	__u32 site_new;
	__u64 site_code;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

/*
 * A thread's registers and stack copy at its call's entry, kept apart from
 * the slot so that threads pay for it only with stack_bytes.  The bytes
 * have a page of slack after SCRY_TRACE_STACK_MAX for the verifier (a read
 * of up to a page at an offset below the maximum).
 */
struct stk {
	struct scry_trace_stack h;
	__u8 bytes[SCRY_TRACE_STACK_MAX + 4096];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct stk);
} stacks SEC(".maps");

/* site_bytes: which keys are counted here (SCRY_TRACE_SITE_*) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRY_TRACE_SITE_KEYS);
	__type(key, struct scry_trace_site_key);
	__type(value, __u32);
} site_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SCRY_TRACE_SITE_KEYS);
	__type(key, struct scry_trace_site_key);
	__type(value, struct scry_trace_site_val);
} site_vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SCRY_TRACE_SITE_BUCKETS);
	__type(key, struct scry_trace_site_hkey);
	__type(value, __u64);
} site_hist SEC(".maps");

static __always_inline void count_lost(__u32 idx)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &idx);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void scry_pidns_lost(void)
{
	count_lost(1);
}

#define SCRY_PIDNS_MAX_PIDS SCRY_TRACE_MAX_PIDS
#include "pidns.bpf.h"

/* the reader's position in the ring when it was last woken (+1; 0: never) */
__u64 woken_at = 0;

/* records sent by each CPU: the ring is looked at every 64th only */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} wake_tick SEC(".maps");

/*
 * Wakes the reader once per batch: when wakeup_bytes wait in the ring and
 * the reader has moved since it was last woken.  One that was woken and has
 * not run yet is not woken again for every record: each wakeup is an
 * interrupt (irq_work, a self-IPI: on a VM an exit to the host), and a
 * reader sharing the CPU with a storm lags behind for a whole time slice
 * (measured: ~0.25 s of 4 on a 2M-call storm).  Below the mark the reader
 * finds the records with its timed poll.
 */
static __always_inline __u64 wake_flags(void)
{
	__u32 zero = 0, *tick;
	__u64 cons;

	if (wakeup_bytes <= 1)
		return 0;
	/* (a query of the ring was ~1.5 % of a storm's time: 64 records
	 * are a few KiB, far below the mark) */
	tick = bpf_map_lookup_elem(&wake_tick, &zero);
	if (tick && ((*tick)++ & 63))
		return BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	cons = bpf_ringbuf_query(&events, BPF_RB_CONS_POS) + 1;
	if (cons == woken_at)
		return BPF_RB_NO_WAKEUP;
	woken_at = cons;
	return BPF_RB_FORCE_WAKEUP;
}

/*
 * Starts region r, the memory at uaddr, at the next free byte of the data
 * area.  1 when there is nothing to read: a NULL pointer, or the area
 * used up to `room` bytes before its end (flagged as a failed read).
 */
static __always_inline int region_begin(struct slot *s, struct scry_trace_region *r, __u64 uaddr,
					__u32 room)
{
	r->addr = uaddr;
	r->flags = SCRY_TRACE_RF_USED;
	r->off = s->off & SCRY_TRACE_OFF_MASK;
	r->len = 0;
	if (!uaddr)
		return 1;
	if (s->off + room > SCRY_TRACE_OFF_MASK + 1) {
		r->flags |= SCRY_TRACE_RF_FAULT;
		return 1;
	}
	return 0;
}

/* A NUL-terminated string into the next free bytes of the data area. */
static __always_inline void cap_str_max(struct slot *s, struct scry_trace_region *r, __u64 uaddr,
					__u32 max)
{
	__u32 off = s->off & SCRY_TRACE_OFF_MASK;
	long n;

	if (region_begin(s, r, uaddr, 1))
		return;
	if (max > SCRY_TRACE_STR_MAX || max < 2)
		max = SCRY_TRACE_STR_MAX;
	n = bpf_probe_read_user_str(&s->data[off], max, (const void *)uaddr);
	if (n <= 0) {
		r->flags |= SCRY_TRACE_RF_FAULT;
		return;
	}
	if (n >= max) {
		/* the helper ended it with a NUL of its own: drop that, so
		 * that a reader sees the string goes on */
		n = max - 1;
		r->flags |= SCRY_TRACE_RF_TRUNC;
	}
	r->len = n;
	s->off = off + n;
}

static __always_inline void cap_str(struct slot *s, struct scry_trace_region *r, __u64 uaddr)
{
	cap_str_max(s, r, uaddr, SCRY_TRACE_STR_MAX);
}

/* len bytes (bounded by max) into the next free bytes of the data area. */
static __always_inline void cap_mem(struct slot *s, struct scry_trace_region *r, __u64 uaddr,
				    __u64 len, __u32 max)
{
	__u32 off = s->off & SCRY_TRACE_OFF_MASK;
	__u32 n;

	if (region_begin(s, r, uaddr, 1))
		return;
	if (len > max)
		len = max;
	if (len > SCRY_TRACE_OFF_MASK + 1 - off)	/* nothing past the area */
		len = SCRY_TRACE_OFF_MASK + 1 - off;
	n = len;
	if (n > SCRY_TRACE_STR_MAX)	/* max is at most this; for the verifier */
		n = SCRY_TRACE_STR_MAX;
	if (!n)
		return;
	if (bpf_probe_read_user(&s->data[off], n, (const void *)uaddr)) {
		r->flags |= SCRY_TRACE_RF_FAULT;
		return;
	}
	r->len = n;
	s->off = off + n;
}

static __always_inline __u64 argn(const struct slot *s, __u8 idx1)
{
	switch (idx1) {
	case 1: return s->ev.args[0];
	case 2: return s->ev.args[1];
	case 3: return s->ev.args[2];
	case 4: return s->ev.args[3];
	case 5: return s->ev.args[4];
	case 6: return s->ev.args[5];
	}
	return 0;
}

/*
 * execve's argv: the pointers (up to SCRY_TRACE_ARGV_MAX, then the NULL),
 * then a table of regions, one per string, then the strings, each cut
 * past -s as the decoder shows them.
 */
static __always_inline void cap_argv(struct slot *s, __u64 argv)
{
	struct scry_trace_region *pr = &s->ev.reg[SCRY_TRACE_R_ARGV];
	struct scry_trace_region *tr = &s->ev.reg[SCRY_TRACE_R_VEC];
	__u32 base = s->off, n = 0, tbase;
	/* -s bytes and one more: the decoder then knows the string goes on */
	__u32 limit = buf_limit + 2;

	tr->addr = 0;
	tr->flags = SCRY_TRACE_RF_USED;
	tr->len = 0;
	/* room for the pointers and the table, at least */
	if (region_begin(s, pr, argv, SCRY_TRACE_ARGV_MAX * 24))
		return;
	for (int i = 0; i < SCRY_TRACE_ARGV_MAX; i++) {
		__u64 p = 0;

		if (bpf_probe_read_user(&p, sizeof(p), (const void *)(argv + 8 * i))) {
			if (!i)
				pr->flags |= SCRY_TRACE_RF_FAULT;
			break;
		}
		__builtin_memcpy(&s->data[(base + 8 * i) & SCRY_TRACE_OFF_MASK], &p, sizeof(p));
		n = i + 1;
		if (!p)
			break;
	}
	pr->len = 8 * n;
	tbase = base + 8 * n;
	tr->off = tbase & SCRY_TRACE_OFF_MASK;
	s->off = tbase + 16 * n;
	for (int i = 0; i < SCRY_TRACE_ARGV_MAX; i++) {
		struct scry_trace_region r = {};
		__u64 p = 0;

		if (i >= n)
			break;
		__builtin_memcpy(&p, &s->data[(base + 8 * i) & SCRY_TRACE_OFF_MASK], sizeof(p));
		if (!p)
			break;
		cap_str_max(s, &r, p, limit);
		__builtin_memcpy(&s->data[(tbase + 16 * i) & SCRY_TRACE_OFF_MASK], &r, sizeof(r));
		tr->len += sizeof(r);
	}
}

/* envp's entries + 1, or 0 when they cannot be read or are too many. */
static __always_inline __u32 count_env(__u64 envp)
{
	if (!envp)
		return 0;
	for (int i = 0; i < SCRY_TRACE_ENV_MAX / 8; i++) {
		__u64 p[8];

		if (bpf_probe_read_user(p, sizeof(p), (const void *)(envp + sizeof(p) * i)))
			return 0;
		for (int j = 0; j < 8; j++)
			if (!p[j])
				return 8 * i + j + 1;
	}
	return 0;
}

/* The sockaddr whose length is behind a socklen_t pointer (at exit). */
static __always_inline void cap_addr_ptrlen(struct slot *s)
{
	__u64 lenp = argn(s, s->plan.addrlen);
	__u32 alen = 0;

	cap_mem(s, &s->ev.reg[SCRY_TRACE_R_ADDRLEN], lenp, sizeof(alen), sizeof(alen));
	if (!s->ev.reg[SCRY_TRACE_R_ADDRLEN].len)
		return;
	if (bpf_probe_read_user(&alen, sizeof(alen), (const void *)lenp))
		return;
	cap_mem(s, &s->ev.reg[SCRY_TRACE_R_ADDR], argn(s, s->plan.addr), alen, SCRY_TRACE_ADDR_MAX);
}

/* The six arguments from the user registers (libbpf 1.1 has no
 * PT_REGS_PARM6_CORE_SYSCALL, and its CORE macros call a helper per read). */
static __always_inline void read_args(struct pt_regs *regs, __u64 *a)
{
#if defined(__TARGET_ARCH_x86)
	/* regs is a BTF pointer (tp_btf): direct loads, CO-RE relocated,
	 * no helper call each */
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
#elif defined(__TARGET_ARCH_arm64)
	a[0] = regs->orig_x0;
	a[1] = regs->regs[1];
	a[2] = regs->regs[2];
	a[3] = regs->regs[3];
	a[4] = regs->regs[4];
	a[5] = regs->regs[5];
#else
#error "systrace.bpf.c: add this architecture's syscall argument registers"
#endif
}

/* The user registers at entry, numbered as DWARF numbers them. */
static __always_inline void read_uregs(struct pt_regs *regs, struct scry_trace_stack *h)
{
#if defined(__TARGET_ARCH_x86)
	h->r[0] = regs->ax;
	h->r[1] = regs->dx;
	h->r[2] = regs->cx;
	h->r[3] = regs->bx;
	h->r[4] = regs->si;
	h->r[5] = regs->di;
	h->r[6] = regs->bp;
	h->r[7] = regs->sp;
	h->r[8] = regs->r8;
	h->r[9] = regs->r9;
	h->r[10] = regs->r10;
	h->r[11] = regs->r11;
	h->r[12] = regs->r12;
	h->r[13] = regs->r13;
	h->r[14] = regs->r14;
	h->r[15] = regs->r15;
	h->r[16] = regs->ip;
	h->have = (1ull << 17) - 1;
#elif defined(__TARGET_ARCH_arm64)
	for (int i = 0; i < 31; i++)
		h->r[i] = regs->regs[i];
	h->r[31] = regs->sp;
	h->r[32] = regs->pc;
	h->have = (1ull << 33) - 1;
#endif
}

/*
 * The registers and up to stack_bytes of the user stack from sp, a page at
 * a time so that a copy stops where the stack's mapping ends (a main thread
 * near the top of its stack) instead of failing whole.
 */
static __always_inline void cap_stack(struct slot *s, struct task_struct *task, struct pt_regs *regs)
{
	struct stk *k = bpf_task_storage_get(&stacks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 sp = regs->sp;
	__u32 n = 0, got = 0, holes = 0, want = stack_bytes;
	/* the main thread's stack has nothing an unwinder needs above
	 * argc (mm->start_stack), and reading past its top (into the pages
	 * that fault) costs more than the whole copy */
	__u64 top = BPF_CORE_READ(task, mm, start_stack);

	if (!k) {
		count_lost(2);
		return;
	}
	read_uregs(regs, &k->h);
	k->h.sp = sp;
	k->h.flags = 0;
	if (top > sp && top - sp < want)
		want = top - sp + 8;	/* argc itself */
	for (int i = 0; i < SCRY_TRACE_STACK_MAX / 4096 + 1; i++) {
		__u64 chunk = 4096 - ((sp + n) & 4095);
		__u32 off = n & (SCRY_TRACE_STACK_MAX - 1);

		if (n >= want || n >= SCRY_TRACE_STACK_MAX)
			break;
		if (chunk > (__u64)(want - n))
			chunk = want - n;
		chunk &= 8191;		/* for the verifier: 1..4096 below */
		if (chunk > 4096 || !chunk)
			break;
		/* a page never touched is not present, and the helper may not
		 * fault it in: a hole, and the pages above it are tried (a
		 * big local array the program did not fill) */
		if (bpf_probe_read_user(&k->bytes[off], chunk, (const void *)(sp + n)))
			holes |= 1u << i;
		else
			got = n + chunk;
		n += chunk;
	}
	if (!got)
		k->h.flags = SCRY_TRACE_RF_FAULT;
	k->h.len = got;
	k->h.holes = holes;
	k->h.key_new = s->site_new;
	k->h.key_hash = s->skey.hash;
	k->h.key_exec = s->skey.exec;
	k->h.key_len = s->skey.len;
	k->h.key_code = s->site_code;
	s->ev.flags |= SCRY_TRACE_CF_STACK;
}

/*
 * --source -c (site_bytes): the key of a call's call site.
 *
 * What user space makes of a call (the [FILE:LINE in FUNCTION] of the
 * first frame with a line) is a function of the frames' pcs, which the
 * unwinder finds from the pc, the registers a frame's CFA is computed from
 * (sp, and bp-like registers when they hold stack addresses) and the words
 * of the stack it reads: return addresses (code) and saved registers.  The
 * key hashes, besides the pc:
 *   - every callee-saved register and every word of the first site_bytes
 *     of the stack that points into the stack (within 1 MiB above sp), as
 *     its distance from sp (a frame pointer, a saved one), with its place;
 *   - every other word there that could be a code address (a user address
 *     from the executable's text up, not in the brk heap), with its place;
 * and skips the rest (numbers below the text, such as loop counters, heap
 * pointers): those are neither a return address nor a frame pointer (user
 * space checks, with the soundness below, that the frames' return
 * addresses are not below mm->start_code).  So two calls with one key have the
 * same pc and the same code-like and stack-like words at the same places
 * of that window: an unwinder that reads nothing past the window to reach
 * the call site takes the same steps in both and names the same site.
 * Whether it reads nothing past the window, user space checks at the
 * key's first call (it unwinds that call again with the memory beyond the
 * window hidden); when it does, it marks the key SCRY_TRACE_SITE_EVERY:
 * each of its later calls comes with its stack, and those counted here
 * meanwhile are shown as from an unknown site ("?"), never as the first
 * call's.  A key also holds the process
 * and its image (self_exec_id): an exec starts new keys.  Keys may split
 * one site in two (a loop counter that looks like an address): user space
 * merges them by label.
 */
#define SITE_STACK_SPAN (1ull << 20)
_Static_assert(SCRY_TRACE_SITE_MAX <= SCRY_TRACE_DATA_CAP, "site_enter() reads the window into the slot's data");

static __always_inline __u64 site_mix(__u64 h, __u64 v)
{
	h ^= v;
	h *= 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 31);
}

static __always_inline __u64 site_word(__u64 h, __u64 at, __u64 v, __u64 sp, __u64 c0, __u64 b0, __u64 b1)
{
	if (v - sp < SITE_STACK_SPAN)		/* a stack address: where, not what */
		return site_mix(site_mix(h, at), (v - sp) | (1ull << 63));
	if (v < c0 || v >= (1ull << 56) || (v >= b0 && v < b1))
		return h;			/* no code there */
	return site_mix(site_mix(h, at), v);
}

/*
 * The process's code mappings for user space's unwinder (stack_bytes; see
 * struct scry_trace_maps): sent when the process has none sent for its
 * image yet, or its mm changed since the last look (mm_lock_seq moves at
 * every write lock of the mmap lock: mmap, munmap, mprotect, brk ...) and
 * the mappings of code differ from those last sent.  The kfuncs are those
 * of Linux 6.4+.
 */
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __ksym __weak;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym __weak;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym __weak;

struct maps_seen {
	__u32 exec;		/* self_exec_id of the image they were sent for */
	__u32 pad;
	__u64 seq;		/* mm_seq() when they were last looked at */
	__u64 sig;		/* a hash of the mappings sent */
};

/* host tgid -> what was sent; deleted when the process ends */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRY_TRACE_MAX_PIDS);
	__type(key, __u32);
	__type(value, struct maps_seen);
} maps_seen SEC(".maps");

/*
 * What user space holds of each process's code mappings, so that a change
 * (a dlopen) is sent as its difference: the mappings from the first that
 * differs to the last that differs, with how many user space keeps before
 * and after them (struct scry_trace_maps.delta).  (start, vma_sig()) of
 * each mapping in address order, twice: e[cur] as user space has them, the
 * other written for the record under way and made current once it is sent
 * (a record lost to a full ring changes nothing).  Created from maps_zero;
 * deleted when the process ends.
 */
struct maps_held {
	__u32 n[2];
	__u32 seq[2];		/* each list's number (struct scry_trace_maps.seq) */
	__u32 cur;
	__u32 pad;
	struct {
		__u64 start, sig;
	} e[2][SCRY_TRACE_VMA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SCRY_TRACE_MAX_PIDS);	/* 1 without stacks */
	__type(key, __u32);
	__type(value, struct maps_held);
} maps_held SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct maps_held);
} maps_zero SEC(".maps");

struct maps_buf {
	struct scry_trace_maps h;
	char str[SCRY_TRACE_VMA_STR + 256];	/* (slack for the verifier) */
	/* the walk's state, kept here rather than in registers: the
	 * verifier then sees one state at the loop's head, not one per
	 * count of mappings */
	struct {
		__u32 gstart;	/* the current file's first entry */
		__u32 gsoff;	/* and the strings before it */
		__u32 gexec;	/* it has an executable mapping */
		__u32 paths;	/* 0: compare first (no paths walked) */
		__u64 gfile;
		/* paths and delta: a mapping user space holds at its place
		 * (in maps_held under tgid, the list now shift entries
		 * longer) goes without its path walked */
		__u32 delta;
		__u32 tgid;
		__s32 shift;
		/* the difference (scry_maps_window()): keep head entries
		 * before it and tail after it */
		__u32 head;
		__u32 tail;
		__u32 pad2;
	} w;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct maps_buf);
} maps_bufs SEC(".maps");

/* What identifies a mapping besides its start (paths aside). */
static __always_inline __u64 vma_sig(const struct scry_trace_vma *e)
{
	return site_mix(site_mix(site_mix(e->end, e->pgoff), e->ino ^ ((__u64)e->dev << 32)), e->flags & 31);
}

/* Whether user space holds the mapping (start, sig) as the idx-th of the
 * list, or as the (idx - shift)-th.  Global functions here and below: the
 * verifier checks each once, not once per state of the loops that call
 * them. */
__noinline int scry_vma_held(__u32 tgid, __u32 idx, __u64 start, __u64 sig, __s32 shift)
{
	struct maps_held *h = bpf_map_lookup_elem(&maps_held, &tgid);
	__u32 c, n, j;

	if (!h)
		return 0;
	c = h->cur & 1;
	n = h->n[c];
	idx &= SCRY_TRACE_VMA_MAX - 1;
	if (idx < n && h->e[c][idx].start == start && h->e[c][idx].sig == sig)
		return 1;
	j = (idx - shift) & (SCRY_TRACE_VMA_MAX - 1);
	return (__s32)idx - shift >= 0 && j < n && h->e[c][j].start == start && h->e[c][j].sig == sig;
}

/* A number that moves whenever the mappings may have: the mmap lock's
 * write sequence (with per-VMA locks, Linux 6.4+: an int, a seqcount_t
 * from 6.13, its count first either way) and the counts. */
static __always_inline __u64 mm_seq(struct mm_struct *mm)
{
	__u32 seq = 0;

	if (bpf_core_field_exists(mm->mm_lock_seq))
		bpf_probe_read_kernel(&seq, sizeof(seq),
				      (char *)mm + bpf_core_field_offset(mm->mm_lock_seq));
	return site_mix(site_mix(seq, BPF_CORE_READ(mm, map_count)), BPF_CORE_READ(mm, exec_vm));
}

/* The path of file (a struct file *), components innermost first, into
 * b->str from soff; the bytes used, or 0 (not sent whole).  Global, so
 * that the verifier checks its loop once, not once per mapping. */
__noinline int scry_put_path(struct maps_buf *b, __u32 soff, __u64 file)
{
	struct file *f = (struct file *)file;
	struct dentry *d;

	if (!b)
		return 0;
	d = BPF_CORE_READ(f, f_path.dentry);
	__u64 vm = (__u64)BPF_CORE_READ(f, f_path.mnt);
	struct mount *m = (struct mount *)(vm - bpf_core_field_offset(struct mount, mnt));
	__u32 at = soff;

	if (soff >= SCRY_TRACE_VMA_STR)
		return 0;
	for (int i = 0; i < SCRY_TRACE_PATH_DEPTH + 8; i++) {
		struct dentry *root = BPF_CORE_READ(m, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		const unsigned char *name;
		long r;

		if (d == root || d == parent) {
			struct mount *mp = BPF_CORE_READ(m, mnt_parent);

			if (!mp || mp == m)	/* the root of the tree */
				return at - soff;
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = mp;
			continue;
		}
		if (at >= SCRY_TRACE_VMA_STR)
			return 0;
		name = BPF_CORE_READ(d, d_name.name);
		r = bpf_probe_read_kernel_str(&b->str[at & (SCRY_TRACE_VMA_STR - 1)], 256, name);
		if (r <= 0)
			return 0;
		at += r;
		if (at >= SCRY_TRACE_VMA_STR)
			return 0;	/* (the strings stay below it) */
		d = parent;
	}
	return 0;
}

/* One mapping into b (or none: not code, nor a code file's). */
static __always_inline void maps_one(struct maps_buf *b, struct vm_area_struct *vma, __u64 vdso)
{
	struct file *f = BPF_CORE_READ(vma, vm_file);
	__u64 fl = BPF_CORE_READ(vma, vm_flags), start = BPF_CORE_READ(vma, vm_start);
	struct scry_trace_vma *e;
	__u32 n, gstart;
	int plen;

	if (!f && start != vdso)
		return;		/* anonymous memory (a JIT's code too) */
	if (!f || (__u64)f != b->w.gfile) {
		/* the previous file's mappings stay only if it has code */
		if (!b->w.gexec) {
			b->h.n = b->w.gstart;
			b->h.str_len = b->w.gsoff;
		}
		b->w.gfile = (__u64)f;
		b->w.gstart = b->h.n;
		b->w.gsoff = b->h.str_len;
		b->w.gexec = !f;
	}
	n = b->h.n;
	if (n >= SCRY_TRACE_VMA_MAX) {
		b->h.truncated = 1;
		return;
	}
	e = &b->h.v[n & (SCRY_TRACE_VMA_MAX - 1)];
	e->start = start;
	e->end = BPF_CORE_READ(vma, vm_end);
	e->pgoff = (__u64)BPF_CORE_READ(vma, vm_pgoff) << 12;
	e->flags = fl & 15;
	e->ino = 0;
	e->dev = 0;
	e->path_off = 0;
	e->path_len = 0;
	e->pad = 0;
	if (fl & 4)
		b->w.gexec = 1;
	b->h.n = n + 1;
	if (!f) {
		e->flags |= SCRY_TRACE_VMA_VDSO;
		return;
	}
	e->ino = BPF_CORE_READ(f, f_inode, i_ino);
	e->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	if (!b->w.paths)
		return;
	if (b->w.delta && scry_vma_held(b->w.tgid, n, e->start, vma_sig(e), b->w.shift))
		return;		/* (user space has its path) */
	if (!BPF_CORE_READ(f, f_path.dentry, d_hash.pprev))
		e->flags |= SCRY_TRACE_VMA_DELETED;
	gstart = b->w.gstart;
	if (n != gstart) {	/* the file's path is sent already */
		struct scry_trace_vma *g = &b->h.v[gstart & (SCRY_TRACE_VMA_MAX - 1)];

		e->path_off = g->path_off;
		e->path_len = g->path_len;
		e->flags |= g->flags & SCRY_TRACE_VMA_NOPATH;
		return;
	}
	plen = scry_put_path(b, b->h.str_len, (__u64)f);
	if (plen <= 0) {
		e->flags |= SCRY_TRACE_VMA_NOPATH;
		return;
	}
	e->path_off = b->h.str_len;
	e->path_len = plen;
	b->h.str_len += plen;
}

/* The mappings into b (paths: with their paths); 0, or -1 when the
 * mmap lock is held for writing (looked at again at the next call). */
static __always_inline int maps_walk(struct maps_buf *b, struct task_struct *task, __u64 vdso, __u32 paths)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int r = 0;

	b->h.n = 0;
	b->h.str_len = 0;
	b->h.truncated = 0;
	b->w.gstart = 0;
	b->w.gsoff = 0;
	b->w.gexec = 1;
	b->w.gfile = 0;
	b->w.paths = paths;
	if (bpf_iter_task_vma_new(&it, task, 0))
		r = -1;
	else
		while ((vma = bpf_iter_task_vma_next(&it)))
			maps_one(b, vma, vdso);
	bpf_iter_task_vma_destroy(&it);
	if (!b->w.gexec) {
		b->h.n = b->w.gstart;
		b->h.str_len = b->w.gsoff;
	}
	return r;
}

/* The difference between b's mappings and those user space holds (h's
 * current list), in b->w: head entries alike from the start
 * (scry_maps_head()), tail from the end (scry_maps_tail(), not
 * overlapping); scry_maps_hold() makes h's other list b's.  One loop per
 * global function: each is checked once. */
__noinline int scry_maps_head(struct maps_buf *b, struct maps_held *h)
{
	__u32 c, no, nn;

	if (!b || !h)
		return 0;
	c = h->cur & 1;
	no = h->n[c];
	nn = b->h.n;
	/* (the count in map memory: one state per loop head, not one per
	 * count) */
	*(volatile __u32 *)&b->w.head = 0;
	for (__u32 i = 0; i < SCRY_TRACE_VMA_MAX; i++) {
		struct scry_trace_vma *e = &b->h.v[i];

		if (i >= no || i >= nn || h->e[c][i].start != e->start || h->e[c][i].sig != vma_sig(e))
			break;
		*(volatile __u32 *)&b->w.head = i + 1;
	}
	return 0;
}

__noinline int scry_maps_tail(struct maps_buf *b, struct maps_held *h)
{
	__u32 c, no, nn, k;

	if (!b || !h)
		return 0;
	c = h->cur & 1;
	no = h->n[c];
	nn = b->h.n;
	k = *(volatile __u32 *)&b->w.head;
	*(volatile __u32 *)&b->w.tail = 0;
	for (__u32 i = 0; i < SCRY_TRACE_VMA_MAX; i++) {
		if (i + k >= no || i + k >= nn)
			break;
		struct scry_trace_vma *e = &b->h.v[(nn - 1 - i) & (SCRY_TRACE_VMA_MAX - 1)];
		__u32 o = (no - 1 - i) & (SCRY_TRACE_VMA_MAX - 1);

		if (h->e[c][o].start != e->start || h->e[c][o].sig != vma_sig(e))
			break;
		*(volatile __u32 *)&b->w.tail = i + 1;
	}
	return 0;
}

__noinline int scry_maps_hold(struct maps_buf *b, struct maps_held *h)
{
	__u32 c, nn;

	if (!b || !h)
		return 0;
	c = (h->cur & 1) ^ 1;
	nn = b->h.n;
	for (__u32 i = 0; i < SCRY_TRACE_VMA_MAX; i++) {
		if (i >= nn)
			break;
		h->e[c][i].start = b->h.v[i].start;
		h->e[c][i].sig = vma_sig(&b->h.v[i]);
	}
	h->n[c] = nn;
	h->seq[c] = h->seq[c ^ 1] + 1;
	return 0;
}

/* b's mappings less the b->w.head first and b->w.tail last. */
__noinline int scry_maps_cut(struct maps_buf *b)
{
	__u32 k, m;

	if (!b)
		return 0;
	k = *(volatile __u32 *)&b->w.head;
	m = b->h.n - k - *(volatile __u32 *)&b->w.tail;
	for (__u32 i = 0; i < SCRY_TRACE_VMA_MAX; i++) {
		if (i >= m)
			break;
		b->h.v[i] = b->h.v[(i + k) & (SCRY_TRACE_VMA_MAX - 1)];
	}
	b->h.n = m;
	return 0;
}

/* A global function: the verifier checks it once, not once for each way
 * through on_enter(); the task is the current one. */
__noinline int scry_maps_check(__u32 tgid, __u32 tid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u32 htgid = BPF_CORE_READ(task, tgid), zero = 0;
	__u32 exec = BPF_CORE_READ(task, self_exec_id);
	struct maps_seen *seen, now = {};
	struct maps_buf *b;
	__u64 seq, vdso, sig = 0xcbf29ce484222325ull;
	__u32 n, soff, delta;
	struct maps_held *h;

	if (!mm)
		return 0;
	seq = mm_seq(mm);
	seen = bpf_map_lookup_elem(&maps_seen, &htgid);
	if (seen && seen->exec == exec && seen->seq == seq)
		return 0;
	b = bpf_map_lookup_elem(&maps_bufs, &zero);
	if (!b)
		return 0;
	vdso = (__u64)BPF_CORE_READ(mm, context.vdso);
	/* first without the paths (their walk is most of the cost): the
	 * mm changed at every mmap/munmap/brk of a malloc, its code rarely */
	if (maps_walk(b, task, vdso, 0))
		return 0;
	n = b->h.n;
	for (__u32 i = 0; i < SCRY_TRACE_VMA_MAX; i++) {
		struct scry_trace_vma *e = &b->h.v[i];

		if (i >= n)
			break;
		sig = site_mix(site_mix(site_mix(sig, e->start), e->end ^ e->pgoff), e->ino ^ e->flags);
	}
	now.exec = exec;
	now.seq = seq;
	now.sig = sig;
	if (seen && seen->exec == exec && seen->sig == sig) {
		seen->seq = seq;	/* code mappings as sent: nothing to say */
		return 0;
	}
	/* what user space holds: a difference will do (a dlopen) */
	h = bpf_map_lookup_elem(&maps_held, &htgid);
	if (!h) {
		struct maps_held *z = bpf_map_lookup_elem(&maps_zero, &zero);

		if (z)
			bpf_map_update_elem(&maps_held, &htgid, z, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&maps_held, &htgid);
	}
	delta = h && seen && seen->exec == exec && !b->h.truncated && h->n[h->cur & 1];
	b->w.delta = delta;
	b->w.tgid = htgid;
	b->w.shift = h ? (__s32)n - (__s32)h->n[h->cur & 1] : 0;
	if (maps_walk(b, task, vdso, 1))
		return 0;
	b->w.head = 0;
	b->w.tail = 0;
	scry_maps_head(b, h);
	scry_maps_tail(b, h);
	scry_maps_hold(b, h);
	if (!delta) {
		b->w.head = 0;
		b->w.tail = 0;
	} else {
		scry_maps_cut(b);
	}
	n = b->h.n;
	soff = b->h.str_len & (SCRY_TRACE_VMA_STR - 1);	/* (it is below) */
	b->h.type = SCRY_TRACE_EV_MAPS;
	b->h.tgid = tgid;
	b->h.tid = tid;
	b->h.exec = exec;
	b->h.str_len = soff;
	b->h.delta = delta;
	b->h.keep_head = b->w.head;
	b->h.keep_tail = b->w.tail;
	b->h.base_seq = h ? h->seq[h->cur & 1] : 0;
	b->h.seq = h ? h->seq[(h->cur & 1) ^ 1] : 0;
	b->h.host_tgid = htgid;
	b->h.pad2 = 0;
	b->h.ts = bpf_ktime_get_ns();
	/* the table's used entries, then the strings: one reservation of
	 * the size used, written in two pieces */
	{
		__u32 tlen = offsetof(struct scry_trace_maps, v) +
			     (n & (SCRY_TRACE_VMA_MAX - 1)) * sizeof(struct scry_trace_vma);
		struct bpf_dynptr dp;

		if (n >= SCRY_TRACE_VMA_MAX)
			tlen = sizeof(b->h);
		if (bpf_ringbuf_reserve_dynptr(&events, tlen + soff, 0, &dp)) {
			bpf_ringbuf_discard_dynptr(&dp, 0);
			count_lost(1);
			return 0;	/* (tried again at the next call) */
		}
		bpf_dynptr_write(&dp, 0, &b->h, tlen, 0);
		bpf_dynptr_write(&dp, tlen, b->str, soff, 0);
		bpf_ringbuf_submit_dynptr(&dp, wake_flags());
	}
	if (h)
		h->cur ^= 1;	/* what user space holds now */
	bpf_map_update_elem(&maps_seen, &htgid, &now, BPF_ANY);
	return 0;
}

/* The words of w from byte from up to byte to into h (see site_word()). */
static __always_inline __u64 site_words(__u64 h, const __u64 *w, __u32 from, __u32 to,
					__u64 sp, __u64 c0, __u64 b0, __u64 b1)
{
	for (__u32 i = 0; i < SCRY_TRACE_SITE_MAX / 8; i++) {
		if (i * 8 >= to)
			break;
		if (i * 8 >= from)
			h = site_word(h, i, w[i], sp, c0, b0, b1);
	}
	return h;
}

/*
 * 1: the call is counted here at exit (no copy, no record); 0: it goes to
 * user space with its stack (site_new set: the key's first call).
 *
 * Two windows, so that the common call pays for the short one only: the
 * key first hashes SCRY_TRACE_SITE_SHORT bytes (enough where the wrapper's
 * caller is near sp, as in most code).  A new short key is PENDING until
 * user space has unwound its first call within those bytes: COUNT when
 * they decide the call site, else EVERY.  A call whose short key is
 * PENDING or EVERY goes on to the whole window (site_bytes), whose key
 * works as before: counted from its first call on (calls counted before
 * user space finds that window too short are shown as "?").  So no call is
 * ever counted under a window that was not found to decide its site, and
 * a site the short window does not decide costs the short hash more.
 */
static __always_inline int site_enter(struct slot *s, struct task_struct *task, struct pt_regs *regs)
{
	struct scry_trace_site_key *key = &s->skey;
	struct mm_struct *mm = task->mm;
	__u64 sp = regs->sp, h = 0xcbf29ce484222325ull;
	__u64 top, b0, b1, c0;
	__u32 n = site_bytes, n1, one = SCRY_TRACE_SITE_COUNT, pend = SCRY_TRACE_SITE_PENDING, *st;
	const __u64 *w;

	s->site_count = 0;
	s->site_new = 0;
	if (!mm)
		return 0;
	/* (direct reads of the task's BTF pointers: no helper calls) */
	top = mm->start_stack;
	b0 = mm->start_brk;
	b1 = mm->brk;
	c0 = mm->start_code;
	if (c0 < 0x10000)
		c0 = 0x10000;
	s->site_code = c0;
	if (top > sp && top - sp + 8 < n)
		n = (__u32)(top - sp + 8) & ~7u;
	if (n > SCRY_TRACE_SITE_MAX)
		n = SCRY_TRACE_SITE_MAX;
	n1 = n < SCRY_TRACE_SITE_SHORT ? n : SCRY_TRACE_SITE_SHORT;
	/* the window is read into the record's data, which a counted
	 * call does not use (a call that goes on captures into it after) */
	if (n1 < 8 || bpf_probe_read_user(s->data, n1, (const void *)sp))
		return 0;
#if defined(__TARGET_ARCH_x86)
	h = site_mix(h, regs->ip);
	h = site_word(h, 1003, regs->bx, sp, c0, b0, b1);
	h = site_word(h, 1006, regs->bp, sp, c0, b0, b1);
	h = site_word(h, 1012, regs->r12, sp, c0, b0, b1);
	h = site_word(h, 1013, regs->r13, sp, c0, b0, b1);
	h = site_word(h, 1014, regs->r14, sp, c0, b0, b1);
	h = site_word(h, 1015, regs->r15, sp, c0, b0, b1);
#elif defined(__TARGET_ARCH_arm64)
	h = site_mix(h, regs->pc);
	for (int r = 19; r < 31; r++)		/* callee-saved, fp, lr */
		h = site_word(h, 1000 + r, regs->regs[r], sp, c0, b0, b1);
#endif
	w = (const __u64 *)s->data;
	h = site_words(h, w, 0, n1, sp, c0, b0, b1);
	key->tgid = s->ev.tgid;
	key->nr = (__u32)s->ev.nr;
	key->exec = task->self_exec_id;
	key->len = n1;
	key->hash = h;
	st = bpf_map_lookup_elem(&site_state, key);
	if (n1 < n) {
		if (st && *st == SCRY_TRACE_SITE_COUNT) {
			s->site_count = 1;
			return 1;
		}
		if (!st) {
			/* the short key's first call: user space says */
			if (bpf_map_update_elem(&site_state, key, &pend, BPF_NOEXIST))
				return 0;
			s->site_new = 1;
			return 0;
		}
		/* pending, or too short: the whole window */
		if (bpf_probe_read_user(&s->data[SCRY_TRACE_SITE_SHORT],
					(n - SCRY_TRACE_SITE_SHORT) & (SCRY_TRACE_SITE_MAX - 1),
					(const void *)(sp + SCRY_TRACE_SITE_SHORT)))
			return 0;
		h = site_words(h, w, SCRY_TRACE_SITE_SHORT, n, sp, c0, b0, b1);
		key->len = n;
		key->hash = h;
		st = bpf_map_lookup_elem(&site_state, key);
	}
	if (st) {
		if (*st != SCRY_TRACE_SITE_COUNT)
			return 0;
		s->site_count = 1;
		return 1;
	}
	/* the first call of the key (the map full, or another thread
	 * first: this one goes whole) */
	if (bpf_map_update_elem(&site_state, key, &one, BPF_NOEXIST))
		return 0;
	s->site_new = 1;
	return 0;
}

/* At exit: the call into its key's counters and histogram. */
static __always_inline void site_add(struct slot *s)
{
	struct scry_trace_site_val *v, zero = {};
	struct scry_trace_site_hkey hk = {};
	__u64 ns = s->ev.t_exit > s->ev.t_enter ? s->ev.t_exit - s->ev.t_enter : 0, one = 1, *b;

	v = bpf_map_lookup_elem(&site_vals, &s->skey);
	if (!v) {
		bpf_map_update_elem(&site_vals, &s->skey, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&site_vals, &s->skey);
		if (!v) {
			count_lost(0);
			return;
		}
	}
	if (!v->count || ns < v->min_ns)
		v->min_ns = ns;
	if (ns > v->max_ns)
		v->max_ns = ns;
	v->count++;
	v->errors += s->ev.ret < 0 && s->ev.ret >= -4095;
	v->total_ns += ns;
	hk.key = s->skey;
	hk.bucket = scry_hist_bucket(ns);
	b = bpf_map_lookup_elem(&site_hist, &hk);
	if (b)
		*b += 1;
	else if (bpf_map_update_elem(&site_hist, &hk, &one, BPF_NOEXIST))
		count_lost(3);
}

/* Whether task's process is traced (past its exec, if launched). */
static __always_inline bool task_traced(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u8 *state = bpf_map_lookup_elem(&traced_pids, &tgid);

	return state && *state == SCRY_TRACE_TRACED;
}

/* The first bytes of the siginfo_t of signal sig (info as the signal
 * tracepoints give it) into dst, zeroed first. */
static __always_inline void fill_siginfo(__u8 *dst, int sig, struct kernel_siginfo *info)
{
	int *head = (int *)dst;

	__builtin_memset(dst, 0, SCRY_TRACE_SIGINFO);
	if ((unsigned long)info <= 1) {
		/* SEND_SIG_NOINFO (0): from a user process; SEND_SIG_PRIV (1):
		 * from the kernel (as the kernel's TP_STORE_SIGINFO) */
		head[0] = sig;
		head[2] = info ? 0x80 /* SI_KERNEL */ : 0 /* SI_USER */;
		if (!info) {
			__u32 tgid, tid;

			cur_ids(&tgid, &tid);
			head[4] = tgid;					/* si_pid */
			head[5] = (__u32)bpf_get_current_uid_gid();	/* si_uid */
		}
	} else if (bpf_probe_read_kernel(dst, SCRY_TRACE_SIGINFO, info)) {
		head[0] = sig;
	}
}

/* A SIGNAL record; info NULL: the bytes are in stash. */
static __always_inline void send_signal_rec(__u32 tgid, __u32 tid, int sig, __u64 ts,
					    struct kernel_siginfo *info, const __u8 *stash)
{
	struct scry_trace_signal *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_lost(1);
		return;
	}
	e->type = SCRY_TRACE_EV_SIGNAL;
	e->tgid = tgid;
	e->tid = tid;
	e->sig = sig;
	e->ts = ts;
	if (stash)
		__builtin_memcpy(e->info, stash, SCRY_TRACE_SIGINFO);
	else
		fill_siginfo(e->info, sig, info);
	bpf_ringbuf_submit(e, wake_flags());
}

/* After the call's record: the signal it stashed. */
static __always_inline void send_stashed(struct slot *s)
{
	if (!s->psig)
		return;
	send_signal_rec(s->ev.tgid, s->ev.tid, s->psig, s->pts, NULL, s->pinfo);
	s->psig = 0;
}

/* bpf_find_vma()'s callback: whether the mapping holds code. */
static long vma_is_code(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(__u64 *)data = BPF_CORE_READ(vma, vm_flags) & 4;	/* VM_EXEC */
	return 0;
}

/*
 * --stack-mode fp: the registers, the word at sp when it is a code address
 * (mapped executable) and the user callchain the kernel walks along the
 * frame pointers, into the thread's stack storage as struct
 * scry_trace_stack and its words (see SCRY_TRACE_STK_FP).  No copy of the
 * stack: an entry costs the walk of the frames only.
 */
static __always_inline void cap_fp(struct slot *s, struct task_struct *task, struct pt_regs *regs)
{
	struct stk *k = bpf_task_storage_get(&stacks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 word = 0, code = 0;
	long n;

	if (!k) {
		count_lost(2);
		return;
	}
	read_uregs(regs, &k->h);
	k->h.sp = regs->sp;
	k->h.flags = SCRY_TRACE_STK_FP;
	k->h.holes = 0;
	k->h.key_new = 0;
	k->h.key_hash = 0;
	k->h.key_exec = 0;
	k->h.key_len = 0;
	k->h.key_code = 0;
	if (bpf_probe_read_user(&word, sizeof(word), (const void *)regs->sp) || word < 4096 ||
	    bpf_find_vma(task, word, vma_is_code, &code, 0) || !code)
		word = 0;
	__builtin_memcpy(k->bytes, &word, sizeof(word));
	n = bpf_get_task_stack(task, &k->bytes[8], SCRY_TRACE_FP_MAX * 8, BPF_F_USER_STACK);
	if (n < 0 || n > SCRY_TRACE_FP_MAX * 8)
		n = 0;
	if (!n)
		k->h.flags |= SCRY_TRACE_RF_FAULT;
	k->h.len = 8 + (__u32)n;
	s->ev.flags |= SCRY_TRACE_CF_STACK;
}

static __always_inline int on_enter(struct pt_regs *regs, long id, bool check_nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct scry_trace_plan *plan;
	struct slot *s;
	__u32 nr = (__u32)id;

	plan = bpf_map_lookup_elem(&plans, &nr);
	if (check_nr && filter_nrs && (!plan || !plan->on))
		return 0;
	/* a traced thread has its slot from its first traced call on */
	s = bpf_task_storage_get(&slots, task, 0, 0);
	if (!s) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		__u8 *state = cur_state(tgid);

		if (!state)
			return 0;
		/* a launched child runs scry's code until its exec */
		if (*state == SCRY_TRACE_UNTIL_EXEC) {
			if (id != exec_nr && id != execat_nr)
				return 0;
			*state = SCRY_TRACE_TRACED;
		}
#if defined(__TARGET_ARCH_x86)
		/* a thread running 32-bit code (of a process attached so; one
		 * that execs such a program is let go, scry_trace_exec()): its
		 * i386 numbers are not the plans' and filter's x86_64 ones, so
		 * it gets no slot and is not traced */
		if (BPF_CORE_READ(regs, cs) == 0x23 /* __USER32_CS */)
			return 0;
#endif
		s = bpf_task_storage_get(&slots, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!s) {
			count_lost(0);
			return 0;
		}
	}
	send_stashed(s);	/* (its call's exit was not seen) */
	s->active = 1;
	s->off = 0;
	s->ev.type = SCRY_TRACE_EV_CALL;
	s->ev.flags = 0;
	cur_ids(&s->ev.tgid, &s->ev.tid);
	s->ev.nr = id;
	/* --source -c: a call from a known call site is only counted, at
	 * exit: none of its record is made (captures, the mappings' check,
	 * the stack copy are for a call that goes to user space) */
	if (site_bytes && site_enter(s, task, regs)) {
		s->ev.t_enter = bpf_ktime_get_ns();
		return 0;
	}
	read_args(regs, s->ev.args);
	s->ev.sp = regs->sp;
	s->ev.ret = 0;
	s->ev.t_exit = 0;
	__builtin_memset(s->ev.reg, 0, sizeof(s->ev.reg));
	if (plan)
		s->plan = *plan;
	else
		__builtin_memset(&s->plan, 0, sizeof(s->plan));

	if (s->plan.str[0])
		cap_str(s, &s->ev.reg[SCRY_TRACE_R_STR0], argn(s, s->plan.str[0]));
	if (s->plan.str[1])
		cap_str(s, &s->ev.reg[SCRY_TRACE_R_STR1], argn(s, s->plan.str[1]));
	if (s->plan.addr && s->plan.addr_when == SCRY_TRACE_AT_ENTRY)
		cap_mem(s, &s->ev.reg[SCRY_TRACE_R_ADDR], argn(s, s->plan.addr),
			argn(s, s->plan.addrlen), SCRY_TRACE_ADDR_MAX);
	if (s->plan.buf && s->plan.buf_when == SCRY_TRACE_AT_ENTRY)
		cap_mem(s, &s->ev.reg[SCRY_TRACE_R_BUF], argn(s, s->plan.buf),
			argn(s, s->plan.buf_count), buf_limit);
	s->ev.envc = 0;
	if (s->plan.argv)
		cap_argv(s, argn(s, s->plan.argv));
	if (s->plan.envp)
		s->ev.envc = count_env(argn(s, s->plan.envp));
	if (s->plan.in)
		cap_mem(s, &s->ev.reg[SCRY_TRACE_R_IN],
			s->plan.in == SCRY_TRACE_AT_SP ? s->ev.sp + s->plan.in_off :
			argn(s, s->plan.in), s->plan.in_size, SCRY_TRACE_STR_MAX);
	if (stack_bytes)
		scry_maps_check(s->ev.tgid, s->ev.tid);
	if (stack_fp)
		cap_fp(s, task, regs);
	else if (stack_bytes)
		cap_stack(s, task, regs);
	/* last, so that the captures' time is not part of the call's */
	s->ev.t_enter = bpf_ktime_get_ns();
	return 0;
}

/* The record with its stack copy after the data: written in two pieces
 * into a reservation of the size used (bpf_ringbuf_output takes one). */
static __always_inline void send_with_stack(struct slot *s, __u64 size)
{
	struct stk *k = bpf_task_storage_get(&stacks, bpf_get_current_task_btf(), 0, 0);
	struct bpf_dynptr dp;
	__u32 slen;

	if (!k) {
		s->ev.flags &= ~SCRY_TRACE_CF_STACK;
		count_lost(2);
		if (bpf_ringbuf_output(&events, s, sizeof(s->ev) + size, wake_flags()))
			count_lost(0);
		return;
	}
	slen = k->h.len;
	if (slen > SCRY_TRACE_STACK_MAX)
		slen = SCRY_TRACE_STACK_MAX;
	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(s->ev) + size + sizeof(k->h) + slen, 0, &dp)) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		count_lost(0);
		/* the key's first call is lost: the next one goes instead */
		if (s->site_new)
			bpf_map_delete_elem(&site_state, &s->skey);
		return;
	}
	bpf_dynptr_write(&dp, 0, s, sizeof(s->ev) + size, 0);
	bpf_dynptr_write(&dp, sizeof(s->ev) + size, k, sizeof(k->h) + slen, 0);
	bpf_ringbuf_submit_dynptr(&dp, wake_flags());
}

/* Copies the finished record to the ring buffer. */
static __always_inline void send(struct slot *s)
{
	__u64 size = s->off;

	s->active = 0;
	if (size > SCRY_TRACE_DATA_CAP)
		size = SCRY_TRACE_DATA_CAP;
	s->ev.data_len = size;
	if (s->ev.flags & SCRY_TRACE_CF_STACK) {
		send_with_stack(s, size);
		return;
	}
	if (bpf_ringbuf_output(&events, s, sizeof(s->ev) + size, wake_flags()))
		count_lost(0);
}

/* The struct, or array of them, the call filled (even when it failed:
 * nanosleep's remainder comes with EINTR). */
static __always_inline void cap_out(struct slot *s, long ret)
{
	__u64 count = 1;

	if (s->plan.out_count == SCRY_TRACE_COUNT_RET)
		count = ret > 0 ? (__u64)ret : 0;
	else if (s->plan.out_count)
		count = argn(s, s->plan.out_count);
	if (count > SCRY_TRACE_STR_MAX)		/* no overflow below */
		count = SCRY_TRACE_STR_MAX;
	cap_mem(s, &s->ev.reg[SCRY_TRACE_R_OUT], argn(s, s->plan.out), count * s->plan.out_size,
		SCRY_TRACE_STR_MAX);
}

static __always_inline int on_exit(long ret)
{
	struct slot *s;

	/* no task storage: not a traced thread (the common, cheap case) */
	s = bpf_task_storage_get(&slots, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->active)
		return 0;
	s->ev.t_exit = bpf_ktime_get_ns();
	s->ev.ret = ret;
	if (s->site_count) {
		site_add(s);
		s->active = 0;
		send_stashed(s);
		return 0;
	}
	if (s->plan.addr && s->plan.addr_when == SCRY_TRACE_AT_EXIT && ret >= 0)
		cap_addr_ptrlen(s);
	if (s->plan.buf && s->plan.buf_when == SCRY_TRACE_AT_EXIT && ret > 0)
		cap_mem(s, &s->ev.reg[SCRY_TRACE_R_BUF], argn(s, s->plan.buf), ret, buf_limit);
	if (s->plan.out)
		cap_out(s, ret);
	send(s);
	send_stashed(s);
	return 0;
}

/* Every system call of every process: the raw tracepoints. */
SEC("tp_btf/sys_enter")
int BPF_PROG(scry_trace_enter, struct pt_regs *regs, long id)
{
	return on_enter(regs, id, true);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(scry_trace_exit, struct pt_regs *regs, long ret)
{
	return on_exit(ret);
}

/*
 * The records of syscalls:sys_enter_NAME and syscalls:sys_exit_NAME (their
 * "format" files in tracefs).  The enter record holds only the arguments
 * the call declares: the six registers come from the task's pt_regs.
 */
struct scry_sc_enter {
	__u64 common;
	int nr;
};

struct scry_sc_exit {
	__u64 common;
	int nr;
	int pad;
	long ret;
};

/* Only the calls of -e trace=SET: user space attaches these to the
 * tracepoints of each (bpf_hooks_attach()); the others run nothing. */
SEC("tracepoint")
int scry_trace_nr_enter(struct scry_sc_enter *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	return on_enter(regs, ctx->nr, false);
}

SEC("tracepoint")
int scry_trace_nr_exit(struct scry_sc_exit *ctx)
{
	return on_exit(ctx->ret);
}

/*
 * Whether the image task p has just exec'd runs 32-bit (ia32) code: the
 * ELF loader started it in the 32-bit code segment (compat_start_thread()
 * sets cs to __USER32_CS before this tracepoint).  Its calls would have
 * i386 numbers, which this program's plans and filter (and the per-syscall
 * tracepoints, which never fire for them) know only as x86_64 ones.
 */
static __always_inline bool exec_is_ia32(struct task_struct *p)
{
#if defined(__TARGET_ARCH_x86)
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);

	return regs && BPF_CORE_READ(regs, cs) == 0x23 /* __USER32_CS */;
#else
	return false;
#endif
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(scry_trace_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct scry_trace_proc *e;
	__u8 *state = cur_state(tgid);	/* p is the current task */

	if (!state)
		return 0;
	/* the launched command, when its execve is not traced itself */
	if (*state == SCRY_TRACE_UNTIL_EXEC)
		*state = SCRY_TRACE_TRACED;
	bool ia32 = exec_is_ia32(p);
	if (stack_bytes || ia32) {
		/* the execve (it succeeded) goes now, ahead of the EXEC record
		 * and the new image's mappings: its stack is the old image's,
		 * which user space can then still name; for a 32-bit program
		 * because the thread's slot goes below */
		struct slot *s = bpf_task_storage_get(&slots, p, 0, 0);

		if (s && s->active && !s->site_count &&
		    (s->ev.nr == exec_nr || s->ev.nr == execat_nr)) {
			s->ev.t_exit = bpf_ktime_get_ns();
			s->ev.ret = 0;
			send(s);
			send_stashed(s);
		}
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e) - sizeof(e->filename));
	e->type = SCRY_TRACE_EV_EXEC;
	cur_ids(&e->tgid, &e->tid);
	/* old_pid is the host's id of the thread that called execve: in a
	 * namespace only "this one" can be told (0: another, unknown) */
	e->old_tid = !ns_ino ? (__u32)old_pid :
		     old_pid == BPF_CORE_READ(p, pid) ? e->tid : 0;
	e->ts = bpf_ktime_get_ns();
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename)) < 0)
		e->filename[0] = '\0';
	/* a 32-bit program: its process is traced no more (the other threads
	 * are gone by now; its children are not followed), which the record
	 * tells user space */
	if (ia32) {
		e->ia32 = 1;
		bpf_task_storage_delete(&slots, p);
		bpf_map_delete_elem(&traced_pids, &tgid);
	}
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(scry_trace_sig_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct task_struct *task = bpf_get_current_task_btf();

	/* SIGKILL shows as the process's death, as under ptrace */
	__u32 tgid, tid;

	if (sig == 9 || !task_traced(task))
		return 0;
	cur_ids(&tgid, &tid);
	send_signal_rec(tgid, tid, sig, bpf_ktime_get_ns(), info, NULL);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(scry_trace_sig_generate, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	struct slot *s;
	__u32 tgid, tid;

	if (result != TRACE_SIGNAL_IGNORED || sig == 9 || !task_traced(task))
		return 0;
	if (task == bpf_get_current_task_btf()) {
		/* sent to itself, in a call: keep it for after the call */
		s = bpf_task_storage_get(&slots, task, 0, 0);
		if (s && s->active && !s->psig) {
			s->psig = sig;
			s->pts = bpf_ktime_get_ns();
			fill_siginfo(s->pinfo, sig, info);
			return 0;
		}
	}
	task_ids(task, &tgid, &tid);
	send_signal_rec(tgid, tid, sig, bpf_ktime_get_ns(), info, NULL);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(scry_trace_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = SCRY_TRACE_TRACED, *state;
	struct scry_trace_proc *e;
	int followed = 0;

	state = cur_state(ptgid);	/* the parent is the current task */
	if (!state || *state != SCRY_TRACE_TRACED)
		return 0;
	if (ptgid != ctgid && follow_forks) {
		if (bpf_map_update_elem(&traced_pids, &ctgid, &one, BPF_ANY))
			count_lost(1);
		else
			followed = 1;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e) - sizeof(e->filename));
	e->filename[0] = '\0';
	e->type = SCRY_TRACE_EV_FORK;
	cur_ids(&e->tgid, &e->tid);
	e->ts = bpf_ktime_get_ns();
	task_ids(child, &e->child_tgid, &e->child_tid);
	e->is_thread = ptgid == ctgid;
	e->followed = followed || ptgid == ctgid;
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(scry_trace_proc_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct scry_trace_proc *e;
	struct slot *s;
	int group_dead;
	__u8 *state = bpf_map_lookup_elem(&traced_pids, &tgid);

	if (!state)
		return 0;
	/* signal->live drops to 0 before this tracepoint when the last
	 * thread of the group exits (do_exit: group_dead) */
	group_dead = BPF_CORE_READ(task, signal, live.counter) == 0;
	if (*state == SCRY_TRACE_TRACED) {
		/* exit_group(), or a thread killed in a call: the call never
		 * returns; send what we have */
		s = bpf_task_storage_get(&slots, task, 0, 0);
		if (s && s->active && s->site_count) {
			s->active = 0;	/* no latency to count */
		} else if (s && s->active) {
			s->ev.flags |= SCRY_TRACE_CF_UNFINISHED;
			send(s);
			send_stashed(s);
		}
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			__builtin_memset(e, 0, sizeof(*e) - sizeof(e->filename));
			e->filename[0] = '\0';
			e->type = SCRY_TRACE_EV_EXIT;
			cur_ids(&e->tgid, &e->tid);	/* task is the current one */
			e->ts = bpf_ktime_get_ns();
			e->exit_code = BPF_CORE_READ(task, exit_code);
			e->group_dead = group_dead;
			bpf_ringbuf_submit(e, wake_flags());
		} else {
			count_lost(1);
		}
	}
	if (group_dead) {
		bpf_map_delete_elem(&traced_pids, &tgid);
		if (stack_bytes) {
			bpf_map_delete_elem(&maps_seen, &tgid);
			bpf_map_delete_elem(&maps_held, &tgid);
		}
	}
	return 0;
}
