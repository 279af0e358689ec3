/* strace's options beyond scry's own: the -e qualifiers read=, write=,
 * raw=, abbrev=, verbose=, quiet=, decode-fds=, kvm=, and the flags scry
 * refuses (docs/STRACE.md). */
#ifndef SCRY_CLI_STRACE_COMPAT_H
#define SCRY_CLI_STRACE_COMPAT_H

#include <stddef.h>

#include "option_values.h"

/*
 * One -e argument, if it is one of those qualifiers: 1 (taken, into o),
 * -1 (bad: a message in err), or 0 (not one of them: the filter's).
 */
int strace_qualifier(struct options *o, const char *expr, char *err, size_t errlen);

/* The combinations strace refuses, and what needs the ptrace backend:
 * 0, or -1 after one line on stderr (usage error). */
int strace_checks(const struct options *o);

/* strace's warnings for a retval= that reads as an error (or is clipped)
 * in the native or the 32-bit personality: one line on stderr, or none. */
struct scry_inject;
void strace_retval_warn(const struct scry_inject *in);

/* Says on stderr why the strace option c (getopt's value) is refused. */
void strace_refuse(int c);

#endif
