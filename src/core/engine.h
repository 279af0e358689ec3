/*
 * The engine: the one stage between the backends and the sinks (DESIGN.md,
 * "The pipeline").  A backend hands it raw calls -- a number, six
 * arguments, times, and a way to read the tracee's memory -- and the engine
 * does the rest, the same for every backend:
 *
 *	engine_enter()   filter by number (cfg.syscall_bitmap), then by path
 *	                 (-P); decode the entry part once; CALL_ENTER to the sinks
 *	engine_exit()    decode what the kernel filled in; CALL_EXIT
 *	engine_unfinished()  a call that never returns (exit, exec, detach)
 *	engine_signal()  a signal delivered: its siginfo decoded once
 *
 * A call the filter drops is never read or decoded, and its exit is
 * ignored.  What a decoder keeps from entry to exit lives in the tracee's
 * struct call_state (core/internal.h), written and read only here.
 *
 * Errors: engine_enter() and engine_exit() return the sinks' first error
 * (a negative errno; the session then detaches), else engine_enter()
 * returns 1 when the call was shown and 0 when it was filtered out.
 */
#ifndef SCRY_ENGINE_H
#define SCRY_ENGINE_H

#include <stdint.h>
#include <sys/types.h>

struct scry_session;
struct tracee;

/* Where the decoders read tracee memory: NULL reads the live process
 * (process_vm_readv); the bpf backend serves the bytes it captured. */
typedef ssize_t (*engine_mem_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/*
 * A thread's user registers at syscall entry, for the unwinder
 * (cfg.stack_depth): numbered as DWARF numbers them on the tracee's
 * architecture (x86_64: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip = 0-16;
 * aarch64: x0-x30 sp = 0-31, pc at 32).  Bit i of have says r[i] is known.
 */
struct raw_regs {
	uint64_t have;
	uint64_t r[33];
};

struct raw_call {
	long nr;
	const uint64_t *args;     /* six */
	uint64_t sp;              /* stack pointer at entry (rt_sigreturn) */
	uint64_t t_enter_ns;      /* CLOCK_REALTIME */
	long envc1;               /* execve's envp entries + 1 if counted, else 0 */
	engine_mem_fn mem;
	void *mem_ctx;
	/* NULL unless cfg.stack_depth: the registers to unwind from; the
	 * unwinder reads the stack through mem (the live process, or the
	 * stack bytes bpf copied at entry) */
	const struct raw_regs *regs;
	/* with regs, a stack already walked (bpf --stack-mode fp): npcs
	 * addresses, the pc first, symbolized instead of unwound */
	const uint64_t *pcs;
	unsigned npcs;
};

struct raw_result {
	int64_t ret;
	int is_error;
	uint64_t t_exit_ns;       /* CLOCK_REALTIME */
	uint64_t duration_ns;     /* in the kernel, overhead taken out */
	uint64_t cpu_ns;          /* 0 when not measured */
	unsigned injected;        /* enum scry_injected bits */
	engine_mem_fn mem;
	void *mem_ctx;
};

int engine_enter(struct scry_session *s, struct tracee *t, const struct raw_call *rc);
int engine_exit(struct scry_session *s, struct tracee *t, const struct raw_result *rr);
/* ts_ns: when the call was seen to end (CLOCK_REALTIME) */
int engine_unfinished(struct scry_session *s, struct tracee *t, uint64_t ts_ns);
/* A SCRY_EV_SIGNAL event with its signo and siginfo filled by the backend:
 * the engine decodes the siginfo once into typed values (and their text,
 * kept for compatibility) and hands it to the sinks. */
struct scry_event;
int engine_signal(struct scry_session *s, struct scry_event *ev);

#endif
