/*
 * Shared between systrace.bpf.c (the kernel side) and bpf_trace.c (user
 * space): the layout of the records in the ring buffer and of the per-call
 * capture plan that user space derives from the syscall table.
 *
 * A call record is a struct scry_trace_call followed by data_len bytes of
 * captured memory; each region (slot) says where its bytes are (off, from
 * the end of the header), how many (len) and which user address they were
 * read from.  Slots have fixed meanings (SCRY_TRACE_R_*) so that the kernel
 * side never indexes the region array with a variable.  Records are packed:
 * a getppid costs sizeof(struct scry_trace_call) in the ring, an openat that
 * plus its path.
 */
#ifndef SCRY_BPF_SYSTRACE_H
#define SCRY_BPF_SYSTRACE_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define SCRY_TRACE_MAX_NR	1024	/* plans: syscall numbers */
#define SCRY_TRACE_MAX_PIDS	16384	/* traced processes (tgids) */
#define SCRY_TRACE_STR_MAX	256	/* bytes of a string, with its NUL */
#define SCRY_TRACE_ADDR_MAX	128	/* bytes of a sockaddr */
#define SCRY_TRACE_BUF_MAX	256	/* bytes of a data buffer (-s) */
#define SCRY_TRACE_OFF_MASK	2047	/* all captures of a call fit 2 KiB */
#define SCRY_TRACE_ARGV_MAX	16	/* execve's arguments captured */
#define SCRY_TRACE_ENV_MAX	512	/* environment entries counted */
#define SCRY_TRACE_DATA_CAP	(SCRY_TRACE_OFF_MASK + 1 + SCRY_TRACE_STR_MAX)
#define SCRY_TRACE_STACK_MAX	16384	/* bytes of user stack a call may carry */
#define SCRY_TRACE_NUREGS	33	/* raw_regs: DWARF-numbered user registers */

/* Values of traced_pids (as syscount.h) */
#define SCRY_TRACE_TRACED	1
#define SCRY_TRACE_UNTIL_EXEC	2

/* Record types (first __u32 of every record) */
#define SCRY_TRACE_EV_CALL	1
#define SCRY_TRACE_EV_EXEC	2
#define SCRY_TRACE_EV_EXIT	3
#define SCRY_TRACE_EV_FORK	4
#define SCRY_TRACE_EV_SIGNAL	5
#define SCRY_TRACE_EV_MAPS	6

/* Region slots */
#define SCRY_TRACE_R_STR0	0	/* first path/string argument */
#define SCRY_TRACE_R_STR1	1	/* second one */
#define SCRY_TRACE_R_ADDR	2	/* struct sockaddr */
#define SCRY_TRACE_R_ADDRLEN	3	/* the socklen_t an addrlen pointer points to */
#define SCRY_TRACE_R_BUF	4	/* data buffer */
#define SCRY_TRACE_R_IN		5	/* a struct read by the call (at entry) */
#define SCRY_TRACE_R_OUT	6	/* a struct filled by the call (at exit) */
#define SCRY_TRACE_R_ARGV	7	/* execve's argv: the pointers, NULL included */
#define SCRY_TRACE_R_VEC	8	/* a table of struct scry_trace_region, one
				 * per string argv points to */
#define SCRY_TRACE_NREG		9

/* scry_trace_plan.out_count: the number of elements is the result */
#define SCRY_TRACE_COUNT_RET	7
/* scry_trace_plan.in: the struct is at the stack pointer + in_off */
#define SCRY_TRACE_AT_SP	7

/* Region flags */
#define SCRY_TRACE_RF_USED	1	/* the argument was captured (or tried) */
#define SCRY_TRACE_RF_FAULT	2	/* the read failed: len is 0 */
#define SCRY_TRACE_RF_TRUNC	4	/* a string longer than the capture:
					 * its bytes come without a NUL */

/* Call flags */
#define SCRY_TRACE_CF_UNFINISHED 1	/* never returned (exit, killed) */
#define SCRY_TRACE_CF_STACK	2	/* a struct scry_trace_stack and its
					 * bytes follow the data */

/* When a plan's capture happens */
#define SCRY_TRACE_AT_ENTRY	1
#define SCRY_TRACE_AT_EXIT	2

/*
 * What to capture for one syscall number.  Argument indexes are stored + 1
 * (0: none).  Filled by user space for every number before attaching.
 */
struct scry_trace_plan {
	__u8 on;		/* traced (the -e filter; ignored without one) */
	__u8 str[2];		/* path/string arguments */
	__u8 addr;		/* sockaddr argument */
	__u8 addrlen;		/* its length: a value (AT_ENTRY) or a
				 * pointer to a socklen_t (AT_EXIT) */
	__u8 addr_when;
	__u8 buf;		/* data buffer argument */
	__u8 buf_count;		/* its size argument (AT_ENTRY) */
	__u8 buf_when;		/* AT_ENTRY: min(count, N); AT_EXIT: min(ret, N) */
	__u8 in;		/* struct argument read at entry, in_size bytes */
	__u8 out;		/* struct argument read at exit: out_size bytes
				 * times the out_count argument (or the result:
				 * SCRY_TRACE_COUNT_RET; 0: once) */
	__u8 out_count;
	__u16 in_size;
	__u16 out_size;		/* all bounded by SCRY_TRACE_STR_MAX */
	__u16 in_off;		/* with in == SCRY_TRACE_AT_SP */
	__u8 argv;		/* execve's argv argument */
	__u8 envp;		/* and envp, whose entries are counted */
	__u8 pad[2];
};

struct scry_trace_region {
	__u64 addr;		/* user address the bytes were read from */
	__u16 off;		/* from the end of the header */
	__u16 len;
	__u16 flags;		/* SCRY_TRACE_RF_* */
	__u16 pad;
};

struct scry_trace_call {
	__u32 type;		/* SCRY_TRACE_EV_CALL */
	__u32 flags;		/* SCRY_TRACE_CF_* */
	__u32 tgid;
	__u32 tid;
	__s64 nr;
	__u64 args[6];
	__s64 ret;
	__u64 t_enter;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 t_exit;
	__u64 sp;		/* the user stack pointer at entry */
	struct scry_trace_region reg[SCRY_TRACE_NREG];
	__u32 data_len;
	__u32 envc;		/* envp's entries + 1; 0: not counted */
	/* data_len bytes follow */
};

/*
 * With stack_bytes set (-k, --source), after a call record's data: the
 * thread's user registers at entry, numbered as DWARF numbers them
 * (core/engine.h, struct raw_regs), and len bytes of its stack copied from
 * sp up, read at entry a page at a time: stack_bytes, or less where the
 * stack's mapping ends first; pages that could not be read are holes.
 */
struct scry_trace_stack {
	__u64 have;			/* bit i: r[i] is known */
	__u64 r[SCRY_TRACE_NUREGS];
	__u64 sp;			/* the bytes were read from here */
	__u32 len;			/* to the end of the last page read */
	__u16 flags;			/* SCRY_TRACE_RF_FAULT: nothing readable */
	/* bit i: the i-th page from sp's (the first from sp to its end)
	 * could not be read (never touched: not present): its bytes are
	 * not the stack's */
	__u16 holes;
	/* site_bytes (--source -c): the call's call-site key (struct
	 * scry_trace_site_key: tgid and nr are the call's), key_len the
	 * bytes of stack it hashes; key_new 1: this is the key's first call,
	 * whose later calls the kernel counts (see site_enter()) */
	__u64 key_hash;
	__u32 key_exec;
	__u16 key_len;
	__u16 key_new;
	__u64 key_code;		/* words below this were not hashed (the
				 * executable's start_code) */
};

/*
 * --source -c: calls counted in the kernel by call site.  A key stands for
 * the registers and stack words that decide where the call came from (see
 * site_hash() in systrace.bpf.c); its first call goes to user space with
 * its stack, the others only add to its counters.
 */
#define SCRY_TRACE_SITE_MAX	2048	/* bytes of stack a key hashes at most */
#define SCRY_TRACE_SITE_SHORT	256	/* bytes the short key hashes (site_enter()) */
#define SCRY_TRACE_SITE_KEYS	16384	/* keys */
#define SCRY_TRACE_SITE_BUCKETS	65536	/* non-empty (key, histogram bucket) pairs */

/* Values of site_state */
#define SCRY_TRACE_SITE_COUNT	1	/* counted in the kernel */
#define SCRY_TRACE_SITE_EVERY	2	/* every call sent with its stack (user
					 * space found the key does not decide
					 * the call site) */
#define SCRY_TRACE_SITE_PENDING	3	/* a short key whose first call user
					 * space has not judged yet: its calls
					 * take the whole window's key */

struct scry_trace_site_key {
	__u32 tgid;
	__u32 nr;
	__u32 exec;		/* task->self_exec_id: one image of the process */
	__u32 len;		/* bytes of stack hashed */
	__u64 hash;
};

/* One CPU's share of a key's counters; user space sums them. */
struct scry_trace_site_val {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	__u64 min_ns;		/* meaningful when count > 0 */
	__u64 max_ns;
};

struct scry_trace_site_hkey {
	struct scry_trace_site_key key;
	__u32 bucket;		/* scry_hist_bucket(latency) (stats/hist.h) */
	__u32 pad;
};

struct scry_trace_proc {
	__u32 type;		/* SCRY_TRACE_EV_EXEC / EXIT / FORK */
	__u32 tgid;
	__u32 tid;
	__u32 old_tid;		/* EXEC: the thread that called execve */
	__u64 ts;
	__s32 exit_code;	/* EXIT: task->exit_code, a wait(2) status */
	__u32 group_dead;	/* EXIT: the last thread of the process */
	__u32 child_tgid;	/* FORK */
	__u32 child_tid;
	__u32 is_thread;	/* FORK: a new thread (CLONE_THREAD) */
	__u32 followed;		/* FORK: the child is traced too */
	__u32 ia32;		/* EXEC: the new image runs 32-bit (ia32) code:
				   the process is traced no more */
	char filename[SCRY_TRACE_STR_MAX];	/* EXEC */
};

#define SCRY_TRACE_SIGINFO	48	/* the kernel's struct kernel_siginfo */

/* A signal delivered to a traced thread, or sent to it and ignored (as
 * ptrace shows it: a tracer sees even the signals a process ignores). */
struct scry_trace_signal {
	__u32 type;		/* SCRY_TRACE_EV_SIGNAL */
	__u32 tgid;
	__u32 tid;
	__s32 sig;
	__u64 ts;
	__u8 info[SCRY_TRACE_SIGINFO];	/* siginfo_t's first bytes */
};

/*
 * With stack_bytes set: a process's code mappings as the kernel had them
 * (bpf_iter_task_vma), sent before the first call of each of its images
 * and before the first call after its mappings changed (mm->mm_lock_seq
 * moved and the mappings sent would differ), so that user space unwinds
 * calls of a process that has exited or exec'd since with the mappings
 * the call saw, not whatever /proc/PID/maps says when it gets there.
 * After an image's first record, a record carries only the mappings that
 * changed, between those user space keeps (delta, keep_head, keep_tail):
 * a dlopen sends the library's mappings, not the whole list again.
 * Only the mappings of files that have an executable mapping, each file's
 * mappings in address order as /proc/PID/maps lists them; the vDSO by
 * its flag.  A path comes as its components, innermost first, each ended
 * by a NUL (the kernel walks dentries up to the root of the mount tree,
 * as d_path would); user space joins them.  A path deeper than
 * SCRY_TRACE_PATH_DEPTH or past the strings area comes without it
 * (path_len 0, SCRY_TRACE_VMA_NOPATH).
 */
#define SCRY_TRACE_VMA_MAX	256	/* mappings in one record */
#define SCRY_TRACE_VMA_STR	16384	/* bytes of path components */
#define SCRY_TRACE_PATH_DEPTH	24	/* components of one path */

#define SCRY_TRACE_VMA_READ	1
#define SCRY_TRACE_VMA_WRITE	2
#define SCRY_TRACE_VMA_EXEC	4
#define SCRY_TRACE_VMA_SHARED	8
#define SCRY_TRACE_VMA_VDSO	16	/* the vDSO (no file) */
#define SCRY_TRACE_VMA_DELETED	32	/* the file was unlinked */
#define SCRY_TRACE_VMA_NOPATH	64	/* its path could not be sent whole */

struct scry_trace_vma {
	__u64 start, end;
	__u64 pgoff;		/* bytes into the file */
	__u64 ino;
	__u32 dev;		/* the kernel's dev_t: major << 20 | minor */
	__u16 flags;		/* SCRY_TRACE_VMA_* */
	__u16 path_len;		/* bytes of its components, NULs included */
	__u32 path_off;		/* into the strings after the table */
	__u32 pad;
};

struct scry_trace_maps {
	__u32 type;		/* SCRY_TRACE_EV_MAPS */
	__u32 tgid;
	__u32 tid;
	__u32 exec;		/* task->self_exec_id */
	__u32 n;		/* entries of v[] used */
	__u32 str_len;		/* bytes of strings used */
	__u32 truncated;	/* more mappings than SCRY_TRACE_VMA_MAX */
	/* 1: a difference (a dlopen): the process's mappings are the
	 * keep_head first of those it had (as the records before built
	 * them), these, then the keep_tail last it had; a mapping here
	 * without a path (and not NOPATH) has the path of one it had with
	 * its device and inode */
	__u32 delta;
	__u64 ts;
	__u32 keep_head;
	__u32 keep_tail;
	/* the number of the list these mappings make, and (delta) of the one
	 * they change: a difference whose base is not the list user space
	 * holds (two threads raced in the kernel) cannot be applied; user
	 * space then deletes host_tgid's maps_seen and maps_held entries, so
	 * that the process's next call sends its mappings whole */
	__u32 base_seq;
	__u32 seq;
	__u32 host_tgid;
	__u32 pad2;
	struct scry_trace_vma v[SCRY_TRACE_VMA_MAX];
	/* in the ring only v[0..n), then str_len bytes of path components */
};

/*
 * --stack-mode fp: a call's stack is the frame-pointer callchain the kernel
 * walks (bpf_get_task_stack, BPF_F_USER_STACK) instead of a copy of the
 * stack.  The struct scry_trace_stack comes with its registers, flags
 * SCRY_TRACE_STK_FP, and len bytes of 64-bit words: first the word at sp
 * when it points into an executable mapping (a leaf syscall wrapper's
 * return address, which the chain leaves out: the wrapper pushes no frame),
 * else 0; then the chain, the pc first, at most SCRY_TRACE_FP_MAX of them.
 */
#define SCRY_TRACE_STK_FP	0x100
#define SCRY_TRACE_FP_MAX	127	/* kernel.perf_event_max_stack's default */

#endif /* SCRY_BPF_SYSTRACE_H */
