/*
 * The -e expression language: which syscalls, which results and which
 * signals to show.
 *
 * A filter is compiled once from the command line into a bitmap over
 * syscall numbers, a status mask and a signal set; the engine asks it one
 * cheap question per event.  The same bitmap produces the seccomp program
 * (seccomp.h) so that calls nobody asked for never stop the tracee.
 *
 * Usage:
 *
 *	struct scry_filter f;
 *	char err[256];
 *
 *	scry_filter_init(&f, scry_native_table());
 *	if (scry_filter_parse(&f, "trace=file,!/fstat/", err, sizeof(err)) < 0)
 *		fprintf(stderr, "scry: %s\n", err);    // and exit 2
 *	...
 *	if (scry_filter_traced(&f, nr)) ...
 *
 * Grammar (strace's):
 *
 *	-e [QUALIFIER=][!]ITEM[,ITEM]...
 *
 *	QUALIFIER  trace (t; the default), status, signal (signals, s)
 *	ITEM       [!][?]VALUE; for trace, VALUE is a syscall name or number,
 *	           a class (%file, file, %net, %%stat, ...), /regex/ (POSIX
 *	           extended, matched against names), all or none.  '?' ignores
 *	           a VALUE unknown on this architecture.
 *
 * A leading '!' negates the whole list.  Within a list, the positive items
 * build the set and the '!' items are then removed from it; a list with only
 * '!' items starts from all calls ("trace=!close" is everything but close).
 *
 * Several trace lists combine: the first one replaces the default (trace
 * everything), later ones add their positive items to the set and remove
 * their negated items from it ("-e trace=open -e trace=close" traces both,
 * "-e trace=file -e trace=!/stat/" traces file calls other than the stat
 * family).  A list that is exactly "all" or "none" (or "!all", "!none")
 * sets the whole set.  status= and signal= lists replace earlier ones.
 *
 * Ownership: the filter owns no memory (a struct filled in place), so there
 * is nothing to release; it points at its table, which is static.  Threads:
 * a filter being parsed is the caller's alone; a parsed one is only read,
 * from any thread.  Nothing here prints, exits or keeps global state.  Errors return -EINVAL and write
 * one line, without a "scry: " prefix or newline, into the caller's buffer.
 */
#ifndef SCRY_PUBLIC_FILTER_H
#define SCRY_PUBLIC_FILTER_H

#include "scry/export.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scry/scry.h"
#include "scry/syscalls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bits of the bitmap; numbers at or above it are "others" (see below). */
#define SCRY_FILTER_MAX_NR 1024
/* On x86_64, bit SCRY_FILTER_I386_BASE + n is i386 call n (an ia32
 * process's; scry_call.nr SCRY_NR_I386 + n, see scry/syscalls.h). */
#define SCRY_FILTER_I386_BASE 512

/* -e status=: which results to show. */
enum scry_filter_status {
	SCRY_STATUS_SUCCESSFUL  = 1u << 0,  /* returned without error */
	SCRY_STATUS_FAILED      = 1u << 1,  /* returned an error */
	SCRY_STATUS_UNFINISHED  = 1u << 2,  /* never returned (exit, exec'd away) */
	SCRY_STATUS_UNAVAILABLE = 1u << 3,  /* returned, but the result is unknown */
	SCRY_STATUS_DETACHED    = 1u << 4,  /* scry detached during the call */
	SCRY_STATUS_ALL         = (1u << 5) - 1,
};

/* The highest signal number the signal set holds (the kernel's SIGRTMAX). */
#define SCRY_FILTER_MAX_SIG 64

struct scry_filter {
	const struct scry_syscall_table *table;
	/* Bit nr set: trace syscall nr.  Numbers not in the bitmap (negative,
	 * >= SCRY_FILTER_MAX_NR) are traced when trace_other is set.  Bits from
	 * table->ncalls up always equal trace_other, except the i386 ones
	 * (SCRY_FILTER_I386_BASE) on x86_64. */
	uint64_t trace[SCRY_FILTER_MAX_NR / 64];
	bool trace_other;
	bool trace_seen;           /* a trace= list was parsed already */
	unsigned int status;       /* enum scry_filter_status bits */
	uint64_t signals;          /* bit sig-1: show signal sig */
};

/* Everything traced, every status, every signal.  t is the table that names
 * and classes are looked up in (normally scry_native_table()). */
SCRY_API void scry_filter_init(struct scry_filter *f, const struct scry_syscall_table *t);

/*
 * One -e argument ("trace=open,close", "open", "status=failed",
 * "signal=!SIGCHLD").  On error returns -EINVAL (bad input; usage, exit 2)
 * or -ENOMEM, with a message in err (when errlen > 0), and leaves f as it
 * was.  On success err holds "".
 */
SCRY_API int scry_filter_parse(struct scry_filter *f, const char *expr, char *err, size_t errlen);

/* --trace=SPEC: the same as -e trace=SPEC; messages say "--trace=SPEC". */
SCRY_API int scry_filter_trace_spec(struct scry_filter *f, const char *spec, char *err, size_t errlen);

/* A syscall set in trace='s syntax that stands alone (e.g. in -e
 * inject=SET:...): f's trace set becomes list's set; messages say
 * "... in <where><list>". */
SCRY_API int scry_filter_set_parse(struct scry_filter *f, const char *where, const char *list,
			  char *err, size_t errlen);

/* --status=SPEC: the same as -e status=SPEC; messages say "--status=SPEC". */
SCRY_API int scry_filter_status_spec(struct scry_filter *f, const char *spec, char *err, size_t errlen);

/* -z (Z == 0): successful calls only; -Z (Z != 0): failed calls only. */
SCRY_API int scry_filter_set_status_z(struct scry_filter *f, int Z);

static inline bool scry_filter_traced(const struct scry_filter *f, long nr)
{
	if (nr >= SCRY_NR_I386 && nr < SCRY_NR_I386 + SCRY_FILTER_MAX_NR - SCRY_FILTER_I386_BASE)
		nr = nr - SCRY_NR_I386 + SCRY_FILTER_I386_BASE;   /* an ia32 call */
	if (nr < 0 || nr >= SCRY_FILTER_MAX_NR)
		return f->trace_other;
	return (f->trace[nr / 64] >> (nr % 64)) & 1;
}

/* Whether a call with this outcome is shown.  unfinished wins over
 * is_error. */
static inline bool scry_filter_status_ok(const struct scry_filter *f, int is_error, int unfinished)
{
	unsigned int bit = unfinished ? SCRY_STATUS_UNFINISHED
			 : is_error ? SCRY_STATUS_FAILED : SCRY_STATUS_SUCCESSFUL;
	return (f->status & bit) != 0;
}

/* For the other outcomes: one enum scry_filter_status bit. */
static inline bool scry_filter_status_has(const struct scry_filter *f, unsigned int bit)
{
	return (f->status & bit) != 0;
}

/* Whether signal sig is shown; numbers outside 1..64 only when all are. */
static inline bool scry_filter_signal_ok(const struct scry_filter *f, int sig)
{
	if (sig < 1 || sig > SCRY_FILTER_MAX_SIG)
		return f->signals == UINT64_MAX;
	return (f->signals >> (sig - 1)) & 1;
}

/* No syscall is excluded (the seccomp program would be pointless). */
SCRY_API bool scry_filter_traces_all(const struct scry_filter *f);

/* Nothing at all is excluded: every call, every status, every signal. */
SCRY_API bool scry_filter_is_all(const struct scry_filter *f);

/* ---- the filter's seccomp program (strace's --seccomp-bpf) ---- */

struct sock_filter;   /* <linux/filter.h> */

/*
 * A classic-BPF seccomp program made from f, for scry_config.seccomp_prog:
 * SECCOMP_RET_TRACE for every traced number and SECCOMP_RET_ALLOW for the
 * rest, so that calls the filter excludes never stop a launched command.
 * Some calls always stop, whatever f says, because the tracer must see
 * them to follow the process tree (execve, execveat, fork, vfork, clone,
 * clone3, exit, exit_group); so do calls of another ABI.  The program is
 * malloc'ed into *prog (*len instructions, at most a few thousand); the
 * caller frees it after scry_session_free().  Returns 0, -ENOMEM, or
 * -EINVAL for a table of an architecture without a program (only x86_64
 * and aarch64 have one).
 */
SCRY_API int scry_filter_seccomp_program(const struct scry_filter *f, struct sock_filter **prog,
					 unsigned *len);

/* ---- fault injection: strace's -e inject= and -e fault= ---- */

/*
 * Grammar (strace's):
 *
 *	inject=SET[:error=ERRNO|:retval=N][:signal=SIG][:syscall=NAME]
 *	          [:delay_enter=D][:delay_exit=D]
 *	          [:poke_enter=@argN=HEX[,@argM=HEX]...][:poke_exit=...]
 *	          [:when=FIRST[..LAST][+[STEP]]]
 *	fault=SET[:error=ERRNO][:when=...]       (error defaults to ENOSYS)
 *
 * SET is a syscall set as in trace=.  An inject needs at least one of
 * error, retval, signal, delay_enter, delay_exit, poke_enter, poke_exit;
 * error and retval exclude each other; syscall= (a %pure call run
 * instead) needs one of them.  D is a number with an optional unit s, ms,
 * us or ns (microseconds without one).
 *
 *	struct scry_inject_list l = SCRY_INJECT_LIST_INIT;
 *	if (scry_inject_parse(&l, scry_native_table(), "fault", "openat:error=ENOENT",
 *			      err, sizeof(err)) < 0) ...
 *	cfg.inject = l.v; cfg.ninject = l.n;
 *	...                                    // the session runs, is freed
 *	scry_inject_list_release(&l);
 *
 * The list owns its rules (their sets, pokes and bytes); it must outlive
 * the session that uses them.  Errors return -EINVAL (bad input) or
 * -ENOMEM, with one line in err (no "scry: " prefix, no newline), and
 * leave the list as it was.
 */
struct scry_inject_list {
	struct scry_inject *v;   /* the rules, in the order given */
	int n;
};
#define SCRY_INJECT_LIST_INIT { NULL, 0 }

/* One expression: qual is "inject" or "fault", spec what follows its '='. */
SCRY_API int scry_inject_parse(struct scry_inject_list *l, const struct scry_syscall_table *t,
			       const char *qual, const char *spec, char *err, size_t errlen);

/* Sets bit nr of words[] for every call some rule applies to (they must
 * be traced: or them into scry_config.syscall_bitmap), on x86_64 also the
 * bits of their i386 twins (SCRY_FILTER_I386_BASE). */
SCRY_API void scry_inject_add_sets(const struct scry_inject_list *l, uint64_t *words, size_t nwords);

/* Frees every rule; the list is empty (SCRY_INJECT_LIST_INIT) again. */
SCRY_API void scry_inject_list_release(struct scry_inject_list *l);

/* ---- the filter stage: a filter in front of sinks ---- */

/*
 * The one place where events are judged by -e trace=, status= and
 * signal= on their way to the sinks.  It is a sink itself that passes
 * what the filter shows on to the sinks behind it, in order:
 *
 *	struct scry_filter_stage st;
 *	scry_filter_stage_init(&st, &filter);
 *	scry_filter_stage_add(&st, &jsonl_sink);     // and the summary, ...
 *	struct scry_sink sink;
 *	scry_filter_stage_as_sink(&st, &sink);
 *	scry_session_add_sink(s, &sink);
 *
 * The session drops the calls outside the trace set already, before
 * decoding them, when scry_config.syscall_bitmap is the filter's trace
 * bitmap; the stage judges what only the result tells (status=, -z, -Z:
 * a call's entry is then withheld and it reaches the sinks at its exit)
 * and the signals (signal=).  Other events (exits, new tasks, execs,
 * detaches, stops) all pass.
 *
 * Ownership: the stage copies the struct scry_sink it is given, not what
 * the sink's ctx points to; the filter is not copied and must outlive the
 * stage.  finish() and free() of the stage's sink reach every sink behind
 * it (free() frees those sinks; the stage itself is the caller's memory).
 * Every sink sees every event even after another one failed; the first
 * error is the stage's.
 */
#define SCRY_FILTER_STAGE_MAX 8

struct scry_filter_stage {
	const struct scry_filter *filter;   /* NULL: everything passes */
	struct scry_sink next[SCRY_FILTER_STAGE_MAX];
	int n;
	int err;                            /* the first sink error */
};

/* Whether ev is shown under f (NULL: everything is). */
SCRY_API bool scry_filter_event_shown(const struct scry_filter *f, const struct scry_event *ev);

SCRY_API void scry_filter_stage_init(struct scry_filter_stage *st, const struct scry_filter *f);
/* 0, or -ENOSPC beyond SCRY_FILTER_STAGE_MAX sinks.  The sink is copied. */
SCRY_API int scry_filter_stage_add(struct scry_filter_stage *st, const struct scry_sink *sink);
SCRY_API void scry_filter_stage_as_sink(struct scry_filter_stage *st, struct scry_sink *sink);

#ifdef __cplusplus
}
#endif
#endif
