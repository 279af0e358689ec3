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

int scry_backend_choose(const struct scry_config *cfg, unsigned need)
{
	if (!cfg)
		return SCRY_BACKEND_PTRACE;
	/* CPU times and filters on the result need what only ptrace measures
	 * or keeps (bpf's counts and events carry neither) */
	if (cfg->cpu_time || (need & SCRY_NEED_RESULT_FILTER))
		return SCRY_BACKEND_PTRACE;
	/* only ptrace can change a call (-e inject=) */
	if (cfg->ninject > 0)
		return SCRY_BACKEND_PTRACE;
	/* stacks (-k, --source): only ptrace unwinds them so far */
	if (cfg->stack_depth > 0)
		return SCRY_BACKEND_PTRACE;
	/* counting only: the kernel counts without stopping anyone */
	if (need & SCRY_NEED_COUNTS_ONLY)
		return SCRY_BACKEND_BPF;
	/*
	 * Attached with a filter whose calls bpf shows in full: bpf stops
	 * nobody, where ptrace (which cannot install a seccomp filter in a
	 * running process) stops the target at every one of its calls.  -P and
	 * -y read the process's fds in /proc, which bpf's events cannot.
	 */
	if (!(need & SCRY_NEED_ATTACH_ONLY) || cfg->ntrace_paths || cfg->fd_paths)
		return SCRY_BACKEND_PTRACE;
	return decode_bpf_complete(scry_native_table(), cfg->syscall_bitmap, cfg->syscall_bitmap_words,
				   cfg->verbose)
		       ? SCRY_BACKEND_BPF : SCRY_BACKEND_PTRACE;
}
