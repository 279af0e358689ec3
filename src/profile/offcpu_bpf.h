/*
 * What offcpu.bpf.c and offcpu.c share: the keys and values of the
 * off-CPU maps and the capture record.  Plain fixed-size types only (the
 * bpf side includes it after vmlinux.h).
 */
#ifndef SCRY_OFFCPU_BPF_H
#define SCRY_OFFCPU_BPF_H

#define OFFCPU_STACK_BYTES 8192
#define OFFCPU_NREGS 17		/* x86_64 DWARF 0..16 (rax..r15, rip); arm64: x0..x30, sp, pc
				   would be 33: the arm64 build keeps the first 17 plus sp, pc */

/* offcpu_key.state: how the thread left the CPU */
enum offcpu_state {
	OFFCPU_RUNNABLE = 0,	/* preempted: waited on a run queue */
	OFFCPU_SLEEPING = 1,	/* TASK_INTERRUPTIBLE */
	OFFCPU_DISK = 2,	/* TASK_UNINTERRUPTIBLE (D) */
	OFFCPU_OTHER = 3,	/* stopped, traced, parked, ... */
	OFFCPU_UNKNOWN = 4,	/* off the CPU since before the profile began */
};

/* One wait point of one thread.  uip/usp: user pc and sp where it entered
 * the kernel, a fingerprint of the user call path (its stack is captured
 * once per key). */
struct offcpu_key {
	unsigned int tid;
	unsigned int tgid;
	unsigned int state;
	int kstack;		/* stack id in kstacks, or negative */
	long long nr;		/* syscall it waits in, -1 when none (preempted in user mode) */
	unsigned long long uip;
	unsigned long long usp;
};

struct offcpu_val {
	unsigned long long ns;
	unsigned long long count;
};

/* Per thread: when it left the CPU and where, when it came back, and its
 * time on the CPU since the profile began. */
struct offcpu_task {
	unsigned long long ts_out;	/* 0 while on the CPU */
	unsigned long long ts_in;	/* 0 until first seen coming on the CPU */
	unsigned long long on_ns;
	unsigned long long switches;	/* times it left the CPU */
	struct offcpu_key key;		/* valid while ts_out != 0 */
	char comm[16];			/* its name when it last left the CPU */
};

/* Ring-buffer record: the first time a key is seen, the user registers
 * and the top of the user stack at that moment, for unwinding. */
struct offcpu_cap {
	struct offcpu_key key;
	unsigned long long have;		/* bit i: regs[i] valid */
	unsigned long long regs[OFFCPU_NREGS];
	unsigned int stack_len;			/* bytes of stack[] read from usp up */
	unsigned int pad;
	unsigned char stack[OFFCPU_STACK_BYTES];
};

/* lost[] slots */
#define OFFCPU_LOST_KEYS 0	/* aggregation map full */
#define OFFCPU_LOST_CAPS 1	/* ring buffer full: a stack not captured */
#define OFFCPU_LOST_TASKS 2	/* task map full */
#define OFFCPU_NLOST 3

#endif
