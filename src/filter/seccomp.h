/*
 * A classic-BPF seccomp program made from a filter, so that calls the filter
 * excludes never stop the tracee (strace's --seccomp-bpf).
 *
 * The program returns SECCOMP_RET_TRACE for every traced number and
 * SECCOMP_RET_ALLOW for the rest.  Some calls always stop, whatever the
 * filter says, because the tracer must see them to follow the process tree:
 * execve, execveat, fork, vfork, clone, clone3, exit, exit_group.  On
 * x86_64 the calls of ia32 processes (AUDIT_ARCH_I386) are judged by their
 * i386 numbers (the filter's SCRY_FILTER_I386_BASE bits).  Calls of another
 * ABI (x32 numbers) and unknown architectures always stop; the tracer
 * filters those itself.
 *
 * Integration notes:
 *  - Build the program in the parent (it allocates); in the forked child
 *    call only scry_filter_seccomp_install(), then raise/stop for the tracer
 *    and exec.  The filter is inherited across fork and exec.
 *  - With a filter installed, the tracer must set PTRACE_O_TRACESECCOMP and
 *    resume with PTRACE_CONT while the tracee runs (PTRACE_SYSCALL would stop
 *    at every call anyway), then PTRACE_SYSCALL from a seccomp stop to see
 *    the exit of that call.
 *  - Without a tracer, SECCOMP_RET_TRACE makes the call fail with ENOSYS:
 *    a tracee running under this program must never be detached from (kill
 *    it instead, as strace does for --seccomp-bpf).
 */
#ifndef SCRY_FILTER_SECCOMP_H
#define SCRY_FILTER_SECCOMP_H

#include <linux/filter.h>

#include "filter/filter.h"

/* scry_filter_seccomp_program(): public, in scry/filter.h. */

/*
 * PR_SET_NO_NEW_PRIVS then SECCOMP_SET_MODE_FILTER (or PR_SET_SECCOMP on old
 * kernels) for the calling thread.  Allocates nothing and is safe after
 * fork().  Returns 0 or -errno (-E2BIG for a program over BPF_MAXINSNS).
 */
int scry_filter_seccomp_install(const struct sock_filter *prog, unsigned len);

#endif
