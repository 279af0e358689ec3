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
 * Nothing here prints, exits or keeps global state; the filter owns no
 * memory, so there is nothing to release.  Errors return -EINVAL and write
 * one line, without a "scry: " prefix or newline, into the caller's buffer.
 */
#ifndef SCRY_FILTER_H
#define SCRY_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls/syscalls.h"

/* Bits of the bitmap; numbers at or above it are "others" (see below). */
#define SCRY_FILTER_MAX_NR 1024

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
	 * table->ncalls up always equal trace_other. */
	uint64_t trace[SCRY_FILTER_MAX_NR / 64];
	bool trace_other;
	bool trace_seen;           /* a trace= list was parsed already */
	unsigned int status;       /* enum scry_filter_status bits */
	uint64_t signals;          /* bit sig-1: show signal sig */
};

/* Everything traced, every status, every signal.  t is the table that names
 * and classes are looked up in (normally scry_native_table()). */
void scry_filter_init(struct scry_filter *f, const struct scry_syscall_table *t);

/*
 * One -e argument ("trace=open,close", "open", "status=failed",
 * "signal=!SIGCHLD").  On error returns -EINVAL (bad input; usage, exit 2)
 * or -ENOMEM, with a message in err (when errlen > 0), and leaves f as it
 * was.  On success err holds "".
 */
int scry_filter_parse(struct scry_filter *f, const char *expr, char *err, size_t errlen);

/* --trace=SPEC: the same as -e trace=SPEC; messages say "--trace=SPEC". */
int scry_filter_trace_spec(struct scry_filter *f, const char *spec, char *err, size_t errlen);

/* A syscall set in trace='s syntax that stands alone (e.g. in -e
 * inject=SET:...): f's trace set becomes list's set; messages say
 * "... in <where><list>". */
int scry_filter_set_parse(struct scry_filter *f, const char *where, const char *list,
			  char *err, size_t errlen);

/* --status=SPEC: the same as -e status=SPEC; messages say "--status=SPEC". */
int scry_filter_status_spec(struct scry_filter *f, const char *spec, char *err, size_t errlen);

/* -z (Z == 0): successful calls only; -Z (Z != 0): failed calls only. */
int scry_filter_set_status_z(struct scry_filter *f, int Z);

static inline bool scry_filter_traced(const struct scry_filter *f, long nr)
{
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
bool scry_filter_traces_all(const struct scry_filter *f);

/* Nothing at all is excluded: every call, every status, every signal. */
bool scry_filter_is_all(const struct scry_filter *f);

#endif
