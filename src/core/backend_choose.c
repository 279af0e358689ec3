/*
 * The automatic backend choice (scry.h: scry_backend_choose): which backend
 * serves a session best, from what it must show.  The calls bpf shows in
 * full are those whose decoder row says so (decode/decode.h: struct
 * bpf_capture.complete); the decision lives here, in the library, so that
 * every client of libscry gets the same policy as the scry command.
 */
#include "scry/scry.h"

#include "decode/decode.h"
#include "syscalls/syscalls.h"

#include <stdio.h>

/* The choice, with its reason into why (when why_len > 0). */
static int choose(const struct scry_config *cfg, unsigned need, char *why, size_t why_len)
{
#define BECAUSE(backend, ...) do { if (why && why_len) snprintf(why, why_len, __VA_ARGS__); return backend; } while (0)
	if (!cfg)
		BECAUSE(SCRY_BACKEND_PTRACE, "no configuration");
	/* CPU times and filters on the result need what only ptrace measures
	 * or keeps (bpf's counts and events carry neither) */
	if (cfg->cpu_time)
		BECAUSE(SCRY_BACKEND_PTRACE, "CPU times are measured at ptrace's stops");
	if (need & SCRY_NEED_RESULT_FILTER)
		BECAUSE(SCRY_BACKEND_PTRACE, "a filter on results needs each call's result");
	/* only ptrace can change a call (-e inject=) */
	if (cfg->ninject > 0)
		BECAUSE(SCRY_BACKEND_PTRACE, "only ptrace can tamper with calls (inject)");
	/* stacks (-k, --source): only ptrace unwinds them so far */
	if (cfg->stack_depth > 0)
		BECAUSE(SCRY_BACKEND_PTRACE, "stacks are unwound at ptrace's stops");
	/* counting only: the kernel counts without stopping anyone */
	if (need & SCRY_NEED_COUNTS_ONLY)
		BECAUSE(SCRY_BACKEND_BPF, "only counts: the kernel counts without stopping anyone");
	/*
	 * Attached with a filter whose calls bpf shows in full: bpf stops
	 * nobody, where ptrace (which cannot install a seccomp filter in a
	 * running process) stops the target at every one of its calls.  -P and
	 * -y read the process's fds in /proc, which bpf's events cannot.
	 */
	if (!(need & SCRY_NEED_ATTACH_ONLY))
		BECAUSE(SCRY_BACKEND_PTRACE, "a launched command runs under ptrace (with seccomp, it stops only at the traced calls)");
	if (cfg->ntrace_paths || cfg->fd_paths)
		BECAUSE(SCRY_BACKEND_PTRACE, "paths of fds (-P, -y) are read from /proc at ptrace's stops");
	if (decode_bpf_complete(scry_native_table(), cfg->syscall_bitmap, cfg->syscall_bitmap_words,
				cfg->verbose))
		BECAUSE(SCRY_BACKEND_BPF, "attached, and bpf shows every traced call in full without stopping anyone");
	BECAUSE(SCRY_BACKEND_PTRACE, "bpf would not show some traced call in full");
#undef BECAUSE
}

int scry_backend_choose(const struct scry_config *cfg, unsigned need)
{
	return choose(cfg, need, NULL, 0);
}

int scry_backend_choose_why(const struct scry_config *cfg, unsigned need, char *why, size_t why_len)
{
	return choose(cfg, need, why, why_len);
}
