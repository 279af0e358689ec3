/*
 * Fault injection at ptrace stops (strace's -e inject=; the rules are
 * struct scry_inject in scry.h, indexed by call number in
 * s->inject_rule).  The ptrace loop calls inject_enter() at a call's entry
 * stop (a syscall-entry stop or a seccomp stop) before the engine decodes
 * it, and inject_exit() at its exit stop before the engine sees the
 * result; each says how the stop must end (struct inject_stop): resume
 * with a signal, or keep the thread stopped for a while first.
 *
 * Nothing here prints or blocks; register and memory writes that fail
 * (the thread died, the memory is not there) leave the call as it was.
 */
#ifndef SCRY_BACKEND_INJECT_H
#define SCRY_BACKEND_INJECT_H

#include <stdint.h>

struct scry_session;
struct tracee;

struct inject_stop {
	int sig;                 /* resume with this signal (0: none) */
	uint64_t delay_ns;       /* keep the thread stopped this long first */
};

/* t->nr and t->args hold the call; t->inj and t->inj_done are set for the
 * call (NULL / 0 when no rule applies to this invocation). */
void inject_enter(struct scry_session *s, struct tracee *t, struct inject_stop *out);

/* The call's result as the kernel left it, replaced by the injected one
 * where error= or retval= applies. */
void inject_exit(struct scry_session *s, struct tracee *t, int64_t *rval, int *is_error,
		 struct inject_stop *out);

#endif
