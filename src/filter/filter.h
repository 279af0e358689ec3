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

/* The filter is public: scry/filter.h declares it (and documents the
 * language above). */
#include "scry/filter.h"
#include "syscalls/syscalls.h"

#endif
